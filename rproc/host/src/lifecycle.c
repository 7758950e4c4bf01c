/* remoteproc lifecycle for a firmware process; see <ampsim/rproc.h>. */
#define _GNU_SOURCE
#include <ampsim/rproc.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include <amp/error.h>
#include <ampsim/fwenv.h>
#include <amp/rproc_elf.h>
#include <ampsim/rsc_dump.h>
#include <amp/rsc_error.h>
#include <amp/rsc_parse.h>
#include <amp/stm32mp1.h>
#include <amp/vring_layout.h>

#define RPROC_STOP_GRACE_MS 500 /* stm32_rproc waits this long for the shutdown ack */
#define RPROC_PAGE 4096u

struct amp_rproc {
	struct amp_soc *soc;
	struct amp_ipcc_link *link;
	int efds[AMP_IPCC_LINK_NFDS];
	struct amp_rproc_cfg cfg;
	char **argv; /* wrap + firmware + args */

	uint8_t *cached; /* the validated table from the ELF file */
	size_t cached_len;
	struct amp_rsc_vdev_info vinfo;
	uint32_t vdev_off;
	bool has_trace;
	struct amp_rsc_trace_info trace;
	uint32_t wdg_off; /* the watchdog entry's offset in the table, 0 = none */
	uint32_t wdg_ms;
	uint32_t wdg_seen; /* refresh value at the last check */
	guint wdg_src;
	GString *crash_trace; /* the trace buffer when the firmware last crashed */

	uint8_t *loaded; /* the loaded table, in shared memory */
	uint64_t loaded_da;
	struct amp_rproc_vdev vdev;

	enum amp_rproc_state state;
	char reason[128];
	pid_t pid;
	int pidfd;
	guint pid_src;
	guint recover_src;
	struct amp_rproc_stats stats;
};

static void set_err(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void set_err(GError **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, msg);
}

/* ---- reading the firmware -------------------------------------------------------------- */

static gboolean check_file(const char *path, GError **err)
{
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		set_err(err,
			"firmware %s not found; build it first (cmake --build --preset "
			"default) or check the path",
			path);
		return FALSE;
	}
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) || access(path, X_OK) != 0) {
		set_err(err,
			"firmware %s is not an executable file; on the simulator a firmware "
			"is a host program built with the sim port (fw-sample/port/sim)",
			path);
		return FALSE;
	}
	return TRUE;
}

static gboolean read_table(struct amp_rproc *rp, GError **err)
{
	uint8_t *image;
	size_t len;
	int rc = amp_elf_read_file(rp->cfg.firmware, &image, &len);
	if (rc != AMP_OK) {
		set_err(err, "cannot read firmware %s: %s", rp->cfg.firmware, amp_strerror(rc));
		return FALSE;
	}
	struct amp_elf_info info;
	struct amp_elf_section sec;
	struct amp_rsc_error e;
	const uint8_t *table;
	size_t tlen;
	rc = amp_elf_find_rsc_table(image, len, &info, &sec, &table, &tlen, &e);
	if (rc != AMP_OK) {
		char why[200];
		if (e.reason == AMP_RSC_ERR_ELF_SECTION_NOT_FOUND)
			g_strlcpy(why, "no section .resource_table in this ELF file", sizeof(why));
		else
			amp_rsc_error_format(&e, why, sizeof(why));
		set_err(err,
			"firmware %s: %s. A firmware declares its resource table in the "
			"section .resource_table (see docs/resource-table.md); "
			"'ampsim rsc-table %s' shows what is there",
			rp->cfg.firmware, why, rp->cfg.firmware);
		free(image);
		return FALSE;
	}
	rp->cached = g_memdup2(table, tlen);
	rp->cached_len = tlen;
	free(image);
	return TRUE;
}

/* The vendor hook (Linux rproc_handle_rsc): ampsim's watchdog entry, others ignored. */
static int on_vendor(void *ctx, const struct amp_rsc_entry *e, const uint8_t *body, uint32_t avail)
{
	struct amp_rproc *rp = ctx;
	uint32_t len, timeout_ms;
	if (e->type != AMP_RSC_AMPSIM_WATCHDOG)
		return AMP_RSC_IGNORED;
	/* body starts after the type word */
	if ((uint64_t)avail + 4 < sizeof(struct amp_fw_rsc_watchdog))
		return AMP_ENOEXEC;
	memcpy(&len, body, 4);
	memcpy(&timeout_ms, body + 4, 4);
	len = GUINT32_FROM_LE(len);
	timeout_ms = GUINT32_FROM_LE(timeout_ms);
	/* refresh is read with one atomic load while the firmware writes it: keep it aligned */
	if (len < sizeof(struct amp_fw_rsc_watchdog) || len - 4 > avail || timeout_ms == 0 ||
	    e->offset % 4)
		return AMP_ERANGE;
	rp->wdg_off = e->offset;
	rp->wdg_ms = rp->cfg.watchdog_ms ? rp->cfg.watchdog_ms : timeout_ms;
	return 0;
}

static gboolean find_watchdog(struct amp_rproc *rp, GError **err)
{
	struct amp_rsc_visitor v = {.vendor = on_vendor};
	struct amp_rsc_error re;
	if (amp_rsc_parse(rp->cached, rp->cached_len, &v, rp, NULL, &re) != AMP_OK) {
		char why[200];
		amp_rsc_error_format(&re, why, sizeof(why));
		set_err(err,
			"firmware %s: watchdog entry: %s (len must be >= 16 and fit, "
			"timeout_ms nonzero, offset a multiple of 4)",
			rp->cfg.firmware, why);
		return FALSE;
	}
	if (rp->cfg.watchdog_ms && !rp->wdg_off) {
		set_err(err,
			"a %u ms watchdog was requested but firmware %s declares no watchdog "
			"entry to refresh (AMP_RSC_WATCHDOG_INIT in <amp/rsc_declare.h>)",
			rp->cfg.watchdog_ms, rp->cfg.firmware);
		return FALSE;
	}
	return TRUE;
}

static gboolean find_entries(struct amp_rproc *rp, GError **err)
{
	struct amp_rsc_entry e;
	struct amp_rsc_error re;
	if (amp_rsc_find(rp->cached, rp->cached_len, AMP_RSC_KIND_VDEV, 0, &e, &re) != AMP_OK) {
		set_err(err,
			"firmware %s declares no vdev in its resource table, so it has no "
			"RPMsg link; add an rpmsg vdev (AMP_RSC_TABLE_RPMSG_INIT in "
			"<amp/rsc_declare.h>)",
			rp->cfg.firmware);
		return FALSE;
	}
	rp->vinfo = e.u.vdev;
	rp->vdev_off = e.offset;
	if (rp->vinfo.id != AMP_VIRTIO_ID_RPMSG || rp->vinfo.num_of_vrings != 2) {
		set_err(err,
			"firmware %s: vdev 0 is virtio device %u with %u vrings; ampsim "
			"serves rpmsg (id 7) with 2 vrings",
			rp->cfg.firmware, rp->vinfo.id, rp->vinfo.num_of_vrings);
		return FALSE;
	}
	struct amp_rpmsg_pool_cfg pc = {
	    .num = {rp->vinfo.vring[0].num, rp->vinfo.vring[1].num},
	    .r2h_size = rp->vinfo.r2h_buf_size,
	    .h2r_size = rp->vinfo.h2r_buf_size,
	};
	int rc = amp_rpmsg_pool_init(&rp->vdev.pool, &pc);
	if (rc != AMP_OK) {
		set_err(err, "firmware %s: no RPMsg buffer pool for its vdev: %s", rp->cfg.firmware,
			amp_strerror(rc));
		return FALSE;
	}
	if (amp_rsc_find(rp->cached, rp->cached_len, AMP_RSC_KIND_TRACE, 0, &e, &re) == AMP_OK) {
		rp->has_trace = true;
		rp->trace = e.u.trace;
	}
	return find_watchdog(rp, err);
}

static void build_argv(struct amp_rproc *rp)
{
	GPtrArray *a = g_ptr_array_new();
	for (char **w = rp->cfg.wrap; w && *w; w++)
		g_ptr_array_add(a, g_strdup(*w));
	if (rp->cfg.gdb_port) {
		g_ptr_array_add(a, g_strdup("gdbserver"));
		g_ptr_array_add(a, g_strdup_printf(":%u", rp->cfg.gdb_port));
	}
	g_ptr_array_add(a, g_strdup(rp->cfg.firmware));
	for (char **f = rp->cfg.fw_args; f && *f; f++)
		g_ptr_array_add(a, g_strdup(*f));
	g_ptr_array_add(a, NULL);
	rp->argv = (char **)g_ptr_array_free(a, FALSE);
}

struct amp_rproc *amp_rproc_new(struct amp_soc *soc, struct amp_ipcc_link *host_link,
				const int efds[AMP_IPCC_LINK_NFDS], const struct amp_rproc_cfg *cfg,
				GError **err)
{
	if (!check_file(cfg->firmware, err))
		return NULL;
	struct amp_rproc *rp = g_new0(struct amp_rproc, 1);
	rp->soc = soc;
	rp->link = host_link;
	memcpy(rp->efds, efds, sizeof(rp->efds));
	rp->cfg = *cfg;
	rp->cfg.firmware = g_strdup(cfg->firmware);
	rp->pid = -1;
	rp->pidfd = -1;
	build_argv(rp);
	if (!read_table(rp, err) || !find_entries(rp, err)) {
		amp_rproc_free(rp);
		return NULL;
	}
	return rp;
}

/* ---- placing the vdev in the SoC memory map ---------------------------------------------- */

static gboolean load_table(struct amp_rproc *rp, GError **err)
{
	/* The loaded table lives at the start of MCU SRAM, as the firmware image would. */
	const struct amp_soc_region *r = amp_soc_region_by_purpose(rp->soc, AMP_SOC_PURPOSE_RAM);
	if (!r || r->size < rp->cached_len) {
		set_err(err,
			"the SoC profile has no RAM region that can hold the %zu-byte "
			"resource table",
			rp->cached_len);
		return FALSE;
	}
	rp->loaded_da = r->da;
	rp->loaded = amp_soc_da_to_va(rp->soc, r->da, rp->cached_len);
	if (!rp->loaded) {
		set_err(err, "region %s is not mapped", r->name);
		return FALSE;
	}
	memcpy(rp->loaded, rp->cached, rp->cached_len);
	amp_soc_set_rsc(rp->soc, rp->loaded_da, rp->cached_len);
	return TRUE;
}

static size_t vring_bytes(const struct amp_rsc_vring_info *v)
{
	/* Linux sizes the carveout as PAGE_ALIGN(vring_size(num, align)). */
	return (amp_vring_size(v->num, v->align) + RPROC_PAGE - 1) & ~(size_t)(RPROC_PAGE - 1);
}

/* rproc_check_carveout_da: the request must fit the pre-registered carveout. */
static gboolean check_carveout(const struct amp_soc_region *r, int i, uint32_t da, size_t len,
			       GError **err)
{
	if (len > r->size) {
		set_err(err,
			"vring%d needs 0x%zx bytes (page-aligned) but region %s has "
			"0x%" G_GINT64_MODIFIER
			"x; use fewer entries or a smaller align in the resource table",
			i, len, r->name, r->size);
		return FALSE;
	}
	if (da == AMP_FW_RSC_ADDR_ANY || (da >= r->da && da - r->da <= r->size - len))
		return TRUE;
	set_err(err,
		"vring%d at da 0x%x (0x%zx bytes) is not inside region %s (0x%" G_GINT64_MODIFIER
		"x bytes at 0x%" G_GINT64_MODIFIER "x); use that address or FW_RSC_ADDR_ANY",
		i, da, len, r->name, r->size, r->da);
	return FALSE;
}

/* ANY, and no region named vdev0vring<i>: first fit in the profile's regions of purpose
 * vring, after vring0 if it went there, as Linux allocates a carveout for such a vring. */
static gboolean alloc_vring(struct amp_rproc *rp, int i, uint64_t *da, GError **err)
{
	size_t len = vring_bytes(&rp->vinfo.vring[i]);
	const struct amp_vring_info *v0 = &rp->vdev.vring[0];
	for (uint32_t k = 0; k < rp->soc->nregions; k++) {
		const struct amp_soc_region *r = &rp->soc->regions[k];
		if (r->purpose != AMP_SOC_PURPOSE_VRING)
			continue;
		uint64_t start = r->da;
		if (i == 1 && v0->da >= r->da && v0->da - r->da < r->size)
			start = v0->da + vring_bytes(&rp->vinfo.vring[0]);
		if (start - r->da <= r->size && len <= r->size - (start - r->da)) {
			*da = start;
			return TRUE;
		}
	}
	set_err(err,
		"vring%d has da ANY and needs 0x%zx bytes, but the SoC profile has no region "
		"vdev0vring%d and no region of purpose vring with room for it",
		i, len, i);
	return FALSE;
}

/* Where vring i goes: its named region (as Linux's rp_find_vq uses the carveout's da),
 * else the fixed da the table gives, else allocated in a vring region. */
static gboolean vring_da(struct amp_rproc *rp, int i, uint64_t *da, GError **err)
{
	const struct amp_rsc_vring_info *v = &rp->vinfo.vring[i];
	char name[32];
	g_snprintf(name, sizeof(name), "vdev0vring%d", i);
	const struct amp_soc_region *r = amp_soc_region_by_name(rp->soc, name);
	if (r) {
		*da = r->da;
		return check_carveout(r, i, v->da, vring_bytes(v), err);
	}
	if (v->da == AMP_FW_RSC_ADDR_ANY)
		return alloc_vring(rp, i, da, err);
	*da = v->da;
	if (amp_soc_da_to_va(rp->soc, *da, vring_bytes(v)))
		return TRUE;
	set_err(err,
		"vring%d at da 0x%x (0x%zx bytes) is not inside one region of the SoC memory map",
		i, v->da, vring_bytes(v));
	return FALSE;
}

static gboolean place_vring(struct amp_rproc *rp, int i, GError **err)
{
	const struct amp_rsc_vring_info *v = &rp->vinfo.vring[i];
	uint64_t da;
	if (!vring_da(rp, i, &da, err))
		return FALSE;
	rp->vdev.vring[i] = (struct amp_vring_info){
	    .da = da, .num = v->num, .align = v->align, .notify_id = (uint32_t)i};
	/* A (re)started firmware finds clean rings, as after Linux's fresh carveout. */
	memset(amp_soc_da_to_va(rp->soc, da, vring_bytes(v)), 0, vring_bytes(v));
	/* As Linux: the host writes da and assigns notify ids in table order. */
	amp_rsc_put_u32(rp->loaded, rp->cached_len, v->offset + AMP_RSC_VRING_DA_OFF, (uint32_t)da);
	amp_rsc_put_u32(rp->loaded, rp->cached_len, v->offset + AMP_RSC_VRING_NOTIFYID_OFF,
			(uint32_t)i);
	return TRUE;
}

static gboolean place_buffers(struct amp_rproc *rp, GError **err)
{
	/* Each direction from its own vring and buffer size, RX first (amp_rpmsg_pool_init). */
	const struct amp_rpmsg_pool *p = &rp->vdev.pool;
	uint64_t need = p->total;
	const struct amp_soc_region *r = amp_soc_region_by_name(rp->soc, "vdev0buffer");
	if (!r)
		r = amp_soc_region_by_purpose(rp->soc, AMP_SOC_PURPOSE_BUFFER);
	if (!r || r->size < need) {
		g_autofree char *have =
		    r ? g_strdup_printf("has only 0x%" G_GINT64_MODIFIER "x", r->size)
		      : g_strdup("is missing");
		set_err(err,
			"%u + %u buffers of %u and %u bytes need 0x%" G_GINT64_MODIFIER "x bytes "
			"but the SoC profile's vdev0buffer region %s; give fewer vring entries or "
			"smaller buffers in the resource table, or a larger vdev0buffer in the "
			"profile",
			p->r2h.count, p->h2r.count, p->r2h.size, p->h2r.size, need, have);
		return FALSE;
	}
	rp->vdev.pool_da = r->da;
	rp->vdev.pool_size = (uint32_t)need;
	memset(amp_soc_da_to_va(rp->soc, r->da, need), 0, need); /* no stale messages */
	rp->vdev.dfeatures = rp->vinfo.dfeatures;
	return TRUE;
}

static char *trace_ptr(const struct amp_rproc *rp)
{
	if (!rp->has_trace)
		return NULL;
	return amp_soc_da_to_va(rp->soc, rp->trace.da, rp->trace.len);
}

static gboolean setup_vdev(struct amp_rproc *rp, GError **err)
{
	if (!load_table(rp, err) || !place_vring(rp, 0, err) || !place_vring(rp, 1, err) ||
	    !place_buffers(rp, err))
		return FALSE;
	amp_rproc_set_status(rp, 0);
	amp_rproc_set_gfeatures(rp, 0);
	char *trace = trace_ptr(rp);
	if (trace)
		memset(trace, 0, rp->trace.len);
	else if (rp->has_trace)
		g_warning("trace buffer %s at da 0x%x (%u bytes) is outside the SoC memory map; "
			  "'ampsim ctl trace' will be empty",
			  rp->trace.name, rp->trace.da, rp->trace.len);
	return TRUE;
}

/* ---- the firmware process ------------------------------------------------------------------ */

static gboolean on_fw_exit(gint fd, GIOCondition cond, gpointer data);
static void trace_copy(const struct amp_rproc *rp, GString *out);

/* fork + exec with the eventfds inherited; an exec failure comes back through a pipe. */
static gboolean spawn(struct amp_rproc *rp, GError **err)
{
	struct amp_fwenv env;
	if (amp_fwenv_format(&env, rp->soc->shm_name, rp->efds) != AMP_OK) {
		set_err(err, "cannot describe the shared memory to the firmware");
		return FALSE;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		set_err(err, "pipe: %s", g_strerror(errno));
		return FALSE;
	}
	g_auto(GStrv) envp = g_get_environ();
	envp = g_environ_setenv(envp, AMP_FWENV_ABI, strchr(env.abi, '=') + 1, TRUE);
	envp = g_environ_setenv(envp, AMP_FWENV_SHM, strchr(env.shm, '=') + 1, TRUE);
	envp = g_environ_setenv(envp, AMP_FWENV_IRQ_FDS, strchr(env.fds, '=') + 1, TRUE);
	if (rp->cfg.ipcc_mode)
		envp = g_environ_setenv(envp, AMP_FWENV_IPCC_MODE, rp->cfg.ipcc_mode, TRUE);
	pid_t pid = fork();
	if (pid < 0) {
		set_err(err, "fork: %s", g_strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return FALSE;
	}
	if (pid == 0) {
		/* Own process group: Ctrl-C reaches the daemon, which then stops the firmware. */
		setpgid(0, 0);
		/* A firmware never outlives its host (e.g. after kill -9 of ampsim). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (amp_fwenv_inherit(rp->efds) == AMP_OK)
			execvpe(rp->argv[0], rp->argv, envp);
		int e = errno;
		if (write(pipefd[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pipefd[1]);
	int child_errno = 0;
	ssize_t n;
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n > 0) {
		waitpid(pid, NULL, 0);
		set_err(err, "cannot start %s: %s", rp->argv[0], g_strerror(child_errno));
		return FALSE;
	}
	rp->pid = pid;
	rp->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (rp->pidfd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		set_err(err, "pidfd_open: %s (Linux 5.3 or later is needed)", g_strerror(errno));
		return FALSE;
	}
	rp->pid_src = g_unix_fd_add(rp->pidfd, G_IO_IN, on_fw_exit, rp);
	return TRUE;
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

/* Reap the child; returns its wait status, or -1 if it has not exited. */
static int reap(struct amp_rproc *rp, int timeout_ms)
{
	struct pollfd p = {.fd = rp->pidfd, .events = POLLIN};
	if (timeout_ms > 0 && poll(&p, 1, timeout_ms) <= 0)
		return -1;
	int status;
	if (waitpid(rp->pid, &status, timeout_ms > 0 ? WNOHANG : 0) != rp->pid)
		return -1;
	return status;
}

static void forget_process(struct amp_rproc *rp)
{
	if (rp->pid_src)
		g_source_remove(rp->pid_src);
	rp->pid_src = 0;
	if (rp->pidfd >= 0)
		close(rp->pidfd);
	rp->pidfd = -1;
	rp->pid = -1;
}

static gboolean recover(gpointer data)
{
	struct amp_rproc *rp = data;
	rp->recover_src = 0;
	g_autoptr(GError) err = NULL;
	g_message("recovering: rebooting firmware %s", rp->cfg.firmware);
	if (amp_rproc_start(rp, &err))
		rp->stats.recoveries++;
	else
		g_warning("recovery failed: %s", err->message);
	return G_SOURCE_REMOVE;
}

static void stop_watchdog(struct amp_rproc *rp)
{
	if (rp->wdg_src)
		g_source_remove(rp->wdg_src);
	rp->wdg_src = 0;
}

/* The process is gone (reaped): record why, keep its trace, then recover unless told not. */
static void crashed(struct amp_rproc *rp)
{
	stop_watchdog(rp);
	rp->state = AMP_RPROC_CRASHED;
	rp->stats.crashes++;
	const char *t = trace_ptr(rp);
	if (t) {
		if (!rp->crash_trace)
			rp->crash_trace = g_string_new(NULL);
		g_string_truncate(rp->crash_trace, 0);
		trace_copy(rp, rp->crash_trace);
	}
	g_warning("firmware crashed: %s", rp->reason);
	if (rp->cfg.cb)
		rp->cfg.cb(rp->cfg.priv, AMP_RPROC_EV_CRASHED);
	if (!rp->cfg.no_recovery && rp->state == AMP_RPROC_CRASHED)
		rp->recover_src = g_idle_add(recover, rp);
}

static gboolean on_fw_exit(gint fd, GIOCondition cond, gpointer data)
{
	struct amp_rproc *rp = data;
	(void)fd;
	(void)cond;
	int status = reap(rp, 0);
	rp->pid_src = 0; /* this source ends here */
	forget_process(rp);
	describe_status(status, rp->reason, sizeof(rp->reason));
	crashed(rp);
	return G_SOURCE_REMOVE;
}

static uint32_t wdg_refresh(const struct amp_rproc *rp)
{
	/* The firmware writes this word concurrently: one aligned relaxed load. */
	const void *p = rp->loaded + rp->wdg_off + offsetof(struct amp_fw_rsc_watchdog, refresh);
	return GUINT32_FROM_LE(__atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED));
}

/* Like the STM32MP1 IWDG: no refresh for a whole period resets the core (SIGKILL here). */
static gboolean on_watchdog(gpointer data)
{
	struct amp_rproc *rp = data;
	uint32_t now = wdg_refresh(rp);
	if (now != rp->wdg_seen) {
		rp->wdg_seen = now;
		return G_SOURCE_CONTINUE;
	}
	rp->wdg_src = 0;
	kill(rp->pid, SIGKILL);
	reap(rp, 0);
	forget_process(rp);
	g_snprintf(rp->reason, sizeof(rp->reason), "watchdog expired (no refresh for %u ms)",
		   rp->wdg_ms);
	rp->stats.watchdogs++;
	crashed(rp);
	return G_SOURCE_REMOVE;
}

static void start_watchdog(struct amp_rproc *rp)
{
	if (!rp->wdg_off)
		return;
	rp->wdg_seen = wdg_refresh(rp);
	rp->wdg_src = g_timeout_add(rp->wdg_ms, on_watchdog, rp);
}

/* ---- public ---------------------------------------------------------------------------------- */

gboolean amp_rproc_start(struct amp_rproc *rp, GError **err)
{
	if (rp->state == AMP_RPROC_RUNNING)
		return TRUE;
	if (rp->recover_src)
		g_source_remove(rp->recover_src);
	rp->recover_src = 0;
	if (!setup_vdev(rp, err) || !spawn(rp, err))
		return FALSE;
	start_watchdog(rp);
	rp->state = AMP_RPROC_RUNNING;
	rp->stats.starts++;
	if (rp->cfg.cb)
		rp->cfg.cb(rp->cfg.priv, AMP_RPROC_EV_STARTED);
	return TRUE;
}

void amp_rproc_stop(struct amp_rproc *rp)
{
	if (rp->recover_src)
		g_source_remove(rp->recover_src);
	rp->recover_src = 0;
	if (rp->state != AMP_RPROC_RUNNING) {
		rp->state = AMP_RPROC_OFFLINE;
		return;
	}
	if (rp->cfg.cb)
		rp->cfg.cb(rp->cfg.priv, AMP_RPROC_EV_STOPPING);
	stop_watchdog(rp);
	if (rp->pid_src)
		g_source_remove(rp->pid_src);
	rp->pid_src = 0;
	amp_ipcc_link_kick(rp->link, AMP_IPCC_CH_SHUTDOWN);
	if (reap(rp, RPROC_STOP_GRACE_MS) < 0) {
		kill(rp->pid, SIGKILL);
		rp->stats.kills++;
		reap(rp, 0);
	}
	forget_process(rp);
	amp_rproc_set_status(rp, 0);
	rp->state = AMP_RPROC_OFFLINE;
	rp->stats.stops++;
}

void amp_rproc_free(struct amp_rproc *rp)
{
	if (!rp)
		return;
	rp->cfg.cb = NULL;
	amp_rproc_stop(rp);
	g_strfreev(rp->argv);
	g_free((char *)rp->cfg.firmware);
	g_free(rp->cached);
	if (rp->crash_trace)
		g_string_free(rp->crash_trace, TRUE);
	g_free(rp);
}

enum amp_rproc_state amp_rproc_state(const struct amp_rproc *rp)
{
	return rp->state;
}

const char *amp_rproc_state_name(enum amp_rproc_state s)
{
	switch (s) {
	case AMP_RPROC_OFFLINE:
		return "offline";
	case AMP_RPROC_RUNNING:
		return "running";
	case AMP_RPROC_CRASHED:
		return "crashed";
	}
	return "invalid";
}

const char *amp_rproc_crash_reason(const struct amp_rproc *rp)
{
	return rp->reason[0] ? rp->reason : NULL;
}

int amp_rproc_pid(const struct amp_rproc *rp)
{
	return rp->pid;
}

const struct amp_rproc_vdev *amp_rproc_vdev(const struct amp_rproc *rp)
{
	return &rp->vdev;
}

const struct amp_rproc_stats *amp_rproc_stats(const struct amp_rproc *rp)
{
	return &rp->stats;
}

void amp_rproc_set_status(struct amp_rproc *rp, uint8_t status)
{
	if (rp->loaded)
		amp_rsc_put_u8(rp->loaded, rp->cached_len, rp->vdev_off + AMP_RSC_VDEV_STATUS_OFF,
			       status);
}

void amp_rproc_set_gfeatures(struct amp_rproc *rp, uint32_t features)
{
	if (rp->loaded)
		amp_rsc_put_u32(rp->loaded, rp->cached_len,
				rp->vdev_off + AMP_RSC_VDEV_GFEATURES_OFF, features);
}

gboolean amp_rproc_crash_trace(const struct amp_rproc *rp, GString *out)
{
	if (!rp->crash_trace)
		return FALSE;
	g_string_append_len(out, rp->crash_trace->str, (gssize)rp->crash_trace->len);
	return TRUE;
}

gboolean amp_rproc_trace(const struct amp_rproc *rp, GString *out)
{
	if (!trace_ptr(rp))
		return FALSE;
	/* After a restart the buffer was cleared: show what the crashed run wrote first. */
	if (rp->crash_trace && rp->state != AMP_RPROC_CRASHED) {
		g_string_append_printf(out, "--- trace before the last crash (%s) ---\n",
				       rp->reason);
		amp_rproc_crash_trace(rp, out);
		g_string_append(out, "--- trace since the restart ---\n");
	}
	trace_copy(rp, out);
	return TRUE;
}

static void trace_copy(const struct amp_rproc *rp, GString *out)
{
	const char *t = trace_ptr(rp);
	if (!t)
		return;
	/* A ring: the writer keeps a NUL after the newest text; older text follows it. */
	size_t len = rp->trace.len;
	size_t nul = strnlen(t, len);
	for (size_t i = nul + 1; i < len; i++)
		if (t[i])
			g_string_append_c(out, t[i]);
	g_string_append_len(out, t, (gssize)nul);
}

void amp_rproc_describe(const struct amp_rproc *rp, GString *out)
{
	g_string_append_printf(
	    out, "  resource table: %zu bytes, loaded at da 0x%08" G_GINT64_MODIFIER "x\n",
	    rp->cached_len, rp->loaded_da);
	for (int i = 0; i < 2; i++) {
		const struct amp_vring_info *v = &rp->vdev.vring[i];
		g_string_append_printf(out,
				       "  vring%d: da 0x%08" G_GINT64_MODIFIER
				       "x, num %u, align %u, notify id %u (%s)\n",
				       i, v->da, v->num, v->align, v->notify_id,
				       i == 0 ? "firmware -> Linux" : "Linux -> firmware");
	}
	const struct amp_rpmsg_pool *p = &rp->vdev.pool;
	g_string_append_printf(
	    out,
	    "  buffers at da 0x%08" G_GINT64_MODIFIER
	    "x: %u x %u bytes firmware -> Linux (RX, MTU %u), then %u x %u bytes "
	    "Linux -> firmware (TX, MTU %u)\n",
	    rp->vdev.pool_da, p->r2h.count, p->r2h.size, p->r2h.mtu, p->h2r.count, p->h2r.size,
	    p->h2r.mtu);
	if (rp->has_trace)
		g_string_append_printf(out, "  trace: \"%s\", %u bytes at da 0x%08x\n",
				       rp->trace.name, rp->trace.len, rp->trace.da);
	if (rp->wdg_off)
		g_string_append_printf(out, "  watchdog: refresh at least every %u ms\n",
				       rp->wdg_ms);
}
