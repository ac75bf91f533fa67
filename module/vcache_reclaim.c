// SPDX-License-Identifier: GPL-2.0
/*
 * Giving vcache memory back: vcache_shrink() on request, and a shrinker
 * that releases empty slabs under memory pressure.
 */
#include <linux/mutex.h>
#include <linux/smp.h>

#include "vcache_internal.h"
#include "vcompat_shrinker.h"

static struct shrinker *vcache_shrinker;

static void vcache_flush_this_cpu(void *arg)
{
	struct vcache *c = arg;
	struct vcache_cpu *ac = this_cpu_ptr(c->cpu);

	vcache_flush_cpu(c, ac, ac->avail);
}

/**
 * vcache_shrink - give back every empty slab of a cache
 * @c: the cache
 *
 * Objects cached by each CPU go back to their slabs first, so every slab
 * without a live object is released.
 *
 * Context: Process context, interrupts enabled; may sleep.
 */
void vcache_shrink(struct vcache *c)
{
	on_each_cpu(vcache_flush_this_cpu, c, 1);
	vcache_reap(c, ULONG_MAX);
}
EXPORT_SYMBOL_GPL(vcache_shrink);

/* Kept empty slabs only: flushing CPU arrays would cost an IPI each. */
static unsigned long vcache_shrink_count(struct shrinker *s,
					 struct shrink_control *sc)
{
	unsigned long pages = 0;
	struct vcache *c;
	int nid;

	if (!mutex_trylock(&vcache_mutex))
		return 0;
	list_for_each_entry(c, &vcache_list, list)
		for_each_node(nid)
			pages += READ_ONCE(c->node[nid]->nr_empty) << c->order;
	mutex_unlock(&vcache_mutex);
	return pages;
}

static unsigned long vcache_shrink_scan(struct shrinker *s,
					struct shrink_control *sc)
{
	unsigned long freed = 0;
	struct vcache *c;

	if (!mutex_trylock(&vcache_mutex))
		return SHRINK_STOP;
	list_for_each_entry(c, &vcache_list, list) {
		if (freed >= sc->nr_to_scan)
			break;
		freed += vcache_reap(c, sc->nr_to_scan - freed);
	}
	mutex_unlock(&vcache_mutex);
	return freed ? freed : SHRINK_STOP;
}

int vcache_reclaim_init(void)
{
	vcache_shrinker = vc_shrinker_register("vcompound-vcache",
					       vcache_shrink_count,
					       vcache_shrink_scan);
	return vcache_shrinker ? 0 : -ENOMEM;
}

void vcache_reclaim_exit(void)
{
	vc_shrinker_unregister(vcache_shrinker);
}
