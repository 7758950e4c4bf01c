/*
 * Buffer-ownership sanitizer: memory-checker client requests on ownership changes.
 *
 * valgrind: the requests are a few no-op instructions outside valgrind, so one binary runs
 * with and without it. ASan: ASAN_(UN)POISON_MEMORY_REGION are real only in an ASan build
 * (<sanitizer/asan_interface.h> defines them as no-ops otherwise). The shared buffers sit at
 * their device addresses (0x10042000 on the stm32mp157 profile), inside ASan's low memory on
 * x86_64 (below 0x7fff8000), whose shadow ASan maps at start-up, so poisoning them works.
 */
#include "bufsan.h"

#include <stdlib.h>
#include <string.h>

#ifdef AMP_HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_NOACCESS(p, n) ((void)(p), (void)(n))
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif
#if defined(__has_include)
#if __has_include(<sanitizer/asan_interface.h>)
#include <sanitizer/asan_interface.h>
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

#include <amp/error.h>
#include <ampsim/fwenv.h>

bool fw_bufsan_enabled(void)
{
	const char *v = getenv(AMP_FWENV_SANITIZE_BUFFERS);
	return v && strcmp(v, "1") == 0;
}

static void mark(void *ptr, size_t len, bool ours)
{
	if (ours) {
		ASAN_UNPOISON_MEMORY_REGION(ptr, len);
		VALGRIND_MAKE_MEM_DEFINED(ptr, len);
	} else {
		ASAN_POISON_MEMORY_REGION(ptr, len);
		VALGRIND_MAKE_MEM_NOACCESS(ptr, len);
	}
}

void fw_bufsan_start(const struct amp_soc *soc)
{
	for (uint32_t i = 0; i < soc->nregions; i++) {
		const struct amp_soc_region *r = &soc->regions[i];
		if (r->purpose == AMP_SOC_PURPOSE_BUFFER && r->va)
			mark(r->va, (size_t)r->size, false);
	}
}

void fw_bufsan_owner(void *ctx, void *ptr, uint32_t len, bool ours)
{
	uint64_t da;
	/* The length may come from a buffer's header (a held buffer's capacity): mark only
	 * what lies in the shared memory, never the firmware's own. */
	if (amp_soc_va_to_da(ctx, ptr, len, &da) == AMP_OK)
		mark(ptr, len, ours);
}
