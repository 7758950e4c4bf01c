/*
 * `ampsim exec [--run-dir DIR] -- PROGRAM ARGS...`: run an unmodified Linux-side program
 * with libampsim-preload.so, which serves /dev/rpmsg*, /dev/ttyRPMSG* and remoteproc's
 * sysfs files from the run directory (docs/exec.md). LD_PRELOAD and AMPSIM_RUN_DIR are
 * inherited, so the program's children get the same devices.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/error.h>

#include "commands.h"
#include "ctl.h"
#include "own_file.h"
#include "rundir.h"

#define PRELOAD_NAME "libampsim-preload.so"

/* Does the ELF file @p fd ask for a dynamic loader (PT_INTERP)? Not ELF (a script): TRUE. */
static gboolean dynamic_elf(int fd)
{
	union {
		Elf64_Ehdr e64;
		Elf32_Ehdr e32;
	} eh;
	ssize_t n = pread(fd, &eh, sizeof(eh), 0);
	if (n < (ssize_t)EI_NIDENT || memcmp(eh.e64.e_ident, ELFMAG, SELFMAG) != 0)
		return TRUE; /* #! script or other: the kernel and its interpreter decide */
	gboolean is64 = eh.e64.e_ident[EI_CLASS] == ELFCLASS64;
	uint64_t phoff = is64 ? eh.e64.e_phoff : eh.e32.e_phoff;
	unsigned phnum = is64 ? eh.e64.e_phnum : eh.e32.e_phnum;
	size_t phsz = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	for (unsigned i = 0; i < phnum; i++) {
		union {
			Elf64_Phdr p64;
			Elf32_Phdr p32;
		} ph;
		if (pread(fd, &ph, phsz, (off_t)(phoff + i * phsz)) != (ssize_t)phsz)
			return FALSE;
		if ((is64 ? ph.p64.p_type : ph.p32.p_type) == PT_INTERP)
			return TRUE;
	}
	return FALSE;
}

/* 0, or the exit status after saying what is wrong with @p prog. */
static int check_program(const char *prog, char **path)
{
	*path = g_find_program_in_path(prog);
	if (!*path) {
		g_printerr("ampsim exec: %s: command not found\n", prog);
		return 127;
	}
	int fd = open(*path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		g_printerr("ampsim exec: cannot read %s: %s\n", *path, g_strerror(errno));
		return 126;
	}
	gboolean dyn = dynamic_elf(fd);
	close(fd);
	if (!dyn) {
		g_printerr("ampsim exec: %s is statically linked: LD_PRELOAD cannot reach it, so "
			   "it would see the host's /dev and /sys. Link it dynamically, or talk to "
			   "the run directory's sockets directly (docs/exec.md)\n",
			   *path);
		return 1;
	}
	return 0;
}

/* A run must answer on DIR/control, or every mapped path would only say ENOENT. */
static int check_run(const char *dir)
{
	g_autofree char *sock = g_build_filename(dir, "control", NULL);
	g_autoptr(GString) reply = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	gboolean ok;
	if (amp_ctl_request(sock, "status", reply, &ok, &err) != AMP_OK) {
		g_printerr(
		    "ampsim exec: no run in %s: %s\nStart one first: ampsim run --run-dir %s "
		    "FIRMWARE\n",
		    dir, err->message, dir);
		return 1;
	}
	return 0;
}

static int exec_program(const char *dir, const char *preload, const char *path, char **argv)
{
	const char *old = g_getenv("LD_PRELOAD");
	/* After the user's own (a sanitizer runtime must come first in the list). */
	g_autofree char *pre =
	    old && *old ? g_strdup_printf("%s:%s", old, preload) : g_strdup(preload);
	g_setenv("LD_PRELOAD", pre, TRUE);
	g_setenv("AMPSIM_RUN_DIR", dir, TRUE);
	fflush(NULL);
	execv(path, argv);
	g_printerr("ampsim exec: cannot run %s: %s\n", path, g_strerror(errno));
	return 126;
}

int amp_cmd_exec(int argc, char **argv)
{
	g_autofree char *run_dir = NULL;
	GOptionEntry entries[] = {
	    {"run-dir", 'd', 0, G_OPTION_ARG_FILENAME, &run_dir,
	     "The run whose devices PROGRAM sees (default: the one 'ampsim run' uses by default)",
	     "DIR"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[--run-dir DIR] -- PROGRAM [ARG...]");
	g_option_context_set_summary(
	    ctx,
	    "Run PROGRAM (dynamically linked: C, C++, Python, cat, echo, stty...) unmodified\n"
	    "against a running 'ampsim run', through the preload library " PRELOAD_NAME ":\n"
	    "  /dev/ttyRPMSG<n>   the run's pty RUNDIR/ttyRPMSG<n> (a write while no TX\n"
	    "                     buffer is free fails with ENOMEM, as rpmsg_tty's)\n"
	    "  /dev/rpmsg<n>      the frame endpoint RUNDIR/rpmsg<n> (one message per read and\n"
	    "                     write; a write over the MTU fails with EMSGSIZE, an\n"
	    "                     O_NONBLOCK one with EAGAIN when no TX buffer is free;\n"
	    "                     POLLOUT from poll/select/epoll: a TX buffer is free)\n"
	    "  /dev/rpmsg_ctrl0   RPMSG_CREATE_EPT_IOCTL / RPMSG_DESTROY_EPT_IOCTL as Linux's\n"
	    "                     rpmsg_char; the endpoint becomes /dev/rpmsg<m>;\n"
	    "                     RPMSG_CREATE_DEV_IOCTL / RPMSG_RELEASE_DEV_IOCTL (a device\n"
	    "                     on the bus; rpmsg-raw ones become /dev/rpmsg<m>)\n"
	    "  /dev/rpmsg-sdb     ST's rpmsg_sdb: RPMSG_SDB_IOCTL_SET_EFD + mmap per buffer,\n"
	    "                     RPMSG_SDB_IOCTL_GET_DATA_SIZE (also /dev/rpmsg_sdb)\n"
	    "  /sys/class/remoteproc/remoteproc0/{state,firmware,name,recovery,coredump}\n"
	    "                     (all but name writable: echo stop > state; firmware\n"
	    "                     names the next image, looked up in AMPSIM_FIRMWARE_PATH of\n"
	    "                     the run and FIRMWARE's directory; coredump enabled: a\n"
	    "                     crash leaves RUNDIR/remoteproc0-coredump-<N>.elf)\n"
	    "  /sys/kernel/debug/remoteproc/remoteproc0/trace0\n"
	    "  /sys/bus/rpmsg/devices, drivers/rpmsg_chrdev/{bind,unbind}, /sys/class/rpmsg\n"
	    "                     (a tree with Linux's links: find, ls -l, realpath work)\n"
	    "for PROGRAM and its children. Statically linked programs are refused.");
	g_option_context_set_description(
	    ctx,
	    "Exit status: PROGRAM's, or 1 when no run answers in RUNDIR or PROGRAM is\n"
	    "statically linked, 126/127 when PROGRAM cannot run / is not found, 2 for bad\n"
	    "options. See docs/linux-apps.md and docs/exec.md for what differs from a kernel.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_strict_posix(ctx, TRUE); /* PROGRAM's options are its own */
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		g_printerr("ampsim exec: %s\nTry 'ampsim exec --help'.\n", err->message);
		return 2;
	}
	int first = argc > 1 && !strcmp(argv[1], "--") ? 2 : 1;
	if (first >= argc) {
		g_printerr("ampsim exec: which program? (ampsim exec [--run-dir DIR] -- PROGRAM "
			   "[ARG...])\nTry 'ampsim exec --help'.\n");
		return 2;
	}
	g_autofree char *preload = amp_own_file(PRELOAD_NAME, AMPSIM_PRELOAD_REL, &err);
	if (!preload) {
		g_printerr("ampsim exec: %s\n", err->message);
		return 1;
	}
	g_autofree char *dir0 = run_dir ? g_strdup(run_dir) : amp_rundir_default();
	g_autofree char *dir = g_canonicalize_filename(dir0, NULL); /* the program may chdir */
	g_autofree char *path = NULL;
	int rc = check_program(argv[first], &path);
	if (rc == 0)
		rc = check_run(dir);
	return rc ? rc : exec_program(dir, preload, path, argv + first);
}
