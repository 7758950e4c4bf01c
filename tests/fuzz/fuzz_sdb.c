/*
 * libFuzzer target: the rpmsg-sdb text codec (<amp/sdb_proto.h>) on arbitrary bytes, read
 * in both directions. Besides the sanitizers, it checks the codec's promises: only its three
 * return codes; an accepted message has its index in range; a command's text lies inside
 * the input; any other accepted message formats again, no longer than the input, and parses
 * back to the same fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <amp/error.h>
#include <amp/sdb_proto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                          \
	do {                              \
		if (!(x))                 \
			__builtin_trap(); \
	} while (0)

static int parse(int to_host, const void *p, size_t n, struct amp_sdb_msg *m)
{
	return to_host ? amp_sdb_parse_to_host(p, n, m) : amp_sdb_parse_to_fw(p, n, m);
}

static void one_direction(int to_host, const uint8_t *data, size_t size)
{
	struct amp_sdb_msg m, back;
	char out[AMP_SDB_MSG_MAX + 1];
	int rc = parse(to_host, data, size, &m);

	CHECK(rc == 0 || rc == AMP_EBADMSG || rc == AMP_ERANGE);
	if (rc != 0)
		return;
	if (m.kind == AMP_SDB_MSG_CONTROL) {
		CHECK(!to_host);
		CHECK(m.text == data && m.text_len >= 1 && m.text_len <= size &&
		      m.text_len <= AMP_SDB_MSG_MAX);
		return;
	}
	CHECK(m.idx < AMP_SDB_MAX_BUFFERS);
	int n = amp_sdb_format(out, sizeof(out), &m);
	CHECK(n > 0 && (size_t)n <= size && strlen(out) == (size_t)n);
	CHECK(parse(to_host, out, (size_t)n, &back) == 0);
	CHECK(back.kind == m.kind && back.idx == m.idx && back.da == m.da && back.len == m.len &&
	      back.crc == m.crc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_direction(0, data, size);
	one_direction(1, data, size);
	return 0;
}
