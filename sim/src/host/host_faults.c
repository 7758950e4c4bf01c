/*
 * The fault plan at the host's side of the link (<ampsim/faults.h>, docs/faults.md): the
 * hooks host.c calls on every kick, interrupt, send and receive while a plan is loaded, and
 * what they do to the firmware process; and the table it puts in front of the host bus's
 * role table (headers, buffer pools, vrings). The engine (rules, decisions) is
 * faults/faults.c.
 */
#define _GNU_SOURCE
#include <ampsim/faults.h>

#include <signal.h>
#include <string.h>

#include <amp/error.h>
#include <amp/rpmsg_role.h>
#include <amp/stm32mp1.h>
#include <amp/vring_layout.h>
#include <ampsim/error.h>

#include "../faults/faults.h"
#include "host_internal.h"

struct amp_host_faults {
	struct amp_host *h;
	struct amp_faults *plan;
	struct amp_faults_observer observer; /* fired faults into the event trace */
	GSList *pending;     /* struct later *: delayed kicks and interrupts, stall ends */
	GByteArray *scratch; /* a corrupted copy of the message being delivered */
	bool running;	     /* the firmware runs: at-ms timers are armed */
	const void *held;    /* a message `hold` deferred: its second delivery passes */
	GQueue reordered;    /* struct held_tx: messages `reorder` sends later */
	uint32_t held_ids;   /* names each held_tx for its own flush */
	/* The host bus (amp_hf_attach): corrupt-header, buf:tx exhaust, buf:rx shrink, ring. */
	struct amp_rpmsg_dev *dev; /* its role ops are ours; NULL: no device up */
	GPtrArray *tx_bufs;	   /* uint8_t *: TX buffer by id, as tx_get gave it */
	GArray *kept;		   /* uint16_t: RX buffers shrink did not post again */
	int64_t exhausted_until;   /* monotonic us: the TX pool looks empty until then */
};

enum later_kind {
	LATER_KICK,
	LATER_IRQ,
	LATER_CONT,
	LATER_RULE,
	LATER_RESUME,
	LATER_FLUSH,
	LATER_TX_READY, /* an exhaust ended: waiting senders try again */
};

/* A message to the firmware `reorder` holds back: sent after `left` others, or at a flush. */
struct held_tx {
	uint32_t src, dst; /* the endpoint is found again by its address: it may be gone */
	GBytes *data;
	unsigned left;
	uint32_t id;
};

/* Something the plan does later on the host's loop. */
struct later {
	struct amp_host_faults *hf;
	enum later_kind kind;
	uint32_t arg;		     /* notify id, channel or pid */
	struct amp_fault_rule *rule; /* LATER_RULE: a fw rule's at-ms timer */
	GSource *src;
};

static void later_free(struct later *l)
{
	g_source_destroy(l->src);
	g_source_unref(l->src);
	g_free(l);
}

static void fw_fault(struct amp_host_faults *hf, struct amp_fault_rule *r);
static void reorder_flush(struct amp_host_faults *hf, uint32_t id);

static gboolean on_later(gpointer data)
{
	struct later *l = data;
	struct amp_host_faults *hf = l->hf;
	hf->pending = g_slist_remove(hf->pending, l);
	if (l->kind == LATER_KICK)
		amp_rproc_kick(amp_host_rproc(hf->h), l->arg);
	else if (l->kind == LATER_IRQ)
		amp_host_irq_now(hf->h, l->arg);
	else if (l->kind == LATER_FLUSH)
		reorder_flush(hf, l->arg);
	else if (l->kind == LATER_RESUME)
		amp_host_rx_resume(hf->h); /* delivers the held message again, from the loop */
	else if (l->kind == LATER_TX_READY)
		amp_host_tx_ready(hf->h);
	else if (l->kind == LATER_CONT && amp_host_fw_pid(hf->h) == (int)l->arg)
		kill((pid_t)l->arg, SIGCONT);
	else if (amp_host_fw_pid(hf->h) > 0) {
		g_autofree char *what = g_strdup_printf("fw at %u ms", l->rule->at_ms);
		l->rule->seen++;
		amp_faults_fired(hf->plan, l->rule, what);
		fw_fault(hf, l->rule);
	}
	later_free(l);
	return G_SOURCE_REMOVE;
}

static void later(struct amp_host_faults *hf, enum later_kind kind, uint32_t arg, uint32_t ms,
		  struct amp_fault_rule *rule)
{
	struct later *l = g_new0(struct later, 1);
	l->hf = hf;
	l->kind = kind;
	l->arg = arg;
	l->rule = rule;
	l->src = g_timeout_source_new(ms);
	g_source_set_callback(l->src, on_later, l, NULL);
	g_source_attach(l->src, amp_host_context(hf->h));
	hf->pending = g_slist_prepend(hf->pending, l);
}

/* Drop what is pending; a stalled firmware is let go (the stall ends with the plan). */
static void cancel_pending(struct amp_host_faults *hf)
{
	while (hf->pending) {
		struct later *l = hf->pending->data;
		hf->pending = g_slist_delete_link(hf->pending, hf->pending);
		/* Only the process we stopped: a reaped one's pid may be someone else's now. */
		if (l->kind == LATER_CONT && amp_host_fw_pid(hf->h) == (int)l->arg)
			kill((pid_t)l->arg, SIGCONT);
		later_free(l);
	}
}

static uint32_t delay_ms(struct amp_fault_rule *r)
{
	return r->ms_min + (uint32_t)amp_faults_draw(r, (uint64_t)(r->ms_max - r->ms_min) + 1);
}

/* ---- reorder ------------------------------------------------------------------------------ */

static void held_free(gpointer p)
{
	struct held_tx *m = p;
	g_bytes_unref(m->data);
	g_free(m);
}

/* Our endpoint at @p src, if it still exists. */
static struct amp_rpmsg_ept *ept_at(struct amp_host *h, uint32_t src)
{
	struct amp_rpmsg_ept *found = NULL;
	g_autofree struct amp_host_chan **chans = amp_host_channels(h);
	for (struct amp_host_chan **c = chans; *c && !found; c++)
		if ((*c)->ept.addr == src)
			found = &(*c)->ept;
	g_autofree struct amp_host_ept **epts = amp_host_epts(h);
	for (struct amp_host_ept **e = epts; *e && !found; e++)
		if ((*e)->src == src)
			found = &(*e)->ept;
	return found;
}

/* Send the held messages whose turn came, and message @p id (0: none) at its flush. */
static void reorder_flush(struct amp_host_faults *hf, uint32_t id)
{
	for (GList *l = hf->reordered.head, *next; l; l = next) {
		next = l->next;
		struct held_tx *m = l->data;
		if (m->left > 0 && m->id != id)
			continue;
		g_queue_delete_link(&hf->reordered, l);
		struct amp_rpmsg_ept *ept = ept_at(hf->h, m->src);
		gsize len;
		const void *d = g_bytes_get_data(m->data, &len);
		int rc = ept ? amp_host_send_raw(hf->h, ept, m->dst, d, len) : AMP_ENOTCONN;
		if (rc != 0)
			g_message("fault plan: a reordered message from 0x%x is lost: %s", m->src,
				  amp_strerror(rc));
		held_free(m);
	}
}

/* Another message went out: the held ones move up a place. */
static void reorder_step(struct amp_host_faults *hf)
{
	for (GList *l = hf->reordered.head; l; l = l->next) {
		struct held_tx *m = l->data;
		if (m->left > 0)
			m->left--;
	}
	reorder_flush(hf, 0);
}

static void reorder_hold(struct amp_host_faults *hf, struct amp_fault_rule *r,
			 const struct amp_fault_event *ev)
{
	struct held_tx *m = g_new0(struct held_tx, 1);
	m->src = ev->src;
	m->dst = ev->dst;
	m->data = g_bytes_new(ev->data, ev->len);
	m->left = 1 + (unsigned)amp_faults_draw(r, r->window - 1);
	m->id = ++hf->held_ids ? hf->held_ids : ++hf->held_ids; /* never 0 */
	g_queue_push_tail(&hf->reordered, m);
	later(hf, LATER_FLUSH, m->id, delay_ms(r), NULL);
}

/* ---- the firmware process -------------------------------------------------------------------- */

static void fw_fault(struct amp_host_faults *hf, struct amp_fault_rule *r)
{
	int pid = amp_host_fw_pid(hf->h);
	if (pid <= 0)
		return;
	if (r->action == AMP_FA_CRASH) {
		/* The platform sees the process die and reports the crash (reason: the signal). */
		kill(pid, r->sig);
		return;
	}
	/* Stall: stopped as a debugger would stop it; the watchdog (if any) sees no refresh. */
	if (kill(pid, SIGSTOP) == 0)
		later(hf, LATER_CONT, (uint32_t)pid, delay_ms(r), NULL);
}

static void arm_timers(struct amp_host_faults *hf)
{
	GPtrArray *rules = amp_faults_rules(hf->plan);
	for (guint i = 0; i < rules->len; i++) {
		struct amp_fault_rule *r = rules->pdata[i];
		if (r->trigger == AMP_FT_AT_MS && r->fired < r->count && !amp_fault_rule_in_fw(r))
			later(hf, LATER_RULE, 0, r->at_ms, r);
	}
}

void amp_hf_rproc_event(struct amp_host_faults *hf, enum amp_rproc_event ev)
{
	if (ev == AMP_RPROC_EV_STARTED) {
		hf->running = true;
		arm_timers(hf); /* at-ms counts from the firmware's start */
	} else if (hf->running) {
		hf->running = false;
		amp_hff_fold(hf->h, hf->plan); /* before the next start clears the table */
		hf->held = NULL;
		hf->dev = NULL; /* its buffers are gone with it; a new one is attached at boot */
		g_array_set_size(hf->kept, 0);
		g_ptr_array_set_size(hf->tx_bufs, 0);
		hf->exhausted_until = 0;
		cancel_pending(hf);
		g_queue_clear_full(&hf->reordered, held_free);
	}
}

/* ---- doorbells ------------------------------------------------------------------------------- */

/* Drop, delay or duplicate: true when the plan took the kick (nothing to do now). */
static bool doorbell(struct amp_host_faults *hf, enum amp_fault_dir dir, uint32_t ch,
		     enum later_kind kind, uint32_t arg)
{
	struct amp_fault_event ev = {.target = AMP_FT_KICK, .dir = dir, .chan = ch + 1};
	struct amp_fault_rule *r = amp_faults_hit(hf->plan, &ev);
	if (!r)
		return false;
	if (r->action == AMP_FA_DELAY) {
		later(hf, kind, arg, delay_ms(r), NULL);
		return true;
	}
	if (r->action == AMP_FA_DUP) /* the second one right after, from the loop */
		later(hf, kind, arg, 0, NULL);
	return r->action == AMP_FA_DROP;
}

/* No rule and nothing held back: every hook passes the event on at once (an empty plan,
 * `--faults ''`, costs the hot path one test per event; tests/bench/faults). */
static bool idle(const struct amp_host_faults *hf)
{
	return amp_faults_rules(hf->plan)->len == 0 && !hf->reordered.length && !hf->held;
}

bool amp_hf_kick(struct amp_host_faults *hf, uint32_t notify_id)
{
	if (idle(hf))
		return false;
	int ch = amp_stm32mp1_notify_chan(notify_id);
	return ch >= 0 && doorbell(hf, AMP_FD_TO_FW, (uint32_t)ch, LATER_KICK, notify_id);
}

bool amp_hf_irq(struct amp_host_faults *hf, uint32_t ch)
{
	if (idle(hf))
		return false;
	return doorbell(hf, AMP_FD_TO_LINUX, ch, LATER_IRQ, ch);
}

/* ---- messages -------------------------------------------------------------------------------- */

/* Corrupt or truncate the copy in hf->scratch; returns the length to deliver. */
static size_t mangle(struct amp_host_faults *hf, struct amp_fault_rule *r, size_t len)
{
	uint8_t *b = hf->scratch->data;
	if (r->action == AMP_FA_TRUNCATE)
		return r->len < 0 ? len / 2 : MIN(len, (size_t)r->len);
	if (r->action == AMP_FA_CORRUPT_BYTE) {
		size_t at =
		    r->offset < 0 ? amp_faults_draw(r, len) : MIN((size_t)r->offset, len - 1);
		b[at] ^= (uint8_t)(1 + amp_faults_draw(r, 255)); /* never 0: always a change */
	} else {
		size_t bits = len * 8;
		size_t at =
		    r->offset < 0 ? amp_faults_draw(r, bits) : MIN((size_t)r->offset, bits - 1);
		b[at / 8] ^= (uint8_t)(1u << (at % 8));
	}
	return len;
}

/* The message rule that fires on this message, with the payload mangled into scratch. */
static struct amp_fault_rule *msg_rule(struct amp_host_faults *hf, struct amp_fault_event *ev)
{
	struct amp_fault_rule *r = amp_faults_hit(hf->plan, ev);
	if (r && (r->action == AMP_FA_CORRUPT_BYTE || r->action == AMP_FA_FLIP_BIT ||
		  r->action == AMP_FA_TRUNCATE)) {
		g_byte_array_set_size(hf->scratch, 0);
		g_byte_array_append(hf->scratch, ev->data, (guint)ev->len);
		ev->len = mangle(hf, r, ev->len);
		ev->data = hf->scratch->data;
	}
	return r;
}

/* fw rules watch the messages too: after this one, crash or stall the firmware. */
static void fw_rules(struct amp_host_faults *hf, struct amp_fault_event ev)
{
	ev.target = AMP_FT_FW;
	struct amp_fault_rule *r = amp_faults_hit(hf->plan, &ev);
	if (r)
		fw_fault(hf, r);
}

int amp_hf_send(struct amp_host_faults *hf, struct amp_rpmsg_ept *ept, uint32_t dst,
		const void *data, size_t len)
{
	if (idle(hf))
		return amp_host_send_raw(hf->h, ept, dst, data, len);
	struct amp_fault_event ev = {.target = AMP_FT_MSG,
				     .dir = AMP_FD_TO_FW,
				     .name = ept->name[0] ? ept->name : NULL,
				     .data = data,
				     .len = len,
				     .src = ept->addr,
				     .dst = dst};
	struct amp_fault_rule *r = msg_rule(hf, &ev);
	int rc = 0;
	if (r && r->action == AMP_FA_REORDER)
		reorder_hold(hf, r, &ev);	 /* the sender believes it went */
	else if (!r || r->action != AMP_FA_DROP) /* dropped: the sender believes it went */
		rc = amp_host_send_raw(hf->h, ept, dst, ev.data, ev.len);
	if (rc == 0 && (!r || r->action != AMP_FA_REORDER) && hf->reordered.length)
		reorder_step(hf);
	if (rc == 0 && r && r->action == AMP_FA_DUP)
		(void)amp_host_send_raw(hf->h, ept, dst, ev.data, ev.len); /* best effort */
	if (rc == 0) {
		ev.data = data; /* fw rules see what the sender sent */
		ev.len = len;
		fw_rules(hf, ev);
	}
	return rc;
}

unsigned amp_hf_rx(struct amp_host_faults *hf, const char *name, uint32_t src, uint32_t dst,
		   const void **data, size_t *len)
{
	if (idle(hf))
		return 1;
	struct amp_fault_event ev = {.target = AMP_FT_MSG,
				     .dir = AMP_FD_TO_LINUX,
				     .name = name && *name ? name : NULL,
				     .data = *data,
				     .len = *len,
				     .src = src,
				     .dst = dst};
	if (*data == hf->held) { /* a held message, delivered again: already counted */
		hf->held = NULL;
		return 1;
	}
	fw_rules(hf, ev);
	struct amp_fault_rule *r = msg_rule(hf, &ev);
	*data = ev.data;
	*len = ev.len;
	if (r && r->action == AMP_FA_HOLD) {
		/* Flow control toward the firmware, as a slow reader: the message stays in its
		 * RX buffer and nothing after it is delivered until the resume. */
		amp_host_rx_defer(hf->h);
		hf->held = *data;
		later(hf, LATER_RESUME, 0, delay_ms(r), NULL);
		return 0;
	}
	return !r ? 1 : r->action == AMP_FA_DROP ? 0 : r->action == AMP_FA_DUP ? 2 : 1;
}

/* ---- the host bus: headers and buffer pools ------------------------------------------------ */

static struct amp_host_faults *hf_of(struct amp_rpmsg_dev *dev)
{
	return *amp_host_faults_slot(dev->port.ctx); /* the host port's context is the host */
}

/* A wrong address for corrupt-header without value=: drawn, never the right one. */
static uint32_t wrong_addr(struct amp_fault_rule *r, uint32_t was)
{
	uint32_t v = (uint32_t)(1024 + amp_faults_draw(r, 0xFFFFFFFEu - 1024));
	return v == was ? v + 1 : v;
}

/* corrupt-header: the header in @p buf (ours now), before a publish or before our checks. */
static void hdr_fault(struct amp_host_faults *hf, uint8_t *buf, uint32_t blen,
		      enum amp_fault_dir dir)
{
	struct amp_rpmsg_hdr hdr;
	if (blen < AMP_RPMSG_HDR_SIZE)
		return; /* too short to carry one: the core's checks say so */
	memcpy(&hdr, buf, sizeof(hdr));
	uint32_t src = GUINT32_FROM_LE(hdr.src), dst = GUINT32_FROM_LE(hdr.dst);
	struct amp_rpmsg_ept *ours = ept_at(hf->h, dir == AMP_FD_TO_FW ? src : dst);
	struct amp_fault_event ev = {.target = AMP_FT_HDR,
				     .dir = dir,
				     .name = ours && ours->name[0] ? ours->name : NULL,
				     .data = buf + AMP_RPMSG_HDR_SIZE,
				     .len =
					 MIN(GUINT16_FROM_LE(hdr.len), blen - AMP_RPMSG_HDR_SIZE),
				     .src = src,
				     .dst = dst};
	struct amp_fault_rule *r = amp_faults_hit(hf->plan, &ev);
	if (!r)
		return;
	if (r->hdr_field == AMP_FH_LEN) /* default: past any buffer */
		hdr.len = GUINT16_TO_LE(r->value < 0 ? UINT16_MAX : (uint16_t)r->value);
	else if (r->hdr_field == AMP_FH_SRC)
		hdr.src = GUINT32_TO_LE(r->value < 0 ? wrong_addr(r, src) : (uint32_t)r->value);
	else
		hdr.dst = GUINT32_TO_LE(r->value < 0 ? wrong_addr(r, dst) : (uint32_t)r->value);
	memcpy(buf, &hdr, sizeof(hdr));
}

/* buf:tx exhaust: true while the TX pool is to look empty. */
static bool tx_exhausted(struct amp_host_faults *hf)
{
	if (g_get_monotonic_time() < hf->exhausted_until)
		return true;
	struct amp_fault_event ev = {.target = AMP_FT_BUF, .dir = AMP_FD_TO_FW};
	struct amp_fault_rule *r = amp_faults_hit(hf->plan, &ev);
	if (!r)
		return false;
	uint32_t ms = r->ms_max ? delay_ms(r) : 0;
	if (ms) { /* then the senders that waited try again, as after returned buffers */
		hf->exhausted_until = g_get_monotonic_time() + (int64_t)ms * 1000;
		later(hf, LATER_TX_READY, 0, ms, NULL);
	}
	return true;
}

static int bus_tx_get(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *cap, uint16_t *id)
{
	struct amp_host_faults *hf = hf_of(dev);
	if (tx_exhausted(hf))
		return 0; /* the core counts tx_nobuf; a sender gets AMP_ENOMEM or waits */
	int rc = amp_rpmsg_host_ops.tx_get(dev, buf, cap, id);
	if (rc > 0) {
		if (*id >= hf->tx_bufs->len)
			g_ptr_array_set_size(hf->tx_bufs, (guint)*id + 1);
		hf->tx_bufs->pdata[*id] = *buf;
	}
	return rc;
}

/* ring: a publish on vring @p n (0: an RX buffer posted, 1: a message) a rule takes. */
static struct amp_fault_rule *ring_rule(struct amp_host_faults *hf, unsigned n)
{
	struct amp_fault_event ev = {
	    .target = AMP_FT_RING, .dir = n ? AMP_FD_TO_FW : AMP_FD_TO_LINUX, .chan = n};
	return amp_faults_hit(hf->plan, &ev);
}

/* An address no region maps (the M4 sees nothing at the top of its address space). */
#define RING_BAD_ADDR 0xFFFFFF00u

/* ring bad-addr: buffer @p id published (as the host role does) at a wrong address. */
static int bad_addr_publish(struct amp_vq *vq, struct amp_fault_rule *r, uint16_t id, uint32_t len,
			    bool dev_writes)
{
	uint64_t da = r->value >= 0 ? (uint64_t)r->value : RING_BAD_ADDR;
	return amp_vq_add(vq, id, da, len, dev_writes);
}

/* ring avail-jump: avail.idx moves past what was published (default: num + 1, which a
 * device can tell from a ring it has not caught up with). */
static void avail_jump(struct amp_vq *vq, struct amp_fault_rule *r)
{
	uint16_t by = r->keep > 0 ? (uint16_t)r->keep : (uint16_t)(vq->num + 1u);
	uint16_t idx = GUINT16_FROM_LE(vq->avail->idx);
	__atomic_store_n(&vq->avail->idx, GUINT16_TO_LE((uint16_t)(idx + by)), __ATOMIC_RELEASE);
}

static int bus_tx_put(struct amp_rpmsg_dev *dev, uint16_t id, uint32_t total)
{
	struct amp_host_faults *hf = hf_of(dev);
	if (id < hf->tx_bufs->len && hf->tx_bufs->pdata[id])
		hdr_fault(hf, hf->tx_bufs->pdata[id], total, AMP_FD_TO_FW);
	struct amp_fault_rule *r = ring_rule(hf, 1);
	if (r && r->action == AMP_FA_BAD_ADDR)
		return bad_addr_publish(&dev->tvq, r, id, total, false);
	int rc = amp_rpmsg_host_ops.tx_put(dev, id, total);
	if (rc == 0 && r)
		avail_jump(&dev->tvq, r);
	return rc;
}

static int bus_rx_get(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *len, uint16_t *id)
{
	int rc = amp_rpmsg_host_ops.rx_get(dev, buf, len, id);
	if (rc > 0) /* the firmware gave it back: ours to read, and to damage */
		hdr_fault(hf_of(dev), *buf, *len, AMP_FD_TO_LINUX);
	return rc;
}

/* buf:rx shrink: a consumed RX buffer stays with the host while more than n are posted. */
static int bus_rx_put(struct amp_rpmsg_dev *dev, uint16_t id)
{
	struct amp_host_faults *hf = hf_of(dev);
	struct amp_fault_event ev = {
	    .target = AMP_FT_BUF, .dir = AMP_FD_TO_LINUX, .posted = dev->rvq.ninflight + 1u};
	if (amp_faults_hit(hf->plan, &ev)) {
		g_array_append_val(hf->kept, id);
		return 0;
	}
	struct amp_fault_rule *r = ring_rule(hf, 0);
	if (r && r->action == AMP_FA_BAD_ADDR) /* device-writable, the whole buffer */
		return bad_addr_publish(&dev->rvq, r, id,
					amp_rproc_vdev(amp_host_rproc(hf->h))->pool.r2h.size, true);
	int rc = amp_rpmsg_host_ops.rx_put(dev, id);
	if (rc == 0 && r)
		avail_jump(&dev->rvq, r);
	return rc;
}

static int bus_tx_unget(struct amp_rpmsg_dev *dev, uint8_t *buf, uint16_t id, uint32_t cap)
{
	return amp_rpmsg_host_ops.tx_unget(dev, buf, id, cap);
}

static void bus_rx_mark(struct amp_rpmsg_dev *dev, uint8_t *buf, uint16_t id, uint32_t cap)
{
	if (amp_rpmsg_host_ops.rx_mark)
		amp_rpmsg_host_ops.rx_mark(dev, buf, id, cap);
}

/* The host's role table with the plan in front, while the plan has a rule there (bus_sync);
 * otherwise the device keeps the host's own table, and these cost nothing. */
static const struct amp_rpmsg_role_ops bus_ops = {
    .tx_get = bus_tx_get,
    .tx_put = bus_tx_put,
    .tx_unget = bus_tx_unget,
    .rx_get = bus_rx_get,
    .rx_put = bus_rx_put,
    .rx_mark = bus_rx_mark,
};

/* The bus rules are gone: the RX buffers shrink kept are posted again (the firmware's
 * waiting sends go on) and the TX pool is whole again. */
static void bus_restore(struct amp_host_faults *hf)
{
	bool exhausted = g_get_monotonic_time() < hf->exhausted_until;
	hf->exhausted_until = 0;
	if (exhausted) /* its end was a pending timer, cancelled with the plan */
		amp_host_tx_ready(hf->h);
	if (!hf->dev || !hf->kept->len)
		return;
	for (guint i = 0; i < hf->kept->len; i++)
		(void)amp_rpmsg_host_ops.rx_put(hf->dev, g_array_index(hf->kept, uint16_t, i));
	g_array_set_size(hf->kept, 0);
	if (amp_vq_need_notify(&hf->dev->rvq))
		hf->dev->port.ops->notify(hf->dev->port.ctx, hf->dev->rvq.notify_id);
}

static bool plan_on_bus(struct amp_faults *plan)
{
	GPtrArray *rules = amp_faults_rules(plan);
	for (guint i = 0; i < rules->len; i++) {
		enum amp_fault_target t = ((const struct amp_fault_rule *)rules->pdata[i])->target;
		if (t == AMP_FT_HDR || t == AMP_FT_BUF || t == AMP_FT_RING)
			return true;
	}
	return false;
}

/* The plan sits in front of the bus's role table only while it has a header, buffer or ring
 * rule: an empty plan, or one of doorbells and messages, leaves the hot path as it is. */
static void bus_sync(struct amp_host_faults *hf)
{
	bool on = plan_on_bus(hf->plan);
	if (!hf->dev || on == (hf->dev->ops == &bus_ops))
		return;
	if (!on)
		bus_restore(hf);
	hf->dev->ops = on ? &bus_ops : &amp_rpmsg_host_ops;
}

void amp_hf_attach(struct amp_host_faults *hf, struct amp_rpmsg_dev *dev)
{
	g_ptr_array_set_size(hf->tx_bufs, 0);
	g_array_set_size(hf->kept, 0);
	hf->exhausted_until = 0;
	hf->dev = dev;
	bus_sync(hf);
}

/* ---- the public API ------------------------------------------------------------------------ */

/* Every fault that fires is an event of the trace, when one is written. */
static void fault_traced(void *priv, const char *line)
{
	amp_host_trace_note(priv, "fault", "fault", line);
}

static struct amp_host_faults *plan_of(struct amp_host *h)
{
	struct amp_host_faults **slot = amp_host_faults_slot(h);
	if (!*slot) {
		struct amp_host_faults *hf = g_new0(struct amp_host_faults, 1);
		hf->h = h;
		hf->plan = amp_faults_new(0);
		hf->observer = (struct amp_faults_observer){.fn = fault_traced, .priv = h};
		amp_faults_set_observer(hf->plan, &hf->observer);
		hf->scratch = g_byte_array_new();
		hf->tx_bufs = g_ptr_array_new();
		hf->kept = g_array_new(FALSE, FALSE, sizeof(uint16_t));
		if (amp_host_rpmsg(h))
			amp_hf_attach(hf, amp_host_rpmsg(h));
		hf->running = amp_host_fw_pid(h) > 0;
		*slot = hf;
	}
	return *slot;
}

/* A rule for a channel the running firmware has not announced could never fire. */
static gboolean names_known(struct amp_host *h, GPtrArray *rules, guint from, GError **err)
{
	if (amp_host_fw_pid(h) <= 0 || !amp_host_rpmsg(h))
		return TRUE; /* not announced yet: any name may come */
	g_autofree struct amp_host_chan **chans = amp_host_channels(h);
	for (guint i = from; i < rules->len; i++) {
		const struct amp_fault_rule *r = rules->pdata[i];
		bool found = !r->name;
		g_autoptr(GString) known = g_string_new(NULL);
		for (struct amp_host_chan **c = chans; *c && !found; c++) {
			found = !strcmp((*c)->name, r->name);
			g_string_append_printf(known, "%s'%s'", known->len ? ", " : "", (*c)->name);
		}
		if (!found) {
			amp_set_error(
			    err, AMP_EINVAL,
			    "fault rule '%s': '%s': the firmware announced no such channel; "
			    "it has: %s (docs/faults.md)",
			    r->text, r->name, known->len ? known->str : "none");
			return FALSE;
		}
	}
	return TRUE;
}

gboolean amp_host_faults_add(struct amp_host *h, const char *spec, GError **err)
{
	struct amp_host_faults *hf = plan_of(h);
	GPtrArray *rules = amp_faults_rules(hf->plan);
	guint before = rules->len;
	if (!amp_faults_parse(hf->plan, spec, amp_host_soc(h)->ipcc_nchan, err))
		return FALSE;
	if (!names_known(h, rules, before, err)) {
		g_ptr_array_set_size(rules, before); /* all or nothing */
		return FALSE;
	}
	for (guint i = before; i < rules->len && hf->running; i++) {
		struct amp_fault_rule *r = rules->pdata[i];
		if (r->trigger == AMP_FT_AT_MS && !amp_fault_rule_in_fw(r)) /* counts from now */
			later(hf, LATER_RULE, 0, r->at_ms, r);
	}
	amp_hff_push(h, hf->plan); /* the firmware's rules: from its next start */
	bus_sync(hf);
	return TRUE;
}

void amp_host_faults_clear(struct amp_host *h)
{
	struct amp_host_faults *hf = *amp_host_faults_slot(h);
	if (!hf)
		return;
	cancel_pending(hf); /* at-ms timers point at the rules */
	amp_faults_clear(hf->plan);
	amp_hff_reset(h); /* the counts restart: those the firmware reported too */
	amp_hff_push(h, hf->plan);
	bus_sync(hf);
}

void amp_host_faults_set_seed(struct amp_host *h, uint64_t seed)
{
	struct amp_host_faults *hf = plan_of(h);
	amp_faults_reseed(hf->plan, seed);
	amp_hff_reset(h); /* the counts restart: those the firmware reported too */
	amp_hff_push(h, hf->plan);
}

uint64_t amp_host_faults_seed(const struct amp_host *h)
{
	struct amp_host_faults *hf = *amp_host_faults_slot((struct amp_host *)h);
	return hf ? amp_faults_seed(hf->plan) : 0;
}

void amp_host_faults_list(struct amp_host *h, GString *out)
{
	struct amp_host_faults *hf = *amp_host_faults_slot(h);
	if (!hf) {
		g_string_append(out, "no fault plan (ampsim run --faults, or 'fault add')\n");
		return;
	}
	amp_hff_sync(h, hf->plan);
	amp_faults_report(hf->plan, out);
}

uint64_t amp_host_faults_fired(const struct amp_host *h, unsigned id)
{
	struct amp_host_faults *hf = *amp_host_faults_slot((struct amp_host *)h);
	if (!hf)
		return 0;
	amp_hff_sync((struct amp_host *)h, hf->plan);
	GPtrArray *rules = amp_faults_rules(hf->plan);
	uint64_t n = 0;
	for (guint i = 0; i < rules->len; i++) {
		const struct amp_fault_rule *r = rules->pdata[i];
		if (id == 0 || r->id == id)
			n += r->fired;
	}
	return n;
}

void amp_hf_stats(struct amp_host_faults *hf, GString *out)
{
	amp_hff_sync(hf->h, hf->plan);
	GPtrArray *rules = amp_faults_rules(hf->plan);
	g_string_append_printf(out, "faults: seed %" G_GUINT64_FORMAT ", %u rules\n",
			       amp_faults_seed(hf->plan), rules->len);
	for (guint i = 0; i < rules->len; i++) {
		const struct amp_fault_rule *r = rules->pdata[i];
		g_string_append_printf(out,
				       "  fault rule %u (%s): seen %" G_GUINT64_FORMAT
				       ", fired %" G_GUINT64_FORMAT "%s\n",
				       r->id, r->text, r->seen, r->fired,
				       amp_fault_rule_in_fw(r) ? " (reported by the firmware)"
							       : "");
	}
}

void amp_hf_free(struct amp_host_faults *hf)
{
	if (!hf)
		return;
	cancel_pending(hf);
	g_queue_clear_full(&hf->reordered, held_free);
	amp_faults_free(hf->plan);
	g_byte_array_free(hf->scratch, TRUE);
	g_ptr_array_free(hf->tx_bufs, TRUE);
	g_array_free(hf->kept, TRUE);
	g_free(hf);
}
