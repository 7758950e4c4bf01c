/*
 * The firmware-process environment contract (amp/fwenv.h): the object's name and the
 * eventfds are passed by name in the environment and inherited across exec, never
 * guessed; every malformed or missing piece is refused with its own code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/fwenv.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/soc.h>

#define NAME "/ampsim-0-1-0123456789abcdef"

static bool cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

/* Put the three formatted entries into our own environment, as exec would. */
static void export(struct amp_fwenv *env)
{
	assert_int_equal(putenv(env->abi), 0);
	assert_int_equal(putenv(env->shm), 0);
	assert_int_equal(putenv(env->fds), 0);
}

static int read_env(char *why)
{
	char name[AMP_SOC_SHM_NAME_MAX];
	int efds[AMP_FWENV_NFDS];

	return amp_fwenv_read(name, sizeof(name), efds, why, 160);
}

static void round_trip(void **state)
{
	static struct amp_fwenv env; /* putenv() keeps pointers to it */
	char name[AMP_SOC_SHM_NAME_MAX], why[160] = "";
	int efds[AMP_IPCC_LINK_NFDS], got[AMP_FWENV_NFDS];

	(void)state;
	assert_int_equal(amp_ipcc_efds_create(efds), AMP_OK);
	assert_int_equal(amp_fwenv_format(&env, NAME, efds), AMP_OK);
	assert_true(strncmp(env.shm, "AMPSIM_SHM=/ampsim-", 19) == 0);
	/* What the child does between fork and exec: keep the fds across exec. */
	assert_true(cloexec(efds[0]));
	assert_int_equal(amp_fwenv_inherit(efds), AMP_OK);
	for (int i = 0; i < AMP_FWENV_NFDS; i++)
		assert_false(cloexec(efds[i]));
	export(&env);
	assert_int_equal(amp_fwenv_read(name, sizeof(name), got, why, sizeof(why)), AMP_OK);
	assert_string_equal(name, NAME);
	for (int i = 0; i < AMP_FWENV_NFDS; i++) {
		assert_int_equal(got[i], efds[i]);
		assert_true(cloexec(got[i])); /* not leaked into the firmware's own children */
	}
	amp_ipcc_efds_close(efds);
}

static void format_rejects_bad_input(void **state)
{
	struct amp_fwenv env;
	int efds[AMP_FWENV_NFDS] = {3, 4, 5, 6};

	(void)state;
	assert_int_equal(amp_fwenv_format(&env, "no-slash", efds), AMP_EINVAL);
	assert_int_equal(amp_fwenv_format(NULL, NAME, efds), AMP_EINVAL);
	efds[2] = -1;
	assert_int_equal(amp_fwenv_format(&env, NAME, efds), AMP_EINVAL);
}

static void read_refuses_what_is_wrong(void **state)
{
	int efds[AMP_IPCC_LINK_NFDS], pfd[2];
	char why[160], bad[96];

	(void)state;
	assert_int_equal(amp_ipcc_efds_create(efds), AMP_OK);
	assert_int_equal(pipe(pfd), 0);
	unsetenv(AMP_FWENV_ABI);
	unsetenv(AMP_FWENV_SHM);
	unsetenv(AMP_FWENV_IRQ_FDS);
	assert_int_equal(read_env(why), AMP_ENOENT); /* not started by ampsim */
	assert_non_null(strstr(why, AMP_FWENV_SHM));
	setenv(AMP_FWENV_ABI, "2", 1);
	setenv(AMP_FWENV_SHM, NAME, 1);
	snprintf(bad, sizeof(bad), "%d,%d,%d,%d", efds[0], efds[1], efds[2], efds[3]);
	setenv(AMP_FWENV_IRQ_FDS, bad, 1);
	assert_int_equal(read_env(why), AMP_ENOTSUP);
	setenv(AMP_FWENV_ABI, "1", 1);
	assert_int_equal(read_env(why), AMP_OK);
	setenv(AMP_FWENV_SHM, "ampsim-no-slash", 1);
	assert_int_equal(read_env(why), AMP_EINVAL);
	setenv(AMP_FWENV_SHM, NAME, 1);
	/* Three fds, trailing garbage, a pipe instead of an eventfd, a closed fd. */
	snprintf(bad, sizeof(bad), "%d,%d,%d", efds[0], efds[1], efds[2]);
	setenv(AMP_FWENV_IRQ_FDS, bad, 1);
	assert_int_equal(read_env(why), AMP_EINVAL);
	snprintf(bad, sizeof(bad), "%d,%d,%d,%dx", efds[0], efds[1], efds[2], efds[3]);
	setenv(AMP_FWENV_IRQ_FDS, bad, 1);
	assert_int_equal(read_env(why), AMP_EINVAL);
	snprintf(bad, sizeof(bad), "%d,%d,%d,%d", efds[0], efds[1], pfd[0], efds[3]);
	setenv(AMP_FWENV_IRQ_FDS, bad, 1);
	assert_int_equal(read_env(why), AMP_EINVAL);
	assert_non_null(strstr(why, "not an inherited eventfd"));
	close(pfd[0]);
	close(pfd[1]);
	snprintf(bad, sizeof(bad), "%d,%d,%d,%d", efds[0], efds[1], pfd[0], efds[3]);
	setenv(AMP_FWENV_IRQ_FDS, bad, 1);
	assert_int_equal(read_env(why), AMP_EINVAL);
	amp_ipcc_efds_close(efds);
}

/* AMPSIM_IPCC_MODE: three values, unset means blocking, anything else a clear error. */
static void ipcc_mode(void **state)
{
	enum amp_ipcc_wait mode = AMP_IPCC_WAIT_SPIN;
	char why[128] = "";

	(void)state;
	assert_string_equal(AMP_FWENV_IPCC_MODE, "AMPSIM_IPCC_MODE");
	assert_int_equal(amp_fwenv_ipcc_mode_parse(NULL, &mode, why, sizeof(why)), AMP_OK);
	assert_int_equal(mode, AMP_IPCC_WAIT_BLOCK);
	assert_int_equal(amp_fwenv_ipcc_mode_parse("adaptive", &mode, why, sizeof(why)), AMP_OK);
	assert_int_equal(mode, AMP_IPCC_WAIT_ADAPTIVE);
	assert_int_equal(amp_fwenv_ipcc_mode_parse("blocking", &mode, why, sizeof(why)), AMP_OK);
	assert_int_equal(mode, AMP_IPCC_WAIT_BLOCK);
	assert_int_equal(amp_fwenv_ipcc_mode_parse("spin", &mode, why, sizeof(why)), AMP_OK);
	assert_int_equal(mode, AMP_IPCC_WAIT_SPIN);
	mode = AMP_IPCC_WAIT_ADAPTIVE;
	assert_int_equal(amp_fwenv_ipcc_mode_parse("spinning", &mode, why, sizeof(why)),
			 AMP_EINVAL);
	assert_string_equal(why, "AMPSIM_IPCC_MODE=spinning: must be blocking, adaptive or spin");
	assert_int_equal(mode, AMP_IPCC_WAIT_ADAPTIVE); /* untouched */
	assert_int_equal(amp_fwenv_ipcc_mode_parse("", &mode, NULL, 0), AMP_EINVAL);
	assert_int_equal(amp_fwenv_ipcc_mode_parse("Adaptive", &mode, NULL, 0), AMP_EINVAL);
	assert_int_equal(amp_fwenv_ipcc_mode_parse("blocking", NULL, NULL, 0), AMP_EINVAL);
	/* and back: what the host puts in the environment */
	assert_string_equal(amp_fwenv_ipcc_mode_name(AMP_IPCC_WAIT_BLOCK), "blocking");
	assert_string_equal(amp_fwenv_ipcc_mode_name(AMP_IPCC_WAIT_ADAPTIVE), "adaptive");
	assert_string_equal(amp_fwenv_ipcc_mode_name(AMP_IPCC_WAIT_SPIN), "spin");
	assert_null(amp_fwenv_ipcc_mode_name((enum amp_ipcc_wait)7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(format_rejects_bad_input),
	    cmocka_unit_test(read_refuses_what_is_wrong),
	    cmocka_unit_test(ipcc_mode),
	};
	return cmocka_run_group_tests_name("sim/fwenv", tests, NULL, NULL);
}
