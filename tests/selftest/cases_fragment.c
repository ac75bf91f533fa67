// SPDX-License-Identifier: GPL-2.0
/*
 * Real fragmentation: with always_fallback off, break guest memory into
 * order-0 holes until high-order alloc_pages() genuinely fails, check that
 * vcompound then serves working virtual blocks, and that it goes back to
 * physical blocks once the memory is released.
 *
 * Freeing "every other page" in allocation order does not fragment: the
 * free lists are not in pfn order.  What does: take every free block,
 * largest first, split to order-0; give back the pages with odd pfns, whose
 * even buddies stay held; then also take every block of order >= 1 that
 * is still free (the watermark reserve kept some whole).
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/vmstat.h>

#include "vct.h"
#include "vct_fragment.h"
#include "vcompat_page_alloc.h"

#define VCT_GRAB_GFP	(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN | \
			 __GFP_NOMEMALLOC)
#define VCT_FRAG_MAX	VC_BUDDY_MAX_ORDER

struct vct_frag {
	struct list_head pages;		/* held order-0 pages */
	struct list_head blocks;	/* held blocks, order in ->private */
	unsigned long held;		/* pages held, both lists */
	unsigned long holes;		/* odd-pfn pages given back */
};

static struct vct_frag vct_frag = {
	.pages = LIST_HEAD_INIT(vct_frag.pages),
	.blocks = LIST_HEAD_INIT(vct_frag.blocks),
};

/* The fragmentation case ran, and gave everything back at its end. */
static bool vct_fragmented;

static unsigned long vct_free_mb(void)
{
	return global_zone_page_state(NR_FREE_PAGES) >> (20 - PAGE_SHIFT);
}

/*
 * Takes every free block of order >= @min_order, returning how many it
 * found.  Memory that others free (slab pages, RCU callbacks) while we
 * hold the rest comes back as whole blocks, so this runs again just before
 * each allocation that must not find one.
 */
unsigned int vct_hold_free_blocks(unsigned int min_order)
{
	struct vct_frag *f = &vct_frag;
	unsigned int found = 0;
	struct page *page;
	int order;

	for (order = VCT_FRAG_MAX; order >= (int)min_order; order--) {
		while ((page = alloc_pages(VCT_GRAB_GFP, order))) {
			set_page_private(page, order);
			list_add(&page->lru, &f->blocks);
			f->held += 1UL << order;
			found++;
		}
	}
	return found;
}

void vct_fragment(struct vct *t)
{
	struct vct_frag *f = &vct_frag;
	struct page *page, *next;
	unsigned long i;
	int order;

	/* 1: everything, largest blocks first, split to order-0 pages. */
	for (order = VCT_FRAG_MAX; order >= 0; order--) {
		while ((page = alloc_pages(VCT_GRAB_GFP, order))) {
			if (order)
				split_page(page, order);
			for (i = 0; i < (1UL << order); i++) {
				struct page *p = vc_nth_page(page, i);

				list_add(&p->lru, &f->pages);
				f->held++;
			}
		}
	}
	/* 2: odd pfns go back; their buddies stay held, so nothing merges. */
	list_for_each_entry_safe(page, next, &f->pages, lru) {
		if (page_to_pfn(page) & 1) {
			list_del(&page->lru);
			__free_page(page);
			f->held--;
			f->holes++;
		}
	}
	/* 3: whatever high-order blocks remain free, hold them too. */
	vct_hold_free_blocks(1);
	vct_diag(t, "held %lu MiB, gave back %lu MiB of holes, %lu MiB free",
		 f->held >> (20 - PAGE_SHIFT), f->holes >> (20 - PAGE_SHIFT),
		 vct_free_mb());
}

void vct_unfragment(void)
{
	struct vct_frag *f = &vct_frag;
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &f->blocks, lru) {
		unsigned int order = page_private(page);

		list_del(&page->lru);
		set_page_private(page, 0);
		__free_pages(page, order);
	}
	list_for_each_entry_safe(page, next, &f->pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	f->held = 0;
	f->holes = 0;
}

static void vct_fragmented_virtual(struct vct *t)
{
	void *addrs[VCT_FRAG_MAX + 1] = { };
	unsigned int order, regrabbed = 0, virt = 0;
	unsigned long physical_orders = 0;
	struct page *raw;

	vct_fragment(t);
	vct_fragmented = true;

	vct_snap(t);
	for (order = 1; order <= VCT_FRAG_MAX; order++) {
		regrabbed += vct_hold_free_blocks(order);
		/* The precondition: the buddy allocator has nothing this big. */
		raw = alloc_pages(VCT_GRAB_GFP, order);
		if (!VCT_CHECK(t, !raw)) {
			__free_pages(raw, order);
			continue;
		}
		addrs[order] = vcompound_alloc(GFP_KERNEL, order);
		if (!VCT_CHECK(t, addrs[order]))
			continue;
		if (vcompound_is_virtual(addrs[order]))
			virt++;
		else
			physical_orders |= 1UL << order;
		VCT_CHECK(t, vct_pattern_check(t, addrs[order], order));
		memset(addrs[order], order, PAGE_SIZE << order);
	}
	VCT_CHECK(t, virt == VCT_FRAG_MAX);
	for (order = 1; order <= VCT_FRAG_MAX; order++)
		vcompound_free(addrs[order]);
	vct_resnap(t);
	vct_diag(t, "orders 1-%u: %u virtual, physical orders %#lx",
		 VCT_FRAG_MAX, virt, physical_orders);
	vct_diag(t, "%u blocks freed by others were taken again", regrabbed);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	/*
	 * Not held past the case: a runner that starts a thread per case
	 * (KUnit) would need an order-1 page for it, and with none left the
	 * OOM killer finds nothing to kill and panics.
	 */
	vct_unfragment();
}

static void vct_released_physical(struct vct *t)
{
	void *addrs[VCT_FRAG_MAX + 1] = { };
	unsigned int order, phys = 0;

	if (!vct_fragmented) {
		t->skip = "fragmentation case did not run";
		return;
	}
	vct_fragmented = false;
	vct_diag(t, "released, %lu MiB free", vct_free_mb());
	for (order = 1; order <= VCT_FRAG_MAX; order++) {
		addrs[order] = vcompound_alloc(GFP_KERNEL, order);
		if (!VCT_CHECK(t, addrs[order]))
			continue;
		phys += !vcompound_is_virtual(addrs[order]);
	}
	VCT_CHECK(t, phys == VCT_FRAG_MAX);
	for (order = 1; order <= VCT_FRAG_MAX; order++)
		vcompound_free(addrs[order]);
}

void vct_fragment_cases(void (*run)(const char *name,
				    void (*fn)(struct vct *t)))
{
	run("fragmented_memory_falls_back_to_virtual", vct_fragmented_virtual);
	run("released_memory_is_physical_again", vct_released_physical);
}
