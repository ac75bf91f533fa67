// SPDX-License-Identifier: GPL-2.0
/*
 * P2: the virtual path (always_fallback) against vmalloc() and kvmalloc(),
 * with the parts it is made of timed on their own, and P2floor: the pages
 * and their mapping alone, without vcompound's bookkeeping.  Then P2 of
 * sizes that are not a power of two of pages: vcompound_alloc_size()
 * against vmalloc() of the same bytes.
 * P4: freeing virtual blocks from hardirq: the enqueue, then the drain.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/hash.h>
#include <linux/ktime.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
/* After spinlock.h: on PREEMPT_RT (6.12) local_lock.h uses spinlock_t. */
#include <linux/local_lock.h>
#include <linux/vmalloc.h>

#include "bench.h"
#include "vcompat_page_alloc.h"

/*
 * vm_map_ram() serves counts up to VMAP_MAX_ALLOC (BITS_PER_LONG) pages
 * from per-CPU blocks; larger ones take the vmap_area path like vmap().
 */
#define VCB_VM_MAP_RAM_MAX	BITS_PER_LONG

/*
 * Like vcompound's block descriptor (module/vcompound_internal.h): a
 * state word, the fields, a chunk count per order, then the page slots,
 * or those on a page of their own.
 */
struct vcb_desc {
	atomic_t state;
	unsigned int order;
	u32 id;
	bool flags[4];
	void *addr;
	unsigned long nr;
	union {
		struct llist_node node;
		struct rcu_head rcu;
	};
	struct page **pages;
	u32 chunks[];
};

/*
 * Ids as vcompound's (module/vbid.c, lookup.c): from a per-CPU cache under
 * a local lock, a slot per id in chunks of 64 found through a directory,
 * and the block's start entered in a table hashed by its address.  The
 * ids of a CPU's cache are its own here (P2 runs on one CPU): the spills
 * and refills between CPUs are left out.
 */
#define VCB_ID_CHUNK_SHIFT	6
#define VCB_START_BITS		12

struct vcb_id_cache {
	local_lock_t lock;
	unsigned int nr;
	u32 *ids;
};

static DEFINE_PER_CPU(struct vcb_id_cache, vcb_id_cache) = {
	.lock = INIT_LOCAL_LOCK(lock),
};

struct vcb_id_dir {
	unsigned long nr;
	unsigned long *chunk[];
};

static struct vcb_id_dir *vcb_id_dir;
static struct vcb_desc *vcb_start[1 << VCB_START_BITS];

/*
 * vunmap() and vfree() defer the unmapping until lazy_max_pages() (8192
 * pages with one CPU) have piled up, then purge them in one go: the
 * repetitions that map and unmap span two purges each, so that every one
 * holds the same share of them.
 */
#define VCB_P2_MIN_PAGES	16384

/*
 * At most this many pages in a batch: 32 order-10 blocks (128 MiB) outgrew
 * the per-CPU page lists (about 30000 pages in the 1 GiB guest), so that
 * the batch ran through the buddy allocator's free lists, whose state
 * the orders before had left: an order-10 block took 621k to 872k
 * ns-equiv from one repetition to the next, vmalloc()'s alike.  Above
 * order 9 the batch is halved per order instead.
 */
#define VCB_P2_MAX_BATCH_PAGES	16384

struct vcb_p2 {
	unsigned int order;
	unsigned int batch;		/* blocks per batch, up to vcb_batch */
	unsigned int loops;		/* for sides that unmap */
	unsigned int loops_short;	/* for the other parts */
	unsigned long nr;		/* pages per block */
	void **ptr;			/* vcb_batch blocks */
	struct page **pages;		/* vcb_batch * nr pages, for vmap */
	struct page **scratch;		/* the same, for the pages part */
	struct vcb_desc *descs;		/* vcb_batch descriptors, for it */
	void *block;			/* a virtual block, for lookups */
	size_t *bytes;			/* vcb_batch sizes, for P2_VC_SIZE */
};

enum vcb_p2_kind {
	P2_VCOMPOUND, P2_VMALLOC, P2_KVMALLOC, P2_FLOOR,
	P2_VMAP, P2_VM_MAP_RAM, P2_DESC, P2_PAGES, P2_PAGES_BULKFREE, P2_ID,
	P2_VC_SIZE, P2_VMALLOC_SIZE,
};

/* vcb_batch ids in each CPU's cache, each with its slot. */
static int vcb_id_init(void)
{
	unsigned long n = (unsigned long)nr_cpu_ids * vcb_batch, c;
	unsigned long nr = (n >> VCB_ID_CHUNK_SHIFT) + 1;
	struct vcb_id_cache *ic;
	unsigned int cpu, j;

	vcb_id_dir = kzalloc(struct_size(vcb_id_dir, chunk, nr), GFP_KERNEL);
	if (!vcb_id_dir)
		return -ENOMEM;
	vcb_id_dir->nr = nr;
	for (c = 0; c < nr; c++) {
		vcb_id_dir->chunk[c] = kcalloc(1 << VCB_ID_CHUNK_SHIFT,
					       sizeof(unsigned long),
					       GFP_KERNEL);
		if (!vcb_id_dir->chunk[c])
			return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		ic = per_cpu_ptr(&vcb_id_cache, cpu);
		ic->ids = kcalloc(vcb_batch, sizeof(*ic->ids), GFP_KERNEL);
		if (!ic->ids)
			return -ENOMEM;
		for (j = 0; j < vcb_batch; j++)
			ic->ids[j] = cpu * vcb_batch + j;
		ic->nr = vcb_batch;
	}
	return 0;
}

static void vcb_id_exit(void)
{
	unsigned int cpu;
	unsigned long c;

	for_each_possible_cpu(cpu) {
		kfree(per_cpu_ptr(&vcb_id_cache, cpu)->ids);
		per_cpu_ptr(&vcb_id_cache, cpu)->ids = NULL;
	}
	for (c = 0; vcb_id_dir && c < vcb_id_dir->nr; c++)
		kfree(vcb_id_dir->chunk[c]);
	kfree(vcb_id_dir);
	vcb_id_dir = NULL;
}

/* @id is one vcb_id_init() made: in the directory's range. */
static unsigned long *vcb_id_slot(u32 id)
{
	/* As vcompound's: acquire loads of the directory and its chunk. */
	struct vcb_id_dir *dir = smp_load_acquire(&vcb_id_dir);
	unsigned long *chunk;

	/* The chunk as the directory published it. */
	chunk = smp_load_acquire(&dir->chunk[id >> VCB_ID_CHUNK_SHIFT]);
	return &chunk[id & ((1 << VCB_ID_CHUNK_SHIFT) - 1)];
}

/*
 * As vcompound's (module/vblock.c): descriptors up to a page from a
 * SLAB_TYPESAFE_BY_RCU cache per order; larger ones freed after a grace
 * period, their slots on a zeroed page of their own if they fit one (a
 * head from kzalloc()), else kvzalloc()ed whole; on top of them a per-CPU
 * magazine per order up to VCB_DESC_MAG_MAX_ORDER of up to
 * VCB_DESC_MAG_MAX descriptors, which keep their ids: a descriptor
 * allocated is given an id (its slot published), one that the full
 * magazine turns away gives it back.
 */
#define VCB_DESC_MAG_MAX	32
#define VCB_DESC_MAG_MAX_ORDER	10

static struct kmem_cache *vcb_desc_cache[VC_BUDDY_MAX_ORDER + 1];
/* Names of their own: SLUB's sysfs refuses a second cache of a name. */
static char vcb_desc_name[VC_BUDDY_MAX_ORDER + 1][16];

struct vcb_desc_mag {
	local_lock_t lock;
	u8 nr[VC_BUDDY_MAX_ORDER + 1];
	struct vcb_desc *d[VC_BUDDY_MAX_ORDER + 1][VCB_DESC_MAG_MAX];
};

static struct vcb_desc_mag __percpu *vcb_desc_mag;
static size_t vcb_desc_bytes[VCOMPOUND_ORDER_LIMIT + 1];
static size_t vcb_desc_head[VCOMPOUND_ORDER_LIMIT + 1];
static u8 vcb_desc_mag_depth[VC_BUDDY_MAX_ORDER + 1];

static size_t vcb_desc_head_size(unsigned int order)
{
	struct vcb_desc *d;

	return ALIGN(struct_size(d, chunks, order), sizeof(long));
}

static bool vcb_desc_split(unsigned int order)
{
	return !vcb_desc_cache[order] &&
	       (sizeof(struct page *) << order) <= PAGE_SIZE;
}

static void vcb_desc_slots_inline(struct vcb_desc *d, unsigned int order)
{
	d->pages = (struct page **)((char *)d + vcb_desc_head[order]);
}

static void vcb_desc_init_rest(struct vcb_desc *d, unsigned int order)
{
	memset(d, 0, vcb_desc_bytes[order]);
	vcb_desc_slots_inline(d, order);
}

/*
 * As vcompound's: the caches' constructors make descriptors at rest, one
 * per order.
 */
#define VCB_X_DESC_CTOR(o)						\
	static void vcb_desc_ctor_##o(void *d)				\
	{								\
		vcb_desc_init_rest(d, o);				\
	}
#define VCB_DESC_ORDERS(X)						\
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10)		\
	X(11) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20)
VCB_DESC_ORDERS(VCB_X_DESC_CTOR)

#define VCB_X_DESC_CTOR_ENTRY(o)	vcb_desc_ctor_##o,
static void (*const vcb_desc_ctor[])(void *) = {
	VCB_DESC_ORDERS(VCB_X_DESC_CTOR_ENTRY)
};

static_assert(ARRAY_SIZE(vcb_desc_ctor) == VCOMPOUND_ORDER_LIMIT + 1);
static_assert(VC_BUDDY_MAX_ORDER <= VCOMPOUND_ORDER_LIMIT);

/*
 * As vcompound's: a new generation, then the fields (not the id); @order
 * set.  Not the page slots: a descriptor rests with them NULL (vcompound
 * clears each as the free gives its page back, which P2.desc does not
 * time: no page is ever put in these).
 */
static __always_inline void vcb_desc_renew(struct vcb_desc *d,
					   unsigned int order)
{
	int state = atomic_read(&d->state) & ~3;

	atomic_set(&d->state, (int)((unsigned int)state + 4) | 3);
	/* As vcompound's: the new generation before the fields. */
	smp_wmb();
	d->addr = NULL;
	d->nr = 0;
	d->order = order;
	memset(d->flags, 0, sizeof(d->flags));
}

/* An id from this CPU's cache, published in its slot (as registered). */
static void vcb_desc_register(struct vcb_desc *d)
{
	struct vcb_id_cache *ic;
	u32 id = U32_MAX;

	local_lock(&vcb_id_cache.lock);
	ic = this_cpu_ptr(&vcb_id_cache);
	if (ic->nr)
		id = ic->ids[--ic->nr];
	local_unlock(&vcb_id_cache.lock);
	d->id = id;
	if (id == U32_MAX)
		return;
	/* The descriptor's fields before the slot that leads to them. */
	smp_store_release(vcb_id_slot(id), (unsigned long)d);
}

static void vcb_desc_unregister(struct vcb_desc *d)
{
	struct vcb_id_cache *ic;

	if (d->id == U32_MAX)
		return;
	WRITE_ONCE(*vcb_id_slot(d->id), 1);
	local_lock(&vcb_id_cache.lock);
	ic = this_cpu_ptr(&vcb_id_cache);
	/* Freed on another CPU than it came from: dropped (see above). */
	if (ic->nr < vcb_batch)
		ic->ids[ic->nr++] = d->id;
	local_unlock(&vcb_id_cache.lock);
}

static struct vcb_desc *vcb_desc_alloc_split(unsigned int order)
{
	struct vcb_desc *d = kzalloc(vcb_desc_head[order], GFP_KERNEL);
	struct page *slots;

	if (!d)
		return NULL;
	slots = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!slots) {
		kfree(d);
		return NULL;
	}
	d->pages = page_address(slots);
	d->order = order;
	return d;
}

static void vcb_desc_free_split(struct rcu_head *rcu)
{
	struct vcb_desc *d = container_of(rcu, struct vcb_desc, rcu);

	free_page((unsigned long)d->pages);
	kfree(d);
}

/* Unregistered and freed, as its kind is: a magazine did not keep it. */
static void vcb_desc_release(unsigned int order, struct vcb_desc *d)
{
	vcb_desc_unregister(d);
	if (vcb_desc_cache[order])
		kmem_cache_free(vcb_desc_cache[order], d);
	else if (vcb_desc_split(order))
		call_rcu(&d->rcu, vcb_desc_free_split);
	else
		kvfree_rcu(d, rcu);
}

static void *vcb_desc_alloc(unsigned int order)
{
	size_t size = vcb_desc_bytes[order];
	struct vcb_desc *d = NULL;
	struct vcb_desc_mag *m;

	if (vcb_desc_mag_depth[order]) {
		local_lock(&vcb_desc_mag->lock);
		m = this_cpu_ptr(vcb_desc_mag);
		if (m->nr[order])
			d = m->d[order][--m->nr[order]];
		local_unlock(&vcb_desc_mag->lock);
		if (d) {
			vcb_desc_renew(d, order);
			return d;
		}
	}
	if (vcb_desc_split(order)) {
		d = vcb_desc_alloc_split(order);
	} else if (!vcb_desc_cache[order]) {
		d = kvzalloc(size, GFP_KERNEL);
		if (d) {
			vcb_desc_slots_inline(d, order);
			d->order = order;
		}
	} else {
		d = kmem_cache_alloc(vcb_desc_cache[order], GFP_KERNEL);
		if (d)
			vcb_desc_renew(d, order);
	}
	if (!d)
		return NULL;
	vcb_desc_register(d);
	return d;
}

static void vcb_desc_free(unsigned int order, void *p)
{
	struct vcb_desc *d = p;
	struct vcb_desc_mag *m;
	bool kept = false;

	if (vcb_desc_mag_depth[order]) {
		local_lock(&vcb_desc_mag->lock);
		m = this_cpu_ptr(vcb_desc_mag);
		if (m->nr[order] < vcb_desc_mag_depth[order]) {
			m->d[order][m->nr[order]++] = d;
			kept = true;
		}
		local_unlock(&vcb_desc_mag->lock);
	}
	if (kept)
		return;
	vcb_desc_release(order, d);
}

static int vcb_desc_init(void)
{
	unsigned int o;
	int cpu;

	vcb_desc_mag = alloc_percpu(struct vcb_desc_mag);
	if (!vcb_desc_mag)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(vcb_desc_mag, cpu)->lock);
	for (o = 0; o <= VC_BUDDY_MAX_ORDER; o++) {
		vcb_desc_head[o] = vcb_desc_head_size(o);
		vcb_desc_bytes[o] = vcb_desc_head[o] +
				    (sizeof(struct page *) << o);
	}
	for (o = 0; o <= VC_BUDDY_MAX_ORDER; o++) {
		if (vcb_desc_bytes[o] > PAGE_SIZE)
			break;
		snprintf(vcb_desc_name[o], sizeof(vcb_desc_name[o]),
			 "vcb_desc_%u", o);
		vcb_desc_cache[o] = kmem_cache_create(vcb_desc_name[o],
						      vcb_desc_bytes[o], 0,
						      SLAB_TYPESAFE_BY_RCU,
						      vcb_desc_ctor[o]);
		if (!vcb_desc_cache[o])
			return -ENOMEM;
	}
	for (o = 0; o <= VC_BUDDY_MAX_ORDER && o <= VCB_DESC_MAG_MAX_ORDER; o++)
		vcb_desc_mag_depth[o] = VCB_DESC_MAG_MAX;
	return 0;
}

static void vcb_desc_exit(void)
{
	struct vcb_desc_mag *m;
	unsigned int o;
	int cpu;

	for_each_possible_cpu(cpu) {
		if (!vcb_desc_mag)
			break;
		m = per_cpu_ptr(vcb_desc_mag, cpu);
		for (o = 0; o <= VC_BUDDY_MAX_ORDER; o++)
			while (m->nr[o])
				vcb_desc_release(o, m->d[o][--m->nr[o]]);
	}
	free_percpu(vcb_desc_mag);
	vcb_desc_mag = NULL;
	memset(vcb_desc_mag_depth, 0, sizeof(vcb_desc_mag_depth));
	/* vcb_desc_free_split() is this module's code. */
	rcu_barrier();
	for (o = 0; o <= VC_BUDDY_MAX_ORDER; o++) {
		kmem_cache_destroy(vcb_desc_cache[o]);
		vcb_desc_cache[o] = NULL;
	}
}

static struct vcb_desc **vcb_start_slot(const void *addr)
{
	return &vcb_start[hash_long((unsigned long)addr >> PAGE_SHIFT,
				    VCB_START_BITS)];
}

/* The page array of block @i: bulk allocation topped up page by page. */
static void *vcb_pages_alloc(struct vcb_p2 *a, unsigned int i)
{
	struct page **pages = a->scratch + i * a->nr;
	unsigned long j;

	memset(pages, 0, a->nr * sizeof(*pages));
	vc_alloc_pages_bulk_node(GFP_KERNEL, NUMA_NO_NODE, a->nr, pages);
	for (j = 0; j < a->nr; j++) {
		if (pages[j])
			continue;
		pages[j] = alloc_page(GFP_KERNEL);
		if (!pages[j]) {
			while (j--)
				__free_page(pages[j]);
			return NULL;
		}
	}
	return pages;
}

static void vcb_pages_free(struct vcb_p2 *a, void *p)
{
	struct page **pages = p;
	unsigned long j;

	for (j = 0; j < a->nr; j++)
		__free_page(pages[j]);
}

/*
 * The floor of a virtual block: its pages in one bulk call and the mapping
 * vcompound would make (vm_map_ram() up to 64 pages, vmap() above), with
 * no descriptor, no id and no lookup; the page array is preallocated.
 */
static void *vcb_floor_alloc(struct vcb_p2 *a, unsigned int i)
{
	struct page **pages = vcb_pages_alloc(a, i);
	void *addr;

	if (!pages)
		return NULL;
	if (a->nr <= VCB_VM_MAP_RAM_MAX)
		addr = vm_map_ram(pages, a->nr, NUMA_NO_NODE);
	else
		addr = vmap(pages, a->nr, VM_MAP, PAGE_KERNEL);
	if (!addr)
		vcb_pages_free(a, pages);
	return addr;
}

static void vcb_floor_free(struct vcb_p2 *a, void *addr, unsigned int i)
{
	if (a->nr <= VCB_VM_MAP_RAM_MAX)
		vm_unmap_ram(addr, a->nr);
	else
		vunmap(addr);
	vcb_pages_free(a, a->scratch + i * a->nr);
}

/*
 * What a block's descriptor goes through besides its allocation, as in
 * vcompound: the start entered (block i at a made-up address i pages
 * apart) and the block made live; on free the claim (a cmpxchg of the
 * state word) and the start cleared.  The id stays with the descriptor
 * (P2.desc).
 */
static void *vcb_id_register(struct vcb_p2 *a, unsigned int i)
{
	struct vcb_desc *d = &a->descs[i];

	d->addr = (void *)(VMALLOC_START + ((unsigned long)i << PAGE_SHIFT));
	cmpxchg(vcb_start_slot(d->addr), NULL, d);
	atomic_set_release(&d->state, atomic_read(&d->state) & ~3);
	return d;
}

static void vcb_id_claim(struct vcb_p2 *a, void *p)
{
	struct vcb_desc *d = p;
	int seen = atomic_read(&d->state);

	if (atomic_cmpxchg(&d->state, seen, seen | 1) != seen)
		return;
	cmpxchg(vcb_start_slot(d->addr), d, NULL);
}

/* Inlined with a constant @kind: no indirect call in the timed loop. */
static __always_inline void *p2_alloc(struct vcb_p2 *a, enum vcb_p2_kind kind,
				      unsigned int i)
{
	switch (kind) {
	case P2_VCOMPOUND:
		return vcompound_alloc(GFP_KERNEL, a->order);
	case P2_VMALLOC:
		return vmalloc(PAGE_SIZE << a->order);
	case P2_KVMALLOC:
		return kvmalloc(PAGE_SIZE << a->order, GFP_KERNEL);
	case P2_VC_SIZE:
		return vcompound_alloc_size(GFP_KERNEL, a->bytes[i]);
	case P2_VMALLOC_SIZE:
		return vmalloc(a->bytes[i]);
	case P2_FLOOR:
		return vcb_floor_alloc(a, i);
	case P2_VMAP:
		return vmap(a->pages + i * a->nr, a->nr, VM_MAP, PAGE_KERNEL);
	case P2_VM_MAP_RAM:
		return vm_map_ram(a->pages + i * a->nr, a->nr, NUMA_NO_NODE);
	case P2_DESC:
		return vcb_desc_alloc(a->order);
	case P2_PAGES:
	case P2_PAGES_BULKFREE:
		return vcb_pages_alloc(a, i);
	default:
		return vcb_id_register(a, i);
	}
}

static __always_inline void p2_free(struct vcb_p2 *a, enum vcb_p2_kind kind,
				    void *p, unsigned int i)
{
	switch (kind) {
	case P2_VCOMPOUND:
	case P2_VC_SIZE:
		vcompound_free(p);
		break;
	case P2_VMALLOC:
	case P2_VMALLOC_SIZE:
		vfree(p);
		break;
	case P2_KVMALLOC:
		kvfree(p);
		break;
	case P2_FLOOR:
		vcb_floor_free(a, p, i);
		break;
	case P2_VMAP:
		vunmap(p);
		break;
	case P2_VM_MAP_RAM:
		vm_unmap_ram(p, a->nr);
		break;
	case P2_DESC:
		vcb_desc_free(a->order, p);
		break;
	case P2_PAGES:
		vcb_pages_free(a, p);
		break;
	case P2_PAGES_BULKFREE:
		/* In batches, with one pcp lock round trip per batch. */
		release_pages((struct page **)p, a->nr);
		break;
	default:
		vcb_id_claim(a, p);
		break;
	}
}

static __always_inline int p2_rep(void *arg, enum vcb_p2_kind kind, u64 *ns,
				  u64 *ops)
{
	struct vcb_p2 *a = arg;
	unsigned int l, i;
	u64 t0 = ktime_get_ns();

	for (l = 0; l < a->loops; l++) {
		for (i = 0; i < a->batch; i++) {
			a->ptr[i] = p2_alloc(a, kind, i);
			if (unlikely(!a->ptr[i]))
				goto fail;
		}
		for (i = 0; i < a->batch; i++)
			p2_free(a, kind, a->ptr[i], i);
	}
	*ns = ktime_get_ns() - t0;
	*ops = (u64)a->loops * a->batch;
	return 0;
fail:
	while (i--)
		p2_free(a, kind, a->ptr[i], i);
	return -ENOMEM;
}

static int p2_vcompound(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_VCOMPOUND, ns, ops);
}

static int p2_vmalloc(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_VMALLOC, ns, ops);
}

static int p2_vc_size(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_VC_SIZE, ns, ops);
}

static int p2_vmalloc_size(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_VMALLOC_SIZE, ns, ops);
}

static int p2_kvmalloc(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_KVMALLOC, ns, ops);
}

static int p2_floor(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_FLOOR, ns, ops);
}

static int p2_vmap(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_VMAP, ns, ops);
}

static int p2_vm_map_ram(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_VM_MAP_RAM, ns, ops);
}

static int p2_desc(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_DESC, ns, ops);
}

static int p2_pages(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_PAGES, ns, ops);
}

static int p2_pages_bulkfree(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_PAGES_BULKFREE, ns, ops);
}

static int p2_id(void *arg, u64 *ns, u64 *ops)
{
	return p2_rep(arg, P2_ID, ns, ops);
}

static int p2_lookup(void *arg, u64 *ns, u64 *ops)
{
	struct vcb_p2 *a = arg;
	unsigned int i, n = vcb_ops, virt = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < n; i++)
		virt += vcompound_is_virtual(a->block);
	*ns = ktime_get_ns() - t0;
	*ops = n;
	return virt == n ? 0 : -EINVAL;
}

static int p2_vmalloc_to_page(void *arg, u64 *ns, u64 *ops)
{
	struct vcb_p2 *a = arg;
	unsigned int i, n = vcb_ops, found = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < n; i++)
		found += !!vmalloc_to_page(READ_ONCE(a->block));
	*ns = ktime_get_ns() - t0;
	*ops = n;
	return found == n ? 0 : -EINVAL;
}

static int vcb_p2_order(struct vcb_p2 *a, const char *param)
{
	static const vcb_rep_fn fns[] = {
		p2_vcompound, p2_vmalloc, p2_kvmalloc, p2_floor,
	};
	static const vcb_rep_fn parts[] = { p2_pages, p2_desc, p2_id };
	static const vcb_rep_fn lazy[] = { p2_vmap };
	static const vcb_rep_fn small[] = { p2_vm_map_ram };
	static const vcb_rep_fn bulk[] = { p2_pages_bulkfree };
	struct vcb_stat st[VCB_MAX_SIDES];
	unsigned long i;
	int ret;

	ret = vcb_measure(fns, ARRAY_SIZE(fns), a, st);
	if (ret)
		return ret;
	vcb_row("P2", param, &st[0], "vmalloc", &st[1]);
	vcb_row("P2kv", param, &st[0], "kvmalloc", &st[2]);
	vcb_row("P2floor", param, &st[3], "vmalloc", &st[1]);

	/* Pages for vmap() and vm_map_ram(), allocated untimed. */
	for (i = 0; i < a->batch; i++)
		if (!vcb_pages_alloc(a, i))
			break;
	memcpy(a->pages, a->scratch, i * a->nr * sizeof(*a->pages));
	if (i < a->batch) {
		while (i--)
			vcb_pages_free(a, a->pages + i * a->nr);
		return -ENOMEM;
	}
	ret = vcb_measure(lazy, ARRAY_SIZE(lazy), a, st);
	if (!ret)
		vcb_row("P2.vmap", param, &st[0], NULL, NULL);
	swap(a->loops, a->loops_short);
	if (!ret)
		ret = vcb_measure(parts, ARRAY_SIZE(parts), a, st);
	if (!ret) {
		vcb_row("P2.pages", param, &st[0], NULL, NULL);
		vcb_row("P2.desc", param, &st[1], NULL, NULL);
		vcb_row("P2.id", param, &st[2], NULL, NULL);
		ret = vcb_measure(bulk, ARRAY_SIZE(bulk), a, st);
		if (!ret)
			vcb_row("P2.pages_bulkfree", param, &st[0], NULL, NULL);
	}
	swap(a->loops, a->loops_short);
	if (!ret && a->nr <= VCB_VM_MAP_RAM_MAX) {
		ret = vcb_measure(small, ARRAY_SIZE(small), a, st);
		if (!ret)
			vcb_row("P2.vm_map_ram", param, &st[0], NULL, NULL);
	}
	/* Lazily unmapped areas of vm_unmap_ram() go at the next purge. */
	for (i = a->batch; i--;)
		vcb_pages_free(a, a->pages + i * a->nr);
	return ret;
}

/*
 * The sizes of the rows of vcompound_alloc_size(), in pages: @lo alone,
 * or a mix of @lo to @hi drawn by a fixed-seed xorshift, the same sizes in
 * every run.  The row's param, "pages=N" or "pages=LO-HI", tells
 * report.sh which power-of-two orders are around it.
 */
static const struct { unsigned int lo, hi; } vcb_sized[] = {
	{ 5, 5 }, { 100, 100 }, { 1, 100 },
};

/* bench.h */
unsigned long vcb_sized_fill(size_t *bytes, unsigned long n, unsigned int lo,
			     unsigned int hi)
{
	u32 x = 2463534242U;
	unsigned long i, pages = 0, nr;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		nr = lo + x % (hi - lo + 1);
		bytes[i] = nr << PAGE_SHIFT;
		pages += nr;
	}
	return pages;
}

/* bench.h */
void vcb_sized_param(char *buf, size_t len, unsigned int k)
{
	if (vcb_sized[k].lo == vcb_sized[k].hi)
		snprintf(buf, len, "pages=%u", vcb_sized[k].lo);
	else
		snprintf(buf, len, "pages=%u-%u", vcb_sized[k].lo,
			 vcb_sized[k].hi);
}

/* bench.h */
unsigned int vcb_sized_rows(void)
{
	return ARRAY_SIZE(vcb_sized);
}

/* bench.h */
void vcb_sized_range(unsigned int k, unsigned int *lo, unsigned int *hi)
{
	*lo = vcb_sized[k].lo;
	*hi = vcb_sized[k].hi;
}

/* P2 of vcb_sized[]: always_fallback is on, as for the orders. */
static void vcb_p2_sized(struct vcb_p2 *a)
{
	static const vcb_rep_fn fns[] = { p2_vc_size, p2_vmalloc_size };
	struct vcb_stat st[ARRAY_SIZE(fns)];
	unsigned long pages;
	unsigned int k, lo, hi;
	char param[24];
	int ret;

	for (k = 0; k < vcb_sized_rows(); k++) {
		vcb_sized_range(k, &lo, &hi);
		vcb_sized_param(param, sizeof(param), k);
		a->batch = vcb_batch;
		pages = vcb_sized_fill(a->bytes, a->batch, lo, hi);
		/* As for the orders: two lazy purges' worth of pages. */
		a->loops = max_t(unsigned long,
				 vcb_loops(get_order(hi << PAGE_SHIFT)),
				 VCB_P2_MIN_PAGES / pages);
		ret = vcb_measure(fns, ARRAY_SIZE(fns), a, st);
		if (ret)
			vcb_error("P2", param, "failed: %d", ret);
		else
			vcb_row("P2", param, &st[0], "vmalloc", &st[1]);
	}
}

void vcb_p2(void)
{
	struct vcb_p2 a = { };
	char param[16];
	int ret;

	if (vcb_set_fallback(true)) {
		vcb_error("P2", "-", "cannot set always_fallback");
		return;
	}
	a.ptr = kcalloc(vcb_batch, sizeof(*a.ptr), GFP_KERNEL);
	a.pages = kvcalloc((size_t)vcb_batch << VC_BUDDY_MAX_ORDER,
			   sizeof(*a.pages), GFP_KERNEL);
	a.scratch = kvcalloc((size_t)vcb_batch << VC_BUDDY_MAX_ORDER,
			     sizeof(*a.scratch), GFP_KERNEL);
	a.descs = kcalloc(vcb_batch, sizeof(*a.descs), GFP_KERNEL);
	a.bytes = kcalloc(vcb_batch, sizeof(*a.bytes), GFP_KERNEL);
	if (!a.ptr || !a.pages || !a.scratch || !a.descs ||
	    !a.bytes || vcb_desc_init() || vcb_id_init())
		goto out;
	/* Order 0 only for the lookup parts; the table starts at order 1. */
	for (a.order = 0; a.order <= VC_BUDDY_MAX_ORDER; a.order++) {
		snprintf(param, sizeof(param), "order=%u", a.order);
		a.nr = 1UL << a.order;
		a.batch = clamp_t(unsigned long,
				  VCB_P2_MAX_BATCH_PAGES >> a.order, 1,
				  vcb_batch);
		a.loops_short = vcb_loops(a.order);
		a.loops = max(a.loops_short,
			      (VCB_P2_MIN_PAGES >> a.order) / a.batch);
		a.block = vcompound_alloc(GFP_KERNEL, a.order);
		if (!a.block || !vcompound_is_virtual(a.block)) {
			vcb_error("P2", param, "no virtual block (%s)",
				  a.block ? "physical" : "failed");
			vcompound_free(a.block);
			continue;
		}
		if (a.order) {
			ret = vcb_p2_order(&a, param);
		} else {
			static const vcb_rep_fn look[] = {
				p2_lookup, p2_vmalloc_to_page,
			};
			struct vcb_stat st[ARRAY_SIZE(look)];

			ret = vcb_measure(look, ARRAY_SIZE(look), &a, st);
			if (!ret) {
				vcb_row("P2.lookup", param, &st[0], NULL, NULL);
				vcb_row("P2.vmalloc_to_page", param, &st[1],
					NULL, NULL);
			}
		}
		if (ret)
			vcb_error("P2", param, "failed: %d", ret);
		vcompound_free(a.block);
	}
	vcb_p2_sized(&a);
out:
	/* The magazines' descriptors give their ids back first. */
	vcb_desc_exit();
	vcb_id_exit();
	kfree(a.bytes);
	kfree(a.descs);
	kvfree(a.scratch);
	kvfree(a.pages);
	kfree(a.ptr);
	vcb_set_fallback(false);
}

/* ------------------------------------------------------------------ P4 */

#define VCB_P4_MAX	256

struct vcb_p4 {
	void *ptr[VCB_P4_MAX];
	unsigned int n;
	bool use_vfree;
	u64 ns;
};

static void vcb_p4_free_all(void *arg)
{
	struct vcb_p4 *p = arg;
	unsigned int i;
	u64 t0 = ktime_get_ns();

	if (p->use_vfree)
		for (i = 0; i < p->n; i++)
			vfree(p->ptr[i]);
	else
		for (i = 0; i < p->n; i++)
			vcompound_free(p->ptr[i]);
	p->ns = ktime_get_ns() - t0;
}

static int vcb_p4_fill(struct vcb_p4 *p, unsigned int order, bool vm)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		p->ptr[i] = vm ? vmalloc(PAGE_SIZE << order) :
				 vcompound_alloc(GFP_KERNEL, order);
		if (!p->ptr[i])
			goto fail;
	}
	p->use_vfree = vm;
	return 0;
fail:
	while (i--) {
		if (vm)
			vfree(p->ptr[i]);
		else
			vcompound_free(p->ptr[i]);
	}
	return -ENOMEM;
}

/* One repetition: the four per-block times, in 0.1 ns. */
static int vcb_p4_rep(struct vcb_p4 *p, unsigned int order, u64 *v)
{
	u64 t0;
	int ret;

	/* vcompound_free() from hardirq queues; vcompound_drain() unmaps. */
	ret = vcb_p4_fill(p, order, false);
	if (ret)
		return ret;
	ret = vcb_in_hardirq(vcb_p4_free_all, p);
	/* Preemption is still off: the worker has not run yet. */
	t0 = ktime_get_ns();
	preempt_enable();
	if (ret == -EBUSY)
		vcb_p4_free_all(p);
	if (ret)
		return ret;
	v[0] = vcb_per_op(p->ns, p->n);
	vcompound_drain();
	v[1] = vcb_per_op(ktime_get_ns() - t0, p->n);

	/* vfree() from hardirq: vfree_atomic(), a per-CPU llist and work. */
	ret = vcb_p4_fill(p, order, true);
	if (ret)
		return ret;
	ret = vcb_in_hardirq(vcb_p4_free_all, p);
	preempt_enable();
	if (ret == -EBUSY)
		vcb_p4_free_all(p);
	if (ret)
		return ret;
	v[2] = vcb_per_op(p->ns, p->n);
	/* Its worker cannot be flushed from here: let it run. */
	msleep(100);

	/* What that worker does per block: vfree() in process context. */
	ret = vcb_p4_fill(p, order, true);
	if (ret)
		return ret;
	vcb_p4_free_all(p);
	v[3] = vcb_per_op(p->ns, p->n);
	return 0;
}

/*
 * vcompound_free()'s claim of a virtual block: a cmpxchg of the state
 * word the lookup saw, live, to freed (module/vblock.c).
 */
static void vcb_p4_claim(void)
{
	atomic_t state[VCB_P4_MAX];
	u64 v[VCB_MAX_REPS], t0;
	struct vcb_stat st;
	unsigned int i, r;
	int seen;

	for (r = 0; r < vcb_reps; r++) {
		for (i = 0; i < VCB_P4_MAX; i++)
			atomic_set(&state[i], 4 * r);
		t0 = ktime_get_ns();
		for (i = 0; i < VCB_P4_MAX; i++) {
			seen = atomic_read_acquire(&state[i]);
			if (atomic_cmpxchg(&state[i], seen, seen | 1) != seen)
				return;
		}
		v[r] = vcb_per_op(ktime_get_ns() - t0, VCB_P4_MAX);
	}
	vcb_reduce(v, vcb_reps, &st);
	vcb_row("P4.claim", "order=0", &st, NULL, NULL);
}

void vcb_p4(void)
{
	static const unsigned int orders[] = { 0, 4, 8 };
	u64 v[4][VCB_MAX_REPS], one[4];
	struct vcb_stat st[4];
	unsigned int k, r, j;
	struct vcb_p4 *p;
	char param[16];
	int ret = 0;

	if (vcb_set_fallback(true)) {
		vcb_error("P4", "-", "cannot set always_fallback");
		return;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto out;
	for (k = 0; k < ARRAY_SIZE(orders); k++) {
		snprintf(param, sizeof(param), "order=%u", orders[k]);
		p->n = min(VCB_P4_MAX, 16384U >> orders[k]);
		/* The first repetition warms up and is not counted. */
		for (r = 0; r <= vcb_reps; r++) {
			ret = vcb_p4_rep(p, orders[k], one);
			if (ret)
				break;
			for (j = 0; r && j < 4; j++)
				v[j][r - 1] = one[j];
			cond_resched();
		}
		if (ret) {
			vcb_error("P4", param, "failed: %d", ret);
			break;
		}
		for (j = 0; j < 4; j++)
			vcb_reduce(v[j], vcb_reps, &st[j]);
		vcb_info("P4 %s: %u blocks freed per hardirq", param, p->n);
		vcb_row("P4enq", param, &st[0], "vfree-hardirq", &st[2]);
		vcb_row("P4drain", param, &st[1], "vfree", &st[3]);
	}
	if (!ret)
		vcb_p4_claim();
	kfree(p);
out:
	vcompound_drain();
	vcb_set_fallback(false);
}
