/* The firmware-process environment contract; see amp/fwenv.h and docs/firmware-abi.md. */
#include <ampsim/fwenv.h>
#include <amp/error.h>
#include <ampsim/errno.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/soc.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int fail(char *why, size_t len, int ret, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int amp_fwenv_format(struct amp_fwenv *env, const char *shm_name, const int efds[AMP_FWENV_NFDS])
{
	int n;

	if (!env || !shm_name || shm_name[0] != '/' || strlen(shm_name) >= AMP_SOC_SHM_NAME_MAX ||
	    !efds)
		return AMP_EINVAL;
	for (int i = 0; i < AMP_FWENV_NFDS; i++) {
		if (efds[i] < 0)
			return AMP_EINVAL;
	}
	snprintf(env->abi, sizeof(env->abi), AMP_FWENV_ABI "=%d", AMP_FWENV_ABI_VERSION);
	snprintf(env->shm, sizeof(env->shm), AMP_FWENV_SHM "=%s", shm_name);
	n = snprintf(env->fds, sizeof(env->fds), AMP_FWENV_IRQ_FDS "=%d,%d,%d,%d", efds[0], efds[1],
		     efds[2], efds[3]);
	return n > 0 && (size_t)n < sizeof(env->fds) ? AMP_OK : AMP_EINVAL;
}

int amp_fwenv_inherit(const int efds[AMP_FWENV_NFDS])
{
	for (int i = 0; i < AMP_FWENV_NFDS; i++) {
		int fl = fcntl(efds[i], F_GETFD);

		if (fl < 0 || fcntl(efds[i], F_SETFD, fl & ~FD_CLOEXEC) < 0)
			return amp_from_errno(errno);
	}
	return AMP_OK;
}

int amp_fwenv_read(char *name, size_t name_len, int efds[AMP_FWENV_NFDS], char *why, size_t why_len)
{
	const char *abi = getenv(AMP_FWENV_ABI);
	const char *shm = getenv(AMP_FWENV_SHM);
	const char *fds = getenv(AMP_FWENV_IRQ_FDS);
	const char *p;

	if (!name || !efds)
		return AMP_EINVAL;
	if (!abi || !shm || !fds)
		return fail(why, why_len, AMP_ENOENT, "%s, %s and %s must be set", AMP_FWENV_ABI,
			    AMP_FWENV_SHM, AMP_FWENV_IRQ_FDS);
	if (strcmp(abi, "1") != 0)
		return fail(why, why_len, AMP_ENOTSUP, "%s=%s, this firmware speaks 1",
			    AMP_FWENV_ABI, abi);
	if (shm[0] != '/' || strchr(shm + 1, '/') || strlen(shm) >= name_len ||
	    strlen(shm) >= AMP_SOC_SHM_NAME_MAX)
		return fail(why, why_len, AMP_EINVAL, "%s=%s is not a shm name", AMP_FWENV_SHM,
			    shm);
	p = fds;
	for (int i = 0; i < AMP_FWENV_NFDS; i++) {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (errno || end == p || v < 0 || v > INT_MAX ||
		    *end != (i == AMP_FWENV_NFDS - 1 ? '\0' : ','))
			return fail(why, why_len, AMP_EINVAL,
				    "%s=%s: expected 4 comma-separated fd numbers",
				    AMP_FWENV_IRQ_FDS, fds);
		if (!amp_is_eventfd((int)v))
			return fail(why, why_len, AMP_EINVAL,
				    "%s: fd %ld is not an inherited eventfd", AMP_FWENV_IRQ_FDS, v);
		efds[i] = (int)v;
		p = end + 1;
	}
	for (int i = 0; i < AMP_FWENV_NFDS; i++)
		fcntl(efds[i], F_SETFD, FD_CLOEXEC);
	/* Ended with the process that started it, as the host sets before the exec: again here
	 * for a tool in between (gdbserver) that starts it in a process group of its own,
	 * which the host's kill of the tool's group does not reach. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(name, name_len, "%s", shm);
	return AMP_OK;
}

/* The values the ABI allows; spin is for measurements only (it takes a CPU for ever). */
static const struct {
	const char *name;
	enum amp_ipcc_wait mode;
} ipcc_modes[] = {
    {"blocking", AMP_IPCC_WAIT_BLOCK},
    {"adaptive", AMP_IPCC_WAIT_ADAPTIVE},
    {"spin", AMP_IPCC_WAIT_SPIN},
};

int amp_fwenv_ipcc_mode_parse(const char *value, enum amp_ipcc_wait *mode, char *why,
			      size_t why_len)
{
	if (!mode)
		return AMP_EINVAL;
	if (!value) {
		*mode = AMP_IPCC_WAIT_BLOCK;
		return AMP_OK;
	}
	for (size_t i = 0; i < sizeof(ipcc_modes) / sizeof(ipcc_modes[0]); i++) {
		if (!strcmp(value, ipcc_modes[i].name)) {
			*mode = ipcc_modes[i].mode;
			return AMP_OK;
		}
	}
	return fail(why, why_len, AMP_EINVAL, "%s=%s: must be blocking, adaptive or spin",
		    AMP_FWENV_IPCC_MODE, value);
}

const char *amp_fwenv_ipcc_mode_name(enum amp_ipcc_wait mode)
{
	for (size_t i = 0; i < sizeof(ipcc_modes) / sizeof(ipcc_modes[0]); i++)
		if (ipcc_modes[i].mode == mode)
			return ipcc_modes[i].name;
	return NULL;
}
