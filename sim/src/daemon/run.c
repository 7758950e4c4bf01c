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
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib-unix.h>

#include <amp/error.h>
#include <ampsim/error.h>
#include <ampsim/faults.h>
#include <ampsim/fwenv.h>
#include <ampsim/host.h>

#include "../capture/capture.h"
#include "../cuse/cuse.h"

#include "commands.h"
#include "ctl.h"
#include "../inspect/snap.h"
#include "daemon.h"
#include "rpmsg_ctrl.h"
#include "../fd_group.h"
#include "rundir.h"
#include "run_opts.h"
#include "text.h"

void daemon_say(struct daemon *d, const char *fmt, ...)
{
	if (d->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* Channel names and the trace's name are the firmware's: printed escaped. */
	g_autofree char *safe = amp_text_escaped(text, -1);
	fputs(safe, stdout);
	fflush(stdout);
}

/* ---- host events ---------------------------------------------------------------------------- */

static void on_channel_new(void *priv, struct amp_host_chan *ch)
{
	struct daemon *d = priv;
	daemon_bind(d, ch);
	amp_cuse_sync_ttys(d->cuse);
}

static void on_channel_gone(void *priv, struct amp_host_chan *ch, const char *why)
{
	struct daemon *d = priv;
	daemon_unbind(d, ch, why);
	amp_cuse_sync_ttys(d->cuse);
}

static void on_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct daemon *d = priv;
	if (!daemon_deliver(ch, data, len))
		amp_host_rx_defer(d->host); /* the client's queue is full: hold the firmware back */
}

static void on_tx_ready(void *priv)
{
	struct daemon *d = priv;
	daemon_resume_channels(d);
	amp_rpmsg_ctrl_resume(d->rctrl);
	amp_cuse_resume(d->cuse);
}

/* RUNDIR/rpmsg_ctrl0 exists while the RPMsg bus is up, as /dev/rpmsg_ctrl0 does. */
static void open_rpmsg_ctrl(struct daemon *d)
{
	if (d->rctrl || !amp_host_rpmsg(d->host))
		return;
	g_autofree char *path = amp_rundir_file(d->rd, AMP_CTRL_FILE);
	g_autoptr(GError) err = NULL;
	d->rctrl = amp_rpmsg_ctrl_new(d, path, &err);
	if (!d->rctrl)
		g_warning("no %s: %s", AMP_CTRL_FILE, err->message);
	else
		daemon_say(d, "  -> %s (endpoints on demand, like /dev/rpmsg_ctrl0)\n", path);
}

/* The firmware is gone after a stop: answer the waiting 'stop' requests, end if asked to. */
static void stopped(struct daemon *d)
{
	for (GSList *l = d->stop_replies; l; l = l->next)
		amp_ctl_finish(l->data, TRUE, "stopped\n");
	g_slist_free(d->stop_replies);
	d->stop_replies = NULL;
	if (d->quitting)
		g_main_loop_quit(d->loop);
}

static void on_rproc_event(void *priv, enum amp_rproc_event ev)
{
	struct daemon *d = priv;
	struct amp_rproc *rp = amp_host_rproc(d->host);
	if (ev == AMP_RPROC_EV_STOPPED) {
		stopped(d);
		return;
	}
	if (ev == AMP_RPROC_EV_STARTED) {
		if (!d->described) { /* the vrings are placed now: the start-up summary */
			g_autoptr(GString) sum = g_string_new(NULL);
			amp_host_describe(d->host, sum);
			daemon_say(d, "%s", sum->str);
			d->described = true;
		}
		daemon_say(d, "firmware running (pid %d); waiting for it to announce channels\n",
			   amp_host_fw_pid(d->host));
		open_rpmsg_ctrl(d);
		if (amp_host_rpmsg(d->host))
			amp_cuse_bus_up(d->cuse);
		return;
	}
	if (ev == AMP_RPROC_EV_CRASHED) { /* before the recovery: its memory is as it left it */
		daemon_say(d, "firmware crashed: %s\n", amp_rproc_crash_reason(rp));
		daemon_coredump(d);
	}
	amp_rpmsg_ctrl_free(d->rctrl);
	d->rctrl = NULL;
	amp_cuse_bus_down(d->cuse);
}

static const struct amp_host_ops host_ops = {
    .channel_new = on_channel_new,
    .channel_gone = on_channel_gone,
    .receive = on_receive,
    .tx_ready = on_tx_ready,
    .rproc_event = on_rproc_event,
};

/* RUNDIR/shm -> /dev/shm/<object>: how `ampsim inspect` finds the run's shared object, also
 * after a kill (the link stays with the object until a later run or 'ampsim cleanup'). */
static void record_shm(struct daemon *d)
{
	g_autofree char *link = amp_rundir_file(d->rd, "shm");
	g_autofree char *target = g_strconcat("/dev/shm", amp_host_soc(d->host)->shm_name, NULL);
	if (symlink(target, link) < 0)
		g_warning("cannot record the shared object as %s: %s ('ampsim inspect' will not "
			  "find it)",
			  link, g_strerror(errno));
}

/* ---- control socket ----------------------------------------------------------------------- */

static gboolean ctl_status(struct daemon *d, GString *out)
{
	struct amp_rproc *rp = amp_host_rproc(d->host);
	const char *reason = amp_rproc_crash_reason(rp);
	g_string_append_printf(out, "state: %s\nfirmware pid: %d\ncrashes: %u\n",
			       amp_rproc_state_name(amp_rproc_state(rp)), amp_host_fw_pid(d->host),
			       amp_rproc_stats(rp)->crashes);
	if (reason)
		g_string_append_printf(out, "last crash: %s\n", reason);
	/* For `ampsim exec`'s shim: the MTU a /dev/rpmsgN write is checked against (EMSGSIZE),
	 * and what /sys/class/remoteproc/remoteproc0/{firmware,recovery,coredump} show. */
	g_string_append_printf(out, "mtu: %zu\nrecovery: %s\n", amp_host_mtu(d->host),
			       amp_rproc_recovery(rp) ? "enabled" : "disabled");
	daemon_sysfs_status(d, out);
	const struct amp_rproc_stats *st = amp_rproc_stats(rp);
	if (st->crashes) /* the crash-loop back-off (docs/lifecycle.md) */
		g_string_append_printf(
		    out, "recoveries: %u\ncrashes in a row: %u\nrestart backoff: %u ms\n",
		    st->recoveries, st->crash_streak, st->backoff_ms);
	return TRUE;
}

static gboolean ctl_start(struct daemon *d, GString *out)
{
	g_autoptr(GError) err = NULL;
	if (amp_rproc_state(amp_host_rproc(d->host)) == AMP_RPROC_RUNNING) {
		g_string_append(out, "already running\n");
		return FALSE;
	}
	if (!daemon_firmware_prepare(d, out)) /* a firmware written through sysfs */
		return FALSE;
	if (!amp_host_start(d->host, &err)) {
		g_string_append_printf(out, "%s\n", err->message);
		return FALSE;
	}
	g_string_append(out, "started\n");
	return TRUE;
}

/* Answered once the firmware is gone (up to the 500 ms grace period and the kill). */
static gboolean ctl_stop(struct daemon *d, GString *out)
{
	if (amp_host_stop(d->host))
		d->stop_replies = g_slist_prepend(d->stop_replies, amp_ctl_defer(d->ctl));
	else
		g_string_append(out, "stopped\n");
	return TRUE;
}

static gboolean ctl_endpoints(struct daemon *d, GString *out)
{
	daemon_list_channels(d, out);
	amp_rpmsg_ctrl_list(d->rctrl, out);
	amp_cuse_list(d->cuse, out);
	return TRUE;
}

static gboolean ctl_stats(struct daemon *d, GString *out)
{
	amp_host_stats(d->host, out);
	g_string_append(out, "endpoints:\n");
	ctl_endpoints(d, out);
	return TRUE;
}

static gboolean ctl_trace(struct daemon *d, GString *out)
{
	if (amp_rproc_trace(amp_host_rproc(d->host), out))
		return TRUE;
	g_string_append(out, "the firmware declares no trace buffer (RSC_TRACE)\n");
	return FALSE;
}

/* "fault list|clear|seed N|add RULES" (docs/faults.md). */
static gboolean ctl_fault(struct daemon *d, const char *args, GString *out)
{
	g_autoptr(GError) err = NULL;
	guint64 seed;
	if (!strcmp(args, "list")) {
		amp_host_faults_list(d->host, out);
	} else if (!strcmp(args, "clear")) {
		amp_host_faults_clear(d->host);
		g_string_append(out, "fault plan cleared\n");
	} else if (g_str_has_prefix(args, "seed ")) {
		if (!g_ascii_string_to_unsigned(args + 5, 10, 0, G_MAXUINT64, &seed, &err)) {
			g_string_append_printf(out, "fault seed: %s\n", err->message);
			return FALSE;
		}
		amp_host_faults_set_seed(d->host, seed);
		g_string_append_printf(
		    out, "fault plan restarted with seed %" G_GUINT64_FORMAT "\n", seed);
	} else if (g_str_has_prefix(args, "add ")) {
		if (!amp_host_faults_add(d->host, args + 4, &err)) {
			g_string_append_printf(out, "%s\n", err->message);
			return FALSE;
		}
		g_string_append(out, "added\n");
	} else {
		g_string_append_printf(out,
				       "unknown fault command '%s'; try fault list, fault clear, "
				       "fault seed N or fault add RULE[; RULE...]\n",
				       args);
		return FALSE;
	}
	return TRUE;
}

/* "step [N]": deliver up to N (default 1) held doorbells (docs/inspect.md). */
static gboolean ctl_step(struct daemon *d, const char *arg, GString *out)
{
	g_autoptr(GError) err = NULL;
	guint64 n = 1;
	if (*arg && !g_ascii_string_to_unsigned(arg, 10, 0, 1000000, &n, &err)) {
		g_string_append_printf(out,
				       "step: %s; give a count 0..1000000 (0 only shows "
				       "what is held)\n",
				       err->message);
		return FALSE;
	}
	int rc = amp_host_step(d->host, (unsigned)n, out);
	if (rc < 0) {
		g_string_append(out, "step: this run is not in step mode; start it with "
				     "'ampsim run --step'\n");
		return FALSE;
	}
	g_string_append_printf(out, "released %d; ", rc);
	amp_host_step_held(d->host, out);
	return TRUE;
}

/*
 * "pause" / "resume": hold every vring doorbell from now on (step mode, as `run --step`),
 * or deliver those held and stop holding (for `ampsim web`'s buttons; docs/inspect.md).
 */
static gboolean ctl_pause(struct daemon *d, GString *out)
{
	amp_host_set_step(d->host, true);
	g_string_append(out, "paused: every vring doorbell is held until 'step' or 'resume'; ");
	amp_host_step_held(d->host, out);
	return TRUE;
}

static gboolean ctl_resume(struct daemon *d, GString *out)
{
	g_autoptr(GString) held = g_string_new(NULL);
	amp_host_step_held(d->host, held);
	amp_host_set_step(d->host, false);
	g_string_append_printf(out, "resumed: doorbells pass again; delivered what was %s",
			       held->len ? held->str : "held 0\n");
	return TRUE;
}

/*
 * "sysfs-state WORD": a write to /sys/class/remoteproc/remoteproc0/state from `ampsim exec`'s
 * shim, with state_store()'s answers (remoteproc_sysfs.c): the reply text starts with the
 * errno name Linux's write would fail with, so the shim can return it.
 */
static gboolean ctl_sysfs_state(struct daemon *d, const char *word, GString *out)
{
	enum amp_rproc_state st = amp_rproc_state(amp_host_rproc(d->host));
	gboolean running = st == AMP_RPROC_RUNNING || st == AMP_RPROC_STOPPING;
	if (!strcmp(word, "start")) {
		if (running) {
			g_string_append(out, "EBUSY: the firmware is already running\n");
			return FALSE;
		}
		g_autoptr(GString) why = g_string_new(NULL);
		if (!daemon_firmware_prepare(d, out)) /* its errno: ENOENT, EINVAL */
			return FALSE;
		if (ctl_start(d, why))
			return TRUE;
		g_string_append_printf(out, "EIO: %s", why->str);
		return FALSE;
	}
	if (!strcmp(word, "stop")) {
		if (st == AMP_RPROC_RUNNING)
			return ctl_stop(d, out);
		g_string_append(out, "EINVAL: the firmware is not running\n");
		return FALSE;
	}
	g_string_append_printf(out, "EINVAL: unrecognised option '%s' (start or stop)\n", word);
	return FALSE;
}

/* "sysfs-recovery WORD": recovery_store() of remoteproc_sysfs.c, errors as above. */
static gboolean ctl_sysfs_recovery(struct daemon *d, const char *word, GString *out)
{
	struct amp_rproc *rp = amp_host_rproc(d->host);
	gboolean enable = !strcmp(word, "enabled"), recover = !strcmp(word, "recover");
	if (!enable && !recover && strcmp(word, "disabled") != 0) {
		g_string_append_printf(out,
				       "EINVAL: unrecognised option '%s' (enabled, disabled "
				       "or recover)\n",
				       word);
		return FALSE;
	}
	if (!recover)
		amp_rproc_set_recovery(rp, enable);
	/* rproc_trigger_recovery(): only a crashed firmware is rebooted. */
	if ((enable || recover) && amp_rproc_state(rp) == AMP_RPROC_CRASHED) {
		g_autoptr(GString) why = g_string_new(NULL);
		if (!ctl_start(d, why)) {
			g_string_append_printf(out, "EIO: %s", why->str);
			return FALSE;
		}
	}
	return TRUE;
}

/* For `ampsim inspect`: what only the host knows about its rings (src/inspect/owners.c). */
static gboolean ctl_inspect_host(struct daemon *d, GString *out)
{
	insp_host_view(d->host, out);
	return TRUE;
}

static const struct {
	const char *name;
	gboolean (*fn)(struct daemon *d, GString *out);
} ctl_cmds[] = {
    {"status", ctl_status},
    {"start", ctl_start},
    {"stop", ctl_stop},
    {"endpoints", ctl_endpoints},
    {"stats", ctl_stats},
    {"trace", ctl_trace},
    {"inspect-host", ctl_inspect_host},
    {"pause", ctl_pause},
    {"resume", ctl_resume},
};

/* "trace-events start FILE|stop" (docs/trace.md). */
static gboolean ctl_trace_events(struct daemon *d, const char *args, GString *out)
{
	g_autoptr(GError) err = NULL;
	if (g_str_has_prefix(args, "start ") && args[6]) {
		if (!amp_host_trace_start(d->host, args + 6, &err)) {
			g_string_append_printf(out, "%s\n", err->message);
			return FALSE;
		}
		g_string_append_printf(out, "tracing events to %s\n", args + 6);
		return TRUE;
	}
	if (!strcmp(args, "stop"))
		return amp_host_trace_stop(d->host, out, &err) ||
		       (g_string_append_printf(out, "%s\n", err->message), FALSE);
	g_string_append_printf(out,
			       "unknown trace-events command '%s'; try trace-events start FILE "
			       "or trace-events stop\n",
			       args);
	return FALSE;
}

static gboolean ctl_handle(void *ctx, const char *cmd, GString *out)
{
	if (g_str_has_prefix(cmd, "fault "))
		return ctl_fault(ctx, cmd + 6, out);
	if (g_str_has_prefix(cmd, "trace-events "))
		return ctl_trace_events(ctx, cmd + 13, out);
	if (!strncmp(cmd, "step", 4) && (cmd[4] == ' ' || cmd[4] == '\0'))
		return ctl_step(ctx, cmd[4] ? cmd + 5 : "", out);
	if (!strncmp(cmd, "sysfs-state", 11) && (cmd[11] == ' ' || cmd[11] == '\0'))
		return ctl_sysfs_state(ctx, cmd[11] ? cmd + 12 : "", out);
	if (!strncmp(cmd, "sysfs-recovery", 14) && (cmd[14] == ' ' || cmd[14] == '\0'))
		return ctl_sysfs_recovery(ctx, cmd[14] ? cmd + 15 : "", out);
	if (!strncmp(cmd, "sysfs-firmware", 14) && (cmd[14] == ' ' || cmd[14] == '\0'))
		return daemon_sysfs_firmware(ctx, cmd[14] ? cmd + 15 : "", out);
	if (!strncmp(cmd, "sysfs-coredump", 14) && (cmd[14] == ' ' || cmd[14] == '\0'))
		return daemon_sysfs_coredump(ctx, cmd[14] ? cmd + 15 : "", out);
	if (!strncmp(cmd, "sysfs-bus", 9) && (cmd[9] == ' ' || cmd[9] == '\0'))
		return daemon_sysfs_bus(ctx, cmd[9] ? cmd + 10 : "", out);
	for (size_t i = 0; i < G_N_ELEMENTS(ctl_cmds); i++)
		if (!strcmp(cmd, ctl_cmds[i].name))
			return ctl_cmds[i].fn(ctx, out);
	g_string_append_printf(out,
			       "unknown command '%s'; try status, start, stop, endpoints, "
			       "stats, trace, trace-events, step, pause, resume or fault\n",
			       cmd);
	return FALSE;
}

/* ---- options and main ---------------------------------------------------------------------- */

/* Every log line (ours, libampsim's, rproc's) passes here: --quiet keeps warnings and errors. */
static GLogWriterOutput log_writer(GLogLevelFlags level, const GLogField *fields, gsize n,
				   gpointer quiet)
{
	if (quiet && (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)))
		return G_LOG_WRITER_HANDLED;
	/* Messages carry channel names, the firmware's: escaped here, whatever GLib's writer
	 * does (and into the journal too). */
	GLogField f[32];
	g_autofree char *safe = NULL;
	n = MIN(n, G_N_ELEMENTS(f));
	for (gsize i = 0; i < n; i++) {
		f[i] = fields[i];
		if (!safe && !strcmp(f[i].key, "MESSAGE") && f[i].length < 0) {
			safe = amp_text_escaped(f[i].value, -1);
			f[i].value = safe;
		}
	}
	return g_log_writer_default(level, f, n, NULL);
}

/* The first signal stops the firmware (the run ends when it is gone), a second one ends it now. */
static void on_signal(struct daemon *d)
{
	if (!d->quitting) {
		d->quitting = true;
		daemon_say(d, "\nstopping\n");
		if (d->host && amp_host_stop(d->host))
			return;
	}
	g_main_loop_quit(d->loop);
}

/*
 * SIGINT and SIGTERM are counted by a handler into an eventfd, which the loop reads as a
 * member of the daemon's fd group. Not g_unix_signal_add(): its two sources cost every
 * loop iteration, two per round trip (docs/performance.md), and need GLib's worker thread.
 * Not a signalfd, as ampsim web reads them: that needs the signals blocked, a mask the
 * firmware and the tools the daemon starts would inherit (a handler is reset at exec).
 */
static int signal_efd = -1;

static void count_signal(int sig)
{
	(void)sig;
	int e = errno;
	uint64_t one = 1;
	ssize_t r = write(signal_efd, &one, sizeof(one)); /* fails only when full */
	(void)r;
	errno = e;
}

static gboolean on_signals(gint fd, GIOCondition cond, gpointer data)
{
	uint64_t n = 0;
	(void)cond;
	if (read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		for (uint64_t i = 0; i < MIN(n, 2); i++)
			on_signal(data);
	return G_SOURCE_CONTINUE;
}

/* From here on Ctrl-C cleans up, even during the boot (handled once the loop runs). */
static gboolean catch_signals(struct daemon *d, GError **err)
{
	d->fds = amp_fd_group_new(NULL, err);
	if (!d->fds)
		return FALSE;
	signal_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (signal_efd < 0 || !amp_fd_group_add(d->fds, signal_efd, G_IO_IN, on_signals, d)) {
		amp_set_error_errno(err, errno, "cannot take SIGINT and SIGTERM");
		return FALSE;
	}
	struct sigaction sa = {.sa_handler = count_signal, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return TRUE;
}

/* At the very end: a signal during the clean-up must not cut it short. */
static void release_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (signal_efd >= 0)
		close(signal_efd);
	signal_efd = -1;
}

/* What GOption cannot check: one FIRMWARE, and the values of the numeric and mode options. */
static gboolean load_faults(struct daemon *d, const struct run_opts *o)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;
	const char *spec = o->faults ? o->faults : "";
	if (*spec && g_file_test(spec, G_FILE_TEST_IS_REGULAR) &&
	    !g_file_get_contents(spec, &text, NULL, &err)) {
		g_printerr("ampsim run: --faults: %s\n", err->message);
		return FALSE;
	}
	guint64 seed = ((guint64)g_random_int() << 32) | g_random_int();
	if (o->seed && !g_ascii_string_to_unsigned(o->seed, 10, 0, G_MAXUINT64, &seed, &err)) {
		g_printerr("ampsim run: --seed takes a number 0..2^64-1: %s\n", err->message);
		return FALSE;
	}
	amp_host_faults_set_seed(d->host, seed);
	if (!amp_host_faults_add(d->host, text ? text : spec, &err)) {
		g_printerr("ampsim run: --faults%s%s: %s\n", text ? " " : "", text ? spec : "",
			   err->message);
		return FALSE;
	}
	daemon_say(d,
		   "fault plan: seed %" G_GUINT64_FORMAT " (replay with --seed %" G_GUINT64_FORMAT
		   ")\n",
		   seed, seed);
	return TRUE;
}

/* --cuse: optional by nature, the endpoints in the run directory serve without it. */
static void start_cuse(struct daemon *d)
{
	g_autoptr(GError) err = NULL;
	d->cuse = amp_cuse_new(d, &err);
	if (!d->cuse)
		g_printerr("ampsim run: --cuse: %s; going on without the devices\n", err->message);
}

static int serve(struct daemon *d, struct run_opts *o, const char *fw, char **fw_args)
{
	g_auto(GStrv) wrap = NULL;
	g_autoptr(GError) err = NULL;
	if (o->wrap && !g_shell_parse_argv(o->wrap, NULL, &wrap, &err)) {
		g_printerr("ampsim run: --wrap '%s': %s\n", o->wrap, err->message);
		return 2;
	}
	if (!catch_signals(d, &err)) {
		g_printerr("ampsim run: %s\n", err->message);
		return 1;
	}
	g_autofree char *dir = o->run_dir ? g_strdup(o->run_dir) : amp_rundir_default();
	d->rd = amp_rundir_open(dir, &err);
	if (!d->rd) {
		g_printerr("ampsim run: %s\n", err->message);
		return 1;
	}
	d->firmware = fw;
	d->fw_name = g_path_get_basename(fw);
	struct amp_host_cfg hc = {
	    .profile = o->soc,
	    .rproc = {.firmware = fw,
		      .no_recovery = o->no_recovery,
		      .no_backoff = o->no_backoff,
		      .watchdog_ms = (unsigned)o->watchdog_ms},
	    .process = {.fw_args = fw_args,
			.wrap = wrap,
			.gdb_port = o->gdb ? (unsigned)o->gdb_port : 0,
			.ipcc_mode = o->ipcc_mode,
			.sanitize_buffers = o->sanitize_buffers},
	    .ops = &host_ops,
	    .priv = d,
	    .ipcc_mode = o->host_ipcc_mode,
	};
	d->host = amp_host_new(&hc, &err);
	if (!d->host) {
		g_printerr("ampsim run: %s\n", err->message);
		return 1;
	}
	if ((o->faults || o->seed) && !load_faults(d, o))
		return 2;
	if (o->trace && !amp_host_trace_start(d->host, o->trace, &err)) {
		g_printerr("ampsim run: --trace: %s\n", err->message);
		return 1;
	}
	if (o->capture) { /* before the boot: the name-service announcements are recorded too */
		d->capture = amp_capture_open(o->capture, &err);
		if (!d->capture) {
			g_printerr("ampsim run: --capture: %s\n", err->message);
			return 1;
		}
		amp_host_set_tap(d->host, amp_capture_tap, d->capture);
	}
	amp_host_set_step(d->host, o->step);
	daemon_open_tx_signal(d);
	record_shm(d);
	g_autofree char *ctl_path = amp_rundir_file(d->rd, "control");
	d->ctl = amp_ctl_server_new(ctl_path, ctl_handle, d, d->fds, &err);
	if (!d->ctl) {
		g_printerr("ampsim run: %s\n", err->message);
		return 1;
	}
	if (o->cuse)
		start_cuse(d);
	if (!amp_host_start(d->host, &err)) {
		g_printerr("ampsim run: %s\n", err->message);
		return 1;
	}
	daemon_say(d, "booted %s; run directory %s\n", fw, amp_rundir_path(d->rd));
	if (o->web) /* it prints its address itself */
		d->web = daemon_web_start(amp_rundir_path(d->rd), o->web);
	if (o->gdb)
		daemon_say(d,
			   "the firmware waits in gdbserver; its channels appear once it runs:\n"
			   "  gdb -ex 'target remote :%d' %s   (then 'continue')\n",
			   o->gdb_port, fw);
	daemon_say(d, "press Ctrl-C to stop\n");
	g_main_loop_run(d->loop);
	return d->exit_code;
}

/* Options are valid: serve until stopped. */
static int run(struct run_opts *o, const char *fw, char **fw_args)
{
	if (o->verbose)
		g_setenv("G_MESSAGES_DEBUG", "all", TRUE);
#if GLIB_CHECK_VERSION(2, 68, 0)
	g_log_writer_default_set_use_stderr(TRUE); /* stdout carries the summary and events */
#endif
	g_log_set_writer_func(log_writer, GINT_TO_POINTER(o->quiet), NULL);
	signal(SIGPIPE, SIG_IGN);
	struct daemon d = {.loop = g_main_loop_new(NULL, FALSE), .quiet = o->quiet, .tx_fd = -1};
	int rc = serve(&d, o, fw, fw_args);
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) sum = g_string_new(NULL);
	if (d.host && o->trace && !amp_host_trace_stop(d.host, sum, &err) &&
	    !g_error_matches(err, AMP_ERROR, AMP_ENOENT)) {
		g_printerr("ampsim run: %s\n", err->message);
		rc = rc ? rc : 1;
	}
	if (sum->len)
		daemon_say(&d, "%s", sum->str);
	amp_cuse_free(d.cuse); /* its endpoints before the host */
	daemon_web_stop(d.web);
	amp_host_free(d.host); /* stops the firmware, unlinks the shared memory */
	if (d.tx_fd >= 0)
		close(d.tx_fd);
	amp_capture_close(d.capture);
	amp_ctl_server_free(d.ctl);
	amp_rpmsg_ctrl_free(d.rctrl); /* if the bus never went down: a member of d.fds */
	amp_fd_group_free(d.fds);     /* after its members */
	amp_rundir_close(d.rd);
	release_signals();
	g_free(d.fw_name);
	g_free(d.last_dump);
	g_main_loop_unref(d.loop);
	return rc;
}

int amp_cmd_run(int argc, char **argv)
{
	struct run_opts o;
	char **fw_args = NULL;
	int rc = run_opts_parse(&argc, &argv, &o, &fw_args);
	if (rc == 0)
		rc = run(&o, argv[1], fw_args);
	run_opts_clear(&o); /* on every path: an option error leaks nothing either */
	return rc;
}
