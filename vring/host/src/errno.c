/* errno <-> AMP_E*; see <ampsim/errno.h>. */
#include <ampsim/errno.h>

#include <errno.h>

#include <amp/error.h>

int amp_from_errno(int e)
{
	switch (e) {
	case 0:
		return AMP_OK;
	case EINVAL:
		return AMP_EINVAL;
	case ENOMEM:
	case ENOSPC:
	case ENOBUFS:
	case EMFILE:
	case ENFILE:
		return AMP_ENOMEM;
	case EMSGSIZE:
		return AMP_EMSGSIZE;
	case ETIMEDOUT:
		return AMP_ETIMEDOUT;
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EINTR:
		return AMP_EAGAIN;
	case ENOTCONN:
	case EPIPE:
	case ECONNRESET:
	case ECONNREFUSED:
		return AMP_ENOTCONN;
	case EPROTO:
		return AMP_EPROTO;
	case EADDRINUSE:
		return AMP_EADDRINUSE;
	case ENOENT:
	case ESRCH:
		return AMP_ENOENT;
	case EFAULT:
		return AMP_EFAULT;
	case ERANGE:
	case EOVERFLOW:
	case EFBIG:
		return AMP_ERANGE;
	case EBADMSG:
		return AMP_EBADMSG;
	case ENOTSUP:
#if EOPNOTSUPP != ENOTSUP
	case EOPNOTSUPP:
#endif
	case ENOSYS:
		return AMP_ENOTSUP;
	case EBUSY:
		return AMP_EBUSY;
	case EEXIST:
		return AMP_EEXIST;
	case ENOEXEC:
		return AMP_ENOEXEC;
	case EACCES:
	case EPERM:
		return AMP_EACCES;
	default:
		return AMP_EIO;
	}
}

int amp_to_errno(int code)
{
	switch (code) {
	case AMP_OK:
		return 0;
#define TO_ERRNO_(name)  \
	case AMP_##name: \
		return name;
		TO_ERRNO_(EINVAL)
		TO_ERRNO_(ENOMEM)
		TO_ERRNO_(EMSGSIZE)
		TO_ERRNO_(ETIMEDOUT)
		TO_ERRNO_(EAGAIN)
		TO_ERRNO_(ENOTCONN)
		TO_ERRNO_(EPROTO)
		TO_ERRNO_(EADDRINUSE)
		TO_ERRNO_(ENOENT)
		TO_ERRNO_(EFAULT)
		TO_ERRNO_(ERANGE)
		TO_ERRNO_(EBADMSG)
		TO_ERRNO_(ENOTSUP)
		TO_ERRNO_(EBUSY)
		TO_ERRNO_(EEXIST)
		TO_ERRNO_(ENOEXEC)
		TO_ERRNO_(EACCES)
#undef TO_ERRNO_
	default: /* AMP_EIO, AMP_EBROKEN and anything unknown */
		return EIO;
	}
}
