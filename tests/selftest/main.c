// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound self-test module: runs every case of one suite at load time
 * and prints KTAP to the kernel log (tests/lib/vct_ktap.c).  Loading
 * always succeeds, but for an unknown suite, so the harness can unload
 * both modules and check that the unload is clean.
 */
#include <linux/kernel.h>
#include <linux/module.h>

#include "vct.h"

static char *suite = "stock";
module_param(suite, charp, 0444);
MODULE_PARM_DESC(suite,
		 "cases to run: stock (default: the regular suite), faults (for fail_page_alloc and vcompound's fault knobs), stress, or one group of tests/lib/vct_groups.h by name");

static int __init vct_init(void)
{
	int ret = vct_ktap_run(suite);

	if (ret)
		pr_err("vcompound_test: unknown suite '%s'\n", suite);
	return ret;
}

static void __exit vct_exit(void)
{
}

module_init(vct_init);
module_exit(vct_exit);

VCOMPOUND_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("vcompound self-test: KTAP cases run at load time");
