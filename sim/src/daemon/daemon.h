/*
 * The state of one `ampsim run`, shared by its parts: run.c (options, lifecycle, control
 * socket), bind.c (announced channels -> user-facing endpoints) and rpmsg_ctrl.c
 * (endpoints made on demand through RUNDIR/rpmsg_ctrl0).
 */
#ifndef AMP_SIM_DAEMON_H
#define AMP_SIM_DAEMON_H

#include <stdbool.h>

#include <glib.h>

#include <ampsim/host.h>

#define DAEMON_MAX_SERVICES 8 /* kinds of user-facing endpoint (bind.c) */
#define DAEMON_MAX_INDEX 32   /* rpmsg_tty allows 32 ttys; the same bound for every kind */

struct amp_rpmsg_ctrl;
struct amp_cuse;

struct amp_fd_group;

struct daemon {
	GMainLoop *loop;
	struct amp_host *host;
	struct amp_rundir *rd;
	struct amp_ctl_server *ctl;
	struct amp_rpmsg_ctrl *rctrl; /* while the RPMsg bus is up, as /dev/rpmsg_ctrl0 */
	struct amp_fd_group
	    *fds; /* rarely ready sockets as one loop source: control, rpmsg_ctrl0 */
	struct amp_capture *capture; /* --capture FILE (sim/src/capture/) */
	struct amp_cuse *cuse;	     /* --cuse: /dev devices (sim/src/cuse/), or NULL */
	bool used[DAEMON_MAX_SERVICES][DAEMON_MAX_INDEX];
	const char *firmware; /* the FIRMWARE argument: its directory is a firmware directory */
	char *fw_name;	      /* what remoteproc0/firmware shows: its base name, or as written */
	bool fw_pending;      /* fw_name was written: load it at the next start */
	unsigned coredump;    /* remoteproc0/coredump: 0 disabled, 1 enabled, 2 inline */
	char *last_dump;      /* the last core dump's path, or NULL */
	int tx_fd;	      /* RUNDIR/txfree, read-write: amp_host_set_tx_signal() */
	bool quiet;
	bool described;	      /* the start-up summary was printed */
	bool quitting;	      /* a signal asked to end the run: quit once the firmware stopped */
	GSList *stop_replies; /* struct amp_ctl_pending *: 'stop' requests awaiting STOPPED */
	int exit_code;
	GPid web; /* --web: `ampsim web` as a child (run_web.c), or 0 */
};

/* run_web.c: `ampsim run --web`, the web view as a child process (docs/teaching.md). */
GPid daemon_web_start(const char *rundir, const char *listen);
void daemon_web_stop(GPid pid);

/** Print to stdout unless --quiet. */
void daemon_say(struct daemon *d, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* bind.c: serving announced channels (struct amp_host_ops callbacks). */
void daemon_bind(struct daemon *d, struct amp_host_chan *ch);
void daemon_unbind(struct daemon *d, struct amp_host_chan *ch, const char *why);
/** A message for @p ch's service; false: it cannot take it now (amp_host_rx_defer()). */
bool daemon_deliver(struct amp_host_chan *ch, const void *data, size_t len);
/** TX buffers are back: let every paused client of a channel write again. */
void daemon_resume_channels(struct daemon *d);
/** One line per channel for `ampsim ctl endpoints`. */
void daemon_list_channels(struct daemon *d, GString *out);
/** sysfs_bus.c: the "sysfs-bus" control requests of `ampsim exec`'s shim. */
gboolean daemon_sysfs_bus(struct daemon *d, const char *args, GString *out);

/* sysfs_rproc.c: remoteproc0's firmware and coredump attributes ("sysfs-firmware NAME",
 * "sysfs-coredump WORD"; replies "ERRNO: why" on failure, as the other sysfs-* requests). */
gboolean daemon_sysfs_firmware(struct daemon *d, const char *name, GString *out);
gboolean daemon_sysfs_coredump(struct daemon *d, const char *word, GString *out);
/** Before a start: read the image a firmware write named, if any; FALSE: "ERRNO: why" in @p out. */
gboolean daemon_firmware_prepare(struct daemon *d, GString *out);
/** The firmware crashed: write its core dump unless coredump is disabled. */
void daemon_coredump(struct daemon *d);
/** RUNDIR/txfree: a FIFO holding a byte while a TX buffer is free (the shim's POLLOUT). */
void daemon_open_tx_signal(struct daemon *d);
/** The firmware, coredump and last coredump lines of `ampsim ctl status`. */
void daemon_sysfs_status(struct daemon *d, GString *out);

#endif /* AMP_SIM_DAEMON_H */
