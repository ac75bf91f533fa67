// SPDX-License-Identifier: GPL-2.0
/*
 * Giving back the descriptors that the per-CPU magazines keep (vblock.c):
 * a shrinker under memory pressure, vcompound_shrink() on request, and
 * the magazines of a CPU that went offline.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>

#include "vcompound_internal.h"
#include "vcompat_shrinker.h"

/*
 * A magazine is emptied on its own CPU, under its local lock, by a work
 * item bound there: local_lock() excludes only that CPU's users.  One
 * that runs elsewhere (its CPU went offline meanwhile) empties the
 * magazines of the CPU it runs on, which is just as safe; the dead CPU's
 * teardown empties those.
 */
static struct work_struct __percpu *vc_mag_work;
static struct shrinker *vc_mag_shrinker;
static int vc_mag_cpuhp_state;

static void vc_mag_work_fn(struct work_struct *work)
{
	vc_desc_mag_release_local();
}

/* Queue the release on @cpu; the descriptors kept there. */
static unsigned long vc_mag_queue(unsigned int cpu)
{
	unsigned long kept = vc_desc_kept(cpu, -1);

	if (kept)
		queue_work_on(cpu, vc_defer_wq, per_cpu_ptr(vc_mag_work, cpu));
	return kept;
}

/**
 * vcompound_shrink - give back the block descriptors kept for reuse
 *
 * Each CPU keeps the descriptors of the virtual blocks it freed, up to 32
 * per order, for the next blocks of those orders; the shrinker frees them
 * under memory pressure.  This frees those kept when it is called, for a
 * client that has just freed many blocks and will not allocate soon.
 * The blocks themselves are not touched: their pages went back when they
 * were freed (or, for frees deferred to a worker, go back when the
 * worker runs: vcompound_drain() waits for it).
 *
 * Context: Process context; may sleep.
 */
void vcompound_shrink(void)
{
	unsigned int cpu;

	might_sleep();
	cpus_read_lock();
	for_each_online_cpu(cpu)
		vc_mag_queue(cpu);
	for_each_online_cpu(cpu)
		flush_work(per_cpu_ptr(vc_mag_work, cpu));
	cpus_read_unlock();
}
EXPORT_SYMBOL_GPL(vcompound_shrink);

static unsigned long vc_mag_shrink_count(struct shrinker *s,
					 struct shrink_control *sc)
{
	return vc_desc_kept(-1, -1);
}

/*
 * Every CPU's magazines at once, whatever @sc->nr_to_scan says: each is
 * a few hundred descriptors at most.  The work items free them after the
 * return, which counts them as freed.  No cpus_read_lock() here: reclaim
 * may run under the hotplug lock held for writing.
 */
static unsigned long vc_mag_shrink_scan(struct shrinker *s,
					struct shrink_control *sc)
{
	unsigned long queued = 0;
	unsigned int cpu;

	for_each_online_cpu(cpu)
		queued += vc_mag_queue(cpu);
	return queued ? queued : SHRINK_STOP;
}

/* On a surviving CPU once @cpu is dead: nothing uses its magazines. */
static int vc_mag_cpu_dead(unsigned int cpu)
{
	vc_desc_mag_release_dead(cpu);
	return 0;
}

/**
 * vc_vblock_reclaim_init - the shrinker and the CPU teardown of magazines
 *
 * After vc_defer_init(): the work items run on its workqueue.
 *
 * Context: Module init.
 * Return: 0, -ENOMEM or the error of cpuhp_setup_state_nocalls().
 */
int vc_vblock_reclaim_init(void)
{
	int cpu, ret;

	vc_mag_work = alloc_percpu(struct work_struct);
	if (!vc_mag_work)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		INIT_WORK(per_cpu_ptr(vc_mag_work, cpu), vc_mag_work_fn);
	/* A PREPARE state: its teardown runs after the CPU is dead. */
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					"vcompound/vblock:dead", NULL,
					vc_mag_cpu_dead);
	if (ret < 0)
		goto free_work;
	vc_mag_cpuhp_state = ret;
	vc_mag_shrinker = vc_shrinker_register("vcompound-vblock",
					       vc_mag_shrink_count,
					       vc_mag_shrink_scan);
	if (!vc_mag_shrinker) {
		ret = -ENOMEM;
		goto remove_state;
	}
	return 0;

remove_state:
	cpuhp_remove_state_nocalls(vc_mag_cpuhp_state);
free_work:
	free_percpu(vc_mag_work);
	return ret;
}

/**
 * vc_vblock_reclaim_exit - undo vc_vblock_reclaim_init()
 *
 * Before vc_defer_exit() destroys the workqueue.  What the magazines
 * still keep, vc_vblock_exit() frees.
 *
 * Context: Module exit.
 */
void vc_vblock_reclaim_exit(void)
{
	int cpu;

	vc_shrinker_unregister(vc_mag_shrinker);
	cpuhp_remove_state_nocalls(vc_mag_cpuhp_state);
	for_each_possible_cpu(cpu)
		cancel_work_sync(per_cpu_ptr(vc_mag_work, cpu));
	free_percpu(vc_mag_work);
}
