// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator's module parameters.  The atomic reserve's ("reserve")
 * lives with the reserve, whose state its setter changes, and
 * fault_inject with the knobs it creates (fault_inject.c).
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>

#include "vcompound_internal.h"

bool vc_param_always_fallback;
module_param_named(always_fallback, vc_param_always_fallback, bool, 0644);
MODULE_PARM_DESC(always_fallback,
		 "Serve every allocation with the virtual fallback, to test callers against virtual blocks (default: N)");

unsigned int vc_param_max_order = VC_DEFAULT_MAX_ORDER;

static int vc_max_order_set(const char *val, const struct kernel_param *kp)
{
	unsigned int order;
	int ret;

	/* Every bad value is -EINVAL, as for the other parameters. */
	ret = kstrtouint(val, 0, &order);
	if (ret)
		return -EINVAL;
	if (order > VCOMPOUND_ORDER_LIMIT) {
		pr_warn("vcompound: max_order %u rejected: above %u\n", order,
			VCOMPOUND_ORDER_LIMIT);
		return -EINVAL;
	}
	WRITE_ONCE(vc_param_max_order, order);
	return 0;
}

static const struct kernel_param_ops vc_max_order_ops = {
	.set = vc_max_order_set,
	.get = param_get_uint,
};
module_param_cb(max_order, &vc_max_order_ops, &vc_param_max_order, 0644);
__MODULE_PARM_TYPE(max_order, "uint");
MODULE_PARM_DESC(max_order,
		 "Largest order served; orders above the buddy allocator's maximum are always virtual (default: 64 MiB blocks, order 14 with 4 KiB pages, 10 with 64 KiB; at most "
		 __stringify(VCOMPOUND_ORDER_LIMIT) ")");
