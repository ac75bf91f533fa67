/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcompound internals shared between the files of the module.
 */
#ifndef _VCOMPOUND_INTERNAL_H
#define _VCOMPOUND_INTERNAL_H

#include <linux/hash.h>
#include <linux/jump_label.h>
#include <linux/kmemleak.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>

#include <vcompound.h>
#include "vcompat_page_alloc.h"

struct dentry;
struct seq_file;

/*
 * Default for the max_order param: 64 MiB blocks, whatever the page size
 * (order 14 with 4 KiB pages, 12 with 16 KiB, 10 with 64 KiB).
 */
#define VC_DEFAULT_MAX_ORDER	(26 - PAGE_SHIFT)

/*
 * A virtual block, or a sized physical one (@linear: split pages in the
 * linear map, vc_vblock_linear()).  Each of its pages carries its id and
 * index in page->private (vc_vblock_private()), and vbid.c maps the id back to
 * this descriptor, so an address inside the mapping leads to its block in
 * O(1): vmalloc_to_page() -> page->private -> vc_id_lookup(); the block's
 * start, what a free passes, mostly through a table of starts (lookup.c)
 * without the walk.  Lookups run
 * under rcu_read_lock(): the descriptor of a large block is freed after a
 * grace period; that of a small one goes back to a SLAB_TYPESAFE_BY_RCU
 * cache at once and may be reused while a lookup still reads it, which
 * the generation in its state word tells (vc_vb_kind()).
 */
struct vc_vblock {
	atomic_t state;			/* generation | enum vc_vblock_state */
	unsigned int order;		/* get_order() of its size */
	u32 id;				/* vbid.c */
	bool map_ram;			/* mapped by vm_map_ram(), not vmap() */
	bool chunks_whole;		/* chunks go back as blocks (vblock.c) */
	bool linear;			/* one physical allocation (vblock.c) */
	bool chunked;			/* @chunks counts any */
	void *addr;			/* start of the mapping, or page_address() */
	unsigned long nr_pages;		/* 2^order, or fewer (a sized block) */
	/*
	 * A descriptor on a list (a per-CPU deferred-free list, the atomic
	 * reserve) is not yet released; one freed after a grace period
	 * (vc_desc_free()) is, and is on no list any more.
	 */
	union {
		struct llist_node defer_node;
		struct rcu_head rcu;
	};
	/* nr_pages slots: after the chunk counts, or a page of their own */
	struct page **pages;
	/*
	 * How many chunks of each order 1..order-1 the first pages came in,
	 * largest first ([0] unused).
	 */
	unsigned int chunks[];
};

/*
 * A block is claimed by the one free that moves it from LIVE to FREED; it
 * stays registered (vbid.c) until it is unmapped, but lookups no longer
 * see it.
 * A cmpxchg rather than a lock: the id table's (vbid.c) is a spinlock_t,
 * which hard irq context (and any atomic context on PREEMPT_RT) must not
 * take.
 * A block built for the atomic reserve is PARKED until a take makes it
 * LIVE: it is nobody's, so no lookup may find it and no free may claim
 * it, not even a stale free of an address it was mapped at after the
 * area's earlier owner freed it.
 */
enum vc_vblock_state {
	VC_VB_LIVE,
	VC_VB_FREED,
	VC_VB_PARKED,
	VC_VB_BUILDING,			/* not registered yet, or failed */
};

/*
 * The state word: the kind above in its low bits, and above them a
 * generation that every (re)use of the descriptor bumps.  A lookup keeps
 * the word it saw (struct vc_ref), and the claim is a cmpxchg from that
 * word: a descriptor freed and reused for another block since the lookup
 * has another generation, and is not claimed by the stale free.
 */
#define VC_VB_KIND_MASK		3
#define VC_VB_GEN_STEP		4

static inline int vc_vb_kind(int state)
{
	return state & VC_VB_KIND_MASK;
}

/* A transition only the block's owner makes: the generation stays. */
static inline void vc_vblock_set_kind(struct vc_vblock *vb, int kind)
{
	int state = atomic_read(&vb->state);

	atomic_set_release(&vb->state, (state & ~VC_VB_KIND_MASK) | kind);
}

/*
 * Pages of a virtual block handled per step, with cond_resched() between
 * steps: the bulk allocator fills its array, zeroing every page, with
 * interrupts off (5.13-6.1) or preemption off (6.2 on), and one call for
 * all 2^20 pages of the largest order would hold its CPU that long.
 * vmalloc asks for 100 at a time for the same reason.
 */
#define VC_PAGE_CHUNK	100

/*
 * page->private of a virtual block's page: (id << VC_IDX_BITS | index),
 * the index cut to its low VC_IDX_BITS bits.  The id must never run out
 * before the address space does: every block with an id (live, parked or
 * waiting for its unmap) holds at least one page of kernel virtual
 * addresses of its own, so BITS_PER_LONG - PAGE_SHIFT bits always do.
 * On 64-bit that leaves the whole index (and ids up to U32_MAX, what
 * vbid.c hands out); on 32-bit the low PAGE_SHIFT bits of it, and a
 * block of a higher order is searched at the few indexes that share them
 * (vc_vblock_index()).
 */
#define VC_ID_BITS	min(32, BITS_PER_LONG - PAGE_SHIFT)
#define VC_IDX_BITS	min(VCOMPOUND_ORDER_LIMIT, BITS_PER_LONG - VC_ID_BITS)
#define VC_IDX_MASK	((1UL << VC_IDX_BITS) - 1)
#define VC_ID_MAX	((u32)(~0UL >> (BITS_PER_LONG - VC_ID_BITS)))

/*
 * page->private of page @idx of a block whose page 0 carries @first: the
 * per-page loops compute @first once, as the stores to page->private
 * keep gcc from taking vb->id out of the loop.
 */
static inline unsigned long vc_vblock_private_from(unsigned long first,
						   unsigned long idx)
{
	/* On 64-bit every index fits: no mask (an instruction per page). */
	if (VC_IDX_BITS >= VCOMPOUND_ORDER_LIMIT)
		return first | idx;
	return first | (idx & VC_IDX_MASK);
}

/* What page @idx of @vb carries in page->private while @vb lives. */
static inline unsigned long vc_vblock_private(const struct vc_vblock *vb,
					      unsigned long idx)
{
	return vc_vblock_private_from((unsigned long)vb->id << VC_IDX_BITS,
				      idx);
}

/*
 * kmemleak scans neither alloc_pages() memory nor vmap() and vm_map_ram()
 * areas, so an object a client points to only from inside a block would be
 * reported as leaked.  Blocks of both kinds are registered, as vmalloc()
 * memory is, so that clients can treat the kinds alike; min_count 0 keeps
 * a block itself from being reported, since a client may hold it by its
 * struct page alone.  Their releases unregister them.
 */
static inline void vc_kmemleak_alloc(const void *addr, size_t size, gfp_t gfp)
{
	kmemleak_alloc(addr, size, 0, gfp);
}

/*
 * What a lookup learns about a block.  @vb is NULL for a compound page
 * (the physical kind of a power-of-two block); @head is the compound head,
 * or the first page of a block with a descriptor; @nr_pages is the
 * block's extent, 2^@order pages or, for a sized block, fewer.
 */
struct vc_ref {
	struct page *head;
	struct vc_vblock *vb;
	void *base;
	unsigned long nr_pages;
	unsigned int order;
	int state;			/* @vb's state word, as the lookup saw it */
};

/*
 * The core, bottom up; each file calls only into the ones listed before
 * it: params.c, counters.c, fault_inject.c, vbid.c, lookup.c, vblock.c,
 * reserve.c, then alloc.c, free.c and mmap.c (the exported API), then
 * stats.c.  vcache (vcache_internal.h) sits on top of the core, sysfs.c
 * on top of both (vcache calls it for its caches' directories), and
 * main.c only sequences init and exit.
 */

/* params.c; read inline, as every allocation reads them */
extern bool vc_param_always_fallback;
extern unsigned int vc_param_max_order;

static inline bool vc_always_fallback(void)
{
	return READ_ONCE(vc_param_always_fallback);
}

static inline unsigned int vc_max_order(void)
{
	return READ_ONCE(vc_param_max_order);
}

/* Orders 1 to VC_RESERVE_MAX_ORDER may have an atomic reserve. */
#define VC_RESERVE_MAX_ORDER	10

/* counters.c */
#define VC_X_ORDER_COUNTER(name, meaning) \
	unsigned long name[VCOMPOUND_ORDER_LIMIT + 1];
#define VC_X_RESERVE_COUNTER(name, meaning) \
	unsigned long name[VC_RESERVE_MAX_ORDER + 1];

struct vc_counters {
	VCOMPOUND_ORDER_COUNTERS(VC_X_ORDER_COUNTER)
	VCOMPOUND_RESERVE_COUNTERS(VC_X_RESERVE_COUNTER)
	VCOMPOUND_REFUSAL_COUNTERS(VCOMPOUND_X_FIELD)
	unsigned long defer_queued;	/* frees queued for the worker */
	unsigned long defer_done;	/* ... and done by it */
	/*
	 * Pages that sized blocks, counted in the row of their order, lack
	 * against 2^order: added at allocation, taken off at the free.
	 */
	unsigned long trimmed_physical;
	unsigned long trimmed_virtual;
};

DECLARE_PER_CPU(struct vc_counters, vc_counters);

/* Safe from any context: this_cpu_inc() is irq-safe. */
#define vc_count(field)		this_cpu_inc(vc_counters.field)
#define vc_count_add(field, n)	this_cpu_add(vc_counters.field, n)

void vc_counters_sum(struct vcompound_stats *st);
void vc_counters_trimmed(unsigned long *physical, unsigned long *virtual);

/*
 * fault_inject.c: debugfs knobs that fail one step of an allocation,
 * there with fault_inject=1 only.  The hooks cost a static branch while
 * every knob is off.
 */
#define VC_X_FAULT_ENUM(name, max, step)	VC_FAULT_##name,
enum vc_fault_site {
	VCOMPOUND_FAULT_SITES(VC_X_FAULT_ENUM)
	VC_FAULT_NR
};

DECLARE_STATIC_KEY_FALSE(vc_fault_key);
bool __vc_fault(enum vc_fault_site site);
bool __vc_fault_page(unsigned long index);
bool __vc_fault_chunk(unsigned int order);
void vc_fault_debugfs_init(struct dentry *parent);
void vc_fault_debugfs_exit(void);
void vc_fault_stats_show(struct seq_file *m);

static inline bool vc_fault(enum vc_fault_site site)
{
	return static_branch_unlikely(&vc_fault_key) && __vc_fault(site);
}

static inline bool vc_fault_page(unsigned long index)
{
	return static_branch_unlikely(&vc_fault_key) && __vc_fault_page(index);
}

static inline bool vc_fault_chunk(unsigned int order)
{
	return static_branch_unlikely(&vc_fault_key) && __vc_fault_chunk(order);
}

/* vbid.c: ids of virtual blocks, and the table from id to descriptor */
int vc_id_register(struct vc_vblock *vb, gfp_t gfp);
void vc_id_unregister(struct vc_vblock *vb);
struct vc_vblock *vc_id_lookup(u32 id);
struct vc_vblock *vc_id_next(u32 *id);
void vc_id_exit(void);

/*
 * lookup.c.  A physical block is recognised by a per-boot random cookie
 * (vc_cookie, set at load), mixed with the pfn, in the head page's
 * ->private.  Nothing else stores it there: the buddy allocator keeps
 * small orders in ->private of free pages, and kmalloc's large pages and
 * slabs leave it zero or use it otherwise.  Inline: every physical
 * allocation marks its block and every free claims it.
 */
extern unsigned long vc_cookie;

static inline unsigned long vc_phys_cookie(const struct page *head)
{
	return vc_cookie ^ page_to_pfn(head);
}

static inline bool vc_phys_owned(const struct page *head)
{
	return page_private(head) == vc_phys_cookie(head);
}

static inline void vc_phys_mark(struct page *head)
{
	set_page_private(head, vc_phys_cookie(head));
}

/*
 * Take ownership of a physical block for freeing.  Only one of two racing
 * frees of the same block wins; the loser sees a bad free.
 */
static inline bool vc_phys_claim(struct page *head)
{
	unsigned long cookie = vc_phys_cookie(head);

	return cmpxchg(&head->private, cookie, 0) == cookie;
}

struct page *vc_phys_head_of(const void *addr);
void vc_start_add(struct vc_vblock *vb);
void vc_start_del(struct vc_vblock *vb);
bool vc_lookup_addr_rest(const void *addr, struct vc_ref *ref);

/*
 * Fill @ref from @vb, whose state word was @state when the lookup began.
 * False if the state changed meanwhile (freed, maybe reused): the fields
 * read may then mix two blocks, as a seqcount reader's may.
 */
static inline bool vc_ref_virtual(struct vc_ref *ref, struct vc_vblock *vb,
				  int state)
{
	ref->vb = vb;
	ref->head = vb->pages[0];
	ref->base = vb->addr;
	ref->nr_pages = vb->nr_pages;
	ref->order = vb->order;
	ref->state = state;
	/* The fields before the second look, as a seqcount reader's. */
	smp_rmb();
	return atomic_read(&vb->state) == state;
}

/* The table of block starts (lookup.c), direct-mapped by address. */
#define VC_START_BITS	12

extern struct vc_vblock *vc_start_table[1 << VC_START_BITS];

static inline struct vc_vblock **vc_start_slot(const void *addr)
{
	return &vc_start_table[hash_long((unsigned long)addr >> PAGE_SHIFT,
					 VC_START_BITS)];
}

/*
 * The live block with a descriptor that starts at @addr, if the table
 * knows it; false does not mean there is none.
 */
static __always_inline bool vc_lookup_start(const void *addr,
					    struct vc_ref *ref)
{
	struct vc_vblock *vb = READ_ONCE(*vc_start_slot(addr));
	int state;

	if (!vb)
		return false;
	state = atomic_read_acquire(&vb->state);
	return vc_vb_kind(state) == VC_VB_LIVE &&
	       vc_ref_virtual(ref, vb, state) && ref->base == addr;
}

/**
 * vc_lookup_addr - find the block containing @addr
 * @addr: any address, valid or not
 * @ref: filled in on success
 *
 * A block's start, what a free passes, is mostly in the table of starts:
 * that much is inline in every lookup, without a call or a frame of its
 * own; the rest is vc_lookup_addr_rest().
 *
 * Context: Any context but NMI; the caller holds rcu_read_lock().
 * Return: true if @addr lies inside a live vcompound block.
 */
static __always_inline bool vc_lookup_addr(const void *addr,
					   struct vc_ref *ref)
{
	return vc_lookup_start(addr, ref) || vc_lookup_addr_rest(addr, ref);
}

bool vc_lookup_page(struct page *page, struct vc_ref *ref,
		    unsigned long *index);
bool vc_lookup_slow(const void *addr, const struct page *first,
		    struct vc_ref *ref);
void vc_lookup_init(void);
void vc_lookup_exit(void);

/* vblock.c */
struct vc_vblock *vc_vblock_build(gfp_t gfp, unsigned int order,
				  unsigned long nr, int nid, bool parked);
struct vc_vblock *vc_vblock_linear(struct page *page, unsigned int order,
				   unsigned long nr, gfp_t gfp, int nid);

/*
 * Hide @vb from lookups and from a second free.  Of two racing frees only
 * one moves it out of VC_VB_LIVE and wins.  @seen is the state word the
 * free's lookup saw: if the descriptor was freed and reused since, its
 * generation differs and the stale free claims nothing.  Inline: every
 * free of a virtual block makes it.
 */
static inline bool vc_vblock_claim(struct vc_vblock *vb, int seen)
{
	return vc_vb_kind(seen) == VC_VB_LIVE &&
	       atomic_cmpxchg(&vb->state, seen,
			      (seen & ~VC_VB_KIND_MASK) | VC_VB_FREED) == seen;
}

int vc_vblock_init(void);
void vc_vblock_exit(void);
void vc_vblock_destroy(struct vc_vblock *vb);
void vc_vblock_release(struct vc_vblock *vb);
unsigned long vc_desc_mag_release_local(void);
unsigned long vc_desc_mag_release_dead(unsigned int cpu);
unsigned long vc_desc_kept(int cpu, int order);

/* vblock_reclaim.c: the magazines' descriptors given back */
int vc_vblock_reclaim_init(void);
void vc_vblock_reclaim_exit(void);

/* reserve.c: pre-built virtual blocks for non-blocking allocations */
struct vc_vblock *vc_reserve_take(unsigned int order);
unsigned int vc_reserve_level(unsigned int order, unsigned int *target);
void vc_reserve_init(void);
void vc_reserve_exit(void);

/* alloc.c */
void *vc_alloc_block(gfp_t gfp, unsigned int order, int nid, bool may_virtual);

/* free.c */
/* Per-CPU, WQ_MEM_RECLAIM: work that gives memory back. */
extern struct workqueue_struct *vc_defer_wq;
int vc_defer_init(void);
void vc_defer_exit(void);

/* stats.c */
/*
 * The fields of struct vcompound_order_stats after its counters: levels
 * vcompound_get_stats() reads, not counts (sysfs and the stats file).
 */
#define VC_ORDER_STATE(X)						\
	X(reserve_level, "")						\
	X(reserve_target, "")						\
	X(desc_kept, "")
void vc_stats_init(void);
void vc_stats_exit(void);
struct dentry *vc_debugfs_root(void);
void vc_stats_warn_outstanding(void);

/* sysfs.c: /sys/kernel/vcompound/ */
struct vcache;
struct kobject;
int vc_sysfs_init(void);
void vc_sysfs_exit(void);
struct kobject *vc_sysfs_vcache_add(struct vcache *c);
void vc_sysfs_vcache_del(struct kobject *kobj);

/*
 * Whether pages may go back to the page allocator here.  Its locks are
 * spinlock_t, which on PREEMPT_RT sleep: not with preemption or interrupts
 * off, and not in hard irq, which stays hard on RT for IRQF_NO_THREAD
 * handlers and hard irq_work and hrtimers.  Hard irq is left to the worker
 * on every kernel, so that the path RT needs is the one tested everywhere;
 * frees of pages in hard irq are rare, and the worker runs right after.
 */
static inline bool vc_can_free_pages(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		return preemptible();
	return !hardirq_count();
}

/*
 * vunmap() may sleep and must not run with interrupts off.  Without
 * CONFIG_PREEMPT_COUNT preemptible() is constant 0 and every virtual free
 * is deferred, which is always safe.  A preemptible RCU read-side section
 * must not sleep either.
 */
static inline bool vc_can_sleep(void)
{
	return preemptible() && !rcu_preempt_depth();
}

#endif /* _VCOMPOUND_INTERNAL_H */
