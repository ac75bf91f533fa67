/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shrinker registration across the kernels vcompound supports: static
 * struct + register_shrinker(s) on 5.10, a name argument from v6.0, and
 * shrinker_alloc()/shrinker_register() from v6.7 (probes/shrinker_*.c).
 */
#ifndef _VCOMPAT_SHRINKER_H
#define _VCOMPAT_SHRINKER_H

#include <linux/shrinker.h>
#include <linux/slab.h>

typedef unsigned long (*vc_shrink_fn)(struct shrinker *s,
				      struct shrink_control *sc);

/* Returns a registered shrinker, or NULL. */
static inline struct shrinker *vc_shrinker_register(const char *name,
						    vc_shrink_fn count,
						    vc_shrink_fn scan)
{
	struct shrinker *s;

#ifdef VC_HAVE_SHRINKER_ALLOC
	s = shrinker_alloc(0, "%s", name);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	shrinker_register(s);
#else
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
#ifdef VC_HAVE_REGISTER_SHRINKER_NAMED
	if (register_shrinker(s, "%s", name)) {
#else
	if (register_shrinker(s)) {
#endif
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

static inline void vc_shrinker_unregister(struct shrinker *s)
{
#ifdef VC_HAVE_SHRINKER_ALLOC
	shrinker_free(s);
#else
	unregister_shrinker(s);
	kfree(s);
#endif
}

#endif /* _VCOMPAT_SHRINKER_H */
