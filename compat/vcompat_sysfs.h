/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs and kobject differences between the kernels vcompound supports.
 */
#ifndef _VCOMPAT_SYSFS_H
#define _VCOMPAT_SYSFS_H

#include <linux/kobject.h>

/*
 * vc_kobject_init_and_add - kobject_init_and_add() of a const @ktype,
 * named @name.  Older kernels take it non-const but never write to it
 * (probes/kobj_type_const.c).
 */
static inline int vc_kobject_init_and_add(struct kobject *kobj,
					  const struct kobj_type *ktype,
					  struct kobject *parent,
					  const char *name)
{
#if defined(VC_HAVE_KOBJ_TYPE_CONST)
	return kobject_init_and_add(kobj, ktype, parent, "%s", name);
#else
	return kobject_init_and_add(kobj, (void *)ktype, parent, "%s", name);
#endif
}

#endif /* _VCOMPAT_SYSFS_H */
