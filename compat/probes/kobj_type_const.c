// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_KOBJ_TYPE_CONST: kobject_init_and_add() takes a const struct
 * kobj_type.
 *
 * The driver core took the kobj_type non-const until Thomas Weißschuh's
 * ee6d3dd4ed48 ("driver core: make kobj_type constant."), which Debian's
 * 6.1 has and its 5.10 does not.  Passing a const one to the old
 * prototype is only a warning, so the probe compares the types.
 */
#include <linux/kobject.h>
#include <linux/module.h>

typedef int (*probe_init_and_add_t)(struct kobject *kobj,
				    const struct kobj_type *ktype,
				    struct kobject *parent,
				    const char *fmt, ...);

static int __init probe_init(void)
{
	BUILD_BUG_ON(!__builtin_types_compatible_p(typeof(kobject_init_and_add) *,
						   probe_init_and_add_t));
	return 0;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
