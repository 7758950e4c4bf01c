/*
 * A POSIX-thread environment for RPMsg-Lite under ampsim (docs/real-stacks.md): what
 * rpmsg_env_freertos.c is on an RTOS, written for ampsim from RPMsg-Lite's public
 * environment API (rpmsg_env.h), since RPMsg-Lite ships none for POSIX.
 *
 * - The "interrupt" is the platform layer's IRQ thread: env_isr() runs there, and receive
 *   callbacks with it, as they run in the interrupt under FreeRTOS.
 * - The instance lock is a recursive mutex that also keeps the IRQ thread out while a task
 *   holds it (env_lock_mutex() says why); in the handler it is not taken.
 * - Queues (rpmsg_queue.c: blocking receive from the application's thread) are a ring of
 *   fixed-size elements under a mutex with a condition variable; timeouts are in
 *   milliseconds, RL_BLOCK waits forever, 0 does not wait.
 * Needs RL_USE_ENVIRONMENT_CONTEXT 0 and RL_USE_STATIC_API 0.
 */
#define _GNU_SOURCE /* pthread_mutexattr_settype, clock_gettime under -std=c11 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpmsg_env.h"
#include "rpmsg_lite.h"
#include "rpmsg_platform.h"
#include "virtqueue.h"

#if defined(RL_USE_ENVIRONMENT_CONTEXT) && (RL_USE_ENVIRONMENT_CONTEXT == 1)
#error "ampsim's POSIX environment needs RL_USE_ENVIRONMENT_CONTEXT 0"
#endif
#if defined(RL_USE_STATIC_API) && (RL_USE_STATIC_API == 1)
#error "ampsim's POSIX environment needs RL_USE_STATIC_API 0"
#endif

static int32_t init_count;
static void *isr_data[RL_PLATFORM_MAX_ISR_COUNT];

int32_t env_init(void)
{
	if (init_count++ > 0)
		return 0;
	memset(isr_data, 0, sizeof(isr_data));
	return platform_init();
}

int32_t env_deinit(void)
{
	if (init_count <= 0)
		return -1;
	return --init_count > 0 ? 0 : platform_deinit();
}

/* RPMsg-Lite polls the flag its TX callback sets on the IRQ thread, as in every environment. */
uint32_t env_wait_for_link_up(volatile uint32_t *link_state, uint32_t link_id, uint32_t timeout_ms)
{
	(void)link_id;
	for (uint32_t waited = 0; *link_state != 1U; waited += RL_MS_PER_INTERVAL) {
		if (timeout_ms != (uint32_t)RL_BLOCK && waited >= timeout_ms)
			return 0U;
		env_sleep_msec(RL_MS_PER_INTERVAL);
	}
	return 1U;
}

void env_tx_callback(uint32_t link_id)
{
	(void)link_id;
}

void *env_allocate_memory(uint32_t size)
{
	return malloc(size);
}

void env_free_memory(void *ptr)
{
	free(ptr);
}

void env_memset(void *ptr, int32_t value, uint32_t size)
{
	memset(ptr, (int)((uint32_t)value & 0xFFU), size);
}

void env_memcpy(void *dst, void const *src, uint32_t len)
{
	memcpy(dst, src, len);
}

int32_t env_strcmp(const char *dst, const char *src)
{
	return strcmp(dst, src);
}

void env_strncpy(char *dest, const char *src, uint32_t len)
{
	strncpy(dest, src, len);
}

int32_t env_strncmp(char *dest, const char *src, uint32_t len)
{
	return strncmp(dest, src, len);
}

void env_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void env_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void env_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

uint32_t env_map_vatopa(void *address)
{
	return (uint32_t)platform_vatopa(address);
}

void *env_map_patova(uint32_t address)
{
	return platform_patova(address);
}

int32_t env_create_mutex(void **lock, int32_t count)
{
	(void)count;
	pthread_mutexattr_t a;
	pthread_mutex_t *m = malloc(sizeof(*m));
	if (!m)
		return -1;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	int rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	if (rc != 0) {
		free(m);
		return -1;
	}
	*lock = m;
	return 0;
}

void env_delete_mutex(void *lock)
{
	if (lock) {
		pthread_mutex_destroy(lock);
		free(lock);
	}
}

/*
 * On the MCU a task never runs while an interrupt handler does, and RPMsg-Lite (built without
 * an environment context) relies on it: its receive path runs in the handler without the lock,
 * queues a held message and only then writes the buffer's index into its header. A thread
 * is not held back like a task, so a task-side lock also keeps the IRQ thread out (and waits
 * for a handler in progress), as masking the interrupt would. In the handler, as FreeRTOS's
 * environment does, the lock is not taken.
 */
void env_lock_mutex(void *lock)
{
	if (platform_in_isr())
		return;
	pthread_mutex_lock(lock);
	(void)platform_interrupt_disable(0);
}

void env_unlock_mutex(void *lock)
{
	if (platform_in_isr())
		return;
	(void)platform_interrupt_enable(0);
	pthread_mutex_unlock(lock);
}

/* A sync lock is a mutex here too: nothing in RPMsg-Lite or ampsim's layer uses one. */
int32_t env_create_sync_lock(void **lock, int32_t state)
{
	(void)state;
	return env_create_mutex(lock, 1);
}

void env_delete_sync_lock(void *lock)
{
	env_delete_mutex(lock);
}

void env_sleep_msec(uint32_t num_msec)
{
	platform_time_delay(num_msec);
}

void env_register_isr(uint32_t vector_id, void *data)
{
	RL_ASSERT(vector_id < RL_PLATFORM_MAX_ISR_COUNT);
	__atomic_store_n(&isr_data[vector_id], data, __ATOMIC_RELEASE);
}

void env_unregister_isr(uint32_t vector_id)
{
	RL_ASSERT(vector_id < RL_PLATFORM_MAX_ISR_COUNT);
	__atomic_store_n(&isr_data[vector_id], NULL, __ATOMIC_RELEASE);
}

void env_enable_interrupt(uint32_t vector_id)
{
	(void)platform_interrupt_enable(vector_id);
}

void env_disable_interrupt(uint32_t vector_id)
{
	(void)platform_interrupt_disable(vector_id);
}

void env_map_memory(uint32_t pa, uint32_t va, uint32_t size, uint32_t flags)
{
	platform_map_mem_region(va, pa, size, flags);
}

void env_disable_cache(void)
{
	platform_cache_all_flush_invalidate();
	platform_cache_disable();
}

void env_cache_flush(void *data, uint32_t len)
{
	(void)data, (void)len; /* shared memory between processes is coherent */
}

void env_cache_invalidate(void *data, uint32_t len)
{
	(void)data, (void)len;
}

uint64_t env_get_timestamp(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000U + (uint64_t)t.tv_nsec / 1000U;
}

void env_isr(uint32_t vector)
{
	RL_ASSERT(vector < RL_PLATFORM_MAX_ISR_COUNT);
	void *vq = __atomic_load_n(&isr_data[vector], __ATOMIC_ACQUIRE);
	if (vq)
		virtqueue_notification((struct virtqueue *)vq);
}

/* ---- queues ------------------------------------------------------------------------------ */

struct env_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* signalled on every put and get */
	uint32_t len, size, head, count;
	unsigned char *items;
};

int32_t env_create_queue(void **queue, int32_t length, int32_t element_size)
{
	if (length <= 0 || element_size <= 0)
		return -1;
	struct env_queue *q = calloc(1, sizeof(*q));
	unsigned char *items = calloc((size_t)length, (size_t)element_size);
	pthread_condattr_t a;
	if (!q || !items) {
		free(q);
		free(items);
		return -1;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cv, &a);
	pthread_condattr_destroy(&a);
	q->len = (uint32_t)length;
	q->size = (uint32_t)element_size;
	q->items = items;
	*queue = q;
	return 0;
}

void env_delete_queue(void *queue)
{
	struct env_queue *q = queue;
	if (!q)
		return;
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q->items);
	free(q);
}

/* Wait (q->mu held) until @p ready, for at most @p timeout_ms; false on timeout. */
static int wait_until(struct env_queue *q, int (*ready)(const struct env_queue *),
		      uintptr_t timeout_ms)
{
	struct timespec end;
	if (timeout_ms != RL_BLOCK) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += (time_t)(timeout_ms / 1000U);
		end.tv_nsec += (long)(timeout_ms % 1000U) * 1000000L;
		if (end.tv_nsec >= 1000000000L) {
			end.tv_sec++;
			end.tv_nsec -= 1000000000L;
		}
	}
	while (!ready(q)) {
		if (timeout_ms == 0U)
			return 0;
		if (timeout_ms == RL_BLOCK)
			pthread_cond_wait(&q->cv, &q->mu);
		else if (pthread_cond_timedwait(&q->cv, &q->mu, &end) == ETIMEDOUT)
			return ready(q);
	}
	return 1;
}

static int has_room(const struct env_queue *q)
{
	return q->count < q->len;
}

static int has_item(const struct env_queue *q)
{
	return q->count > 0U;
}

int32_t env_put_queue(void *queue, void *msg, uintptr_t timeout_ms)
{
	struct env_queue *q = queue;
	pthread_mutex_lock(&q->mu);
	int ok = wait_until(q, has_room, timeout_ms);
	if (ok) {
		memcpy(q->items + ((q->head + q->count) % q->len) * q->size, msg, q->size);
		q->count++;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return ok ? 1 : 0;
}

int32_t env_get_queue(void *queue, void *msg, uintptr_t timeout_ms)
{
	struct env_queue *q = queue;
	pthread_mutex_lock(&q->mu);
	int ok = wait_until(q, has_item, timeout_ms);
	if (ok) {
		memcpy(msg, q->items + q->head * q->size, q->size);
		q->head = (q->head + 1U) % q->len;
		q->count--;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return ok ? 1 : 0;
}

int32_t env_get_current_queue_size(void *queue)
{
	struct env_queue *q = queue;
	pthread_mutex_lock(&q->mu);
	int32_t n = (int32_t)q->count;
	pthread_mutex_unlock(&q->mu);
	return n;
}
