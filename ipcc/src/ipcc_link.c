/*
 * IPCC eventfd transport; see amp/ipcc_link.h and docs/ipcc.md.
 */
#include <ampsim/ipcc_link.h>
#include <amp/error.h>
#include <ampsim/errno.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define RXO_LINE(p) AMP_IPCC_LINE_BIT(p, AMP_IPCC_LINE_RXO)
#define TXF_LINE(p) AMP_IPCC_LINE_BIT(p, AMP_IPCC_LINE_TXF)
#define DISPATCH_ROUNDS 64 /* bound on re-scans per dispatch, so a flood cannot livelock */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

uint64_t amp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t amp_deadline_ms(int64_t timeout_ms)
{
	return timeout_ms < 0 ? UINT64_MAX : amp_now_ns() + (uint64_t)timeout_ms * 1000000u;
}

uint32_t amp_ms_left(uint64_t deadline)
{
	uint64_t now = amp_now_ns();
	if (now >= deadline)
		return 0;
	uint64_t ms = (deadline - now + 999999u) / 1000000u;
	return ms > INT_MAX ? INT_MAX : (uint32_t)ms;
}

int amp_ipcc_efds_create(int efds[AMP_IPCC_LINK_NFDS])
{
	for (int i = 0; i < AMP_IPCC_LINK_NFDS; i++)
		efds[i] = -1;
	for (int i = 0; i < AMP_IPCC_LINK_NFDS; i++) {
		/* Blocking on purpose: O_NONBLOCK would be shared with the peer's descriptor. */
		efds[i] = eventfd(0, EFD_CLOEXEC);
		if (efds[i] < 0) {
			int e = errno;

			amp_ipcc_efds_close(efds);
			return amp_from_errno(e);
		}
	}
	return AMP_OK;
}

void amp_ipcc_efds_close(int efds[AMP_IPCC_LINK_NFDS])
{
	for (int i = 0; i < AMP_IPCC_LINK_NFDS; i++) {
		if (efds[i] >= 0)
			close(efds[i]);
		efds[i] = -1;
	}
}

bool amp_is_eventfd(int fd)
{
	char path[64], target[64];
	ssize_t n;

	if (fd < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

static int efd_signal(int fd)
{
	uint64_t one = 1;

	for (;;) {
		if (write(fd, &one, sizeof(one)) == (ssize_t)sizeof(one))
			return AMP_OK;
		if (errno != EINTR)
			return amp_from_errno(errno);
	}
}

/* Asleep word values: BLOCK keeps it 1 (always wake me), SPIN keeps it 0. */
static uint32_t idle_asleep(const struct amp_ipcc_link *l)
{
	return l->cfg.mode == AMP_IPCC_WAIT_BLOCK ? 1u : 0u;
}

int amp_ipcc_link_init(struct amp_ipcc_link *l, const struct amp_ipcc_link_cfg *cfg,
		       struct amp_ipcc_shared *sh, uint32_t nchan,
		       const int efds[AMP_IPCC_LINK_NFDS], _Atomic uint32_t *asleep)
{
	if (!l || !cfg || !sh || !efds || !asleep || cfg->proc >= AMP_IPCC_NPROC ||
	    cfg->mode > AMP_IPCC_WAIT_SPIN)
		return AMP_EINVAL;
	for (int i = 0; i < AMP_IPCC_LINK_NFDS; i++) {
		if (efds[i] < 0)
			return AMP_EINVAL;
	}
	memset(l, 0, sizeof(*l));
	if (amp_ipcc_init(&l->m, sh, nchan) != AMP_OK)
		return AMP_EINVAL;
	l->cfg = *cfg;
	if (!l->cfg.poll_ns)
		l->cfg.poll_ns = AMP_IPCC_POLL_NS_DEFAULT;
	if (!l->cfg.strict_timeout_ms)
		l->cfg.strict_timeout_ms = 500;
	l->proc = cfg->proc;
	l->peer = cfg->proc ^ 1u;
	memcpy(l->efd, efds, sizeof(l->efd));
	l->asleep = asleep;
	atomic_store(&l->asleep[l->proc], idle_asleep(l));
	/* All RX channels masked until a handler is set; TX-free masked (used by strict only). */
	l->xmr = 0xFFFFFFFFu;
	amp_ipcc_write(&l->m, AMP_IPCC_XMR(l->proc), l->xmr, NULL);
	amp_ipcc_set_bits(&l->m, AMP_IPCC_XCR(l->proc), AMP_IPCC_XCR_RXOIE, NULL);
	return AMP_OK;
}

int amp_ipcc_link_restore(struct amp_ipcc_link *l, const int efds[AMP_IPCC_LINK_NFDS])
{
	if (!l || !l->m.sh)
		return AMP_EINVAL;
	for (int i = 0; efds && i < AMP_IPCC_LINK_NFDS; i++) {
		if (efds[i] < 0)
			return AMP_EINVAL;
	}
	if (efds)
		memcpy(l->efd, efds, sizeof(l->efd));
	/* From our private copy only: the registers may hold anything the peer wrote. */
	atomic_store(&l->asleep[l->proc], idle_asleep(l));
	amp_ipcc_write(&l->m, AMP_IPCC_XMR(l->proc), l->xmr, NULL);
	amp_ipcc_write(&l->m, AMP_IPCC_XCR(l->proc), AMP_IPCC_XCR_RXOIE, NULL);
	return AMP_OK;
}

void amp_ipcc_link_deinit(struct amp_ipcc_link *l)
{
	if (!l || !l->m.sh)
		return;
	amp_ipcc_write(&l->m, AMP_IPCC_XMR(l->proc), 0xFFFFFFFFu, NULL);
	amp_ipcc_write(&l->m, AMP_IPCC_XCR(l->proc), 0, NULL);
	/* Leave "asleep" set: a peer that still kicks then writes an fd nobody reads, which
	 * is harmless, instead of spinning on a dead side's word. */
	atomic_store(&l->asleep[l->proc], 1u);
	l->m.sh = NULL;
}

/* Our own count (process memory); the shared counters are the model's, writable by the peer. */
static void count(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* Signal the lines this access raised, to whichever processor owns them. */
static int signal_raised(struct amp_ipcc_link *l, uint32_t raised, uint32_t ch)
{
	struct amp_ipcc_chan_stats *st = &l->m.sh->stats[l->proc][ch];
	int ret = AMP_OK;

	if (raised & RXO_LINE(l->peer)) {
		/* Pairs with the receiver's store of asleep then load of the flags. */
		if (atomic_load(&l->asleep[l->peer])) {
			ret = efd_signal(l->efd[AMP_IPCC_LINK_EFD(l->peer, AMP_IPCC_LINE_RXO)]);
			atomic_fetch_add_explicit(&st->efd_writes, 1, memory_order_relaxed);
			count(&l->chan[ch].efd_writes);
			count(&l->peer_wakes);
		} else {
			atomic_fetch_add_explicit(&st->efd_avoided, 1, memory_order_relaxed);
			count(&l->chan[ch].efd_avoided);
		}
	}
	/* TX-free edges are rare (only strict waiters unmask them): always signalled. */
	if (raised & TXF_LINE(l->peer))
		ret = efd_signal(l->efd[AMP_IPCC_LINK_EFD(l->peer, AMP_IPCC_LINE_TXF)]);
	if (raised & RXO_LINE(l->proc)) { /* an unmask on our side: the peer's kick lands now */
		ret = efd_signal(l->efd[AMP_IPCC_LINK_EFD(l->proc, AMP_IPCC_LINE_RXO)]);
		atomic_fetch_add_explicit(&l->m.sh->stats[l->peer][ch].efd_writes, 1,
					  memory_order_relaxed);
	}
	return ret;
}

int amp_ipcc_link_set_handler(struct amp_ipcc_link *l, uint32_t ch, amp_ipcc_rx_fn fn, void *arg)
{
	if (!l || !l->m.sh || ch >= l->m.nchan)
		return AMP_EINVAL;
	l->rx[ch].fn = fn;
	l->rx[ch].arg = arg;
	return amp_ipcc_link_mask(l, ch, fn == NULL);
}

int amp_ipcc_link_mask(struct amp_ipcc_link *l, uint32_t ch, bool masked)
{
	uint32_t raised = 0;

	if (!l || !l->m.sh || ch >= l->m.nchan)
		return AMP_EINVAL;
	if (masked) {
		l->xmr |= AMP_IPCC_CHNOM(ch);
		amp_ipcc_set_bits(&l->m, AMP_IPCC_XMR(l->proc), AMP_IPCC_CHNOM(ch), NULL);
		return AMP_OK;
	}
	l->xmr &= ~AMP_IPCC_CHNOM(ch);
	amp_ipcc_clr_bits(&l->m, AMP_IPCC_XMR(l->proc), AMP_IPCC_CHNOM(ch), &raised);
	return signal_raised(l, raised & RXO_LINE(l->proc), ch);
}

/* Milliseconds to @deadline for poll(), rounded up; 0 once it has passed. */
static bool chan_free(struct amp_ipcc_link *l, uint32_t ch)
{
	return amp_ipcc_tx_free(&l->m, l->proc) & (1u << ch);
}

/* Poll for a free channel until @until (SPIN: until @deadline). 1 = go and sleep. */
static int spin_tx_free(struct amp_ipcc_link *l, uint32_t ch, uint64_t until, uint64_t deadline)
{
	while (l->cfg.mode == AMP_IPCC_WAIT_SPIN || amp_now_ns() < until) {
		if (chan_free(l, ch))
			return AMP_OK;
		if (amp_now_ns() >= deadline)
			return AMP_ETIMEDOUT;
		cpu_relax();
	}
	return 1;
}

/* Sleep on the TX-free line, unmasked for this channel only (Linux's txdone_irq). */
static int sleep_tx_free(struct amp_ipcc_link *l, uint32_t ch, uint64_t deadline)
{
	const int txf = l->efd[AMP_IPCC_LINK_EFD(l->proc, AMP_IPCC_LINE_TXF)];
	int ret = AMP_OK;

	amp_ipcc_set_bits(&l->m, AMP_IPCC_XCR(l->proc), AMP_IPCC_XCR_TXFIE, NULL);
	amp_ipcc_clr_bits(&l->m, AMP_IPCC_XMR(l->proc), AMP_IPCC_CHNFM(ch), NULL);
	while (!chan_free(l, ch)) {
		struct pollfd pfd = {.fd = txf, .events = POLLIN};
		int left = (int)amp_ms_left(deadline), r;
		uint64_t junk;

		if (left == 0) {
			ret = AMP_ETIMEDOUT;
			break;
		}
		r = poll(&pfd, 1, left);
		if ((r < 0 && errno != EINTR) ||
		    (r > 0 && read(txf, &junk, sizeof(junk)) < 0 && errno != EINTR)) {
			ret = amp_from_errno(errno);
			break;
		}
	}
	amp_ipcc_set_bits(&l->m, AMP_IPCC_XMR(l->proc), AMP_IPCC_CHNFM(ch), NULL);
	return ret;
}

/* Strict mode: wait until our flag on @ch is clear, as ST's MAILBOX_Notify does. */
static int wait_tx_free(struct amp_ipcc_link *l, uint32_t ch)
{
	uint64_t start = amp_now_ns();
	uint64_t deadline = start + (uint64_t)l->cfg.strict_timeout_ms * 1000000u;
	int ret = 1;

	if (chan_free(l, ch))
		return AMP_OK;
	atomic_fetch_add_explicit(&l->m.sh->stats[l->proc][ch].tx_waits, 1, memory_order_relaxed);
	count(&l->chan[ch].tx_waits);
	if (l->cfg.mode != AMP_IPCC_WAIT_BLOCK)
		ret = spin_tx_free(l, ch, start + l->cfg.poll_ns, deadline);
	if (ret == 1)
		ret = sleep_tx_free(l, ch, deadline);
	if (ret == AMP_ETIMEDOUT)
		l->stats.tx_timeouts++;
	return ret;
}

int amp_ipcc_link_kick(struct amp_ipcc_link *l, uint32_t ch)
{
	uint32_t raised = 0;
	int sent, ret;

	if (!l || !l->m.sh || ch >= l->m.nchan)
		return AMP_EINVAL;
	if (l->cfg.strict) {
		ret = wait_tx_free(l, ch);
		if (ret)
			return ret;
	}
	sent = amp_ipcc_send(&l->m, l->proc, ch, &raised);
	if (sent < 0)
		return sent;
	count(&l->chan[ch].kicks);
	count(&l->kicks);
	if (sent == 0)
		count(&l->chan[ch].coalesced);
	else if (raised & RXO_LINE(l->peer))
		count(&l->chan[ch].irq_raised);
	ret = signal_raised(l, raised, ch);
	return ret ? ret : sent;
}

static uint32_t pending(struct amp_ipcc_link *l)
{
	return amp_ipcc_rx_pending(&l->m, l->proc);
}

/* Consume the eventfd's count after poll() said it is readable. */
static int drain(struct amp_ipcc_link *l, int fd)
{
	uint64_t cnt;
	ssize_t n = read(fd, &cnt, sizeof(cnt));

	if (n == (ssize_t)sizeof(cnt)) {
		l->stats.wakeups++;
		return AMP_OK;
	}
	if (n >= 0)
		return AMP_EIO; /* an eventfd reads 8 bytes or fails */
	return errno == EINTR || errno == EAGAIN ? AMP_OK : amp_from_errno(errno);
}

/* Sleep on our RX eventfd: read() directly when waiting forever (one syscall). */
static int sleep_efd(struct amp_ipcc_link *l, int timeout_ms)
{
	const int fd = l->efd[AMP_IPCC_LINK_EFD(l->proc, AMP_IPCC_LINE_RXO)];
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int r;

	l->stats.sleeps++;
	if (timeout_ms >= 0) {
		r = poll(&pfd, 1, timeout_ms);
		if (r < 0)
			return errno == EINTR ? 1 : amp_from_errno(errno);
		if (r == 0)
			return 0;
	}
	r = drain(l, fd);
	return r == AMP_OK ? 1 : r;
}

static bool woken(struct amp_ipcc_link *l)
{
	return pending(l) || atomic_load_explicit(&l->stop, memory_order_relaxed) ||
	       (atomic_load_explicit(&l->poked, memory_order_relaxed) &&
		atomic_exchange(&l->poked, false));
}

/* SPIN: poll the registers until something is pending or the deadline passes. */
static int wait_spin(struct amp_ipcc_link *l, int timeout_ms, uint64_t deadline)
{
	for (unsigned i = 0;; i++) {
		if (woken(l))
			return 1;
		if (timeout_ms > 0 && (i & 255u) == 0 && amp_now_ns() >= deadline)
			return 0;
		cpu_relax();
	}
}

/*
 * ADAPTIVE: poll the registers, but only while the peer runs on another CPU (it says it is
 * awake, or has not taken a kick of ours yet), for 4 times what the polls that paid off took
 * (at least ADAPTIVE_MIN_NS, at most poll_ns; all of poll_ns after a kick of ours that woke
 * the peer, whose answer waits for that wake-up), and never across a preemption (the CPUs
 * are busy: blocking costs the others less, so do not poll for the next ADAPTIVE_BACKOFF
 * waits). Then publish "asleep" and sleep on the eventfd. The CPU is yielded only once an
 * answer is late (twice the usual): the peer's thread may be waiting for this CPU.
 */
#define ADAPTIVE_PREEMPT_NS 50000u /* a gap this long between two looks: preempted */
#define ADAPTIVE_MIN_NS 5000u
#define ADAPTIVE_BACKOFF 256u

static uint64_t adaptive_budget(const struct amp_ipcc_link *l, bool woke)
{
	uint64_t b = l->ad.avg_ns && !woke ? 4 * l->ad.avg_ns : l->cfg.poll_ns;

	b = b < ADAPTIVE_MIN_NS ? ADAPTIVE_MIN_NS : b;
	return b > l->cfg.poll_ns ? l->cfg.poll_ns : b;
}

/* The peer runs, or is about to: it says it is awake, or has not taken a kick of ours. */
static bool peer_running(struct amp_ipcc_link *l)
{
	return amp_ipcc_link_peer_awake(l) || amp_ipcc_link_tx_busy(l);
}

/* A poll that found nothing: give polling up for 1, 2, 4 ... ADAPTIVE_BACKOFF waits. */
static bool poll_missed(struct amp_ipcc_link *l)
{
	l->ad.backoff = l->ad.misses;
	l->ad.misses = l->ad.misses ? 2 * l->ad.misses : 1;
	if (l->ad.misses > ADAPTIVE_BACKOFF)
		l->ad.misses = ADAPTIVE_BACKOFF;
	return false;
}

/* Poll for up to @p budget ns; @p adaptive: with the rules above. @p woke: our last kick
 * woke the peer, so its answer waits for a wake-up too. */
static bool poll_regs(struct amp_ipcc_link *l, uint64_t budget, bool adaptive, bool woke)
{
	uint64_t t0 = amp_now_ns(), last = t0;

	l->stats.polls++;
	if (adaptive) /* awake: kicks while we poll need no eventfd write */
		atomic_store(&l->asleep[l->proc], 0u);
	for (unsigned i = 1;; i++) {
		if (woken(l)) {
			l->stats.poll_hits++;
			if (adaptive && !woke)
				l->ad.avg_ns = (l->ad.avg_ns * 7 + (amp_now_ns() - t0)) / 8;
			l->ad.misses = 0;
			return true;
		}
		if ((i & 63u) != 0) {
			cpu_relax();
			continue;
		}
		uint64_t t = amp_now_ns();
		if (adaptive && t - last > ADAPTIVE_PREEMPT_NS) {
			l->stats.preempted++;
			l->ad.backoff = ADAPTIVE_BACKOFF;
			return false;
		}
		if (t - t0 >= budget)
			return adaptive ? poll_missed(l) : false;
		if (adaptive && (!peer_running(l) || amp_ipcc_link_peer_on_my_cpu(l)))
			return false; /* it sleeps, or waits for our CPU: no sign polling fails */
		if (adaptive && t - t0 > 2 * l->ad.avg_ns)
			sched_yield();
		last = amp_now_ns();
	}
}

bool amp_ipcc_link_poll(struct amp_ipcc_link *l, uint64_t spin_ns)
{
	if (!l || !l->m.sh)
		return false;
	if (woken(l))
		return true;
	if (l->cfg.mode == AMP_IPCC_WAIT_SPIN)
		return poll_regs(l, spin_ns, false, false);
	if (l->cfg.mode != AMP_IPCC_WAIT_ADAPTIVE)
		return false;
	/* Worth polling if the peer says it is awake, or if we kicked it since the last wait
	 * and it has not taken the kick yet (a channel left occupied for long is no sign). */
	uint64_t kicks = amp_ipcc_link_kicks(l), wakes = amp_ipcc_link_peer_wakes(l);
	bool kicked = kicks != l->ad.kicks && amp_ipcc_link_tx_busy(l), woke = wakes != l->ad.wakes;

	l->ad.kicks = kicks;
	l->ad.wakes = wakes;
	amp_ipcc_link_publish_cpu(l);
	if (l->ad.backoff > 0) {
		l->ad.backoff--;
		return false;
	}
	if (!kicked && !amp_ipcc_link_peer_awake(l))
		return false;
	if (amp_ipcc_link_peer_on_my_cpu(l)) {
		l->stats.same_cpu++; /* it needs this CPU to answer: sleep and let it run */
		return false;
	}
	return poll_regs(l, adaptive_budget(l, woke), true, woke);
}

static int wait_adaptive(struct amp_ipcc_link *l, int timeout_ms, uint64_t deadline)
{
	int r;

	if (amp_ipcc_link_poll(l, 0))
		return 1;
	/* Publish that we sleep, then look again: a sender that set its flag before our
	 * store is seen here; one after it sees asleep and writes the eventfd. */
	atomic_store(&l->asleep[l->proc], 1u);
	if (woken(l)) {
		atomic_store(&l->asleep[l->proc], 0u);
		return 1;
	}
	r = sleep_efd(l, timeout_ms < 0 ? -1 : (int)amp_ms_left(deadline));
	atomic_store(&l->asleep[l->proc], 0u);
	return r;
}

/* BLOCK: asleep stays 1, so every raise writes the eventfd; sleep on it. */
static int wait_block(struct amp_ipcc_link *l, int timeout_ms, uint64_t deadline)
{
	int left = timeout_ms < 0 ? -1 : (int)amp_ms_left(deadline);

	return left == 0 ? 0 : sleep_efd(l, left);
}

int amp_ipcc_link_wait_event(struct amp_ipcc_link *l, int timeout_ms)
{
	uint64_t deadline = 0;
	int r;

	if (!l || !l->m.sh)
		return AMP_EINVAL;
	if (timeout_ms >= 0)
		deadline = amp_now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		if (woken(l))
			return 1;
		if (timeout_ms == 0)
			return 0;
		if (l->cfg.mode == AMP_IPCC_WAIT_SPIN)
			return wait_spin(l, timeout_ms, deadline);
		if (l->cfg.mode == AMP_IPCC_WAIT_ADAPTIVE)
			r = wait_adaptive(l, timeout_ms, deadline);
		else
			r = wait_block(l, timeout_ms, deadline);
		if (r <= 0)
			return r;
		if (woken(l))
			return 1;
		/* Woken with nothing pending: a stale count from an earlier kick. Wait again. */
		l->stats.spurious++;
		if (timeout_ms > 0 && amp_now_ns() >= deadline)
			return 0;
	}
}

int amp_ipcc_link_dispatch(struct amp_ipcc_link *l)
{
	int calls = 0;

	if (!l || !l->m.sh)
		return 0;
	amp_ipcc_link_publish_cpu(l);
	for (int round = 0; round < DISPATCH_ROUNDS; round++) {
		uint32_t p = pending(l);

		if (!p)
			break;
		while (p) {
			uint32_t ch = (uint32_t)__builtin_ctz(p), raised = 0;

			p &= p - 1u;
			/* Ack before the handler scans: a kick after this point raises again. */
			amp_ipcc_ack(&l->m, l->proc, ch, &raised);
			count(&l->chan[ch].handled);
			if (raised & TXF_LINE(l->peer))
				efd_signal(l->efd[AMP_IPCC_LINK_EFD(l->peer, AMP_IPCC_LINE_TXF)]);
			if (l->rx[ch].fn) {
				l->rx[ch].fn(l->rx[ch].arg, ch);
				calls++;
			} else {
				l->stats.unhandled++;
			}
		}
	}
	return calls;
}

int amp_ipcc_link_fd(const struct amp_ipcc_link *l)
{
	return l ? l->efd[AMP_IPCC_LINK_EFD(l->proc, AMP_IPCC_LINE_RXO)] : -1;
}

/* Dispatch after a wake-up; one that found nothing pending was spurious. */
static int dispatch_counted(struct amp_ipcc_link *l)
{
	int calls = amp_ipcc_link_dispatch(l);

	if (calls == 0)
		l->stats.spurious++;
	return calls;
}

int amp_ipcc_link_handle_fd(struct amp_ipcc_link *l)
{
	struct pollfd pfd;
	int r;

	if (!l || !l->m.sh)
		return AMP_EINVAL;
	pfd.fd = amp_ipcc_link_fd(l);
	pfd.events = POLLIN;
	/* Drain only if readable: the fd is blocking (its flags are shared with the peer). */
	if (poll(&pfd, 1, 0) > 0 && (r = drain(l, pfd.fd)) != AMP_OK)
		return r;
	return dispatch_counted(l);
}

int amp_ipcc_link_handle_readable(struct amp_ipcc_link *l)
{
	int r;

	if (!l || !l->m.sh)
		return AMP_EINVAL;
	if ((r = drain(l, amp_ipcc_link_fd(l))) != AMP_OK)
		return r;
	return dispatch_counted(l);
}

void amp_ipcc_link_interrupt(struct amp_ipcc_link *l)
{
	if (!l)
		return;
	atomic_store(&l->stop, true);
	efd_signal(l->efd[AMP_IPCC_LINK_EFD(l->proc, AMP_IPCC_LINE_RXO)]);
}

void amp_ipcc_link_poke(struct amp_ipcc_link *l)
{
	if (!l)
		return;
	atomic_store(&l->poked, true);
	efd_signal(l->efd[AMP_IPCC_LINK_EFD(l->proc, AMP_IPCC_LINE_RXO)]);
}

void amp_ipcc_link_set_cpu_words(struct amp_ipcc_link *l, _Atomic uint32_t *on_cpu)
{
	if (!l)
		return;
	l->on_cpu = on_cpu;
	amp_ipcc_link_publish_cpu(l);
}

void amp_ipcc_link_publish_cpu(struct amp_ipcc_link *l)
{
	if (!l || !l->on_cpu)
		return;
	int cpu = sched_getcpu(); /* glibc reads it from rseq: no system call */
	uint32_t v = cpu >= 0 ? (uint32_t)cpu + 1u : 0u;
	if (atomic_load_explicit(&l->on_cpu[l->proc], memory_order_relaxed) != v)
		atomic_store_explicit(&l->on_cpu[l->proc], v, memory_order_relaxed);
}

bool amp_ipcc_link_peer_on_my_cpu(const struct amp_ipcc_link *l)
{
	if (!l || !l->on_cpu)
		return false;
	uint32_t peer = atomic_load_explicit(&l->on_cpu[l->peer], memory_order_relaxed);
	int cpu = sched_getcpu();
	return peer != 0 && cpu >= 0 && peer == (uint32_t)cpu + 1u;
}

bool amp_ipcc_link_pending(struct amp_ipcc_link *l)
{
	return l && l->m.sh && pending(l) != 0;
}

void amp_ipcc_link_set_asleep(struct amp_ipcc_link *l, bool asleep)
{
	if (l && l->asleep)
		atomic_store(&l->asleep[l->proc], asleep ? 1u : 0u);
}

bool amp_ipcc_link_peer_awake(const struct amp_ipcc_link *l)
{
	return l && l->asleep && atomic_load(&l->asleep[l->peer]) == 0;
}

uint32_t amp_ipcc_link_tx_busy(struct amp_ipcc_link *l)
{
	if (!l || !l->m.sh)
		return 0;
	return ~amp_ipcc_tx_free(&l->m, l->proc) & l->m.chan_mask;
}

uint64_t amp_ipcc_link_peer_wakes(const struct amp_ipcc_link *l)
{
	return l ? atomic_load_explicit(&l->peer_wakes, memory_order_relaxed) : 0;
}

uint64_t amp_ipcc_link_kicks(const struct amp_ipcc_link *l)
{
	return l ? atomic_load(&l->kicks) : 0;
}
