// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound: virtual compound pages for out-of-tree drivers.
 *
 * Module parameters, init and exit.
 */
#include <linux/kernel.h>
#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "vcache_internal.h"
#include "vcompound_internal.h"

static bool always_fallback;
module_param(always_fallback, bool, 0644);
MODULE_PARM_DESC(always_fallback,
		 "Serve every allocation with the virtual fallback, to test callers against virtual blocks (default: N)");

static unsigned int max_order = VC_DEFAULT_MAX_ORDER;

static int vc_max_order_set(const char *val, const struct kernel_param *kp)
{
	unsigned int order;
	int ret;

	ret = kstrtouint(val, 0, &order);
	if (ret)
		return ret;
	if (order > VCOMPOUND_ORDER_LIMIT)
		return -ERANGE;
	WRITE_ONCE(max_order, order);
	return 0;
}

static const struct kernel_param_ops vc_max_order_ops = {
	.set = vc_max_order_set,
	.get = param_get_uint,
};
module_param_cb(max_order, &vc_max_order_ops, &max_order, 0644);
__MODULE_PARM_TYPE(max_order, "uint");
MODULE_PARM_DESC(max_order,
		 "Largest order served; orders above the buddy allocator's maximum are always virtual (default: 64 MiB blocks, order 14 with 4 KiB pages, 10 with 64 KiB; at most "
		 __stringify(VCOMPOUND_ORDER_LIMIT) ")");

bool vc_always_fallback(void)
{
	return READ_ONCE(always_fallback);
}

unsigned int vc_max_order(void)
{
	return READ_ONCE(max_order);
}

static int __init vcompound_init(void)
{
	int ret;

	vc_lookup_init();
	ret = vc_defer_init();
	if (ret)
		return ret;
	ret = vcache_reclaim_init();
	if (ret) {
		vc_defer_exit();
		return ret;
	}
	vc_reserve_init();
	vc_stats_debugfs_init();
	pr_info("vcompound: loaded, buddy max order %u, max_order %u%s\n",
		VC_BUDDY_MAX_ORDER, vc_max_order(),
		vc_always_fallback() ? ", always_fallback" : "");
	return 0;
}

static void __exit vcompound_exit(void)
{
	struct vcompound_stats *st;
	struct vc_vblock *vb;
	struct vcache *c;
	unsigned long id;

	vc_stats_debugfs_exit();
	vcache_reclaim_exit();
	mutex_lock(&vcache_mutex);
	if (!list_empty(&vcache_list))
		pr_warn("vcompound: unloading with vcache caches never destroyed; leaking them\n");
	/* The list head goes away with the module; the leak is deliberate. */
	list_for_each_entry(c, &vcache_list, list)
		kmemleak_not_leak(c);
	mutex_unlock(&vcache_mutex);
	vc_reserve_exit();
	vc_defer_exit();

	/*
	 * Blocks still held by a client cannot be taken back: leak them, and
	 * tell kmemleak so, since the index that referenced their descriptors
	 * goes away with the module.  Without memory for the stats the
	 * warning is lost, but the index is torn down all the same.
	 */
	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (st) {
		vcompound_get_stats(st);
		if (st->outstanding_physical || st->outstanding_virtual)
			pr_warn("vcompound: unloading with %lu physical and %lu virtual blocks still allocated; leaking them\n",
				st->outstanding_physical,
				st->outstanding_virtual);
		kfree(st);
	}
	xa_for_each(&vc_vblocks, id, vb)
		kmemleak_not_leak(vb);
	xa_destroy(&vc_vblocks);
}

module_init(vcompound_init);
module_exit(vcompound_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("Virtual compound pages: high-order blocks with a vmap fallback");
MODULE_VERSION(VCOMPOUND_VERSION);
