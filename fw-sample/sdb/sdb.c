/*
 * sdb: the producer side of ST's rpmsg-sdb (shared data buffers), as in ST's logic-analyser
 * demo. Announces "rpmsg-sdb-channel"; the host's driver allocates large buffers in DDR and
 * announces each one ("B<idx>A<addr>L<len>"); the firmware writes the data straight into the
 * buffer (no RPMsg copy), ends it with a CRC-32, and reports "B<idx>L<len>" so the driver
 * wakes the reader. Messages: <amp/sdb_proto.h> (the codec the host's service uses too);
 * the sample's command and fill: sdb_proto.h. Written against the OpenAMP API only;
 * buffer addresses go through fw_platform_da_to_va(), never dereferenced as they are.
 */
#include <openamp/open_amp.h>

#include <amp/fw_crc32.h>
#include <amp/fw_platform.h>

#include "sdb_proto.h"

struct sdb_buffer {
	uint32_t da;  /**< device address the host announced (0 = none) */
	uint32_t len; /**< its size */
	uint32_t fills;
	bool to_fw; /**< announced with T: the host writes it, we read it */
};

static struct rpmsg_endpoint sdb_ept;
static struct sdb_buffer buffers[AMP_SDB_MAX_BUFFERS];
static enum sdb_pattern pattern = SDB_PATTERN_COUNTER;
static uint32_t fill_seq;
static uint32_t bad_msgs;

static void fill_and_report(struct rpmsg_endpoint *ept, uint32_t idx, uint32_t dst)
{
	struct sdb_buffer *b = &buffers[idx];
	char report[AMP_SDB_MSG_MAX + 1];

	if (b->len == 0 || b->to_fw) {
		fw_platform_trace("sdb: refill of a buffer never announced for filling\n");
		return;
	}
	uint8_t *va = fw_platform_da_to_va(b->da, b->len);
	if (!va) {
		fw_platform_trace("sdb: announced buffer is outside accessible memory\n");
		return;
	}
	sdb_fill(va, b->len, pattern, fill_seq++);
	b->fills++;
	int n = amp_sdb_format(
	    report, sizeof(report),
	    &(struct amp_sdb_msg){.kind = AMP_SDB_MSG_FILLED, .idx = idx, .len = b->len});
	if (n < 0 || rpmsg_sendto(ept, report, n, dst) < 0)
		fw_platform_trace("sdb: report failed\n");
}

/* The host wrote @len bytes into a T buffer: read them (CRC-32) and give it back. */
static void consume_and_return(struct rpmsg_endpoint *ept, uint32_t idx, uint32_t len, uint32_t dst)
{
	struct sdb_buffer *b = &buffers[idx];
	char answer[AMP_SDB_MSG_MAX + 1];

	if (!b->to_fw || len > b->len) {
		fw_platform_trace("sdb: F for a buffer not announced with T, or too long\n");
		return;
	}
	const uint8_t *va = fw_platform_da_to_va(b->da, len);
	if (!va) {
		fw_platform_trace("sdb: announced buffer is outside accessible memory\n");
		return;
	}
	int n = amp_sdb_format(answer, sizeof(answer),
			       &(struct amp_sdb_msg){.kind = AMP_SDB_MSG_RETURNED,
						     .idx = idx,
						     .crc = amp_fw_crc32(va, len)});
	if (n < 0 || rpmsg_sendto(ept, answer, n, dst) < 0)
		fw_platform_trace("sdb: give-back failed\n");
}

static int sdb_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct sdb_cmd cmd;
	const struct amp_sdb_msg *msg = &cmd.msg;

	(void)priv;
	if (sdb_parse(data, len, &cmd) != 0) {
		bad_msgs++;
		fw_platform_trace("sdb: malformed message ignored\n");
		return RPMSG_SUCCESS;
	}
	switch (msg->kind) {
	case AMP_SDB_MSG_ANNOUNCE:
	case AMP_SDB_MSG_ANNOUNCE_TO_FW:
		buffers[msg->idx].da = msg->da;
		buffers[msg->idx].len = msg->len;
		buffers[msg->idx].to_fw = msg->kind == AMP_SDB_MSG_ANNOUNCE_TO_FW;
		if (msg->kind == AMP_SDB_MSG_ANNOUNCE)
			fill_and_report(ept, msg->idx, src);
		break;
	case AMP_SDB_MSG_SUBMIT:
		consume_and_return(ept, msg->idx, msg->len, src);
		break;
	case AMP_SDB_MSG_REFILL:
		fill_and_report(ept, msg->idx, src);
		break;
	case AMP_SDB_MSG_CONTROL:
		pattern = cmd.pattern;
		break;
	default: /* firmware -> host kinds: never parsed here */
		break;
	}
	return RPMSG_SUCCESS;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	int rc = rpmsg_create_ept(&sdb_ept, rdev, AMP_SDB_SERVICE_NAME, RPMSG_ADDR_ANY,
				  RPMSG_ADDR_ANY, sdb_cb, NULL);
	if (rc != RPMSG_SUCCESS) {
		fw_platform_trace("sdb: cannot create the endpoint\n");
		return 1;
	}
	fw_platform_trace("sdb: announced " AMP_SDB_SERVICE_NAME "\n");
	while (!fw_platform_stop_requested())
		fw_platform_poll(1000);
	rpmsg_destroy_ept(&sdb_ept);
	fw_platform_trace("sdb: stopped\n");
	fw_platform_deinit();
	return 0;
}
