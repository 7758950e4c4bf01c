/*
 * ST's Cube OpenAMP glue (MX_OPENAMP_Init and friends) for ampsim, on the real OpenAMP and
 * libmetal. Bring-up as ST's Cube does it, remote role:
 *   metal_init() (without UIO/VFIO the Linux layer returns -ENODEV: this port uses no
 *   libmetal device, so it goes on), the shared memory as a libmetal I/O region at its
 *   device addresses (vrings and buffers), the loaded resource table as a second one,
 *   rproc_virtio_create_vdev(VDEV_ID 0xFF), rproc_virtio_wait_remote_ready(),
 *   rproc_virtio_init_vring() for both vrings as the host placed them, rpmsg_init_vdev().
 * The host's values (vring addresses and sizes) are checked before OpenAMP uses them.
 */
#include "openamp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <metal/sleep.h>
#include <metal/sys.h>

#include <amp/error.h>
#include <amp/rsc_error.h>
#include <amp/rsc_vdev.h>
#include <amp/vring_layout.h>

#include "board.h"
#include "mbox_ipcc.h"

#define READY_TIMEOUT_MS 10000u /* how long to wait for the host's DRIVER_OK */

static struct {
	struct metal_io_region shm_io, rsc_io;
	metal_phys_addr_t shm_pa, rsc_pa;
	struct amp_rsc_vdev_ref vdev_ref;
	void *rsc_vdev; /* the vdev entry in the loaded (shared) table */
	struct virtio_device *vdev;
	struct rpmsg_virtio_device rvdev;
	bool metal_up, rpmsg_up;
} oa;

/* libmetal's Linux layer: -ENODEV just means no UIO/VFIO bus (a container); keep quiet. */
static int init_metal(void)
{
	struct metal_init_params p = METAL_INIT_DEFAULTS;
	p.log_level = METAL_LOG_CRITICAL;
	int rc = metal_init(&p);
	metal_set_log_level(METAL_LOG_WARNING);
	if (rc == -ENODEV)
		return 0; /* only the device buses failed; metal_finish() must not be called */
	if (rc != 0) {
		ampsim_board_fail("libmetal", "metal_init() failed");
		return -1;
	}
	oa.metal_up = true;
	return 0;
}

/* One I/O region over the vring and buffer regions, which must be one contiguous range. */
static int shm_region(struct amp_soc *soc)
{
	uint64_t lo = UINT64_MAX, hi = 0, sum = 0;
	for (uint32_t i = 0; i < soc->nregions; i++) {
		const struct amp_soc_region *r = &soc->regions[i];
		if (r->purpose != AMP_SOC_PURPOSE_VRING && r->purpose != AMP_SOC_PURPOSE_BUFFER)
			continue;
		if (!r->at_da) {
			ampsim_board_fail("shared memory", "a vring or buffer region is not at its "
							   "device address");
			return -1;
		}
		lo = r->da < lo ? r->da : lo;
		hi = r->da + r->size > hi ? r->da + r->size : hi;
		sum += r->size;
	}
	if (sum == 0 || hi - lo != sum) {
		ampsim_board_fail("shared memory", "the vring and buffer regions do not form one "
						   "contiguous range (profile)");
		return -1;
	}
	oa.shm_pa = (metal_phys_addr_t)lo;
	metal_io_init(&oa.shm_io, (void *)(uintptr_t)lo, &oa.shm_pa, (size_t)sum, (unsigned)-1, 0,
		      NULL);
	return 0;
}

/* The loaded resource table: its rpmsg vdev, and an I/O region over the shared copy. */
static int rsc_region(struct amp_soc *soc)
{
	uint64_t da, size;
	void *table;
	if (amp_soc_get_rsc(soc, &da, &size, &table) != AMP_OK || !table) {
		ampsim_board_fail("resource table",
				  "the host has not loaded one into shared memory");
		return -1;
	}
	uint8_t *copy = malloc((size_t)size); /* parsed privately: the host writes the shared one */
	struct amp_rsc_error err;
	int rc =
	    copy ? amp_rsc_vdev_bind(&oa.vdev_ref, table, (size_t)size, copy, &err) : AMP_ENOMEM;
	free(copy);
	if (rc != AMP_OK) {
		char why[160] = "out of memory";
		if (rc != AMP_ENOMEM)
			amp_rsc_error_format(&err, why, sizeof(why));
		ampsim_board_fail("resource table", why);
		return -1;
	}
	oa.rsc_pa = (metal_phys_addr_t)da;
	metal_io_init(&oa.rsc_io, table, &oa.rsc_pa, (size_t)size, (unsigned)-1, 0, NULL);
	oa.rsc_vdev = (uint8_t *)table + oa.vdev_ref.vdev_off;
	return 0;
}

/* Bounded: OpenAMP's own wait polls forever. */
static int wait_driver_ok(void)
{
	for (uint32_t ms = 0; !(amp_rsc_vdev_status(&oa.vdev_ref) & AMP_VIRTIO_STATUS_DRIVER_OK);
	     ms++) {
		if (ms >= READY_TIMEOUT_MS) {
			ampsim_board_fail("rpmsg", "the host did not set DRIVER_OK within 10 s");
			return -1;
		}
		metal_sleep_usec(1000);
	}
	rproc_virtio_wait_remote_ready(oa.vdev);
	return 0;
}

/* Each vring as the host placed it, checked against the shared-memory region first. */
static int init_vrings(void)
{
	struct amp_rpmsg_vdev_params p;
	amp_rsc_vdev_read(&oa.vdev_ref, &p);
	for (unsigned i = 0; i < 2; i++) {
		const struct amp_vring_info *v = &p.vring[i];
		size_t size = amp_vring_size(v->num, v->align);
		bool pow2 = v->num && (v->num & (v->num - 1)) == 0 && v->num <= 32768u;
		bool align_ok = v->align && (v->align & (v->align - 1)) == 0;
		bool inside = v->da >= oa.shm_pa && v->da - oa.shm_pa <= oa.shm_io.size &&
			      size <= oa.shm_io.size - (size_t)(v->da - oa.shm_pa);
		if (!pow2 || !align_ok || !inside) {
			char why[160];
			snprintf(why, sizeof(why),
				 "vring%u from the host (da 0x%llx, num %u, align %u) "
				 "is not a valid vring inside the shared memory",
				 i, (unsigned long long)v->da, v->num, v->align);
			ampsim_board_fail("rpmsg", why);
			return -1;
		}
		void *va = metal_io_phys_to_virt(&oa.shm_io, (metal_phys_addr_t)v->da);
		if (rproc_virtio_init_vring(oa.vdev, i, v->notify_id, va, &oa.shm_io, v->num,
					    v->align) != 0) {
			ampsim_board_fail("rpmsg", "rproc_virtio_init_vring() failed");
			return -1;
		}
	}
	return 0;
}

static int bring_up(int role, rpmsg_ns_bind_cb ns_bind_cb)
{
	const int *efds;
	struct amp_soc *soc = ampsim_board_attach(&efds);
	if (!soc || MAILBOX_Init() != 0 || init_metal() != 0 || shm_region(soc) != 0 ||
	    rsc_region(soc) != 0)
		return -1;
	oa.vdev = rproc_virtio_create_vdev((unsigned)role, VDEV_ID, oa.rsc_vdev, &oa.rsc_io, NULL,
					   MAILBOX_Notify, NULL);
	if (!oa.vdev) {
		ampsim_board_fail("rpmsg", "rproc_virtio_create_vdev() failed");
		return -1;
	}
	if (wait_driver_ok() != 0 || init_vrings() != 0)
		return -1;
	/* The remote uses the host's buffers: no pool of its own. */
	if (rpmsg_init_vdev(&oa.rvdev, oa.vdev, ns_bind_cb, &oa.shm_io, NULL) != 0) {
		ampsim_board_fail("rpmsg", "rpmsg_init_vdev() failed");
		return -1;
	}
	oa.rpmsg_up = true;
	return 0;
}

int MX_OPENAMP_Init(int RPMsgRole, rpmsg_ns_bind_cb ns_bind_cb)
{
	if (RPMsgRole != (int)RPMSG_REMOTE) {
		ampsim_board_fail("MX_OPENAMP_Init",
				  "only the remote role (RPMSG_REMOTE) runs under "
				  "ampsim: the host is Linux");
		return -1;
	}
	if (bring_up(RPMsgRole, ns_bind_cb) != 0) {
		OPENAMP_DeInit();
		return -1;
	}
	return 0;
}

void OPENAMP_DeInit(void)
{
	if (oa.rpmsg_up)
		rpmsg_deinit_vdev(&oa.rvdev);
	if (oa.vdev)
		rproc_virtio_remove_vdev(oa.vdev);
	oa.rpmsg_up = false;
	oa.vdev = NULL;
	MAILBOX_DeInit();
	if (oa.metal_up)
		metal_finish();
	oa.metal_up = false;
	ampsim_board_detach();
}

int OPENAMP_create_endpoint(struct rpmsg_endpoint *ept, const char *name, uint32_t dest,
			    rpmsg_ept_cb cb, rpmsg_ns_unbind_cb unbind_cb)
{
	return rpmsg_create_ept(ept, &oa.rvdev.rdev, name, RPMSG_ADDR_ANY, dest, cb, unbind_cb);
}

void OPENAMP_check_for_message(void)
{
	if (MAILBOX_Poll(oa.rvdev.vdev) == -EAGAIN && !MAILBOX_StopRequested()) {
		MAILBOX_Wait(10);
		MAILBOX_Poll(oa.rvdev.vdev);
	}
	if (MAILBOX_StopRequested()) {
		/* CH3: the M4 stops; this process ends, cleanly, as the host expects. */
		OPENAMP_DeInit();
		exit(EXIT_SUCCESS);
	}
}

void OPENAMP_Wait_EndPointready(struct rpmsg_endpoint *rp_ept)
{
	while (!is_rpmsg_ept_ready(rp_ept))
		OPENAMP_check_for_message();
}
