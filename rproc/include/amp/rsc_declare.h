/*
 * Declaring a firmware's resource table in C.
 *
 * A firmware (the same source for the simulator and for the Cortex-M4) defines one table
 * object in the ".resource_table" section, where the host's ELF reader finds it:
 *
 *     #include <amp/rsc_declare.h>
 *
 *     AMP_RSC_SECTION struct amp_rsc_table_rpmsg_trace amp_resource_table =
 *             AMP_RSC_TABLE_RPMSG_TRACE_INIT(AMP_RSC_ST_VRING_NUM, AMP_RSC_ST_VRING_ALIGN,
 *                                            0x1003f000u, 0x1000u, "cm4_log");
 *
 * or, for a table of its own shape, a struct of wire structs (no padding: all of them are
 * multiples of 4 bytes) with designated initializers built from the per-entry macros below,
 * the offsets given by offsetof(). The table must not be const: on a real SoC the host writes
 * vring addresses and the vdev status into the loaded copy.
 *
 * Addresses are 32-bit device addresses. Use integer constants from the SoC memory map, not
 * (uint32_t)&buffer: that is not a constant expression on a 64-bit host.
 */
#ifndef AMP_RSC_DECLARE_H
#define AMP_RSC_DECLARE_H

#include <stddef.h>
#include <stdint.h>

#include <amp/rsc_table.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The table is stored in the firmware's own byte order and read as little-endian. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "resource tables are little-endian; a big-endian firmware needs byte-swapped initializers"
#endif
#endif

/*
 * `used` keeps the compiler from dropping an unreferenced table. `ld --gc-sections` (the
 * Cortex-M4 link) still drops an unreferenced section: the firmware's table getter must
 * reference the table, or its linker script must say KEEP(*(.resource_table)), as ST's do.
 * (GCC's `retain` attribute would do it, but arm-none-eabi-gcc 12 ignores it with a warning.)
 */
/** Place an object in the ".resource_table" section, aligned and kept. */
#define AMP_RSC_SECTION __attribute__((used, section(".resource_table"), aligned(8)))

/** ST STM32MP1 defaults (STM32Cube openamp_conf.h): 16 buffers per vring, align 16. */
#define AMP_RSC_ST_VRING_NUM 16u
#define AMP_RSC_ST_VRING_ALIGN 16u

/** Table header for @p n entries. */
#define AMP_RSC_HDR_INIT(n)                                                    \
	{                                                                      \
		.ver = AMP_RSC_TABLE_VERSION, .num = (n), .reserved = { 0, 0 } \
	}

/**
 * A vdev's fixed part: device id, offered features, number of vrings that follow, and the
 * bytes of config space after them.
 */
#define AMP_RSC_VDEV_CFG_INIT(id_, dfeatures_, num_of_vrings_, config_len_)                  \
	{                                                                                    \
		.type = AMP_RSC_VDEV, .id = (id_), .notifyid = 0, .dfeatures = (dfeatures_), \
		.gfeatures = 0, .config_len = (config_len_), .status = 0,                    \
		.num_of_vrings = (num_of_vrings_), .reserved = {                             \
			0,                                                                   \
			0                                                                    \
		}                                                                            \
	}

/** A vdev's fixed part without config space. */
#define AMP_RSC_VDEV_INIT(id_, dfeatures_, num_of_vrings_) \
	AMP_RSC_VDEV_CFG_INIT(id_, dfeatures_, num_of_vrings_, 0)

/** An rpmsg vdev (id 7) offering the name service (VIRTIO_RPMSG_F_NS). */
#define AMP_RSC_VDEV_RPMSG_INIT(num_of_vrings_) \
	AMP_RSC_VDEV_INIT(AMP_VIRTIO_ID_RPMSG, 1u << AMP_VIRTIO_RPMSG_F_NS, num_of_vrings_)

/**
 * An rpmsg vdev whose vrings are followed by ampsim's buffer-size config space
 * (struct amp_fw_rsc_rpmsg_cfg, AMP_RSC_RPMSG_CFG_INIT).
 */
#define AMP_RSC_VDEV_RPMSG_BUFS_INIT(num_of_vrings_)                                            \
	AMP_RSC_VDEV_CFG_INIT(AMP_VIRTIO_ID_RPMSG, 1u << AMP_VIRTIO_RPMSG_F_NS, num_of_vrings_, \
			      sizeof(struct amp_fw_rsc_rpmsg_cfg))

/**
 * ampsim's rpmsg config space: buffer bytes (16-byte header included) host -> remote and
 * remote -> host; 0 = Linux's 512. Each a multiple of 4 in 56..65548.
 */
#define AMP_RSC_RPMSG_CFG_INIT(h2r_buf_size_, r2h_buf_size_)                            \
	{                                                                               \
		.magic = AMP_RSC_RPMSG_CFG_MAGIC, .version = AMP_RSC_RPMSG_CFG_VERSION, \
		.h2r_buf_size = (h2r_buf_size_), .r2h_buf_size = (r2h_buf_size_)        \
	}

/** One vring. Use AMP_FW_RSC_ADDR_ANY as @p da to let the host place it. */
#define AMP_RSC_VRING_INIT(da_, align_, num_, notifyid_)                                        \
	{                                                                                       \
		.da = (da_), .align = (align_), .num = (num_), .notifyid = (notifyid_), .pa = 0 \
	}

/** A trace buffer of @p len_ bytes at device address @p da_, named by a string literal. */
#define AMP_RSC_TRACE_INIT(da_, len_, name_)                                                    \
	{                                                                                       \
		.type = AMP_RSC_TRACE, .da = (da_), .len = (len_), .reserved = 0, .name = name_ \
	}

/** A carveout (memory the firmware needs); da/pa may be AMP_FW_RSC_ADDR_ANY. */
#define AMP_RSC_CARVEOUT_INIT(da_, pa_, len_, flags_, name_)                       \
	{                                                                          \
		.type = AMP_RSC_CARVEOUT, .da = (da_), .pa = (pa_), .len = (len_), \
		.flags = (flags_), .reserved = 0, .name = name_                    \
	}

/** ampsim's watchdog: the firmware refreshes it at least every @p timeout_ms_. */
#define AMP_RSC_WATCHDOG_INIT(timeout_ms_)                                                  \
	{                                                                                   \
		.type = AMP_RSC_AMPSIM_WATCHDOG, .len = sizeof(struct amp_fw_rsc_watchdog), \
		.timeout_ms = (timeout_ms_), .refresh = 0                                   \
	}

/** The common table: one rpmsg vdev with two vrings (notify ids 0 and 1). */
struct amp_rsc_table_rpmsg {
	struct amp_rsc_table_hdr hdr;
	uint32_t offset[1];
	struct amp_fw_rsc_vdev vdev;
	struct amp_fw_rsc_vdev_vring vring[2];
};

/** The common table plus a trace buffer (ST's "cm4_log"). */
struct amp_rsc_table_rpmsg_trace {
	struct amp_rsc_table_hdr hdr;
	uint32_t offset[2];
	struct amp_fw_rsc_vdev vdev;
	struct amp_fw_rsc_vdev_vring vring[2];
	struct amp_fw_rsc_trace trace;
};

/**
 * One rpmsg vdev with buffer sizes per direction (its config space follows the vrings), plus
 * a trace buffer.
 */
struct amp_rsc_table_rpmsg_bufs_trace {
	struct amp_rsc_table_hdr hdr;
	uint32_t offset[2];
	struct amp_fw_rsc_vdev vdev;
	struct amp_fw_rsc_vdev_vring vring[2];
	struct amp_fw_rsc_rpmsg_cfg config;
	struct amp_fw_rsc_trace trace;
};

/* The vrings must directly follow the vdev's fixed part: no padding anywhere. */
_Static_assert(offsetof(struct amp_rsc_table_rpmsg, vdev) == 20, "rpmsg table vdev");
_Static_assert(offsetof(struct amp_rsc_table_rpmsg, vring) == 48, "rpmsg table vring");
_Static_assert(sizeof(struct amp_rsc_table_rpmsg) == 88, "rpmsg table size");
_Static_assert(offsetof(struct amp_rsc_table_rpmsg_trace, vdev) == 24, "rpmsg+trace vdev");
_Static_assert(offsetof(struct amp_rsc_table_rpmsg_trace, vring) == 52, "rpmsg+trace vring");
_Static_assert(offsetof(struct amp_rsc_table_rpmsg_trace, trace) == 92, "rpmsg+trace trace");
_Static_assert(sizeof(struct amp_rsc_table_rpmsg_trace) == 140, "rpmsg+trace size");
_Static_assert(offsetof(struct amp_rsc_table_rpmsg_bufs_trace, config) == 92, "bufs config");
_Static_assert(offsetof(struct amp_rsc_table_rpmsg_bufs_trace, trace) == 108, "bufs trace");

/** Initializer of struct amp_rsc_table_rpmsg: vrings at ANY, @p num_ entries, @p align_. */
#define AMP_RSC_TABLE_RPMSG_INIT(num_, align_)                                           \
	{                                                                                \
		.hdr = AMP_RSC_HDR_INIT(1),                                              \
		.offset = {offsetof(struct amp_rsc_table_rpmsg, vdev)},                  \
		.vdev = AMP_RSC_VDEV_RPMSG_INIT(2),                                      \
		.vring = {AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, (align_), (num_), 0),  \
			  AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, (align_), (num_), 1)}, \
	}

/** Initializer of struct amp_rsc_table_rpmsg_trace (trace entry second, as ST does). */
#define AMP_RSC_TABLE_RPMSG_TRACE_INIT(num_, align_, trace_da_, trace_len_, trace_name_) \
	{                                                                                \
		.hdr = AMP_RSC_HDR_INIT(2),                                              \
		.offset = {offsetof(struct amp_rsc_table_rpmsg_trace, vdev),             \
			   offsetof(struct amp_rsc_table_rpmsg_trace, trace)},           \
		.vdev = AMP_RSC_VDEV_RPMSG_INIT(2),                                      \
		.vring = {AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, (align_), (num_), 0),  \
			  AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, (align_), (num_), 1)}, \
		.trace = AMP_RSC_TRACE_INIT((trace_da_), (trace_len_), trace_name_),     \
	}

/**
 * Initializer of struct amp_rsc_table_rpmsg_bufs_trace: vring0 (remote -> host) with @p num0_
 * entries, vring1 with @p num1_, both at ANY with @p align_; buffers of @p h2r_ bytes host ->
 * remote and @p r2h_ bytes remote -> host (0 = 512); a trace buffer.
 */
#define AMP_RSC_TABLE_RPMSG_BUFS_TRACE_INIT(num0_, num1_, align_, h2r_, r2h_, trace_da_,  \
					    trace_len_, trace_name_)                      \
	{                                                                                 \
		.hdr = AMP_RSC_HDR_INIT(2),                                               \
		.offset = {offsetof(struct amp_rsc_table_rpmsg_bufs_trace, vdev),         \
			   offsetof(struct amp_rsc_table_rpmsg_bufs_trace, trace)},       \
		.vdev = AMP_RSC_VDEV_RPMSG_BUFS_INIT(2),                                  \
		.vring = {AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, (align_), (num0_), 0),  \
			  AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, (align_), (num1_), 1)}, \
		.config = AMP_RSC_RPMSG_CFG_INIT((h2r_), (r2h_)),                         \
		.trace = AMP_RSC_TRACE_INIT((trace_da_), (trace_len_), trace_name_),      \
	}

#ifdef __cplusplus
}
#endif

#endif /* AMP_RSC_DECLARE_H */
