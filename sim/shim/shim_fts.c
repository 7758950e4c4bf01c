/*
 * glibc's fts reads directories through internal calls the shim cannot see: a walk with a
 * root in the sysfs tree is done here instead, with the covered calls (opendir, readdir,
 * stat, lstat), so every root of it is walked, the tree's and the PC's. Pre- and post-order
 * (FTS_D, FTS_DP), FTS_PHYSICAL/FTS_LOGICAL/FTS_COMFOLLOW, FTS_SEEDOT, cycles (FTS_DC), the
 * caller's comparison, fts_set() (FTS_SKIP, FTS_FOLLOW, FTS_AGAIN) and fts_children() as
 * glibc has them. It never changes the working directory: fts_accpath is the entry's whole
 * path (FTS_NOCHDIR's behaviour), which is where a program is told to open the entry.
 * Other walks are glibc's; the fts64_* names (_FILE_OFFSET_BITS=64) are the same here.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define FTS_MAGIC 0x66747321u

struct ent {
	FTSENT *kids; /* the directory's entries, read when it is entered */
	bool read;    /* kids were read (NULL: empty or unreadable) */
	struct stat st;
	char *path;
	FTSENT e; /* last: fts_name runs on */
};

struct walk {
	FTS pub; /* first: the fields a program may read */
	uint32_t magic;
	FTSENT *roots, *cur;
	struct ent *top; /* the roots' parent (FTS_ROOTPARENTLEVEL) */
	bool started;
	int (*cmp)(const FTSENT **, const FTSENT **);
};

static struct ent *ent_of(FTSENT *e)
{
	return (struct ent *)(void *)((char *)e - offsetof(struct ent, e));
}

static pthread_mutex_t walks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct walk *walks[16];

static struct walk *ours(FTS *f)
{
	struct walk *hit = NULL;
	pthread_mutex_lock(&walks_lock);
	for (unsigned i = 0; i < sizeof(walks) / sizeof(walks[0]) && f; i++)
		if (walks[i] == (struct walk *)f)
			hit = walks[i];
	pthread_mutex_unlock(&walks_lock);
	return hit;
}

static struct ent *ent_new(const char *dir, const char *name, FTSENT *parent)
{
	size_t nl = strlen(name), dl = dir ? strlen(dir) : 0;
	struct ent *x = calloc(1, sizeof(*x) + nl + 1);
	char *path = malloc(dl + nl + 2);
	if (!x || !path) {
		free(x);
		free(path);
		return NULL;
	}
	if (dir) /* "dir/name", one slash */
		snprintf(path, dl + nl + 2, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
			 name);
	else
		memcpy(path, name, nl + 1);
	memcpy(x->e.fts_name, name, nl + 1);
	x->path = path;
	x->e.fts_path = x->e.fts_accpath = path;
	x->e.fts_pathlen = (unsigned short)strlen(path);
	x->e.fts_namelen = (unsigned short)nl;
	x->e.fts_parent = parent;
	x->e.fts_level = (short)(parent ? parent->fts_level + 1 : FTS_ROOTLEVEL);
	x->e.fts_statp = &x->st;
	x->e.fts_instr = FTS_NOINSTR;
	return x;
}

static void list_free(FTSENT *e)
{
	while (e) {
		FTSENT *next = e->fts_link;
		struct ent *x = ent_of(e);
		list_free(x->kids);
		free(x->path);
		free(x);
		e = next;
	}
}

/* stat() or lstat() the entry and set fts_info as fts_stat() does. */
static void fill(FTSENT *e, bool follow)
{
	struct stat *st = e->fts_statp;
	e->fts_errno = 0;
	if ((follow ? stat(e->fts_accpath, st) : lstat(e->fts_accpath, st)) != 0) {
		int err = errno;
		bool dangling = follow && lstat(e->fts_accpath, st) == 0;
		e->fts_info = dangling ? FTS_SLNONE : FTS_NS;
		if (!dangling) {
			e->fts_errno = err;
			memset(st, 0, sizeof(*st));
		}
	} else if (S_ISDIR(st->st_mode)) {
		e->fts_info = FTS_D;
		for (FTSENT *a = e->fts_parent; a && a->fts_level >= FTS_ROOTLEVEL;
		     a = a->fts_parent)
			if (a->fts_ino == st->st_ino && a->fts_dev == st->st_dev) {
				e->fts_info = FTS_DC; /* a link led back to an ancestor */
				e->fts_cycle = a;
			}
	} else {
		e->fts_info = S_ISLNK(st->st_mode)   ? FTS_SL
			      : S_ISREG(st->st_mode) ? FTS_F
						     : FTS_DEFAULT;
	}
	e->fts_ino = st->st_ino;
	e->fts_dev = st->st_dev;
	e->fts_nlink = st->st_nlink;
}

static bool follows(const FTS *f, const FTSENT *e)
{
	return (f->fts_options & FTS_LOGICAL) ||
	       (e->fts_level == FTS_ROOTLEVEL && (f->fts_options & FTS_COMFOLLOW));
}

/* The caller's order, or the directory's. */
static FTSENT *sorted(struct walk *w, FTSENT *list, size_t n)
{
	if (!w->cmp || n < 2)
		return list;
	FTSENT **v = malloc(n * sizeof(*v));
	if (!v)
		return list;
	size_t i = 0;
	for (FTSENT *e = list; e; e = e->fts_link)
		v[i++] = e;
	qsort(v, n, sizeof(*v), (int (*)(const void *, const void *))w->cmp);
	for (i = 0; i + 1 < n; i++)
		v[i]->fts_link = v[i + 1];
	v[n - 1]->fts_link = NULL;
	list = v[0];
	free(v);
	return list;
}

/* Read directory @p d's entries into its kids (once); FTS_DNR when it cannot be read. */
static FTSENT *read_kids(struct walk *w, FTSENT *d)
{
	struct ent *x = ent_of(d);
	if (x->read)
		return x->kids;
	x->read = true;
	DIR *dir = opendir(d->fts_accpath);
	if (!dir) {
		d->fts_info = FTS_DNR;
		d->fts_errno = errno;
		return NULL;
	}
	FTSENT *head = NULL, **tail = &head;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		bool dot = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
		if (dot && !(w->pub.fts_options & FTS_SEEDOT))
			continue;
		struct ent *k = ent_new(d->fts_path, de->d_name, d);
		if (!k)
			break;
		if (dot) {
			fill(&k->e, false);
			k->e.fts_info = FTS_DOT;
		} else {
			fill(&k->e, follows(&w->pub, &k->e));
		}
		*tail = &k->e;
		tail = &k->e.fts_link;
		n++;
	}
	closedir(dir);
	x->kids = sorted(w, head, n);
	return x->kids;
}

static FTSENT *give(struct walk *w, FTSENT *e)
{
	w->cur = w->pub.fts_cur = e;
	if (!e)
		errno = 0; /* the end */
	return e;
}

/* After @p e: its next sibling, else its parent in post-order (its entries freed). */
static FTSENT *next_of(struct walk *w, FTSENT *e)
{
	if (e->fts_link)
		return give(w, e->fts_link);
	FTSENT *p = e->fts_parent;
	if (!p || p->fts_level < FTS_ROOTLEVEL)
		return give(w, NULL);
	struct ent *x = ent_of(p);
	list_free(x->kids); /* e among them: the caller is done with it */
	x->kids = NULL;
	p->fts_info = FTS_DP;
	return give(w, p);
}

static FTSENT *walk_read(struct walk *w)
{
	FTSENT *e = w->cur;
	if (!w->started) {
		w->started = true;
		return give(w, w->roots);
	}
	if (!e)
		return give(w, NULL);
	unsigned short instr = e->fts_instr;
	e->fts_instr = FTS_NOINSTR;
	if (instr == FTS_AGAIN) {
		fill(e, follows(&w->pub, e));
		return give(w, e);
	}
	if (instr == FTS_FOLLOW && (e->fts_info == FTS_SL || e->fts_info == FTS_SLNONE)) {
		fill(e, true);
		if (e->fts_info == FTS_D)
			return give(w, e); /* now a directory: returned again, then entered */
	}
	if (e->fts_info != FTS_D)
		return next_of(w, e);
	if (instr == FTS_SKIP) {
		list_free(ent_of(e)->kids);
		ent_of(e)->kids = NULL;
		e->fts_info = FTS_DP;
		return give(w, e);
	}
	FTSENT *k = read_kids(w, e);
	if (k)
		return give(w, k);
	if (e->fts_info == FTS_D)
		e->fts_info = FTS_DP; /* empty */
	return give(w, e);	      /* FTS_DP, or FTS_DNR */
}

static bool any_ours(char *const *argv)
{
	for (; argv && *argv; argv++) {
		struct shim_path p = shim_path_classify(AT_FDCWD, *argv);
		if (p.kind == SHIM_PATH_BUS || (p.kind == SHIM_PATH_ATTR && p.path[0]))
			return true;
	}
	return false;
}

static void walk_free(struct walk *w)
{
	list_free(w->roots);
	if (w->top) {
		free(w->top->path);
		free(w->top);
	}
	free(w);
}

static bool walk_register(struct walk *w)
{
	bool ok = false;
	pthread_mutex_lock(&walks_lock);
	for (unsigned i = 0; i < sizeof(walks) / sizeof(walks[0]) && !ok; i++)
		if (!walks[i])
			walks[i] = w, ok = true;
	pthread_mutex_unlock(&walks_lock);
	return ok;
}

static FTS *walk_open(char *const *argv, int options, int (*cmp)(const FTSENT **, const FTSENT **))
{
	struct walk *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->magic = FTS_MAGIC;
	w->pub.fts_options = options;
	w->cmp = cmp;
	w->top = ent_new(NULL, "", NULL);
	if (w->top)
		w->top->e.fts_level = FTS_ROOTPARENTLEVEL; /* before the roots count from it */
	FTSENT *head = NULL, **tail = &head;
	size_t n = 0;
	for (; w->top && *argv; argv++, n++) {
		struct ent *r = ent_new(NULL, *argv, &w->top->e);
		if (!r)
			break;
		fill(&r->e, follows(&w->pub, &r->e));
		*tail = &r->e;
		tail = &r->e.fts_link;
	}
	w->roots = sorted(w, head, n);
	if (!w->top || *argv || !walk_register(w)) {
		walk_free(w);
		errno = ENOMEM;
		return NULL;
	}
	return &w->pub;
}

#define NEXT(name)                            \
	static __typeof__(name) *next_##name; \
	if (!next_##name)                     \
		next_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name);

typedef int (*fts_cmp)(const FTSENT **, const FTSENT **);

SHIM_EXPORT FTS *fts_open(char *const *argv, int options, fts_cmp cmp)
{
	NEXT(fts_open)
	if (!(options & (FTS_LOGICAL | FTS_PHYSICAL)) || (options & ~FTS_OPTIONMASK) ||
	    !any_ours(argv))
		return next_fts_open(argv, options, cmp); /* its EINVAL too */
	return walk_open(argv, options, cmp);
}

SHIM_EXPORT FTSENT *fts_read(FTS *f)
{
	NEXT(fts_read)
	struct walk *w = ours(f);
	return w ? walk_read(w) : next_fts_read(f);
}

SHIM_EXPORT FTSENT *fts_children(FTS *f, int options)
{
	NEXT(fts_children)
	struct walk *w = ours(f);
	if (!w)
		return next_fts_children(f, options);
	if (!w->started)
		return w->roots;
	errno = 0;
	if (!w->cur || w->cur->fts_info != FTS_D)
		return NULL;
	return read_kids(w, w->cur);
}

SHIM_EXPORT int fts_set(FTS *f, FTSENT *e, int instr)
{
	NEXT(fts_set)
	if (!ours(f))
		return next_fts_set(f, e, instr);
	if (instr != FTS_AGAIN && instr != FTS_FOLLOW && instr != FTS_NOINSTR &&
	    instr != FTS_SKIP) {
		errno = EINVAL;
		return 1;
	}
	e->fts_instr = (unsigned short)instr;
	return 0;
}

SHIM_EXPORT int fts_close(FTS *f)
{
	NEXT(fts_close)
	struct walk *w = ours(f);
	if (!w)
		return next_fts_close(f);
	pthread_mutex_lock(&walks_lock);
	for (unsigned i = 0; i < sizeof(walks) / sizeof(walks[0]); i++)
		if (walks[i] == w)
			walks[i] = NULL;
	pthread_mutex_unlock(&walks_lock);
	walk_free(w); /* every entry still read hangs below a root */
	return 0;
}

/* _FILE_OFFSET_BITS=64 (coreutils, gnulib users): the same structures on this ABI. */
_Static_assert(sizeof(FTSENT) == sizeof(FTSENT64), "FTSENT64 is FTSENT here");
SHIM_EXPORT FTS64 *fts64_open(char *const *argv, int options,
			      int (*cmp)(const FTSENT64 **, const FTSENT64 **))
{
	NEXT(fts64_open)
	if (!(options & (FTS_LOGICAL | FTS_PHYSICAL)) || (options & ~FTS_OPTIONMASK) ||
	    !any_ours(argv))
		return next_fts64_open(argv, options, cmp);
	return (FTS64 *)walk_open(argv, options, (fts_cmp)cmp);
}

SHIM_EXPORT FTSENT64 *fts64_read(FTS64 *f)
{
	NEXT(fts64_read)
	struct walk *w = ours((FTS *)f);
	return w ? (FTSENT64 *)walk_read(w) : next_fts64_read(f);
}

SHIM_EXPORT FTSENT64 *fts64_children(FTS64 *f, int options)
{
	NEXT(fts64_children)
	return ours((FTS *)f) ? (FTSENT64 *)fts_children((FTS *)f, options)
			      : next_fts64_children(f, options);
}

SHIM_EXPORT int fts64_set(FTS64 *f, FTSENT64 *e, int instr)
{
	NEXT(fts64_set)
	return ours((FTS *)f) ? fts_set((FTS *)f, (FTSENT *)e, instr) : next_fts64_set(f, e, instr);
}

SHIM_EXPORT int fts64_close(FTS64 *f)
{
	NEXT(fts64_close)
	return ours((FTS *)f) ? fts_close((FTS *)f) : next_fts64_close(f);
}
