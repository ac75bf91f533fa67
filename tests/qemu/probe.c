// SPDX-License-Identifier: GPL-2.0
/*
 * A module that does nothing. lib.sh's build_probe builds it against a
 * kernel tree (fetch-kernel.sh --headers, tests/debug-kernel/build.sh) to
 * prove that the tree works as KDIR for a module of that release.
 */
#include <linux/module.h>

static int __init probe_init(void)
{
	return 0;
}

static void __exit probe_exit(void)
{
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vcompound lab: a trivial module built to prove a KDIR");
