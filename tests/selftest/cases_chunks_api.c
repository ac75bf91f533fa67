// SPDX-License-Identifier: GPL-2.0
/*
 * Blocks of chunks through the rest of the API (issue 15): a block of
 * mixed chunks under the real fragmentation recipe and the "chunk" knob,
 * mapped into user space, taken from the atomic reserve and used as a
 * vcache slab.  Each case first proves from the chunks counters and the
 * pfns of its pages that the block is made of chunks.
 * Part of the chunks group: cases_chunks.c.
 */
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <vcache.h>

#include "cases_chunks.h"
#include "cases_vcache.h"

/* How many orders the block's pages came in (order 0 included). */
static unsigned int vct_ch_kinds(const unsigned long *chunks)
{
	unsigned int k, n = 0;

	for (k = 0; k <= VCOMPOUND_ORDER_LIMIT; k++)
		n += chunks[k] != 0;
	return n;
}

static void vct_ch_diag(struct vct *t, const unsigned long *chunks)
{
	vct_diag(t, "chunks of order 5, 4, 3, 2, 1: %lu %lu %lu %lu %lu; %lu order-0 pages",
		 chunks[5], chunks[4], chunks[3], chunks[2], chunks[1],
		 chunks[0]);
}

/* Tries of a fragmented block when others' frees interfere. */
#define VCT_CH_FRAG_TRIES	3

/*
 * chunks_fragmented_forced_order_4: fragmented memory and the knob that
 * leaves order 4 the only chunk order: the kept order-4 block, and those
 * the kept order-5 one splits into, then holes.  On a debug kernel others'
 * frees (KASAN's quarantine, RCU) can make a fourth order-4 block whole,
 * or others' allocations take the kept ones, while the case runs: a block
 * of order-4 chunks only, or of holes only, is tried again.  A chunk of
 * any other order fails at once.
 */
static void vct_ch_frag_forced(struct vct *t)
{
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1];
	bool mixed = false, others;
	unsigned int tries;
	void *addr;

	if (!vct_ch_force_virtual(t))
		goto out;
	vct_ch_knob(t, "chunk", 4 + 1);
	for (tries = 1; tries <= VCT_CH_FRAG_TRIES && !mixed; tries++) {
		addr = vct_ch_alloc_fragmented(t, chunks);
		if (!addr)
			break;
		vct_ch_free_hardirq(t, addr, VCT_CH_FRAG_ORDER);
		vct_ch_diag(t, chunks);
		others = vct_ch_kinds(chunks) != !!chunks[4] + !!chunks[0];
		if (others)
			break;
		mixed = chunks[4] >= 1 && chunks[0] >= 1;
	}
	VCT_CHECK(t, mixed);
out:
	vct_ch_knobs_off(t);
}

/*
 * vcompound_mmap() of a block of chunks, as a driver's ->mmap() would:
 * user space and the kernel see each other's words in every page.
 */
static void vct_ch_mmap(struct vct *t, unsigned int order, void *addr)
{
	if (addr) {
		vct_mmap_check(t, addr, order);
		vct_ch_free_hardirq(t, addr, order);
	}
}

static bool vct_ch_no_mm(struct vct *t)
{
	if (current->mm)
		return false;
	t->skip = "no user address space to map into";
	return true;
}

/* chunks_mmap_forced_order_2: 8 chunks of order 2. */
static void vct_ch_mmap_forced(struct vct *t)
{
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1];

	if (vct_ch_no_mm(t) || !vct_ch_force_virtual(t))
		goto out;
	vct_ch_knob(t, "chunk", 2 + 1);
	vct_ch_mmap(t, VCT_CH_ORDER, vct_ch_alloc(t, VCT_CH_ORDER, chunks));
	if (!VCT_CHECK(t, chunks[2] == 1UL << (VCT_CH_ORDER - 2)))
		vct_ch_diag(t, chunks);
out:
	vct_ch_knobs_off(t);
}

/*
 * chunks_mmap_fragmented: chunks of orders 5 or 4, and holes.  Others'
 * frees can make a second order-5 block whole while the case runs (on
 * ppc64el-64k under TCG, make test-arches at e0d2224: two order-5 chunks
 * and no hole): a block of one kind of chunk is mapped too, and another
 * tried, up to VCT_CH_FRAG_TRIES.
 */
static void vct_ch_mmap_fragmented(struct vct *t)
{
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1];
	unsigned int tries;
	bool mixed = false;

	if (vct_ch_no_mm(t) || !vct_ch_force_virtual(t))
		goto out;
	for (tries = 1; tries <= VCT_CH_FRAG_TRIES && !mixed; tries++) {
		vct_ch_mmap(t, VCT_CH_FRAG_ORDER,
			    vct_ch_alloc_fragmented(t, chunks));
		mixed = chunks[5] + chunks[4] >= 1 &&
			vct_ch_kinds(chunks) >= 2;
		if (!mixed)
			vct_ch_diag(t, chunks);
	}
	VCT_CHECK(t, mixed);
out:
	vct_ch_knobs_off(t);
}

/* ------------------------------------------------------ atomic reserve -- */

#define VCT_CH_RES_ORDER	3U
#define VCT_CH_RES_CHUNK	1U

struct vct_ch_take {
	void *addr;
	bool zero;
};

static void vct_ch_take_fn(void *arg)
{
	struct vct_ch_take *c = arg;

	c->addr = vcompound_alloc(GFP_ATOMIC | __GFP_NOWARN, VCT_CH_RES_ORDER);
	c->zero = c->addr && !memchr_inv(c->addr, 0,
					  PAGE_SIZE << VCT_CH_RES_ORDER);
}

/*
 * The reserve of VCT_CH_RES_ORDER, emptied and then refilled with one
 * block under the knobs; its chunks counters' deltas into @chunks.
 */
static bool vct_ch_reserve_fill(struct vct *t, unsigned long *chunks)
{
	char val[16];

	if (!VCT_CHECK(t, !vct_param_set_reserve("\n")) ||
	    !VCT_CHECK(t, vct_reserve_wait(t, VCT_CH_RES_ORDER, 0)))
		return false;
	vct_snap(t);
	snprintf(val, sizeof(val), "%u:1", VCT_CH_RES_ORDER);
	if (!VCT_CHECK(t, !vct_param_set_reserve(val)) ||
	    !VCT_CHECK(t, vct_reserve_wait(t, VCT_CH_RES_ORDER, 1)))
		return false;
	vct_resnap(t);
	vct_ch_deltas(t, chunks);
	VCT_CHECK(t, vct_odelta(t, VCT_CH_RES_ORDER, reserve_built) == 1);
	if (!VCT_CHECK(t, chunks[VCT_CH_RES_CHUNK] ==
			  1UL << (VCT_CH_RES_ORDER - VCT_CH_RES_CHUNK))) {
		vct_ch_diag(t, chunks);
		return false;
	}
	return true;
}

/*
 * Waits until the reserve holds, order by order, what its parameter asks
 * for: its refill, a work item, would otherwise still be building blocks
 * (virtual ones, from chunks) under the next case's knobs, and that case
 * would count their chunks as its own.  With 64 KiB pages the default
 * reserve is 3.75 MiB and its refill outlived this case under TCG.
 */
static void vct_ch_reserve_refilled(struct vct *t)
{
	struct vcompound_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned int o;

	if (!VCT_CHECK(t, st))
		return;
	vcompound_get_stats(st);
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++)
		if (st->order[o].reserve_target)
			VCT_CHECK(t, vct_reserve_wait(t, o,
						      st->order[o].reserve_target));
	kfree(st);
}

/*
 * chunks_reserve_forced_order_1: the atomic reserve builds its blocks
 * with the fallback's code, so from chunks too.  One taken where an
 * interrupt handler allocates is whole, zeroed, found by every lookup,
 * and goes back when freed from hard irq.
 */
static void vct_ch_reserve(struct vct *t)
{
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1];
	struct vct_ch_take c = { };
	char saved[128];

	if (!VCT_CHECK(t, !vct_param_get_reserve(saved, sizeof(saved))))
		return;
	if (!vct_ch_force_virtual(t))
		goto out;
	vct_ch_knob(t, "chunk", VCT_CH_RES_CHUNK + 1);
	if (!vct_ch_reserve_fill(t, chunks))
		goto out;
	VCT_CHECK(t, vct_run_in(vct_alloc_ctx(VCT_HARDIRQ), vct_ch_take_fn,
				&c));
	if (!VCT_CHECK(t, c.addr))
		goto out;
	VCT_CHECK(t, c.zero);
	VCT_CHECK(t, vcompound_is_virtual(c.addr));
	vct_ch_layout_ok(t, c.addr, VCT_CH_RES_ORDER, chunks);
	vct_pattern_check(t, c.addr, VCT_CH_RES_ORDER);
	vct_ch_free_hardirq(t, c.addr, VCT_CH_RES_ORDER);
	VCT_CHECK(t, vct_odelta(t, VCT_CH_RES_ORDER, reserve_taken) == 1);
out:
	vct_ch_knobs_off(t);
	if (VCT_CHECK(t, !vct_param_set_reserve(saved)))
		vct_ch_reserve_refilled(t);
}

/* --------------------------------------------------------- vcache slab -- */

/*
 * Objects of 4 KiB: a VCACHE_VFALLBACK slab of 64 of them is of order 2
 * or more with any page size, so it can be made of chunks of order 1.
 */
#define VCT_CH_OBJ_SIZE		4096U
#define VCT_CH_SLAB_CHUNK	1U

struct vct_ch_objs {
	struct vcache *c;
	void **objs;
	unsigned int n;
};

static void vct_ch_objs_free_fn(void *arg)
{
	struct vct_ch_objs *o = arg;

	vct_vc_free_all(o->c, o->objs, o->n);
}

/* Each slab that holds one of @o's objects is laid out as @per says. */
static void vct_ch_slabs_ok(struct vct *t, struct vct_ch_objs *o,
			    unsigned int order, const unsigned long *per)
{
	struct page *head, *last = NULL;
	unsigned int i;

	for (i = 0; i < o->n; i++) {
		head = vcompound_head_page(o->objs[i]);
		if (head == last)
			continue;
		last = head;
		if (!VCT_CHECK(t, head && vmalloc_address(head)) ||
		    !vct_ch_layout_ok(t, vmalloc_address(head), order, per))
			break;
	}
}

/*
 * chunks_vcache_forced_order_1: two VCACHE_VFALLBACK slabs built from
 * chunks of order 1 hold their objects as any slab does, and go back to
 * vcompound once the objects are freed from hard irq and the cache is
 * destroyed.
 */
static void vct_ch_vcache(struct vct *t)
{
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1];
	unsigned long per[VCOMPOUND_ORDER_LIMIT + 1] = { 0 };
	struct vct_ch_objs o = { };
	struct vcache_info info;
	unsigned int order;
	bool filled = false;

	if (!vct_ch_force_virtual(t))
		goto out;
	vct_ch_knob(t, "chunk", VCT_CH_SLAB_CHUNK + 1);
	vct_snap(t);
	o.c = vcache_create("vct_chunks", VCT_CH_OBJ_SIZE, 0, VCACHE_VFALLBACK,
			    NULL);
	if (!VCT_CHECK(t, o.c))
		goto out;
	vcache_get_info(o.c, &info);
	order = ilog2(info.pagesperslab);
	/* One object more than a slab holds: two slabs. */
	o.n = info.objperslab + 1;
	o.objs = kvcalloc(o.n, sizeof(*o.objs), GFP_KERNEL);
	if (VCT_CHECK(t, o.objs && order > VCT_CH_SLAB_CHUNK))
		filled = vct_vc_fill(t, o.c, o.objs, o.n, VCT_CH_OBJ_SIZE,
				     sizeof(long), true);
	if (filled) {
		vct_resnap(t);
		vct_ch_deltas(t, chunks);
		VCT_CHECK(t, vct_odelta(t, order, virtual) == 2);
		per[VCT_CH_SLAB_CHUNK] = 1UL << (order - VCT_CH_SLAB_CHUNK);
		if (!VCT_CHECK(t, chunks[VCT_CH_SLAB_CHUNK] ==
				  2 * per[VCT_CH_SLAB_CHUNK])) {
			vct_diag(t, "slabs of order %u", order);
			vct_ch_diag(t, chunks);
		}
		vct_ch_slabs_ok(t, &o, order, per);
		vct_vc_intact(t, o.objs, o.n, VCT_CH_OBJ_SIZE);
	}
	if (o.objs)
		VCT_CHECK(t, vct_run_in(VCT_HARDIRQ, vct_ch_objs_free_fn, &o));
	vcache_destroy(o.c);
	kvfree(o.objs);
	vct_vc_check_released(t);
	if (filled)
		VCT_CHECK(t, vct_odelta(t, order, freed_virtual) == 2);
out:
	vct_ch_knobs_off(t);
}

void vct_chunks_api_cases(void (*run)(const char *name,
				      void (*fn)(struct vct *t)))
{
	run("chunks_fragmented_forced_order_4", vct_ch_frag_forced);
	run("chunks_mmap_forced_order_2", vct_ch_mmap_forced);
	run("chunks_mmap_fragmented", vct_ch_mmap_fragmented);
	run("chunks_reserve_forced_order_1", vct_ch_reserve);
	run("chunks_vcache_forced_order_1", vct_ch_vcache);
}
