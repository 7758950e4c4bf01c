/*
 * A test firmware for the lifecycle tests: an rpmsg vdev (left idle), a trace buffer and the
 * ampsim watchdog entry. It never answers the CH3 shutdown request, so stopping it needs the
 * SIGKILL after the grace period.
 *
 *   wdg_fw pet         refresh the watchdog forever
 *   wdg_fw hang MS     refresh for MS milliseconds, then stop refreshing (a stalled core)
 *   wdg_fw exit CODE   exit at once with CODE
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ampsim/fwenv.h>
#include <amp/rsc_declare.h>
#include <amp/rsc_parse.h>
#include <ampsim/soc.h>

#ifndef WDG_TIMEOUT_MS
#define WDG_TIMEOUT_MS 250u
#endif
/* Variants built with other vring settings test the host's placement checks. */
#ifndef VRING0_DA
#define VRING0_DA AMP_FW_RSC_ADDR_ANY
#endif
#ifndef VRING_NUM
#define VRING_NUM 16u
#endif
#define TRACE_DA 0x1003f000u /* fw-sample's FW_TRACE_BUFFER_DA, inside MCU SRAM */

struct wdg_table {
	struct amp_rsc_table_hdr hdr;
	uint32_t offset[3];
	struct amp_fw_rsc_vdev vdev;
	struct amp_fw_rsc_vdev_vring vring[2];
	struct amp_fw_rsc_trace trace;
	struct amp_fw_rsc_watchdog wdg;
};

AMP_RSC_SECTION struct wdg_table amp_resource_table = {
    .hdr = AMP_RSC_HDR_INIT(3),
    .offset = {offsetof(struct wdg_table, vdev), offsetof(struct wdg_table, trace),
	       offsetof(struct wdg_table, wdg)},
    .vdev = AMP_RSC_VDEV_RPMSG_INIT(2),
    .vring = {AMP_RSC_VRING_INIT(VRING0_DA, 16, VRING_NUM, 0),
	      AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, 16, VRING_NUM, 1)},
    .trace = AMP_RSC_TRACE_INIT(TRACE_DA, 0x1000u, "cm4_log"),
    .wdg = AMP_RSC_WATCHDOG_INIT(WDG_TIMEOUT_MS),
};

static void msleep(long ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

/* The watchdog word in the loaded table (shared memory), found by its vendor type. */
static uint32_t *find_refresh(struct amp_soc *soc, char **trace)
{
	struct amp_rsc_iter it;
	struct amp_rsc_entry e;
	uint32_t *refresh = NULL;
	uint64_t da, size;
	void *table;

	if (amp_soc_get_rsc(soc, &da, &size, &table) || amp_rsc_iter_init(&it, table, size, NULL))
		return NULL;
	while (amp_rsc_iter_next(&it, &e, NULL) == 1) {
		if (e.type == AMP_RSC_AMPSIM_WATCHDOG)
			refresh = (void *)((uint8_t *)table + e.offset +
					   offsetof(struct amp_fw_rsc_watchdog, refresh));
		if (e.kind == AMP_RSC_KIND_TRACE)
			*trace = amp_soc_da_to_va(soc, e.u.trace.da, e.u.trace.len);
	}
	return refresh;
}

int main(int argc, char **argv)
{
	int efds[AMP_FWENV_NFDS];
	char name[AMP_SOC_SHM_NAME_MAX];
	struct amp_soc soc;
	char *trace = NULL;
	uint32_t *refresh;

	if (argc >= 3 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (amp_fwenv_read(name, sizeof(name), efds, NULL, 0) || amp_soc_attach_host(&soc, name))
		return 100;
	refresh = find_refresh(&soc, &trace);
	if (!refresh)
		return 101;
	if (trace)
		strcpy(trace, "wdg_fw: refreshing\n");
	long left = argc >= 3 && !strcmp(argv[1], "hang") ? atol(argv[2]) : -1;
	while (left != 0) { /* -1: forever */
		__atomic_fetch_add(refresh, 1, __ATOMIC_RELAXED);
		msleep(10);
		if (left > 0)
			left = left > 10 ? left - 10 : 0;
	}
	if (trace)
		strcat(trace, "wdg_fw: stalled\n");
	for (;;)
		pause();
}
