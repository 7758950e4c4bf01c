#define _GNU_SOURCE
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ampsim/error.h>

#define PID_FILE "ampsim.pid"

struct amp_rundir {
	char *path;
	int lock_fd;
};

char *amp_rundir_default(void)
{
	const char *xdg = g_getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg)
		return g_build_filename(xdg, "ampsim", NULL);
	return g_strdup_printf("/tmp/ampsim-%u", (unsigned)getuid());
}

/* Only names ampsim itself creates are ever removed. */
static gboolean is_run_entry(const char *name)
{
	return g_str_has_prefix(name, "rpmsg") || g_str_has_prefix(name, "ttyRPMSG") ||
	       g_str_has_prefix(name, "control") || g_str_has_prefix(name, "sdb");
}

static int remove_entries(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	if (!d)
		return 0;
	int n = 0;
	const char *name;
	while ((name = g_dir_read_name(d))) {
		if (!is_run_entry(name))
			continue;
		g_autofree char *f = g_build_filename(path, name, NULL);
		if (unlink(f) == 0)
			n++;
	}
	g_dir_close(d);
	return n;
}

static gboolean check_dir(const char *path, GError **err)
{
	if (g_mkdir_with_parents(path, 0700) < 0) {
		amp_set_error_errno(err, errno, "cannot create run directory %s", path);
		return FALSE;
	}
	struct stat st;
	int code = AMP_OK;
	if (lstat(path, &st) < 0)
		code = amp_from_errno(errno);
	else if (!S_ISDIR(st.st_mode))
		code = AMP_EINVAL;
	else if (st.st_uid != getuid())
		code = AMP_EACCES;
	if (code != AMP_OK)
		amp_set_error(err, code,
			      "run directory %s is not a directory owned by you; pass another "
			      "--run-dir",
			      path);
	return code == AMP_OK;
}

/* Open and lock the pid file; -1 with @err when a live run holds it. */
static int lock_dir(const char *path, GError **err)
{
	g_autofree char *pidf = g_build_filename(path, PID_FILE, NULL);
	int fd = open(pidf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		amp_set_error_errno(err, errno, "cannot open %s", pidf);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char buf[32] = "";
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		g_strchomp(buf);
		amp_set_error(err, AMP_EBUSY,
			      "run directory %s is in use by a live ampsim run (pid %s); stop it "
			      "with 'ampsim ctl %s stop' or pass another --run-dir",
			      path, *buf ? buf : "?", path);
		close(fd);
		return -1;
	}
	return fd;
}

struct amp_rundir *amp_rundir_open(const char *path, GError **err)
{
	if (!check_dir(path, err))
		return NULL;
	int fd = lock_dir(path, err);
	if (fd < 0)
		return NULL;
	int stale = remove_entries(path);
	if (stale > 0)
		g_message("removed %d leftover entries of a dead run from %s", stale, path);
	char pid[32];
	int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len)
		g_warning("cannot write the pid into %s/%s", path, PID_FILE);
	struct amp_rundir *rd = g_new0(struct amp_rundir, 1);
	rd->path = g_strdup(path);
	rd->lock_fd = fd;
	return rd;
}

void amp_rundir_close(struct amp_rundir *rd)
{
	if (!rd)
		return;
	remove_entries(rd->path);
	g_autofree char *pidf = g_build_filename(rd->path, PID_FILE, NULL);
	unlink(pidf);
	close(rd->lock_fd);
	rmdir(rd->path); /* only succeeds if nothing else is in it */
	g_free(rd->path);
	g_free(rd);
}

const char *amp_rundir_path(const struct amp_rundir *rd)
{
	return rd->path;
}

char *amp_rundir_file(const struct amp_rundir *rd, const char *name)
{
	return g_build_filename(rd->path, name, NULL);
}

int amp_rundir_cleanup(const char *path, GError **err)
{
	if (!g_file_test(path, G_FILE_TEST_IS_DIR))
		return 0;
	int fd = lock_dir(path, err);
	if (fd < 0)
		return amp_error_code(*err);
	int n = remove_entries(path);
	g_autofree char *pidf = g_build_filename(path, PID_FILE, NULL);
	unlink(pidf);
	close(fd);
	rmdir(path);
	return n;
}
