/*
 * The port contract: everything OS- or board-specific the portable core needs, as one small
 * ops table plus a context pointer per device. A host instance and a remote instance can so
 * live in one process (tests, libampsim) with different ports.
 *
 * Calling context: the core calls notify/lock/unlock/da_to_va from whatever context called
 * it (application thread or the port's interrupt path); wait only from blocking calls made in
 * process context (never from a receive callback).
 */
#ifndef AMP_PORT_H
#define AMP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct amp_port_ops {
	/**
	 * Ring the doorbell for @p notify_id (the vring's notify id from the resource table).
	 * Must not call back into the core for the same device.
	 */
	void (*notify)(void *ctx, uint32_t notify_id);
	/**
	 * Enter / leave a critical section against the port's interrupt path (on the MCU:
	 * interrupt disable/enable). Must nest: lock(); lock(); unlock(); unlock();. May be
	 * NULL when the device is only ever used from one thread.
	 */
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
	/**
	 * Block until something may have changed (the port delivered a notification to this
	 * device through amp_rpmsg_notified(), or the peer changed the status byte) or until
	 * *@p timeout_ms passed. On return *@p timeout_ms holds the time left.
	 * Called with the lock released. Spurious returns are fine: the core re-checks.
	 * Who wakes it: the port's interrupt path, after it called amp_rpmsg_notified(); an
	 * in-process port may instead run the peer here. It must not itself call
	 * amp_rpmsg_notified() for the waiting device on the waiting thread (callbacks never
	 * run from inside a send).
	 * @retval 0 woken (or spurious)
	 * @retval AMP_ETIMEDOUT the time ran out (*timeout_ms == 0)
	 * May be NULL: blocking calls then behave like their non-blocking forms.
	 */
	int (*wait)(void *ctx, uint32_t *timeout_ms);
	/**
	 * Translate device address range [@p da, @p da + @p len) into a pointer, or NULL if
	 * any byte of it lies outside memory the device may touch (overflow-safe). Hot path:
	 * called once per message on the remote side.
	 */
	void *(*da_to_va)(void *ctx, uint64_t da, uint32_t len);
	/**
	 * Reverse translation; return 0 and set *@p da, or a negative AMP_E* code. Optional
	 * (the core only uses it when given buffers by pointer); may be NULL.
	 */
	int (*va_to_da)(void *ctx, const void *va, uint32_t len, uint64_t *da);
	/**
	 * Our own invariant failed (never called for peer misbehaviour). Should not return;
	 * if it does the core returns AMP_EINVAL.
	 */
	void (*assert_fail)(const char *file, int line, const char *expr);
	/**
	 * Buffer-ownership sanitizer (docs/faults.md): the buffer [@p ptr, @p ptr + @p len)
	 * in shared memory became ours (@p ours: the peer handed it over, or the application
	 * gave it back to the core) or stopped being ours (published to the peer, returned
	 * to it, or given back to the core's stash). A port marks the range accessible or
	 * not for a memory checker (valgrind client requests, ASan poisoning), so a firmware
	 * that touches a buffer it gave up is stopped at that line. Called with the lock
	 * held; must not call into the core. NULL (the Cortex-M port, the sanitizer off):
	 * the core only tests the pointer.
	 */
	void (*buf_owner)(void *ctx, void *ptr, uint32_t len, bool ours);
};

/** A port instance: const ops (flash on the MCU) and the port's own context. */
struct amp_port {
	const struct amp_port_ops *ops;
	void *ctx;
};

#ifdef __cplusplus
}
#endif

#endif /* AMP_PORT_H */
