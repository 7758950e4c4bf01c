/*
 * The remoteproc attributes that change what the next boot does, for `ampsim exec`'s shim
 * (docs/exec.md), answered as remoteproc_sysfs.c answers them: the reply text starts with
 * the errno name Linux's write would fail with.
 *
 *   sysfs-firmware NAME    firmware_store(): offline only (EBUSY), NAME not empty (EINVAL).
 *                          The image is looked up when the firmware next starts, as Linux's
 *                          rproc_boot() asks the firmware loader: in each directory of
 *                          $AMPSIM_FIRMWARE_PATH (':'-separated; firmware_class.path's
 *                          role), then in the directory of the FIRMWARE `ampsim run` booted
 *                          first (/lib/firmware's).
 *   sysfs-coredump WORD    coredump_store(): disabled, enabled or inline; EBUSY while
 *                          crashed. Not disabled: each crash leaves an ELF core of the
 *                          coprocessor's memory in RUNDIR/remoteproc0-coredump-<N>.elf.
 * And RUNDIR/txfree, the FIFO that tells the shim whether a TX buffer is free.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <ampsim/error.h>

#include "daemon.h"
#include "rundir.h"

#define DUMP_MAX_INDEX 10000 /* remoteproc0-coredump-1.elf ... -9999.elf */

static const char *const dump_modes[] = {"disabled", "enabled", "inline"};

gboolean daemon_sysfs_firmware(struct daemon *d, const char *name, GString *out)
{
	if (amp_rproc_state(amp_host_rproc(d->host)) != AMP_RPROC_OFFLINE) {
		g_string_append(out, "EBUSY: can't change firmware while running; write stop "
				     "to state first\n");
		return FALSE;
	}
	if (!*name) {
		g_string_append(out, "EINVAL: can't provide empty string for firmware name\n");
		return FALSE;
	}
	g_free(d->fw_name);
	d->fw_name = g_strdup(name);
	d->fw_pending = true;
	return TRUE;
}

/* The firmware loader's "../" check (fw_name_contains_dotdot). */
static gboolean has_dotdot(const char *name)
{
	g_auto(GStrv) parts = g_strsplit(name, "/", -1);
	for (char **p = parts; *p; p++)
		if (!strcmp(*p, ".."))
			return TRUE;
	return FALSE;
}

/* The file @p name is in, searched as docs/exec.md says; NULL if none. */
static char *find_firmware(struct daemon *d, const char *name, GString *dirs)
{
	const char *env = g_getenv("AMPSIM_FIRMWARE_PATH");
	g_auto(GStrv) list = g_strsplit(env ? env : "", ":", -1);
	g_autofree char *own = g_path_get_dirname(d->firmware);
	guint n = g_strv_length(list);
	for (guint i = 0; i <= n; i++) {
		const char *dir = i < n ? list[i] : own;
		if (!*dir)
			continue;
		g_autofree char *f = g_build_filename(dir, name, NULL);
		if (g_file_test(f, G_FILE_TEST_IS_REGULAR))
			return g_steal_pointer(&f);
		g_string_append_printf(dirs, "%s%s", dirs->len ? ", " : "", dir);
	}
	return NULL;
}

gboolean daemon_firmware_prepare(struct daemon *d, GString *out)
{
	if (!d->fw_pending)
		return TRUE;
	if (has_dotdot(d->fw_name)) {
		g_string_append_printf(out,
				       "EINVAL: firmware name '%s' contains '..', which the "
				       "firmware loader refuses; name a file under a firmware "
				       "directory\n",
				       d->fw_name);
		return FALSE;
	}
	g_autoptr(GString) dirs = g_string_new(NULL);
	g_autofree char *path = find_firmware(d, d->fw_name, dirs);
	if (!path) {
		g_string_append_printf(out,
				       "ENOENT: firmware '%s' not found in %s; put it there or "
				       "add its directory to AMPSIM_FIRMWARE_PATH\n",
				       d->fw_name, dirs->str);
		return FALSE;
	}
	g_autoptr(GError) err = NULL;
	if (!amp_rproc_set_firmware(amp_host_rproc(d->host), path, &err)) {
		g_string_append_printf(out, "%s: %s\n",
				       amp_error_code(err) == AMP_EBUSY ? "EBUSY" : "EINVAL",
				       err->message);
		return FALSE;
	}
	d->fw_pending = false;
	d->described = false; /* a new image: the start-up summary again */
	daemon_say(d, "firmware %s for the next start\n", path);
	return TRUE;
}

gboolean daemon_sysfs_coredump(struct daemon *d, const char *word, GString *out)
{
	if (amp_rproc_state(amp_host_rproc(d->host)) == AMP_RPROC_CRASHED) {
		g_string_append(out, "EBUSY: can't change coredump configuration while the "
				     "firmware is crashed\n");
		return FALSE;
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(dump_modes); i++)
		if (!strcmp(word, dump_modes[i])) {
			d->coredump = i;
			return TRUE;
		}
	g_string_append_printf(out,
			       "EINVAL: invalid coredump configuration '%s' (disabled, enabled "
			       "or inline)\n",
			       word);
	return FALSE;
}

/* A new file RUNDIR/remoteproc0-coredump-<N>.elf, N the lowest free: earlier dumps stay. */
static int dump_file(struct daemon *d, char **path)
{
	for (unsigned n = 1; n < DUMP_MAX_INDEX; n++) {
		g_autofree char *name = g_strdup_printf("remoteproc0-coredump-%u.elf", n);
		g_autofree char *f = g_build_filename(amp_rundir_path(d->rd), name, NULL);
		int fd = open(f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0 || errno != EEXIST) {
			*path = g_steal_pointer(&f);
			return fd;
		}
	}
	errno = EEXIST;
	*path = g_strdup(amp_rundir_path(d->rd));
	return -1;
}

void daemon_coredump(struct daemon *d)
{
	if (d->coredump == 0)
		return;
	g_autofree char *path = NULL;
	g_autoptr(GError) err = NULL;
	int fd = dump_file(d, &path);
	if (fd < 0) {
		g_warning("no core dump of the firmware: cannot create a file in %s (%s); remove "
			  "old remoteproc0-coredump-*.elf files",
			  path, g_strerror(errno));
		return;
	}
	gboolean ok = amp_rproc_coredump(amp_host_rproc(d->host), fd, &err);
	close(fd);
	if (!ok) {
		g_warning("core dump %s: %s", path, err->message);
		unlink(path);
		return;
	}
	g_free(d->last_dump);
	d->last_dump = g_steal_pointer(&path);
	daemon_say(d, "core dump of the firmware's memory: %s\n", d->last_dump);
}

void daemon_sysfs_status(struct daemon *d, GString *out)
{
	g_string_append_printf(out, "firmware: %s\ncoredump: %s\n", d->fw_name,
			       dump_modes[d->coredump]);
	if (d->last_dump)
		g_string_append_printf(out, "last coredump: %s\n", d->last_dump);
}

void daemon_open_tx_signal(struct daemon *d)
{
	g_autofree char *path = amp_rundir_file(d->rd, "txfree");
	/* Read-write: a reader's open never waits for a writer, and the byte never hangs up. */
	if (mkfifo(path, 0600) < 0 ||
	    (d->tx_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		g_warning("cannot make %s (%s): under 'ampsim exec', POLLOUT on /dev/rpmsgN will "
			  "report the socket's room instead of a free TX buffer",
			  path, g_strerror(errno));
		return;
	}
	amp_host_set_tx_signal(d->host, d->tx_fd);
}
