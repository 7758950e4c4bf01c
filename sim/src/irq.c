/* Interrupt context in a process: the main thread's WFI and the IRQ thread; see ampsim/irq.h. */
#define _GNU_SOURCE
#include <ampsim/irq.h>
#include <amp/error.h>
#include <ampsim/errno.h>

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* irq->st: who listens on the line. The IRQ thread takes the line (ST_IRQ_OWNS) only by a
 * compare-and-swap that finds ST_MAIN_WFI clear, and the main thread sets ST_MAIN_WFI with
 * one fetch-or that tells it whether the IRQ thread owns the line: never both listen. */
#define ST_MAIN_WFI 1u /* the main thread is in amp_irq_wait() */
#define ST_IRQ_OWNS 2u /* the IRQ thread listens and runs the handlers */
#define ST_PARKED 4u   /* the IRQ thread sleeps on st until the main thread leaves WFI */
#define ST_STOP 8u     /* amp_irq_stop(): changes st, so a futex wait on it returns */

/* Per thread: nesting depth of irq_disable, and whether this thread runs handlers now. */
static _Thread_local unsigned disable_depth;
static _Thread_local bool in_handler;

static long futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, FUTEX_BITSET_MATCH_ANY);
}

/* Sleep while *w == val, at most until @abs (CLOCK_MONOTONIC; NULL: no limit). */
static void futex_wait_until(_Atomic uint32_t *w, uint32_t val, const struct timespec *abs)
{
	futex(w, FUTEX_WAIT_BITSET_PRIVATE, val, abs);
}

static void futex_wake_all(_Atomic uint32_t *w)
{
	futex(w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
}

/*
 * The IRQ lock: a futex lock (0 free, 1 held, 2 held with waiters; Drepper, "Futexes Are
 * Tricky"). Every round trip takes it about five times, nearly always uncontended (the main
 * thread takes its interrupts itself): an atomic instruction each way, where a pthread mutex
 * cost about 55 instructions (issue 17).
 */
static void lock_irq(struct amp_irq *irq)
{
	uint32_t c = 0;
	if (atomic_compare_exchange_strong_explicit(&irq->lock, &c, 1u, memory_order_acquire,
						    memory_order_relaxed))
		return;
	if (c != 2u)
		c = atomic_exchange_explicit(&irq->lock, 2u, memory_order_acquire);
	while (c != 0u) {
		futex(&irq->lock, FUTEX_WAIT_PRIVATE, 2u, NULL);
		c = atomic_exchange_explicit(&irq->lock, 2u, memory_order_acquire);
	}
}

static void unlock_irq(struct amp_irq *irq)
{
	if (atomic_fetch_sub_explicit(&irq->lock, 1u, memory_order_release) != 1u) {
		atomic_store_explicit(&irq->lock, 0u, memory_order_release);
		futex(&irq->lock, FUTEX_WAKE_PRIVATE, 1u, NULL);
	}
}

static struct timespec ns_to_ts(uint64_t ns)
{
	return (struct timespec){.tv_sec = (time_t)(ns / 1000000000u),
				 .tv_nsec = (long)(ns % 1000000000u)};
}

static bool stopping(struct amp_irq *irq)
{
	return atomic_load(&irq->link->stop) || (atomic_load(&irq->st) & ST_STOP);
}

/* Run the handlers of what is pending, as an ISR: the lock held, "in handler". */
static void dispatch(struct amp_irq *irq)
{
	lock_irq(irq);
	in_handler = true;
	amp_ipcc_link_dispatch(irq->link);
	in_handler = false;
	unlock_irq(irq);
}

/* ---- the IRQ thread ------------------------------------------------------------------ */

/* Owning the line: wait on it, run the handlers, and give the line back if the main thread
 * now waits (it sleeps on taken; the bump below wakes it). False: the thread must end. */
static bool irq_listen(struct amp_irq *irq)
{
	int r = amp_ipcc_link_wait_event(irq->link, -1);
	if (stopping(irq))
		return false;
	if (r < 0) {
		irq->err = r;
		return false;
	}
	dispatch(irq);
	uint32_t s = atomic_load(&irq->st);
	while ((s & ST_MAIN_WFI) &&
	       !atomic_compare_exchange_weak(&irq->st, &s, s & ~(uint32_t)ST_IRQ_OWNS))
		;
	atomic_fetch_add(&irq->taken, 1u);
	if (atomic_load(&irq->st) & ST_MAIN_WFI)
		futex_wake_all(&irq->taken);
	return true;
}

/* The main thread's WFI is past its deadline: end it (it blocks without a timeout). */
static void poke_if_due(struct amp_irq *irq)
{
	uint64_t d = atomic_load(&irq->wfi_deadline);
	if (d && (atomic_load(&irq->st) & ST_MAIN_WFI) && amp_now_ns() >= d &&
	    atomic_compare_exchange_strong(&irq->wfi_deadline, &d, 0))
		amp_ipcc_link_poke(irq->link);
}

/* Sleep on st while it is @s, at most until @limit_ns and the main thread's deadline. */
static void sleep_on_st(struct amp_irq *irq, uint32_t s, uint64_t limit_ns)
{
	uint64_t d = atomic_load(&irq->wfi_deadline);
	if (d && (s & ST_MAIN_WFI) && (!limit_ns || d < limit_ns))
		limit_ns = d;
	struct timespec ts = ns_to_ts(limit_ns);
	futex_wait_until(&irq->st, s, limit_ns ? &ts : NULL);
	poke_if_due(irq);
}

/*
 * Not owning the line: look every tick. A main thread that did not enter or leave WFI for
 * a whole tick is either busy (take the line, so handlers run) or idle in WFI (sleep until
 * it leaves or its WFI times out, so an idle firmware costs nothing).
 */
static void irq_look(struct amp_irq *irq, uint32_t *last_edges)
{
	sleep_on_st(irq, atomic_load(&irq->st), amp_now_ns() + AMP_IRQ_TICK_MS * 1000000u);
	uint32_t e = atomic_load(&irq->edges);
	if (e != *last_edges || stopping(irq)) {
		*last_edges = e;
		return;
	}
	uint32_t s = atomic_load(&irq->st);
	if (s & ST_MAIN_WFI) {
		if (atomic_compare_exchange_strong(&irq->st, &s, s | ST_PARKED))
			sleep_on_st(irq, s | ST_PARKED, 0);
		*last_edges = atomic_load(&irq->edges);
	} else {
		atomic_compare_exchange_strong(&irq->st, &s, s | ST_IRQ_OWNS);
	}
}

static void *irq_main(void *arg)
{
	struct amp_irq *irq = arg;
	uint32_t last_edges = atomic_load(&irq->edges);

	while (!stopping(irq)) {
		if (atomic_load(&irq->st) & ST_IRQ_OWNS) {
			if (!irq_listen(irq))
				break;
			last_edges = atomic_load(&irq->edges);
		} else {
			irq_look(irq, &last_edges);
		}
	}
	/* A main thread asleep on taken must not wait for a handler that will never run: after
	 * an error it listens itself from its next wait. */
	atomic_fetch_and(&irq->st, ~(uint32_t)ST_IRQ_OWNS);
	atomic_store(&irq->alive, false);
	atomic_fetch_add(&irq->taken, 1u);
	amp_ipcc_link_poke(irq->link); /* nor for a timer that is gone */
	futex_wake_all(&irq->taken);
	return NULL;
}

int amp_irq_start(struct amp_irq *irq, struct amp_ipcc_link *link)
{
	if (!irq || !link)
		return AMP_EINVAL;
	memset(irq, 0, sizeof(*irq));
	irq->link = link;
	atomic_store(&link->stop, false);
	/* The IRQ thread takes interrupts until the main thread first waits. */
	atomic_store(&irq->st, ST_IRQ_OWNS);
	atomic_store(&irq->alive, true);
	atomic_store(&irq->lock, 0u);
	/* pthreads return the errno value instead of setting errno. */
	int rc = pthread_create(&irq->tid, NULL, irq_main, irq);
	if (rc != 0)
		return amp_from_errno(rc);
	irq->running = true;
	return AMP_OK;
}

void amp_irq_stop(struct amp_irq *irq)
{
	if (!irq || !irq->running)
		return;
	atomic_fetch_or(&irq->st, ST_STOP);
	futex_wake_all(&irq->st);
	amp_ipcc_link_interrupt(irq->link);
	pthread_join(irq->tid, NULL);
	irq->running = false;
}

/* ---- the main thread's WFI -------------------------------------------------------------- */

/* The IRQ thread owns the line: sleep until it has dispatched past @seen. */
static int wait_taken(struct amp_irq *irq, uint32_t seen, int timeout_ms, uint64_t deadline)
{
	struct timespec ts = ns_to_ts(deadline);
	for (;;) {
		if (atomic_load(&irq->taken) != seen)
			return stopping(irq) ? 0 : 1;
		if (timeout_ms == 0 || (timeout_ms > 0 && amp_now_ns() >= deadline))
			return 0;
		futex_wait_until(&irq->taken, seen, timeout_ms < 0 ? NULL : &ts);
	}
}

/* We own the line while in WFI: wait on it and run the handlers here. Without a timeout
 * on the line itself while the IRQ thread runs: it pokes the line at @deadline. */
static int wait_line(struct amp_irq *irq, uint32_t seen, int timeout_ms, uint64_t deadline)
{
	if (atomic_load(&irq->taken) != seen)
		return 1;
	bool timer = timeout_ms > 0 && atomic_load(&irq->alive);
	for (;;) {
		int r = amp_ipcc_link_wait_event(irq->link, timer ? -1 : timeout_ms);
		if (r <= 0 || stopping(irq))
			return r < 0 ? r : 0;
		if (amp_ipcc_link_pending(irq->link))
			break;
		/* Poked: our deadline, or a stale poke meant for an earlier wait. */
		if (!timer || amp_now_ns() >= deadline)
			return 0;
	}
	if (disable_depth > 0)
		return 1; /* WFI with interrupts masked: pending, not taken */
	dispatch(irq);
	atomic_fetch_add_explicit(&irq->by_main, 1u, memory_order_relaxed);
	atomic_fetch_add(&irq->taken, 1u);
	return 1;
}

int amp_irq_wait(struct amp_irq *irq, uint32_t seen, int timeout_ms)
{
	if (!irq || !irq->running || in_handler)
		return AMP_EINVAL;
	uint64_t deadline = timeout_ms > 0 ? amp_deadline_ms(timeout_ms) : 0;
	atomic_store(&irq->wfi_deadline, deadline); /* before ST_MAIN_WFI: the timer reads it */
	atomic_fetch_add(&irq->edges, 1u);
	uint32_t old = atomic_fetch_or(&irq->st, ST_MAIN_WFI);
	int r = (old & ST_IRQ_OWNS) ? wait_taken(irq, seen, timeout_ms, deadline)
				    : wait_line(irq, seen, timeout_ms, deadline);
	atomic_store(&irq->wfi_deadline, 0);
	old = atomic_fetch_and(&irq->st, ~(uint32_t)(ST_MAIN_WFI | ST_PARKED));
	atomic_fetch_add(&irq->edges, 1u);
	if (old & ST_PARKED)
		futex_wake_all(&irq->st); /* busy again: the IRQ thread looks every tick */
	return r;
}

bool amp_irq_wait_for(struct amp_irq *irq, bool (*done)(void *arg), void *arg, uint64_t deadline)
{
	for (;;) {
		uint32_t seen = amp_irq_count(irq); /* before the test: no wake-up is missed */
		if (done(arg))
			return true;
		int ms = deadline == UINT64_MAX ? -1 : (int)amp_ms_left(deadline);
		if (ms == 0 || amp_irq_wait(irq, seen, ms) <= 0)
			return done(arg);
	}
}

uint32_t amp_irq_count(struct amp_irq *irq)
{
	return irq ? atomic_load(&irq->taken) : 0;
}

uint64_t amp_irq_main_dispatches(struct amp_irq *irq)
{
	return irq ? atomic_load(&irq->by_main) : 0;
}

/* ---- masking ------------------------------------------------------------------------------ */

void amp_irq_disable(struct amp_irq *irq)
{
	if (disable_depth++ == 0 && !in_handler)
		lock_irq(irq);
}

void amp_irq_enable(struct amp_irq *irq)
{
	if (disable_depth == 0)
		return; /* unbalanced: ignore rather than unlock a lock we do not hold */
	if (--disable_depth == 0 && !in_handler)
		unlock_irq(irq);
}

bool amp_irq_in_handler(void)
{
	return in_handler;
}
