/*
 * glibc's nftw() and ftw() read directories through internal calls the shim cannot see, so
 * for a walk that starts in the sysfs tree they are done here, with the covered calls
 * (opendir, readdir, lstat, stat, chdir): FTW_PHYS, FTW_DEPTH, FTW_CHDIR and
 * FTW_ACTIONRETVAL as glibc does them, directories reached twice through links visited
 * once. Every other walk is glibc's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define FTW_SEEN 256 /* directories of one walk: the tree has about 40 */

typedef int (*nftw_fn)(const char *, const struct stat *, int, struct FTW *);

struct ftw_walk {
	nftw_fn fn;
	int flags;
	char path[2 * SHIM_BUS_PATH];
	ino_t seen[FTW_SEEN];
	unsigned nseen;
};

/* Has the walk been in this directory (a link led back to it)? Remember it if not. */
static bool seen_before(struct ftw_walk *w, ino_t ino)
{
	for (unsigned i = 0; i < w->nseen; i++)
		if (w->seen[i] == ino)
			return true;
	if (w->nseen < FTW_SEEN)
		w->seen[w->nseen++] = ino;
	return false;
}

/* FTW_ACTIONRETVAL's answers that end the walk, as a return value of nftw(). */
static bool stops(const struct ftw_walk *w, int r)
{
	if (!(w->flags & FTW_ACTIONRETVAL))
		return r != 0;
	return r == FTW_STOP;
}

static int visit(struct ftw_walk *w, size_t len, int base, int level);

/* The entries of the directory at w->path (length @p len), each visited at @p level. */
static int children(struct ftw_walk *w, size_t len, int level)
{
	DIR *d = opendir(w->path);
	if (!d)
		return -2; /* not readable: FTW_DNR */
	if ((w->flags & FTW_CHDIR) && chdir(w->path) != 0) {
		closedir(d);
		return -1;
	}
	struct dirent *e;
	int r = 0;
	size_t at = len && w->path[len - 1] == '/' ? len : len + 1;
	while (r == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t nl = strlen(e->d_name);
		if (at + nl >= sizeof(w->path)) {
			errno = ENAMETOOLONG;
			r = -1;
			break;
		}
		w->path[len] = '/';
		memcpy(w->path + at, e->d_name, nl + 1);
		r = visit(w, at + nl, (int)at, level);
		w->path[len] = '\0';
		if ((w->flags & FTW_ACTIONRETVAL) && r == FTW_SKIP_SIBLINGS) {
			r = 0; /* the rest of this directory is skipped, the walk goes on */
			break;
		}
		if ((w->flags & FTW_ACTIONRETVAL) && r == FTW_SKIP_SUBTREE)
			r = 0; /* said of a file: nothing to skip */
	}
	closedir(d);
	return r;
}

/* The object at w->path: call fn for it, and walk it if it is a directory. */
static int visit(struct ftw_walk *w, size_t len, int base, int level)
{
	struct stat st;
	struct FTW f = {.base = base, .level = level};
	bool phys = w->flags & FTW_PHYS;
	int type = FTW_F;
	if ((phys ? lstat(w->path, &st) : stat(w->path, &st)) != 0)
		type = !phys && lstat(w->path, &st) == 0 && S_ISLNK(st.st_mode) ? FTW_SLN : FTW_NS;
	else if (S_ISLNK(st.st_mode))
		type = FTW_SL;
	else if (S_ISDIR(st.st_mode))
		type = FTW_D;
	if (type != FTW_D)
		return w->fn(w->path, &st, type, &f);
	if (!phys && seen_before(w, st.st_ino))
		return 0; /* glibc reports a directory once */
	int r = 0;
	if (!(w->flags & FTW_DEPTH)) {
		r = w->fn(w->path, &st, FTW_D, &f);
		if ((w->flags & FTW_ACTIONRETVAL) && r == FTW_SKIP_SUBTREE)
			return 0;
		if (stops(w, r) || ((w->flags & FTW_ACTIONRETVAL) && r == FTW_SKIP_SIBLINGS))
			return r;
	}
	char back[SHIM_BUS_PATH];
	bool chdir_back = (w->flags & FTW_CHDIR) && getcwd(back, sizeof(back));
	int c = children(w, len, level + 1);
	if (chdir_back && chdir(back) != 0)
		return -1;
	if (c == -2)
		return w->fn(w->path, &st, FTW_DNR, &f);
	if (c != 0)
		return c;
	return (w->flags & FTW_DEPTH) ? w->fn(w->path, &st, FTW_DP, &f) : 0;
}

/* Is @p dir a walk the shim does (the tree's, absolute or from the shim's cwd)? */
static bool ours(const char *dir, char *path, size_t len)
{
	struct shim_path p = shim_path_classify(AT_FDCWD, dir);
	if (p.kind != SHIM_PATH_BUS && !(p.kind == SHIM_PATH_ATTR && p.path[0]))
		return false;
	if (dir[0] == '/' || strlen(dir) >= len)
		snprintf(path, len, "%s", dir);
	else
		snprintf(path, len, "%s", p.path); /* relative: the walk names it absolute */
	return true;
}

static int shim_nftw(const char *dir, nftw_fn fn, int flags)
{
	struct ftw_walk *w = calloc(1, sizeof(*w));
	if (!w)
		return -1;
	w->fn = fn;
	w->flags = flags;
	int r = -1;
	if (ours(dir, w->path, sizeof(w->path))) {
		size_t len = strlen(w->path);
		const char *slash = strrchr(w->path, '/');
		int base = slash && slash[1] ? (int)(slash - w->path + 1) : 0;
		char cwd[SHIM_BUS_PATH];
		bool back = (flags & FTW_CHDIR) && getcwd(cwd, sizeof(cwd));
		r = visit(w, len, base, 0);
		if (back && chdir(cwd) != 0 && r == 0)
			r = -1;
		if ((flags & FTW_ACTIONRETVAL) && r != FTW_STOP)
			r = r < 0 ? r : 0;
	}
	int e = errno;
	free(w);
	errno = e;
	return r;
}

SHIM_EXPORT int nftw(const char *dir, nftw_fn fn, int nopenfd, int flags)
{
	static __typeof__(nftw) *next;
	if (!next)
		next = (__typeof__(nftw) *)dlsym(RTLD_NEXT, "nftw");
	char tmp[2 * SHIM_BUS_PATH];
	if (!ours(dir, tmp, sizeof(tmp)))
		return next(dir, fn, nopenfd, flags);
	return shim_nftw(dir, fn, flags);
}

_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "stat64 is stat on this ABI");

SHIM_EXPORT int nftw64(const char *dir, __nftw64_func_t fn, int nopenfd, int flags)
{
	return nftw(dir, (nftw_fn)fn, nopenfd, flags);
}

/* ftw(): nftw() without its flags and the FTW argument; FTW_DP never comes. */
static __thread __ftw_func_t ftw_fn;

static int ftw_call(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	return ftw_fn(path, st, type);
}

SHIM_EXPORT int ftw(const char *dir, __ftw_func_t fn, int nopenfd)
{
	static __typeof__(ftw) *next;
	if (!next)
		next = (__typeof__(ftw) *)dlsym(RTLD_NEXT, "ftw");
	char tmp[2 * SHIM_BUS_PATH];
	if (!ours(dir, tmp, sizeof(tmp)))
		return next(dir, fn, nopenfd);
	__ftw_func_t saved = ftw_fn;
	ftw_fn = fn;
	int r = shim_nftw(dir, ftw_call, 0);
	ftw_fn = saved;
	return r;
}

SHIM_EXPORT int ftw64(const char *dir, __ftw64_func_t fn, int nopenfd)
{
	return ftw(dir, (__ftw_func_t)fn, nopenfd);
}
