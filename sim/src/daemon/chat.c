/*
 * `ampsim chat ENDPOINT [MESSAGE...]`: a tiny Linux-side client. For each message it
 * sends one frame (seqpacket socket) or the bytes (tty), waits for the answer and prints
 * both with the round-trip time. Without messages it reads lines from standard input.
 */
#define _GNU_SOURCE
#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define CHAT_BUF 4096

static int open_endpoint(const char *path, gboolean *is_tty, GError **err)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
			    "%s: %s; is 'ampsim run' running, and has the firmware announced "
			    "this channel? ('ampsim ctl RUNDIR endpoints' lists them)",
			    path, g_strerror(e));
		return -1;
	}
	*is_tty = S_ISCHR(st.st_mode);
	if (*is_tty) {
		int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			goto fail;
		struct termios t;
		if (tcgetattr(fd, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(fd, TCSANOW, &t);
		}
		return fd;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
fail:;
	int e = errno;
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open %s: %s", path,
		    g_strerror(e));
	return -1;
}

/* Read what answers one message: one frame, or for a tty as many bytes as were sent. */
static gssize read_answer(int fd, gboolean is_tty, char *buf, size_t want, int timeout_ms)
{
	size_t got = 0;
	do {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, timeout_ms) <= 0)
			return got ? (gssize)got : -1;
		ssize_t n = read(fd, buf + got, CHAT_BUF - got);
		if (n <= 0)
			return got ? (gssize)got : n;
		got += (size_t)n;
	} while (is_tty && got < want);
	return (gssize)got;
}

static gboolean chat_one(int fd, gboolean is_tty, const char *msg, int timeout_ms)
{
	size_t len = strlen(msg);
	char buf[CHAT_BUF];
	gint64 t0 = g_get_monotonic_time();
	ssize_t w = write(fd, msg, len);
	if (w < 0 || (size_t)w != len) {
		g_printerr("ampsim chat: sending \"%s\" (%zu bytes) failed: %s\n", msg, len,
			   w < 0 ? g_strerror(errno) : "short write");
		return FALSE;
	}
	gssize n = read_answer(fd, is_tty, buf, len, timeout_ms);
	gint64 us = g_get_monotonic_time() - t0;
	if (n < 0) {
		g_print("  -> \"%s\" (%zu bytes)   <- no answer within %d ms\n", msg, len,
			timeout_ms);
		return FALSE;
	}
	if (n == 0) {
		g_print("  -> \"%s\" (%zu bytes)   <- the channel hung up\n", msg, len);
		return FALSE;
	}
	g_print("  -> \"%s\" (%zu bytes)   <- \"%.*s\" (%zd bytes) after %" G_GINT64_FORMAT " us\n",
		msg, len, (int)n, buf, n, us);
	return TRUE;
}

int amp_cmd_chat(int argc, char **argv)
{
	int timeout_ms = 2000;
	GOptionEntry entries[] = {
	    {"timeout", 't', 0, G_OPTION_ARG_INT, &timeout_ms,
	     "How long to wait for each answer (default 2000)", "MS"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("ENDPOINT [MESSAGE...]");
	g_option_context_set_summary(
	    ctx, "Send messages to a channel's user-facing endpoint and print the answers.\n"
		 "ENDPOINT is RUNDIR/rpmsgN (one message per frame) or RUNDIR/ttyRPMSGN (a\n"
		 "byte stream). Without MESSAGE arguments, each line of standard input is "
		 "one message.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc < 2) {
		g_printerr("ampsim chat: %s\nTry 'ampsim chat --help'.\n",
			   err ? err->message : "missing ENDPOINT");
		return 2;
	}
	gboolean is_tty;
	int fd = open_endpoint(argv[1], &is_tty, &err);
	if (fd < 0) {
		g_printerr("ampsim chat: %s\n", err->message);
		return 1;
	}
	gboolean ok = TRUE;
	if (argc > 2) {
		for (int i = 2; i < argc && ok; i++)
			ok = chat_one(fd, is_tty, argv[i], timeout_ms);
	} else {
		char line[CHAT_BUF];
		while (ok && fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = '\0';
			if (*line)
				ok = chat_one(fd, is_tty, line, timeout_ms);
		}
	}
	close(fd);
	return ok ? 0 : 1;
}
