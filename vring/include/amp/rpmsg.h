/*
 * RPMsg over two virtqueues, host role (Linux virtio_rpmsg_bus behaviour, DESIGN D2) and
 * remote role (OpenAMP-on-STM32MP1 behaviour, D3). Endpoints live in caller storage; the
 * core allocates nothing.
 *
 * Contexts:
 *  - amp_rpmsg_notified() is the only entry that runs receive callbacks. Callbacks run with
 *    the port lock released, never from inside a send (D9). In a callback, use only the
 *    non-blocking sends (timeout 0), hold, and the endpoint calls.
 *  - Blocking sends (timeout > 0) wait through the port's wait hook, with the lock released.
 *  - Creating/destroying endpoints concurrently with receive processing on another thread
 *    must be serialised by the application (as in OpenAMP).
 *
 * Return values: sends return the payload bytes sent (>= 0) or a negative AMP_E* code.
 */
#ifndef AMP_RPMSG_H
#define AMP_RPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amp/port.h>
#include <amp/trace.h>
#include <amp/virtqueue.h>
#include <amp/vring_layout.h>

#ifdef __cplusplus
extern "C" {
#endif

struct amp_rpmsg_dev;
struct amp_rpmsg_ept;

/**
 * Receive callback. @p data points into the shared RX buffer and is valid until the callback
 * returns (or, after amp_rpmsg_hold_rx_buffer(), until amp_rpmsg_release_rx_buffer()).
 * The return value is ignored (reserved, as in OpenAMP). A callback that cannot take the
 * message now calls amp_rpmsg_rx_defer() instead.
 */
typedef int (*amp_rpmsg_cb)(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
			    void *priv);
/** The peer destroyed the channel this endpoint was bound to (NS DESTROY). */
typedef void (*amp_rpmsg_unbind_cb)(struct amp_rpmsg_ept *ept);
/**
 * A name-service announcement arrived (after local endpoints were bound/unbound):
 * @p name (NUL-terminated, < 32 chars), the announcing address, create or destroy.
 */
typedef void (*amp_rpmsg_ns_cb)(struct amp_rpmsg_dev *dev, const char *name, uint32_t addr,
				bool destroy, void *priv);

/** An endpoint: a local address bound to a receive callback. */
struct amp_rpmsg_ept {
	char name[AMP_RPMSG_NAME_SIZE]; /**< read-only: service name ("" = none) */
	struct amp_rpmsg_dev *dev;	/**< read-only: NULL when not registered */
	uint32_t addr;			/**< read-only: local address */
	uint32_t dest_addr; /**< public: default destination; ANY until bound or learned */
	amp_rpmsg_cb cb;    /**< public */
	amp_rpmsg_unbind_cb unbind_cb; /**< public, may be NULL */
	void *priv;		       /**< public: passed to cb */
	struct amp_rpmsg_ept *next;    /**< private */
	uint8_t flags;		       /**< private */
};

/** Why a received message was dropped (not a protocol violation). */
enum amp_rpmsg_drop {
	AMP_RPMSG_DROP_NO_EPT, /**< no endpoint at hdr.dst */
	AMP_RPMSG_DROP_NS_LEN, /**< name-service message not exactly 40 bytes */
	AMP_RPMSG_DROP_NS_OFF, /**< name-service message while NS was not negotiated */
	AMP_RPMSG_DROP_COUNT
};

/** Device counters; read-only. Per-queue kicks and protocol errors are in rvq/tvq.stats. */
struct amp_rpmsg_stats {
	uint32_t tx_msgs;
	uint32_t tx_bytes; /**< payload bytes */
	uint32_t rx_msgs;
	uint32_t rx_bytes;
	uint32_t tx_nobuf;    /**< sends that found no TX buffer (before waiting, if they wait) */
	uint32_t tx_timeouts; /**< blocking sends that timed out */
	uint32_t rx_deferred; /**< deliveries a callback deferred (amp_rpmsg_rx_defer) */
	uint32_t drops[AMP_RPMSG_DROP_COUNT];
};

/** Parameters of one vring as the (loaded, host-patched) resource table gives them. */
struct amp_vring_info {
	uint64_t da;	    /**< device address of the vring */
	uint32_t num;	    /**< entries, power of two <= 32768 */
	uint32_t align;	    /**< used-ring alignment */
	uint32_t notify_id; /**< doorbell id */
};

struct amp_rpmsg_role_ops;

#define AMP_RPMSG_TX_STASH 2 /**< remote: released zero-copy TX buffers kept for reuse */
#define AMP_RPMSG_SEND_TIMEOUT_MS 15000u /**< default blocking-send timeout (Linux: 15 s) */

/**
 * One RPMsg link. Caller storage; all fields private except stats, rvq.stats, tvq.stats
 * (read-only) and send_timeout_ms (public).
 */
struct amp_rpmsg_dev {
	struct amp_vq rvq; /**< the queue we receive on (host: vring0, remote: vring1) */
	struct amp_vq tvq; /**< the queue we send on (host: vring1, remote: vring0) */
	struct amp_port port;
	const struct amp_rpmsg_role_ops *ops;
	struct amp_rpmsg_ept *epts;
	amp_rpmsg_ns_cb ns_cb;
	void *ns_priv;
	void *rx_cur;		  /**< payload handed to the running callback */
	uint32_t send_timeout_ms; /**< public: timeout of amp_rpmsg_send/sendto */
	uint32_t next_addr;	  /**< next dynamic address to try */
	uint32_t tx_mtu; /**< payload capacity of a TX buffer; remote: 0 = decided per buffer */
	uint8_t flags;
	uint8_t tx_waiters;
	uint8_t rx_held;
	uint8_t nstash;
	uint8_t rx_defer;  /**< the running callback deferred its message */
	uint8_t rx_parked; /**< a deferred message waits in its RX buffer (park_*) */
	uint16_t park_id;
	uint16_t park_len;
	uint32_t park_blen;	     /**< its buffer's length (header included) */
	uint8_t *park_buf;	     /**< the deferred message's buffer (header first) */
	uint32_t park_src, park_dst; /**< its header as read once, when it arrived */
	struct amp_rpmsg_stats stats;
	/** Event trace sink (<amp/trace.h>), NULL: off. Set and cleared under the port lock. */
	const struct amp_trace_sink *trace;
	union {
		struct {		 /* host role */
			uint64_t da;	 /**< device address of the pool */
			uint8_t *va;	 /**< pool: RX buffers, then TX buffers at tx_off */
			uint32_t tx_off; /**< rx_count * rx_size */
			uint32_t rx_size, tx_size;
			uint32_t *tx_free; /**< bitmap: TX buffer i is free */
			uint16_t rx_count, tx_count;
		} h;
		struct { /* remote role */
			uint8_t *stash_buf[AMP_RPMSG_TX_STASH];
			uint16_t stash_id[AMP_RPMSG_TX_STASH];
			uint16_t stash_cap[AMP_RPMSG_TX_STASH];
		} r;
	} u;
};

#define AMP_RPMSG_F_NS 0x01u /**< name service negotiated */
#define AMP_RPMSG_F_HOST 0x02u
#define AMP_RPMSG_F_READY 0x04u

/** What the remote reads from its vdev once the host has set DRIVER_OK. */
struct amp_rpmsg_vdev_params {
	/** [0] = vring0 (remote -> host, our TX), [1] = vring1 (host -> remote, our RX). */
	struct amp_vring_info vring[2];
	uint32_t features; /**< negotiated (offered & accepted): bit 0 NS, bit 29 EVENT_IDX */
	/** Declared remote -> host buffer size, header included; 0 = none (per buffer). */
	uint32_t r2h_buf_size;
};

/**
 * Remote-role configuration: how to reach the vdev the host sets up. The vring addresses
 * and notify ids are valid only after DRIVER_OK, so the core reads them itself, then.
 * <amp/rsc_vdev.h> implements both callbacks over a loaded resource table.
 */
struct amp_rpmsg_remote_cfg {
	/** Returns the vdev status byte (e.g. from the loaded resource table). */
	uint8_t (*get_status)(void *ctx);
	/** Called once, after DRIVER_OK: fill *@p p from the vdev. 0 or a negative AMP_E*. */
	int (*read_vdev)(void *ctx, struct amp_rpmsg_vdev_params *p);
	void *vdev_ctx;		   /**< passed to both */
	uint32_t ready_timeout_ms; /**< how long to wait for DRIVER_OK */
	bool no_suppress;	   /**< do not ask the host to skip notifications */
	amp_rpmsg_ns_cb ns_cb;	   /**< optional: announcements from the host */
	void *ns_priv;
};

/**
 * Remote role bring-up: wait (through port->ops->wait) until get_status() shows DRIVER_OK,
 * then read_vdev(), build the device side of both queues from its vrings (translated by
 * da_to_va) and, unless no_suppress, ask the host not to kick vring0 (as OpenAMP does). A
 * declared r2h_buf_size sets the TX MTU (amp_rpmsg_tx_mtu()): a larger send is refused with
 * AMP_EMSGSIZE before a buffer is taken.
 * @retval 0 ready
 * @retval AMP_ETIMEDOUT DRIVER_OK not seen within ready_timeout_ms
 * @retval AMP_EINVAL bad configuration or port, bad vring num/align, r2h_buf_size <= 16
 * @retval AMP_EFAULT a vring is outside the memory da_to_va accepts
 * @retval other what read_vdev() returned
 */
int amp_rpmsg_remote_init(struct amp_rpmsg_dev *dev, const struct amp_rpmsg_remote_cfg *cfg,
			  const struct amp_port *port);

/** One direction of an rpmsg vdev's buffer pool. */
struct amp_rpmsg_pool_dir {
	uint32_t count;	 /**< buffers: at most that vring's num (buffer i is descriptor i) */
	uint32_t size;	 /**< bytes per buffer, the 16-byte header included */
	uint32_t mtu;	 /**< payload bytes per message: size - 16 */
	uint32_t offset; /**< byte offset of the first buffer from the start of the pool */
};

/**
 * The buffer pool of an rpmsg vdev, the one derivation of it that the host role, the
 * remoteproc layer, the frontends' MTU and `ampsim rsc-table` share. As Linux's rpmsg_probe,
 * the host owns every buffer: remote -> host buffers (the host's RX) first, then host ->
 * remote (its TX).
 */
struct amp_rpmsg_pool {
	struct amp_rpmsg_pool_dir r2h; /**< vring0: remote -> host, the host's RX buffers */
	struct amp_rpmsg_pool_dir h2r; /**< vring1: host -> remote, the host's TX buffers */
	uint32_t total;		       /**< bytes of the whole pool */
};

/** What a pool is derived from. Zeros take Linux's defaults. */
struct amp_rpmsg_pool_cfg {
	uint32_t num[2];    /**< entries of vring0 and vring1 (1..32768) */
	uint32_t r2h_size;  /**< buffer bytes remote -> host; 0 = 512 */
	uint32_t h2r_size;  /**< buffer bytes host -> remote; 0 = 512 */
	uint32_t r2h_count; /**< 0 = min(vring0 num, 256), as Linux */
	uint32_t h2r_count; /**< 0 = min(vring1 num, 256) */
};

/**
 * Derive the buffer pool. Linux (virtio_rpmsg_bus since 5.x) sizes each direction from its
 * own vring, at most 256 buffers, 512 bytes each; ampsim also takes the sizes per direction
 * (docs/resource-table.md, "Buffer sizes").
 * @retval 0 *@p pool filled
 * @retval AMP_EINVAL a num outside 1..32768, a count above its vring's num, or a size that
 *         is not a multiple of 4 in AMP_RPMSG_BUF_SIZE_MIN..AMP_RPMSG_BUF_SIZE_MAX
 * @retval AMP_ERANGE the pool would be 4 GiB or larger
 */
int amp_rpmsg_pool_init(struct amp_rpmsg_pool *pool, const struct amp_rpmsg_pool_cfg *cfg);

/** Host-role configuration. Counts/sizes of 0 take Linux's defaults (amp_rpmsg_pool_init). */
struct amp_rpmsg_host_cfg {
	struct amp_vring_info vring[2]; /**< [0] vring0 (our RX), [1] vring1 (our TX) */
	uint64_t pool_da; /**< buffer pool: rx_count RX buffers, then tx_count TX buffers */
	uint32_t pool_size;
	uint16_t rx_count;    /**< default: vring0 num if < 256, else 256 */
	uint16_t tx_count;    /**< default: vring1 num if < 256, else 256 */
	uint32_t rx_buf_size; /**< default 512; multiple of 4, 56..65548 */
	uint32_t tx_buf_size; /**< default 512 */
	/** Writes the vdev status byte (e.g. into the shared resource table). */
	void (*set_status)(void *ctx, uint8_t status);
	void *status_ctx;
	uint32_t features;     /**< negotiated: bit 0 NS, bit 29 EVENT_IDX */
	bool no_suppress;      /**< keep TX-complete interrupts on (Linux turns them off) */
	amp_rpmsg_ns_cb ns_cb; /**< new / destroyed channels announced by the remote */
	void *ns_priv;
	uint32_t *work; /**< AMP_RPMSG_HOST_WORK_WORDS(num0, num1, tx_count) words */
	size_t work_words;
};

/** Words of work storage a host device needs. */
#define AMP_RPMSG_HOST_WORK_WORDS(num0, num1, tx_count) \
	(AMP_VQ_BITMAP_WORDS(num0) + AMP_VQ_BITMAP_WORDS(num1) + AMP_VQ_BITMAP_WORDS(tx_count))

/**
 * Host role bring-up, as Linux's rpmsg_probe: zero both vrings, post every RX buffer on
 * vring0, turn vring1 TX-complete interrupts off, set status ACK|DRIVER|DRIVER_OK through
 * set_status (no kick for that), then kick vring0.
 * @retval 0 ok
 * @retval AMP_EINVAL bad configuration (counts > num, sizes, pool too small, work too small)
 * @retval AMP_EFAULT vrings or pool outside the memory da_to_va accepts
 */
int amp_rpmsg_host_init(struct amp_rpmsg_dev *dev, const struct amp_rpmsg_host_cfg *cfg,
			const struct amp_port *port);

/**
 * The doorbell for @p notify_id fired (0xFFFFFFFF = any queue). Processes the receive
 * queue (callbacks run here; nothing while a message is deferred, see amp_rpmsg_rx_defer())
 * and counts the interrupt. Call from the port's interrupt
 * path / event loop; not re-entrant for one device.
 * @retval 0 ok
 * @retval AMP_EPROTO the peer violated the protocol (queue now broken, see stats)
 * @retval AMP_EBROKEN the receive queue was already broken
 * @retval AMP_ENOENT @p notify_id belongs to neither queue
 */
int amp_rpmsg_notified(struct amp_rpmsg_dev *dev, uint32_t notify_id);

/**
 * Register @p ept at @p src (AMP_RPMSG_ADDR_ANY = the lowest free address >= 1024 after the
 * last one given). A named endpoint is announced (NS CREATE) when NS was negotiated and:
 * remote role, @p dest is ANY (OpenAMP); host role, @p src is fixed and @p dest is ANY
 * (Linux). Announcing may block up to send_timeout_ms for a TX buffer.
 * @retval 0 ok
 * @retval AMP_EINVAL bad arguments
 * @retval AMP_EADDRINUSE @p src is taken (or is 53 with NS)
 * @retval other a failed announcement's send error (the endpoint is not registered)
 */
int amp_rpmsg_create_ept(struct amp_rpmsg_ept *ept, struct amp_rpmsg_dev *dev, const char *name,
			 uint32_t src, uint32_t dest, amp_rpmsg_cb cb,
			 amp_rpmsg_unbind_cb unbind_cb, void *priv);

/** Unregister; sends NS DESTROY if the endpoint was announced (trysend). Idempotent. */
void amp_rpmsg_destroy_ept(struct amp_rpmsg_ept *ept);

/**
 * Send @p len bytes from @p src to @p dst, waiting up to @p timeout_ms for a TX buffer
 * (0 = never wait).
 * @return bytes sent
 * @retval AMP_EINVAL bad endpoint, src/dst ANY, NULL data with len > 0
 * @retval AMP_EMSGSIZE @p len larger than the TX buffer's payload capacity (never truncated)
 * @retval AMP_ENOMEM no TX buffer and timeout 0
 * @retval AMP_ETIMEDOUT no TX buffer within timeout_ms
 * @retval AMP_EBROKEN / AMP_EPROTO the TX queue is broken
 */
int amp_rpmsg_send_offchannel(struct amp_rpmsg_ept *ept, uint32_t src, uint32_t dst,
			      const void *data, size_t len, uint32_t timeout_ms);

/** Send to ept->dest_addr, blocking up to dev->send_timeout_ms. */
int amp_rpmsg_send(struct amp_rpmsg_ept *ept, const void *data, size_t len);
/** Send to @p dst, blocking up to dev->send_timeout_ms. */
int amp_rpmsg_sendto(struct amp_rpmsg_ept *ept, uint32_t dst, const void *data, size_t len);
/** Send to ept->dest_addr; never blocks (AMP_ENOMEM when no buffer). */
int amp_rpmsg_trysend(struct amp_rpmsg_ept *ept, const void *data, size_t len);
/** Send to @p dst; never blocks. */
int amp_rpmsg_trysendto(struct amp_rpmsg_ept *ept, uint32_t dst, const void *data, size_t len);

/**
 * A sender waits for TX buffers outside the core (Linux rpmsg_upref_sleepers), e.g. an event
 * loop that retries a non-blocking send once buffers come back: the first waiter asks the
 * peer to notify us when it returns TX buffers (host: clears VRING_AVAIL_F_NO_INTERRUPT on
 * vring1; remote: clears VRING_USED_F_NO_NOTIFY on vring0). Blocking sends do this
 * themselves. Pair every call with amp_rpmsg_tx_wait_end().
 * @return true if buffers came back meanwhile: send again now rather than wait
 */
bool amp_rpmsg_tx_wait_begin(struct amp_rpmsg_dev *dev);

/**
 * The waiter of amp_rpmsg_tx_wait_begin() stops waiting (Linux rpmsg_downref_sleepers); the
 * last one turns the notifications off again, unless the device was set up no_suppress.
 */
void amp_rpmsg_tx_wait_end(struct amp_rpmsg_dev *dev);

/**
 * Zero-copy TX: reserve a TX buffer and return its payload area (capacity in *@p cap),
 * waiting up to @p timeout_ms. The caller owns it until amp_rpmsg_send_nocopy() succeeds
 * or amp_rpmsg_release_tx_buffer() is called. NULL if none (or on error).
 */
void *amp_rpmsg_get_tx_buffer(struct amp_rpmsg_ept *ept, uint32_t *cap, uint32_t timeout_ms);

/**
 * Send a buffer from amp_rpmsg_get_tx_buffer() with @p len payload bytes. On error the
 * caller still owns the buffer.
 * @return bytes sent
 * @retval AMP_EINVAL not a reserved TX buffer (or already sent), or src/dst ANY
 * @retval AMP_EMSGSIZE @p len > capacity
 * @retval AMP_EPROTO remote role: the id kept in the buffer's header was overwritten with an
 *                    invalid one (AMP_VQ_ERR_HELD_ID, TX queue now broken)
 */
int amp_rpmsg_send_nocopy(struct amp_rpmsg_ept *ept, uint32_t src, uint32_t dst, void *buf,
			  size_t len);

/**
 * Give back an unsent buffer from amp_rpmsg_get_tx_buffer().
 * @retval 0 ok
 * @retval AMP_EINVAL not a reserved TX buffer
 * @retval AMP_EBUSY remote role: too many released buffers outstanding (keep it, retry later)
 */
int amp_rpmsg_release_tx_buffer(struct amp_rpmsg_ept *ept, void *buf);

/**
 * Zero-copy RX: from inside the receive callback, keep @p data (the callback's data
 * pointer) after the callback returns.
 * @retval 0 ok
 * @retval AMP_EINVAL not the buffer of the running callback
 */
int amp_rpmsg_hold_rx_buffer(struct amp_rpmsg_ept *ept, void *data);

/**
 * Return a held RX buffer to the peer (process context, after its callback returned).
 * @retval 0 ok
 * @retval AMP_EINVAL not a held RX buffer, or called from the buffer's own callback
 * @retval AMP_EPROTO remote role: the id kept in the buffer's header was overwritten with an
 *                    invalid one (AMP_VQ_ERR_HELD_ID, receive queue now broken)
 */
int amp_rpmsg_release_rx_buffer(struct amp_rpmsg_ept *ept, void *data);

/**
 * Flow control toward the peer: from inside the receive callback, do not take this message
 * now. It stays in its RX buffer, which is not given back to the peer, and nothing more is
 * delivered (the receive queue is not drained further, so the peer's later messages wait in
 * their buffers too) until amp_rpmsg_rx_resume(). A peer that runs out of buffers this way
 * waits in its send, or gets AMP_ENOMEM / AMP_ETIMEDOUT, as Linux's senders do when the
 * other side holds its buffers. One deferred message per device: every endpoint of the
 * device waits behind it (head-of-line blocking, as a shared buffer pool has).
 * @retval 0 deferred
 * @retval AMP_EINVAL not the buffer of the running callback, or the callback held it
 */
int amp_rpmsg_rx_defer(struct amp_rpmsg_ept *ept, void *data);

/**
 * Deliver the deferred message again (its endpoint is looked up again: gone, the message
 * is dropped and counted as no endpoint), then drain the receive queue as
 * amp_rpmsg_notified() does. Callbacks run here; not from a receive callback.
 * @retval 0 ok (nothing was deferred, or delivered, or deferred again)
 * @retval AMP_EPROTO / AMP_EBROKEN as amp_rpmsg_notified()
 * @retval AMP_ENOTCONN @p dev was never initialised
 */
int amp_rpmsg_rx_resume(struct amp_rpmsg_dev *dev);

/** True while a deferred message waits for amp_rpmsg_rx_resume(). */
static inline bool amp_rpmsg_rx_deferred(const struct amp_rpmsg_dev *dev)
{
	return dev->rx_parked != 0;
}

/**
 * Payload capacity of TX buffers: host, from its pool; remote, from the declared
 * r2h_buf_size, or 0 when none was declared (decided per buffer).
 */
static inline uint32_t amp_rpmsg_tx_mtu(const struct amp_rpmsg_dev *dev)
{
	return dev->tx_mtu;
}

/** True once init succeeded and neither queue is broken. */
static inline bool amp_rpmsg_ready(const struct amp_rpmsg_dev *dev)
{
	return (dev->flags & AMP_RPMSG_F_READY) && !amp_vq_broken(&dev->rvq) &&
	       !amp_vq_broken(&dev->tvq);
}

#ifdef __cplusplus
}
#endif

#endif /* AMP_RPMSG_H */
