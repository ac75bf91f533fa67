// SPDX-License-Identifier: GPL-2.0
/*
 * P5: throughput of a mixed alloc/free load on two CPUs against one.
 *
 * Each worker thread, bound to its CPU, owns a ring of slots and runs
 * until a shared deadline: a random slot is freed if it holds a block and
 * filled (random order 0-4, or one object) if it does not, so allocations
 * and frees alternate irregularly.  Throughput is operations per elapsed
 * ns of wall time; the figure is the 1-thread ns/op over the 2-thread
 * aggregate ns/op, i.e. the speedup.  Under -icount QEMU runs the vCPUs
 * one after the other, so this only means something without it, and then
 * it is as noisy as the host.  The "compute" reference (no allocator at
 * all) shows what the host gives two vCPUs at the time: it has a row of
 * its own, and each repetition of a load is followed by one of it, so that
 * P5rel divides each load's speedup by the one the host allowed moments
 * later, not seconds later, when other work on the host may have changed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <vcache.h>
#include "bench.h"

#define VCB_P5_RING	32
#define VCB_P5_ORDERS	5	/* orders 0..4 */
#define VCB_P5_OBJ	512	/* object size for the slab variants */
#define VCB_P5_CHUNK	16	/* operations between clock reads */

enum vcb_p5_kind {
	VCB_P5_PHYSICAL,
	VCB_P5_VIRTUAL,
	VCB_P5_VCACHE,
	VCB_P5_ALLOC_PAGES,
	VCB_P5_VMALLOC,
	VCB_P5_KMEM_CACHE,
	VCB_P5_COMPUTE,
	VCB_P5_KINDS
};

static const char * const vcb_p5_names[VCB_P5_KINDS] = {
	"physical", "virtual", "vcache", "alloc_pages", "vmalloc",
	"kmem_cache", "compute",
};

struct vcb_p5_run;

struct vcb_p5_worker {
	struct vcb_p5_run *run;
	unsigned int cpu;
	u64 ops;
	u64 failed;
	u64 end;
	u32 sink;		/* keeps the compute loop */
	struct completion done;
	void *slot[VCB_P5_RING];
	u8 order[VCB_P5_RING];
};

struct vcb_p5_run {
	enum vcb_p5_kind kind;
	struct vcache *vc;
	struct kmem_cache *kc;
	struct completion go;
	u64 start;
	u64 deadline;
	struct vcb_p5_worker w[2];
};

static void *vcb_p5_alloc(struct vcb_p5_run *r, unsigned int order)
{
	switch (r->kind) {
	case VCB_P5_PHYSICAL:
	case VCB_P5_VIRTUAL:
		return vcompound_alloc(GFP_KERNEL, order);
	case VCB_P5_VCACHE:
		return vcache_alloc(r->vc, GFP_KERNEL);
	case VCB_P5_ALLOC_PAGES:
		return alloc_pages(vcb_physical_gfp(GFP_KERNEL, order), order);
	case VCB_P5_VMALLOC:
		return vmalloc(PAGE_SIZE << order);
	case VCB_P5_KMEM_CACHE:
		return kmem_cache_alloc(r->kc, GFP_KERNEL);
	default:
		return NULL;
	}
}

static void vcb_p5_free(struct vcb_p5_run *r, void *p, unsigned int order)
{
	switch (r->kind) {
	case VCB_P5_PHYSICAL:
	case VCB_P5_VIRTUAL:
		vcompound_free(p);
		break;
	case VCB_P5_VCACHE:
		vcache_free(r->vc, p);
		break;
	case VCB_P5_ALLOC_PAGES:
		__free_pages(p, order);
		break;
	case VCB_P5_VMALLOC:
		vfree(p);
		break;
	case VCB_P5_KMEM_CACHE:
		kmem_cache_free(r->kc, p);
		break;
	default:
		break;
	}
}

/* About as many instructions as a cheap allocation, and no memory. */
static u32 vcb_p5_compute(u32 x)
{
	unsigned int i;

	for (i = 0; i < 64; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
	}
	return x;
}

static int vcb_p5_worker(void *arg)
{
	struct vcb_p5_worker *w = arg;
	struct vcb_p5_run *r = w->run;
	struct rnd_state rnd;
	unsigned int i, k;
	u32 x, sink = 0;

	prandom_seed_state(&rnd, 0x5eed0000ULL + w->cpu);
	wait_for_completion(&r->go);
	/* Everyone starts at the same instant. */
	while (ktime_get_ns() < r->start)
		cpu_relax();
	do {
		for (k = 0; k < VCB_P5_CHUNK; k++) {
			x = prandom_u32_state(&rnd);
			w->ops++;
			if (r->kind == VCB_P5_COMPUTE) {
				sink += vcb_p5_compute(x);
				continue;
			}
			i = x % VCB_P5_RING;
			if (w->slot[i]) {
				vcb_p5_free(r, w->slot[i], w->order[i]);
				w->slot[i] = NULL;
				continue;
			}
			w->order[i] = (x >> 8) % VCB_P5_ORDERS;
			w->slot[i] = vcb_p5_alloc(r, w->order[i]);
			w->failed += !w->slot[i];
		}
		/* Let deferred work (vmap purges, RCU) run, as it would. */
		cond_resched();
	} while (ktime_get_ns() < r->deadline);
	w->end = ktime_get_ns();
	for (i = 0; i < VCB_P5_RING; i++) {
		if (w->slot[i])
			vcb_p5_free(r, w->slot[i], w->order[i]);
		w->slot[i] = NULL;
	}
	w->sink = sink;
	complete(&w->done);
	return 0;
}

/* One run with @n workers; 10 * aggregate ns per op, or 0 on failure. */
static u64 vcb_p5_once(struct vcb_p5_run *r, unsigned int n)
{
	struct task_struct *t;
	u64 ops = 0, end = 0;
	unsigned int i;

	init_completion(&r->go);
	for (i = 0; i < n; i++) {
		struct vcb_p5_worker *w = &r->w[i];

		memset(w, 0, sizeof(*w));
		w->run = r;
		w->cpu = i;
		init_completion(&w->done);
		t = kthread_create(vcb_p5_worker, w, "vcb_p5/%u", i);
		if (IS_ERR(t)) {
			/* Workers already made run a zero-length round. */
			r->start = 0;
			r->deadline = 0;
			complete_all(&r->go);
			while (i--)
				wait_for_completion(&r->w[i].done);
			return 0;
		}
		kthread_bind(t, w->cpu);
		wake_up_process(t);
	}
	r->start = ktime_get_ns() + 5 * NSEC_PER_MSEC;
	r->deadline = r->start + (u64)vcb_p5_ms * NSEC_PER_MSEC;
	complete_all(&r->go);
	for (i = 0; i < n; i++) {
		wait_for_completion(&r->w[i].done);
		ops += r->w[i].ops;
		end = max(end, r->w[i].end);
		if (r->w[i].failed)
			vcb_info("P5 %s: %llu allocations failed on CPU %u",
				 vcb_p5_names[r->kind], r->w[i].failed, i);
	}
	if (r->kind == VCB_P5_VIRTUAL || r->kind == VCB_P5_PHYSICAL)
		vcompound_drain();
	return vcb_per_op(end - r->start, ops);
}

/*
 * The compute loop's 1- and 2-worker runs right after a load's, and the
 * load's speedup over the compute loop's, in per mille (P5rel prints
 * tenths, so percent), at least 1; 0 if a run failed.
 */
static u64 vcb_p5_rel(struct vcb_p5_run *r, u64 one, u64 two)
{
	enum vcb_p5_kind kind = r->kind;
	u64 c1, c2;

	r->kind = VCB_P5_COMPUTE;
	c1 = vcb_p5_once(r, 1);
	c2 = vcb_p5_once(r, 2);
	r->kind = kind;
	if (!c1 || !c2)
		return 0;
	return max_t(u64, 1, div64_u64(one * c2 * 1000, two * c1));
}

void vcb_p5(void)
{
	u64 one[VCB_MAX_REPS], two[VCB_MAX_REPS], rel[VCB_MAX_REPS];
	struct vcb_stat s1, s2, sr;
	struct vcb_p5_run *r;
	unsigned int k, i;
	const char *name;

	if (num_online_cpus() < 2 || !cpu_online(0) || !cpu_online(1)) {
		vcb_error("P5", "-", "needs CPUs 0 and 1 online");
		return;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return;
	r->vc = vcache_create("vcb_p5", VCB_P5_OBJ, 0, VCACHE_VFALLBACK, NULL);
	r->kc = kmem_cache_create("vcb_p5", VCB_P5_OBJ, 0, 0, NULL);
	if (!r->vc || !r->kc) {
		vcb_error("P5", "-", "cannot create the caches");
		goto out;
	}
	for (k = 0; k < VCB_P5_KINDS; k++) {
		name = vcb_p5_names[k];
		r->kind = k;
		if (vcb_set_fallback(k == VCB_P5_VIRTUAL)) {
			vcb_error("P5", name, "cannot set always_fallback");
			continue;
		}
		/* Warm-up, then 1 and 2 workers alternately. */
		if (!vcb_p5_once(r, 2))
			goto fail;
		for (i = 0; i < vcb_reps; i++) {
			one[i] = vcb_p5_once(r, 1);
			two[i] = vcb_p5_once(r, 2);
			if (!one[i] || !two[i])
				goto fail;
			if (k == VCB_P5_COMPUTE)
				continue;
			rel[i] = vcb_p5_rel(r, one[i], two[i]);
			if (!rel[i])
				goto fail;
		}
		vcb_reduce(one, vcb_reps, &s1);
		vcb_reduce(two, vcb_reps, &s2);
		vcb_row(k <= VCB_P5_VCACHE ? "P5" : "P5ref", name, &s1,
			"2vcpu", &s2);
		if (k != VCB_P5_COMPUTE) {
			vcb_reduce(rel, vcb_reps, &sr);
			vcb_row("P5rel", name, &sr, NULL, NULL);
		}
		continue;
fail:
		vcb_error("P5", name, "a run failed");
	}
	vcb_set_fallback(false);
out:
	vcache_destroy(r->vc);
	kmem_cache_destroy(r->kc);
	kfree(r);
}
