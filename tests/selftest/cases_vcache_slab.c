// SPDX-License-Identifier: GPL-2.0
/*
 * vcache caches and their slabs: creation, object sizes, alignment,
 * constructors, __GFP_ZERO and always_fallback.
 * Part of the vcache group: cases_vcache.c.
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
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include "cases_vcache.h"

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

/*
 * VCACHE_VFALLBACK caches take large slabs, at their preferred order: at
 * least 64 KiB (vcache.c), whatever the page size.
 */
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
		VCT_CHECK(t, ((unsigned long)info.pagesperslab << PAGE_SHIFT) >=
			     SZ_64K);
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

void vct_vcache_slab_cases(void (*run)(const char *name,
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
}
