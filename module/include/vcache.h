/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcache - a slab front end on vcompound blocks
 *
 * Object caches in the manner of kmem_cache.  A cache created with
 * VCACHE_VFALLBACK takes its slabs from vcompound_alloc(), so it can use
 * large slab orders (many objects per slab, rare slow paths) without
 * failing when memory is fragmented: such slabs fall back to virtual
 * blocks.  Without the flag, slabs are physical only, with a SLUB-like
 * order limit and a fallback to the smallest order that fits an object.
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

/* What debugfs vcompound/vcacheinfo prints for one cache. */
struct vcache_info {
	unsigned long active_objs;	/* allocated and not freed */
	unsigned long num_objs;		/* capacity of all slabs */
	unsigned int objsize;		/* size asked for */
	unsigned int objperslab;
	unsigned int pagesperslab;	/* at the cache's preferred order */
	unsigned long physical_slabs;
	unsigned long virtual_slabs;
	unsigned long slab_pages;	/* pages in all slabs, both kinds */
	unsigned long debug_errors;	/* misuse caught by VCACHE_DEBUG */
};

void vcache_get_info(struct vcache *c, struct vcache_info *info);

#endif /* _VCACHE_H */
