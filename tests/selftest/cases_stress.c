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

#include "vct.h"
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

static struct {
	struct vct_st_cache caches[VCT_ST_CACHES];
	bool fallback;
	bool toggled;		/* always_fallback changes under our feet */
	unsigned int max_order;
	spinlock_t lock;	/* held around some frees and atomic allocations */
} vct_st;

/* xorshift64*: a fixed sequence per seed, independent of the kernel's. */
static u32 vct_st_rand(struct vct_st_thread *th)
{
	th->rnd ^= th->rnd >> 12;
	th->rnd ^= th->rnd << 25;
	th->rnd ^= th->rnd >> 27;
	return (th->rnd * 0x2545f4914f6cdd1dULL) >> 32;
}

/* 0..@n-1 */
static u32 vct_st_below(struct vct_st_thread *th, u32 n)
{
	return ((u64)vct_st_rand(th) * n) >> 32;
}

/* Order k with probability 2^-(k+1): mostly small ones. */
static unsigned int vct_st_order(struct vct_st_thread *th)
{
	unsigned int order = __ffs(vct_st_rand(th) | (1U << 31));

	return min(order, vct_st.max_order);
}

static unsigned long vct_st_size(const struct vct_st_slot *s)
{
	if (s->kind == VCT_ST_OBJ)
		return vct_st.caches[s->order].size;
	return PAGE_SIZE << s->order;
}

/*
 * Tags the first and last word of each page (of the object), or, for a
 * sample, fills all of it.  @zero: the memory must read as zero first.
 */
static bool vct_st_fill(struct vct_st_thread *th, struct vct_st_slot *s,
			bool zero)
{
	unsigned long size = vct_st_size(s), off, last;
	bool ok = true;
	u32 *w;

	s->tag = vct_st_rand(th) | 1;
	s->filled = !vct_st_below(th, 16);
	if (zero && (s->filled || size <= PAGE_SIZE))
		ok = !memchr_inv(s->addr, 0, size);
	if (s->filled) {
		memset(s->addr, s->tag & 0xff, size);
		return ok;
	}
	/* Random object sizes: a tail of fewer than 8 bytes is skipped. */
	for (off = 0; off + 8 <= size; off += PAGE_SIZE) {
		/* The last word of a piece that ends inside a page too. */
		last = min_t(unsigned long, size - off, PAGE_SIZE) / 4 - 1;
		w = s->addr + off;
		if (zero && (w[0] || w[last]))
			ok = false;
		w[0] = s->tag;
		w[last] = s->tag ^ off;
	}
	return ok;
}

static bool vct_st_verify(const struct vct_st_slot *s)
{
	unsigned long size = vct_st_size(s), off, last;
	const u32 *w;

	if (s->filled)
		return !memchr_inv(s->addr, s->tag & 0xff, size);
	for (off = 0; off + 8 <= size; off += PAGE_SIZE) {
		last = min_t(unsigned long, size - off, PAGE_SIZE) / 4 - 1;
		w = s->addr + off;
		if (w[0] != s->tag || w[last] != (s->tag ^ off))
			return false;
	}
	return true;
}

static gfp_t vct_st_gfp(struct vct_st_thread *th)
{
	/* Failures are counted, not logged: a stack dump would fail the run. */
	switch (vct_st_below(th, 10)) {
	case 0:
		return GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN;
	case 1:
		return GFP_NOWAIT | __GFP_NOWARN;
	case 2:
		return GFP_NOFS | __GFP_NOWARN;
	default:
		return GFP_KERNEL | __GFP_NOWARN;
	}
}

static bool vct_st_lookups_ok(const struct vct_st_slot *s)
{
	void *last = s->addr + vct_st_size(s) - 1;

	if (vcompound_order(s->addr) != s->order ||
	    vcompound_order(last) != s->order)
		return false;
	if (vcompound_head_page(last) != vcompound_head_page(s->addr))
		return false;
	if (s->kind == VCT_ST_PAGES && vcompound_head_page(s->addr) != s->page)
		return false;
	/* Orders above the buddy allocator's exist only as virtual blocks. */
	if (!vct_st.toggled &&
	    (vct_st.fallback || s->order > VC_BUDDY_MAX_ORDER) &&
	    !vcompound_is_virtual(s->addr))
		return false;
	return true;
}

static void *vct_st_alloc_one(struct vct_st_thread *th, struct vct_st_slot *s,
			      gfp_t gfp)
{
	struct vct_st_cache *vc;

	switch (s->kind) {
	case VCT_ST_BLOCK:
		return vcompound_alloc(gfp, s->order);
	case VCT_ST_PAGES:
		s->page = vcompound_alloc_pages(gfp, s->order);
		return s->page ? vmalloc_address(s->page) : NULL;
	default:
		vc = &vct_st.caches[s->order];
		return vcache_alloc(vc->c, gfp);
	}
}

static void vct_st_alloc(struct vct_st_thread *th, struct vct_st_slot *s)
{
	gfp_t gfp = vct_st_gfp(th);
	unsigned long flags;
	u32 k = vct_st_below(th, 10);

	s->kind = k < 5 ? VCT_ST_BLOCK : k < 7 ? VCT_ST_PAGES : VCT_ST_OBJ;
	s->order = s->kind == VCT_ST_OBJ ? vct_st_below(th, VCT_ST_CACHES) :
					   vct_st_order(th);
	s->page = NULL;
	/* Non-blocking allocations run where a driver would make them. */
	if (!gfpflags_allow_blocking(gfp) && vct_st_below(th, 2)) {
		spin_lock_irqsave(&vct_st.lock, flags);
		s->addr = vct_st_alloc_one(th, s, gfp);
		spin_unlock_irqrestore(&vct_st.lock, flags);
	} else {
		s->addr = vct_st_alloc_one(th, s, gfp);
	}
	th->ops++;
	if (!s->addr) {
		th->null++;
		return;
	}
	th->allocs++;
	if (s->kind != VCT_ST_OBJ && !vct_st_lookups_ok(s))
		th->bad_lookup++;
	if (!vct_st_fill(th, s, gfp & __GFP_ZERO))
		th->bad_memory++;
	/* Now and then, every page's alias too (process context only). */
	if (s->kind != VCT_ST_OBJ && !s->filled && !vct_st_below(th, 256) &&
	    !vct_pattern_check(th->t, s->addr, s->order))
		th->bad_lookup++;
}

/* Gives @s back to its allocator; any context but NMI. */
static void vct_st_release(struct vct_st_slot *s)
{
	switch (s->kind) {
	case VCT_ST_BLOCK:
		vct_free_atomic(s->addr);
		break;
	case VCT_ST_PAGES:
		vct_free_page_block_atomic(s->page);
		break;
	default:
		vcache_free(vct_st.caches[s->order].c, s->addr);
		break;
	}
}

static void vct_st_release_batch(struct vct_st_thread *th)
{
	unsigned int i;

	for (i = 0; i < th->nbatch; i++)
		vct_st_release(&th->batch[i]);
}

static void vct_st_irq_work(struct irq_work *work)
{
	struct vct_st_thread *th = container_of(work, struct vct_st_thread,
						irq_work);

	if (!(hardirq_count() && irqs_disabled()))
		th->bad_context++;
	vct_st_release_batch(th);
	th->hardirq_frees += th->nbatch;
	complete(&th->batch_done);
}

static void vct_st_tasklet(struct tasklet_struct *tl)
{
	struct vct_st_thread *th = container_of(tl, struct vct_st_thread,
						tasklet);

	if (!in_serving_softirq() || hardirq_count())
		th->bad_context++;
	vct_st_release_batch(th);
	th->softirq_frees += th->nbatch;
	complete(&th->batch_done);
}

/* Runs the queued batch in hardirq or softirq and waits for it. */
static void vct_st_flush_batch(struct vct_st_thread *th, bool hardirq)
{
	if (!th->nbatch)
		return;
	reinit_completion(&th->batch_done);
	if (hardirq)
		irq_work_queue(&th->irq_work);
	else
		tasklet_schedule(&th->tasklet);
	if (!wait_for_completion_timeout(&th->batch_done, 60 * HZ)) {
		/* Never reached its context: free here rather than leak. */
		th->bad_context++;
		if (hardirq)
			irq_work_sync(&th->irq_work);
		else
			tasklet_kill(&th->tasklet);
		vct_st_release_batch(th);
	} else if (hardirq) {
		irq_work_sync(&th->irq_work);
	}
	th->frees += th->nbatch;
	th->nbatch = 0;
}

enum vct_st_ctx {
	VCT_ST_PROCESS,
	VCT_ST_SPINLOCK,
	VCT_ST_IRQS_OFF,
	VCT_ST_SOFTIRQ,
	VCT_ST_HARDIRQ,
};

/* Half of the frees in process context, the rest spread over the others. */
static enum vct_st_ctx vct_st_pick_ctx(struct vct_st_thread *th)
{
	static const u8 ctx[10] = {
		VCT_ST_PROCESS, VCT_ST_PROCESS, VCT_ST_PROCESS, VCT_ST_PROCESS,
		VCT_ST_SPINLOCK, VCT_ST_IRQS_OFF, VCT_ST_SOFTIRQ,
		VCT_ST_SOFTIRQ, VCT_ST_HARDIRQ, VCT_ST_HARDIRQ,
	};

	return ctx[vct_st_below(th, ARRAY_SIZE(ctx))];
}

static void vct_st_free(struct vct_st_thread *th, struct vct_st_slot *s,
			enum vct_st_ctx ctx)
{
	bool soft = ctx == VCT_ST_SOFTIRQ;
	unsigned long flags;

	if (!vct_st_verify(s))
		th->bad_memory++;
	switch (ctx) {
	case VCT_ST_PROCESS:
		vct_st_release(s);
		th->frees++;
		break;
	case VCT_ST_SPINLOCK:
		spin_lock_irqsave(&vct_st.lock, flags);
		vct_st_release(s);
		spin_unlock_irqrestore(&vct_st.lock, flags);
		th->frees++;
		break;
	case VCT_ST_IRQS_OFF:
		local_irq_save(flags);
		vct_st_release(s);
		local_irq_restore(flags);
		th->frees++;
		break;
	case VCT_ST_SOFTIRQ:
	case VCT_ST_HARDIRQ:
		/* A batch goes out whole, to one context. */
		if (th->nbatch && th->batch_soft != soft)
			vct_st_flush_batch(th, !th->batch_soft);
		th->batch_soft = soft;
		th->batch[th->nbatch++] = *s;
		if (th->nbatch == VCT_ST_BATCH)
			vct_st_flush_batch(th, !soft);
		break;
	}
	s->addr = NULL;
}

static int vct_st_thread_fn(void *arg)
{
	struct vct_st_thread *th = arg;
	struct vct_st_slot *s;
	unsigned int i;

	while (th->ops < th->target) {
		s = &th->slots[vct_st_below(th, VCT_ST_SLOTS)];
		if (s->addr) {
			vct_st_free(th, s, vct_st_pick_ctx(th));
			th->ops++;
		} else {
			vct_st_alloc(th, s);
		}
		/* Checks the witnessed frees before they pin much memory. */
		vct_settle_at_cap(th->t);
		cond_resched();
	}
	vct_st_flush_batch(th, !th->batch_soft);
	/* What is still live goes back from process context. */
	for (i = 0; i < VCT_ST_SLOTS; i++)
		if (th->slots[i].addr)
			vct_st_free(th, &th->slots[i], VCT_ST_PROCESS);
	complete(&th->done);
	return 0;
}

/* A few caches of random sizes; the first two fall back to virtual slabs. */
static bool vct_st_caches_create(struct vct *t, u64 seed)
{
	static const char * const names[VCT_ST_CACHES] = {
		"vct_stress_a", "vct_stress_b", "vct_stress_c", "vct_stress_d",
	};
	static const struct {
		unsigned int min, max;
		unsigned long flags;
	} kinds[VCT_ST_CACHES] = {
		{ 8, 512, VCACHE_VFALLBACK },
		{ 512, 16384, VCACHE_VFALLBACK | VCACHE_HWCACHE_ALIGN },
		{ 8, 2048, 0 },
		{ 2048, 65536, 0 },
	};
	struct vct_st_thread rng = { .rnd = seed };
	unsigned int i;

	for (i = 0; i < VCT_ST_CACHES; i++) {
		struct vct_st_cache *vc = &vct_st.caches[i];

		vc->size = kinds[i].min +
			   vct_st_below(&rng, kinds[i].max - kinds[i].min + 1);
		vc->flags = kinds[i].flags;
		vc->c = vcache_create(names[i], vc->size, 0, vc->flags, NULL);
		if (!VCT_CHECK(t, vc->c))
			return false;
		vct_diag(t, "cache %s: %u bytes%s", names[i], vc->size,
			 vc->flags & VCACHE_VFALLBACK ? ", VCACHE_VFALLBACK" : "");
	}
	return true;
}

static void vct_st_caches_destroy(struct vct *t)
{
	struct vcache_info info;
	unsigned int i;

	for (i = 0; i < VCT_ST_CACHES; i++) {
		struct vct_st_cache *vc = &vct_st.caches[i];

		if (!vc->c)
			continue;
		vcache_get_info(vc->c, &info);
		VCT_CHECK(t, info.active_objs == 0);
		VCT_CHECK(t, info.debug_errors == 0);
		vcache_destroy(vc->c);
		vc->c = NULL;
	}
}

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

static void vct_st_run(struct vct *t, const char *name, unsigned long ops,
		       bool fallback, bool fragment, bool toggled)
{
	unsigned int nr = num_online_cpus(), i, started = 0;
	struct vct_st_thread *threads, sum = { };
	unsigned long virt = 0, phys = 0, bvirt = 0, bphys = 0;
	unsigned int o;
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
	/*
	 * The threads first: creating a task in fragmented memory can leave
	 * the guest without an order-1 block and end in an OOM panic.
	 */
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
	if (fragment)
		vct_fragment(t);
	vct_snap(t);
	/* Without the caches the threads are stopped before they run. */
	caches = vct_st_caches_create(t, stress_seed ^ 0x5eed);

	t0 = ktime_get_ns();
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
		vct_st_sum(&sum, th);
	}
	ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);

	vct_st_caches_destroy(t);
	vct_resnap(t);
	if (fragment)
		vct_unfragment();

	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		virt += vct_odelta(t, o, virtual);
		phys += vct_odelta(t, o, physical);
		/* Orders the buddy allocator serves in a normal boot. */
		if (o >= 1 && o <= VC_BUDDY_MAX_ORDER) {
			bvirt += vct_odelta(t, o, virtual);
			bphys += vct_odelta(t, o, physical);
		}
	}
	/* The lane's stress table reads "# stress:" lines only. */
	pr_info("# %s: %s threads=%u ops=%lu allocs=%lu frees=%lu hardirq_frees=%lu null=%lu\n",
		toggled ? "stress-toggled" : "stress", name, started,
		sum.ops, sum.allocs, sum.frees, sum.hardirq_frees, sum.null);
	vct_diag(t, "%llu ms, %lu softirq frees; blocks (slabs too): %lu physical, %lu virtual",
		 ms, sum.softirq_frees, phys, virt);
	VCT_CHECK(t, started == nr);
	VCT_CHECK(t, sum.ops >= ops);
	VCT_CHECK(t, sum.allocs == sum.frees);
	VCT_CHECK(t, sum.hardirq_frees > 0 && sum.softirq_frees > 0);
	VCT_CHECK(t, sum.bad_memory == 0);
	VCT_CHECK(t, sum.bad_lookup == 0);
	VCT_CHECK(t, sum.bad_context == 0);
	/* Every block, slabs included, is back; nothing was refused. */
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, t->s1->deferred_pending == 0);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
	VCT_CHECK(t, vct_delta(t, interior_free) == 0);
	VCT_CHECK(t, vct_delta(t, order_refused) == 0);
	VCT_CHECK(t, vct_delta(t, gfp_refused) == 0);
	/* Physical-only caches stay physical even under always_fallback. */
	if (!toggled && (fallback || fragment))
		VCT_CHECK(t, virt > 0);
	if (!toggled && !fallback)
		VCT_CHECK(t, phys > 0);
	/*
	 * It ran fragmented: outside always_fallback a block of orders
	 * 1-VC_BUDDY_MAX_ORDER is virtual only when the buddy allocator had
	 * no block of its order (or an atomic caller's attempt failed, for
	 * the same reason, and the reserve served it).
	 */
	if (fragment && !toggled && !fallback) {
		vct_diag(t, "orders 1-%u: %lu virtual, %lu physical",
			 VC_BUDDY_MAX_ORDER, bvirt, bphys);
		if (!VCT_CHECK(t, bvirt > 0))
			vct_diag(t, "not fragmented: every block of orders 1-%u was physical",
				 VC_BUDDY_MAX_ORDER);
	}
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
