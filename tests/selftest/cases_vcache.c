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
#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/llist.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include <vcache.h>

#include "vct.h"

#define VCT_VC_MAX_OBJS		20000UL
#define VCT_VC_MAX_BYTES	(16UL << 20)
/* Objects taken when looking for one that must not come back. */
#define VCT_VC_HUNT_MAX		4096UL

/* The row of the parametrised case being run (the runner is synchronous). */
static unsigned int vct_vc_row;
static unsigned long vct_vc_flags;
static char vct_vc_name[64];

static const struct {
	const char *name;
	unsigned long flags;
} vct_vc_kinds[] = {
	{ "physical", 0 },
	{ "virtual", VCACHE_VFALLBACK },
	{ "debug", VCACHE_DEBUG },
};

static bool vct_vc_virt(unsigned long flags)
{
	return flags & VCACHE_VFALLBACK;
}

static u8 vct_vc_byte(unsigned int i)
{
	return i * 7 + 1;
}

/* @p and its last byte lie in the same vcompound block: one slab. */
static bool vct_vc_in_slab(const void *p, unsigned int size)
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
static bool vct_vc_fill(struct vct *t, struct vcache *c, void **objs,
			unsigned int n, unsigned int size, unsigned int align,
			bool virt)
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
static bool vct_vc_intact(struct vct *t, void **objs, unsigned int n,
			  unsigned int size)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (memchr_inv(objs[i], vct_vc_byte(i), size))
			break;
	return VCT_CHECK(t, i == n);
}

static void vct_vc_free_all(struct vcache *c, void **objs, unsigned int n)
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
static bool vct_vc_disjoint(struct vct *t, void **objs, unsigned int n,
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
static void vct_vc_check_geometry(struct vct *t,
				  const struct vcache_info *info,
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
static void vct_vc_check_counts(struct vct *t, const struct vcache_info *info,
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

static void vct_vc_check_kind(struct vct *t, const struct vcache_info *info,
			      bool virt)
{
	if (virt)
		VCT_CHECK(t, info->virtual_slabs && !info->physical_slabs);
	else
		VCT_CHECK(t, info->physical_slabs && !info->virtual_slabs);
}

/* The blocks vcompound has out since vct_snap() are exactly @info's slabs. */
static void vct_vc_check_slabs(struct vct *t, const struct vcache_info *info)
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
static void vct_vc_check_empty(struct vct *t, struct vcache *c)
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
static unsigned long vct_vc_blocks(const struct vct *t, bool freed)
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
static void vct_vc_check_released(struct vct *t)
{
	vct_resnap(t);
	VCT_CHECK(t, t->s1->outstanding_physical ==
		     t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, vct_vc_blocks(t, true) == vct_vc_blocks(t, false));
}

/* ------------------------------------------------------------ create -- */

static void vct_vc_bad_args(struct vct *t)
{
	static const struct {
		unsigned int size;
		unsigned int align;
	} bad[] = {
		{ 0, 0 }, { 256 * 1024 + 1, 0 }, { UINT_MAX, 0 },
		{ 100, 3 }, { 100, 48 }, { 100, 0x80000001 },
	};
	struct vcache *c;
	unsigned int i;
	u8 *p;

	vct_snap(t);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		c = vcache_create("vct_bad", bad[i].size, bad[i].align, 0,
				  NULL);
		if (!VCT_CHECK(t, !c)) {
			vct_diag(t, "size %u align %u accepted", bad[i].size,
				 bad[i].align);
			vcache_destroy(c);
		}
	}
	/* The smallest object, with the smallest alignment. */
	c = vcache_create("vct_one_byte", 1, 1, 0, NULL);
	if (!VCT_CHECK(t, c))
		return;
	p = vcache_alloc(c, GFP_KERNEL);
	if (VCT_CHECK(t, p)) {
		VCT_CHECK(t, vct_vc_in_slab(p, 1));
		*p = 0x5a;
	}
	vcache_free(c, p);
	vcache_destroy(c);
	vct_vc_check_released(t);
}

/* ------------------------------------------------------------- sizes -- */

static const unsigned int vct_vc_sizes[] = {
	8, 24, 100, 1000, 4097, 65536, 100000, 262144,
};

/* Two slabs and one object more, within reason. */
static unsigned int vct_vc_count(const struct vcache_info *info,
				 unsigned int size)
{
	unsigned long n = 2UL * info->objperslab + 1;

	n = min(n, VCT_VC_MAX_BYTES / size);
	n = min(n, VCT_VC_MAX_OBJS);
	return max(n, 3UL);
}

/*
 * Objects of one size: aligned to sizeof(void *), inside one slab of the
 * expected kind, writable end to end and disjoint; the counts agree with
 * vcompound's; destroy without shrink gives every slab back.
 */
static void vct_vc_size(struct vct *t)
{
	unsigned int size = vct_vc_sizes[vct_vc_row], n;
	bool virt = vct_vc_virt(vct_vc_flags);
	struct vcache_info info;
	struct vcache *c;
	void **objs;

	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	c = vcache_create("vct_size", size, 0, vct_vc_flags, NULL);
	if (!VCT_CHECK(t, c))
		return;
	vcache_get_info(c, &info);
	vct_vc_check_geometry(t, &info, size);
	n = vct_vc_count(&info, size);
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!VCT_CHECK(t, objs))
		goto out;
	if (VCT_CHECK(t, vct_vc_fill(t, c, objs, n, size, sizeof(void *),
				     virt))) {
		vct_vc_intact(t, objs, n, size);
		vct_vc_disjoint(t, objs, n, size);
		vcache_get_info(c, &info);
		vct_vc_check_counts(t, &info, n);
		vct_vc_check_kind(t, &info, virt);
		vct_vc_check_slabs(t, &info);
		vct_diag(t, "%u objects, %u per slab of %u pages, %lu slabs",
			 n, info.objperslab, info.pagesperslab,
			 info.physical_slabs + info.virtual_slabs);
	}
	vcache_free(c, NULL);
	vct_vc_free_all(c, objs, n);
	vcache_get_info(c, &info);
	VCT_CHECK(t, info.active_objs == 0);
	kvfree(objs);
out:
	vcache_destroy(c);
	vct_vc_check_released(t);
}

/* --------------------------------------------------------- alignment -- */

static const struct {
	unsigned int size;
	unsigned int align;
	unsigned long flags;
} vct_vc_aligns[] = {
	{ 100, 64, 0 },
	{ 100, 4096, 0 },
	{ 100, 8192, 0 },
	{ 24, 0, VCACHE_HWCACHE_ALIGN },
	{ 100, 64, VCACHE_DEBUG },
	{ 24, 0, VCACHE_HWCACHE_ALIGN | VCACHE_DEBUG },
};

static void vct_vc_align_one(struct vct *t, unsigned int row, bool virt)
{
	unsigned int size = vct_vc_aligns[row].size, n;
	unsigned int align = vct_vc_aligns[row].align ?: sizeof(void *);
	unsigned long flags = vct_vc_aligns[row].flags;
	struct vcache_info info;
	struct vcache *c;
	void **objs;

	if (flags & VCACHE_HWCACHE_ALIGN)
		align = max_t(unsigned int, align, cache_line_size());
	if (virt)
		flags |= VCACHE_VFALLBACK;
	c = vcache_create("vct_align", size, vct_vc_aligns[row].align, flags,
			  NULL);
	if (!VCT_CHECK(t, c)) {
		vct_diag(t, "size %u align %u flags %#lx refused", size,
			 vct_vc_aligns[row].align, flags);
		return;
	}
	vcache_get_info(c, &info);
	n = min_t(unsigned long, 2UL * info.objperslab + 1, 512);
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!VCT_CHECK(t, objs))
		goto out;
	if (!VCT_CHECK(t, vct_vc_fill(t, c, objs, n, size, align, virt)) ||
	    !vct_vc_intact(t, objs, n, size) ||
	    !vct_vc_disjoint(t, objs, n, size))
		vct_diag(t, "size %u align %u flags %#lx", size, align, flags);
	vct_vc_free_all(c, objs, n);
	kvfree(objs);
out:
	vcache_destroy(c);
}

static void vct_vc_align(struct vct *t)
{
	bool virt = vct_vc_virt(vct_vc_flags);
	unsigned int row;

	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	for (row = 0; row < ARRAY_SIZE(vct_vc_aligns); row++)
		vct_vc_align_one(t, row, virt);
	vct_vc_check_released(t);
}

/* VCACHE_VFALLBACK caches take large slabs, at their preferred order. */
static void vct_vc_large_orders(struct vct *t)
{
	static const unsigned int sizes[] = { 8, 100, 4096, 65536 };
	struct vcache_info info;
	struct vcache *c;
	unsigned int i;
	void *obj;

	if (vct_set_fallback(t, true))
		return;
	vct_snap(t);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		c = vcache_create("vct_large_order", sizes[i], 0,
				  VCACHE_VFALLBACK, NULL);
		if (!VCT_CHECK(t, c))
			continue;
		vcache_get_info(c, &info);
		vct_vc_check_geometry(t, &info, sizes[i]);
		VCT_CHECK(t, info.pagesperslab >= 16);
		obj = vcache_alloc(c, GFP_KERNEL);
		if (VCT_CHECK(t, obj)) {
			VCT_CHECK(t, vcompound_is_virtual(obj));
			VCT_CHECK(t, 1UL << vcompound_order(obj) ==
				     info.pagesperslab);
			vcache_get_info(c, &info);
			VCT_CHECK(t, info.virtual_slabs >= 1);
			VCT_CHECK(t, info.slab_pages ==
				     info.virtual_slabs * info.pagesperslab);
		}
		vct_diag(t, "%u B: %u pages, %u objects per slab", sizes[i],
			 info.pagesperslab, info.objperslab);
		vcache_free(c, obj);
		vcache_destroy(c);
	}
	vct_vc_check_released(t);
}

/* -------------------------------------------------------------- ctor -- */

#define VCT_CTOR_MAGIC	0x7c7c0b1eU
#define VCT_CTOR_FILL	0xc7

struct vct_cobj {
	u32 magic;
	u32 serial;	/* ctor calls so far, this one included */
	u32 used;
	u8 fill[188];
};

static atomic_t vct_ctor_calls;

static void vct_ctor(void *obj)
{
	struct vct_cobj *o = obj;

	o->magic = VCT_CTOR_MAGIC;
	o->serial = atomic_inc_return(&vct_ctor_calls);
	o->used = 0;
	memset(o->fill, VCT_CTOR_FILL, sizeof(o->fill));
}

static bool vct_cobj_ok(const struct vct_cobj *o, u32 max_serial)
{
	return o->magic == VCT_CTOR_MAGIC && o->serial &&
	       o->serial <= max_serial &&
	       !memchr_inv(o->fill, VCT_CTOR_FILL, sizeof(o->fill));
}

/*
 * The ctor runs once for each object of a new slab, never on reuse: every
 * object is constructed when first handed out, the ctor calls equal
 * num_objs, and objects freed and taken again on one CPU (no new slab
 * needed) come back constructed without another call.
 */
static void vct_vc_ctor(struct vct *t)
{
	bool virt = vct_vc_virt(vct_vc_flags);
	unsigned int n, i, bad = 0, reused = 0;
	struct vcache_info info;
	struct vct_cobj *o;
	struct vcache *c;
	void **objs;
	u32 calls;

	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	atomic_set(&vct_ctor_calls, 0);
	c = vcache_create("vct_ctor", sizeof(*o), 0, vct_vc_flags, vct_ctor);
	if (!VCT_CHECK(t, c))
		return;
	vcache_get_info(c, &info);
	VCT_CHECK(t, atomic_read(&vct_ctor_calls) == info.num_objs);
	n = min_t(unsigned long, 3UL * info.objperslab + 1, 4096);
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!VCT_CHECK(t, objs))
		goto out;
	for (i = 0; i < n; i++) {
		o = vcache_alloc(c, GFP_KERNEL);
		objs[i] = o;
		if (!VCT_CHECK(t, o))
			goto out_free;
		bad += !vct_cobj_ok(o, U32_MAX) || o->used;
		o->used = 1;
	}
	VCT_CHECK(t, !bad);
	calls = atomic_read(&vct_ctor_calls);
	vcache_get_info(c, &info);
	VCT_CHECK(t, calls == info.num_objs);
	VCT_CHECK(t, calls >= n);

	/* Every other object back and out again, without changing CPU. */
	preempt_disable();
	for (i = 1; i < n; i += 2) {
		vcache_free(c, objs[i]);
		objs[i] = NULL;
	}
	for (i = 1; i < n; i += 2)
		objs[i] = vcache_alloc(c, GFP_ATOMIC);
	preempt_enable();
	for (i = 1; i < n; i += 2) {
		o = objs[i];
		if (!VCT_CHECK(t, o))
			goto out_free;
		bad += !vct_cobj_ok(o, calls);
		reused += o->used;
	}
	VCT_CHECK(t, !bad);
	VCT_CHECK(t, atomic_read(&vct_ctor_calls) == calls);
	vcache_get_info(c, &info);
	VCT_CHECK(t, info.num_objs == calls);
	vct_diag(t, "%u objects, %u ctor calls, %u of %u taken again were used",
		 n, calls, reused, n / 2);
out_free:
	vct_vc_free_all(c, objs, n);
	kvfree(objs);
out:
	vcache_destroy(c);
	vct_vc_check_released(t);
}

/* --------------------------------------------------------- __GFP_ZERO -- */

#define VCT_ZERO_OBJS	32

/* Dirty objects freed, then taken with __GFP_ZERO by every entry point. */
static void vct_vc_zero(struct vct *t)
{
	void *dirty[VCT_ZERO_OBJS] = { }, *objs[VCT_ZERO_OBJS] = { };
	bool virt = vct_vc_virt(vct_vc_flags);
	const unsigned int size = 1000;
	const gfp_t gfp = GFP_KERNEL | __GFP_ZERO;
	unsigned int i, j, reused = 0;
	bool dirty_freed = false;
	struct vcache *c;

	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	c = vcache_create("vct_zero", size, 0, vct_vc_flags, NULL);
	if (!VCT_CHECK(t, c))
		return;
	for (i = 0; i < VCT_ZERO_OBJS; i++) {
		dirty[i] = vcache_alloc(c, GFP_KERNEL);
		if (!VCT_CHECK(t, dirty[i]))
			goto out;
		memset(dirty[i], 0xff, size);
	}
	/* Keeps the addresses, to count the dirty objects taken again. */
	for (i = 0; i < VCT_ZERO_OBJS; i++)
		vcache_free(c, dirty[i]);
	dirty_freed = true;
	for (i = 0; i < VCT_ZERO_OBJS; i++) {
		if (i % 3 == 0)
			objs[i] = vcache_alloc(c, gfp);
		else if (i % 3 == 1)
			objs[i] = vcache_alloc_node(c, gfp, numa_node_id());
		else
			objs[i] = vcache_alloc_node(c, gfp, NUMA_NO_NODE);
		if (!VCT_CHECK(t, objs[i]))
			goto out;
		if (!VCT_CHECK(t, !memchr_inv(objs[i], 0, size))) {
			vct_diag(t, "object %u is not zeroed", i);
			goto out;
		}
		for (j = 0; j < VCT_ZERO_OBJS; j++)
			reused += objs[i] == dirty[j];
	}
	vct_diag(t, "%u of %u zeroed objects had been dirtied", reused,
		 VCT_ZERO_OBJS);
out:
	if (!dirty_freed)
		vct_vc_free_all(c, dirty, VCT_ZERO_OBJS);
	vct_vc_free_all(c, objs, VCT_ZERO_OBJS);
	vcache_destroy(c);
	vct_vc_check_released(t);
}

/* ---------------------------------------------------- always_fallback -- */

/*
 * always_fallback makes VFALLBACK caches' new slabs virtual and leaves
 * physical-only caches physical; switched off, new VFALLBACK slabs are
 * physical again.
 */
static void vct_vc_always_fallback(struct vct *t)
{
	const unsigned int size = 256, few = 8;
	void *op[8] = { }, *ov[8] = { };
	struct vcache_info ip, iv;
	struct vcache *cp, *cv;
	unsigned int n = 0, i, phys = 0;
	void **objs = NULL;

	if (vct_set_fallback(t, true))
		return;
	vct_snap(t);
	cp = vcache_create("vct_fb_physical", size, 0, 0, NULL);
	cv = vcache_create("vct_fb_vfallback", size, 0, VCACHE_VFALLBACK, NULL);
	if (!VCT_CHECK(t, cp && cv))
		goto out;
	if (!VCT_CHECK(t, vct_vc_fill(t, cp, op, few, size, sizeof(void *),
				      false)) ||
	    !VCT_CHECK(t, vct_vc_fill(t, cv, ov, few, size, sizeof(void *),
				      true)))
		goto out;
	vcache_get_info(cp, &ip);
	vcache_get_info(cv, &iv);
	vct_vc_check_kind(t, &ip, false);
	vct_vc_check_kind(t, &iv, true);
	vct_resnap(t);
	VCT_CHECK(t, vct_delta(t, outstanding_physical) == ip.physical_slabs);
	VCT_CHECK(t, vct_delta(t, outstanding_virtual) == iv.virtual_slabs);

	if (vct_set_fallback(t, false))
		goto out;
	/* More than the virtual slabs hold: new slabs must be made. */
	n = iv.num_objs + 2 * iv.objperslab;
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!VCT_CHECK(t, objs))
		goto out;
	for (i = 0; i < n; i++) {
		objs[i] = vcache_alloc(cv, GFP_KERNEL);
		if (!VCT_CHECK(t, objs[i]))
			break;
		phys += !vcompound_is_virtual(objs[i]);
	}
	vcache_get_info(cv, &iv);
	VCT_CHECK(t, phys > 0);
	VCT_CHECK(t, iv.physical_slabs > 0 && iv.virtual_slabs > 0);
	vct_diag(t, "after the switch: %u of %u objects physical", phys, n);
out:
	if (objs)
		vct_vc_free_all(cv, objs, n);
	kvfree(objs);
	if (cp) {
		vct_vc_free_all(cp, op, few);
		vcache_destroy(cp);
	}
	if (cv) {
		vct_vc_free_all(cv, ov, few);
		vcache_destroy(cv);
	}
	vct_vc_check_released(t);
}

/* ---------------------------------------------------------- contexts -- */

static const struct {
	const char *name;
	enum vct_ctx ctx;
} vct_vc_ctxs[] = {
	{ "hardirq", VCT_HARDIRQ },
	{ "softirq", VCT_SOFTIRQ },
	{ "spin_lock_irqsave", VCT_SPINLOCK },
	{ "preempt_disabled", VCT_PREEMPT_OFF },
	{ "irqs_disabled", VCT_IRQS_OFF },
	{ "bh_disabled", VCT_BH_OFF },
	{ "rcu_read_lock", VCT_RCU },
};

struct vct_vc_batch {
	struct vcache *c;
	void **objs;
	unsigned int n;
};

static void vct_vc_free_batch(void *arg)
{
	struct vct_vc_batch *b = arg;
	unsigned int i;

	vcache_free(b->c, NULL);
	for (i = 0; i < b->n; i++)
		vcache_free(b->c, b->objs[i]);
}

static void vct_vc_alloc_batch(void *arg)
{
	struct vct_vc_batch *b = arg;
	unsigned int i;

	for (i = 0; i < b->n; i++)
		b->objs[i] = vcache_alloc(b->c, GFP_ATOMIC);
}

/*
 * Three slabs' worth of objects freed in one context: the CPU's object
 * cache overflows and slabs empty there, so slabs may be given back to
 * vcompound from that context too.
 */
static void vct_vc_free_ctx(struct vct *t)
{
	bool virt = vct_vc_virt(vct_vc_flags);
	const unsigned int size = 512;
	struct vct_vc_batch b = { };
	struct vcache_info info;
	unsigned int n;

	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	b.c = vcache_create("vct_free_ctx", size, 0, vct_vc_flags, NULL);
	if (!VCT_CHECK(t, b.c))
		return;
	vcache_get_info(b.c, &info);
	n = min_t(unsigned long, 3UL * info.objperslab + 1, 2048);
	b.objs = kvcalloc(n, sizeof(*b.objs), GFP_KERNEL);
	if (!VCT_CHECK(t, b.objs))
		goto out;
	if (VCT_CHECK(t, vct_vc_fill(t, b.c, b.objs, n, size, sizeof(void *),
				     virt))) {
		b.n = n;
		VCT_CHECK(t, vct_run_in(vct_vc_ctxs[vct_vc_row].ctx,
					vct_vc_free_batch, &b));
	} else {
		vct_vc_free_all(b.c, b.objs, n);
	}
	vcache_get_info(b.c, &info);
	VCT_CHECK(t, info.active_objs == 0);
	vct_vc_check_slabs(t, &info);
	vcache_shrink(b.c);
	vct_vc_check_empty(t, b.c);
	kvfree(b.objs);
out:
	vcache_destroy(b.c);
	vct_vc_check_released(t);
}

/*
 * GFP_ATOMIC from every context a driver may allocate in (vct_alloc_ctx()),
 * into fresh caches so that the slab is made there too; both kinds of cache
 * get physical slabs.  Freed in the row's own context.
 */
static void vct_vc_alloc_atomic(struct vct *t)
{
	static const unsigned long flags[] = { 0, VCACHE_VFALLBACK };
	const unsigned int size = 256;
	struct vct_vc_batch b = { };
	void *objs[8];
	struct vcache_info info;
	unsigned int k, f, i;

	vct_snap(t);
	for (k = 0; k < ARRAY_SIZE(vct_vc_ctxs); k++) {
		for (f = 0; f < ARRAY_SIZE(flags); f++) {
			b.c = vcache_create("vct_atomic", size, 0, flags[f],
					    NULL);
			if (!VCT_CHECK(t, b.c))
				continue;
			memset(objs, 0, sizeof(objs));
			b.objs = objs;
			b.n = ARRAY_SIZE(objs);
			VCT_CHECK(t, vct_run_in(vct_alloc_ctx(vct_vc_ctxs[k].ctx),
						vct_vc_alloc_batch, &b));
			for (i = 0; i < b.n; i++) {
				if (!VCT_CHECK(t, objs[i] &&
					       vct_vc_in_slab(objs[i], size) &&
					       !vcompound_is_virtual(objs[i])))
					break;
				memset(objs[i], 0x3c, size);
			}
			if (i < b.n)
				vct_diag(t, "%s, flags %#lx",
					 vct_vc_ctxs[k].name, flags[f]);
			vcache_get_info(b.c, &info);
			VCT_CHECK(t, info.physical_slabs >= 1);
			VCT_CHECK(t, vct_run_in(vct_vc_ctxs[k].ctx,
						vct_vc_free_batch, &b));
			vcache_get_info(b.c, &info);
			VCT_CHECK(t, info.active_objs == 0);
			vcache_destroy(b.c);
		}
	}
	vct_vc_check_released(t);
}

/* --------------------------------------------------------- cross-CPU -- */

#define VCT_XCPU_OBJS	100000U
#define VCT_XCPU_AHEAD	4096	/* objects in flight at most */

struct vct_xobj {
	struct llist_node node;
	u32 seq;
	u32 cpu;
	u8 fill[48];
};

/* Static: the threads use it. */
static struct {
	struct vcache *c;
	bool virt;
	unsigned int cpu[2];		/* producer's, consumer's */
	struct llist_head queue;
	atomic_t produced;
	atomic_t consumed;
	bool producer_done;
	bool alloc_failed;
	unsigned int wrong_cpu[2];
	unsigned int wrong_kind;
	unsigned int corrupt;
	struct completion done[2];
} vct_xcpu;

static int vct_xcpu_producer(void *unused)
{
	struct vct_xobj *o;
	u32 i;

	for (i = 0; i < VCT_XCPU_OBJS; i++) {
		while (atomic_read(&vct_xcpu.produced) -
		       atomic_read(&vct_xcpu.consumed) >= VCT_XCPU_AHEAD)
			usleep_range(10, 50);
		o = vcache_alloc(vct_xcpu.c, GFP_KERNEL);
		if (!o) {
			vct_xcpu.alloc_failed = true;
			break;
		}
		if (raw_smp_processor_id() != vct_xcpu.cpu[0])
			vct_xcpu.wrong_cpu[0]++;
		if (vcompound_is_virtual(o) != vct_xcpu.virt)
			vct_xcpu.wrong_kind++;
		o->seq = i;
		o->cpu = vct_xcpu.cpu[0];
		memset(o->fill, (u8)i, sizeof(o->fill));
		atomic_inc(&vct_xcpu.produced);
		llist_add(&o->node, &vct_xcpu.queue);
		cond_resched();
	}
	/* Orders every llist_add() above before the flag. */
	smp_store_release(&vct_xcpu.producer_done, true);
	complete(&vct_xcpu.done[0]);
	return 0;
}

static int vct_xcpu_consumer(void *unused)
{
	struct llist_node *list;
	struct vct_xobj *o, *next;
	bool last;

	for (;;) {
		/* Pairs with the producer's smp_store_release(). */
		last = smp_load_acquire(&vct_xcpu.producer_done);
		list = llist_del_all(&vct_xcpu.queue);
		if (!list) {
			if (last)
				break;
			usleep_range(10, 50);
			continue;
		}
		if (raw_smp_processor_id() != vct_xcpu.cpu[1])
			vct_xcpu.wrong_cpu[1]++;
		llist_for_each_entry_safe(o, next, list, node) {
			if (o->cpu != vct_xcpu.cpu[0] ||
			    memchr_inv(o->fill, (u8)o->seq, sizeof(o->fill)))
				vct_xcpu.corrupt++;
			vcache_free(vct_xcpu.c, o);
			atomic_inc(&vct_xcpu.consumed);
		}
		cond_resched();
	}
	complete(&vct_xcpu.done[1]);
	return 0;
}

/*
 * A kthread bound to one CPU allocates, another bound to a second CPU
 * frees, up to VCT_XCPU_AHEAD objects in flight: every object moves
 * between the CPUs' object caches and the slabs.
 */
static void vct_vc_cross_cpu(struct vct *t)
{
	static int (* const fns[2])(void *) = {
		vct_xcpu_producer, vct_xcpu_consumer,
	};
	bool virt = vct_vc_virt(vct_vc_flags);
	struct task_struct *task[2] = { };
	struct vcache_info info;
	unsigned int k;

	if (num_online_cpus() < 2) {
		t->skip = "needs 2 online CPUs";
		return;
	}
	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	memset(&vct_xcpu, 0, sizeof(vct_xcpu));
	vct_xcpu.virt = virt;
	vct_xcpu.cpu[0] = cpumask_first(cpu_online_mask);
	vct_xcpu.cpu[1] = cpumask_next(vct_xcpu.cpu[0], cpu_online_mask);
	init_llist_head(&vct_xcpu.queue);
	vct_xcpu.c = vcache_create("vct_cross_cpu", sizeof(struct vct_xobj),
				   0, vct_vc_flags, NULL);
	if (!VCT_CHECK(t, vct_xcpu.c))
		return;
	for (k = 0; k < 2; k++) {
		init_completion(&vct_xcpu.done[k]);
		task[k] = kthread_create(fns[k], NULL, "vct_xcpu/%u",
					 vct_xcpu.cpu[k]);
		if (!VCT_CHECK(t, !IS_ERR(task[k]))) {
			task[k] = NULL;
			break;
		}
		get_task_struct(task[k]);
		kthread_bind(task[k], vct_xcpu.cpu[k]);
	}
	if (!task[0] || !task[1]) {
		/* Never woken: kthread_stop() ends them before fns[] run. */
		for (k = 0; k < 2; k++) {
			if (task[k]) {
				kthread_stop(task[k]);
				put_task_struct(task[k]);
			}
		}
		goto out;
	}
	for (k = 0; k < 2; k++)
		wake_up_process(task[k]);
	for (k = 0; k < 2; k++) {
		wait_for_completion(&vct_xcpu.done[k]);
		kthread_stop(task[k]);
		put_task_struct(task[k]);
	}
	VCT_CHECK(t, !vct_xcpu.alloc_failed);
	VCT_CHECK(t, atomic_read(&vct_xcpu.produced) == VCT_XCPU_OBJS);
	VCT_CHECK(t, atomic_read(&vct_xcpu.consumed) == VCT_XCPU_OBJS);
	VCT_CHECK(t, !vct_xcpu.wrong_cpu[0] && !vct_xcpu.wrong_cpu[1]);
	VCT_CHECK(t, !vct_xcpu.wrong_kind);
	VCT_CHECK(t, !vct_xcpu.corrupt);
	vct_diag(t, "%d objects allocated on CPU %u and freed on CPU %u",
		 atomic_read(&vct_xcpu.consumed), vct_xcpu.cpu[0],
		 vct_xcpu.cpu[1]);
	vcache_get_info(vct_xcpu.c, &info);
	VCT_CHECK(t, info.active_objs == 0);
	vct_vc_check_slabs(t, &info);
	vcache_shrink(vct_xcpu.c);
	vct_vc_check_empty(t, vct_xcpu.c);
out:
	vcache_destroy(vct_xcpu.c);
	vct_xcpu.c = NULL;
	vct_vc_check_released(t);
}

/* ------------------------------------------------------------ shrink -- */

#define VCT_SHRINK_BYTES	(128U << 20)
#define VCT_SHRINK_SIZE		4000U
#define VCT_SHRINK_WAIT_MS	5000

/*
 * 128 MiB of objects, all freed, then vcache_shrink(): no slab is left,
 * vcompound took every block back, and free memory rose by at least 90 %
 * of the slab pages the objects had used.
 *
 * Freed order-0 to order-3 pages first go to the per-CPU page lists, which
 * NR_FREE_PAGES leaves out: with auto-tuned list sizes (6.7+) they held
 * 20-50 MiB of the 128 MiB in a 1 GiB guest, and how soon the kernel
 * drains idle lists depends on how busy the host is (a loaded CI machine
 * missed a 20 s wait).  So free memory here is NR_FREE_PAGES plus the
 * per-CPU lists.  vm_unmap_aliases() purges lazily freed vmap areas first,
 * which gives back KASAN_VMALLOC's shadow of the virtual slabs.  The free
 * count is still polled briefly; the 10 % margin is for whatever the
 * kernel allocates meanwhile.
 *
 * The virtual kind maps its slabs in vmalloc space, of which i386 has 120
 * MiB: there the objects fill what vct_vmalloc_budget_pages() allows.
 */
static void vct_vc_shrink(struct vct *t)
{
	bool virt = vct_vc_virt(vct_vc_flags);
	unsigned long full_pages, kept_pages, free0, waited = 0;
	unsigned long bytes = VCT_SHRINK_BYTES;
	struct vcache_info info;
	struct vcache *c;
	unsigned int n;
	void **objs;
	long gained;

	if (virt && vct_vmalloc_budget_pages() < bytes >> PAGE_SHIFT) {
		bytes = vct_vmalloc_budget_pages() << PAGE_SHIFT;
		vct_diag(t, "%lu KiB of objects: %lu KiB of vmalloc space",
			 bytes >> 10,
			 vct_vmalloc_total_pages() << (PAGE_SHIFT - 10));
	}
	n = bytes / VCT_SHRINK_SIZE;
	if (!VCT_CHECK(t, n))
		return;
	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	c = vcache_create("vct_shrink", VCT_SHRINK_SIZE, 0, vct_vc_flags,
			  NULL);
	if (!VCT_CHECK(t, c))
		return;
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!VCT_CHECK(t, objs))
		goto out;
	if (!VCT_CHECK(t, vct_vc_fill(t, c, objs, n, VCT_SHRINK_SIZE,
				      sizeof(void *), virt))) {
		vct_vc_free_all(c, objs, n);
		goto out_free;
	}
	vcache_get_info(c, &info);
	vct_vc_check_kind(t, &info, virt);
	vct_vc_check_slabs(t, &info);
	full_pages = info.slab_pages;

	free0 = vct_free_pages();
	vct_vc_free_all(c, objs, n);
	vcache_get_info(c, &info);
	VCT_CHECK(t, info.active_objs == 0);
	kept_pages = info.slab_pages;
	vcache_shrink(c);
	vct_resnap(t);

	vct_vc_check_empty(t, c);
	VCT_CHECK(t, t->s1->outstanding_physical ==
		     t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, vct_vc_blocks(t, true) == vct_vc_blocks(t, false));
	vm_unmap_aliases();
	for (;;) {
		gained = (long)(vct_free_pages() - free0);
		if (gained >= (long)(full_pages / 10 * 9) ||
		    waited >= VCT_SHRINK_WAIT_MS)
			break;
		msleep(100);
		waited += 100;
	}
	VCT_CHECK(t, gained >= (long)(full_pages / 10 * 9));
	vct_diag(t, "%lu slab pages, %lu left after the frees; free pages +%ld after %lu ms",
		 full_pages, kept_pages, gained, waited);
out_free:
	kvfree(objs);
out:
	vcache_destroy(c);
	vct_vc_check_released(t);
}

/* ------------------------------------------------------------- debug -- */

/*
 * Takes up to @n objects from @c into @objs (the caller frees them) and
 * returns how often @bad came back.  @n beyond the free objects there are
 * makes the cache hand out every one of them.
 */
static unsigned int vct_vc_hunt(struct vct *t, struct vcache *c, void **objs,
				unsigned int n, const void *bad)
{
	unsigned int i, seen = 0;

	for (i = 0; i < n; i++) {
		objs[i] = vcache_alloc(c, GFP_KERNEL);
		if (!VCT_CHECK(t, objs[i]))
			break;
		seen += objs[i] == bad;
	}
	return seen;
}

/* As vct_vc_hunt(), for more objects than @c has free now. */
static void vct_vc_never_again(struct vct *t, struct vcache *c,
			       const void *bad)
{
	struct vcache_info info;
	unsigned int n;
	void **objs;

	vcache_get_info(c, &info);
	n = min(info.num_objs + 1, VCT_VC_HUNT_MAX);
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!VCT_CHECK(t, objs))
		return;
	VCT_CHECK(t, vct_vc_hunt(t, c, objs, n, bad) == 0);
	vct_vc_free_all(c, objs, n);
	kvfree(objs);
}

static void vct_vc_redzone_one(struct vct *t, unsigned int size)
{
	struct vcache_info info;
	unsigned long errors;
	void *keep, *obj;
	struct vcache *c;
	u8 *p;

	c = vcache_create("vct_redzone", size, 0, VCACHE_DEBUG, NULL);
	if (!VCT_CHECK(t, c))
		return;
	/* @keep holds the slab. */
	keep = vcache_alloc(c, GFP_KERNEL);
	obj = vcache_alloc(c, GFP_KERNEL);
	if (!VCT_CHECK(t, keep && obj)) {
		vcache_free(c, obj);
		goto out;
	}
	memset(obj, 0x11, size);
	vcache_get_info(c, &info);
	errors = info.debug_errors;
	p = obj;
	p[size] ^= 0xff;
	vct_expect_warn_begin(t, 1, "write past the end of the object");
	vcache_free(c, obj);
	vct_expect_warn_end(t);
	vcache_get_info(c, &info);
	if (!VCT_CHECK(t, info.debug_errors == errors + 1))
		vct_diag(t, "size %u: %lu errors, expected %lu", size,
			 info.debug_errors, errors + 1);
	vct_vc_never_again(t, c, obj);
	vcache_get_info(c, &info);
	VCT_CHECK(t, info.debug_errors == errors + 1);
out:
	vcache_free(c, keep);
	vcache_destroy(c);
}

/* (a) A byte written past the end is caught when the object is freed. */
static void vct_vc_debug_redzone(struct vct *t)
{
	vct_snap(t);
	vct_vc_redzone_one(t, 64);
	vct_vc_redzone_one(t, 100);
	vct_vc_check_released(t);
}

/*
 * (b) A write into a freed object is caught by the next allocation, on
 * the same CPU, which hands out another object instead.
 */
static void vct_vc_debug_use_after_free(struct vct *t)
{
	const unsigned int size = 128;
	void *keep, *obj, *again;
	struct vcache_info info;
	unsigned long errors;
	struct vcache *c;
	u8 *p;

	vct_snap(t);
	c = vcache_create("vct_poison", size, 0, VCACHE_DEBUG, NULL);
	if (!VCT_CHECK(t, c))
		return;
	keep = vcache_alloc(c, GFP_KERNEL);
	obj = vcache_alloc(c, GFP_KERNEL);
	if (!VCT_CHECK(t, keep && obj)) {
		vcache_free(c, obj);
		goto out;
	}
	memset(obj, 0x22, size);
	vcache_get_info(c, &info);
	errors = info.debug_errors;
	p = obj;
	/* The bracket writes sysfs files, which may sleep: open it first. */
	vct_expect_warn_begin(t, 1, "write after free to the object");
	preempt_disable();
	vcache_free(c, obj);
	p[size / 2 + 1] ^= 0xff;
	again = vcache_alloc(c, GFP_ATOMIC);
	preempt_enable();
	vct_expect_warn_end(t);
	vcache_get_info(c, &info);
	VCT_CHECK(t, info.debug_errors == errors + 1);
	if (VCT_CHECK(t, again) && VCT_CHECK(t, again != obj))
		memset(again, 0x33, size);
	vct_vc_never_again(t, c, obj);
	vcache_free(c, again);
out:
	vcache_free(c, keep);
	vcache_destroy(c);
	vct_vc_check_released(t);
}

/*
 * (c) The second free of an object is refused: it is counted once as
 * active and handed out at most once afterwards.
 */
static void vct_vc_debug_double_free(struct vct *t)
{
	const unsigned int size = 256, few = 8;
	void *objs[2 + 8] = { };
	struct vcache_info info;
	unsigned long errors;
	unsigned int i, seen = 0;
	struct vcache *c;
	void *obj;

	vct_snap(t);
	c = vcache_create("vct_double_free", size, 0, VCACHE_DEBUG, NULL);
	if (!VCT_CHECK(t, c))
		return;
	objs[0] = vcache_alloc(c, GFP_KERNEL);
	objs[1] = vcache_alloc(c, GFP_KERNEL);
	obj = vcache_alloc(c, GFP_KERNEL);
	if (!VCT_CHECK(t, objs[0] && objs[1] && obj)) {
		vcache_free(c, obj);
		goto out;
	}
	vcache_get_info(c, &info);
	errors = info.debug_errors;
	vcache_free(c, obj);
	vct_expect_warn_begin(t, 1, "double free of the object");
	vcache_free(c, obj);
	vct_expect_warn_end(t);
	vcache_get_info(c, &info);
	VCT_CHECK(t, info.debug_errors == errors + 1);
	VCT_CHECK(t, info.active_objs == 2);

	/* On this CPU first, where a freelist would give it back at once. */
	preempt_disable();
	for (i = 0; i < few; i++)
		objs[2 + i] = vcache_alloc(c, GFP_ATOMIC);
	preempt_enable();
	for (i = 0; i < few; i++) {
		if (!VCT_CHECK(t, objs[2 + i]))
			goto out;
		seen += objs[2 + i] == obj;
		memset(objs[2 + i], 0x44, size);
	}
	VCT_CHECK(t, seen <= 1);
	vct_vc_disjoint(t, objs, ARRAY_SIZE(objs), size);
	vcache_get_info(c, &info);
	VCT_CHECK(t, info.active_objs == ARRAY_SIZE(objs));
	VCT_CHECK(t, info.debug_errors == errors + 1);
out:
	vct_vc_free_all(c, objs, ARRAY_SIZE(objs));
	vcache_destroy(c);
	vct_vc_check_released(t);
}

/* ------------------------------------------------------- wrong cache -- */

/*
 * An object freed to the wrong cache is refused, in both directions
 * between a physical and a virtual cache of the same object size, and
 * stays its own cache's.
 */
static void vct_vc_wrong_cache(struct vct *t)
{
	const unsigned int size = 128, few = 8;
	void *oa, *ob, *more[8] = { };
	struct vcache_info ia, ib;
	struct vcache *a, *b;

	if (vct_set_fallback(t, true))
		return;
	vct_snap(t);
	a = vcache_create("vct_wrong_a", size, 0, 0, NULL);
	b = vcache_create("vct_wrong_b", size, 0, VCACHE_VFALLBACK, NULL);
	if (!VCT_CHECK(t, a && b))
		goto out;
	oa = vcache_alloc(a, GFP_KERNEL);
	ob = vcache_alloc(b, GFP_KERNEL);
	if (!VCT_CHECK(t, oa && ob)) {
		vcache_free(a, oa);
		vcache_free(b, ob);
		goto out;
	}
	VCT_CHECK(t, !vcompound_is_virtual(oa) && vcompound_is_virtual(ob));
	vct_expect_warn_begin(t, 2, "is not an object of this cache");
	vcache_free(b, oa);
	vcache_free(a, ob);
	vct_expect_warn_end(t);
	vcache_get_info(a, &ia);
	vcache_get_info(b, &ib);
	VCT_CHECK(t, ia.active_objs == 1 && ib.active_objs == 1);
	memset(oa, 0x55, size);
	memset(ob, 0x66, size);
	/* Neither cache hands out the other's object. */
	VCT_CHECK(t, vct_vc_hunt(t, b, more, few, oa) == 0);
	vct_vc_free_all(b, more, few);
	VCT_CHECK(t, vct_vc_hunt(t, a, more, few, ob) == 0);
	vct_vc_free_all(a, more, few);
	VCT_CHECK(t, !memchr_inv(oa, 0x55, size));
	VCT_CHECK(t, !memchr_inv(ob, 0x66, size));
	vcache_free(a, oa);
	vcache_free(b, ob);
	vcache_get_info(a, &ia);
	vcache_get_info(b, &ib);
	VCT_CHECK(t, ia.active_objs == 0 && ib.active_objs == 0);
out:
	if (a)
		vcache_destroy(a);
	if (b)
		vcache_destroy(b);
	vct_vc_check_released(t);
}

/* ---------------------------------------------------- released slab -- */

struct vct_vc_stale {
	struct vcache *c;
	void *obj;
};

static void vct_vc_stale_free(void *arg)
{
	struct vct_vc_stale *s = arg;

	vcache_free(s->c, s->obj);
}

/*
 * A free on a CPU skips the slab lookup for an object of the slab that
 * CPU's last free was checked against, until the cache releases a slab.
 * Freed on that CPU after the slab went back to vcompound: a stale
 * pointer into it, and an object of another cache whose new slab may
 * have taken over the block, are both refused.
 */
/* Objects the other cache may take before a slab of it is the block. */
#define VCT_VC_TAKEOVER_OBJS	32768U

static void vct_vc_released_slab(struct vct *t)
{
	bool virt = vct_vc_virt(vct_vc_flags);
	const unsigned int size = 512;
	struct vct_vc_stale s = { };
	struct vcache *other = NULL;
	struct vcache_info info;
	unsigned int cpu, nextra = 0;
	void *obj, *taken, **extra = NULL;
	struct page *head;

	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	s.c = vcache_create("vct_released", size, 0, vct_vc_flags, NULL);
	other = vcache_create("vct_released_other", size, 0, vct_vc_flags,
			      NULL);
	if (!VCT_CHECK(t, s.c && other))
		goto out;
	obj = vcache_alloc(s.c, GFP_KERNEL);
	if (!VCT_CHECK(t, obj))
		goto out;
	head = vcompound_head_page(obj);
	preempt_disable();
	cpu = smp_processor_id();
	vcache_free(s.c, obj);
	preempt_enable();
	vcache_shrink(s.c);
	vct_vc_check_empty(t, s.c);
	/*
	 * Physical: the other cache grows until one of its slabs is the block
	 * just released (6.x hands it straight back from the per-CPU lists;
	 * 5.10's buddy allocator may have merged it first), so the stale
	 * pointer is inside a live slab of another cache.  Virtual: the
	 * released area is purged lazily and the new slab is mapped elsewhere,
	 * so the stale pointer is in no block at all.
	 */
	extra = kvmalloc_array(VCT_VC_TAKEOVER_OBJS, sizeof(*extra), GFP_KERNEL);
	if (!VCT_CHECK(t, extra))
		goto out;
	for (;;) {
		taken = vcache_alloc(other, GFP_KERNEL);
		if (!VCT_CHECK(t, taken))
			goto out;
		if (virt || vcompound_head_page(taken) == head ||
		    nextra == VCT_VC_TAKEOVER_OBJS)
			break;
		extra[nextra++] = taken;
	}
	memset(taken, 0x5c, size);
	vct_diag(t, "the other cache's slab %s the released block (%u objects before)",
		 vcompound_head_page(taken) == head ? "took over" : "is not",
		 nextra);
	if (virt)
		VCT_CHECK(t, !vcompound_head_page(obj));
	else
		VCT_CHECK(t, vcompound_head_page(taken) == head);

	vct_expect_warn_begin(t, 2, "is not an object of this cache");
	s.obj = obj;
	VCT_CHECK(t, !smp_call_function_single(cpu, vct_vc_stale_free, &s, 1));
	s.obj = taken;
	VCT_CHECK(t, !smp_call_function_single(cpu, vct_vc_stale_free, &s, 1));
	vct_expect_warn_end(t);
	vcache_get_info(s.c, &info);
	VCT_CHECK(t, info.debug_errors == 2);
	VCT_CHECK(t, info.active_objs == 0 && info.num_objs == 0);
	vcache_get_info(other, &info);
	VCT_CHECK(t, info.active_objs == nextra + 1);
	VCT_CHECK(t, !memchr_inv(taken, 0x5c, size));
	vcache_free(other, taken);
out:
	while (nextra)
		vcache_free(other, extra[--nextra]);
	kvfree(extra);
	vcache_destroy(s.c);
	vcache_destroy(other);
	vct_vc_check_released(t);
}

/* -------------------------------------------------------- vcacheinfo -- */

#define VCT_VCACHEINFO_MAX	(64 * 1024)

struct vct_info_line {
	unsigned long active_objs, num_objs;
	unsigned int objsize, objperslab, pagesperslab;
	unsigned long physical_slabs, virtual_slabs;
};

/*
 * Counts the lines of vcacheinfo text @buf that are about cache @name and
 * parses the last one into @l; -1 if one of them does not parse.
 */
static int vct_vc_info_find(const char *buf, const char *name,
			    struct vct_info_line *l)
{
	const char *s, *eol;
	char line[256], tok[32];
	int found = 0;
	size_t len;

	for (s = buf; *s; s = *eol ? eol + 1 : eol) {
		eol = strchrnul(s, '\n');
		len = min_t(size_t, eol - s, sizeof(line) - 1);
		memcpy(line, s, len);
		line[len] = '\0';
		if (sscanf(line, "%31s", tok) != 1 || strcmp(tok, name))
			continue;
		if (sscanf(line, "%31s %lu %lu %u %u %u %lu %lu", tok,
			   &l->active_objs, &l->num_objs, &l->objsize,
			   &l->objperslab, &l->pagesperslab,
			   &l->physical_slabs, &l->virtual_slabs) != 8)
			return -1;
		found++;
	}
	return found;
}

static void vct_vc_info_check(struct vct *t, const char *buf,
			      const char *name, struct vcache *c,
			      unsigned long live)
{
	struct vct_info_line l = { };
	struct vcache_info info;

	vcache_get_info(c, &info);
	if (!VCT_CHECK(t, vct_vc_info_find(buf, name, &l) == 1))
		return;
	VCT_CHECK(t, l.active_objs == live);
	VCT_CHECK(t, l.active_objs == info.active_objs);
	VCT_CHECK(t, l.num_objs == info.num_objs);
	VCT_CHECK(t, l.objsize == info.objsize);
	VCT_CHECK(t, l.objperslab == info.objperslab);
	VCT_CHECK(t, l.pagesperslab == info.pagesperslab);
	VCT_CHECK(t, l.physical_slabs == info.physical_slabs);
	VCT_CHECK(t, l.virtual_slabs == info.virtual_slabs);
}

/*
 * debugfs vcompound/vcacheinfo: a "# name" header, then one line per live
 * cache with the numbers vcache_get_info() gives; destroyed caches go.
 */
static void vct_vc_vcacheinfo(struct vct *t)
{
	static const struct {
		const char *name;
		unsigned int size;
		unsigned long flags;
		unsigned int live;
	} caches[2] = {
		{ "vct_info_physical", 200, 0, 5 },
		{ "vct_info_virtual", 3000, VCACHE_VFALLBACK, 7 },
	};
	struct vct_info_line l;
	struct vcache *c[2] = { };
	void *objs[2][7] = { };
	unsigned int k;
	ssize_t len;
	char *buf;

	if (vct_set_fallback(t, true))
		return;
	vct_snap(t);
	buf = kvmalloc(VCT_VCACHEINFO_MAX, GFP_KERNEL);
	if (!VCT_CHECK(t, buf))
		return;
	for (k = 0; k < 2; k++) {
		c[k] = vcache_create(caches[k].name, caches[k].size, 0,
				     caches[k].flags, NULL);
		if (!VCT_CHECK(t, c[k]) ||
		    !VCT_CHECK(t, vct_vc_fill(t, c[k], objs[k], caches[k].live,
					      caches[k].size, sizeof(void *),
					      k == 1)))
			goto out;
	}
	len = vct_debugfs_vcacheinfo(buf, VCT_VCACHEINFO_MAX);
	if (!VCT_CHECK(t, len > 0)) {
		vct_diag(t, "reading vcacheinfo: %zd", len);
		goto out;
	}
	VCT_CHECK(t, !strncmp(buf, "# name", 6));
	for (k = 0; k < 2; k++)
		vct_vc_info_check(t, buf, caches[k].name, c[k], caches[k].live);
out:
	for (k = 0; k < 2; k++) {
		if (!c[k])
			continue;
		vct_vc_free_all(c[k], objs[k], caches[k].live);
		vcache_destroy(c[k]);
	}
	len = vct_debugfs_vcacheinfo(buf, VCT_VCACHEINFO_MAX);
	if (VCT_CHECK(t, len > 0)) {
		for (k = 0; k < 2; k++)
			VCT_CHECK(t, vct_vc_info_find(buf, caches[k].name,
						      &l) == 0);
	}
	kvfree(buf);
	vct_vc_check_released(t);
}

/* --------------------------------------------------- destroy, leaking -- */

/*
 * vcache_destroy() with live objects warns (once per cache) and frees
 * nothing: the objects stay allocated and writable.  Leaks two caches
 * and six objects on purpose; runs last.
 */
static void vct_vc_destroy_leaks(struct vct *t)
{
	static const unsigned long flags[2] = { 0, VCACHE_VFALLBACK };
	static const char * const names[2] = {
		"vct_leak_physical", "vct_leak_virtual",
	};
	const unsigned int size = 300, n = 3;
	struct vcache *c[2] = { };
	void *objs[2][3] = { };
	unsigned int k, i;
	bool ok = true;

	if (vct_set_fallback(t, true))
		return;
	for (k = 0; k < 2 && ok; k++) {
		c[k] = vcache_create(names[k], size, 0, flags[k], NULL);
		ok = VCT_CHECK(t, c[k]) &&
		     VCT_CHECK(t, vct_vc_fill(t, c[k], objs[k], n, size,
					      sizeof(void *), k == 1));
	}
	if (!ok) {
		for (k = 0; k < 2; k++) {
			if (!c[k])
				continue;
			vct_vc_free_all(c[k], objs[k], n);
			vcache_destroy(c[k]);
		}
		return;
	}
	/* From here on, the deltas are what the destroys gave back. */
	vct_snap(t);
	vct_expect_warn_begin(t, 2, "destroyed with");
	vcache_destroy(c[0]);
	vcache_destroy(c[1]);
	vct_expect_warn_end(t);
	vct_resnap(t);
	VCT_CHECK(t, vct_vc_blocks(t, true) == 0);
	VCT_CHECK(t, t->s1->outstanding_physical ==
		     t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < n; i++) {
			VCT_CHECK(t, vct_vc_in_slab(objs[k][i], size));
			VCT_CHECK(t, vcompound_is_virtual(objs[k][i]) ==
				     (k == 1));
			memset(objs[k][i], 0xa0 + i, size);
		}
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < n; i++)
			VCT_CHECK(t, !memchr_inv(objs[k][i], 0xa0 + i, size));
	vct_diag(t, "leaking %u objects in 2 destroyed caches on purpose",
		 2 * n);
}

/* -------------------------------------------------------------- list -- */

static void vct_vc_run_kinds(void (*run)(const char *name,
					 void (*fn)(struct vct *t)),
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

void vct_vcache_cases(void (*run)(const char *name,
				  void (*fn)(struct vct *t)))
{
	unsigned int k;

	run("vcache_create_bad_args", vct_vc_bad_args);
	for (k = 0; k < 2; k++) {
		vct_vc_flags = vct_vc_kinds[k].flags;
		for (vct_vc_row = 0; vct_vc_row < ARRAY_SIZE(vct_vc_sizes);
		     vct_vc_row++) {
			snprintf(vct_vc_name, sizeof(vct_vc_name),
				 "vcache_size_%u_%s", vct_vc_sizes[vct_vc_row],
				 vct_vc_kinds[k].name);
			run(vct_vc_name, vct_vc_size);
		}
	}
	vct_vc_run_kinds(run, "vcache_align", vct_vc_align, 2);
	run("vcache_vfallback_large_orders", vct_vc_large_orders);
	vct_vc_run_kinds(run, "vcache_ctor", vct_vc_ctor, 3);
	vct_vc_run_kinds(run, "vcache_gfp_zero", vct_vc_zero, 3);
	run("vcache_always_fallback", vct_vc_always_fallback);
	for (k = 0; k < 2; k++) {
		vct_vc_flags = vct_vc_kinds[k].flags;
		for (vct_vc_row = 0; vct_vc_row < ARRAY_SIZE(vct_vc_ctxs);
		     vct_vc_row++) {
			snprintf(vct_vc_name, sizeof(vct_vc_name),
				 "vcache_free_%s_%s",
				 vct_vc_ctxs[vct_vc_row].name,
				 vct_vc_kinds[k].name);
			run(vct_vc_name, vct_vc_free_ctx);
		}
	}
	run("vcache_alloc_atomic_every_context", vct_vc_alloc_atomic);
	vct_vc_run_kinds(run, "vcache_cross_cpu", vct_vc_cross_cpu, 2);
	vct_vc_run_kinds(run, "vcache_shrink", vct_vc_shrink, 2);
	run("vcache_debug_redzone", vct_vc_debug_redzone);
	run("vcache_debug_use_after_free", vct_vc_debug_use_after_free);
	run("vcache_debug_double_free", vct_vc_debug_double_free);
	run("vcache_free_to_wrong_cache", vct_vc_wrong_cache);
	vct_vc_run_kinds(run, "vcache_free_into_released_slab",
			 vct_vc_released_slab, 2);
	run("vcache_vcacheinfo", vct_vc_vcacheinfo);
	run("vcache_destroy_with_leaks", vct_vc_destroy_leaks);
}
