/*
 * SoC profiles: the shipped stm32mp157 profile, the search path, and validation errors
 * that name the file, the group and the key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include <ampsim/profile.h>

static void stm32mp157_is_shipped(void **state)
{
	struct amp_soc_layout l;
	g_autoptr(GError) err = NULL;
	static const struct {
		const char *name;
		uint64_t da, size;
		uint32_t purpose;
	} want[] = {
	    {"mcusram", 0x10000000, 0x40000, AMP_SOC_PURPOSE_RAM},
	    {"vdev0vring0", 0x10040000, 0x1000, AMP_SOC_PURPOSE_VRING},
	    {"vdev0vring1", 0x10041000, 0x1000, AMP_SOC_PURPOSE_VRING},
	    {"vdev0buffer", 0x10042000, 0x4000, AMP_SOC_PURPOSE_BUFFER},
	    {"retram", 0x38000000, 0x10000, AMP_SOC_PURPOSE_RETRAM},
	    {"ipcc", 0x4C001000, 0x1000, AMP_SOC_PURPOSE_IPCC},
	    {"ddr", 0xC0000000, 0x8000000, AMP_SOC_PURPOSE_DDR},
	};

	(void)state;
	assert_true(amp_profile_load(NULL, &l, &err)); /* the default */
	assert_string_equal(l.name, "stm32mp157");
	assert_int_equal(l.nregions, G_N_ELEMENTS(want));
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		assert_string_equal(l.regions[i].name, want[i].name);
		assert_int_equal(l.regions[i].da, want[i].da);
		assert_int_equal(l.regions[i].size, want[i].size);
		assert_int_equal(l.regions[i].purpose, want[i].purpose);
	}
	assert_int_equal(l.regions[6].flags, AMP_SOC_F_RELOCATABLE);
	assert_int_equal(l.regions[1].flags, 0);
	assert_string_equal(l.regions[l.ipcc_region].name, "ipcc");
	assert_int_equal(l.ipcc_nchan, 6);
}

static void not_found_lists_the_search_path(void **state)
{
	struct amp_soc_layout l;
	g_autoptr(GError) err = NULL;

	(void)state;
	assert_false(amp_profile_load("no-such-soc", &l, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_ENOENT));
	assert_non_null(strstr(err->message, "no-such-soc"));
	assert_non_null(strstr(err->message, "profiles"));
	assert_non_null(strstr(err->message, "a path to an .ini file")); /* what to do */
}

static const char *good = "[soc]\nname=t\n"
			  "[region a]\nda=0x10000000\nsize=0x1000\npurpose=ram\n"
			  "[region b]\nda=0x10001000\nsize=4K\npurpose=vring\n"
			  "[region regs]\nda=0x4C001000\nsize=0x1000\npurpose=ipcc\n"
			  "[mailbox]\ntype=stm32-ipcc\nregion=regs\nchannels=6\n";

/* Write @text to a temp file, load it, expect failure mentioning @group and @key. */
static void expect_invalid(const char *text, const char *group, const char *key)
{
	g_autoptr(GError) err = NULL, werr = NULL;
	g_autofree char *path = NULL;
	struct amp_soc_layout l;
	int fd = g_file_open_tmp("ampsim-profile-XXXXXX.ini", &path, &werr);

	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, text, -1, &werr));
	assert_false(amp_profile_load_file(path, &l, &err));
	assert_non_null(err);
	if (!g_error_matches(err, AMP_ERROR, AMP_EINVAL) || !strstr(err->message, path) ||
	    (group && !strstr(err->message, group)) || (key && !strstr(err->message, key)) ||
	    !strstr(err->message, "docs/memory-map.md")) {
		print_error("message: %s (want [%s] %s)\n", err->message, group, key);
		fail();
	}
	g_unlink(path);
}

static char *replace(const char *text, const char *from, const char *to)
{
	g_auto(GStrv) parts = g_strsplit(text, from, 2);

	assert_non_null(parts[1]);
	return g_strconcat(parts[0], to, parts[1], NULL);
}

static void validation_errors_name_file_group_key(void **state)
{
	struct amp_soc_layout l;
	g_autoptr(GError) err = NULL;
	g_autofree char *path = NULL;
	int fd;

	(void)state;
	/* The good one loads (so each failure below is due to its one change). */
	fd = g_file_open_tmp("ampsim-profile-XXXXXX.ini", &path, NULL);
	close(fd);
	assert_true(g_file_set_contents(path, good, -1, NULL));
	assert_true(amp_profile_load_file(path, &l, &err));
	assert_int_equal(l.regions[1].size, 0x1000);
	assert_true(amp_profile_load(path, &l, &err)); /* a path works too */
	g_unlink(path);

	struct {
		const char *from, *to, *group, *key;
	} cases[] = {
	    {"size=0x1000\npurpose=ram", "size=0\npurpose=ram", "[region a]", "size"},
	    {"size=0x1000\npurpose=ram", "size=0x800\npurpose=ram", "[region a]", "size"},
	    {"size=0x1000\npurpose=ram", "size=12x\npurpose=ram", "[region a]", "size"},
	    {"size=0x1000\npurpose=ram", "size=-4096\npurpose=ram", "[region a]", "size"},
	    {"size=0x1000\npurpose=ram", "size=0x1ffffffffffffffffff\npurpose=ram", "[region a]",
	     "size"},
	    {"size=0x1000\npurpose=ram", "size=0x1000\npurpose=ram\ncolour=blue", "[region a]",
	     "colour"},
	    {"da=0x10001000", "da=0x10000800", "[region b]", "da"}, /* misaligned */
	    {"da=0x10001000", "da=0x10000000", "[region b]", "da"}, /* overlaps a */
	    {"da=0x10000000", "da=0xFFFFF000\nrelocatable=maybe", "[region a]", "relocatable"},
	    {"da=0x10000000\nsize=0x1000", "da=0xFFFFF000\nsize=0x2000", "[region a]", "size"},
	    {"purpose=vring", "purpose=flash", "[region b]", "purpose"},
	    {"[region b]\nda=0x10001000\n", "[region b]\n", "[region b]", "da"}, /* missing */
	    {"[soc]\nname=t\n", "[soc]\nname=t\n[weird]\nx=1\n", "[weird]", NULL},
	    {"[soc]\nname=t\n", "[soc]\nname=t\nvendor=st\n", "[soc]", "vendor"},
	    {"channels=6", "channels=17", "[mailbox]", "channels"},
	    {"channels=6", "channels=six", "[mailbox]", "channels"},
	    {"region=regs", "region=nowhere", "[mailbox]", "region"},
	    {"region=regs", "region=a", "[mailbox]", "region"}, /* not an ipcc region */
	    {"type=stm32-ipcc", "type=imx-mu", "[mailbox]", "type"},
	    {"channels=6", "channels=6\nirq=5", "[mailbox]", "irq"},
	    {"purpose=ipcc", "purpose=ipcc\nsize=0x1000", NULL, NULL}, /* duplicate key */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = replace(good, cases[i].from, cases[i].to);

		if (!cases[i].group) {
			/* GKeyFile itself accepts duplicate keys (last wins): must still load. */
			g_autoptr(GError) e2 = NULL;
			g_clear_pointer(&path, g_free);
			fd = g_file_open_tmp("ampsim-profile-XXXXXX.ini", &path, NULL);
			close(fd);
			assert_true(g_file_set_contents(path, text, -1, NULL));
			assert_true(amp_profile_load_file(path, &l, &e2));
			g_unlink(path);
			g_clear_pointer(&path, g_free);
			continue;
		}
		expect_invalid(text, cases[i].group, cases[i].key);
	}
	/* Not a key file at all. */
	g_clear_pointer(&path, g_free);
	fd = g_file_open_tmp("ampsim-profile-XXXXXX.ini", &path, NULL);
	close(fd);
	g_clear_error(&err);
	assert_true(g_file_set_contents(path, "this is = not [ini\n\x01", -1, NULL));
	assert_false(amp_profile_load_file(path, &l, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_EBADMSG));
	assert_non_null(strstr(err->message, path)); /* GLib's text alone names no file */
	g_unlink(path);
	g_clear_error(&err);
	/* The OS's errno arrives through the one map: ENOENT, EISDIR (not a profile). */
	assert_false(amp_profile_load_file(path, &l, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_ENOENT));
	assert_non_null(strstr(err->message, path));
	g_clear_error(&err);
	assert_false(amp_profile_load_file(g_get_tmp_dir(), &l, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_EINVAL));
	assert_non_null(strstr(err->message, "is not a SoC profile"));
}

/*
 * GKeyFile merges a group that appears twice into one, silently (the later keys win): a
 * region given twice is an error naming the group and both lines, whatever the spacing.
 */
static void duplicate_group_names_the_group_and_its_lines(void **state)
{
	(void)state;
	/* "[region b]" is on line 7 of good; given again after [mailbox], at line 19. */
	g_autofree char *twice = g_strconcat(good, "[region b]\nda=0x10002000\n", NULL);
	expect_invalid(twice, "[region b]", "line 19");
	g_autofree char *spaced = g_strconcat(good, "# again\n  [region a]  \n", NULL);
	expect_invalid(spaced, "[region a]", "line 20");
	g_autofree char *soc = g_strconcat(good, "[soc]\nname=t\n", NULL);
	expect_invalid(soc, "[soc]", "first at line 1");
}

static void search_path_env_overrides(void **state)
{
	g_autofree char *dir = g_dir_make_tmp("ampsim-prof-XXXXXX", NULL);
	g_autofree char *file = g_build_filename(dir, "stm32mp157.ini", NULL);
	g_autofree char *text = replace(good, "name=t", "name=overridden");
	struct amp_soc_layout l;
	g_autoptr(GError) err = NULL;

	(void)state;
	assert_true(g_file_set_contents(file, text, -1, NULL));
	g_setenv(AMP_PROFILE_PATH_ENV, dir, TRUE);
	assert_true(amp_profile_load("stm32mp157", &l, &err));
	assert_string_equal(l.name, "overridden");
	g_unsetenv(AMP_PROFILE_PATH_ENV);
	assert_true(amp_profile_load("stm32mp157", &l, &err));
	assert_string_equal(l.name, "stm32mp157");
	g_unlink(file);
	g_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stm32mp157_is_shipped),
	    cmocka_unit_test(not_found_lists_the_search_path),
	    cmocka_unit_test(validation_errors_name_file_group_key),
	    cmocka_unit_test(duplicate_group_names_the_group_and_its_lines),
	    cmocka_unit_test(search_path_env_overrides),
	};
	return cmocka_run_group_tests_name("sim/profile", tests, NULL, NULL);
}
