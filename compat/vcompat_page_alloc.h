/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page allocator differences between the kernels vcompound supports.
 */
#ifndef _VCOMPAT_PAGE_ALLOC_H
#define _VCOMPAT_PAGE_ALLOC_H

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/percpu.h>
#include <linux/version.h>

/*
 * VC_BUDDY_MAX_ORDER: the largest order the buddy allocator hands out
 * (inclusive).  MAX_ORDER was exclusive until v6.4 (23baf831a32c "mm,
 * treewide: redefine MAX_ORDER sanely"), inclusive in v6.4..v6.7, and was
 * renamed MAX_PAGE_ORDER in v6.8 (5e0a760b4441 "mm, treewide: rename
 * MAX_ORDER to MAX_PAGE_ORDER").  Only the major and minor numbers are
 * compared, so Debian 5.10's sublevel capped at 255 does not matter.
 */
#if defined(MAX_PAGE_ORDER)
#define VC_BUDDY_MAX_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define VC_BUDDY_MAX_ORDER	MAX_ORDER
#else
#define VC_BUDDY_MAX_ORDER	(MAX_ORDER - 1)
#endif

/*
 * vc_alloc_pages_bulk_node - fill the NULL slots of @pages with order-0 pages
 *
 * Returns how many slots are populated; the caller tops up the rest one
 * page at a time, which is all that kernels without an exported bulk
 * allocator (5.10) get.
 */
static inline unsigned long vc_alloc_pages_bulk_node(gfp_t gfp, int nid,
						     unsigned long nr,
						     struct page **pages)
{
	if (nid == NUMA_NO_NODE)
		nid = numa_mem_id();
#if defined(VC_HAVE_ALLOC_PAGES_BULK_NODE)
	return alloc_pages_bulk_node(gfp, nid, nr, pages);
#elif defined(VC_HAVE_ALLOC_PAGES_BULK_ARRAY_NODE)
	return alloc_pages_bulk_array_node(gfp, nid, nr, pages);
#else
	return 0;
#endif
}

/*
 * vc_nth_page - the n-th page of a physically contiguous block.  nth_page()
 * copes with SPARSEMEM without VMEMMAP, where a block may cross memmap
 * sections; kernels that dropped it guarantee that blocks never do.
 */
#ifdef nth_page
#define vc_nth_page(page, n)	nth_page(page, n)
#else
#define vc_nth_page(page, n)	((page) + (n))
#endif

#endif /* _VCOMPAT_PAGE_ALLOC_H */
