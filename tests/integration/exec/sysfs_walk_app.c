/*
 * A Linux program (nothing in it knows of ampsim) that finds its way in the rpmsg bus in
 * sysfs from its working directory and with glibc's tree walkers: chdir()/fchdir() into the
 * tree, getcwd(), relative paths, nftw(), ftw(), fts, telldir()/seekdir() and fstat() of an
 * open attribute, uevent and power/. It prints what it finds (sorted where the kernel's order is
 * its own).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char lines[64][256];
static int nlines;

static int by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void flush_sorted(const char *title)
{
	qsort(lines, (size_t)nlines, sizeof(lines[0]), by_text);
	printf("%s:\n", title);
	for (int i = 0; i < nlines; i++)
		printf("  %s\n", lines[i]);
	nlines = 0;
}

static void pwd(const char *what)
{
	char buf[4096];
	printf("%s: %s\n", what, getcwd(buf, sizeof(buf)) ? buf : strerror(errno));
}

static void cat(const char *path)
{
	char buf[128] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n > 0)
		buf[n] = '\0';
	printf("%s: %s", path, n > 0 ? buf : strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void working_directory(void)
{
	if (chdir("/sys/bus/rpmsg/devices") != 0)
		perror("chdir");
	pwd("cwd");
	DIR *d = opendir(".");
	struct dirent *e;
	while (d && (e = readdir(d)) && nlines < 64)
		snprintf(lines[nlines++], sizeof(lines[0]), "%s", e->d_name);
	if (d)
		closedir(d);
	flush_sorted(".");
	cat("virtio0.rpmsg_ctrl.0.0/name");
	struct stat st;
	printf("stat ./virtio0.rpmsg_ns.53.53: %s\n",
	       stat("./virtio0.rpmsg_ns.53.53", &st) == 0 && S_ISDIR(st.st_mode) ? "a directory"
										 : strerror(errno));
	if (chdir("virtio0.rpmsg_ns.53.53") != 0)
		perror("chdir");
	pwd("cwd");
	cat("name");
	if (chdir("../..") != 0)
		perror("chdir ../..");
	pwd("cwd");
	int fd = open("/sys/class/rpmsg", O_RDONLY | O_DIRECTORY);
	if (fchdir(fd) != 0)
		perror("fchdir");
	close(fd);
	pwd("fchdir");
	printf("access rpmsg_ctrl0: %s\n",
	       access("rpmsg_ctrl0", F_OK) == 0 ? "ok" : strerror(errno));
	printf("chdir rpmsg0/name: %s\n", chdir("rpmsg0/name") == 0 ? "ok" : strerror(errno));
	printf("chdir nothing: %s\n", chdir("nothing") == 0 ? "ok" : strerror(errno));
	if (chdir("/") != 0)
		perror("chdir /");
	pwd("cwd");
}

static const char *ftw_type(int t)
{
	static const char *const names[] = {
	    [FTW_F] = "F",   [FTW_D] = "D",   [FTW_DNR] = "DNR", [FTW_NS] = "NS",
	    [FTW_SL] = "SL", [FTW_DP] = "DP", [FTW_SLN] = "SLN"};
	return t >= 0 && t <= FTW_SLN && names[t] ? names[t] : "?";
}

static int on_nftw(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (nlines < 64)
		snprintf(lines[nlines++], sizeof(lines[0]), "%d %s %s (%s)", ftw->level,
			 ftw_type(type), path + strlen("/sys/bus/rpmsg"), path + ftw->base);
	return 0;
}

static int on_ftw(const char *path, const struct stat *st, int type)
{
	const char *rel = path + strlen("/sys/bus/rpmsg/drivers/rpmsg_chrdev");
	if (rel[0] && strchr(rel + 1, '/'))
		return 0; /* ftw() follows links: the whole tree; its first level is enough */
	if (nlines < 64)
		snprintf(lines[nlines++], sizeof(lines[0]), "%s %s %s", ftw_type(type),
			 path + strlen("/sys/bus/rpmsg/drivers/"),
			 S_ISREG(st->st_mode)	? "file"
			 : S_ISDIR(st->st_mode) ? "dir"
						: "other");
	return 0;
}

static void tree_walkers(void)
{
	if (nftw("/sys/bus/rpmsg/drivers", on_nftw, 8, FTW_PHYS | FTW_DEPTH) != 0)
		perror("nftw");
	flush_sorted("nftw drivers, FTW_PHYS|FTW_DEPTH");
	if (ftw("/sys/bus/rpmsg/drivers/rpmsg_chrdev", on_ftw, 8) != 0)
		perror("ftw");
	flush_sorted("ftw rpmsg_chrdev");
	char *roots[] = {"/sys/bus/rpmsg", NULL};
	FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	FTSENT *e;
	unsigned links = 0, files = 0, dirs = 0, post = 0;
	errno = 0;
	while (fts && (e = fts_read(fts))) {
		links += e->fts_info == FTS_SL;
		files += e->fts_info == FTS_F;
		dirs += e->fts_info == FTS_D;
		post += e->fts_info == FTS_DP;
		if (e->fts_info == FTS_D && !strcmp(e->fts_name, "drivers"))
			fts_set(fts, e, FTS_SKIP); /* not its subtree */
		if (e->fts_info == FTS_SL && nlines < 64)
			snprintf(lines[nlines++], sizeof(lines[0]), "%d %s", e->fts_level,
				 e->fts_path);
	}
	if (!fts || errno)
		perror("fts");
	if (fts)
		fts_close(fts);
	flush_sorted("fts links");
	printf("fts: %u directories (%u left), %u files, %u links\n", dirs, post, files, links);
}

static void directory_positions(void)
{
	DIR *d = opendir("/sys/bus/rpmsg/drivers");
	struct dirent *e;
	long at = -1;
	char third[256] = "", again[256] = "";
	for (int i = 0; d && (e = readdir(d)); i++) {
		if (i == 2) {
			at = telldir(d);
		} else if (i == 3) {
			snprintf(third, sizeof(third), "%s", e->d_name);
		}
	}
	if (d && at >= 0) {
		seekdir(d, at);
		e = readdir(d);
		snprintf(again, sizeof(again), "%s", e ? e->d_name : "(end)");
	}
	printf("seekdir: %s\n", third[0] && !strcmp(third, again) ? "the same entry" : again);
	if (d)
		closedir(d);
	struct stat st;
	int fd = open("/sys/bus/rpmsg/devices/virtio0.rpmsg_ctrl.0.0/name", O_RDONLY);
	printf("fstat of an attribute: %lld\n",
	       fd >= 0 && fstat(fd, &st) == 0 ? (long long)st.st_size : -1LL);
	if (fd >= 0)
		close(fd);
	cat("/sys/class/rpmsg/rpmsg_ctrl0/uevent");
	cat("/sys/bus/rpmsg/devices/virtio0.rpmsg_ctrl.0.0/uevent");
	cat("/sys/class/rpmsg/rpmsg_ctrl0/power/runtime_status");
	cat("/sys/class/rpmsg/rpmsg_ctrl0/power/autosuspend_delay_ms");
	printf("\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	working_directory();
	tree_walkers();
	directory_positions();
	printf("done\n");
	return 0;
}
