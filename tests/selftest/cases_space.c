// SPDX-License-Identifier: GPL-2.0
/*
 * Where the fallback meets the limits of a 32-bit kernel (issue 16): a
 * vmalloc space that runs out (120 MiB on i386 686-pae), and pages that
 * have no address in the linear map (highmem).
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vct.h"

/* 1 MiB blocks: order 8 with 4 KiB pages, 6 with 16 KiB, 4 with 64 KiB. */
#define VCT_SP_ORDER		get_order(SZ_1M)

/* ------------------------------------------------ vmalloc exhaustion -- */

/* Allocates up to @cap blocks into @blocks; how many it got. */
static unsigned long vct_sp_fill(struct vct *t, void **blocks,
				 unsigned long cap, unsigned int order)
{
	unsigned long n;
	void *addr;

	for (n = 0; n < cap; n++) {
		addr = vcompound_alloc(GFP_KERNEL | __GFP_NOWARN, order);
		if (!addr)
			break;
		blocks[n] = addr;
		if (!VCT_CHECK(t, vcompound_is_virtual(addr))) {
			n++;
			break;
		}
		cond_resched();
	}
	return n;
}

static void vct_sp_free_all(struct vct *t, void **blocks, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		vct_free(t, blocks[i]);
		blocks[i] = NULL;
	}
	vct_settle(t);
}

/*
 * vmalloc_space_exhausted: always_fallback blocks of 1 MiB until
 * vcompound_alloc() returns NULL.  The failure is clean: NULL, counted in
 * failed[order], with __GFP_NOWARN no allocation failure report (the
 * judge fails a run on any Call Trace); the blocks that were had are all
 * given back (the witness), and once they are freed as many can be had
 * again.  vmap() takes no gfp, so the vmap layer still prints its own
 * rate-limited "vmap allocation for size ... failed" line for the one
 * failure.  Pages lost by a failed fallback itself would be too few to
 * tell here: inject_vmap fails it 512 times and counts free memory.
 *
 * The pages are GFP_KERNEL ones (lowmem on 32-bit), and a quarter of them
 * is the most the case takes.  On i386 (120 MiB of vmalloc space, 880 MiB
 * of lowmem) the vmalloc space runs out long before.  On 64-bit (32 TiB
 * on x86_64) it never would, and the case takes the quarter of memory,
 * then fails the next vmap() by fault injection (debugfs
 * vcompound/inject/vmap): the same checks, but a real exhaustion is only
 * seen where the space is smaller, as a diagnostic line says.
 */
static void vct_vmalloc_exhausted(struct vct *t)
{
	const unsigned int order = VCT_SP_ORDER;
	unsigned long cap = (totalram_pages() - totalhigh_pages()) / 4 >> order;
	unsigned long room = vct_vmalloc_total_pages() / ((1UL << order) + 1);
	unsigned long n, again;
	bool exhaust;
	void **blocks;
	void *addr;

	if (!VCT_CHECK(t, room) || !VCT_CHECK(t, cap))
		return;
	exhaust = room < cap;
	/* Where the space outlasts the memory, the failure is injected. */
	if (!exhaust && vct_inject_unavailable()) {
		t->skip = vct_inject_unavailable();
		return;
	}
	blocks = kvcalloc(cap, sizeof(*blocks), GFP_KERNEL);
	if (!VCT_CHECK(t, blocks))
		return;
	if (vct_set_fallback(t, true))
		goto out;
	vct_snap(t);

	n = vct_sp_fill(t, blocks, cap, order);
	if (exhaust) {
		vct_diag(t, "%lu blocks of order %u, then NULL: %lu KiB of vmalloc space",
			 n, order, vct_vmalloc_total_pages() << (PAGE_SHIFT - 10));
		VCT_CHECK(t, n < cap);
	} else {
		vct_diag(t, "%lu KiB of vmalloc space outlast %lu order-%u blocks (lowmem / 4)",
			 vct_vmalloc_total_pages() << (PAGE_SHIFT - 10), cap,
			 order);
		vct_diag(t, "so the failure is injected (inject/vmap); i386 runs out");
		/* The lowmem quarter is there: only vmalloc space may fail. */
		VCT_CHECK(t, n == cap);
		if (n == cap &&
		    VCT_CHECK(t, !vct_debugfs_inject_set("vmap", "1"))) {
			addr = vcompound_alloc(GFP_KERNEL | __GFP_NOWARN,
					       order);
			VCT_CHECK(t, !vct_debugfs_inject_set("vmap", "0"));
			if (!VCT_CHECK(t, !addr))
				vct_free(t, addr);
		}
	}
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, order, virtual) == n);
	VCT_CHECK(t, vct_odelta(t, order, failed) == 1);
	VCT_CHECK(t, t->s1->outstanding_virtual - t->s0->outstanding_virtual ==
		     n);
	vct_sp_free_all(t, blocks, n);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, order, freed_virtual) == n);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);

	/* Everything the failure found in use is free again. */
	again = vct_sp_fill(t, blocks, n, order);
	if (!VCT_CHECK(t, again == n))
		vct_diag(t, "after the frees: %lu blocks of %lu", again, n);
	vct_sp_free_all(t, blocks, again);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, order, failed) == 1 + (again < n));
	VCT_CHECK(t, vct_odelta(t, order, freed_virtual) == n + again);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
out:
	kvfree(blocks);
}

/* ------------------------------------------------------------ highmem -- */

static bool vct_sp_no_highmem(struct vct *t)
{
	if (!IS_ENABLED(CONFIG_HIGHMEM)) {
		t->skip = "no CONFIG_HIGHMEM: every page has a linear-map address (64-bit)";
		return true;
	}
	if (!totalhigh_pages()) {
		t->skip = "no highmem in this machine: its RAM fits in lowmem";
		return true;
	}
	return false;
}

/*
 * Every page of the block at @addr: found by the lookups, into @pages;
 * returns how many are highmem pages, or -1 after a failed check.
 */
static long vct_sp_pages(struct vct *t, void *addr, unsigned int order,
			 struct page **pages)
{
	struct page *head = vcompound_head_page(addr);
	unsigned long i;
	long high = 0;
	bool ok;

	if (!VCT_CHECK(t, head))
		return -1;
	for (i = 0; i < (1UL << order); i++) {
		pages[i] = vcompound_nth_page(addr, i);
		ok = vct_vblock_page_ok(addr, order, head, i, pages[i]);
		if (!VCT_CHECK(t, ok)) {
			vct_diag(t, "page %lu of the order-%u block: lookups disagree",
				 i, order);
			return -1;
		}
		high += PageHighMem(pages[i]);
	}
	VCT_CHECK(t, !vcompound_nth_page(addr, 1UL << order));
	return high;
}

/*
 * highmem_virtual: with __GFP_HIGHMEM the fallback takes highmem pages
 * (the page allocator tries ZONE_HIGHMEM first, and the lab's i386 guest
 * has 1.2 GiB of it), and every lookup works on them.  The data test maps
 * the pages vcompound names a second time with vmap(): what was written
 * through the block must be read there, so they are the block's pages.
 * The page-returning form too, the usual way to ask for highmem.
 */
static void vct_highmem_virtual(struct vct *t)
{
	const unsigned int order = VCT_SP_ORDER;
	unsigned long nr = 1UL << order, i, bad = 0;
	struct page **pages, *page;
	u8 *addr, *alias;
	long high;

	if (vct_sp_no_highmem(t))
		return;
	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!VCT_CHECK(t, pages))
		return;
	if (vct_set_fallback(t, true))
		goto out;
	addr = vcompound_alloc(GFP_KERNEL | __GFP_HIGHMEM, order);
	if (!VCT_CHECK(t, addr))
		goto out;
	high = vct_sp_pages(t, addr, order, pages);
	vct_diag(t, "%ld of %lu pages of an order-%u block in highmem",
		 high, nr, order);
	VCT_CHECK(t, high > 0);
	alias = high >= 0 ? vmap(pages, nr, VM_MAP, PAGE_KERNEL) : NULL;
	if (high >= 0 && VCT_CHECK(t, alias)) {
		for (i = 0; i < nr; i++)
			*(u32 *)(addr + vct_page_off(i)) = vct_page_word(i);
		for (i = 0; i < nr; i++)
			bad += *(u32 *)(alias + vct_page_off(i)) != vct_page_word(i);
		VCT_CHECK(t, bad == 0);
		vunmap(alias);
	}
	vct_free(t, addr);

	page = vcompound_alloc_pages(GFP_KERNEL | __GFP_HIGHMEM, order);
	if (!VCT_CHECK(t, page))
		goto out;
	addr = vmalloc_address(page);
	if (VCT_CHECK(t, addr)) {
		VCT_CHECK(t, vcompound_head_page(addr) == page);
		VCT_CHECK(t, vct_sp_pages(t, addr, order, pages) > 0);
	}
	vct_free_page_block(t, page);
out:
	kvfree(pages);
}

/*
 * highmem_physical: the physical kind is addressed through the linear
 * map, so vcompound takes __GFP_HIGHMEM off its attempt: a block from
 * the buddy allocator is never a highmem page.  Runs without highmem too
 * (it then proves only that the flag does no harm).
 */
static void vct_highmem_physical(struct vct *t)
{
	const unsigned int order = 2;
	struct page *head;
	u8 *addr;

	if (vct_set_fallback(t, false))
		return;
	addr = vcompound_alloc(GFP_KERNEL | __GFP_HIGHMEM, order);
	if (!VCT_CHECK(t, addr))
		return;
	/* A fresh guest has order-2 blocks to spare. */
	VCT_CHECK(t, !vcompound_is_virtual(addr));
	head = vcompound_head_page(addr);
	if (VCT_CHECK(t, head) && !vcompound_is_virtual(addr)) {
		VCT_CHECK(t, !PageHighMem(head));
		VCT_CHECK(t, page_address(head) == addr);
		VCT_CHECK(t, vmalloc_address(head) == addr);
		VCT_CHECK(t, vcompound_nth_page(addr, 3) == head + 3);
	}
	memset(addr, 0xa5, PAGE_SIZE << order);
	vct_free(t, addr);
}

/*
 * highmem_mmap: a virtual block of highmem pages mapped into user space
 * with vcompound_mmap(), as a driver's ->mmap() would: user space reads
 * what the kernel wrote into each page, and the kernel what user space
 * wrote.
 */
static void vct_highmem_mmap(struct vct *t)
{
	const unsigned int order = VCT_SP_ORDER;
	unsigned long nr = 1UL << order;
	struct page **pages;
	void *block;

	if (vct_sp_no_highmem(t))
		return;
	if (!current->mm) {
		t->skip = "no user address space to map into";
		return;
	}
	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!VCT_CHECK(t, pages))
		return;
	if (vct_set_fallback(t, true))
		goto out;
	block = vcompound_alloc(GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO, order);
	if (!VCT_CHECK(t, block))
		goto out;
	VCT_CHECK(t, vct_sp_pages(t, block, order, pages) > 0);
	vct_mmap_check(t, block, order);
	vct_free(t, block);
out:
	kvfree(pages);
}

void vct_space_cases(void (*run)(const char *name, void (*fn)(struct vct *t)))
{
	run("vmalloc_space_exhausted", vct_vmalloc_exhausted);
	run("highmem_virtual", vct_highmem_virtual);
	run("highmem_physical", vct_highmem_physical);
	run("highmem_mmap", vct_highmem_mmap);
}
