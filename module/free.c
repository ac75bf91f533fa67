// SPDX-License-Identifier: GPL-2.0
/*
 * Freeing from any context.
 *
 * vunmap() may sleep, and the page allocator's locks are spinlock_t, which
 * hard irq context must not take (nor, on PREEMPT_RT, any atomic context).
 * A free that cannot finish where it is called is queued per CPU, and a
 * work item on that CPU unmaps and frees it from process context: a
 * virtual block wherever sleeping is not allowed, a physical one where
 * pages may not be freed (vc_can_free_pages()).
 *
 * The queue holds bare addresses: the lookup and the claim, which cost
 * several times what the queueing does, run in the worker, like
 * vfree_atomic() validates nothing where it is called.  A bad free is
 * then reported by the worker, naming the caller recorded at the free.
 * When the per-CPU slots are full, or the free and defer trace events are
 * on (they report the order), a free is validated at once and the block
 * goes on a lock-free list instead: its descriptor's node for a virtual
 * block, the block's own first bytes for a physical one.
 */
#include <linux/kmemleak.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "vcompound_internal.h"
#include "vcompound_trace.h"
#include "vcompat_workqueue.h"

/*
 * Unvalidated frees queued per CPU (4 KiB each); a longer burst before the
 * worker runs is validated at free time.
 */
#define VC_DEFER_SLOTS		256
/* How many of them the worker takes off the queue at a time. */
#define VC_DEFER_CHUNK		16

struct vc_defer_slot {
	const void *addr;
	unsigned long caller;
};

struct vc_defer_cpu {
	/* producers on this CPU, and a drain from any CPU */
	raw_spinlock_t lock;
	unsigned int nr;
	struct vc_defer_slot slots[VC_DEFER_SLOTS];
	struct llist_head list;		/* validated virtual blocks */
	struct llist_head phys;		/* validated physical blocks */
	struct work_struct work;
	/*
	 * Held by whoever drains this CPU's queue, the worker or
	 * vcompound_drain(), from taking entries off until they are freed:
	 * a drain that finds the queue empty then knows that nothing taken
	 * off it earlier is still being unmapped.
	 */
	struct mutex drain_lock;
};

/* Dynamic: the static per-CPU space that modules share is small. */
static struct vc_defer_cpu __percpu *vc_defer;
struct workqueue_struct *vc_defer_wq;

/*
 * The bad-free reports are out of line: on 7.2 (not on 6.12) a WARN_ONCE()
 * warns once per code site, and every inlined copy is a site of its own
 * (seen on Debian's 7.2: the same report from vc_free_claim() and from
 * vcompound_free_pages()).  Once means once per load of the module.
 */
static noinline void vc_bad_free(const void *what, unsigned long caller)
{
	vc_count(bad_free);
	WARN_ONCE(1, "vcompound: %p is not a live vcompound block (double free or foreign pointer), not freed; freed by %pS\n",
		  what, (void *)caller);
}

static noinline void vc_interior_free(const void *addr, const void *base,
				      unsigned long caller)
{
	vc_count(interior_free);
	WARN_ONCE(1, "vcompound: %p is inside the block at %p, not freed; freed by %pS\n",
		  addr, base, (void *)caller);
}

/*
 * Look @addr up and claim its block.  On success the caller owns the block
 * and @ref describes it; otherwise the bad free has been reported.
 */
static bool vc_free_claim(const void *addr, unsigned long caller,
			  struct vc_ref *ref)
{
	bool claimed;

	rcu_read_lock();
	/* The walk finds a block whose first page's private was overwritten. */
	if (!vc_lookup_addr(addr, ref) && !vc_lookup_slow(addr, NULL, ref)) {
		rcu_read_unlock();
		vc_bad_free(addr, caller);
		return false;
	}
	if (ref->base != addr) {
		rcu_read_unlock();
		vc_interior_free(addr, ref->base, caller);
		return false;
	}
	claimed = ref->vb ? vc_vblock_claim(ref->vb, ref->state) : vc_phys_claim(ref->head);
	rcu_read_unlock();
	if (!claimed)
		vc_bad_free(addr, caller);
	return claimed;
}

static void vc_release_physical(struct page *head, unsigned int order)
{
	/* Registered by vc_alloc_physical(); no scan may read it from now on. */
	kmemleak_free(page_address(head));
	/* Counted first, so that the free is the last call (a tail call). */
	vc_count(freed_physical[order]);
	__free_pages(head, order);
}

static void vc_free_physical(struct page *head, unsigned int order,
			     const void *addr)
{
	trace_vcompound_free(addr, order, false, false);
	vc_release_physical(head, order);
}

/*
 * Whether @addr may be the start of a physical block that can be freed
 * here without a lookup: pages may be freed here, and @addr is a
 * page-aligned linear-map address below high_memory.  Tests of @addr and
 * globals only, which vcompound_free() makes without a frame of its own.
 */
static __always_inline bool vc_free_fast_candidate(const void *addr)
{
	unsigned long a = (unsigned long)addr;

	return vc_can_free_pages() && PAGE_ALIGNED(a) && a >= PAGE_OFFSET &&
	       a < (unsigned long)high_memory;
}

/*
 * The start of a physical block, for an @addr vc_free_fast_candidate()
 * accepts: the cookie in its head page is checked and cleared by one
 * cmpxchg, which is also the claim, so neither the lookup nor an RCU
 * section is needed.  With the candidate test, this is what
 * virt_addr_valid() checks, without its call into the kernel and for the
 * linear map only: a struct page to read (pfn_valid(): a memory hole has
 * none), and an address that is page_address() of it.  Anything else (an
 * interior or a foreign address, a double free, the kernel image, memory
 * added above high_memory) is left to the full lookup, which tells them
 * apart and asks virt_addr_valid() itself.
 */
static __always_inline bool vc_free_physical_fast(const void *addr)
{
	unsigned long pfn = PHYS_PFN(__pa(addr));
	struct page *head;

	if (!pfn_valid(pfn))
		return false;
	head = pfn_to_page(pfn);
	if (!vc_phys_claim(head))
		return false;
	vc_free_physical(head, compound_order(head), addr);
	return true;
}

static void vc_defer_drain_list(struct vc_defer_cpu *d)
{
	struct llist_node *batch = llist_del_all(&d->list);
	struct llist_node *node, *next;
	struct vc_vblock *vb, *vnext;

	llist_for_each_entry_safe(vb, vnext, batch, defer_node) {
		vc_vblock_destroy(vb);
		vc_count(defer_done);
		cond_resched();
	}
	/* Each node is the first bytes of the block it frees. */
	batch = llist_del_all(&d->phys);
	llist_for_each_safe(node, next, batch) {
		struct page *head = virt_to_page(node);

		vc_release_physical(head, compound_order(head));
		vc_count(defer_done);
		cond_resched();
	}
}

/* Validate and free queued addresses, a chunk at a time off the queue. */
static void vc_defer_drain_slots(struct vc_defer_cpu *d)
{
	struct vc_defer_slot chunk[VC_DEFER_CHUNK];
	struct vc_ref ref;
	unsigned int i, n;

	do {
		raw_spin_lock_irq(&d->lock);
		n = min_t(unsigned int, d->nr, VC_DEFER_CHUNK);
		d->nr -= n;
		memcpy(chunk, &d->slots[d->nr], n * sizeof(*chunk));
		raw_spin_unlock_irq(&d->lock);

		for (i = 0; i < n; i++) {
			const struct vc_defer_slot *slot = &chunk[i];

			if (vc_free_claim(slot->addr, slot->caller, &ref)) {
				vc_count(deferred[ref.order]);
				if (ref.vb)
					vc_vblock_destroy(ref.vb);
				else
					vc_release_physical(ref.head,
							    ref.order);
			}
			vc_count(defer_done);
			cond_resched();
		}
	} while (n);
}

static void vc_defer_drain(struct vc_defer_cpu *d)
{
	mutex_lock(&d->drain_lock);
	vc_defer_drain_slots(d);
	vc_defer_drain_list(d);
	mutex_unlock(&d->drain_lock);
}

static void vc_defer_work(struct work_struct *work)
{
	vc_defer_drain(container_of(work, struct vc_defer_cpu, work));
}

/* A claimed virtual block, from where vunmap() must not run. */
static void vc_defer_vblock(struct vc_vblock *vb)
{
	struct vc_defer_cpu *d;
	int cpu;

	vc_count(deferred[vb->order]);
	vc_count(defer_queued);
	trace_vcompound_defer(vb->addr, vb->order);
	cpu = get_cpu();
	d = per_cpu_ptr(vc_defer, cpu);
	/* Only the first entry on an empty list needs to kick the worker. */
	if (llist_add(&vb->defer_node, &d->list))
		queue_work_on(cpu, vc_defer_wq, &d->work);
	put_cpu();
}

/* A claimed physical block, from where pages must not be freed. */
static void vc_defer_physical(struct page *head, unsigned int order,
			      void *addr)
{
	struct vc_defer_cpu *d;
	int cpu;

	vc_count(deferred[order]);
	vc_count(defer_queued);
	trace_vcompound_defer(addr, order);
	cpu = get_cpu();
	d = per_cpu_ptr(vc_defer, cpu);
	if (llist_add(addr, &d->phys))
		queue_work_on(cpu, vc_defer_wq, &d->work);
	put_cpu();
}

/*
 * Queue the free of @addr, unvalidated, on this CPU.
 * Return: false if this CPU's slots are full.
 */
static bool vc_defer_addr(const void *addr, unsigned long caller)
{
	struct vc_defer_cpu *d;
	unsigned long flags;
	bool queued, kick;

	local_irq_save(flags);
	d = this_cpu_ptr(vc_defer);
	raw_spin_lock(&d->lock);
	queued = d->nr < VC_DEFER_SLOTS;
	kick = queued && !d->nr;
	if (queued) {
		d->slots[d->nr].addr = addr;
		d->slots[d->nr].caller = caller;
		d->nr++;
		vc_count(defer_queued);
	}
	raw_spin_unlock(&d->lock);
	if (kick)
		queue_work_on(smp_processor_id(), vc_defer_wq, &d->work);
	local_irq_restore(flags);
	return queued;
}

/* The free and defer events report the order: validate at once for them. */
static bool vc_free_traced(void)
{
	return trace_vcompound_free_enabled() ||
	       trace_vcompound_defer_enabled();
}

/* Everything but vc_free_physical_fast(), out of line. */
static noinline void vc_free_slow(const void *addr, unsigned long caller)
{
	bool virt = is_vmalloc_addr(addr);
	/* Can the free be finished here, or must a worker do it? */
	bool here = virt ? vc_can_sleep() : vc_can_free_pages();
	struct vc_ref ref;

	if (!here && PAGE_ALIGNED(addr) && !vc_free_traced() &&
	    vc_defer_addr(addr, caller))
		return;

	if (!vc_free_claim(addr, caller, &ref))
		return;
	/*
	 * A descriptor's release may sleep (vbid.c's locks, cond_resched()
	 * between batches of pages), as vunmap() may: a sized physical
	 * block's too, though its address is in the linear map.
	 */
	if (ref.vb)
		here = vc_can_sleep();
	if (!ref.vb && here) {
		vc_free_physical(ref.head, ref.order, addr);
	} else if (!ref.vb) {
		trace_vcompound_free(addr, ref.order, false, true);
		vc_defer_physical(ref.head, ref.order, ref.base);
	} else if (here) {
		trace_vcompound_free(addr, ref.order, virt, false);
		vc_vblock_destroy(ref.vb);
	} else {
		trace_vcompound_free(addr, ref.order, virt, true);
		vc_defer_vblock(ref.vb);
	}
}

/*
 * Out of line, so that vcompound_free() itself needs no frame: a free that
 * vc_free_fast_candidate() refuses goes on to vc_free_slow() at no further
 * cost.
 */
static noinline void vc_free_linear(const void *addr, unsigned long caller)
{
	if (!vc_free_physical_fast(addr))
		vc_free_slow(addr, caller);
}

/*
 * The common case, the start of a physical block, needs no lookup and so
 * no ref on the stack: it comes first, before even the vmalloc range
 * check, as vmalloc addresses are not linear.
 */
static __always_inline void vc_free_addr(const void *addr,
					 unsigned long caller)
{
	if (vc_free_fast_candidate(addr))
		vc_free_linear(addr, caller);
	else
		vc_free_slow(addr, caller);
}

/**
 * vcompound_free - free a block from vcompound_alloc()
 * @addr: the address vcompound_alloc() returned, or NULL
 *
 * Frees are refused with a warning, and counted, when @addr is not the
 * start of a live block: a foreign pointer, an interior address, or a
 * double free.  A free that is queued (below) is checked by the worker
 * that finishes it, so such a bad free is reported from there (naming
 * this function's caller), and a double free whose second call comes
 * after the block's address was handed out again cannot be told from a
 * free of the new block.
 *
 * Context: Any context but NMI: hard irq (also on PREEMPT_RT), softirq,
 * spinlocks or raw spinlocks held, interrupts or preemption disabled.  A
 * virtual block freed where sleeping is not allowed, and a physical one
 * freed in hard irq context (on PREEMPT_RT: wherever preemption or
 * interrupts are off), is finished later by a worker; vcompound_drain()
 * waits for that.
 */
void vcompound_free(const void *addr)
{
	if (addr)
		vc_free_addr(addr, _RET_IP_);
}
EXPORT_SYMBOL_GPL(vcompound_free);

/**
 * vcompound_free_pages - free a block from vcompound_alloc_pages()
 * @page: the page vcompound_alloc_pages() returned, or NULL
 *
 * Context: As vcompound_free().
 */
void vcompound_free_pages(struct page *page)
{
	struct vc_ref ref;
	void *addr;

	if (!page)
		return;
	addr = vcompound_page_address(page);
	if (!addr) {
		/* A virtual block whose first page's private was overwritten. */
		rcu_read_lock();
		if (vc_lookup_slow(NULL, page, &ref))
			addr = ref.base;
		rcu_read_unlock();
	}
	if (!addr) {
		vc_bad_free(page, _RET_IP_);
		return;
	}
	vc_free_addr(addr, _RET_IP_);
}
EXPORT_SYMBOL_GPL(vcompound_free_pages);

/**
 * vcompound_drain - finish every deferred free queued so far
 *
 * After it returns, every virtual block freed before the call is unmapped
 * and its pages are back in the page allocator.
 *
 * Context: Process context; may sleep.
 */
void vcompound_drain(void)
{
	int cpu;

	might_sleep();
	for_each_possible_cpu(cpu) {
		/*
		 * Drain the queue here rather than wait for the worker, which
		 * may never run on an offline CPU; the drain lock waits for
		 * the worker, or another drainer, still freeing what it took.
		 */
		vc_defer_drain(per_cpu_ptr(vc_defer, cpu));
	}
}
EXPORT_SYMBOL_GPL(vcompound_drain);

int vc_defer_init(void)
{
	int cpu;

	/*
	 * Frees release memory, so they must progress under memory pressure;
	 * per-CPU, as each CPU's list is drained by a work item queued there.
	 */
	vc_defer = alloc_percpu(struct vc_defer_cpu);
	if (!vc_defer)
		return -ENOMEM;
	vc_defer_wq = alloc_workqueue("vcompound_free",
				      WQ_MEM_RECLAIM | VC_WQ_PERCPU, 0);
	if (!vc_defer_wq) {
		free_percpu(vc_defer);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct vc_defer_cpu *d = per_cpu_ptr(vc_defer, cpu);

		raw_spin_lock_init(&d->lock);
		mutex_init(&d->drain_lock);
		d->nr = 0;
		init_llist_head(&d->list);
		init_llist_head(&d->phys);
		INIT_WORK(&d->work, vc_defer_work);
	}
	return 0;
}

void vc_defer_exit(void)
{
	vcompound_drain();
	destroy_workqueue(vc_defer_wq);
	free_percpu(vc_defer);
}
