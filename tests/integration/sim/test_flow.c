/*
 * `ampsim run` message semantics, end to end, as /dev/rpmsgN and /dev/ttyRPMSGn give them:
 * a zero-length message is a message both ways, a fresh open starts empty, and a client that
 * reads slowly holds the firmware back instead of losing messages. Every wait is bounded.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"

#define MTU 496
#define FLOOD_MSG 100 /* fw_flood.c */

/* Send @msg on frame socket @fd; exactly @msg must come back, as a message. */
static void echo_frame(int fd, const void *msg, size_t len)
{
	char buf[MTU + 1];
	assert_int_equal(send(fd, msg, len, MSG_NOSIGNAL), (ssize_t)len);
	assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS), (ssize_t)len);
	assert_memory_equal(buf, msg, len);
}

/* An empty message goes to the firmware and an empty one comes back; the endpoint lives on. */
static void empty_both_ways(int fd)
{
	for (int i = 0; i < 3; i++) {
		echo_frame(fd, "", 0);
		echo_frame(fd, "after an empty message", 22);
	}
}

/* An endpoint of its own through rpmsg_ctrl0 (as RPMSG_CREATE_EPT_IOCTL), to @p dst. */
static int ctrl_endpoint(const struct itest_run *r, const char *name, uint32_t dst)
{
	int fd = itest_connect_frames(itest_run_path(r, "rpmsg_ctrl0"));
	struct itest_ept_info info = {.src = 0xFFFFFFFFu, .dst = dst};
	struct itest_ctrl_reply rep;
	snprintf(info.name, sizeof(info.name), "%s", name);
	assert_int_equal(send(fd, &info, sizeof(info), 0), (ssize_t)sizeof(info));
	assert_int_equal(itest_recv_frame(fd, &rep, sizeof(rep), ITEST_REPLY_MS),
			 (ssize_t)sizeof(rep));
	assert_int_equal(rep.status, 0);
	return fd;
}

static void zero_length_is_a_message_on_a_frame_socket(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	empty_both_ways(fd);
	close(fd);
	/* ampsim chat tells an empty answer from a hang-up too. */
	char out[1024];
	const char *argv[] = {AMPSIM_BIN, "chat", itest_run_path(&r, "rpmsg0"), "", NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "<- \"\" (0 bytes)"));
	itest_run_stop(&r, SIGINT);
}

static void zero_length_is_a_message_on_a_ctrl_endpoint(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	assert_true(itest_run_wait(&r, "rpmsg_ctrl0", ITEST_BOOT_MS));
	int fd = ctrl_endpoint(&r, "empty", itest_fw_addr(&r, "rpmsg-openamp-demo-channel"));
	empty_both_ways(fd);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* Wait until the channel's line in `ctl endpoints` contains @what. */
static void wait_endpoints(const struct itest_run *r, const char *chan, const char *what)
{
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS;; itest_msleep(10)) {
		const char *line = strstr(itest_ctl(r, "endpoints"), chan);
		const char *eol = line ? strchr(line, '\n') : NULL;
		const char *hit = line ? strstr(line, what) : NULL;
		if (hit && (!eol || hit < eol))
			return;
		if (itest_now_ms() > end) {
			static char eps[4096]; /* itest_ctl()'s buffer is reused by the next */
			snprintf(eps, sizeof(eps), "%s", itest_ctl(r, "endpoints"));
			fail_msg("'%s' never showed \"%s\":\n%s\n%s", chan, what, eps,
				 itest_ctl(r, "stats"));
		}
	}
}

/* Replies for a client that left are not handed to the next one (rpmsg_char drops them). */
/* Bursts (the daemon takes several datagrams per read, and holds the rest of a batch when
 * the firmware's TX buffers run out) come back whole and in order; a client that hangs up
 * right after a burst still has every message of it delivered to the firmware. */
static void bursts_keep_order_and_survive_a_hang_up(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	unsigned sent = 0, got = 0;
	for (int burst = 0; burst < 30; burst++) {
		char msg[MTU];
		/* As many as the socket takes (its queue holds max_dgram_qlen datagrams). */
		for (;;) {
			int len = snprintf(msg, sizeof(msg), "message %u", sent);
			memset(msg + len, 'x', (size_t)(sent % 400));
			if (send(fd, msg, (size_t)len + sent % 400, MSG_DONTWAIT | MSG_NOSIGNAL) <
			    0)
				break;
			sent++;
		}
		while (got < sent) {
			char buf[MTU + 1], want[32];
			ssize_t n = itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS);
			int wl = snprintf(want, sizeof(want), "message %u", got);
			assert_int_equal(n, wl + (int)(got % 400));
			assert_memory_equal(buf, want, (size_t)wl);
			got++;
		}
	}
	assert_true(sent >= 30);
	char out[64];
	for (int i = 0; i < 8; i++)
		assert_int_equal(send(fd, "last", 4, MSG_NOSIGNAL), 4);
	/* Hang up for writing only: what it wrote still goes to the firmware (a close() with
	 * echoes unread is a_close_with_answers_unread_loses_nothing_it_wrote). */
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	snprintf(out, sizeof(out), "out %u msgs", sent + 8);
	wait_endpoints(&r, "rpmsg-openamp-demo-channel", out);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* Descriptors in the epoll sets of process @p pid (/proc/PID/fdinfo lists one "tfd:" line per
 * member): the daemon's rpmsg_ctrl0 clients, which its GLib loop polls as one fd. */
static int epoll_members(int pid)
{
	char dir[64], path[128], target[64], line[256];
	int n = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		snprintf(path, sizeof(path), "%s/%.32s", dir, e->d_name);
		ssize_t l = readlink(path, target, sizeof(target) - 1);
		if (l < 0 || (target[l] = '\0', strcmp(target, "anon_inode:[eventpoll]") != 0))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.32s", pid, e->d_name);
		FILE *f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			n += strncmp(line, "tfd:", 4) == 0;
		if (f)
			fclose(f);
	}
	closedir(d);
	return n;
}

/* Many endpoints bursting at once share the TX buffers (resumed in turn, the daemon stops at
 * the first one the buffers run out for): every one gets all its echoes, in order. */
static void many_ctrl_endpoints_share_the_tx_buffers(void **state)
{
	(void)state;
	enum { NCLIENT = 24, ROUNDS = 8 };
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	assert_true(itest_run_wait(&r, "rpmsg_ctrl0", ITEST_BOOT_MS));
	uint32_t dst = itest_fw_addr(&r, "rpmsg-openamp-demo-channel");
	int fd[NCLIENT];
	unsigned sent[NCLIENT] = {0}, got[NCLIENT] = {0};
	int listeners = epoll_members(r.pid); /* the daemon's listening sockets */
	for (int i = 0; i < NCLIENT; i++) {
		char name[32];
		snprintf(name, sizeof(name), "share%d", i);
		fd[i] = ctrl_endpoint(&r, name, dst);
	}
	/* One epoll set holds the clients, with the listeners of rpmsg_ctrl0, of the control
	 * socket and of the channel's rpmsg0 (the loop polls one fd for them all, issue 17). */
	assert_true(listeners >= 1);
	assert_int_equal(epoll_members(r.pid), listeners + NCLIENT);
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < NCLIENT; i++) /* every socket full before anyone reads */
			for (char m[64];; sent[i]++) {
				int len = snprintf(m, sizeof(m), "%d:%u", i, sent[i]);
				if (send(fd[i], m, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
					break;
			}
		for (int i = 0; i < NCLIENT; i++)
			for (; got[i] < sent[i]; got[i]++) {
				char buf[MTU + 1], want[64];
				ssize_t n =
				    itest_recv_frame(fd[i], buf, sizeof(buf), ITEST_REPLY_MS);
				int wl = snprintf(want, sizeof(want), "%d:%u", i, got[i]);
				if (n < 0)
					fail_msg("client %d: no echo of message %u of %u:\n%s", i,
						 got[i], sent[i], itest_ctl(&r, "stats"));
				assert_int_equal(n, wl);
				assert_memory_equal(buf, want, (size_t)wl);
			}
	}
	/* Paused and resumed many times over (a full socket each): still one member each. */
	assert_int_equal(epoll_members(r.pid), listeners + NCLIENT);
	for (int i = 0; i < NCLIENT; i++) {
		assert_true(sent[i] >= ROUNDS);
		close(fd[i]);
	}
	itest_run_stop(&r, SIGINT);
}

static void a_fresh_open_starts_empty(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int a = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	for (int i = 0; i < 20; i++) {
		char msg[16];
		int n = snprintf(msg, sizeof(msg), "stale %d", i);
		assert_int_equal(send(a, msg, (size_t)n, 0), n);
	}
	close(a); /* without reading a reply */
	wait_endpoints(&r, "rpmsg-openamp-demo-channel", "in 20 out 20 msgs");
	int b = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	echo_frame(b, "fresh", 5); /* the first message b gets is its own answer */
	char buf[MTU];
	assert_int_equal(itest_recv_frame(b, buf, sizeof(buf), 300), -1); /* and nothing else */
	close(b);
	itest_run_stop(&r, SIGINT);
}

/*
 * A client that closes with answers unread makes the kernel report ECONNRESET to the daemon
 * once, before the messages the client wrote: those still go to the firmware, as each write()
 * to /dev/rpmsgN sent its message. Made certain by stopping the daemon: an answer waits unread
 * in the client, more messages wait in the daemon's socket, then the close.
 */
static void a_close_with_answers_unread_loses_nothing_it_wrote(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int a = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	assert_int_equal(send(a, "first", 5, 0), 5);
	struct pollfd p = {.fd = a, .events = POLLIN};
	assert_int_equal(poll(&p, 1, ITEST_REPLY_MS), 1); /* its answer, left unread */
	assert_int_equal(kill(r.pid, SIGSTOP), 0);
	unsigned sent = 1;
	while (sent < 8 && send(a, "later", 5, MSG_DONTWAIT) == 5)
		sent++;
	close(a);
	assert_int_equal(kill(r.pid, SIGCONT), 0);
	char want[64];
	snprintf(want, sizeof(want), "in %u out %u msgs", sent, sent);
	wait_endpoints(&r, "rpmsg-openamp-demo-channel", want);
	itest_run_stop(&r, SIGINT);
}

static long counter_after(const char *text, const char *name)
{
	const char *p = strstr(text, name);
	return p ? strtol(p + strlen(name), NULL, 10) : 0;
}

/*
 * A client that does not read: once its queue is full the daemon leaves the firmware's
 * messages in their RX buffers ("deliveries deferred" in `ctl stats`) instead of dropping
 * them ("dropped" in `ctl endpoints`), so the firmware runs out of buffers and waits.
 */
static void wait_for_backpressure(const struct itest_run *r, const char *chan)
{
	for (int64_t end = itest_now_ms() + ITEST_BOOT_MS;; itest_msleep(20)) {
		const char *eps = strstr(itest_ctl(r, "endpoints"), chan);
		assert_non_null(eps);
		if (counter_after(eps, "dropped ") > 0)
			fail_msg("messages for a slow reader were dropped:\n%s", eps);
		if (counter_after(itest_ctl(r, "stats"), "deliveries deferred ") > 0)
			return;
		if (itest_now_ms() > end)
			fail_msg("the daemon never held the firmware back:\n%s",
				 itest_ctl(r, "stats"));
	}
}

/* Flood message @i as fw_flood.c builds it. */
static void flood_msg(unsigned i, char out[FLOOD_MSG])
{
	char num[12]; /* any unsigned in %06u */
	snprintf(num, sizeof(num), "%06u", i);
	memcpy(out, num, 6);
	for (unsigned k = 6; k < FLOOD_MSG - 1; k++)
		out[k] = (char)('a' + (i + k) % 26u);
	out[FLOOD_MSG - 1] = '\n';
}

/* "done sent=N nobuf=B fail=F": all N sent, none failed, and the firmware had to wait. */
static void check_summary(const char *s, size_t len, unsigned n)
{
	char text[128];
	assert_true(len < sizeof(text));
	memcpy(text, s, len);
	text[len] = '\0';
	unsigned sent, nobuf, fails;
	assert_int_equal(sscanf(text, "done sent=%u nobuf=%u fail=%u", &sent, &nobuf, &fails), 3);
	assert_int_equal(sent, n);
	assert_int_equal(fails, 0);
	assert_true(nobuf > 0);
	printf("firmware sent %u messages, %u of them waited for a buffer\n", sent, nobuf);
}

/*
 * Enough messages to fill what holds them before the firmware must wait: the daemon's
 * socket send buffer (net.core.wmem_default, at least ~100 bytes of it per message), its
 * 256-message queue and the RX buffers, with plenty to spare.
 */
static unsigned flood_count(void)
{
	char text[32] = "";
	FILE *f = fopen("/proc/sys/net/core/wmem_default", "r");
	if (f) {
		if (!fgets(text, sizeof(text), f))
			text[0] = '\0';
		fclose(f);
	}
	unsigned long wmem = strtoul(text, NULL, 10);
	return 1000u + (unsigned)((wmem ? wmem : 212992u) / FLOOD_MSG);
}

/*
 * A client leaves with its queue full and the firmware held back: the queue is discarded
 * (rpmsg_char's release), the held-back rest is dropped while nobody is connected, and the
 * next client gets only what comes after it connected.
 */
static void a_fresh_open_after_a_full_queue_starts_empty(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, FLOOD_FW, NULL, "rpmsg0");
	int a = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	const unsigned count = flood_count();
	char cmd[32];
	int n = snprintf(cmd, sizeof(cmd), "flood %u", count);
	assert_int_equal(send(a, cmd, (size_t)n, 0), n);
	wait_for_backpressure(&r, "ampsim-flood");
	close(a); /* without reading */
	char in[32];
	snprintf(in, sizeof(in), "in %u out 1 msgs", count + 1); /* the flood and its summary */
	wait_endpoints(&r, "ampsim-flood", in);
	int b = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	echo_frame(b, "", 0); /* the first message b gets is its own answer */
	char buf[MTU];
	assert_int_equal(itest_recv_frame(b, buf, sizeof(buf), 300), -1); /* and nothing else */
	close(b);
	itest_run_stop(&r, SIGINT);
}

static void a_slow_frame_reader_holds_the_firmware_back(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, FLOOD_FW, NULL, "rpmsg0");
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	const unsigned count = flood_count();
	char cmd[32];
	int n = snprintf(cmd, sizeof(cmd), "flood %u", count);
	assert_int_equal(send(fd, cmd, (size_t)n, 0), n);
	wait_for_backpressure(&r, "ampsim-flood");
	char buf[MTU], want[FLOOD_MSG];
	for (unsigned i = 0; i < count; i++) {
		ssize_t got = itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS);
		flood_msg(i, want);
		if (got != FLOOD_MSG || memcmp(buf, want, FLOOD_MSG) != 0)
			fail_msg("message %u: got %zd bytes \"%.6s\"", i, got, got > 0 ? buf : "");
	}
	ssize_t got = itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS);
	assert_true(got > 0);
	check_summary(buf, (size_t)got, count);
	assert_int_equal(
	    counter_after(strstr(itest_ctl(&r, "endpoints"), "ampsim-flood"), "dropped "), 0);
	echo_frame(fd, "", 0); /* the link is fine afterwards */
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* Read exactly @len bytes of the tty stream. */
static void tty_read_exact(const struct itest_run *r, int fd, char *buf, size_t len)
{
	for (size_t got = 0; got < len;) {
		ssize_t n = itest_read_within(fd, buf + got, len - got, ITEST_REPLY_MS);
		if (n <= 0) {
			static char eps[4096]; /* itest_ctl()'s buffer is reused by the next */
			snprintf(eps, sizeof(eps), "%s", itest_ctl(r, "endpoints"));
			fail_msg("tty: %zu of %zu bytes, then %s\n%s\n%s", got, len,
				 n ? "nothing" : "hangup", eps, itest_ctl(r, "stats"));
		}
		got += (size_t)n;
	}
}

static void a_slow_tty_reader_holds_the_firmware_back(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, FLOOD_FW, NULL, "ttyRPMSG0");
	int fd = itest_run_open_tty(&r, "ttyRPMSG0");
	/* More than the pty and the daemon's queue hold: 300 kB. */
	enum { N = 3000 };
	char cmd[32];
	int n = snprintf(cmd, sizeof(cmd), "flood %d\n", N);
	assert_int_equal(write(fd, cmd, (size_t)n), n);
	wait_for_backpressure(&r, "rpmsg-tty");
	char buf[FLOOD_MSG], want[FLOOD_MSG];
	for (unsigned i = 0; i < N; i++) {
		tty_read_exact(&r, fd, buf, FLOOD_MSG);
		flood_msg(i, want);
		if (memcmp(buf, want, FLOOD_MSG) != 0)
			fail_msg("line %u: got \"%.6s\"", i, buf);
	}
	/* The summary line. */
	size_t got = 0;
	while (got < sizeof(buf) - 1) {
		tty_read_exact(&r, fd, buf + got, 1);
		if (buf[got++] == '\n')
			break;
	}
	check_summary(buf, got, N);
	assert_int_equal(counter_after(strstr(itest_ctl(&r, "endpoints"), "rpmsg-tty"), "dropped "),
			 0);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(zero_length_is_a_message_on_a_frame_socket,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(zero_length_is_a_message_on_a_ctrl_endpoint,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(bursts_keep_order_and_survive_a_hang_up, itest_run_teardown),
	    cmocka_unit_test_teardown(many_ctrl_endpoints_share_the_tx_buffers, itest_run_teardown),
	    cmocka_unit_test_teardown(a_fresh_open_starts_empty, itest_run_teardown),
	    cmocka_unit_test_teardown(a_close_with_answers_unread_loses_nothing_it_wrote,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(a_fresh_open_after_a_full_queue_starts_empty,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(a_slow_frame_reader_holds_the_firmware_back,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(a_slow_tty_reader_holds_the_firmware_back,
				      itest_run_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
