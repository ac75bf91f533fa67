// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping a block, or part of one, into user space.
 *
 * Both kinds are mapped page by page with vm_insert_page(), so the driver's
 * VMA looks the same whichever kind it got: normal, refcounted pages
 * (VM_MIXEDMAP), not a raw pfn range.  The references taken there keep the
 * pages alive until user space unmaps them, even if the driver frees the
 * block first.
 */
#include <linux/mm.h>

#include "vcompat_mm.h"
#include "vcompound_internal.h"

/**
 * vcompound_mmap - map part of a vcompound block into a user mapping
 * @vma: the mapping being set up, as passed to a driver's ->mmap()
 * @addr: page-aligned address inside a block: the first byte to map
 * @size: bytes to map, a multiple of PAGE_SIZE
 *
 * Maps [@addr, @addr + @size) at @vma->vm_start.  The range must lie inside
 * one block and fit in the VMA; the rest of a larger VMA stays unmapped
 * (accesses fault with SIGBUS).  @vma->vm_pgoff is not interpreted: the
 * driver turns its own offset into @addr.  The VMA is marked VM_DONTEXPAND
 * and VM_DONTDUMP.  User space sees whatever the block holds, so hand out
 * zeroed (__GFP_ZERO) or fully initialised blocks only.  The caller must
 * own the block for the duration of the call.
 *
 * Context: Process context, from ->mmap(), with the mmap lock held for
 * writing; may sleep.
 * Return: 0 on success; -EINVAL if @addr or @size is not page aligned,
 * @size is 0 or larger than the VMA, the VMA is VM_PFNMAP, @addr is not
 * inside a vcompound block or the range runs past its end; otherwise the error of vm_insert_page()
 * (the kernel then tears down the partial mapping with the VMA).
 */
int vcompound_mmap(struct vm_area_struct *vma, const void *addr,
		   unsigned long size)
{
	unsigned long first, nr, i;
	struct vc_ref ref;
	bool found;
	int ret;

	/* vm_insert_page() BUG()s on a raw pfn mapping. */
	if (!PAGE_ALIGNED(addr) || !size || !PAGE_ALIGNED(size) ||
	    size > vma->vm_end - vma->vm_start || (vma->vm_flags & VM_PFNMAP))
		return -EINVAL;

	rcu_read_lock();
	found = vc_lookup_addr(addr, &ref);
	rcu_read_unlock();
	if (!found)
		return -EINVAL;
	first = (addr - ref.base) >> PAGE_SHIFT;
	nr = size >> PAGE_SHIFT;
	if (nr > ref.nr_pages - first)
		return -EINVAL;

	vc_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	for (i = 0; i < nr; i++) {
		struct page *page = ref.vb ? ref.vb->pages[first + i] :
					     vc_nth_page(ref.head, first + i);

		ret = vm_insert_page(vma, vma->vm_start + (i << PAGE_SHIFT),
				     page);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}
EXPORT_SYMBOL_GPL(vcompound_mmap);
