/*
 * Writes the seed corpus for fuzz_rsc into DIR: tables declared with <amp/rsc_declare.h>
 * covering every entry kind; with --host, the seed scripts of fuzz_host (fuzz_host.h): a
 * clean exchange both ways, then the same followed by each kind of corruption once. Run by
 * the build; no binary seeds are checked in.
 */
#include <stdio.h>
#include <string.h>

#include <amp/rsc_declare.h>

#include "fuzz_host.h"

static int write_seed(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		return 1;
	}
	return fclose(f) != 0;
}

/* Host endpoint svc0 at 0x400, the remote's svc0 announced, one message each way. */
static const uint8_t exchange[] = {
    0x01, /* features: name service */
    FZ_OP_HOST_EPT,
    0x20, /* svc0 at 0x400, dest ANY */
    FZ_OP_REMOTE_EPT,
    0x00, /* remote svc0: NS announce */
    FZ_OP_HOST_PUMP,
    FZ_OP_HOST_SEND,
    0x00,
    24,
    0,
    0x00, /* 24 bytes to remote svc0 */
    FZ_OP_REMOTE_IRQ,
    FZ_OP_HOST_PUMP, /* echoed back */
    FZ_OP_HOST_IRQ,
    0x07, /* hold + answer in the callback */
    FZ_OP_HOST_RELEASE,
    0x00,
    FZ_OP_HOST_NOCOPY,
    0x00,
    FZ_OP_HOST_NOCOPY,
    0x01,
    40,
    0,
    FZ_OP_REMOTE_IRQ,
    FZ_OP_HOST_PUMP,
    FZ_OP_HOST_WAIT,
    0x00,
    FZ_OP_HOST_WAIT,
    0x01,
};

/* Each corruption kind, with its arguments, appended to the exchange. */
static const uint8_t corruptions[][14] = {
    {FZ_OP_POKE_HOT, 0x00, 2, 0x40, 0x00, FZ_OP_HOST_IRQ, 0x00},       /* used.idx of vring0 */
    {FZ_OP_POKE_HOT, 0x01, 4, 0x11, 0, 0, 0, FZ_OP_HOST_IRQ, 0x00},    /* used id 17 */
    {FZ_OP_POKE_HOT, 0x02, 4, 0xff, 0xff, 0, 0, FZ_OP_HOST_IRQ, 0x00}, /* used len */
    {FZ_OP_POKE_HOT, 0x14, 2, 0xff, 0xff, FZ_OP_HOST_IRQ, 0x00},       /* rpmsg hdr len */
    {FZ_OP_POKE, 0x00, 0x10, 8, 1, 2, 3, 4, 5, 6, 7, 8},	       /* vring1 desc */
    {FZ_OP_IPCC, 0x02, 0x00, 0x00, 4, 0, 0, 0, 0},		       /* C1CR cleared, dispatch */
    {FZ_OP_IPCC, 0x00, 0x04, 0x00, 4, 0xff, 0xff, 0xff, 0xff},	       /* C1MR all masked, kick */
    {FZ_OP_PLUG, 0x00, 0x10, 0x00, 4, 1, 0, 0, 0},		  /* a foreign slot tag, plug */
    {FZ_OP_PLUG, 0x01, 0x10, 0x00, 8, 0, 0, 0, 0xc0, 0, 0, 0, 0}, /* slot da, unplug */
    {FZ_OP_HDR, 0x00, 0x01, 4, 'x', 'y', 'z', 0},		  /* a region name */
    {FZ_OP_HDR, 0x48, 0x00, 8, 0, 0x20, 0x04, 0x10, 0, 0, 0, 0},  /* rsc_da */
};

static int write_host_seeds(const char *dir)
{
	uint8_t buf[sizeof(exchange) + sizeof(corruptions[0])];
	char name[32];
	int bad = write_seed(dir, "exchange.bin", exchange, sizeof(exchange));

	for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
		memcpy(buf, exchange, sizeof(exchange));
		memcpy(buf + sizeof(exchange), corruptions[i], sizeof(corruptions[i]));
		snprintf(name, sizeof(name), "corrupt%02zu.bin", i);
		bad |= write_seed(dir, name, buf, sizeof(buf));
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct amp_rsc_table_rpmsg rpmsg = AMP_RSC_TABLE_RPMSG_INIT(16, 16);
	struct amp_rsc_table_rpmsg_trace st =
	    AMP_RSC_TABLE_RPMSG_TRACE_INIT(16, 16, 0x10050000u, 0x1000u, "cm4_log");
	/* ampsim's buffer-size config space after the vrings */
	struct amp_rsc_table_rpmsg_bufs_trace bufs = AMP_RSC_TABLE_RPMSG_BUFS_TRACE_INIT(
	    8, 16, 16, 256, 1024, 0x10050000u, 0x1000u, "cm4_log");
	struct {
		struct amp_rsc_table_hdr hdr;
		uint32_t offset[5];
		struct amp_fw_rsc_carveout co;
		struct amp_fw_rsc_carveout dm;
		struct amp_fw_rsc_vendor v;
		uint32_t unknown;
		struct amp_fw_rsc_vdev vdev;
		struct amp_fw_rsc_vdev_vring vring[2];
		uint8_t config[8];
	} all = {
	    .hdr = AMP_RSC_HDR_INIT(5),
	    .offset = {36, 92, 148, 156, 160},
	    .co = AMP_RSC_CARVEOUT_INIT(0x10000000u, AMP_FW_RSC_ADDR_ANY, 0x40000u, 0, "mcuram"),
	    .dm = {.type = AMP_RSC_DEVMEM, .da = 0x4c001000u, .len = 0x400, .name = "ipcc"},
	    .v = {.type = 200, .len = 4},
	    .unknown = 77,
	    .vdev = AMP_RSC_VDEV_RPMSG_INIT(2),
	    .vring = {AMP_RSC_VRING_INIT(0x10040000u, 4096, 256, 0),
		      AMP_RSC_VRING_INIT(0x10041000u, 4096, 256, 1)},
	};

	if (argc == 3 && !strcmp(argv[1], "--host"))
		return write_host_seeds(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: %s [--host] DIR\n", argv[0]);
		return 2;
	}
	all.vdev.config_len = sizeof(all.config);
	return write_seed(argv[1], "rpmsg.bin", &rpmsg, sizeof(rpmsg)) ||
	       write_seed(argv[1], "rpmsg_trace.bin", &st, sizeof(st)) ||
	       write_seed(argv[1], "rpmsg_bufs.bin", &bufs, sizeof(bufs)) ||
	       write_seed(argv[1], "all_kinds.bin", &all, sizeof(all));
}
