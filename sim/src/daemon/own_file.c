/* Files ampsim runs or loads besides itself; see own_file.h. */
#include "own_file.h"

#include <amp/error.h>
#include <ampsim/error.h>

char *amp_own_file(const char *name, const char *installed_rel, GError **err)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = self ? g_path_get_dirname(self) : g_strdup("/proc/self/exe?");
	char *p = g_build_filename(dir, name, NULL);
	if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
		return p;
	g_free(p);
	p = g_build_filename(dir, installed_rel, NULL);
	if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
		return p;
	g_free(p);
	amp_set_error(err, AMP_ENOENT,
		      "cannot find %s next to this ampsim or in its install location (%s from "
		      "the binary, %s); reinstall ampsim",
		      name, installed_rel, dir);
	return NULL;
}
