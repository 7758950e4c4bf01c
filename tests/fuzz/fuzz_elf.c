/*
 * libFuzzer target: the ELF section reader (and, through it, the table parser) on arbitrary
 * bytes. A found section must lie inside the input.
 */
#include <stddef.h>
#include <stdint.h>

#include <amp/rproc_elf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where reads of the input go, so that the compiler cannot drop them. */
static volatile uint8_t fuzz_sink;

#define CHECK(x)                          \
	do {                              \
		if (!(x))                 \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amp_elf_section sec;
	struct amp_elf_info info;
	struct amp_rsc_error err;
	const uint8_t *table;
	size_t table_len;
	char msg[256];
	uint8_t x = 0;

	if (amp_elf_find_section(data, size, ".shstrtab", &info, &sec, &err) == 0) {
		CHECK(info.shstrndx < info.shnum && sec.index < info.shnum);
		if (sec.type != AMP_ELF_SHT_NOBITS)
			CHECK(sec.offset <= size && sec.size <= size - sec.offset);
	}
	amp_rsc_error_format(&err, msg, sizeof(msg));

	if (amp_elf_find_rsc_table(data, size, &info, &sec, &table, &table_len, &err) == 0) {
		CHECK(table >= data && table_len <= size &&
		      table - data <= (ptrdiff_t)(size - table_len));
		CHECK(table_len == sec.size);
		for (size_t i = 0; i < table_len; i++)
			x ^= table[i];
		fuzz_sink = x;
	} else {
		CHECK(err.reason != AMP_RSC_ERR_NONE);
	}
	amp_rsc_error_format(&err, msg, sizeof(msg));
	return 0;
}
