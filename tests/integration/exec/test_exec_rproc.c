/*
 * `ampsim exec`: remoteproc0's firmware and coredump attributes, written by a program built
 * for Linux (sysfs_write_app: open, write, strerror), as remoteproc_sysfs.c answers them.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec_app.h"
#include "itest.h"

static char out[65536];

/* `ampsim exec --run-dir RUNDIR -- sysfs_write_app ARGS...`, output in out[]. */
static int sysfs_app(const struct itest_run *r, const char *const *args)
{
	const char *argv[32] = {AMPSIM_BIN, "exec", "--run-dir", r->dir, "--", SYSFS_APP};
	size_t n = 6;
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return capture_app(argv, out, sizeof(out));
}

static void expect(const char *text)
{
	if (!strstr(out, text))
		fail_msg("\"%s\" is not in the output:\n%s", text, out);
}

/* The directory of @p path (static). */
static const char *dir_of(const char *path)
{
	static char d[512];
	itest_fmt(d, sizeof(d), "%s", path);
	char *s = strrchr(d, '/');
	if (s)
		*s = '\0';
	return d;
}

/* Up to 20 s for `ampsim ctl status` to say @p line. */
static bool wait_status(const struct itest_run *r, const char *line)
{
	for (int i = 0; i < 400; i++) {
		if (strstr(itest_ctl(r, "status"), line))
			return true;
		itest_msleep(50);
	}
	return false;
}

/* firmware_store(): EBUSY while running, EINVAL when empty; the name is looked up at the
 * next start (ENOENT, EINVAL for "..", EINVAL for a file that is no firmware: the image
 * kept), and `echo start > state` then boots the new image (tty's channel, not echo's). */
static void firmware_write_boots_another_image(void **state)
{
	(void)state;
	char path[1024];
	const char *junk = itest_scratch_path("fwdir");
	char cmd[1200];
	itest_fmt(cmd, sizeof(cmd), "mkdir -p %s && echo 'not an ELF' > %s/junk.elf", junk, junk);
	assert_int_equal(itest_shell(cmd, out, sizeof(out)), 0);
	itest_fmt(path, sizeof(path), "/nonexistent-ampsim-dir:%s::%s", junk, dir_of(TTY_FW));
	setenv("AMPSIM_FIRMWARE_PATH", path, 1); /* read by the daemon at each start */
	struct itest_run r = {0};
	itest_run_start(&r, ECHO_FW, NULL);
	unsetenv("AMPSIM_FIRMWARE_PATH");
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	static const char *const steps[] = {"firmware",
					    "firmware=tty",
					    "state=stop",
					    "firmware=",
					    "firmware=no-such-image",
					    "firmware",
					    "state=start",
					    "state",
					    "firmware=../tty/tty",
					    "state=start",
					    "firmware=junk.elf",
					    "state=start",
					    "firmware=tty",
					    "state=start",
					    "state",
					    "firmware",
					    NULL};
	assert_int_equal(sysfs_app(&r, steps), 0);
	expect("firmware: echo\nfirmware <- tty: Device or resource busy\nstate <- stop: ok\n"
	       "firmware <- : Invalid argument\nfirmware <- no-such-image: ok\n"
	       "firmware: no-such-image\nstate <- start: No such file or directory\n"
	       "state: offline\nfirmware <- ../tty/tty: ok\nstate <- start: Invalid argument\n"
	       "firmware <- junk.elf: ok\nstate <- start: Invalid argument\n"
	       "firmware <- tty: ok\nstate <- start: ok\nstate: running\nfirmware: tty\n");
	/* The tty sample runs now: its channel is served, echo's is not. */
	assert_true(itest_run_wait(&r, "ttyRPMSG0", ITEST_BOOT_MS));
	assert_false(itest_wait_path(itest_run_path(&r, "rpmsg0"), true, 0));
	const char *st = itest_ctl(&r, "status");
	assert_non_null(strstr(st, "firmware: tty\n"));
	/* `ampsim ctl start` reports a missing image the same way. */
	assert_int_equal(sysfs_app(&r, (const char *const[]){"state=stop", "firmware=gone", NULL}),
			 0);
	assert_non_null(strstr(itest_ctl(&r, "start"), "firmware 'gone' not found in "
						       "/nonexistent-ampsim-dir, "));
	itest_run_stop(&r, SIGINT);
}

static unsigned char dump[1 << 20];

/* The dump's bytes at device address @p da (4 bytes at least), or NULL. */
static const unsigned char *at_da(size_t len, uint32_t da, uint32_t *memsz)
{
	const Elf32_Ehdr *eh = (const void *)dump;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf32_Phdr *ph = (const void *)(dump + eh->e_phoff + i * sizeof(*ph));
		if (ph->p_type == PT_LOAD && ph->p_vaddr == da &&
		    ph->p_offset + ph->p_filesz <= len) {
			*memsz = ph->p_memsz;
			return dump + ph->p_offset;
		}
	}
	return NULL;
}

/* The core dump file: ELF32 ET_CORE EM_ARM, the four regions of the stm32mp157 profile,
 * the RAM one starting with the loaded resource table and holding the trace buffer. */
static void check_dump(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("no core dump at %s", path);
	size_t len = fread(dump, 1, sizeof(dump), f);
	fclose(f);
	const Elf32_Ehdr *eh = (const void *)dump;
	assert_true(len > sizeof(*eh));
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS32);
	assert_int_equal(eh->e_type, ET_CORE);
	assert_int_equal(eh->e_machine, EM_ARM);
	assert_int_equal(eh->e_phnum, 4);
	uint32_t memsz = 0, version;
	const unsigned char *ram = at_da(len, 0x10000000, &memsz);
	assert_non_null(ram);
	assert_int_equal(memsz, 0x40000);
	memcpy(&version, ram, 4);
	assert_int_equal(version, 1);			 /* struct resource_table's version */
	assert_non_null(at_da(len, 0x10042000, &memsz)); /* vdev0buffer */
	assert_int_equal(memsz, 0x4000);
	static const char trace[] = "announced rpmsg-openamp-demo-channel";
	assert_non_null(memmem(ram, 0x40000, trace, sizeof(trace) - 1));
}

/* coredump_store(): disabled by default (no dump), EINVAL for another word, EBUSY while
 * crashed; enabled or inline, a crash leaves RUNDIR/remoteproc0-coredump-<N>.elf. */
static void coredump_modes_and_dump(void **state)
{
	(void)state;
	struct itest_run r = {0};
	static const char *const opts[] = {"--no-recovery", NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	assert_int_equal(
	    sysfs_app(&r, (const char *const[]){"coredump", "coredump=sideways", NULL}), 0);
	expect("coredump: disabled\ncoredump <- sideways: Invalid argument\n");
	kill(itest_fw_pid(&r), SIGSEGV);
	assert_true(wait_status(&r, "state: crashed\n"));
	assert_null(strstr(itest_ctl(&r, "status"), "last coredump"));
	assert_false(itest_wait_path(itest_run_path(&r, "remoteproc0-coredump-1.elf"), true, 0));
	static const char *const crashed[] = {"coredump=enabled", "recovery=recover", "state",
					      "coredump=enabled", "coredump",	      NULL};
	assert_int_equal(sysfs_app(&r, crashed), 0);
	expect("coredump <- enabled: Device or resource busy\nrecovery <- recover: ok\n"
	       "state: running\ncoredump <- enabled: ok\ncoredump: enabled\n");
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	kill(itest_fw_pid(&r), SIGSEGV);
	assert_true(wait_status(&r, "state: crashed\n"));
	char want[512];
	itest_fmt(want, sizeof(want), "last coredump: %s\n",
		  itest_run_path(&r, "remoteproc0-coredump-1.elf"));
	assert_non_null(strstr(itest_ctl(&r, "status"), want));
	check_dump(itest_run_path(&r, "remoteproc0-coredump-1.elf"));
	/* inline: the same dump, the next number; the first one stays. */
	assert_int_equal(sysfs_app(&r, (const char *const[]){"recovery=recover", "coredump=inline",
							     "coredump", NULL}),
			 0);
	expect("coredump: inline\n");
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	kill(itest_fw_pid(&r), SIGSEGV);
	assert_true(wait_status(&r, "remoteproc0-coredump-2.elf\n"));
	check_dump(itest_run_path(&r, "remoteproc0-coredump-2.elf"));
	check_dump(itest_run_path(&r, "remoteproc0-coredump-1.elf"));
	itest_run_stop(&r, SIGINT);
}

/* POLLOUT on /dev/rpmsgN is a free TX buffer (rpmsg_poll()): with none (buf:tx exhaust),
 * neither poll() nor select() reports it, so a loop that writes on POLLOUT sleeps instead of
 * spinning on EAGAIN; once the buffers are back it sends and gets every echo. */
static void pollout_means_a_tx_buffer(void **state)
{
	(void)state;
	struct itest_run r = {0};
	run_without_tx_buffers(&r, ECHO_FW, "rpmsg0", POLL_APP, "/dev/rpmsg0", out, sizeof(out));
	expect("first write: Resource temporarily unavailable\n"
	       "POLLOUT before the buffers came back: 0\nsent 8, echoed 8, EAGAIN 0\n");
	itest_run_stop(&r, SIGINT);
}

/* /dev/ttyRPMSG0 without a TX buffer: the write that finds none is refused with ENOMEM, as
 * rpmsg_tty_write() refuses it (the bytes before it were taken), and once the buffers are
 * back writing works again. */
static void tty_write_without_tx_buffer(void **state)
{
	(void)state;
	struct itest_run r = {0};
	run_without_tx_buffers(&r, TTY_FW, "ttyRPMSG0", TTY_APP, "/dev/ttyRPMSG0", out,
			       sizeof(out));
	expect("write refused after some were accepted: Cannot allocate memory\necho"
	       "ed after\n");
	itest_run_stop(&r, SIGINT);
}

/* `ampsim exec ... -- rpmsg_block_app /dev/rpmsg0 MODE COMMAND`, which must exit 0. */
static void block_app(const struct itest_run *r, const char *mode, const char *cmd)
{
	const char *argv[] = {AMPSIM_BIN, "exec",	 "--run-dir", r->dir, "--",
			      BLOCK_APP,  "/dev/rpmsg0", mode,	      cmd,    NULL};
	int rc = capture_app(argv, out, sizeof(out));
	if (rc != 0)
		fail_msg("rpmsg_block_app %s exited %d:\n%s", mode, rc, out);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A blocking write on /dev/rpmsgN without a TX buffer waits in write() as rpmsg_send() does:
 * given up after the bound (AMPSIM_TX_WAIT_MS here, 15 s by default) with -ERESTARTSYS and
 * never sent; returned with the message sent once the buffers are back; failed with EPIPE,
 * not blocked for ever, when the channel goes. */
static void blocking_write_waits_for_a_tx_buffer(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	static const char exhaust[] = "fault add buf:tx exhaust ms=60000 count=1";
	assert_non_null(strstr(itest_ctl(&r, exhaust), "added"));
	char cmd[1024];
	itest_fmt(cmd, sizeof(cmd), "env -u LD_PRELOAD %s ctl %s fault clear >/dev/null",
		  AMPSIM_BIN, r.dir);
	assert_int_equal(setenv("AMPSIM_TX_WAIT_MS", "300", 1), 0);
	double t0 = now_s();
	block_app(&r, "timeout", "true");
	double waited = now_s() - t0;
	unsetenv("AMPSIM_TX_WAIT_MS");
	expect("write: Unknown error 512 (errno 512)\ndone\n");
	if (waited < 0.3)
		fail_msg("the write gave up after %.3f s, before the 0.3 s bound", waited);
	/* The message given up on is not sent when the buffers come back (read_echo). */
	block_app(&r, "wait", cmd);
	expect("write returned within 200 ms: no\nwrite: 10 bytes\necho: waited-for\ndone\n");
	assert_non_null(strstr(itest_ctl(&r, exhaust), "added"));
	itest_fmt(cmd, sizeof(cmd), "env -u LD_PRELOAD %s ctl %s stop >/dev/null", AMPSIM_BIN,
		  r.dir);
	block_app(&r, "gone", cmd);
	expect("write returned within 200 ms: no\nwrite: Broken pipe (errno 32)\ndone\n");
	itest_run_stop(&r, SIGINT);
}

/* POLLOUT is fresh: once the firmware holds every TX buffer (it is stopped, so it takes
 * none back), the first poll after the write that took the last one already waits, as
 * rpmsg_poll() looks at the ring, so a program that writes on POLLOUT never gets EAGAIN. */
static void pollout_gone_with_the_last_buffer(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int pid = itest_fw_pid(&r);
	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	char cmd[256];
	itest_fmt(cmd, sizeof(cmd), "kill -CONT %d", pid);
	const char *argv[] = {AMPSIM_BIN, "exec",	 "--run-dir", r.dir, "--",
			      DRAIN_APP,  "/dev/rpmsg0", cmd,	      NULL};
	int rc = capture_app(argv, out, sizeof(out));
	kill(pid, SIGCONT); /* whatever happened */
	if (rc != 0)
		fail_msg("rpmsg_drain_app exited %d:\n%s", rc, out);
	expect("POLLOUT went away after a message; no EAGAIN\nPOLLOUT after the buffers came "
	       "back\nechoed all of them\ndone\n");
	itest_run_stop(&r, SIGINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(firmware_write_boots_another_image, itest_run_teardown),
	    cmocka_unit_test_teardown(coredump_modes_and_dump, itest_run_teardown),
	    cmocka_unit_test_teardown(pollout_means_a_tx_buffer, itest_run_teardown),
	    cmocka_unit_test_teardown(tty_write_without_tx_buffer, itest_run_teardown),
	    cmocka_unit_test_teardown(blocking_write_waits_for_a_tx_buffer, itest_run_teardown),
	    cmocka_unit_test_teardown(pollout_gone_with_the_last_buffer, itest_run_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
