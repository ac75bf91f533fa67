/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stress group's files share: a thread's state and workload
 * (cases_stress_thread.c) and the state of the case being run
 * (cases_stress.c).
 */
#ifndef _CASES_STRESS_H
#define _CASES_STRESS_H

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <vcache.h>

#include "vct.h"
#include "vcompat_page_alloc.h"

#define VCT_ST_SLOTS		64	/* live allocations per thread */
#define VCT_ST_BATCH		16	/* frees handed to softirq/hardirq */
#define VCT_ST_CACHES		4
/* The largest order: one above the buddy allocator's, always virtual. */
#define VCT_ST_MAX_ORDER	(VC_BUDDY_MAX_ORDER + 1)

enum vct_st_kind { VCT_ST_BLOCK, VCT_ST_PAGES, VCT_ST_OBJ };

struct vct_st_slot {
	void *addr;		/* the block, or the object */
	struct page *page;	/* what vcompound_alloc_pages() returned */
	u32 tag;		/* pattern written into the memory */
	u8 kind;
	u8 order;		/* block order, or cache index */
	bool filled;		/* every byte holds the tag's low byte */
};

struct vct_st_cache {
	struct vcache *c;
	unsigned int size;
	unsigned long flags;
};

struct vct_st_thread {
	struct vct *t;
	struct task_struct *task;
	u64 rnd;
	unsigned long target;
	unsigned long ops, allocs, frees, hardirq_frees, softirq_frees, null;
	unsigned long bad_memory, bad_lookup, bad_context;
	struct vct_st_slot slots[VCT_ST_SLOTS];
	/* Frees waiting for their softirq or hardirq batch. */
	struct vct_st_slot batch[VCT_ST_BATCH];
	unsigned int nbatch;
	bool batch_soft;	/* the batch goes to softirq, not hardirq */
	struct irq_work irq_work;
	struct tasklet_struct tasklet;
	struct completion batch_done;
	struct completion done;
};

struct vct_st_state {
	struct vct_st_cache caches[VCT_ST_CACHES];
	bool fallback;
	bool toggled;		/* always_fallback changes under our feet */
	unsigned int max_order;
	spinlock_t lock;	/* held around some frees and atomic allocations */
};

extern struct vct_st_state vct_st;

/* The threads' caches, of sizes from @seed; their destroy checks them. */
bool vct_st_caches_create(struct vct *t, u64 seed);
void vct_st_caches_destroy(struct vct *t);
/* The thread's frees handed to hardirq and softirq. */
void vct_st_irq_work(struct irq_work *work);
void vct_st_tasklet(struct tasklet_struct *tl);
/* The thread: its share of operations, then every block back. */
int vct_st_thread_fn(void *arg);

#endif /* _CASES_STRESS_H */
