/*
 * `ampsim new-firmware DIR`: start a firmware project of your own from the installed
 * template (examples/out-of-tree, docs/sdk.md): a copy of it in DIR, which must not exist
 * (its parents are made as needed).
 */
#include <errno.h>
#include <stdio.h>

#include <gio/gio.h>

#include "commands.h"

/* Where the template is: the source tree (a build run uninstalled), then the install. */
#ifndef AMP_TEMPLATE_DIRS
#define AMP_TEMPLATE_DIRS ""
#endif

static char *find_template(void)
{
	g_auto(GStrv) dirs = g_strsplit(AMP_TEMPLATE_DIRS, ":", -1);
	for (char **d = dirs; *d; d++) {
		g_autofree char *probe = g_build_filename(*d, "CMakeLists.txt", NULL);
		if (**d && g_file_test(probe, G_FILE_TEST_IS_REGULAR))
			return g_strdup(*d);
	}
	return NULL;
}

/* Copy the tree @from into @to (created): regular files and directories only. */
static gboolean copy_tree(GFile *from, GFile *to, GError **err)
{
	if (!g_file_make_directory(to, NULL, err))
		return FALSE;
	g_autoptr(GFileEnumerator) e = g_file_enumerate_children(
	    from, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
	    G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, err);
	if (!e)
		return FALSE;
	GFileInfo *info;
	GFile *child;
	while (g_file_enumerator_iterate(e, &info, &child, NULL, err) && info) {
		g_autoptr(GFile) dst = g_file_get_child(to, g_file_info_get_name(info));
		GFileType type = g_file_info_get_file_type(info);
		gboolean ok = TRUE;
		if (type == G_FILE_TYPE_DIRECTORY)
			ok = copy_tree(child, dst, err);
		else if (type == G_FILE_TYPE_REGULAR)
			ok = g_file_copy(child, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, err);
		if (!ok)
			return FALSE;
	}
	return err == NULL || *err == NULL;
}

int amp_cmd_new_firmware(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("DIR");
	g_option_context_set_summary(
	    ctx, "Create DIR, a firmware project of your own, from the template ampsim installs\n"
		 "(share/ampsim/examples/out-of-tree): a firmware with its own channel and\n"
		 "resource table, a Linux-side client and tests, built against the installed\n"
		 "ampsim for the simulator and the Cortex-M4 (docs/sdk.md). DIR must not exist.");
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
		g_printerr("ampsim new-firmware: %s\nTry 'ampsim new-firmware --help'.\n",
			   err ? err->message : "expected one DIR");
		return 2;
	}
	g_autofree char *tpl = find_template();
	if (!tpl) {
		g_printerr("ampsim new-firmware: the template is not installed (looked in %s); "
			   "install ampsim (cmake --install, or the .deb)\n",
			   AMP_TEMPLATE_DIRS);
		return 1;
	}
	g_autoptr(GFile) from = g_file_new_for_path(tpl);
	g_autoptr(GFile) to = g_file_new_for_path(argv[1]);
	g_autofree char *parent = g_path_get_dirname(argv[1]);
	if (g_mkdir_with_parents(parent, 0777) < 0) { /* as mkdir -p: DIR's parents may be new */
		g_printerr("ampsim new-firmware: cannot create %s: %s\n", parent,
			   g_strerror(errno));
		return 1;
	}
	if (!copy_tree(from, to, &err)) {
		g_printerr("ampsim new-firmware: cannot create %s from %s: %s\n", argv[1], tpl,
			   err->message);
		return 1;
	}
	printf("%s: a copy of %s. Next:\n"
	       "  cd %s && cmake -S . -B build && cmake --build build && ctest --test-dir build\n"
	       "  (README.md there: the Cortex-M4 build, the presets, the Makefile)\n",
	       argv[1], tpl, argv[1]);
	return 0;
}
