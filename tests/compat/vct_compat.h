/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel differences only the test modules meet, from the probes in
 * tests/compat/probes (the module's own are compat/'s).
 */
#ifndef _VCT_COMPAT_H
#define _VCT_COMPAT_H

#include <linux/mmzone.h>
#include <linux/percpu.h>

/*
 * vct_zone_pcp_pages - free pages of @zone held on its per-CPU lists, which
 * NR_FREE_PAGES leaves out.  A racy sum, for the tests' free-memory checks.
 */
static inline unsigned long vct_zone_pcp_pages(struct zone *zone)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
#if defined(VC_HAVE_ZONE_PER_CPU_PAGESET)
		sum += READ_ONCE(per_cpu_ptr(zone->per_cpu_pageset, cpu)->count);
#else
		sum += READ_ONCE(per_cpu_ptr(zone->pageset, cpu)->pcp.count);
#endif
	}
	return sum;
}

#endif /* _VCT_COMPAT_H */
