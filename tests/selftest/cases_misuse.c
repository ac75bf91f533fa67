// SPDX-License-Identifier: GPL-2.0
/*
 * Misuse: every case is refused with a warning and a counter, and the
 * kernel keeps running.  vcompound warns once per kind of misuse, so only
 * the first case of a kind prints a warning; the brackets tell the harness
 * where a warning is expected.
 */
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include <vcache.h>

#include "vct.h"

/* Runs vcompound_free(@addr) where a warning is announced. */
static void vct_bad_free(struct vct *t, const void *addr)
{
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_BAD_FREE), "is not a live vcompound block");
	vcompound_free(addr);
	vct_expect_warn_end(t);
}

static void vct_free_foreign(struct vct *t)
{
	static int module_data;
	void *km = kmalloc(100, GFP_KERNEL);
	void *kl = kmalloc(5 * PAGE_SIZE, GFP_KERNEL);
	void *vm = vmalloc(3 * PAGE_SIZE);

	if (!VCT_CHECK(t, km && kl && vm))
		goto out;
	vct_snap(t);
	vct_bad_free(t, km);
	vct_bad_free(t, kl);
	vct_bad_free(t, vm);
	vct_bad_free(t, &module_data);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == 4);
	/* Still intact and owned by their real allocators. */
	memset(km, 1, 100);
	memset(kl, 1, 5 * PAGE_SIZE);
	memset(vm, 1, 3 * PAGE_SIZE);
out:
	vfree(vm);
	kfree(kl);
	kfree(km);
}

/*
 * Pointers a buggy driver may pass: an error pointer, small integers, a
 * user address, the inside and the end of a vmalloc() area, a vmalloc()
 * area already freed, and a vmalloc() page to vcompound_free_pages().
 */
static void vct_free_bogus(struct vct *t)
{
	u8 *vm = vmalloc(4 * PAGE_SIZE);
	u8 *gone = vmalloc(2 * PAGE_SIZE);
	const void *bogus[] = {
		ERR_PTR(-ENOMEM), (void *)1, (void *)PAGE_SIZE,
		(void *)0x10000000UL,
	};
	unsigned int i;

	if (!VCT_CHECK(t, vm && gone)) {
		vfree(gone);
		vfree(vm);
		return;
	}
	vfree(gone);
	memset(vm, 0x3c, 4 * PAGE_SIZE);
	vct_snap(t);
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_BAD_FREE), "is not a live vcompound block");
	for (i = 0; i < ARRAY_SIZE(bogus); i++)
		vcompound_free(bogus[i]);
	vcompound_free(vm + PAGE_SIZE + 8);
	vcompound_free(vm + 4 * PAGE_SIZE - 1);
	vcompound_free(gone);
	vcompound_free_pages(vmalloc_to_page(vm + 2 * PAGE_SIZE));
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == ARRAY_SIZE(bogus) + 4);
	VCT_CHECK(t, vct_delta(t, interior_free) == 0);
	VCT_CHECK(t, !memchr_inv(vm, 0x3c, 4 * PAGE_SIZE));
	vfree(vm);
}

static void vct_free_pages_foreign(struct vct *t)
{
	struct page *page = alloc_pages(GFP_KERNEL, 1);

	if (!VCT_CHECK(t, page))
		return;
	vct_snap(t);
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_BAD_FREE), "is not a live vcompound block");
	vcompound_free_pages(page);
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == 1);
	VCT_CHECK(t, page_count(page) == 1);
	__free_pages(page, 1);
}

static void vct_double_free(struct vct *t, bool deferred)
{
	static DEFINE_SPINLOCK(lock);
	unsigned long flags;
	void *addr;

	if (vct_set_fallback(t, true))
		return;
	vct_snap(t);
	addr = vcompound_alloc(GFP_KERNEL, 3);
	if (!VCT_CHECK(t, addr))
		return;
	if (deferred) {
		/*
		 * The second free arrives while the first is still queued.
		 * The bracket goes outside the lock: it writes sysfs files.
		 */
		vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_BAD_FREE),
				      "is not a live vcompound block");
		spin_lock_irqsave(&lock, flags);
		vct_free_atomic(addr);
		vcompound_free(addr);
		spin_unlock_irqrestore(&lock, flags);
		/* Queued frees are checked, and reported, by the worker. */
		vcompound_drain();
		vct_expect_warn_end(t);
	} else {
		vct_free(t, addr);
		vct_bad_free(t, addr);
	}
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == 1);
	VCT_CHECK(t, vct_odelta(t, 3, freed_virtual) == 1);
	VCT_CHECK(t, vct_odelta(t, 3, deferred) ==
		     (deferred || VCT_PROCESS_FREE_DEFERS));
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
}

static void vct_double_free_virtual(struct vct *t)
{
	vct_double_free(t, false);
}

static void vct_double_free_virtual_queued(struct vct *t)
{
	vct_double_free(t, true);
}

/* Rounds of the double-free race; each frees one block twice at once. */
#define VCT_RACE_ROUNDS		2000U

struct vct_race {
	void *addr;		/* this round's block */
	atomic_t go;		/* the round both frees may start */
	atomic_t done;		/* rounds the other CPU's free returned */
};

/* The other CPU's half: one vcompound_free() per round, at the start. */
static int vct_race_fn(void *arg)
{
	struct vct_race *r = arg;
	unsigned int round;

	for (round = 1; round <= VCT_RACE_ROUNDS; round++) {
		while (atomic_read_acquire(&r->go) != round) {
			if (kthread_should_stop())
				return 0;
			cond_resched();
		}
		vcompound_free(READ_ONCE(r->addr));
		atomic_inc(&r->done);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * Two CPUs free the same virtual block at the same moment, round after
 * round: whichever order their lookups and claims interleave in, exactly
 * one free is carried out and the other is a counted bad free.  Only when
 * both lookups find the block before either claim does the claim's
 * compare-and-exchange decide (process-context frees are synchronous
 * where preemption is counted; without, both are queued and the worker
 * serialises them).
 */
static void vct_double_free_race(struct vct *t)
{
	struct task_struct *other;
	struct vct_race r = { };
	unsigned int round, cpu;

	if (!VCT_CHECK(t, num_online_cpus() >= 2) || vct_set_fallback(t, true))
		return;
	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	/* (kthread_create_on_cpu() is not exported on 5.10) */
	other = kthread_create(vct_race_fn, &r, "vct_race/%u", cpu);
	if (!VCT_CHECK(t, !IS_ERR(other)))
		return;
	kthread_bind(other, cpu);
	wake_up_process(other);
	vct_snap(t);
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_BAD_FREE),
			      "is not a live vcompound block");
	for (round = 1; round <= VCT_RACE_ROUNDS; round++) {
		WRITE_ONCE(r.addr, vcompound_alloc(GFP_KERNEL, 1));
		if (!VCT_CHECK(t, r.addr))
			break;
		atomic_set_release(&r.go, round);
		vcompound_free(r.addr);
		while (atomic_read(&r.done) != round)
			cond_resched();
	}
	vcompound_drain();
	vct_expect_warn_end(t);
	kthread_stop(other);
	vct_resnap(t);
	round--;
	VCT_CHECK(t, round == VCT_RACE_ROUNDS);
	VCT_CHECK(t, vct_delta(t, bad_free) == round);
	VCT_CHECK(t, vct_odelta(t, 1, freed_virtual) == round);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
}

struct vct_hardirq_frees {
	const void *addr[3];
};

static void vct_free_three(void *arg)
{
	struct vct_hardirq_frees *f = arg;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f->addr); i++)
		vcompound_free(f->addr[i]);
}

/*
 * Bad frees of page-aligned vmalloc addresses from hardirq are queued
 * unchecked; the worker must refuse them all: a foreign vmalloc() area,
 * one already vfree()d, and the second page of a live virtual block.
 */
static void vct_bad_free_queued(struct vct *t)
{
	u8 *vm = vmalloc(2 * PAGE_SIZE);
	u8 *gone = vmalloc(PAGE_SIZE);
	struct vct_hardirq_frees f;
	unsigned int warns;
	bool ran;
	u8 *blk;

	if (!VCT_CHECK(t, vm && gone) || vct_set_fallback(t, true)) {
		vfree(gone);
		vfree(vm);
		return;
	}
	vfree(gone);
	memset(vm, 0x5a, 2 * PAGE_SIZE);
	vct_snap(t);
	blk = vcompound_alloc(GFP_KERNEL, 2);
	if (!VCT_CHECK(t, blk && vcompound_is_virtual(blk)))
		goto out;
	f.addr[0] = vm;
	f.addr[1] = gone;
	f.addr[2] = blk + PAGE_SIZE;
	warns = vct_warn_once(VCT_WARN_BAD_FREE) +
		vct_warn_once(VCT_WARN_INTERIOR);
	vct_expect_warn_begin(t, warns, "not freed; freed by");
	ran = vct_run_in(VCT_HARDIRQ, vct_free_three, &f);
	vcompound_drain();
	vct_expect_warn_end(t);
	VCT_CHECK(t, ran);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == 2);
	VCT_CHECK(t, vct_delta(t, interior_free) == 1);
	VCT_CHECK(t, t->s1->deferred_pending == 0);
	VCT_CHECK(t, !memchr_inv(vm, 0x5a, 2 * PAGE_SIZE));
	/* The block survived and frees normally. */
	VCT_CHECK(t, vct_pattern_check(t, blk, 2));
	vct_free(t, blk);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, 2, freed_virtual) == 1);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
out:
	vfree(vm);
}

static void vct_interior_free(struct vct *t, bool fallback)
{
	u8 *addr;

	if (vct_set_fallback(t, fallback))
		return;
	vct_snap(t);
	addr = vcompound_alloc(GFP_KERNEL, 2);
	if (!VCT_CHECK(t, addr))
		return;
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_INTERIOR), "is inside the block at");
	vcompound_free(addr + PAGE_SIZE);
	vcompound_free(addr + 1);
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, interior_free) == 2);
	/* The block survived the refused frees. */
	VCT_CHECK(t, vcompound_head_page(addr));
	VCT_CHECK(t, vct_pattern_check(t, addr, 2));
	vct_free(t, addr);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, 2, freed_physical) +
		     vct_odelta(t, 2, freed_virtual) == 1);
}

static void vct_interior_free_physical(struct vct *t)
{
	vct_interior_free(t, false);
}

static void vct_interior_free_virtual(struct vct *t)
{
	vct_interior_free(t, true);
}

/*
 * vcompound_free_pages() of a page inside a block: the n-th page is not
 * what vcompound_alloc_pages() returned, so it is an interior free.
 */
static void vct_interior_free_pages(struct vct *t, bool fallback)
{
	struct page *head, *mid, *last;

	if (vct_set_fallback(t, fallback))
		return;
	vct_snap(t);
	head = vcompound_alloc_pages(GFP_KERNEL, 3);
	if (!VCT_CHECK(t, head))
		return;
	mid = vcompound_nth_page(vmalloc_address(head), 1);
	last = vcompound_nth_page(vmalloc_address(head), 7);
	VCT_CHECK(t, mid && last);
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_INTERIOR), "is inside the block at");
	vcompound_free_pages(mid);
	vcompound_free_pages(last);
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, interior_free) == 2);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
	VCT_CHECK(t, vcompound_head_page(vmalloc_address(head)) == head);
	VCT_CHECK(t, vct_pattern_check(t, vmalloc_address(head), 3));
	vct_free_page_block(t, head);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, 3, freed_physical) +
		     vct_odelta(t, 3, freed_virtual) == 1);
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
}

static void vct_interior_free_pages_physical(struct vct *t)
{
	vct_interior_free_pages(t, false);
}

static void vct_interior_free_pages_virtual(struct vct *t)
{
	vct_interior_free_pages(t, true);
}

/*
 * Mixing the two APIs up: a vcache object to vcompound_free() lies inside
 * its slab's block; a whole vcompound block, or a kmalloc() pointer, to
 * vcache_free() is no object of the cache.  All refused, nothing lost.
 */
static void vct_vcache_cross_api(struct vct *t, bool fallback)
{
	struct vcache_info info;
	struct vcache *c;
	void *obj, *blk, *km;

	if (vct_set_fallback(t, fallback))
		return;
	vct_snap(t);
	c = vcache_create("vct_misuse", 192, 0, VCACHE_VFALLBACK, NULL);
	obj = c ? vcache_alloc(c, GFP_KERNEL) : NULL;
	/* Zeroed: its first word, read as a slab's cache, names no cache. */
	blk = vcompound_alloc(GFP_KERNEL | __GFP_ZERO, 2);
	km = kmalloc(192, GFP_KERNEL);
	if (!VCT_CHECK(t, c && obj && blk && km))
		goto out;
	memset(obj, 0x77, 192);
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_INTERIOR) + 2, "not freed");
	vcompound_free(obj);
	vcache_free(c, blk);
	vcache_free(c, km);
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, interior_free) == 1);
	vcache_get_info(c, &info);
	VCT_CHECK(t, info.debug_errors == 2);
	VCT_CHECK(t, info.active_objs == 1);
	VCT_CHECK(t, !memchr_inv(obj, 0x77, 192));
	VCT_CHECK(t, vcompound_head_page(blk));
	VCT_CHECK(t, !memchr_inv(blk, 0, 4 * PAGE_SIZE));
out:
	kfree(km);
	vct_free(t, blk);
	if (c) {
		vcache_free(c, obj);
		vcache_destroy(c);
	}
	vct_resnap(t);
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
}

static void vct_vcache_cross_api_physical(struct vct *t)
{
	vct_vcache_cross_api(t, false);
}

static void vct_vcache_cross_api_virtual(struct vct *t)
{
	vct_vcache_cross_api(t, true);
}

static void vct_order_over_cap(struct vct *t)
{
	unsigned int max_order;

	if (!VCT_CHECK(t, vct_param_get_max_order(&max_order) == 0))
		return;
	vct_snap(t);
	/* Refused and counted, but quietly: outside the bracket, first. */
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOWARN,
				      max_order + 1));
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_ORDER), "is above max_order");
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL, max_order + 1));
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL, VCOMPOUND_ORDER_LIMIT + 1));
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL, UINT_MAX));
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, order_refused) == 4);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
}

static void vct_gfp_nofail(struct vct *t)
{
	vct_snap(t);
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_GFP), "are not supported");
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOFAIL, 2));
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, gfp_refused) == 1);
	VCT_CHECK(t, vct_odelta(t, 2, failed) == 1);
}

/* The page-returning and node forms refuse the same orders. */
static void vct_order_over_cap_other_forms(struct vct *t)
{
	unsigned int max_order;

	if (!VCT_CHECK(t, vct_param_get_max_order(&max_order) == 0))
		return;
	vct_snap(t);
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_ORDER), "is above max_order");
	VCT_CHECK(t, !vcompound_alloc_pages(GFP_KERNEL, max_order + 1));
	VCT_CHECK(t, !vcompound_alloc_pages(GFP_KERNEL, UINT_MAX));
	VCT_CHECK(t, !vcompound_alloc_node(GFP_KERNEL, UINT_MAX, NUMA_NO_NODE));
	VCT_CHECK(t, !vcompound_alloc_node(GFP_ATOMIC, VCOMPOUND_ORDER_LIMIT + 1,
					   NUMA_NO_NODE));
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, order_refused) == 4);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
}

/* __GFP_NOFAIL is refused whatever comes with it, in every form. */
static void vct_gfp_nofail_forms(struct vct *t)
{
	vct_snap(t);
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_GFP), "are not supported");
	VCT_CHECK(t, !vcompound_alloc(GFP_ATOMIC | __GFP_NOFAIL, 0));
	VCT_CHECK(t, !vcompound_alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 1));
	VCT_CHECK(t, !vcompound_alloc_node(GFP_NOFS | __GFP_NOFAIL |
					   __GFP_ZERO, 4, NUMA_NO_NODE));
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, gfp_refused) == 3);
	VCT_CHECK(t, vct_odelta(t, 0, failed) == 1);
	VCT_CHECK(t, vct_odelta(t, 1, failed) == 1);
	VCT_CHECK(t, vct_odelta(t, 4, failed) == 1);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
}

/*
 * __GFP_COMP from the caller is redundant, not wrong: vcompound adds it to
 * the physical attempt anyway and must drop it for the fallback's order-0
 * pages.  Served as usual, no warning, nothing refused.
 */
static void vct_gfp_comp(struct vct *t, bool fallback)
{
	static const unsigned int orders[] = { 0, 3 };
	unsigned int i;
	void *addr;

	if (vct_set_fallback(t, fallback))
		return;
	vct_snap(t);
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		addr = vcompound_alloc(GFP_KERNEL | __GFP_COMP | __GFP_ZERO,
				       orders[i]);
		if (!VCT_CHECK(t, addr))
			continue;
		VCT_CHECK(t, vcompound_is_virtual(addr) == fallback);
		VCT_CHECK(t, vcompound_order(addr) == orders[i]);
		VCT_CHECK(t, !memchr_inv(addr, 0, PAGE_SIZE << orders[i]));
		VCT_CHECK(t, vct_pattern_check(t, addr, orders[i]));
		vct_free(t, addr);
	}
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, gfp_refused) == 0);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
}

static void vct_gfp_comp_physical(struct vct *t)
{
	vct_gfp_comp(t, false);
}

static void vct_gfp_comp_virtual(struct vct *t)
{
	vct_gfp_comp(t, true);
}

/*
 * Zone modifiers that contradict each other: refused before they reach
 * the page allocator, whose gfp_zone() BUG()s on them with DEBUG_VM.
 */
static void vct_gfp_bad_zone(struct vct *t)
{
	static const gfp_t bad[] = {
		GFP_KERNEL | GFP_DMA | GFP_DMA32,
		GFP_KERNEL | GFP_DMA | __GFP_HIGHMEM,
		GFP_KERNEL | GFP_DMA32 | __GFP_HIGHMEM,
		GFP_KERNEL | __GFP_MOVABLE | GFP_DMA | GFP_DMA32,
	};
	unsigned int i;

	vct_snap(t);
	vct_expect_warn_begin(t, vct_warn_once(VCT_WARN_GFP), "are not supported");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		VCT_CHECK(t, !vcompound_alloc(bad[i], 1));
	/* The fallback too, which keeps __GFP_HIGHMEM for its pages. */
	if (!vct_set_fallback(t, true))
		VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | GFP_DMA |
					      __GFP_HIGHMEM, 2));
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, gfp_refused) == ARRAY_SIZE(bad) + 1);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, t->s1->outstanding_physical ==
		     t->s0->outstanding_physical);
}

/* A node that is not online means any node, as for vcache_alloc_node(). */
static void vct_alloc_bad_node(struct vct *t)
{
	static const int nids[] = { -5, MAX_NUMNODES, INT_MAX };
	unsigned int i;
	void *addr;

	vct_snap(t);
	for (i = 0; i < ARRAY_SIZE(nids); i++) {
		addr = vcompound_alloc_node(GFP_KERNEL, 2, nids[i]);
		if (VCT_CHECK(t, addr))
			VCT_CHECK(t, vct_pattern_check(t, addr, 2));
		vct_free(t, addr);
	}
	vct_resnap(t);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, t->s1->outstanding_physical ==
		     t->s0->outstanding_physical);
}

void vct_misuse_cases(void (*run)(const char *name, void (*fn)(struct vct *t)))
{
	run("misuse_free_foreign_pointers", vct_free_foreign);
	run("misuse_free_bogus_pointers", vct_free_bogus);
	run("misuse_free_pages_foreign_page", vct_free_pages_foreign);
	run("misuse_double_free_virtual", vct_double_free_virtual);
	run("misuse_double_free_virtual_queued", vct_double_free_virtual_queued);
	run("misuse_double_free_race", vct_double_free_race);
	run("misuse_bad_free_queued_hardirq", vct_bad_free_queued);
	run("misuse_interior_free_physical", vct_interior_free_physical);
	run("misuse_interior_free_virtual", vct_interior_free_virtual);
	run("misuse_interior_free_pages_physical",
	    vct_interior_free_pages_physical);
	run("misuse_interior_free_pages_virtual",
	    vct_interior_free_pages_virtual);
	run("misuse_vcache_cross_api_physical", vct_vcache_cross_api_physical);
	run("misuse_vcache_cross_api_virtual", vct_vcache_cross_api_virtual);
	run("misuse_order_over_max_order", vct_order_over_cap);
	run("misuse_order_over_max_order_other_forms",
	    vct_order_over_cap_other_forms);
	run("misuse_gfp_nofail", vct_gfp_nofail);
	run("misuse_gfp_nofail_other_forms", vct_gfp_nofail_forms);
	run("misuse_gfp_bad_zone_combinations", vct_gfp_bad_zone);
	run("misuse_alloc_node_bad_node", vct_alloc_bad_node);
	run("gfp_comp_from_caller_physical", vct_gfp_comp_physical);
	run("gfp_comp_from_caller_virtual", vct_gfp_comp_virtual);
}
