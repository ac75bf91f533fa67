/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcompound self-test: a tiny KTAP runner for stock kernels without KUnit.
 */
#ifndef _VCT_H
#define _VCT_H

#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/printk.h>
#include <linux/types.h>

#include <vcompound.h>

#include "vct_params.h"

struct vct {
	const char *name;
	bool failed;
	const char *skip;		/* set to skip the case, with the reason */
	struct vcompound_stats *s0;	/* snapshot taken by vct_snap() */
	struct vcompound_stats *s1;
	unsigned int panic_on_warn;	/* to restore after a warning bracket */
	/*
	 * Set by a runner that reports failed checks itself (KUnit) after
	 * vct_case_setup(); NULL prints the KTAP diagnostic line.
	 */
	void (*fail)(struct vct *t, const char *expr, const char *func,
		     int line);
	void *priv;			/* the runner's, for @fail */
};

/* KTAP diagnostics, indented under the case being run. */
#define vct_diag(t, fmt, ...) \
	pr_info("# %s: " fmt "\n", (t)->name, ##__VA_ARGS__)

bool __vct_check(struct vct *t, bool ok, const char *expr, const char *func,
		 int line);
/* Records a failure and returns false; the case goes on unless it bails. */
#define VCT_CHECK(t, cond) __vct_check(t, !!(cond), #cond, __func__, __LINE__)

/*
 * Brackets around the warnings a case provokes on purpose: tests/qemu
 * accepts exactly @count warnings raised in vcompound, each with a message
 * containing @msg, only inside them; panic_on_warn is off in between.
 */
void vct_expect_warn_begin(struct vct *t, unsigned int count, const char *msg);
void vct_expect_warn_end(struct vct *t);

/* vcompound's WARN_ONCE()s, which warn once per load of the core. */
enum vct_warn_once {
	VCT_WARN_BAD_FREE,	/* "is not a live vcompound block" */
	VCT_WARN_INTERIOR,	/* "is inside the block at" */
	VCT_WARN_ORDER,		/* "is above max_order" */
	VCT_WARN_GFP,		/* "are not supported" */
	VCT_WARN_PRIVATE,	/* "page->private" of a page overwritten */
};

/*
 * 1 the first time a case provokes @site's warning, 0 after: the lab loads
 * the core afresh for each step, and this module once in it.
 */
unsigned int vct_warn_once(enum vct_warn_once site);

/*
 * Without CONFIG_PREEMPT_COUNT (Debian 5.10) a held spinlock is invisible,
 * so vcompound defers every virtual free, even from process context.
 */
#define VCT_PROCESS_FREE_DEFERS	(!IS_ENABLED(CONFIG_PREEMPT_COUNT))

/*
 * Counter deltas between vct_snap() and vct_resnap(); vct_resnap() first
 * waits for deferred frees, so "freed" counters are settled.
 */
void vct_snap(struct vct *t);
void vct_resnap(struct vct *t);
unsigned long __vct_delta(const struct vct *t, size_t offset);
u64 __vct_delta64(const struct vct *t, size_t offset);
#define vct_delta(t, field) \
	__vct_delta(t, offsetof(struct vcompound_stats, field))
#define vct_odelta(t, o, field) \
	__vct_delta(t, offsetof(struct vcompound_stats, order[o].field))
/* For the u64 counters: outstanding_{physical,virtual}_bytes. */
#define vct_delta64(t, field) \
	__vct_delta64(t, offsetof(struct vcompound_stats, field))

/*
 * What every case runs between: a clean struct vct with the runner's
 * snapshot buffers, and afterwards always_fallback back to 0 and the
 * deferred frees drained.
 */
void vct_case_setup(struct vct *t, const char *name,
		    struct vcompound_stats *s0, struct vcompound_stats *s1);
void vct_case_teardown(struct vct *t);

/*
 * Witnessed frees: every case frees its blocks through these, which pin
 * each page of a live block (the head of a physical one) with one extra
 * reference before vcompound frees it.  vct_settle(), also run by the
 * case teardown, waits for deferred frees and then requires that only the
 * witness's own reference is left on every witnessed page: a page that
 * vcompound did not give back fails the case that freed it.  Anything
 * that is not the start of a live block is passed through unwitnessed
 * (misuse cases).  Witnessed pages return to the page allocator at the
 * settle, so a case that needs freed memory back mid-case settles first.
 */
void vct_free(struct vct *t, const void *addr);
void vct_free_page_block(struct vct *t, struct page *page);
/* The same from any context but NMI; never settles, may go unwitnessed. */
void vct_free_atomic(const void *addr);
void vct_free_page_block_atomic(struct page *page);
/* Process context: checks and releases every witness taken so far. */
void vct_settle(struct vct *t);
/* vct_settle() if the witnesses pin more than a few MiB. */
void vct_settle_at_cap(struct vct *t);

/*
 * The vmalloc space: its size (/proc/meminfo's VmallocTotal) and how much
 * of it one case may map at once, in pages; 0 if /proc/meminfo is unread.
 */
unsigned long vct_vmalloc_total_pages(void);
unsigned long vct_vmalloc_budget_pages(void);
/* Free pages, those on the per-CPU lists included. */
unsigned long vct_free_pages(void);
/* always_fallback on or off, a check of case @t; 0 or the error. */
int vct_set_fallback(struct vct *t, bool on);
/* The atomic reserve of @order: its level now, -1 on error; a wait for one. */
long vct_reserve_level(unsigned int order);
bool vct_reserve_wait(struct vct *t, unsigned int order, long want);

/* Contexts a driver may free from (vct_ctx.c). */
enum vct_ctx {
	VCT_HARDIRQ,		/* irq_work in hard irq context, also on RT */
	VCT_SOFTIRQ,		/* timer */
	VCT_SPINLOCK,		/* spin_lock_irqsave() held */
	VCT_PREEMPT_OFF,
	VCT_IRQS_OFF,
	VCT_BH_OFF,
	VCT_RCU,		/* rcu_read_lock() held */
	/*
	 * Where an interrupt handler allocates: a plain irq_work, hard irq
	 * here but threadable for lockdep (as request_irq() handlers are),
	 * and a thread on RT.  Not VCT_HARDIRQ: the page allocator must not
	 * be called from hard irq context that stays hard on RT.
	 */
	VCT_IRQ,
};

/*
 * Calls @fn(@arg) in @ctx and returns once it has run; false if @ctx could
 * not be reached (or, for hardirq and softirq, was not what @fn ran in).
 */
bool vct_run_in(enum vct_ctx ctx, void (*fn)(void *arg), void *arg);

/*
 * Where code that frees in @ctx may allocate with GFP_ATOMIC: @ctx itself,
 * but VCT_IRQ for VCT_HARDIRQ and, on PREEMPT_RT, VCT_SPINLOCK for
 * VCT_PREEMPT_OFF and VCT_IRQS_OFF.
 */
enum vct_ctx vct_alloc_ctx(enum vct_ctx ctx);

/*
 * Whether every lookup of page @i of the virtual block at @addr (of
 * @order, first page @head) agrees that it is @page, mapped there.
 */
bool vct_vblock_page_ok(void *addr, unsigned int order, struct page *head,
			unsigned long i, struct page *page);
/* Fills a block with a pattern and checks it through each page's alias. */
bool vct_pattern_check(struct vct *t, void *addr, unsigned int order);
/* A word of page @i of a block, at an offset that differs per page. */
u32 vct_page_word(unsigned long i);
unsigned long vct_page_off(unsigned long i);
/*
 * Maps the block at @block, of @order, into current's address space with
 * vcompound_mmap(), as a driver's ->mmap() would, and checks every page
 * both ways: user space reads the word the kernel wrote there, the kernel
 * the one user space wrote.  Needs current->mm; false after a failed check.
 */
bool vct_mmap_check(struct vct *t, void *block, unsigned int order);
/* The same for the first @size bytes of the block, a multiple of pages. */
bool vct_mmap_check_size(struct vct *t, void *block, unsigned long size);

/*
 * The groups' registrations, vct_<name>_cases(), one per entry of
 * vct_groups.h.  The list expands to the declarators of a single
 * declaration, closed by vct_groups_end() (never defined), since a macro
 * may not end in a semicolon.
 */
#define VCT_GROUP(name, ...)						\
	vct_##name##_cases(void (*run)(const char *case_name,		\
				       void (*fn)(struct vct *t))),
void
#include "vct_groups.h"
	vct_groups_end(void);
#undef VCT_GROUP

/*
 * The KTAP runner (vct_ktap.c): runs every case of the groups of @suite
 * (vct_groups.h) and prints a KTAP document; -EINVAL for an unknown one.
 */
int vct_ktap_run(const char *suite);

#endif /* _VCT_H */
