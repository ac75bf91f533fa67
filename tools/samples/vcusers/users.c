// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound_users: two vmalloc users of a driver, converted to vcompound.
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
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <vcache.h>
#include <vcompound.h>

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

#define vcu_diag(fmt, ...)	pr_info("# " fmt "\n", ##__VA_ARGS__)
/* Phase 2 checks and rebuilds again when a block was made whole meanwhile. */
#define VCU_REBUILD_TRIES	3

/* Case @nr's result; cases before it that were never reached fail. */
static void vcu_report(unsigned int nr, bool ok)
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
	pr_info("%sok %u %s\n", ok ? "" : "not ", nr, vcu_case_names[nr]);
}

/* ------------------------------------------------------------- blocks */

static const char *vcu_kind(const void *block)
{
	return vcompound_is_virtual(block) ? "virtual" : "physical";
}

/*
 * Whether @block is a live vcompound block of @order and kind @virt whose
 * pages the lookups find where they are: what a driver relies on when it
 * builds a scatterlist or maps the block.
 */
static bool vcu_block_ok(const char *what, const void *block,
			 unsigned int order, bool virt)
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

/* --------------------------------------------------------- flow table */

/* A flow, from the vcache below: what the hash table's chains link. */
struct vcu_flow {
	struct hlist_node node;
	u64 key;
	u64 val;
};

struct vcu_table {
	struct hlist_head *buckets;	/* a vcompound block */
	unsigned int bits;		/* log2 of the number of buckets */
	unsigned long count;
};

static struct vcu_table vcu_table;
static struct vcache *vcu_flows;	/* VCACHE_VFALLBACK: large slabs */
static unsigned long vcu_keys;		/* keys 1 .. vcu_keys are inserted */
static unsigned long vcu_keys_total;	/* keys the three phases insert */

/* The n-th key (n >= 1) and its value: spread out. */
static u64 vcu_key(unsigned long n)
{
	return (u64)n * 0x9e3779b97f4a7c15ULL;
}

static u64 vcu_val(u64 key)
{
	return key ^ 0x5a5aa5a5f00fULL;
}

static struct vcu_flow *vcu_find(struct vcu_table *t, u64 key)
{
	struct vcu_flow *f;

	hlist_for_each_entry(f, &t->buckets[hash_64(key, t->bits)], node)
		if (f->key == key)
			return f;
	return NULL;
}

static bool vcu_insert(struct vcu_table *t, u64 key, u64 val)
{
	struct vcu_flow *f = vcu_find(t, key);

	if (!f) {
		f = vcache_alloc(vcu_flows, GFP_KERNEL);
		if (!f)
			return false;
		f->key = key;
		hlist_add_head(&f->node, &t->buckets[hash_64(key, t->bits)]);
		t->count++;
	}
	f->val = val;
	return true;
}

/* An empty table (zeroed: every chain empty) of table_order pages. */
static bool vcu_table_init(struct vcu_table *t)
{
	t->buckets = vcompound_alloc(GFP_KERNEL | __GFP_ZERO, table_order);
	if (!t->buckets)
		return false;
	t->bits = ilog2((PAGE_SIZE << table_order) / sizeof(struct hlist_head));
	t->count = 0;
	return true;
}

/* Moves every flow of @old into the empty table @new, as a resize does. */
static bool vcu_rehash(struct vcu_table *new, struct vcu_table *old)
{
	struct hlist_node *tmp;
	struct vcu_flow *f;
	unsigned long i;

	for (i = 0; i < (1UL << old->bits); i++) {
		hlist_for_each_entry_safe(f, tmp, &old->buckets[i], node) {
			hlist_del(&f->node);
			hlist_add_head(&f->node,
				       &new->buckets[hash_64(f->key, new->bits)]);
			new->count++;
			old->count--;
		}
	}
	return !old->count;
}

/* Frees every flow of @t. */
static void vcu_table_empty(struct vcu_table *t)
{
	struct hlist_node *tmp;
	struct vcu_flow *f;
	unsigned long i;

	for (i = 0; t->buckets && i < (1UL << t->bits); i++) {
		hlist_for_each_entry_safe(f, tmp, &t->buckets[i], node) {
			hlist_del(&f->node);
			vcache_free(vcu_flows, f);
		}
	}
	t->count = 0;
}

/*
 * Inserts the keys of this phase, then looks up every key inserted so far
 * and the next ones, which must not be there.
 */
static bool vcu_table_work(struct vcu_table *t, unsigned long limit)
{
	unsigned long n, missing = 0, wrong = 0, phantom = 0;
	struct vcu_flow *f;

	for (n = vcu_keys + 1; n <= limit; n++)
		if (!vcu_insert(t, vcu_key(n), vcu_val(vcu_key(n))))
			break;
	vcu_keys = n - 1;
	for (n = 1; n <= vcu_keys; n++) {
		f = vcu_find(t, vcu_key(n));
		if (!f)
			missing++;
		else if (f->val != vcu_val(vcu_key(n)))
			wrong++;
	}
	for (n = vcu_keys + 1; n <= vcu_keys + 1000; n++)
		phantom += !!vcu_find(t, vcu_key(n));
	vcu_diag("table: %lu KiB %s, %lu buckets, %lu flows",
		 (PAGE_SIZE << table_order) >> 10, vcu_kind(t->buckets),
		 1UL << t->bits, t->count);
	vcu_diag("table: lookups: %lu missing, %lu wrong, %lu absent keys found",
		 missing, wrong, phantom);
	return vcu_keys == limit && t->count == limit && !missing && !wrong &&
	       !phantom;
}

/*
 * The flow cache's slabs: @phys and @virt, when not NULL, get the numbers
 * of live physical and virtual slabs.
 */
static void vcu_slabs(unsigned long *phys, unsigned long *virt)
{
	struct vcache_info info;

	vcache_get_info(vcu_flows, &info);
	vcu_diag("flow cache: %lu flows in %lu physical and %lu virtual slabs of %u pages",
		 info.active_objs, info.physical_slabs, info.virtual_slabs,
		 info.pagesperslab);
	*phys = info.physical_slabs;
	*virt = info.virtual_slabs;
}

/* --------------------------------------------------------- record ring */

struct vcu_rec {
	u32 seq;
	u32 len;		/* payload bytes after the header */
};

struct vcu_ring {
	u8 *buf;		/* a vcompound block */
	unsigned long size;	/* bytes, a power of two */
	u64 head, tail;		/* bytes produced, consumed */
	u32 seq_out, seq_in;	/* next record to produce, to consume */
};

static struct vcu_ring vcu_ring;

#define VCU_REC_ALIGN	8

static u32 vcu_rec_len(u32 seq)
{
	return (seq * 2654435761U) % 4093 + 1;
}

static u8 vcu_rec_byte(u32 seq, u32 i)
{
	return (u8)(seq * 31 + i * 7 + (i >> 8));
}

static unsigned long vcu_rec_space(u32 seq)
{
	return ALIGN(sizeof(struct vcu_rec) + vcu_rec_len(seq), VCU_REC_ALIGN);
}

/* Copies @len bytes in or out of the ring at stream position @pos. */
static void vcu_ring_copy(struct vcu_ring *r, u64 pos, void *data,
			  unsigned long len, bool in)
{
	while (len) {
		unsigned long off = pos & (r->size - 1);
		unsigned long n = min(len, r->size - off);

		if (in)
			memcpy(r->buf + off, data, n);
		else
			memcpy(data, r->buf + off, n);
		pos += n;
		data += n;
		len -= n;
	}
}

static bool vcu_ring_produce(struct vcu_ring *r)
{
	struct vcu_rec rec = { r->seq_out, vcu_rec_len(r->seq_out) };
	u8 chunk[64];
	u32 i, n, k;
	u64 pos;

	if (r->head - r->tail + vcu_rec_space(rec.seq) > r->size)
		return false;
	vcu_ring_copy(r, r->head, &rec, sizeof(rec), true);
	pos = r->head + sizeof(rec);
	for (i = 0; i < rec.len; i += n) {
		n = min_t(u32, sizeof(chunk), rec.len - i);
		for (k = 0; k < n; k++)
			chunk[k] = vcu_rec_byte(rec.seq, i + k);
		vcu_ring_copy(r, pos + i, chunk, n, true);
	}
	r->head += vcu_rec_space(rec.seq);
	r->seq_out++;
	return true;
}

/* Consumes one record; false when it is not the one expected. */
static bool vcu_ring_consume(struct vcu_ring *r)
{
	struct vcu_rec rec;
	u8 chunk[64];
	u32 i, n, k;

	vcu_ring_copy(r, r->tail, &rec, sizeof(rec), false);
	if (rec.seq != r->seq_in || rec.len != vcu_rec_len(r->seq_in))
		return false;
	for (i = 0; i < rec.len; i += n) {
		n = min_t(u32, sizeof(chunk), rec.len - i);
		vcu_ring_copy(r, r->tail + sizeof(rec) + i, chunk, n, false);
		for (k = 0; k < n; k++)
			if (chunk[k] != vcu_rec_byte(rec.seq, i + k))
				return false;
	}
	r->tail += vcu_rec_space(rec.seq);
	r->seq_in++;
	return true;
}

/*
 * Passes four ring sizes' worth of records through the ring, filling it and
 * draining half of it in turn, and leaves it about half full: those records
 * are carried into the next ring.
 */
static bool vcu_ring_work(struct vcu_ring *r)
{
	u64 start = r->head, consumed = 0;
	u32 seq0 = r->seq_in;

	while (r->head - start < 4 * (u64)r->size) {
		while (vcu_ring_produce(r))
			;
		while (r->head - r->tail > r->size / 2) {
			if (!vcu_ring_consume(r)) {
				vcu_diag("ring: record %u is wrong", r->seq_in);
				return false;
			}
			consumed++;
		}
	}
	vcu_diag("ring: %lu KiB %s, %llu KiB through it, %u records checked",
		 r->size >> 10, vcu_kind(r->buf), (r->head - start) >> 10,
		 r->seq_in - seq0);
	vcu_diag("ring: %llu KiB (%u records) left in it",
		 (r->head - r->tail) >> 10, r->seq_out - r->seq_in);
	return consumed && r->head - r->tail <= r->size;
}

static bool vcu_ring_init(struct vcu_ring *r)
{
	r->buf = vcompound_alloc(GFP_KERNEL, ring_order);
	if (!r->buf)
		return false;
	r->size = PAGE_SIZE << ring_order;
	r->head = 0;
	r->tail = 0;
	r->seq_out = 0;
	r->seq_in = 0;
	return true;
}

/* Carries the unconsumed records of @old over into the new, empty @new. */
static void vcu_ring_move(struct vcu_ring *new, struct vcu_ring *old)
{
	u8 chunk[256];
	u64 pos;

	new->tail = old->tail;
	new->seq_out = old->seq_out;
	new->seq_in = old->seq_in;
	for (pos = old->tail; pos < old->head; pos += sizeof(chunk)) {
		unsigned long n = min_t(u64, sizeof(chunk), old->head - pos);

		vcu_ring_copy(old, pos, chunk, n, false);
		vcu_ring_copy(new, pos, chunk, n, true);
	}
	new->head = old->head;
}

/* -------------------------------------------------------------- phases */

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
	if (!vcu_table_init(&nt))
		return false;
	*rehashed = vcu_rehash(&nt, &vcu_table);
	vcompound_free(vcu_table.buckets);
	vcu_table = nt;

	if (fragmented)
		vct_hold_free_blocks(1);
	if (!vcu_ring_init(&nr))
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
	if (!vcu_table_init(&vcu_table))
		return -ENOMEM;
	if (!vcu_ring_init(&vcu_ring)) {
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
	vcu_slabs(&phys, &virt);
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
	vcu_flows = vcache_create("vcusers_flow", sizeof(struct vcu_flow), 0,
				  VCACHE_VFALLBACK, NULL);
	if (!vcu_flows)
		return -ENOMEM;
	vcu_phase = 1;
	ret = vcu_phase1();
	if (ret) {
		vcache_destroy(vcu_flows);
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
	vcache_destroy(vcu_flows);
	vcompound_free(vcu_table.buckets);
	vcompound_free(vcu_ring.buf);
}

module_init(vcu_init);
module_exit(vcu_exit);

VCOMPOUND_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("vcompound demo: a hash table, its objects' cache and a ring buffer converted from vmalloc, physical, virtual when memory is fragmented, and physical again");
