/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcompound benchmark module: shared definitions.
 *
 * Every figure is the median of several repetitions of a timed batch;
 * per-op time = batch time (ktime_get_ns()) / operations in the batch.
 * Under QEMU -icount shift=0 the guest clock counts instructions, so these
 * are instruction-time "ns-equivalents".  Results are printed as
 *
 *   vcompound_bench: ROW <metric> <param> <med> <min> <max> <baseline> <med> <min> <max>
 *
 * with values in ns per operation (or percent for P6), and the baseline
 * fields "-" when there is none.  tests/bench/report.sh turns them into
 * build/bench/results.csv and tests/bench/RESULTS.md.
 */
#ifndef _VCB_BENCH_H
#define _VCB_BENCH_H

#include <linux/gfp.h>
#include <linux/printk.h>
#include <linux/types.h>

#include <vcompound.h>

#define VCB_MAX_REPS	31
#define VCB_MAX_SIDES	4

/* Module params (main.c). */
extern unsigned int vcb_reps;
extern unsigned int vcb_batch;
extern unsigned int vcb_ops;
extern unsigned int vcb_p5_ms;
extern unsigned int vcb_frag_pin;
extern unsigned int vcb_frag_mb;

/*
 * Median and spread of one series, in tenths of the unit (0.1 ns per op,
 * or 0.1 percent), so that cheap operations keep a digit.
 */
struct vcb_stat {
	u64 med;
	u64 min;
	u64 max;
};

/*
 * One timed repetition: does some operations and returns the elapsed ns
 * and the operation count through @ns and @ops; a negative errno aborts
 * the figure.
 */
typedef int (*vcb_rep_fn)(void *arg, u64 *ns, u64 *ops);

/*
 * Runs one warm-up of each of the @n sides, then vcb_reps timed
 * repetitions of each, interleaved, and reduces each side to median, min
 * and max per op in @st[0..n-1].
 */
int vcb_measure(const vcb_rep_fn *fns, unsigned int n, void *arg,
		struct vcb_stat *st);
/* Median, min and max of @n values (sorted in place). */
void vcb_reduce(u64 *v, unsigned int n, struct vcb_stat *s);
/* 10 * @ns / @ops, rounded. */
u64 vcb_per_op(u64 ns, u64 ops);

void vcb_row(const char *metric, const char *param, const struct vcb_stat *v,
	     const char *baseline, const struct vcb_stat *b);
#define vcb_info(fmt, ...)	pr_info("# " fmt "\n", ##__VA_ARGS__)
#define vcb_error(metric, param, fmt, ...) \
	pr_info("ERROR %s %s " fmt "\n", metric, param, ##__VA_ARGS__)

/* Operations per repetition at @order: vcb_ops >> order, at least a batch. */
unsigned int vcb_loops(unsigned int order);

/*
 * The rows of sizes that are not a power of two of pages (virt.c), for P2
 * and P7: row @k's range of pages, its param, and @n sizes in bytes drawn
 * from the range into @bytes; returns their pages.
 */
unsigned int vcb_sized_rows(void);
void vcb_sized_range(unsigned int k, unsigned int *lo, unsigned int *hi);
void vcb_sized_param(char *buf, size_t len, unsigned int k);
unsigned long vcb_sized_fill(size_t *bytes, unsigned long n, unsigned int lo,
			     unsigned int hi);

/* The always_fallback param of vcompound, through sysfs. */
int vcb_set_fallback(bool on);
/* Prints /proc/buddyinfo and the watermarks of /proc/zoneinfo. */
void vcb_buddyinfo(const char *tag);

/*
 * Runs @fn(@arg) in hardirq context (irq_work) on this CPU and waits for
 * it; returns with preemption disabled (even on error), so the caller can
 * take a timestamp before anything @fn queued runs: preempt_enable() then.
 */
int vcb_in_hardirq(void (*fn)(void *arg), void *arg);

/* The gfp vcompound uses for its physical attempt at @order (alloc.c). */
static inline gfp_t vcb_physical_gfp(gfp_t gfp, unsigned int order)
{
	gfp &= ~__GFP_HIGHMEM;
	if (!order)
		return gfp;
	gfp |= __GFP_COMP | __GFP_NOWARN;
	if (!(gfp & __GFP_RETRY_MAYFAIL))
		gfp |= __GFP_NORETRY;
	return gfp;
}

/*
 * The same for a caller that allows the virtual fallback (alloc.c): above
 * the costly order no direct reclaim, and no reserves either.
 */
static inline gfp_t vcb_physical_gfp_fb(gfp_t gfp, unsigned int order)
{
	gfp = vcb_physical_gfp(gfp, order);
	if (order > PAGE_ALLOC_COSTLY_ORDER && !(gfp & __GFP_RETRY_MAYFAIL) &&
	    (gfp & __GFP_DIRECT_RECLAIM))
		gfp = (gfp & ~__GFP_DIRECT_RECLAIM) | __GFP_NOMEMALLOC;
	return gfp;
}

/* The metrics. */
void vcb_p1(void);		/* phys.c */
void vcb_fragmented(bool p6, bool p7);	/* P6, P7 on fragmented memory */
void vcb_p2(void);		/* virt.c */
void vcb_p4(void);
void vcb_p3(bool virt);		/* slab.c */
void vcb_p5(void);		/* smp.c */

#endif /* _VCB_BENCH_H */
