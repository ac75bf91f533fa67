/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the faults group's files (cases_faults*.c) share: the tally of the
 * case being run, the checks of a block (cases_faults.c), one allocation
 * of each gfp variant (cases_faults_gfp.c) and the checks of a vcache
 * object (cases_faults_vcache.c).
 */
#ifndef _CASES_FAULTS_H
#define _CASES_FAULTS_H

#include <linux/types.h>

#include "vct.h"

struct vct_fi_tally {
	unsigned long calls, nulls, valid, invalid;
	unsigned long refused;	/* NULL by contract: non-blocking, no block */
};

extern struct vct_fi_tally vct_fi_case, vct_fi_total;
extern unsigned int vct_fi_max_order;
/* What the call being checked was, for the diagnostics. */
extern const char *vct_fi_ctx;

/* What a block must be, besides usable memory. */
struct vct_fi_want {
	int virt;		/* 0 physical, 1 virtual, -1 either */
	bool zero;
	int nid;		/* every page on it, or NUMA_NO_NODE */
};

enum vct_fi_how {
	VCT_FI_KERNEL,		/* GFP_KERNEL */
	VCT_FI_ZERO,		/* GFP_KERNEL | __GFP_ZERO */
	VCT_FI_NOFS,		/* GFP_NOFS */
	VCT_FI_NOIO,		/* GFP_NOIO | __GFP_ZERO */
	VCT_FI_NOFS_SCOPE,	/* GFP_KERNEL in memalloc_nofs_save() */
	VCT_FI_NOIO_SCOPE,	/* GFP_KERNEL | __GFP_ZERO in memalloc_noio_save() */
	VCT_FI_NODE,		/* vcompound_alloc_node(), __GFP_THISNODE */
	VCT_FI_PAGES,		/* vcompound_alloc_pages(), __GFP_ZERO */
	VCT_FI_ATOMIC,		/* GFP_ATOMIC, under a spinlock */
	VCT_FI_NOWAIT,		/* GFP_NOWAIT | __GFP_ZERO */
	VCT_FI_NR_HOW
};

/* A held block: what vct_fi_put() needs. */
struct vct_fi_blk {
	void *p;
	struct page *page;	/* VCT_FI_PAGES: free with vcompound_free_pages() */
	unsigned int order;
};

/* The object sizes of the vcache cases. */
#define VCT_FI_NSIZES		5
extern const unsigned int vct_fi_sizes[VCT_FI_NSIZES];

void vct_fi_mark(bool on);
void vct_fi_begin(struct vct *t);
void vct_fi_end(struct vct *t);
void vct_fi_invalid(struct vct *t, const char *what, const void *p,
		    unsigned int order, unsigned long i);
bool vct_fi_fallback(struct vct *t, bool on);
bool vct_fi_check_block(struct vct *t, void *p, unsigned int order,
			const struct vct_fi_want *w);
bool vct_fi_intact(struct vct *t, void *p, unsigned int order);
bool vct_fi_get(struct vct *t, enum vct_fi_how how, unsigned int order,
		bool fallback, struct vct_fi_blk *b);
void vct_fi_put(struct vct *t, struct vct_fi_blk *b);
u8 vct_fi_byte(unsigned int i);
bool vct_fi_check_obj(struct vct *t, void *p, unsigned int size,
		      unsigned long flags, bool zero, unsigned int i);

/* The parts of the group, in the order they run. */
void vct_faults_gfp_cases(void (*run)(const char *name,
				      void (*fn)(struct vct *t)));
void vct_faults_vcache_cases(void (*run)(const char *name,
					 void (*fn)(struct vct *t)));
void vct_faults_random_cases(void (*run)(const char *name,
					 void (*fn)(struct vct *t)));

#endif /* _CASES_FAULTS_H */
