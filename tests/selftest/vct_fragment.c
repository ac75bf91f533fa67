// SPDX-License-Identifier: GPL-2.0
/*
 * Real fragmentation of guest memory, for the fragmentation and stress
 * cases of the self-test and for the converted-users demo
 * (tools/vcusers), which compiles this file too.
 *
 * Freeing "every other page" in allocation order does not fragment: the
 * free lists are not in pfn order.  What does: take every free block,
 * largest first, split to order-0, down to a floor above the watermarks;
 * give back the pages with odd pfns, whose even buddies stay held; then
 * also take every block of order >= 1 that is still free (the floor and
 * the watermark reserve kept some whole).
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/vmstat.h>

#include "vct_fragment.h"
#include "vcompat_page_alloc.h"

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

unsigned long vct_free_mib(void)
{
	return global_zone_page_state(NR_FREE_PAGES) >> (20 - PAGE_SHIFT);
}

/*
 * What step 1 leaves free: the high watermarks (boost included) and 1/64
 * of RAM.  Until the holes go back, whoever else allocates (init's page
 * faults, a kworker) would otherwise meet a zone at its min watermark with
 * nothing to reclaim, and the OOM killer.  Step 3 takes what of this is in
 * blocks of order >= 1.
 */
static unsigned long vct_grab_floor(void)
{
	unsigned long floor = totalram_pages() >> 6;
	struct zone *zone;
	int nid, z;

	for_each_online_node(nid) {
		for (z = 0; z < MAX_NR_ZONES; z++) {
			/* A variable: older high_wmark_pages() lack parentheses. */
			zone = &NODE_DATA(nid)->node_zones[z];
			floor += high_wmark_pages(zone);
		}
	}
	return floor;
}

unsigned long vct_fragment_memory(unsigned long *holes)
{
	struct vct_frag *f = &vct_frag;
	struct page *page, *next;
	unsigned long i, floor;
	int order;

	/* 1: everything, largest blocks first, split to order-0 pages. */
	for (order = VCT_FRAG_MAX; order >= 0; order--) {
		floor = vct_grab_floor();
		while (global_zone_page_state(NR_FREE_PAGES) > floor &&
		       (page = alloc_pages(VCT_GRAB_GFP, order))) {
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
	*holes = f->holes;
	return f->held;
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
