/*
 * The shared-memory SoC object: creation, header, host and firmware mappings, translation,
 * stale-object cleanup (validation: soc_check.c). See <ampsim/soc.h>, docs/memory-map.md.
 */
#include <ampsim/soc.h>
#include <amp/error.h>
#include <amp/ipcc.h>
#include <ampsim/errno.h>

#include <dirent.h>
#include <stdarg.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h> /* kill(pid, 0): is a creator alive */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* Linux >= 4.17; older kernels treat it as a hint */
#endif

#define SHM_DIR "/dev/shm/"

static void set_err(struct amp_soc *soc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_err(struct amp_soc *soc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(soc->err, sizeof(soc->err), fmt, ap);
	va_end(ap);
}

/* A failed OS call: its text in soc->err, its errno as an AMP_E* code (the one map). */
static __attribute__((format(printf, 3, 4))) int os_fail(struct amp_soc *soc, int e,
							 const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	set_err(soc, "%s: %s", what, strerror(e));
	return amp_from_errno(e);
}

/* ---- creator identity (for stale detection) ---------------------------------------- */

/* Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; 0 if unknown. */
static uint64_t proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	uint64_t start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm (field 2) may contain spaces and ')': fields restart after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

/* ---- exit unlink registry --------------------------------------------------- */

#define REG_SLOTS 8
static struct {
	_Atomic int used;
	pid_t pid;
	char path[sizeof(SHM_DIR) + 256];
} reg_slots[REG_SLOTS];

static void registry_add(const char *shm_name)
{
	for (int i = 0; i < REG_SLOTS; i++) {
		int expect = 0;

		if (atomic_load(&reg_slots[i].used))
			continue;
		snprintf(reg_slots[i].path, sizeof(reg_slots[i].path), SHM_DIR "%s", shm_name + 1);
		reg_slots[i].pid = getpid();
		if (atomic_compare_exchange_strong(&reg_slots[i].used, &expect, 1))
			return;
	}
	/* Full: the object is still removed by amp_soc_destroy() or the next cleanup. */
}

static void registry_del(const char *shm_name)
{
	char path[sizeof(reg_slots[0].path)];

	snprintf(path, sizeof(path), SHM_DIR "%s", shm_name + 1);
	for (int i = 0; i < REG_SLOTS; i++) {
		if (atomic_load(&reg_slots[i].used) && strcmp(reg_slots[i].path, path) == 0)
			atomic_store(&reg_slots[i].used, 0);
	}
}

/* Async-signal-safe: unlink() on the tmpfs path is what shm_unlink() does. */
void amp_soc_unlink_created(void)
{
	pid_t me = getpid();

	for (int i = 0; i < REG_SLOTS; i++) {
		if (atomic_load(&reg_slots[i].used) && reg_slots[i].pid == me) {
			unlink(reg_slots[i].path);
			atomic_store(&reg_slots[i].used, 0);
		}
	}
}

/* No signal handler: a library leaves signals to the program (DESIGN D9). */
int amp_soc_unlink_on_exit(void)
{
	static _Atomic int installed;

	if (atomic_exchange(&installed, 1))
		return AMP_OK;
	if (atexit(amp_soc_unlink_created) != 0)
		return AMP_ENOMEM; /* atexit's only failure: no room for the entry */
	return AMP_OK;
}

/* ---- create / attach / destroy ----------------------------------------------------- */

static void soc_zero(struct amp_soc *soc)
{
	memset(soc, 0, sizeof(*soc));
	soc->fd = -1;
}

/* Region offsets in layout order after the header page; the object's size. */
static int place_regions(struct amp_soc *soc, const struct amp_soc_layout *l)
{
	uint64_t off = AMP_SOC_HDR_SIZE;

	for (uint32_t i = 0; i < l->nregions; i++) {
		if (l->regions[i].size > SIZE_MAX - off)
			break;
		soc->regions[i].offset = off;
		off += l->regions[i].size; /* sizes are page multiples: offsets stay aligned */
		if (i + 1 == l->nregions && off <= SIZE_MAX - AMP_SOC_TRACE_SIZE &&
		    (uint64_t)(off_t)(off + AMP_SOC_TRACE_SIZE) == off + AMP_SOC_TRACE_SIZE) {
			soc->trace_off = off; /* the event-trace ring follows the regions */
			soc->total_size = off + AMP_SOC_TRACE_SIZE;
			return AMP_OK;
		}
	}
	set_err(soc, "object too large");
	return AMP_ENOMEM;
}

/*
 * A unique name: the uid, the pid and its start time (for stale detection: the name is the
 * host's, while the header's creator fields are bytes the firmware can overwrite) and 64
 * random bits. At most 1 + 7 + 10 + 1 + 10 + 1 + 16 + 1 + 16 = 63 characters.
 */
static void make_name(struct amp_soc *soc)
{
	uint64_t rnd = 0;

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (uint64_t)getpid() * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)soc;
	snprintf(soc->shm_name, sizeof(soc->shm_name), "/" AMP_SOC_SHM_PREFIX "%u-%d-%llx-%016llx",
		 (unsigned)getuid(), (int)getpid(), (unsigned long long)proc_start_time(getpid()),
		 (unsigned long long)rnd);
}

/* Our private copy of the layout: what the host decides on, never read back from the object. */
static void keep_layout(struct amp_soc *soc, const struct amp_soc_layout *l)
{
	for (uint32_t i = 0; i < l->nregions; i++) {
		const struct amp_soc_region_cfg *c = &l->regions[i];
		struct amp_soc_region *r = &soc->regions[i];

		memcpy(r->name, c->name, sizeof(r->name));
		r->da = c->da;
		r->size = c->size;
		r->purpose = c->purpose;
		r->flags = c->flags;
		r->va = soc->base + r->offset;
	}
	soc->nregions = l->nregions;
	soc->ipcc_region = l->ipcc_region;
	soc->ipcc_nchan = l->ipcc_nchan;
	memcpy(soc->soc_name, l->name, sizeof(soc->soc_name));
	soc->soc_name[sizeof(soc->soc_name) - 1] = '\0';
	soc->hdr = (struct amp_soc_hdr *)(void *)soc->base; /* page-aligned */
}

/*
 * Write the whole header from the private copy: at creation, and at every restore (the
 * firmware may have written anything there). No table is published and nobody sleeps. The
 * rest of the page is the DDR plug table's: amp_ddr_plug_reset() restores it.
 */
static void publish_header(struct amp_soc *soc)
{
	struct amp_soc_hdr *h = soc->hdr;

	atomic_store(&h->state, AMP_SOC_STATE_CREATING);
	h->magic = AMP_SOC_MAGIC;
	h->version = AMP_SOC_ABI_VERSION;
	h->hdr_size = AMP_SOC_HDR_SIZE;
	h->total_size = soc->total_size;
	h->creator_pid = (uint32_t)getpid();
	h->creator_uid = (uint32_t)getuid();
	h->creator_start = proc_start_time(getpid());
	h->nregions = soc->nregions;
	h->ipcc_region = soc->ipcc_region;
	h->ipcc_nchan = soc->ipcc_nchan;
	atomic_store(&h->asleep[0], 0);
	atomic_store(&h->asleep[1], 0);
	atomic_store(&h->rsc_seq, 0);
	h->reserved0 = 0;
	h->rsc_da = 0;
	h->rsc_size = 0;
	memcpy(h->soc_name, soc->soc_name, sizeof(h->soc_name));
	h->trace_off = soc->trace_off;
	h->trace_size = AMP_SOC_TRACE_SIZE;
	atomic_store(&h->fw_taken[0], 0);
	atomic_store(&h->fw_taken[1], 0);
	atomic_store(&h->on_cpu[0], 0);
	atomic_store(&h->on_cpu[1], 0);
	memset(h->reserved, 0, sizeof(h->reserved));
	memset((void *)h->fw_faults, 0, sizeof(h->fw_faults));
	memset(h->regions, 0, sizeof(h->regions));
	/* A new firmware starts with an empty trace ring, on if the host is tracing. */
	soc->trace = (struct amp_soc_trace_ring *)(void *)(soc->base + soc->trace_off);
	memset((void *)soc->trace, 0, AMP_SOC_TRACE_SIZE);
	atomic_store(&soc->trace->on, soc->trace_on ? 1u : 0u);
	for (uint32_t i = 0; i < soc->nregions; i++) {
		const struct amp_soc_region *r = &soc->regions[i];
		struct amp_soc_region_desc *d = &h->regions[i];

		memcpy(d->name, r->name, sizeof(d->name));
		d->da = r->da;
		d->size = r->size;
		d->offset = r->offset;
		d->purpose = r->purpose;
		d->flags = r->flags;
	}
	atomic_store(&h->state, AMP_SOC_STATE_READY);
}

int amp_soc_restore(struct amp_soc *soc)
{
	if (!soc || !soc->owner || !soc->hdr)
		return AMP_EINVAL;
	publish_header(soc);
	return amp_ipcc_reset_regs(amp_soc_ipcc(soc), soc->ipcc_nchan);
}

int amp_soc_create(struct amp_soc *soc, const struct amp_soc_layout *l)
{
	struct amp_soc_layout_err le;
	int ret;

	if (!soc)
		return AMP_EINVAL;
	soc_zero(soc);
	if (amp_soc_layout_check(l, &le) != AMP_OK) {
		set_err(soc, "layout: region %d key %s: %s", le.region, le.key, le.why);
		return AMP_EINVAL;
	}
	amp_soc_cleanup_stale(NULL);
	ret = place_regions(soc, l);
	if (ret)
		return ret;
	make_name(soc);
	soc->fd = shm_open(soc->shm_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (soc->fd < 0)
		return os_fail(soc, errno, "shm_open(%s)", soc->shm_name);
	soc->owner = true;
	registry_add(soc->shm_name);
	/* shm_open applies the umask; make sure the mode is exactly 0600. */
	if (fchmod(soc->fd, 0600) != 0 || ftruncate(soc->fd, (off_t)soc->total_size) != 0) {
		ret = os_fail(soc, errno, "sizing %s to %llu bytes", soc->shm_name,
			      (unsigned long long)soc->total_size);
		goto out_destroy;
	}
	soc->base =
	    mmap(NULL, (size_t)soc->total_size, PROT_READ | PROT_WRITE, MAP_SHARED, soc->fd, 0);
	if (soc->base == MAP_FAILED) {
		soc->base = NULL;
		ret = os_fail(soc, errno, "mmap %s", soc->shm_name);
		goto out_destroy;
	}
	soc->map_size = (size_t)soc->total_size;
	keep_layout(soc, l);
	amp_ipcc_reset(amp_soc_ipcc(soc), l->ipcc_nchan);
	publish_header(soc); /* READY last */
	return AMP_OK;

out_destroy:
	amp_soc_destroy(soc);
	return ret;
}

/* Open and fstat an existing object; checks it is ours. */
static int open_object(struct amp_soc *soc, const char *name, struct stat *st)
{
	if (!name || name[0] != '/' || strlen(name) >= sizeof(soc->shm_name) ||
	    strchr(name + 1, '/')) {
		set_err(soc, "bad shared object name");
		return AMP_EINVAL;
	}
	snprintf(soc->shm_name, sizeof(soc->shm_name), "%s", name);
	soc->fd = shm_open(name, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
	if (soc->fd < 0)
		return os_fail(soc, errno, "shm_open(%s)", name);
	if (fstat(soc->fd, st) != 0)
		return os_fail(soc, errno, "fstat(%s)", name);
	if (st->st_uid != getuid()) {
		set_err(soc, "%s belongs to uid %u, not us", name, (unsigned)st->st_uid);
		return AMP_EPROTO;
	}
	if ((uint64_t)st->st_size < AMP_SOC_HDR_SIZE) {
		set_err(soc, "%s: %lld bytes, smaller than the header", name,
			(long long)st->st_size);
		return AMP_EPROTO;
	}
	return AMP_OK;
}

static int check_mapped_hdr(struct amp_soc *soc, uint64_t size)
{
	char why[128];

	if (atomic_load(&soc->hdr->state) != AMP_SOC_STATE_READY) {
		set_err(soc, "%s: header not ready", soc->shm_name);
		return AMP_EPROTO;
	}
	if (amp_soc_hdr_check(soc->hdr, size, soc, why, sizeof(why)) != AMP_OK) {
		set_err(soc, "%s: invalid header: %s", soc->shm_name, why);
		return AMP_EPROTO;
	}
	return AMP_OK;
}

int amp_soc_attach_host(struct amp_soc *soc, const char *name)
{
	struct stat st;
	int ret;

	if (!soc)
		return AMP_EINVAL;
	soc_zero(soc);
	ret = open_object(soc, name, &st);
	if (ret)
		goto out_destroy;
	soc->base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, soc->fd, 0);
	if (soc->base == MAP_FAILED) {
		soc->base = NULL;
		ret = os_fail(soc, errno, "mmap %s", name);
		goto out_destroy;
	}
	soc->map_size = (size_t)st.st_size;
	soc->hdr = (struct amp_soc_hdr *)(void *)soc->base /* page-aligned mmap */;
	ret = check_mapped_hdr(soc, (uint64_t)st.st_size);
	if (ret)
		goto out_destroy;
	for (uint32_t i = 0; i < soc->nregions; i++)
		soc->regions[i].va = soc->base + soc->regions[i].offset;
	return AMP_OK;

out_destroy:
	amp_soc_destroy(soc);
	return ret;
}

/*
 * Map one region at its device address without replacing anything there; a relocatable
 * region whose range is taken goes elsewhere unless @flags is strict.
 */
static int map_region_fw(struct amp_soc *soc, struct amp_soc_region *r, unsigned flags)
{
	void *want = (void *)(uintptr_t)r->da;
	void *va = mmap(want, (size_t)r->size, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_FIXED_NOREPLACE, soc->fd, (off_t)r->offset);
	int e = errno;

	if (va != MAP_FAILED && va != want) {
		/* A kernel without MAP_FIXED_NOREPLACE took it as a hint. */
		munmap(va, (size_t)r->size);
		va = MAP_FAILED;
		e = EEXIST;
	}
	r->at_da = va != MAP_FAILED;
	if (va == MAP_FAILED && (r->flags & AMP_SOC_F_RELOCATABLE) &&
	    !(flags & AMP_SOC_ATTACH_STRICT)) {
		va = mmap(NULL, (size_t)r->size, PROT_READ | PROT_WRITE, MAP_SHARED, soc->fd,
			  (off_t)r->offset);
		e = errno;
	}
	if (va != MAP_FAILED) {
		r->va = va;
		return AMP_OK;
	}
	set_err(soc, "region %s [0x%llx, 0x%llx) cannot be mapped at its device address: %s%s",
		r->name, (unsigned long long)r->da, (unsigned long long)(r->da + r->size),
		strerror(e),
		e == EEXIST ? " (range taken, e.g. by the sanitizer's shadow memory)" : "");
	return e == EEXIST ? AMP_EADDRINUSE : amp_from_errno(e);
}

int amp_soc_attach_fw(struct amp_soc *soc, const char *name, unsigned flags)
{
	struct stat st;
	int ret;

	if (!soc)
		return AMP_EINVAL;
	soc_zero(soc);
	soc->firmware = true;
	ret = open_object(soc, name, &st);
	if (ret)
		goto out_destroy;
	/* The header page anywhere: it is not part of the SoC's address space. */
	soc->base = mmap(NULL, AMP_SOC_HDR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, soc->fd, 0);
	if (soc->base == MAP_FAILED) {
		soc->base = NULL;
		ret = os_fail(soc, errno, "mmap header of %s", name);
		goto out_destroy;
	}
	soc->map_size = AMP_SOC_HDR_SIZE;
	soc->hdr = (struct amp_soc_hdr *)(void *)soc->base /* page-aligned mmap */;
	ret = check_mapped_hdr(soc, (uint64_t)st.st_size);
	for (uint32_t i = 0; ret == AMP_OK && i < soc->nregions; i++)
		ret = map_region_fw(soc, &soc->regions[i], flags);
	if (ret)
		goto out_destroy;
	return AMP_OK;

out_destroy:
	amp_soc_destroy(soc);
	return ret;
}

int amp_soc_map_trace(struct amp_soc *soc)
{
	/* Copies: the header is the host's to rewrite. */
	uint64_t off = soc->hdr->trace_off, size = soc->hdr->trace_size;
	void *va;

	if (size != AMP_SOC_TRACE_SIZE || off % AMP_SOC_PAGE || off < AMP_SOC_HDR_SIZE ||
	    off > soc->total_size || soc->total_size - off < size) {
		set_err(soc, "%s: invalid trace ring (offset %llu, %llu bytes)", soc->shm_name,
			(unsigned long long)off, (unsigned long long)size);
		return AMP_EPROTO;
	}
	va = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, soc->fd, (off_t)off);
	if (va == MAP_FAILED)
		return os_fail(soc, errno, "mmap trace ring of %s", soc->shm_name);
	soc->trace = va;
	return AMP_OK;
}

void amp_soc_destroy(struct amp_soc *soc)
{
	if (!soc)
		return;
	if (soc->firmware && soc->trace)
		munmap((void *)soc->trace, AMP_SOC_TRACE_SIZE);
	if (soc->firmware) {
		for (uint32_t i = 0; i < soc->nregions && i < AMP_SOC_MAX_REGIONS; i++) {
			if (soc->regions[i].va)
				munmap(soc->regions[i].va, (size_t)soc->regions[i].size);
		}
	}
	if (soc->base)
		munmap(soc->base, soc->map_size);
	if (soc->fd >= 0)
		close(soc->fd);
	if (soc->owner) {
		shm_unlink(soc->shm_name);
		registry_del(soc->shm_name);
	}
	char err[sizeof(soc->err)];

	memcpy(err, soc->err, sizeof(err)); /* keep the reason for the caller */
	soc_zero(soc);
	memcpy(soc->err, err, sizeof(err));
}

/* ---- translation ------------------------------------------------------------------- */

/* [da, da + len) inside region @p r (len >= 1): its pointer, or NULL. */
static inline void *region_va(const struct amp_soc_region *r, uint64_t da, size_t len)
{
	/* da - r->da cannot wrap once da >= r->da; compare against the room left. */
	if (!r->va || da < r->da || (uint64_t)len > r->size || da - r->da > r->size - len)
		return NULL;
	return r->va + (da - r->da);
}

void *amp_soc_da_to_va(const struct amp_soc *soc, uint64_t da, size_t len)
{
	return amp_soc_da_to_va_hint(soc, da, len, NULL);
}

void *amp_soc_da_to_va_hint(const struct amp_soc *soc, uint64_t da, size_t len,
			    _Atomic uint32_t *hint)
{
	if (!soc)
		return NULL;
	if (len == 0)
		len = 1;
	/* Regions do not overlap (amp_soc_layout_check()), so the hinted one is the answer. */
	uint32_t h = hint ? atomic_load_explicit(hint, memory_order_relaxed) : 0;
	void *va;
	if (h < soc->nregions && (va = region_va(&soc->regions[h], da, len)))
		return va;
	for (uint32_t i = 0; i < soc->nregions; i++) {
		if (!(va = region_va(&soc->regions[i], da, len)))
			continue;
		if (hint)
			atomic_store_explicit(hint, i, memory_order_relaxed);
		return va;
	}
	return NULL;
}

int amp_soc_va_to_da(const struct amp_soc *soc, const void *va, size_t len, uint64_t *da)
{
	uintptr_t p = (uintptr_t)va;

	if (!soc || !va || !da)
		return AMP_EINVAL;
	if (len == 0)
		len = 1;
	for (uint32_t i = 0; i < soc->nregions; i++) {
		const struct amp_soc_region *r = &soc->regions[i];
		uintptr_t b = (uintptr_t)r->va;

		if (!r->va || p < b || (uint64_t)len > r->size || p - b > r->size - len)
			continue;
		*da = r->da + (p - b);
		return AMP_OK;
	}
	return AMP_EFAULT;
}

const struct amp_soc_region *amp_soc_region_by_name(const struct amp_soc *soc, const char *name)
{
	if (!soc || !name)
		return NULL;
	for (uint32_t i = 0; i < soc->nregions; i++) {
		if (strncmp(soc->regions[i].name, name, AMP_SOC_NAME_MAX) == 0)
			return &soc->regions[i];
	}
	return NULL;
}

const struct amp_soc_region *amp_soc_region_by_purpose(const struct amp_soc *soc, uint32_t purpose)
{
	if (!soc)
		return NULL;
	for (uint32_t i = 0; i < soc->nregions; i++) {
		if (soc->regions[i].purpose == purpose)
			return &soc->regions[i];
	}
	return NULL;
}

struct amp_ipcc_shared *amp_soc_ipcc(const struct amp_soc *soc)
{
	if (!soc || soc->ipcc_region >= soc->nregions)
		return NULL;
	return (struct amp_ipcc_shared *)(void *)soc->regions[soc->ipcc_region].va;
}

_Atomic uint32_t *amp_soc_asleep(const struct amp_soc *soc)
{
	return soc && soc->hdr ? soc->hdr->asleep : NULL;
}

_Atomic uint32_t *amp_soc_on_cpu(const struct amp_soc *soc)
{
	return soc && soc->hdr ? soc->hdr->on_cpu : NULL;
}

int amp_soc_set_rsc(struct amp_soc *soc, uint64_t da, uint64_t size)
{
	if (!soc || !soc->hdr)
		return AMP_EINVAL;
	if (size == 0 || size > SIZE_MAX || !amp_soc_da_to_va(soc, da, (size_t)size))
		return AMP_EFAULT;
	atomic_fetch_add(&soc->hdr->rsc_seq, 1); /* odd: writing */
	soc->hdr->rsc_da = da;
	soc->hdr->rsc_size = size;
	atomic_fetch_add(&soc->hdr->rsc_seq, 1); /* even: stable */
	return AMP_OK;
}

int amp_soc_get_rsc(const struct amp_soc *soc, uint64_t *da, uint64_t *size, void **ptr)
{
	uint32_t s1, s2;
	uint64_t d, n;
	void *p;

	if (!soc || !soc->hdr)
		return AMP_EINVAL;
	s1 = atomic_load(&soc->hdr->rsc_seq);
	d = soc->hdr->rsc_da;
	n = soc->hdr->rsc_size;
	atomic_thread_fence(memory_order_acquire);
	s2 = atomic_load(&soc->hdr->rsc_seq);
	if ((s1 & 1u) || s1 != s2)
		return AMP_EAGAIN;
	if (s1 == 0 || n == 0)
		return AMP_ENOENT;
	p = n <= SIZE_MAX ? amp_soc_da_to_va(soc, d, (size_t)n) : NULL;
	if (!p)
		return AMP_EFAULT;
	if (da)
		*da = d;
	if (size)
		*size = n;
	if (ptr)
		*ptr = p;
	return AMP_OK;
}

/* ---- stale cleanup ------------------------------------------------------------------ */

/*
 * Is the object named @p rest ("<pid>-<start hex>-<random>" after the uid) a dead run's?
 * Only the name decides: the pid is dead, or alive with another start time than the one
 * the name records (pid reuse). A name without a start time (an older ampsim's) counts
 * as live while its pid is.
 */
static bool name_is_stale(const char *rest)
{
	char *end;
	errno = 0;
	long pid = strtol(rest, &end, 10);
	if (errno || end == rest || *end != '-' || pid <= 0 || pid > INT32_MAX)
		return false; /* not a name we make */
	if (kill((pid_t)pid, 0) != 0 && errno != EPERM)
		return true;
	const char *start_txt = end + 1;
	if (!isxdigit((unsigned char)*start_txt))
		return false;
	unsigned long long start = strtoull(start_txt, &end, 16);
	if (*end != '-' || start == 0)
		return false;
	uint64_t now = proc_start_time((pid_t)pid);
	return now != 0 && now != start;
}

int amp_soc_cleanup_stale(unsigned *removed)
{
	char prefix[48];
	unsigned n = 0;
	struct dirent *de;
	DIR *d;

	if (removed)
		*removed = 0;
	snprintf(prefix, sizeof(prefix), AMP_SOC_SHM_PREFIX "%u-", (unsigned)getuid());
	d = opendir(SHM_DIR);
	if (!d)
		return amp_from_errno(errno);
	while ((de = readdir(d)) != NULL) {
		char path[sizeof(SHM_DIR) + 256];
		const char *rest;
		struct stat st;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    strlen(de->d_name) >= AMP_SOC_SHM_NAME_MAX)
			continue;
		rest = de->d_name + strlen(prefix);
		snprintf(path, sizeof(path), SHM_DIR "%s", de->d_name);
		/* The name says our uid; the owner must agree, or it is not ours to touch. */
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid())
			continue;
		if (!name_is_stale(rest))
			continue; /* a live run, or not a name of ours */
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	if (removed)
		*removed = n;
	return AMP_OK;
}
