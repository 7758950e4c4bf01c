/*
 * fuzz_host: what the firmware can write besides the vrings and the pool, and the host code
 * that reads it:
 *  - the IPCC register file (malloc'd, exactly its size) under the host's real IPCC link
 *    (PROC1, ipcc/link): kicks, interrupt dispatch whose CH1/CH2 handlers run the host bus
 *    as libampsim does, and the bare register model;
 *  - the SoC header page of a real shared object: validated as an attach validates it;
 *  - the DDR plug table in that page under the host's plug/unplug/ack/reset, with the
 *    invariant that the host's DDR mapping never gets a hole (every page stays mapped).
 * The shared object is created once per process; each input starts from its pristine
 * header and the DDR region's own backing.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <amp/error.h>
#include <amp/ipcc.h>
#include <amp/stm32mp1.h>
#include <ampsim/ddr_plug.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/soc.h>

#include "fuzz_host.h"

#define DDR_DA 0xC0000000u
#define DDR_PAGES 16u
#define MEMFD_PAGES 2u

static struct {
	struct amp_soc soc;
	struct amp_ddr_plug_host plug; /* the host's own plug table; the shared one is output */
	uint8_t pristine[AMP_SOC_HDR_SIZE];
	const struct amp_soc_region *ddr;
	int memfd;
	struct amp_ipcc_shared *ipcc; /* malloc'd: ASan bounds */
	int efds[AMP_IPCC_LINK_NFDS];
	struct amp_ipcc_link host, fw;
	struct fz_link *bus;
	_Atomic uint32_t asleep[2];
	uint32_t handled;
} g;

static volatile uint8_t sink;

static void create_soc(void)
{
	struct amp_soc_layout l = {
	    .name = "fuzz", .nregions = 3, .ipcc_region = 2, .ipcc_nchan = 6};
	l.regions[0] = (struct amp_soc_region_cfg){.name = "vdev0buffer",
						   .da = 0x10042000u,
						   .size = 0x4000,
						   .purpose = AMP_SOC_PURPOSE_BUFFER};
	l.regions[1] = (struct amp_soc_region_cfg){.name = "ddr",
						   .da = DDR_DA,
						   .size = DDR_PAGES * AMP_SOC_PAGE,
						   .purpose = AMP_SOC_PURPOSE_DDR};
	l.regions[2] = (struct amp_soc_region_cfg){
	    .name = "ipcc", .da = 0x4C001000u, .size = 0x1000, .purpose = AMP_SOC_PURPOSE_IPCC};
	FZ_CHECK(amp_soc_create(&g.soc, &l) == AMP_OK);
	/* The table and every other header byte as the host published them. */
	FZ_CHECK(amp_soc_set_rsc(&g.soc, 0x10042000u, 0x100) == AMP_OK);
	memcpy(g.pristine, g.soc.hdr, AMP_SOC_HDR_SIZE);
	g.ddr = amp_soc_region_by_purpose(&g.soc, AMP_SOC_PURPOSE_DDR);
	FZ_CHECK(g.ddr && g.ddr->va);
	g.memfd = memfd_create("fuzz-plug", MFD_CLOEXEC);
	FZ_CHECK(g.memfd >= 0 && ftruncate(g.memfd, MEMFD_PAGES * AMP_SOC_PAGE) == 0);
}

static void on_vring_irq(void *arg, uint32_t ch)
{
	(void)arg;
	g.handled++;
	int id = amp_stm32mp1_chan_notify(ch);
	FZ_CHECK(id == 0 || id == 1); /* only CH1/CH2 have this handler */
	/* As libampsim's handler: the bus validates what it finds. */
	(void)amp_rpmsg_notified(&g.bus->host, (uint32_t)id);
}

static void on_other_irq(void *arg, uint32_t ch)
{
	(void)arg;
	FZ_CHECK(ch < 6);
	g.handled++;
}

void fz_soc_init(void)
{
	create_soc();
	g.ipcc = malloc(sizeof(*g.ipcc));
	FZ_CHECK(g.ipcc && amp_ipcc_efds_create(g.efds) == AMP_OK);
}

/* Read what an eventfd counted, without blocking. */
static void drain(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint64_t v;
	if (poll(&p, 1, 0) == 1 && read(fd, &v, sizeof(v)) != sizeof(v))
		__builtin_trap();
}

void fz_soc_begin(struct fz_link *bus)
{
	g.bus = bus;
	memcpy(g.soc.hdr, g.pristine, AMP_SOC_HDR_SIZE);
	amp_ddr_plug_host_init(&g.plug, &g.soc);
	/* Undo last input's plugs: the DDR region's own pages everywhere. */
	FZ_CHECK(mmap(g.ddr->va, g.ddr->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		      g.soc.fd, (off_t)g.ddr->offset) == g.ddr->va);
	for (int i = 0; i < AMP_IPCC_LINK_NFDS; i++)
		drain(g.efds[i]);
	FZ_CHECK(amp_ipcc_reset(g.ipcc, 6) == AMP_OK);
	struct amp_ipcc_link_cfg hc = {.proc = AMP_IPCC_PROC1}, fc = {.proc = AMP_IPCC_PROC2};
	FZ_CHECK(amp_ipcc_link_init(&g.host, &hc, g.ipcc, 6, g.efds, g.asleep) == AMP_OK);
	FZ_CHECK(amp_ipcc_link_init(&g.fw, &fc, g.ipcc, 6, g.efds, g.asleep) == AMP_OK);
	amp_ipcc_link_set_handler(&g.host, AMP_IPCC_CH_VRING0, on_vring_irq, NULL);
	amp_ipcc_link_set_handler(&g.host, AMP_IPCC_CH_VRING1, on_vring_irq, NULL);
	amp_ipcc_link_set_handler(&g.host, AMP_IPCC_CH_DDR_PLUG, on_other_irq, NULL);
	amp_ipcc_link_set_handler(&g.fw, AMP_IPCC_CH_SHUTDOWN, on_other_irq, NULL);
	g.handled = 0;
}

/* Write 0..16 script bytes at a script-chosen offset of [base, base + size). */
static void corrupt(void *base, size_t size, struct fz_script *s)
{
	uint8_t b[16];
	size_t off = fz_u16(s) % size, n = fz_bytes(s, b, sizeof(b));
	if (n > size - off)
		n = size - off;
	memcpy((uint8_t *)base + off, b, n);
}

static void ipcc_model(struct fz_script *s, uint8_t sub)
{
	struct amp_ipcc *m = &g.host.m;
	uint32_t raised = 0, v = 0, off = fz_u16(s) % (AMP_IPCC_REG_SPAN + 8);
	const uint32_t lines = (1u << (AMP_IPCC_NPROC * AMP_IPCC_NLINES)) - 1u;
	switch (sub % 4) {
	case 0:
		(void)amp_ipcc_read(m, off, &v);
		break;
	case 1:
		(void)amp_ipcc_write(m, off, fz_u32(s), &raised);
		break;
	case 2:
		FZ_CHECK((amp_ipcc_rx_pending(m, AMP_IPCC_PROC1) & ~m->chan_mask) == 0);
		FZ_CHECK((amp_ipcc_tx_free(m, AMP_IPCC_PROC1) & ~m->chan_mask) == 0);
		break;
	default:
		raised = amp_ipcc_update(m);
		break;
	}
	FZ_CHECK((raised & ~lines) == 0);
}

static void ipcc_step(struct fz_script *s)
{
	uint8_t sub = fz_u8(s);
	corrupt(g.ipcc, sizeof(*g.ipcc), s);
	switch (sub % 5) {
	case 0: /* the host rings the firmware; the firmware rings the host */
	case 1: {
		struct amp_ipcc_link *l = sub % 5 ? &g.fw : &g.host;
		int r = amp_ipcc_link_kick(l, (sub >> 3) % 8);
		FZ_CHECK(r == 0 || r == 1 || r == AMP_EINVAL);
		FZ_CHECK(r != AMP_EINVAL || (sub >> 3) % 8 >= 6);
		break;
	}
	case 2: { /* the host's interrupt: what the event loop does after its eventfd fired */
		uint32_t before = g.handled;
		int n = amp_ipcc_link_dispatch(&g.host);
		FZ_CHECK(n >= 0 && (uint32_t)n == g.handled - before);
		break;
	}
	case 3:
		(void)amp_ipcc_link_mask(&g.host, (sub >> 3) % 8, sub & 0x80u);
		break;
	default:
		ipcc_model(s, sub >> 3);
		break;
	}
}

static struct amp_ddr_plug_table *plug_table(void)
{
	return (struct amp_ddr_plug_table *)(void *)((uint8_t *)g.soc.hdr + AMP_DDR_PLUG_OFFSET);
}

static void plug_step(struct fz_script *s)
{
	uint8_t sub = fz_u8(s);
	uint32_t slot = 0, gen = 0;
	corrupt(plug_table(), sizeof(struct amp_ddr_plug_table), s);
	switch (sub % 4) {
	case 0: {
		uint64_t da = DDR_DA + (uint64_t)((sub >> 2) % (DDR_PAGES + 1)) * AMP_SOC_PAGE;
		uint64_t size = (uint64_t)(1 + (sub >> 7)) * AMP_SOC_PAGE;
		int r = amp_ddr_plug(&g.plug, da, size, g.memfd, &slot, &gen);
		FZ_CHECK(r == AMP_OK || r == AMP_EINVAL || r == AMP_ENOMEM);
		FZ_CHECK(r != AMP_OK || slot < AMP_DDR_PLUG_SLOTS);
		/* Only a range inside the DDR region is accepted. */
		FZ_CHECK(r != AMP_OK || da + size <= DDR_DA + DDR_PAGES * AMP_SOC_PAGE);
		break;
	}
	case 1: {
		int r = amp_ddr_unplug(&g.plug, (sub >> 2) % (AMP_DDR_PLUG_SLOTS + 4), &gen);
		FZ_CHECK(r == AMP_OK || r == AMP_EINVAL);
		break;
	}
	case 2:
		sink = amp_ddr_plug_acked(&g.plug, fz_u32(s));
		break;
	default:
		amp_ddr_plug_reset(&g.plug);
		break;
	}
	/* Whatever the table says, the host's DDR window has no hole: touch every page. */
	for (uint32_t p = 0; p < DDR_PAGES; p++)
		sink = ((volatile uint8_t *)g.ddr->va)[p * AMP_SOC_PAGE];
}

/* The header page as an attaching process validates it. */
static void hdr_step(struct fz_script *s)
{
	struct amp_soc out;
	char why[160];
	corrupt(g.soc.hdr, AMP_SOC_HDR_SIZE, s);
	memset(&out, 0, sizeof(out));
	if (amp_soc_hdr_check(g.soc.hdr, g.soc.total_size, &out, why, sizeof(why)) == AMP_OK) {
		FZ_CHECK(out.nregions <= AMP_SOC_MAX_REGIONS && out.ipcc_region < out.nregions);
		for (uint32_t i = 0; i < out.nregions; i++) {
			const struct amp_soc_region *r = &out.regions[i];
			FZ_CHECK(strnlen(r->name, AMP_SOC_NAME_MAX) < AMP_SOC_NAME_MAX);
			FZ_CHECK(r->offset <= g.soc.total_size &&
				 r->size <= g.soc.total_size - r->offset);
		}
	} else {
		FZ_CHECK(strnlen(why, sizeof(why)) < sizeof(why));
	}
	/* The loaded-table slot: a pointer only if the whole range is in one region. */
	uint64_t da, size;
	void *p = NULL;
	if (amp_soc_get_rsc(&g.soc, &da, &size, &p) == AMP_OK && p)
		FZ_CHECK(amp_soc_da_to_va(&g.soc, da, size ? size : 1) == p);
}

void fz_soc_step(unsigned op, struct fz_script *s)
{
	if (op == FZ_OP_IPCC)
		ipcc_step(s);
	else if (op == FZ_OP_PLUG)
		plug_step(s);
	else
		hdr_step(s);
}

void fz_soc_end(void)
{
	amp_ipcc_link_deinit(&g.host);
	amp_ipcc_link_deinit(&g.fw);
	g.bus = NULL;
}
