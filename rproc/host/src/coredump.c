/*
 * The remoteproc core's coredump (Linux remoteproc_coredump.c, rproc_coredump()): the
 * coprocessor's memory as an ELF core file, one PT_LOAD segment per region at its device
 * address. Linux dumps the segments its platform registered; here those are the regions
 * the core itself places things in (RAM, vrings, buffers).
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <ampsim/error.h>

#include "rproc_internal.h"

static gboolean dumped(const struct amp_rproc_mem *m)
{
	return m->purpose != AMP_RPROC_MEM_OTHER && m->size > 0 && m->size <= UINT32_MAX &&
	       m->da <= UINT32_MAX - m->size + 1;
}

static gboolean write_all(int fd, const void *p, size_t len, GError **err)
{
	const char *c = p;
	while (len > 0) {
		ssize_t n = write(fd, c, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			amp_set_error_errno(err, n < 0 ? errno : EIO,
					    "cannot write the firmware's core dump");
			return FALSE;
		}
		c += n;
		len -= (size_t)n;
	}
	return TRUE;
}

static void header(Elf32_Ehdr *eh, unsigned nph)
{
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB; /* the Cortex-M4, and every host ampsim runs on */
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = GUINT16_TO_LE(ET_CORE);
	eh->e_machine = GUINT16_TO_LE(EM_ARM);
	eh->e_version = GUINT32_TO_LE(EV_CURRENT);
	eh->e_phoff = GUINT32_TO_LE(sizeof(Elf32_Ehdr));
	eh->e_ehsize = GUINT16_TO_LE(sizeof(Elf32_Ehdr));
	eh->e_phentsize = GUINT16_TO_LE(sizeof(Elf32_Phdr));
	eh->e_phnum = GUINT16_TO_LE(nph);
}

gboolean amp_rproc_coredump(const struct amp_rproc *rp, int fd, GError **err)
{
	Elf32_Ehdr eh;
	Elf32_Phdr ph[RPROC_MAX_MEM];
	const void *va[RPROC_MAX_MEM];
	unsigned n = 0;
	uint32_t off = sizeof(Elf32_Ehdr);
	for (size_t i = 0; i < rp->nmem; i++)
		if (dumped(&rp->mem[i]))
			off += sizeof(Elf32_Phdr);
	for (size_t i = 0; i < rp->nmem; i++) {
		const struct amp_rproc_mem *m = &rp->mem[i];
		if (!dumped(m))
			continue;
		va[n] = rp->ops->da_to_va(rp->plat, m->da, (size_t)m->size);
		memset(&ph[n], 0, sizeof(ph[n]));
		ph[n].p_type = GUINT32_TO_LE(PT_LOAD);
		ph[n].p_offset = GUINT32_TO_LE(off);
		ph[n].p_vaddr = ph[n].p_paddr = GUINT32_TO_LE((uint32_t)m->da);
		/* A region the platform cannot show is declared, with no bytes in the file. */
		ph[n].p_filesz = GUINT32_TO_LE(va[n] ? (uint32_t)m->size : 0);
		ph[n].p_memsz = GUINT32_TO_LE((uint32_t)m->size);
		ph[n].p_flags = GUINT32_TO_LE(PF_R | PF_W | PF_X);
		if (va[n] && m->size > UINT32_MAX - off) {
			amp_set_error(err, AMP_ERANGE,
				      "the coprocessor's memory is too large for "
				      "an ELF32 core dump");
			return FALSE;
		}
		off += va[n] ? (uint32_t)m->size : 0;
		n++;
	}
	header(&eh, n);
	if (!write_all(fd, &eh, sizeof(eh), err) || !write_all(fd, ph, n * sizeof(ph[0]), err))
		return FALSE;
	for (unsigned i = 0; i < n; i++)
		if (va[i] && !write_all(fd, va[i], GUINT32_FROM_LE(ph[i].p_filesz), err))
			return FALSE;
	return TRUE;
}
