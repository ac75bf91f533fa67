// SPDX-License-Identifier: GPL-2.0
/*
 * Ids of virtual blocks, and the table that maps an id back to its
 * descriptor for the lookups (lookup.c).
 *
 * An id is (chunk << VC_ID_CHUNK_SHIFT | slot).  Chunks of VC_ID_CHUNK
 * slots are allocated as ids are needed and kept until unload, numbered
 * from 1 without gaps, in a directory indexed by chunk: a lookup is two
 * loads (the directory's chunk, then its slot), with no lock.  A slot
 * holds the descriptor of a registered block, or an odd value while its id
 * is free: a link to the next free id (VC_ID_LINK()) on the global free
 * list, or VC_ID_CACHED while a CPU's cache holds the id.  A directory
 * that is full is copied into one twice its size; the old one is kept
 * until unload, as a lookup may still read it, so that no lookup needs
 * RCU for it (together they are smaller than the newest).
 *
 * Why not xa_alloc() and xa_erase() per block, as before: with the
 * xarray's irq-safe lock and its free marks they cost about 730 ns-equiv
 * of a block's alloc+free (tests/bench, P2: 17% of an order-1 block).
 * Here a block takes and gives back an id from its CPU's cache under a
 * local lock; the global list, under a spinlock, moves ids between CPUs
 * in batches, so that ids freed on one CPU serve allocations on another
 * and the table stays as large as the most blocks ever registered at
 * once.  Nor an xarray of chunks, as next: its xa_load() cost about 107
 * ns-equiv, and a block's register, lookup and unregister made three.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>
/* After spinlock.h: on PREEMPT_RT (6.12) local_lock.h uses spinlock_t. */
#include <linux/local_lock.h>
#include <linux/mutex.h>

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

/* Chunk pointers [1, nr); [0] is unused, as id 0 means none. */
struct vc_id_dir {
	struct vc_id_dir *older;	/* freed at unload */
	unsigned long nr;
	struct vc_id_chunk *chunk[];
};

static struct vc_id_dir *vc_id_dir;
static unsigned long vc_id_chunks;	/* the highest chunk index in use */
static DEFINE_MUTEX(vc_id_grow_lock);

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

/* The chunk of index @c, or NULL. */
static struct vc_id_chunk *vc_id_chunk_of(unsigned long c)
{
	/* Published with release; a directory is never freed before unload. */
	struct vc_id_dir *dir = smp_load_acquire(&vc_id_dir);

	if (!dir || c >= dir->nr)
		return NULL;
	/* The chunk's slots were written before it was published. */
	return smp_load_acquire(&dir->chunk[c]);
}

static unsigned long *vc_id_slot(u32 id)
{
	struct vc_id_chunk *chunk = vc_id_chunk_of(id >> VC_ID_CHUNK_SHIFT);

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
 * Publish @chunk as the one of index @c, copying the directory into one
 * twice its size if it is full.  The grow lock held.
 */
static int vc_id_publish(struct vc_id_chunk *chunk, unsigned long c,
			 gfp_t gfp)
{
	struct vc_id_dir *dir = vc_id_dir, *bigger;
	unsigned long nr;

	if (!dir || c >= dir->nr) {
		nr = dir ? dir->nr * 2 : VC_ID_CHUNK;
		bigger = kvzalloc(struct_size(bigger, chunk, nr), gfp);
		if (!bigger)
			return -ENOMEM;
		bigger->nr = nr;
		bigger->older = dir;
		if (dir)
			memcpy(bigger->chunk, dir->chunk,
			       dir->nr * sizeof(*dir->chunk));
		/* The copy before the pointer that leads to it. */
		smp_store_release(&vc_id_dir, bigger);
		dir = bigger;
	}
	/* The chunk's slots before the pointer that leads to them. */
	smp_store_release(&dir->chunk[c], chunk);
	return 0;
}

/*
 * A new chunk, its ids on the global list but for the first, which is
 * returned.  A chunk index above what page->private can carry is -EBUSY.
 */
static int vc_id_grow(gfp_t gfp, u32 *first)
{
	struct vc_id_chunk *chunk;
	u32 index, base, i;
	int ret = -EBUSY;

	chunk = kzalloc(sizeof(*chunk), gfp);
	if (!chunk)
		return -ENOMEM;
	/* Zeroed slots read as unregistered until the list links them. */
	chunk->slot[0] = VC_ID_CACHED;
	mutex_lock(&vc_id_grow_lock);
	index = vc_id_chunks + 1;
	if (index <= VC_ID_MAX >> VC_ID_CHUNK_SHIFT)
		ret = vc_id_publish(chunk, index, gfp);
	if (!ret)
		WRITE_ONCE(vc_id_chunks, index);
	mutex_unlock(&vc_id_grow_lock);
	if (ret) {
		kfree(chunk);
		return ret;
	}
	base = index << VC_ID_CHUNK_SHIFT;
	*first = base;
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
	unsigned long c = *id >> VC_ID_CHUNK_SHIFT, v;
	unsigned int i = *id & (VC_ID_CHUNK - 1);
	struct vc_id_chunk *chunk;

	for (; c <= READ_ONCE(vc_id_chunks); c++, i = 0) {
		chunk = vc_id_chunk_of(c);
		if (!chunk)
			continue;
		for (; i < VC_ID_CHUNK; i++) {
			v = READ_ONCE(chunk->slot[i]);
			if (v && !(v & 1)) {
				*id = c << VC_ID_CHUNK_SHIFT | i;
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
	struct vc_id_dir *dir = vc_id_dir, *older;
	unsigned long c;

	for (c = 1; dir && c < dir->nr; c++)
		kfree(dir->chunk[c]);
	for (; dir; dir = older) {
		older = dir->older;
		kvfree(dir);
	}
}
