/*
 * One path of the soak campaign: connect (frame socket, rpmsg_ctrl0 endpoint or pty), send
 * numbered records within the window, check what comes back, account a hang-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <zlib.h>

#include "soak_internal.h"

/* Linux's struct rpmsg_endpoint_info (<linux/rpmsg.h>), what rpmsg_ctrl0 takes. */
struct ept_info {
	char name[32];
	uint32_t src;
	uint32_t dst;
};

struct ept_reply {
	int32_t status;
	struct ept_info info;
};

static const char *const file_of[SOAK_NCHAN] = {
    [SOAK_CH_FRAME] = "rpmsg0", [SOAK_CH_CTRL] = "rpmsg_ctrl0", [SOAK_CH_TTY] = "ttyRPMSG0"};

void soak_chan_init(struct soak_ctx *x, unsigned id)
{
	struct soak_chan *c = &x->ch[id];
	c->id = id;
	c->fd = -1;
	c->st = &x->res->ch[id];
	snprintf(c->path, sizeof(c->path), "%s/%s", x->cfg->rundir, file_of[id]);
}

static void progress(struct soak_ctx *x)
{
	x->last_progress_ns = soak_now_ns();
}

/* ---- records ------------------------------------------------------------------------- */

/* zlib's CRC-32: an implementation independent of the firmware's. */
static uint32_t record_crc(const struct soak_hdr *h, const uint8_t *payload)
{
	struct soak_hdr z = *h;
	z.crc = 0;
	uLong crc = crc32_z(0L, (const Bytef *)&z, sizeof(z));
	return (uint32_t)crc32_z(crc, payload, h->len);
}

static void build_record(struct soak_chan *c)
{
	uint32_t len = soak_payload_len(c->id, SOAK_KIND_CLIENT, c->next_seq);
	struct soak_hdr h = {.magic = SOAK_MAGIC,
			     .kind = SOAK_KIND_CLIENT,
			     .chan = (uint8_t)c->id,
			     .len = (uint16_t)len,
			     .seq = c->next_seq};
	soak_payload_fill(c->out + SOAK_HDR, len, c->id, SOAK_KIND_CLIENT, c->next_seq);
	h.crc = record_crc(&h, c->out + SOAK_HDR);
	memcpy(c->out, &h, sizeof(h));
	c->out_len = SOAK_HDR + len;
	c->out_off = 0;
	c->out_seq = c->next_seq;
}

static bool was_skipped(struct soak_chan *c, uint32_t seq)
{
	for (unsigned i = 0; i < c->nskipped; i++)
		if (c->skipped[i] == seq) {
			c->skipped[i] = c->skipped[--c->nskipped];
			return true;
		}
	return false;
}

static void take_echo(struct soak_ctx *x, struct soak_chan *c, uint32_t seq)
{
	if (seq >= c->next_seq) {
		c->st->corrupted++;
		soak_note(x, "%s: echo of seq %u, which was never sent", soak_chan_name[c->id],
			  seq);
		return;
	}
	if (seq < c->oldest) {
		bool late = was_skipped(c, seq);
		late ? c->st->reordered++ : c->st->duplicated++;
		soak_note(x, "%s: echo of seq %u %s", soak_chan_name[c->id], seq,
			  late ? "after later ones (reordered)" : "again (duplicated)");
		return;
	}
	if (seq > c->oldest) {
		c->st->lost += seq - c->oldest;
		soak_note(x, "%s: seq %u..%u never echoed, and no hang-up", soak_chan_name[c->id],
			  c->oldest, seq - 1);
		for (uint32_t s = c->oldest; s < seq && c->nskipped < SOAK_SKIPPED_MAX; s++)
			c->skipped[c->nskipped++] = s;
	}
	c->oldest = seq + 1;
	c->st->echoed++;
	c->conn_echoes++;
	x->echoes_total++;
	if (c->first_echo_wanted && !c->kill_pending && x->res->kills_done > 0) {
		struct soak_kill *k = &x->res->kill[x->res->kills_done - 1];
		k->first_echo_ms[c->id] = (double)(soak_now_ns() - x->kill_ns) / 1e6;
		c->first_echo_wanted = false;
	}
}

static void take_origin(struct soak_ctx *x, struct soak_chan *c, uint32_t seq)
{
	if (seq != c->origin_next) {
		c->st->origin_errors++;
		soak_note(x, "%s: the firmware's own stream went from %u to %u",
			  soak_chan_name[c->id], c->origin_next, seq);
	}
	c->origin_next = seq + 1;
	c->st->origins++;
	c->conn_origins++;
}

/* Boot id: the running firmware's pid, the same for a whole connection. */
static void check_boot(struct soak_ctx *x, struct soak_chan *c, uint32_t boot)
{
	if (c->boot == 0) {
		c->boot = boot;
		if ((int)boot == x->live_pid)
			return;
	} else if (boot == c->boot) {
		return;
	}
	c->st->bad_boot++;
	soak_note(x, "%s: record from boot %u on a connection to firmware pid %d (first boot %u)",
		  soak_chan_name[c->id], boot, x->live_pid, c->boot);
}

/* One record from the firmware, @n bytes (frames: exactly one message). */
static void take_record(struct soak_ctx *x, struct soak_chan *c, const uint8_t *p, size_t n)
{
	struct soak_hdr h;
	progress(x);
	if (n < SOAK_HDR) {
		c->st->corrupted++;
		soak_note(x, "%s: a %zu-byte message", soak_chan_name[c->id], n);
		return;
	}
	memcpy(&h, p, sizeof(h));
	const uint8_t *payload = p + SOAK_HDR;
	unsigned want_kind = h.kind == SOAK_KIND_ECHO ? SOAK_KIND_CLIENT : SOAK_KIND_ORIGIN;
	if (h.magic != SOAK_MAGIC || h.len != n - SOAK_HDR || h.chan != c->id ||
	    record_crc(&h, payload) != h.crc ||
	    (h.kind != SOAK_KIND_ECHO && h.kind != SOAK_KIND_ORIGIN) ||
	    !soak_payload_ok(payload, h.len, c->id, want_kind, h.seq)) {
		c->st->corrupted++;
		soak_note(x, "%s: corrupted record (kind 0x%x seq %u len %u)",
			  soak_chan_name[c->id], h.kind, h.seq, h.len);
		return;
	}
	check_boot(x, c, h.boot);
	if (h.errors > c->st->fw_errors) {
		c->st->fw_errors = h.errors;
		soak_note(x, "%s: the firmware reports %u violations (see 'ampsim ctl trace')",
			  soak_chan_name[c->id], h.errors);
	}
	if (h.kind == SOAK_KIND_ECHO)
		take_echo(x, c, h.seq);
	else
		take_origin(x, c, h.seq);
}

/* tty: every complete record in the accumulator; garbage is a violation, skipped bytewise. */
static void drain_stream(struct soak_ctx *x, struct soak_chan *c)
{
	size_t off = 0;
	while (c->in_len - off >= SOAK_HDR) {
		struct soak_hdr h;
		memcpy(&h, c->in + off, sizeof(h));
		if (h.magic != SOAK_MAGIC || h.len > SOAK_MAX_TTY_PAYLOAD) {
			c->st->corrupted++;
			soak_note(x, "%s: byte stream out of step", soak_chan_name[c->id]);
			off++;
			continue;
		}
		if (c->in_len - off < SOAK_HDR + h.len)
			break;
		take_record(x, c, c->in + off, SOAK_HDR + h.len);
		off += SOAK_HDR + h.len;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

/* ---- connections --------------------------------------------------------------------- */

static int connect_seqpacket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void now_up(struct soak_ctx *x, struct soak_chan *c)
{
	c->state = SOAK_UP;
	c->st->connects++;
	c->boot = 0;
	c->origin_next = 0;
	c->conn_echoes = c->conn_origins = 0;
	c->in_len = 0;
	c->out_len = 0;
	if (x->res->kills_done > 0 && c->first_echo_wanted)
		x->res->kill[x->res->kills_done - 1].back_ms[c->id] =
		    (double)(soak_now_ns() - x->kill_ns) / 1e6;
	progress(x);
}

void soak_chan_connect(struct soak_ctx *x, struct soak_chan *c)
{
	if (c->id == SOAK_CH_TTY) {
		c->fd = open(c->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (c->fd >= 0)
			now_up(x, c);
		return;
	}
	c->fd = connect_seqpacket(c->path);
	if (c->fd < 0)
		return;
	if (c->id == SOAK_CH_FRAME) {
		now_up(x, c);
		return;
	}
	struct ept_info info = {.name = "soak", .src = 0xFFFFFFFFu, .dst = SOAK_CTRL_ADDR};
	if (send(c->fd, &info, sizeof(info), MSG_NOSIGNAL) != (ssize_t)sizeof(info)) {
		soak_chan_close(c);
		return;
	}
	c->state = SOAK_CREATING;
}

void soak_chan_check_ready(struct soak_ctx *x, struct soak_chan *c)
{
	/* Only the new instance's channels exist once it runs: the old ones went at the crash. */
	if (access(x->ch[SOAK_CH_FRAME].path, F_OK) == 0)
		now_up(x, c);
}

void soak_chan_close(struct soak_chan *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = SOAK_DOWN;
}

/* The fd reported the hang-up: what was in flight is lost, and the client knows it. */
static void hang_up(struct soak_ctx *x, struct soak_chan *c, const char *how)
{
	uint32_t n = c->next_seq - c->oldest;
	c->st->hangups++;
	c->st->inflight_lost += n;
	if (c->kill_pending && x->res->kills_done > 0) {
		struct soak_kill *k = &x->res->kill[x->res->kills_done - 1];
		k->inflight[c->id] = n;
		k->inflight_first[c->id] = c->oldest;
		snprintf(k->how[c->id], sizeof(k->how[c->id]), "%s", how);
		c->kill_pending = false;
	} else {
		c->st->spurious_hangups++;
		soak_note(x, "%s: hang-up (%s) with no kill; %u records in flight lost",
			  soak_chan_name[c->id], how, n);
		x->live_pid = 0; /* ask again which firmware runs */
	}
	c->oldest = c->next_seq;
	soak_chan_close(c);
	progress(x);
}

static void create_reply(struct soak_chan *c)
{
	struct ept_reply r;
	ssize_t n = recv(c->fd, &r, sizeof(r), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* Refused (ENOTCONN while the bus comes up) or hung up: nothing was in flight. */
	if (n == (ssize_t)sizeof(r) && r.status == 0)
		c->state = SOAK_WAIT_FW;
	else
		soak_chan_close(c);
}

/* Read everything there is; false when the fd hung up. */
static bool read_all(struct soak_ctx *x, struct soak_chan *c)
{
	for (;;) {
		ssize_t n;
		if (c->id == SOAK_CH_TTY) {
			n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
			if (n > 0) {
				c->in_len += (size_t)n;
				drain_stream(x, c);
				continue;
			}
		} else {
			uint8_t buf[SOAK_HDR + SOAK_MAX_FRAME_PAYLOAD + 1];
			n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0) {
				take_record(x, c, buf, (size_t)n);
				continue;
			}
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		hang_up(x, c, n == 0 ? "EOF" : strerrorname_np(errno));
		return false;
	}
}

void soak_chan_ready(struct soak_ctx *x, struct soak_chan *c, short revents)
{
	if (c->state == SOAK_CREATING) {
		create_reply(c);
		return;
	}
	if (c->state == SOAK_WAIT_FW) {
		if (revents & (POLLIN | POLLHUP | POLLERR))
			soak_chan_close(c); /* the firmware went before we used the endpoint */
		return;
	}
	if ((revents & (POLLIN | POLLHUP | POLLERR)) && !read_all(x, c))
		return;
	if (revents & (POLLHUP | POLLERR))
		hang_up(x, c, "POLLHUP");
	else if (revents & POLLOUT)
		soak_chan_fill(x, c);
}

short soak_chan_events(const struct soak_chan *c)
{
	if (c->fd < 0)
		return 0;
	return (short)(POLLIN | (c->state == SOAK_UP && c->out_len ? POLLOUT : 0));
}

/* Write the pending record; true when it is all out. */
static bool write_out(struct soak_ctx *x, struct soak_chan *c)
{
	ssize_t n;
	if (c->id == SOAK_CH_TTY)
		n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
	else
		n = send(c->fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			hang_up(x, c, strerrorname_np(errno));
		return false;
	}
	if (c->out_off == 0) { /* its first byte is out: from now on it is in flight */
		c->next_seq = c->out_seq + 1;
		c->st->sent++;
	}
	c->out_off += (size_t)n;
	if (c->out_off < c->out_len)
		return false;
	c->out_len = c->out_off = 0;
	return true;
}

void soak_chan_fill(struct soak_ctx *x, struct soak_chan *c)
{
	while (c->state == SOAK_UP) {
		if (!c->out_len) {
			if (c->next_seq - c->oldest >= x->cfg->window ||
			    c->next_seq >= x->cfg->msgs_per_chan)
				return;
			if (x->cfg->skip_seq && c->next_seq == x->cfg->skip_seq) {
				if (c->oldest != c->next_seq)
					return; /* skip it once all before it are answered */
				c->next_seq = ++c->oldest;
				continue;
			}
			build_record(c);
		}
		if (!write_out(x, c))
			return;
	}
}
