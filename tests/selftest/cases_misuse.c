// SPDX-License-Identifier: GPL-2.0
/*
 * Misuse: every case is refused with a warning and a counter, and the
 * kernel keeps running.  vcompound warns once per kind of misuse, so only
 * the first case of a kind prints a warning; the brackets tell the harness
 * where a warning is expected.
 */
#include <linux/gfp.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "vct.h"

/* Runs vcompound_free(@addr) where a warning is announced. */
static void vct_bad_free(struct vct *t, const void *addr)
{
	vct_expect_warn_begin(t);
	vcompound_free(addr);
	vct_expect_warn_end(t);
}

static void vct_free_foreign(struct vct *t)
{
	static int module_data;
	void *km = kmalloc(100, GFP_KERNEL);
	void *kl = kmalloc(5 * PAGE_SIZE, GFP_KERNEL);
	void *vm = vmalloc(3 * PAGE_SIZE);

	if (!VCT_CHECK(t, km && kl && vm))
		goto out;
	vct_snap(t);
	vct_bad_free(t, km);
	vct_bad_free(t, kl);
	vct_bad_free(t, vm);
	vct_bad_free(t, &module_data);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == 4);
	/* Still intact and owned by their real allocators. */
	memset(km, 1, 100);
	memset(kl, 1, 5 * PAGE_SIZE);
	memset(vm, 1, 3 * PAGE_SIZE);
out:
	vfree(vm);
	kfree(kl);
	kfree(km);
}

static void vct_free_pages_foreign(struct vct *t)
{
	struct page *page = alloc_pages(GFP_KERNEL, 1);

	if (!VCT_CHECK(t, page))
		return;
	vct_snap(t);
	vct_expect_warn_begin(t);
	vcompound_free_pages(page);
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == 1);
	VCT_CHECK(t, page_count(page) == 1);
	__free_pages(page, 1);
}

static void vct_double_free(struct vct *t, bool deferred)
{
	static DEFINE_SPINLOCK(lock);
	unsigned long flags;
	void *addr;

	if (vct_set_fallback(t, true))
		return;
	vct_snap(t);
	addr = vcompound_alloc(GFP_KERNEL, 3);
	if (!VCT_CHECK(t, addr))
		return;
	if (deferred) {
		/* The second free arrives while the first is still queued. */
		spin_lock_irqsave(&lock, flags);
		vcompound_free(addr);
		vct_bad_free(t, addr);
		spin_unlock_irqrestore(&lock, flags);
	} else {
		vcompound_free(addr);
		vct_bad_free(t, addr);
	}
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == 1);
	VCT_CHECK(t, vct_odelta(t, 3, freed_virtual) == 1);
	VCT_CHECK(t, vct_odelta(t, 3, deferred) ==
		     (deferred || VCT_PROCESS_FREE_DEFERS));
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
}

static void vct_double_free_virtual(struct vct *t)
{
	vct_double_free(t, false);
}

static void vct_double_free_virtual_queued(struct vct *t)
{
	vct_double_free(t, true);
}

static void vct_interior_free(struct vct *t, bool fallback)
{
	u8 *addr;

	if (vct_set_fallback(t, fallback))
		return;
	vct_snap(t);
	addr = vcompound_alloc(GFP_KERNEL, 2);
	if (!VCT_CHECK(t, addr))
		return;
	vct_expect_warn_begin(t);
	vcompound_free(addr + PAGE_SIZE);
	vcompound_free(addr + 1);
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, interior_free) == 2);
	/* The block survived the refused frees. */
	VCT_CHECK(t, vcompound_head_page(addr));
	VCT_CHECK(t, vct_pattern_check(t, addr, 2));
	vcompound_free(addr);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, 2, freed_physical) +
		     vct_odelta(t, 2, freed_virtual) == 1);
}

static void vct_interior_free_physical(struct vct *t)
{
	vct_interior_free(t, false);
}

static void vct_interior_free_virtual(struct vct *t)
{
	vct_interior_free(t, true);
}

static void vct_order_over_cap(struct vct *t)
{
	unsigned int max_order;

	if (!VCT_CHECK(t, vct_param_read_uint("max_order", &max_order) == 0))
		return;
	vct_snap(t);
	vct_expect_warn_begin(t);
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL, max_order + 1));
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL, VCOMPOUND_ORDER_LIMIT + 1));
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL, UINT_MAX));
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, order_refused) == 3);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
}

static void vct_gfp_nofail(struct vct *t)
{
	vct_snap(t);
	vct_expect_warn_begin(t);
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOFAIL, 2));
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, gfp_refused) == 1);
	VCT_CHECK(t, vct_odelta(t, 2, failed) == 1);
}

void vct_misuse_cases(void (*run)(const char *name, void (*fn)(struct vct *t)))
{
	run("misuse_free_foreign_pointers", vct_free_foreign);
	run("misuse_free_pages_foreign_page", vct_free_pages_foreign);
	run("misuse_double_free_virtual", vct_double_free_virtual);
	run("misuse_double_free_virtual_queued", vct_double_free_virtual_queued);
	run("misuse_interior_free_physical", vct_interior_free_physical);
	run("misuse_interior_free_virtual", vct_interior_free_virtual);
	run("misuse_order_over_max_order", vct_order_over_cap);
	run("misuse_gfp_nofail", vct_gfp_nofail);
}
