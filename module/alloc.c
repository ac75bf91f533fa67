// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation: a cheap physical attempt first, the virtual fallback second.
 */
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vcompound_internal.h"
#include "vcompound_trace.h"

/*
 * __GFP_NOFAIL is refused: the fallback can fail in vmap() and a physical
 * high-order __GFP_NOFAIL allocation is exactly what vcompound avoids.
 */
#define VC_GFP_REFUSED		__GFP_NOFAIL

static gfp_t vc_physical_gfp(gfp_t gfp, unsigned int order, bool may_virtual)
{
	/* The physical kind is addressed through the linear map. */
	gfp &= ~__GFP_HIGHMEM;
	if (!order)
		return gfp;
	/*
	 * Falling back is cheaper than an OOM kill or a reclaim and compaction
	 * storm, so try once and quietly, unless the caller asked to try hard.
	 */
	gfp |= __GFP_COMP | __GFP_NOWARN;
	if (gfp & __GFP_RETRY_MAYFAIL)
		return gfp;
	gfp |= __GFP_NORETRY;
	/*
	 * Above the costly order even one pass of direct reclaim and
	 * compaction costs far more than the fallback does (tests/bench, P6);
	 * gfp.h: the flag "can be cleared to avoid unnecessary delays when a
	 * fallback option is available".  kswapd and kcompactd are still
	 * woken to restore such blocks in the background.  Since v6.3 the
	 * page allocator lets any caller that cannot reclaim go below the min
	 * watermark (ALLOC_NON_BLOCK); __GFP_NOMEMALLOC keeps this attempt,
	 * which has a fallback, out of what is left for atomic callers.
	 */
	if (may_virtual && order > PAGE_ALLOC_COSTLY_ORDER &&
	    (gfp & __GFP_DIRECT_RECLAIM))
		gfp = (gfp & ~__GFP_DIRECT_RECLAIM) | __GFP_NOMEMALLOC;
	return gfp;
}

/*
 * alloc_pages_node()'s offline-node warning, which only __GFP_THISNODE can
 * trigger, takes the address of its gfp: inlined, it costs every
 * allocation a stack canary, so the requests that may need it call it out
 * of line.
 */
static noinline struct page *vc_alloc_pages_thisnode(gfp_t gfp,
						     unsigned int order,
						     int nid)
{
	return alloc_pages_node(nid, gfp, order);
}

/*
 * @comp: false for a sized block, which vc_vblock_linear() splits.
 * Return: the block's head page, not yet marked (vc_physical_ready()).
 */
static __always_inline struct page *vc_alloc_physical(gfp_t gfp,
						      unsigned int order,
						      int nid, bool may_virtual,
						      bool comp)
{
	gfp_t pgfp = vc_physical_gfp(gfp, order, may_virtual);
	struct page *page;

	if (!comp)
		pgfp &= ~__GFP_COMP;
	if (vc_fault(VC_FAULT_physical))
		return NULL;
	if (unlikely(pgfp & __GFP_THISNODE))
		page = vc_alloc_pages_thisnode(pgfp, order, nid);
	else	/* a no-op that shows gcc the warning cannot fire */
		page = alloc_pages_node(nid, pgfp & ~__GFP_THISNODE, order);
	return page;
}

/*
 * Mark and register a new physical block.  Taken apart from the attempt,
 * so that the caller tests the page, not page_address(), and the address
 * is computed before the mark's store, which would make gcc compute the
 * pfn again.
 */
static __always_inline void *vc_physical_ready(struct page *page, gfp_t gfp,
					       unsigned int order, int nid)
{
	void *addr = page_address(page);

	vc_phys_mark(page);
	vc_kmemleak_alloc(addr, PAGE_SIZE << order, gfp);
	vc_count(physical[order]);
	trace_vcompound_alloc(addr, order, gfp, nid, false);
	return addr;
}

static void *vc_alloc_virtual(gfp_t gfp, unsigned int order,
			      unsigned long nr, int nid)
{
	struct vc_vblock *vb = vc_vblock_build(gfp, order, nr, nid, false);

	if (!vb)
		return NULL;
	vc_count(virtual[order]);
	vc_count_add(trimmed_virtual, (1UL << order) - nr);
	return vb->addr;
}

/*
 * Non-blocking callers: a block the reserve built earlier, or nothing.
 * reserve.c builds its blocks with GFP_KERNEL, so their pages may lie
 * anywhere up to ZONE_NORMAL: a caller that needs a lower zone (GFP_DMA,
 * GFP_DMA32) is refused rather than handed pages its device cannot reach.
 */
static void *vc_alloc_reserved(gfp_t gfp, unsigned int order)
{
	struct vc_vblock *vb;

	if (gfp_zone(gfp) < gfp_zone(GFP_KERNEL))
		return NULL;
	vb = vc_reserve_take(order);
	if (!vb)
		return NULL;
	vc_count(virtual[order]);
	return vb->addr;
}

/*
 * Out of line, as free.c's bad-free reports: on 7.2 a WARN_ONCE() warns
 * once per code site, and an inlined copy of vc_alloc_block() would be
 * another site.
 */
static noinline void vc_refuse_order(gfp_t gfp, unsigned int order)
{
	vc_count(order_refused);
	WARN_ONCE(!(gfp & __GFP_NOWARN),
		  "vcompound: order %u is above max_order %u\n",
		  order, vc_max_order());
}

static noinline void vc_refuse_gfp(gfp_t gfp, unsigned int order)
{
	vc_count(gfp_refused);
	vc_count(failed[order]);
	WARN_ONCE(1, "vcompound: gfp flags %pGg are not supported\n", &gfp);
}

/*
 * What follows a refused or failed physical attempt, out of line: the
 * common case, a physical block, then needs no registers or stack for it.
 */
static noinline void *vc_alloc_fallback(gfp_t gfp, unsigned int order,
					unsigned long nr, int nid,
					bool may_virtual, int reason)
{
	void *addr = NULL;

	if (may_virtual) {
		trace_vcompound_fallback(order, gfp, reason);
		/* Only power-of-two blocks get here without blocking. */
		if (gfpflags_allow_blocking(gfp))
			addr = vc_alloc_virtual(gfp, order, nr, nid);
		else
			addr = vc_alloc_reserved(gfp, order);
	}
	if (!addr)
		vc_count(failed[order]);
	trace_vcompound_alloc(addr, order, gfp, nid, addr);
	return addr;
}

/*
 * The checks every allocation makes first.  Return: whether the request
 * is refused; *@nid is made one alloc_pages_node() accepts.
 */
static __always_inline bool vc_alloc_refused(gfp_t gfp, unsigned int order,
					     int *nid)
{
	if (unlikely(order > vc_max_order())) {
		vc_refuse_order(gfp, order);
		return true;
	}
	/* __GFP_NOFAIL, and zone modifiers the page allocator calls invalid. */
	if (unlikely((gfp & VC_GFP_REFUSED) ||
		     ((GFP_ZONE_BAD >> ((__force int)(gfp & GFP_ZONEMASK))) & 1))) {
		vc_refuse_gfp(gfp, order);
		return true;
	}
	/* alloc_pages_node() trusts its caller with the node id. */
	if (*nid != NUMA_NO_NODE &&
	    (*nid < 0 || *nid >= nr_node_ids || !node_online(*nid)))
		*nid = NUMA_NO_NODE;
	return false;
}

/*
 * The body of vc_alloc_block(), vcompound_alloc_node() and
 * vcompound_alloc(), inlined into each: the exported calls, the common
 * ones, save a call.
 */
static __always_inline void *vc_alloc(gfp_t gfp, unsigned int order, int nid,
				      bool may_virtual)
{
	struct page *page;

	if (vc_alloc_refused(gfp, order, &nid))
		return NULL;

	/* One call for both: gcc set up two calls' arguments on every path. */
	if (unlikely(order > VC_BUDDY_MAX_ORDER ||
		     (may_virtual && vc_always_fallback())))
		return vc_alloc_fallback(gfp, order, 1UL << order, nid,
					 may_virtual,
					 order > VC_BUDDY_MAX_ORDER ?
					 VC_FALLBACK_ORDER : VC_FALLBACK_FORCED);
	page = vc_alloc_physical(gfp, order, nid, may_virtual, true);
	if (likely(page))
		return vc_physical_ready(page, gfp, order, nid);
	/* An order-0 fallback would need the very page that failed. */
	return vc_alloc_fallback(gfp, order, 1UL << order, nid,
				 may_virtual && order,
				 VC_FALLBACK_PHYSICAL_FAILED);
}

/*
 * A block of @nr pages, not a power of two, 2^@order rounded up: split
 * physical pages with their tail given back, or a virtual block of @nr
 * pages.  Out of line: power-of-two requests never come here.
 */
static noinline void *vc_alloc_sized(gfp_t gfp, unsigned long nr,
				     unsigned int order, int nid)
{
	struct vc_vblock *vb;
	struct page *page;

	if (vc_alloc_refused(gfp, order, &nid))
		return NULL;
	if (order > VC_BUDDY_MAX_ORDER || vc_always_fallback())
		return vc_alloc_fallback(gfp, order, nr, nid, true,
					 order > VC_BUDDY_MAX_ORDER ?
					 VC_FALLBACK_ORDER : VC_FALLBACK_FORCED);
	page = vc_alloc_physical(gfp, order, nid, true, false);
	vb = page ? vc_vblock_linear(page, order, nr, gfp, nid) : NULL;
	if (!vb)
		return vc_alloc_fallback(gfp, order, nr, nid, true,
					 VC_FALLBACK_PHYSICAL_FAILED);
	vc_count(physical[order]);
	vc_count_add(trimmed_physical, (1UL << order) - nr);
	trace_vcompound_alloc(vb->addr, order, gfp, nid, false);
	return vb->addr;
}

/**
 * vc_alloc_block - allocate a vcompound block
 * @gfp: allocation flags
 * @order: block size
 * @nid: preferred node, or NUMA_NO_NODE
 * @may_virtual: whether the virtual kind is acceptable at all
 *
 * The common path of vcompound_alloc_node() and of vcache's slabs; a
 * caller that needs physical memory passes @may_virtual false, and then
 * neither always_fallback nor a fragmented buddy allocator yields a
 * virtual block.
 *
 * Context: As vcompound_alloc_node().
 * Return: the block's kernel address, or NULL.
 */
void *vc_alloc_block(gfp_t gfp, unsigned int order, int nid, bool may_virtual)
{
	return vc_alloc(gfp, order, nid, may_virtual);
}

/**
 * vcompound_alloc_node - allocate a block of 2^@order pages on a node
 * @gfp: allocation flags, as for alloc_pages()
 * @order: block size, up to the max_order module param
 * @nid: preferred node, or NUMA_NO_NODE
 *
 * Tries a physically contiguous compound page without OOM killing or heavy
 * reclaim (__GFP_NORETRY | __GFP_NOWARN unless @gfp has
 * __GFP_RETRY_MAYFAIL), then falls back to order-0 pages mapped virtually.
 * Orders above the buddy allocator's maximum, and every order while the
 * always_fallback param is set, go straight to the virtual kind.
 *
 * @gfp is honoured for both kinds: __GFP_ZERO, __GFP_NOWARN, zone
 * modifiers, and NOFS/NOIO (carried into vmap() by the scoped API).
 * __GFP_HIGHMEM applies to the fallback's pages only.  __GFP_NOFAIL is
 * refused.  A non-blocking @gfp (GFP_ATOMIC, GFP_NOWAIT) that cannot be
 * served physically takes a zeroed virtual block from the atomic reserve
 * of @order (the reserve module param) on any node, and fails if that is
 * empty; a work item refills the reserve.  Reserve blocks are built with
 * GFP_KERNEL, so such a @gfp with GFP_DMA or GFP_DMA32 fails instead.
 *
 * Context: Any context but NMI if @gfp does not allow blocking (on
 * PREEMPT_RT, as for alloc_pages(): not in hard irq, under a raw spinlock,
 * or with interrupts or preemption disabled); process context otherwise.
 * Return: the block's kernel address, or NULL.
 */
void *vcompound_alloc_node(gfp_t gfp, unsigned int order, int nid)
{
	return vc_alloc(gfp, order, nid, true);
}
EXPORT_SYMBOL_GPL(vcompound_alloc_node);

/**
 * vcompound_alloc - allocate a block of 2^@order pages
 * @gfp: allocation flags, as for alloc_pages()
 * @order: block size, up to the max_order module param
 *
 * Same as vcompound_alloc_node() on the local node.
 *
 * Context: Any context but NMI if @gfp does not allow blocking (on
 * PREEMPT_RT, as for alloc_pages(): not in hard irq, under a raw spinlock,
 * or with interrupts or preemption disabled); process context otherwise.
 * Return: the block's kernel address, or NULL.
 */
void *vcompound_alloc(gfp_t gfp, unsigned int order)
{
	return vc_alloc(gfp, order, NUMA_NO_NODE, true);
}
EXPORT_SYMBOL_GPL(vcompound_alloc);

/**
 * vcompound_alloc_size_node - allocate a block of @size bytes on a node
 * @gfp: allocation flags, as for vcompound_alloc_node()
 * @size: bytes, rounded up to whole pages; up to the max_order param's
 *	block size
 * @nid: preferred node, or NUMA_NO_NODE
 *
 * For callers converted from vmalloc(), whose sizes are rarely a power of
 * two of pages.  The block is freed with vcompound_free(), and the lookups
 * and vcompound_mmap() take it as any other; vcompound_size() tells its
 * size and vcompound_order() returns get_order(@size).  A block of
 * DIV_ROUND_UP(@size, PAGE_SIZE) pages, when that is not a power of two:
 * physically contiguous as with alloc_pages_exact(), the pages past the
 * last given back at once, or else a virtual block that maps exactly those
 * pages (the address after them is not part of the block).  Both cost one
 * more allocation, a descriptor, and are counted in the stats' row of
 * get_order(@size).  A power of two of pages, and any @size with a @gfp
 * that does not allow blocking (the descriptor needs GFP_KERNEL), get the
 * 2^get_order(@size)-page block vcompound_alloc_node() gives.
 *
 * Context: As vcompound_alloc_node().
 * Return: the block's kernel address, or NULL (also for a @size of 0).
 */
void *vcompound_alloc_size_node(gfp_t gfp, size_t size, int nid)
{
	unsigned long nr = DIV_ROUND_UP(size, PAGE_SIZE);

	if (unlikely(!size))
		return NULL;
	if (is_power_of_2(nr) || !gfpflags_allow_blocking(gfp))
		return vc_alloc_block(gfp, get_order(size), nid, true);
	return vc_alloc_sized(gfp, nr, get_order(size), nid);
}
EXPORT_SYMBOL_GPL(vcompound_alloc_size_node);

/**
 * vcompound_alloc_size - allocate a block of @size bytes
 * @gfp: allocation flags, as for vcompound_alloc()
 * @size: bytes, rounded up to whole pages
 *
 * Same as vcompound_alloc_size_node() on the local node.
 *
 * Context: As vcompound_alloc().
 * Return: the block's kernel address, or NULL (also for a @size of 0).
 */
void *vcompound_alloc_size(gfp_t gfp, size_t size)
{
	return vcompound_alloc_size_node(gfp, size, NUMA_NO_NODE);
}
EXPORT_SYMBOL_GPL(vcompound_alloc_size);

/**
 * vcompound_alloc_pages - allocate a block and return its first page
 * @gfp: allocation flags, as for alloc_pages()
 * @order: block size, up to the max_order module param
 *
 * The page-returning form, like alloc_pages() with a virtual fallback.
 * Reach the memory with vcompound_page_address() (or the seed's name,
 * vmalloc_address()), not page_address(), and the other pages with
 * vcompound_nth_page().  Unlike with alloc_pages(),
 * page->private of the block's pages is not the caller's (vcompound.h).
 *
 * Context: As vcompound_alloc().
 * Return: the compound head or, for the virtual kind, the page mapped at
 * the block's start; NULL on failure.
 */
struct page *vcompound_alloc_pages(gfp_t gfp, unsigned int order)
{
	void *addr = vcompound_alloc(gfp, order);

	return addr ? vcompound_head_page(addr) : NULL;
}
EXPORT_SYMBOL_GPL(vcompound_alloc_pages);
