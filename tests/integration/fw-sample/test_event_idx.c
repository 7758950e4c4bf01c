/*
 * VIRTIO_RING_F_EVENT_IDX negotiated as Linux's remoteproc does (docs/rpmsg-core.md): a
 * firmware that offers it gets it in gfeatures, both vrings switch to used_event /
 * avail_event suppression, every message still arrives in both directions (a suppression bug
 * loses a wake-up and the exchange stalls), and the doorbells drop from one per message to
 * one per batch. A firmware that does not offer it keeps the ring flags.
 * libampsim in-process (the Linux role) against the real echo sample binaries.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include <string.h>

#include <amp/error.h>
#include <amp/ipcc.h>
#include <amp/rproc_elf.h>
#include <amp/rsc_parse.h>
#include <amp/rsc_table.h>
#include <amp/stm32mp1.h>
#include <amp/virtqueue.h>
#include <amp/vring_layout.h>
#include <ampsim/host.h>
#include <ampsim/soc.h>

#include "itest.h"
#include "itest_glib.h"

#define EVIDX (1u << AMP_VIRTIO_RING_F_EVENT_IDX)
#define NS (1u << AMP_VIRTIO_RPMSG_F_NS)
#define BURST 16 /* the vrings' size: one burst fills vring1 */

struct fx {
	struct amp_host *host;
	struct amp_host_chan *ch;
	unsigned nrx;  /* messages received so far */
	uint32_t next; /* sequence number the next reply must carry */
	bool bad;      /* a reply out of order or damaged */
	bool tx_ready;
};

static void on_channel_new(void *priv, struct amp_host_chan *ch)
{
	struct fx *f = priv;
	if (!strcmp(ch->name, "rpmsg-openamp-demo-channel"))
		f->ch = ch;
}

/* Every reply is {seq, ~seq, seq-derived bytes...}: check it on arrival. */
static void on_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct fx *f = priv;
	const uint8_t *p = data;
	uint32_t seq;
	if (ch != f->ch || len < 8)
		goto bad;
	memcpy(&seq, p, 4);
	if (seq != f->next || len != 8 + seq % 64)
		goto bad;
	for (size_t i = 8; i < len; i++)
		if (p[i] != (uint8_t)(seq + i))
			goto bad;
	f->next++;
	f->nrx++;
	return;
bad:
	f->bad = true;
}

static void on_tx_ready(void *priv)
{
	((struct fx *)priv)->tx_ready = true;
}

static const struct amp_host_ops ops = {
    .channel_new = on_channel_new, .receive = on_receive, .tx_ready = on_tx_ready};

static bool announced(const void *arg)
{
	return ((const struct fx *)arg)->ch != NULL;
}

static struct fx *boot(void **state, const char *fw)
{
	struct fx *f = *state = g_new0(struct fx, 1);
	struct amp_host_cfg cfg = {.rproc = {.firmware = fw}, .ops = &ops, .priv = f};
	GError *err = NULL;
	f->host = amp_host_new(&cfg, &err);
	if (!f->host)
		fail_msg("amp_host_new(%s): %s", fw, err->message);
	if (!amp_host_start(f->host, &err))
		fail_msg("amp_host_start(%s): %s", fw, err->message);
	if (!itest_loop_until(NULL, announced, f, ITEST_BOOT_MS))
		fail_msg("%s did not announce its channel within %d ms", fw, ITEST_BOOT_MS);
	return f;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f) {
		amp_host_free(f->host);
		g_free(f);
	}
	return 0;
}

/* Message number @seq: 8 to 71 bytes, so the sizes vary too. */
static void send_seq(struct fx *f, uint32_t seq)
{
	uint8_t m[8 + 64];
	size_t len = 8 + seq % 64;
	uint32_t inv = ~seq;
	memcpy(m, &seq, 4);
	memcpy(m + 4, &inv, 4);
	for (size_t i = 8; i < len; i++)
		m[i] = (uint8_t)(seq + i);
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS;;) {
		f->tx_ready = false;
		int rc = amp_host_send(f->ch, m, len);
		if (rc == 0)
			return;
		if (rc != AMP_ENOMEM || itest_now_ms() > end)
			fail_msg("amp_host_send(#%u): %s", seq, amp_strerror(rc));
		itest_loop_until(NULL, itest_flag_set, &f->tx_ready, 50);
	}
}

static void wait_rx(struct fx *f, unsigned n)
{
	if (!itest_loop_until_count(NULL, &f->nrx, n, ITEST_REPLY_MS))
		fail_msg("%u of %u replies arrived (a lost wake-up?)", f->nrx, n);
	assert_false(f->bad);
}

/* Both of the host's vrings use the event words iff @want. */
static void check_negotiated(struct fx *f, bool want)
{
	struct amp_rpmsg_dev *dev = amp_host_rpmsg(f->host);
	assert_non_null(dev);
	assert_int_equal(!!(dev->rvq.flags & AMP_VQ_F_EVENT_IDX), want);
	assert_int_equal(!!(dev->tvq.flags & AMP_VQ_F_EVENT_IDX), want);
	/* ...and the firmware reads the same in the loaded table's gfeatures. */
	struct amp_rsc_entry e;
	uint64_t da, size;
	void *table;
	assert_int_equal(amp_soc_get_rsc(amp_host_soc(f->host), &da, &size, &table), AMP_OK);
	assert_int_equal(amp_rsc_find(table, size, AMP_RSC_KIND_VDEV, 0, &e, NULL), AMP_OK);
	assert_int_equal(e.u.vdev.gfeatures, want ? NS | EVIDX : NS);
}

static void negotiated_when_offered(void **state)
{
	check_negotiated(boot(state, ECHO_EVIDX_FW), true);
}

static void not_negotiated_when_not_offered(void **state)
{
	check_negotiated(boot(state, ECHO_FW), false);
}

/* A copy of @p fw whose resource table offers @p dfeatures (the file patched in place). */
static const char *with_offer(const char *fw, uint32_t dfeatures)
{
	gchar *img;
	gsize len;
	const uint8_t *table;
	size_t tlen;
	struct amp_elf_section sec;
	struct amp_rsc_entry e;
	assert_true(g_file_get_contents(fw, &img, &len, NULL));
	assert_int_equal(amp_elf_find_rsc_table(img, len, NULL, &sec, &table, &tlen, NULL), 0);
	assert_int_equal(amp_rsc_find(table, tlen, AMP_RSC_KIND_VDEV, 0, &e, NULL), AMP_OK);
	size_t at = (size_t)(table - (const uint8_t *)img) + e.offset +
		    offsetof(struct amp_fw_rsc_vdev, dfeatures);
	memcpy(img + at, &dfeatures, 4); /* little-endian host, as the ELF */
	const char *path = itest_scratch_path("offer");
	assert_true(g_file_set_contents(path, img, (gssize)len, NULL));
	assert_int_equal(chmod(path, 0755), 0);
	g_free(img);
	return path;
}

/* Offered everything, the host keeps what Linux keeps: NS, INDIRECT_DESC and EVENT_IDX. */
static void every_bit_offered_gets_linuxs_answer(void **state)
{
	struct fx *f = boot(state, with_offer(ECHO_FW, 0xFFFFFFFFu));
	struct amp_rsc_entry e;
	uint64_t da, size;
	void *table;
	assert_int_equal(amp_soc_get_rsc(amp_host_soc(f->host), &da, &size, &table), AMP_OK);
	assert_int_equal(amp_rsc_find(table, size, AMP_RSC_KIND_VDEV, 0, &e, NULL), AMP_OK);
	assert_int_equal(e.u.vdev.gfeatures, NS | EVIDX | 1u << AMP_VIRTIO_RING_F_INDIRECT_DESC);
	for (uint32_t i = 0; i < 100; i++) { /* and the firmware works with what it got */
		send_seq(f, i);
		wait_rx(f, i + 1);
	}
}

/* One message at a time: every reply needs a wake-up each way, none may be suppressed. */
static void ping_pong(void **state)
{
	struct fx *f = boot(state, ECHO_EVIDX_FW);
	for (uint32_t i = 0; i < 2000; i++) {
		send_seq(f, i);
		wait_rx(f, i + 1);
	}
}

/* Pipelined bursts larger than the rings while the firmware runs: all back, in order. */
static void running_bursts(void **state)
{
	struct fx *f = boot(state, ECHO_EVIDX_FW);
	uint32_t seq = 0;
	for (unsigned b = 1; b <= 40; b++) {
		unsigned n = 1 + (b * 7) % 100; /* 8 .. 100, past the 16 entries of each ring */
		for (unsigned i = 0; i < n; i++)
			send_seq(f, seq++);
		wait_rx(f, seq);
	}
}

struct kicks {
	uint32_t host_ch2; /* the host's doorbells for vring1 (its own counter) */
	uint32_t fw_ch1;   /* the firmware's doorbells for vring0 (the shared counter block) */
};

static struct kicks kicks_now(struct fx *f)
{
	const struct amp_ipcc_shared *sh = amp_soc_ipcc(amp_host_soc(f->host));
	return (struct kicks){
	    .host_ch2 =
		(uint32_t)atomic_load(&amp_host_ipcc_link(f->host)->chan[AMP_IPCC_CH_VRING1].kicks),
	    .fw_ch1 = atomic_load(&sh->stats[AMP_IPCC_PROC2][AMP_IPCC_CH_VRING0].kicks),
	};
}

/* Every TX buffer back in vring1's used ring: a burst of 16 then finds 16 free. */
static void wait_returned(struct amp_rpmsg_dev *dev)
{
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS;
	     amp_vq_peer_idx(&dev->tvq) != dev->tvq.shadow_idx;)
		if (itest_now_ms() > end)
			fail_msg("the firmware kept TX buffers for %d ms", ITEST_REPLY_MS);
		else
			itest_msleep(1);
}

/*
 * R rounds of: stop the firmware, send a burst of 16, let it run and answer all 16 while the
 * host's loop does not run, then take the answers. Deterministic: with the event index the
 * first message of a burst passes the peer's event word and the other 15 do not, on each
 * side; with the ring flags nobody suppresses data kicks.
 */
static struct kicks stopped_bursts(struct fx *f, unsigned rounds)
{
	pid_t pid = amp_host_fw_pid(f->host);
	struct amp_rpmsg_dev *dev = amp_host_rpmsg(f->host);
	uint32_t seq = 0;
	send_seq(f, seq++); /* settle: one exchange before the first count */
	wait_rx(f, 1);
	struct kicks k0 = kicks_now(f);
	for (unsigned r = 0; r < rounds; r++) {
		wait_returned(dev);
		assert_int_equal(kill(pid, SIGSTOP), 0);
		siginfo_t si;
		assert_int_equal(waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOWAIT), 0);
		uint16_t used0 = amp_vq_peer_idx(&dev->rvq);
		for (unsigned i = 0; i < BURST; i++)
			send_seq(f, seq++);
		assert_int_equal(kill(pid, SIGCONT), 0);
		/* All 16 answers in vring0 before the host looks (bounded: a safety net). */
		for (int64_t end = itest_now_ms() + ITEST_REPLY_MS;
		     (uint16_t)(amp_vq_peer_idx(&dev->rvq) - used0) < BURST;)
			if (itest_now_ms() > end)
				fail_msg("round %u: the firmware answered %u of %d", r,
					 (uint16_t)(amp_vq_peer_idx(&dev->rvq) - used0), BURST);
			else
				itest_msleep(1);
		wait_rx(f, 1 + (r + 1) * BURST);
	}
	struct kicks k1 = kicks_now(f);
	return (struct kicks){k1.host_ch2 - k0.host_ch2, k1.fw_ch1 - k0.fw_ch1};
}

enum { ROUNDS = 10 };

static void bursts_ring_once_per_batch(void **state)
{
	struct kicks k = stopped_bursts(boot(state, ECHO_EVIDX_FW), ROUNDS);
	assert_int_equal(k.host_ch2, ROUNDS);
	assert_int_equal(k.fw_ch1, ROUNDS);
}

/* The same traffic without the feature: a doorbell per message (the baseline). */
static void bursts_ring_per_message_without(void **state)
{
	struct kicks k = stopped_bursts(boot(state, ECHO_FW), ROUNDS);
	assert_int_equal(k.host_ch2, ROUNDS * BURST);
	/* The last answer's kick may land just after the count: at most one short. */
	assert_in_range(k.fw_ch1, ROUNDS * BURST - 1, ROUNDS * BURST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(negotiated_when_offered, teardown),
	    cmocka_unit_test_teardown(not_negotiated_when_not_offered, teardown),
	    cmocka_unit_test_teardown(every_bit_offered_gets_linuxs_answer, teardown),
	    cmocka_unit_test_teardown(ping_pong, teardown),
	    cmocka_unit_test_teardown(running_bursts, teardown),
	    cmocka_unit_test_teardown(bursts_ring_once_per_batch, teardown),
	    cmocka_unit_test_teardown(bursts_ring_per_message_without, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
