/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the chunks group's files (cases_chunks*.c) share: the fault knobs,
 * the blocks of chunks they build and the check of their layout.
 */
#ifndef _CASES_CHUNKS_H
#define _CASES_CHUNKS_H

#include "vct.h"

#define VCT_CH_ORDER		5U
/* The order of the block vct_ch_alloc_fragmented() builds. */
#define VCT_CH_FRAG_ORDER	6U

/* Sets the fault knob @site to @val, a check of @t. */
void vct_ch_knob(struct vct *t, const char *site, unsigned int val);
/* Both knobs off again, whatever the case did. */
void vct_ch_knobs_off(struct vct *t);
/* Fails every physical attempt; false (and a skip) without the knobs. */
bool vct_ch_force_virtual(struct vct *t);
/* The chunks counters' deltas since vct_snap(), into @chunks[0..LIMIT]. */
void vct_ch_deltas(struct vct *t, unsigned long *chunks);
/*
 * Whether the block at @addr, of @order, is laid out as the per-order
 * chunk counts @chunks say, and every lookup finds each page.
 */
bool vct_ch_layout_ok(struct vct *t, void *addr, unsigned int order,
		      const unsigned long *chunks);
/*
 * A virtual block of @order, built with the knobs as set: checked against
 * the chunks counters' deltas (returned in @chunks) and through every
 * page; NULL after a failed check.  vct_snap() is taken before it.
 */
void *vct_ch_alloc(struct vct *t, unsigned int order, unsigned long *chunks);
/* vct_ch_alloc() of order VCT_CH_FRAG_ORDER in fragmented memory. */
void *vct_ch_alloc_fragmented(struct vct *t, unsigned long *chunks);
/* Frees a block of vct_ch_alloc() from hard irq; checks it went back. */
void vct_ch_free_hardirq(struct vct *t, void *addr, unsigned int order);

/* The group's second part: the other APIs on blocks of chunks. */
void vct_chunks_api_cases(void (*run)(const char *name,
				      void (*fn)(struct vct *t)));

#endif /* _CASES_CHUNKS_H */
