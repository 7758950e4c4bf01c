/*
 * The run directory: where a run's user-facing endpoints live (rpmsgN sockets,
 * ttyRPMSGn symlinks, the control socket). A live run holds an flock on RUNDIR/ampsim.pid,
 * so a second run on the same directory is refused and a killed run is recognised (the
 * lock died with it).
 *
 * The directory may hold the user's own files: a run removes only what it recorded in
 * RUNDIR/ampsim.entries before making it, and only sockets, symlinks and FIFOs (never a
 * regular file). A file of someone else's under a name ampsim needs makes the run refuse. The
 * directory must be the user's and not writable by group or others (as ssh requires of
 * key files): whoever can write there could replace the sockets.
 */
#ifndef AMP_SIM_RUNDIR_H
#define AMP_SIM_RUNDIR_H

#include <glib.h>

struct amp_rundir;

/** $XDG_RUNTIME_DIR/ampsim, or /tmp/ampsim-<uid> when XDG_RUNTIME_DIR is unset. Free with g_free.
 */
char *amp_rundir_default(void);

/**
 * What a client command's ENDPOINT argument names: a bare entry name (rpmsg0, ttyRPMSG1,
 * rpmsg_ctrl0, rpmsg-sdb, control: no '/') is that entry of the default run directory, as
 * `ampsim ctl` defaults its RUNDIR; anything else is a path as given (./rpmsg0 for one in
 * the current directory). Free with g_free.
 */
char *amp_rundir_resolve(const char *arg);

/** Is @name one ampsim makes in a run directory (control, shm, rpmsg_ctrl0, rpmsg-sdb, rpmsgN,
 * ttyRPMSGN, txfree, or one of those + ".new", the temporary a socket is bound under)? */
gboolean amp_rundir_is_entry_name(const char *name);

/**
 * Create (mode 0700, whatever the umask) or take over @path, lock it for this process and
 * remove the sockets and symlinks a dead run recorded there. NULL with @err set (AMP_ERROR)
 * on failure: AMP_EBUSY when another live run holds it, AMP_EACCES when another user owns
 * it or group or others may write to it, AMP_EINVAL when it is not a directory, AMP_EEXIST
 * when a file ampsim did not make has a name ampsim needs (the message names it), else the
 * OS's errno through amp_from_errno().
 */
struct amp_rundir *amp_rundir_open(const char *path, GError **err);

/** Remove what this run created in the directory (nothing else) and release the lock;
 * the directory goes too when that leaves it empty. */
void amp_rundir_close(struct amp_rundir *rd);

const char *amp_rundir_path(const struct amp_rundir *rd);

/**
 * The path of @name (amp_rundir_is_entry_name() must hold) inside the run directory, for an
 * entry this run is about to make: recorded first, so that this run, or the next one after
 * a kill, removes it and nothing else. g_free() it.
 */
char *amp_rundir_file(struct amp_rundir *rd, const char *name);

/**
 * For `ampsim cleanup`: remove a dead run's recorded sockets and symlinks from @path; other
 * files are left alone. Returns the number of entries removed, or a negative AMP_E* code
 * with @err set (@err must not be NULL), for example AMP_EBUSY when a live run holds the
 * directory, AMP_EACCES when it is not safe (see amp_rundir_open()).
 */
int amp_rundir_cleanup(const char *path, GError **err);

#endif /* AMP_SIM_RUNDIR_H */
