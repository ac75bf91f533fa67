// SPDX-License-Identifier: GPL-2.0
/*
 * Giving vcache memory back: vcache_shrink() on request, the arrays of a
 * CPU that went offline, and a shrinker that releases empty slabs under
 * memory pressure.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/irqflags.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>

#include "vcache_internal.h"
#include "vcompat_shrinker.h"

static struct shrinker *vcache_shrinker;

/*
 * vcache_shrink() flushes each CPU's array on that CPU, from a work item
 * rather than an IPI: the flush may free pages, which PREEMPT_RT does not
 * allow in hard interrupt context.
 */
struct vcache_flush {
	struct work_struct work;
	struct vcache *cache;
};

static struct vcache_flush __percpu *vcache_flush;
/* One vcache_shrink() at a time uses the work items. */
static DEFINE_MUTEX(vcache_flush_mutex);
static int vcache_cpuhp_state;

/* @ac is this CPU's array, or a dead CPU's. */
static void vcache_flush_array(struct vcache *c, struct vcache_cpu *ac)
{
	unsigned long flags;
	LIST_HEAD(release);

	local_irq_save(flags);
	vcache_flush_cpu(c, ac, ac->avail, &release);
	local_irq_restore(flags);
	vcache_release_list(&release);
}

static void vcache_flush_work(struct work_struct *work)
{
	struct vcache_flush *f = container_of(work, struct vcache_flush, work);

	/* A bound worker: this CPU's array stays this CPU's. */
	vcache_flush_array(f->cache, raw_cpu_ptr(f->cache->cpu));
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
	int cpu;

	mutex_lock(&vcache_flush_mutex);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct vcache_flush *f = per_cpu_ptr(vcache_flush, cpu);

		if (!READ_ONCE(per_cpu_ptr(c->cpu, cpu)->avail))
			continue;
		f->cache = c;
		schedule_work_on(cpu, &f->work);
	}
	for_each_online_cpu(cpu)
		flush_work(&per_cpu_ptr(vcache_flush, cpu)->work);
	cpus_read_unlock();
	mutex_unlock(&vcache_flush_mutex);
	vcache_reap(c, ULONG_MAX);
}
EXPORT_SYMBOL_GPL(vcache_shrink);

/*
 * Called on a surviving CPU once @cpu is dead: nothing runs there any
 * more, so its arrays would pin their slabs until it came back.
 */
static int vcache_cpu_dead(unsigned int cpu)
{
	struct vcache *c;

	mutex_lock(&vcache_mutex);
	list_for_each_entry(c, &vcache_list, list)
		vcache_flush_array(c, per_cpu_ptr(c->cpu, cpu));
	mutex_unlock(&vcache_mutex);
	return 0;
}

/* Empty slabs only: flushing CPU arrays would cost a work item each. */
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
	int cpu, ret;

	vcache_flush = alloc_percpu(struct vcache_flush);
	if (!vcache_flush)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		INIT_WORK(&per_cpu_ptr(vcache_flush, cpu)->work,
			  vcache_flush_work);
	/* A PREPARE state: its teardown runs after the CPU is dead. */
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					"vcompound/vcache:dead", NULL,
					vcache_cpu_dead);
	if (ret < 0)
		goto free_flush;
	vcache_cpuhp_state = ret;
	vcache_shrinker = vc_shrinker_register("vcompound-vcache",
					       vcache_shrink_count,
					       vcache_shrink_scan);
	if (!vcache_shrinker) {
		ret = -ENOMEM;
		goto remove_state;
	}
	return 0;

remove_state:
	cpuhp_remove_state_nocalls(vcache_cpuhp_state);
free_flush:
	free_percpu(vcache_flush);
	return ret;
}

void vcache_reclaim_exit(void)
{
	vc_shrinker_unregister(vcache_shrinker);
	cpuhp_remove_state_nocalls(vcache_cpuhp_state);
	free_percpu(vcache_flush);
}
