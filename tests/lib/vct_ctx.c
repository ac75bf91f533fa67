// SPDX-License-Identifier: GPL-2.0
/*
 * The contexts a driver may free from, reached on demand: vct_run_in()
 * and vct_alloc_ctx() (vct.h), for the context and vcache cases.
 */
#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/timer.h>

#include "vcompat_irq_work.h"
#include "vct.h"

/* Static, not on the stack: the callbacks may still be returning. */
static struct {
	void (*fn)(void *arg);
	void *arg;
	bool in_context;
	struct completion done;
	struct irq_work irq_work;
	struct timer_list timer;
} vct_async;

/* What VCT_IRQ runs in: hard irq, or an irq_work thread on RT. */
static bool vct_in_irq_handler(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		return !hardirq_count();
	return hardirq_count() && irqs_disabled();
}

static DEFINE_SPINLOCK(vct_lock);

static void vct_irq_work_fn(struct irq_work *work)
{
	vct_async.in_context = hardirq_count() && irqs_disabled();
	vct_async.fn(vct_async.arg);
	complete(&vct_async.done);
}

static void vct_irq_handler_fn(struct irq_work *work)
{
	vct_async.in_context = vct_in_irq_handler();
	vct_async.fn(vct_async.arg);
	complete(&vct_async.done);
}

static void vct_timer_fn(struct timer_list *timer)
{
	vct_async.in_context = in_serving_softirq() && !hardirq_count();
	vct_async.fn(vct_async.arg);
	complete(&vct_async.done);
}

/* Queues the initialized vct_async.irq_work and waits until it ran. */
static bool vct_run_irq_work(void)
{
	irq_work_queue(&vct_async.irq_work);
	if (!wait_for_completion_timeout(&vct_async.done, 30 * HZ))
		return false;
	irq_work_sync(&vct_async.irq_work);
	return vct_async.in_context;
}

bool vct_run_in(enum vct_ctx ctx, void (*fn)(void *arg), void *arg)
{
	unsigned long flags;

	vct_async.fn = fn;
	vct_async.arg = arg;
	vct_async.in_context = false;
	init_completion(&vct_async.done);

	switch (ctx) {
	case VCT_HARDIRQ:
		vc_init_irq_work_hard(&vct_async.irq_work, vct_irq_work_fn);
		return vct_run_irq_work();
	case VCT_IRQ:
		init_irq_work(&vct_async.irq_work, vct_irq_handler_fn);
		return vct_run_irq_work();
	case VCT_SOFTIRQ:
		timer_setup(&vct_async.timer, vct_timer_fn, 0);
		mod_timer(&vct_async.timer, jiffies + 1);
		if (!wait_for_completion_timeout(&vct_async.done, 30 * HZ))
			return false;
		return vct_async.in_context;
	case VCT_SPINLOCK:
		spin_lock_irqsave(&vct_lock, flags);
		fn(arg);
		spin_unlock_irqrestore(&vct_lock, flags);
		return true;
	case VCT_PREEMPT_OFF:
		preempt_disable();
		fn(arg);
		preempt_enable();
		return true;
	case VCT_IRQS_OFF:
		local_irq_save(flags);
		fn(arg);
		local_irq_restore(flags);
		return true;
	case VCT_BH_OFF:
		local_bh_disable();
		fn(arg);
		local_bh_enable();
		return true;
	case VCT_RCU:
		rcu_read_lock();
		fn(arg);
		rcu_read_unlock();
		return true;
	}
	return false;
}

enum vct_ctx vct_alloc_ctx(enum vct_ctx ctx)
{
	if (ctx == VCT_HARDIRQ)
		return VCT_IRQ;
	/*
	 * On PREEMPT_RT the page allocator takes sleeping locks: no
	 * allocation with preemption or interrupts off, GFP_ATOMIC or not
	 * (Documentation/locking/locktypes.rst).  A spinlock_t section is
	 * what such code becomes there.
	 */
	if (IS_ENABLED(CONFIG_PREEMPT_RT) &&
	    (ctx == VCT_PREEMPT_OFF || ctx == VCT_IRQS_OFF))
		return VCT_SPINLOCK;
	return ctx;
}
