// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual block's life cycle: built (pages, descriptor, mapping, id
 * from vbid.c), claimed by the one free that wins, released (unmapped, its
 * pages freed, the descriptor back to its cache or after an RCU grace
 * period).
 *
 * Allocation (alloc.c) and the atomic reserve (reserve.c) build blocks;
 * frees (free.c) and the reserve claim and release them.
 */
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vcompound_internal.h"

/*
 * Whether chunks may go back to the buddy allocator as the blocks they
 * were.  split_page() gave each page of a chunk its own memcg charge
 * (__GFP_ACCOUNT) and its own allocation tag (memory allocation
 * profiling); a free of the whole block would uncharge and untag its
 * first page only, so such chunks go back page by page.
 */
static bool vc_chunks_may_go_whole(gfp_t gfp)
{
	return !(gfp & __GFP_ACCOUNT) &&
	       !IS_ENABLED(CONFIG_MEM_ALLOC_PROFILING);
}

/*
 * Give back a chunk of 2^@order pages split by vc_vblock_fill_chunks().
 * As one block, it goes back to the free list of its order (or the
 * per-CPU list) in one step, instead of 2^@order order-0 frees that merge
 * only when the per-CPU lists drain: the free costs less, and the buddy
 * allocator gets back the larger block the fallback took.  That needs
 * every page but the first frozen at refcount 0, as alloc_pages() left
 * them.  A page someone else still holds (a user mapping not yet torn
 * down, a speculative reference) keeps its chunk from going back whole:
 * then each page goes back as the order-0 page it now is, and the last
 * put_page() frees the held one.
 */
static void vc_chunk_free(struct page *page, unsigned int order, bool whole)
{
	unsigned long i, nr = 1UL << order;

	if (whole && page_ref_count(page) == 1) {
		for (i = 1; i < nr; i++)
			if (!page_ref_freeze(page + i, 1))
				break;
		if (i == nr) {
			__free_pages(page, order);
			return;
		}
		while (--i)
			page_ref_unfreeze(page + i, 1);
	}
	for (i = 0; i < nr; i++)
		__free_page(page + i);
}

/* Pages of a block whose page->private was not what vcompound wrote. */
struct vc_clobbered {
	unsigned long first;		/* the first such page's index */
	unsigned long found;		/* ... and what it held */
	unsigned long count;
};

/* Out of the loops that check: page @i held @found. */
static noinline void vc_clobbered_note(struct vc_clobbered *cl,
				       unsigned long i, unsigned long found)
{
	if (!cl->count++) {
		cl->first = i;
		cl->found = found;
	}
}

/*
 * Clear page->private of page @i of a block, in @pages[@i], after
 * checking it against @mine (vc_vblock_private() of index 0) if @cl is
 * given, and with @rest the slot: a descriptor at rest has NULL page
 * slots (vc_desc_renew()).  The loops pass the block's slots, read once:
 * their pointer, reread after every call into the page allocator, cost
 * about 4 ns-equiv per page (tests/bench P2).
 */
static __always_inline void vc_page_unmark(struct page **pages,
					   unsigned long i, unsigned long mine,
					   struct vc_clobbered *cl, bool rest)
{
	struct page *page = pages[i];

	if (cl && unlikely(page_private(page) !=
			   vc_vblock_private_from(mine, i)))
		vc_clobbered_note(cl, i, page_private(page));
	set_page_private(page, 0);
	if (rest)
		pages[i] = NULL;
}

/*
 * Order-0 pages [@i, @end) of @vb, unmarked and freed, their slots
 * cleared with @rest: a loop for the release, whose pages are all there
 * and are checked, and one for a failed build, whose slots may be NULL;
 * one loop with both tests cost about 3 ns-equiv more per page
 * (tests/bench P2, orders 7-9).  Callers pass @rest as a constant.
 */
static __always_inline void vc_pages_free(struct page **pages,
					  unsigned long i, unsigned long end,
					  unsigned long mine,
					  struct vc_clobbered *cl, bool rest)
{
	struct page *page;

	if (cl) {
		for (; i < end; i++) {
			page = pages[i];
			vc_page_unmark(pages, i, mine, cl, rest);
			__free_page(page);
		}
		return;
	}
	for (; i < end; i++) {
		page = pages[i];
		if (!page)
			continue;
		set_page_private(page, 0);
		if (rest)
			pages[i] = NULL;
		__free_page(page);
	}
}

/*
 * Unmark and free the pages of @vb: its chunks (@vb->chunks) each
 * as one block, the order-0 pages after them one by one.  @cl: the
 * release's check of page->private; NULL for a block that failed to
 * build, whose order-0 page slots may be NULL.  The chunk counts are
 * zeroed; with @rest, for a descriptor that will be used again, the page
 * slots too, leaving it at rest: a store per page that a descriptor freed
 * after a grace period (vc_desc_free()) does without (orders 9-10,
 * tests/bench P2).
 */
static __always_inline void vc_vblock_free_pages_rest(struct vc_vblock *vb,
						      struct vc_clobbered *cl,
						      bool rest)
{
	unsigned long i = 0, j, nr = vb->nr_pages;
	unsigned long mine = vc_vblock_private(vb, 0);
	unsigned int *nchunks = vb->chunks;
	struct page **pages = vb->pages;
	unsigned int k, c;
	struct page *head;

	for (k = vb->chunked ? vb->order : 0; k-- > 1;) {
		for (c = 0; c < nchunks[k]; c++) {
			head = pages[i];
			for (j = i; j < i + (1UL << k); j++)
				vc_page_unmark(pages, j, mine, cl, rest);
			vc_chunk_free(head, k, vb->chunks_whole);
			i += 1UL << k;
			cond_resched();
		}
		nchunks[k] = 0;
	}
	while (i < nr) {
		unsigned long end = min(nr, i + VC_PAGE_CHUNK);

		vc_pages_free(pages, i, end, mine, cl, rest);
		i = end;
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

static __always_inline void vc_scope_enter(struct vc_scope *s, gfp_t gfp)
{
	s->gfp = gfp;
	if (!(gfp & __GFP_IO))
		s->noio = memalloc_noio_save();
	else if (!(gfp & __GFP_FS))
		s->nofs = memalloc_nofs_save();
}

static __always_inline void vc_scope_exit(struct vc_scope *s)
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

/* Undo what vc_vblock_map() mapped.  Process context; may sleep. */
static void vc_vblock_unmap(struct vc_vblock *vb)
{
	if (vb->map_ram)
		vm_unmap_ram(vb->addr, vb->nr_pages);
	else
		vunmap(vb->addr);
}

/*
 * Descriptors that fit in a page (up to order 8 with 4 KiB pages on
 * 64-bit) come from a cache per order, whose slabs can always fall back
 * to order-0 pages.  SLAB_TYPESAFE_BY_RCU lets a freed descriptor be
 * reused at once instead of after a grace period (kvzalloc() and
 * kvfree_rcu() were about 310 ns-equiv of an order-1 block's alloc+free
 * and 2250 of an order-7 block's, tests/bench P2): a lookup under
 * rcu_read_lock() still reads a vc_vblock, perhaps of its next life, and
 * tells by the state word's generation.  Caches of larger ones (order-3
 * slabs) were tried and left: order 9 gained, but every page allocation
 * of order 10's blocks, vmalloc()'s as well, cost some 25% more in the
 * same run (tests/bench/CHANGES.md).
 */
static struct kmem_cache *vc_desc_cache[VCOMPOUND_ORDER_LIMIT + 1];
static char vc_desc_cache_name[VCOMPOUND_ORDER_LIMIT + 1][24];
static unsigned int vc_desc_cached_orders;

/*
 * Whether a descriptor of @order comes from, and goes back to, a cache,
 * to be used again; if not, allocated and freed after a grace period.
 */
static bool vc_desc_cached(unsigned int order)
{
	return order < vc_desc_cached_orders;
}

/*
 * On top of the caches, each CPU keeps the descriptors its frees released
 * in a magazine per order, with their ids still registered (vbid.c): the
 * next block of that order on that CPU takes one back without the slab's
 * alloc and free or the id's register and unregister (about 390 ns-equiv
 * of an order-1 block's 3140, tests/bench P2).  A descriptor there is not
 * live, so lookups that reach it through its id see no block, as they
 * would a freed one; it is never freed while it sits there, so neither
 * RCU nor the generation is needed to read it.  Each magazine of orders
 * up to VC_DESC_MAG_MAX_ORDER holds up to VC_DESC_MAG_MAX descriptors, as
 * many as a burst of blocks of one order typically frees in a row: about
 * 1/512 of the memory of the blocks they described (8 bytes per 4 KiB
 * page), at most some 800 KiB per CPU in all with 4 KiB pages, 512 KiB
 * of it order 10's (kvzalloc() of 8.1 KiB takes 16 KiB).  The shrinker,
 * vcompound_shrink() and a dead CPU's teardown free them
 * (vblock_reclaim.c), and so does unload.  With 4 KiB at most per order,
 * as before, a burst of 32 blocks of order 4 and above went half through
 * the slab and the id table (tests/bench/CHANGES.md).
 */
#define VC_DESC_MAG_MAX		32
#define VC_DESC_MAG_MAX_ORDER	10

struct vc_desc_mag {
	local_lock_t lock;
	u8 nr[VCOMPOUND_ORDER_LIMIT + 1];
	struct vc_vblock *vb[];		/* order o's at vc_desc_mag_first[o] */
};

static struct vc_desc_mag __percpu *vc_desc_mag;
/* vc_desc_size() and vc_desc_head_size() of each order, computed once. */
static size_t vc_desc_bytes[VCOMPOUND_ORDER_LIMIT + 1];
static size_t vc_desc_head[VCOMPOUND_ORDER_LIMIT + 1];
static u8 vc_desc_mag_depth[VCOMPOUND_ORDER_LIMIT + 1];
static unsigned int vc_desc_mag_first[VCOMPOUND_ORDER_LIMIT + 1];

/*
 * Whether a descriptor of @order may be used again, from a magazine or a
 * cache, and so must be put back at rest.
 */
static bool vc_desc_reused(unsigned int order)
{
	return vc_desc_mag_depth[order] || vc_desc_cached(order);
}

/* The slots of @m's magazine of @order. */
static struct vc_vblock **vc_desc_mag_slots(struct vc_desc_mag *m,
					    unsigned int order)
{
	return m->vb + vc_desc_mag_first[order];
}

/* The head of @order's descriptor: its fields and chunk counts. */
static size_t vc_desc_head_size(unsigned int order)
{
	struct vc_vblock *vb;

	return ALIGN(struct_size(vb, chunks, order), sizeof(long));
}

/* The page slots of a block of @order. */
static size_t vc_desc_slot_bytes(unsigned int order)
{
	return sizeof(struct page *) << order;
}

/* The descriptor of a block of @order: its head, then its page slots. */
static size_t vc_desc_size(unsigned int order)
{
	return vc_desc_head_size(order) + vc_desc_slot_bytes(order);
}

/*
 * Whether a descriptor of @order, too large for a cache, has its page
 * slots on a page of their own (order 9 with 4 KiB pages on 64-bit): a
 * small head from kmalloc() and an order-0 page cost a third of a
 * kmalloc-8k object, whose slabs are order-3 pages (tests/bench P2).
 * Order 0, not more: with the descriptor in one order-1 page, the
 * grace period freed a batch of them in a row, consecutive frees of
 * orders 1-3 make the page allocator drain the CPU's per-CPU lists
 * (free_high, v6.7), and vmalloc() of order 9 ran 20-40% slower in the
 * same runs (tests/bench/CHANGES.md).
 */
static bool vc_desc_split(unsigned int order)
{
	return !vc_desc_cached(order) &&
	       vc_desc_slot_bytes(order) <= PAGE_SIZE;
}

/* @vb, of @order, with its page slots in the same object, after its head. */
static void vc_desc_slots_inline(struct vc_vblock *vb, unsigned int order)
{
	vb->pages = (struct page **)((char *)vb + vc_desc_head[order]);
}

/* @vb, of @order, at rest: all zero, its slots after its head. */
static void vc_desc_init_rest(struct vc_vblock *vb, unsigned int order)
{
	memset(vb, 0, vc_desc_bytes[order]);
	vc_desc_slots_inline(vb, order);
}

/*
 * The constructors of the descriptor caches: a descriptor at rest.  One
 * per order, for a constructor is told the object only.  A cache never
 * gets an object back that is not at rest (vc_desc_put()), so
 * vc_desc_alloc() zeroes none.
 */
#define VC_X_DESC_CTOR(o)						\
	static void vc_desc_ctor_##o(void *vb)				\
	{								\
		vc_desc_init_rest(vb, o);				\
	}
#define VC_DESC_ORDERS(X)						\
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10)		\
	X(11) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20)
VC_DESC_ORDERS(VC_X_DESC_CTOR)

#define VC_X_DESC_CTOR_ENTRY(o)	vc_desc_ctor_##o,
static void (*const vc_desc_ctor[])(void *) = {
	VC_DESC_ORDERS(VC_X_DESC_CTOR_ENTRY)
};

static_assert(ARRAY_SIZE(vc_desc_ctor) == VCOMPOUND_ORDER_LIMIT + 1);

/*
 * Begin a new life of @vb as a descriptor of @order: a new generation in
 * the state VC_VB_BUILDING, then the fields and the order.  Not the state
 * word, which a lookup may still read, nor the id, which a descriptor
 * from a magazine keeps.  Nor the page slots and chunk counts, which the
 * bulk allocator needs NULL: a descriptor is at rest, with those zero,
 * when its cache's constructor (vc_desc_ctor) makes it and whenever it
 * goes back to its magazine or cache (vc_vblock_free_pages() clears a
 * slot as it frees the page in it).  Zeroing them at each renewal, and
 * at each allocation from the slab, took P2.desc 51 (order 3) to 404
 * (order 8) ns-equiv per block more (tests/bench/CHANGES.md).
 */
static __always_inline void vc_desc_renew(struct vc_vblock *vb,
					  unsigned int order)
{
	int state = atomic_read(&vb->state) & ~VC_VB_KIND_MASK;

	/* Debug kernels: a descriptor at rest has its counts and slots 0. */
	VM_WARN_ON_ONCE(memchr_inv(vb->chunks, 0, vc_desc_head[order] -
					       offsetof(struct vc_vblock,
							chunks)) ||
			memchr_inv(vb->pages, 0, vc_desc_slot_bytes(order)));

	atomic_set(&vb->state, (int)((unsigned int)state + VC_VB_GEN_STEP) |
			       VC_VB_BUILDING);
	/* No lookup sees the new fields before the new generation. */
	smp_wmb();
	vb->addr = NULL;
	vb->nr_pages = 0;
	vb->order = order;
	vb->map_ram = false;
	vb->chunks_whole = false;
	vb->linear = false;
	vb->chunked = false;
}

/* vc_desc_split(): the head, zeroed, and a zeroed page for the slots. */
static struct vc_vblock *vc_desc_alloc_split(unsigned int order, gfp_t gfp,
					     int nid)
{
	struct vc_vblock *vb = kzalloc_node(vc_desc_head[order], gfp, nid);
	struct page *slots;

	if (!vb)
		return NULL;
	slots = alloc_pages_node(nid, gfp | __GFP_ZERO, 0);
	if (!slots) {
		kfree(vb);
		return NULL;
	}
	vb->pages = page_address(slots);
	return vb;
}

static void vc_desc_free_split(struct rcu_head *rcu)
{
	struct vc_vblock *vb = container_of(rcu, struct vc_vblock, rcu);

	free_page((unsigned long)vb->pages);
	kfree(vb);
}

/*
 * A descriptor of @order at rest (page slots and chunk counts zero) in the
 * state VC_VB_BUILDING, of a new generation, not registered.  The largest
 * ones must not cost an OOM kill in the very fragmentation the fallback
 * exists for: kvzalloc() tries kmalloc() without retries and takes
 * vmalloc(), which needs order-0 pages only, when that fails.
 */
static struct vc_vblock *vc_desc_alloc(unsigned int order, gfp_t gfp,
				       int nid)
{
	struct vc_vblock *vb;

	if (vc_desc_cached(order)) {
		vb = kmem_cache_alloc_node(vc_desc_cache[order], gfp, nid);
		if (vb)
			vc_desc_renew(vb, order);
		return vb;
	}
	if (vc_desc_split(order)) {
		vb = vc_desc_alloc_split(order, gfp, nid);
	} else {
		vb = kvzalloc_node(vc_desc_bytes[order], gfp, nid);
		if (vb)
			vc_desc_slots_inline(vb, order);
	}
	if (vb) {
		atomic_set(&vb->state, VC_VB_BUILDING);
		vb->order = order;
	}
	return vb;
}

/* @vb: no longer VC_VB_LIVE, so no lookup may take it for a block. */
static void vc_desc_free(struct vc_vblock *vb)
{
	/* Lookups may still hold one not cached under rcu_read_lock(). */
	if (vc_desc_cached(vb->order))
		kmem_cache_free(vc_desc_cache[vb->order], vb);
	else if (vc_desc_split(vb->order))
		call_rcu(&vb->rcu, vc_desc_free_split);
	else
		kvfree_rcu(vb, rcu);
}

/*
 * A registered descriptor for a block of @order, VC_VB_BUILDING: from
 * this CPU's magazine, or allocated and given an id.
 */
static struct vc_vblock *vc_desc_get(unsigned int order, gfp_t gfp, int nid)
{
	struct vc_vblock *vb = NULL;
	struct vc_desc_mag *m;

	if (vc_desc_mag_depth[order]) {
		local_lock(&vc_desc_mag->lock);
		m = this_cpu_ptr(vc_desc_mag);
		if (m->nr[order])
			vb = vc_desc_mag_slots(m, order)[--m->nr[order]];
		local_unlock(&vc_desc_mag->lock);
		if (vb) {
			vc_desc_renew(vb, order);
			return vb;
		}
	}
	vb = vc_desc_alloc(order, gfp, nid);
	if (!vb)
		return NULL;
	if (vc_id_register(vb, gfp)) {
		vc_desc_free(vb);
		return NULL;
	}
	return vb;
}

/*
 * Done with @vb, registered and not live: into this CPU's magazine, or
 * unregistered and freed if that is full.
 */
static void vc_desc_put(struct vc_vblock *vb)
{
	unsigned int order = vb->order;
	struct vc_desc_mag *m;
	bool kept = false;

	if (vc_desc_mag_depth[order]) {
		local_lock(&vc_desc_mag->lock);
		m = this_cpu_ptr(vc_desc_mag);
		if (m->nr[order] < vc_desc_mag_depth[order]) {
			vc_desc_mag_slots(m, order)[m->nr[order]++] = vb;
			kept = true;
		}
		local_unlock(&vc_desc_mag->lock);
	}
	if (kept)
		return;
	vc_id_unregister(vb);
	vc_desc_free(vb);
}

/* Any descriptor of @m's magazines, taken out; NULL if they are empty. */
static struct vc_vblock *vc_desc_mag_pop(struct vc_desc_mag *m)
{
	unsigned int o;

	for (o = 0; o <= VC_DESC_MAG_MAX_ORDER; o++)
		if (m->nr[o])
			return vc_desc_mag_slots(m, o)[--m->nr[o]];
	return NULL;
}

/* Unregistered and freed, a descriptor taken out of a magazine. */
static void vc_desc_mag_release(struct vc_vblock *vb)
{
	vc_id_unregister(vb);
	vc_desc_free(vb);
}

/* The descriptors @m's magazines hold: of @order, or of all if -1. */
static unsigned long vc_desc_mag_count(const struct vc_desc_mag *m,
				       int order)
{
	unsigned long n = 0;
	unsigned int o;

	if (order >= 0)
		return order <= VC_DESC_MAG_MAX_ORDER ?
		       READ_ONCE(m->nr[order]) : 0;
	for (o = 0; o <= VC_DESC_MAG_MAX_ORDER; o++)
		n += READ_ONCE(m->nr[o]);
	return n;
}

/**
 * vc_desc_mag_release_local - empty this CPU's magazines
 *
 * One descriptor at a time under the lock: frees and the id cache take
 * locks of their own.  As many as the magazines held at the start, so
 * that frees on this CPU meanwhile cannot keep it going.
 *
 * Context: Process context.
 * Return: the number of descriptors freed.
 */
unsigned long vc_desc_mag_release_local(void)
{
	unsigned long n, done = 0;
	struct vc_vblock *vb;

	if (!vc_desc_mag)
		return 0;
	n = vc_desc_mag_count(raw_cpu_ptr(vc_desc_mag), -1);
	for (; done < n; done++) {
		local_lock(&vc_desc_mag->lock);
		vb = vc_desc_mag_pop(this_cpu_ptr(vc_desc_mag));
		local_unlock(&vc_desc_mag->lock);
		if (!vb)
			break;
		vc_desc_mag_release(vb);
	}
	return done;
}

/**
 * vc_desc_mag_release_dead - empty the magazines of a CPU nothing runs on
 * @cpu: a dead CPU, or any at unload
 *
 * Context: Process context; @cpu's magazines are used by no one.
 * Return: the number of descriptors freed.
 */
unsigned long vc_desc_mag_release_dead(unsigned int cpu)
{
	unsigned long n = 0;
	struct vc_vblock *vb;

	if (!vc_desc_mag)
		return 0;
	while ((vb = vc_desc_mag_pop(per_cpu_ptr(vc_desc_mag, cpu)))) {
		vc_desc_mag_release(vb);
		n++;
	}
	return n;
}

/**
 * vc_desc_kept - descriptors the magazines keep
 * @cpu: only this CPU's magazines; -1 for every CPU's
 * @order: only this order's; -1 for every order's
 *
 * Read without the magazines' locks: exact while nothing allocates or
 * frees blocks.
 *
 * Context: Any context.
 * Return: the number of descriptors.
 */
unsigned long vc_desc_kept(int cpu, int order)
{
	unsigned long n = 0;
	int c;

	if (!vc_desc_mag)
		return 0;
	if (cpu >= 0)
		return vc_desc_mag_count(per_cpu_ptr(vc_desc_mag, cpu), order);
	for_each_possible_cpu(c)
		n += vc_desc_mag_count(per_cpu_ptr(vc_desc_mag, c), order);
	return n;
}

/* The magazines' depths and places, and the per-CPU space for them. */
static int vc_desc_mag_init(void)
{
	unsigned int o, slots = 0;
	int cpu;

	for (o = 0; o <= VC_DESC_MAG_MAX_ORDER; o++) {
		vc_desc_mag_depth[o] = VC_DESC_MAG_MAX;
		vc_desc_mag_first[o] = slots;
		slots += vc_desc_mag_depth[o];
	}
	vc_desc_mag = __alloc_percpu(struct_size(vc_desc_mag, vb, slots),
				     __alignof__(struct vc_desc_mag));
	/* vc_vblock_exit() clears the depths on failure. */
	if (!vc_desc_mag)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(vc_desc_mag, cpu)->lock);
	return 0;
}

/**
 * vc_vblock_init - create the descriptor caches and magazines
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int vc_vblock_init(void)
{
	unsigned int o;

	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		vc_desc_head[o] = vc_desc_head_size(o);
		vc_desc_bytes[o] = vc_desc_size(o);
	}
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		if (vc_desc_bytes[o] > PAGE_SIZE)
			break;
		snprintf(vc_desc_cache_name[o], sizeof(vc_desc_cache_name[o]),
			 "vcompound_vblock_%u", o);
		vc_desc_cache[o] = kmem_cache_create(vc_desc_cache_name[o],
						     vc_desc_bytes[o], 0,
						     SLAB_TYPESAFE_BY_RCU,
						     vc_desc_ctor[o]);
		if (!vc_desc_cache[o]) {
			vc_vblock_exit();
			return -ENOMEM;
		}
		vc_desc_cached_orders = o + 1;
	}
	if (vc_desc_mag_init()) {
		vc_vblock_exit();
		return -ENOMEM;
	}
	return 0;
}

/**
 * vc_vblock_exit - destroy the descriptor magazines and caches
 *
 * Blocks a client still holds at unload (the stats warned) keep their
 * pages and mappings, leaked, but lose their descriptors: no lookup or
 * free can reach them any more, and a cache with objects left in it
 * could be neither destroyed nor created again at the next load.
 *
 * Context: Module exit, after the deferred frees are drained and the
 * reserve released.
 */
void vc_vblock_exit(void)
{
	struct vc_vblock *vb;
	unsigned int o;
	int cpu;
	u32 id;

	if (vc_desc_mag) {
		for_each_possible_cpu(cpu)
			vc_desc_mag_release_dead(cpu);
		free_percpu(vc_desc_mag);
		vc_desc_mag = NULL;
	}
	memset(vc_desc_mag_depth, 0, sizeof(vc_desc_mag_depth));
	/* What is still registered now is a block a client leaked. */
	for (id = 0; (vb = vc_id_next(&id)); id++) {
		vc_start_del(vb);
		vc_id_unregister(vb);
		vc_desc_free(vb);
	}
	/* vc_desc_free_split() is this module's code. */
	rcu_barrier();
	for (o = 0; o < vc_desc_cached_orders; o++) {
		kmem_cache_destroy(vc_desc_cache[o]);
		vc_desc_cache[o] = NULL;
	}
	vc_desc_cached_orders = 0;
}

/*
 * Fill @pages from the start with chunks: blocks of the largest orders
 * below the block's that the buddy allocator still gives without reclaim,
 * compaction or waking kswapd.  Where memory is fragmented it usually
 * holds many such blocks, and the fallback's cost is mostly per page
 * allocated (tests/bench, the parts table).  Each chunk is split, so that
 * its pages are the independent order-0 pages the rest of a block's life
 * (lookups, mmap) expects; the free gives it back whole (vc_chunk_free()).
 * Chunk sizes only shrink, so a chunk of order k always starts at a
 * multiple of 2^k, and the counts alone say where each chunk starts.  A
 * sized block's @nr pages take chunks while they fit.
 *
 * Return: the number of pages filled; @chunks[k] counts those of order k.
 */
static unsigned long vc_vblock_fill_chunks(struct page **pages,
					   unsigned int order, unsigned long nr,
					   gfp_t gfp, int nid,
					   unsigned int *chunks)
{
	gfp_t chunk_gfp = (gfp & ~__GFP_RECLAIM) | __GFP_NOWARN |
			  __GFP_NORETRY | __GFP_NOMEMALLOC;
	unsigned long i = 0, j;
	unsigned int k = order - 1;
	struct page *page;

	while (k && i < nr) {
		cond_resched();
		if (nr - i < 1UL << k) {
			k--;
			continue;
		}
		page = vc_fault_chunk(k) ? NULL :
		       alloc_pages_node(nid, chunk_gfp, k);
		if (!page) {
			k--;
			continue;
		}
		split_page(page, k);
		for (j = 0; j < 1UL << k; j++)
			pages[i + j] = page + j;
		i += 1UL << k;
		chunks[k]++;
	}
	return i;
}

/*
 * vc_vblock_free_pages_rest(), at rest for a descriptor that a magazine
 * or cache takes back.  Two copies of its loops, each with a constant.
 */
static void vc_vblock_free_pages(struct vc_vblock *vb,
				 struct vc_clobbered *cl)
{
	if (vc_desc_reused(vb->order))
		vc_vblock_free_pages_rest(vb, cl, true);
	else
		vc_vblock_free_pages_rest(vb, cl, false);
}

/**
 * vc_vblock_build - build a virtual block, registered for lookups
 * @gfp: allocation flags; must allow blocking
 * @order: the order of the block's size
 * @nr: its pages: 2^@order, or fewer for a sized block
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
struct vc_vblock *vc_vblock_build(gfp_t gfp, unsigned int order,
				  unsigned long nr, int nid, bool parked)
{
	gfp_t meta_gfp = GFP_KERNEL | (gfp & __GFP_NOWARN);
	gfp_t page_gfp = gfp & ~__GFP_COMP;
	unsigned long i, end, filled, priv, chunked = 0;
	unsigned int k, *nchunks;
	struct vc_vblock *vb;
	struct vc_scope scope;
	struct page **pages;

	vc_scope_enter(&scope, gfp);
	if (vc_fault(VC_FAULT_desc))
		goto out;
	/* Registered first: each page is marked with the id as it comes. */
	vb = vc_desc_get(order, meta_gfp, nid);
	if (!vb)
		goto out;
	vb->nr_pages = nr;
	nchunks = vb->chunks;
	pages = vb->pages;
	if (vc_fault(VC_FAULT_xarray))
		goto free_desc;

	/* always_fallback keeps the worst case: order-0 pages only. */
	if (order && !vc_always_fallback()) {
		vb->chunks_whole = vc_chunks_may_go_whole(page_gfp);
		chunked = vc_vblock_fill_chunks(pages, order, nr,
						page_gfp, nid, nchunks);
		vb->chunked = chunked;
	}
	priv = vc_vblock_private(vb, 0);
	/* The order-0 pages a batch at a time: see VC_PAGE_CHUNK. */
	for (i = 0; i < nr; i = end) {
		end = min(nr, i + VC_PAGE_CHUNK);
		cond_resched();
		/*
		 * The bulk allocator fills the NULL slots in order: those
		 * it left, from @filled on, are topped up one by one, so
		 * that the loop that marks the pages tests none.
		 */
		filled = max(i, chunked);
		if (end > filled)
			filled += vc_alloc_pages_bulk_node(page_gfp, nid,
							   end - filled,
							   pages + filled);
		for (; filled < end; filled++) {
			if (pages[filled])
				continue;
			pages[filled] = alloc_pages_node(nid, page_gfp, 0);
			if (!pages[filled])
				goto free_pages;
		}
		for (; i < end; i++) {
			/*
			 * As if this page could not be had: what the block
			 * holds, this page and the ones after it too, goes
			 * back.
			 */
			if (vc_fault_page(i))
				goto free_pages;
			set_page_private(pages[i],
					 vc_vblock_private_from(priv, i));
		}
	}

	if (vc_fault(VC_FAULT_vmap))
		goto free_pages;
	if (!vc_vblock_map(vb, nr, nid))
		goto free_pages;
	vc_kmemleak_alloc(vb->addr, nr << PAGE_SHIFT, meta_gfp);
	vc_start_add(vb);
	/* Lookups take it for a block from here on (with release order). */
	vc_vblock_set_kind(vb, parked ? VC_VB_PARKED : VC_VB_LIVE);
	/* Counted once the block is built: its order-0 pages, then chunks. */
	vc_count_add(chunks[0], nr - chunked);
	for (k = vb->chunked ? 1 : order; k < order; k++)
		if (nchunks[k])
			vc_count_add(chunks[k], nchunks[k]);

	vc_scope_exit(&scope);
	return vb;

free_pages:
	vc_vblock_free_pages(vb, NULL);
free_desc:
	vc_desc_put(vb);
out:
	vc_scope_exit(&scope);
	return NULL;
}

/**
 * vc_vblock_linear - make a sized block of a physical allocation
 * @page: 2^@order pages from the buddy allocator, not compound
 * @order: the order of the block's size
 * @nr: the block's pages, fewer than 2^@order
 * @gfp: the caller's allocation flags; must allow blocking
 * @nid: preferred node for the descriptor, or NUMA_NO_NODE
 *
 * As alloc_pages_exact() does, @page is split and the tail [@nr, 2^@order)
 * goes back at once, as the aligned power-of-two blocks it decomposes into.
 * A compound head's cookie cannot describe what is left, so it gets a
 * virtual block's descriptor: the pages carry its id in page->private, and
 * the lookups that find no cookie try that (lookup.c).  The kept pages
 * decompose into the blocks of @nr's bits, largest first: recorded as the
 * descriptor's chunks, they go back whole at the free like a virtual
 * block's.  Counted by the caller.
 *
 * Context: Process context; may sleep.
 * Return: the block's descriptor, or NULL with @page freed.
 */
struct vc_vblock *vc_vblock_linear(struct page *page, unsigned int order,
				   unsigned long nr, gfp_t gfp, int nid)
{
	gfp_t meta_gfp = GFP_KERNEL | (gfp & __GFP_NOWARN);
	unsigned long i, priv, end = 1UL << order;
	unsigned int k, *nchunks;
	struct vc_vblock *vb = NULL;
	struct vc_scope scope;

	vc_scope_enter(&scope, gfp);
	if (!vc_fault(VC_FAULT_desc))
		vb = vc_desc_get(order, meta_gfp, nid);
	if (!vb)
		goto free_block;
	if (vc_fault(VC_FAULT_xarray))
		goto free_desc;
	vb->nr_pages = nr;
	vb->linear = true;
	vb->addr = page_address(page);
	vb->chunks_whole = vc_chunks_may_go_whole(gfp);
	nchunks = vb->chunks;
	for (k = 1; k < order; k++)
		nchunks[k] = (nr >> k) & 1;
	vb->chunked = true;

	split_page(page, order);
	/* Each piece is aligned to its size: 2^order is, and i only grows. */
	for (i = nr; i < end; i += 1UL << __ffs(i))
		vc_chunk_free(page + i, __ffs(i), vb->chunks_whole);
	priv = vc_vblock_private(vb, 0);
	for (i = 0; i < nr; i++) {
		vb->pages[i] = page + i;
		set_page_private(page + i, vc_vblock_private_from(priv, i));
	}
	vc_kmemleak_alloc(vb->addr, nr << PAGE_SHIFT, meta_gfp);
	vc_start_add(vb);
	/* Lookups take it for a block from here on (with release order). */
	vc_vblock_set_kind(vb, VC_VB_LIVE);
	vc_scope_exit(&scope);
	return vb;

free_desc:
	vc_desc_put(vb);
	vb = NULL;
free_block:
	__free_pages(page, order);
	vc_scope_exit(&scope);
	return NULL;
}

/*
 * A client wrote page->private of a page of @vb, which is vcompound's:
 * lookups of that page failed while it was overwritten.  The free found
 * the block all the same (through an intact first page, or by the walk of
 * vc_lookup_slow()), so it is freed, and the report names the page.  Out
 * of line, like the bad-free reports.
 */
static noinline void vc_private_clobbered(const struct vc_vblock *vb,
					  const struct vc_clobbered *cl)
{
	WARN_ONCE(1, "vcompound: page->private of page %lu (%p) of the block at %p was overwritten (%#lx, %lu of %lu pages); it belongs to vcompound; the block is freed all the same\n",
		  cl->first, vb->pages[cl->first], vb->addr, cl->found,
		  cl->count, vb->nr_pages);
}

/**
 * vc_vblock_destroy - unmap a virtual block and free its pages
 * @vb: a claimed block
 *
 * Context: Process context; may sleep.
 */
void vc_vblock_destroy(struct vc_vblock *vb)
{
	unsigned long trimmed = (1UL << vb->order) - vb->nr_pages;

	if (vb->linear) {
		vc_count(freed_physical[vb->order]);
		vc_count_add(trimmed_physical, -trimmed);
	} else {
		vc_count(freed_virtual[vb->order]);
		vc_count_add(trimmed_virtual, -trimmed);
	}
	vc_vblock_release(vb);
}

/**
 * vc_vblock_release - unmap a virtual block and free its pages, uncounted
 * @vb: a block no lookup can see any more: claimed, or never handed out
 *
 * For blocks that were never handed out (the atomic reserve's).
 *
 * Context: Process context; may sleep.
 */
void vc_vblock_release(struct vc_vblock *vb)
{
	struct vc_clobbered cl = { 0 };

	vc_start_del(vb);
	/* Registered by its build; no scan may read it from now on. */
	kmemleak_free(vb->addr);
	if (!vb->linear) {
		vc_vblock_unmap(vb);
		/* Nothing may map a page once it goes back (DEBUG_VM checks). */
		VM_WARN_ON_ONCE(vmalloc_to_page(vb->addr));
	}
	vc_vblock_free_pages(vb, &cl);
	if (unlikely(cl.count))
		vc_private_clobbered(vb, &cl);
	vc_desc_put(vb);
}

