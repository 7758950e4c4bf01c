/*
 * fuzz_host: the host side against a hostile firmware (fuzz_host.c). Shared definitions of
 * its three files: the script reader and the link (fuzz_host.c), the host bus steps and
 * their invariants (fuzz_host_bus.c), the IPCC model, header page and DDR plug table
 * (fuzz_host_soc.c).
 *
 * Script format (docs/reliability.md): byte 0 picks the link's features (bit 0 name
 * service, bit 1 host no_suppress, bit 2 remote no_suppress); then operations, each an
 * opcode byte followed by its arguments (missing bytes read as 0):
 *   opcode % FZ_OP_COUNT  what
 *   FZ_OP_POKE            write 0..16 bytes at a 16-bit offset of the vring/pool block
 *   FZ_OP_POKE_HOT        the same at a field the host reads (used idx/ring, rpmsg header)
 *   FZ_OP_HOST_IRQ        amp_rpmsg_notified() on the host (id 0, 1, any or a random one)
 *   FZ_OP_REMOTE_IRQ      the honest remote processes its pending doorbells
 *   FZ_OP_HOST_PUMP       the host processes its pending doorbells
 *   FZ_OP_HOST_SEND       a host endpoint sends (trysend, length from the script)
 *   FZ_OP_REMOTE_SEND     the remote sends to a host address (or 53)
 *   FZ_OP_HOST_EPT        create / destroy a host endpoint
 *   FZ_OP_REMOTE_EPT      create / destroy a remote endpoint (announces it)
 *   FZ_OP_HOST_NOCOPY     reserve / send / release a zero-copy TX buffer
 *   FZ_OP_HOST_RELEASE    release one held RX buffer
 *   FZ_OP_HOST_WAIT       tx_wait_begin / tx_wait_end
 *   FZ_OP_IPCC            write bytes into the IPCC register file, then a host IPCC step
 *   FZ_OP_PLUG            write bytes into the plug table, then a host plug step
 *   FZ_OP_HDR             write bytes into the header page, then validate it as attach does
 */
#ifndef FUZZ_HOST_H
#define FUZZ_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amp/rpmsg.h>

#define FZ_CHECK(x)                       \
	do {                              \
		if (!(x))                 \
			__builtin_trap(); \
	} while (0)

/* The block: vring0, vring1 (16 entries, align 16), then 16 + 16 buffers of 512 bytes. */
#define FZ_BASE_DA 0x10040000u
#define FZ_NUM 16u
#define FZ_VRING_SIZE 0x1000u
#define FZ_POOL_OFF (2u * FZ_VRING_SIZE)
#define FZ_BUF 512u
#define FZ_POOL_SIZE (2u * FZ_NUM * FZ_BUF)
#define FZ_STATUS_OFF (FZ_POOL_OFF + FZ_POOL_SIZE) /* the vdev status byte */
#define FZ_MEM_SIZE (FZ_STATUS_OFF + 1u)
#define FZ_MAX_STEPS 4096u
#define FZ_EPTS 4u

enum {
	FZ_OP_POKE,
	FZ_OP_POKE_HOT,
	FZ_OP_HOST_IRQ,
	FZ_OP_REMOTE_IRQ,
	FZ_OP_HOST_PUMP,
	FZ_OP_HOST_SEND,
	FZ_OP_REMOTE_SEND,
	FZ_OP_HOST_EPT,
	FZ_OP_REMOTE_EPT,
	FZ_OP_HOST_NOCOPY,
	FZ_OP_HOST_RELEASE,
	FZ_OP_HOST_WAIT,
	FZ_OP_IPCC,
	FZ_OP_PLUG,
	FZ_OP_HDR,
	FZ_OP_COUNT
};

struct fz_script {
	const uint8_t *data;
	size_t len, pos;
};

uint8_t fz_u8(struct fz_script *s);
uint16_t fz_u16(struct fz_script *s);
uint32_t fz_u32(struct fz_script *s);
size_t fz_bytes(struct fz_script *s, uint8_t *dst, size_t max);

struct fz_link;

struct fz_port {
	struct fz_link *link;
	uint32_t pending; /* doorbells rung for this side, not yet delivered */
	int lock_depth;
	bool is_host;
};

/* One endpoint of the host with what the target tracks about it. */
struct fz_ept {
	struct amp_rpmsg_ept ept;
	bool live;
};

struct fz_link {
	uint8_t *mem; /* FZ_MEM_SIZE bytes, malloc'd: everything in it is firmware-writable */
	struct amp_rpmsg_dev host, remote;
	struct fz_port hp, rp;
	struct amp_port hport, rport;
	struct amp_rpmsg_host_cfg hcfg;
	struct amp_rpmsg_remote_cfg rcfg;
	uint32_t work[16];
	bool remote_up;
	struct fz_ept hept[FZ_EPTS];
	struct amp_rpmsg_ept rept[FZ_EPTS];
	void *held[FZ_NUM]; /* RX buffers the host holds (hold_rx in a callback) */
	uint32_t nheld;
	void *nocopy[FZ_NUM]; /* TX buffers reserved by the application */
	uint32_t nnocopy;
	uint32_t waiters; /* tx_wait_begin without its end */
	uint32_t callbacks;
	bool rx_broken, tx_broken;
};

/* fuzz_host_bus.c */
void fz_bus_reset(struct fz_link *l);
void fz_bus_step(struct fz_link *l, unsigned op, struct fz_script *s);
void fz_bus_check(struct fz_link *l);
void fz_bus_end(struct fz_link *l);
void fz_host_ns_cb(struct amp_rpmsg_dev *dev, const char *name, uint32_t addr, bool destroy,
		   void *priv);

/* fuzz_host_soc.c: once per process, then around each input */
void fz_soc_init(void);
void fz_soc_begin(struct fz_link *bus);
void fz_soc_step(unsigned op, struct fz_script *s);
void fz_soc_end(void);

#endif /* FUZZ_HOST_H */
