/* The fault rules the simulator port applies itself; see fwfaults.h and docs/faults.md. */
#define _GNU_SOURCE /* memmem */
#include "fwfaults.h"

#include "evtrace.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <amp/error.h>
#include <amp/stm32mp1.h>
#include <amp/vring_layout.h>
#include <ampsim/fwenv.h>

enum fwf_kind {
	FWF_IRQ_DELAY,
	FWF_IRQ_SPURIOUS,
	FWF_USED_ID,
	FWF_USED_LEN,
	FWF_USED_IDX_JUMP,
	FWF_NOTIFY_NO_PUBLISH,
	FWF_EXIT,
};

static const char *const kind_names[] = {
    [FWF_IRQ_DELAY] = "irq-delay",
    [FWF_IRQ_SPURIOUS] = "irq-spurious",
    [FWF_USED_ID] = "used-id",
    [FWF_USED_LEN] = "used-len",
    [FWF_USED_IDX_JUMP] = "used-idx-jump",
    [FWF_NOTIFY_NO_PUBLISH] = "notify-no-publish",
    [FWF_EXIT] = "exit",
};

struct fwf_rule {
	uint32_t id;
	enum fwf_kind kind;
	uint32_t chan, ms_min, ms_max, by, at_ms;
	uint32_t vring; /* ring:fw: 0 (the default) or 1 (vring=1) */
	bool has_at_ms;
	bool sent; /* exit: on the messages the firmware sends, not those it receives */
	int code;
	double p;
	uint64_t after, count, rng, seen, fired;
	char match[128];
	struct amp_soc_fw_fault *slot; /* where the host reads the counts */
};

static struct {
	struct fwf_port port;
	struct fwf_rule rules[AMP_SOC_FW_FAULTS];
	unsigned n;
	pthread_mutex_t mu;   /* rules are seen from the IRQ thread and the main thread */
	atomic_uint spurious; /* bit n: an irq spurious rule fired on channel n */
	struct amp_rpmsg_vdev_params vr;
	bool have_vr;
	uint16_t used0_seen; /* vring0's used index at the last message the firmware sent */
	bool ring1;	     /* a ring:fw:vring1 rule: fwf_after_op() watches vring1 */
	uint16_t used1_seen; /* vring1's used entries already seen by those rules */
} F = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* ---- the same PRNG and draws as the host's engine (sim/src/faults/faults.c) -------------- */

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool draw_p(struct fwf_rule *r)
{
	if (r->p >= 1.0)
		return true;
	return (double)(splitmix64(&r->rng) >> 11) * 0x1.0p-53 < r->p;
}

/* An event the rule watches: counted; true when the rule fires on it. Under F.mu. */
static bool hit(struct fwf_rule *r)
{
	r->seen++;
	atomic_fetch_add(&r->slot->seen, 1);
	if (r->seen <= r->after || (r->count && r->fired >= r->count) || !draw_p(r))
		return false;
	r->fired++;
	atomic_fetch_add(&r->slot->fired, 1);
	fw_evtrace_port(AMP_TRACE_FAULT, r->id);
	return true;
}

static void report(const struct fwf_rule *r, const char *what)
{
	char line[256];
	snprintf(line, sizeof(line), "fault rule %u (%s): %s\n", r->id, kind_names[r->kind], what);
	fprintf(stderr, "firmware: %s", line);
	if (F.port.trace)
		F.port.trace(line);
}

/* ---- AMPSIM_FAULTS ------------------------------------------------------------------------- */

static bool num(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	if (*v < '0' || *v > '9')
		return false;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || *end || n > max)
		return false;
	*out = n;
	return true;
}

static bool set_kind(struct fwf_rule *r, const char *v)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (!strcmp(v, kind_names[i])) {
			r->kind = (enum fwf_kind)i;
			return true;
		}
	return false;
}

static bool set_ms(struct fwf_rule *r, char *v)
{
	uint64_t a, b;
	char *dots = strstr(v, "..");
	if (!dots)
		return false;
	*dots = '\0';
	if (!num(v, 60000, &a) || !num(dots + 2, 60000, &b) || b < a)
		return false;
	r->ms_min = (uint32_t)a;
	r->ms_max = (uint32_t)b;
	return true;
}

/* One key=value of the canonical form (docs/firmware-abi.md). */
static bool set_field(struct fwf_rule *r, const char *k, char *v)
{
	uint64_t n;
	char *end;
	if (!strcmp(k, "kind"))
		return set_kind(r, v);
	if (!strcmp(k, "ms"))
		return set_ms(r, v);
	if (!strcmp(k, "p")) {
		r->p = strtod(v, &end);
		return *end == '\0' && r->p > 0.0 && r->p <= 1.0;
	}
	if (!strcmp(k, "match"))
		return *v && strlen(v) < sizeof(r->match) && strcpy(r->match, v);
	if (!strcmp(k, "after"))
		return num(v, UINT64_MAX, &r->after);
	if (!strcmp(k, "count"))
		return num(v, UINT64_MAX, &r->count);
	if (!strcmp(k, "seen"))
		return num(v, UINT64_MAX, &r->seen);
	if (!strcmp(k, "fired"))
		return num(v, UINT64_MAX, &r->fired);
	bool ok = num(v, UINT32_MAX, &n);
	if (!strcmp(k, "id"))
		return ok && n > 0 && ((r->id = (uint32_t)n), true);
	if (!strcmp(k, "chan"))
		return ok && n <= 2 && ((r->chan = (uint32_t)n), true);
	if (!strcmp(k, "code"))
		return ok && n <= 255 && ((r->code = (int)n), true);
	if (!strcmp(k, "by"))
		return ok && n <= 32768 && ((r->by = (uint32_t)n), true);
	if (!strcmp(k, "at-ms"))
		return ok && ((r->at_ms = (uint32_t)n), (r->has_at_ms = true), true);
	if (!strcmp(k, "sent"))
		return ok && n <= 1 && ((r->sent = n == 1), true);
	if (!strcmp(k, "vring"))
		return ok && n <= 1 && ((r->vring = (uint32_t)n), true);
	return false;
}

static bool parse_rule(struct fwf_rule *r, char *text, uint64_t seed, char *why, size_t len)
{
	char *save = NULL;
	memset(r, 0, sizeof(*r));
	r->p = 1.0;
	r->kind = (enum fwf_kind) - 1;
	for (char *t = strtok_r(text, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(t, '=');
		if (eq)
			*eq = '\0';
		if (!eq || !set_field(r, t, eq + 1)) {
			snprintf(why, len, "%s: bad field '%s'", AMP_FWENV_FAULTS, t);
			return false;
		}
	}
	if (!r->id || r->kind == (enum fwf_kind) - 1) {
		snprintf(why, len, "%s: a rule needs id= and kind=", AMP_FWENV_FAULTS);
		return false;
	}
	if (r->vring && (r->kind < FWF_USED_ID || r->kind > FWF_USED_IDX_JUMP)) {
		snprintf(why, len, "%s: vring=1 on a %s rule", AMP_FWENV_FAULTS,
			 kind_names[r->kind]);
		return false;
	}
	/* As the host's engine, moved on by the events earlier boots saw: deterministic. */
	r->rng =
	    (seed ^ ((uint64_t)r->id * 0xd1b54a32d192ed03ull)) + r->seen * 0x9e3779b97f4a7c15ull;
	return true;
}

static bool parse_all(char *spec, uint64_t seed, char *why, size_t len)
{
	char *save = NULL;
	for (char *t = strtok_r(spec, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		if (strspn(t, " \t") == strlen(t))
			continue;
		if (F.n == AMP_SOC_FW_FAULTS) {
			snprintf(why, len, "%s: more than %u rules", AMP_FWENV_FAULTS,
				 AMP_SOC_FW_FAULTS);
			return false;
		}
		if (!parse_rule(&F.rules[F.n], t, seed, why, len))
			return false;
		F.ring1 |= F.rules[F.n].vring == 1;
		F.n++;
	}
	return true;
}

bool fwf_init(const struct fwf_port *port, char *why, size_t why_len)
{
	const char *spec = getenv(AMP_FWENV_FAULTS);
	const char *seed_text = getenv(AMP_FWENV_FAULT_SEED);
	uint64_t seed = 0;
	F.port = *port;
	if (!spec)
		return true;
	if (seed_text && !num(seed_text, UINT64_MAX, &seed)) {
		snprintf(why, why_len, "%s=%s: not a number", AMP_FWENV_FAULT_SEED, seed_text);
		return false;
	}
	char *copy = strdup(spec);
	bool ok = copy && parse_all(copy, seed, why, why_len);
	free(copy);
	if (!ok)
		return false;
	/* Slot i is rule i's: the host finds a rule's counts by its id. */
	struct amp_soc_fw_fault *t = port->soc->hdr->fw_faults;
	for (unsigned i = 0; i < F.n; i++) {
		F.rules[i].slot = &t[i];
		atomic_store(&t[i].id, F.rules[i].id);
	}
	return true;
}

bool fwf_watch_messages(void)
{
	for (unsigned i = 0; i < F.n; i++)
		if (F.rules[i].kind == FWF_EXIT && !F.rules[i].has_at_ms)
			return true;
	return false;
}

void fwf_set_vrings(const struct amp_rpmsg_vdev_params *p)
{
	F.vr = *p;
	F.have_vr = true;
}

/* ---- fw exit --------------------------------------------------------------------------------- */

static _Noreturn void do_exit(const struct fwf_rule *r, const char *on)
{
	char what[200];
	snprintf(what, sizeof(what), "exit(%d) %s", r->code, on);
	report(r, what);
	fflush(NULL);
	_exit(r->code); /* as a crash: no atexit handlers, no clean shutdown */
}

static void *at_ms_main(void *arg)
{
	struct fwf_rule *r = arg;
	struct timespec d = {.tv_sec = r->at_ms / 1000,
			     .tv_nsec = (long)(r->at_ms % 1000) * 1000000L};
	while (nanosleep(&d, &d) != 0 && errno == EINTR)
		;
	pthread_mutex_lock(&F.mu);
	bool fire = hit(r);
	pthread_mutex_unlock(&F.mu);
	if (fire) {
		char on[48];
		snprintf(on, sizeof(on), "at %u ms", r->at_ms);
		do_exit(r, on);
	}
	return NULL;
}

void fwf_start(void)
{
	for (unsigned i = 0; i < F.n; i++) {
		pthread_t t;
		if (F.rules[i].kind == FWF_EXIT && F.rules[i].has_at_ms &&
		    pthread_create(&t, NULL, at_ms_main, &F.rules[i]) == 0)
			pthread_detach(t);
	}
}

/* True when @p ptr is the start of a buffer of vring @p n (1: from Linux, 0: to Linux). */
static bool is_buffer_of(unsigned n, const void *ptr)
{
	if (!F.have_vr)
		return false;
	const struct amp_vring_info *v = &F.vr.vring[n];
	volatile struct amp_vring_desc *d =
	    amp_soc_da_to_va(F.port.soc, v->da, (size_t)16 * v->num);
	for (uint32_t i = 0; d && i < v->num; i++)
		if (amp_soc_da_to_va(F.port.soc, d[i].addr, 16) == ptr)
			return true;
	return false;
}

static volatile struct amp_vring_used *used0(void);

/*
 * Is this ownership change a message the firmware sent? A vring0 buffer leaves the firmware
 * when it is published (sent) and when an unsent one goes back to the core; only a send
 * moves the used index, which only the firmware writes.
 */
static bool is_sent(const void *ptr, bool ours)
{
	if (ours || !is_buffer_of(0, ptr))
		return false;
	uint16_t idx = __atomic_load_n(&used0()->idx, __ATOMIC_ACQUIRE);
	bool moved = idx != F.used0_seen;
	F.used0_seen = idx;
	return moved;
}

void fwf_buf_owner(void *ptr, uint32_t len, bool ours)
{
	/* A message is handed over as its header and payload: 16 + payload bytes (the header's
	 * len, which the firmware itself just wrote, when it sends). */
	if (len < 16 || !fwf_watch_messages()) /* the hook may be the sanitizer's alone */
		return;
	pthread_mutex_lock(&F.mu);
	bool sent = is_sent(ptr, ours);
	if (!sent && (!ours || !is_buffer_of(1, ptr))) {
		pthread_mutex_unlock(&F.mu);
		return;
	}
	const uint8_t *payload = (const uint8_t *)ptr + 16;
	size_t plen = len - 16u;
	if (sent) { /* the header the firmware itself just wrote (little-endian, as the host) */
		uint32_t dst;
		uint16_t hlen;
		memcpy(&dst, (const uint8_t *)ptr + 4, sizeof(dst));
		memcpy(&hlen, (const uint8_t *)ptr + 12, sizeof(hlen));
		plen = hlen < plen ? hlen : plen;
		if (dst == AMP_RPMSG_NS_ADDR) { /* announcements are not the application's */
			pthread_mutex_unlock(&F.mu);
			return;
		}
	}
	for (unsigned i = 0; i < F.n; i++) {
		struct fwf_rule *r = &F.rules[i];
		if (r->kind != FWF_EXIT || r->has_at_ms || r->sent != sent)
			continue;
		if (r->match[0] && !memmem(payload, plen, r->match, strlen(r->match)))
			continue;
		if (hit(r)) {
			char on[64];
			snprintf(on, sizeof(on), "on message #%llu %s Linux (%zu bytes)",
				 (unsigned long long)r->seen, sent ? "to" : "from", plen);
			do_exit(r, on); /* the lock dies with the process */
		}
	}
	pthread_mutex_unlock(&F.mu);
}

/* ---- irq ------------------------------------------------------------------------------------- */

static uint32_t draw_ms(struct fwf_rule *r)
{
	uint32_t span = r->ms_max - r->ms_min;
	return r->ms_min + (span ? (uint32_t)(splitmix64(&r->rng) % (span + 1u)) : 0u);
}

void fwf_irq(uint32_t ch)
{
	uint32_t delay = 0;
	if (!F.n)
		return;
	pthread_mutex_lock(&F.mu);
	for (unsigned i = 0; i < F.n; i++) {
		struct fwf_rule *r = &F.rules[i];
		if ((r->kind != FWF_IRQ_DELAY && r->kind != FWF_IRQ_SPURIOUS) || r->chan != ch ||
		    !hit(r))
			continue;
		char what[64];
		if (r->kind == FWF_IRQ_DELAY) {
			delay = draw_ms(r);
			snprintf(what, sizeof(what), "irq #%llu ch%u handled %u ms late",
				 (unsigned long long)r->seen, ch, delay);
		} else {
			atomic_fetch_or(&F.spurious, 1u << ch);
			snprintf(what, sizeof(what), "irq #%llu ch%u: a spurious one follows",
				 (unsigned long long)r->seen, ch);
		}
		report(r, what);
		break; /* the first rule that fires takes the event, as at the host */
	}
	pthread_mutex_unlock(&F.mu);
	/* The IRQ thread sleeps: this interrupt, and every one behind it, is late. */
	struct timespec d = {.tv_sec = delay / 1000, .tv_nsec = (long)(delay % 1000) * 1000000L};
	while (delay && nanosleep(&d, &d) != 0 && errno == EINTR)
		;
}

bool fwf_spurious(uint32_t ch)
{
	return F.n && (atomic_fetch_and(&F.spurious, ~(1u << ch)) & (1u << ch));
}

/* ---- ring:fw: the firmware as a buggy device on vring0 ----------------------------------------
 */

static volatile struct amp_vring_used *used0(void)
{
	const struct amp_vring_info *v = &F.vr.vring[0];
	size_t off = amp_vring_used_off(v->num, v->align);
	return amp_soc_da_to_va(F.port.soc, v->da + off, 4u + (size_t)8 * v->num);
}

/* Kick vring0 again with nothing published; wait (bounded) until the host took the first. */
void fwf_kick_again(void)
{
	for (int i = 0; i < 2000 && F.port.kick(AMP_IPCC_CH_VRING0) == 0; i++) {
		struct timespec d = {.tv_nsec = 1000000L};
		nanosleep(&d, NULL);
	}
}

/* Corrupt vring @p n's used entry number @p at (its index), or its used index; returns the
 * used index now (moved by used-idx-jump). */
static uint16_t ring_fault(struct fwf_rule *r, unsigned n, volatile struct amp_vring_used *u,
			   uint32_t num, uint16_t at, char *what, size_t len)
{
	uint16_t idx = u->idx;
	volatile struct amp_vring_used_elem *e = &u->ring[at & (num - 1u)];
	switch (r->kind) {
	case FWF_USED_ID:
		e->id = num; /* one past the ring: no descriptor has it */
		snprintf(what, len, "used id %u (num %u) published on vring%u", num, num, n);
		break;
	case FWF_USED_LEN:
		e->len = UINT32_MAX;
		snprintf(what, len, "used len %u published on vring%u", UINT32_MAX, n);
		break;
	case FWF_USED_IDX_JUMP: {
		uint32_t by = r->by ? r->by : num;
		__atomic_store_n(&u->idx, (uint16_t)(idx + by), __ATOMIC_RELEASE);
		snprintf(what, len, "used idx %u -> %u on vring%u", idx, (uint16_t)(idx + by), n);
		return (uint16_t)(idx + by);
	}
	default:
		snprintf(what, len, "vring0 notified again with nothing published");
		break;
	}
	return idx;
}

bool fwf_notify_vring0(void)
{
	if (!F.n || !F.have_vr)
		return false;
	volatile struct amp_vring_used *u = used0();
	struct fwf_rule *won = NULL;
	pthread_mutex_lock(&F.mu);
	for (unsigned i = 0; i < F.n && u && !won; i++) {
		struct fwf_rule *r = &F.rules[i];
		if (r->kind >= FWF_USED_ID && r->kind <= FWF_NOTIFY_NO_PUBLISH && !r->vring &&
		    hit(r))
			won = r;
	}
	char what[96];
	if (won)
		ring_fault(won, 0, u, F.vr.vring[0].num, (uint16_t)(u->idx - 1u), what,
			   sizeof(what));
	pthread_mutex_unlock(&F.mu);
	if (!won)
		return false;
	report(won, what);
	return won->kind == FWF_NOTIFY_NO_PUBLISH;
}

/* ---- ring:fw:vring1: the firmware as a buggy device on vring1 ---------------------------- */

/*
 * The firmware publishes a vring1 used entry when it releases a received buffer, and rings
 * vring1 only when Linux asks (a sender waits for a TX buffer), so no notify is the hook:
 * each core operation ends in the port's unlock, which calls this. Every entry published
 * since the last call is an event; a rule that fires corrupts that entry (or moves the used
 * index, and the core's own count of it with it: a device whose index is wrong, so the jump
 * stays when it publishes again). Linux sees it when it takes its TX buffers back.
 */
void fwf_after_op(struct amp_vq *vq)
{
	if (!F.ring1 || !vq->used)
		return;
	pthread_mutex_lock(&F.mu);
	while (F.used1_seen != vq->shadow_idx) {
		uint16_t at = F.used1_seen++;
		struct fwf_rule *won = NULL;
		for (unsigned i = 0; i < F.n && !won; i++) {
			struct fwf_rule *r = &F.rules[i];
			if (r->vring == 1 && hit(r))
				won = r;
		}
		if (!won)
			continue;
		char what[96];
		uint16_t idx = ring_fault(won, 1, vq->used, vq->num, at, what, sizeof(what));
		if (won->kind == FWF_USED_IDX_JUMP) /* the entries skipped are no events */
			F.used1_seen = vq->shadow_idx = idx;
		report(won, what);
	}
	pthread_mutex_unlock(&F.mu);
}
