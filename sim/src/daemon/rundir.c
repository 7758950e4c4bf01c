/*
 * The run directory; see rundir.h. What a run may remove is decided by two things only:
 * the run's own record (RUNDIR/ampsim.entries, one name per line, written before the entry
 * is made) and the kind of file (a socket or a symlink, never a regular file or a directory).
 */
#define _GNU_SOURCE
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ampsim/error.h>

#define PID_FILE "ampsim.pid"
#define RECORD_FILE "ampsim.entries"
#define TMP_SUFFIX ".new" /* sock_server.c binds under NAME.new, then renames */

struct amp_rundir {
	char *path;
	int lock_fd;
	int record_fd;
	GHashTable *created; /* names recorded by this run */
};

char *amp_rundir_default(void)
{
	const char *xdg = g_getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg)
		return g_build_filename(xdg, "ampsim", NULL);
	return g_strdup_printf("/tmp/ampsim-%u", (unsigned)getuid());
}

static gboolean has_index(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(name, prefix, n) != 0 || !name[n])
		return FALSE;
	return strspn(name + n, "0123456789") == strlen(name + n);
}

gboolean amp_rundir_is_entry_name(const char *name)
{
	g_autofree char *base = g_strdup(name);
	if (g_str_has_suffix(base, TMP_SUFFIX))
		base[strlen(base) - strlen(TMP_SUFFIX)] = '\0';
	return !strcmp(base, "control") || !strcmp(base, "rpmsg_ctrl0") || !strcmp(base, "shm") ||
	       !strcmp(base, "txfree") || !strcmp(base, "rpmsg-sdb") || has_index(base, "rpmsg") ||
	       has_index(base, "ttyRPMSG");
}

char *amp_rundir_resolve(const char *arg)
{
	if (strchr(arg, '/') || g_str_has_suffix(arg, TMP_SUFFIX) || !amp_rundir_is_entry_name(arg))
		return g_strdup(arg);
	g_autofree char *dir = amp_rundir_default();
	return g_build_filename(dir, arg, NULL);
}

/* ---- the directory itself -------------------------------------------------------------- */

/* Make @path (0700, whatever the umask) if it does not exist; then lstat it. */
static int make_dir(const char *path, struct stat *st, GError **err)
{
	if (lstat(path, st) == 0)
		return 0;
	if (errno != ENOENT || g_mkdir_with_parents(path, 0700) < 0 || chmod(path, 0700) < 0 ||
	    lstat(path, st) < 0) {
		amp_set_error_errno(err, errno, "cannot create run directory %s", path);
		return -1;
	}
	return 0;
}

/* As ssh with key files: only a directory of ours that no one else may write to, since
 * whoever can write there can replace the sockets or squat their names. */
static gboolean check_dir(const char *path, gboolean create, GError **err)
{
	struct stat st;
	if (create ? make_dir(path, &st, err) < 0 : lstat(path, &st) < 0) {
		if (!create)
			amp_set_error_errno(err, errno, "cannot use run directory %s", path);
		return FALSE;
	}
	if (!S_ISDIR(st.st_mode)) {
		amp_set_error(err, AMP_EINVAL,
			      "run directory %s is not a directory; pass another --run-dir", path);
		return FALSE;
	}
	if (st.st_uid != geteuid()) {
		amp_set_error(err, AMP_EACCES,
			      "run directory %s is owned by uid %u, not by you (uid %u); pass a "
			      "directory of your own with --run-dir",
			      path, (unsigned)st.st_uid, (unsigned)geteuid());
		return FALSE;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		amp_set_error(err, AMP_EACCES,
			      "run directory %s is writable by group or others (mode 0%o), so "
			      "another user could replace its sockets; run 'chmod 700 %s' or pass "
			      "another --run-dir",
			      path, (unsigned)(st.st_mode & 07777), path);
		return FALSE;
	}
	return TRUE;
}

/* Open and lock the pid file; -1 with @err when a live run holds it. *@made: we created it. */
static int lock_dir(const char *path, gboolean *made, GError **err)
{
	g_autofree char *pidf = g_build_filename(path, PID_FILE, NULL);
	int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW;
	int fd = open(pidf, flags);
	*made = fd < 0 && errno == ENOENT;
	if (*made)
		fd = open(pidf, flags | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		amp_set_error_errno(err, errno, "cannot open %s", pidf);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char buf[32] = "";
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		amp_set_error(err, AMP_EBUSY,
			      "run directory %s is in use by a live ampsim run (pid %s); stop it "
			      "with 'ampsim ctl %s stop' or pass another --run-dir",
			      path, *buf ? buf : "?", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- a dead run's leftovers ------------------------------------------------------------ */

/* The names a dead run recorded; NULL when it left no record. */
static GHashTable *read_record(const char *path)
{
	g_autofree char *f = g_build_filename(path, RECORD_FILE, NULL);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(f, &text, NULL, NULL))
		return NULL;
	GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++)
		if (**l && amp_rundir_is_entry_name(*l))
			g_hash_table_add(names, g_strdup(*l));
	return names;
}

/* What a run makes and may remove: sockets, symlinks and the txfree FIFO. */
static gboolean removable(mode_t m)
{
	return S_ISSOCK(m) || S_ISLNK(m) || S_ISFIFO(m);
}

/* Is @name in @dir a dead run's? Only a socket, symlink or FIFO ampsim would make, that its
 * record lists (or, with no record but a dead run's pid file, by its name alone). */
static gboolean dead_runs(const char *dir, const char *name, GHashTable *rec, gboolean marked)
{
	g_autofree char *f = g_build_filename(dir, name, NULL);
	struct stat st;
	if (lstat(f, &st) < 0 || !removable(st.st_mode))
		return FALSE;
	if (!rec)
		return marked;
	g_autofree char *base = g_strdup(name);
	if (g_str_has_suffix(base, TMP_SUFFIX))
		base[strlen(base) - strlen(TMP_SUFFIX)] = '\0';
	return g_hash_table_contains(rec, base);
}

static const char *kind_of(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return "file";
	if (S_ISREG(st.st_mode))
		return "regular file";
	if (S_ISDIR(st.st_mode))
		return "directory";
	if (S_ISSOCK(st.st_mode))
		return "socket";
	return S_ISLNK(st.st_mode) ? "symlink" : "file";
}

/*
 * Remove a dead run's entries from @path. With @strict, any other file under a name ampsim
 * needs is an error (nothing is removed then); without, it is left alone. Returns the
 * number removed, or -1 with @err set.
 */
static int remove_stale(const char *path, gboolean marked, gboolean strict, GError **err)
{
	GDir *d = g_dir_open(path, 0, NULL);
	if (!d)
		return 0;
	g_autoptr(GHashTable) rec = read_record(path);
	g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	while ((name = g_dir_read_name(d))) {
		if (!amp_rundir_is_entry_name(name))
			continue;
		g_autofree char *f = g_build_filename(path, name, NULL);
		if (dead_runs(path, name, rec, marked)) {
			g_ptr_array_add(stale, g_steal_pointer(&f));
		} else if (strict) {
			amp_set_error(
			    err, AMP_EEXIST,
			    "%s is a %s that ampsim did not create, and ampsim needs that "
			    "name for one of its sockets or pty links; move it out of the run "
			    "directory or pass another --run-dir",
			    f, kind_of(f));
			g_dir_close(d);
			return -1;
		}
	}
	g_dir_close(d);
	int n = 0;
	for (guint i = 0; i < stale->len; i++)
		n += unlink(stale->pdata[i]) == 0;
	return n;
}

/* ---- open, record, close --------------------------------------------------------------- */

static void release(const char *path, int lock_fd, gboolean remove_pid)
{
	if (remove_pid) {
		g_autofree char *pidf = g_build_filename(path, PID_FILE, NULL);
		unlink(pidf);
	}
	close(lock_fd);
	rmdir(path); /* only succeeds if nothing else is in it */
}

static int open_record(const char *path, GError **err)
{
	g_autofree char *f = g_build_filename(path, RECORD_FILE, NULL);
	int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		amp_set_error_errno(err, errno, "cannot create %s", f);
	return fd;
}

struct amp_rundir *amp_rundir_open(const char *path, GError **err)
{
	if (!check_dir(path, TRUE, err))
		return NULL;
	gboolean made;
	int fd = lock_dir(path, &made, err);
	if (fd < 0)
		return NULL;
	/* A pid file we did not just make, unlocked: a dead run's mark. */
	int stale = remove_stale(path, !made, TRUE, err);
	int rfd = stale < 0 ? -1 : open_record(path, err);
	if (rfd < 0) {
		release(path, fd, made);
		return NULL;
	}
	if (stale > 0)
		g_message("removed %d leftover entries of a dead run from %s", stale, path);
	char pid[32];
	int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len)
		g_warning("cannot write the pid into %s/%s", path, PID_FILE);
	struct amp_rundir *rd = g_new0(struct amp_rundir, 1);
	rd->path = g_strdup(path);
	rd->lock_fd = fd;
	rd->record_fd = rfd;
	rd->created = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return rd;
}

/* Remove @name (and its temporary) if this run left it: only a socket, symlink or FIFO. */
static void remove_own(const struct amp_rundir *rd, const char *name)
{
	const char *names[] = {name, NULL};
	g_autofree char *tmp = g_strconcat(name, TMP_SUFFIX, NULL);
	names[1] = tmp;
	for (int i = 0; i < 2; i++) {
		g_autofree char *f = g_build_filename(rd->path, names[i], NULL);
		struct stat st;
		if (lstat(f, &st) == 0 && removable(st.st_mode))
			unlink(f);
	}
}

void amp_rundir_close(struct amp_rundir *rd)
{
	if (!rd)
		return;
	GHashTableIter it;
	gpointer name;
	g_hash_table_iter_init(&it, rd->created);
	while (g_hash_table_iter_next(&it, &name, NULL))
		remove_own(rd, name);
	g_autofree char *rec = g_build_filename(rd->path, RECORD_FILE, NULL);
	unlink(rec);
	close(rd->record_fd);
	release(rd->path, rd->lock_fd, TRUE);
	g_hash_table_destroy(rd->created);
	g_free(rd->path);
	g_free(rd);
}

const char *amp_rundir_path(const struct amp_rundir *rd)
{
	return rd->path;
}

char *amp_rundir_file(struct amp_rundir *rd, const char *name)
{
	g_return_val_if_fail(amp_rundir_is_entry_name(name), NULL);
	if (!g_hash_table_contains(rd->created, name)) {
		/* Written before the entry exists: a run killed in between leaves nothing
		 * unrecorded. */
		g_autofree char *line = g_strconcat(name, "\n", NULL);
		if (write(rd->record_fd, line, strlen(line)) != (ssize_t)strlen(line))
			g_warning("cannot record %s in %s/%s: a killed run's %s would stay", name,
				  rd->path, RECORD_FILE, name);
		g_hash_table_add(rd->created, g_strdup(name));
	}
	return g_build_filename(rd->path, name, NULL);
}

int amp_rundir_cleanup(const char *path, GError **err)
{
	if (!g_file_test(path, G_FILE_TEST_IS_DIR))
		return 0;
	if (!check_dir(path, FALSE, err))
		return amp_error_code(*err);
	gboolean made;
	int fd = lock_dir(path, &made, err);
	if (fd < 0)
		return amp_error_code(*err);
	int n = remove_stale(path, !made, FALSE, NULL);
	g_autofree char *rec = g_build_filename(path, RECORD_FILE, NULL);
	unlink(rec);
	release(path, fd, TRUE);
	return n;
}
