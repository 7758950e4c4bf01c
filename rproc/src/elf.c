/*
 * ELF section lookup over an untrusted in-memory image. Layouts from the System V gABI
 * (Elf32_Ehdr/Elf64_Ehdr, Elf32_Shdr/Elf64_Shdr); like Linux's find_table() we go through the
 * section header table and its name table, because program headers do not name sections.
 */
#include <string.h>

#include <amp/rproc_elf.h>
#include <amp/rsc_parse.h>

#include "local.h"

#define EI_NIDENT 16u
#define EI_CLASS 4u
#define EI_DATA 5u
#define EI_VERSION 6u
#define ELFCLASS32 1u
#define ELFCLASS64 2u
#define ELFDATA2LSB 1u
#define EV_CURRENT 1u
#define SHN_UNDEF 0u
#define SHN_XINDEX 0xffffu

/* Where the fields we need sit, per class. */
struct elf_layout {
	uint32_t ehdr_size;
	uint32_t e_entry, e_shoff, e_shentsize, e_shnum, e_shstrndx;
	uint32_t shdr_size;
	uint32_t sh_flags, sh_addr, sh_offset, sh_size, sh_link;
	uint8_t word; /* 4 or 8: width of e_entry, e_shoff, sh_flags, sh_addr, sh_offset, sh_size */
};

static const struct elf_layout layout32 = {
    .ehdr_size = 52,
    .e_entry = 24,
    .e_shoff = 32,
    .e_shentsize = 46,
    .e_shnum = 48,
    .e_shstrndx = 50,
    .shdr_size = 40,
    .sh_flags = 8,
    .sh_addr = 12,
    .sh_offset = 16,
    .sh_size = 20,
    .sh_link = 24,
    .word = 4,
};

static const struct elf_layout layout64 = {
    .ehdr_size = 64,
    .e_entry = 24,
    .e_shoff = 40,
    .e_shentsize = 58,
    .e_shnum = 60,
    .e_shstrndx = 62,
    .shdr_size = 64,
    .sh_flags = 8,
    .sh_addr = 16,
    .sh_offset = 24,
    .sh_size = 32,
    .sh_link = 40,
    .word = 8,
};

static uint64_t ld_word(const struct elf_layout *l, const uint8_t *p)
{
	return l->word == 8 ? amp_ld_le64(p) : amp_ld_le32(p);
}

static int32_t idx32(uint64_t i)
{
	return i > INT32_MAX ? INT32_MAX : (int32_t)i;
}

static int elf_fail(struct amp_rsc_error *err, enum amp_rsc_reason r, uint64_t section,
		    uint64_t offset, const char *field, uint64_t value, uint64_t limit)
{
	return amp_rsc_fail(err, r, section == UINT64_MAX ? -1 : idx32(section), AMP_RSC_TYPE_NONE,
			    offset, field, value, limit);
}

#define NO_SECTION UINT64_MAX

/* shoff + n * size, saturated: only for reporting where a table would end. */
static uint64_t span_end(uint64_t shoff, uint64_t n, uint64_t size)
{
	if (size && n > (UINT64_MAX - shoff) / size)
		return UINT64_MAX;
	return shoff + n * size;
}

/* Name the field that is wrong: the offset if it is already past the end, else the size. */
static int past_end(struct amp_rsc_error *err, enum amp_rsc_reason r, const struct elf_layout *l,
		    const struct amp_elf_section *s, uint64_t len)
{
	if (s->offset > len)
		return elf_fail(err, r, s->index, s->hdr_offset + l->sh_offset, "sh_offset",
				s->offset, len);
	return elf_fail(err, r, s->index, s->hdr_offset + l->sh_size, "sh_size", s->size, len);
}

/* Decode section header @i; the caller proved the table lies in the image. */
static void read_shdr(const struct elf_layout *l, const uint8_t *img, uint64_t shoff,
		      uint64_t shentsize, uint64_t i, struct amp_elf_section *s, uint32_t *name,
		      uint32_t *link)
{
	const uint8_t *p = img + shoff + i * shentsize;

	s->index = (uint32_t)i;
	s->hdr_offset = shoff + i * shentsize;
	*name = amp_ld_le32(p);
	s->type = amp_ld_le32(p + 4);
	s->flags = ld_word(l, p + l->sh_flags);
	s->addr = ld_word(l, p + l->sh_addr);
	s->offset = ld_word(l, p + l->sh_offset);
	s->size = ld_word(l, p + l->sh_size);
	*link = amp_ld_le32(p + l->sh_link);
}

/* e_ident: magic, class (picks the layout), little-endian, version, a whole header. */
static int check_ident(const uint8_t *img, size_t len, const struct elf_layout **l,
		       struct amp_rsc_error *err)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};

	if (len < sizeof(magic))
		return elf_fail(err, AMP_RSC_ERR_ELF_TRUNCATED, NO_SECTION, 0, "size", len,
				EI_NIDENT);
	if (memcmp(img, magic, sizeof(magic)) != 0)
		return elf_fail(err, AMP_RSC_ERR_ELF_BAD_MAGIC, NO_SECTION, 0, "e_ident[0..3]",
				amp_ld_le32(img), amp_ld_le32(magic));
	if (len < EI_NIDENT)
		return elf_fail(err, AMP_RSC_ERR_ELF_TRUNCATED, NO_SECTION, 0, "size", len,
				EI_NIDENT);
	if (img[EI_CLASS] == ELFCLASS32)
		*l = &layout32;
	else if (img[EI_CLASS] == ELFCLASS64)
		*l = &layout64;
	else
		return elf_fail(err, AMP_RSC_ERR_ELF_BAD_CLASS, NO_SECTION, EI_CLASS,
				"e_ident[EI_CLASS]", img[EI_CLASS], 0);
	if (img[EI_DATA] != ELFDATA2LSB)
		return elf_fail(err, AMP_RSC_ERR_ELF_BAD_ENDIAN, NO_SECTION, EI_DATA,
				"e_ident[EI_DATA]", img[EI_DATA], 0);
	if (img[EI_VERSION] != EV_CURRENT)
		return elf_fail(err, AMP_RSC_ERR_ELF_BAD_VERSION, NO_SECTION, EI_VERSION,
				"e_ident[EI_VERSION]", img[EI_VERSION], 0);
	if (len < (*l)->ehdr_size)
		return elf_fail(err, AMP_RSC_ERR_ELF_TRUNCATED, NO_SECTION, 0, "size", len,
				(*l)->ehdr_size);
	return 0;
}

/* Where the section header table is, validated against the image. */
struct sht {
	uint64_t shoff, shentsize, shnum, shstrndx;
};

static int read_sht(const struct elf_layout *l, const uint8_t *img, size_t len, struct sht *t,
		    struct amp_rsc_error *err)
{
	struct amp_elf_section s0;
	uint32_t sh_name, sh_link;

	t->shoff = ld_word(l, img + l->e_shoff);
	t->shentsize = amp_ld_le16(img + l->e_shentsize);
	t->shnum = amp_ld_le16(img + l->e_shnum);
	t->shstrndx = amp_ld_le16(img + l->e_shstrndx);
	if (t->shoff == 0)
		return elf_fail(err, AMP_RSC_ERR_ELF_NO_SECTIONS, NO_SECTION, l->e_shoff, "e_shoff",
				t->shoff, 0);
	/* Larger entries are allowed (future fields); smaller ones would overlap. */
	if (t->shentsize < l->shdr_size)
		return elf_fail(err, AMP_RSC_ERR_ELF_BAD_SHENTSIZE, NO_SECTION, l->e_shentsize,
				"e_shentsize", t->shentsize, l->shdr_size);
	/* Section 0 must be readable in any case: extended numbering keeps counts there. */
	if (!amp_range_ok(t->shoff, t->shentsize, len))
		return elf_fail(err, AMP_RSC_ERR_ELF_SHDRS_PAST_END, NO_SECTION, l->e_shoff,
				"e_shoff", t->shoff, len);
	read_shdr(l, img, t->shoff, t->shentsize, 0, &s0, &sh_name, &sh_link);
	if (t->shnum == 0)
		t->shnum = s0.size; /* gABI extended numbering: e_shnum >= SHN_LORESERVE */
	if (t->shstrndx == SHN_XINDEX)
		t->shstrndx = sh_link;
	if (t->shnum == 0)
		return elf_fail(err, AMP_RSC_ERR_ELF_NO_SECTIONS, NO_SECTION, l->e_shnum, "e_shnum",
				0, 0);
	/* shnum * shentsize: divide first so the product cannot overflow. */
	if (t->shnum > (len - t->shoff) / t->shentsize)
		return elf_fail(err, AMP_RSC_ERR_ELF_SHDRS_PAST_END, NO_SECTION, l->e_shnum,
				"e_shoff + e_shnum * e_shentsize",
				span_end(t->shoff, t->shnum, t->shentsize), len);
	if (t->shstrndx == SHN_UNDEF || t->shstrndx >= t->shnum)
		return elf_fail(err, AMP_RSC_ERR_ELF_SHSTRNDX_RANGE, NO_SECTION, l->e_shstrndx,
				"e_shstrndx", t->shstrndx, t->shnum);
	return 0;
}

/* The section called @name (names from the validated string table @strtab). */
static int find_by_name(const struct elf_layout *l, const uint8_t *img, size_t len,
			const struct sht *t, const struct amp_elf_section *strtab, const char *name,
			struct amp_elf_section *sec, struct amp_rsc_error *err)
{
	const uint8_t *names = img + strtab->offset, *nul;
	size_t namelen = strlen(name);
	struct amp_elf_section s;
	uint32_t sh_name, sh_link;

	for (uint64_t i = 0; i < t->shnum; i++) {
		read_shdr(l, img, t->shoff, t->shentsize, i, &s, &sh_name, &sh_link);
		if (sh_name >= strtab->size)
			return elf_fail(err, AMP_RSC_ERR_ELF_NAME_PAST_END, i, s.hdr_offset,
					"sh_name", sh_name, strtab->size);
		nul = memchr(names + sh_name, 0, (size_t)(strtab->size - sh_name));
		if (!nul)
			return elf_fail(err, AMP_RSC_ERR_ELF_NAME_UNTERMINATED, i, s.hdr_offset,
					"sh_name", sh_name, strtab->size);
		if ((size_t)(nul - (names + sh_name)) != namelen ||
		    memcmp(names + sh_name, name, namelen) != 0)
			continue;
		if (s.type != AMP_ELF_SHT_NOBITS && !amp_range_ok(s.offset, s.size, len))
			return past_end(err, AMP_RSC_ERR_ELF_SECTION_PAST_END, l, &s, len);
		*sec = s;
		return 0;
	}
	return elf_fail(err, AMP_RSC_ERR_ELF_SECTION_NOT_FOUND, NO_SECTION, 0, NULL, 0, 0);
}

int amp_elf_find_section(const void *image, size_t len, const char *name, struct amp_elf_info *info,
			 struct amp_elf_section *sec, struct amp_rsc_error *err)
{
	const uint8_t *img = image;
	const struct elf_layout *l = NULL;
	struct amp_elf_section strtab;
	struct amp_elf_info hdr;
	uint32_t sh_name, sh_link;
	struct sht t;
	int ret;

	if (!image || !name || !sec)
		return amp_rsc_fail(err, AMP_RSC_ERR_BAD_ARG, -1, AMP_RSC_TYPE_NONE, 0, NULL, 0, 0);
	ret = check_ident(img, len, &l, err);
	if (ret == 0)
		ret = read_sht(l, img, len, &t, err);
	if (ret)
		return ret;
	memset(&hdr, 0, sizeof(hdr));
	hdr.elf_class = l->word == 8 ? 64 : 32;
	hdr.type = amp_ld_le16(img + 16);
	hdr.machine = amp_ld_le16(img + 18);
	hdr.entry = ld_word(l, img + l->e_entry);
	hdr.shnum = (uint32_t)t.shnum; /* <= len / 40, fits */
	hdr.shstrndx = (uint32_t)t.shstrndx;
	read_shdr(l, img, t.shoff, t.shentsize, t.shstrndx, &strtab, &sh_name, &sh_link);
	if (!amp_range_ok(strtab.offset, strtab.size, len))
		return past_end(err, AMP_RSC_ERR_ELF_STRTAB_PAST_END, l, &strtab, len);
	if (info)
		*info = hdr;
	ret = find_by_name(l, img, len, &t, &strtab, name, sec, err);
	if (ret == 0 && err)
		amp_rsc_fail(err, AMP_RSC_ERR_NONE, -1, AMP_RSC_TYPE_NONE, 0, NULL, 0, 0);
	return ret;
}

int amp_elf_find_rsc_table(const void *image, size_t len, struct amp_elf_info *info,
			   struct amp_elf_section *sec, const uint8_t **table, size_t *table_len,
			   struct amp_rsc_error *err)
{
	struct amp_elf_section s;
	struct amp_elf_info hdr;
	int ret;

	if (!table || !table_len)
		return amp_rsc_fail(err, AMP_RSC_ERR_BAD_ARG, -1, AMP_RSC_TYPE_NONE, 0, NULL, 0, 0);
	ret = amp_elf_find_section(image, len, AMP_ELF_RSC_SECTION, &hdr, &s, err);
	if (ret)
		return ret;
	if (s.type == AMP_ELF_SHT_NOBITS)
		return elf_fail(err, AMP_RSC_ERR_ELF_SECTION_NOBITS, s.index, s.hdr_offset + 4,
				"sh_type", s.type, 0);
	if (s.size == 0)
		return elf_fail(err, AMP_RSC_ERR_ELF_SECTION_EMPTY, s.index,
				s.hdr_offset + (hdr.elf_class == 32 ? 20 : 32), "sh_size", 0, 0);
	ret =
	    amp_rsc_parse((const uint8_t *)image + s.offset, (size_t)s.size, NULL, NULL, NULL, err);
	if (ret)
		return ret;
	if (info)
		*info = hdr;
	if (sec)
		*sec = s;
	*table = (const uint8_t *)image + s.offset;
	*table_len = (size_t)s.size;
	return 0;
}
