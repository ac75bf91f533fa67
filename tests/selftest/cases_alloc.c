// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation, lookups, zeroing, gfp handling, params and counters (one
 * block of each order: cases_order.c).
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "vct.h"
#include "vcompat_page_alloc.h"

#define VCT_PATTERN	0x9e3779b97f4a7c15ULL

/*
 * Writes a distinct word into sampled pages through @addr and reads it back
 * through the linear-map alias of the page vcompound says backs it: this
 * proves the lookups and, for the virtual kind, the mapping itself.
 */
bool vct_pattern_check(struct vct *t, void *addr, unsigned int order)
{
	unsigned long nr = 1UL << order;
	unsigned long step = nr > 64 ? nr / 64 : 1;
	bool ok = true;
	unsigned long i;

	/* Every step-th page, and always the last one. */
	for (i = 0; ; i = i + step < nr ? i + step : nr - 1) {
		u64 *word = addr + (i << PAGE_SHIFT) + 8;
		struct page *page = vcompound_nth_page(addr, i);

		*word = VCT_PATTERN ^ i;
		ok &= VCT_CHECK(t, page);
		if (!page)
			break;
		ok &= VCT_CHECK(t, vmalloc_address(page) == addr + (i << PAGE_SHIFT));
		ok &= VCT_CHECK(t, *(u64 *)(page_address(page) + 8) == (VCT_PATTERN ^ i));
		if (i == nr - 1)
			break;
	}
	return ok;
}

static void vct_zero(struct vct *t, bool fallback)
{
	const unsigned int order = 3;
	unsigned long size = PAGE_SIZE << order, i;
	u8 *addr;

	/*
	 * Relies on a boot with init_on_alloc=0 (the lab's): with it on (as
	 * Debian boots), every page comes zeroed and this proves nothing.
	 */
	if (!VCT_CHECK(t, !want_init_on_alloc(GFP_KERNEL))) {
		vct_diag(t, "init_on_alloc is on: boot with init_on_alloc=0");
		return;
	}
	if (vct_set_fallback(t, fallback))
		return;
	/* Dirty pages first so that the zeroing is what makes them zero. */
	addr = vcompound_alloc(GFP_KERNEL, order);
	if (!VCT_CHECK(t, addr))
		return;
	memset(addr, 0xff, size);
	vct_free(t, addr);
	/* The witness gives the dirty pages back for the next allocation. */
	vct_settle(t);

	addr = vcompound_alloc(GFP_KERNEL | __GFP_ZERO, order);
	if (!VCT_CHECK(t, addr))
		return;
	VCT_CHECK(t, vcompound_is_virtual(addr) == fallback);
	for (i = 0; i < size; i++)
		if (addr[i])
			break;
	VCT_CHECK(t, i == size);
	vct_free(t, addr);
}

static void vct_zero_physical(struct vct *t)
{
	vct_zero(t, false);
}

static void vct_zero_virtual(struct vct *t)
{
	vct_zero(t, true);
}

static void vct_pages_roundtrip(struct vct *t, bool fallback)
{
	const unsigned int order = 3;
	struct page *page;
	unsigned long i;
	void *addr;

	if (vct_set_fallback(t, fallback))
		return;
	vct_snap(t);
	page = vcompound_alloc_pages(GFP_KERNEL, order);
	if (!VCT_CHECK(t, page))
		return;
	addr = vmalloc_address(page);
	VCT_CHECK(t, addr);
	if (addr) {
		VCT_CHECK(t, vcompound_is_virtual(addr) == fallback);
		VCT_CHECK(t, vcompound_head_page(addr) == page);
		for (i = 0; i < (1UL << order); i++)
			VCT_CHECK(t, vmalloc_address(vcompound_nth_page(addr, i)) ==
				  addr + (i << PAGE_SHIFT));
		vct_pattern_check(t, addr, order);
	}
	vct_free_page_block(t, page);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, order, freed_physical) +
		     vct_odelta(t, order, freed_virtual) == 1);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
}

static void vct_pages_roundtrip_physical(struct vct *t)
{
	vct_pages_roundtrip(t, false);
}

static void vct_pages_roundtrip_virtual(struct vct *t)
{
	vct_pages_roundtrip(t, true);
}

/* Lookups of memory that is not ours find nothing. */
static void vct_lookups_foreign(struct vct *t)
{
	void *km = kmalloc(256, GFP_KERNEL);
	void *vm = vmalloc(3 * PAGE_SIZE);
	static int module_data;
	void *ptrs[] = { km, vm, vm + PAGE_SIZE + 7, &module_data, NULL };
	unsigned int i;

	if (!VCT_CHECK(t, km && vm))
		goto out;
	for (i = 0; i < ARRAY_SIZE(ptrs); i++) {
		VCT_CHECK(t, !vcompound_head_page(ptrs[i]));
		VCT_CHECK(t, !vcompound_to_page(ptrs[i]));
		VCT_CHECK(t, !vcompound_nth_page(ptrs[i], 0));
		VCT_CHECK(t, !vcompound_is_virtual(ptrs[i]));
		VCT_CHECK(t, vcompound_order(ptrs[i]) == 0);
	}
	VCT_CHECK(t, !vmalloc_address(virt_to_page(km)));
	VCT_CHECK(t, !vmalloc_address(vmalloc_to_page(vm)));
out:
	vfree(vm);
	kfree(km);
}

/* NOFS/NOIO callers get memory, and their task flags are left as found. */
static void vct_gfp_scoped(struct vct *t)
{
	const gfp_t gfps[] = { GFP_NOFS, GFP_NOIO };
	unsigned int flags = current->flags, i;
	void *addr;

	if (vct_set_fallback(t, true))
		return;
	for (i = 0; i < ARRAY_SIZE(gfps); i++) {
		addr = vcompound_alloc(gfps[i], 4);
		if (!VCT_CHECK(t, addr))
			continue;
		VCT_CHECK(t, vcompound_is_virtual(addr));
		VCT_CHECK(t, vct_pattern_check(t, addr, 4));
		vct_free(t, addr);
		VCT_CHECK(t, current->flags == flags);
	}
}

/* How long the reserve's worker may take to build its default blocks. */
#define VCT_RESERVE_WAIT_MS	10000

/*
 * Atomic callers: physical when possible, never the sleeping fallback:
 * a block of the atomic reserve (cases_atomic.c) or nothing.
 */
static void vct_gfp_atomic(struct vct *t)
{
	unsigned int waited;
	void *addr;

	addr = vcompound_alloc(GFP_ATOMIC, 2);
	if (VCT_CHECK(t, addr)) {
		VCT_CHECK(t, !vcompound_is_virtual(addr));
		vct_free(t, addr);
	}
	if (vct_set_fallback(t, true))
		return;
	/*
	 * The default reserve holds blocks of order 2 once its worker has
	 * built them: the answer is one of them, counted as taken (an empty
	 * reserve's NULL is cases_atomic.c's).
	 */
	for (waited = 0; waited < VCT_RESERVE_WAIT_MS; waited += 20) {
		vct_snap(t);
		if (t->s0->order[2].reserve_level > 0)
			break;
		msleep(20);
	}
	if (!VCT_CHECK(t, t->s0->order[2].reserve_level > 0))
		return;
	addr = vcompound_alloc(GFP_ATOMIC | __GFP_NOWARN, 2);
	VCT_CHECK(t, addr && vcompound_is_virtual(addr));
	vct_free(t, addr);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, 2, reserve_taken) == 1);
	VCT_CHECK(t, vct_odelta(t, 2, reserve_empty) == 0);
	VCT_CHECK(t, vct_odelta(t, 2, failed) == 0);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
}

static void vct_node(struct vct *t)
{
	int nid = numa_node_id();
	unsigned long i;
	int fallback;
	void *addr;

	for (fallback = 0; fallback <= 1; fallback++) {
		if (vct_set_fallback(t, fallback))
			return;
		addr = vcompound_alloc_node(GFP_KERNEL | __GFP_THISNODE, 4, nid);
		if (!VCT_CHECK(t, addr))
			continue;
		VCT_CHECK(t, vcompound_is_virtual(addr) == fallback);
		for (i = 0; i < 16; i++)
			VCT_CHECK(t, page_to_nid(vcompound_nth_page(addr, i)) == nid);
		vct_free(t, addr);
	}
}

/*
 * always_fallback switches at run time, through sysfs; a bad value of any
 * parameter is -EINVAL and changes nothing, and fault_inject cannot be
 * written at all.
 */
static void vct_param_always_fallback(struct vct *t)
{
	unsigned int val = 0, now = 0;
	bool on = false, now_on = false;
	void *addr;

	VCT_CHECK(t, vct_param_set_always_fallback("Y") == 0);
	VCT_CHECK(t, vct_param_set_always_fallback("bogus") == -EINVAL);
	VCT_CHECK(t, !vct_param_get_always_fallback(&on) && on);
	addr = vcompound_alloc(GFP_KERNEL, 2);
	if (VCT_CHECK(t, addr)) {
		VCT_CHECK(t, vcompound_is_virtual(addr));
		vct_free(t, addr);
	}
	VCT_CHECK(t, vct_param_set_always_fallback("0") == 0);
	addr = vcompound_alloc(GFP_KERNEL, 2);
	if (VCT_CHECK(t, addr)) {
		VCT_CHECK(t, !vcompound_is_virtual(addr));
		vct_free(t, addr);
	}
	/* max_order refuses what it cannot honour and keeps its value. */
	VCT_CHECK(t, vct_param_get_max_order(&val) == 0);
	VCT_CHECK(t, vct_param_set_max_order("21") == -EINVAL);
	VCT_CHECK(t, vct_param_set_max_order("-1") == -EINVAL);
	VCT_CHECK(t, vct_param_set_max_order("lots") == -EINVAL);
	VCT_CHECK(t, vct_param_set_max_order("99999999999") == -EINVAL);
	VCT_CHECK(t, vct_param_get_max_order(&now) == 0);
	VCT_CHECK(t, now == val);
	/* Read-only after load: sysfs refuses to open it for writing. */
	VCT_CHECK(t, !vct_param_get_fault_inject(&on));
	VCT_CHECK(t, vct_param_set_fault_inject(on ? "0" : "1") == -EACCES);
	VCT_CHECK(t, !vct_param_get_fault_inject(&now_on) && now_on == on);
}

/*
 * Outstanding counters follow a mixed set of live blocks exactly: small
 * orders, the buddy allocator's largest, and two above it up to max_order
 * (10, 11 and 12 with 4 KiB pages; 8, 9 and 10 with 64 KiB).
 */
static void vct_stats_exact(struct vct *t)
{
	unsigned int orders[] = { 0, 1, 3, 5, VC_BUDDY_MAX_ORDER,
				  VC_BUDDY_MAX_ORDER + 1, VC_BUDDY_MAX_ORDER + 2 };
	unsigned long phys = 0, virt = 0, pbytes = 0, vbytes = 0, buddy = 0;
	void *addrs[2 * ARRAY_SIZE(orders)] = { };
	unsigned int i, max;

	if (!VCT_CHECK(t, vct_param_get_max_order(&max) == 0))
		return;
	for (i = 0; i < ARRAY_SIZE(orders); i++)
		orders[i] = min(orders[i], max);
	/* Physical: the orders the buddy allocator has, without fallback. */
	for (i = 0; i < ARRAY_SIZE(orders); i++)
		buddy += orders[i] <= VC_BUDDY_MAX_ORDER;
	vct_snap(t);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		unsigned int order = orders[i % ARRAY_SIZE(orders)];
		bool fallback = i >= ARRAY_SIZE(orders);

		if (vct_set_fallback(t, fallback))
			goto out;
		addrs[i] = vcompound_alloc(GFP_KERNEL, order);
		if (!VCT_CHECK(t, addrs[i]))
			goto out;
		if (vcompound_is_virtual(addrs[i])) {
			virt++;
			vbytes += PAGE_SIZE << order;
		} else {
			phys++;
			pbytes += PAGE_SIZE << order;
		}
	}
	vct_resnap(t);
	if (!VCT_CHECK(t, phys == buddy && virt == ARRAY_SIZE(addrs) - buddy))
		vct_diag(t, "%lu physical, %lu virtual; buddy max order %u",
			 phys, virt, VC_BUDDY_MAX_ORDER);
	VCT_CHECK(t, vct_delta(t, outstanding_physical) == phys);
	VCT_CHECK(t, vct_delta(t, outstanding_virtual) == virt);
	VCT_CHECK(t, vct_delta64(t, outstanding_physical_bytes) == pbytes);
	VCT_CHECK(t, vct_delta64(t, outstanding_virtual_bytes) == vbytes);
out:
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		vct_free(t, addrs[i]);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, outstanding_physical) == 0);
	VCT_CHECK(t, vct_delta(t, outstanding_virtual) == 0);
	VCT_CHECK(t, vct_delta64(t, outstanding_virtual_bytes) == 0);
}

/* One more block than a CPU keeps descriptors of one order. */
#define VCT_KEPT_BLOCKS	33
#define VCT_KEPT_PER_CPU	32

/* desc_kept of every order, summed, in @st. */
static unsigned long vct_kept_total(const struct vcompound_stats *st)
{
	unsigned long n = 0;
	unsigned int o;

	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++)
		n += st->order[o].desc_kept;
	return n;
}

struct vct_kept {
	struct vct *t;
	unsigned int order;
	bool ok;
};

/*
 * On one CPU (work_on_cpu()): VCT_KEPT_BLOCKS virtual blocks allocated,
 * checked through their lookups and freed, deferred frees (5.10) done
 * there too, so that every descriptor goes back to that CPU's magazine.
 */
static long vct_kept_pass(void *arg)
{
	struct vct_kept *k = arg;
	void *addrs[VCT_KEPT_BLOCKS] = { };
	struct vct *t = k->t;
	unsigned int i;

	k->ok = true;
	for (i = 0; i < VCT_KEPT_BLOCKS && k->ok; i++) {
		addrs[i] = vcompound_alloc(GFP_KERNEL, k->order);
		k->ok = VCT_CHECK(t, addrs[i]) &&
			VCT_CHECK(t, vcompound_is_virtual(addrs[i])) &&
			vct_pattern_check(t, addrs[i], k->order);
	}
	for (i = 0; i < VCT_KEPT_BLOCKS; i++)
		vct_free(t, addrs[i]);
	vcompound_drain();
	return 0;
}

/*
 * Virtual blocks freed in a row leave their descriptors, up to 32 per
 * order, with the CPU that freed them (desc_kept) for its next blocks of
 * the order; vcompound_shrink() frees those of every CPU.  On one CPU,
 * 33 blocks freed keep 32, and 33 more, 32 of them built on the kept
 * descriptors, keep 32 again.  Order 5, and 2 MiB blocks (order 9 with 4
 * KiB pages, on 64-bit only: 66 MiB of i386's vmalloc space is too much),
 * whose descriptors are not from a slab cache.
 */
static void vct_desc_kept_shrink(struct vct *t)
{
	unsigned int orders[] = { 5, IS_ENABLED(CONFIG_64BIT) ?
				     21 - PAGE_SHIFT : 5 };
	int cpu = cpumask_first(cpu_online_mask);
	struct vct_kept k = { .t = t };
	unsigned int i, pass, max;
	unsigned long kept;

	if (!VCT_CHECK(t, vct_param_get_max_order(&max) == 0) ||
	    vct_set_fallback(t, true))
		return;
	vcompound_shrink();
	vct_snap(t);
	if (!VCT_CHECK(t, vct_kept_total(t->s0) == 0))
		vct_diag(t, "%lu descriptors kept after vcompound_shrink()",
			 vct_kept_total(t->s0));
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		k.order = min(orders[i], max);
		if (i && k.order == min(orders[0], max))
			break;
		for (pass = 0; pass < 2; pass++) {
			work_on_cpu(cpu, vct_kept_pass, &k);
			vct_settle(t);
			if (!k.ok)
				goto out;
			vct_resnap(t);
			kept = t->s1->order[k.order].desc_kept;
			if (!VCT_CHECK(t, kept == VCT_KEPT_PER_CPU))
				vct_diag(t, "order %u pass %u: %lu kept",
					 k.order, pass, kept);
		}
	}
out:
	vcompound_shrink();
	vct_resnap(t);
	if (!VCT_CHECK(t, vct_kept_total(t->s1) == 0))
		vct_diag(t, "%lu descriptors kept after vcompound_shrink()",
			 vct_kept_total(t->s1));
}

void vct_alloc_cases(void (*run)(const char *name, void (*fn)(struct vct *t)))
{
	run("gfp_zero_physical", vct_zero_physical);
	run("gfp_zero_virtual", vct_zero_virtual);
	run("alloc_pages_roundtrip_physical", vct_pages_roundtrip_physical);
	run("alloc_pages_roundtrip_virtual", vct_pages_roundtrip_virtual);
	run("lookups_of_foreign_memory", vct_lookups_foreign);
	run("gfp_nofs_noio_fallback", vct_gfp_scoped);
	run("gfp_atomic", vct_gfp_atomic);
	run("alloc_node_both_kinds", vct_node);
	run("params_runtime", vct_param_always_fallback);
	run("stats_outstanding_exact", vct_stats_exact);
	run("desc_kept_and_shrink", vct_desc_kept_shrink);
}
