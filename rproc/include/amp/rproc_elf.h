/*
 * ELF section reader: finds a section by name (".resource_table") in an ELF32 or ELF64
 * little-endian image held in memory. Portable: it works on a (pointer, length) pair, with no
 * file I/O and no allocation; the host side reads the file (see <ampsim/rsc_dump.h>).
 *
 * The image is untrusted. Every header field is decoded byte-wise and bounds-checked, with
 * overflow-safe arithmetic, before use: truncated files, section headers or name tables past
 * the end, name offsets outside the name table and lying sizes each give their own
 * enum amp_rsc_reason (AMP_RSC_ERR_ELF_*).
 */
#ifndef AMP_RPROC_ELF_H
#define AMP_RPROC_ELF_H

#include <stddef.h>
#include <stdint.h>

#include <amp/rsc_error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The section remoteproc reads the table from. */
#define AMP_ELF_RSC_SECTION ".resource_table"

/** ELF e_machine values this project meets (for printing). */
#define AMP_ELF_EM_ARM 40u
#define AMP_ELF_EM_X86_64 62u
#define AMP_ELF_EM_AARCH64 183u

/** sh_type of a section with no bytes in the file (.bss). */
#define AMP_ELF_SHT_NOBITS 8u

/** What the ELF header says (decoded). */
struct amp_elf_info {
	uint8_t elf_class; /**< 32 or 64 */
	uint16_t type;	   /**< e_type (2 = executable, 3 = shared/PIE) */
	uint16_t machine;  /**< e_machine (AMP_ELF_EM_*) */
	uint64_t entry;	   /**< e_entry */
	uint32_t shnum;	   /**< number of section headers (extended numbering resolved) */
	uint32_t shstrndx; /**< index of the section name table */
};

/** A section header (decoded). */
struct amp_elf_section {
	uint32_t index;	     /**< its index in the section header table */
	uint32_t type;	     /**< sh_type */
	uint64_t flags;	     /**< sh_flags */
	uint64_t addr;	     /**< sh_addr: where it is loaded (the device address on the MCU) */
	uint64_t offset;     /**< sh_offset: where its bytes are in the file */
	uint64_t size;	     /**< sh_size */
	uint64_t hdr_offset; /**< file offset of this section header (for diagnostics) */
};

/**
 * Find the first section named @p name.
 *
 * On success the section's bytes, unless it is SHT_NOBITS, are proven to lie inside the
 * image: image + sec->offset, sec->size bytes.
 *
 * @param image the file's bytes (any alignment)
 * @param len   their length
 * @param name  section name, NUL-terminated
 * @param info  optional: the decoded ELF header
 * @param sec   receives the section header
 * @param err   optional: where and why it failed
 * @retval 0 found
 * @retval AMP_EINVAL NULL argument
 * @retval AMP_ENOEXEC malformed file (ELF_TRUNCATED, _BAD_MAGIC, _BAD_CLASS, _BAD_VERSION,
 *         _NO_SECTIONS, _BAD_SHENTSIZE, _SHDRS_PAST_END, _SHSTRNDX_RANGE, _STRTAB_PAST_END,
 *         _NAME_PAST_END, _NAME_UNTERMINATED, _SECTION_PAST_END)
 * @retval AMP_ENOTSUP big-endian file (ELF_BAD_ENDIAN)
 * @retval AMP_ENOENT no such section (ELF_SECTION_NOT_FOUND)
 */
int amp_elf_find_section(const void *image, size_t len, const char *name, struct amp_elf_info *info,
			 struct amp_elf_section *sec, struct amp_rsc_error *err);

/**
 * Find ".resource_table" and validate the whole table in it (amp_rsc_parse() with no
 * visitor).
 *
 * @param image     the file's bytes
 * @param len       their length
 * @param info      optional: the decoded ELF header
 * @param sec       optional: the section header
 * @param table     receives a pointer into @p image (borrowed, valid while the image is)
 * @param table_len receives the section size
 * @param err       optional: where and why it failed (ELF or table reason)
 * @retval 0 found and valid
 * @retval AMP_ENOEXEC SHT_NOBITS (ELF_SECTION_NOBITS), empty (ELF_SECTION_EMPTY), or any
 *         malformation of the file or of the table
 * @retval other codes as amp_elf_find_section() and amp_rsc_parse()
 */
int amp_elf_find_rsc_table(const void *image, size_t len, struct amp_elf_info *info,
			   struct amp_elf_section *sec, const uint8_t **table, size_t *table_len,
			   struct amp_rsc_error *err);

#ifdef __cplusplus
}
#endif

#endif /* AMP_RPROC_ELF_H */
