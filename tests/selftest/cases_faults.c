// SPDX-License-Identifier: GPL-2.0
/*
 * suite=faults: the core and vcache behaviours, and a random mix of them,
 * written so that any allocation may fail.  The debug lane loads it with
 * fail_page_alloc on (10 % and 50 %, order >= 0 and >= 1); with nothing
 * injected it runs on any kernel.
 *
 * Every call must return NULL or memory that is fully usable: each non-NULL
 * result is written and read back through every page, __GFP_ZERO memory
 * must be zero, and the lookups must agree on interior addresses.  A case
 * fails on any invalid result and when vcompound's outstanding counters do
 * not come back to where they were; NULL is never a failure.  Each case
 * prints "# faults: <case> calls=N null=N valid=N invalid=N", the last one
 * the totals (the format the debug lane's summary reads).
 *
 * Every gfp carries __GFP_NOWARN: an allocation failure report has a
 * backtrace, which the lab would count as an unexpected warning.
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

#define VCT_FI_MAGIC		0x5bd1e9955bd1e995UL
/* Invalid results described in the log, per case. */
#define VCT_FI_DIAG_MAX		8
/* Pages per block whose block lookups are checked; page lookups: all. */
#define VCT_FI_SAMPLES		64UL

struct vct_fi_tally vct_fi_case, vct_fi_total;
unsigned int vct_fi_max_order;
static bool vct_fi_started;
const char *vct_fi_ctx;
static unsigned long vct_fi_base_outstanding;

static unsigned long vct_fi_outstanding(const struct vcompound_stats *st)
{
	return st->outstanding_physical + st->outstanding_virtual;
}

/*
 * The debug lane limits fail_page_alloc to tasks marked make-it-fail
 * (task-filter=Y), so that /init and the module loader are spared: this
 * task is marked while a case runs its calls.  Without
 * CONFIG_FAULT_INJECTION there is nothing to mark.
 */
void vct_fi_mark(bool on)
{
#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = on;
#endif
}

void vct_fi_begin(struct vct *t)
{
	memset(&vct_fi_case, 0, sizeof(vct_fi_case));
	vct_fi_ctx = "";
	vct_snap(t);
	if (!vct_fi_started) {
		vct_fi_started = true;
		vct_fi_base_outstanding = vct_fi_outstanding(t->s0);
		if (!VCT_CHECK(t, !vct_param_get_max_order(&vct_fi_max_order)))
			vct_fi_max_order = 0;
	}
	vct_fi_mark(true);
}

/* Counts the case in the totals, prints its line, checks the counters. */
void vct_fi_end(struct vct *t)
{
	struct vct_fi_tally *c = &vct_fi_case;

	vct_fi_mark(false);
	vct_resnap(t);
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
	VCT_CHECK(t, vct_delta(t, interior_free) == 0);
	VCT_CHECK(t, c->invalid == 0);
	VCT_CHECK(t, c->calls == c->nulls + c->valid + c->invalid);
	pr_info("# faults: %s calls=%lu null=%lu valid=%lu invalid=%lu\n",
		t->name, c->calls, c->nulls, c->valid, c->invalid);
	if (c->refused)
		vct_diag(t, "%lu of the nulls: non-blocking gfp, no physical block by design",
			 c->refused);
	vct_fi_total.calls += c->calls;
	vct_fi_total.nulls += c->nulls;
	vct_fi_total.valid += c->valid;
	vct_fi_total.invalid += c->invalid;
	vct_fi_total.refused += c->refused;
}

void vct_fi_invalid(struct vct *t, const char *what, const void *p,
		    unsigned int order, unsigned long i)
{
	vct_fi_case.invalid++;
	if (vct_fi_case.invalid <= VCT_FI_DIAG_MAX)
		vct_diag(t, "INVALID: %s (%s: block %p order %u, page/object %lu)",
			 what, vct_fi_ctx, p, order, i);
}

/* always_fallback through sysfs; the write itself may meet a failure. */
bool vct_fi_fallback(struct vct *t, bool on)
{
	int i, ret = 0;

	for (i = 0; i < 100; i++) {
		ret = vct_param_set_always_fallback(on ? "1" : "0");
		if (ret != -ENOMEM)
			break;
	}
	return VCT_CHECK(t, ret == 0);
}

/* ------------------------------------------------------ block checks -- */

/*
 * Where page @i of a block gets its moving pattern word: varies with @i,
 * never the first or last word, which get their own.
 */
static unsigned long vct_fi_off(unsigned long i)
{
	return ((i * 97) % (PAGE_SIZE / sizeof(long) - 2) + 1) * sizeof(long);
}

static unsigned long vct_fi_word(const void *p, unsigned long i)
{
	return VCT_FI_MAGIC ^ (unsigned long)p ^ i;
}

/*
 * Checks a block the way a driver uses it.  Writes a word into every page
 * through @p (vct_fi_intact() finds it again later).  Returns false, with
 * the block counted invalid, on the first thing that is wrong.
 */
bool vct_fi_check_block(struct vct *t, void *p, unsigned int order,
			const struct vct_fi_want *w)
{
	unsigned long nr = 1UL << order, i;
	unsigned long step = max(nr / VCT_FI_SAMPLES, 1UL);
	struct page *head, *pg;
	bool virt;

	head = vcompound_head_page(p);
	if (!head || vcompound_order(p) != order) {
		vct_fi_invalid(t, "not a block of its order", p, order, 0);
		return false;
	}
	virt = vcompound_is_virtual(p);
	if ((w->virt >= 0 && virt != w->virt) || virt != is_vmalloc_addr(p)) {
		vct_fi_invalid(t, "wrong kind", p, order, virt);
		return false;
	}
	if (!virt && (virt_to_page(p) != head ||
		      (order && (!PageHead(head) ||
				 compound_order(head) != order)))) {
		vct_fi_invalid(t, "physical block is not a compound page", p,
			       order, 0);
		return false;
	}
	if (w->zero && memchr_inv(p, 0, PAGE_SIZE << order)) {
		vct_fi_invalid(t, "__GFP_ZERO block is not zero", p, order, 0);
		return false;
	}
	for (i = 0; i < nr; i++) {
		void *a = p + (i << PAGE_SHIFT);
		unsigned long off = vct_fi_off(i);

		pg = vcompound_nth_page(p, i);
		if (!pg || pg != (virt ? vmalloc_to_page(a) : virt_to_page(a)) ||
		    vmalloc_address(pg) != a || vcompound_to_page(a + off) != pg) {
			vct_fi_invalid(t, "page lookups disagree", p, order, i);
			return false;
		}
		/* Head, order and kind from interior addresses, sampled. */
		if ((i % step == 0 || i == nr - 1) &&
		    (vcompound_head_page(a + off) != head ||
		     vcompound_order(a + off) != order ||
		     vcompound_is_virtual(a + PAGE_SIZE - 1) != virt)) {
			vct_fi_invalid(t, "block lookups disagree", p, order, i);
			return false;
		}
		if (w->nid != NUMA_NO_NODE && page_to_nid(pg) != w->nid) {
			vct_fi_invalid(t, "page on another node", p, order, i);
			return false;
		}
		/* First and last word, and one that moves: via the alias. */
		*(unsigned long *)a = vct_fi_word(p, i);
		*(unsigned long *)(a + PAGE_SIZE - sizeof(long)) = ~i;
		*(unsigned long *)(a + off) = vct_fi_word(p, i);
		if (*(unsigned long *)(page_address(pg) + off) != vct_fi_word(p, i) ||
		    *(unsigned long *)page_address(pg) != vct_fi_word(p, i) ||
		    *(unsigned long *)(page_address(pg) + PAGE_SIZE - sizeof(long)) != ~i) {
			vct_fi_invalid(t, "pattern does not read back", p, order, i);
			return false;
		}
	}
	if (vcompound_nth_page(p, nr)) {
		vct_fi_invalid(t, "page past the end", p, order, nr);
		return false;
	}
	return true;
}

/* The words vct_fi_check_block() wrote are still there. */
bool vct_fi_intact(struct vct *t, void *p, unsigned int order)
{
	unsigned long nr = 1UL << order, i;

	for (i = 0; i < nr; i++) {
		void *a = p + (i << PAGE_SHIFT);

		if (*(unsigned long *)(a + vct_fi_off(i)) != vct_fi_word(p, i) ||
		    *(unsigned long *)(a + PAGE_SIZE - sizeof(long)) != ~i) {
			vct_fi_invalid(t, "block changed while held", p, order, i);
			return false;
		}
	}
	return true;
}

static void vct_fi_totals(struct vct *t)
{
	struct vct_fi_tally *c = &vct_fi_total;
	unsigned long outstanding;

	vct_fi_begin(t);
	vct_fi_mark(false);
	vct_resnap(t);
	outstanding = vct_fi_outstanding(t->s1);
	VCT_CHECK(t, outstanding == vct_fi_base_outstanding);
	VCT_CHECK(t, c->invalid == 0);
	/* refused: the nulls by contract (non-blocking, no block), not injected */
	pr_info("# faults-total: calls=%lu null=%lu refused=%lu valid=%lu invalid=%lu outstanding=%lu\n",
		c->calls, c->nulls, c->refused, c->valid, c->invalid,
		outstanding);
}

/* The group's cases: each part's in turn, then the totals. */
void vct_faults_cases(void (*run)(const char *name,
				  void (*fn)(struct vct *t)))
{
	vct_faults_gfp_cases(run);
	vct_faults_vcache_cases(run);
	vct_faults_random_cases(run);
	run("faults_total", vct_fi_totals);
}
