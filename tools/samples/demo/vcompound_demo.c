// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound demo: allocates blocks of several orders at load time and
 * prints whether each came back physical or virtual.  Load it once with
 * always_fallback off and once with it on to see both kinds.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>

#include <vcompound.h>

static const unsigned int demo_orders[] = { 0, 2, 4, 9, 10, 11, 14 };

static int __init vcompound_demo_init(void)
{
	void *addrs[ARRAY_SIZE(demo_orders)];
	unsigned int i;

	pr_info("vcompound_demo: %-5s %10s  %-8s  %s\n",
		"order", "size", "kind", "first page -> vmalloc_address");
	for (i = 0; i < ARRAY_SIZE(demo_orders); i++) {
		unsigned int order = demo_orders[i];
		struct page *head;

		addrs[i] = vcompound_alloc(GFP_KERNEL, order);
		if (!addrs[i]) {
			pr_info("vcompound_demo: %5u %8lu K  %-8s\n", order,
				(PAGE_SIZE << order) >> 10, "FAILED");
			continue;
		}
		/* Touch all of it, as a driver filling a table would. */
		memset(addrs[i], 0, PAGE_SIZE << order);
		head = vcompound_head_page(addrs[i]);
		pr_info("vcompound_demo: %5u %8lu K  %-8s  pfn %#lx -> %s\n",
			order, (PAGE_SIZE << order) >> 10,
			vcompound_is_virtual(addrs[i]) ? "virtual" : "physical",
			page_to_pfn(head),
			vmalloc_address(head) == addrs[i] ? "block start" :
							    "MISMATCH");
	}
	for (i = 0; i < ARRAY_SIZE(demo_orders); i++)
		vcompound_free(addrs[i]);
	return 0;
}

static void __exit vcompound_demo_exit(void)
{
}

module_init(vcompound_demo_init);
module_exit(vcompound_demo_exit);

VCOMPOUND_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("vcompound demo: physical and virtual blocks of several orders");
