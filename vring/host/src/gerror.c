/* The AMP_ERROR GError domain; see <ampsim/error.h>. */
#include <ampsim/error.h>

#include <string.h>

G_DEFINE_QUARK(amp - error - quark, amp_error)

static void set_va(GError **err, int code, const char *suffix, const char *fmt, va_list ap)
    G_GNUC_PRINTF(4, 0);
static void set_va(GError **err, int code, const char *suffix, const char *fmt, va_list ap)
{
	if (!err)
		return;
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	if (suffix)
		g_set_error(err, AMP_ERROR, code, "%s: %s", msg, suffix);
	else
		g_set_error_literal(err, AMP_ERROR, code, msg);
}

void amp_set_error(GError **err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_va(err, code, NULL, fmt, ap);
	va_end(ap);
}

void amp_set_error_errno(GError **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_va(err, amp_from_errno(errnum), g_strerror(errnum), fmt, ap);
	va_end(ap);
}

int amp_error_code(const GError *err)
{
	if (!err)
		return AMP_OK;
	return err->domain == AMP_ERROR ? err->code : AMP_EIO;
}
