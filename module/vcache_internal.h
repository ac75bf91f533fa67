/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcache internals.
 *
 * A slab is one vcompound block.  Its header (struct vcache_slab) sits at
 * the start of the block, so an object finds its slab in O(1) through the
 * block lookup that vcompound already does for any interior address.  The
 * objects follow, one slot of c->stride bytes each:
 *
 *   normal:          [object (free pointer in it while free)]
 *   with a ctor:     [object][free pointer]
 *   VCACHE_DEBUG:    [red zone][object][red zone][free pointer][state]
 *
 * Allocation and free go through a per-CPU array of objects with only
 * local interrupts disabled; the per-node slab lists and their lock are
 * touched once per batch.  Debug caches skip the arrays so that every
 * free is checked when it happens.
 *
 * Frees come from any context, hard interrupts included, also on
 * PREEMPT_RT: so the node lock is a raw spinlock, held for list work only,
 * and slabs left empty are released after it and the interrupts-off
 * section end.  Only the CPU itself touches its array, with interrupts
 * off: vcache_shrink() flushes remote arrays by work items queued on their
 * CPUs, and a CPU that went offline has its arrays flushed by the hotplug
 * callback that runs once it is dead.
 */
#ifndef _VCACHE_INTERNAL_H
#define _VCACHE_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include <vcache.h>
#include "vcompound_internal.h"

#define VCACHE_NAME_LEN		32
#define VCACHE_MAX_SIZE		(256 * 1024)
#define VCACHE_CPU_MAX		64	/* objects a CPU may keep */
#define VCACHE_KEEP_EMPTY	1	/* empty slabs a node keeps for reuse */
#define VCACHE_DEBUG_RZ		16	/* minimum red zone, bytes */

/*
 * @hint_start..@hint_end is the last slab a free on this CPU was checked
 * against: an object inside it needs no lookup while the cache's
 * slab_gen is still @hint_gen, i.e. no slab was released since.
 */
struct vcache_cpu {
	unsigned int avail;
	unsigned long hint_gen;
	const void *hint_start;
	const void *hint_end;
	void *entry[VCACHE_CPU_MAX];
};

struct vcache_node {
	raw_spinlock_t lock;		/* frees come from hard irq, also on RT */
	struct list_head partial;	/* some objects free */
	struct list_head full;		/* no object free */
	struct list_head empty;		/* every object free */
	unsigned long nr_empty;
	unsigned long free_objs;	/* on the slabs' free lists */
};

struct vcache {
	struct list_head list;		/* on vcache_list, under vcache_mutex */
	char name[VCACHE_NAME_LEN];
	unsigned long flags;
	void (*ctor)(void *obj);
	unsigned int size;		/* object size asked for */
	unsigned int align;
	unsigned int stride;		/* bytes per slot */
	unsigned int obj_off;		/* object's offset in its slot */
	unsigned int fp_off;		/* free pointer's offset in the slot */
	unsigned int state_off;		/* VCACHE_DEBUG: state word */
	unsigned int hdr;		/* worst-case first slot offset */
	unsigned int order;		/* preferred slab order */
	unsigned int min_order;		/* smallest order that fits a slot */
	unsigned int cpu_limit;		/* objects per CPU array */
	unsigned int batch;		/* objects moved per refill/flush */
	struct vcache_cpu __percpu *cpu;
	struct kobject *kobj;		/* vcache/<name>/ in sysfs.c */
	atomic_long_t physical_slabs;
	atomic_long_t virtual_slabs;
	atomic_long_t slab_pages;
	atomic_long_t total_objs;
	atomic_long_t debug_errors;
	atomic_long_t quarantined;	/* corrupted objects never reused */
	atomic_long_t slab_gen;		/* bumped before a slab is released */
	struct vcache_node *node[];	/* nr_node_ids */
};

struct vcache_slab {
	struct vcache *cache;
	struct list_head list;		/* on a vcache_node list */
	void *freelist;
	unsigned int inuse;
	unsigned int objects;
	unsigned int first;		/* first slot's offset in the block */
	unsigned int order;
	int nid;
	bool virt;
};

extern struct list_head vcache_list;
extern struct mutex vcache_mutex;

static inline void **vcache_fp(const struct vcache *c, void *obj)
{
	return obj - c->obj_off + c->fp_off;
}

static inline void *vcache_slot_obj(const struct vcache *c,
				    struct vcache_slab *slab, unsigned int i)
{
	return (void *)slab + slab->first + (size_t)i * c->stride + c->obj_off;
}

/* vcache.c */
void vcache_release_slab(struct vcache_slab *slab);
void vcache_flush_cpu(struct vcache *c, struct vcache_cpu *ac,
		      unsigned int count, struct list_head *release);
void vcache_release_list(struct list_head *release);
unsigned long vcache_reap(struct vcache *c, unsigned long max_pages);
int vcache_init(void);
void vcache_exit(void);

/* vcache_debug.c */
unsigned long vcache_obj_pfn(const void *obj);
void vcache_debug_layout(struct vcache *c);
void vcache_debug_init_obj(struct vcache *c, void *obj);
bool vcache_debug_alloc_ok(struct vcache *c, void *obj);
bool vcache_debug_free_ok(struct vcache *c, struct vcache_slab *slab,
			  void *obj);

/* vcache_reclaim.c */
int vcache_reclaim_init(void);
void vcache_reclaim_exit(void);

#endif /* _VCACHE_INTERNAL_H */
