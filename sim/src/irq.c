/* The firmware process's IRQ thread and interrupt masking; see amp/irq.h. */
#include <ampsim/irq.h>
#include <amp/error.h>
#include <ampsim/errno.h>

#include <string.h>

/* Per thread: nesting depth of irq_disable, and whether we are the IRQ thread in a handler.
 * One IRQ thread per process is assumed (there is one interrupt controller). */
static _Thread_local unsigned disable_depth;
static _Thread_local bool in_handler;

static void *irq_main(void *arg)
{
	struct amp_irq *irq = arg;

	for (;;) {
		int r = amp_ipcc_link_wait_event(irq->link, -1);

		if (atomic_load(&irq->link->stop))
			break;
		if (r < 0) {
			irq->err = r;
			break;
		}
		pthread_mutex_lock(&irq->lock);
		in_handler = true;
		amp_ipcc_link_dispatch(irq->link);
		in_handler = false;
		pthread_mutex_unlock(&irq->lock);
	}
	return NULL;
}

int amp_irq_start(struct amp_irq *irq, struct amp_ipcc_link *link)
{
	if (!irq || !link)
		return AMP_EINVAL;
	memset(irq, 0, sizeof(*irq));
	irq->link = link;
	atomic_store(&link->stop, false);
	/* pthreads return the errno value instead of setting errno. */
	int rc = pthread_mutex_init(&irq->lock, NULL);
	if (rc != 0)
		return amp_from_errno(rc);
	rc = pthread_create(&irq->tid, NULL, irq_main, irq);
	if (rc != 0) {
		pthread_mutex_destroy(&irq->lock);
		return amp_from_errno(rc);
	}
	irq->running = true;
	return AMP_OK;
}

void amp_irq_stop(struct amp_irq *irq)
{
	if (!irq || !irq->running)
		return;
	amp_ipcc_link_interrupt(irq->link);
	pthread_join(irq->tid, NULL);
	pthread_mutex_destroy(&irq->lock);
	irq->running = false;
}

void amp_irq_disable(struct amp_irq *irq)
{
	if (disable_depth++ == 0 && !in_handler)
		pthread_mutex_lock(&irq->lock);
}

void amp_irq_enable(struct amp_irq *irq)
{
	if (disable_depth == 0)
		return; /* unbalanced: ignore rather than unlock a lock we do not hold */
	if (--disable_depth == 0 && !in_handler)
		pthread_mutex_unlock(&irq->lock);
}

bool amp_irq_in_handler(void)
{
	return in_handler;
}
