/*
 * ELF section reader on the build's own fixtures (a host ELF64 executable and, when the
 * cross compiler exists, an ARM ELF32 image, both declaring FIXTURE_TABLE_INIT), and on
 * copies of them corrupted in memory: each corruption must give its own exact reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <amp/rproc_elf.h>
#include <ampsim/rsc_dump.h>
#include <amp/rsc_parse.h>

#include "fixture_table.h"

struct img {
	uint8_t *b;
	size_t len;
	int is64;
	const char *what;
};

static struct img host_img, arm_img;

static int load(struct img *m, const char *path, int is64, const char *what)
{
	memset(m, 0, sizeof(*m));
	m->is64 = is64;
	m->what = what;
	if (!path[0])
		return 0;
	return amp_elf_read_file(path, &m->b, &m->len);
}

static int setup(void **state)
{
	(void)state;
	if (load(&host_img, AMP_FIXTURE_HOST, 1, "host ELF64"))
		return -1;
	return load(&arm_img, AMP_FIXTURE_ARM, 0, "ARM ELF32");
}

static int teardown(void **state)
{
	(void)state;
	free(host_img.b);
	free(arm_img.b);
	return 0;
}

/* Little-endian field access on our own copy (trusted: the test made it). */
static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void wr(uint8_t *p, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Field positions per class (System V gABI). */
#define W(m) ((m)->is64 ? 8u : 4u)
#define E_SHOFF(m) ((m)->is64 ? 40u : 32u)
#define E_SHENTSIZE(m) ((m)->is64 ? 58u : 46u)
#define E_SHNUM(m) ((m)->is64 ? 60u : 48u)
#define E_SHSTRNDX(m) ((m)->is64 ? 62u : 50u)
#define SH_OFFSET(m) ((m)->is64 ? 24u : 16u)
#define SH_SIZE(m) ((m)->is64 ? 32u : 20u)
#define SH_LINK(m) ((m)->is64 ? 40u : 24u)

static uint8_t *shdr(const struct img *m, uint64_t i)
{
	return m->b + rd(m->b + E_SHOFF(m), W(m)) + i * rd(m->b + E_SHENTSIZE(m), 2);
}

static struct img clone(const struct img *src)
{
	struct img c = *src;

	c.b = malloc(src->len);
	assert_non_null(c.b);
	memcpy(c.b, src->b, src->len);
	return c;
}

static void expect(const struct img *m, size_t len, int code, enum amp_rsc_reason reason,
		   int32_t index)
{
	struct amp_rsc_error err;
	const uint8_t *table;
	size_t table_len;
	char text[256];
	int ret;

	ret = amp_elf_find_rsc_table(m->b, len, NULL, NULL, &table, &table_len, &err);
	amp_rsc_error_format(&err, text, sizeof(text));
	print_message("%s: %s\n", m->what, text);
	assert_string_equal(amp_rsc_reason_name(err.reason), amp_rsc_reason_name(reason));
	assert_int_equal(ret, code);
	assert_int_equal(err.index, index);
}

static void check_valid(const struct img *m, uint16_t machine)
{
	struct amp_rsc_table_rpmsg_trace want = FIXTURE_TABLE_INIT;
	struct amp_elf_section sec;
	struct amp_elf_info info;
	const uint8_t *table;
	size_t table_len;
	struct amp_rsc_error err;

	assert_int_equal(
	    amp_elf_find_rsc_table(m->b, m->len, &info, &sec, &table, &table_len, &err), 0);
	assert_int_equal(info.elf_class, m->is64 ? 64 : 32);
	assert_int_equal(info.machine, machine);
	assert_int_equal(table_len, sizeof(want));
	assert_int_equal(sec.size, sizeof(want));
	assert_ptr_equal(table, m->b + sec.offset);
	assert_true(sec.addr != 0);
	assert_true(sec.index > 0 && sec.index < info.shnum);
	/* byte for byte the table the C initializer describes, on either target */
	assert_memory_equal(table, &want, sizeof(want));
}

static void host_fixture(void **state)
{
	(void)state;
	check_valid(&host_img, AMP_ELF_EM_X86_64);
}

static void arm_fixture(void **state)
{
	(void)state;
	if (!arm_img.b)
		skip(); /* no arm-none-eabi-gcc at configure time */
	check_valid(&arm_img, AMP_ELF_EM_ARM);
}

/* The index of .resource_table, found through the API (checked valid above). */
static uint32_t rsc_index(const struct img *m)
{
	struct amp_elf_section s;

	assert_int_equal(amp_elf_find_section(m->b, m->len, AMP_ELF_RSC_SECTION, NULL, &s, NULL),
			 0);
	return s.index;
}

static void corrupt_ident(const struct img *src)
{
	struct img m = clone(src);

	expect(&m, 3, AMP_ENOEXEC, AMP_RSC_ERR_ELF_TRUNCATED, -1);
	expect(&m, 10, AMP_ENOEXEC, AMP_RSC_ERR_ELF_TRUNCATED, -1);
	expect(&m, m.is64 ? 63 : 51, AMP_ENOEXEC, AMP_RSC_ERR_ELF_TRUNCATED, -1);
	m.b[1] = 'X';
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_BAD_MAGIC, -1);
	m.b[1] = 'E';
	m.b[4] = 3;
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_BAD_CLASS, -1);
	m.b[4] = 0;
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_BAD_CLASS, -1);
	m.b[4] = src->b[4];
	m.b[5] = 2; /* big-endian */
	expect(&m, m.len, AMP_ENOTSUP, AMP_RSC_ERR_ELF_BAD_ENDIAN, -1);
	m.b[5] = 1;
	m.b[6] = 0;
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_BAD_VERSION, -1);
	free(m.b);
}

static void corrupt_shdrs(const struct img *src)
{
	struct img m = clone(src);
	uint64_t shoff = rd(m.b + E_SHOFF(&m), W(&m));
	uint64_t shnum = rd(m.b + E_SHNUM(&m), 2);

	/* truncated anywhere inside the section header table */
	expect(&m, (size_t)shoff + 10, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SHDRS_PAST_END, -1);
	expect(&m, m.len - 1, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SHDRS_PAST_END, -1);
	/* e_shoff past the end, and so large that e_shoff + size wraps */
	wr(m.b + E_SHOFF(&m), W(&m), m.len + 100);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SHDRS_PAST_END, -1);
	wr(m.b + E_SHOFF(&m), W(&m), m.is64 ? UINT64_MAX - 8 : UINT32_MAX - 8);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SHDRS_PAST_END, -1);
	wr(m.b + E_SHOFF(&m), W(&m), 0);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_NO_SECTIONS, -1);
	wr(m.b + E_SHOFF(&m), W(&m), shoff);
	/* e_shnum lying (more headers than the file holds) */
	wr(m.b + E_SHNUM(&m), 2, 0xFFFE);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SHDRS_PAST_END, -1);
	wr(m.b + E_SHNUM(&m), 2, shnum);
	/* entry size smaller than a section header */
	wr(m.b + E_SHENTSIZE(&m), 2, 10);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_BAD_SHENTSIZE, -1);
	free(m.b);
}

static void corrupt_strtab(const struct img *src)
{
	struct img m = clone(src);
	uint64_t shnum = rd(m.b + E_SHNUM(&m), 2);
	uint64_t strndx = rd(m.b + E_SHSTRNDX(&m), 2);
	uint8_t *st = shdr(&m, strndx);
	uint64_t st_off = rd(st + SH_OFFSET(&m), W(&m));
	uint64_t st_size = rd(st + SH_SIZE(&m), W(&m));

	wr(m.b + E_SHSTRNDX(&m), 2, shnum);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SHSTRNDX_RANGE, -1);
	wr(m.b + E_SHSTRNDX(&m), 2, 0);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SHSTRNDX_RANGE, -1);
	wr(m.b + E_SHSTRNDX(&m), 2, strndx);
	/* name table's offset past the end; its size lying; offset + size wrapping */
	wr(st + SH_OFFSET(&m), W(&m), m.len + 1);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_STRTAB_PAST_END, (int32_t)strndx);
	wr(st + SH_OFFSET(&m), W(&m), st_off);
	wr(st + SH_SIZE(&m), W(&m), m.len);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_STRTAB_PAST_END, (int32_t)strndx);
	wr(st + SH_SIZE(&m), W(&m), m.is64 ? UINT64_MAX : UINT32_MAX);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_STRTAB_PAST_END, (int32_t)strndx);
	wr(st + SH_SIZE(&m), W(&m), st_size);
	/* a section name offset outside the name table */
	wr(shdr(&m, 1), 4, st_size + 5);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_NAME_PAST_END, 1);
	wr(shdr(&m, 1), 4, 0xFFFFFFFFu);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_NAME_PAST_END, 1);
	/* a name that runs off the end of the name table */
	wr(shdr(&m, 0), 4, st_size - 1);
	m.b[st_off + st_size - 1] = 'x';
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_NAME_UNTERMINATED, 0);
	free(m.b);
}

static void corrupt_section(const struct img *src)
{
	struct img m = clone(src);
	uint32_t idx = rsc_index(&m);
	uint8_t *sh = shdr(&m, idx);
	uint64_t off = rd(sh + SH_OFFSET(&m), W(&m));
	uint64_t size = rd(sh + SH_SIZE(&m), W(&m));
	uint8_t *names;

	/* lying sh_size, sh_offset past the end, offset + size wrapping */
	wr(sh + SH_SIZE(&m), W(&m), m.len);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SECTION_PAST_END, (int32_t)idx);
	wr(sh + SH_SIZE(&m), W(&m), size);
	wr(sh + SH_OFFSET(&m), W(&m), m.len);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SECTION_PAST_END, (int32_t)idx);
	wr(sh + SH_OFFSET(&m), W(&m), (m.is64 ? UINT64_MAX : UINT32_MAX) - 16);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SECTION_PAST_END, (int32_t)idx);
	wr(sh + SH_OFFSET(&m), W(&m), off);
	/* zero-size and no-bits sections */
	wr(sh + SH_SIZE(&m), W(&m), 0);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SECTION_EMPTY, (int32_t)idx);
	wr(sh + SH_SIZE(&m), W(&m), size);
	wr(sh + 4, 4, AMP_ELF_SHT_NOBITS);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_SECTION_NOBITS, (int32_t)idx);
	wr(sh + 4, 4, 1);
	/* a section too small for its table: the table's own check reports it */
	wr(sh + SH_SIZE(&m), W(&m), 20);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_OFFSETS_TRUNCATED, -1);
	wr(sh + SH_SIZE(&m), W(&m), size);
	/* a corrupt table inside a well-formed file */
	wr(m.b + off + offsetof(struct amp_rsc_table_rpmsg_trace, vring) + 8, 4, 15);
	expect(&m, m.len, AMP_ERANGE, AMP_RSC_ERR_VRING_NUM_NOT_POW2, 0);
	wr(m.b + off + offsetof(struct amp_rsc_table_rpmsg_trace, vring) + 8, 4, 16);
	/* the section renamed away */
	names = m.b + rd(shdr(&m, rd(m.b + E_SHSTRNDX(&m), 2)) + SH_OFFSET(&m), W(&m));
	names[rd(sh, 4) + 1] = 'X';
	expect(&m, m.len, AMP_ENOENT, AMP_RSC_ERR_ELF_SECTION_NOT_FOUND, -1);
	free(m.b);
}

/* gABI extended numbering: counts moved into section 0 must still be followed. */
static void extended_numbering(const struct img *src)
{
	struct img m = clone(src);
	uint64_t shnum = rd(m.b + E_SHNUM(&m), 2);
	uint64_t strndx = rd(m.b + E_SHSTRNDX(&m), 2);
	const uint8_t *table;
	size_t table_len;

	wr(shdr(&m, 0) + SH_SIZE(&m), W(&m), shnum);
	wr(shdr(&m, 0) + SH_LINK(&m), 4, strndx);
	wr(m.b + E_SHNUM(&m), 2, 0);
	wr(m.b + E_SHSTRNDX(&m), 2, 0xFFFF);
	assert_int_equal(amp_elf_find_rsc_table(m.b, m.len, NULL, NULL, &table, &table_len, NULL),
			 0);
	assert_int_equal(table_len, sizeof(struct amp_rsc_table_rpmsg_trace));
	wr(shdr(&m, 0) + SH_SIZE(&m), W(&m), 0);
	expect(&m, m.len, AMP_ENOEXEC, AMP_RSC_ERR_ELF_NO_SECTIONS, -1);
	free(m.b);
}

static void run_all(const struct img *m)
{
	corrupt_ident(m);
	corrupt_shdrs(m);
	corrupt_strtab(m);
	corrupt_section(m);
	extended_numbering(m);
	/* every prefix of the file fails cleanly (no out-of-bounds read: ASan/valgrind) */
	for (size_t len = 0; len < m->len; len += (len < 256 ? 1 : 97)) {
		const uint8_t *t;
		size_t tl;

		assert_true(amp_elf_find_rsc_table(m->b, len, NULL, NULL, &t, &tl, NULL) < 0);
	}
}

static void host_corruptions(void **state)
{
	(void)state;
	run_all(&host_img);
}

static void arm_corruptions(void **state)
{
	(void)state;
	if (!arm_img.b)
		skip();
	run_all(&arm_img);
}

static void bad_args_and_files(void **state)
{
	struct amp_elf_section s;
	struct amp_rsc_error err;
	const uint8_t *t;
	size_t tl;
	uint8_t *data;
	size_t len;

	(void)state;
	assert_int_equal(amp_elf_find_section(NULL, 10, ".x", NULL, &s, &err), AMP_EINVAL);
	assert_int_equal(err.reason, AMP_RSC_ERR_BAD_ARG);
	assert_int_equal(
	    amp_elf_find_rsc_table(host_img.b, host_img.len, NULL, NULL, NULL, &tl, NULL),
	    AMP_EINVAL);
	(void)t;
	/* a section that exists but is not the table: found by name */
	assert_int_equal(
	    amp_elf_find_section(host_img.b, host_img.len, ".shstrtab", NULL, &s, NULL), 0);
	assert_int_equal(
	    amp_elf_find_section(host_img.b, host_img.len, ".resource_tabl", NULL, &s, &err),
	    AMP_ENOENT);
	assert_int_equal(amp_elf_read_file("/nonexistent/fw.elf", &data, &len), AMP_ENOENT);
	assert_int_equal(amp_elf_read_file("/", &data, &len), AMP_EINVAL);
	assert_int_equal(amp_elf_read_file(NULL, &data, &len), AMP_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(host_fixture),	  cmocka_unit_test(arm_fixture),
	    cmocka_unit_test(host_corruptions),	  cmocka_unit_test(arm_corruptions),
	    cmocka_unit_test(bad_args_and_files),
	};

	return cmocka_run_group_tests_name("rproc/elf", tests, setup, teardown);
}
