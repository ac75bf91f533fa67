// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per-CPU so the hot paths never share a cache line, summed on
 * read.  The sums are exact whenever no allocation or free is in flight.
 */
#include <linux/percpu.h>
#include <linux/string.h>

#include "vcompound_internal.h"

DEFINE_PER_CPU(struct vc_counters, vc_counters);

/* Sets @st to the sums over all CPUs; what is derived from them stays 0. */
void vc_counters_sum(struct vcompound_stats *st)
{
	unsigned long defer_done = 0, defer_queued = 0;
	unsigned int o;
	int cpu;

#define VC_X_SUM_ORDER(name, meaning)	os->name += READ_ONCE(c->name[o]);
#define VC_X_SUM_ONCE(name, meaning)	st->name += READ_ONCE(c->name);
	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct vc_counters *c = per_cpu_ptr(&vc_counters, cpu);

		for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
			struct vcompound_order_stats *os = &st->order[o];

			VCOMPOUND_ORDER_COUNTERS(VC_X_SUM_ORDER)
			if (o > VC_RESERVE_MAX_ORDER)
				continue;
			VCOMPOUND_RESERVE_COUNTERS(VC_X_SUM_ORDER)
		}
		VCOMPOUND_REFUSAL_COUNTERS(VC_X_SUM_ONCE)
		defer_queued += READ_ONCE(c->defer_queued);
		defer_done += READ_ONCE(c->defer_done);
	}
#undef VC_X_SUM_ONCE
#undef VC_X_SUM_ORDER
	st->deferred_pending = defer_queued - defer_done;
}

/* The sums of the trimmed_* counters (vcompound_internal.h). */
void vc_counters_trimmed(unsigned long *physical, unsigned long *virtual)
{
	int cpu;

	*physical = 0;
	*virtual = 0;
	for_each_possible_cpu(cpu) {
		const struct vc_counters *c = per_cpu_ptr(&vc_counters, cpu);

		*physical += READ_ONCE(c->trimmed_physical);
		*virtual += READ_ONCE(c->trimmed_virtual);
	}
}
