/*
 * `ampsim chat ENDPOINT [MESSAGE...]`: a tiny Linux-side client. For each message it
 * sends one frame (seqpacket socket) or the bytes (tty), waits for the answer and prints
 * both with the round-trip time. Without messages it reads lines from standard input.
 * With --ctrl it first creates its own endpoint through RUNDIR/rpmsg_ctrl0.
 */
#define _GNU_SOURCE
#include "commands.h"
#include "ctl.h"
#include "frontend.h"
#include "rpmsg_ctrl.h"
#include "rundir.h"
#include "text.h"

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

#include <ampsim/error.h>

#define CHAT_BUF 4096

static int open_endpoint(const char *path, gboolean *is_tty, GError **err)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		int e = errno;
		amp_set_error(err, amp_from_errno(e),
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
	/* SO_PASSCRED: an empty answer is then told from the hang-up (docs/cli.md). */
	if (fd >= 0 && amp_frontend_passcred(fd) &&
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
fail:
	amp_set_error_errno(err, errno, "cannot open %s", path);
	return -1;
}

struct ctrl_req {
	gboolean on;
	char *name;
	char *src;
	char *dst;
};

static gboolean parse_addr(const char *what, const char *text, uint32_t *out, GError **err)
{
	if (!text || !g_ascii_strcasecmp(text, "any")) {
		*out = AMP_CTRL_ADDR_ANY;
		return TRUE;
	}
	guint64 v;
	gboolean hex = g_str_has_prefix(text, "0x") || g_str_has_prefix(text, "0X");
	if (!g_ascii_string_to_unsigned(hex ? text + 2 : text, hex ? 16 : 10, 0, G_MAXUINT32, &v,
					NULL)) {
		amp_set_error(
		    err, AMP_EINVAL,
		    "--%s '%s' is not an address (a number such as 1024 or 0x400, or any)", what,
		    text);
		return FALSE;
	}
	*out = (uint32_t)v;
	return TRUE;
}

/*
 * Send the CREATE request on a connected rpmsg_ctrl0 socket; the socket becomes the endpoint.
 * The answer comes from the daemon's loop: wait up to @timeout_ms for it (the receive itself
 * does not wait).
 */
static gboolean ctrl_create(int fd, const struct ctrl_req *rq, int timeout_ms, GError **err)
{
	struct amp_ctrl_ept_info info = {0};
	g_strlcpy(info.name, rq->name ? rq->name : "ampsim-chat", sizeof(info.name));
	if (!parse_addr("src", rq->src, &info.src, err) ||
	    !parse_addr("dst", rq->dst, &info.dst, err))
		return FALSE;
	struct amp_ctrl_reply r;
	ssize_t n = write(fd, &info, sizeof(info));
	bool eof = false;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (n == (ssize_t)sizeof(info)) {
		n = poll(&p, 1, timeout_ms);
		if (n == 0)
			errno = ETIMEDOUT;
		if (n == 1)
			n = amp_frontend_recv(fd, &r, sizeof(r), &eof);
		else
			n = -1;
	}
	if (n != (ssize_t)sizeof(r)) {
		amp_set_error(err, n < 0 ? amp_from_errno(errno) : AMP_ENOTCONN,
			      "rpmsg_ctrl0 did not answer the request (%s); is the firmware still "
			      "running?",
			      n < 0 ? g_strerror(errno)
			      : eof ? "hung up"
				    : "a reply of the wrong size");
		return FALSE;
	}
	if (r.status) { /* a positive errno, as RPMSG_CREATE_EPT_IOCTL would fail with */
		amp_set_error(err, r.status > 0 ? amp_from_errno(r.status) : AMP_EPROTO,
			      "cannot create endpoint \"%s\" at %s: %s", info.name,
			      rq->src ? rq->src : "any", g_strerror(r.status));
		return FALSE;
	}
	g_autofree char *name = amp_text_escaped(r.info.name, (gssize)strnlen(r.info.name, 32));
	g_print("endpoint \"%s\": our address 0x%x, sending to 0x%x\n", name, r.info.src,
		r.info.dst);
	return TRUE;
}

/*
 * Read what answers one message: one frame (an empty one included), or for a tty as many
 * bytes as were sent. Returns the bytes read, AMP_ENOTCONN when the channel hung up,
 * AMP_ETIMEDOUT when nothing came in @timeout_ms, or a failed call's errno through
 * amp_from_errno().
 */
static gssize read_answer(int fd, gboolean is_tty, char *buf, size_t want, int timeout_ms)
{
	size_t got = 0;
	do {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, timeout_ms);
		if (r <= 0)
			return got ? (gssize)got : r == 0 ? AMP_ETIMEDOUT : amp_from_errno(errno);
		bool eof = false;
		ssize_t n = is_tty ? read(fd, buf + got, CHAT_BUF - got)
				   : amp_frontend_recv(fd, buf, CHAT_BUF, &eof);
		if (n > CHAT_BUF)
			n = CHAT_BUF; /* MSG_TRUNC: the rest of a larger frame is not shown */
		if (n < 0 && errno == EIO)
			eof = true; /* a pty whose master went away */
		if (n < 0 && !eof)
			return got ? (gssize)got : amp_from_errno(errno);
		if (eof || (is_tty && n == 0))
			return got ? (gssize)got : AMP_ENOTCONN;
		got += (size_t)n;
	} while (is_tty && got < want);
	return (gssize)got;
}

/* What a hang-up means: ampsim run closes a channel's socket for these reasons only. */
#define HUNG_UP_WHY                                                                          \
	" (the firmware stopped or crashed: 'ampsim ctl status'; or another client has the " \
	"channel open, and ampsim run allows one, as /dev/rpmsgN does)"

/* One connection: how to talk on it, and what the daemon said about it so far. */
struct chat {
	int fd;
	gboolean is_tty;
	int timeout_ms;
	const char *path; /* the endpoint, for its line in `ampsim ctl endpoints` */
	gint64 mtu; /* the channel's largest message (the daemon rejects longer); -1 unknown */
};

/*
 * A number from @path's line in `ampsim ctl endpoints` (through the control socket beside
 * @path), after @field (", mtu "), or -1 when the daemon cannot tell. A message longer than
 * the MTU is rejected by the daemon, which cannot answer on a frame socket: chat checks
 * first, to say why instead of timing out. The path and the
 * counters follow the firmware-chosen channel name on the line, so the last occurrences are
 * the daemon's own.
 */
static gint64 endpoint_field(const char *path, const char *field)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *base = g_path_get_basename(path);
	g_autofree char *sock = g_build_filename(dir, "control", NULL);
	g_autoptr(GString) reply = g_string_new(NULL);
	gboolean ok = FALSE;
	if (amp_ctl_request(sock, "endpoints", reply, &ok, NULL) != AMP_OK || !ok)
		return -1;
	g_autofree char *key = g_strdup_printf("/%s ", base);
	g_auto(GStrv) lines = g_strsplit(reply->str, "\n", -1);
	for (char **l = lines; *l; l++) {
		const char *at = g_strrstr(*l, key);
		const char *o = at ? g_strrstr(at, field) : NULL;
		if (o)
			return g_ascii_strtoll(o + strlen(field), NULL, 10);
	}
	return -1;
}

static gboolean chat_one(struct chat *c, const char *msg)
{
	int fd = c->fd, timeout_ms = c->timeout_ms;
	gboolean is_tty = c->is_tty;
	size_t len = strlen(msg);
	char buf[CHAT_BUF];
	if (c->mtu >= 0 && len > (size_t)c->mtu) {
		g_print("  -> \"%s\" (%zu bytes)   <- not sent: longer than this channel's MTU "
			"(%" G_GINT64_FORMAT " bytes); ampsim run would reject it\n",
			msg, len, c->mtu);
		return FALSE;
	}
	gint64 t0 = g_get_monotonic_time();
	ssize_t w = write(fd, msg, len);
	if (w < 0 || (size_t)w != len) {
		gboolean gone = w < 0 && (errno == EPIPE || errno == ECONNRESET);
		g_printerr("ampsim chat: sending \"%s\" (%zu bytes) failed: %s%s\n", msg, len,
			   w < 0 ? g_strerror(errno) : "short write", gone ? HUNG_UP_WHY : "");
		return FALSE;
	}
	gssize n = read_answer(fd, is_tty, buf, len, timeout_ms);
	gint64 us = g_get_monotonic_time() - t0;
	if (n == AMP_ETIMEDOUT) {
		g_print("  -> \"%s\" (%zu bytes)   <- no answer within %d ms\n", msg, len,
			timeout_ms);
		return FALSE;
	}
	if (n == AMP_ENOTCONN) {
		g_print("  -> \"%s\" (%zu bytes)   <- the channel hung up%s\n", msg, len,
			HUNG_UP_WHY);
		return FALSE;
	}
	if (n < 0) {
		g_print("  -> \"%s\" (%zu bytes)   <- reading the answer failed: %s\n", msg, len,
			amp_strerror((int)n));
		return FALSE;
	}
	/* The answer is the firmware's: escaped, so it cannot drive the terminal. */
	g_autofree char *said = amp_text_escaped(msg, (gssize)len);
	g_autofree char *answer = amp_text_escaped(buf, n);
	printf("  -> \"%s\" (%zu bytes)   <- \"%s\" (%zd bytes) after %" G_GINT64_FORMAT " us\n",
	       said, len, answer, n, us);
	fflush(stdout);
	return TRUE;
}

/* Each of the @n messages in @msgs, or each line of standard input if there are none. */
static gboolean chat_all(struct chat *c, int n, char **msgs)
{
	gboolean ok = TRUE;
	char line[CHAT_BUF];

	for (int i = 0; i < n && ok; i++)
		ok = chat_one(c, msgs[i]);
	while (n == 0 && ok && fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			ok = chat_one(c, line);
	}
	return ok;
}

int amp_cmd_chat(int argc, char **argv)
{
	int timeout_ms = 2000;
	struct ctrl_req rq = {0};
	GOptionEntry entries[] = {
	    {"timeout", 't', 0, G_OPTION_ARG_INT, &timeout_ms,
	     "How long to wait for each answer (default 2000)", "MS"},
	    {"ctrl", 'c', 0, G_OPTION_ARG_NONE, &rq.on,
	     "ENDPOINT is RUNDIR/rpmsg_ctrl0 (or RUNDIR): create an endpoint there first, "
	     "like RPMSG_CREATE_EPT_IOCTL",
	     NULL},
	    {"dst", 0, 0, G_OPTION_ARG_STRING, &rq.dst,
	     "With --ctrl: the firmware address to send to (required; e.g. 0x400)", "ADDR"},
	    {"src", 0, 0, G_OPTION_ARG_STRING, &rq.src,
	     "With --ctrl: our address (default any: a free one from 1024)", "ADDR"},
	    {"name", 0, 0, G_OPTION_ARG_STRING, &rq.name,
	     "With --ctrl: the endpoint's name (default ampsim-chat)", "NAME"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("ENDPOINT [MESSAGE...]");
	g_option_context_set_summary(
	    ctx, "Send messages to a channel's user-facing endpoint and print the answers.\n"
		 "ENDPOINT is RUNDIR/rpmsgN (one message per frame) or RUNDIR/ttyRPMSGN (a\n"
		 "byte stream); a bare name (rpmsg0, ttyRPMSG0, rpmsg_ctrl0) is that entry of\n"
		 "the default run directory, the one 'ampsim run' and 'ampsim ctl' default to.\n"
		 "Without MESSAGE arguments, each line of standard input is one message.\n"
		 "With --ctrl, ENDPOINT is RUNDIR/rpmsg_ctrl0: chat first creates an endpoint\n"
		 "from --src to --dst there (like /dev/rpmsg_ctrl0), then talks through it.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc < 2) {
		g_printerr("ampsim chat: %s\nTry 'ampsim chat --help'.\n",
			   err ? err->message : "missing ENDPOINT");
		return 2;
	}
	if (!rq.on && (rq.dst || rq.src || rq.name)) {
		g_printerr("ampsim chat: --dst, --src and --name go with --ctrl\n");
		return 2;
	}
	if (rq.on && !rq.dst) {
		g_printerr("ampsim chat: --ctrl needs --dst ADDR, the firmware address to talk to "
			   "('ampsim ctl RUNDIR endpoints' lists the channels' addresses)\n");
		return 2;
	}
	g_autofree char *ep = amp_rundir_resolve(argv[1]);
	g_autofree char *path = rq.on && g_file_test(ep, G_FILE_TEST_IS_DIR)
				    ? g_build_filename(ep, AMP_CTRL_FILE, NULL)
				    : g_strdup(ep);
	gboolean is_tty;
	int fd = open_endpoint(path, &is_tty, &err);
	if (fd >= 0 && rq.on && !ctrl_create(fd, &rq, timeout_ms, &err)) {
		close(fd);
		fd = -1;
	}
	g_free(rq.name);
	g_free(rq.src);
	g_free(rq.dst);
	if (fd < 0) {
		g_printerr("ampsim chat: %s\n", err->message);
		return 1;
	}
	struct chat c = {.fd = fd, .is_tty = is_tty, .timeout_ms = timeout_ms, .path = path};
	c.mtu = is_tty || rq.on ? -1 : endpoint_field(path, ", mtu ");
	gboolean ok = chat_all(&c, argc - 2, argv + 2);
	close(fd);
	return ok ? 0 : 1;
}
