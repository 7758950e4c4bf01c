/*
 * The soak campaign's firmware (records: soak_proto.h). Three paths to Linux at once:
 *
 *   SOAK_CH_CTRL   an endpoint at the fixed address SOAK_CTRL_ADDR, not announced: a client
 *                  reaches it through RUNDIR/rpmsg_ctrl0 (created first, so it exists once
 *                  the others are announced)
 *   SOAK_CH_TTY    "rpmsg-tty": RUNDIR/ttyRPMSG0, a byte stream cut anywhere
 *   SOAK_CH_FRAME  "soak-frame": RUNDIR/rpmsg0, one record per message
 *
 * Each client record is checked (magic, kind, channel, length, CRC-32, payload) and its
 * sequence number must follow the previous one on that channel within this instance (the
 * first one it hears sets the start: the client's numbering continues across crashes). Then
 * it is echoed, followed by one record of the firmware's own stream ('O', numbered from 0 in
 * each instance). Every record sent carries this instance's boot id (its pid) and the number
 * of violations seen on the channel, so the client asserts them; each violation is also
 * described in the trace buffer (`ampsim ctl trace`).
 *
 * To show that the client's checks catch what they claim, SOAK_FW_FAULT in the environment
 * makes it misbehave on every channel: "drop=N" does not echo the client's record N,
 * "corrupt=N" sends its echo with one payload bit flipped (the CRC then disagrees).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openamp/open_amp.h>

#include <amp/fw_crc32.h>
#include <amp/fw_platform.h>

#include "soak_proto.h"

struct chan {
	struct rpmsg_endpoint ept;
	unsigned id;
	int heard;	   /* the client has spoken to this instance */
	uint32_t next_seq; /* the client's next sequence number, once heard */
	uint32_t origin;   /* our own stream's next number */
	uint32_t errors;
	uint8_t acc[2 * (SOAK_HDR + SOAK_MAX_TTY_PAYLOAD)]; /* tty: bytes of a partial record */
	size_t acc_len;
};

static struct chan chans[SOAK_NCHAN];
static uint32_t boot;
static char fault;	   /* 0, 'd' (drop) or 'c' (corrupt), from SOAK_FW_FAULT */
static uint32_t fault_seq; /* the client record it applies to */

static void violation(struct chan *c, const char *what, uint32_t seq)
{
	char line[128];
	c->errors++;
	snprintf(line, sizeof(line), "soak: channel %u: %s (seq %u)\n", c->id, what, (unsigned)seq);
	fw_platform_trace(line);
}

static uint32_t record_crc(const struct soak_hdr *h, const uint8_t *payload)
{
	struct soak_hdr z = *h;
	z.crc = 0;
	uint32_t crc = amp_fw_crc32_update(AMP_FW_CRC32_INIT, &z, sizeof(z));
	return amp_fw_crc32_final(amp_fw_crc32_update(crc, payload, h->len));
}

static void send_record(struct chan *c, unsigned kind, uint32_t seq, const uint8_t *payload,
			uint32_t len, uint32_t dst)
{
	uint8_t buf[SOAK_HDR + SOAK_MAX_FRAME_PAYLOAD];
	struct soak_hdr h = {.magic = SOAK_MAGIC,
			     .kind = (uint8_t)kind,
			     .chan = (uint8_t)c->id,
			     .len = (uint16_t)len,
			     .boot = boot,
			     .seq = seq,
			     .errors = c->errors};
	h.crc = record_crc(&h, payload);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + SOAK_HDR, payload, len);
	if (fault == 'c' && kind == SOAK_KIND_ECHO && seq == fault_seq) {
		if (len) /* one bit: of the payload, or of the CRC when there is none */
			buf[SOAK_HDR + len / 2] ^= 0x10;
		else
			buf[offsetof(struct soak_hdr, crc)] ^= 1;
	}
	/* Blocks while no buffer is free: Linux holding its RX buffers is back-pressure. */
	if (rpmsg_sendto(&c->ept, buf, (int)(SOAK_HDR + len), dst) < 0)
		violation(c, "send failed", seq);
}

/* One complete client record: check it, echo it, then one record of our own stream. */
static void take_record(struct chan *c, const struct soak_hdr *h, const uint8_t *payload,
			uint32_t dst)
{
	if (h->kind != SOAK_KIND_CLIENT || h->chan != c->id || h->boot != 0) {
		violation(c, "bad kind, channel or boot", h->seq);
		return;
	}
	if (record_crc(h, payload) != h->crc) {
		violation(c, "CRC mismatch", h->seq);
		return;
	}
	if (!soak_payload_ok(payload, h->len, c->id, SOAK_KIND_CLIENT, h->seq))
		violation(c, "payload differs from what the client sends", h->seq);
	if (c->heard && h->seq != c->next_seq)
		violation(c, h->seq < c->next_seq ? "duplicate or reordered" : "gap", h->seq);
	c->heard = 1;
	c->next_seq = h->seq + 1u;
	if (!(fault == 'd' && h->seq == fault_seq))
		send_record(c, SOAK_KIND_ECHO, h->seq, payload, h->len, dst);

	uint8_t own[SOAK_MAX_FRAME_PAYLOAD];
	uint32_t n = soak_payload_len(c->id, SOAK_KIND_ORIGIN, c->origin);
	soak_payload_fill(own, n, c->id, SOAK_KIND_ORIGIN, c->origin);
	send_record(c, SOAK_KIND_ORIGIN, c->origin++, own, n, dst);
}

/* Frame and rpmsg_ctrl0 paths: one message is one record. */
static int frame_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct chan *c = priv;
	struct soak_hdr h;
	(void)ept;
	if (len < SOAK_HDR) {
		violation(c, "message shorter than a header", 0);
		return RPMSG_SUCCESS;
	}
	memcpy(&h, data, sizeof(h));
	if (h.magic != SOAK_MAGIC || h.len != len - SOAK_HDR) {
		violation(c, "bad magic or length", h.seq);
		return RPMSG_SUCCESS;
	}
	take_record(c, &h, (const uint8_t *)data + SOAK_HDR, src);
	return RPMSG_SUCCESS;
}

/* Drop @n bytes from the front of the tty accumulator. */
static void acc_drop(struct chan *c, size_t n)
{
	memmove(c->acc, c->acc + n, c->acc_len - n);
	c->acc_len -= n;
}

/* Process every complete record in the accumulator; resynchronise on garbage. */
static void tty_drain(struct chan *c, uint32_t src)
{
	while (c->acc_len >= SOAK_HDR) {
		struct soak_hdr h;
		memcpy(&h, c->acc, sizeof(h));
		if (h.magic != SOAK_MAGIC || h.len > SOAK_MAX_TTY_PAYLOAD) {
			violation(c, "stream out of step; skipping a byte", h.seq);
			acc_drop(c, 1);
			continue;
		}
		if (c->acc_len < SOAK_HDR + h.len)
			return;
		take_record(c, &h, c->acc + SOAK_HDR, src);
		acc_drop(c, SOAK_HDR + h.len);
	}
}

/* The tty path: a byte stream, cut into messages wherever the daemon's reads fell. */
static int tty_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct chan *c = priv;
	const uint8_t *p = data;
	(void)ept;
	while (len > 0) {
		size_t room = sizeof(c->acc) - c->acc_len;
		size_t n = len < room ? len : room;
		memcpy(c->acc + c->acc_len, p, n);
		c->acc_len += n;
		p += n;
		len -= n;
		tty_drain(c, src);
	}
	return RPMSG_SUCCESS;
}

static int create(struct rpmsg_device *rdev, unsigned id, const char *name, uint32_t addr,
		  rpmsg_ept_cb cb)
{
	struct chan *c = &chans[id];
	c->id = id;
	int rc = rpmsg_create_ept(&c->ept, rdev, name, addr, RPMSG_ADDR_ANY, cb, NULL);
	c->ept.priv = c;
	return rc;
}

static void read_fault(void)
{
	const char *f = getenv("SOAK_FW_FAULT");
	if (f && (!strncmp(f, "drop=", 5) || !strncmp(f, "corrupt=", 8))) {
		fault = f[0];
		fault_seq = (uint32_t)strtoul(strchr(f, '=') + 1, NULL, 10);
	}
}

int main(void)
{
	boot = (uint32_t)getpid();
	read_fault();
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	/* The unannounced endpoint first: once a channel is announced, it exists. */
	if (create(rdev, SOAK_CH_CTRL, "", SOAK_CTRL_ADDR, frame_cb) != RPMSG_SUCCESS ||
	    create(rdev, SOAK_CH_TTY, SOAK_TTY_NAME, RPMSG_ADDR_ANY, tty_cb) != RPMSG_SUCCESS ||
	    create(rdev, SOAK_CH_FRAME, SOAK_FRAME_NAME, RPMSG_ADDR_ANY, frame_cb) !=
		RPMSG_SUCCESS) {
		fw_platform_trace("soak: cannot create the endpoints\n");
		return 1;
	}
	fw_platform_trace("soak: ready\n");
	while (!fw_platform_stop_requested())
		fw_platform_poll(1000);
	for (unsigned i = 0; i < SOAK_NCHAN; i++)
		rpmsg_destroy_ept(&chans[i].ept);
	fw_platform_deinit();
	return 0;
}
