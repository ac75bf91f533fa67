// SPDX-License-Identifier: GPL-2.0
/*
 * vcache: object caches whose slabs are vcompound blocks.
 *
 * Every case creates its own caches and destroys them, so it leaves no
 * object, cache or slab behind; only vcache_destroy_with_leaks, which runs
 * last, leaks on purpose.  A case takes vct_snap() once, before its first
 * cache exists, so vcompound's counter deltas are exactly the case's slabs.
 * Cases named *_virtual use VCACHE_VFALLBACK with always_fallback on, so
 * that every new slab is virtual and the case is deterministic.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "cases_vcache.h"

/* The row, flags and name of the case being run (cases_vcache.h). */
unsigned int vct_vc_row;
unsigned long vct_vc_flags;
char vct_vc_name[VCT_VC_NAME_LEN];

const struct vct_vc_kind vct_vc_kinds[VCT_VC_NKINDS] = {
	{ "physical", 0 },
	{ "virtual", VCACHE_VFALLBACK },
	{ "debug", VCACHE_DEBUG },
};

bool vct_vc_virt(unsigned long flags)
{
	return flags & VCACHE_VFALLBACK;
}

u8 vct_vc_byte(unsigned int i)
{
	return i * 7 + 1;
}

/* @p and its last byte lie in the same vcompound block: one slab. */
bool vct_vc_in_slab(const void *p, unsigned int size)
{
	struct page *head = vcompound_head_page(p);

	return head && vcompound_head_page(p + size - 1) == head;
}

/*
 * Allocates @n objects into @objs (NULL-initialised by the caller) and
 * fills object i with vct_vc_byte(i).  Each must be aligned to @align,
 * inside one slab of the kind @virt.  Stops at the first failed check;
 * whatever was allocated is in @objs for the caller to free.
 */
bool vct_vc_fill(struct vct *t, struct vcache *c, void **objs, unsigned int n,
		 unsigned int size, unsigned int align, bool virt)
{
	unsigned int i;
	void *p;

	for (i = 0; i < n; i++) {
		p = vcache_alloc(c, GFP_KERNEL);
		objs[i] = p;
		if (!VCT_CHECK(t, p) ||
		    !VCT_CHECK(t, IS_ALIGNED((unsigned long)p, align)) ||
		    !VCT_CHECK(t, vct_vc_in_slab(p, size)) ||
		    !VCT_CHECK(t, vcompound_is_virtual(p) == virt)) {
			vct_diag(t, "object %u of %u", i, n);
			return false;
		}
		memset(p, vct_vc_byte(i), size);
	}
	return true;
}

/* Every object still holds what vct_vc_fill() wrote into it. */
bool vct_vc_intact(struct vct *t, void **objs, unsigned int n,
		   unsigned int size)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (memchr_inv(objs[i], vct_vc_byte(i), size))
			break;
	return VCT_CHECK(t, i == n);
}

void vct_vc_free_all(struct vcache *c, void **objs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		vcache_free(c, objs[i]);
		objs[i] = NULL;
	}
}

static int vct_vc_cmp_ptr(const void *a, const void *b)
{
	unsigned long x = (unsigned long)*(void * const *)a;
	unsigned long y = (unsigned long)*(void * const *)b;

	return x < y ? -1 : x > y;
}

/* No two of the @n objects of @size bytes overlap (so all are distinct). */
bool vct_vc_disjoint(struct vct *t, void **objs, unsigned int n,
		     unsigned int size)
{
	unsigned int i;
	void **s;
	bool ok;

	s = kvmalloc_array(n, sizeof(*s), GFP_KERNEL);
	if (!VCT_CHECK(t, s))
		return false;
	memcpy(s, objs, n * sizeof(*s));
	sort(s, n, sizeof(*s), vct_vc_cmp_ptr, NULL);
	for (i = 1; i < n; i++)
		if ((unsigned long)s[i - 1] + size > (unsigned long)s[i])
			break;
	ok = VCT_CHECK(t, i >= n);
	if (!ok)
		vct_diag(t, "objects %u and %u (by address) overlap", i - 1, i);
	kvfree(s);
	return ok;
}

/* What holds for any cache of objects of @size. */
void vct_vc_check_geometry(struct vct *t, const struct vcache_info *info,
			   unsigned int size)
{
	VCT_CHECK(t, info->objsize == size);
	VCT_CHECK(t, info->objperslab >= 1);
	VCT_CHECK(t, is_power_of_2(info->pagesperslab));
	VCT_CHECK(t, (unsigned long)info->objperslab * size <=
		     (unsigned long)info->pagesperslab << PAGE_SHIFT);
}

/*
 * Counts with @n live objects and nothing in flight.  Slabs are at most
 * the preferred size (pagesperslab pages, objperslab objects).
 */
void vct_vc_check_counts(struct vct *t, const struct vcache_info *info,
			 unsigned long n)
{
	unsigned long slabs = info->physical_slabs + info->virtual_slabs;

	VCT_CHECK(t, info->active_objs == n);
	VCT_CHECK(t, info->num_objs >= n);
	VCT_CHECK(t, info->objperslab &&
		  slabs >= DIV_ROUND_UP(n, info->objperslab));
	VCT_CHECK(t, info->num_objs <= slabs * info->objperslab);
	VCT_CHECK(t, info->slab_pages >= slabs);
	VCT_CHECK(t, info->slab_pages <= slabs * info->pagesperslab);
}

void vct_vc_check_kind(struct vct *t, const struct vcache_info *info, bool virt)
{
	if (virt)
		VCT_CHECK(t, info->virtual_slabs && !info->physical_slabs);
	else
		VCT_CHECK(t, info->physical_slabs && !info->virtual_slabs);
}

/* The blocks vcompound has out since vct_snap() are exactly @info's slabs. */
void vct_vc_check_slabs(struct vct *t, const struct vcache_info *info)
{
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, outstanding_physical) ==
		     info->physical_slabs);
	VCT_CHECK(t, vct_delta(t, outstanding_virtual) == info->virtual_slabs);
	VCT_CHECK(t, vct_delta64(t, outstanding_physical_bytes) +
		     vct_delta64(t, outstanding_virtual_bytes) ==
		     info->slab_pages << PAGE_SHIFT);
}

/* No object, no slab, no page. */
void vct_vc_check_empty(struct vct *t, struct vcache *c)
{
	struct vcache_info info;

	vcache_get_info(c, &info);
	VCT_CHECK(t, info.active_objs == 0);
	VCT_CHECK(t, info.num_objs == 0);
	VCT_CHECK(t, info.physical_slabs == 0);
	VCT_CHECK(t, info.virtual_slabs == 0);
	VCT_CHECK(t, info.slab_pages == 0);
}

/* Blocks vcompound served (@freed: took back) since vct_snap(). */
unsigned long vct_vc_blocks(const struct vct *t, bool freed)
{
	unsigned long n = 0;
	unsigned int o;

	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		if (freed)
			n += vct_odelta(t, o, freed_physical) +
			     vct_odelta(t, o, freed_virtual);
		else
			n += vct_odelta(t, o, physical) +
			     vct_odelta(t, o, virtual);
	}
	return n;
}

/* Every block the case's caches took went back to vcompound. */
void vct_vc_check_released(struct vct *t)
{
	vct_resnap(t);
	VCT_CHECK(t, t->s1->outstanding_physical ==
		     t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, vct_vc_blocks(t, true) == vct_vc_blocks(t, false));
}

/* Each of the first @nkinds kinds of cache, as prefix_<kind>. */
void vct_vc_run_kinds(void (*run)(const char *name, void (*fn)(struct vct *t)),
		      const char *prefix, void (*fn)(struct vct *t),
		      unsigned int nkinds)
{
	unsigned int k;

	for (k = 0; k < nkinds; k++) {
		vct_vc_flags = vct_vc_kinds[k].flags;
		snprintf(vct_vc_name, sizeof(vct_vc_name), "%s_%s", prefix,
			 vct_vc_kinds[k].name);
		run(vct_vc_name, fn);
	}
}

/* The group's cases, one file per part (cases_vcache_*.c). */
void vct_vcache_cases(void (*run)(const char *name,
				  void (*fn)(struct vct *t)))
{
	vct_vcache_slab_cases(run);
	vct_vcache_ctx_cases(run);
	vct_vcache_debug_cases(run);
}
