/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real fragmentation of guest memory (vct_fragment.c), shared by the
 * fragmentation and stress cases and by tools/samples/vcusers.
 */
#ifndef _VCT_FRAGMENT_H
#define _VCT_FRAGMENT_H

#include "vcompat_page_alloc.h"

/* The orders the helpers take and test: every order of the buddy allocator. */
#define VCT_FRAG_MAX	VC_BUDDY_MAX_ORDER
/*
 * Takes what is free, or what one light pass of reclaim and compaction
 * makes free (__GFP_NORETRY, as vcompound's physical attempt); never dips
 * into reserves.
 */
#define VCT_GRAB_GFP	(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN | \
			 __GFP_NOMEMALLOC)

struct vct;

/*
 * Breaks free memory into order-0 holes: afterwards alloc_pages() of any
 * order >= 1 fails until vct_unfragment() gives everything back.  Returns
 * the pages held; *@holes is set to the order-0 pages given back.
 */
unsigned long vct_fragment_memory(unsigned long *holes);
/* vct_fragment_memory() with the figures as a diagnostic of case @t. */
void vct_fragment(struct vct *t);
/* Takes every free block of order >= @min_order again; returns how many. */
unsigned int vct_hold_free_blocks(unsigned int min_order);
/* Holds @page, a block of @order from alloc_pages(), until vct_unfragment(). */
void vct_hold_block(struct page *page, unsigned int order);
void vct_unfragment(void);
/*
 * How often an OOM notifier call gave held memory back (to someone else
 * who would otherwise have started the OOM killer): a case whose check
 * raced with one may find a block that was not there before.
 */
unsigned int vct_frag_oom_releases(void);
/* Free memory in MiB, for the diagnostics. */
unsigned long vct_free_mib(void);

#endif /* _VCT_FRAGMENT_H */
