// SPDX-License-Identifier: GPL-2.0
/*
 * Frees from every context a driver may free from, and a hardirq storm,
 * through vct_run_in() (tests/lib/vct_ctx.c).
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "vct.h"

struct vct_batch {
	void **ptrs;
	unsigned int n;
};

static void vct_free_batch(void *arg)
{
	const struct vct_batch *b = arg;
	unsigned int i;

	for (i = 0; i < b->n; i++)
		vct_free_atomic(b->ptrs[i]);
}

/* Frees @ptrs in @ctx; false if that context could not be reached. */
static bool vct_free_in(enum vct_ctx ctx, void **ptrs, unsigned int n)
{
	struct vct_batch b = { .ptrs = ptrs, .n = n };

	return vct_run_in(ctx, vct_free_batch, &b);
}

/*
 * Whether a physical block freed in @ctx is left to the worker: the page
 * allocator's locks are spinlock_t, not to be taken in hard irq, nor on
 * PREEMPT_RT with preemption or interrupts off.
 */
static unsigned long vct_ctx_defers_pages(enum vct_ctx ctx)
{
	if (ctx == VCT_HARDIRQ)
		return 1;
	return IS_ENABLED(CONFIG_PREEMPT_RT) &&
	       (ctx == VCT_PREEMPT_OFF || ctx == VCT_IRQS_OFF);
}

static void vct_ctx_case(struct vct *t, enum vct_ctx ctx, bool virt)
{
	const unsigned int order = 2;
	void *addr;

	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	addr = vcompound_alloc(GFP_KERNEL, order);
	if (!VCT_CHECK(t, addr))
		return;
	VCT_CHECK(t, vcompound_is_virtual(addr) == virt);
	VCT_CHECK(t, vct_free_in(ctx, &addr, 1));
	vct_resnap(t);
	if (virt) {
		/* vunmap() cannot run here: the free must have been queued. */
		VCT_CHECK(t, vct_odelta(t, order, deferred) == 1);
		VCT_CHECK(t, vct_odelta(t, order, freed_virtual) == 1);
	} else {
		/* Pages go back from hard irq (or RT atomic) via the worker. */
		VCT_CHECK(t, vct_odelta(t, order, deferred) ==
			     vct_ctx_defers_pages(ctx));
		VCT_CHECK(t, vct_odelta(t, order, freed_physical) == 1);
	}
	VCT_CHECK(t, t->s1->deferred_pending == 0);
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
}

static const struct {
	const char *name;
	enum vct_ctx ctx;
	bool virt;
} vct_ctx_table[] = {
	{ "free_hardirq_virtual", VCT_HARDIRQ, true },
	{ "free_hardirq_physical", VCT_HARDIRQ, false },
	{ "free_softirq_virtual", VCT_SOFTIRQ, true },
	{ "free_softirq_physical", VCT_SOFTIRQ, false },
	{ "free_spin_lock_irqsave_virtual", VCT_SPINLOCK, true },
	{ "free_spin_lock_irqsave_physical", VCT_SPINLOCK, false },
	{ "free_preempt_disabled_virtual", VCT_PREEMPT_OFF, true },
	{ "free_preempt_disabled_physical", VCT_PREEMPT_OFF, false },
	{ "free_irqs_disabled_virtual", VCT_IRQS_OFF, true },
	{ "free_irqs_disabled_physical", VCT_IRQS_OFF, false },
	{ "free_bh_disabled_virtual", VCT_BH_OFF, true },
	{ "free_bh_disabled_physical", VCT_BH_OFF, false },
	{ "free_rcu_read_lock_virtual", VCT_RCU, true },
	{ "free_rcu_read_lock_physical", VCT_RCU, false },
};

/* The runner calls cases synchronously, so the row can be passed here. */
static unsigned int vct_ctx_row;

static void vct_ctx_row_case(struct vct *t)
{
	vct_ctx_case(t, vct_ctx_table[vct_ctx_row].ctx,
		     vct_ctx_table[vct_ctx_row].virt);
}

#define VCT_STORM_FREES		100000
#define VCT_STORM_BATCH		1000

/*
 * 100,000 virtual blocks freed from hardirq, a batch per interrupt, while
 * the worker drains behind; at the end every counter balances exactly.
 */
static void vct_storm(struct vct *t)
{
	unsigned int done = 0, n, i;
	bool in_context = true;
	void **ptrs;

	ptrs = kvmalloc_array(VCT_STORM_BATCH, sizeof(*ptrs), GFP_KERNEL);
	if (!VCT_CHECK(t, ptrs))
		return;
	if (vct_set_fallback(t, true))
		goto out;
	vct_snap(t);
	while (done < VCT_STORM_FREES) {
		for (n = 0; n < VCT_STORM_BATCH; n++) {
			ptrs[n] = vcompound_alloc(GFP_KERNEL, 0);
			if (!ptrs[n])
				break;
		}
		if (!VCT_CHECK(t, n == VCT_STORM_BATCH)) {
			for (i = 0; i < n; i++)
				vct_free(t, ptrs[i]);
			break;
		}
		if (!vct_free_in(VCT_HARDIRQ, ptrs, n)) {
			in_context = false;
			break;
		}
		done += n;
		/*
		 * Bound the memory that queued frees hold, and check the
		 * witnessed frees before they outgrow the witness's slots.
		 */
		if (!((done / VCT_STORM_BATCH) % 10))
			vct_settle(t);
	}
	vct_resnap(t);
	VCT_CHECK(t, in_context);
	VCT_CHECK(t, done == VCT_STORM_FREES);
	VCT_CHECK(t, vct_odelta(t, 0, deferred) == done);
	VCT_CHECK(t, vct_odelta(t, 0, freed_virtual) == done);
	VCT_CHECK(t, t->s1->deferred_pending == 0);
	VCT_CHECK(t, t->s1->outstanding_virtual == 0);
	VCT_CHECK(t, t->s1->outstanding_physical == 0);
	VCT_CHECK(t, t->s1->outstanding_virtual_bytes == 0);
	vct_diag(t, "%u frees from hardirq, %lu deferred", done,
		 vct_odelta(t, 0, deferred));
out:
	kvfree(ptrs);
}

void vct_context_cases(void (*run)(const char *name,
				   void (*fn)(struct vct *t)))
{
	for (vct_ctx_row = 0; vct_ctx_row < ARRAY_SIZE(vct_ctx_table);
	     vct_ctx_row++)
		run(vct_ctx_table[vct_ctx_row].name, vct_ctx_row_case);
	run("hardirq_free_storm_100000", vct_storm);
}
