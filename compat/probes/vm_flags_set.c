// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_VM_FLAGS_SET: vm_flags_set(), and vma->vm_flags is read-only.
 *
 * v6.3 made vma->vm_flags const and added wrappers to change it (Suren
 * Baghdasaryan, bc292ab00f6c "mm: introduce vma->vm_flags wrapper
 * functions"), so that per-VMA locking can see every change.
 */
#include <linux/mm.h>
#include <linux/module.h>

static struct vm_area_struct probe_vma;

static int __init probe_init(void)
{
	vm_flags_set(&probe_vma, VM_DONTEXPAND);
	return 0;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
