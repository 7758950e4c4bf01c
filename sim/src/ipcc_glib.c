/* GLib glue for the IPCC link; see ipcc_glib.h. */
#include "ipcc_glib.h"

#include <sched.h>
#include <time.h>

#include "fd_watch.h"

#define SPIN_SLICE_NS 20000u  /* SPIN: poll this long, then let the loop poll its fds */
#define MIN_BUDGET_NS 5000u   /* ADAPTIVE: never poll for less than this */
#define PREEMPT_GAP_NS 50000u /* a gap this long between two looks: the CPU was taken */
#define BACKOFF_WAITS 256u    /* ... then block for this many waits before polling again */

/* The polling source, a child of the fd watch (ADAPTIVE and SPIN links only). */
struct poll_src {
	GSource src;
	struct amp_ipcc_link *link;
	uint64_t avg_ns;  /* running average of the polls that found an interrupt */
	uint64_t kicks;	  /* our notifications as of the last wait */
	uint64_t wakes;	  /* ... and those that woke the peer (amp_ipcc_link_peer_wakes()) */
	unsigned backoff; /* waits left to block without polling */
	unsigned misses;  /* the next backoff after a poll that found nothing: doubles */
};

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	/* GLib saw the fd readable and only this thread reads it: no poll before the read. */
	if (cond & G_IO_IN)
		amp_ipcc_link_handle_readable(data);
	return G_SOURCE_CONTINUE;
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* The peer runs, or is about to: it says it is awake, or has not taken a kick of ours. */
static bool peer_running(struct amp_ipcc_link *l)
{
	return amp_ipcc_link_peer_awake(l) || amp_ipcc_link_tx_busy(l);
}

/*
 * Poll the registers for up to @p budget ns; in ADAPTIVE mode only while the peer runs,
 * and never across a preemption (the CPUs are busy: blocking costs others less). True if
 * an interrupt is pending.
 */
static bool poll_for(struct poll_src *p, uint64_t budget, bool adaptive, bool woke)
{
	struct amp_ipcc_link *l = p->link;
	uint64_t t0 = now_ns(), last = t0;
	l->stats.polls++;
	if (adaptive) /* awake: kicks while we poll need no eventfd write */
		amp_ipcc_link_set_asleep(l, false);
	for (unsigned i = 1;; i++) {
		if (amp_ipcc_link_pending(l)) {
			l->stats.poll_hits++;
			if (!woke) /* a wake-up's wait says nothing of a running peer's answer */
				p->avg_ns = (p->avg_ns * 7 + (now_ns() - t0)) / 8;
			p->misses = 0;
			return true;
		}
		if ((i & 63u) != 0) {
			cpu_relax();
			continue;
		}
		uint64_t t = now_ns();
		if (adaptive && t - last > PREEMPT_GAP_NS) {
			l->stats.preempted++;
			p->backoff = BACKOFF_WAITS;
			return false;
		}
		if (adaptive && (!peer_running(l) || amp_ipcc_link_peer_on_my_cpu(l)))
			return false; /* it sleeps, or waits for our CPU: no sign polling fails */
		if (t - t0 >= budget) {
			/* Polling that does not pay is given up for longer each time. */
			p->backoff = p->misses;
			p->misses = p->misses ? MIN(2 * p->misses, BACKOFF_WAITS) : 1;
			return false;
		}
		/* The answer is late (twice the usual): let a thread waiting for this CPU run
		 * (the peer's, whose answer we poll for). Not before: the system call would
		 * cost a back-to-back round trip more than the round trip itself. */
		if (adaptive && t - t0 > 2 * p->avg_ns)
			sched_yield();
		last = now_ns();
	}
}

/* ADAPTIVE: the poll budget, 4 times the polls that paid off, within [5 us, poll_ns]; all
 * of poll_ns after a kick that woke the peer (amp_ipcc_link_peer_wakes()). */
static uint64_t budget_of(const struct poll_src *p, bool woke)
{
	uint64_t b = p->avg_ns && !woke ? 4 * p->avg_ns : p->link->cfg.poll_ns;
	if (b < MIN_BUDGET_NS)
		b = MIN_BUDGET_NS;
	return b > p->link->cfg.poll_ns ? p->link->cfg.poll_ns : b;
}

static gboolean poll_prepare(GSource *src, gint *timeout)
{
	struct poll_src *p = (struct poll_src *)src;
	struct amp_ipcc_link *l = p->link;
	if (amp_ipcc_link_pending(l))
		return TRUE;
	if (l->cfg.mode == AMP_IPCC_WAIT_SPIN) { /* never sleep; let the loop see its fds */
		*timeout = 0;
		return poll_for(p, SPIN_SLICE_NS, false, false);
	}
	/* Worth polling if the peer says it is awake, or if we kicked it since the last wait
	 * and it has not taken the kick yet (a channel left occupied for long is no sign). */
	uint64_t kicks = amp_ipcc_link_kicks(l), wakes = amp_ipcc_link_peer_wakes(l);
	bool kicked = kicks != p->kicks && amp_ipcc_link_tx_busy(l), woke = wakes != p->wakes;
	p->kicks = kicks;
	p->wakes = wakes;
	amp_ipcc_link_publish_cpu(l);
	if (p->backoff > 0)
		p->backoff--;
	else if ((kicked || amp_ipcc_link_peer_awake(l)) && amp_ipcc_link_peer_on_my_cpu(l))
		l->stats.same_cpu++; /* it needs this CPU to answer: sleep and let it run */
	else if ((kicked || amp_ipcc_link_peer_awake(l)) &&
		 poll_for(p, budget_of(p, woke), true, woke))
		return TRUE;
	/* Publish that we sleep, then look again: a kick before the store is seen here, one
	 * after it writes the eventfd, which the fd watch polls. */
	amp_ipcc_link_set_asleep(l, true);
	*timeout = -1;
	return amp_ipcc_link_pending(l);
}

static gboolean poll_check(GSource *src)
{
	return amp_ipcc_link_pending(((struct poll_src *)src)->link);
}

static gboolean poll_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	struct amp_ipcc_link *l = ((struct poll_src *)src)->link;
	(void)cb, (void)data;
	/* Awake: the peer need not write our eventfd until we publish asleep again. */
	if (l->cfg.mode == AMP_IPCC_WAIT_ADAPTIVE)
		amp_ipcc_link_set_asleep(l, false);
	amp_ipcc_link_dispatch(l);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs poll_funcs = {
    .prepare = poll_prepare,
    .check = poll_check,
    .dispatch = poll_dispatch,
};

GSource *amp_ipcc_glib_source(struct amp_ipcc_link *link, GMainContext *ctx)
{
	g_return_val_if_fail(link != NULL, NULL);
	/* NULL would mean the global default context to g_source_attach(): resolve it here. */
	GMainContext *c = ctx ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
	GSource *src = amp_fd_watch_new(amp_ipcc_link_fd(link), G_IO_IN, on_readable, link, c);
	if (link->cfg.mode != AMP_IPCC_WAIT_BLOCK) {
		GSource *child = g_source_new(&poll_funcs, sizeof(struct poll_src));
		((struct poll_src *)child)->link = link;
		g_source_set_name(child, "ampsim IPCC poll");
		g_source_add_child_source(src, child); /* attached with it, destroyed with it */
		g_source_unref(child);
	}
	g_main_context_unref(c);
	return src;
}
