// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_ZONE_PER_CPU_PAGESET: struct zone's per-CPU page lists are
 * zone->per_cpu_pageset (struct per_cpu_pages).
 *
 * v5.14 split the per-CPU page lists from the per-CPU zone statistics
 * (Mel Gorman, 28f836b6777b "mm/page_alloc: split per cpu page lists and
 * zone stats"); before, they were zone->pageset->pcp.  Only the
 * self-test reads them, to count free pages that sit on those lists.
 */
#include <linux/module.h>
#include <linux/mmzone.h>
#include <linux/percpu.h>

static struct zone probe_zone;

static int __init probe_init(void)
{
	return per_cpu_ptr(probe_zone.per_cpu_pageset, 0)->count;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
