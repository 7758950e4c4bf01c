/* RPMsg, host and remote role in one process: both directions, NS, zero-copy, exhaustion,
 * index wrap, notification counts, oversize payloads, bring-up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <amp/error.h>
#include <amp/rpmsg.h>
#include <amp/rpmsg_role.h>

#include "harness.h"

/* What a receive callback saw. */
struct sink {
	uint32_t count;
	uint32_t bytes;
	uint32_t last_src;
	size_t last_len;
	uint8_t last[512];
	uint32_t seq_errors; /* payload carried a sequence number out of order */
	uint32_t next_seq;
	bool echo;	    /* send the payload back with trysend */
	bool hold;	    /* hold the buffer, keep the pointer */
	bool release_in_cb; /* try to release it from its own callback (refused) */
	void *held[32];
	int nheld;
};

static int sink_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct sink *s = priv;

	s->count++;
	s->bytes += (uint32_t)len;
	s->last_src = src;
	s->last_len = len;
	memcpy(s->last, data, len < sizeof(s->last) ? len : sizeof(s->last));
	if (len >= 4) {
		uint32_t seq;

		memcpy(&seq, data, 4);
		if (seq != s->next_seq)
			s->seq_errors++;
		s->next_seq = seq + 1;
	}
	if (s->echo)
		assert_int_equal(amp_rpmsg_trysend(ept, data, len), (int)len);
	if (s->hold) {
		assert_int_equal(amp_rpmsg_hold_rx_buffer(ept, data), 0);
		s->held[s->nheld++] = data;
	}
	if (s->release_in_cb)
		assert_int_equal(amp_rpmsg_release_rx_buffer(ept, data), AMP_EINVAL);
	return 0;
}

/* The remote's endpoint 100 and the host's 1024, each addressed to the other, receiving
 * into @p rs and @p hs. */
static void ept_pair(struct fx *fx, struct amp_rpmsg_ept *rept, struct sink *rs,
		     struct amp_rpmsg_ept *hept, struct sink *hs)
{
	assert_int_equal(amp_rpmsg_create_ept(rept, &fx->remote, "", 100, 1024, sink_cb, NULL, rs),
			 0);
	assert_int_equal(amp_rpmsg_create_ept(hept, &fx->host, "", 1024, 100, sink_cb, NULL, hs),
			 0);
}

/* Name-service events seen by a device. */
struct ns_log {
	int creates, destroys;
	char name[32];
	uint32_t addr;
};

static void ns_logger(struct amp_rpmsg_dev *dev, const char *name, uint32_t addr, bool destroy,
		      void *priv)
{
	struct ns_log *l = priv;

	(void)dev;
	if (destroy)
		l->destroys++;
	else
		l->creates++;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->addr = addr;
}

static struct fx *fx_with_ns(struct ns_log *hl)
{
	struct fx *fx = fx_alloc(NULL);

	fx->hcfg.ns_cb = ns_logger;
	fx->hcfg.ns_priv = hl;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), 0);
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), 0);
	fx_pump(fx);
	return fx;
}

static void echo_both_directions(void **state)
{
	struct ns_log hl = {0};
	struct sink rs = {.echo = true}, hs = {0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx;
	(void)state;

	fx = fx_with_ns(&hl);
	assert_true(amp_rpmsg_ready(&fx->host));
	assert_true(amp_rpmsg_ready(&fx->remote));
	assert_int_equal(fx->status, 0x07);

	/* Remote: named endpoint with dynamic address, announced at once. */
	assert_int_equal(amp_rpmsg_create_ept(&rept, &fx->remote, "rpmsg-tty", AMP_RPMSG_ADDR_ANY,
					      AMP_RPMSG_ADDR_ANY, sink_cb, NULL, &rs),
			 0);
	assert_int_equal(rept.addr, 1024);
	fx_pump(fx);
	assert_int_equal(hl.creates, 1);
	assert_string_equal(hl.name, "rpmsg-tty");
	assert_int_equal(hl.addr, 1024);

	/* Host binds a channel to the announced address (Linux: dynamic local address). */
	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "rpmsg-tty", AMP_RPMSG_ADDR_ANY,
					      hl.addr, sink_cb, NULL, &hs),
			 0);
	assert_int_equal(hept.addr, 1024);
	assert_int_equal(amp_rpmsg_send(&hept, "\0\0\0\0hello", 9), 9);
	fx_pump(fx);

	/* The remote learned its peer from the first message and echoed. */
	assert_int_equal(rs.count, 1);
	assert_int_equal(rs.last_src, hept.addr);
	assert_int_equal(rept.dest_addr, hept.addr);
	assert_int_equal(hs.count, 1);
	assert_int_equal(hs.last_len, 9);
	assert_memory_equal(hs.last + 4, "hello", 5);
	assert_int_equal(hs.last_src, rept.addr);

	/* Remote-initiated message now that it knows its peer. */
	assert_int_equal(amp_rpmsg_send(&rept, "\1\0\0\0x", 5), 5);
	fx_pump(fx);
	assert_int_equal(hs.count, 2);
	assert_int_equal(fx->host.stats.rx_msgs, 2);
	assert_int_equal(fx->remote.stats.rx_msgs, 1);
	assert_int_equal(fx->remote.stats.tx_msgs, 3); /* NS + echo + x */
	assert_int_equal(fx->host.stats.rx_bytes, 9 + 5);
	fx_free(fx);
}

struct unbind_log {
	int calls;
	uint32_t dest_seen;
};

static void unbind_cb(struct amp_rpmsg_ept *ept)
{
	struct unbind_log *u = ((struct sink *)ept->priv)->held[0];

	u->calls++;
	u->dest_seen = ept->dest_addr;
}

static void ns_create_destroy_binding(void **state)
{
	struct ns_log hl = {0}, rl = {0};
	struct unbind_log ul = {0};
	struct sink rs = {0};
	struct amp_rpmsg_ept a, b, hb;
	struct fx *fx = fx_alloc(NULL);
	(void)state;

	fx->hcfg.ns_cb = ns_logger;
	fx->hcfg.ns_priv = &hl;
	fx->rcfg.ns_cb = ns_logger;
	fx->rcfg.ns_priv = &rl;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), 0);
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), 0);

	/* Remote announce create / destroy reaches the host. */
	assert_int_equal(amp_rpmsg_create_ept(&a, &fx->remote, "svc-a", 30, AMP_RPMSG_ADDR_ANY,
					      sink_cb, NULL, &rs),
			 0);
	fx_pump(fx);
	assert_int_equal(hl.creates, 1);
	assert_int_equal(hl.addr, 30);
	amp_rpmsg_destroy_ept(&a);
	fx_pump(fx);
	assert_int_equal(hl.destroys, 1);
	assert_string_equal(hl.name, "svc-a");
	assert_int_equal(hl.addr, 30);

	/* An unnamed or already-bound remote endpoint is not announced. */
	assert_int_equal(amp_rpmsg_create_ept(&a, &fx->remote, "", AMP_RPMSG_ADDR_ANY,
					      AMP_RPMSG_ADDR_ANY, sink_cb, NULL, &rs),
			 0);
	assert_int_equal(amp_rpmsg_create_ept(&b, &fx->remote, "bound", AMP_RPMSG_ADDR_ANY, 0x400,
					      sink_cb, NULL, &rs),
			 0);
	fx_pump(fx);
	assert_int_equal(hl.creates, 1);
	amp_rpmsg_destroy_ept(&a);
	amp_rpmsg_destroy_ept(&b);

	/* Host: a fixed-address named endpoint is announced (Linux); the remote binds by name. */
	rs.held[0] = &ul;
	assert_int_equal(
	    amp_rpmsg_create_ept(&b, &fx->remote, "svc-b", 40, 0, sink_cb, unbind_cb, &rs), 0);
	b.dest_addr = AMP_RPMSG_ADDR_ANY; /* waiting for the host's announcement */
	fx_pump(fx);
	assert_int_equal(hl.creates, 1); /* dest was set at create: no announcement */
	assert_int_equal(amp_rpmsg_create_ept(&hb, &fx->host, "svc-b", 0x500, AMP_RPMSG_ADDR_ANY,
					      sink_cb, NULL, &rs),
			 0);
	fx_pump(fx);
	assert_int_equal(rl.creates, 1);
	assert_int_equal(b.dest_addr, 0x500);
	amp_rpmsg_destroy_ept(&hb);
	fx_pump(fx);
	assert_int_equal(rl.destroys, 1);
	assert_int_equal(ul.calls, 1);
	assert_int_equal(b.dest_addr, AMP_RPMSG_ADDR_ANY);

	/* A host endpoint with a dynamic address is not announced (Linux). */
	assert_int_equal(amp_rpmsg_create_ept(&hb, &fx->host, "svc-c", AMP_RPMSG_ADDR_ANY,
					      AMP_RPMSG_ADDR_ANY, sink_cb, NULL, &rs),
			 0);
	fx_pump(fx);
	assert_int_equal(rl.creates, 1);

	/* An NS message of the wrong length is dropped and counted, not fatal. */
	static const char nsbuf[64] = "svc-b";
	assert_int_equal(amp_rpmsg_sendto(&hb, AMP_RPMSG_NS_ADDR, nsbuf, 39), 39);
	assert_int_equal(amp_rpmsg_sendto(&hb, AMP_RPMSG_NS_ADDR, nsbuf, 41), 41);
	fx_pump(fx);
	assert_int_equal(fx->remote.stats.drops[AMP_RPMSG_DROP_NS_LEN], 2);
	assert_int_equal(rl.creates + rl.destroys, 2);
	assert_true(amp_rpmsg_ready(&fx->remote));

	/* Unknown destination: dropped and counted. */
	assert_int_equal(amp_rpmsg_sendto(&hb, 4242, "x", 1), 1);
	fx_pump(fx);
	assert_int_equal(fx->remote.stats.drops[AMP_RPMSG_DROP_NO_EPT], 1);
	fx_free(fx);
}

static void addresses(void **state)
{
	struct sink s = {0};
	struct amp_rpmsg_ept e[4];
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true});
	(void)state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(amp_rpmsg_create_ept(&e[i], &fx->remote, "", AMP_RPMSG_ADDR_ANY, 1,
						      sink_cb, NULL, &s),
				 0);
	assert_int_equal(e[0].addr, 1024);
	assert_int_equal(e[1].addr, 1025);
	assert_int_equal(e[2].addr, 1026);
	assert_int_equal(amp_rpmsg_create_ept(&e[3], &fx->remote, "", 1025, 1, sink_cb, NULL, &s),
			 AMP_EADDRINUSE);
	amp_rpmsg_destroy_ept(&e[1]);
	amp_rpmsg_destroy_ept(&e[1]); /* idempotent */
	assert_int_equal(
	    amp_rpmsg_create_ept(&e[3], &fx->remote, "", AMP_RPMSG_ADDR_ANY, 1, sink_cb, NULL, &s),
	    0);
	assert_int_equal(e[3].addr, 1027); /* next fit */
	assert_int_equal(amp_rpmsg_create_ept(&e[1], &fx->remote, "", 1025, 1, sink_cb, NULL, &s),
			 0);
	/* Without NS, 53 is an ordinary address; with NS it is taken. */
	struct amp_rpmsg_ept ns, h;
	assert_int_equal(amp_rpmsg_create_ept(&ns, &fx->remote, "", 53, 1, sink_cb, NULL, &s), 0);
	assert_int_equal(amp_rpmsg_create_ept(&h, &fx->host, "", 1, 53, sink_cb, NULL, &s), 0);
	assert_int_equal(amp_rpmsg_send(&h, "\0\0\0\0", 4), 4);
	fx_pump(fx);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.last_src, 1);
	amp_rpmsg_destroy_ept(&ns);
	assert_int_equal(amp_rpmsg_send(&h, "\1\0\0\0", 4), 4);
	fx_pump(fx);
	assert_int_equal(fx->remote.stats.drops[AMP_RPMSG_DROP_NS_OFF], 1);
	assert_int_equal(amp_rpmsg_create_ept(&ns, &fx->remote, "", 53, 1, sink_cb, NULL, &s), 0);
	fx_free(fx);

	fx = fx_new(NULL);
	assert_int_equal(amp_rpmsg_create_ept(&ns, &fx->remote, "", 53, 1, sink_cb, NULL, &s),
			 AMP_EADDRINUSE);
	assert_int_equal(amp_rpmsg_create_ept(NULL, &fx->remote, "", 1, 1, sink_cb, NULL, &s),
			 AMP_EINVAL);
	/* Sending with ANY as src or dst is refused (Linux: no broadcast). */
	assert_int_equal(
	    amp_rpmsg_create_ept(&e[0], &fx->remote, "", 60, AMP_RPMSG_ADDR_ANY, sink_cb, NULL, &s),
	    0);
	assert_int_equal(amp_rpmsg_send(&e[0], "x", 1), AMP_EINVAL);
	assert_int_equal(amp_rpmsg_send_offchannel(&e[0], AMP_RPMSG_ADDR_ANY, 5, "x", 1, 0),
			 AMP_EINVAL);
	assert_int_equal(amp_rpmsg_trysendto(&e[0], 5, NULL, 1), AMP_EINVAL);
	fx_free(fx);
}

static void zero_copy_both_ways(void **state)
{
	struct sink rs = {.hold = true}, hs = {.hold = true};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true});
	uint32_t cap = 0;
	uint8_t *p;
	uint16_t used1;
	(void)state;

	ept_pair(fx, &rept, &rs, &hept, &hs);

	/* Host TX zero-copy; remote RX hold. */
	p = amp_rpmsg_get_tx_buffer(&hept, &cap, 0);
	assert_non_null(p);
	assert_int_equal(cap, 496);
	memset(p, 0, 8);
	memcpy(p + 4, "zc-h", 4);
	assert_int_equal(amp_rpmsg_send_nocopy(&hept, 1024, 100, p, 497), AMP_EMSGSIZE);
	assert_int_equal(amp_rpmsg_send_nocopy(&hept, 1024, 100, p, 8), 8);
	/* Sent: no longer the application's. */
	assert_int_equal(amp_rpmsg_send_nocopy(&hept, 1024, 100, p, 8), AMP_EINVAL);
	assert_int_equal(amp_rpmsg_release_tx_buffer(&hept, p), AMP_EINVAL);
	used1 = fx_used(fx, 1)->idx;
	fx_pump(fx);
	assert_int_equal(rs.count, 1);
	assert_memory_equal(rs.held[0], "\0\0\0\0zc-h", 8);
	/* Held: not yet returned on vring1. */
	assert_int_equal(fx_used(fx, 1)->idx, used1);
	assert_int_equal(amp_rpmsg_hold_rx_buffer(&rept, rs.held[0]), AMP_EINVAL); /* outside cb */
	assert_int_equal(amp_rpmsg_release_rx_buffer(&rept, rs.held[0]), 0);
	assert_int_equal(fx_used(fx, 1)->idx, (uint16_t)(used1 + 1));
	assert_int_equal(amp_rpmsg_release_rx_buffer(&rept, rs.held[0]), AMP_EINVAL); /* twice */
	assert_int_equal(fx_used(fx, 1)->idx, (uint16_t)(used1 + 1));

	/* Remote TX zero-copy; host RX hold keeps the buffer off vring0. */
	p = amp_rpmsg_get_tx_buffer(&rept, &cap, 0);
	assert_non_null(p);
	assert_int_equal(cap, 496);
	memset(p, 0, 4);
	memcpy(p + 4, "zc-r", 4);
	assert_int_equal(amp_rpmsg_send_nocopy(&rept, 100, 1024, p, 497), AMP_EMSGSIZE);
	assert_int_equal(amp_rpmsg_send_nocopy(&rept, 100, 1024, p, 8), 8);
	assert_int_equal(amp_rpmsg_send_nocopy(&rept, 100, 1024, p, 8), AMP_EINVAL); /* sent */
	fx_pump(fx);
	assert_int_equal(hs.count, 1);
	assert_memory_equal(hs.held[0], "\0\0\0\0zc-r", 8);
	uint16_t avail0 = fx_avail(fx, 0)->idx;
	fx_pump(fx);
	assert_int_equal(fx_avail(fx, 0)->idx, avail0); /* not re-posted while held */
	assert_int_equal(amp_rpmsg_release_rx_buffer(&hept, hs.held[0]), 0);
	assert_int_equal(fx_avail(fx, 0)->idx, (uint16_t)(avail0 + 1));
	assert_int_equal(amp_rpmsg_release_rx_buffer(&hept, hs.held[0]), AMP_EINVAL); /* twice */
	assert_int_equal(amp_rpmsg_release_rx_buffer(&hept, (uint8_t *)hs.held[0] + 1), AMP_EINVAL);

	/* Unused TX buffers go back: host to its free set, remote to its stash. */
	void *bufs[16];
	for (int i = 0; i < 16; i++)
		assert_non_null(bufs[i] = amp_rpmsg_get_tx_buffer(&hept, NULL, 0));
	fx_pump(fx); /* reclaim needs the used ring; all 16 were free anyway */
	assert_null(amp_rpmsg_get_tx_buffer(&hept, NULL, 0));
	for (int i = 0; i < 16; i++)
		assert_int_equal(amp_rpmsg_release_tx_buffer(&hept, bufs[i]), 0);
	assert_non_null(bufs[0] = amp_rpmsg_get_tx_buffer(&hept, NULL, 0));
	assert_int_equal(amp_rpmsg_release_tx_buffer(&hept, bufs[0]), 0);

	uint32_t taken = fx->remote.tvq.stats.bufs;
	void *r1 = amp_rpmsg_get_tx_buffer(&rept, NULL, 0);
	void *r2 = amp_rpmsg_get_tx_buffer(&rept, NULL, 0);
	void *r3 = amp_rpmsg_get_tx_buffer(&rept, NULL, 0);
	assert_non_null(r3);
	assert_int_equal(amp_rpmsg_release_tx_buffer(&rept, r1), 0);
	assert_int_equal(amp_rpmsg_release_tx_buffer(&rept, r2), 0);
	assert_int_equal(amp_rpmsg_release_tx_buffer(&rept, r3), AMP_EBUSY);
	assert_int_equal(amp_rpmsg_release_tx_buffer(&rept, r1), AMP_EINVAL); /* twice */
	/* The stashed buffers are reused before new ones are taken from vring0. */
	memset(p = amp_rpmsg_get_tx_buffer(&rept, NULL, 0), 0, 4);
	assert_int_equal(amp_rpmsg_send_nocopy(&rept, 100, 1024, p, 4), 4);
	assert_int_equal(amp_rpmsg_trysend(&rept, "\2\0\0\0", 4), 4);
	assert_int_equal(amp_rpmsg_send_nocopy(&rept, 100, 1024, r3, 0), 0);
	assert_int_equal(fx->remote.tvq.stats.bufs, taken + 3);
	hs.hold = false;
	fx_pump(fx);
	assert_int_equal(hs.count, 4);

	/* Releasing from the buffer's own callback is refused, held or not, in both roles; the
	 * drain loop returns it exactly once (a double post would trip the core's assertion). */
	rs.hold = hs.hold = false;
	rs.release_in_cb = hs.release_in_cb = true;
	for (int i = 0; i < 40; i++) {
		assert_int_equal(amp_rpmsg_trysend(&hept, "\0\0\0\0", 4), 4);
		assert_int_equal(amp_rpmsg_trysend(&rept, "\0\0\0\0", 4), 4);
		fx_pump(fx);
	}
	rs.hold = true;
	rs.nheld = 0;
	assert_int_equal(amp_rpmsg_trysend(&hept, "\0\0\0\0", 4), 4);
	fx_pump(fx);
	assert_int_equal(amp_rpmsg_release_rx_buffer(&rept, rs.held[0]), 0);
	assert_true(amp_rpmsg_ready(&fx->host));
	assert_true(amp_rpmsg_ready(&fx->remote));
	fx_free(fx);
}

static void host_tx_exhaustion(void **state)
{
	struct sink rs = {0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true});
	uint32_t seq;
	(void)state;

	ept_pair(fx, &rept, &rs, &hept, NULL);
	/* The remote does not run: 16 TX buffers, then nothing. */
	for (seq = 0; seq < 16; seq++)
		assert_int_equal(amp_rpmsg_trysend(&hept, &seq, 4), 4);
	assert_int_equal(amp_rpmsg_trysend(&hept, &seq, 4), AMP_ENOMEM);
	assert_int_equal(fx->host.stats.tx_nobuf, 1);

	/* Blocking send times out after the timeout (1 simulated ms per wait). */
	fx->hp.wait_mode = FX_WAIT_TICK;
	assert_int_equal(amp_rpmsg_send_offchannel(&hept, 1024, 100, &seq, 4, 5), AMP_ETIMEDOUT);
	assert_int_equal(fx->hp.waits, 5);
	assert_int_equal(fx->host.stats.tx_timeouts, 1);
	/* TX-complete interrupts were turned on only while waiting. */
	assert_int_equal(fx_avail(fx, 1)->flags, AMP_VRING_AVAIL_F_NO_INTERRUPT);

	/* A blocked sender resumes when the remote returns buffers. */
	fx->hp.wait_mode = FX_WAIT_PUMP_PEER;
	fx->hp.waits = 0;
	assert_int_equal(amp_rpmsg_send(&hept, &seq, 4), 4);
	assert_int_equal(fx->hp.waits, 1);
	assert_int_equal(rs.count, 16);
	/* While the host waited the remote was asked to interrupt, and it did. */
	assert_int_equal(fx->remote.rvq.stats.kicks, 1);
	assert_true(fx->hp.pending & (1u << 1));
	assert_int_equal(fx_avail(fx, 1)->flags, AMP_VRING_AVAIL_F_NO_INTERRUPT);
	fx_pump(fx);
	assert_int_equal(rs.count, 17);
	assert_int_equal(rs.seq_errors, 0);
	fx_free(fx);
}

/* A remote that has sent 16 messages to the host, unread: every TX buffer is out. */
static struct fx *remote_out_of_tx(uint32_t features, struct amp_rpmsg_ept *rept,
				   struct amp_rpmsg_ept *hept, struct sink *hs)
{
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true, .features = features});

	ept_pair(fx, rept, NULL, hept, hs);
	for (uint32_t seq = 0; seq < 16; seq++)
		assert_int_equal(amp_rpmsg_trysend(rept, &seq, 4), 4);
	return fx;
}

static void remote_tx_exhaustion(void **state)
{
	struct sink hs = {0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = remote_out_of_tx(0, &rept, &hept, &hs);
	uint32_t seq = 16;
	(void)state;

	assert_int_equal(amp_rpmsg_trysend(&rept, &seq, 4), AMP_ENOMEM);
	fx->rp.wait_mode = FX_WAIT_TICK;
	assert_int_equal(amp_rpmsg_send_offchannel(&rept, 100, 1024, &seq, 4, 3), AMP_ETIMEDOUT);
	assert_int_equal(fx->rp.waits, 3);
	/* Waiting asked the host for vring0 kicks; afterwards NO_NOTIFY is back. */
	assert_int_equal(fx_used(fx, 0)->flags, AMP_VRING_USED_F_NO_NOTIFY);

	fx->rp.wait_mode = FX_WAIT_PUMP_PEER;
	uint32_t host_kicks = fx->host.rvq.stats.kicks;
	assert_int_equal(amp_rpmsg_send(&rept, &seq, 4), 4);
	assert_int_equal(hs.count, 16);
	assert_int_equal(fx->host.rvq.stats.kicks, host_kicks + 1); /* the refill kick */
	fx_pump(fx);
	assert_int_equal(hs.count, 17);
	assert_int_equal(hs.seq_errors, 0);
	fx_free(fx);
}

/*
 * The host gives TX buffers back in the instant between the remote's empty look and its
 * "notify me" store: the host still sees notifications off and does not kick. The remote
 * must see those buffers when it turns notifications on, not sleep until a kick that never
 * comes (on a board: until the send times out).
 */
static struct fx *race_fx;
static const struct amp_rpmsg_role_ops *race_real;
static uint32_t race_returns;

static int tx_get_then_host_returns(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *cap,
				    uint16_t *id)
{
	int r = race_real->tx_get(dev, buf, cap, id);
	if (r == 0 && race_returns == 0) {
		race_returns++;
		fx_deliver(race_fx, true); /* the host reads all 16 and gives the buffers back */
	}
	return r;
}

static void buffers_back_before_the_remote_waits_with(uint32_t features)
{
	struct sink hs = {0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = remote_out_of_tx(features, &rept, &hept, &hs);
	uint32_t seq = 16;
	struct amp_rpmsg_role_ops racing = *fx->remote.ops;
	racing.tx_get = tx_get_then_host_returns;
	race_fx = fx;
	race_real = fx->remote.ops;
	race_returns = 0;
	fx->remote.ops = &racing;
	fx->rp.wait_mode = FX_WAIT_TICK;
	uint32_t host_kicks = fx->host.rvq.stats.kicks;

	assert_int_equal(amp_rpmsg_send_offchannel(&rept, 100, 1024, &seq, 4, 1000), 4);
	assert_int_equal(race_returns, 1);
	assert_int_equal(hs.count, 16);
	/* No kick was due (notifications were off), so none came; the remote did not sleep. */
	assert_int_equal(fx->host.rvq.stats.kicks, host_kicks);
	assert_int_equal(fx->rp.waits, 0);
	fx->remote.ops = race_real;
	fx_pump(fx);
	assert_int_equal(hs.count, 17);
	assert_int_equal(hs.seq_errors, 0);
	fx_free(fx);
}

static void buffers_back_before_the_remote_waits(void **state)
{
	(void)state;
	buffers_back_before_the_remote_waits_with(0);
	buffers_back_before_the_remote_waits_with(1u << AMP_VIRTIO_RING_F_EVENT_IDX);
}

/*
 * More than 65536 messages each way, so every 16-bit ring index (and, with EVENT_IDX, every
 * event index) wraps. Messages are only delivered on a doorbell, so a lost notification
 * shows up as a missing message.
 */
static void index_wrap_with(uint32_t features)
{
	struct sink rs = {0}, hs = {0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true, .features = features});
	const uint32_t n = 70001;

	ept_pair(fx, &rept, &rs, &hept, &hs);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(amp_rpmsg_trysend(&hept, &i, 4), 4);
		assert_int_equal(amp_rpmsg_trysend(&rept, &i, 4), 4);
		if (i % 7 == 6) /* batches, so several slots are in flight at the wrap */
			fx_pump(fx);
	}
	fx_pump(fx);
	assert_int_equal(rs.count, n);
	assert_int_equal(hs.count, n);
	assert_int_equal(rs.seq_errors, 0);
	assert_int_equal(hs.seq_errors, 0);
	assert_int_equal(fx_avail(fx, 1)->idx, (uint16_t)n);
	assert_int_equal(fx_used(fx, 0)->idx, (uint16_t)n);
	for (int q = 0; q < AMP_VQ_ERR_COUNT; q++) {
		assert_int_equal(fx->host.rvq.stats.err[q], 0);
		assert_int_equal(fx->remote.rvq.stats.err[q], 0);
	}
	fx_free(fx);
}

static void index_wrap(void **state)
{
	(void)state;
	index_wrap_with(0);
}

static void index_wrap_event_idx(void **state)
{
	(void)state;
	index_wrap_with(1u << AMP_VIRTIO_RING_F_EVENT_IDX);
}

static void ping_pong(struct fx *fx, struct amp_rpmsg_ept *rept, struct amp_rpmsg_ept *hept, int n)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(amp_rpmsg_trysend(hept, &i, 4), 4);
		fx_pump(fx);
	}
	for (int i = 0; i < n; i++) {
		assert_int_equal(amp_rpmsg_trysend(rept, &i, 4), 4);
		fx_pump(fx);
	}
}

static void notification_counts(void **state)
{
	struct sink rs = {0}, hs = {0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx;
	(void)state;

	/* Suppression on (Linux + OpenAMP defaults). */
	fx = fx_new(&(struct fx_opts){.no_ns = true});
	ept_pair(fx, &rept, &rs, &hept, &hs);
	ping_pong(fx, &rept, &hept, 10);
	assert_int_equal(fx->host.tvq.stats.kicks, 10);	 /* each message kicks vring1 */
	assert_int_equal(fx->remote.rvq.stats.kicks, 0); /* host asked: no TX-complete irq */
	assert_int_equal(fx->remote.rvq.stats.kicks_suppressed, 10);
	assert_int_equal(fx->remote.tvq.stats.kicks, 10); /* each message kicks vring0 */
	assert_int_equal(fx->host.rvq.stats.kicks, 1);	  /* only the bring-up kick */
	assert_int_equal(fx->host.rvq.stats.kicks_suppressed, 10);
	assert_int_equal(fx->hp.kicks[0], 1);
	assert_int_equal(fx->hp.kicks[1], 10);
	assert_int_equal(fx->rp.kicks[0], 10);
	assert_int_equal(fx->rp.kicks[1], 0);
	assert_int_equal(fx->remote.rvq.stats.interrupts, 10);
	fx_free(fx);

	/* Suppression off: every publish notifies. */
	fx = fx_new(&(struct fx_opts){.no_ns = true, .no_suppress = true});
	rs.count = hs.count = 0;
	rs.next_seq = hs.next_seq = 0;
	ept_pair(fx, &rept, &rs, &hept, &hs);
	ping_pong(fx, &rept, &hept, 10);
	assert_int_equal(fx->host.tvq.stats.kicks, 10);
	assert_int_equal(fx->remote.rvq.stats.kicks, 10);
	assert_int_equal(fx->remote.tvq.stats.kicks, 10);
	assert_int_equal(fx->host.rvq.stats.kicks, 11);
	assert_int_equal(fx->rp.kicks[1], 10);
	assert_int_equal(fx->hp.kicks[0], 11);
	assert_int_equal(rs.count, 10);
	assert_int_equal(hs.count, 10);
	fx_free(fx);
}

static void event_idx_batches(void **state)
{
	struct sink rs = {0}, hs = {0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true, .features = 1u << 29});
	(void)state;

	assert_true(fx->host.tvq.flags & AMP_VQ_F_EVENT_IDX);
	ept_pair(fx, &rept, &rs, &hept, &hs);
	/* A batch of 8 before the remote runs: one kick, seven suppressed by avail_event. */
	for (int i = 0; i < 8; i++)
		assert_int_equal(amp_rpmsg_trysend(&hept, &i, 4), 4);
	assert_int_equal(fx->host.tvq.stats.kicks, 1);
	assert_int_equal(fx->host.tvq.stats.kicks_suppressed, 7);
	fx_pump(fx);
	assert_int_equal(rs.count, 8);
	/* The remote consumed and re-armed: the next message kicks again. */
	int i = 8;
	assert_int_equal(amp_rpmsg_trysend(&hept, &i, 4), 4);
	assert_int_equal(fx->host.tvq.stats.kicks, 2);
	/* Host never asked for TX-complete interrupts. */
	assert_int_equal(fx->remote.rvq.stats.kicks, 0);
	/* Same for the other direction. */
	for (i = 0; i < 8; i++)
		assert_int_equal(amp_rpmsg_trysend(&rept, &i, 4), 4);
	assert_int_equal(fx->remote.tvq.stats.kicks, 1);
	fx_pump(fx);
	assert_int_equal(hs.count, 8);
	assert_int_equal(rs.count, 9);
	assert_int_equal(rs.seq_errors, 0);
	fx_free(fx);
}

static void oversize_payload(void **state)
{
	struct sink rs = {0}, hs = {0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true});
	static uint8_t big[70000];
	(void)state;

	ept_pair(fx, &rept, &rs, &hept, &hs);
	assert_int_equal(amp_rpmsg_tx_mtu(&fx->host), 496);
	assert_int_equal(amp_rpmsg_trysend(&hept, big, 497), AMP_EMSGSIZE);
	assert_int_equal(amp_rpmsg_send(&hept, big, 497), AMP_EMSGSIZE);
	assert_int_equal(amp_rpmsg_trysend(&hept, big, sizeof(big)), AMP_EMSGSIZE);
	assert_int_equal(amp_rpmsg_trysend(&hept, big, 496), 496);
	uint32_t taken = fx->remote.tvq.stats.bufs;
	assert_int_equal(amp_rpmsg_trysend(&rept, big, 497), AMP_EMSGSIZE);
	assert_int_equal(amp_rpmsg_trysend(&rept, big, 496), 496);
	assert_int_equal(fx->remote.tvq.stats.bufs, taken + 1); /* the refused one was reused */
	fx_pump(fx);
	assert_int_equal(rs.count, 1);
	assert_int_equal(rs.last_len, 496);
	assert_int_equal(hs.count, 1);
	assert_int_equal(hs.last_len, 496);
	fx_free(fx);
}

static void configurable_sizes(void **state)
{
	struct sink rs = {0}, hs = {0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = fx_alloc(&(struct fx_opts){.no_ns = true, .rx_count = 4, .tx_count = 8});
	(void)state;

	fx->hcfg.rx_buf_size = 1024; /* 4 * 1024 + 8 * 1536 = 16 KiB */
	fx->hcfg.tx_buf_size = 1536;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), 0);
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), 0);
	assert_int_equal(fx_avail(fx, 0)->idx, 4);
	assert_int_equal(amp_rpmsg_tx_mtu(&fx->host), 1520);
	ept_pair(fx, &rept, &rs, &hept, &hs);
	static uint8_t buf[1600];
	assert_int_equal(amp_rpmsg_trysend(&hept, buf, 1520), 1520);
	assert_int_equal(amp_rpmsg_trysend(&rept, buf, 1008), 1008);
	assert_int_equal(amp_rpmsg_trysend(&rept, buf, 1009), AMP_EMSGSIZE);
	for (int i = 0; i < 3; i++)
		assert_int_equal(amp_rpmsg_trysend(&rept, buf, 8), 8);
	assert_int_equal(amp_rpmsg_trysend(&rept, buf, 8), AMP_ENOMEM); /* only 4 RX buffers */
	fx_pump(fx);
	assert_int_equal(rs.last_len, 1520);
	assert_int_equal(hs.count, 4);
	fx_free(fx);

	/* Invalid configurations. */
	fx = fx_alloc(&(struct fx_opts){.rx_count = 17});
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), AMP_EINVAL);
	fx->hcfg.rx_count = 16;
	fx->hcfg.pool_size = FX_POOL_SIZE - 1;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), AMP_EINVAL);
	fx->hcfg.pool_size = FX_POOL_SIZE;
	fx->hcfg.rx_buf_size = 510;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), AMP_EINVAL);
	fx->hcfg.rx_buf_size = 0;
	fx->hcfg.pool_da = FX_BASE_DA + FX_POOL_OFF + 4;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), AMP_EFAULT);
	fx->hcfg.pool_da = FX_BASE_DA + FX_POOL_OFF;
	fx->hcfg.vring[1].num = 24;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), AMP_EINVAL);
	fx->hcfg.vring[1].num = 16;
	fx->hcfg.vring[1].align = 12;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), AMP_EINVAL);
	fx->hcfg.vring[1].align = 16;
	fx->hcfg.vring[1].da = 0x1000;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), AMP_EFAULT);
	fx->hcfg.vring[1].da = FX_BASE_DA + FX_VRING1_OFF;
	fx->hcfg.work_words = 1;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), AMP_EINVAL);
	fx_free(fx);
}

static void remote_waits_for_driver_ok(void **state)
{
	struct fx *fx = fx_alloc(NULL);
	struct amp_rpmsg_ept e;
	(void)state;

	/* Not started: the remote polls the status byte through wait() and gives up. */
	fx->rcfg.ready_timeout_ms = 50;
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), AMP_ETIMEDOUT);
	assert_int_equal(fx->rp.waits, 50);
	assert_false(amp_rpmsg_ready(&fx->remote));
	assert_int_equal(amp_rpmsg_notified(&fx->remote, 0), AMP_ENOTCONN);
	assert_int_equal(amp_rpmsg_create_ept(&e, &fx->remote, "", 1, 1, NULL, NULL, NULL),
			 AMP_EINVAL);

	/* The host writes DRIVER_OK (no kick for it) and kicks vring0 afterwards. */
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), 0);
	assert_int_equal(fx->status & AMP_VIRTIO_STATUS_DRIVER_OK, AMP_VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(fx->hp.kicks[0], 1);
	assert_int_equal(fx_avail(fx, 0)->idx, 16);
	assert_int_equal(fx_avail(fx, 1)->idx, 0);
	assert_int_equal(fx_used(fx, 1)->idx, 0); /* zeroed over the 0xA5 fill */
	fx->rp.waits = 0;
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), 0);
	assert_int_equal(fx->rp.waits, 0);
	assert_int_equal(fx_used(fx, 0)->flags, AMP_VRING_USED_F_NO_NOTIFY);
	assert_int_equal(amp_rpmsg_notified(&fx->remote, 7), AMP_ENOENT);
	assert_int_equal(amp_rpmsg_notified(&fx->remote, 0), 0);
	assert_int_equal(fx->remote.tvq.stats.interrupts, 1);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(echo_both_directions),
	    cmocka_unit_test(ns_create_destroy_binding),
	    cmocka_unit_test(addresses),
	    cmocka_unit_test(zero_copy_both_ways),
	    cmocka_unit_test(host_tx_exhaustion),
	    cmocka_unit_test(remote_tx_exhaustion),
	    cmocka_unit_test(buffers_back_before_the_remote_waits),
	    cmocka_unit_test(index_wrap),
	    cmocka_unit_test(index_wrap_event_idx),
	    cmocka_unit_test(notification_counts),
	    cmocka_unit_test(event_idx_batches),
	    cmocka_unit_test(oversize_payload),
	    cmocka_unit_test(configurable_sizes),
	    cmocka_unit_test(remote_waits_for_driver_ok),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
