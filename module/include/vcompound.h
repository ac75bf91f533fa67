/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcompound - virtual compound pages for out-of-tree drivers
 *
 * A vcompound block is 2^order pages, or for vcompound_alloc_size() the
 * pages a size needs.  It is physically contiguous (a compound page from
 * the buddy allocator, or split pages for a size) whenever that can be had
 * cheaply, and otherwise virtually contiguous: order-0 pages mapped
 * through the vmap layer.  Callers that may get the virtual kind use the lookups below
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
void *vcompound_alloc_size(gfp_t gfp, size_t size);	/* API level 3 */
void *vcompound_alloc_size_node(gfp_t gfp, size_t size, int nid);
void vcompound_free(const void *addr);

struct page *vcompound_alloc_pages(gfp_t gfp, unsigned int order);
void vcompound_free_pages(struct page *page);

void *vcompound_page_address(const struct page *page);
void *vmalloc_address(const struct page *page);	/* the seed's name of it */
bool vcompound_is_virtual(const void *addr);
unsigned int vcompound_order(const void *addr);
size_t vcompound_size(const void *addr);		/* API level 3 */
struct page *vcompound_head_page(const void *addr);
struct page *vcompound_to_page(const void *addr);
struct page *vcompound_nth_page(const void *addr, unsigned long n);

int vcompound_mmap(struct vm_area_struct *vma, const void *addr,
		   unsigned long size);

void vcompound_drain(void);
void vcompound_shrink(void);				/* API level 4 */

/*
 * vcompound's counters, each written once here as X(name, meaning).  Every
 * entry is a field of the structs below, a per-CPU counter in the module,
 * a file of /sys/kernel/vcompound/ and a column or key of debugfs
 * vcompound/stats.
 *
 * Counted for each order:
 */
#define VCOMPOUND_ORDER_COUNTERS(X)					\
	X(physical,	  "blocks served physically")			\
	X(virtual,	  "blocks served by the fallback")		\
	X(failed,	  "allocations that returned NULL")		\
	X(freed_physical, "physical blocks given back")			\
	X(freed_virtual,  "virtual blocks unmapped and freed")		\
	X(deferred,	  "virtual frees done by the worker")		\
	X(chunks,	  "blocks of this order virtual blocks were built from")

/* Counted for the orders that may have an atomic reserve: */
#define VCOMPOUND_RESERVE_COUNTERS(X)					\
	X(reserve_taken,  "non-blocking allocations it served (also virtual)") \
	X(reserve_empty,  "non-blocking allocations that found it empty") \
	X(reserve_built,  "blocks built for the reserve")

/* Counted once, whatever the order: calls vcompound refused. */
#define VCOMPOUND_REFUSAL_COUNTERS(X)					\
	X(bad_free,	  "frees of something that is not a block")	\
	X(interior_free,  "frees of an address inside a block")		\
	X(order_refused,  "allocations above the max_order parameter")	\
	X(gfp_refused,	  "allocations with gfp flags vcompound cannot honour")

/*
 * The steps of an allocation that a fault knob can make fail, as
 * X(name, largest knob value, step): the knobs are the files
 * inject/<name> under debugfs vcompound/, a debugging aid there only
 * when vcompound is loaded with fault_inject=1.
 */
#define VCOMPOUND_FAULT_SITES(X)					\
	X(physical, UINT_MAX,	"the physical attempt")			\
	X(desc,	    UINT_MAX,	"the fallback's descriptor")		\
	X(page,	    1UL << VCOMPOUND_ORDER_LIMIT,			\
				"one order-0 page of the fallback")	\
	X(vmap,	    UINT_MAX,	"vmap() of the fallback")		\
	X(xarray,   UINT_MAX,	"the fallback's id in the block index")	\
	X(chunk,    VCOMPOUND_ORDER_LIMIT,				\
				"the fallback's chunks of all orders but one")

#define VCOMPOUND_X_FIELD(name, meaning)	unsigned long name;

/**
 * struct vcompound_order_stats - what vcompound did at one order
 * @reserve_level: blocks in the atomic reserve now
 * @reserve_target: the count the reserve module parameter asks for
 * @desc_kept: descriptors of freed virtual blocks that CPUs keep for the
 *	next blocks of this order (vcompound_shrink() frees them; API level 4)
 *
 * One field per entry of VCOMPOUND_ORDER_COUNTERS() and
 * VCOMPOUND_RESERVE_COUNTERS(), in that order, then the reserve's state
 * and the kept descriptors.
 */
struct vcompound_order_stats {
	VCOMPOUND_ORDER_COUNTERS(VCOMPOUND_X_FIELD)
	VCOMPOUND_RESERVE_COUNTERS(VCOMPOUND_X_FIELD)
	unsigned long reserve_level;
	unsigned long reserve_target;
	unsigned long desc_kept;
};

/**
 * struct vcompound_stats - vcompound's counters, as vcompound_get_stats()
 *	fills them in
 * @order: the counters of each order
 * @outstanding_physical: physical blocks allocated and not yet freed
 * @outstanding_physical_bytes: their size (a u64: may pass 4 GiB on 32-bit)
 * @outstanding_virtual: virtual blocks not yet unmapped, queued frees
 *	included
 * @outstanding_virtual_bytes: their size
 * @deferred_pending: virtual frees queued for the worker, not yet done
 *
 * First, one field per entry of VCOMPOUND_REFUSAL_COUNTERS().
 */
struct vcompound_stats {
	VCOMPOUND_REFUSAL_COUNTERS(VCOMPOUND_X_FIELD)
	struct vcompound_order_stats order[VCOMPOUND_ORDER_LIMIT + 1];
	unsigned long outstanding_physical;
	u64 outstanding_physical_bytes;
	unsigned long outstanding_virtual;
	u64 outstanding_virtual_bytes;
	unsigned long deferred_pending;
};

void vcompound_get_stats(struct vcompound_stats *st);

#endif /* _VCOMPOUND_H */
