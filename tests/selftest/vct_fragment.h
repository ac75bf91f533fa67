/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real fragmentation of guest memory (cases_fragment.c), shared with the
 * stress suite.
 */
#ifndef _VCT_FRAGMENT_H
#define _VCT_FRAGMENT_H

struct vct;

/*
 * Breaks free memory into order-0 holes: afterwards alloc_pages() of any
 * order >= 1 fails until vct_unfragment() gives everything back.
 */
void vct_fragment(struct vct *t);
/* Takes every free block of order >= @min_order again; returns how many. */
unsigned int vct_hold_free_blocks(unsigned int min_order);
void vct_unfragment(void);

#endif /* _VCT_FRAGMENT_H */
