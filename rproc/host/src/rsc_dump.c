#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>

#include <amp/rpmsg.h>
#include <amp/vring_layout.h>
#include <ampsim/rsc_dump.h>

/* Names may hold anything on the wire: print printable ASCII, escape the rest. */
static void print_name(FILE *out, const char *name)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			fputc(*p, out);
		else
			fprintf(out, "\\x%02x", *p);
	}
	fputc('"', out);
}

static void print_addr(FILE *out, const char *label, uint32_t a)
{
	fprintf(out, "%s 0x%08" PRIx32 "%s", label, a, a == AMP_FW_RSC_ADDR_ANY ? " (any)" : "");
}

/* RPMsg-Lite's vring_init() places the used ring without the used_event word; where that
 * moves it (small alignments), an RPMsg-Lite firmware and Linux disagree on the ring. */
static void print_used_ring_warning(FILE *out, unsigned i, const struct amp_rsc_vring_info *r)
{
	bool pow2 = r->num && r->num <= 32768u && !(r->num & (r->num - 1u)) && r->align &&
		    !(r->align & (r->align - 1u));
	if (!pow2)
		return;
	size_t lite = amp_vring_used_off_rpmsg_lite(r->num, r->align);
	size_t linux_off = amp_vring_used_off(r->num, r->align);
	if (lite != linux_off)
		fprintf(out,
			"      warning: vring%u: with align %" PRIu32 " and num %" PRIu32
			", RPMsg-Lite places the used ring at offset 0x%zx, Linux and OpenAMP at "
			"0x%zx: an RPMsg-Lite firmware would not work with this vring (use align "
			">= 16)\n",
			i, r->align, r->num, lite, linux_off);
}

static void print_bits(FILE *out, uint32_t v, const char *const names[32])
{
	const char *sep = "";

	fprintf(out, "0x%" PRIx32, v);
	if (!v)
		return;
	fputs(" (", out);
	for (unsigned b = 0; b < 32; b++) {
		if (!(v & (1u << b)))
			continue;
		if (names[b])
			fprintf(out, "%s%s", sep, names[b]);
		else
			fprintf(out, "%sbit %u", sep, b);
		sep = " | ";
	}
	fputc(')', out);
}

static const char *const feature_names[32] = {
    [0] = "VIRTIO_RPMSG_F_NS",
    [28] = "VIRTIO_RING_F_INDIRECT_DESC",
    [29] = "VIRTIO_RING_F_EVENT_IDX",
};

static const char *const status_names[32] = {
    [0] = "ACKNOWLEDGE", [1] = "DRIVER",      [2] = "DRIVER_OK",
    [3] = "FEATURES_OK", [6] = "NEEDS_RESET", [7] = "FAILED",
};

static void print_mem(FILE *out, const struct amp_rsc_mem_info *m)
{
	print_addr(out, "da", m->da);
	print_addr(out, ", pa", m->pa);
	fprintf(out, ", len 0x%" PRIx32 " (%" PRIu32 "), flags 0x%" PRIx32 ", name ", m->len,
		m->len, m->flags);
	print_name(out, m->name);
	fputc('\n', out);
}

/* The config space, and the buffers a host allocates for an rpmsg vdev (amp_rpmsg_pool_init). */
static void print_rpmsg(FILE *out, const struct amp_rsc_vdev_info *v)
{
	struct amp_rpmsg_pool p;
	struct amp_rpmsg_pool_cfg pc = {
	    .r2h_size = v->r2h_buf_size,
	    .h2r_size = v->h2r_buf_size,
	};

	if (v->config_len)
		fprintf(out, "      config space at offset 0x%" PRIx32 ", %" PRIu32 " bytes%s\n",
			v->config_offset, v->config_len,
			v->id != AMP_VIRTIO_ID_RPMSG ? ""
			: v->has_buf_cfg	     ? ": ampsim buffer sizes"
					 : " (not ampsim's buffer-size layout: ignored)");
	if (v->has_buf_cfg)
		fprintf(out,
			"      buffer sizes: host -> remote %" PRIu32 "%s, remote -> host %" PRIu32
			"%s\n",
			v->h2r_buf_size, v->h2r_buf_size ? "" : " (default)", v->r2h_buf_size,
			v->r2h_buf_size ? "" : " (default)");
	if (v->id != AMP_VIRTIO_ID_RPMSG || v->num_of_vrings != 2)
		return;
	pc.num[0] = v->vring[0].num;
	pc.num[1] = v->vring[1].num;
	if (amp_rpmsg_pool_init(&p, &pc) != 0)
		return; /* the parser accepted the table: every input is in range */
	fprintf(out,
		"      rpmsg buffers: %" PRIu32 " x %" PRIu32 " bytes remote -> host (MTU %" PRIu32
		"), %" PRIu32 " x %" PRIu32 " bytes host -> remote (MTU %" PRIu32 "), %" PRIu32
		" bytes\n",
		p.r2h.count, p.r2h.size, p.r2h.mtu, p.h2r.count, p.h2r.size, p.h2r.mtu, p.total);
}

static void print_entry(FILE *out, const struct amp_rsc_entry *e)
{
	fprintf(out, "  [%" PRIu32 "] %s (type %" PRIu32 ") at offset 0x%" PRIx32 ": ", e->index,
		amp_rsc_type_name(e->type), e->type, e->offset);
	switch (e->kind) {
	case AMP_RSC_KIND_CARVEOUT:
		print_mem(out, &e->u.carveout);
		break;
	case AMP_RSC_KIND_DEVMEM:
		print_mem(out, &e->u.devmem);
		break;
	case AMP_RSC_KIND_TRACE:
		print_addr(out, "da", e->u.trace.da);
		fprintf(out, ", len 0x%" PRIx32 " (%" PRIu32 "), name ", e->u.trace.len,
			e->u.trace.len);
		print_name(out, e->u.trace.name);
		fputc('\n', out);
		break;
	case AMP_RSC_KIND_VDEV: {
		const struct amp_rsc_vdev_info *v = &e->u.vdev;

		fprintf(out,
			"id %" PRIu32 "%s, notifyid %" PRIu32 ", %u vring(s), config_len %" PRIu32
			"\n",
			v->id, v->id == AMP_VIRTIO_ID_RPMSG ? " (rpmsg)" : "", v->notifyid,
			v->num_of_vrings, v->config_len);
		fputs("      dfeatures ", out);
		print_bits(out, v->dfeatures, feature_names);
		fputs(", gfeatures ", out);
		print_bits(out, v->gfeatures, feature_names);
		fputs(", status ", out);
		print_bits(out, v->status, status_names);
		fputc('\n', out);
		for (unsigned i = 0; i < v->num_of_vrings; i++) {
			const struct amp_rsc_vring_info *r = &v->vring[i];

			fprintf(out, "      vring%u at offset 0x%" PRIx32 ": ", i, r->offset);
			print_addr(out, "da", r->da);
			fprintf(out,
				", align %" PRIu32 ", num %" PRIu32 ", notifyid %" PRIu32
				", pa 0x%" PRIx32 "\n",
				r->align, r->num, r->notifyid, r->pa);
			print_used_ring_warning(out, i, r);
		}
		print_rpmsg(out, v);
		break;
	}
	case AMP_RSC_KIND_VENDOR:
		fprintf(out, "vendor-specific, %" PRIu32 " bytes after the type word\n", e->avail);
		break;
	case AMP_RSC_KIND_UNKNOWN:
		fputs("unknown type, skipped\n", out);
		break;
	}
}

static void print_error(FILE *to, const char *prefix, const struct amp_rsc_error *err)
{
	char msg[256];

	amp_rsc_error_format(err, msg, sizeof(msg));
	fprintf(to, "%s%s\n", prefix, msg);
}

/* Prints entries to out; returns the error (err filled) without printing it. */
static int dump_table(FILE *out, const void *table, size_t len, struct amp_rsc_error *err)
{
	const uint8_t *t = table;
	struct amp_rsc_entry e;
	struct amp_rsc_iter it;
	int ret;

	ret = amp_rsc_iter_init(&it, table, len, err);
	if (ret)
		return ret;
	fprintf(out, "resource table: version %u, %" PRIu32 " entr%s, %zu bytes\n",
		t[0] | t[1] << 8 | t[2] << 16 | (unsigned)t[3] << 24, it.num,
		it.num == 1 ? "y" : "ies", len);
	while ((ret = amp_rsc_iter_next(&it, &e, err)) == 1)
		print_entry(out, &e);
	return ret;
}

int amp_rsc_dump(FILE *out, const void *table, size_t len)
{
	struct amp_rsc_error err;
	int ret;

	if (!out)
		return AMP_EINVAL;
	ret = dump_table(out, table, len, &err);
	if (ret)
		print_error(out, "error: ", &err);
	return ret;
}

static const char *machine_name(uint16_t m)
{
	switch (m) {
	case AMP_ELF_EM_ARM:
		return "ARM";
	case AMP_ELF_EM_X86_64:
		return "x86-64";
	case AMP_ELF_EM_AARCH64:
		return "AArch64";
	default:
		return "other";
	}
}

static int dump_elf(FILE *out, const void *image, size_t len, struct amp_rsc_error *err)
{
	struct amp_elf_section s;
	struct amp_elf_info info;
	const uint8_t *table;
	size_t table_len;
	int ret;

	ret = amp_elf_find_section(image, len, AMP_ELF_RSC_SECTION, &info, &s, err);
	if (ret)
		return ret;
	if (s.type == AMP_ELF_SHT_NOBITS || s.size == 0)
		return amp_elf_find_rsc_table(image, len, NULL, NULL, &table, &table_len, err);
	fprintf(out,
		"ELF%u %s (e_machine %u), section %s: index %" PRIu32 ", addr 0x%" PRIx64
		", file offset 0x%" PRIx64 ", size %" PRIu64 "\n",
		info.elf_class, machine_name(info.machine), info.machine, AMP_ELF_RSC_SECTION,
		s.index, s.addr, s.offset, s.size);
	return dump_table(out, (const uint8_t *)image + s.offset, (size_t)s.size, err);
}

int amp_rsc_dump_elf(FILE *out, const void *image, size_t len, struct amp_rsc_error *err)
{
	struct amp_rsc_error local;
	struct amp_rsc_error *e = err ? err : &local;
	int ret;

	if (!out)
		return AMP_EINVAL;
	ret = dump_elf(out, image, len, e);
	if (ret)
		print_error(out, "error: ", e);
	return ret;
}

int amp_rsc_dump_file(FILE *out, FILE *errout, const char *path)
{
	struct amp_rsc_error err;
	uint8_t *image;
	size_t len;
	int ret;

	if (!out || !errout || !path)
		return AMP_EINVAL;
	ret = amp_elf_read_file(path, &image, &len);
	if (ret) {
		fprintf(errout, "%s: %s\n", path, amp_strerror(ret));
		return ret;
	}
	ret = dump_elf(out, image, len, &err);
	if (ret) {
		char msg[256];

		if (err.reason == AMP_RSC_ERR_ELF_SECTION_NOT_FOUND)
			snprintf(msg, sizeof(msg), "no section .resource_table in this ELF file");
		else
			amp_rsc_error_format(&err, msg, sizeof(msg));
		fprintf(errout, "%s: %s\n", path, msg);
	}
	free(image);
	return ret;
}
