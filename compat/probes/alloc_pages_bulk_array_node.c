// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_ALLOC_PAGES_BULK_ARRAY_NODE: alloc_pages_bulk_array_node().
 *
 * The bulk page allocator appeared in v5.13 (387ba26fb1cb "mm/page_alloc:
 * add a bulk page allocator"), exported GPL-only as __alloc_pages_bulk.
 * v6.10 (b951aaff5035 "mm: enable page allocation tagging") turned the
 * helpers into macros over the exported alloc_pages_bulk_noprof().  v6.14
 * renamed the array helpers to alloc_pages_bulk*() (see the sibling probe).
 * Absent on 5.10: vcompound then allocates the pages one by one.
 */
#include <linux/gfp.h>
#include <linux/module.h>

static struct page *probe_pages[2];

static int __init probe_init(void)
{
	return alloc_pages_bulk_array_node(GFP_KERNEL, 0, 2, probe_pages) ? 0 : -ENOMEM;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
