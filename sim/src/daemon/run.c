/*
 * `ampsim run`: boot a firmware and serve its channels to Linux-side programs until
 * stopped (Ctrl-C, SIGTERM or `ampsim ctl RUNDIR stop` followed by Ctrl-C).
 *
 * Channels are bound by their exact announced name, as Linux binds rpmsg drivers:
 * "rpmsg-tty" -> a pty (RUNDIR/ttyRPMSG<n>, like rpmsg_tty), everything else -> a frame
 * socket (RUNDIR/rpmsg<n>, like rpmsg_char's /dev/rpmsg<n>).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include <amp/error.h>
#include <amp/host.h>
#include <amp/sdb_service.h>

#include "commands.h"
#include "ctl.h"
#include "frontend.h"
#include "rundir.h"

#define MAX_INDEX 32 /* rpmsg_tty allows 32 ttys; the same bound for frame sockets */

struct bound {
	struct amp_frontend *fe;   /* a pty or frame socket, or */
	struct amp_sdb_service *sdb; /* the rpmsg-sdb buffer service */
	enum amp_frontend_kind kind;
	unsigned index;
};

struct daemon {
	GMainLoop *loop;
	struct amp_host *host;
	struct amp_rundir *rd;
	struct amp_ctl_server *ctl;
	bool used[2][MAX_INDEX]; /* [kind][index] */
	bool sdb_used;		 /* RUNDIR/rpmsg-sdb, like ST's single /dev/rpmsg-sdb */
	bool quiet;
	int exit_code;
};

static void say(struct daemon *d, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void say(struct daemon *d, const char *fmt, ...)
{
	if (d->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* ---- binding channels to frontends --------------------------------------------------------- */

static enum amp_frontend_kind kind_for(struct daemon *d, const char *name)
{
	if (!strcmp(name, "rpmsg-tty"))
		return AMP_FRONTEND_TTY;
	if (!strcmp(name, "rpmsg-tty-channel")) {
		say(d,
		    "  note: \"rpmsg-tty-channel\" is ST's older name; upstream Linux's rpmsg_tty "
		    "binds only \"rpmsg-tty\", so on a real board this channel would get no "
		    "tty\n");
		return AMP_FRONTEND_TTY;
	}
	return AMP_FRONTEND_SEQPACKET;
}

static int fe_send(void *ctx, const void *data, size_t len)
{
	return amp_host_send(ctx, data, len);
}

static const struct amp_chan_ops fe_ops = {.send = fe_send};

/* "rpmsg-sdb-channel" -> RUNDIR/rpmsg-sdb, as ST's driver creates /dev/rpmsg-sdb. */
static bool bind_sdb(struct daemon *d, struct amp_host_chan *ch)
{
	if (strcmp(ch->name, AMP_SDB_SERVICE_NAME) || d->sdb_used)
		return false;
	g_autofree char *path = amp_rundir_file(d->rd, "rpmsg-sdb");
	g_autoptr(GError) err = NULL;
	struct amp_sdb_service *s = amp_sdb_service_new(d->host, ch, path, &err);
	if (!s) {
		g_warning("channel %s: %s; served as a frame socket instead", ch->name,
			  err->message);
		return false;
	}
	struct bound *b = g_new0(struct bound, 1);
	b->sdb = s;
	d->sdb_used = true;
	ch->user = b;
	say(d, "channel \"%s\" announced by the firmware (its address 0x%x, ours 0x%x)\n",
	    ch->name, ch->remote, ch->ept.addr);
	say(d, "  -> %s (large shared buffers in DDR, like ST's /dev/rpmsg-sdb; docs/sdb.md)\n",
	    path);
	return true;
}

static void on_channel_new(void *priv, struct amp_host_chan *ch)
{
	struct daemon *d = priv;
	if (bind_sdb(d, ch))
		return;
	enum amp_frontend_kind kind = kind_for(d, ch->name);
	unsigned i = 0;
	while (i < MAX_INDEX && d->used[kind][i])
		i++;
	if (i == MAX_INDEX) {
		g_warning("channel %s: all %d endpoints of its kind are in use; not served",
			  ch->name, MAX_INDEX);
		return;
	}
	g_autofree char *base =
	    g_strdup_printf(kind == AMP_FRONTEND_TTY ? "ttyRPMSG%u" : "rpmsg%u", i);
	g_autofree char *path = amp_rundir_file(d->rd, base);
	g_autoptr(GError) err = NULL;
	struct amp_frontend *fe =
	    amp_frontend_new(kind, path, amp_host_mtu(d->host), &fe_ops, ch, &err);
	if (!fe) {
		g_warning("channel %s: %s", ch->name, err->message);
		return;
	}
	struct bound *b = g_new0(struct bound, 1);
	b->fe = fe;
	b->kind = kind;
	b->index = i;
	d->used[kind][i] = true;
	ch->user = b;
	say(d, "channel \"%s\" announced by the firmware (its address 0x%x, ours 0x%x)\n", ch->name,
	    ch->remote, ch->ept.addr);
	if (kind == AMP_FRONTEND_TTY)
		say(d, "  -> %s (a tty: byte stream, like /dev/ttyRPMSG%u; device %s)\n", path, i,
		    amp_frontend_device(fe));
	else
		say(d, "  -> %s (a frame socket: one message per read/write, like /dev/rpmsg%u)\n",
		    path, i);
}

static void on_channel_gone(void *priv, struct amp_host_chan *ch, const char *why)
{
	struct daemon *d = priv;
	struct bound *b = ch->user;
	say(d, "channel \"%s\" is gone: %s\n", ch->name, why);
	if (!b)
		return;
	if (b->sdb) {
		amp_sdb_service_free(b->sdb); /* its clients are woken with an error */
		d->sdb_used = false;
	} else {
		d->used[b->kind][b->index] = false;
		amp_frontend_free(b->fe); /* its client sees EOF / hangup */
	}
	g_free(b);
	ch->user = NULL;
}

static void on_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	(void)priv;
	struct bound *b = ch->user;
	if (b && b->sdb)
		amp_sdb_service_receive(b->sdb, data, len);
	else if (b)
		amp_frontend_deliver(b->fe, data, len);
}

static void on_tx_ready(void *priv)
{
	struct daemon *d = priv;
	g_autofree struct amp_host_chan **chans = amp_host_channels(d->host);
	for (struct amp_host_chan **c = chans; *c; c++) {
		struct bound *b = (*c)->user;
		if (b && b->sdb)
			amp_sdb_service_tx_ready(b->sdb);
		else if (b)
			amp_frontend_resume(b->fe);
	}
}

static void on_rproc_event(void *priv, enum amp_rproc_event ev)
{
	struct daemon *d = priv;
	struct amp_rproc *rp = amp_host_rproc(d->host);
	if (ev == AMP_RPROC_EV_STARTED)
		say(d, "firmware running (pid %d); waiting for it to announce channels\n",
		    amp_rproc_pid(rp));
	else if (ev == AMP_RPROC_EV_CRASHED)
		say(d, "firmware crashed: %s\n", amp_rproc_crash_reason(rp));
}

static const struct amp_host_ops host_ops = {
    .channel_new = on_channel_new,
    .channel_gone = on_channel_gone,
    .receive = on_receive,
    .tx_ready = on_tx_ready,
    .rproc_event = on_rproc_event,
};

/* ---- control socket ----------------------------------------------------------------------- */

static void list_endpoints(struct daemon *d, GString *out)
{
	g_autofree struct amp_host_chan **chans = amp_host_channels(d->host);
	if (!*chans)
		g_string_append(out, "no channels (the firmware has announced none)\n");
	for (struct amp_host_chan **c = chans; *c; c++) {
		struct bound *b = (*c)->user;
		const struct amp_frontend_stats *s = b && b->fe ? amp_frontend_stats(b->fe) : NULL;
		const char *where = !b ? "(not served)"
			: b->sdb ? amp_sdb_service_path(b->sdb) : amp_frontend_path(b->fe);
		g_string_append_printf(out, "%-32s firmware 0x%-4x host 0x%-4x %s", (*c)->name,
				       (*c)->remote, (*c)->ept.addr, where);
		if (s)
			g_string_append_printf(
			    out,
			    "  in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT
			    " msgs, oversize %" G_GUINT64_FORMAT ", dropped %" G_GUINT64_FORMAT
			    ", clients %" G_GUINT64_FORMAT,
			    s->rx_msgs, s->tx_msgs, s->tx_oversize, s->rx_dropped, s->clients);
		g_string_append_c(out, '\n');
	}
}

static void sdb_stats(struct daemon *d, GString *out)
{
	g_autofree struct amp_host_chan **chans = amp_host_channels(d->host);
	for (struct amp_host_chan **c = chans; *c; c++) {
		struct bound *b = (*c)->user;
		if (b && b->sdb)
			amp_sdb_service_describe(b->sdb, out);
	}
}

static gboolean ctl_handle(void *ctx, const char *cmd, GString *out)
{
	struct daemon *d = ctx;
	struct amp_rproc *rp = amp_host_rproc(d->host);
	if (!strcmp(cmd, "status")) {
		const char *reason = amp_rproc_crash_reason(rp);
		g_string_append_printf(out, "state: %s\nfirmware pid: %d\ncrashes: %u\n",
				       amp_rproc_state_name(amp_rproc_state(rp)), amp_rproc_pid(rp),
				       amp_rproc_stats(rp)->crashes);
		if (reason)
			g_string_append_printf(out, "last crash: %s\n", reason);
		return TRUE;
	}
	if (!strcmp(cmd, "start")) {
		g_autoptr(GError) err = NULL;
		if (amp_rproc_state(rp) == AMP_RPROC_RUNNING) {
			g_string_append(out, "already running\n");
			return FALSE;
		}
		if (!amp_host_start(d->host, &err)) {
			g_string_append_printf(out, "%s\n", err->message);
			return FALSE;
		}
		g_string_append(out, "started\n");
		return TRUE;
	}
	if (!strcmp(cmd, "stop")) {
		amp_host_stop(d->host);
		g_string_append(out, "stopped\n");
		return TRUE;
	}
	if (!strcmp(cmd, "endpoints")) {
		list_endpoints(d, out);
		return TRUE;
	}
	if (!strcmp(cmd, "stats")) {
		amp_host_stats(d->host, out);
		sdb_stats(d, out);
		return TRUE;
	}
	if (!strcmp(cmd, "trace")) {
		if (!amp_rproc_trace(rp, out)) {
			g_string_append(out, "the firmware declares no trace buffer (RSC_TRACE)\n");
			return FALSE;
		}
		return TRUE;
	}
	g_string_append_printf(out,
			       "unknown command '%s'; try status, start, stop, endpoints, "
			       "stats or trace\n",
			       cmd);
	return FALSE;
}

/* ---- options and main ---------------------------------------------------------------------- */

struct run_opts {
	char *soc;
	char *run_dir;
	gboolean no_recovery;
	gboolean gdb;
	int gdb_port;
	char *wrap;
	char *ipcc_mode;
	gboolean verbose;
	gboolean quiet;
};

static gboolean on_signal(gpointer data)
{
	struct daemon *d = data;
	say(d, "\nstopping\n");
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

static int parse(int *argc, char ***argv, struct run_opts *o, char ***fw_args)
{
	GOptionEntry entries[] = {
	    {"soc", 's', 0, G_OPTION_ARG_STRING, &o->soc,
	     "SoC profile: a name from sim/profiles/ or a path to a .ini (default stm32mp157)",
	     "PROFILE"},
	    {"run-dir", 'd', 0, G_OPTION_ARG_FILENAME, &o->run_dir,
	     "Where the endpoints and the control socket go (default $XDG_RUNTIME_DIR/ampsim, "
	     "or /tmp/ampsim-UID)",
	     "DIR"},
	    {"no-recovery", 0, 0, G_OPTION_ARG_NONE, &o->no_recovery,
	     "Leave a crashed firmware crashed instead of rebooting it", NULL},
	    {"gdb", 0, 0, G_OPTION_ARG_NONE, &o->gdb,
	     "Start the firmware under gdbserver and print how to attach gdb", NULL},
	    {"gdb-port", 0, 0, G_OPTION_ARG_INT, &o->gdb_port,
	     "gdbserver TCP port for --gdb (default 1234)", "PORT"},
	    {"wrap", 'w', 0, G_OPTION_ARG_STRING, &o->wrap,
	     "Run the firmware under CMD, e.g. --wrap 'valgrind -q' or --wrap 'strace -f'", "CMD"},
	    {"ipcc-mode", 0, 0, G_OPTION_ARG_STRING, &o->ipcc_mode,
	     "How the firmware waits for interrupts: blocking (default) or adaptive", "MODE"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "Log debug messages too", NULL},
	    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, "Print only warnings and errors", NULL},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	/* Everything after "--" belongs to the firmware. */
	for (int i = 1; i < *argc; i++)
		if (!strcmp((*argv)[i], "--")) {
			*fw_args = &(*argv)[i + 1];
			(*argv)[i] = NULL;
			*argc = i;
			break;
		}
	g_autoptr(GOptionContext) ctx = g_option_context_new("FIRMWARE [-- FIRMWARE-ARGS]");
	g_option_context_set_summary(
	    ctx, "Boot FIRMWARE (a firmware built with the simulator port, e.g.\n"
		 "build/default/fw-sample/echo/echo) on a simulated STM32MP1 and serve the\n"
		 "RPMsg channels it announces, as Linux would:\n"
		 "  \"rpmsg-tty\"    -> RUNDIR/ttyRPMSG<n>, a pty (byte stream)\n"
		 "  any other name -> RUNDIR/rpmsg<n>, a SOCK_SEQPACKET socket (one message per\n"
		 "                    read/write, at most 496 bytes)\n"
		 "Ctrl-C stops the firmware and removes everything the run created.");
	g_option_context_set_description(
	    ctx, "Talk to a run with 'ampsim chat RUNDIR/rpmsg0 hello' and\n"
		 "'ampsim ctl RUNDIR status|start|stop|endpoints|stats|trace'. See docs/cli.md.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		g_printerr("ampsim run: %s\nTry 'ampsim run --help'.\n", err->message);
		return 2;
	}
	if (*argc != 2) {
		g_printerr("ampsim run: %s\nTry 'ampsim run --help'.\n",
			   *argc < 2
			       ? "which firmware? (missing FIRMWARE)"
			       : "more than one FIRMWARE given (firmware arguments go after --)");
		return 2;
	}
	if (o->ipcc_mode && strcmp(o->ipcc_mode, "blocking") && strcmp(o->ipcc_mode, "adaptive")) {
		g_printerr("ampsim run: --ipcc-mode must be blocking or adaptive, not '%s'\n",
			   o->ipcc_mode);
		return 2;
	}
	if (o->gdb_port < 0 || o->gdb_port > 65535) {
		g_printerr("ampsim run: --gdb-port must be 1..65535\n");
		return 2;
	}
	return 0;
}

static int serve(struct daemon *d, struct run_opts *o, const char *fw, char **fw_args)
{
	g_auto(GStrv) wrap = NULL;
	g_autoptr(GError) err = NULL;
	if (o->wrap && !g_shell_parse_argv(o->wrap, NULL, &wrap, &err)) {
		g_printerr("ampsim run: --wrap '%s': %s\n", o->wrap, err->message);
		return 2;
	}
	g_autofree char *dir = o->run_dir ? g_strdup(o->run_dir) : amp_rundir_default();
	d->rd = amp_rundir_open(dir, &err);
	if (!d->rd) {
		g_printerr("ampsim run: %s\n", err->message);
		return 1;
	}
	struct amp_host_cfg hc = {
	    .profile = o->soc,
	    .rproc = {.firmware = fw,
		      .fw_args = fw_args,
		      .wrap = wrap,
		      .gdb_port = o->gdb ? (unsigned)(o->gdb_port ? o->gdb_port : 1234) : 0,
		      .no_recovery = o->no_recovery,
		      .ipcc_mode = o->ipcc_mode},
	    .ops = &host_ops,
	    .priv = d,
	};
	d->host = amp_host_new(&hc, &err);
	if (!d->host) {
		g_printerr("ampsim run: %s\n", err->message);
		return 1;
	}
	g_autofree char *ctl_path = amp_rundir_file(d->rd, "control");
	d->ctl = amp_ctl_server_new(ctl_path, ctl_handle, d, &err);
	if (!d->ctl) {
		g_printerr("ampsim run: %s\n", err->message);
		return 1;
	}
	if (!amp_host_start(d->host, &err)) {
		g_printerr("ampsim run: %s\n", err->message);
		return 1;
	}
	g_autoptr(GString) sum = g_string_new(NULL);
	amp_host_describe(d->host, sum);
	say(d, "%sbooted %s; run directory %s\n", sum->str, fw, amp_rundir_path(d->rd));
	if (o->gdb)
		say(d, "the firmware waits in gdbserver: gdb -ex 'target remote :%d' %s\n",
		    o->gdb_port ? o->gdb_port : 1234, fw);
	say(d, "press Ctrl-C to stop\n");
	g_unix_signal_add(SIGINT, on_signal, d);
	g_unix_signal_add(SIGTERM, on_signal, d);
	g_main_loop_run(d->loop);
	return d->exit_code;
}

int amp_cmd_run(int argc, char **argv)
{
	struct run_opts o = {0};
	char **fw_args = NULL;
	int rc = parse(&argc, &argv, &o, &fw_args);
	if (rc)
		return rc;
	if (o.verbose)
		g_setenv("G_MESSAGES_DEBUG", "all", TRUE);
	signal(SIGPIPE, SIG_IGN);
	struct daemon d = {.loop = g_main_loop_new(NULL, FALSE), .quiet = o.quiet};
	rc = serve(&d, &o, argv[1], fw_args);
	amp_host_free(d.host); /* stops the firmware, unlinks the shared memory */
	amp_ctl_server_free(d.ctl);
	amp_rundir_close(d.rd);
	g_main_loop_unref(d.loop);
	g_free(o.soc);
	g_free(o.run_dir);
	g_free(o.wrap);
	g_free(o.ipcc_mode);
	return rc;
}
