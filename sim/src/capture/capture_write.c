/* The pcapng writer of `ampsim run --capture` (capture.h, docs/capture.md). */
#define _GNU_SOURCE
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/error.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define OPT_END 0u
#define OPT_COMMENT 1u
#define OPT_SHB_USERAPPL 4u
#define OPT_IF_NAME 2u
#define OPT_IF_TSRESOL 9u
#define OPT_EPB_FLAGS 2u
#define EPB_INBOUND 1u
#define EPB_OUTBOUND 2u

struct amp_capture {
	int fd;
	char *path;
	uint64_t count;
	bool failed;
};

static void put16(GByteArray *b, uint16_t v)
{
	uint8_t le[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	g_byte_array_append(b, le, 2);
}

static void put32(GByteArray *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b, (uint16_t)(v >> 16));
}

static void pad4(GByteArray *b)
{
	static const uint8_t zero[3];
	g_byte_array_append(b, zero, (4u - b->len % 4u) % 4u);
}

static void put_opt(GByteArray *b, uint16_t code, const void *val, uint16_t len)
{
	put16(b, code);
	put16(b, len);
	g_byte_array_append(b, val, len);
	pad4(b);
}

/* Start a block: type and a length placeholder. */
static GByteArray *block_begin(uint32_t type)
{
	GByteArray *b = g_byte_array_sized_new(128);
	put32(b, type);
	put32(b, 0);
	return b;
}

/* End a block: end of options, the trailing length, the length in the head; write it. */
static int block_write(int fd, GByteArray *b)
{
	put16(b, OPT_END);
	put16(b, 0);
	uint32_t total = b->len + 4u;
	put32(b, total);
	for (unsigned i = 0; i < 4; i++)
		b->data[4 + i] = (uint8_t)(total >> (8 * i));
	/* One write per block: a run that dies leaves whole blocks only (a regular file). */
	size_t off = 0;
	int rc = 0;
	while (off < b->len) {
		ssize_t n = write(fd, b->data + off, b->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? errno : ENOSPC;
			break;
		}
		off += (size_t)n;
	}
	g_byte_array_unref(b);
	return rc;
}

static int write_headers(int fd)
{
	GByteArray *b = block_begin(BT_SHB);
	put32(b, 0x1A2B3C4Du); /* byte-order magic: little-endian file */
	put16(b, 1);
	put16(b, 0);
	put32(b, 0xFFFFFFFFu); /* section length: unknown */
	put32(b, 0xFFFFFFFFu);
	static const char appl[] = "ampsim";
	put_opt(b, OPT_SHB_USERAPPL, appl, sizeof(appl) - 1);
	int rc = block_write(fd, b);
	if (rc)
		return rc;
	b = block_begin(BT_IDB);
	put16(b, AMP_CAP_LINKTYPE);
	put16(b, 0);
	put32(b, 0); /* snaplen: no limit */
	static const char name[] = "rpmsg";
	put_opt(b, OPT_IF_NAME, name, sizeof(name) - 1);
	static const char what[] = "ampsim RPMsg capture v1: 36-byte pseudo-header, RPMsg header, "
				   "payload (docs/capture.md)";
	put_opt(b, OPT_COMMENT, what, sizeof(what) - 1);
	uint8_t tsresol = 9; /* nanoseconds */
	put_opt(b, OPT_IF_TSRESOL, &tsresol, 1);
	return block_write(fd, b);
}

struct amp_capture *amp_capture_open(const char *path, GError **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		amp_set_error_errno(err, errno, "cannot create the capture file %s", path);
		return NULL;
	}
	int rc = write_headers(fd);
	if (rc) {
		amp_set_error_errno(err, rc, "cannot write the capture file %s", path);
		close(fd);
		return NULL;
	}
	struct amp_capture *c = g_new0(struct amp_capture, 1);
	c->fd = fd;
	c->path = g_strdup(path);
	return c;
}

void amp_capture_tap(void *cap, const struct amp_host_msg *m)
{
	struct amp_capture *c = cap;
	if (c->failed)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	uint32_t caplen = AMP_CAP_PHDR_SIZE + AMP_RPMSG_HDR_SIZE + (uint32_t)m->len;
	GByteArray *b = block_begin(BT_EPB);
	put32(b, 0); /* interface 0 */
	put32(b, (uint32_t)(ns >> 32));
	put32(b, (uint32_t)ns);
	put32(b, caplen);
	put32(b, caplen);
	uint8_t phdr[AMP_CAP_PHDR_SIZE] = {AMP_CAP_VERSION,
					   m->to_fw ? AMP_CAP_DIR_TO_FW : AMP_CAP_DIR_FROM_FW,
					   AMP_CAP_PHDR_SIZE, 0};
	strncpy((char *)phdr + 4, m->name, AMP_CAP_NAME_SIZE - 1);
	g_byte_array_append(b, phdr, sizeof(phdr));
	g_byte_array_append(b, m->hdr, AMP_RPMSG_HDR_SIZE);
	if (m->len)
		g_byte_array_append(b, m->payload, (guint)m->len);
	pad4(b);
	uint32_t flags = m->to_fw ? EPB_OUTBOUND : EPB_INBOUND;
	uint8_t fl[4] = {(uint8_t)flags, 0, 0, 0};
	put_opt(b, OPT_EPB_FLAGS, fl, sizeof(fl));
	int rc = block_write(c->fd, b);
	if (rc) {
		g_warning("capture %s: %s; no more messages are recorded", c->path, g_strerror(rc));
		c->failed = true;
		return;
	}
	c->count++;
}

uint64_t amp_capture_count(const struct amp_capture *c)
{
	return c->count;
}

void amp_capture_close(struct amp_capture *c)
{
	if (!c)
		return;
	close(c->fd);
	g_free(c->path);
	g_free(c);
}
