// SPDX-License-Identifier: GPL-2.0
/*
 * P3: vcache against a kmem_cache of the same object size.  P3 runs on
 * physical slabs (the default), P3v with always_fallback, on virtual ones.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/slab.h>

#include <vcache.h>
#include "bench.h"

struct vcb_p3 {
	struct vcache *vc;
	struct kmem_cache *kc;
	unsigned int loops;
	void **ptr;
};

/* Inlined with a constant @vc: no indirect call in the timed loop. */
static __always_inline int p3_rep(void *arg, bool vc, u64 *ns, u64 *ops)
{
	struct vcb_p3 *a = arg;
	unsigned int l, i;
	u64 t0 = ktime_get_ns();

	for (l = 0; l < a->loops; l++) {
		for (i = 0; i < vcb_batch; i++) {
			a->ptr[i] = vc ? vcache_alloc(a->vc, GFP_KERNEL) :
					 kmem_cache_alloc(a->kc, GFP_KERNEL);
			if (unlikely(!a->ptr[i]))
				goto fail;
		}
		for (i = 0; i < vcb_batch; i++) {
			if (vc)
				vcache_free(a->vc, a->ptr[i]);
			else
				kmem_cache_free(a->kc, a->ptr[i]);
		}
	}
	*ns = ktime_get_ns() - t0;
	*ops = (u64)a->loops * vcb_batch;
	return 0;
fail:
	while (i--) {
		if (vc)
			vcache_free(a->vc, a->ptr[i]);
		else
			kmem_cache_free(a->kc, a->ptr[i]);
	}
	return -ENOMEM;
}

static int p3_vcache(void *arg, u64 *ns, u64 *ops)
{
	return p3_rep(arg, true, ns, ops);
}

static int p3_kmem_cache(void *arg, u64 *ns, u64 *ops)
{
	return p3_rep(arg, false, ns, ops);
}

static void vcb_size_name(char *buf, size_t len, unsigned int size)
{
	if (size >= 1024)
		snprintf(buf, len, "%uKiB", size >> 10);
	else
		snprintf(buf, len, "%uB", size);
}

void vcb_p3(bool virt)
{
	static const vcb_rep_fn fns[] = { p3_vcache, p3_kmem_cache };
	const char *metric = virt ? "P3v" : "P3";
	struct vcb_stat st[ARRAY_SIZE(fns)];
	char param[16], name[32];
	struct vcb_p3 a = { };
	unsigned int size;
	void *obj;
	int ret;

	if (vcb_set_fallback(virt)) {
		vcb_error(metric, "-", "cannot set always_fallback");
		return;
	}
	a.ptr = kcalloc(vcb_batch, sizeof(*a.ptr), GFP_KERNEL);
	if (!a.ptr)
		goto out;
	a.loops = vcb_loops(0);
	for (size = 64; size <= 64 * 1024; size *= 2) {
		vcb_size_name(param, sizeof(param), size);
		snprintf(name, sizeof(name), "vcb_%s_%u", metric, size);
		a.vc = vcache_create(name, size, 0, VCACHE_VFALLBACK, NULL);
		a.kc = kmem_cache_create(name, size, 0, 0, NULL);
		if (!a.vc || !a.kc) {
			vcb_error(metric, param, "cannot create the caches");
			goto next;
		}
		obj = vcache_alloc(a.vc, GFP_KERNEL);
		if (!obj || vcompound_is_virtual(obj) != virt) {
			vcb_error(metric, param, "vcache slab is not %s",
				  virt ? "virtual" : "physical");
			vcache_free(a.vc, obj);
			goto next;
		}
		vcache_free(a.vc, obj);
		ret = vcb_measure(fns, ARRAY_SIZE(fns), &a, st);
		if (ret)
			vcb_error(metric, param, "failed: %d", ret);
		else
			vcb_row(metric, param, &st[0], "kmem_cache", &st[1]);
next:
		vcache_destroy(a.vc);
		kmem_cache_destroy(a.kc);
	}
	kfree(a.ptr);
out:
	vcb_set_fallback(false);
}
