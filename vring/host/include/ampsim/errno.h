/*
 * The host's one errno <-> AMP_E* mapping (DESIGN D10): amp_from_errno() wherever an OS call
 * fails, amp_to_errno() where a Linux-compatible interface must answer in errno (as
 * RUNDIR/rpmsg_ctrl0 answers like RPMSG_CREATE_EPT_IOCTL). POSIX only, no GLib: the
 * firmware's simulator port links it too.
 */
#ifndef AMPSIM_ERRNO_H
#define AMPSIM_ERRNO_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The AMP_E* code for errno value @p e (a positive errno; 0 gives AMP_OK). Values with no
 * closer meaning map to AMP_EIO, so the result is always a valid code.
 */
int amp_from_errno(int e);

/**
 * The positive errno value for AMP_E* code @p code (AMP_OK gives 0): the errno of the same
 * name, AMP_EBROKEN gives EIO (what Linux's virtqueue returns once broken), and a value that
 * is not an AMP_E* code gives EIO.
 */
int amp_to_errno(int code);

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_ERRNO_H */
