/* Files ampsim runs or loads besides itself; see own_file.h. */
#include "own_file.h"

#include <glib.h>

char *amp_own_file(const char *name, const char *installed_rel)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	if (!self)
		return NULL;
	g_autofree char *dir = g_path_get_dirname(self);
	char *p = g_build_filename(dir, name, NULL);
	if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
		return p;
	g_free(p);
	p = g_build_filename(dir, installed_rel, NULL);
	if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
		return p;
	g_free(p);
	return NULL;
}
