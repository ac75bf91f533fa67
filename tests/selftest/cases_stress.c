// SPDX-License-Identifier: GPL-2.0
/*
 * suite=stress: one kthread per online CPU runs a mix of allocations and
 * frees for a total of stress_ops operations per case: blocks of random
 * orders (mostly small) through vcompound_alloc() and
 * vcompound_alloc_pages(), and objects of a few vcache caches of random
 * sizes, some of them VCACHE_VFALLBACK.  Frees happen in process context,
 * under a spinlock, with interrupts off, in softirq (a tasklet) and in
 * hardirq (irq_work).  Memory is checked with patterns; at the end every
 * counter is back where it started.
 *
 * Three cases: the default mode, always_fallback, and real fragmentation
 * (cases_fragment.c), where nearly every block of order >= 1 is virtual.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hardirq.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include <vcache.h>

#include "cases_stress.h"
#include "vct_fragment.h"
#include "vcompat_irq_work.h"
#include "vcompat_page_alloc.h"

static unsigned long stress_ops = 1000000;
module_param(stress_ops, ulong, 0444);
MODULE_PARM_DESC(stress_ops,
		 "suite=stress: operations (allocations and frees) per case, over all threads (default: 1000000)");

/*
 * Under KASAN every vmap() and vunmap() also maps and unmaps shadow, so
 * the debug lane gives the virtual-heavy cases fewer operations (and
 * the three cases together at least 10^6).
 */
static unsigned long stress_ops_fallback;
module_param(stress_ops_fallback, ulong, 0444);
MODULE_PARM_DESC(stress_ops_fallback,
		 "suite=stress: operations of the always_fallback case (default 0: stress_ops)");

static unsigned long stress_ops_fragmented;
module_param(stress_ops_fragmented, ulong, 0444);
MODULE_PARM_DESC(stress_ops_fragmented,
		 "suite=stress: operations of the fragmented case (default 0: stress_ops)");

static unsigned long stress_seed = 1;
module_param(stress_seed, ulong, 0444);
MODULE_PARM_DESC(stress_seed,
		 "suite=stress: seed of each thread's random sequence (default: 1)");

static bool stress_toggle;
module_param(stress_toggle, bool, 0444);
MODULE_PARM_DESC(stress_toggle,
		 "suite=stress: run only one case that leaves always_fallback alone, for tests/qemu/fuzz.sh to toggle it meanwhile (default: N)");

struct vct_st_state vct_st;

static void vct_st_sum(struct vct_st_thread *sum,
		       const struct vct_st_thread *th)
{
	sum->ops += th->ops;
	sum->allocs += th->allocs;
	sum->frees += th->frees;
	sum->hardirq_frees += th->hardirq_frees;
	sum->softirq_frees += th->softirq_frees;
	sum->null += th->null;
	sum->bad_memory += th->bad_memory;
	sum->bad_lookup += th->bad_lookup;
	sum->bad_context += th->bad_context;
}

/*
 * Creates @nr stopped threads that share @ops operations; returns how
 * many started.  The threads first: creating a task in fragmented memory
 * can leave the guest without an order-1 block and end in an OOM panic.
 */
static unsigned int vct_st_start(struct vct *t, struct vct_st_thread *threads,
				 unsigned int nr, unsigned long ops)
{
	unsigned int i, started = 0;

	for (i = 0; i < nr; i++) {
		struct vct_st_thread *th = &threads[i];

		th->t = t;
		/* Never zero: xorshift would stay there. */
		th->rnd = (stress_seed + 1) * 0x9e3779b97f4a7c15ULL + i;
		th->target = ops / nr + (i < ops % nr);
		vc_init_irq_work_hard(&th->irq_work, vct_st_irq_work);
		tasklet_setup(&th->tasklet, vct_st_tasklet);
		init_completion(&th->batch_done);
		init_completion(&th->done);
		th->task = kthread_create(vct_st_thread_fn, th, "vct_stress/%u",
					  i);
		if (!VCT_CHECK(t, !IS_ERR(th->task))) {
			th->task = NULL;
			break;
		}
		get_task_struct(th->task);
		started++;
	}
	return started;
}

/*
 * Runs the @started threads (only if @caches: without them they are
 * stopped before they run), waits for them and adds their tallies up.
 */
static void vct_st_wait(struct vct_st_thread *threads, unsigned int started,
			bool caches, struct vct_st_thread *sum)
{
	unsigned int i;

	for (i = 0; caches && i < started; i++)
		wake_up_process(threads[i].task);
	for (i = 0; i < started; i++) {
		struct vct_st_thread *th = &threads[i];

		/* Wakes now and then: a long case is not a hung task. */
		while (caches &&
		       !wait_for_completion_timeout(&th->done, 10 * HZ))
			;
		kthread_stop(th->task);
		put_task_struct(th->task);
		tasklet_kill(&th->tasklet);
		irq_work_sync(&th->irq_work);
		vct_st_sum(sum, th);
	}
}

/* Blocks served during the case: all, and those of the buddy's orders. */
struct vct_st_blocks {
	unsigned long virt, phys, bvirt, bphys;
};

static void vct_st_count(const struct vct *t, struct vct_st_blocks *b)
{
	unsigned int o;

	memset(b, 0, sizeof(*b));
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		b->virt += vct_odelta(t, o, virtual);
		b->phys += vct_odelta(t, o, physical);
		/* Orders the buddy allocator serves in a normal boot. */
		if (o >= 1 && o <= VC_BUDDY_MAX_ORDER) {
			b->bvirt += vct_odelta(t, o, virtual);
			b->bphys += vct_odelta(t, o, physical);
		}
	}
}

/* What every mode must end with: all operations run, none wrong. */
static void vct_st_check(struct vct *t, unsigned long ops, unsigned int nr,
			 unsigned int started, const struct vct_st_thread *sum)
{
	VCT_CHECK(t, started == nr);
	VCT_CHECK(t, sum->ops >= ops);
	VCT_CHECK(t, sum->allocs == sum->frees);
	VCT_CHECK(t, sum->hardirq_frees > 0 && sum->softirq_frees > 0);
	VCT_CHECK(t, sum->bad_memory == 0);
	VCT_CHECK(t, sum->bad_lookup == 0);
	VCT_CHECK(t, sum->bad_context == 0);
	/* Every block, slabs included, is back; nothing was refused. */
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, t->s1->deferred_pending == 0);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
	VCT_CHECK(t, vct_delta(t, interior_free) == 0);
	VCT_CHECK(t, vct_delta(t, order_refused) == 0);
	VCT_CHECK(t, vct_delta(t, gfp_refused) == 0);
}

/* The kinds of blocks the mode of the case must have served. */
static void vct_st_check_kinds(struct vct *t, const struct vct_st_blocks *b,
			       bool fallback, bool fragment, bool toggled)
{
	/* Physical-only caches stay physical even under always_fallback. */
	if (!toggled && (fallback || fragment))
		VCT_CHECK(t, b->virt > 0);
	if (!toggled && !fallback)
		VCT_CHECK(t, b->phys > 0);
	/*
	 * It ran fragmented: outside always_fallback a block of orders
	 * 1-VC_BUDDY_MAX_ORDER is virtual only when the buddy allocator had
	 * no block of its order (or an atomic caller's attempt failed, for
	 * the same reason, and the reserve served it).
	 */
	if (fragment && !toggled && !fallback) {
		vct_diag(t, "orders 1-%u: %lu virtual, %lu physical",
			 VC_BUDDY_MAX_ORDER, b->bvirt, b->bphys);
		if (!VCT_CHECK(t, b->bvirt > 0))
			vct_diag(t, "not fragmented: every block of orders 1-%u was physical",
				 VC_BUDDY_MAX_ORDER);
	}
}

static void vct_st_run(struct vct *t, const char *name, unsigned long ops,
		       bool fallback, bool fragment, bool toggled)
{
	unsigned int nr = num_online_cpus(), started;
	struct vct_st_thread *threads, sum = { };
	struct vct_st_blocks b;
	u64 t0, ms;
	bool caches;

	threads = kvcalloc(nr, sizeof(*threads), GFP_KERNEL);
	if (!VCT_CHECK(t, threads))
		return;
	memset(&vct_st, 0, sizeof(vct_st));
	spin_lock_init(&vct_st.lock);
	vct_st.fallback = fallback;
	vct_st.toggled = toggled;
	if (VCT_CHECK(t, !vct_param_get_max_order(&vct_st.max_order)))
		vct_st.max_order = min_t(unsigned int, vct_st.max_order,
					 VCT_ST_MAX_ORDER);
	if (!toggled && vct_set_fallback(t, fallback))
		goto out_free;
	started = vct_st_start(t, threads, nr, ops);
	if (fragment)
		vct_fragment(t);
	vct_snap(t);
	/* Without the caches the threads are stopped before they run. */
	caches = vct_st_caches_create(t, stress_seed ^ 0x5eed);

	t0 = ktime_get_ns();
	vct_st_wait(threads, started, caches, &sum);
	ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);

	vct_st_caches_destroy(t);
	vct_resnap(t);
	if (fragment)
		vct_unfragment();

	vct_st_count(t, &b);
	/* The lane's stress table reads "# stress:" lines only. */
	pr_info("# %s: %s threads=%u ops=%lu allocs=%lu frees=%lu hardirq_frees=%lu null=%lu\n",
		toggled ? "stress-toggled" : "stress", name, started,
		sum.ops, sum.allocs, sum.frees, sum.hardirq_frees, sum.null);
	vct_diag(t, "%llu ms, %lu softirq frees; blocks (slabs too): %lu physical, %lu virtual",
		 ms, sum.softirq_frees, b.phys, b.virt);
	vct_st_check(t, ops, nr, started, &sum);
	vct_st_check_kinds(t, &b, fallback, fragment, toggled);
out_free:
	kvfree(threads);
}

static void vct_stress_default(struct vct *t)
{
	vct_st_run(t, "default", stress_ops, false, false, false);
}

static void vct_stress_fallback(struct vct *t)
{
	vct_st_run(t, "always_fallback",
		   stress_ops_fallback ?: stress_ops, true, false, false);
}

static void vct_stress_fragmented(struct vct *t)
{
	vct_st_run(t, "fragmented",
		   stress_ops_fragmented ?: stress_ops, false, true, false);
}

static void vct_stress_toggled(struct vct *t)
{
	vct_st_run(t, "toggled", stress_ops, false, false, true);
}

void vct_stress_cases(void (*run)(const char *name,
				  void (*fn)(struct vct *t)))
{
	/* Not a lane total: tests/qemu/fuzz.sh judges this one itself. */
	if (stress_toggle) {
		run("stress_under_always_fallback_toggling", vct_stress_toggled);
		return;
	}
	run("stress_default", vct_stress_default);
	run("stress_always_fallback", vct_stress_fallback);
	run("stress_fragmented", vct_stress_fragmented);
}
