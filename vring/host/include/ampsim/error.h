/*
 * The host's one GError domain (DESIGN D10): AMP_ERROR, whose codes are the AMP_E* values of
 * <amp/error.h>. A ring check's AMP_EPROTO, a failed open()'s errno (through
 * amp_from_errno()) and a bad profile key all reach the user as an AMP_ERROR with a message
 * that says what was wrong and what to do.
 */
#ifndef AMPSIM_ERROR_H
#define AMPSIM_ERROR_H

#include <glib.h>

#include <amp/error.h>
#include <ampsim/errno.h>

G_BEGIN_DECLS

#define AMP_ERROR (amp_error_quark())
GQuark amp_error_quark(void);

/** Set @p err (may be NULL) to AMP_ERROR / @p code (an AMP_E* value) with a printf message. */
void amp_set_error(GError **err, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/**
 * Set @p err from a failed OS call: code amp_from_errno(@p errnum), message
 * "<formatted text>: <strerror(errnum)>".
 */
void amp_set_error_errno(GError **err, int errnum, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/** The AMP_E* code of @p err: its code if in AMP_ERROR, else AMP_EIO; AMP_OK if NULL. */
int amp_error_code(const GError *err);

G_END_DECLS

#endif /* AMPSIM_ERROR_H */
