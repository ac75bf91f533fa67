// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound's own fault knobs (debugfs vcompound/inject/): each one makes
 * its step fail, the call fails or falls back as documented, and whatever
 * the call had taken is given back.
 *
 * Lost pages cannot be seen one call at a time, so the cases that go past
 * the page allocation repeat the failing call VCT_INJ_LOOPS times: a leak
 * of even one page per call then costs VCT_INJ_LOOPS pages of free memory
 * (buddy lists plus per-CPU lists), far beyond what the kernel allocates
 * for itself meanwhile (vmap page tables, slab growth), which a control
 * loop of successful calls shows in the diagnostics.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <vcache.h>

#include "vct.h"
#include "vcompat_page_alloc.h"

#define VCT_INJ_LOOPS	512U
#define VCT_INJ_ORDER	4U
/* More objects than a slab of the smallest order holds. */
#define VCT_INJ_OBJS	1024U

/* The module's fault sites (vcompound.h), in its order. */
#define VCT_X_INJ_ENUM(name, largest, step)	VCT_INJ_##name,
#define VCT_X_INJ_NAME(name, largest, step)	#name,

enum {
	VCOMPOUND_FAULT_SITES(VCT_X_INJ_ENUM)
	VCT_INJ_NR
};

/* The knob files, in the order of the stats file's "injected:" line. */
static const char *const vct_inj_knobs[VCT_INJ_NR] = {
	VCOMPOUND_FAULT_SITES(VCT_X_INJ_NAME)
};

struct vct_inj_counts {
	unsigned long n[VCT_INJ_NR];
};

static bool vct_inj_set(struct vct *t, int knob, unsigned int val)
{
	return VCT_CHECK(t, vct_debugfs_inject_set_uint(vct_inj_knobs[knob],
						       val) == 0);
}

static void vct_inj_all_off(struct vct *t)
{
	int i;

	for (i = 0; i < VCT_INJ_NR; i++)
		vct_inj_set(t, i, 0);
}

/* Failures injected so far, from inject/counts ("<knob> <n>" lines). */
static bool vct_inj_counts(struct vct *t, struct vct_inj_counts *c)
{
	char buf[256], key[16], *p;
	int i;

	if (!VCT_CHECK(t, vct_debugfs_inject_counts(buf, sizeof(buf)) > 0))
		return false;
	for (i = 0; i < VCT_INJ_NR; i++) {
		snprintf(key, sizeof(key), "%s ", vct_inj_knobs[i]);
		p = strstr(buf, key);
		/* Each name at the start of its line. */
		if (p && p != buf && p[-1] != '\n')
			p = NULL;
		if (!VCT_CHECK(t, p) ||
		    !VCT_CHECK(t, sscanf(p + strlen(key), "%lu", &c->n[i]) == 1))
			return false;
	}
	return true;
}

/*
 * Start of a case: every knob off, counters noted.  Without the knobs
 * (vcompound loaded without fault_inject=1, or no debugfs) the case
 * skips and says why; knobs missing otherwise fail it.
 */
static bool vct_inj_begin(struct vct *t, struct vct_inj_counts *c)
{
	const char *why = vct_inject_unavailable();
	unsigned int v;

	if (why) {
		t->skip = why;
		return false;
	}
	if (!VCT_CHECK(t, !vct_debugfs_inject_get("physical", &v))) {
		vct_diag(t, "fault_inject=1 and debugfs mounted, but no vcompound/inject/physical");
		return false;
	}
	vct_inj_all_off(t);
	vct_snap(t);
	return vct_inj_counts(t, c) && !t->failed;
}

/* Failures injected at @knob since @c0. */
static unsigned long vct_inj_delta(struct vct *t,
				   const struct vct_inj_counts *c0, int knob)
{
	struct vct_inj_counts c1;

	if (!vct_inj_counts(t, &c1))
		return ULONG_MAX;
	return c1.n[knob] - c0->n[knob];
}

/*
 * End of a case: knobs off, nothing of the case's blocks outstanding.
 * Without knobs the case did nothing.
 */
static void vct_inj_end(struct vct *t)
{
	if (vct_inject_unavailable())
		return;
	vct_inj_all_off(t);
	vct_resnap(t);
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, vct_delta(t, bad_free) == 0);
}

static long vct_inj_settled_free(struct vct *t)
{
	/* Drains, and gives the witnessed pages back before they count. */
	vct_settle(t);
	/* Lazily freed vmap areas hold KASAN_VMALLOC shadow pages. */
	vm_unmap_aliases();
	return vct_free_pages();
}

/*
 * VCT_INJ_LOOPS calls of order VCT_INJ_ORDER with @knob at @val, each of
 * which must fail (counted in *@nulls).  Returns the free pages lost over
 * them, or LONG_MIN if the knob could not be set.
 */
static long vct_inj_fail_loop(struct vct *t, int knob, unsigned int val,
			      unsigned int *nulls)
{
	unsigned int i;
	long f1;
	void *p;

	f1 = vct_inj_settled_free(t);
	if (!vct_inj_set(t, knob, val))
		return LONG_MIN;
	for (i = 0; i < VCT_INJ_LOOPS; i++) {
		p = vcompound_alloc(GFP_KERNEL | __GFP_NOWARN, VCT_INJ_ORDER);
		*nulls += !p;
		vct_free(t, p);
	}
	vct_inj_set(t, knob, 0);
	return f1 - vct_inj_settled_free(t);
}

/*
 * The failing calls of vct_inj_fail_loop() must not shrink free memory by
 * a page per call.  A control loop of the same calls with the knob off
 * runs first.  On a debug kernel the figure is noisy (KASAN's quarantine
 * and shadow, kmemleak's metadata: -340 pages seen once, -73 and +164
 * usually), so a loss past the limit is measured once more, and only a
 * second one fails: a leak loses as much again.
 */
static void vct_inj_leak_loop(struct vct *t, int knob, unsigned int val)
{
	const long limit = VCT_INJ_LOOPS / 2;
	unsigned int i, nulls = 0, runs = 1;
	long f0, f1, lost;
	void *p;

	f0 = vct_inj_settled_free(t);
	for (i = 0; i < VCT_INJ_LOOPS; i++) {
		p = vcompound_alloc(GFP_KERNEL, VCT_INJ_ORDER);
		if (!VCT_CHECK(t, p))
			return;
		vct_free(t, p);
	}
	f1 = vct_inj_settled_free(t);
	/* LONG_MIN: vct_inj_set() failed the case already. */
	lost = vct_inj_fail_loop(t, knob, val, &nulls);
	if (lost >= limit) {
		vct_diag(t, "%ld free pages lost over the calls; measured again",
			 lost);
		lost = vct_inj_fail_loop(t, knob, val, &nulls);
		runs++;
	}
	if (lost == LONG_MIN)
		return;
	VCT_CHECK(t, nulls == runs * VCT_INJ_LOOPS);
	VCT_CHECK(t, lost < limit);
	vct_diag(t, "%s=%u: %u calls of order %u, free pages %+ld (control loop: %+ld)",
		 vct_inj_knobs[knob], val, VCT_INJ_LOOPS, VCT_INJ_ORDER,
		 -lost, f1 - f0);
}

/* Root-only files that take exactly one number. */
static void vct_inj_knobs_strict(struct vct *t)
{
	static const char *const bad[] = {
		"bogus", "-1", "1 2", "2x", "0x", "4294967296", " 3",
	};
	struct vct_inj_counts c0;
	unsigned int i, j, v;
	char val[24];

	if (!vct_inj_begin(t, &c0))
		goto out;
	for (i = 0; i < VCT_INJ_NR; i++) {
		const char *k = vct_inj_knobs[i];

		int mode = vct_debugfs_inject_mode(k);

		if (!VCT_CHECK(t, mode >= 0))
			continue;
		VCT_CHECK(t, mode == 0600);

		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			int ret = vct_debugfs_inject_set(k, bad[j]);

			if (!VCT_CHECK(t, ret == -EINVAL || ret == -ERANGE))
				vct_diag(t, "%s accepted '%s' (%d)", k, bad[j], ret);
		}
		VCT_CHECK(t, vct_debugfs_inject_set(k, "4294967296") == -ERANGE);
		VCT_CHECK(t, !vct_debugfs_inject_get(k, &v) && v == 0);
		VCT_CHECK(t, vct_debugfs_inject_set(k, "7\n") == 0);
		VCT_CHECK(t, !vct_debugfs_inject_get(k, &v) && v == 7);
		VCT_CHECK(t, vct_debugfs_inject_set(k, "0x10") == 0);
		VCT_CHECK(t, !vct_debugfs_inject_get(k, &v) && v == 16);
		VCT_CHECK(t, vct_debugfs_inject_set(k, "0") == 0);
	}
	/* No block has more than 2^VCOMPOUND_ORDER_LIMIT pages. */
	snprintf(val, sizeof(val), "%lu", (1UL << VCOMPOUND_ORDER_LIMIT) + 1);
	VCT_CHECK(t, vct_debugfs_inject_set("page", val) == -ERANGE);
	snprintf(val, sizeof(val), "%lu", 1UL << VCOMPOUND_ORDER_LIMIT);
	VCT_CHECK(t, vct_debugfs_inject_set("page", val) == 0);
	VCT_CHECK(t, vct_debugfs_inject_set("page", "0") == 0);
out:
	vct_inj_end(t);
}

static bool vct_inj_usable(struct vct *t, void *p, unsigned int order,
			   bool virt)
{
	return VCT_CHECK(t, p) &&
	       VCT_CHECK(t, vcompound_is_virtual(p) == virt) &&
	       VCT_CHECK(t, vcompound_order(p) == order) &&
	       vct_pattern_check(t, p, order);
}

/*
 * Objects of just under half a page (2000 bytes with 4 KiB pages): a page
 * holds two, too few for a physical-only cache, which prefers an order
 * above its smallest one whatever the page size.
 */
#define VCT_INJ_PHYS_SIZE	(PAGE_SIZE / 2 - 48)

/* A physical-only cache: preferred order fails, smallest one not. */
static void vct_inj_physical_cache(struct vct *t)
{
	struct vcache_info info;
	unsigned int i, n;
	struct vcache *c;
	void **objs;

	objs = kvcalloc(VCT_INJ_OBJS, sizeof(*objs), GFP_KERNEL);
	c = vcache_create("vct_inj_phys", VCT_INJ_PHYS_SIZE, 0, 0, NULL);
	if (VCT_CHECK(t, c && objs)) {
		vcache_get_info(c, &info);
		if (!VCT_CHECK(t, info.pagesperslab > 1))
			vct_diag(t, "pagesperslab %u", info.pagesperslab);
		vct_inj_set(t, VCT_INJ_physical, 2);
		objs[0] = vcache_alloc(c, GFP_KERNEL);
		VCT_CHECK(t, objs[0] && !vcompound_is_virtual(objs[0]));
		vcache_get_info(c, &info);
		VCT_CHECK(t, info.physical_slabs == 1 && !info.virtual_slabs);
		VCT_CHECK(t, info.slab_pages < info.pagesperslab);
		/* Every attempt failing: that slab's objects, then NULL. */
		vct_inj_set(t, VCT_INJ_physical, 1);
		for (n = 1; objs[n - 1] && n < VCT_INJ_OBJS; n++)
			objs[n] = vcache_alloc(c, GFP_KERNEL | __GFP_NOWARN);
		VCT_CHECK(t, !objs[n - 1]);
		vcache_get_info(c, &info);
		VCT_CHECK(t, info.physical_slabs == 1);
		VCT_CHECK(t, info.active_objs == n - 1);
		vct_inj_set(t, VCT_INJ_physical, 0);
		for (i = 0; i < n; i++)
			vcache_free(c, objs[i]);
		vcache_shrink(c);
	}
	vcache_destroy(c);
	kvfree(objs);
}

/*
 * Objects of an eighth of a page (512 bytes with 4 KiB pages): the 64 a
 * VCACHE_VFALLBACK slab holds at least fill more than a page, so its
 * order is above 0, where the fallback serves, whatever the page size.
 */
#define VCT_INJ_VFB_SIZE	(PAGE_SIZE / 8)

/* A VCACHE_VFALLBACK cache gets a virtual slab. */
static void vct_inj_physical_vfallback(struct vct *t)
{
	struct vcache_info info;
	struct vcache *c;
	void *p;

	c = vcache_create("vct_inj_vfb", VCT_INJ_VFB_SIZE, 0, VCACHE_VFALLBACK,
			  NULL);
	if (VCT_CHECK(t, c)) {
		vct_inj_set(t, VCT_INJ_physical, 1);
		p = vcache_alloc(c, GFP_KERNEL);
		VCT_CHECK(t, p && vcompound_is_virtual(p));
		vcache_get_info(c, &info);
		VCT_CHECK(t, info.virtual_slabs == 1 && !info.physical_slabs);
		vcache_free(c, p);
		vct_inj_set(t, VCT_INJ_physical, 0);
		vcache_destroy(c);
	}
}

/*
 * physical: the physical attempt fails.  Orders above 0 fall back, order
 * 0 and non-blocking gfp without an atomic reserve fail, a physical-only vcache retries at its
 * smallest order, a VCACHE_VFALLBACK one gets a virtual slab.
 */
static void vct_inj_physical(struct vct *t)
{
	const unsigned int order = 3;
	struct vct_inj_counts c0;
	struct page *pg;
	unsigned int i;
	void *p;

	if (!vct_inj_begin(t, &c0) || !vct_inj_set(t, VCT_INJ_physical, 1))
		goto out;
	p = vcompound_alloc(GFP_KERNEL, order);
	if (vct_inj_usable(t, p, order, true))
		vct_free(t, p);
	pg = vcompound_alloc_pages(GFP_KERNEL, order);
	p = pg ? vmalloc_address(pg) : NULL;
	if (vct_inj_usable(t, p, order, true))
		vct_free_page_block(t, pg);
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOWARN, 0));
	/* Order 5 has no atomic reserve by default (cases_atomic.c). */
	VCT_CHECK(t, !vcompound_alloc(GFP_ATOMIC | __GFP_NOWARN, 5));
	VCT_CHECK(t, !vcompound_alloc(GFP_NOWAIT | __GFP_NOWARN, 0));
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, order, physical) == 0);
	VCT_CHECK(t, vct_odelta(t, order, virtual) == 2);
	VCT_CHECK(t, vct_odelta(t, 5, failed) == 1);
	VCT_CHECK(t, vct_odelta(t, 0, failed) == 2);
	VCT_CHECK(t, vct_inj_delta(t, &c0, VCT_INJ_physical) == 5);

	/* 2: the first attempt fails, the second does not, and so on. */
	if (!vct_inj_set(t, VCT_INJ_physical, 2))
		goto out;
	for (i = 0; i < 4; i++) {
		p = vcompound_alloc(GFP_KERNEL, order);
		if (vct_inj_usable(t, p, order, !(i & 1)))
			vct_free(t, p);
	}

	vct_inj_physical_cache(t);
	vct_inj_physical_vfallback(t);
out:
	vct_inj_end(t);
}

/* desc: the fallback fails before it takes a page. */
static void vct_inj_desc(struct vct *t)
{
	struct vct_inj_counts c0;

	if (!vct_inj_begin(t, &c0) || !vct_inj_set(t, VCT_INJ_desc, 1))
		goto out;
	/* Default mode: physical first, so nothing to inject. */
	vct_free(t, vcompound_alloc(GFP_KERNEL, 2));
	VCT_CHECK(t, vct_inj_delta(t, &c0, VCT_INJ_desc) == 0);
	/* Above the buddy maximum, and when the physical attempt failed. */
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOWARN,
				      VC_BUDDY_MAX_ORDER + 1));
	if (!vct_inj_set(t, VCT_INJ_physical, 1))
		goto out;
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOWARN, 2));
	if (!vct_inj_set(t, VCT_INJ_physical, 0) || vct_set_fallback(t, true))
		goto out;
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOWARN, 0));
	VCT_CHECK(t, !vcompound_alloc(GFP_NOIO | __GFP_NOWARN, 3));
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, 2, failed) == 1);
	VCT_CHECK(t, vct_odelta(t, 0, failed) == 1);
	VCT_CHECK(t, vct_odelta(t, 3, failed) == 1);
	VCT_CHECK(t, vct_odelta(t, VC_BUDDY_MAX_ORDER + 1, failed) == 1);
	VCT_CHECK(t, vct_inj_delta(t, &c0, VCT_INJ_desc) == 4);
	vct_inj_set(t, VCT_INJ_desc, 0);
	vct_inj_leak_loop(t, VCT_INJ_desc, 1);
out:
	vct_inj_end(t);
}

/* page: the k-th page of the fallback, wherever the bulk stopped. */
static void vct_inj_page(struct vct *t)
{
	const unsigned int order = 3, nr = 1U << order;
	const unsigned int ks[] = { 1, 2, nr / 2 + 1, nr };
	struct vct_inj_counts c0;
	unsigned int i;
	void *p;

	if (!vct_inj_begin(t, &c0) || vct_set_fallback(t, true))
		goto out;
	for (i = 0; i < ARRAY_SIZE(ks); i++) {
		if (!vct_inj_set(t, VCT_INJ_page, ks[i]))
			goto out;
		VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOWARN, order));
		/* The knob stays: the next block fails at that page again. */
		VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_ZERO |
					      __GFP_NOWARN, order));
	}
	/* A block with fewer pages than k is left alone. */
	if (!vct_inj_set(t, VCT_INJ_page, nr + 1))
		goto out;
	p = vcompound_alloc(GFP_KERNEL, order);
	if (vct_inj_usable(t, p, order, true))
		vct_free(t, p);
	if (!vct_inj_set(t, VCT_INJ_page, 1))
		goto out;
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOWARN, 0));
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, order, failed) == 2 * ARRAY_SIZE(ks));
	VCT_CHECK(t, vct_odelta(t, order, virtual) == 1);
	VCT_CHECK(t, vct_odelta(t, 0, failed) == 1);
	VCT_CHECK(t, vct_inj_delta(t, &c0, VCT_INJ_page) ==
		     2 * ARRAY_SIZE(ks) + 1);
	/* The last page: every other one was taken first. */
	vct_inj_set(t, VCT_INJ_page, 0);
	vct_inj_leak_loop(t, VCT_INJ_page, 1U << VCT_INJ_ORDER);
out:
	vct_inj_end(t);
}

/* vmap: every page taken, then the mapping fails; 2 alternates. */
static void vct_inj_vmap(struct vct *t)
{
	struct vct_inj_counts c0;
	unsigned int i;
	void *p;

	if (!vct_inj_begin(t, &c0) || vct_set_fallback(t, true) ||
	    !vct_inj_set(t, VCT_INJ_vmap, 2))
		goto out;
	for (i = 0; i < 4; i++) {
		p = vcompound_alloc(GFP_KERNEL | __GFP_NOWARN, 2);
		if (!(i & 1))
			VCT_CHECK(t, !p);
		else if (vct_inj_usable(t, p, 2, true))
			vct_free(t, p);
	}
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, 2, failed) == 2);
	VCT_CHECK(t, vct_odelta(t, 2, virtual) == 2);
	VCT_CHECK(t, vct_inj_delta(t, &c0, VCT_INJ_vmap) == 2);
	vct_inj_set(t, VCT_INJ_vmap, 0);
	vct_inj_leak_loop(t, VCT_INJ_vmap, 1);
out:
	vct_inj_end(t);
}

/* xarray: mapped, then no id; the block must not be found afterwards. */
static void vct_inj_xarray(struct vct *t)
{
	struct vct_inj_counts c0;
	void *p;

	if (!vct_inj_begin(t, &c0) || vct_set_fallback(t, true) ||
	    !vct_inj_set(t, VCT_INJ_xarray, 1))
		goto out;
	VCT_CHECK(t, !vcompound_alloc(GFP_KERNEL | __GFP_NOWARN,
				      VC_BUDDY_MAX_ORDER + 1));
	VCT_CHECK(t, !vcompound_alloc(GFP_NOFS | __GFP_NOWARN, 1));
	vct_inj_set(t, VCT_INJ_xarray, 0);
	p = vcompound_alloc(GFP_KERNEL, 1);
	if (vct_inj_usable(t, p, 1, true))
		vct_free(t, p);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, 1, failed) == 1);
	VCT_CHECK(t, vct_odelta(t, VC_BUDDY_MAX_ORDER + 1, failed) == 1);
	VCT_CHECK(t, vct_inj_delta(t, &c0, VCT_INJ_xarray) == 2);
	vct_inj_leak_loop(t, VCT_INJ_xarray, 1);
out:
	vct_inj_end(t);
}

/*
 * A VCACHE_VFALLBACK cache whose new slab cannot be mapped: no object,
 * and the cache works again once the knob is off.
 */
static void vct_inj_vcache(struct vct *t)
{
	static const int knobs[] = { VCT_INJ_desc, VCT_INJ_page, VCT_INJ_vmap,
				     VCT_INJ_xarray };
	struct vct_inj_counts c0;
	struct vcache_info info;
	struct vcache *c = NULL;
	unsigned int i;
	void *p;

	if (!vct_inj_begin(t, &c0) || vct_set_fallback(t, true))
		goto out;
	c = vcache_create("vct_inj_vcache", 300, 0,
			  VCACHE_VFALLBACK | VCACHE_DEBUG, NULL);
	if (!VCT_CHECK(t, c))
		goto out;
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (!vct_inj_set(t, knobs[i], 1))
			goto out;
		VCT_CHECK(t, !vcache_alloc(c, GFP_KERNEL | __GFP_NOWARN));
		vct_inj_set(t, knobs[i], 0);
		VCT_CHECK(t, vct_inj_delta(t, &c0, knobs[i]) == 1);
	}
	vcache_get_info(c, &info);
	VCT_CHECK(t, !info.virtual_slabs && !info.physical_slabs);
	p = vcache_alloc(c, GFP_KERNEL | __GFP_ZERO);
	if (VCT_CHECK(t, p && vcompound_is_virtual(p))) {
		VCT_CHECK(t, !memchr_inv(p, 0, 300));
		vcache_free(c, p);
	}
out:
	vcache_destroy(c);
	vct_inj_end(t);
}

void vct_inject_cases(void (*run)(const char *name,
				  void (*fn)(struct vct *t)))
{
	run("inject_knobs_strict", vct_inj_knobs_strict);
	run("inject_physical", vct_inj_physical);
	run("inject_desc", vct_inj_desc);
	run("inject_page", vct_inj_page);
	run("inject_vmap", vct_inj_vmap);
	run("inject_xarray", vct_inj_xarray);
	run("inject_vcache", vct_inj_vcache);
}
