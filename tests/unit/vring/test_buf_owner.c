/*
 * The buffer-ownership sanitizer's hook (amp_port_ops.buf_owner, docs/faults.md): the
 * remote core reports every buffer that becomes its own or stops being so, with the whole
 * buffer's range, at the moment it changes hands. A recording port keeps a model of which
 * buffers the firmware owns; the test checks it after every API call, as valgrind or ASan
 * would check the firmware's accesses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <amp/error.h>
#include <amp/rpmsg.h>

#include "harness.h"

#define NBUF 32 /* the harness's pool: 16 + 16 buffers of 512 bytes */
#define BUF 512u

static struct {
	uint8_t *pool;	    /* fx_va() of the pool */
	int8_t owned[NBUF]; /* -1 never reported, 0 the peer's, 1 ours */
	uint32_t len[NBUF]; /* the range reported when it became ours */
	uint32_t events, bad;
} m;

static int buf_index(const void *p)
{
	ptrdiff_t off = (const uint8_t *)p - m.pool;
	return off >= 0 && off < NBUF * (ptrdiff_t)BUF ? (int)(off / BUF) : -1;
}

static void rec_owner(void *ctx, void *ptr, uint32_t len, bool ours)
{
	(void)ctx;
	int i = buf_index(ptr);
	m.events++;
	/*
	 * From a buffer's start, within it; every change is a change (never "ours" twice),
	 * and a buffer is given up with the range it was taken with. That range is what the
	 * descriptor offers: a whole buffer to write (TX), the message to read (RX).
	 */
	if (i < 0 || (uint8_t *)ptr != m.pool + (size_t)i * BUF || len < AMP_RPMSG_HDR_SIZE ||
	    len > BUF || m.owned[i] == (int8_t)ours || (!ours && len != m.len[i]))
		m.bad++;
	else {
		m.owned[i] = (int8_t)ours;
		m.len[i] = len;
	}
}

static struct amp_port_ops rec_ops;

static struct fx *setup(void)
{
	struct fx *fx = fx_new(NULL);
	memset(&m, 0, sizeof(m));
	memset(m.owned, -1, sizeof(m.owned));
	m.pool = fx_va(fx, FX_BASE_DA + FX_POOL_OFF);
	rec_ops = *fx->remote.port.ops;
	rec_ops.buf_owner = rec_owner;
	fx->remote.port.ops = &rec_ops;
	return fx;
}

static bool ours(const void *payload)
{
	int i = buf_index((const uint8_t *)payload - AMP_RPMSG_HDR_SIZE);
	return i >= 0 && m.owned[i] == 1;
}

static int n_ours(void)
{
	int n = 0;
	for (int i = 0; i < NBUF; i++)
		n += m.owned[i] == 1;
	return n;
}

static struct amp_rpmsg_ept rept, hept;

/* Host endpoint 1024 <-> remote endpoint 100, no name service traffic. */
static void epts(struct fx *fx, amp_rpmsg_cb rcb)
{
	assert_int_equal(amp_rpmsg_create_ept(&rept, &fx->remote, "", 100, 1024, rcb, NULL, NULL),
			 0);
	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "", 1024, 100, NULL, NULL, NULL),
			 0);
}

/* A copying send: the buffer is ours only inside the call. */
static void copy_send_gives_the_buffer_up(void **state)
{
	(void)state;
	struct fx *fx = setup();
	epts(fx, NULL);
	assert_int_equal(amp_rpmsg_send(&rept, "abc", 3), 3);
	assert_int_equal(m.events, 2);
	assert_int_equal(m.bad, 0);
	assert_int_equal(n_ours(), 0);
	assert_int_equal(m.owned[0], 0); /* the host's first RX buffer, taken and given back */
	assert_int_equal(m.len[0], BUF); /* the whole buffer was writable */
	fx_free(fx);
}

/* Zero copy: ours from get to send; a released buffer is the core's, then ours again. */
static void zero_copy_tx(void **state)
{
	(void)state;
	struct fx *fx = setup();
	epts(fx, NULL);
	uint32_t cap = 0;
	char *a = amp_rpmsg_get_tx_buffer(&rept, &cap, 0);
	assert_non_null(a);
	assert_int_equal(cap, BUF - AMP_RPMSG_HDR_SIZE);
	assert_true(ours(a));
	memcpy(a, "x", 1);
	assert_int_equal(amp_rpmsg_send_nocopy(&rept, 100, 1024, a, 1), 1);
	assert_false(ours(a));

	char *b = amp_rpmsg_get_tx_buffer(&rept, &cap, 0);
	assert_true(ours(b));
	assert_int_equal(amp_rpmsg_release_tx_buffer(&rept, b), 0);
	assert_false(ours(b));
	char *c = amp_rpmsg_get_tx_buffer(&rept, &cap, 0); /* from the stash: the same one */
	assert_ptr_equal(c, b);
	assert_true(ours(c));
	assert_int_equal(amp_rpmsg_send_nocopy(&rept, 100, 1024, c, 0), 0);
	assert_int_equal(n_ours(), 0);
	assert_int_equal(m.bad, 0);
	fx_free(fx);
}

static void *held;
static int cb_checked;

static int rx_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)len;
	(void)src;
	cb_checked += ours(data); /* readable in its callback */
	if (priv && !held) {
		held = data;
		assert_int_equal(amp_rpmsg_hold_rx_buffer(ept, data), 0);
	}
	return 0;
}

/* RX: ours during the callback, the host's after it, unless held until released. */
static void rx_ours_only_while_delivered_or_held(void **state)
{
	(void)state;
	struct fx *fx = setup();
	epts(fx, rx_cb);
	held = NULL;
	cb_checked = 0;
	assert_int_equal(amp_rpmsg_send(&hept, "one", 3), 3);
	fx_pump(fx);
	assert_int_equal(cb_checked, 1);
	assert_int_equal(n_ours(), 0);

	rept.priv = &rept; /* the callback holds the next one */
	assert_int_equal(amp_rpmsg_send(&hept, "two", 3), 3);
	fx_pump(fx);
	assert_int_equal(cb_checked, 2);
	assert_non_null(held);
	assert_true(ours(held));
	assert_int_equal(n_ours(), 1);
	assert_int_equal(m.len[buf_index((uint8_t *)held - AMP_RPMSG_HDR_SIZE)],
			 AMP_RPMSG_HDR_SIZE + 3); /* the message, not the rest of the buffer */
	assert_int_equal(amp_rpmsg_release_rx_buffer(&rept, held), 0);
	assert_false(ours(held));
	/* A second release is refused by the core; under a checker, reading the header it
	 * gave up is what stops the firmware (tests/integration/bufsan). */
	assert_int_equal(m.bad, 0);
	assert_int_equal(n_ours(), 0);
	fx_free(fx);
}

/* A send too large for the buffer hands it back unsent: not ours after the call. */
static void refused_send_gives_the_buffer_back(void **state)
{
	(void)state;
	struct fx *fx = setup();
	epts(fx, NULL);
	static char big[BUF];
	assert_int_equal(amp_rpmsg_send(&rept, big, sizeof(big)), AMP_EMSGSIZE);
	assert_int_equal(m.events, 2);
	assert_int_equal(n_ours(), 0);
	assert_int_equal(m.bad, 0);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(copy_send_gives_the_buffer_up),
	    cmocka_unit_test(zero_copy_tx),
	    cmocka_unit_test(rx_ours_only_while_delivered_or_held),
	    cmocka_unit_test(refused_send_gives_the_buffer_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
