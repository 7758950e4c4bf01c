/* The table printer: every field readable, errors as one line, files through the ELF path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ampsim/rsc_dump.h>

#include "fixture_table.h"

/* Collect what a printer wrote (tmpfile: plain C, works under valgrind). */
static char *slurp(FILE *f)
{
	long n;
	char *s;

	assert_int_equal(fflush(f), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

static void contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing \"%s\" in:\n%s", needle, hay);
}

static void dump_st_table(void **state)
{
	struct amp_rsc_table_rpmsg_trace st = FIXTURE_TABLE_INIT;
	FILE *f = tmpfile();
	char *out;

	(void)state;
	assert_non_null(f);
	st.vdev.status =
	    AMP_VIRTIO_STATUS_ACK | AMP_VIRTIO_STATUS_DRIVER | AMP_VIRTIO_STATUS_DRIVER_OK;
	st.vdev.gfeatures = 1u | 1u << 29 | 1u << 5;
	st.vring[0].da = 0x10040000u;
	assert_int_equal(amp_rsc_dump(f, &st, sizeof(st)), 0);
	out = slurp(f);
	print_message("%s", out);
	contains(out, "resource table: version 1, 2 entries, 140 bytes\n");
	contains(out, "  [0] vdev (type 3) at offset 0x18: id 7 (rpmsg), notifyid 0, 2 vring(s), "
		      "config_len 0\n");
	contains(out, "dfeatures 0x1 (VIRTIO_RPMSG_F_NS), gfeatures 0x20000021 (VIRTIO_RPMSG_F_NS"
		      " | bit 5 | VIRTIO_RING_F_EVENT_IDX), status 0x7 (ACKNOWLEDGE | DRIVER | "
		      "DRIVER_OK)\n");
	contains(out,
		 "vring0 at offset 0x34: da 0x10040000, align 16, num 16, notifyid 0, pa 0x0\n");
	contains(out, "vring1 at offset 0x48: da 0xffffffff (any), align 16, num 16, notifyid 1, "
		      "pa 0x0\n");
	contains(out, "  [1] trace (type 2) at offset 0x5c: da 0x10050000, len 0x1000 (4096), name "
		      "\"cm4_log\"\n");
	contains(out, "rpmsg buffers: 16 x 512 bytes remote -> host (MTU 496), 16 x 512 bytes host "
		      "-> remote (MTU 496), 16384 bytes\n");
	free(out);
}

/* A vring whose used ring RPMsg-Lite would place elsewhere (align 4) is flagged; align 16 not. */
static void dump_warns_of_rpmsg_lite_used_ring(void **state)
{
	struct amp_rsc_table_rpmsg_trace st = FIXTURE_TABLE_INIT;
	FILE *f = tmpfile();
	char *out;

	(void)state;
	assert_non_null(f);
	st.vring[1].align = 4;
	assert_int_equal(amp_rsc_dump(f, &st, sizeof(st)), 0);
	out = slurp(f);
	contains(out, "warning: vring1: with align 4 and num 16, RPMsg-Lite places the used ring "
		      "at offset 0x124, Linux and OpenAMP at 0x128");
	assert_null(strstr(out, "warning: vring0"));
	free(out);
}

/* Declared buffer sizes and the pool a host derives from them, per direction. */
static void dump_buffer_sizes(void **state)
{
	struct amp_rsc_table_rpmsg_bufs_trace t = AMP_RSC_TABLE_RPMSG_BUFS_TRACE_INIT(
	    8, 16, 16, 256, 1024, FIXTURE_TRACE_DA, FIXTURE_TRACE_LEN, "cm4_log");
	FILE *f = tmpfile();
	char *out;

	(void)state;
	assert_non_null(f);
	assert_int_equal(amp_rsc_dump(f, &t, sizeof(t)), 0);
	out = slurp(f);
	print_message("%s", out);
	contains(out, "2 vring(s), config_len 16\n");
	contains(out, "      config space at offset 0x5c, 16 bytes: ampsim buffer sizes\n"
		      "      buffer sizes: host -> remote 256, remote -> host 1024\n"
		      "      rpmsg buffers: 8 x 1024 bytes remote -> host (MTU 1008), 16 x 256 "
		      "bytes host -> remote (MTU 240), 12288 bytes\n");
	free(out);

	/* 0 = Linux's default; a config space of another layout is shown as ignored */
	t.config.h2r_buf_size = 0;
	f = tmpfile();
	assert_int_equal(amp_rsc_dump(f, &t, sizeof(t)), 0);
	out = slurp(f);
	contains(out, "buffer sizes: host -> remote 0 (default), remote -> host 1024\n");
	contains(out, "16 x 512 bytes host -> remote (MTU 496), 16384 bytes\n");
	free(out);
	t.config.magic = 0;
	f = tmpfile();
	assert_int_equal(amp_rsc_dump(f, &t, sizeof(t)), 0);
	out = slurp(f);
	contains(out, "16 bytes (not ampsim's buffer-size layout: ignored)\n");
	contains(out, "rpmsg buffers: 8 x 512 bytes remote -> host (MTU 496), 16 x 512 bytes "
		      "host -> remote (MTU 496), 12288 bytes\n");
	assert_null(strstr(out, "buffer sizes:"));
	free(out);
}

static void dump_other_kinds(void **state)
{
	struct {
		struct amp_rsc_table_hdr hdr;
		uint32_t offset[4];
		struct amp_fw_rsc_carveout co;
		struct amp_fw_rsc_carveout dm;
		struct amp_fw_rsc_vendor v;
		uint32_t unknown;
	} t = {
	    .hdr = AMP_RSC_HDR_INIT(4),
	    .offset = {32, 88, 144, 152},
	    .co = AMP_RSC_CARVEOUT_INIT(0x10000000u, AMP_FW_RSC_ADDR_ANY, 0x40000u, 0,
					"mcu\"ram\x01"),
	    .dm = {.type = AMP_RSC_DEVMEM,
		   .da = 0x4c001000u,
		   .pa = 0x4c001000u,
		   .len = 0x400,
		   .flags = 3,
		   .name = "ipcc"},
	    .v = {.type = 200, .len = 0},
	    .unknown = 77,
	};
	FILE *f = tmpfile();
	char *out;

	(void)state;
	assert_int_equal(amp_rsc_dump(f, &t, sizeof(t)), 0);
	out = slurp(f);
	print_message("%s", out);
	contains(out, "  [0] carveout (type 0) at offset 0x20: da 0x10000000, pa 0xffffffff (any), "
		      "len 0x40000 (262144), flags 0x0, name \"mcu\\x22ram\\x01\"\n");
	contains(out,
		 "  [1] devmem (type 1) at offset 0x58: da 0x4c001000, pa 0x4c001000, len 0x400 "
		 "(1024), flags 0x3, name \"ipcc\"\n");
	contains(out, "  [2] vendor (type 200) at offset 0x90: vendor-specific, 8 bytes after the "
		      "type word\n");
	contains(out, "  [3] unknown (type 77) at offset 0x98: unknown type, skipped\n");
	free(out);
}

static void dump_invalid(void **state)
{
	struct amp_rsc_table_rpmsg_trace st = FIXTURE_TABLE_INIT;
	FILE *f = tmpfile();
	char *out;

	(void)state;
	st.trace.reserved = 9;
	assert_int_equal(amp_rsc_dump(f, &st, sizeof(st)), AMP_ENOEXEC);
	out = slurp(f);
	contains(out, "  [0] vdev");
	contains(out, "error: entry 1 (trace, type 2) at offset 0x68: reserved = 9: reserved field "
		      "is not zero\n");
	assert_null(strstr(out, "[1] trace"));
	free(out);
}

static void dump_files(void **state)
{
	FILE *out = tmpfile(), *err = tmpfile();
	char *o, *e;

	(void)state;
	assert_int_equal(amp_rsc_dump_file(out, err, AMP_FIXTURE_HOST), 0);
	o = slurp(out);
	e = slurp(err);
	contains(o, "ELF64 x86-64 (e_machine 62), section .resource_table: index ");
	contains(o, "size 140\n");
	contains(o, "vring1 at offset 0x48");
	assert_string_equal(e, "");
	free(o);
	free(e);

	if (AMP_FIXTURE_ARM[0]) {
		out = tmpfile();
		err = tmpfile();
		assert_int_equal(amp_rsc_dump_file(out, err, AMP_FIXTURE_ARM), 0);
		o = slurp(out);
		e = slurp(err);
		contains(o, "ELF32 ARM (e_machine 40), section .resource_table: index ");
		contains(o, "[1] trace (type 2) at offset 0x5c: da 0x10050000");
		assert_string_equal(e, "");
		free(o);
		free(e);
	}

	/* errors go to errout only, prefixed with the path */
	out = tmpfile();
	err = tmpfile();
	assert_int_equal(amp_rsc_dump_file(out, err, "/nonexistent/fw.elf"), AMP_ENOENT);
	o = slurp(out);
	e = slurp(err);
	assert_string_equal(o, "");
	contains(e, "/nonexistent/fw.elf: ");
	free(o);
	free(e);

	out = tmpfile();
	err = tmpfile();
	assert_int_equal(amp_rsc_dump_file(out, err, __FILE__), AMP_ENOEXEC);
	o = slurp(out);
	e = slurp(err);
	assert_string_equal(o, "");
	contains(e, "not an ELF file (bad magic)\n");
	free(o);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dump_st_table),
	    cmocka_unit_test(dump_warns_of_rpmsg_lite_used_ring),
	    cmocka_unit_test(dump_buffer_sizes),
	    cmocka_unit_test(dump_other_kinds),
	    cmocka_unit_test(dump_invalid),
	    cmocka_unit_test(dump_files),
	};

	return cmocka_run_group_tests_name("rproc/rsc_dump", tests, NULL, NULL);
}
