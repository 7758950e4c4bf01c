/* The STM32MP1-on-a-PC remoteproc platform: a firmware process; see rproc_sim.h. */
#define _GNU_SOURCE
#include "rproc_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include <amp/error.h>
#include <amp/ipcc.h>
#include <amp/stm32mp1.h>
#include <ampsim/error.h>
#include <ampsim/fwenv.h>

struct amp_sim_rproc {
	struct amp_soc *soc;
	struct amp_ipcc_link *link;
	amp_sim_reset_fn reset;
	void *reset_priv;
	int efds[AMP_IPCC_LINK_NFDS]; /* this instance's, from reset(); the host owns them */
	char **fw_args;
	char **wrap;
	unsigned gdb_port;
	char *ipcc_mode;
	bool sanitize_buffers;
	char *fw_faults; /* AMPSIM_FAULTS for the next start, NULL: none */
	uint64_t fault_seed;
	GMainContext *ctx;
	struct amp_rproc *core;

	pid_t pid; /* -1: no process */
	int pidfd;
	GSource *pid_src;
};

/* ---- the process ------------------------------------------------------------------------ */

static char **build_argv(const struct amp_sim_rproc *p, const char *firmware)
{
	GPtrArray *a = g_ptr_array_new();
	for (char **w = p->wrap; w && *w; w++)
		g_ptr_array_add(a, g_strdup(*w));
	if (p->gdb_port) {
		g_ptr_array_add(a, g_strdup("gdbserver"));
		g_ptr_array_add(a, g_strdup_printf(":%u", p->gdb_port));
	}
	g_ptr_array_add(a, g_strdup(firmware));
	for (char **f = p->fw_args; f && *f; f++)
		g_ptr_array_add(a, g_strdup(*f));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static char **build_envp(const struct amp_sim_rproc *p, GError **err)
{
	struct amp_fwenv env;
	if (amp_fwenv_format(&env, p->soc->shm_name, p->efds) != AMP_OK) {
		amp_set_error(err, AMP_EINVAL, "cannot describe the shared memory to the firmware");
		return NULL;
	}
	char **envp = g_get_environ();
	envp = g_environ_setenv(envp, AMP_FWENV_ABI, strchr(env.abi, '=') + 1, TRUE);
	envp = g_environ_setenv(envp, AMP_FWENV_SHM, strchr(env.shm, '=') + 1, TRUE);
	envp = g_environ_setenv(envp, AMP_FWENV_IRQ_FDS, strchr(env.fds, '=') + 1, TRUE);
	if (p->ipcc_mode)
		envp = g_environ_setenv(envp, AMP_FWENV_IPCC_MODE, p->ipcc_mode, TRUE);
	if (p->sanitize_buffers)
		envp = g_environ_setenv(envp, AMP_FWENV_SANITIZE_BUFFERS, "1", TRUE);
	/* Only the host's plan: never one inherited from the environment ampsim runs in. */
	envp = g_environ_unsetenv(envp, AMP_FWENV_FAULTS);
	envp = g_environ_unsetenv(envp, AMP_FWENV_FAULT_SEED);
	if (p->fw_faults) {
		char seed[24];
		g_snprintf(seed, sizeof(seed), "%" G_GUINT64_FORMAT, p->fault_seed);
		envp = g_environ_setenv(envp, AMP_FWENV_FAULTS, p->fw_faults, TRUE);
		envp = g_environ_setenv(envp, AMP_FWENV_FAULT_SEED, seed, TRUE);
	}
	return envp;
}

/* In the child: only async-signal-safe calls until exec; a failure goes back through @p wfd. */
static G_GNUC_NORETURN void child(const struct amp_sim_rproc *p, char **argv, char **envp, int wfd)
{
	/* Own process group: Ctrl-C reaches the daemon, which then stops the firmware. */
	setpgid(0, 0);
	/* A firmware never outlives its host (e.g. after kill -9 of ampsim). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (amp_fwenv_inherit(p->efds) == AMP_OK)
		execvpe(argv[0], argv, envp);
	int e = errno;
	if (write(wfd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

static void reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/* fork + exec with the eventfds inherited; an exec failure comes back through a pipe. */
static pid_t spawn(const struct amp_sim_rproc *p, char **argv, char **envp, GError **err)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		amp_set_error_errno(err, errno, "cannot start %s: pipe", argv[0]);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0)
		child(p, argv, envp, pipefd[1]);
	int fork_errno = errno;
	if (pid > 0)
		setpgid(pid, pid); /* as the child does: no window where a kill misses the group */
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		amp_set_error_errno(err, fork_errno, "cannot start %s: fork", argv[0]);
		return -1;
	}
	int child_errno = 0;
	ssize_t n;
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n > 0) {
		reap(pid, NULL);
		amp_set_error_errno(err, child_errno, "cannot start %s", argv[0]);
		return -1;
	}
	return pid;
}

static void describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		g_snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		g_snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			   strsignal(WTERMSIG(status)));
	else
		g_snprintf(buf, len, "ended (wait status 0x%x)", status);
}

/*
 * SIGKILL the firmware's whole process group (the firmware and whatever it forked) while its
 * leader is not reaped yet: the zombie keeps the group id from being reused. A descendant
 * that left the group (setsid, setpgid) escapes this: docs/lifecycle.md.
 */
static void kill_group(pid_t pid)
{
	if (kill(-pid, SIGKILL) < 0)
		kill(pid, SIGKILL); /* the group is gone, or the child never made it */
}

static void forget_process(struct amp_sim_rproc *p)
{
	if (p->pid_src) {
		g_source_destroy(p->pid_src); /* also from its own callback: GLib allows it */
		g_source_unref(p->pid_src);
		p->pid_src = NULL;
	}
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
	p->pid = -1;
}

/* The pidfd is readable once the process has ended, whatever the cause. */
static gboolean on_fw_exit(gint fd, GIOCondition cond, gpointer data)
{
	struct amp_sim_rproc *p = data;
	char reason[128];
	int status = 0;
	(void)fd;
	(void)cond;
	kill_group(p->pid); /* whatever the firmware left running, also after a clean exit */
	reap(p->pid, &status);
	forget_process(p);
	describe_status(status, reason, sizeof(reason));
	if (p->core)
		amp_rproc_report_exit(p->core, reason);
	return G_SOURCE_REMOVE;
}

/* No pidfd (Linux before 5.3, or under valgrind): look for the exit every few ms instead.
 * WNOWAIT leaves the zombie, so its process group still exists for on_fw_exit(). */
static gboolean poll_exit(gpointer data)
{
	struct amp_sim_rproc *p = data;
	siginfo_t si = {0};
	if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == p->pid)
		return on_fw_exit(-1, 0, p);
	return G_SOURCE_CONTINUE;
}

#define AMP_SIM_EXIT_POLL_MS 20

static gboolean watch(struct amp_sim_rproc *p, pid_t pid, const char *name, GError **err)
{
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p->pidfd < 0 && errno != ENOSYS) {
		int e = errno;
		kill(pid, SIGKILL);
		reap(pid, NULL);
		amp_set_error_errno(err, e, "cannot watch %s: pidfd_open", name);
		return FALSE;
	}
	p->pid = pid;
	if (p->pidfd >= 0) {
		p->pid_src = g_unix_fd_source_new(p->pidfd, G_IO_IN);
		g_source_set_callback(p->pid_src, (GSourceFunc)(void (*)(void))on_fw_exit, p, NULL);
	} else {
		p->pid_src = g_timeout_source_new(AMP_SIM_EXIT_POLL_MS);
		g_source_set_callback(p->pid_src, poll_exit, p, NULL);
	}
	g_source_attach(p->pid_src, p->ctx);
	return TRUE;
}

/* ---- the ops ------------------------------------------------------------------------------ */

static gboolean sim_sanity_check(void *priv, const char *firmware, GError **err)
{
	(void)priv;
	if (g_file_test(firmware, G_FILE_TEST_IS_REGULAR) && access(firmware, X_OK) == 0)
		return TRUE;
	amp_set_error(err, AMP_EACCES,
		      "firmware %s is not an executable file; on the simulator a firmware is a "
		      "host program built with the sim port of <amp/fw_platform.h>",
		      firmware);
	return FALSE;
}

static gboolean sim_start(void *priv, const struct amp_rproc_boot *boot, GError **err)
{
	struct amp_sim_rproc *p = priv;
	/* Out of reset: what the host owns is rewritten, and this instance gets new eventfds. */
	if (!p->reset(p->reset_priv, p->efds, err))
		return FALSE;
	/* The firmware finds its loaded table through the SoC header (docs/firmware-abi.md). */
	if (amp_soc_set_rsc(p->soc, boot->table_da, boot->table_len) != AMP_OK) {
		amp_set_error(err, AMP_EFAULT,
			      "the loaded table at da 0x%" G_GINT64_MODIFIER
			      "x is not inside one region of the SoC",
			      boot->table_da);
		return FALSE;
	}
	g_auto(GStrv) envp = build_envp(p, err);
	if (!envp)
		return FALSE;
	g_auto(GStrv) argv = build_argv(p, boot->firmware);
	pid_t pid = spawn(p, argv, envp, err);
	return pid > 0 && watch(p, pid, argv[0], err);
}

static void sim_stop(void *priv)
{
	struct amp_sim_rproc *p = priv;
	amp_ipcc_link_kick(p->link, AMP_IPCC_CH_SHUTDOWN);
}

static void sim_kill(void *priv)
{
	struct amp_sim_rproc *p = priv;
	if (p->pid <= 0)
		return;
	kill_group(p->pid);
	reap(p->pid, NULL);
	forget_process(p);
}

static void sim_kick(void *priv, uint32_t notify_id)
{
	struct amp_sim_rproc *p = priv;
	/* stm32_rproc kick(): the vring's mailbox channel, by the board's one rule. */
	int ch = amp_stm32mp1_notify_chan(notify_id);
	if (ch >= 0)
		amp_ipcc_link_kick(p->link, (uint32_t)ch);
}

static void *sim_da_to_va(void *priv, uint64_t da, size_t len)
{
	struct amp_sim_rproc *p = priv;
	return amp_soc_da_to_va(p->soc, da, len);
}

const struct amp_rproc_ops amp_sim_rproc_ops = {
    .sanity_check = sim_sanity_check,
    .start = sim_start,
    .stop = sim_stop,
    .kill = sim_kill,
    .kick = sim_kick,
    .da_to_va = sim_da_to_va,
};

/* ---- the platform object ------------------------------------------------------------------- */

struct amp_sim_rproc *amp_sim_rproc_new(struct amp_soc *soc, struct amp_ipcc_link *link,
					amp_sim_reset_fn reset, void *reset_priv,
					const struct amp_host_process_cfg *cfg, GMainContext *ctx)
{
	struct amp_sim_rproc *p = g_new0(struct amp_sim_rproc, 1);
	p->soc = soc;
	p->link = link;
	p->reset = reset;
	p->reset_priv = reset_priv;
	for (int i = 0; i < AMP_IPCC_LINK_NFDS; i++)
		p->efds[i] = -1;
	p->fw_args = g_strdupv(cfg->fw_args);
	p->wrap = g_strdupv(cfg->wrap);
	p->gdb_port = cfg->gdb_port;
	p->ipcc_mode = g_strdup(cfg->ipcc_mode);
	p->sanitize_buffers = cfg->sanitize_buffers;
	p->ctx = g_main_context_ref(ctx);
	p->pid = -1;
	p->pidfd = -1;
	return p;
}

void amp_sim_rproc_set_fw_faults(struct amp_sim_rproc *p, const char *spec, uint64_t seed)
{
	g_free(p->fw_faults);
	p->fw_faults = g_strdup(spec);
	p->fault_seed = seed;
}

void amp_sim_rproc_set_core(struct amp_sim_rproc *p, struct amp_rproc *core)
{
	p->core = core;
}

void amp_sim_rproc_free(struct amp_sim_rproc *p)
{
	if (!p)
		return;
	sim_kill(p);
	g_strfreev(p->fw_args);
	g_strfreev(p->wrap);
	g_free(p->ipcc_mode);
	g_free(p->fw_faults);
	g_main_context_unref(p->ctx);
	g_free(p);
}

size_t amp_sim_rproc_mem(const struct amp_soc *soc, struct amp_rproc_mem *out, size_t max)
{
	size_t n = 0;
	for (uint32_t i = 0; i < soc->nregions && n < max; i++, n++) {
		const struct amp_soc_region *r = &soc->regions[i];
		out[n] = (struct amp_rproc_mem){.da = r->da, .size = r->size};
		g_strlcpy(out[n].name, r->name, sizeof(out[n].name));
		switch (r->purpose) {
		case AMP_SOC_PURPOSE_RAM:
			out[n].purpose = AMP_RPROC_MEM_RAM;
			break;
		case AMP_SOC_PURPOSE_VRING:
			out[n].purpose = AMP_RPROC_MEM_VRING;
			break;
		case AMP_SOC_PURPOSE_BUFFER:
			out[n].purpose = AMP_RPROC_MEM_BUFFER;
			break;
		default:
			out[n].purpose = AMP_RPROC_MEM_OTHER;
		}
	}
	return n;
}

int amp_sim_rproc_pid(const struct amp_sim_rproc *p)
{
	return p->pid;
}
