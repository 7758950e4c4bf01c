/*
 * The host's one errno -> AMP_E* mapping, used wherever an OS call fails (DESIGN D10).
 * POSIX only, no GLib: the firmware's simulator port links it too.
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

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_ERRNO_H */
