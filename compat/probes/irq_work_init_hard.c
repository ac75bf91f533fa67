// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_IRQ_WORK_INIT_HARD: the IRQ_WORK_INIT_HARD() initializer.
 *
 * v5.11 added it (Peter Zijlstra, "irq_work: Cleanup"), when the flags
 * moved into the call_single_node; v5.10 has the IRQ_WORK_HARD_IRQ flag
 * but no initializer for it.
 */
#include <linux/irq_work.h>
#include <linux/module.h>

static void probe_fn(struct irq_work *work)
{
}

static struct irq_work probe_work = IRQ_WORK_INIT_HARD(probe_fn);

static int __init probe_init(void)
{
	irq_work_queue(&probe_work);
	irq_work_sync(&probe_work);
	return 0;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
