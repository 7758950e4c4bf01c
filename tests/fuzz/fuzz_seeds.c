/*
 * Writes the seed corpus for fuzz_rsc into DIR: tables declared with <amp/rsc_declare.h>
 * covering every entry kind. Run by the build; no binary seeds are checked in.
 */
#include <stdio.h>
#include <string.h>

#include <amp/rsc_declare.h>

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

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	all.vdev.config_len = sizeof(all.config);
	return write_seed(argv[1], "rpmsg.bin", &rpmsg, sizeof(rpmsg)) ||
	       write_seed(argv[1], "rpmsg_trace.bin", &st, sizeof(st)) ||
	       write_seed(argv[1], "rpmsg_bufs.bin", &bufs, sizeof(bufs)) ||
	       write_seed(argv[1], "all_kinds.bin", &all, sizeof(all));
}
