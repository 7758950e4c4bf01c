/*
 * `ampsim inspect [RUNDIR]`: the rings, buffers and IPCC registers of a run, once (--once,
 * --json) or refreshing in a terminal. The shared object is found through RUNDIR/shm (a
 * symlink `ampsim run` records there), opened read-only and read into private copies
 * (snap.c); a live run's control socket adds what only the host knows. docs/inspect.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/error.h>

#include "../daemon/commands.h"
#include "../daemon/ctl.h"
#include "../daemon/rundir.h"
#include "snap.h"

#define SHM_DIR "/dev/shm/"
#define ASK_MS 2000 /* a run that does not answer in this time is treated as not running */

struct insp_opts {
	gboolean once, json;
	int interval_ms;
	char *dir;
};

/* RUNDIR/shm -> "/ampsim-...", checked to be one of ours; NULL with a message on failure. */
static char *shm_name(const char *dir, GError **err)
{
	g_autofree char *link = g_build_filename(dir, "shm", NULL);
	g_autofree char *target = g_file_read_link(link, NULL);
	if (!target) {
		amp_set_error(
		    err, AMP_ENOENT,
		    "%s has no record of a shared object (no %s): no run has used this "
		    "directory, or its run ended in an orderly way and removed the object "
		    "with it; there is nothing to inspect",
		    dir, link);
		return NULL;
	}
	const char *base = target + strlen(SHM_DIR);
	g_autofree char *prefix = g_strdup_printf(AMP_SOC_SHM_PREFIX "%u-", (unsigned)getuid());
	if (!g_str_has_prefix(target, SHM_DIR) || strchr(base, '/') ||
	    !g_str_has_prefix(base, prefix) || strlen(base) + 1 >= AMP_SOC_SHM_NAME_MAX) {
		amp_set_error(err, AMP_EINVAL,
			      "%s points to '%s', which is not one of your runs' shared objects "
			      "(" SHM_DIR "%s...); remove it",
			      link, target, prefix);
		return NULL;
	}
	return g_strconcat("/", base, NULL);
}

/* Open the object read-only; only the user's own regular object. */
static int open_shm(const char *name, GError **err)
{
	int fd = shm_open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	struct stat st;
	if (fd < 0 && errno == ENOENT) {
		amp_set_error(
		    err, AMP_ENOENT,
		    "the run's shared object %s is gone: the run ended, or 'ampsim cleanup' "
		    "or a later run removed what a killed run left; nothing to inspect",
		    name);
		return -1;
	}
	if (fd < 0) {
		amp_set_error_errno(err, errno, "cannot open the shared object %s read-only", name);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid()) {
		amp_set_error(err, AMP_EACCES, "%s is not a shared object of yours; not reading it",
			      name);
		close(fd);
		return -1;
	}
	return fd;
}

/* A request to the run's control socket; NULL when no run answers (post-mortem). */
static char *ask(const char *dir, const char *req)
{
	g_autofree char *sock = g_build_filename(dir, "control", NULL);
	g_autoptr(GString) reply = g_string_new(NULL);
	gboolean ok = FALSE;
	if (amp_ctl_request_within(sock, req, reply, &ok, ASK_MS, NULL) != AMP_OK || !ok)
		return NULL;
	return g_string_free(g_steal_pointer(&reply), FALSE);
}

/*
 * Read the rings between two asks of the host's records: when both answers agree, the host
 * did not move meanwhile and the owners are exact; a busy run is retried a few times, then
 * shown with a note (owners may lag by the messages in flight).
 */
static char *read_consistent(const struct insp_opts *o, int fd, const char *name,
			     struct insp_snap *s, gboolean *settled)
{
	char *host = ask(o->dir, "inspect-host");
	*settled = TRUE;
	for (int i = 0; i < 3; i++) {
		memset(s, 0, sizeof(*s));
		insp_snap_read(s, fd, name);
		g_autofree char *again = host ? ask(o->dir, "inspect-host") : NULL;
		if (!host || g_strcmp0(host, again) == 0)
			return host;
		g_free(host);
		host = g_steal_pointer(&again);
	}
	*settled = FALSE;
	return host;
}

/* One snapshot of the run in @dir into @out; FALSE (and @err) when there is nothing. */
static gboolean snapshot(const struct insp_opts *o, const char *note, GString *out, GError **err)
{
	return insp_snapshot(o->dir, o->json, note, out, err);
}

gboolean insp_snapshot(const char *dir, bool json, const char *note, GString *out, GError **err)
{
	const struct insp_opts oo = {.dir = (char *)dir, .json = json}, *o = &oo;
	g_autofree char *name = shm_name(o->dir, err);
	if (!name)
		return FALSE;
	int fd = open_shm(name, err);
	if (fd < 0)
		return FALSE;
	g_autofree struct insp_snap *s = g_new0(struct insp_snap, 1);
	gboolean settled;
	g_autofree char *host = read_consistent(o, fd, name, s, &settled);
	close(fd);
	insp_snap_owners(s, host);
	g_autofree char *n = g_strdup_printf(
	    "%s%s%s%s", host ? "live run" : "post-mortem: no run answers on RUNDIR/control",
	    settled ? "" : "; busy: owners may lag by the messages in flight", note ? "; " : "",
	    note ? note : "");
	g_autofree char *counters = host ? ask(o->dir, "stats") : NULL;
	insp_render(s, o->json, n, counters, out);
	return TRUE;
}

static volatile sig_atomic_t quit;

static void on_quit(int sig)
{
	(void)sig;
	quit = 1;
}

/* Wait up to @ms for a key on stdin; 0 when none. Once stdin ends, just wait. */
static int key_within(int ms)
{
	static gboolean ended;
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	char c;
	if (ended || poll(&p, 1, ms) <= 0) {
		if (ended)
			g_usleep((gulong)ms * 1000);
		return 0;
	}
	if (read(STDIN_FILENO, &c, 1) != 1) {
		ended = TRUE; /* no more keys (a pipe ran dry): refresh like watch(1) */
		return 0;
	}
	return (unsigned char)c;
}

/* The refreshing view: redraw every interval; 's' releases one held doorbell, 'q' quits. */
static int live(const struct insp_opts *o)
{
	struct termios saved, raw;
	gboolean tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	signal(SIGINT, on_quit);
	signal(SIGTERM, on_quit);
	g_autofree char *note = NULL;
	int rc = 0;
	while (!quit) {
		g_autoptr(GString) out = g_string_new("\033[H\033[2J");
		g_autoptr(GError) err = NULL;
		if (!snapshot(o, note, out, &err))
			g_string_append_printf(out, "ampsim inspect: %s\n", err->message);
		g_string_append(out, "\n[s] step one doorbell (run --step)  [q] quit\n");
		fputs(out->str, stdout);
		fflush(stdout);
		int k = key_within(o->interval_ms);
		if (k == 'q')
			break;
		if (k == 's') {
			g_free(note);
			g_autofree char *r = ask(o->dir, "step 1");
			note = r ? g_strdelimit(g_strstrip(g_steal_pointer(&r)), "\n", ' ')
				 : g_strdup("step: no answer (not a live run in step mode?)");
		}
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return rc;
}

int amp_cmd_inspect(int argc, char **argv)
{
	struct insp_opts o = {.interval_ms = 500};
	GOptionEntry entries[] = {
	    {"once", '1', 0, G_OPTION_ARG_NONE, &o.once, "Print one snapshot and exit", NULL},
	    {"json", 'j', 0, G_OPTION_ARG_NONE, &o.json,
	     "Print the snapshot as JSON (implies --once; fields in docs/inspect.md)", NULL},
	    {"interval", 'i', 0, G_OPTION_ARG_INT, &o.interval_ms,
	     "Refresh every MS milliseconds (default 500)", "MS"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[RUNDIR]");
	g_option_context_set_summary(
	    ctx, "Show a run's vrings (descriptors, avail and used indices, who holds each\n"
		 "buffer), the last messages on each ring and the IPCC channel flags, read\n"
		 "read-only from its shared object; works on a killed run too (post-mortem).\n"
		 "RUNDIR defaults to the run directory 'ampsim run' uses by default.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc > 2 || o.interval_ms < 50 ||
	    o.interval_ms > 60000) {
		g_printerr("ampsim inspect: %s\nTry 'ampsim inspect --help'.\n",
			   err	      ? err->message
			   : argc > 2 ? "one RUNDIR at most"
				      : "--interval takes 50..60000 milliseconds");
		return 2;
	}
	g_autofree char *dir = argc == 2 ? g_strdup(argv[1]) : amp_rundir_default();
	o.dir = dir;
	if (!o.once && !o.json)
		return live(&o);
	g_autoptr(GString) out = g_string_new(NULL);
	if (!snapshot(&o, NULL, out, &err)) {
		g_printerr("ampsim inspect: %s\n", err->message);
		return 1;
	}
	fputs(out->str, stdout);
	return 0;
}
