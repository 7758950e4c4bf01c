/*
 * What the integration tests share (tests/integration/common, static library amp_itest):
 * deadlines, waiting for a path, reading with a timeout, running a command and capturing
 * its output, a private scratch directory, and `ampsim run` as a child process with its
 * control socket, its ptys and its firmware. Every wait is bounded. Functions that take
 * a cmocka state fail the test themselves (fail_msg); the others say what they return.
 *
 * Nothing is written outside the scratch directory: run directories, logs and scratch
 * files all go there, and it is removed when the test program exits. ctest runs each
 * integration test in an empty temporary working directory as well (amp_itest_tmpdir).
 */
#ifndef AMP_ITEST_H
#define AMP_ITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Deadlines are safety nets, not performance assertions: each is far above what the step
 * takes on an idle machine, so that a machine whose cores are busy with other work still
 * passes.
 */
#define ITEST_BOOT_MS 30000  /* a firmware boots and announces its channels */
#define ITEST_REPLY_MS 10000 /* one answer to one request */

/** Monotonic time in ms. */
int64_t itest_now_ms(void);

void itest_msleep(int ms);

/** Wait up to @p ms for @p path to exist (@p present) or to be gone; true if it happened. */
bool itest_wait_path(const char *path, bool present, int ms);

/**
 * Read once from @p fd, waiting up to @p ms for it to become readable.
 * @return bytes read; 0 at EOF (a pty's EIO after hangup counts as EOF); -1 on timeout or
 *         error
 */
ssize_t itest_read_within(int fd, void *buf, size_t len, int ms);

/** Connect a SOCK_SEQPACKET socket to @p path; fails the test if it cannot. */
int itest_connect_seqpacket(const char *path);

/**
 * Run @p argv (argv[0] a path) with stdout and stderr captured into @p out (NUL-terminated,
 * truncated to @p len - 1 bytes; the rest is read and dropped).
 * @return its exit status, or -1 if it could not run or was killed by a signal
 */
int itest_capture(const char *const *argv, char *out, size_t len);

/** As itest_capture(), for a /bin/sh command line. */
int itest_shell(const char *cmd, char *out, size_t len);

/**
 * snprintf() that fails the test when the text does not fit: a truncated path or command
 * line would make the test check something else without saying so.
 */
void itest_fmt(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Read a whole (small) file into @p out, NUL-terminated; fails the test if it cannot. */
void itest_read_file(const char *path, char *out, size_t len);

/** Is process @p pid gone, or a zombie waiting for its (new) parent to reap it? */
bool itest_pid_dead(pid_t pid);

/**
 * This program's scratch directory (mkdtemp under $TMPDIR or /tmp, made on first use,
 * removed with everything in it when the program exits).
 */
const char *itest_scratch(void);

/** A new path in the scratch directory: "<scratch>/<stem>-<n>" (static buffer, 4 deep). */
const char *itest_scratch_path(const char *stem);

/* ---- `ampsim run` ------------------------------------------------------------------------ */

/** One `ampsim run` child. Zero it before itest_run_start(). */
struct itest_run {
	char dir[160];	    /**< its RUNDIR, in the scratch directory */
	pid_t pid;	    /**< the daemon */
	const char *errlog; /**< if set, the daemon's stderr goes to this file (no --quiet) */
	bool keep_dir;	    /**< run in @ref dir as the test made it, not in a fresh one */
	/** If set (NULL-terminated): run the daemon under this command, e.g. valgrind. */
	const char *const *wrap;
};

/**
 * Start `ampsim run --run-dir DIR [--quiet] [opts...] fw` with a fresh RUNDIR, or in r->dir
 * when r->keep_dir (it does not wait for anything). @p opts: NULL-terminated, or NULL.
 */
void itest_run_start(struct itest_run *r, const char *fw, const char *const *opts);

/**
 * itest_run_start(), then wait up to ITEST_BOOT_MS for RUNDIR/@p entry (a channel the
 * firmware announces); fails the test if it does not appear.
 */
void itest_run_boot(struct itest_run *r, const char *fw, const char *const *opts,
		    const char *entry);

/**
 * Send @p sig and wait for the daemon to exit. Unless @p sig is SIGKILL, it must exit 0
 * (under ASan: no leak, no error) within ITEST_REPLY_MS.
 */
void itest_run_stop(struct itest_run *r, int sig);

/** A cmocka teardown: SIGINT, then SIGKILL, to every run a failed test left alive. */
int itest_run_teardown(void **state);

/** The firmware address of channel @p name, from `ampsim ctl endpoints` (fails if none). */
uint32_t itest_fw_addr(const struct itest_run *r, const char *name);

/** "RUNDIR/name" (static buffer, 4 deep). */
const char *itest_run_path(const struct itest_run *r, const char *name);

/** Wait up to @p ms for RUNDIR/@p name to appear. */
bool itest_run_wait(const struct itest_run *r, const char *name, int ms);

/** The output of `ampsim ctl RUNDIR cmd` (static buffer, valid until the next call). */
const char *itest_ctl(const struct itest_run *r, const char *cmd);

/** The firmware's pid from `ampsim ctl status`, or -1 when none runs. */
int itest_fw_pid(const struct itest_run *r);

/** The counter "@p name N" in `ampsim ctl stats`; fails the test if it is not there. */
long itest_stat(const struct itest_run *r, const char *name);

/** SIGKILL the firmware; fails the test if none runs. @return the pid it had */
int itest_fw_kill(const struct itest_run *r);

/**
 * Wait up to @p ms for a firmware other than @p old_pid to run (recovery restarted it).
 * @return whether one did
 */
bool itest_fw_wait_restart(const struct itest_run *r, int old_pid, int ms);

/**
 * Open the pty RUNDIR/@p name as a user would, in raw mode (no local echo, no line
 * editing); fails the test if it cannot. @return the descriptor
 */
int itest_run_open_tty(const struct itest_run *r, const char *name);

/* ---- frame sockets (RUNDIR/rpmsgN, rpmsg_ctrl0 endpoints) ------------------------------ */

#define ITEST_EOF (-2)

/*
 * Linux's struct rpmsg_endpoint_info (<linux/rpmsg.h>), what a client writes to
 * RUNDIR/rpmsg_ctrl0 (as RPMSG_CREATE_EPT_IOCTL), and the daemon's answer
 * (sim/src/daemon/rpmsg_ctrl.h).
 */
struct itest_ept_info {
	char name[32];
	uint32_t src;
	uint32_t dst;
};

struct itest_ctrl_reply {
	int32_t status;
	struct itest_ept_info info;
};

/**
 * As itest_connect_seqpacket(), with SO_PASSCRED on: every message then carries the
 * sender's credentials, and a read of 0 bytes without them is the end (docs/cli.md,
 * "A zero-length message or the end?").
 */
int itest_connect_frames(const char *path);

/**
 * Receive one message on a socket from itest_connect_frames() (or one with SO_PASSCRED),
 * waiting up to @p ms.
 * @return its length (0 for a zero-length message); ITEST_EOF once the daemon hung up;
 *         -1 on timeout or error
 */
ssize_t itest_recv_frame(int fd, void *buf, size_t len, int ms);

#endif /* AMP_ITEST_H */
