/* SPDX-License-Identifier: GPL-2.0 */
/**
 * DOC: vcache
 *
 * vcache is a slab front end on vcompound blocks: object caches in the
 * manner of kmem_cache.  A cache created with VCACHE_VFALLBACK takes its
 * slabs from vcompound_alloc(), so it can use large slab orders (many
 * objects per slab, rare slow paths) without failing when memory is
 * fragmented: such slabs fall back to virtual blocks.  Without the flag,
 * slabs are physical only, with a SLUB-like order limit and a fallback to
 * the smallest order that fits an object.
 */
#ifndef _VCACHE_H
#define _VCACHE_H

#include <linux/gfp.h>
#include <linux/types.h>

struct vcache;

/* Slabs come from vcompound_alloc() and may be virtual; large orders. */
#define VCACHE_VFALLBACK	0x1UL
/* Align objects to the cache line. */
#define VCACHE_HWCACHE_ALIGN	0x2UL
/* Red zones, poisoning and double-free checks on every alloc and free. */
#define VCACHE_DEBUG		0x4UL

struct vcache *vcache_create(const char *name, unsigned int size,
			     unsigned int align, unsigned long flags,
			     void (*ctor)(void *));
void *vcache_alloc(struct vcache *c, gfp_t gfp);
void *vcache_alloc_node(struct vcache *c, gfp_t gfp, int nid);
void vcache_free(struct vcache *c, void *obj);
void vcache_shrink(struct vcache *c);
void vcache_destroy(struct vcache *c);

/**
 * struct vcache_info - one cache's state, as vcache_get_info() fills it in
 * @active_objs: objects allocated and not freed
 * @num_objs: objects all the cache's slabs hold, free ones included
 * @objsize: the object size asked for at vcache_create()
 * @objperslab: objects in a slab of the cache's preferred order
 * @pagesperslab: pages in a slab of the cache's preferred order
 * @physical_slabs: slabs that are physical blocks
 * @virtual_slabs: slabs that are virtual blocks (VCACHE_VFALLBACK only)
 * @slab_pages: pages in all slabs, both kinds
 * @debug_errors: misuse caught by VCACHE_DEBUG (red zones, poison,
 *	double frees)
 *
 * What vcompound prints for the cache in its vcacheinfo listing.
 */
struct vcache_info {
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned int objsize;
	unsigned int objperslab;
	unsigned int pagesperslab;
	unsigned long physical_slabs;
	unsigned long virtual_slabs;
	unsigned long slab_pages;
	unsigned long debug_errors;
};

void vcache_get_info(struct vcache *c, struct vcache_info *info);

#endif /* _VCACHE_H */
