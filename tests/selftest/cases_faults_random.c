// SPDX-License-Identifier: GPL-2.0
/*
 * suite=faults (cases_faults.c): a random mix of blocks and vcache
 * objects, allocated and freed while allocations may fail.
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

/* Random workload: operations, and blocks or objects live at once. */
#define VCT_FI_OPS		2000U
#define VCT_FI_SLOTS		128U
/* Orders above this are rarer in the random workload. */
#define VCT_FI_SMALL_ORDER	4U

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

void vct_faults_random_cases(void (*run)(const char *name,
					 void (*fn)(struct vct *t)))
{
	run("faults_random", vct_fi_random);
}
