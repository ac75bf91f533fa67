/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcompound - virtual compound pages for out-of-tree drivers
 *
 * A vcompound block is 2^order pages.  It is physically contiguous (a
 * compound page from the buddy allocator) whenever that can be had cheaply,
 * and otherwise virtually contiguous: order-0 pages mapped through the vmap
 * layer.  Callers that may get the virtual kind use the lookups below
 * instead of virt_to_page() and page_address().
 *
 * Client modules import the namespace with VCOMPOUND_IMPORT_NS().
 */
#ifndef _VCOMPOUND_H
#define _VCOMPOUND_H

#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/types.h>

#include "vcompound_version.h"

struct page;
struct vm_area_struct;

/* Works on every kernel: the import tag has always been a string. */
#define VCOMPOUND_IMPORT_NS()	MODULE_INFO(import_ns, "VCOMPOUND")

/* The largest order vcompound will ever serve; the max_order param caps it. */
#define VCOMPOUND_ORDER_LIMIT	20

/**
 * DOC: page->private belongs to vcompound
 *
 * page->private of every page of a virtual block, and of the head page of
 * a physical block, is vcompound's: it leads an address or a page back to
 * its block.  A client must not write it, as users of alloc_pages() often
 * do with their pages; keep such data elsewhere.  While it is overwritten,
 * lookups that start from that page (vcompound_to_page(),
 * vcompound_page_address(), ...) do not find the block.  A virtual block is still
 * freed, given its start address or (vcompound_free_pages()) its first
 * page, with a warning that names the overwritten page: its descriptor is
 * found by a walk over every virtual block, which vcompound takes only for
 * a free it would otherwise refuse.  A physical block whose head page's
 * ->private was overwritten cannot be told from another allocator's
 * compound page, so its free is refused as a bad free and the block stays
 * allocated until the client writes the old value back.
 */

void *vcompound_alloc(gfp_t gfp, unsigned int order);
void *vcompound_alloc_node(gfp_t gfp, unsigned int order, int nid);
void vcompound_free(const void *addr);

struct page *vcompound_alloc_pages(gfp_t gfp, unsigned int order);
void vcompound_free_pages(struct page *page);

void *vcompound_page_address(const struct page *page);
void *vmalloc_address(const struct page *page);	/* the seed's name of it */
bool vcompound_is_virtual(const void *addr);
unsigned int vcompound_order(const void *addr);
struct page *vcompound_head_page(const void *addr);
struct page *vcompound_to_page(const void *addr);
struct page *vcompound_nth_page(const void *addr, unsigned long n);

int vcompound_mmap(struct vm_area_struct *vma, const void *addr,
		   unsigned long size);

void vcompound_drain(void);

/* Per-order counters; the same numbers debugfs vcompound/stats prints. */
struct vcompound_order_stats {
	unsigned long physical;		/* blocks served physically */
	unsigned long virtual;		/* blocks served by the fallback */
	unsigned long failed;		/* allocations that returned NULL */
	unsigned long freed_physical;	/* physical blocks given back */
	unsigned long freed_virtual;	/* virtual blocks unmapped and freed */
	unsigned long deferred;		/* virtual frees done by the worker */
	/* non-blocking allocations served by the atomic reserve (and
	 * counted in virtual too), and those that found it empty
	 */
	unsigned long reserve_taken;
	unsigned long reserve_empty;
	unsigned long reserve_built;	/* blocks built for the reserve */
	unsigned long reserve_level;	/* blocks in the reserve now */
	unsigned long reserve_target;	/* the reserve module param's count */
};

struct vcompound_stats {
	struct vcompound_order_stats order[VCOMPOUND_ORDER_LIMIT + 1];
	unsigned long outstanding_physical;	  /* blocks */
	u64 outstanding_physical_bytes;		  /* 32-bit: may pass 4 GiB */
	unsigned long outstanding_virtual;	  /* blocks, queued frees included */
	u64 outstanding_virtual_bytes;
	unsigned long deferred_pending;		  /* queued, not yet unmapped */
	unsigned long bad_free;		/* free of something that is not a block */
	unsigned long interior_free;	/* free of an address inside a block */
	unsigned long order_refused;	/* order above max_order */
	unsigned long gfp_refused;	/* gfp flags vcompound cannot honour */
};

void vcompound_get_stats(struct vcompound_stats *st);

#endif /* _VCOMPOUND_H */
