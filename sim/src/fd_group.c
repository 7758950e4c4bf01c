/* Many fds as one GLib source, through epoll; see fd_group.h. */
#include "fd_group.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <ampsim/error.h>

struct amp_fd_member {
	struct amp_fd_group *g;
	int fd;
	uint32_t events; /* what epoll has for it; 0: not in the epoll set */
	GUnixFDSourceFunc fn;
	gpointer data;
	bool dead; /* removed during a dispatch: freed after it (its events may still be listed) */
	struct amp_fd_member *prev, *next; /* the group's live members */
};

struct amp_fd_group {
	GSource src;
	int epfd;
	gpointer tag;
	unsigned members;
	unsigned depth;	      /* > 0 while members' callbacks run */
	gboolean masked;      /* a nested loop saw the epoll fd ready: left out of its polls */
	GPtrArray *graveyard; /* members removed while dispatching */
	struct amp_fd_member *head; /* live members, freed with the group */
	guint64 waits;
};

static uint32_t to_epoll(GIOCondition c)
{
	return (c & G_IO_IN ? EPOLLIN : 0u) | (c & G_IO_OUT ? EPOLLOUT : 0u) |
	       (c & G_IO_PRI ? EPOLLPRI : 0u);
}

static GIOCondition from_epoll(uint32_t e)
{
	return (e & EPOLLIN ? G_IO_IN : 0) | (e & EPOLLOUT ? G_IO_OUT : 0) |
	       (e & EPOLLPRI ? G_IO_PRI : 0) | (e & EPOLLHUP ? G_IO_HUP : 0) |
	       (e & EPOLLERR ? G_IO_ERR : 0);
}

static void run_member(struct amp_fd_member *m, uint32_t events)
{
	if (m->dead || !m->events)
		return; /* removed, or stopped, by an earlier callback of this batch */
	if (!m->fn(m->fd, from_epoll(events), m->data) && !m->dead)
		amp_fd_member_remove(m);
}

static gboolean group_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
	struct amp_fd_group *g = (struct amp_fd_group *)s;
	struct epoll_event ev[AMP_FD_GROUP_BATCH];
	(void)cb, (void)data;
	if (g->depth > 0) { /* a nested main loop inside a callback: keep out of it */
		g_source_modify_unix_fd(s, g->tag, 0);
		g->masked = TRUE;
		return G_SOURCE_CONTINUE;
	}
	g->waits++;
	int n = epoll_wait(g->epfd, ev, AMP_FD_GROUP_BATCH, 0);
	g->depth++;
	for (int i = 0; i < n; i++)
		run_member(ev[i].data.ptr, ev[i].events);
	g->depth--;
	g_ptr_array_set_size(g->graveyard, 0); /* frees them: their events are all seen */
	if (g->masked && !g_source_is_destroyed(s)) {
		g_source_modify_unix_fd(s, g->tag, G_IO_IN);
		g->masked = FALSE;
	}
	return G_SOURCE_CONTINUE;
}

static void group_finalize(GSource *s)
{
	struct amp_fd_group *g = (struct amp_fd_group *)s;
	g_ptr_array_free(g->graveyard, TRUE);
	while (g->head) {
		struct amp_fd_member *m = g->head;
		g->head = m->next;
		g_free(m);
	}
	if (g->epfd >= 0)
		close(g->epfd);
}

static GSourceFuncs group_funcs = {.dispatch = group_dispatch, .finalize = group_finalize};

struct amp_fd_group *amp_fd_group_new(GMainContext *ctx, GError **err)
{
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		amp_set_error_errno(err, errno, "cannot watch the clients: epoll_create1");
		return NULL;
	}
	GSource *s = g_source_new(&group_funcs, sizeof(struct amp_fd_group));
	struct amp_fd_group *g = (struct amp_fd_group *)s;
	g->epfd = epfd;
	g->graveyard = g_ptr_array_new_with_free_func(g_free);
	g->tag = g_source_add_unix_fd(s, epfd, G_IO_IN);
	g_source_set_name(s, "amp_fd_group");
	/* As amp_fd_watch: no blocking, so no self-wake after each dispatch. */
	g_source_set_can_recurse(s, TRUE);
	g_source_attach(s, ctx);
	return g;
}

void amp_fd_group_free(struct amp_fd_group *g)
{
	if (!g)
		return;
	/* Members not removed are the group's: epoll forgets them with its fd. */
	g_source_destroy(&g->src);
	g_source_unref(&g->src);
}

struct amp_fd_member *amp_fd_group_add(struct amp_fd_group *g, int fd, GIOCondition cond,
				       GUnixFDSourceFunc fn, gpointer data)
{
	struct amp_fd_member *m = g_new0(struct amp_fd_member, 1);
	m->g = g;
	m->fd = fd;
	m->data = data;
	if (!amp_fd_member_set(m, cond, fn)) {
		int e = errno;
		g_free(m);
		errno = e;
		return NULL;
	}
	g->members++;
	m->next = g->head;
	if (g->head)
		g->head->prev = m;
	g->head = m;
	return m;
}

bool amp_fd_member_set(struct amp_fd_member *m, GIOCondition cond, GUnixFDSourceFunc fn)
{
	uint32_t want = cond ? to_epoll(cond) | EPOLLHUP | EPOLLERR : 0u;
	struct epoll_event ev = {.events = want, .data.ptr = m};
	int rc = 0;
	m->fn = fn;
	if (want == m->events)
		return true; /* the usual pause and resume: only the callback changes */
	if (!want)	     /* out of the set: epoll would still report a hang-up */
		rc = epoll_ctl(m->g->epfd, EPOLL_CTL_DEL, m->fd, NULL);
	else
		rc = epoll_ctl(m->g->epfd, m->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, m->fd, &ev);
	m->events = rc == 0 ? want : 0u;
	return rc == 0;
}

void amp_fd_member_remove(struct amp_fd_member *m)
{
	if (!m || m->dead)
		return;
	struct amp_fd_group *g = m->g;
	if (m->events)
		epoll_ctl(g->epfd, EPOLL_CTL_DEL, m->fd, NULL);
	m->events = 0;
	m->dead = true;
	g->members--;
	if (m->prev)
		m->prev->next = m->next;
	else
		g->head = m->next;
	if (m->next)
		m->next->prev = m->prev;
	if (g->depth > 0)
		g_ptr_array_add(g->graveyard, m); /* the running batch may still name it */
	else
		g_free(m);
}

unsigned amp_fd_group_size(const struct amp_fd_group *g)
{
	return g->members;
}

guint64 amp_fd_group_waits(const struct amp_fd_group *g)
{
	return g->waits;
}
