// SPDX-License-Identifier: GPL-2.0
/*
 * Real fragmentation: with always_fallback off, break guest memory into
 * order-0 holes until high-order alloc_pages() genuinely fails, check that
 * vcompound then serves working virtual blocks, and that it goes back to
 * physical blocks once the memory is released.  The fragmentation itself
 * is vct_fragment.c's.
 */
#include <linux/gfp.h>
#include <linux/mm.h>

#include "vct.h"
#include "vct_fragment.h"

/* The fragmentation case ran, and gave everything back at its end. */
static bool vct_fragmented;

void vct_fragment(struct vct *t)
{
	unsigned long held, holes;

	held = vct_fragment_memory(&holes);
	vct_diag(t, "held %lu MiB, gave back %lu MiB of holes, %lu MiB free",
		 held >> (20 - PAGE_SHIFT), holes >> (20 - PAGE_SHIFT),
		 vct_free_mib());
}

/* Tries of one order when a block was made whole meanwhile. */
#define VCT_FRAG_TRIES		3

/*
 * One order of the fragmentation case: take every free block of the order
 * again, check that the buddy allocator has none (the precondition; false
 * if it has), then allocate into *@p.  A block made whole after the hold
 * (by compaction, which migrates others' movable pages into our holes, by
 * another CPU's frees, or by the OOM notifier giving held memory back)
 * says nothing about the fallback: a raw one is held, a physical one
 * freed, and the order is tried again, up to VCT_FRAG_TRIES.
 */
static bool vct_fragmented_alloc(struct vct *t, unsigned int order, void **p,
				 unsigned int *regrabbed, unsigned int *retried)
{
	struct page *raw;
	unsigned int tries;

	for (tries = 1; ; tries++) {
		*regrabbed += vct_hold_free_blocks(order);
		raw = alloc_pages(VCT_GRAB_GFP, order);
		*p = raw ? NULL : vcompound_alloc(GFP_KERNEL, order);
		if ((!raw && (!*p || vcompound_is_virtual(*p))) ||
		    tries == VCT_FRAG_TRIES)
			break;
		if (raw)
			vct_hold_block(raw, order);
		vct_free(t, *p);
		(*retried)++;
	}
	if (!VCT_CHECK(t, !raw)) {
		vct_hold_block(raw, order);
		return false;
	}
	return true;
}

/*
 * What anyone else meets while memory is held: an order-1 allocation that
 * may reclaim and compact finds nothing, and would go to the OOM killer,
 * which kills the modprobe running the test (the lab fails on that).  The
 * notifier gives back memory instead, and the allocation succeeds.
 * Compaction now and then makes the block itself, so that the notifier
 * was called is reported, not required.
 */
static void vct_fragmented_oom(struct vct *t)
{
	unsigned int oom = vct_frag_oom_releases();
	struct page *page;

	vct_hold_free_blocks(1);
	page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 1);
	if (VCT_CHECK(t, page))
		__free_pages(page, 1);
	vct_diag(t, "order-1 GFP_KERNEL allocation %s; OOM notifier gave back %u times",
		 page ? "served" : "failed", vct_frag_oom_releases() - oom);
}

static void vct_fragmented_virtual(struct vct *t)
{
	void *addrs[VCT_FRAG_MAX + 1] = { };
	unsigned int order, regrabbed = 0, retried = 0, virt = 0;
	unsigned int oom = vct_frag_oom_releases();
	unsigned long physical_orders = 0;

	vct_fragment(t);
	vct_fragmented = true;

	vct_snap(t);
	for (order = 1; order <= VCT_FRAG_MAX; order++) {
		if (!vct_fragmented_alloc(t, order, &addrs[order], &regrabbed,
					  &retried))
			continue;
		if (!VCT_CHECK(t, addrs[order]))
			continue;
		if (vcompound_is_virtual(addrs[order]))
			virt++;
		else
			physical_orders |= 1UL << order;
		VCT_CHECK(t, vct_pattern_check(t, addrs[order], order));
		memset(addrs[order], order, PAGE_SIZE << order);
	}
	VCT_CHECK(t, virt == VCT_FRAG_MAX);
	for (order = 1; order <= VCT_FRAG_MAX; order++)
		vct_free(t, addrs[order]);
	/* The OOM step below needs the witnessed pages back. */
	vct_settle(t);
	vct_resnap(t);
	vct_diag(t, "orders 1-%u: %u virtual, physical orders %#lx",
		 VCT_FRAG_MAX, virt, physical_orders);
	vct_diag(t, "%u blocks freed by others were taken again", regrabbed);
	vct_diag(t, "memory given back to OOM callers %u times; %u blocks whole after the hold",
		 vct_frag_oom_releases() - oom, retried);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	vct_fragmented_oom(t);
	/*
	 * Not held past the case: a runner that starts a thread per case
	 * (KUnit) would need an order-1 page for it, and with none left the
	 * OOM killer finds nothing to kill and panics.
	 */
	vct_unfragment();
}

static void vct_released_physical(struct vct *t)
{
	void *addrs[VCT_FRAG_MAX + 1] = { };
	unsigned int order, phys = 0;

	if (!vct_fragmented) {
		t->skip = "fragmentation case did not run";
		return;
	}
	vct_fragmented = false;
	vct_diag(t, "released, %lu MiB free", vct_free_mib());
	for (order = 1; order <= VCT_FRAG_MAX; order++) {
		addrs[order] = vcompound_alloc(GFP_KERNEL, order);
		if (!VCT_CHECK(t, addrs[order]))
			continue;
		phys += !vcompound_is_virtual(addrs[order]);
	}
	VCT_CHECK(t, phys == VCT_FRAG_MAX);
	for (order = 1; order <= VCT_FRAG_MAX; order++)
		vct_free(t, addrs[order]);
}

void vct_fragment_cases(void (*run)(const char *name,
				    void (*fn)(struct vct *t)))
{
	run("fragmented_memory_falls_back_to_virtual", vct_fragmented_virtual);
	run("released_memory_is_physical_again", vct_released_physical);
}
