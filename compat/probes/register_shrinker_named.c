// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_REGISTER_SHRINKER_NAMED: register_shrinker(s, fmt, ...).
 *
 * v6.0 gave shrinkers a name for debugfs (Roman Gushchin, e33c267ab70d
 * "mm: shrinkers: provide shrinkers with names"); before it (5.10)
 * register_shrinker() took the shrinker alone.  Gone again in v6.7.
 */
#include <linux/module.h>
#include <linux/shrinker.h>

static struct shrinker probe_shrinker;

static int __init probe_init(void)
{
	return register_shrinker(&probe_shrinker, "probe");
}
module_init(probe_init);
MODULE_LICENSE("GPL");
