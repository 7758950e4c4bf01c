/*
 * libFuzzer target: the resource-table parser on arbitrary bytes. Besides the sanitizers,
 * it checks the parser's promises: a valid table's entries and vrings lie inside the input,
 * counts add up, the iterator and amp_rsc_parse() agree, and errors always render.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <amp/rsc_parse.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where reads of the input go, so that the compiler cannot drop them. */
static volatile uint8_t fuzz_sink;

#define CHECK(x)                          \
	do {                              \
		if (!(x))                 \
			__builtin_trap(); \
	} while (0)

struct ctx {
	size_t size;
	uint32_t entries;
	uint32_t vendor_seen;
};

static int on_entry(void *p, const struct amp_rsc_entry *e)
{
	struct ctx *c = p;

	c->entries++;
	CHECK((uint64_t)e->offset + 4 <= c->size);
	if (e->kind == AMP_RSC_KIND_VDEV) {
		const struct amp_rsc_vdev_info *v = &e->u.vdev;

		CHECK(v->num_of_vrings <= AMP_RSC_MAX_VRINGS);
		for (unsigned i = 0; i < v->num_of_vrings; i++) {
			CHECK((uint64_t)v->vring[i].offset + 20 <= c->size);
			CHECK(v->vring[i].num && !(v->vring[i].num & (v->vring[i].num - 1)));
			CHECK(v->vring[i].align && !(v->vring[i].align & (v->vring[i].align - 1)));
		}
		CHECK((uint64_t)v->config_offset + v->config_len <= c->size);
		/* declared buffer sizes: 0 or in the core's range, and only from the layout */
		for (unsigned i = 0; i < 2; i++) {
			uint32_t b = i ? v->r2h_buf_size : v->h2r_buf_size;

			CHECK(!b || (b >= AMP_RPMSG_BUF_SIZE_MIN && b <= AMP_RPMSG_BUF_SIZE_MAX &&
				     b % 4 == 0));
			CHECK(!b || v->has_buf_cfg);
		}
		CHECK(!v->has_buf_cfg || (v->id == AMP_VIRTIO_ID_RPMSG && v->config_len >= 16));
	}
	return 0;
}

static int on_vendor(void *p, const struct amp_rsc_entry *e, const uint8_t *body, uint32_t avail)
{
	struct ctx *c = p;
	uint8_t x = 0;

	(void)e;
	/* The callback may read all of avail: ASan proves it is inside the input. */
	for (uint32_t i = 0; i < avail; i++)
		x ^= body[i];
	fuzz_sink = x;
	c->vendor_seen++;
	return (avail & 1) ? AMP_RSC_IGNORED : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amp_rsc_visitor vis = {.entry = on_entry, .vendor = on_vendor};
	struct ctx c = {.size = size};
	struct amp_rsc_stats st;
	struct amp_rsc_error err;
	struct amp_rsc_entry e;
	struct amp_rsc_iter it;
	char msg[256];
	int ret, ret2;

	ret = amp_rsc_parse(data, size, &vis, &c, &st, &err);
	CHECK(amp_rsc_error_format(&err, msg, sizeof(msg)) < sizeof(msg));
	CHECK(strlen(msg) < sizeof(msg));
	if (ret == 0) {
		CHECK(err.reason == AMP_RSC_ERR_NONE);
		CHECK(st.entries == st.carveouts + st.devmems + st.traces + st.vdevs +
					st.vendor_handled + st.vendor_ignored + st.unknown_skipped);
		CHECK(c.entries == st.carveouts + st.devmems + st.traces + st.vdevs);
		CHECK(c.vendor_seen == st.vendor_handled + st.vendor_ignored);
	} else {
		CHECK(ret < 0);
		CHECK(err.reason != AMP_RSC_ERR_NONE);
	}

	/* The iterator must reach the same verdict. */
	ret2 = amp_rsc_iter_init(&it, data, size, NULL);
	while (ret2 == 0 && (ret2 = amp_rsc_iter_next(&it, &e, NULL)) == 1)
		ret2 = 0;
	CHECK(ret2 == ret);

	(void)amp_rsc_find(data, size, AMP_RSC_KIND_VDEV, 0, &e, NULL);
	return 0;
}
