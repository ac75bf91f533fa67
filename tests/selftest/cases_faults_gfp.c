// SPDX-License-Identifier: GPL-2.0
/*
 * suite=faults (cases_faults.c): every order in every gfp variant, one
 * block at a time, in the default mode and with always_fallback.
 */
#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include <vcache.h>

#include "cases_faults.h"
#include "vcompat_page_alloc.h"

/* ------------------------------------------------------- gfp variants -- */

static const char *const vct_fi_how_name[VCT_FI_NR_HOW] = {
	"kernel", "zero", "nofs", "noio", "nofs_scope", "noio_scope", "node",
	"pages", "atomic", "nowait",
};

static DEFINE_SPINLOCK(vct_fi_lock);

/*
 * The gfp of kind @how, with what its block must be in @w; 0 for no kind.
 * @atomic: the call may not block.
 */
static gfp_t vct_fi_gfp(enum vct_fi_how how, struct vct_fi_want *w,
			bool *atomic)
{
	gfp_t gfp = __GFP_NOWARN;

	*atomic = false;
	switch (how) {
	case VCT_FI_KERNEL:
		gfp |= GFP_KERNEL;
		break;
	case VCT_FI_ZERO:
	case VCT_FI_PAGES:
		gfp |= GFP_KERNEL | __GFP_ZERO;
		break;
	case VCT_FI_NOFS:
		gfp |= GFP_NOFS;
		break;
	case VCT_FI_NOIO:
		gfp |= GFP_NOIO | __GFP_ZERO;
		break;
	case VCT_FI_NOFS_SCOPE:
		gfp |= GFP_KERNEL;
		break;
	case VCT_FI_NOIO_SCOPE:
		gfp |= GFP_KERNEL | __GFP_ZERO;
		break;
	case VCT_FI_NODE:
		gfp |= GFP_KERNEL | __GFP_THISNODE;
		w->nid = numa_node_id();
		break;
	case VCT_FI_ATOMIC:
		gfp |= GFP_ATOMIC;
		*atomic = true;
		break;
	case VCT_FI_NOWAIT:
		gfp |= GFP_NOWAIT | __GFP_ZERO;
		*atomic = true;
		break;
	default:
		return 0;
	}
	w->zero = gfp & __GFP_ZERO;
	return gfp;
}

/*
 * The call itself, the way kind @how makes it, into @b.  False if it gave
 * a page that belongs to no block (counted invalid).
 */
static bool vct_fi_call(struct vct *t, enum vct_fi_how how, gfp_t gfp,
			const struct vct_fi_want *w, struct vct_fi_blk *b)
{
	unsigned int order = b->order, scope;
	unsigned long irq;

	switch (how) {
	case VCT_FI_NOFS_SCOPE:
		scope = memalloc_nofs_save();
		b->p = vcompound_alloc(gfp, order);
		memalloc_nofs_restore(scope);
		break;
	case VCT_FI_NOIO_SCOPE:
		scope = memalloc_noio_save();
		b->p = vcompound_alloc(gfp, order);
		memalloc_noio_restore(scope);
		break;
	case VCT_FI_NODE:
		b->p = vcompound_alloc_node(gfp, order, w->nid);
		break;
	case VCT_FI_PAGES:
		b->page = vcompound_alloc_pages(gfp, order);
		if (b->page) {
			b->p = vmalloc_address(b->page);
			if (!b->p) {
				vct_fi_invalid(t, "page of no block", NULL, order, 0);
				return false;
			}
		}
		break;
	case VCT_FI_ATOMIC:
	case VCT_FI_NOWAIT:
		spin_lock_irqsave(&vct_fi_lock, irq);
		b->p = vcompound_alloc(gfp, order);
		spin_unlock_irqrestore(&vct_fi_lock, irq);
		break;
	default:
		b->p = vcompound_alloc(gfp, order);
		break;
	}
	return true;
}

/*
 * One call of kind @how.  Returns false if the result was invalid (it is
 * then freed already, if it can be); a NULL result is fine.
 */
bool vct_fi_get(struct vct *t, enum vct_fi_how how, unsigned int order,
		bool fallback, struct vct_fi_blk *b)
{
	struct vct_fi_want w = { .virt = -1, .nid = NUMA_NO_NODE };
	unsigned int flags = current->flags;
	bool atomic;
	gfp_t gfp;

	memset(b, 0, sizeof(*b));
	b->order = order;
	vct_fi_ctx = vct_fi_how_name[how];
	gfp = vct_fi_gfp(how, &w, &atomic);
	if (!gfp)
		return false;

	vct_fi_case.calls++;
	if (!vct_fi_call(t, how, gfp, &w, b))
		return false;
	if (current->flags != flags) {
		vct_fi_invalid(t, "task flags changed", b->p, order, 0);
		current->flags = flags;
	}

	/*
	 * Blocking: above the buddy maximum or with always_fallback, virtual.
	 * Non-blocking: physical, or a block the atomic reserve built before,
	 * which is virtual; without either it is NULL by design.
	 */
	if (fallback || order > VC_BUDDY_MAX_ORDER)
		w.virt = 1;
	if (!b->p) {
		vct_fi_case.nulls++;
		if (atomic && (fallback || order > VC_BUDDY_MAX_ORDER))
			vct_fi_case.refused++;
		return true;
	}
	if (vct_fi_check_block(t, b->p, order, &w)) {
		vct_fi_case.valid++;
		return true;
	}
	if (b->page)
		vct_free_page_block(t, b->page);
	else
		vct_free(t, b->p);
	b->p = NULL;
	return false;
}

void vct_fi_put(struct vct *t, struct vct_fi_blk *b)
{
	if (!b->p)
		return;
	vct_fi_intact(t, b->p, b->order);
	/* Witnessed: a page the free kept fails the case (vct_lib.c). */
	if (b->page)
		vct_free_page_block(t, b->page);
	else
		vct_free(t, b->p);
	b->p = NULL;
}

/*
 * Every order 0..max_order in every gfp variant, in one mode; each block
 * is checked and freed at once.  vcompound's counters must account for
 * every call: each NULL is a failed allocation, each block one served.
 */
static void vct_fi_orders(struct vct *t, bool fallback)
{
	unsigned long failed = 0, served = 0;
	struct vct_fi_blk b;
	unsigned int o;
	int how;

	vct_fi_begin(t);
	if (!vct_fi_fallback(t, fallback))
		goto out;
	for (o = 0; o <= vct_fi_max_order; o++) {
		for (how = 0; how < VCT_FI_NR_HOW; how++) {
			vct_fi_get(t, how, o, fallback, &b);
			vct_fi_put(t, &b);
		}
	}
	vct_fi_fallback(t, false);
	vct_resnap(t);
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		failed += vct_odelta(t, o, failed);
		served += vct_odelta(t, o, physical) + vct_odelta(t, o, virtual);
	}
	VCT_CHECK(t, failed == vct_fi_case.nulls);
	VCT_CHECK(t, served == vct_fi_case.valid + vct_fi_case.invalid);
out:
	vct_fi_end(t);
}

static void vct_fi_orders_default(struct vct *t)
{
	vct_fi_orders(t, false);
}

static void vct_fi_orders_fallback(struct vct *t)
{
	vct_fi_orders(t, true);
}

void vct_faults_gfp_cases(void (*run)(const char *name,
				      void (*fn)(struct vct *t)))
{
	run("faults_orders_default", vct_fi_orders_default);
	run("faults_orders_fallback", vct_fi_orders_fallback);
}
