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
 * kmemleak scans neither alloc_pages() memory nor vmap() and vm_map_ram()
 * areas, so an object a client points to only from inside a block would be
 * reported as leaked.  Blocks of both kinds are registered, as vmalloc()
 * memory is, so that clients can treat the kinds alike; min_count 0 keeps
 * a block itself from being reported, since a client may hold it by its
 * struct page alone.  free.c unregisters them.
 */
static void vc_kmemleak_alloc(const void *addr, unsigned int order, gfp_t gfp)
{
	kmemleak_alloc(addr, PAGE_SIZE << order, 0, gfp);
}

static void *vc_alloc_physical(gfp_t gfp, unsigned int order, int nid,
			       bool may_virtual)
{
	struct page *page;

	if (vc_fault(VC_FAULT_PHYSICAL))
		return NULL;
	page = alloc_pages_node(nid, vc_physical_gfp(gfp, order, may_virtual),
				order);
	if (!page)
		return NULL;
	vc_phys_mark(page);
	vc_kmemleak_alloc(page_address(page), order, gfp);
	vc_count(physical[order]);
	return page_address(page);
}

static void vc_free_page_array(struct page **pages, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		if (pages[i])
			__free_page(pages[i]);
		if (!((i + 1) % VC_PAGE_CHUNK))
			cond_resched();
	}
}

/*
 * vmap() allocates page tables and its area with GFP_KERNEL; the scoped
 * API carries a caller's NOFS or NOIO into those allocations too.
 */
struct vc_scope {
	unsigned int noio;
	unsigned int nofs;
	gfp_t gfp;
};

static void vc_scope_enter(struct vc_scope *s, gfp_t gfp)
{
	s->gfp = gfp;
	if (!(gfp & __GFP_IO))
		s->noio = memalloc_noio_save();
	else if (!(gfp & __GFP_FS))
		s->nofs = memalloc_nofs_save();
}

static void vc_scope_exit(struct vc_scope *s)
{
	if (!(s->gfp & __GFP_IO))
		memalloc_noio_restore(s->noio);
	else if (!(s->gfp & __GFP_FS))
		memalloc_nofs_restore(s->nofs);
}

/*
 * Up to BITS_PER_LONG pages (VMAP_MAX_ALLOC in mm/vmalloc.c), vm_map_ram()
 * carves the range out of a per-CPU vmap block: no vmap_area or vm_struct
 * of its own, and vm_unmap_ram() leaves the TLB flush to a later purge.
 * That halves the mapping cost at order 1 (tests/bench, P2).  Such a block
 * has no guard page after it; larger ones keep vmap().
 */
#define VC_MAP_RAM_MAX_PAGES	BITS_PER_LONG

static void *vc_vblock_map(struct vc_vblock *vb, unsigned long nr, int nid)
{
	if (nr <= VC_MAP_RAM_MAX_PAGES) {
		vb->addr = vm_map_ram(vb->pages, nr, nid);
		vb->map_ram = vb->addr;
		if (vb->map_ram)
			return vb->addr;
	}
	vb->addr = vmap(vb->pages, nr, VM_MAP, PAGE_KERNEL);
	return vb->addr;
}

/**
 * vc_vblock_unmap - undo what vc_vblock_build() mapped
 * @vb: the block
 *
 * Context: Process context; may sleep.
 */
void vc_vblock_unmap(struct vc_vblock *vb)
{
	if (vb->map_ram)
		vm_unmap_ram(vb->addr, 1U << vb->order);
	else
		vunmap(vb->addr);
}

/*
 * The descriptor must not cost an OOM kill in the very fragmentation the
 * fallback exists for: a kmalloc-2k/4k slab may need an order-1 page (on
 * debug kernels, for the redzones).  So kmalloc() is tried without retries
 * and vmalloc(), which needs order-0 pages only, takes over, as kvmalloc()
 * does above PAGE_SIZE.
 */
static struct vc_vblock *vc_desc_alloc(size_t size, gfp_t gfp, int nid)
{
	struct vc_vblock *vb;

	if (size > PAGE_SIZE)
		return kvzalloc_node(size, gfp, nid);
	vb = kzalloc_node(size, gfp | __GFP_NORETRY | __GFP_NOWARN, nid);
	/* vzalloc_node() would warn on failure despite a __GFP_NOWARN. */
	return vb ?: __vmalloc(size, gfp | __GFP_ZERO);
}

/**
 * vc_vblock_build - build a virtual block, registered for lookups
 * @gfp: allocation flags; must allow blocking
 * @order: block size
 * @nid: preferred node, or NUMA_NO_NODE
 * @parked: for the atomic reserve: VC_VB_PARKED, which no lookup or free
 *	sees, until vc_reserve_take() makes it VC_VB_LIVE
 *
 * Not counted as an allocation: vc_alloc_virtual() and the atomic reserve
 * count a block when they hand it out.
 *
 * Context: Process context; may sleep.
 * Return: the block's descriptor, or NULL.
 */
struct vc_vblock *vc_vblock_build(gfp_t gfp, unsigned int order, int nid,
				  bool parked)
{
	gfp_t meta_gfp = GFP_KERNEL | (gfp & __GFP_NOWARN);
	gfp_t page_gfp = gfp & ~__GFP_COMP;
	unsigned long nr = 1UL << order;
	struct vc_vblock *vb;
	struct vc_scope scope;
	unsigned long i;
	u32 id;

	vc_scope_enter(&scope, gfp);
	if (vc_fault(VC_FAULT_DESC))
		goto out;
	vb = vc_desc_alloc(struct_size(vb, pages, nr), meta_gfp, nid);
	if (!vb)
		goto out;
	vb->order = order;
	/* Set before xa_alloc() publishes the descriptor to lookups. */
	atomic_set(&vb->state, parked ? VC_VB_PARKED : VC_VB_LIVE);

	for (i = 0; i < nr; i++) {
		/* A chunk at a time: see VC_PAGE_CHUNK. */
		if (!(i % VC_PAGE_CHUNK)) {
			cond_resched();
			vc_alloc_pages_bulk_node(page_gfp, nid,
						 min_t(unsigned long, nr - i,
						       VC_PAGE_CHUNK),
						 vb->pages + i);
		}
		/* As if this page could not be had, the bulk's ones after it kept. */
		if (vc_fault_page(i)) {
			if (vb->pages[i])
				__free_page(vb->pages[i]);
			vb->pages[i] = NULL;
			goto free_pages;
		}
		if (vb->pages[i])
			continue;
		vb->pages[i] = alloc_pages_node(nid, page_gfp, 0);
		if (!vb->pages[i])
			goto free_pages;
	}

	if (vc_fault(VC_FAULT_VMAP))
		goto free_pages;
	if (!vc_vblock_map(vb, nr, nid))
		goto free_pages;
	vc_kmemleak_alloc(vb->addr, order, meta_gfp);
	if (vc_fault(VC_FAULT_XARRAY) ||
	    xa_alloc_irq(&vc_vblocks, &id, vb, XA_LIMIT(1, VC_ID_MAX), meta_gfp))
		goto unmap;
	vb->id = id;
	for (i = 0; i < nr; i++)
		set_page_private(vb->pages[i], vc_vblock_private(vb, i));

	vc_scope_exit(&scope);
	return vb;

unmap:
	kmemleak_free(vb->addr);
	vc_vblock_unmap(vb);
free_pages:
	vc_free_page_array(vb->pages, nr);
	kvfree(vb);
out:
	vc_scope_exit(&scope);
	return NULL;
}

static void *vc_alloc_virtual(gfp_t gfp, unsigned int order, int nid)
{
	struct vc_vblock *vb = vc_vblock_build(gfp, order, nid, false);

	if (!vb)
		return NULL;
	vc_count(virtual[order]);
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
	bool virtual = false;
	void *addr = NULL;
	int reason;

	if (unlikely(order > vc_max_order())) {
		vc_refuse_order(gfp, order);
		return NULL;
	}
	/* __GFP_NOFAIL, and zone modifiers the page allocator calls invalid. */
	if (unlikely((gfp & VC_GFP_REFUSED) ||
		     ((GFP_ZONE_BAD >> ((__force int)(gfp & GFP_ZONEMASK))) & 1))) {
		vc_refuse_gfp(gfp, order);
		return NULL;
	}
	/* alloc_pages_node() trusts its caller with the node id. */
	if (nid != NUMA_NO_NODE &&
	    (nid < 0 || nid >= nr_node_ids || !node_online(nid)))
		nid = NUMA_NO_NODE;

	if (order > VC_BUDDY_MAX_ORDER) {
		reason = VC_FALLBACK_ORDER;
	} else if (may_virtual && vc_always_fallback()) {
		reason = VC_FALLBACK_FORCED;
	} else {
		addr = vc_alloc_physical(gfp, order, nid, may_virtual);
		/* An order-0 fallback would need the very page that failed. */
		if (addr || !order)
			goto out;
		reason = VC_FALLBACK_PHYSICAL_FAILED;
	}
	if (!may_virtual)
		goto out;
	trace_vcompound_fallback(order, gfp, reason);
	if (gfpflags_allow_blocking(gfp))
		addr = vc_alloc_virtual(gfp, order, nid);
	else
		addr = vc_alloc_reserved(gfp, order);
	virtual = addr;
out:
	if (!addr)
		vc_count(failed[order]);
	trace_vcompound_alloc(addr, order, gfp, nid, virtual);
	return addr;
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
	return vc_alloc_block(gfp, order, nid, true);
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
	return vcompound_alloc_node(gfp, order, NUMA_NO_NODE);
}
EXPORT_SYMBOL_GPL(vcompound_alloc);

/**
 * vcompound_alloc_pages - allocate a block and return its first page
 * @gfp: allocation flags, as for alloc_pages()
 * @order: block size, up to the max_order module param
 *
 * The page-returning form, like alloc_pages() with a virtual fallback.
 * Reach the memory with vmalloc_address(), not page_address(), and the
 * other pages with vcompound_nth_page().  Unlike with alloc_pages(),
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
