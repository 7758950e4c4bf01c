/*
 * A firmware for tests: it speaks rpmsg-sdb like the sdb sample, but when the test asks
 * ("E<n>", passed through amp_sdb_control()) it answers with one kind of broken message,
 * so the host service's validation can be checked against a real process. After "S" it
 * also scribbles garbage over the DDR plug table in the shared header page (every slot and
 * the acknowledgement) each time it is told of a new buffer, as a hostile firmware may.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openamp/open_amp.h>

#include <amp/fw_platform.h>
#include <ampsim/ddr_plug.h>
#include <ampsim/fwenv.h>

static struct rpmsg_endpoint ept;
static unsigned announced_len[16];
static bool scribbling;
static unsigned scribbles;

/* Nonzero garbage in every field of every slot the host used to read back (issue 12). */
static void scribble_plug_table(void)
{
	const char *name = getenv(AMP_FWENV_SHM);
	int fd = name ? shm_open(name, O_RDWR, 0) : -1;
	if (fd < 0)
		return;
	uint8_t *hdr = mmap(NULL, AMP_SOC_HDR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (hdr == MAP_FAILED)
		return;
	struct amp_ddr_plug_table *t = (void *)(hdr + AMP_DDR_PLUG_OFFSET);
	scribbles++;
	for (uint32_t i = 0; i < AMP_DDR_PLUG_SLOTS; i++)
		t->slot[i] = (struct amp_ddr_plug_slot){.da = 0xDEAD0000u + i * 0x1000u,
							.size = 0x1000u * (i + scribbles),
							.fd = (int32_t)(i + 3u),
							.tag = 0xFFFF0000u + scribbles + i};
	atomic_store(&t->ack, 0x7FFF0000u + scribbles);
	munmap(hdr, AMP_SOC_HDR_SIZE);
}

static int fw_reply(struct rpmsg_endpoint *e, uint32_t dst, const char *text)
{
	return rpmsg_sendto(e, text, (int)strlen(text), dst);
}

/* Each broken answer the service must refuse (and count) without harm. */
static void misbehave(struct rpmsg_endpoint *e, uint32_t dst, char which)
{
	char out[40];
	switch (which) {
	case '1': /* not the format */
		snprintf(out, sizeof(out), "hello, host");
		break;
	case '2': /* an index that was never announced */
		snprintf(out, sizeof(out), "B15L00001000");
		break;
	case '3': /* more bytes than buffer 0 holds */
		snprintf(out, sizeof(out), "B0L%08x", announced_len[0] + 1u);
		break;
	case '4': /* buffer 0 again, while the client still holds it */
		snprintf(out, sizeof(out), "B0L00000010");
		break;
	case '5': /* "given back" for a to-Linux buffer */
		snprintf(out, sizeof(out), "R0C00000000");
		break;
	default: /* 7 hex digits: ST's parser would misread it; ours refuses it */
		snprintf(out, sizeof(out), "B0L0000010");
		break;
	}
	fw_reply(e, dst, out);
}

static int cb(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
	char msg[40], out[40];
	unsigned idx, da, n;
	(void)priv;
	if (len == 0 || len >= sizeof(msg))
		return RPMSG_SUCCESS;
	memcpy(msg, data, len);
	msg[len] = '\0';
	if (sscanf(msg, "B%uA%8xL%8x", &idx, &da, &n) == 3 && idx < 16) {
		announced_len[idx] = n;
		if (scribbling)
			scribble_plug_table(); /* before the fill: the client waits for that */
		snprintf(out, sizeof(out), "B%uL%08x", idx, 16u); /* a correct fill of 16 bytes */
		fw_reply(e, src, out);
	} else if (msg[0] == 'S' && len == 1) {
		scribbling = true;
	} else if (msg[0] == 'E' && len == 2) {
		misbehave(e, src, msg[1]);
	}
	return RPMSG_SUCCESS;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev || rpmsg_create_ept(&ept, rdev, "rpmsg-sdb-channel", RPMSG_ADDR_ANY,
				      RPMSG_ADDR_ANY, cb, NULL) != RPMSG_SUCCESS)
		return 1;
	while (!fw_platform_stop_requested())
		fw_platform_poll(1000);
	fw_platform_deinit();
	return 0;
}
