// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_ALLOC_PAGES_BULK_NODE: alloc_pages_bulk_node(gfp, nid, nr, pages).
 *
 * v6.14 dropped the list variant of the bulk allocator and renamed
 * alloc_pages_bulk_array_node() to alloc_pages_bulk_node() (Luiz
 * Capitulino, "mm: alloc_pages_bulk: rename API").
 */
#include <linux/gfp.h>
#include <linux/module.h>

static struct page *probe_pages[2];

static int __init probe_init(void)
{
	return alloc_pages_bulk_node(GFP_KERNEL, 0, 2, probe_pages) ? 0 : -ENOMEM;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
