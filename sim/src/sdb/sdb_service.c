/* The host's rpmsg-sdb service; see sdb_service.h, sdb_wire.h and <amp/sdb_proto.h>. */
#define _GNU_SOURCE
#include "sdb_service.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include <amp/error.h>
#include <amp/sdb_proto.h>
#include <ampsim/error.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/sdb.h>

#include "sdb_wire.h"
#include "sock_server.h"

#define LOG_CAP 10		   /* protocol errors logged per service; all of them are counted */
#define MAX_BUF_SIZE 0xFFFFF000ull /* "L<8 hex digits>" and a 32-bit da */

enum buf_state {
	BUF_FREE,
	BUF_PLUGGING, /* waiting for the firmware to map it */
	BUF_FIRMWARE, /* the firmware owns it (fills or reads it) */
	BUF_CLIENT,   /* the client owns it */
	BUF_STALE,    /* its client left while the firmware had it: index and range kept
		       * until the firmware's answer comes (or STALE_MS pass), so a late answer
		       * is never taken for a new buffer's and a late write never lands in one */
};

#define STALE_MS 2000

struct sdb_client;

struct sdb_buf {
	struct amp_sdb_service *svc;
	enum buf_state state;
	enum amp_sdb_dir dir;
	struct sdb_client *owner;
	uint32_t idx;
	uint64_t da, size;
	int memfd, efd;
	uint32_t slot;
	bool plugged;
	uint64_t submitted;
	GSource *stale_timer;
};

struct sdb_client {
	struct amp_sdb_service *svc;
	int fd;
	GSource *src;
	struct amp_sdb_status *status; /* its status page; the client maps it read-only */
	bool waiting;		       /* an ALLOC is being plugged: its reply comes later */
};

struct amp_sdb_service {
	struct amp_host *host;
	struct amp_host_chan *ch;
	GMainContext *ctx; /* every source of the service runs here */
	struct amp_sock_server *server;
	const struct amp_soc_region *ddr;
	uint64_t cursor; /* next-fit: a freed range is reused last */
	struct sdb_buf bufs[AMP_SDB_INDICES];
	GList *clients;
	GQueue tx; /* GBytes waiting for a TX buffer */
	unsigned logged;
	struct amp_sdb_stats st;
};

static void protocol_error(struct amp_sdb_service *s, uint64_t *counter, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
static void protocol_error(struct amp_sdb_service *s, uint64_t *counter, const char *fmt, ...)
{
	(*counter)++;
	if (s->logged++ >= LOG_CAP)
		return;
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_warning("rpmsg-sdb: %s; ignored (counted in 'ampsim ctl stats')", msg);
}

/* ---- to the firmware ------------------------------------------------------------------------ */

/* Send what waits, in order, until the firmware has no TX buffer free. */
void amp_sdb_service_tx_ready(struct amp_sdb_service *s)
{
	GBytes *b;
	while ((b = g_queue_peek_head(&s->tx))) {
		gsize len;
		const char *p = g_bytes_get_data(b, &len);
		int rc = amp_host_send(s->ch, p, len);
		if (rc == AMP_ENOMEM)
			return; /* resumed by the next tx_ready */
		if (rc != 0) {
			s->st.tx_errors++;
			g_warning("rpmsg-sdb: sending \"%.*s\" failed: %s", (int)len, p,
				  amp_strerror(rc));
		}
		g_bytes_unref(g_queue_pop_head(&s->tx));
	}
}

/* Every message to the firmware goes through the queue, so none overtakes another. @len:
 * what amp_sdb_format() returned (negative: a message the codec refused to write). */
static void fw_send(struct amp_sdb_service *s, const char *text, int len)
{
	if (len < 0) {
		s->st.tx_errors++;
		g_warning("rpmsg-sdb: cannot format a message: %s", amp_strerror(len));
		return;
	}
	g_queue_push_tail(&s->tx, g_bytes_new(text, (gsize)len));
	amp_sdb_service_tx_ready(s);
}

/* ---- buffers -------------------------------------------------------------------------------- */

/* Does [da, da + size) miss every live buffer? If not, *next = the end of the one it hits. */
static bool range_free(const struct amp_sdb_service *s, uint64_t da, uint64_t size, uint64_t *next)
{
	for (unsigned i = 0; i < AMP_SDB_INDICES; i++) {
		const struct sdb_buf *b = &s->bufs[i];
		if (b->state != BUF_FREE && da < b->da + b->size && b->da < da + size) {
			*next = b->da + b->size;
			return false;
		}
	}
	return true;
}

static int ddr_alloc(struct amp_sdb_service *s, uint64_t size, uint64_t *out)
{
	const uint64_t lo = s->ddr->da, hi = s->ddr->da + s->ddr->size;
	uint64_t da = s->cursor;
	bool wrapped = false;
	for (unsigned guard = 0; guard < 2 * AMP_SDB_INDICES + 4; guard++) {
		if (da < lo || da > hi || size > hi - da) {
			if (wrapped)
				return AMP_ENOMEM;
			wrapped = true;
			da = lo;
			continue;
		}
		uint64_t next;
		if (range_free(s, da, size, &next)) {
			*out = da;
			s->cursor = da + size;
			return 0;
		}
		da = next;
	}
	return AMP_ENOMEM;
}

static void signal_efd(struct amp_sdb_service *s, int efd)
{
	/* A full eventfd counter would block the write: never let a client stall the loop. */
	struct pollfd p = {.fd = efd, .events = POLLOUT};
	uint64_t one = 1;
	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT) ||
	    write(efd, &one, sizeof(one)) != sizeof(one))
		s->st.efd_skipped++;
}

static void buf_release(struct sdb_buf *b)
{
	struct amp_sdb_service *s = b->svc;
	if (b->state == BUF_PLUGGING)
		amp_host_ddr_cancel(s->host, b);
	if (b->plugged)
		amp_host_ddr_unplug(s->host, b->slot);
	if (b->memfd >= 0)
		close(b->memfd);
	if (b->efd >= 0)
		close(b->efd);
	amp_sock_unwatch(&b->stale_timer);
	uint32_t idx = b->idx;
	*b = (struct sdb_buf){.svc = s, .idx = idx, .memfd = -1, .efd = -1};
}

static struct sdb_buf *buf_free_slot(struct amp_sdb_service *s)
{
	for (unsigned i = 0; i < AMP_SDB_INDICES; i++)
		if (s->bufs[i].state == BUF_FREE)
			return &s->bufs[i];
	return NULL;
}

/* A sealed memfd: the client can neither shrink it under the firmware nor grow it. */
static int make_memfd(uint64_t size)
{
	int fd = memfd_create("ampsim-sdb", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return amp_from_errno(errno);
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		int e = errno;
		close(fd);
		return amp_from_errno(e);
	}
	return fd;
}

/* ---- client replies ------------------------------------------------------------------------- */

static void reply(struct sdb_client *c, const struct amp_sdb_rep *rep, int fd)
{
	/* A client that does not read its replies only hurts itself: never block on it. */
	long rc = amp_sdb_send_fd(c->fd, rep, sizeof(*rep), fd, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (rc < 0)
		g_debug("rpmsg-sdb: reply to a client failed: %s", amp_strerror((int)rc));
}

static void reply_status(struct sdb_client *c, int status)
{
	if (status)
		c->svc->st.bad_requests++;
	reply(c, &(struct amp_sdb_rep){.status = status}, -1);
}

/* ---- ALLOC ------------------------------------------------------------------------------------
 */

static void plug_done(void *priv, int rc)
{
	struct sdb_buf *b = priv;
	struct amp_sdb_service *s = b->svc;
	struct sdb_client *c = b->owner;
	c->waiting = false;
	if (rc != AMP_OK) {
		s->st.plug_failures++;
		b->state = BUF_FIRMWARE; /* not PLUGGING: nothing to cancel any more */
		buf_release(b);
		/* Counted as a plug failure, not as a bad request: AMP_ETIMEDOUT (the firmware
		 * did not map it in time) or AMP_ENOTCONN (it went away meanwhile). */
		reply(c, &(struct amp_sdb_rep){.status = rc}, -1);
		return;
	}
	char msg[AMP_SDB_MSG_MAX + 1];
	struct amp_sdb_msg m = {.kind = b->dir == AMP_SDB_TO_LINUX ? AMP_SDB_MSG_ANNOUNCE
								   : AMP_SDB_MSG_ANNOUNCE_TO_FW,
				.idx = b->idx,
				.da = (uint32_t)b->da,
				.len = (uint32_t)b->size};
	int n = amp_sdb_format(msg, sizeof(msg), &m);
	b->state = b->dir == AMP_SDB_TO_LINUX ? BUF_FIRMWARE : BUF_CLIENT;
	s->st.allocs++;
	struct amp_sdb_rep rep = {.idx = b->idx,
				  .size = b->size,
				  .da = b->da,
				  .seq = atomic_load(&c->status->slot[b->idx].seq)};
	reply(c, &rep, b->memfd);
	fw_send(s, msg, n);
}

static int alloc_checked(struct sdb_client *c, const struct amp_sdb_req *req, int efd)
{
	struct amp_sdb_service *s = c->svc;
	if (c->waiting)
		return AMP_EBUSY;
	if (req->dir != AMP_SDB_TO_LINUX && req->dir != AMP_SDB_TO_FIRMWARE)
		return AMP_EINVAL;
	if (req->size == 0 || req->size > MAX_BUF_SIZE)
		return req->size ? AMP_ENOMEM : AMP_EINVAL;
	if (!amp_is_eventfd(efd))
		return AMP_EINVAL;
	struct sdb_buf *b = buf_free_slot(s);
	if (!b)
		return AMP_ENOMEM;
	uint64_t size = (req->size + AMP_SOC_PAGE - 1) / AMP_SOC_PAGE * AMP_SOC_PAGE;
	uint64_t da;
	int rc = ddr_alloc(s, size, &da);
	if (rc)
		return rc;
	int memfd = make_memfd(size);
	if (memfd < 0)
		return memfd;
	*b = (struct sdb_buf){.svc = s,
			      .idx = b->idx,
			      .state = BUF_PLUGGING,
			      .dir = req->dir,
			      .owner = c,
			      .da = da,
			      .size = size,
			      .memfd = memfd,
			      .efd = efd};
	rc = amp_host_ddr_plug(s->host, da, size, memfd, plug_done, b, &b->slot);
	if (rc != AMP_OK) {
		b->efd = -1; /* the caller still owns it on failure */
		b->state = BUF_FIRMWARE;
		buf_release(b);
		return rc; /* AMP_ENOMEM: no plug slot; AMP_ENOTCONN: no firmware */
	}
	b->plugged = true;
	c->waiting = true;
	return 0;
}

/* ---- other requests ----------------------------------------------------------------------- */

static struct sdb_buf *owned(struct sdb_client *c, uint32_t idx)
{
	if (idx >= AMP_SDB_INDICES || c->svc->bufs[idx].owner != c ||
	    c->svc->bufs[idx].state == BUF_PLUGGING)
		return NULL;
	return &c->svc->bufs[idx];
}

static int give_back(struct sdb_client *c, const struct amp_sdb_req *req)
{
	struct sdb_buf *b = owned(c, req->idx);
	if (!b)
		return AMP_EACCES;
	if (b->dir != AMP_SDB_TO_LINUX)
		return AMP_EINVAL;
	if (b->state != BUF_CLIENT)
		return AMP_EBUSY;
	char msg[AMP_SDB_MSG_MAX + 1];
	b->state = BUF_FIRMWARE;
	fw_send(c->svc, msg,
		amp_sdb_format(msg, sizeof(msg),
			       &(struct amp_sdb_msg){.kind = AMP_SDB_MSG_REFILL, .idx = b->idx}));
	return 0;
}

static int submit(struct sdb_client *c, const struct amp_sdb_req *req)
{
	struct sdb_buf *b = owned(c, req->idx);
	if (!b)
		return AMP_EACCES;
	if (b->dir != AMP_SDB_TO_FIRMWARE)
		return AMP_EINVAL;
	if (b->state != BUF_CLIENT)
		return AMP_EBUSY;
	if (req->size == 0 || req->size > b->size)
		return AMP_EMSGSIZE;
	char msg[AMP_SDB_MSG_MAX + 1];
	b->state = BUF_FIRMWARE;
	b->submitted = req->size;
	c->svc->st.submits++;
	fw_send(c->svc, msg,
		amp_sdb_format(msg, sizeof(msg),
			       &(struct amp_sdb_msg){.kind = AMP_SDB_MSG_SUBMIT,
						     .idx = b->idx,
						     .len = (uint32_t)req->size}));
	return 0;
}

/* Vendor commands pass through, but never anything that could forge the buffer protocol:
 * the codec must read the text as a command. */
static int control(struct sdb_client *c, const struct amp_sdb_req *req)
{
	struct amp_sdb_msg m;
	if (req->size == 0 || req->size > AMP_SDB_CONTROL_MAX ||
	    amp_sdb_parse_to_fw(req->text, req->size, &m) != 0 || m.kind != AMP_SDB_MSG_CONTROL)
		return AMP_EINVAL;
	fw_send(c->svc, req->text, (int)req->size);
	return 0;
}

/* ALLOC and CONTROL are answered; GIVE_BACK and SUBMIT are not (the hot path), so what
 * the service refuses there is only counted. */
static void handle_request(struct sdb_client *c, const struct amp_sdb_req *req, int efd)
{
	int rc = AMP_EINVAL;
	bool answer = req->op == AMP_SDB_OP_ALLOC || req->op == AMP_SDB_OP_CONTROL;
	if (req->version != AMP_SDB_WIRE_VERSION) {
		rc = AMP_EPROTO;
		answer = true;
	} else if (req->op == AMP_SDB_OP_ALLOC) {
		rc = alloc_checked(c, req, efd);
		if (rc == 0)
			return; /* plug_done() replies; the buffer keeps efd */
	} else if (req->op == AMP_SDB_OP_GIVE_BACK) {
		rc = give_back(c, req);
	} else if (req->op == AMP_SDB_OP_SUBMIT) {
		rc = submit(c, req);
	} else if (req->op == AMP_SDB_OP_CONTROL) {
		rc = control(c, req);
	}
	if (efd >= 0)
		close(efd);
	if (answer)
		reply_status(c, rc);
	else if (rc)
		c->svc->st.bad_requests++;
}

static gboolean on_stale_timeout(gpointer data)
{
	struct sdb_buf *b = data;
	buf_release(b); /* releases the timer too: returning REMOVE after that is fine */
	return G_SOURCE_REMOVE;
}

/* Reclaim a buffer of a client that left. */
static void buf_reclaim(struct sdb_buf *b)
{
	if (b->state != BUF_FIRMWARE) {
		buf_release(b);
		return;
	}
	struct amp_sdb_service *s = b->svc;
	if (b->plugged)
		amp_host_ddr_unplug(s->host, b->slot); /* late writes land in plain DDR */
	close(b->memfd);
	close(b->efd);
	b->plugged = false;
	b->memfd = b->efd = -1;
	b->owner = NULL;
	b->state = BUF_STALE;
	b->stale_timer = g_timeout_source_new(STALE_MS);
	g_source_set_callback(b->stale_timer, on_stale_timeout, b, NULL);
	g_source_attach(b->stale_timer, s->ctx);
}

/* ---- clients -------------------------------------------------------------------------------- */

static void client_free(struct sdb_client *c, bool wake)
{
	struct amp_sdb_service *s = c->svc;
	bool held = false;
	/* Hang up before waking: a client woken by its eventfd must already see the hangup. */
	shutdown(c->fd, SHUT_RDWR);
	for (unsigned i = 0; i < AMP_SDB_INDICES; i++) {
		struct sdb_buf *b = &s->bufs[i];
		if (b->owner != c)
			continue;
		held = true;
		if (wake && b->efd >= 0)
			signal_efd(s, b->efd);
		if (wake)
			buf_release(b);
		else
			buf_reclaim(b);
	}
	if (held && !wake)
		s->st.clients_reclaimed++;
	amp_sock_unwatch(&c->src); /* also from its own callback */
	close(c->fd);
	if (c->status)
		munmap(c->status, sizeof(*c->status));
	s->clients = g_list_remove(s->clients, c);
	g_free(c);
}

static gboolean on_client(gint fd, GIOCondition cond, gpointer data)
{
	struct sdb_client *c = data;
	struct amp_sdb_req req;
	int efd;
	efd = -1;
	long n = (cond & G_IO_IN) ? amp_sdb_recv_fd(fd, &req, sizeof(req), &efd, MSG_DONTWAIT) : 0;
	if (n == AMP_EAGAIN)
		return G_SOURCE_CONTINUE;
	if (n == 0 || (n < 0 && n != AMP_EMSGSIZE)) {
		client_free(c, false); /* gone: reclaim its buffers */
		return G_SOURCE_REMOVE;
	}
	if (n != (long)sizeof(req)) { /* shorter or longer than a request */
		if (efd >= 0)
			close(efd);
		reply_status(c, AMP_EINVAL);
		return G_SOURCE_CONTINUE;
	}
	handle_request(c, &req, efd);
	return G_SOURCE_CONTINUE;
}

/* The client's status page: written here, and sealed so that the client can map it only
 * read-only and can never shrink it under us. */
static int status_page(struct sdb_client *c)
{
	int fd = memfd_create("ampsim-sdb-status", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, sizeof(*c->status)) < 0)
		goto fail;
	void *p = mmap(NULL, sizeof(*c->status), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	c->status = p;
	if (fcntl(fd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) < 0)
		goto fail;
	return fd;
fail:
	g_warning("rpmsg-sdb: cannot make a client's status page: %s", g_strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static bool welcome(struct sdb_client *c)
{
	int fd = status_page(c);
	if (fd < 0)
		return false;
	struct amp_sdb_rep rep = {.size = AMP_SDB_WIRE_VERSION};
	long n = amp_sdb_send_fd(c->fd, &rep, sizeof(rep), fd, MSG_NOSIGNAL | MSG_DONTWAIT);
	bool ok = n == (long)sizeof(rep);
	if (!ok)
		g_debug("rpmsg-sdb: welcoming a client failed: %s",
			n < 0 ? amp_strerror((int)n) : "short send");
	close(fd);
	if (!ok && c->status)
		munmap(c->status, sizeof(*c->status));
	return ok;
}

static void on_accept(void *priv, int cfd)
{
	struct amp_sdb_service *s = priv;
	struct sdb_client *c = g_new0(struct sdb_client, 1);
	c->svc = s;
	c->fd = cfd;
	if (!welcome(c)) {
		close(cfd);
		g_free(c);
		return;
	}
	c->src = amp_sock_watch(s->ctx, cfd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_client, c);
	s->clients = g_list_prepend(s->clients, c);
	s->st.clients++;
}

/* The buffer is the client's again: size and crc on its status page, then its eventfd. */
static void publish(struct sdb_buf *b, uint64_t size, uint32_t crc)
{
	struct amp_sdb_slot *slot = &b->owner->status->slot[b->idx];
	slot->size = size;
	slot->crc = crc;
	atomic_fetch_add_explicit(&slot->seq, 1, memory_order_release);
	signal_efd(b->svc, b->efd);
}

/* ---- firmware messages ---------------------------------------------------------------------- */

static void fw_filled(struct amp_sdb_service *s, struct sdb_buf *b, uint32_t len)
{
	if (b->dir != AMP_SDB_TO_LINUX) {
		protocol_error(s, &s->st.bad_direction, "B%uL for a to-firmware buffer", b->idx);
	} else if (len > b->size) {
		protocol_error(s, &s->st.bad_size, "buffer %u: %u bytes filled, it holds %" PRIu64,
			       b->idx, len, b->size);
	} else if (b->state != BUF_FIRMWARE) {
		protocol_error(s, &s->st.not_owned,
			       "buffer %u reported filled but the client has not given it back",
			       b->idx);
	} else {
		b->state = BUF_CLIENT;
		s->st.fills++;
		s->st.fill_bytes += len;
		publish(b, len, 0);
	}
}

static void fw_returned(struct amp_sdb_service *s, struct sdb_buf *b, uint32_t crc)
{
	if (b->dir != AMP_SDB_TO_FIRMWARE) {
		protocol_error(s, &s->st.bad_direction, "R%u for a to-Linux buffer", b->idx);
	} else if (b->state != BUF_FIRMWARE) {
		protocol_error(s, &s->st.not_owned, "buffer %u returned but was never submitted",
			       b->idx);
	} else {
		b->state = BUF_CLIENT;
		s->st.returns++;
		publish(b, b->submitted, crc);
	}
}

void amp_sdb_service_receive(struct amp_sdb_service *s, const void *data, size_t len)
{
	struct amp_sdb_msg m;
	/* AMP_ERANGE: well formed, but the index is out of range (counted below). */
	int rc = amp_sdb_parse_to_host(data, len, &m);
	if (rc != 0 && rc != AMP_ERANGE) {
		char shown[13];
		size_t n = MIN(len, sizeof(shown) - 1);
		for (size_t i = 0; i < n; i++) {
			char ch = ((const char *)data)[i];
			shown[i] = g_ascii_isprint(ch) ? ch : '.';
		}
		shown[n] = '\0';
		protocol_error(s, &s->st.bad_format,
			       "malformed message from the firmware (%zu bytes: \"%s\")", len,
			       shown);
		return;
	}
	struct sdb_buf *b = m.idx < AMP_SDB_INDICES ? &s->bufs[m.idx] : NULL;
	if (b && b->state == BUF_STALE) {
		s->st.stale_answers++; /* expected after a client left: not an error */
		buf_release(b);
		return;
	}
	if (!b || b->state == BUF_FREE || b->state == BUF_PLUGGING) {
		protocol_error(s, &s->st.bad_index, "message for buffer %u, which does not exist",
			       m.idx);
		return;
	}
	if (m.kind == AMP_SDB_MSG_FILLED)
		fw_filled(s, b, m.len);
	else
		fw_returned(s, b, m.crc);
}

/* ---- life ---------------------------------------------------------------------------------- */

struct amp_sdb_service *amp_sdb_service_new(struct amp_host *h, struct amp_host_chan *ch,
					    const char *path, GMainContext *ctx, GError **err)
{
	const struct amp_soc_region *ddr =
	    amp_soc_region_by_purpose(amp_host_soc(h), AMP_SOC_PURPOSE_DDR);
	if (!ddr) {
		amp_set_error(
		    err, AMP_ENOENT,
		    "the SoC profile has no region with purpose=ddr for rpmsg-sdb "
		    "buffers; add one (docs/memory-map.md) or use the stm32mp157 profile");
		return NULL;
	}
	struct amp_sdb_service *s = g_new0(struct amp_sdb_service, 1);
	struct amp_sock_server_cfg sc = {.type = SOCK_SEQPACKET,
					 .backlog = 16,
					 .context = ctx,
					 .on_client = on_accept,
					 .priv = s};
	s->server = amp_sock_server_new(path, &sc, err);
	if (!s->server) {
		g_free(s);
		return NULL;
	}
	s->host = h;
	s->ch = ch;
	s->ctx = ctx;
	s->ddr = ddr;
	s->cursor = ddr->da;
	g_queue_init(&s->tx);
	for (unsigned i = 0; i < AMP_SDB_INDICES; i++)
		s->bufs[i] = (struct sdb_buf){.svc = s, .idx = i, .memfd = -1, .efd = -1};
	return s;
}

void amp_sdb_service_free(struct amp_sdb_service *s)
{
	if (!s)
		return;
	while (s->clients)
		client_free(s->clients->data, true);
	/* What is left is stale (its client gone, the firmware silent): its timer must not
	 * outlive the service. */
	for (unsigned i = 0; i < AMP_SDB_INDICES; i++)
		if (s->bufs[i].state != BUF_FREE)
			buf_release(&s->bufs[i]);
	amp_sock_server_free(s->server);
	g_queue_clear_full(&s->tx, (GDestroyNotify)g_bytes_unref);
	g_free(s);
}

const struct amp_sdb_stats *amp_sdb_service_stats(const struct amp_sdb_service *s)
{
	return &s->st;
}

const char *amp_sdb_service_path(const struct amp_sdb_service *s)
{
	return amp_sock_server_path(s->server);
}

void amp_sdb_service_describe(const struct amp_sdb_service *s, GString *out)
{
	static const char *const state[] = {"free", "plugging", "firmware", "client", "stale"};
	const struct amp_sdb_stats *t = &s->st;
	g_string_append_printf(
	    out,
	    "rpmsg-sdb %s: clients %" G_GUINT64_FORMAT " (reclaimed %" G_GUINT64_FORMAT
	    "), buffers %" G_GUINT64_FORMAT ", fills %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
	    " bytes), submits %" G_GUINT64_FORMAT ", returns %" G_GUINT64_FORMAT "\n"
	    "  firmware errors: format %" G_GUINT64_FORMAT ", index %" G_GUINT64_FORMAT
	    ", size %" G_GUINT64_FORMAT ", not given back %" G_GUINT64_FORMAT
	    ", direction %" G_GUINT64_FORMAT "; bad client requests %" G_GUINT64_FORMAT
	    ", eventfd skipped %" G_GUINT64_FORMAT ", plug failures %" G_GUINT64_FORMAT
	    ", tx errors %" G_GUINT64_FORMAT
	    "; late answers for departed clients %" G_GUINT64_FORMAT "\n",
	    amp_sdb_service_path(s), t->clients, t->clients_reclaimed, t->allocs, t->fills,
	    t->fill_bytes, t->submits, t->returns, t->bad_format, t->bad_index, t->bad_size,
	    t->not_owned, t->bad_direction, t->bad_requests, t->efd_skipped, t->plug_failures,
	    t->tx_errors, t->stale_answers);
	for (unsigned i = 0; i < AMP_SDB_INDICES; i++) {
		const struct sdb_buf *b = &s->bufs[i];
		if (b->state != BUF_FREE)
			g_string_append_printf(
			    out, "  B%u da 0x%08" PRIx64 " %" PRIu64 " bytes %s, %s\n", i, b->da,
			    b->size, b->dir == AMP_SDB_TO_LINUX ? "to Linux" : "to firmware",
			    state[b->state]);
	}
}
