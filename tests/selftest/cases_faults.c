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

#include "vct.h"
#include "vcompat_page_alloc.h"

#define VCT_FI_MAGIC		0x5bd1e9955bd1e995UL
/* Invalid results described in the log, per case. */
#define VCT_FI_DIAG_MAX		8
/* Random workload: operations, and blocks or objects live at once. */
#define VCT_FI_OPS		2000U
#define VCT_FI_SLOTS		128U
/* Pages per block whose block lookups are checked; page lookups: all. */
#define VCT_FI_SAMPLES		64UL
/* Orders above this are rarer in the random workload. */
#define VCT_FI_SMALL_ORDER	4U

struct vct_fi_tally {
	unsigned long calls, nulls, valid, invalid;
	unsigned long refused;	/* NULL by contract: non-blocking, no block */
};

static struct vct_fi_tally vct_fi_case, vct_fi_total;
static unsigned int vct_fi_max_order;
static bool vct_fi_started;
/* What the call being checked was, for the diagnostics. */
static const char *vct_fi_ctx;
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
static void vct_fi_mark(bool on)
{
#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = on;
#endif
}

static void vct_fi_begin(struct vct *t)
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
static void vct_fi_end(struct vct *t)
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

static void vct_fi_invalid(struct vct *t, const char *what, const void *p,
			   unsigned int order, unsigned long i)
{
	vct_fi_case.invalid++;
	if (vct_fi_case.invalid <= VCT_FI_DIAG_MAX)
		vct_diag(t, "INVALID: %s (%s: block %p order %u, page/object %lu)",
			 what, vct_fi_ctx, p, order, i);
}

/* always_fallback through sysfs; the write itself may meet a failure. */
static bool vct_fi_fallback(struct vct *t, bool on)
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

/* What a block must be, besides usable memory. */
struct vct_fi_want {
	int virt;		/* 0 physical, 1 virtual, -1 either */
	bool zero;
	int nid;		/* every page on it, or NUMA_NO_NODE */
};

/*
 * Checks a block the way a driver uses it.  Writes a word into every page
 * through @p (vct_fi_intact() finds it again later).  Returns false, with
 * the block counted invalid, on the first thing that is wrong.
 */
static bool vct_fi_check_block(struct vct *t, void *p, unsigned int order,
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
static bool vct_fi_intact(struct vct *t, void *p, unsigned int order)
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

/* ------------------------------------------------------- gfp variants -- */

enum vct_fi_how {
	VCT_FI_KERNEL,		/* GFP_KERNEL */
	VCT_FI_ZERO,		/* GFP_KERNEL | __GFP_ZERO */
	VCT_FI_NOFS,		/* GFP_NOFS */
	VCT_FI_NOIO,		/* GFP_NOIO | __GFP_ZERO */
	VCT_FI_NOFS_SCOPE,	/* GFP_KERNEL in memalloc_nofs_save() */
	VCT_FI_NOIO_SCOPE,	/* GFP_KERNEL | __GFP_ZERO in memalloc_noio_save() */
	VCT_FI_NODE,		/* vcompound_alloc_node(), __GFP_THISNODE */
	VCT_FI_PAGES,		/* vcompound_alloc_pages(), __GFP_ZERO */
	VCT_FI_ATOMIC,		/* GFP_ATOMIC, under a spinlock */
	VCT_FI_NOWAIT,		/* GFP_NOWAIT | __GFP_ZERO */
	VCT_FI_NR_HOW
};

static const char *const vct_fi_how_name[VCT_FI_NR_HOW] = {
	"kernel", "zero", "nofs", "noio", "nofs_scope", "noio_scope", "node",
	"pages", "atomic", "nowait",
};

static DEFINE_SPINLOCK(vct_fi_lock);

/* A held block: what vct_fi_put() needs. */
struct vct_fi_blk {
	void *p;
	struct page *page;	/* VCT_FI_PAGES: free with vcompound_free_pages() */
	unsigned int order;
};

/*
 * One call of kind @how.  Returns false if the result was invalid (it is
 * then freed already, if it can be); a NULL result is fine.
 */
static bool vct_fi_get(struct vct *t, enum vct_fi_how how, unsigned int order,
		       bool fallback, struct vct_fi_blk *b)
{
	struct vct_fi_want w = { .virt = -1, .nid = NUMA_NO_NODE };
	unsigned int flags = current->flags, scope;
	gfp_t gfp = __GFP_NOWARN;
	unsigned long irq;
	bool atomic = false;

	memset(b, 0, sizeof(*b));
	b->order = order;
	vct_fi_ctx = vct_fi_how_name[how];
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
		w.nid = numa_node_id();
		break;
	case VCT_FI_ATOMIC:
		gfp |= GFP_ATOMIC;
		atomic = true;
		break;
	case VCT_FI_NOWAIT:
		gfp |= GFP_NOWAIT | __GFP_ZERO;
		atomic = true;
		break;
	default:
		return false;
	}
	w.zero = gfp & __GFP_ZERO;

	vct_fi_case.calls++;
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
		b->p = vcompound_alloc_node(gfp, order, w.nid);
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

static void vct_fi_put(struct vct *t, struct vct_fi_blk *b)
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

/* ------------------------------------------------------------- vcache -- */

static const unsigned int vct_fi_sizes[] = { 24, 200, 1500, 5000, 40000 };

/* Objects of one cache in a fill: at most, and at most 4 MiB of them. */
#define VCT_FI_VC_OBJS		192U

static u8 vct_fi_byte(unsigned int i)
{
	return i * 13 + 5;
}

/*
 * Checks a new object of @c (size @size, @flags) and fills it with
 * vct_fi_byte(@i).  Counts it valid or invalid; an invalid one is left to
 * the caller, which frees every object it holds.
 */
static bool vct_fi_check_obj(struct vct *t, void *p, unsigned int size,
			     unsigned long flags, bool zero, unsigned int i)
{
	struct page *head = vcompound_head_page(p);
	unsigned int align = flags & VCACHE_HWCACHE_ALIGN ?
			     cache_line_size() : sizeof(void *);

	if (!IS_ALIGNED((unsigned long)p, align)) {
		vct_fi_invalid(t, "misaligned object", p, 0, i);
	} else if (!head || vcompound_head_page(p + size - 1) != head ||
		   !vcompound_to_page(p + size - 1)) {
		vct_fi_invalid(t, "object not inside one slab", p, 0, i);
	} else if (vcompound_is_virtual(p) && !(flags & VCACHE_VFALLBACK)) {
		vct_fi_invalid(t, "virtual slab without VCACHE_VFALLBACK", p, 0, i);
	} else if (zero && memchr_inv(p, 0, size)) {
		vct_fi_invalid(t, "__GFP_ZERO object is not zero", p, 0, i);
	} else {
		memset(p, vct_fi_byte(i), size);
		vct_fi_case.valid++;
		return true;
	}
	return false;
}

/* Fills objs[from..to) from @c; NULL slots where the cache failed. */
static void vct_fi_vc_fill(struct vct *t, struct vcache *c, void **objs,
			   unsigned int from, unsigned int to,
			   unsigned int size, unsigned long flags)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		bool zero = i & 1;

		vct_fi_case.calls++;
		objs[i] = vcache_alloc(c, GFP_KERNEL | __GFP_NOWARN |
					  (zero ? __GFP_ZERO : 0));
		if (!objs[i]) {
			vct_fi_case.nulls++;
		} else if (!vct_fi_check_obj(t, objs[i], size, flags, zero, i)) {
			vcache_free(c, objs[i]);
			objs[i] = NULL;
		}
	}
}

static void vct_fi_vc_free(struct vct *t, struct vcache *c, void **objs,
			   unsigned int from, unsigned int to,
			   unsigned int size)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		if (!objs[i])
			continue;
		if (memchr_inv(objs[i], vct_fi_byte(i), size))
			vct_fi_invalid(t, "object changed while held", objs[i],
				       0, i);
		vcache_free(c, objs[i]);
		objs[i] = NULL;
	}
}

/*
 * For each size: create, fill, free half, shrink, fill again, free all,
 * shrink, destroy.  VCACHE_VFALLBACK caches run twice, the second time
 * with always_fallback.  A cache that cannot be created counts as a NULL
 * call.
 */
static void vct_fi_vcache(struct vct *t, unsigned long flags)
{
	int passes = flags & VCACHE_VFALLBACK ? 2 : 1, pass;
	struct vcache_info info;
	struct vcache *c;
	unsigned int s, n;
	void **objs;

	/* Before the task is marked: the table is not what is tested. */
	objs = kvcalloc(VCT_FI_VC_OBJS, sizeof(*objs), GFP_KERNEL);
	if (!VCT_CHECK(t, objs))
		return;
	vct_fi_begin(t);
	vct_fi_ctx = "vcache";
	for (pass = 0; pass < passes; pass++) {
		if (!vct_fi_fallback(t, pass))
			break;
		for (s = 0; s < ARRAY_SIZE(vct_fi_sizes); s++) {
			unsigned int size = vct_fi_sizes[s];

			/* Large objects: fewer of them, still several slabs. */
			n = min_t(unsigned int, VCT_FI_VC_OBJS,
				  max_t(unsigned int, 16, (4U << 20) / size));
			vct_fi_case.calls++;
			c = vcache_create("vct_faults", size, 0, flags, NULL);
			if (!c) {
				vct_fi_case.nulls++;
				continue;
			}
			vct_fi_case.valid++;
			vct_fi_vc_fill(t, c, objs, 0, n, size, flags);
			vct_fi_vc_free(t, c, objs, 0, n / 2, size);
			vcache_shrink(c);
			vct_fi_vc_fill(t, c, objs, 0, n / 2, size, flags);
			vct_fi_vc_free(t, c, objs, 0, n, size);
			vcache_shrink(c);
			vcache_get_info(c, &info);
			if (info.active_objs || info.physical_slabs ||
			    info.virtual_slabs || info.debug_errors)
				vct_fi_invalid(t, "cache not empty after shrink",
					       c, 0, info.active_objs);
			vcache_destroy(c);
		}
	}
	vct_fi_fallback(t, false);
	vct_fi_end(t);
	kvfree(objs);
}

static void vct_fi_vcache_plain(struct vct *t)
{
	vct_fi_vcache(t, 0);
}

static void vct_fi_vcache_vfallback(struct vct *t)
{
	vct_fi_vcache(t, VCACHE_VFALLBACK);
}

static void vct_fi_vcache_debug(struct vct *t)
{
	vct_fi_vcache(t, VCACHE_DEBUG);
}

static void vct_fi_vcache_hwalign(struct vct *t)
{
	vct_fi_vcache(t, VCACHE_HWCACHE_ALIGN);
}

/* ------------------------------------------------------------- random -- */

static const unsigned long vct_fi_rnd_flags[] = {
	VCACHE_VFALLBACK, VCACHE_DEBUG | VCACHE_VFALLBACK, VCACHE_HWCACHE_ALIGN,
};

struct vct_fi_slot {
	struct vct_fi_blk b;
	void *obj;
	int cache;		/* obj's cache index */
};

static u32 vct_fi_rand(u32 n)
{
	return get_random_u32() % n;
}

/* Mostly small orders, every order now and then. */
static unsigned int vct_fi_rand_order(void)
{
	if (vct_fi_rand(16))
		return vct_fi_rand(min(vct_fi_max_order, VCT_FI_SMALL_ORDER) + 1);
	return vct_fi_rand(vct_fi_max_order + 1);
}

static void vct_fi_slot_free(struct vct *t, struct vct_fi_slot *s,
			     struct vcache **caches)
{
	if (s->obj) {
		unsigned int size = vct_fi_sizes[s->cache];

		if (memchr_inv(s->obj, vct_fi_byte(s->cache), size))
			vct_fi_invalid(t, "object changed while held", s->obj,
				       0, s->cache);
		vcache_free(caches[s->cache], s->obj);
		s->obj = NULL;
	}
	vct_fi_put(t, &s->b);
}

/*
 * Random operations on a table of slots: allocate a block (any order, any
 * gfp variant) or an object of one of three caches, free a random slot,
 * switch always_fallback now and then.  Live memory is capped at an eighth
 * of RAM; everything held is checked again when it is freed.
 */
static void vct_fi_random(struct vct *t)
{
	struct vcache *caches[ARRAY_SIZE(vct_fi_rnd_flags)] = { };
	unsigned long cap = totalram_pages() / 8, live = 0;
	struct vct_fi_slot *slots;
	bool fallback = false;
	unsigned int op, i;

	slots = kvcalloc(VCT_FI_SLOTS, sizeof(*slots), GFP_KERNEL);
	if (!VCT_CHECK(t, slots))
		return;
	vct_fi_begin(t);
	for (i = 0; i < ARRAY_SIZE(caches); i++) {
		vct_fi_case.calls++;
		caches[i] = vcache_create("vct_faults_rnd", vct_fi_sizes[i], 0,
					  vct_fi_rnd_flags[i], NULL);
		if (caches[i])
			vct_fi_case.valid++;
		else
			vct_fi_case.nulls++;
	}
	for (op = 0; op < VCT_FI_OPS; op++) {
		struct vct_fi_slot *s = &slots[vct_fi_rand(VCT_FI_SLOTS)];
		u32 r = vct_fi_rand(100);

		if (r < 2) {
			fallback = !fallback;
			if (!vct_fi_fallback(t, fallback))
				break;
			continue;
		}
		if (s->b.p || s->obj) {
			if (s->b.p)
				live -= 1UL << s->b.order;
			vct_fi_slot_free(t, s, caches);
			continue;
		}
		if (r < 40) {
			int ci = vct_fi_rand(ARRAY_SIZE(caches));
			unsigned int size = vct_fi_sizes[ci];

			if (!caches[ci])
				continue;
			vct_fi_ctx = "vcache";
			vct_fi_case.calls++;
			s->obj = vcache_alloc(caches[ci], GFP_KERNEL | __GFP_NOWARN);
			s->cache = ci;
			if (!s->obj) {
				vct_fi_case.nulls++;
				continue;
			}
			/* A valid one is filled with vct_fi_byte(ci). */
			if (!vct_fi_check_obj(t, s->obj, size,
					      vct_fi_rnd_flags[ci], false, ci)) {
				vcache_free(caches[ci], s->obj);
				s->obj = NULL;
			}
		} else {
			unsigned int order = vct_fi_rand_order();

			if (live + (1UL << order) > cap)
				continue;
			vct_fi_get(t, vct_fi_rand(VCT_FI_NR_HOW), order, fallback,
				   &s->b);
			if (s->b.p)
				live += 1UL << order;
		}
	}
	for (i = 0; i < VCT_FI_SLOTS; i++)
		vct_fi_slot_free(t, &slots[i], caches);
	for (i = 0; i < ARRAY_SIZE(caches); i++)
		vcache_destroy(caches[i]);
	vct_fi_fallback(t, false);
	vct_fi_end(t);
	kvfree(slots);
}

/*
 * The totals of the run.  Outstanding is vcompound's count of live blocks
 * after every deferred free is done: back to what it was before the
 * first case (0 unless another module holds blocks).
 */
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

void vct_faults_cases(void (*run)(const char *name,
				  void (*fn)(struct vct *t)))
{
	run("faults_orders_default", vct_fi_orders_default);
	run("faults_orders_fallback", vct_fi_orders_fallback);
	run("faults_vcache_plain", vct_fi_vcache_plain);
	run("faults_vcache_vfallback", vct_fi_vcache_vfallback);
	run("faults_vcache_debug", vct_fi_vcache_debug);
	run("faults_vcache_hwalign", vct_fi_vcache_hwalign);
	run("faults_random", vct_fi_random);
	run("faults_total", vct_fi_totals);
}
