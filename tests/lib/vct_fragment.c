// SPDX-License-Identifier: GPL-2.0
/*
 * Real fragmentation of guest memory, for the fragmentation and stress
 * cases of the self-test and for the converted-users demo
 * (tools/samples/vcusers), which compiles this file too.
 *
 * Freeing "every other page" in allocation order does not fragment: the
 * free lists are not in pfn order.  What does: take every free block,
 * largest first, split to order-0, down to a floor above the watermarks;
 * give back the pages with odd pfns, whose even buddies stay held; then
 * also take every block of order >= 1 that is still free (the floor and
 * the watermark reserve kept some whole).
 *
 * While memory is held, anyone else's order 1-3 allocation (init forking,
 * a slab of task_structs) finds no block, cannot compact around our pages
 * and goes to the OOM killer, which kills the modprobe running the test.
 * Like a balloon driver, an OOM notifier gives back part of what is held
 * instead; the cases take back whatever is still free before each check.
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/notifier.h>
#include <linux/oom.h>
#include <linux/spinlock.h>
#include <linux/vmstat.h>

#include "vct_fragment.h"
#include "vcompat_page_alloc.h"

/*
 * Pages the OOM notifier gives back at a time, from the held lists: 8 MiB
 * of even-pfn pages free 16 MiB of whole blocks with their buddies.
 */
#define VCT_FRAG_OOM_PAGES	2048UL

struct vct_frag {
	spinlock_t lock;		/* the lists and held, vs. the notifier */
	struct list_head pages;		/* held order-0 pages */
	struct list_head blocks;	/* held blocks, order in ->private */
	unsigned long held;		/* pages held, both lists */
	unsigned long holes;		/* odd-pfn pages given back */
	atomic_t oom_releases;		/* times the notifier gave pages back */
	bool notifier;			/* registered */
};

static struct vct_frag vct_frag = {
	.lock = __SPIN_LOCK_UNLOCKED(vct_frag.lock),
	.pages = LIST_HEAD_INIT(vct_frag.pages),
	.blocks = LIST_HEAD_INIT(vct_frag.blocks),
	.oom_releases = ATOMIC_INIT(0),
};

void vct_hold_block(struct page *page, unsigned int order)
{
	struct vct_frag *f = &vct_frag;

	spin_lock(&f->lock);
	if (order) {
		set_page_private(page, order);
		list_add(&page->lru, &f->blocks);
	} else {
		list_add(&page->lru, &f->pages);
	}
	f->held += 1UL << order;
	spin_unlock(&f->lock);
}

static void vct_frag_free_blocks(struct list_head *blocks)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, blocks, lru) {
		unsigned int order = page_private(page);

		list_del(&page->lru);
		set_page_private(page, 0);
		__free_pages(page, order);
	}
}

static void vct_frag_free_pages(struct list_head *pages)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

/*
 * out_of_memory() calls this before it picks a victim, and kills nobody
 * if pages were given back (added to *@freed).  Held blocks go first, then
 * a run of held pages: neighbours in the list are neighbours in memory
 * (split blocks), so with their free odd-pfn buddies they merge into
 * blocks of every order.  It never waits for the case, which may be the
 * task that is out of memory.
 */
static int vct_frag_oom_notify(struct notifier_block *nb, unsigned long unused,
			       void *freed)
{
	struct vct_frag *f = &vct_frag;
	LIST_HEAD(blocks);
	LIST_HEAD(pages);
	struct page *page;
	unsigned long n = 0;

	spin_lock(&f->lock);
	list_for_each_entry(page, &f->blocks, lru)
		n += 1UL << page_private(page);
	list_splice_init(&f->blocks, &blocks);
	for (; n < VCT_FRAG_OOM_PAGES && !list_empty(&f->pages); n++)
		list_move(f->pages.next, &pages);
	f->held -= n;
	spin_unlock(&f->lock);
	if (!n)
		return NOTIFY_DONE;
	vct_frag_free_blocks(&blocks);
	vct_frag_free_pages(&pages);
	*(unsigned long *)freed += n;
	atomic_inc(&f->oom_releases);
	return NOTIFY_OK;
}

static struct notifier_block vct_frag_oom_nb = {
	.notifier_call = vct_frag_oom_notify,
};

unsigned int vct_frag_oom_releases(void)
{
	return atomic_read(&vct_frag.oom_releases);
}

/*
 * Takes every free block of order >= @min_order, returning how many it
 * found.  Memory that others free (slab pages, RCU callbacks) while we
 * hold the rest comes back as whole blocks, so this runs again just before
 * each allocation that must not find one.
 */
unsigned int vct_hold_free_blocks(unsigned int min_order)
{
	unsigned int found = 0;
	struct page *page;
	int order;

	for (order = VCT_FRAG_MAX; order >= (int)min_order; order--) {
		while ((page = alloc_pages(VCT_GRAB_GFP, order))) {
			vct_hold_block(page, order);
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
	unsigned long i, floor, odd = 0;
	LIST_HEAD(split);
	int order;

	if (!f->notifier && !register_oom_notifier(&vct_frag_oom_nb))
		f->notifier = true;
	/* 1: everything, largest blocks first, split to order-0 pages. */
	for (order = VCT_FRAG_MAX; order >= 0; order--) {
		floor = vct_grab_floor();
		while (global_zone_page_state(NR_FREE_PAGES) > floor &&
		       (page = alloc_pages(VCT_GRAB_GFP, order))) {
			if (order)
				split_page(page, order);
			for (i = 0; i < (1UL << order); i++)
				vct_hold_block(vc_nth_page(page, i), 0);
		}
	}
	/* 2: odd pfns go back; their buddies stay held, so nothing merges. */
	spin_lock(&f->lock);
	list_splice_init(&f->pages, &split);
	spin_unlock(&f->lock);
	list_for_each_entry_safe(page, next, &split, lru) {
		if (page_to_pfn(page) & 1) {
			list_del(&page->lru);
			__free_page(page);
			odd++;
		}
	}
	spin_lock(&f->lock);
	f->held -= odd;
	f->holes += odd;
	list_splice(&split, &f->pages);
	spin_unlock(&f->lock);
	/* 3: whatever high-order blocks remain free, hold them too. */
	vct_hold_free_blocks(1);
	*holes = f->holes;
	return f->held;
}

void vct_unfragment(void)
{
	struct vct_frag *f = &vct_frag;
	LIST_HEAD(blocks);
	LIST_HEAD(pages);

	/* Returns once no notifier call is running. */
	if (f->notifier && !unregister_oom_notifier(&vct_frag_oom_nb))
		f->notifier = false;
	spin_lock(&f->lock);
	list_splice_init(&f->blocks, &blocks);
	list_splice_init(&f->pages, &pages);
	f->held = 0;
	spin_unlock(&f->lock);
	vct_frag_free_blocks(&blocks);
	vct_frag_free_pages(&pages);
	f->holes = 0;
}
