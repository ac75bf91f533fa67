// SPDX-License-Identifier: GPL-2.0
/*
 * Ids of virtual blocks, and the table that maps an id back to its
 * descriptor for the lookups (lookup.c).
 *
 * An id is (chunk << VC_ID_CHUNK_SHIFT | slot).  Chunks of VC_ID_CHUNK
 * slots are allocated as ids are needed and kept until unload, in an
 * xarray indexed by chunk: a lookup is an xa_load() and a load of the
 * slot, under rcu_read_lock().  A slot holds the descriptor of a
 * registered block, or an odd value while its id is free: a link to the
 * next free id (VC_ID_LINK()) on the global free list, or VC_ID_CACHED
 * while a CPU's cache holds the id.
 *
 * Why not xa_alloc() and xa_erase() per block, as before: with the
 * xarray's irq-safe lock and its free marks they cost about 730 ns-equiv
 * of a block's alloc+free (tests/bench, P2: 17% of an order-1 block).
 * Here a block takes and gives back an id from its CPU's cache under a
 * local lock; the global list, under a spinlock, moves ids between CPUs
 * in batches, so that ids freed on one CPU serve allocations on another
 * and the table stays as large as the most blocks ever registered at
 * once.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>
/* After spinlock.h: on PREEMPT_RT (6.12) local_lock.h uses spinlock_t. */
#include <linux/local_lock.h>
#include <linux/xarray.h>

#include "vcompound_internal.h"

#define VC_ID_CHUNK_SHIFT	6
#define VC_ID_CHUNK		BIT(VC_ID_CHUNK_SHIFT)
#define VC_ID_CACHED		1UL
#define VC_ID_LINK(next)	((unsigned long)(next) << 1 | 1)
/* A CPU's cache holds up to VC_ID_CHUNK ids; refills and spills move half. */
#define VC_ID_BATCH		(VC_ID_CHUNK / 2)

struct vc_id_chunk {
	unsigned long slot[VC_ID_CHUNK];
};

static DEFINE_XARRAY_FLAGS(vc_id_chunks, XA_FLAGS_ALLOC1);

struct vc_id_cache {
	local_lock_t lock;
	unsigned int nr;
	u32 ids[VC_ID_CHUNK];
};

static DEFINE_PER_CPU(struct vc_id_cache, vc_id_cache) = {
	.lock = INIT_LOCAL_LOCK(lock),
};

static DEFINE_SPINLOCK(vc_id_free_lock);
static u32 vc_id_free_head;		/* 0: the list is empty */

static unsigned long *vc_id_slot(u32 id)
{
	struct vc_id_chunk *chunk = xa_load(&vc_id_chunks,
					    id >> VC_ID_CHUNK_SHIFT);

	return chunk ? &chunk->slot[id & (VC_ID_CHUNK - 1)] : NULL;
}

/* Up to @want ids from the global list into @c; the cache's lock held. */
static void vc_id_refill(struct vc_id_cache *c, unsigned int want)
{
	unsigned long *slot;

	spin_lock(&vc_id_free_lock);
	while (want-- && vc_id_free_head) {
		slot = vc_id_slot(vc_id_free_head);
		c->ids[c->nr++] = vc_id_free_head;
		vc_id_free_head = *slot >> 1;
		WRITE_ONCE(*slot, VC_ID_CACHED);
	}
	spin_unlock(&vc_id_free_lock);
}

/* VC_ID_BATCH ids from a full @c to the global list; its lock held. */
static void vc_id_spill(struct vc_id_cache *c)
{
	unsigned int i;
	u32 id;

	spin_lock(&vc_id_free_lock);
	for (i = 0; i < VC_ID_BATCH; i++) {
		id = c->ids[--c->nr];
		WRITE_ONCE(*vc_id_slot(id), VC_ID_LINK(vc_id_free_head));
		vc_id_free_head = id;
	}
	spin_unlock(&vc_id_free_lock);
}

/*
 * A new chunk, its ids on the global list but for the first, which is
 * returned.  A chunk index above what page->private can carry is -EBUSY.
 */
static int vc_id_grow(gfp_t gfp, u32 *first)
{
	struct vc_id_chunk *chunk;
	u32 index, base, i;
	int ret;

	chunk = kzalloc(sizeof(*chunk), gfp);
	if (!chunk)
		return -ENOMEM;
	ret = xa_alloc(&vc_id_chunks, &index, chunk,
		       XA_LIMIT(1, VC_ID_MAX >> VC_ID_CHUNK_SHIFT), gfp);
	if (ret) {
		kfree(chunk);
		return ret;
	}
	base = index << VC_ID_CHUNK_SHIFT;
	*first = base;
	WRITE_ONCE(chunk->slot[0], VC_ID_CACHED);
	spin_lock(&vc_id_free_lock);
	for (i = VC_ID_CHUNK - 1; i > 0; i--) {
		WRITE_ONCE(chunk->slot[i], VC_ID_LINK(vc_id_free_head));
		vc_id_free_head = base + i;
	}
	spin_unlock(&vc_id_free_lock);
	return 0;
}

/**
 * vc_id_register - give @vb an id and publish it to the lookups
 * @vb: a descriptor that lookups do not take for a block yet (its state)
 * @gfp: for a new chunk of ids
 *
 * Context: Process context; may sleep if @gfp allows.
 * Return: 0, -ENOMEM, or -EBUSY when no id is left.
 */
int vc_id_register(struct vc_vblock *vb, gfp_t gfp)
{
	struct vc_id_cache *c;
	u32 id = 0;
	int ret;

	local_lock(&vc_id_cache.lock);
	c = this_cpu_ptr(&vc_id_cache);
	if (!c->nr)
		vc_id_refill(c, VC_ID_BATCH);
	if (c->nr)
		id = c->ids[--c->nr];
	local_unlock(&vc_id_cache.lock);
	if (!id) {
		ret = vc_id_grow(gfp, &id);
		if (ret)
			return ret;
	}
	vb->id = id;
	/* The descriptor's fields before the pointer that leads to them. */
	smp_store_release(vc_id_slot(id), (unsigned long)vb);
	return 0;
}

/**
 * vc_id_unregister - hide @vb from the lookups and free its id
 * @vb: a registered block
 *
 * Context: Process context.
 */
void vc_id_unregister(struct vc_vblock *vb)
{
	struct vc_id_cache *c;

	WRITE_ONCE(*vc_id_slot(vb->id), VC_ID_CACHED);
	local_lock(&vc_id_cache.lock);
	c = this_cpu_ptr(&vc_id_cache);
	if (c->nr == VC_ID_CHUNK)
		vc_id_spill(c);
	c->ids[c->nr++] = vb->id;
	local_unlock(&vc_id_cache.lock);
}

/**
 * vc_id_lookup - the descriptor registered under @id
 * @id: any number
 *
 * The descriptor may be freed, even reused, while the caller reads it:
 * its state word and its id say whether it is still @id's block.
 *
 * Context: Any context but NMI; the caller holds rcu_read_lock().
 * Return: the descriptor, or NULL.
 */
struct vc_vblock *vc_id_lookup(u32 id)
{
	unsigned long *slot = vc_id_slot(id);
	unsigned long v;

	if (!slot)
		return NULL;
	v = READ_ONCE(*slot);
	return (v & 1) ? NULL : (struct vc_vblock *)v;
}

/**
 * vc_id_next - the next registered descriptor, for a walk over all
 * @id: where to start; on return, the id of the descriptor found
 *
 * Start with *@id = 0, continue with *@id + 1.
 *
 * Context: Any context but NMI; the caller holds rcu_read_lock().
 * Return: a descriptor, maybe freed meanwhile (as vc_id_lookup()), or
 * NULL when none is left.
 */
struct vc_vblock *vc_id_next(u32 *id)
{
	unsigned long start = *id >> VC_ID_CHUNK_SHIFT, index = start, v;
	struct vc_id_chunk *chunk;
	unsigned int i;

	for (chunk = xa_find(&vc_id_chunks, &index, ULONG_MAX, XA_PRESENT);
	     chunk;
	     chunk = xa_find_after(&vc_id_chunks, &index, ULONG_MAX,
				   XA_PRESENT)) {
		for (i = index == start ? *id & (VC_ID_CHUNK - 1) : 0;
		     i < VC_ID_CHUNK; i++) {
			v = READ_ONCE(chunk->slot[i]);
			if (v && !(v & 1)) {
				*id = index << VC_ID_CHUNK_SHIFT | i;
				return (struct vc_vblock *)v;
			}
		}
	}
	return NULL;
}

/**
 * vc_id_exit - free the table
 *
 * Context: Module exit, once no id is registered (vc_vblock_exit()).
 */
void vc_id_exit(void)
{
	struct vc_id_chunk *chunk;
	unsigned long index;

	xa_for_each(&vc_id_chunks, index, chunk)
		kfree(chunk);
	xa_destroy(&vc_id_chunks);
}
