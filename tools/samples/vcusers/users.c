// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound_users: two vmalloc users of a driver, converted to vcompound.
 * This file: the KTAP cases, the block checks, the phases; the two users
 * are flows.c and ring.c.
 *
 * Drivers vmalloc() their large tables and rings today, because a
 * multi-megabyte physically contiguous allocation may fail.  This module
 * keeps two such structures in vcompound blocks instead:
 *
 *   - a flow table: a hash table whose buckets (hlist heads, as
 *     alloc_large_system_hash() makes them) fill a block of table_order
 *     pages (4 MiB by default); the flows themselves come from a vcache
 *     with VCACHE_VFALLBACK, whose large slabs may be virtual too;
 *   - a record ring: a byte ring of ring_order pages (2 MiB by default)
 *     through which variable-length records pass, each checked when it is
 *     consumed.
 *
 * The story runs in three phases, each reported as KTAP cases:
 *   1. at load, with free memory: both blocks and the flow slabs are
 *      physical;
 *   2. on "2" written to debugfs vcompound_users/phase: guest memory is
 *      fragmented for real (tests/lib/vct_fragment.c), the driver
 *      rebuilds its table (rehash) and ring (records carried over) in new
 *      blocks, which come back virtual and work, as do the flows' new
 *      slabs; then the fragmentation is released and all keeps working,
 *      still virtual;
 *   3. on "3": the driver rebuilds them again, physical once more, and new
 *      flow slabs are physical.
 * Every phase inserts new flows and looks up all of them, and passes
 * several ring sizes' worth of records through the ring.
 *
 * Every block is checked page by page against the lookups drivers use
 * instead of virt_to_page(): vcompound_nth_page() and vmalloc_address().
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>

#include <vcache.h>
#include <vcompound.h>

#include "users.h"
#include "vct_fragment.h"

/* 4 MiB and 2 MiB blocks whatever the page size: orders 10 and 9 with 4 KiB. */
static unsigned int table_order = 22 - PAGE_SHIFT;
module_param(table_order, uint, 0444);
MODULE_PARM_DESC(table_order, "flow table (buckets) block order, 1 to the buddy allocator's maximum (default: 4 MiB, order 10 with 4 KiB pages)");

static unsigned int ring_order = 21 - PAGE_SHIFT;
module_param(ring_order, uint, 0444);
MODULE_PARM_DESC(ring_order, "record ring block order, 1 to the buddy allocator's maximum (default: 2 MiB, order 9 with 4 KiB pages)");

/* ---------------------------------------------------------------- KTAP */

enum {
	VCU_T1_TABLE_PHYS = 1,
	VCU_T1_RING_PHYS,
	VCU_T1_TABLE_WORKS,
	VCU_T1_SLABS_PHYS,
	VCU_T1_RING_WORKS,
	VCU_T2_NO_BUDDY_BLOCK,
	VCU_T2_TABLE_VIRT,
	VCU_T2_RING_VIRT,
	VCU_T2_TABLE_WORKS,
	VCU_T2_SLABS_VIRT,
	VCU_T2_RING_WORKS,
	VCU_T2_WORKS_AFTER_RELEASE,
	VCU_T3_TABLE_PHYS,
	VCU_T3_RING_PHYS,
	VCU_T3_TABLE_WORKS,
	VCU_T3_SLABS_PHYS,
	VCU_T3_RING_WORKS,
	VCU_NR_CASES = VCU_T3_RING_WORKS
};

static const char *const vcu_case_names[VCU_NR_CASES + 1] = {
	[VCU_T1_TABLE_PHYS]	= "phase1_table_is_physical_with_free_memory",
	[VCU_T1_RING_PHYS]	= "phase1_ring_is_physical_with_free_memory",
	[VCU_T1_TABLE_WORKS]	= "phase1_table_insert_lookup",
	[VCU_T1_SLABS_PHYS]	= "phase1_flow_slabs_are_physical",
	[VCU_T1_RING_WORKS]	= "phase1_ring_produce_consume",
	[VCU_T2_NO_BUDDY_BLOCK]	= "phase2_fragmented_buddy_allocator_has_no_block",
	[VCU_T2_TABLE_VIRT]	= "phase2_table_is_virtual_when_fragmented",
	[VCU_T2_RING_VIRT]	= "phase2_ring_is_virtual_when_fragmented",
	[VCU_T2_TABLE_WORKS]	= "phase2_table_rehashed_insert_lookup",
	[VCU_T2_SLABS_VIRT]	= "phase2_new_flow_slabs_are_virtual",
	[VCU_T2_RING_WORKS]	= "phase2_ring_carried_over_produce_consume",
	[VCU_T2_WORKS_AFTER_RELEASE] = "phase2_virtual_blocks_work_after_release",
	[VCU_T3_TABLE_PHYS]	= "phase3_table_is_physical_again",
	[VCU_T3_RING_PHYS]	= "phase3_ring_is_physical_again",
	[VCU_T3_TABLE_WORKS]	= "phase3_table_rehashed_insert_lookup",
	[VCU_T3_SLABS_PHYS]	= "phase3_new_flow_slabs_are_physical",
	[VCU_T3_RING_WORKS]	= "phase3_ring_carried_over_produce_consume",
};

static unsigned int vcu_reported;	/* cases reported so far */

/* Phase 2 checks and rebuilds again when a block was made whole meanwhile. */
#define VCU_REBUILD_TRIES	3

/*
 * Case @nr's result, or its skip with @skip as the reason; cases before it
 * that were never reached fail.
 */
static void vcu_result(unsigned int nr, bool ok, const char *skip)
{
	while (vcu_reported + 1 < nr) {
		vcu_reported++;
		vcu_diag("not reached");
		pr_info("not ok %u %s\n", vcu_reported,
			vcu_case_names[vcu_reported]);
	}
	if (nr <= vcu_reported)
		return;
	vcu_reported = nr;
	if (skip)
		pr_info("ok %u %s # SKIP %s\n", nr, vcu_case_names[nr], skip);
	else
		pr_info("%sok %u %s\n", ok ? "" : "not ", nr,
			vcu_case_names[nr]);
}

static void vcu_report(unsigned int nr, bool ok)
{
	vcu_result(nr, ok, NULL);
}

/* ------------------------------------------------------------- blocks */

const char *vcu_kind(const void *block)
{
	return vcompound_is_virtual(block) ? "virtual" : "physical";
}

/*
 * Whether @block is a live vcompound block of @order and kind @virt whose
 * pages the lookups find where they are: what a driver relies on when it
 * builds a scatterlist or maps the block.
 */
bool vcu_block_ok(const char *what, const void *block, unsigned int order,
		  bool virt)
{
	unsigned long i, bad = 0;

	if (vcompound_is_virtual(block) != virt ||
	    vcompound_order(block) != order) {
		vcu_diag("%s: %s order %u, expected %s order %u", what,
			 vcu_kind(block), vcompound_order(block),
			 virt ? "virtual" : "physical", order);
		return false;
	}
	for (i = 0; i < (1UL << order); i++) {
		struct page *page = vcompound_nth_page(block, i);
		const void *addr = block + (i << PAGE_SHIFT);

		if (!page || vmalloc_address(page) != addr ||
		    vcompound_to_page(addr + PAGE_SIZE - 1) != page)
			bad++;
	}
	if (bad)
		vcu_diag("%s: %lu of %lu pages not found by the lookups", what,
			 bad, 1UL << order);
	return !bad;
}

/* -------------------------------------------------------------- phases */

static struct vcu_table vcu_table;
static struct vcu_ring vcu_ring;
static unsigned long vcu_keys_total;	/* keys the three phases insert */

static DEFINE_MUTEX(vcu_lock);		/* serialises the phases */
static unsigned int vcu_phase;		/* the last phase that ran */

/*
 * Rebuilds the table and the ring in new blocks, as a resize or a reset
 * does, and frees the old ones.  @fragmented: take every free block of
 * order >= 1 again just before each allocation (an old block freed in
 * between, or memory others freed, would be found whole).
 */
static bool vcu_rebuild(bool fragmented, bool *rehashed)
{
	struct vcu_table nt;
	struct vcu_ring nr;

	if (fragmented)
		vct_hold_free_blocks(1);
	if (!vcu_table_init(&nt, table_order))
		return false;
	*rehashed = vcu_rehash(&nt, &vcu_table);
	vcompound_free(vcu_table.buckets);
	vcu_table = nt;

	if (fragmented)
		vct_hold_free_blocks(1);
	if (!vcu_ring_init(&nr, ring_order))
		return false;
	vcu_ring_move(&nr, &vcu_ring);
	vcompound_free(vcu_ring.buf);
	vcu_ring = nr;
	if (fragmented)
		vct_hold_free_blocks(1);
	return true;
}

static int vcu_phase1(void)
{
	unsigned long phys, virt;

	vcu_diag("phase 1: %lu MiB free; table %lu KiB (order %u), ring %lu KiB (order %u)",
		 vct_free_mib(), (PAGE_SIZE << table_order) >> 10, table_order,
		 (PAGE_SIZE << ring_order) >> 10, ring_order);
	if (!vcu_table_init(&vcu_table, table_order))
		return -ENOMEM;
	if (!vcu_ring_init(&vcu_ring, ring_order)) {
		vcompound_free(vcu_table.buckets);
		vcu_table.buckets = NULL;
		return -ENOMEM;
	}
	/* A flow per four buckets at the end of phase 3; a third per phase. */
	vcu_keys_total = (1UL << vcu_table.bits) / 4;
	vcu_report(VCU_T1_TABLE_PHYS,
		   vcu_block_ok("table", vcu_table.buckets, table_order, false));
	vcu_report(VCU_T1_RING_PHYS,
		   vcu_block_ok("ring", vcu_ring.buf, ring_order, false));
	vcu_report(VCU_T1_TABLE_WORKS,
		   vcu_table_work(&vcu_table, vcu_keys_total / 3));
	vcu_slabs(&phys, &virt);
	vcu_report(VCU_T1_SLABS_PHYS, phys && !virt);
	vcu_report(VCU_T1_RING_WORKS, vcu_ring_work(&vcu_ring));
	return 0;
}

/*
 * Whether alloc_pages() of @order fails once every free block of that
 * order and above is held, made again up to VCU_REBUILD_TRIES times.
 */
static bool vcu_no_buddy_block(unsigned int order)
{
	struct page *raw;
	unsigned int i;

	for (i = 1; i <= VCU_REBUILD_TRIES; i++) {
		vct_hold_free_blocks(order);
		raw = alloc_pages(VCT_GRAB_GFP, order);
		if (!raw)
			return true;
		vcu_diag("order %u: a block after the hold (try %u of %u); held",
			 order, i, VCU_REBUILD_TRIES);
		vct_hold_block(raw, order);
	}
	return false;
}

static int vcu_phase2(void)
{
	const unsigned int orders[] = { table_order, ring_order };
	unsigned long held, holes, phys, virt, virt0;
	bool rehashed = false, ok = true;
	unsigned int i;

	vcu_slabs(&phys, &virt0);
	held = vct_fragment_memory(&holes);
	vcu_diag("phase 2: fragmented: %lu MiB held, %lu MiB of order-0 holes, %lu MiB free",
		 held >> (20 - PAGE_SHIFT), holes >> (20 - PAGE_SHIFT),
		 vct_free_mib());
	/*
	 * The precondition: no block of the orders the driver needs is to be
	 * had.  A block that appears after the hold came from compaction
	 * (movable pages of others migrated into our holes) or from another
	 * CPU's frees: it is held too and the check is made again.  Only a
	 * block found every time fails it.
	 */
	for (i = 0; i < ARRAY_SIZE(orders); i++)
		ok &= vcu_no_buddy_block(orders[i]);
	vcu_report(VCU_T2_NO_BUDDY_BLOCK, ok);

	/*
	 * Memory given back by the OOM notifier (vct_fragment.c), compaction
	 * or another CPU's frees can make a block whole between the hold and
	 * vcompound_alloc(): a physical block then is no failure of the
	 * fallback, and the rebuild is done again.
	 */
	for (i = 1; ; i++) {
		unsigned int oom = vct_frag_oom_releases();

		if (!vcu_rebuild(true, &rehashed)) {
			vcu_diag("rebuild: vcompound_alloc() failed");
			vct_unfragment();
			return -ENOMEM;
		}
		if (i == VCU_REBUILD_TRIES ||
		    (vcompound_is_virtual(vcu_table.buckets) &&
		     vcompound_is_virtual(vcu_ring.buf)))
			break;
		vcu_diag("phase 2: a block came back physical (%s); rebuilding again",
			 vct_frag_oom_releases() == oom ?
			 "compaction or frees meanwhile" :
			 "memory given back to an OOM meanwhile");
	}
	vcu_report(VCU_T2_TABLE_VIRT,
		   vcu_block_ok("table", vcu_table.buckets, table_order, true));
	vcu_report(VCU_T2_RING_VIRT,
		   vcu_block_ok("ring", vcu_ring.buf, ring_order, true));
	vcu_report(VCU_T2_TABLE_WORKS, rehashed &&
		   vcu_table_work(&vcu_table, 2 * vcu_keys_total / 3));
	/*
	 * A slab of one page (VCACHE_VFALLBACK's 64 KiB with 64 KiB pages)
	 * is an order-0 allocation, which fragmentation never refuses.
	 */
	if (vcu_slabs(&phys, &virt) == 1)
		vcu_result(VCU_T2_SLABS_VIRT, true,
			   "the flow cache's slabs are single pages: no fragmentation refuses one, nothing falls back");
	else
		vcu_report(VCU_T2_SLABS_VIRT, virt > virt0);
	vcu_report(VCU_T2_RING_WORKS, vcu_ring_work(&vcu_ring));

	vct_unfragment();
	vcu_diag("phase 2: fragmentation released, %lu MiB free; the blocks stay virtual",
		 vct_free_mib());
	ok = vcu_block_ok("table", vcu_table.buckets, table_order, true);
	ok &= vcu_block_ok("ring", vcu_ring.buf, ring_order, true);
	ok &= vcu_table_work(&vcu_table, 2 * vcu_keys_total / 3);
	ok &= vcu_ring_work(&vcu_ring);
	vcu_report(VCU_T2_WORKS_AFTER_RELEASE, ok);
	return 0;
}

static int vcu_phase3(void)
{
	unsigned long phys0, phys, virt;
	bool rehashed = false;

	vcu_diag("phase 3: %lu MiB free; rebuilding table and ring",
		 vct_free_mib());
	if (!vcu_rebuild(false, &rehashed)) {
		vcu_diag("rebuild: vcompound_alloc() failed");
		return -ENOMEM;
	}
	vcu_report(VCU_T3_TABLE_PHYS,
		   vcu_block_ok("table", vcu_table.buckets, table_order, false));
	vcu_report(VCU_T3_RING_PHYS,
		   vcu_block_ok("ring", vcu_ring.buf, ring_order, false));
	vcu_slabs(&phys0, &virt);
	vcu_report(VCU_T3_TABLE_WORKS, rehashed &&
		   vcu_table_work(&vcu_table, vcu_keys_total));
	vcu_slabs(&phys, &virt);
	vcu_report(VCU_T3_SLABS_PHYS, phys > phys0);
	vcu_report(VCU_T3_RING_WORKS, vcu_ring_work(&vcu_ring));
	return 0;
}

/* --------------------------------------------------------- debugfs */

static struct dentry *vcu_dir;

static ssize_t vcu_phase_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	unsigned int phase;
	int ret;

	ret = kstrtouint_from_user(ubuf, len, 10, &phase);
	if (ret)
		return ret;
	mutex_lock(&vcu_lock);
	if (phase != vcu_phase + 1 || (phase != 2 && phase != 3)) {
		ret = -EINVAL;
	} else {
		ret = phase == 2 ? vcu_phase2() : vcu_phase3();
		/* A phase that failed half-way cannot be run again. */
		vcu_phase = phase;
	}
	mutex_unlock(&vcu_lock);
	return ret ? ret : len;
}

static ssize_t vcu_phase_read(struct file *file, char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	char buf[96];
	int n;

	mutex_lock(&vcu_lock);
	n = scnprintf(buf, sizeof(buf), "phase %u table %s ring %s\n",
		      vcu_phase,
		      vcu_table.buckets ? vcu_kind(vcu_table.buckets) : "none",
		      vcu_ring.buf ? vcu_kind(vcu_ring.buf) : "none");
	mutex_unlock(&vcu_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations vcu_phase_fops = {
	.owner	= THIS_MODULE,
	.read	= vcu_phase_read,
	.write	= vcu_phase_write,
	.llseek	= default_llseek,
};

static int __init vcu_init(void)
{
	int ret;

	pr_info("KTAP version 1\n");
	pr_info("1..%u\n", VCU_NR_CASES);
	if (table_order < 1 || table_order > VCT_FRAG_MAX ||
	    ring_order < 1 || ring_order > VCT_FRAG_MAX) {
		vcu_diag("table_order and ring_order must be 1 to %u",
			 VCT_FRAG_MAX);
		return -EINVAL;
	}
	if (!vcu_flows_create())
		return -ENOMEM;
	vcu_phase = 1;
	ret = vcu_phase1();
	if (ret) {
		vcu_flows_destroy();
		return ret;
	}
	vcu_dir = debugfs_create_dir("vcompound_users", NULL);
	debugfs_create_file("phase", 0600, vcu_dir, NULL, &vcu_phase_fops);
	vcu_diag("write 2, then 3, to debugfs vcompound_users/phase for phases 2 and 3");
	return 0;
}

static void __exit vcu_exit(void)
{
	debugfs_remove_recursive(vcu_dir);
	/* Cases of phases that never ran fail: the plan counted them. */
	while (vcu_reported < VCU_NR_CASES) {
		vcu_diag("phase never ran (or stopped half-way)");
		vcu_report(vcu_reported + 1, false);
	}
	vcu_table_empty(&vcu_table);
	vcu_flows_destroy();
	vcompound_free(vcu_table.buckets);
	vcompound_free(vcu_ring.buf);
}

module_init(vcu_init);
module_exit(vcu_exit);

VCOMPOUND_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("vcompound demo: a hash table, its objects' cache and a ring buffer converted from vmalloc, physical, virtual when memory is fragmented, and physical again");
