/*
 * The run directory: where a run's user-facing endpoints live (rpmsgN sockets,
 * ttyRPMSGn symlinks, the control socket). A live run holds an flock on RUNDIR/ampsim.pid,
 * so a second run on the same directory is refused and a killed run's leftovers are
 * recognised (the lock died with it) and removed.
 */
#ifndef AMP_SIM_RUNDIR_H
#define AMP_SIM_RUNDIR_H

#include <glib.h>

struct amp_rundir;

/** $XDG_RUNTIME_DIR/ampsim, or /tmp/ampsim-<uid> when XDG_RUNTIME_DIR is unset. Free with g_free.
 */
char *amp_rundir_default(void);

/**
 * Create (mode 0700) or take over @path, lock it for this process and remove what a
 * dead run left there. NULL with @err set (AMP_ERROR) on failure: AMP_EBUSY when another
 * live run holds it, AMP_EACCES when another user owns it, AMP_EINVAL when it is not a
 * directory, else the OS's errno through amp_from_errno().
 */
struct amp_rundir *amp_rundir_open(const char *path, GError **err);

/** Remove everything this run created in the directory and release the lock. */
void amp_rundir_close(struct amp_rundir *rd);

const char *amp_rundir_path(const struct amp_rundir *rd);

/** A path inside the run directory (g_free it). */
char *amp_rundir_file(const struct amp_rundir *rd, const char *name);

/**
 * For `ampsim cleanup`: remove a dead run's leftovers from @path. Returns the number of
 * entries removed, or a negative AMP_E* code with @err set (@err must not be NULL), for
 * example AMP_EBUSY when a live run holds the directory.
 */
int amp_rundir_cleanup(const char *path, GError **err);

#endif /* AMP_SIM_RUNDIR_H */
