// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics: vcompound_get_stats() (counters.c's sums and what
 * follows from them), debugfs vcompound/ with its stats file, and the
 * check at unload for blocks clients still hold.
 *
 * The stats file is a debugging aid beside sysfs (sysfs.c), the interface
 * for administrators: one read shows every counter from one summing, a
 * snapshot that the one-value files of sysfs cannot give.
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vcompound_internal.h"

static struct dentry *vc_debugfs_dir;

/**
 * vcompound_get_stats - snapshot of vcompound's counters
 * @st: filled in with the sums over all CPUs
 *
 * Context: Any context but NMI.
 */
void vcompound_get_stats(struct vcompound_stats *st)
{
	unsigned long trimmed_phys, trimmed_virt;
	unsigned int o, target;

	vc_counters_sum(st);
	/* Sized blocks are counted at their order, without these pages. */
	vc_counters_trimmed(&trimmed_phys, &trimmed_virt);
	st->outstanding_physical_bytes -= (u64)trimmed_phys << PAGE_SHIFT;
	st->outstanding_virtual_bytes -= (u64)trimmed_virt << PAGE_SHIFT;
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
		os->desc_kept = vc_desc_kept(-1, o);
	}
}
EXPORT_SYMBOL_GPL(vcompound_get_stats);

/* A column as wide as its name, and never under 10 characters. */
#define VC_COL(name)	((int)max(sizeof(#name) - 1, (size_t)10))
#define VC_X_HEAD(name, meaning)	seq_printf(m, " %*s", VC_COL(name), #name);
#define VC_X_CELL(name, meaning)	seq_printf(m, " %*lu", VC_COL(name), os->name);
#define VC_X_PAIR(name, meaning)	seq_printf(m, " %s %lu", #name, st->name);

/*
 * One row per order (above max_order only if it has counts), one column
 * per counter, then the totals as "label: key value ..." lines.
 */
static int vc_stats_show(struct seq_file *m, void *unused)
{
	struct vcompound_stats *st;
	unsigned int o;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	vcompound_get_stats(st);

	seq_printf(m, "%5s", "order");
	VCOMPOUND_ORDER_COUNTERS(VC_X_HEAD)
	VCOMPOUND_RESERVE_COUNTERS(VC_X_HEAD)
	VC_ORDER_STATE(VC_X_HEAD)
	seq_putc(m, '\n');
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		const struct vcompound_order_stats *os = &st->order[o];

		if (o > vc_max_order() && !os->physical && !os->virtual &&
		    !os->failed)
			continue;
		seq_printf(m, "%5u", o);
		VCOMPOUND_ORDER_COUNTERS(VC_X_CELL)
		VCOMPOUND_RESERVE_COUNTERS(VC_X_CELL)
		VC_ORDER_STATE(VC_X_CELL)
		seq_putc(m, '\n');
	}
	seq_printf(m, "outstanding physical: %lu blocks, %llu bytes\n",
		   st->outstanding_physical, st->outstanding_physical_bytes);
	seq_printf(m, "outstanding virtual:  %lu blocks, %llu bytes\n",
		   st->outstanding_virtual, st->outstanding_virtual_bytes);
	seq_printf(m, "deferred pending:     %lu\n", st->deferred_pending);
	seq_puts(m, "refused:");
	VCOMPOUND_REFUSAL_COUNTERS(VC_X_PAIR)
	seq_putc(m, '\n');
	vc_fault_stats_show(m);
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vc_stats);

void vc_stats_init(void)
{
	/* debugfs is optional: failures leave the allocator fully working. */
	vc_debugfs_dir = debugfs_create_dir("vcompound", NULL);
	debugfs_create_file("stats", 0400, vc_debugfs_dir, NULL,
			    &vc_stats_fops);
	vc_fault_debugfs_init(vc_debugfs_dir);
}

void vc_stats_exit(void)
{
	debugfs_remove_recursive(vc_debugfs_dir);
	vc_fault_debugfs_exit();
}

/* debugfs vcompound/, for vcache's file; an error pointer without debugfs. */
struct dentry *vc_debugfs_root(void)
{
	return vc_debugfs_dir;
}

/*
 * At unload, once the deferred frees are done: blocks still held by a
 * client cannot be taken back and are leaked (lookup.c tells kmemleak).
 * Without memory for the stats the warning is lost.
 */
void vc_stats_warn_outstanding(void)
{
	struct vcompound_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);

	if (!st)
		return;
	vcompound_get_stats(st);
	if (st->outstanding_physical || st->outstanding_virtual)
		pr_warn("vcompound: unloading with %lu physical and %lu virtual blocks still allocated; leaking them\n",
			st->outstanding_physical, st->outstanding_virtual);
	kfree(st);
}
