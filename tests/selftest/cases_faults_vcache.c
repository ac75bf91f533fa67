// SPDX-License-Identifier: GPL-2.0
/*
 * suite=faults (cases_faults.c): vcache caches of every kind filled and
 * emptied while allocations may fail.
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

/* ------------------------------------------------------------- vcache -- */

const unsigned int vct_fi_sizes[VCT_FI_NSIZES] = { 24, 200, 1500, 5000, 40000 };

/* Objects of one cache in a fill: at most, and at most 4 MiB of them. */
#define VCT_FI_VC_OBJS		192U

u8 vct_fi_byte(unsigned int i)
{
	return i * 13 + 5;
}

/*
 * Checks a new object of @c (size @size, @flags) and fills it with
 * vct_fi_byte(@i).  Counts it valid or invalid; an invalid one is left to
 * the caller, which frees every object it holds.
 */
bool vct_fi_check_obj(struct vct *t, void *p, unsigned int size,
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

void vct_faults_vcache_cases(void (*run)(const char *name,
					 void (*fn)(struct vct *t)))
{
	run("faults_vcache_plain", vct_fi_vcache_plain);
	run("faults_vcache_vfallback", vct_fi_vcache_vfallback);
	run("faults_vcache_debug", vct_fi_vcache_debug);
	run("faults_vcache_hwalign", vct_fi_vcache_hwalign);
}
