// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_SHRINKER_ALLOC: shrinker_alloc() / shrinker_register() /
 * shrinker_free().
 *
 * v6.7 made shrinkers dynamically allocated (Qi Zheng, c42d50aefd17 "mm:
 * shrinker: add infrastructure for dynamically allocating shrinker") and
 * removed register_shrinker().
 */
#include <linux/module.h>
#include <linux/shrinker.h>

static int __init probe_init(void)
{
	struct shrinker *s = shrinker_alloc(0, "probe");

	if (!s)
		return -ENOMEM;
	shrinker_free(s);
	return 0;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
