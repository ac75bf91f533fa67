// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual blocks built from chunks (issue 15): when the physical attempt
 * fails, the fallback takes the largest blocks the buddy allocator gives
 * without reclaim, split into pages, and order-0 pages for the rest.  A
 * block so built must be an ordinary virtual block for every lookup, for
 * its contents and for a free from hard irq.
 *
 * The per-order counter "chunks" says what each block was made of; the
 * fault knob "chunk" (k + 1) leaves order k as the only chunk order, and
 * the knob "physical" (1) fails every physical attempt.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "cases_chunks.h"
#include "vct_fragment.h"

void vct_ch_knob(struct vct *t, const char *site, unsigned int val)
{
	VCT_CHECK(t, vct_debugfs_inject_set_uint(site, val) == 0);
}

/* cases_chunks.h */
void vct_ch_knobs_off(struct vct *t)
{
	/* Without knobs none was set: vct_ch_force_virtual() skipped. */
	if (vct_inject_unavailable())
		return;
	vct_ch_knob(t, "chunk", 0);
	vct_ch_knob(t, "physical", 0);
}

/* cases_chunks.h */
bool vct_ch_force_virtual(struct vct *t)
{
	const char *why = vct_inject_unavailable();

	if (why) {
		t->skip = why;
		return false;
	}
	if (vct_set_fallback(t, false))
		return false;
	vct_ch_knob(t, "physical", 1);
	return !t->failed;
}

/*
 * The pages of the block at @addr, of @order, as the chunks counters say
 * it was built: chunks of decreasing order from its start, each a run of
 * consecutive pfns, then order-0 pages; @chunks[k] is the delta of order
 * k's counter.  Returns false, with a diagnostic, at the first page out of
 * place or not found by every lookup.
 */
bool vct_ch_layout_ok(struct vct *t, void *addr, unsigned int order,
		      const unsigned long *chunks)
{
	unsigned long nr = 1UL << order, i = 0, c, j, pages = chunks[0];
	struct page *head = vcompound_head_page(addr), *page, *prev = NULL;
	int k;

	for (k = 1; k < order; k++)
		pages += chunks[k] << k;
	if (!VCT_CHECK(t, pages == nr)) {
		vct_diag(t, "the chunks counters account for %lu of %lu pages",
			 pages, nr);
		return false;
	}
	for (k = order - 1; k >= 0; k--) {
		for (c = 0; c < chunks[k]; c++) {
			for (j = 0; j < 1UL << k; j++, i++) {
				page = vcompound_nth_page(addr, i);
				if (!vct_vblock_page_ok(addr, order, head, i,
							page))
					goto bad;
				if (j && page_to_pfn(page) != page_to_pfn(prev) + 1)
					goto bad;
				prev = page;
			}
		}
	}
	return true;
bad:
	VCT_CHECK(t, false);
	vct_diag(t, "page %lu (chunk of order %d) is out of place", i, k);
	return false;
}

void vct_ch_deltas(struct vct *t, unsigned long *chunks)
{
	unsigned int k;

	for (k = 0; k <= VCOMPOUND_ORDER_LIMIT; k++)
		chunks[k] = vct_odelta(t, k, chunks);
}

static void vct_ch_free_fn(void *addr)
{
	vct_free_atomic(addr);
}

/* cases_chunks.h */
void *vct_ch_alloc(struct vct *t, unsigned int order, unsigned long *chunks)
{
	void *addr;

	memset(chunks, 0, sizeof(*chunks) * (VCOMPOUND_ORDER_LIMIT + 1));
	vct_snap(t);
	addr = vcompound_alloc(GFP_KERNEL | __GFP_NOWARN, order);
	if (!VCT_CHECK(t, addr))
		return NULL;
	vct_resnap(t);
	vct_ch_deltas(t, chunks);
	VCT_CHECK(t, vcompound_is_virtual(addr));
	VCT_CHECK(t, vct_odelta(t, order, virtual) == 1);
	vct_ch_layout_ok(t, addr, order, chunks);
	vct_pattern_check(t, addr, order);
	return addr;
}

/* cases_chunks.h */
void vct_ch_free_hardirq(struct vct *t, void *addr, unsigned int order)
{
	VCT_CHECK(t, vct_run_in(VCT_HARDIRQ, vct_ch_free_fn, addr));
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, order, freed_virtual) == 1);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
}

/*
 * Allocates a block of @order with the knobs as set, checks it was built
 * from chunks as counted, fills and checks it through every page, and
 * frees it from hard irq.  Returns the chunks counters' deltas in @chunks.
 */
static void vct_ch_block(struct vct *t, unsigned int order,
			 unsigned long *chunks)
{
	void *addr = vct_ch_alloc(t, order, chunks);

	if (addr)
		vct_ch_free_hardirq(t, addr, order);
}

/*
 * chunks_forced_order_K: with only order K allowed as a chunk, a block of
 * order 5 is 2^(5-K) chunks of order K, where memory gives them, and
 * order-0 pages for what it does not.
 */
static void vct_ch_forced(struct vct *t, unsigned int k)
{
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1];
	unsigned int o;

	if (!vct_ch_force_virtual(t))
		goto out;
	vct_ch_knob(t, "chunk", k + 1);
	vct_ch_block(t, VCT_CH_ORDER, chunks);
	for (o = 1; o <= VCOMPOUND_ORDER_LIMIT; o++)
		if (o != k && !VCT_CHECK(t, chunks[o] == 0))
			vct_diag(t, "%lu chunks of order %u", chunks[o], o);
	/* A fresh guest has blocks of orders 1-3 to spare. */
	if (!VCT_CHECK(t, chunks[k] == 1UL << (VCT_CH_ORDER - k)))
		vct_diag(t, "%lu chunks of order %u, %lu order-0 pages",
			 chunks[k], k, chunks[0]);
out:
	vct_ch_knobs_off(t);
}

static void vct_ch_forced_1(struct vct *t)
{
	vct_ch_forced(t, 1);
}

static void vct_ch_forced_3(struct vct *t)
{
	vct_ch_forced(t, 3);
}

/* chunks_largest_first: left alone, the fallback takes order N-1 first. */
static void vct_ch_largest_first(struct vct *t)
{
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1];

	if (!vct_ch_force_virtual(t))
		goto out;
	vct_ch_block(t, VCT_CH_ORDER, chunks);
	if (!VCT_CHECK(t, chunks[VCT_CH_ORDER - 1] == 2))
		vct_diag(t, "%lu chunks of order %u, %lu order-0 pages",
			 chunks[VCT_CH_ORDER - 1], VCT_CH_ORDER - 1, chunks[0]);
out:
	vct_ch_knobs_off(t);
}

/* chunks_always_fallback: the worst case stays order-0 pages only. */
static void vct_ch_always_fallback(struct vct *t)
{
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1];

	if (vct_set_fallback(t, true))
		return;
	vct_ch_block(t, VCT_CH_ORDER, chunks);
	VCT_CHECK(t, chunks[0] == 1UL << VCT_CH_ORDER);
}

/*
 * Under the real fragmentation recipe, which leaves order-0 holes only, a
 * block of order 5 and one of order 4 taken before it and given back after
 * it are what the buddy allocator has above order 0: the fallback builds
 * a block of order VCT_CH_FRAG_ORDER from them, and from holes for the
 * rest.  (Not orders 1-3: freed, those wait on a per-CPU list, where the
 * watermark check of an allocation of their order does not see them.)
 * The physical attempt is failed by its knob: on a debug kernel, frees
 * from elsewhere (KASAN's quarantine, RCU) can make a block of that order
 * whole while the case runs.  The "chunk" knob, if set, still applies.
 */
void *vct_ch_alloc_fragmented(struct vct *t, unsigned long *chunks)
{
	static const unsigned int kept_order[] = { 5, 4 };
	struct page *kept[ARRAY_SIZE(kept_order)];
	unsigned int i;
	void *addr;

	for (i = 0; i < ARRAY_SIZE(kept); i++)
		kept[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, kept_order[i]);
	vct_fragment(t);
	for (i = 0; i < ARRAY_SIZE(kept); i++)
		if (kept[i])
			__free_pages(kept[i], kept_order[i]);
	addr = vct_ch_alloc(t, VCT_CH_FRAG_ORDER, chunks);
	vct_unfragment();
	return addr;
}

/* chunks_fragmented: a block of chunks of orders 5 and 4 and holes. */
static void vct_ch_fragmented(struct vct *t)
{
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1];
	void *addr;

	if (!vct_ch_force_virtual(t))
		goto out;
	addr = vct_ch_alloc_fragmented(t, chunks);
	if (addr)
		vct_ch_free_hardirq(t, addr, VCT_CH_FRAG_ORDER);
	/* Other allocations may take one of them first, not both. */
	if (!VCT_CHECK(t, chunks[5] + chunks[4] >= 1))
		vct_diag(t, "no chunk of order 4 or 5; %lu order-0 pages",
			 chunks[0]);
out:
	vct_ch_knobs_off(t);
}

/*
 * Whether the page at @pfn lies in a free block of the buddy allocator of
 * order @order or more: a free block's first page is PageBuddy with its
 * order in page->private (mm/internal.h, buddy_order()).  Racy, as any
 * look at free pages is; the guest is quiet while the case runs.
 */
static bool vct_ch_in_buddy(unsigned long pfn, unsigned int order)
{
	unsigned int o;

	for (o = order; o < order + 12; o++) {
		unsigned long start = pfn & ~((1UL << o) - 1);
		struct page *page;

		if (!pfn_valid(start))
			return false;
		page = pfn_to_page(start);
		if (PageBuddy(page) && page_private(page) >= order &&
		    pfn < start + (1UL << page_private(page)))
			return true;
	}
	return false;
}

/*
 * An order the per-CPU lists do not keep: above PAGE_ALLOC_COSTLY_ORDER,
 * and not the PMD order, which they keep too with transparent huge pages
 * (5 with 64 KiB pages on ppc64's radix MMU, 9 with 4 KiB pages): order 5,
 * or 6 where that is the PMD order.
 */
static unsigned int vct_ch_unlisted_order(void)
{
	unsigned int k = PAGE_ALLOC_COSTLY_ORDER + 2;

#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	if (k == HPAGE_PMD_ORDER)
		k++;
#endif
	return k;
}

/*
 * chunks_given_back_whole: the free gives each chunk back as the block it
 * was.  Its chunks are of an order the per-CPU lists do not keep, so a
 * chunk given back whole is at once in the buddy allocator's free lists;
 * its pages given back one by one would wait on the order-0 per-CPU list.
 */
static void vct_ch_given_back_whole(struct vct *t)
{
	const unsigned int k = vct_ch_unlisted_order(), order = k + 2;
	unsigned long chunks[VCOMPOUND_ORDER_LIMIT + 1], pfn[4], c;
	void *addr;

	if (!vct_ch_force_virtual(t))
		goto out;
	vct_ch_knob(t, "chunk", k + 1);
	addr = vct_ch_alloc(t, order, chunks);
	if (!addr)
		goto out;
	/* A fresh guest has blocks of that order to spare. */
	if (!VCT_CHECK(t, chunks[k] == ARRAY_SIZE(pfn)))
		vct_diag(t, "%lu chunks of order %u", chunks[k], k);
	for (c = 0; c < ARRAY_SIZE(pfn); c++)
		pfn[c] = page_to_pfn(vcompound_nth_page(addr, c << k));
	vcompound_free(addr);
	/* Without CONFIG_PREEMPT_COUNT (5.10) every virtual free is deferred. */
	vcompound_drain();
	for (c = 0; c < min_t(unsigned long, chunks[k], ARRAY_SIZE(pfn)); c++)
		if (!VCT_CHECK(t, vct_ch_in_buddy(pfn[c], k)))
			vct_diag(t, "chunk %lu (pfn %#lx) is not a free block of order %u or more",
				 c, pfn[c], k);
out:
	vct_ch_knobs_off(t);
}

void vct_chunks_cases(void (*run)(const char *name, void (*fn)(struct vct *t)))
{
	run("chunks_forced_order_1", vct_ch_forced_1);
	run("chunks_forced_order_3", vct_ch_forced_3);
	run("chunks_largest_first", vct_ch_largest_first);
	run("chunks_always_fallback", vct_ch_always_fallback);
	run("chunks_fragmented", vct_ch_fragmented);
	run("chunks_given_back_whole", vct_ch_given_back_whole);
	vct_chunks_api_cases(run);
}
