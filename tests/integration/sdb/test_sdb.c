/*
 * rpmsg-sdb end to end with real processes: `ampsim run` with the sdb sample (or a
 * misbehaving firmware), and this test as the Linux-side client through <ampsim/sdb.h>.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <amp/fw_crc32.h>
#include <ampsim/sdb.h>

#include "itest.h"

static struct itest_run run;
static char sock[256]; /* RUNDIR/rpmsg-sdb */

/* Start `ampsim run` with @fw and wait for its rpmsg-sdb service. */
static void start(const char *fw)
{
	run = (struct itest_run){0};
	itest_run_start(&run, fw, NULL);
	itest_fmt(sock, sizeof(sock), "%s", itest_run_path(&run, "rpmsg-sdb"));
	assert_true(itest_wait_path(sock, true, ITEST_BOOT_MS));
}

/* The counter "name N" in `ampsim ctl stats`. */
static long stat_of(const char *name)
{
	return itest_stat(&run, name);
}

static bool crc_ok(const uint8_t *p, uint64_t len)
{
	uint32_t want = p[len - 4] | (uint32_t)p[len - 3] << 8 | (uint32_t)p[len - 2] << 16 |
			(uint32_t)p[len - 1] << 24;
	return amp_fw_crc32(p, (size_t)(len - 4)) == want;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void full_cycle_several_buffers_and_rounds(void **state)
{
	(void)state;
	start(SDB_FW);
	struct amp_sdb *s;
	assert_int_equal(amp_sdb_open(sock, &s), 0);
	struct amp_sdb_buf b[3];
	const size_t sizes[3] = {4096, 100000, 1u << 20};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(amp_sdb_alloc(s, sizes[i], AMP_SDB_TO_LINUX, -1, &b[i]), 0);
		assert_true(b[i].size >= sizes[i] && b[i].size % 4096 == 0);
		assert_true(b[i].da >= 0xC0000000u);
	}
	for (int round = 0; round < 5; round++)
		for (int i = 0; i < 3; i++) {
			uint64_t n;
			assert_int_equal(amp_sdb_wait(s, &b[i], ITEST_REPLY_MS), 0);
			assert_int_equal(amp_sdb_get_data_size(s, b[i].idx, &n, NULL), 0);
			assert_int_equal(n, b[i].size);
			assert_true(crc_ok(b[i].data, n)); /* written in place by the firmware */
			/* The size is reset once read, as RPMSG_SDB_IOCTL_GET_DATA_SIZE does. */
			assert_int_equal(amp_sdb_get_data_size(s, b[i].idx, &n, NULL), AMP_EAGAIN);
			/* A second give-back is refused unless the refill was already
			 * back: each_malformed_firmware_message_is_counted checks it with a
			 * firmware that never refills. */
			assert_int_equal(amp_sdb_give_back(s, b[i].idx), 0);
		}
	assert_true(stat_of("fills ") >= 15); /* and up to 3 refills in flight */
	amp_sdb_close(s);
	itest_run_stop(&run, SIGINT);
}

static void to_firmware_direction(void **state)
{
	(void)state;
	start(SDB_FW);
	struct amp_sdb *s;
	assert_int_equal(amp_sdb_open(sock, &s), 0);
	struct amp_sdb_buf b;
	assert_int_equal(amp_sdb_alloc(s, 20u << 20, AMP_SDB_TO_FIRMWARE, -1, &b), 0);
	for (int round = 0; round < 3; round++) {
		uint8_t *p = b.data;
		size_t len = b.size - (size_t)round * 4096; /* >= 16 MiB works */
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)(i * 13 + (size_t)round);
		assert_int_equal(amp_sdb_submit(s, b.idx, len), 0);
		assert_int_equal(amp_sdb_submit(s, b.idx, len),
				 AMP_EBUSY); /* the firmware has it */
		assert_int_equal(amp_sdb_wait(s, &b, ITEST_REPLY_MS), 0);
		uint64_t n;
		uint32_t crc;
		assert_int_equal(amp_sdb_get_data_size(s, b.idx, &n, &crc), 0);
		assert_int_equal(n, len);
		assert_int_equal(crc, amp_fw_crc32(p, len)); /* what the firmware read in place */
	}
	assert_int_equal(amp_sdb_submit(s, b.idx, b.size + 1), AMP_EMSGSIZE);
	assert_int_equal(amp_sdb_give_back(s, b.idx), AMP_EINVAL); /* wrong direction */
	amp_sdb_close(s);
	itest_run_stop(&run, SIGINT);
}

static void each_malformed_firmware_message_is_counted(void **state)
{
	(void)state;
	start(BAD_FW);
	struct amp_sdb *s;
	assert_int_equal(amp_sdb_open(sock, &s), 0);
	struct amp_sdb_buf b;
	assert_int_equal(amp_sdb_alloc(s, 8192, AMP_SDB_TO_LINUX, -1, &b), 0);
	assert_int_equal(amp_sdb_wait(s, &b, ITEST_REPLY_MS), 0); /* its one good fill: 16 bytes */
	static const struct {
		const char *cmd, *counter;
	} cases[] = {
	    {"E1", "format "},	       {"E2", "index "},     {"E3", "size "},
	    {"E4", "not given back "}, {"E5", "direction "}, {"E6", "format "},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long before = stat_of(cases[i].counter);
		assert_int_equal(amp_sdb_control(s, cases[i].cmd, 2), 0);
		for (int64_t end = itest_now_ms() + ITEST_REPLY_MS;
		     stat_of(cases[i].counter) == before && itest_now_ms() < end;)
			itest_msleep(10);
		assert_int_equal(stat_of(cases[i].counter), before + 1);
	}
	/* None of them reached the client: its buffer still holds the one good fill. */
	uint64_t n;
	assert_int_equal(amp_sdb_wait(s, &b, 100), AMP_ETIMEDOUT);
	assert_int_equal(amp_sdb_get_data_size(s, b.idx, &n, NULL), 0);
	assert_int_equal(n, 16);
	/* Forging the buffer protocol through the control pass-through is refused. */
	assert_int_equal(amp_sdb_control(s, "B0L00000010", 11), AMP_EINVAL);
	/* Given back once; this firmware never refills, so it cannot be given back again. */
	assert_int_equal(amp_sdb_give_back(s, b.idx), 0);
	assert_int_equal(amp_sdb_give_back(s, b.idx), AMP_EBUSY);
	amp_sdb_close(s);
	itest_run_stop(&run, SIGINT);
}

static void a_dead_client_has_its_buffers_reclaimed(void **state)
{
	(void)state;
	start(SDB_FW);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct amp_sdb *s;
		struct amp_sdb_buf b;
		if (amp_sdb_open(sock, &s) != 0)
			_exit(1);
		for (int i = 0; i < 16; i++)
			if (amp_sdb_alloc(s, 65536, AMP_SDB_TO_LINUX, -1, &b) != 0)
				_exit(2);
		itest_msleep(200); /* let the fills arrive, then die holding them */
		kill(getpid(), SIGKILL);
	}
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS;
	     stat_of("reclaimed ") == 0 && itest_now_ms() < end;)
		itest_msleep(10);
	assert_int_equal(stat_of("reclaimed "), 1);
	/* Every index and the DDR are free again for the next client. */
	struct amp_sdb *s;
	struct amp_sdb_buf b[16];
	assert_int_equal(amp_sdb_open(sock, &s), 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(amp_sdb_alloc(s, 65536, AMP_SDB_TO_LINUX, -1, &b[i]), 0);
	assert_int_equal(amp_sdb_wait(s, &b[15], ITEST_REPLY_MS), 0);
	assert_true(crc_ok(b[15].data, b[15].size));
	amp_sdb_close(s);
	itest_run_stop(&run, SIGINT);
}

/* What the service refuses is answered with an AMP_E* code, never a raw errno. */
static void refusals_carry_their_code(void **state)
{
	(void)state;
	struct amp_sdb *s;
	char nowhere[256];
	itest_fmt(nowhere, sizeof(nowhere), "%s/rpmsg-sdb", itest_scratch_path("none"));
	assert_int_equal(amp_sdb_open(nowhere, &s), AMP_ENOENT);
	start(SDB_FW);
	assert_int_equal(amp_sdb_open(sock, &s), 0);
	struct amp_sdb_buf b;
	int p[2];
	assert_int_equal(pipe(p), 0);
	/* Checked by the service: the fd it is given must be an eventfd. */
	assert_int_equal(amp_sdb_alloc(s, 4096, AMP_SDB_TO_LINUX, p[0], &b), AMP_EINVAL);
	close(p[0]);
	close(p[1]);
	assert_int_equal(amp_sdb_alloc(s, 0, AMP_SDB_TO_LINUX, -1, &b), AMP_EINVAL);
	assert_int_equal(amp_sdb_alloc(s, (size_t)1 << 40, AMP_SDB_TO_LINUX, -1, &b), AMP_ENOMEM);
	assert_int_equal(amp_sdb_control(s, "", 0), AMP_EINVAL);
	assert_true(stat_of("bad client requests ") >= 2);
	/* And the connection still works. */
	assert_int_equal(amp_sdb_alloc(s, 4096, AMP_SDB_TO_LINUX, -1, &b), 0);
	assert_int_equal(amp_sdb_wait(s, &b, ITEST_REPLY_MS), 0);
	amp_sdb_close(s);
	itest_run_stop(&run, SIGINT);
}

static bool daemon_alive(void)
{
	return waitpid(run.pid, NULL, WNOHANG) == 0;
}

/* A client leaves while the firmware holds its buffer (kept "stale" for a late answer),
 * then the channel goes: the stale buffer's timer must go with the service. */
static void a_stale_buffer_does_not_outlive_its_service(void **state)
{
	(void)state;
	start(BAD_FW); /* fills once, never refills after a give-back */
	struct amp_sdb *s;
	struct amp_sdb_buf b;
	assert_int_equal(amp_sdb_open(sock, &s), 0);
	assert_int_equal(amp_sdb_alloc(s, 8192, AMP_SDB_TO_LINUX, -1, &b), 0);
	assert_int_equal(amp_sdb_wait(s, &b, ITEST_REPLY_MS), 0);
	assert_int_equal(amp_sdb_give_back(s, b.idx), 0); /* the firmware keeps it */
	amp_sdb_close(s);
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS;
	     stat_of("reclaimed ") == 0 && itest_now_ms() < end;)
		itest_msleep(10);
	assert_int_equal(stat_of("reclaimed "), 1);
	assert_int_equal(kill(itest_fw_pid(&run), SIGKILL), 0); /* the service is freed */
	itest_msleep(2500);					/* past the stale timer */
	assert_true(daemon_alive());
	assert_true(itest_wait_path(sock, true, ITEST_BOOT_MS));
	for (int64_t end = itest_now_ms() + ITEST_BOOT_MS;
	     amp_sdb_open(sock, &s) != 0 && itest_now_ms() < end;)
		itest_msleep(50);
	assert_int_equal(amp_sdb_alloc(s, 8192, AMP_SDB_TO_LINUX, -1, &b), 0);
	assert_int_equal(amp_sdb_wait(s, &b, ITEST_REPLY_MS), 0);
	amp_sdb_close(s);
	assert_true(daemon_alive());
	itest_run_stop(&run, SIGINT);
}

static void firmware_crash_wakes_clients_and_recovery_serves_again(void **state)
{
	(void)state;
	start(SDB_FW);
	struct amp_sdb *s;
	struct amp_sdb_buf b;
	assert_int_equal(amp_sdb_open(sock, &s), 0);
	assert_int_equal(amp_sdb_alloc(s, 65536, AMP_SDB_TO_LINUX, -1, &b), 0);
	assert_int_equal(amp_sdb_wait(s, &b, ITEST_REPLY_MS), 0);
	assert_int_equal(amp_sdb_give_back(s, b.idx), 0);
	assert_int_equal(amp_sdb_wait(s, &b, ITEST_REPLY_MS), 0); /* refilled */
	assert_int_equal(kill(itest_fw_pid(&run), SIGKILL), 0);
	/* The waiter wakes (its eventfd or the hangup, whichever it sees first); every later
	 * call says the service is gone. */
	int rc = amp_sdb_wait(s, &b, ITEST_REPLY_MS);
	assert_true(rc == 0 || rc == AMP_ENOTCONN);
	uint64_t n;
	assert_int_equal(amp_sdb_get_data_size(s, b.idx, &n, NULL), AMP_ENOTCONN);
	assert_int_equal(amp_sdb_give_back(s, b.idx), AMP_ENOTCONN);
	struct amp_sdb_buf more;
	assert_int_equal(amp_sdb_alloc(s, 4096, AMP_SDB_TO_LINUX, -1, &more), AMP_ENOTCONN);
	amp_sdb_close(s);
	/* Recovery reboots the firmware, the channel and the socket come back. */
	(void)itest_wait_path(sock, false, 5000); /* it may be back already */
	assert_true(itest_wait_path(sock, true, ITEST_BOOT_MS));
	for (int64_t end = itest_now_ms() + ITEST_BOOT_MS;
	     amp_sdb_open(sock, &s) != 0 && itest_now_ms() < end;)
		itest_msleep(50);
	assert_int_equal(amp_sdb_alloc(s, 65536, AMP_SDB_TO_LINUX, -1, &b), 0);
	assert_int_equal(amp_sdb_wait(s, &b, ITEST_REPLY_MS), 0);
	assert_int_equal(amp_sdb_get_data_size(s, b.idx, &n, NULL), 0);
	assert_true(crc_ok(b.data, n));
	amp_sdb_close(s);
	itest_run_stop(&run, SIGINT);
}

/* Does this process hold an fd to the SoC's shared object (or any /dev/shm file)? */
static bool holds_soc_object(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	bool found = false;
	while (d && (e = readdir(d))) {
		char link[300], target[256];
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found |= strncmp(target, "/dev/shm/", 9) == 0;
		}
	}
	closedir(d);
	return found;
}

static void a_client_reaches_only_its_own_buffers(void **state)
{
	(void)state;
	start(SDB_FW);
	struct amp_sdb *a, *other;
	struct amp_sdb_buf ba, bo;
	assert_int_equal(amp_sdb_open(sock, &a), 0);
	assert_int_equal(amp_sdb_open(sock, &other), 0);
	assert_int_equal(amp_sdb_alloc(a, 8192, AMP_SDB_TO_LINUX, -1, &ba), 0);
	assert_int_equal(amp_sdb_alloc(other, 8192, AMP_SDB_TO_LINUX, -1, &bo), 0);
	assert_int_equal(amp_sdb_wait(other, &bo, ITEST_REPLY_MS), 0);
	/* Another client's buffer index: refused. */
	uint64_t n;
	assert_int_equal(amp_sdb_get_data_size(a, bo.idx, &n, NULL), AMP_EACCES);
	assert_int_equal(amp_sdb_give_back(a, bo.idx), AMP_EACCES);
	assert_int_equal(amp_sdb_get_data_size(a, 999, &n, NULL), AMP_EACCES);
	/* No fd of the SoC object (vrings, table, IPCC registers) ever reached us. */
	assert_false(holds_soc_object());
	/* Our buffer's memory is exactly our buffer: sealed against resizing, and the page
	 * after its end is not there. */
	struct stat st;
	assert_int_equal(fstat(ba.memfd, &st), 0);
	assert_int_equal(st.st_size, (off_t)ba.size);
	assert_int_equal(ftruncate(ba.memfd, (off_t)ba.size * 64), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(ba.memfd, 0), -1);
	pid_t child = fork();
	if (child == 0) {
		signal(SIGBUS, SIG_DFL); /* not cmocka's handler: die of it */
		uint8_t *p = mmap(NULL, ba.size + 4096, PROT_READ, MAP_SHARED, ba.memfd, 0);
		volatile uint8_t x = p[ba.size]; /* past the buffer: SIGBUS */
		(void)x;
		_exit(0);
	}
	int status;
	waitpid(child, &status, 0);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
	amp_sdb_close(a);
	amp_sdb_close(other);
	itest_run_stop(&run, SIGINT);
}

/* `ampsim sdb` run as a command, in both directions. */
static void ampsim_sdb(const char *const *argv, const char *want)
{
	static char out[4096];
	int rc = itest_capture(argv, out, sizeof(out));
	if (rc != 0 || !strstr(out, want))
		fail_msg("ampsim sdb exited %d, expected \"%s\" in:\n%s", rc, want, out);
}

/* The host checks the firmware's CRC-32 with zlib's: every buffer must match, both ways. */
static void ampsim_sdb_checks_every_crc_both_ways(void **state)
{
	(void)state;
	start(SDB_FW);
	const char *to_linux[] = {AMPSIM_BIN, "sdb", "-n", "3", "-s", "64K",
				  "-r",	      "30",  "-p", "s", sock, NULL};
	ampsim_sdb(to_linux, "CRC-32 at the end of each buffer: 30 ok, 0 bad");
	const char *to_fw[] = {AMPSIM_BIN, "sdb", "--to-firmware", "-n", "2", "-s", "1M", "-r", "6",
			       sock,	   NULL};
	ampsim_sdb(to_fw, "CRC-32 the firmware computed over what it read: 6 ok, 0 bad");
	itest_run_stop(&run, SIGINT);
}

/*
 * A firmware that scribbles over the DDR plug table in the shared header (every slot's tag,
 * da, size and fd, and the acknowledgement) after each buffer it is told of: the host
 * decides on its own copy, so every allocation still succeeds (issue 12: 542 of 543 failed
 * with ENOSPC) and nothing it returns comes from the scribbled values. Three rounds of 16
 * buffers need more plugs than the table's 32 slots, so freed slots are reused too.
 */
static void scribbled_plug_table_does_not_fail_allocations(void **state)
{
	(void)state;
	start(BAD_FW);
	for (int round = 0; round < 3; round++) {
		struct amp_sdb *s;
		assert_int_equal(amp_sdb_open(sock, &s), 0);
		assert_int_equal(amp_sdb_control(s, "S", 1), 0);
		for (int i = 0; i < (int)AMP_SDB_MAX_BUFFERS; i++) {
			struct amp_sdb_buf b;
			int rc = amp_sdb_alloc(s, 4096, AMP_SDB_TO_LINUX, -1, &b);
			if (rc != 0)
				fail_msg("round %d, buffer %d: alloc failed with %d", round, i, rc);
			assert_int_equal(b.size, 4096);
			assert_true(b.da >= 0xC0000000u && b.da < 0xC8000000u); /* not 0xDEAD.... */
			/* The fill comes after the firmware scribbled: the next alloc sees it. */
			assert_int_equal(amp_sdb_wait(s, &b, ITEST_REPLY_MS), 0);
		}
		amp_sdb_close(s);
	}
	itest_run_stop(&run, SIGINT);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(full_cycle_several_buffers_and_rounds, itest_run_teardown),
	    cmocka_unit_test_teardown(to_firmware_direction, itest_run_teardown),
	    cmocka_unit_test_teardown(each_malformed_firmware_message_is_counted,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(a_dead_client_has_its_buffers_reclaimed, itest_run_teardown),
	    cmocka_unit_test_teardown(firmware_crash_wakes_clients_and_recovery_serves_again,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(a_client_reaches_only_its_own_buffers, itest_run_teardown),
	    cmocka_unit_test_teardown(refusals_carry_their_code, itest_run_teardown),
	    cmocka_unit_test_teardown(a_stale_buffer_does_not_outlive_its_service,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(ampsim_sdb_checks_every_crc_both_ways, itest_run_teardown),
	    cmocka_unit_test_teardown(scribbled_plug_table_does_not_fail_allocations,
				      itest_run_teardown),
	};
	return cmocka_run_group_tests_name("rpmsg-sdb", tests, NULL, NULL);
}
