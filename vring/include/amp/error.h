/*
 * ampsim error space: 0 for success, a negative AMP_E* code for failure.
 *
 * One table generates the codes, amp_strerror() and amp_err_name(). The numbers
 * are our own (not <errno.h>), because newlib and glibc disagree on errno values;
 * the host maps errno to AMP_E* at its boundary (<ampsim/errno.h>) and carries these
 * codes in one GError domain (<ampsim/error.h>).
 */
#ifndef AMP_ERROR_H
#define AMP_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* XX(name, value, text). Values are stable: they may appear in logs and counters. */
#define AMP_ERRNO_MAP(XX)                                                    \
	XX(EINVAL, 1, "invalid argument")                                    \
	XX(ENOMEM, 2, "no free buffer or slot")                              \
	XX(EMSGSIZE, 3, "payload larger than the buffer's MTU")              \
	XX(ETIMEDOUT, 4, "timed out")                                        \
	XX(EAGAIN, 5, "resource temporarily unavailable, try again")         \
	XX(ENOTCONN, 6, "link or endpoint not ready")                        \
	XX(EPROTO, 7, "peer violated the protocol")                          \
	XX(EBROKEN, 8, "virtqueue marked broken after a protocol violation") \
	XX(EADDRINUSE, 9, "address already in use")                          \
	XX(ENOENT, 10, "no such endpoint, channel or entry")                 \
	XX(EFAULT, 11, "address range outside the shared memory")            \
	XX(ERANGE, 12, "value out of range")                                 \
	XX(EBADMSG, 13, "malformed message")                                 \
	XX(ENOTSUP, 14, "operation not supported")                           \
	XX(EBUSY, 15, "resource busy")                                       \
	XX(EIO, 16, "input/output error in the port or host")                \
	XX(EEXIST, 17, "already exists")                                     \
	XX(ENOEXEC, 18, "not a valid image or table")                        \
	XX(EACCES, 19, "permission denied")

enum amp_error {
	AMP_OK = 0,
#define AMP_ERR_ENUM_(name, value, text) AMP_##name = -(value),
	AMP_ERRNO_MAP(AMP_ERR_ENUM_)
#undef AMP_ERR_ENUM_
};

/** Human-readable text for an AMP_E* code (or "success" for 0). Never NULL. */
const char *amp_strerror(int err);

/** The code's name, e.g. "AMP_EPROTO". Never NULL. */
const char *amp_err_name(int err);

#ifdef __cplusplus
}
#endif

#endif /* AMP_ERROR_H */
