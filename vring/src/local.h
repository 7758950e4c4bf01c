/* Private helpers of the vring/ core: little-endian shared-memory access, assertions. */
#ifndef AMP_VRING_LOCAL_H
#define AMP_VRING_LOCAL_H

#include <stdatomic.h>
#include <stdint.h>

#include <amp/error.h>
#include <amp/port.h>

/*
 * Everything on the wire is little-endian (REFERENCE §1.6). On a little-endian CPU the
 * conversions vanish; a big-endian build swaps.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define amp_le16(x) __builtin_bswap16(x)
#define amp_le32(x) __builtin_bswap32(x)
#define amp_le64(x) __builtin_bswap64(x)
#else
#define amp_le16(x) (x)
#define amp_le32(x) (x)
#define amp_le64(x) (x)
#endif

/* Single volatile accesses: the compiler may neither merge, split nor re-read them. */
static inline uint16_t amp_ld16(const volatile uint16_t *p)
{
	return amp_le16(*p);
}

static inline uint32_t amp_ld32(const volatile uint32_t *p)
{
	return amp_le32(*p);
}

static inline uint64_t amp_ld64(const volatile uint64_t *p)
{
	return amp_le64(*p);
}

static inline void amp_st16(volatile uint16_t *p, uint16_t v)
{
	*p = amp_le16(v);
}

static inline void amp_st32(volatile uint32_t *p, uint32_t v)
{
	*p = amp_le32(v);
}

static inline void amp_st64(volatile uint64_t *p, uint64_t v)
{
	*p = amp_le64(v);
}

/*
 * The ring indices (avail.idx, used.idx) publish and consume entries: C11 release stores and
 * acquire loads (REFERENCE §1.5). Suppression flags and event indices are advice that is
 * read after a seq_cst fence: relaxed atomic accesses. Shared words are plain uint16_t in
 * the wire structs, so we access them through an _Atomic view of the same object.
 */
#if ATOMIC_SHORT_LOCK_FREE != 2
#error "the ring indices need lock-free 16-bit atomics"
#endif
_Static_assert(sizeof(_Atomic uint16_t) == sizeof(uint16_t), "atomic u16 is a plain u16");

static inline volatile _Atomic uint16_t *amp_a16(const volatile uint16_t *p)
{
	return (volatile _Atomic uint16_t *)(uintptr_t)p;
}

static inline uint16_t amp_ld16_acq(const volatile uint16_t *p)
{
	return amp_le16(atomic_load_explicit(amp_a16(p), memory_order_acquire));
}

static inline void amp_st16_rel(volatile uint16_t *p, uint16_t v)
{
	atomic_store_explicit(amp_a16(p), amp_le16(v), memory_order_release);
}

static inline uint16_t amp_ld16_rlx(const volatile uint16_t *p)
{
	return amp_le16(atomic_load_explicit(amp_a16(p), memory_order_relaxed));
}

static inline void amp_st16_rlx(volatile uint16_t *p, uint16_t v)
{
	atomic_store_explicit(amp_a16(p), amp_le16(v), memory_order_relaxed);
}

/* The base name keeps build paths out of the image (and its flash). */
#ifdef __FILE_NAME__
#define AMP_FILE_ __FILE_NAME__
#else
#define AMP_FILE_ __FILE__
#endif

/* Our own invariants only; the peer's misbehaviour is an error return, never this. */
#define AMP_ASSERT(port, x)                                                \
	do {                                                               \
		if (!(x) && (port)->ops->assert_fail)                      \
			(port)->ops->assert_fail(AMP_FILE_, __LINE__, #x); \
	} while (0)

#endif /* AMP_VRING_LOCAL_H */
