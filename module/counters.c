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
	st->deferred_pending = defer_queued - defer_done;
}
