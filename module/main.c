// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound: virtual compound pages for out-of-tree drivers.
 *
 * Init and exit: the core bottom up, then sysfs and vcache; exit in
 * reverse.
 */
#include <linux/kernel.h>
#include <linux/module.h>

#include "vcache_internal.h"
#include "vcompound_internal.h"

static int __init vcompound_init(void)
{
	int ret;

	vc_lookup_init();
	ret = vc_vblock_init();
	if (ret)
		goto lookup_exit;
	ret = vc_defer_init();
	if (ret)
		goto vblock_exit;
	ret = vc_vblock_reclaim_init();
	if (ret)
		goto defer_exit;
	vc_reserve_init();
	vc_stats_init();
	ret = vc_sysfs_init();
	if (ret)
		goto stats_exit;
	ret = vcache_init();
	if (ret)
		goto sysfs_exit;
	pr_info("vcompound: loaded, buddy max order %u, max_order %u%s\n",
		VC_BUDDY_MAX_ORDER, vc_max_order(),
		vc_always_fallback() ? ", always_fallback" : "");
	return 0;

sysfs_exit:
	vc_sysfs_exit();
stats_exit:
	vc_stats_exit();
	vc_reserve_exit();
	vc_vblock_reclaim_exit();
defer_exit:
	vc_defer_exit();
vblock_exit:
	vc_vblock_exit();
lookup_exit:
	vc_lookup_exit();
	return ret;
}

static void __exit vcompound_exit(void)
{
	vcache_exit();
	vc_sysfs_exit();
	vc_stats_exit();
	vc_reserve_exit();
	vc_vblock_reclaim_exit();
	/* Drains the deferred frees: what is still out is the clients'. */
	vc_defer_exit();
	vc_stats_warn_outstanding();
	vc_vblock_exit();
	vc_lookup_exit();
}

module_init(vcompound_init);
module_exit(vcompound_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("Virtual compound pages: high-order blocks with a vmap fallback");
MODULE_VERSION(VCOMPOUND_VERSION);
