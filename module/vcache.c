// SPDX-License-Identifier: GPL-2.0
/*
 * vcache: object caches whose slabs are vcompound blocks.
 *
 * See vcache_internal.h for the slab layout and the locking.
 */
#include <linux/cache.h>
#include <linux/debugfs.h>
#include <linux/irqflags.h>
#include <linux/kmemleak.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>

#include "vcache_internal.h"
#include "vcompound_trace.h"

LIST_HEAD(vcache_list);
/* Protects vcache_list; caches are created and destroyed in process context. */
DEFINE_MUTEX(vcache_mutex);

/*
 * VCACHE_VFALLBACK slabs: at least this size (order 4 with 4 KiB pages,
 * 0 with 64 KiB), and enough objects.
 */
#define VCACHE_VFALLBACK_MIN_BYTES	SZ_64K
#define VCACHE_VFALLBACK_MIN_OBJS	64

static unsigned int vcache_objs(const struct vcache *c, unsigned int order)
{
	return ((PAGE_SIZE << order) - c->hdr) / c->stride;
}

/*
 * Physical-only caches follow SLUB: the smallest order up to
 * PAGE_ALLOC_COSTLY_ORDER that holds enough objects with little waste.
 * VCACHE_VFALLBACK caches need not fear fragmentation, so they go large.
 */
static unsigned int vcache_pick_order(const struct vcache *c)
{
	unsigned int min_objs = 4 * (fls(num_online_cpus()) + 1);
	unsigned int order;

	if (c->flags & VCACHE_VFALLBACK) {
		order = max_t(unsigned int, c->min_order,
			      get_order(VCACHE_VFALLBACK_MIN_BYTES));
		while (order < VC_BUDDY_MAX_ORDER &&
		       vcache_objs(c, order) < VCACHE_VFALLBACK_MIN_OBJS)
			order++;
		return order;
	}
	for (order = c->min_order; order <= PAGE_ALLOC_COSTLY_ORDER; order++) {
		unsigned long bytes = PAGE_SIZE << order;
		unsigned long waste = (bytes - c->hdr) % c->stride + c->hdr;

		if (vcache_objs(c, order) >= min_objs && waste * 16 <= bytes)
			return order;
	}
	return max_t(unsigned int, c->min_order, PAGE_ALLOC_COSTLY_ORDER);
}

/*
 * Like SLAB's array limits: fewer cached objects the larger they are.  A
 * full array (VCACHE_CPU_MAX, flushed and refilled by half) absorbs a
 * burst of 32 frees after 32 allocations without touching the slabs.
 * VCACHE_VFALLBACK slabs hold 64 objects or more, so up to 8 KiB such an
 * array keeps at most one slab's worth, 512 KiB, per CPU.
 */
static unsigned int vcache_cpu_limit(const struct vcache *c)
{
	unsigned int stride = c->stride;

	if (stride <= 1024 ||
	    ((c->flags & VCACHE_VFALLBACK) && stride <= 8 * 1024))
		return VCACHE_CPU_MAX;
	if (stride > 64 * 1024)
		return 1;
	if (stride > PAGE_SIZE)
		return 8;
	return 24;
}

static void vcache_layout(struct vcache *c)
{
	if (c->flags & VCACHE_DEBUG) {
		vcache_debug_layout(c);
	} else if (c->ctor) {
		/* The free pointer must not clobber the constructed object. */
		c->obj_off = 0;
		c->fp_off = ALIGN(c->size, sizeof(void *));
		c->stride = ALIGN(c->fp_off + sizeof(void *), c->align);
	} else {
		c->obj_off = 0;
		c->fp_off = 0;
		c->stride = ALIGN(max_t(unsigned int, c->size, sizeof(void *)),
				  c->align);
	}
	/*
	 * Blocks are page aligned (a virtual one no more than that), so with
	 * a larger alignment the first slot's offset depends on the block's
	 * address: plan for the worst case, which is align itself.
	 */
	if (c->align > PAGE_SIZE)
		c->hdr = c->align;
	else
		c->hdr = ALIGN(sizeof(struct vcache_slab), c->align);
	c->min_order = get_order(c->hdr + c->stride);
}

static void vcache_free_struct(struct vcache *c)
{
	int nid;

	for_each_node(nid)
		kfree(c->node[nid]);
	free_percpu(c->cpu);
	kfree(c);
}

/**
 * vcache_create - create an object cache
 * @name: name shown in sysfs vcompound/vcache/ and debugfs vcacheinfo
 *	(copied)
 * @size: object size, 1 byte to 256 KiB
 * @align: object alignment, 0 or a power of two up to 256 KiB
 * @flags: VCACHE_VFALLBACK, VCACHE_HWCACHE_ALIGN, VCACHE_DEBUG
 * @ctor: called once for each object when its slab is created, or NULL
 *
 * Objects freed back to a cache with a @ctor must be in their constructed
 * state, as with kmem_cache.  With VCACHE_DEBUG and no @ctor, free objects
 * are poisoned.
 *
 * Context: Process context; may sleep.
 * Return: the cache, or NULL on bad arguments or lack of memory.
 */
struct vcache *vcache_create(const char *name, unsigned int size,
			     unsigned int align, unsigned long flags,
			     void (*ctor)(void *))
{
	const unsigned long known = VCACHE_VFALLBACK | VCACHE_HWCACHE_ALIGN |
				    VCACHE_DEBUG;
	struct vcache *c;
	int nid;

	if (!name || !size || size > VCACHE_MAX_SIZE || (flags & ~known) ||
	    (align & (align - 1)) || align > VCACHE_MAX_SIZE)
		return NULL;

	c = kzalloc(struct_size(c, node, nr_node_ids), GFP_KERNEL);
	if (!c)
		return NULL;
	strscpy(c->name, name, sizeof(c->name));
	c->flags = flags;
	c->ctor = ctor;
	c->size = size;
	c->align = max_t(unsigned int, align, sizeof(void *));
	if (flags & VCACHE_HWCACHE_ALIGN)
		c->align = max_t(unsigned int, c->align, cache_line_size());
	vcache_layout(c);
	if (c->min_order > VC_BUDDY_MAX_ORDER)
		goto fail;
	c->order = vcache_pick_order(c);
	c->cpu_limit = vcache_cpu_limit(c);
	c->batch = (c->cpu_limit + 1) / 2;

	/* The caller is told by the NULL; no allocation-failure splat. */
	c->cpu = alloc_percpu_gfp(struct vcache_cpu, GFP_KERNEL | __GFP_NOWARN);
	if (!c->cpu)
		goto fail;
	for_each_node(nid) {
		struct vcache_node *n = kzalloc_node(sizeof(*n), GFP_KERNEL,
						     nid);

		if (!n)
			goto fail;
		raw_spin_lock_init(&n->lock);
		INIT_LIST_HEAD(&n->partial);
		INIT_LIST_HEAD(&n->full);
		INIT_LIST_HEAD(&n->empty);
		c->node[nid] = n;
	}

	mutex_lock(&vcache_mutex);
	c->kobj = vc_sysfs_vcache_add(c);
	if (IS_ERR(c->kobj)) {
		mutex_unlock(&vcache_mutex);
		goto fail;
	}
	list_add_tail(&c->list, &vcache_list);
	mutex_unlock(&vcache_mutex);
	return c;
fail:
	vcache_free_struct(c);
	return NULL;
}
EXPORT_SYMBOL_GPL(vcache_create);

/**
 * vcache_slab_of - the slab an object lives in
 * @obj: any address
 *
 * Context: Any context but NMI.  The caller owns @obj, which keeps its
 * slab alive.
 * Return: the slab header at the start of the block holding @obj, or NULL
 * if @obj is not inside a vcompound block.  The caller checks ->cache.
 */
static struct vcache_slab *vcache_slab_of(const void *obj)
{
	struct vcache_slab *slab = NULL;
	struct vc_ref ref;

	rcu_read_lock();
	if (vc_lookup_addr(obj, &ref))
		slab = ref.base;
	rcu_read_unlock();
	return slab;
}

/*
 * The slab of @obj, an object of the cache that was handed out: @prev if
 * it lies there (objects freed together often share a slab), else a
 * physical slab is the compound page in the direct map whose head page
 * is the block's start, and a virtual one needs the lookup.
 */
static inline struct vcache_slab *vcache_known_slab(struct vcache_slab *prev,
						    void *obj)
{
	if (likely(prev && obj >= (void *)prev &&
		   obj < (void *)prev + (PAGE_SIZE << prev->order)))
		return prev;
	if (is_vmalloc_addr(obj))
		return vcache_slab_of(obj);
	return page_address(compound_head(virt_to_page(obj)));
}

/**
 * vcache_obj_slab - the slab of an object of @c, checked
 * @c: the cache
 * @obj: any address
 *
 * Physical slabs skip vcompound's generic lookup (its RCU section and the
 * block's order): the head page's cookie proves that vcompound owns the
 * block, so the header is mapped and may be read.  Virtual slabs are only
 * page aligned and keep the lookup.
 *
 * Context: Any context but NMI.
 * Return: the slab, or NULL if @obj is in no slab of @c.
 */
static struct vcache_slab *vcache_obj_slab(struct vcache *c, const void *obj)
{
	struct vcache_slab *slab;
	struct page *head;

	if (unlikely(is_vmalloc_addr(obj))) {
		slab = vcache_slab_of(obj);
	} else {
		head = vc_phys_head_of(obj);
		if (unlikely(!head))
			return NULL;
		slab = page_address(head);
	}
	return likely(slab && slab->cache == c) ? slab : NULL;
}

static struct vcache_slab *vcache_grow(struct vcache *c, gfp_t gfp, int nid)
{
	bool may_virtual = c->flags & VCACHE_VFALLBACK;
	unsigned int order = c->order, i;
	struct vcache_slab *slab;
	void *obj;

	gfp &= ~__GFP_ZERO;
	slab = vc_alloc_block(gfp, order, nid, may_virtual);
	/* Physical-only caches fall back to the smallest order that fits. */
	if (!slab && !may_virtual && order > c->min_order) {
		order = c->min_order;
		slab = vc_alloc_block(gfp, order, nid, false);
	}
	if (!slab)
		return NULL;

	slab->cache = c;
	slab->order = order;
	slab->nid = nid;
	slab->inuse = 0;
	slab->virt = vcompound_is_virtual(slab);
	slab->first = ALIGN((unsigned long)slab + sizeof(*slab), c->align) -
		      (unsigned long)slab;
	slab->objects = ((PAGE_SIZE << order) - slab->first) / c->stride;
	slab->freelist = NULL;
	for (i = slab->objects; i-- > 0;) {
		obj = vcache_slot_obj(c, slab, i);
		if (c->flags & VCACHE_DEBUG)
			vcache_debug_init_obj(c, obj);
		if (c->ctor)
			c->ctor(obj);
		*vcache_fp(c, obj) = slab->freelist;
		slab->freelist = obj;
	}
	atomic_long_inc(slab->virt ? &c->virtual_slabs : &c->physical_slabs);
	atomic_long_add(1UL << order, &c->slab_pages);
	atomic_long_add(slab->objects, &c->total_objs);
	trace_vcache_slab_alloc(c->name, slab, order, slab->virt,
				slab->objects);
	return slab;
}

/**
 * vcache_release_slab - give an empty slab back to vcompound
 * @slab: a slab already taken off its node's lists
 *
 * Context: Any context but NMI: vcompound_free() defers what cannot be
 * done there.
 */
void vcache_release_slab(struct vcache_slab *slab)
{
	struct vcache *c = slab->cache;

	atomic_long_dec(slab->virt ? &c->virtual_slabs : &c->physical_slabs);
	atomic_long_sub(1UL << slab->order, &c->slab_pages);
	atomic_long_sub(slab->objects, &c->total_objs);
	trace_vcache_slab_free(c->name, slab, slab->order, slab->virt,
			       slab->objects);
	/* A stale pointer into the block no longer names this cache. */
	slab->cache = NULL;
	atomic_long_inc(&c->slab_gen);
	/* Every CPU's hint on the slab is stale before the block is reused. */
	smp_mb__after_atomic();
	vcompound_free(slab);
}

/* Takes one object off @slab; the node lock is held. */
static void *vcache_slab_pop(struct vcache *c, struct vcache_node *n,
			     struct vcache_slab *slab)
{
	void *obj = slab->freelist;

	slab->freelist = *vcache_fp(c, obj);
	n->free_objs--;
	if (!slab->inuse++)
		n->nr_empty--;
	if (!slab->freelist)
		list_move(&slab->list, &n->full);
	else if (slab->inuse == 1)
		list_move(&slab->list, &n->partial);
	return obj;
}

/*
 * Puts @obj back on @slab; the node lock is held.  Returns the slab if it
 * became empty and the node already keeps enough empty ones: the caller
 * releases it after dropping the lock.
 */
static struct vcache_slab *vcache_slab_push(struct vcache *c,
					    struct vcache_node *n,
					    struct vcache_slab *slab, void *obj)
{
	bool was_full = !slab->freelist;

	*vcache_fp(c, obj) = slab->freelist;
	slab->freelist = obj;
	n->free_objs++;
	if (!--slab->inuse) {
		if (n->nr_empty >= VCACHE_KEEP_EMPTY) {
			list_del(&slab->list);
			n->free_objs -= slab->objects;
			return slab;
		}
		list_move(&slab->list, &n->empty);
		n->nr_empty++;
	} else if (was_full) {
		list_move(&slab->list, &n->partial);
	}
	return NULL;
}

/* An object from @n's slabs, checked first on debug caches; lock held. */
static void *vcache_node_take(struct vcache *c, struct vcache_node *n)
{
	struct vcache_slab *slab;
	void *obj;

	for (;;) {
		slab = list_first_entry_or_null(&n->partial,
						struct vcache_slab, list);
		if (!slab)
			slab = list_first_entry_or_null(&n->empty,
							struct vcache_slab,
							list);
		if (!slab)
			return NULL;
		obj = vcache_slab_pop(c, n, slab);
		/* A corrupted object stays allocated: quarantined. */
		if (!(c->flags & VCACHE_DEBUG) || vcache_debug_alloc_ok(c, obj))
			return obj;
	}
}

/* Refills this CPU's array from the local node; interrupts are off. */
static void *vcache_refill(struct vcache *c, struct vcache_cpu *ac)
{
	struct vcache_node *n = c->node[numa_mem_id()];
	void *obj;

	raw_spin_lock(&n->lock);
	while (ac->avail < c->batch && (obj = vcache_node_take(c, n)))
		ac->entry[ac->avail++] = obj;
	raw_spin_unlock(&n->lock);
	return ac->avail ? ac->entry[--ac->avail] : NULL;
}

/**
 * vcache_flush_cpu - return the oldest objects of a CPU array to the slabs
 * @c: the cache
 * @ac: the array, of the current CPU or of a dead one
 * @count: how many objects, at most ac->avail
 * @release: slabs left empty are added here, for vcache_release_list()
 *
 * Context: Interrupts disabled.
 */
void vcache_flush_cpu(struct vcache *c, struct vcache_cpu *ac,
		      unsigned int count, struct list_head *release)
{
	struct vcache_slab *slab = NULL, *empty;
	struct vcache_node *n;
	unsigned int i;

	/* One lock round trip per run of objects of one node. */
	for (i = 0; i < count;) {
		slab = vcache_known_slab(slab, ac->entry[i]);
		n = c->node[slab->nid];
		raw_spin_lock(&n->lock);
		for (;;) {
			empty = vcache_slab_push(c, n, slab, ac->entry[i]);
			if (empty) {
				list_add(&empty->list, release);
				slab = NULL;
			}
			if (++i == count)
				break;
			slab = vcache_known_slab(slab, ac->entry[i]);
			if (c->node[slab->nid] != n)
				break;
		}
		raw_spin_unlock(&n->lock);
	}
	ac->avail -= count;
	memmove(ac->entry, ac->entry + count, ac->avail * sizeof(void *));
}

/**
 * vcache_release_list - release the slabs vcache_flush_cpu() emptied
 * @release: the list
 *
 * Outside the interrupts-off section: releasing a slab frees pages, which
 * PREEMPT_RT does not allow there.
 *
 * Context: Any context but NMI, as vcache_release_slab().
 */
void vcache_release_list(struct list_head *release)
{
	struct vcache_slab *slab, *next;

	list_for_each_entry_safe(slab, next, release, list)
		vcache_release_slab(slab);
}

static void *vcache_alloc_slow(struct vcache *c, gfp_t gfp, int nid)
{
	struct vcache_node *n = c->node[nid];
	struct vcache_slab *slab;
	unsigned long flags;
	void *obj;

	for (;;) {
		raw_spin_lock_irqsave(&n->lock, flags);
		obj = vcache_node_take(c, n);
		raw_spin_unlock_irqrestore(&n->lock, flags);
		if (obj)
			return obj;

		slab = vcache_grow(c, gfp, nid);
		if (!slab)
			return NULL;
		/*
		 * The first object is taken before the lock is dropped, as
		 * SLUB does: published empty, the slab could be reaped before
		 * its grower came back for it.
		 */
		raw_spin_lock_irqsave(&n->lock, flags);
		list_add(&slab->list, &n->empty);
		n->nr_empty++;
		n->free_objs += slab->objects;
		obj = vcache_slab_pop(c, n, slab);
		/* Checked on debug caches, as vcache_node_take() does. */
		if ((c->flags & VCACHE_DEBUG) && !vcache_debug_alloc_ok(c, obj))
			obj = NULL;
		raw_spin_unlock_irqrestore(&n->lock, flags);
		if (obj)
			return obj;
	}
}

/**
 * vcache_alloc_node - allocate an object, preferring a node
 * @c: the cache
 * @gfp: allocation flags; __GFP_ZERO zeroes the object
 * @nid: node for the object's slab, or NUMA_NO_NODE
 *
 * Context: Any context but NMI if @gfp does not allow blocking (a new slab
 * is then physical, or for a VCACHE_VFALLBACK cache may come from
 * vcompound's atomic reserve; on PREEMPT_RT the limits of
 * vcompound_alloc() apply); process context otherwise.
 * Return: the object, or NULL.
 */
void *vcache_alloc_node(struct vcache *c, gfp_t gfp, int nid)
{
	int local = numa_mem_id();
	struct vcache_cpu *ac;
	unsigned long flags;
	void *obj = NULL;

	if (nid == NUMA_NO_NODE || nid < 0 || nid >= nr_node_ids ||
	    !node_possible(nid))
		nid = local;
	/* Debug caches check every object on its way in and out. */
	if (!(c->flags & VCACHE_DEBUG) && nid == local) {
		local_irq_save(flags);
		ac = this_cpu_ptr(c->cpu);
		obj = ac->avail ? ac->entry[--ac->avail] : vcache_refill(c, ac);
		local_irq_restore(flags);
	}
	if (!obj)
		obj = vcache_alloc_slow(c, gfp, nid);
	if (obj && (gfp & __GFP_ZERO))
		memset(obj, 0, c->size);
	if (obj)
		trace_vcache_alloc(c->name, obj, c->size);
	return obj;
}
EXPORT_SYMBOL_GPL(vcache_alloc_node);

/**
 * vcache_alloc - allocate an object
 * @c: the cache
 * @gfp: allocation flags; __GFP_ZERO zeroes the object
 *
 * Context: As vcache_alloc_node().
 * Return: the object, or NULL.
 */
void *vcache_alloc(struct vcache *c, gfp_t gfp)
{
	return vcache_alloc_node(c, gfp, NUMA_NO_NODE);
}
EXPORT_SYMBOL_GPL(vcache_alloc);

static void vcache_free_debug(struct vcache *c, struct vcache_slab *slab,
			      void *obj)
{
	struct vcache_node *n = c->node[slab->nid];
	struct vcache_slab *empty = NULL;
	unsigned long flags;

	raw_spin_lock_irqsave(&n->lock, flags);
	if (vcache_debug_free_ok(c, slab, obj))
		empty = vcache_slab_push(c, n, slab, obj);
	raw_spin_unlock_irqrestore(&n->lock, flags);
	if (empty)
		vcache_release_slab(empty);
}

/*
 * Whether @obj lies in a slab of @c, for a free on this CPU (interrupts
 * off): the hinted slab, which stays valid until some slab is released,
 * or the one a full check finds, which becomes the hint.
 */
static bool vcache_free_check(struct vcache *c, struct vcache_cpu *ac,
			      const void *obj)
{
	struct vcache_slab *slab;
	unsigned long gen = atomic_long_read(&c->slab_gen);

	if (likely(obj >= ac->hint_start && obj < ac->hint_end &&
		   gen == ac->hint_gen))
		return true;
	/* Read before the check: a release after it bumps the generation. */
	smp_rmb();
	slab = vcache_obj_slab(c, obj);
	if (unlikely(!slab))
		return false;
	ac->hint_gen = gen;
	ac->hint_start = slab;
	ac->hint_end = (void *)slab + (PAGE_SIZE << slab->order);
	return true;
}

static void vcache_bad_free(struct vcache *c, const void *obj)
{
	atomic_long_inc(&c->debug_errors);
	WARN(1, "vcache %s: %p (pfn %#lx, 0 if in no block) is not an object of this cache, not freed\n",
	     c->name, obj, vcache_obj_pfn(obj));
}

/**
 * vcache_free - free an object
 * @c: the cache it was allocated from
 * @obj: the object, or NULL
 *
 * An object of another cache, or an address that is not in any vcache
 * slab, is refused with a warning.
 *
 * Context: Any context but NMI, hard irq and raw spinlocks included, also
 * on PREEMPT_RT.  A slab emptied here is released through vcompound_free(),
 * which defers what cannot be done here.
 */
void vcache_free(struct vcache *c, void *obj)
{
	struct vcache_slab *slab;
	struct vcache_cpu *ac;
	unsigned long flags;
	LIST_HEAD(release);

	if (!obj)
		return;
	if (c->flags & VCACHE_DEBUG) {
		slab = vcache_obj_slab(c, obj);
		if (unlikely(!slab)) {
			vcache_bad_free(c, obj);
			return;
		}
		trace_vcache_free(c->name, obj, c->size);
		vcache_free_debug(c, slab, obj);
		return;
	}
	local_irq_save(flags);
	ac = this_cpu_ptr(c->cpu);
	if (unlikely(!vcache_free_check(c, ac, obj))) {
		local_irq_restore(flags);
		vcache_bad_free(c, obj);
		return;
	}
	trace_vcache_free(c->name, obj, c->size);
	if (unlikely(ac->avail >= c->cpu_limit))
		vcache_flush_cpu(c, ac, c->batch, &release);
	ac->entry[ac->avail++] = obj;
	local_irq_restore(flags);
	vcache_release_list(&release);
}
EXPORT_SYMBOL_GPL(vcache_free);

/**
 * vcache_reap - release a cache's empty slabs
 * @c: the cache
 * @max_pages: stop once this many pages are released
 *
 * Context: Any context but NMI.
 * Return: the number of pages released.
 */
unsigned long vcache_reap(struct vcache *c, unsigned long max_pages)
{
	struct vcache_slab *slab, *next;
	unsigned long freed = 0;
	unsigned long flags;
	int nid;

	for_each_node(nid) {
		struct vcache_node *n = c->node[nid];
		LIST_HEAD(release);

		raw_spin_lock_irqsave(&n->lock, flags);
		while (freed < max_pages &&
		       (slab = list_first_entry_or_null(&n->empty,
							struct vcache_slab,
							list))) {
			list_move(&slab->list, &release);
			n->nr_empty--;
			n->free_objs -= slab->objects;
			freed += 1UL << slab->order;
		}
		raw_spin_unlock_irqrestore(&n->lock, flags);
		list_for_each_entry_safe(slab, next, &release, list)
			vcache_release_slab(slab);
	}
	return freed;
}

/**
 * vcache_get_info - a cache's counters, as sysfs vcompound/vcache/<name>/
 *	shows them
 * @c: the cache
 * @info: filled in
 *
 * Context: Any context but NMI.  Exact when nothing is in flight.
 */
void vcache_get_info(struct vcache *c, struct vcache_info *info)
{
	unsigned long unused = 0;
	int cpu, nid;

	for_each_possible_cpu(cpu)
		unused += READ_ONCE(per_cpu_ptr(c->cpu, cpu)->avail);
	for_each_node(nid)
		unused += READ_ONCE(c->node[nid]->free_objs);
	unused += atomic_long_read(&c->quarantined);

	memset(info, 0, sizeof(*info));
	info->num_objs = atomic_long_read(&c->total_objs);
	info->active_objs = info->num_objs - unused;
	info->objsize = c->size;
	info->objperslab = vcache_objs(c, c->order);
	info->pagesperslab = 1U << c->order;
	info->physical_slabs = atomic_long_read(&c->physical_slabs);
	info->virtual_slabs = atomic_long_read(&c->virtual_slabs);
	info->slab_pages = atomic_long_read(&c->slab_pages);
	info->debug_errors = atomic_long_read(&c->debug_errors);
}
EXPORT_SYMBOL_GPL(vcache_get_info);

/* Releases every slab of a cache that has no live object left. */
static void vcache_release_all(struct vcache *c)
{
	struct vcache_slab *slab, *next;
	LIST_HEAD(release);
	unsigned long flags;
	int nid;

	for_each_node(nid) {
		struct vcache_node *n = c->node[nid];

		raw_spin_lock_irqsave(&n->lock, flags);
		list_splice_init(&n->partial, &release);
		list_splice_init(&n->full, &release);
		list_splice_init(&n->empty, &release);
		n->nr_empty = 0;
		n->free_objs = 0;
		raw_spin_unlock_irqrestore(&n->lock, flags);
	}
	list_for_each_entry_safe(slab, next, &release, list)
		vcache_release_slab(slab);
}

/**
 * vcache_destroy - destroy a cache
 * @c: the cache, or NULL
 *
 * With objects still allocated, warns once with their count and leaks the
 * cache and its slabs rather than freeing memory under their owner.
 *
 * Context: Process context; may sleep.
 */
void vcache_destroy(struct vcache *c)
{
	struct vcache_info info;

	if (!c)
		return;
	mutex_lock(&vcache_mutex);
	list_del(&c->list);
	/* Waits for the reads in its files, which use @c. */
	vc_sysfs_vcache_del(c->kobj);
	mutex_unlock(&vcache_mutex);

	vcache_shrink(c);
	vcache_get_info(c, &info);
	if (info.active_objs) {
		WARN(1, "vcache %s: destroyed with %lu objects still allocated; leaking its %lu slabs\n",
		     c->name, info.active_objs,
		     info.physical_slabs + info.virtual_slabs);
		/* Leaked on purpose: kmemleak should not report it again. */
		kmemleak_not_leak(c);
		return;
	}
	/* Only quarantined objects may remain: their slabs can go. */
	vcache_release_all(c);
	vcache_free_struct(c);
}
EXPORT_SYMBOL_GPL(vcache_destroy);

/* debugfs vcompound/vcacheinfo, in the spirit of /proc/slabinfo. */
static int vcache_info_show(struct seq_file *m, void *unused)
{
	struct vcache_info info;
	struct vcache *c;

	seq_puts(m, "# name active_objs num_objs objsize objperslab pagesperslab physical_slabs virtual_slabs\n");
	mutex_lock(&vcache_mutex);
	list_for_each_entry(c, &vcache_list, list) {
		vcache_get_info(c, &info);
		seq_printf(m, "%-20s %10lu %10lu %8u %10u %12u %14lu %13lu\n",
			   c->name, info.active_objs, info.num_objs,
			   info.objsize, info.objperslab, info.pagesperslab,
			   info.physical_slabs, info.virtual_slabs);
	}
	mutex_unlock(&vcache_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vcache_info);

static struct dentry *vcache_info_file;

/**
 * vcache_init - vcache's reclaim hooks and its debugfs file
 *
 * Context: Module init.
 * Return: 0, or a negative errno.
 */
int vcache_init(void)
{
	int ret = vcache_reclaim_init();

	if (ret)
		return ret;
	vcache_info_file = debugfs_create_file("vcacheinfo", 0400,
					       vc_debugfs_root(), NULL,
					       &vcache_info_fops);
	return 0;
}

/**
 * vcache_exit - undo vcache_init(); caches a client never destroyed leak
 *
 * Context: Module exit.
 */
void vcache_exit(void)
{
	struct vcache *c;

	debugfs_remove(vcache_info_file);
	vcache_reclaim_exit();
	mutex_lock(&vcache_mutex);
	if (!list_empty(&vcache_list))
		pr_warn("vcompound: unloading with vcache caches never destroyed; leaking them\n");
	/*
	 * The list head goes away with the module; the leak is deliberate.
	 * The caches' directories go: their files are the module's code.
	 */
	list_for_each_entry(c, &vcache_list, list) {
		vc_sysfs_vcache_del(c->kobj);
		kmemleak_not_leak(c);
	}
	mutex_unlock(&vcache_mutex);
}
