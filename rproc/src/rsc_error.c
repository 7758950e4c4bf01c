#include <amp/rsc_error.h>
#include <amp/rsc_parse.h>

#include "local.h"

struct reason_desc {
	const char *name;
	const char *limit;
	const char *text;
};

/*
 * Codes and texts are separate objects: a firmware that validates tables but never formats
 * an error links only the small code table (-fdata-sections + --gc-sections drop the texts).
 */
static const signed char reason_codes[AMP_RSC_ERR_COUNT_] = {
#define AMP_RSC_REASON_CODE_(n, c, l, t) [AMP_RSC_ERR_##n] = (signed char)(c),
    AMP_RSC_REASON_MAP(AMP_RSC_REASON_CODE_)
#undef AMP_RSC_REASON_CODE_
};

static const struct reason_desc reasons[AMP_RSC_ERR_COUNT_] = {
#define AMP_RSC_REASON_DESC_(n, c, l, t) [AMP_RSC_ERR_##n] = {"AMP_RSC_ERR_" #n, l, t},
    AMP_RSC_REASON_MAP(AMP_RSC_REASON_DESC_)
#undef AMP_RSC_REASON_DESC_
};

static const struct reason_desc *desc(enum amp_rsc_reason r)
{
	if ((unsigned)r >= AMP_RSC_ERR_COUNT_)
		return NULL;
	return &reasons[r];
}

const char *amp_rsc_reason_name(enum amp_rsc_reason reason)
{
	const struct reason_desc *d = desc(reason);

	return d ? d->name : "AMP_RSC_ERR_?";
}

const char *amp_rsc_reason_text(enum amp_rsc_reason reason)
{
	const struct reason_desc *d = desc(reason);

	return d ? d->text : "unknown reason";
}

const char *amp_rsc_reason_limit(enum amp_rsc_reason reason)
{
	const struct reason_desc *d = desc(reason);

	return d ? d->limit : NULL;
}

int amp_rsc_reason_code(enum amp_rsc_reason reason)
{
	if ((unsigned)reason >= AMP_RSC_ERR_COUNT_)
		return AMP_EINVAL;
	return reason_codes[reason];
}

int amp_rsc_fail(struct amp_rsc_error *err, enum amp_rsc_reason reason, int32_t index,
		 uint32_t type, uint64_t offset, const char *field, uint64_t value, uint64_t limit)
{
	int code = amp_rsc_reason_code(reason);

	if (err) {
		err->reason = reason;
		err->code = code;
		err->index = index;
		err->type = type;
		err->offset = offset;
		err->field = field;
		err->value = value;
		err->limit = limit;
	}
	return code;
}

/* A bounded string builder: never writes past size - 1, always terminates. */
struct sbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void put_str(struct sbuf *s, const char *str)
{
	while (*str && s->len + 1 < s->size)
		s->buf[s->len++] = *str++;
	if (s->size)
		s->buf[s->len] = '\0';
}

static void put_num(struct sbuf *s, uint64_t v, unsigned base)
{
	char tmp[24];
	size_t n = 0;

	if (base == 16)
		put_str(s, "0x");
	do {
		unsigned d = (unsigned)(v % base);

		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (n) {
		char c[2] = {tmp[--n], '\0'};

		put_str(s, c);
	}
}

/* Small values read best in decimal, addresses and sizes past 4 digits in hex. */
static void put_val(struct sbuf *s, uint64_t v)
{
	put_num(s, v, v < 10000 ? 10 : 16);
}

static int is_elf_reason(enum amp_rsc_reason r)
{
	return r >= AMP_RSC_ERR_ELF_TRUNCATED && r < AMP_RSC_ERR_COUNT_;
}

size_t amp_rsc_error_format(const struct amp_rsc_error *err, char *buf, size_t size)
{
	struct sbuf s = {buf, size, 0};
	const char *limit;

	if (!buf || !size)
		return 0;
	buf[0] = '\0';
	if (!err) {
		put_str(&s, "no error information");
		return s.len;
	}
	if (err->reason == AMP_RSC_ERR_NONE) {
		put_str(&s, "no error");
		return s.len;
	}
	if (is_elf_reason(err->reason)) {
		put_str(&s, "ELF");
		if (err->index >= 0) {
			put_str(&s, " section ");
			put_num(&s, (uint64_t)err->index, 10);
		}
	} else if (err->reason == AMP_RSC_ERR_BAD_ARG) {
		put_str(&s, "call");
	} else if (err->index < 0) {
		put_str(&s, "table header");
	} else {
		put_str(&s, "entry ");
		put_num(&s, (uint64_t)err->index, 10);
		if (err->type != AMP_RSC_TYPE_NONE) {
			put_str(&s, " (");
			put_str(&s, amp_rsc_type_name(err->type));
			put_str(&s, ", type ");
			put_num(&s, err->type, 10);
			put_str(&s, ")");
		} else {
			put_str(&s, " (type not read)"); /* its offset is what is wrong */
		}
	}
	put_str(&s, " at offset ");
	put_num(&s, err->offset, 16);
	put_str(&s, ": ");
	if (err->field) {
		put_str(&s, err->field);
		put_str(&s, " = ");
		put_val(&s, err->value);
		put_str(&s, ": ");
	}
	put_str(&s, amp_rsc_reason_text(err->reason));
	limit = amp_rsc_reason_limit(err->reason);
	if (limit) {
		put_str(&s, " (");
		put_str(&s, limit);
		put_str(&s, " ");
		put_val(&s, err->limit);
		put_str(&s, ")");
	}
	return s.len;
}
