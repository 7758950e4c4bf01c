/* rproc/ private helpers: little-endian loads from untrusted byte buffers, error filling. */
#ifndef AMP_RPROC_LOCAL_H
#define AMP_RPROC_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <amp/rsc_error.h>

/* Byte-wise so that alignment and host endianness never matter. Callers bound-check first. */
static inline uint16_t amp_ld_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t amp_ld_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t amp_ld_le64(const uint8_t *p)
{
	return (uint64_t)amp_ld_le32(p) | ((uint64_t)amp_ld_le32(p + 4) << 32);
}

/* True when [off, off + n) lies inside a buffer of len bytes; never overflows. */
static inline int amp_range_ok(uint64_t off, uint64_t n, uint64_t len)
{
	return off <= len && n <= len - off;
}

/*
 * Fill *err (if any) and return the reason's AMP_E* code. index -1 means "the header" (table)
 * or "no section" (ELF).
 */
int amp_rsc_fail(struct amp_rsc_error *err, enum amp_rsc_reason reason, int32_t index,
		 uint32_t type, uint64_t offset, const char *field, uint64_t value, uint64_t limit);

#endif /* AMP_RPROC_LOCAL_H */
