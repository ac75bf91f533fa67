// SPDX-License-Identifier: GPL-2.0
/*
 * P1: the physical path against the buddy allocator itself.
 * P6: real fragmentation, physical share and success rates.
 * P7: vcompound against vmalloc() on that fragmented memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/delay.h>
#include <linux/jhash.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "bench.h"
#include "vcompat_page_alloc.h"
#include "vct_params.h"

struct vcb_p1 {
	unsigned int order;
	unsigned int loops;
	gfp_t gfp;		/* vcompound's effective physical gfp */
	void **ptr;
	void *block;		/* lookups */
};

enum vcb_p1_kind { P1_VCOMPOUND, P1_ALLOC_PAGES, P1_ALLOC_PAGES_NODE, P1_KVMALLOC };

/* Inlined with a constant @kind: no indirect call in the timed loop. */
static __always_inline void *p1_alloc(struct vcb_p1 *a, enum vcb_p1_kind kind)
{
	switch (kind) {
	case P1_VCOMPOUND:
		return vcompound_alloc(GFP_KERNEL, a->order);
	case P1_ALLOC_PAGES:
		return alloc_pages(a->gfp, a->order);
	case P1_ALLOC_PAGES_NODE:
		return alloc_pages_node(NUMA_NO_NODE, a->gfp, a->order);
	default:
		return kvmalloc(PAGE_SIZE << a->order, GFP_KERNEL);
	}
}

static __always_inline void p1_free(struct vcb_p1 *a, enum vcb_p1_kind kind,
				    void *p)
{
	switch (kind) {
	case P1_VCOMPOUND:
		vcompound_free(p);
		break;
	case P1_ALLOC_PAGES:
	case P1_ALLOC_PAGES_NODE:
		__free_pages(p, a->order);
		break;
	default:
		kvfree(p);
		break;
	}
}

/* One repetition: vcb_batch allocations, then their frees, a->loops times. */
static __always_inline int p1_rep(void *arg, enum vcb_p1_kind kind, u64 *ns,
				  u64 *ops)
{
	struct vcb_p1 *a = arg;
	unsigned int l, i;
	u64 t0 = ktime_get_ns();

	for (l = 0; l < a->loops; l++) {
		for (i = 0; i < vcb_batch; i++) {
			a->ptr[i] = p1_alloc(a, kind);
			if (unlikely(!a->ptr[i]))
				goto fail;
		}
		for (i = 0; i < vcb_batch; i++)
			p1_free(a, kind, a->ptr[i]);
	}
	*ns = ktime_get_ns() - t0;
	*ops = (u64)a->loops * vcb_batch;
	return 0;
fail:
	while (i--)
		p1_free(a, kind, a->ptr[i]);
	return -ENOMEM;
}

static int p1_vcompound(void *arg, u64 *ns, u64 *ops)
{
	return p1_rep(arg, P1_VCOMPOUND, ns, ops);
}

static int p1_alloc_pages(void *arg, u64 *ns, u64 *ops)
{
	return p1_rep(arg, P1_ALLOC_PAGES, ns, ops);
}

static int p1_alloc_pages_node(void *arg, u64 *ns, u64 *ops)
{
	return p1_rep(arg, P1_ALLOC_PAGES_NODE, ns, ops);
}

static int p1_kvmalloc(void *arg, u64 *ns, u64 *ops)
{
	return p1_rep(arg, P1_KVMALLOC, ns, ops);
}

/* What vcompound_free() and the other lookups cost for a physical block. */
static int p1_lookup(void *arg, u64 *ns, u64 *ops)
{
	struct vcb_p1 *a = arg;
	unsigned int i, n = vcb_ops, virt = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < n; i++)
		virt += vcompound_is_virtual(a->block);
	*ns = ktime_get_ns() - t0;
	*ops = n;
	return virt ? -EINVAL : 0;
}

static int p1_virt_addr_valid(void *arg, u64 *ns, u64 *ops)
{
	struct vcb_p1 *a = arg;
	unsigned int i, n = vcb_ops, valid = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < n; i++)
		valid += virt_addr_valid(READ_ONCE(a->block));
	*ns = ktime_get_ns() - t0;
	*ops = n;
	return valid == n ? 0 : -EINVAL;
}

/* The read-side section every lookup takes (PREEMPT_RCU: a call). */
static int p1_rcu(void *arg, u64 *ns, u64 *ops)
{
	unsigned int i, n = vcb_ops;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < n; i++) {
		rcu_read_lock();
		rcu_read_unlock();
	}
	*ns = ktime_get_ns() - t0;
	*ops = n;
	return 0;
}

void vcb_p1(void)
{
	static const vcb_rep_fn fns[] = {
		p1_vcompound, p1_alloc_pages, p1_alloc_pages_node, p1_kvmalloc,
	};
	struct vcb_stat st[ARRAY_SIZE(fns)];
	struct vcb_p1 a = { };
	char param[16];
	int ret;

	if (vcb_set_fallback(false)) {
		vcb_error("P1", "-", "cannot clear always_fallback");
		return;
	}
	a.ptr = kcalloc(vcb_batch, sizeof(*a.ptr), GFP_KERNEL);
	if (!a.ptr)
		return;
	for (a.order = 0; a.order <= VC_BUDDY_MAX_ORDER; a.order++) {
		snprintf(param, sizeof(param), "order=%u", a.order);
		a.loops = vcb_loops(a.order);
		a.gfp = vcb_physical_gfp(GFP_KERNEL, a.order);
		a.block = vcompound_alloc(GFP_KERNEL, a.order);
		if (!a.block || vcompound_is_virtual(a.block)) {
			vcb_error("P1", param, "no physical block (%s)",
				  a.block ? "virtual" : "failed");
			vcompound_free(a.block);
			continue;
		}
		ret = vcb_measure(fns, ARRAY_SIZE(fns), &a, st);
		if (ret) {
			vcompound_free(a.block);
			vcb_error("P1", param, "failed: %d", ret);
			continue;
		}
		vcb_row("P1", param, &st[0], "alloc_pages", &st[1]);
		vcb_row("P1n", param, &st[0], "alloc_pages_node", &st[2]);
		vcb_row("P1kv", param, &st[0], "kvmalloc", &st[3]);
		if (!a.order) {
			static const vcb_rep_fn look[] = {
				p1_lookup, p1_virt_addr_valid, p1_rcu,
			};

			if (!vcb_measure(look, ARRAY_SIZE(look), &a, st)) {
				vcb_row("P1.lookup", param, &st[0], NULL, NULL);
				vcb_row("P1.virt_addr_valid", param, &st[1],
					NULL, NULL);
				vcb_row("P1.rcu", param, &st[2], NULL, NULL);
			}
		}
		vcompound_free(a.block);
	}
	kfree(a.ptr);
}

/* ------------------------------------------------------------------ P6 */

#define VCB_GRAB_GFP	(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN | \
			 __GFP_NOMEMALLOC)
#define VCB_P6_MIN_ORDER	4

/*
 * Real fragmentation: take every free page, largest blocks first, split to
 * order 0; give back all but about one page in vcb_frag_pin, chosen by a
 * hash of the pfn: reproducible, and random enough (a multiplicative hash
 * of consecutive pfns is nearly periodic: it would pin one page in every
 * 64 exactly and leave no free block above order 5).  An aligned block of
 * 2^o pages is then free with probability (1 - 1/pin)^(2^o): for pin 16
 * about 36% at order 4, 13% at order 5, 1.6% at order 6, nil above.
 * Pinned pages are unmovable kernel pages, so compaction cannot help.
 * What the grab could not take (below the min watermark, which khugepaged
 * raises to keep whole pageblocks free) stays in large blocks and serves
 * some high-order requests once the rest is given back.
 */
static LIST_HEAD(vcb_pinned);
static unsigned long vcb_nr_pinned;

static bool vcb_pin(unsigned long pfn)
{
	return jhash_2words((u32)pfn, (u32)(pfn >> 32), 0x76636f6d) %
	       vcb_frag_pin == 0;
}

static unsigned long vcb_free_mb(void)
{
	return global_zone_page_state(NR_FREE_PAGES) >> (20 - PAGE_SHIFT);
}

static void vcb_fragment(void)
{
	unsigned long i, taken = 0;
	struct page *page, *next;
	LIST_HEAD(all);
	int order;

	/* Deferred frees of the earlier metrics would come back as blocks. */
	vcompound_drain();
	rcu_barrier();
	msleep(200);
	for (order = VC_BUDDY_MAX_ORDER; order >= 0; order--) {
		while ((page = alloc_pages(VCB_GRAB_GFP, order))) {
			if (order)
				split_page(page, order);
			for (i = 0; i < (1UL << order); i++)
				list_add(&vc_nth_page(page, i)->lru, &all);
			taken += 1UL << order;
		}
		cond_resched();
	}
	/* What is left is below the min watermark: show it. */
	vcb_buddyinfo("P6 all taken");
	list_for_each_entry_safe(page, next, &all, lru) {
		list_del(&page->lru);
		if (vcb_pin(page_to_pfn(page))) {
			list_add(&page->lru, &vcb_pinned);
			vcb_nr_pinned++;
		} else {
			__free_page(page);
		}
	}
	vcb_info("P6: took %lu MiB, pinned %lu MiB (1 page in %u), %lu MiB free",
		 taken >> (20 - PAGE_SHIFT), vcb_nr_pinned >> (20 - PAGE_SHIFT),
		 vcb_frag_pin, vcb_free_mb());
	vcb_buddyinfo("P6 fragmented");
}

static void vcb_unfragment(void)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &vcb_pinned, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	vcb_nr_pinned = 0;
}

struct vcb_p6 {
	unsigned int order;
	unsigned long nr;		/* pages per block */
	unsigned int tries;
	gfp_t gfp;			/* vcompound's physical gfp */
	gfp_t manual_gfp;		/* the manual fallback's */
	void **ptr;
	struct page ***pages;		/* P6_MANUAL: page arrays */
	u64 *dt;			/* ns per attempt */
};

/*
 * RAW: alloc_pages() with vcompound's physical gfp; VCOMPOUND: the real
 * thing; MANUAL: vcompound's fallback rebuilt by hand from kernel calls;
 * FORCED: vcompound with always_fallback, the virtual kind without a
 * failed physical attempt before it; NODIRECT and NORECLAIM: MANUAL with
 * a physical attempt that neither reclaims nor compacts directly, and
 * that also leaves kswapd (and through it kcompactd) asleep.
 */
enum vcb_p6_kind {
	P6_RAW, P6_VCOMPOUND, P6_MANUAL, P6_FORCED, P6_NODIRECT, P6_NORECLAIM,
	P6_KINDS
};

static const char * const vcb_p6_names[P6_KINDS] = {
	"raw_failed", "vc_virtual", "manual_fallback", "forced_virtual",
	"nodirect_fallback", "noreclaim_fallback",
};

/*
 * What vcompound's fallback is made of, by hand: the physical attempt,
 * then a page array, bulk order-0 pages and vmap().
 */
static void *vcb_manual_alloc(struct vcb_p6 *a, unsigned int i)
{
	struct page *page = alloc_pages(a->manual_gfp, a->order);
	struct page **pages;
	unsigned long j;
	void *addr;

	a->pages[i] = NULL;
	if (page)
		return page_address(page);
	pages = kvcalloc(a->nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	vc_alloc_pages_bulk_node(GFP_KERNEL, NUMA_NO_NODE, a->nr, pages);
	for (j = 0; j < a->nr; j++) {
		if (!pages[j])
			pages[j] = alloc_page(GFP_KERNEL);
		if (!pages[j])
			goto fail;
	}
	addr = vmap(pages, a->nr, VM_MAP, PAGE_KERNEL);
	if (!addr)
		goto fail;
	a->pages[i] = pages;
	return addr;
fail:
	for (j = 0; j < a->nr; j++)
		if (pages[j])
			__free_page(pages[j]);
	kvfree(pages);
	return NULL;
}

static void vcb_manual_free(struct vcb_p6 *a, unsigned int i)
{
	struct page **pages = a->pages[i];
	unsigned long j;

	if (!pages) {
		__free_pages(virt_to_page(a->ptr[i]), a->order);
		return;
	}
	vunmap(a->ptr[i]);
	for (j = 0; j < a->nr; j++)
		__free_page(pages[j]);
	kvfree(pages);
}

/*
 * Per round: 10 * percent of attempts that worked (@ok), 10 * percent of
 * attempts served physically (@phys: of the attempts, not of the successes,
 * so that it compares with @ok of P6_RAW), and the mean ns per attempt
 * overall (@ns), per physical attempt (@ns_phys) and per failed or virtual
 * one (@ns_other); a mean of no attempt is left as U64_MAX.
 */
struct vcb_p6_round {
	u64 ok, phys, ns, ns_phys, ns_other;
};

static void vcb_p6_round(struct vcb_p6 *a, enum vcb_p6_kind kind,
			 struct vcb_p6_round *r)
{
	unsigned int i, ok = 0, phys = 0;
	u64 t0, t1, sum = 0, sum_phys = 0;

	if (kind == P6_FORCED && vcb_set_fallback(true))
		kind = P6_VCOMPOUND;
	a->manual_gfp = a->gfp;
	if (kind == P6_NODIRECT)
		a->manual_gfp &= ~__GFP_DIRECT_RECLAIM;
	if (kind == P6_NORECLAIM)
		a->manual_gfp &= ~__GFP_RECLAIM;
	for (i = 0; i < a->tries; i++) {
		t0 = ktime_get_ns();
		switch (kind) {
		case P6_RAW:
			a->ptr[i] = alloc_pages(a->gfp, a->order);
			break;
		case P6_VCOMPOUND:
		case P6_FORCED:
			a->ptr[i] = vcompound_alloc(GFP_KERNEL, a->order);
			break;
		default:
			a->ptr[i] = vcb_manual_alloc(a, i);
			break;
		}
		t1 = ktime_get_ns();
		a->dt[i] = t1 - t0;
	}
	for (i = 0; i < a->tries; i++) {
		bool is_phys;

		sum += a->dt[i];
		if (!a->ptr[i])
			continue;
		ok++;
		switch (kind) {
		case P6_RAW:
			is_phys = true;
			__free_pages(a->ptr[i], a->order);
			break;
		case P6_VCOMPOUND:
		case P6_FORCED:
			is_phys = !vcompound_is_virtual(a->ptr[i]);
			vcompound_free(a->ptr[i]);
			break;
		default:
			is_phys = !a->pages[i];
			vcb_manual_free(a, i);
			break;
		}
		phys += is_phys;
		sum_phys += is_phys ? a->dt[i] : 0;
	}
	vcompound_drain();
	if (kind == P6_FORCED)
		vcb_set_fallback(false);
	r->ok = div_u64(1000ULL * ok, a->tries);
	r->phys = div_u64(1000ULL * phys, a->tries);
	r->ns = vcb_per_op(sum, a->tries);
	r->ns_phys = phys ? vcb_per_op(sum_phys, phys) : U64_MAX;
	r->ns_other = a->tries > phys ?
		      vcb_per_op(sum - sum_phys, a->tries - phys) : U64_MAX;
}

/* Reduces the repetitions that had such attempts; false if none had. */
static bool vcb_reduce_some(u64 *v, unsigned int n, struct vcb_stat *s)
{
	unsigned int i, m = 0;

	for (i = 0; i < n; i++)
		if (v[i] != U64_MAX)
			v[m++] = v[i];
	if (m)
		vcb_reduce(v, m, s);
	return m;
}

/* Per-repetition results of one order. */
struct vcb_p6_reps {
	u64 ok[P6_KINDS][VCB_MAX_REPS];
	u64 ns[P6_KINDS][VCB_MAX_REPS];
	u64 other[P6_KINDS][VCB_MAX_REPS];
	u64 phys[P6_KINDS][VCB_MAX_REPS];
};

/* The rounds of @a's order, every kind in turn, and their rows. */
static void vcb_p6_order(struct vcb_p6 *a, struct vcb_p6_reps *v)
{
	struct vcb_stat s_ok[P6_KINDS], s_ns[P6_KINDS], s_phys, st;
	unsigned int i, k, kind;
	struct vcb_p6_round r;
	char param[16];

	a->nr = 1UL << a->order;
	a->gfp = vcb_physical_gfp(GFP_KERNEL, a->order);
	a->tries = max(1UL, ((unsigned long)vcb_frag_mb << 20) >>
			    (PAGE_SHIFT + a->order));
	for (i = 0; i < vcb_reps; i++) {
		/* Rotate which allocator sees the memory first. */
		for (k = 0; k < P6_KINDS; k++) {
			kind = (i + k) % P6_KINDS;
			vcb_p6_round(a, kind, &r);
			v->ok[kind][i] = r.ok;
			v->ns[kind][i] = r.ns;
			v->other[kind][i] = r.ns_other;
			v->phys[kind][i] = r.phys;
			cond_resched();
		}
	}
	snprintf(param, sizeof(param), "order=%u", a->order);
	vcb_info("P6 %s: %u tries of %lu KiB per round", param, a->tries,
		 (PAGE_SIZE << a->order) >> 10);
	for (k = 0; k < P6_KINDS; k++) {
		vcb_reduce(v->ok[k], vcb_reps, &s_ok[k]);
		vcb_reduce(v->ns[k], vcb_reps, &s_ns[k]);
	}
	vcb_reduce(v->phys[P6_VCOMPOUND], vcb_reps, &s_phys);
	vcb_row("P6ok", param, &s_ok[P6_VCOMPOUND], "alloc_pages",
		&s_ok[P6_RAW]);
	vcb_row("P6phys", param, &s_phys, "alloc_pages", &s_ok[P6_RAW]);
	vcb_row("P6ns", param, &s_ns[P6_VCOMPOUND], "alloc_pages",
		&s_ns[P6_RAW]);
	/*
	 * The cost of one fallback (or failed attempt) per kind; and
	 * the physical share of the variants, which could differ.
	 */
	for (k = 0; k < P6_KINDS; k++) {
		char m[32];

		snprintf(m, sizeof(m), "P6.%s", vcb_p6_names[k]);
		if (vcb_reduce_some(v->other[k], vcb_reps, &st))
			vcb_row(m, param, &st, NULL, NULL);
	}
	for (k = P6_NODIRECT; k < P6_KINDS; k++) {
		vcb_reduce(v->phys[k], vcb_reps, &st);
		vcb_info("P6 %s: %s physical %llu.%llu%% of attempts (vcompound %llu.%llu%%)",
			 param, vcb_p6_names[k], st.med / 10, st.med % 10,
			 s_phys.med / 10, s_phys.med % 10);
	}
}

/* ------------------------------------------------------------------ P7 */

/*
 * P7: vcompound_alloc() against vmalloc() of the same bytes on P6's
 * fragmented memory, always_fallback off, so that where the free blocks of
 * an order run out the physical attempt fails and the fallback builds the
 * block from chunks.  P7f: the same with every physical attempt failed by
 * the fault knob inject/physical, so that the chunked fallback (from the
 * same real fragmented memory) runs at every order, minus the cost of a
 * real failed attempt.  A repetition of any side allocates vcb_frag_mb MiB
 * in blocks of the order, as P6 does, then frees them; the sides take
 * turns (vcb_measure()), so all see the same memory.  vcompound's
 * counters, read around each of its repetitions outside the timed span,
 * say how many blocks were physical and what the virtual ones were made
 * of.  Then P7 of sizes that are not a power of two of pages (bench.h):
 * vcompound_alloc_size() against vmalloc() of the same bytes, the same
 * MiB per repetition; and P7exact in the same turns, the floor of any
 * allocator that gives the tail back: alloc_pages_exact() with the gfp of
 * vcompound's attempt, vmalloc() where it fails, and no descriptor or id.
 */
#define VCB_P7_MIN_ORDER	1

enum vcb_p7_side { P7_AS_IT_COMES, P7_FORCED, P7_VC_SIDES };

static const char * const vcb_p7_names[P7_VC_SIDES] = { "P7", "P7f" };

struct vcb_p7 {
	unsigned int order;
	unsigned long tries;		/* blocks per repetition */
	bool knob;			/* inject/physical is there: P7f */
	void **ptr;
	size_t *bytes;			/* per try, for the sized rows; or NULL */
	unsigned long *vmalloced;	/* P7exact: the tries vmalloc() served */
	unsigned long exact_virt;	/* P7exact: those of the last repetition */
	struct page **pages;		/* tries << order: the pages parts */
	struct vcompound_stats *before, *after;
	unsigned int calls[P7_VC_SIDES];	/* 0: the warm-up */
	u64 phys[P7_VC_SIDES][VCB_MAX_REPS];	/* blocks, in tenths */
	u64 virt[P7_VC_SIDES][VCB_MAX_REPS];
	/* Chunks of each order per virtual block, in tenths; U64_MAX: none. */
	u64 chunks[P7_VC_SIDES][VC_BUDDY_MAX_ORDER][VCB_MAX_REPS];
};

static __always_inline int p7_rep(struct vcb_p7 *a, bool vc, u64 *ns,
				  u64 *ops)
{
	unsigned long i, j;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < a->tries; i++) {
		if (a->bytes)
			a->ptr[i] = vc ? vcompound_alloc_size(GFP_KERNEL,
							      a->bytes[i]) :
					 vmalloc(a->bytes[i]);
		else
			a->ptr[i] = vc ? vcompound_alloc(GFP_KERNEL, a->order) :
					 vmalloc(PAGE_SIZE << a->order);
		if (unlikely(!a->ptr[i]))
			break;
	}
	for (j = 0; j < i; j++) {
		if (vc)
			vcompound_free(a->ptr[j]);
		else
			vfree(a->ptr[j]);
	}
	*ns = ktime_get_ns() - t0;
	*ops = i;
	return i < a->tries ? -ENOMEM : 0;
}

/* The counters of one repetition of vcompound side @s. */
static void p7_count(struct vcb_p7 *a, unsigned int s, unsigned int r)
{
	const struct vcompound_order_stats *b = &a->before->order[a->order];
	const struct vcompound_order_stats *e = &a->after->order[a->order];
	unsigned long virt = e->virtual - b->virtual;
	unsigned int k;

	a->phys[s][r] = 10ULL * (e->physical - b->physical);
	a->virt[s][r] = 10ULL * virt;
	/* A chunk of order k serves only blocks of a higher order. */
	for (k = 0; k < a->order; k++)
		a->chunks[s][k][r] = virt ?
			vcb_per_op(a->after->order[k].chunks -
				   a->before->order[k].chunks, virt) : U64_MAX;
}

static int p7_vcompound_side(struct vcb_p7 *a, unsigned int s, u64 *ns,
			     u64 *ops)
{
	int ret = 0, off;

	if (s == P7_FORCED)
		ret = vct_debugfs_inject_set_uint("physical", 1);
	if (ret)
		return ret;
	vcompound_get_stats(a->before);
	ret = p7_rep(a, true, ns, ops);
	vcompound_get_stats(a->after);
	if (s == P7_FORCED) {
		off = vct_debugfs_inject_set_uint("physical", 0);
		ret = ret ?: off;
	}
	/* A sized row's blocks are counted at several orders: no counts. */
	if (!ret && a->calls[s] && !a->bytes)
		p7_count(a, s, a->calls[s] - 1);
	a->calls[s]++;
	return ret;
}

static int p7_vcompound(void *arg, u64 *ns, u64 *ops)
{
	return p7_vcompound_side(arg, P7_AS_IT_COMES, ns, ops);
}

static int p7_forced(void *arg, u64 *ns, u64 *ops)
{
	return p7_vcompound_side(arg, P7_FORCED, ns, ops);
}

static int p7_vmalloc(void *arg, u64 *ns, u64 *ops)
{
	return p7_rep(arg, false, ns, ops);
}

/*
 * P7exact, a sized row's floor: the pages as alloc_pages_exact() gives
 * them, tail split off and freed, or vmalloc() where that fails; which one
 * served a try is kept for its free.
 */
static int p7_exact(void *arg, u64 *ns, u64 *ops)
{
	struct vcb_p7 *a = arg;
	unsigned long i, j;
	size_t n;
	gfp_t gfp;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < a->tries; i++) {
		n = a->bytes[i];
		/* As vcompound's attempt; __GFP_COMP is refused: it splits. */
		gfp = vcb_physical_gfp_fb(GFP_KERNEL, get_order(n)) &
		      ~__GFP_COMP;
		a->ptr[i] = alloc_pages_exact(n, gfp);
		if (likely(a->ptr[i])) {
			__clear_bit(i, a->vmalloced);
			continue;
		}
		a->ptr[i] = vmalloc(n);
		if (unlikely(!a->ptr[i]))
			break;
		__set_bit(i, a->vmalloced);
	}
	for (j = 0; j < i; j++) {
		if (test_bit(j, a->vmalloced))
			vfree(a->ptr[j]);
		else
			free_pages_exact(a->ptr[j], a->bytes[j]);
	}
	*ns = ktime_get_ns() - t0;
	*ops = i;
	a->exact_virt = bitmap_weight(a->vmalloced, i);
	return i < a->tries ? -ENOMEM : 0;
}

/*
 * The pages parts, on the same memory: the pages of each block gathered as
 * the fallback does with always_fallback (order-0 pages in bulk) or
 * without it (chunks of orders N-1..1 taken without reclaim and split,
 * then the rest in bulk), and freed one by one as it frees them; no
 * descriptor, mapping or id.
 */
#define VCB_P7_CHUNK_GFP	((GFP_KERNEL & ~__GFP_RECLAIM) | __GFP_NOWARN | \
				 __GFP_NORETRY | __GFP_NOMEMALLOC)

static int p7_gather(struct vcb_p7 *a, struct page **pages, bool chunked)
{
	unsigned long nr = 1UL << a->order, i = 0, j;
	unsigned int k = a->order - 1;
	struct page *page;

	while (chunked && k && i < nr) {
		page = alloc_pages_node(NUMA_NO_NODE, VCB_P7_CHUNK_GFP, k);
		if (!page) {
			k--;
			continue;
		}
		split_page(page, k);
		for (j = 0; j < 1UL << k; j++)
			pages[i + j] = vc_nth_page(page, j);
		i += 1UL << k;
	}
	memset(pages + i, 0, (nr - i) * sizeof(*pages));
	vc_alloc_pages_bulk_node(GFP_KERNEL, NUMA_NO_NODE, nr - i, pages + i);
	for (j = i; j < nr; j++) {
		if (!pages[j])
			pages[j] = alloc_page(GFP_KERNEL);
		if (!pages[j])
			goto fail;
	}
	return 0;
fail:
	for (j = 0; j < nr; j++)
		if (pages[j])
			__free_page(pages[j]);
	return -ENOMEM;
}

static __always_inline int p7_pages_rep(struct vcb_p7 *a, bool chunked,
					u64 *ns, u64 *ops)
{
	unsigned long nr = 1UL << a->order, i, j;
	int ret = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < a->tries; i++) {
		ret = p7_gather(a, a->pages + i * nr, chunked);
		if (ret)
			break;
	}
	for (j = 0; j < i * nr; j++)
		__free_page(a->pages[j]);
	*ns = ktime_get_ns() - t0;
	*ops = i;
	return ret;
}

static int p7_pages(void *arg, u64 *ns, u64 *ops)
{
	return p7_pages_rep(arg, false, ns, ops);
}

static int p7_chunkpages(void *arg, u64 *ns, u64 *ops)
{
	return p7_pages_rep(arg, true, ns, ops);
}

/* The block counts of vcompound side @s at @param. */
static void vcb_p7_counts(struct vcb_p7 *a, unsigned int s, const char *param)
{
	const char *name = vcb_p7_names[s];
	struct vcb_stat st;
	unsigned int k;
	char m[24];

	vcb_reduce(a->phys[s], vcb_reps, &st);
	if (s == P7_FORCED && st.max)
		vcb_error(name, param, "physical blocks despite the knob");
	snprintf(m, sizeof(m), "%s.physical", name);
	vcb_row(m, param, &st, NULL, NULL);
	vcb_reduce(a->virt[s], vcb_reps, &st);
	snprintf(m, sizeof(m), "%s.virtual", name);
	vcb_row(m, param, &st, NULL, NULL);
	for (k = 0; k < a->order; k++) {
		snprintf(m, sizeof(m), "%s.chunks%u", name, k);
		if (vcb_reduce_some(a->chunks[s][k], vcb_reps, &st) && st.max)
			vcb_row(m, param, &st, NULL, NULL);
	}
}

static void vcb_p7_order(struct vcb_p7 *a)
{
	static const vcb_rep_fn fns[] = { p7_vcompound, p7_vmalloc, p7_forced };
	static const vcb_rep_fn parts[] = { p7_pages, p7_chunkpages };
	struct vcb_stat st[ARRAY_SIZE(fns)];
	unsigned int s, sides = a->knob ? P7_VC_SIDES : 1;
	char param[16];
	int ret;

	snprintf(param, sizeof(param), "order=%u", a->order);
	a->tries = max(1UL, ((unsigned long)vcb_frag_mb << 20) >>
			    (PAGE_SHIFT + a->order));
	memset(a->calls, 0, sizeof(a->calls));
	ret = vcb_measure(fns, a->knob ? 3 : 2, a, st);
	if (ret) {
		vcb_error("P7", param, "failed: %d", ret);
		return;
	}
	vcb_info("P7 %s: %lu blocks of %lu KiB per repetition and side",
		 param, a->tries, (PAGE_SIZE << a->order) >> 10);
	vcb_row("P7", param, &st[0], "vmalloc", &st[1]);
	if (a->knob)
		vcb_row("P7f", param, &st[2], "vmalloc", &st[1]);
	for (s = 0; s < sides; s++)
		vcb_p7_counts(a, s, param);
	ret = vcb_measure(parts, ARRAY_SIZE(parts), a, st);
	if (ret) {
		vcb_error("P7", param, "pages parts failed: %d", ret);
		return;
	}
	vcb_row("P7.pages", param, &st[0], NULL, NULL);
	vcb_row("P7.chunkpages", param, &st[1], NULL, NULL);
}

/* Physical and virtual blocks of the last repetition, all orders. */
static void vcb_p7_kinds(struct vcb_p7 *a, unsigned long *phys,
			 unsigned long *virt)
{
	unsigned int o;

	*phys = 0;
	*virt = 0;
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		*phys += a->after->order[o].physical -
			 a->before->order[o].physical;
		*virt += a->after->order[o].virtual -
			 a->before->order[o].virtual;
	}
}

/*
 * P7 of the sized rows: vcompound as it comes against vmalloc(), and
 * P7exact, their floor, against the same vmalloc() figure.
 */
static void vcb_p7_sized(struct vcb_p7 *a, size_t *bytes)
{
	static const vcb_rep_fn fns[] = { p7_vcompound, p7_vmalloc, p7_exact };
	struct vcb_stat st[ARRAY_SIZE(fns)];
	unsigned long pages, phys, virt;
	unsigned long want = (unsigned long)vcb_frag_mb << 20 >> PAGE_SHIFT;
	unsigned int k, lo, hi;
	char param[24];
	int ret;

	a->bytes = bytes;
	for (k = 0; k < vcb_sized_rows(); k++) {
		vcb_sized_range(k, &lo, &hi);
		vcb_sized_param(param, sizeof(param), k);
		/* As many blocks as make vcb_frag_mb MiB, as for an order. */
		a->tries = max(1UL, want * 2 / (lo + hi));
		pages = vcb_sized_fill(bytes, a->tries, lo, hi);
		memset(a->calls, 0, sizeof(a->calls));
		ret = vcb_measure(fns, ARRAY_SIZE(fns), a, st);
		if (ret) {
			vcb_error("P7", param, "failed: %d", ret);
			continue;
		}
		vcb_p7_kinds(a, &phys, &virt);
		vcb_info("P7 %s: %lu blocks, %lu KiB per repetition and side; the last repetition's blocks: %lu physical, %lu virtual; P7exact: %lu alloc_pages_exact(), %lu vmalloc()",
			 param, a->tries, pages << (PAGE_SHIFT - 10), phys, virt,
			 a->tries - a->exact_virt, a->exact_virt);
		vcb_row("P7", param, &st[0], "vmalloc", &st[1]);
		vcb_row("P7exact", param, &st[2], "vmalloc", &st[1]);
	}
	a->bytes = NULL;
}

/* The P6 and P7 metrics selected, on one fragmented memory. */
void vcb_fragmented(bool p6, bool p7)
{
	struct vcb_p6_reps *v;
	struct vcb_p6 a = { };
	struct vcb_p7 *b;
	unsigned long frag_pages = max(1UL, ((unsigned long)vcb_frag_mb << 20) >>
					    PAGE_SHIFT);
	unsigned int max_tries, knob;
	size_t *bytes = NULL;

	if (vcb_set_fallback(false)) {
		vcb_error("P6", "-", "cannot clear always_fallback");
		return;
	}
	/* Everything is allocated first: the grab leaves nothing free. */
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!v || !b)
		goto out;
	max_tries = max(1UL, ((unsigned long)vcb_frag_mb << 20) >>
			     (PAGE_SHIFT + VCB_P6_MIN_ORDER));
	a.ptr = kvcalloc(max_tries, sizeof(*a.ptr), GFP_KERNEL);
	a.pages = kvcalloc(max_tries, sizeof(*a.pages), GFP_KERNEL);
	a.dt = kvcalloc(max_tries, sizeof(*a.dt), GFP_KERNEL);
	b->ptr = kvcalloc(max(1UL, ((unsigned long)vcb_frag_mb << 20) >>
				   (PAGE_SHIFT + VCB_P7_MIN_ORDER)),
			  sizeof(*b->ptr), GFP_KERNEL);
	b->pages = kvcalloc(frag_pages, sizeof(*b->pages), GFP_KERNEL);
	/* A size per block of the sized rows, which have fewer than b->ptr. */
	bytes = kvcalloc(frag_pages, sizeof(*bytes), GFP_KERNEL);
	b->vmalloced = bitmap_zalloc(frag_pages, GFP_KERNEL);
	b->before = kmalloc(sizeof(*b->before), GFP_KERNEL);
	b->after = kmalloc(sizeof(*b->after), GFP_KERNEL);
	if (!a.ptr || !a.pages || !a.dt || !b->ptr || !b->pages ||
	    !bytes || !b->vmalloced || !b->before || !b->after)
		goto out;
	vcb_fragment();
	for (a.order = VCB_P6_MIN_ORDER; p6 && a.order <= VC_BUDDY_MAX_ORDER;
	     a.order++)
		vcb_p6_order(&a, v);
	if (p7) {
		/* Without the knob (no debugfs): P7 alone. */
		b->knob = !vct_debugfs_inject_get("physical", &knob);
		if (!b->knob)
			vcb_error("P7f", "-", "no inject/physical knob");
		vcb_buddyinfo("P7 before");
		for (b->order = VCB_P7_MIN_ORDER;
		     b->order <= VC_BUDDY_MAX_ORDER; b->order++) {
			vcb_p7_order(b);
			cond_resched();
		}
		vcb_p7_sized(b, bytes);
		vcb_buddyinfo("P7 after");
	}
	vcb_unfragment();
	vcb_info("P6: released, %lu MiB free", vcb_free_mb());
out:
	if (b) {
		kfree(b->after);
		kfree(b->before);
		bitmap_free(b->vmalloced);
		kvfree(b->pages);
		kvfree(b->ptr);
	}
	kvfree(bytes);
	kvfree(a.dt);
	kvfree(a.pages);
	kvfree(a.ptr);
	kfree(b);
	kfree(v);
}
