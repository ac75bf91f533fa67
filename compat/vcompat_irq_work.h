/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq_work differences between the kernels vcompound supports.
 */
#ifndef _VCOMPAT_IRQ_WORK_H
#define _VCOMPAT_IRQ_WORK_H

#include <linux/atomic.h>
#include <linux/irq_work.h>

/*
 * An irq_work that runs in hard interrupt context even on PREEMPT_RT,
 * where plain ones run in a thread, and that lockdep checks as hard irq
 * (probes/irq_work_init_hard.c).
 */
static inline void vc_init_irq_work_hard(struct irq_work *work,
					 void (*fn)(struct irq_work *))
{
#ifdef VC_HAVE_IRQ_WORK_INIT_HARD
	struct irq_work hard = IRQ_WORK_INIT_HARD(fn);

	*work = hard;
#else
	init_irq_work(work, fn);
	atomic_set(&work->flags, IRQ_WORK_HARD_IRQ);
#endif
}

#endif /* _VCOMPAT_IRQ_WORK_H */
