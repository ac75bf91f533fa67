// SPDX-License-Identifier: GPL-2.0
/*
 * Freeing from any context.
 *
 * Physical blocks go straight back to the buddy allocator, which is safe
 * anywhere.  vunmap() may sleep, so a virtual block freed where sleeping
 * is not allowed is pushed on a per-CPU lock-free list, and a work item on
 * that CPU unmaps and frees it from process context.
 */
#include <linux/llist.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "vcompound_internal.h"
#include "vcompound_trace.h"
#include "vcompat_workqueue.h"

struct vc_defer_cpu {
	struct llist_head list;
	struct work_struct work;
};

static DEFINE_PER_CPU(struct vc_defer_cpu, vc_defer);
static struct workqueue_struct *vc_defer_wq;

/**
 * vc_vblock_destroy - unmap a virtual block and free its pages
 * @vb: a block already removed from vc_vblocks
 *
 * Context: Process context; may sleep.
 */
void vc_vblock_destroy(struct vc_vblock *vb)
{
	vc_count(freed_virtual[vb->order]);
	vc_vblock_release(vb);
}

/**
 * vc_vblock_release - unmap a virtual block and free its pages, uncounted
 * @vb: a block already removed from vc_vblocks
 *
 * For blocks that were never handed out (the atomic reserve's).
 *
 * Context: Process context; may sleep.
 */
void vc_vblock_release(struct vc_vblock *vb)
{
	unsigned long i, nr = 1UL << vb->order;

	vunmap(vb->addr);
	for (i = 0; i < nr; i++) {
		set_page_private(vb->pages[i], 0);
		__free_page(vb->pages[i]);
	}
	/* Lookups may still hold the descriptor under rcu_read_lock(). */
	kvfree_rcu(vb, rcu);
}

static void vc_defer_drain(struct llist_head *list)
{
	struct llist_node *batch = llist_del_all(list);
	struct vc_vblock *vb, *next;

	llist_for_each_entry_safe(vb, next, batch, defer_node) {
		vc_vblock_destroy(vb);
		vc_count(defer_done);
		cond_resched();
	}
}

static void vc_defer_work(struct work_struct *work)
{
	vc_defer_drain(&container_of(work, struct vc_defer_cpu, work)->list);
}

static void vc_defer_vblock(struct vc_vblock *vb)
{
	struct vc_defer_cpu *d;
	int cpu;

	vc_count(deferred[vb->order]);
	trace_vcompound_defer(vb->addr, vb->order);
	cpu = get_cpu();
	d = per_cpu_ptr(&vc_defer, cpu);
	/* Only the first entry on an empty list needs to kick the worker. */
	if (llist_add(&vb->defer_node, &d->list))
		queue_work_on(cpu, vc_defer_wq, &d->work);
	put_cpu();
}

/*
 * Unpublish @vb so that no lookup or second free finds it again.  Of two
 * racing frees only one sees its own descriptor and wins.
 */
static bool vc_vblock_claim(struct vc_vblock *vb)
{
	unsigned long flags;
	void *old;

	xa_lock_irqsave(&vc_vblocks, flags);
	old = __xa_cmpxchg(&vc_vblocks, vb->id, vb, NULL, 0);
	xa_unlock_irqrestore(&vc_vblocks, flags);
	return old == vb;
}

static void vc_bad_free(const void *what)
{
	vc_count(bad_free);
	WARN_ONCE(1, "vcompound: %p is not a live vcompound block (double free or foreign pointer), not freed\n",
		  what);
}

/**
 * vcompound_free - free a block from vcompound_alloc()
 * @addr: the address vcompound_alloc() returned, or NULL
 *
 * Frees are refused with a warning, and counted, when @addr is not the
 * start of a live block: a foreign pointer, an interior address, or a
 * double free of the virtual kind.
 *
 * Context: Any context but NMI: hardirq, softirq, spinlocks held,
 * interrupts or preemption disabled.  A virtual block freed where sleeping
 * is not allowed is unmapped later by a worker; vcompound_drain() waits
 * for that.
 */
void vcompound_free(const void *addr)
{
	struct vc_ref ref;
	bool claimed;

	if (!addr)
		return;

	rcu_read_lock();
	if (!vc_lookup_addr(addr, &ref)) {
		rcu_read_unlock();
		vc_bad_free(addr);
		return;
	}
	if (ref.base != addr) {
		rcu_read_unlock();
		vc_count(interior_free);
		WARN_ONCE(1, "vcompound: %p is inside the block at %p, not freed\n",
			  addr, ref.base);
		return;
	}
	claimed = ref.vb ? vc_vblock_claim(ref.vb) : vc_phys_claim(ref.head);
	rcu_read_unlock();
	if (!claimed) {
		vc_bad_free(addr);
		return;
	}

	if (!ref.vb) {
		trace_vcompound_free(addr, ref.order, false, false);
		__free_pages(ref.head, ref.order);
		vc_count(freed_physical[ref.order]);
	} else if (vc_can_sleep()) {
		trace_vcompound_free(addr, ref.order, true, false);
		vc_vblock_destroy(ref.vb);
	} else {
		trace_vcompound_free(addr, ref.order, true, true);
		vc_defer_vblock(ref.vb);
	}
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
	void *addr;

	if (!page)
		return;
	addr = vmalloc_address(page);
	if (!addr) {
		vc_bad_free(page);
		return;
	}
	vcompound_free(addr);
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
		struct vc_defer_cpu *d = per_cpu_ptr(&vc_defer, cpu);

		flush_work(&d->work);
		/* A worker on an offline CPU may never have run. */
		vc_defer_drain(&d->list);
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
	vc_defer_wq = alloc_workqueue("vcompound_free",
				      WQ_MEM_RECLAIM | VC_WQ_PERCPU, 0);
	if (!vc_defer_wq)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct vc_defer_cpu *d = per_cpu_ptr(&vc_defer, cpu);

		init_llist_head(&d->list);
		INIT_WORK(&d->work, vc_defer_work);
	}
	return 0;
}

void vc_defer_exit(void)
{
	vcompound_drain();
	destroy_workqueue(vc_defer_wq);
}
