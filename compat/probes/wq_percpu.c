// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_WQ_PERCPU: the WQ_PERCPU workqueue flag.
 *
 * v6.17 added WQ_PERCPU (Marco Crivellari, "workqueue: Add new WQ_PERCPU
 * flag") on the way to making unbound the default; later kernels (7.2
 * checked) warn when alloc_workqueue() gets neither WQ_PERCPU nor
 * WQ_UNBOUND.
 */
#include <linux/module.h>
#include <linux/workqueue.h>

static int __init probe_init(void)
{
	struct workqueue_struct *wq = alloc_workqueue("probe", WQ_PERCPU, 0);

	if (!wq)
		return -ENOMEM;
	destroy_workqueue(wq);
	return 0;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
