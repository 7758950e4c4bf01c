/*
 * The shared-memory SoC object: creation, header validation, host and firmware mappings,
 * translation edge cases, the resource-table slot, stale-object cleanup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <amp/error.h>
#include <amp/ipcc.h>
#include <ampsim/profile.h>
#include <ampsim/soc.h>

static struct amp_soc_layout layout(void)
{
	struct amp_soc_layout l;
	g_autoptr(GError) err = NULL;

	assert_true(amp_profile_load("stm32mp157", &l, &err));
	return l;
}

static bool shm_exists(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/dev/shm%s", name);
	return access(path, F_OK) == 0;
}

static void create_writes_a_valid_header(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc soc;
	struct stat st;
	char path[128];

	(void)state;
	assert_int_equal(amp_soc_create(&soc, &l), AMP_OK);
	assert_true(soc.owner);
	assert_true(strncmp(soc.shm_name, "/ampsim-", 8) == 0);
	snprintf(path, sizeof(path), "/dev/shm%s", soc.shm_name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_uid, getuid());
	assert_int_equal((uint64_t)st.st_size, soc.total_size);
	assert_int_equal(amp_soc_hdr_check(soc.hdr, soc.total_size, NULL, NULL, 0), AMP_OK);
	assert_int_equal(soc.hdr->nregions, l.nregions);
	assert_int_equal(soc.hdr->creator_pid, getpid());
	assert_string_equal(soc.soc_name, "stm32mp157");
	/* Regions are page-aligned, in order, after the header. */
	assert_int_equal(soc.regions[0].offset, AMP_SOC_HDR_SIZE);
	for (uint32_t i = 0; i < soc.nregions; i++)
		assert_int_equal(soc.regions[i].offset % AMP_SOC_PAGE, 0);
	/* The IPCC register file is reset and reachable. */
	struct amp_ipcc_shared *ipcc = amp_soc_ipcc(&soc);
	assert_non_null(ipcc);
	assert_int_equal(ipcc->reg[AMP_IPCC_HWCFGR / 4], 6);
	assert_ptr_equal(amp_soc_asleep(&soc), soc.hdr->asleep);
	amp_soc_destroy(&soc);
	assert_false(shm_exists(path + strlen("/dev/shm")));
	amp_soc_destroy(&soc); /* idempotent */
}

/* Whatever a firmware wrote to the header and the IPCC registers, restore puts back the
 * host's: the object validates again, no table is published, the counters stay. */
static void restore_rewrites_what_the_host_owns(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc soc, fw;

	(void)state;
	assert_int_equal(amp_soc_create(&soc, &l), AMP_OK);
	assert_int_equal(amp_soc_set_rsc(&soc, soc.regions[0].da, 64), AMP_OK);
	struct amp_ipcc_shared *ipcc = amp_soc_ipcc(&soc);
	atomic_store(&ipcc->stats[0][0].kicks, 7);
	/* the scribbles */
	soc.hdr->regions[1].name[0] = '!';
	soc.hdr->regions[2].size = 1;
	soc.hdr->nregions = 99;
	soc.hdr->magic = 0;
	atomic_store(&soc.hdr->rsc_seq, 5); /* odd: "being written" forever */
	atomic_store(&soc.hdr->asleep[0], 0);
	atomic_store(&ipcc->reg[AMP_IPCC_XCR(0) / 4], 0);
	atomic_store(&ipcc->reg[AMP_IPCC_XMR(0) / 4], 0xFFFFFFFFu);
	atomic_store(&ipcc->reg[AMP_IPCC_HWCFGR / 4], 16);
	atomic_store(&ipcc->guest_errors, 9);
	assert_int_not_equal(amp_soc_hdr_check(soc.hdr, soc.total_size, NULL, NULL, 0), AMP_OK);

	assert_int_equal(amp_soc_restore(&soc), AMP_OK);
	assert_int_equal(amp_soc_hdr_check(soc.hdr, soc.total_size, NULL, NULL, 0), AMP_OK);
	assert_int_equal(amp_soc_attach_fw(&fw, soc.shm_name, 0), AMP_OK);
	assert_string_equal(fw.regions[1].name, l.regions[1].name);
	assert_int_equal(amp_soc_get_rsc(&fw, NULL, NULL, NULL), AMP_ENOENT);
	amp_soc_destroy(&fw);
	assert_int_equal(atomic_load(&soc.hdr->asleep[0]), 0);
	assert_int_equal(ipcc->reg[AMP_IPCC_XMR(0) / 4], 0);
	assert_int_equal(ipcc->reg[AMP_IPCC_HWCFGR / 4], 6);
	assert_int_equal(ipcc->guest_errors, 9); /* a counter: kept */
	assert_int_equal(ipcc->stats[0][0].kicks, 7);
	/* a table can be published again */
	assert_int_equal(amp_soc_set_rsc(&soc, soc.regions[0].da, 64), AMP_OK);
	/* only the creator restores */
	assert_int_equal(amp_soc_attach_host(&fw, soc.shm_name), AMP_OK);
	assert_int_equal(amp_soc_restore(&fw), AMP_EINVAL);
	amp_soc_destroy(&fw);
	amp_soc_destroy(&soc);
}

static void translation_is_length_aware(void **state)
{
	struct amp_soc_layout l = layout();
	const struct amp_soc_region *v0, *v1, *ddr;
	struct amp_soc soc;
	uint64_t da;

	(void)state;
	assert_int_equal(amp_soc_create(&soc, &l), AMP_OK);
	v0 = amp_soc_region_by_name(&soc, "vdev0vring0");
	v1 = amp_soc_region_by_name(&soc, "vdev0vring1");
	ddr = amp_soc_region_by_purpose(&soc, AMP_SOC_PURPOSE_DDR);
	assert_non_null(v0);
	assert_non_null(v1);
	assert_non_null(ddr);
	assert_null(amp_soc_region_by_name(&soc, "nope"));
	assert_int_equal(v0->da, 0x10040000);
	assert_int_equal(v1->da, 0x10041000);
	assert_ptr_equal(amp_soc_region_by_name(&soc, "vdev0buffer")->da, 0x10042000);

	/* Whole region, first and last byte. */
	assert_ptr_equal(amp_soc_da_to_va(&soc, 0x10040000, 0x1000), v0->va);
	assert_ptr_equal(amp_soc_da_to_va(&soc, 0x10040FFF, 1), v0->va + 0xFFF);
	assert_ptr_equal(amp_soc_da_to_va(&soc, 0x10040FFF, 0), v0->va + 0xFFF);
	/* Straddles vring0 | vring1 although both are mapped and adjacent in da. */
	assert_null(amp_soc_da_to_va(&soc, 0x10040FFF, 2));
	assert_null(amp_soc_da_to_va(&soc, 0x10040000, 0x1001));
	/* Past the end of the last region, in a hole, before the first. */
	assert_null(amp_soc_da_to_va(&soc, ddr->da + ddr->size - 4, 8));
	assert_null(amp_soc_da_to_va(&soc, ddr->da + ddr->size, 1));
	assert_null(amp_soc_da_to_va(&soc, 0x20000000, 1));
	assert_null(amp_soc_da_to_va(&soc, 0x0FFFFFFF, 2));
	/* Overflow of da + len. */
	assert_null(amp_soc_da_to_va(&soc, UINT64_MAX, 2));
	assert_null(amp_soc_da_to_va(&soc, 0x10040010, SIZE_MAX));
	assert_null(amp_soc_da_to_va(NULL, 0x10040000, 1));

	/* va -> da, the same rules. */
	assert_int_equal(amp_soc_va_to_da(&soc, v1->va + 0x10, 16, &da), AMP_OK);
	assert_int_equal(da, 0x10041010);
	assert_int_equal(amp_soc_va_to_da(&soc, v0->va + 0xFFF, 2, &da), AMP_EFAULT);
	assert_int_equal(amp_soc_va_to_da(&soc, &da, 1, &da), AMP_EFAULT);
	assert_int_equal(amp_soc_va_to_da(&soc, NULL, 1, &da), AMP_EINVAL);
	amp_soc_destroy(&soc);
}

/* The hinted lookup gives what the plain one gives, whatever the hint holds, and learns. */
static void hinted_translation_is_the_same(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc soc;
	_Atomic uint32_t hint = 0;
	const uint64_t das[] = {0x10040000, 0x10041010, 0x10042000, 0x10040FFF, 0x20000000};
	const size_t lens[] = {1, 16, 0x1000, 2, 1};

	(void)state;
	assert_int_equal(amp_soc_create(&soc, &l), AMP_OK);
	const struct amp_soc_region *v1 = amp_soc_region_by_name(&soc, "vdev0vring1");
	assert_non_null(amp_soc_da_to_va_hint(&soc, 0x10041000, 4, &hint));
	assert_ptr_equal(&soc.regions[atomic_load(&hint)], v1); /* it learnt vring1 */
	for (uint32_t h = 0; h < soc.nregions + 3; h++)		/* every region, and out of range */
		for (size_t i = 0; i < sizeof(das) / sizeof(das[0]); i++) {
			atomic_store(&hint, h);
			assert_ptr_equal(amp_soc_da_to_va_hint(&soc, das[i], lens[i], &hint),
					 amp_soc_da_to_va(&soc, das[i], lens[i]));
		}
	assert_ptr_equal(amp_soc_da_to_va_hint(&soc, 0x10041010, 16, NULL), v1->va + 0x10);
	assert_null(amp_soc_da_to_va_hint(NULL, 0x10041010, 16, &hint));
	amp_soc_destroy(&soc);
}

static void host_attach_at_another_address(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc a, b;
	uint32_t *pa, *pb;

	(void)state;
	assert_int_equal(amp_soc_create(&a, &l), AMP_OK);
	assert_int_equal(amp_soc_attach_host(&b, a.shm_name), AMP_OK);
	assert_false(b.owner);
	assert_ptr_not_equal(a.base, b.base);
	pa = amp_soc_da_to_va(&a, 0x10042100, 4);
	pb = amp_soc_da_to_va(&b, 0x10042100, 4);
	assert_ptr_not_equal(pa, pb);
	*pa = 0xC0FFEE;
	assert_int_equal(*pb, 0xC0FFEE);
	amp_soc_destroy(&b);
	assert_true(shm_exists(a.shm_name)); /* only the creator unlinks */
	assert_int_equal(amp_soc_attach_host(&b, "/ampsim-nonexistent"), AMP_ENOENT);
	assert_int_equal(amp_soc_attach_host(&b, "no-slash"), AMP_EINVAL);
	amp_soc_destroy(&a);
}

/* An OS failure comes back as its AMP_E* code (the one errno map), and soc->err says which
 * call failed and the system's text. */
static void create_without_a_free_fd_says_why(void **state)
{
	struct amp_soc_layout l = layout();
	struct rlimit old, none;
	struct amp_soc soc;
	int lowest = dup(0);

	(void)state;
	assert_true(lowest >= 0);
	close(lowest);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	none = old;
	none.rlim_cur = (rlim_t)lowest; /* every fd below it is open: shm_open gets EMFILE */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &none), 0);
	int rc = amp_soc_create(&soc, &l);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(rc, AMP_ENOMEM);
	assert_non_null(strstr(soc.err, "shm_open("));
	assert_non_null(strstr(soc.err, strerror(EMFILE)));
	assert_int_equal(soc.fd, -1);
	amp_soc_destroy(&soc);
}

static void firmware_maps_at_device_addresses(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc host, fw;

	(void)state;
	assert_int_equal(amp_soc_create(&host, &l), AMP_OK);
	assert_int_equal(amp_soc_attach_fw(&fw, host.shm_name, 0), AMP_OK);
	for (uint32_t i = 0; i < fw.nregions; i++) {
		const struct amp_soc_region *r = &fw.regions[i];

		if (r->flags & AMP_SOC_F_RELOCATABLE)
			continue; /* may legitimately be elsewhere (ASan: DDR in the shadow gap) */
		assert_true(r->at_da);
		assert_ptr_equal(r->va, (void *)(uintptr_t)r->da);
	}
	/* Firmware pointer == device address; the host sees the write through translation. */
	volatile uint32_t *fw_ptr = (volatile uint32_t *)(uintptr_t)0x10041004;
	*fw_ptr = 0x12345678;
	assert_int_equal(*(uint32_t *)amp_soc_da_to_va(&host, 0x10041004, 4), 0x12345678);
	assert_ptr_equal(amp_soc_da_to_va(&fw, 0x10041004, 4), (void *)fw_ptr);
	/* Reaching DDR works whether or not it sits at its device address. */
	uint8_t *d = amp_soc_da_to_va(&fw, 0xC0000000 + 0x100, 16);
	assert_non_null(d);
	d[0] = 0x5A;
	assert_int_equal(*(uint8_t *)amp_soc_da_to_va(&host, 0xC0000100, 1), 0x5A);

	/* A second firmware attach finds its ranges taken: a precise error. */
	struct amp_soc fw2;
	assert_int_equal(amp_soc_attach_fw(&fw2, host.shm_name, 0), AMP_EADDRINUSE);
	assert_non_null(strstr(fw2.err, "mcusram"));
	assert_non_null(strstr(fw2.err, "0x10000000"));
	assert_int_equal(fw2.fd, -1);
	bool ddr_at_da = amp_soc_region_by_name(&fw, "ddr")->at_da;
	amp_soc_destroy(&fw);
	/* After unmapping, the same addresses are free again. Strict mode refuses to relocate:
	 * it fails only where DDR could not be placed (ASan's shadow gap covers 0xC0000000). */
	if (ddr_at_da) {
		assert_int_equal(amp_soc_attach_fw(&fw, host.shm_name, AMP_SOC_ATTACH_STRICT),
				 AMP_OK);
	} else {
		assert_int_equal(amp_soc_attach_fw(&fw, host.shm_name, AMP_SOC_ATTACH_STRICT),
				 AMP_EADDRINUSE);
		assert_non_null(strstr(fw.err, "region ddr [0xc0000000, 0xc8000000)"));
	}
	amp_soc_destroy(&fw);
	amp_soc_destroy(&host);
}

static void firmware_attach_fails_when_range_taken(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc host, fw;
	void *blocker;

	(void)state;
	assert_int_equal(amp_soc_create(&host, &l), AMP_OK);
	blocker = mmap((void *)0x38004000, 4096, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	assert_ptr_equal(blocker, (void *)0x38004000);
	assert_int_equal(amp_soc_attach_fw(&fw, host.shm_name, 0), AMP_EADDRINUSE);
	assert_non_null(strstr(fw.err, "retram"));
	/* Nothing of the failed attach stays mapped: the earlier regions are free again. */
	void *probe = mmap((void *)0x10040000, 4096, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	assert_ptr_equal(probe, (void *)0x10040000);
	munmap(probe, 4096);
	munmap(blocker, 4096);
	amp_soc_destroy(&host);
}

static void corrupt_header_is_rejected(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc host, att;
	char why[160];

	(void)state;
	assert_int_equal(amp_soc_create(&host, &l), AMP_OK);
	struct amp_soc_hdr saved = *host.hdr;
	host.hdr->magic ^= 1;
	assert_int_equal(amp_soc_hdr_check(host.hdr, host.total_size, NULL, why, sizeof(why)),
			 AMP_EPROTO);
	assert_non_null(strstr(why, "magic"));
	assert_int_equal(amp_soc_attach_host(&att, host.shm_name), AMP_EPROTO);
	*host.hdr = saved;

	host.hdr->version = 2;
	assert_int_equal(amp_soc_hdr_check(host.hdr, host.total_size, NULL, why, sizeof(why)),
			 AMP_EPROTO);
	*host.hdr = saved;

	host.hdr->total_size += 4096;
	assert_int_equal(amp_soc_hdr_check(host.hdr, host.total_size, NULL, why, sizeof(why)),
			 AMP_EPROTO);
	*host.hdr = saved;

	host.hdr->nregions = 17;
	assert_int_equal(amp_soc_hdr_check(host.hdr, host.total_size, NULL, why, sizeof(why)),
			 AMP_EPROTO);
	*host.hdr = saved;

	host.hdr->regions[3].offset = host.total_size - 0x1000; /* runs past the end */
	assert_int_equal(amp_soc_hdr_check(host.hdr, host.total_size, NULL, why, sizeof(why)),
			 AMP_EPROTO);
	assert_non_null(strstr(why, "outside"));
	*host.hdr = saved;

	host.hdr->regions[2].offset = host.regions[1].offset; /* aliases another region */
	assert_int_equal(amp_soc_hdr_check(host.hdr, host.total_size, NULL, why, sizeof(why)),
			 AMP_EPROTO);
	*host.hdr = saved;

	host.hdr->regions[3].da = 0x10041000; /* overlaps vring1 in da */
	assert_int_equal(amp_soc_hdr_check(host.hdr, host.total_size, NULL, why, sizeof(why)),
			 AMP_EPROTO);
	assert_non_null(strstr(why, "overlaps"));
	*host.hdr = saved;

	memset(host.hdr->regions[0].name, 'x', AMP_SOC_NAME_MAX); /* no NUL */
	assert_int_equal(amp_soc_hdr_check(host.hdr, host.total_size, NULL, why, sizeof(why)),
			 AMP_EPROTO);
	*host.hdr = saved;

	host.hdr->ipcc_nchan = 0;
	assert_int_equal(amp_soc_hdr_check(host.hdr, host.total_size, NULL, why, sizeof(why)),
			 AMP_EPROTO);
	*host.hdr = saved;

	/* The host never re-reads the layout: its translation is unaffected by scribbles. */
	host.hdr->regions[1].da = 0x20000000;
	assert_non_null(amp_soc_da_to_va(&host, 0x10040000, 0x1000));
	assert_null(amp_soc_da_to_va(&host, 0x20000000, 1));
	*host.hdr = saved;
	amp_soc_destroy(&host);
}

static void rsc_slot(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc host, fw;
	uint64_t da, size;
	void *p;

	(void)state;
	assert_int_equal(amp_soc_create(&host, &l), AMP_OK);
	assert_int_equal(amp_soc_attach_host(&fw, host.shm_name), AMP_OK);
	assert_int_equal(amp_soc_get_rsc(&fw, &da, &size, &p), AMP_ENOENT);
	assert_int_equal(amp_soc_set_rsc(&host, 0x1003F000, 0x2000), AMP_EFAULT); /* straddles */
	assert_int_equal(amp_soc_set_rsc(&host, 0x10000400, 0x100), AMP_OK);
	assert_int_equal(amp_soc_get_rsc(&fw, &da, &size, &p), AMP_OK);
	assert_int_equal(da, 0x10000400);
	assert_int_equal(size, 0x100);
	assert_ptr_equal(p, amp_soc_da_to_va(&fw, 0x10000400, 0x100));
	/* A hostile writer points it outside: refused. */
	host.hdr->rsc_size = 0x100000;
	assert_int_equal(amp_soc_get_rsc(&fw, &da, &size, &p), AMP_EFAULT);
	host.hdr->rsc_seq++; /* odd: being written */
	assert_int_equal(amp_soc_get_rsc(&fw, &da, &size, &p), AMP_EAGAIN);
	amp_soc_destroy(&fw);
	amp_soc_destroy(&host);
}

/* A child creates an object and is SIGKILLed: the object stays until cleanup removes it;
 * cleanup leaves a live run's object (ours) alone. */
static void stale_objects_are_cleaned_up(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc live;
	char name[AMP_SOC_SHM_NAME_MAX];
	int pfd[2], st;
	unsigned removed = 99;
	pid_t pid;

	(void)state;
	assert_int_equal(amp_soc_create(&live, &l), AMP_OK);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct amp_soc soc;

		if (amp_soc_create(&soc, &l) != AMP_OK)
			_exit(2);
		if (write(pfd[1], soc.shm_name, sizeof(soc.shm_name)) != sizeof(soc.shm_name))
			_exit(3);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], name, sizeof(name)), sizeof(name));
	close(pfd[0]);
	assert_true(shm_exists(name));
	/* Alive: not stale. */
	assert_int_equal(amp_soc_cleanup_stale(&removed), AMP_OK);
	assert_true(shm_exists(name));
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(shm_exists(name)); /* SIGKILL cannot clean up */
	assert_int_equal(amp_soc_cleanup_stale(&removed), AMP_OK);
	assert_true(removed >= 1);
	assert_false(shm_exists(name));
	assert_true(shm_exists(live.shm_name));
	amp_soc_destroy(&live);
}

/* A name with our prefix but another uid, and a non-matching name, are never touched. */
static void cleanup_ignores_foreign_names(void **state)
{
	char other[64], odd[64];
	int fd;

	(void)state;
	snprintf(other, sizeof(other), "/ampsim-%u-999999-0000000000000000", getuid() + 1);
	snprintf(odd, sizeof(odd), "/ampsim-%u-notapid", getuid());
	fd = shm_open(other, O_CREAT | O_RDWR, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = shm_open(odd, O_CREAT | O_RDWR, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(amp_soc_cleanup_stale(NULL), AMP_OK);
	assert_true(shm_exists(other));
	assert_true(shm_exists(odd));
	shm_unlink(other);
	shm_unlink(odd);
}

/* A program's own fatal-signal handler: the library installs none (DESIGN D9). */
static void unlink_and_die(int sig)
{
	amp_soc_unlink_created();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * amp_soc_unlink_on_exit(): a child creates an object, reports its name, then either
 * exits normally (@sig 0) or waits for @sig, which it handles with unlink_and_die() if
 * @handle. Returns the name; the child is reaped.
 */
static void child_ends(int sig, bool handle, char name[AMP_SOC_SHM_NAME_MAX])
{
	struct amp_soc_layout l = layout();
	int pfd[2], st;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct amp_soc soc;

		if (handle && (signal(SIGINT, unlink_and_die) == SIG_ERR ||
			       signal(SIGTERM, unlink_and_die) == SIG_ERR))
			_exit(5);
		if (amp_soc_unlink_on_exit() != AMP_OK || amp_soc_create(&soc, &l) != AMP_OK)
			_exit(2);
		if (write(pfd[1], soc.shm_name, sizeof(soc.shm_name)) != sizeof(soc.shm_name))
			_exit(3);
		if (sig == 0)
			exit(0); /* no amp_soc_destroy(): the atexit hook must unlink */
		pause();
		_exit(4);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], name, AMP_SOC_SHM_NAME_MAX), AMP_SOC_SHM_NAME_MAX);
	close(pfd[0]);
	if (sig)
		kill(pid, sig);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (sig)
		assert_true(WIFSIGNALED(st) && WTERMSIG(st) == sig);
	else
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void sigterm_handler_unlinks(void **state)
{
	char name[AMP_SOC_SHM_NAME_MAX];

	(void)state;
	child_ends(SIGTERM, true, name);
	assert_false(shm_exists(name));
}

static void sigint_handler_unlinks(void **state)
{
	char name[AMP_SOC_SHM_NAME_MAX];

	(void)state;
	child_ends(SIGINT, true, name);
	assert_false(shm_exists(name));
}

static void normal_exit_unlinks(void **state)
{
	char name[AMP_SOC_SHM_NAME_MAX];

	(void)state;
	child_ends(0, false, name);
	assert_false(shm_exists(name));
}

/* The library installs no signal handler: SIGTERM keeps its default action, the object
 * stays behind like after SIGKILL (until the next amp_soc_create() or `ampsim cleanup`). */
static void no_signal_handler_installed(void **state)
{
	struct amp_soc_layout l = layout();
	char name[AMP_SOC_SHM_NAME_MAX];
	struct amp_soc soc;
	struct sigaction sa;

	(void)state;
	assert_int_equal(amp_soc_unlink_on_exit(), AMP_OK);
	assert_int_equal(amp_soc_create(&soc, &l), AMP_OK);
	assert_int_equal(sigaction(SIGINT, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_DFL);
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_DFL);
	amp_soc_destroy(&soc);
	child_ends(SIGTERM, false, name);
	assert_true(shm_exists(name));
	assert_int_equal(amp_soc_cleanup_stale(NULL), AMP_OK);
	assert_false(shm_exists(name));
}

/* A killed run's object is removed when the next run starts (amp_soc_create). */
static void next_start_removes_stale(void **state)
{
	struct amp_soc_layout l = layout();
	char name[AMP_SOC_SHM_NAME_MAX];
	struct amp_soc soc;

	(void)state;
	child_ends(SIGKILL, false, name);
	assert_true(shm_exists(name)); /* SIGKILL cannot clean up */
	assert_int_equal(amp_soc_create(&soc, &l), AMP_OK);
	assert_false(shm_exists(name));
	amp_soc_destroy(&soc);
}

/* An object named with a live pid: stale only when the name's start time is not that
 * pid's (pid reuse). A name without a start time is kept: it might be a live run's. */
static void reused_pid_is_stale(void **state)
{
	struct amp_soc_layout l = layout();
	char reused[64], old_style[64];
	struct amp_soc soc;

	(void)state;
	assert_int_equal(amp_soc_create(&soc, &l), AMP_OK);
	snprintf(reused, sizeof(reused), "/ampsim-%u-%d-1-00000000000000bb", getuid(),
		 (int)getpid()); /* an earlier process that had our pid, started at tick 1 */
	snprintf(old_style, sizeof(old_style), "/ampsim-%u-%d-00000000000000cc", getuid(),
		 (int)getpid());
	for (int i = 0; i < 2; i++) {
		int fd = shm_open(i ? reused : old_style, O_CREAT | O_EXCL | O_RDWR, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	assert_int_equal(amp_soc_cleanup_stale(NULL), AMP_OK);
	assert_true(shm_exists(soc.shm_name));
	assert_false(shm_exists(reused));
	assert_true(shm_exists(old_style));
	shm_unlink(old_style);
	amp_soc_destroy(&soc);
}

/* The header's creator fields are the firmware's to scribble: cleanup never reads them. */
static void scribbled_creator_does_not_make_a_live_run_stale(void **state)
{
	struct amp_soc_layout l = layout();
	struct amp_soc soc;

	(void)state;
	assert_int_equal(amp_soc_create(&soc, &l), AMP_OK);
	soc.hdr->creator_pid = (uint32_t)getpid();
	soc.hdr->creator_start += 12345; /* "another process had this pid" */
	assert_int_equal(amp_soc_cleanup_stale(NULL), AMP_OK);
	assert_true(shm_exists(soc.shm_name));
	soc.hdr->magic = 0;
	soc.hdr->creator_pid = 1;
	assert_int_equal(amp_soc_cleanup_stale(NULL), AMP_OK);
	assert_true(shm_exists(soc.shm_name));
	amp_soc_destroy(&soc);
}

/* A pid that is certainly dead: a reaped child's. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* An object named like ours, creator dead, but owned by another user: not ours to remove. */
static void cleanup_spares_another_users_object(void **state)
{
	char name[64];
	int fd;

	(void)state;
	if (getuid() != 0)
		skip(); /* only root can give a file away */
	snprintf(name, sizeof(name), "/ampsim-%u-%d-00000000000000aa", getuid(), (int)dead_pid());
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fchown(fd, 65534, 65534), 0);
	close(fd);
	assert_int_equal(amp_soc_cleanup_stale(NULL), AMP_OK);
	assert_true(shm_exists(name));
	shm_unlink(name);
}

static void layout_check_rejects(void **state)
{
	struct amp_soc_layout base = layout(), l;
	struct amp_soc_layout_err e;
	struct amp_soc soc;

	(void)state;
	l = base;
	l.regions[1].size = 0;
	assert_int_equal(amp_soc_layout_check(&l, &e), AMP_EINVAL);
	assert_int_equal(e.region, 1);
	assert_string_equal(e.key, "size");
	assert_int_equal(amp_soc_create(&soc, &l), AMP_EINVAL);
	assert_non_null(strstr(soc.err, "size"));
	l = base;
	l.regions[2].da = 0x10040000;
	assert_int_equal(amp_soc_layout_check(&l, &e), AMP_EINVAL);
	assert_string_equal(e.key, "da");
	l = base;
	l.regions[0].da = 0xFFFFF000;
	l.regions[0].size = 0x2000;
	assert_int_equal(amp_soc_layout_check(&l, &e), AMP_EINVAL);
	l = base;
	l.regions[0].da = 0x10000800;
	assert_int_equal(amp_soc_layout_check(&l, &e), AMP_EINVAL);
	l = base;
	l.ipcc_region = 0;
	assert_int_equal(amp_soc_layout_check(&l, &e), AMP_EINVAL);
	assert_int_equal(e.region, -1);
	l = base;
	strcpy(l.regions[3].name, l.regions[0].name);
	assert_int_equal(amp_soc_layout_check(&l, &e), AMP_EINVAL);
	assert_string_equal(e.key, "name");
	assert_int_equal(amp_soc_layout_check(&base, &e), AMP_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(create_writes_a_valid_header),
	    cmocka_unit_test(restore_rewrites_what_the_host_owns),
	    cmocka_unit_test(translation_is_length_aware),
	    cmocka_unit_test(hinted_translation_is_the_same),
	    cmocka_unit_test(host_attach_at_another_address),
	    cmocka_unit_test(create_without_a_free_fd_says_why),
	    cmocka_unit_test(firmware_maps_at_device_addresses),
	    cmocka_unit_test(firmware_attach_fails_when_range_taken),
	    cmocka_unit_test(corrupt_header_is_rejected),
	    cmocka_unit_test(rsc_slot),
	    cmocka_unit_test(stale_objects_are_cleaned_up),
	    cmocka_unit_test(cleanup_ignores_foreign_names),
	    cmocka_unit_test(sigterm_handler_unlinks),
	    cmocka_unit_test(sigint_handler_unlinks),
	    cmocka_unit_test(no_signal_handler_installed),
	    cmocka_unit_test(normal_exit_unlinks),
	    cmocka_unit_test(next_start_removes_stale),
	    cmocka_unit_test(reused_pid_is_stale),
	    cmocka_unit_test(scribbled_creator_does_not_make_a_live_run_stale),
	    cmocka_unit_test(cleanup_spares_another_users_object),
	    cmocka_unit_test(layout_check_rejects),
	};
	return cmocka_run_group_tests_name("sim/soc", tests, NULL, NULL);
}
