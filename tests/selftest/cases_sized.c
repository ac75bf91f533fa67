// SPDX-License-Identifier: GPL-2.0
/*
 * Blocks of any whole number of pages (issue 15 item 7):
 * vcompound_alloc_size() of sizes that are not a power of two of pages,
 * both kinds.  Each block is checked to hold exactly the pages its size
 * needs: every page is found by every lookup, the page after the last by
 * none as part of it, and a physical block's tail is back in the page
 * allocator.  The stats' outstanding bytes follow the exact size.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "cases_chunks.h"

/* A size a little short of @nr pages: the block still needs all of them. */
static size_t vct_sz_bytes(unsigned long nr)
{
	return nr * PAGE_SIZE - 123;
}

/*
 * Whether page @i of the physical sized block at @addr, whose first page
 * is @head, is found by every lookup.
 */
static bool vct_sz_phys_page_ok(void *addr, unsigned int order,
				struct page *head, unsigned long i)
{
	void *p = addr + (i << PAGE_SHIFT);
	struct page *page = vcompound_nth_page(addr, i);

	return page && page == virt_to_page(p) &&
	       page_to_pfn(page) == page_to_pfn(head) + i &&
	       vcompound_to_page(p + PAGE_SIZE - 1) == page &&
	       vcompound_page_address(page) == p &&
	       vcompound_head_page(p) == head &&
	       vcompound_order(p + PAGE_SIZE / 2) == order &&
	       !vcompound_is_virtual(p);
}

/*
 * Every byte of the @nr pages at @addr written and read back, and, with a
 * user address space to map into (not under KUnit), all of them through
 * vcompound_mmap() of the whole size.
 */
static bool vct_sz_data_ok(struct vct *t, void *addr, unsigned long nr)
{
	memset(addr, 0xa5, nr << PAGE_SHIFT);
	if (!VCT_CHECK(t, !memchr_inv(addr, 0xa5, nr << PAGE_SHIFT)))
		return false;
	return !current->mm || vct_mmap_check_size(t, addr, nr << PAGE_SHIFT);
}

/*
 * The block at @addr, of @nr pages, of the kind @virt: its size and
 * order, every page through every lookup, its end.  False after a failed
 * check.
 */
static bool vct_sz_block_ok(struct vct *t, void *addr, unsigned long nr,
			    bool virt)
{
	unsigned int order = get_order(nr << PAGE_SHIFT);
	struct page *head = vcompound_head_page(addr);
	void *end = addr + (nr << PAGE_SHIFT);
	unsigned long i;
	bool ok;

	if (!VCT_CHECK(t, head) ||
	    !VCT_CHECK(t, vcompound_is_virtual(addr) == virt) ||
	    !VCT_CHECK(t, vcompound_size(addr) == nr << PAGE_SHIFT) ||
	    !VCT_CHECK(t, vcompound_size(end - 1) == nr << PAGE_SHIFT) ||
	    !VCT_CHECK(t, vcompound_order(addr) == order))
		return false;
	for (i = 0; i < nr; i++) {
		ok = virt ? vct_vblock_page_ok(addr, order, head, i,
					       vcompound_nth_page(addr, i)) :
			    vct_sz_phys_page_ok(addr, order, head, i);
		if (!VCT_CHECK(t, ok)) {
			vct_diag(t, "page %lu of %lu not found by every lookup",
				 i, nr);
			return false;
		}
	}
	/* The page after the last is not the block's. */
	if (!VCT_CHECK(t, !vcompound_nth_page(addr, nr)) ||
	    !VCT_CHECK(t, vcompound_head_page(end) != head) ||
	    !VCT_CHECK(t, vcompound_head_page(end + PAGE_SIZE - 1) != head))
		return false;
	return vct_sz_data_ok(t, addr, nr);
}

/*
 * The tail a physical block of @nr pages gave back: every page from @nr
 * to 2^order no lookup's, and free (no reference left).  Returns the
 * index of the first tail page still referenced, or 0.
 */
static unsigned long vct_sz_tail_held(struct vct *t, void *addr,
				      unsigned long nr)
{
	unsigned long i, end = 1UL << get_order(nr << PAGE_SHIFT);

	for (i = nr; i < end; i++) {
		struct page *page = virt_to_page(addr + (i << PAGE_SHIFT));

		VCT_CHECK(t, !vcompound_page_address(page));
		if (page_count(page))
			return i;
	}
	return 0;
}

/*
 * A tail page that went back may at once be taken again by an allocation
 * on this CPU (an interrupt's; the per-CPU list gives the page freed
 * last first): a tail that is not given back is held in every try, a
 * page taken again hardly ever in three.
 */
static void vct_sz_tail_free(struct vct *t, unsigned long nr)
{
	unsigned long held = 0;
	unsigned int try;
	void *addr;

	for (try = 0; try < 3; try++) {
		addr = vcompound_alloc_size(GFP_KERNEL | __GFP_NOWARN,
					    vct_sz_bytes(nr));
		if (!VCT_CHECK(t, addr))
			return;
		/* Fragmentation may make it virtual: no tail to look at. */
		held = vcompound_is_virtual(addr) ? 0 :
		       vct_sz_tail_held(t, addr, nr);
		vcompound_free(addr);
		if (!held)
			return;
	}
	VCT_CHECK(t, !held);
	vct_diag(t, "tail page %lu of a block of %lu pages still referenced in %u tries",
		 held, nr, try);
}

static void vct_sz_free_fn(void *addr)
{
	vcompound_free(addr);
}

/*
 * Allocates a block of @nr pages as the knobs and params are set, expects
 * the kind @virt, checks it through and frees it from hard irq; the
 * counters follow it in and out, to the byte.
 */
static void vct_sz_cycle(struct vct *t, unsigned long nr, bool virt)
{
	unsigned int order = get_order(nr << PAGE_SHIFT);
	struct page *first;
	void *addr;

	vct_snap(t);
	addr = vcompound_alloc_size(GFP_KERNEL | __GFP_NOWARN,
				    vct_sz_bytes(nr));
	if (!VCT_CHECK(t, addr))
		return;
	vct_resnap(t);
	if (virt) {
		VCT_CHECK(t, vct_odelta(t, order, virtual) == 1);
		VCT_CHECK(t, vct_delta64(t, outstanding_virtual_bytes) ==
			     nr << PAGE_SHIFT);
	} else {
		VCT_CHECK(t, vct_odelta(t, order, physical) == 1);
		VCT_CHECK(t, vct_delta64(t, outstanding_physical_bytes) ==
			     nr << PAGE_SHIFT);
	}
	first = vcompound_head_page(addr);
	vct_sz_block_ok(t, addr, nr, virt);

	VCT_CHECK(t, vct_run_in(VCT_HARDIRQ, vct_sz_free_fn, addr));
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
	VCT_CHECK(t, virt ? vct_odelta(t, order, freed_virtual) == 1 :
			    vct_odelta(t, order, freed_physical) == 1);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, t->s1->outstanding_physical ==
		     t->s0->outstanding_physical);
	VCT_CHECK(t, vct_delta64(t, outstanding_virtual_bytes) == 0);
	VCT_CHECK(t, vct_delta64(t, outstanding_physical_bytes) == 0);
	/* Every page went back: the free dropped the only reference. */
	if (first)
		VCT_CHECK(t, page_count(first) == 0);
}

/* sized_virtual_N: the physical attempt fails (the knob). */
static void vct_sz_virtual(struct vct *t, unsigned long nr)
{
	if (vct_ch_force_virtual(t))
		vct_sz_cycle(t, nr, true);
	vct_ch_knobs_off(t);
}

static void vct_sz_virtual_5(struct vct *t)
{
	vct_sz_virtual(t, 5);
}

static void vct_sz_virtual_100(struct vct *t)
{
	vct_sz_virtual(t, 100);
}

/* sized_physical_N: a fresh guest has blocks of order 7 to spare. */
static void vct_sz_physical(struct vct *t, unsigned long nr)
{
	if (vct_set_fallback(t, false))
		return;
	vct_sz_cycle(t, nr, false);
	vct_sz_tail_free(t, nr);
}

static void vct_sz_physical_5(struct vct *t)
{
	vct_sz_physical(t, 5);
}

static void vct_sz_physical_100(struct vct *t)
{
	vct_sz_physical(t, 100);
}

/*
 * sized_random_mix: sizes of 1 to 100 pages at random, all held at once,
 * under always_fallback and without it, freed by address or by page.
 */
#define VCT_SZ_MIX	16

static void vct_sz_mix(struct vct *t, bool fallback)
{
	void *addr[VCT_SZ_MIX];
	unsigned long nr[VCT_SZ_MIX], pages = 0;
	unsigned int i;

	if (vct_set_fallback(t, fallback))
		return;
	vct_snap(t);
	for (i = 0; i < VCT_SZ_MIX; i++) {
		nr[i] = get_random_u32() % 100 + 1;
		addr[i] = vcompound_alloc_size(GFP_KERNEL, vct_sz_bytes(nr[i]));
		if (!VCT_CHECK(t, addr[i]))
			break;
		pages += nr[i];
		/* Only always_fallback makes a kind certain. */
		if (!vct_sz_block_ok(t, addr[i], nr[i],
				     fallback || vcompound_is_virtual(addr[i])))
			vct_diag(t, "block %u: %lu pages", i, nr[i]);
	}
	vct_resnap(t);
	VCT_CHECK(t, vct_delta64(t, outstanding_virtual_bytes) +
		     vct_delta64(t, outstanding_physical_bytes) ==
		     (u64)pages << PAGE_SHIFT);
	if (fallback)
		VCT_CHECK(t, vct_delta64(t, outstanding_physical_bytes) == 0);
	while (i--) {
		if (i & 1)
			vcompound_free_pages(vcompound_head_page(addr[i]));
		else
			vcompound_free(addr[i]);
	}
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
	VCT_CHECK(t, vct_delta64(t, outstanding_virtual_bytes) == 0);
	VCT_CHECK(t, vct_delta64(t, outstanding_physical_bytes) == 0);
	vct_set_fallback(t, false);
}

static void vct_sz_random_mix(struct vct *t)
{
	vct_sz_mix(t, true);
	vct_sz_mix(t, false);
}

/*
 * sized_interior_free: a free of an address inside a sized block, of
 * either kind, is refused with the warning the other kinds give.
 */
static void vct_sz_interior(struct vct *t, bool virt, unsigned int *warns)
{
	void *addr;

	if (virt ? !vct_ch_force_virtual(t) : vct_set_fallback(t, false))
		goto out;
	vct_snap(t);
	addr = vcompound_alloc_size(GFP_KERNEL, vct_sz_bytes(5));
	if (!VCT_CHECK(t, addr))
		goto out;
	VCT_CHECK(t, vcompound_is_virtual(addr) == virt);
	vct_expect_warn_begin(t, *warns, "is inside the block at");
	*warns = 0;
	vcompound_free(addr + PAGE_SIZE);
	vcompound_free(addr + 4 * PAGE_SIZE);
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, interior_free) == 2);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
	/* The block survived and frees normally. */
	vct_sz_block_ok(t, addr, 5, virt);
	vct_free(t, addr);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta64(t, outstanding_virtual_bytes) == 0);
	VCT_CHECK(t, vct_delta64(t, outstanding_physical_bytes) == 0);
out:
	vct_ch_knobs_off(t);
}

static void vct_sz_interior_free(struct vct *t)
{
	unsigned int warns = vct_warn_once(VCT_WARN_INTERIOR);

	vct_sz_interior(t, false, &warns);
	vct_sz_interior(t, true, &warns);
}

/*
 * sized_power_of_two: a whole power of two of pages, and any size with a
 * gfp that cannot block, is the order's block; a size of 0 is nothing.
 */
static void vct_sz_power_of_two(struct vct *t)
{
	void *addr;

	if (vct_set_fallback(t, false))
		return;
	VCT_CHECK(t, !vcompound_alloc_size(GFP_KERNEL, 0));
	addr = vcompound_alloc_size(GFP_KERNEL, 4 * PAGE_SIZE);
	if (VCT_CHECK(t, addr)) {
		VCT_CHECK(t, PageCompound(vcompound_head_page(addr)));
		VCT_CHECK(t, vcompound_size(addr) == 4 * PAGE_SIZE);
		VCT_CHECK(t, vcompound_order(addr) == 2);
		vct_free(t, addr);
	}
	addr = vcompound_alloc_size(GFP_ATOMIC, vct_sz_bytes(5));
	if (VCT_CHECK(t, addr)) {
		VCT_CHECK(t, vcompound_size(addr) == 8 * PAGE_SIZE);
		vct_free(t, addr);
	}
}

void vct_sized_cases(void (*run)(const char *name, void (*fn)(struct vct *t)))
{
	run("sized_virtual_5", vct_sz_virtual_5);
	run("sized_virtual_100", vct_sz_virtual_100);
	run("sized_physical_5", vct_sz_physical_5);
	run("sized_physical_100", vct_sz_physical_100);
	run("sized_random_mix", vct_sz_random_mix);
	run("sized_interior_free", vct_sz_interior_free);
	run("sized_power_of_two", vct_sz_power_of_two);
}
