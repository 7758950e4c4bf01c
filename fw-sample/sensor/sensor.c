/*
 * sensor: a frame-oriented producer, as a real sensor firmware would be. Announces
 * "rpmsg-sensor"; after the host's first command ("P<ms>", which also tells the firmware the
 * host's address) it sends one frame every period: sequence number, timestamp, samples,
 * CRC-32 (sensor_proto.h). Timing uses fw_platform_millis() and the timeout of
 * fw_platform_poll(), so the loop sleeps between frames on both platforms.
 */
#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#include "sensor_proto.h"

static struct rpmsg_endpoint sensor_ept;
static uint32_t period_ms;  /* 0 = stopped */
static uint32_t next_due;   /* fw_platform_millis() value of the next frame */
static uint32_t seq;	    /* sequence number of the next frame */
static uint32_t send_fails; /* frames produced but not sent (a gap the host will see) */
static uint32_t overruns;   /* periods skipped because the loop fell behind */

static int sensor_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	uint32_t p;

	(void)src;
	(void)priv;
	(void)ept;
	if (sensor_parse_cmd(data, len, &p) != 0) {
		fw_platform_trace("sensor: bad command ignored\n");
		return RPMSG_SUCCESS;
	}
	if (p != 0 && p < SENSOR_PERIOD_MIN)
		p = SENSOR_PERIOD_MIN;
	if (p != 0 && period_ms == 0)
		next_due = fw_platform_millis(); /* start now */
	period_ms = p;
	return RPMSG_SUCCESS;
}

/* Wrap-safe "a is at or after b" for a free-running millisecond counter. */
static bool time_reached(uint32_t now, uint32_t due)
{
	return (int32_t)(now - due) >= 0;
}

static void send_frame(uint32_t now)
{
	struct sensor_frame f = {.seq = seq, .timestamp = now, .nsamples = SENSOR_NSAMPLES};
	uint8_t buf[SENSOR_FRAME_SIZE];

	for (uint32_t ch = 0; ch < SENSOR_NSAMPLES; ch++)
		f.samples[ch] = sensor_sample(seq, ch);
	int n = sensor_frame_encode(buf, sizeof(buf), &f);
	/* The sequence number counts frames produced: a failed send shows up as a gap. */
	seq++;
	if (n < 0 || rpmsg_send(&sensor_ept, buf, n) < 0) {
		send_fails++;
		fw_platform_trace("sensor: frame not sent\n");
	}
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	int rc = rpmsg_create_ept(&sensor_ept, rdev, SENSOR_SERVICE, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY,
				  sensor_cb, NULL);
	if (rc != RPMSG_SUCCESS) {
		fw_platform_trace("sensor: cannot create the endpoint\n");
		return 1;
	}
	fw_platform_trace("sensor: announced " SENSOR_SERVICE "\n");
	while (!fw_platform_stop_requested()) {
		uint32_t wait = 1000;
		if (period_ms != 0 && is_rpmsg_ept_ready(&sensor_ept)) {
			uint32_t now = fw_platform_millis();
			if (time_reached(now, next_due)) {
				send_frame(now);
				next_due += period_ms;
				/* Fell more than a period behind (host stalled us): restart the
				 * schedule from now rather than sending a burst. */
				if (time_reached(now, next_due + period_ms)) {
					overruns++;
					next_due = now + period_ms;
				}
				now = fw_platform_millis();
			}
			wait = time_reached(now, next_due) ? 0 : next_due - now;
		}
		fw_platform_poll(wait);
	}
	rpmsg_destroy_ept(&sensor_ept);
	fw_platform_trace("sensor: stopped\n");
	fw_platform_deinit();
	return 0;
}
