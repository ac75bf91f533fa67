// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per-CPU so the hot paths never share a cache line, summed on
 * read.  The sums are exact whenever no allocation or free is in flight.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vcache_internal.h"

DEFINE_PER_CPU(struct vc_counters, vc_counters);

static struct dentry *vc_debugfs_dir;

/**
 * vcompound_get_stats - snapshot of vcompound's counters
 * @st: filled in with the sums over all CPUs
 *
 * Context: Any context but NMI.
 */
void vcompound_get_stats(struct vcompound_stats *st)
{
	unsigned long defer_done = 0, defer_queued = 0;
	unsigned int o, target;
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct vc_counters *c = per_cpu_ptr(&vc_counters, cpu);

		for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
			struct vcompound_order_stats *os = &st->order[o];

			os->physical += READ_ONCE(c->physical[o]);
			os->virtual += READ_ONCE(c->virtual[o]);
			os->failed += READ_ONCE(c->failed[o]);
			os->freed_physical += READ_ONCE(c->freed_physical[o]);
			os->freed_virtual += READ_ONCE(c->freed_virtual[o]);
			os->deferred += READ_ONCE(c->deferred[o]);
			if (o > VC_RESERVE_MAX_ORDER)
				continue;
			os->reserve_taken += READ_ONCE(c->reserve_taken[o]);
			os->reserve_empty += READ_ONCE(c->reserve_empty[o]);
			os->reserve_built += READ_ONCE(c->reserve_built[o]);
		}
		defer_queued += READ_ONCE(c->defer_queued);
		defer_done += READ_ONCE(c->defer_done);
		st->bad_free += READ_ONCE(c->bad_free);
		st->interior_free += READ_ONCE(c->interior_free);
		st->order_refused += READ_ONCE(c->order_refused);
		st->gfp_refused += READ_ONCE(c->gfp_refused);
	}
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		struct vcompound_order_stats *os = &st->order[o];
		unsigned long phys = os->physical - os->freed_physical;
		unsigned long virt = os->virtual - os->freed_virtual;

		st->outstanding_physical += phys;
		st->outstanding_physical_bytes += (u64)phys << (PAGE_SHIFT + o);
		st->outstanding_virtual += virt;
		st->outstanding_virtual_bytes += (u64)virt << (PAGE_SHIFT + o);
		os->reserve_level = vc_reserve_level(o, &target);
		os->reserve_target = target;
	}
	st->deferred_pending = defer_queued - defer_done;
}
EXPORT_SYMBOL_GPL(vcompound_get_stats);

static int vc_stats_show(struct seq_file *m, void *unused)
{
	struct vcompound_stats *st;
	unsigned int o;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	vcompound_get_stats(st);

	seq_printf(m, "%5s %10s %10s %10s %10s %10s %10s %10s %10s\n",
		   "order", "physical", "virtual", "failed", "freed",
		   "deferred", "rsv_taken", "rsv_empty", "rsv_level");
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		const struct vcompound_order_stats *os = &st->order[o];

		if (o > vc_max_order() && !os->physical && !os->virtual &&
		    !os->failed)
			continue;
		seq_printf(m, "%5u %10lu %10lu %10lu %10lu %10lu %10lu %10lu %10lu\n",
			   o, os->physical, os->virtual, os->failed,
			   os->freed_physical + os->freed_virtual,
			   os->deferred, os->reserve_taken, os->reserve_empty,
			   os->reserve_level);
	}
	seq_printf(m, "outstanding physical: %lu blocks, %llu bytes\n",
		   st->outstanding_physical, st->outstanding_physical_bytes);
	seq_printf(m, "outstanding virtual:  %lu blocks, %llu bytes\n",
		   st->outstanding_virtual, st->outstanding_virtual_bytes);
	seq_printf(m, "deferred pending:     %lu\n", st->deferred_pending);
	seq_printf(m, "refused: bad_free %lu interior_free %lu order %lu gfp %lu\n",
		   st->bad_free, st->interior_free, st->order_refused,
		   st->gfp_refused);
	vc_fault_stats_show(m);
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vc_stats);

DEFINE_SHOW_ATTRIBUTE(vcache_info);

void vc_stats_debugfs_init(void)
{
	/* debugfs is optional: failures leave the allocator fully working. */
	vc_debugfs_dir = debugfs_create_dir("vcompound", NULL);
	debugfs_create_file("stats", 0400, vc_debugfs_dir, NULL,
			    &vc_stats_fops);
	debugfs_create_file("vcacheinfo", 0400, vc_debugfs_dir, NULL,
			    &vcache_info_fops);
	vc_fault_debugfs_init(vc_debugfs_dir);
}

void vc_stats_debugfs_exit(void)
{
	debugfs_remove_recursive(vc_debugfs_dir);
	vc_fault_debugfs_exit();
}
