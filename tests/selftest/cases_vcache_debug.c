// SPDX-License-Identifier: GPL-2.0
/*
 * vcache misuse and introspection: VCACHE_DEBUG's checks, frees to the
 * wrong cache or into a released slab, debugfs vcacheinfo and a destroy
 * with objects left.
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
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include "cases_vcache.h"

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
 * have taken over the block, are both refused.  The stale pointer lies
 * in the CPU's hint, and so does the other object whenever its slab took
 * over the block: without the generation bump the hint would pass them.
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
	bool took;

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
	if (virt) {
		/* Unmapped later if it was freed where it may not sleep. */
		vcompound_drain();
		VCT_CHECK(t, !vcompound_head_page(obj));
	}
	/*
	 * Physical: the other cache grows until one of its slabs is the block
	 * just released (6.x hands it straight back from the per-CPU lists;
	 * 5.10's buddy allocator may have merged it first), so the stale
	 * pointer is inside a live slab of another cache.  Virtual: the
	 * released area is purged lazily, so the new slab is mostly mapped
	 * elsewhere and the stale pointer is in no block at all; after a
	 * purge the new slab may be mapped at the very same address, and the
	 * stale pointer is in it, as in the physical case.
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
	took = vcompound_head_page(obj) == vcompound_head_page(taken);
	vct_diag(t, "the other cache's slab %s the released block (%u objects before)",
		 took ? "took over" : "is not", nextra);
	/* Virtual: in no block, or in the other cache's new slab. */
	if (virt)
		VCT_CHECK(t, took || !vcompound_head_page(obj));
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
 * sysfs vcompound/vcache/@dir/ of cache @c: its object size and @live
 * objects, as vcache_get_info() counts them.
 */
static void vct_vc_sysfs_check(struct vct *t, const char *dir,
			       struct vcache *c, unsigned int live)
{
	struct vcache_info info;
	unsigned long size, active, slabs;
	int ret;

	vcache_get_info(c, &info);
	ret = vct_sysfs_vcache_read(dir, "objsize", &size);
	if (!ret)
		ret = vct_sysfs_vcache_read(dir, "active_objs", &active);
	if (!ret)
		ret = vct_sysfs_vcache_read(dir, "virtual_slabs", &slabs);
	if (!VCT_CHECK(t, !ret)) {
		vct_diag(t, "reading sysfs vcache/%s/: %d", dir, ret);
		return;
	}
	if (!VCT_CHECK(t, size == info.objsize && active == live &&
		       slabs == info.virtual_slabs))
		vct_diag(t, "sysfs vcache/%s/: objsize/active/vslabs %lu %lu %lu, not %u %u %lu",
			 dir, size, active, slabs, info.objsize, live,
			 info.virtual_slabs);
}

/* Two caches of one name with a '/' in it, and their directories. */
static void vct_vc_sysfs_names(struct vct *t)
{
	static const char *const dirs[2] = {
		"vct_info!dup", "vct_info!dup:2",
	};
	struct vcache *c[2] = { };
	unsigned long val;
	unsigned int k;

	for (k = 0; k < 2; k++) {
		c[k] = vcache_create("vct_info/dup", 64 + k, 0, 0, NULL);
		if (!VCT_CHECK(t, c[k]))
			goto out;
	}
	for (k = 0; k < 2; k++)
		vct_vc_sysfs_check(t, dirs[k], c[k], 0);
out:
	for (k = 0; k < 2 && c[k]; k++) {
		vcache_destroy(c[k]);
		VCT_CHECK(t, vct_sysfs_vcache_read(dirs[k], "objsize", &val) ==
			  -ENOENT);
	}
}

/*
 * debugfs vcompound/vcacheinfo: a "# name" header, then one line per live
 * cache with the numbers vcache_get_info() gives; destroyed caches go.
 * And each cache's sysfs directory, the second of a name as "<name>:2"
 * with any '/' as '!', gone with the cache.
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
	for (k = 0; k < 2; k++) {
		vct_vc_info_check(t, buf, caches[k].name, c[k], caches[k].live);
		vct_vc_sysfs_check(t, caches[k].name, c[k], caches[k].live);
	}
	vct_vc_sysfs_names(t);
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

void vct_vcache_debug_cases(void (*run)(const char *name,
					void (*fn)(struct vct *t)))
{
	run("vcache_debug_redzone", vct_vc_debug_redzone);
	run("vcache_debug_use_after_free", vct_vc_debug_use_after_free);
	run("vcache_debug_double_free", vct_vc_debug_double_free);
	run("vcache_free_to_wrong_cache", vct_vc_wrong_cache);
	vct_vc_run_kinds(run, "vcache_free_into_released_slab",
			 vct_vc_released_slab, 2);
	run("vcache_vcacheinfo", vct_vc_vcacheinfo);
	run("vcache_destroy_with_leaks", vct_vc_destroy_leaks);
}
