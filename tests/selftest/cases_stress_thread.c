// SPDX-License-Identifier: GPL-2.0
/*
 * suite=stress (cases_stress.c): what each thread runs, random
 * allocations and frees from every context, each block checked, and the
 * caches they share.
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

void vct_st_irq_work(struct irq_work *work)
{
	struct vct_st_thread *th = container_of(work, struct vct_st_thread,
						irq_work);

	if (!(hardirq_count() && irqs_disabled()))
		th->bad_context++;
	vct_st_release_batch(th);
	th->hardirq_frees += th->nbatch;
	complete(&th->batch_done);
}

void vct_st_tasklet(struct tasklet_struct *tl)
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

int vct_st_thread_fn(void *arg)
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
bool vct_st_caches_create(struct vct *t, u64 seed)
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

void vct_st_caches_destroy(struct vct *t)
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
