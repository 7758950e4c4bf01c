/*
 * Host side of the resource-table tools: read a firmware file and print its table.
 * This is what `ampsim rsc-table FILE` calls. Not portable (stdio, malloc).
 */
#ifndef AMPSIM_RSC_DUMP_H
#define AMPSIM_RSC_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <amp/rproc_elf.h>
#include <amp/rsc_parse.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Files larger than this are refused (AMP_ERANGE): no firmware image is this big. */
#define AMP_ELF_FILE_MAX (256u << 20)

/**
 * Read a whole file into memory.
 *
 * @param path file to read
 * @param data receives a malloc()ed buffer the caller owns and must free()
 * @param len  receives its length
 * @retval 0 on success
 * @retval AMP_EINVAL NULL argument or not a regular file
 * @retval AMP_ENOENT no such file
 * @retval AMP_ERANGE larger than AMP_ELF_FILE_MAX
 * @retval AMP_ENOMEM out of memory
 * @retval AMP_EIO any other open/read failure
 */
int amp_elf_read_file(const char *path, uint8_t **data, size_t *len);

/**
 * Print a resource table readably: header, then every entry with its index and offset,
 * types by name, addresses in hex, vdev features and status decoded, each vring's
 * da/align/num/notifyid, trace and carveout names. Vendor and unknown entries are listed.
 * If the table is invalid, the entries before the bad one are printed, then one line
 * "error: <amp_rsc_error_format() text>".
 *
 * @param out  where to print
 * @param table the table bytes, @p len of them
 * @retval 0 valid table, fully printed
 * @retval <0 the validation error (see amp_rsc_parse())
 */
int amp_rsc_dump(FILE *out, const void *table, size_t len);

/**
 * Print where ".resource_table" is in an ELF image (class, machine, section index, load
 * address, file offset, size), then the table as amp_rsc_dump() does.
 *
 * @param err optional: filled with the ELF or table error
 * @return 0 or the error code; on error one "error: ..." line is printed to @p out
 */
int amp_rsc_dump_elf(FILE *out, const void *image, size_t len, struct amp_rsc_error *err);

/**
 * `ampsim rsc-table FILE`: read @p path and print its table to @p out; any error is printed
 * as one line "<path>: <message>" to @p errout (and not to @p out).
 *
 * @return 0 or a negative AMP_E* code (file errors as amp_elf_read_file(), else as
 *         amp_elf_find_rsc_table())
 */
int amp_rsc_dump_file(FILE *out, FILE *errout, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_RSC_DUMP_H */
