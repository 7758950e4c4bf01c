/*
 * Precise diagnostics for the resource-table parser and the ELF section reader.
 *
 * Every check has its own reason (one X-macro table generates the enum, the names and the
 * texts). A failing call returns a negative AMP_E* code (coarse, for control flow) and, when
 * the caller passes a struct amp_rsc_error, fills it with the reason, the entry or section
 * index, the entry type, the field, the offending value and the bound it broke, so a log line
 * can say exactly what is wrong: amp_rsc_error_format() renders it without printf.
 */
#ifndef AMP_RSC_ERROR_H
#define AMP_RSC_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include <amp/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * XX(name, AMP_E code, limit label or NULL, text). Order: the table checks in the order the
 * parser runs them (Linux's order, REFERENCE.md 4.3), then the ELF checks.
 */
#define AMP_RSC_REASON_MAP(XX)                                                                   \
	XX(NONE, AMP_OK, NULL, "no error")                                                       \
	XX(BAD_ARG, AMP_EINVAL, NULL, "invalid argument")                                        \
	XX(HDR_TRUNCATED, AMP_ENOEXEC, NULL, "table is smaller than its 16-byte header")         \
	XX(BAD_VERSION, AMP_ENOTSUP, "supported", "unsupported table version")                   \
	XX(HDR_RESERVED, AMP_ENOEXEC, NULL, "reserved header word is not zero")                  \
	XX(OFFSETS_TRUNCATED, AMP_ENOEXEC, "max entries",                                        \
	   "offset array does not fit in the table")                                             \
	XX(ENTRY_IN_HEADER, AMP_ENOEXEC, "first entry byte",                                     \
	   "entry offset points into the table header or offset array")                          \
	XX(ENTRY_TRUNCATED, AMP_ENOEXEC, "table size",                                           \
	   "entry type word does not fit in the table")                                          \
	XX(BODY_TRUNCATED, AMP_ENOEXEC, "bytes available", "entry does not fit in the table")    \
	XX(VRINGS_TRUNCATED, AMP_ENOEXEC, "bytes available",                                     \
	   "vdev vrings and config space do not fit in the table")                               \
	XX(RESERVED, AMP_ENOEXEC, NULL, "reserved field is not zero")                            \
	XX(TOO_MANY_VRINGS, AMP_ENOTSUP, "max", "vdev has too many vrings")                      \
	XX(VRING_NUM_ZERO, AMP_ERANGE, NULL, "vring size is zero")                               \
	XX(VRING_NUM_NOT_POW2, AMP_ERANGE, NULL, "vring size is not a power of two")             \
	XX(VRING_NUM_TOO_BIG, AMP_ERANGE, "max", "vring size is larger than virtio allows")      \
	XX(VRING_ALIGN_ZERO, AMP_ERANGE, NULL, "vring alignment is zero")                        \
	XX(VRING_ALIGN_NOT_POW2, AMP_ERANGE, NULL, "vring alignment is not a power of two")      \
	XX(RPMSG_CFG_TRUNCATED, AMP_ENOEXEC, "layout size",                                      \
	   "rpmsg config space is shorter than ampsim's buffer-size layout")                     \
	XX(RPMSG_CFG_VERSION, AMP_ENOTSUP, "supported",                                          \
	   "unsupported version of ampsim's rpmsg config layout")                                \
	XX(RPMSG_BUF_SIZE, AMP_ERANGE, NULL,                                                     \
	   "rpmsg buffer size is not 0 (default 512) or a multiple of 4 in 56..65548")           \
	XX(VENDOR_REJECTED, AMP_EPROTO, NULL, "vendor handler rejected the entry")               \
	XX(VISITOR_FAILED, AMP_EPROTO, NULL, "entry handler failed")                             \
	XX(ENTRY_NOT_FOUND, AMP_ENOENT, NULL, "table has no such entry")                         \
	XX(VDEV_NOT_RPMSG, AMP_ENOTSUP, NULL, "vdev is not an rpmsg device with two vrings")     \
	XX(ELF_TRUNCATED, AMP_ENOEXEC, "minimum", "file is smaller than the ELF header")         \
	XX(ELF_BAD_MAGIC, AMP_ENOEXEC, NULL, "not an ELF file (bad magic)")                      \
	XX(ELF_BAD_CLASS, AMP_ENOEXEC, NULL, "ELF class is neither ELF32 nor ELF64")             \
	XX(ELF_BAD_ENDIAN, AMP_ENOTSUP, NULL, "ELF file is not little-endian")                   \
	XX(ELF_BAD_VERSION, AMP_ENOEXEC, NULL, "ELF version is not 1")                           \
	XX(ELF_NO_SECTIONS, AMP_ENOEXEC, NULL, "ELF file has no section header table")           \
	XX(ELF_BAD_SHENTSIZE, AMP_ENOEXEC, "minimum", "ELF section header entry size too small") \
	XX(ELF_SHDRS_PAST_END, AMP_ENOEXEC, "file size",                                         \
	   "ELF section header table extends past the end of the file")                          \
	XX(ELF_SHSTRNDX_RANGE, AMP_ENOEXEC, "section count",                                     \
	   "ELF section name table index out of range")                                          \
	XX(ELF_STRTAB_PAST_END, AMP_ENOEXEC, "file size",                                        \
	   "ELF section name table extends past the end of the file")                            \
	XX(ELF_NAME_PAST_END, AMP_ENOEXEC, "name table size",                                    \
	   "ELF section name offset is outside the name table")                                  \
	XX(ELF_NAME_UNTERMINATED, AMP_ENOEXEC, "name table size",                                \
	   "ELF section name runs off the end of the name table")                                \
	XX(ELF_SECTION_NOT_FOUND, AMP_ENOENT, NULL, "ELF file has no such section")              \
	XX(ELF_SECTION_NOBITS, AMP_ENOEXEC, NULL, "ELF section has no contents in the file")     \
	XX(ELF_SECTION_EMPTY, AMP_ENOEXEC, NULL, "ELF section is empty")                         \
	XX(ELF_SECTION_PAST_END, AMP_ENOEXEC, "file size",                                       \
	   "ELF section extends past the end of the file")

/** Why a table or an ELF file was rejected. Values follow the order of the checks. */
enum amp_rsc_reason {
#define AMP_RSC_REASON_ENUM_(name, code, limit, text) AMP_RSC_ERR_##name,
	AMP_RSC_REASON_MAP(AMP_RSC_REASON_ENUM_)
#undef AMP_RSC_REASON_ENUM_
	    AMP_RSC_ERR_COUNT_
};

/** struct amp_rsc_error.type when the entry's type word could not be read. */
#define AMP_RSC_TYPE_NONE 0xFFFFFFFFu

/** Where and why a check failed. All fields are plain copies; no pointer into the input. */
struct amp_rsc_error {
	enum amp_rsc_reason reason; /**< the check that failed */
	int code;		    /**< the AMP_E* code the call returned */
	int32_t index; /**< table: entry index, -1 for the table header; ELF: section index or -1 */
	uint32_t type; /**< table: type of entry `index` (valid when index >= 0) */
	uint64_t offset;   /**< byte offset of the faulty field in the table (ELF: in the file) */
	const char *field; /**< static name of the field, e.g. "vring[1].num" or "e_shoff" */
	uint64_t value;	   /**< the offending value */
	uint64_t limit;	   /**< the bound it broke (see amp_rsc_reason_limit()), else 0 */
};

/** "AMP_RSC_ERR_VRING_NUM_ZERO" etc. Never NULL. */
const char *amp_rsc_reason_name(enum amp_rsc_reason reason);

/** One-line description of a reason. Never NULL. */
const char *amp_rsc_reason_text(enum amp_rsc_reason reason);

/** What struct amp_rsc_error.limit means for this reason ("table size", "max"), or NULL. */
const char *amp_rsc_reason_limit(enum amp_rsc_reason reason);

/** The AMP_E* code a failure with this reason returns (AMP_OK for NONE). */
int amp_rsc_reason_code(enum amp_rsc_reason reason);

/**
 * Render an error as one line, e.g.
 * "entry 0 (vdev, type 3) at 0x14: vring[1].num = 15: vring size is not a power of two".
 *
 * Portable (no printf). The output is always NUL-terminated when @p size > 0 and truncated
 * if it does not fit.
 *
 * @param err  the error to render (NULL renders "no error information")
 * @param buf  destination
 * @param size size of @p buf in bytes
 * @return the length of the rendered string (excluding the NUL), at most size - 1
 */
size_t amp_rsc_error_format(const struct amp_rsc_error *err, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* AMP_RSC_ERROR_H */
