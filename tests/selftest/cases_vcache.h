/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the vcache group's files (cases_vcache*.c) share: the kind and the
 * row of the case being run, and the checks of cases_vcache.c.
 */
#ifndef _CASES_VCACHE_H
#define _CASES_VCACHE_H

#include <linux/types.h>

#include <vcache.h>

#include "vct.h"

#define VCT_VC_MAX_OBJS		20000UL
#define VCT_VC_MAX_BYTES	(16UL << 20)
/* Objects taken when looking for one that must not come back. */
#define VCT_VC_HUNT_MAX		4096UL

/* physical, virtual (VCACHE_VFALLBACK) and debug (VCACHE_DEBUG) caches. */
#define VCT_VC_NKINDS		3
struct vct_vc_kind {
	const char *name;
	unsigned long flags;
};

extern const struct vct_vc_kind vct_vc_kinds[VCT_VC_NKINDS];

/*
 * The row of the parametrised case being run, its cache flags and name
 * (the runners call each case before the next registration).
 */
#define VCT_VC_NAME_LEN		64
extern unsigned int vct_vc_row;
extern unsigned long vct_vc_flags;
extern char vct_vc_name[VCT_VC_NAME_LEN];

bool vct_vc_virt(unsigned long flags);
u8 vct_vc_byte(unsigned int i);
bool vct_vc_in_slab(const void *p, unsigned int size);
bool vct_vc_fill(struct vct *t, struct vcache *c, void **objs, unsigned int n,
		 unsigned int size, unsigned int align, bool virt);
bool vct_vc_intact(struct vct *t, void **objs, unsigned int n,
		   unsigned int size);
void vct_vc_free_all(struct vcache *c, void **objs, unsigned int n);
bool vct_vc_disjoint(struct vct *t, void **objs, unsigned int n,
		     unsigned int size);
void vct_vc_check_geometry(struct vct *t, const struct vcache_info *info,
			   unsigned int size);
void vct_vc_check_counts(struct vct *t, const struct vcache_info *info,
			 unsigned long n);
void vct_vc_check_kind(struct vct *t, const struct vcache_info *info,
		       bool virt);
void vct_vc_check_slabs(struct vct *t, const struct vcache_info *info);
void vct_vc_check_empty(struct vct *t, struct vcache *c);
unsigned long vct_vc_blocks(const struct vct *t, bool freed);
void vct_vc_check_released(struct vct *t);
/* Registers @fn as <prefix>_<kind> for the first @nkinds kinds. */
void vct_vc_run_kinds(void (*run)(const char *name,
				  void (*fn)(struct vct *t)),
		      const char *prefix, void (*fn)(struct vct *t),
		      unsigned int nkinds);

/* The parts of the group, in the order they run. */
void vct_vcache_slab_cases(void (*run)(const char *name,
				       void (*fn)(struct vct *t)));
void vct_vcache_ctx_cases(void (*run)(const char *name,
				      void (*fn)(struct vct *t)));
void vct_vcache_debug_cases(void (*run)(const char *name,
					void (*fn)(struct vct *t)));

#endif /* _CASES_VCACHE_H */
