/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory-mapping (VMA) differences between the kernels vcompound supports.
 */
#ifndef _VCOMPAT_MM_H
#define _VCOMPAT_MM_H

#include <linux/mm.h>

/* vc_vm_flags_set - set @flags on @vma, whose mmap lock is held for writing */
static inline void vc_vm_flags_set(struct vm_area_struct *vma,
				   unsigned long flags)
{
#if defined(VC_HAVE_VM_FLAGS_SET)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif /* _VCOMPAT_MM_H */
