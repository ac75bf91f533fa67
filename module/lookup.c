// SPDX-License-Identifier: GPL-2.0
/*
 * Address and page lookups for both kinds of vcompound block.
 *
 * Everything here is O(1), takes no sleeping lock and may run in any
 * context but NMI.  Lookups of virtual blocks dereference the descriptor,
 * so they run under rcu_read_lock().
 */
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/vmalloc.h>

#include "vcompound_internal.h"

unsigned long vc_cookie __read_mostly;

void vc_lookup_init(void)
{
	/* The top bit keeps the cookie far from any small number. */
	vc_cookie = get_random_long() | (1UL << (BITS_PER_LONG - 1));
}

void vc_lookup_exit(void)
{
	vc_id_exit();
}

/*
 * The index of @page in @vb, whose page->private has @low as the index's
 * low VC_IDX_BITS bits, or -1 if @vb does not hold @page there.  One probe
 * on 64-bit; on 32-bit, 2^(order - PAGE_SHIFT) at most (4 for order 14
 * with 4 KiB pages).
 */
static long vc_vblock_index(const struct vc_vblock *vb,
			    const struct page *page, unsigned long low)
{
	unsigned long idx;

	for (idx = low; idx < vb->nr_pages; idx += VC_IDX_MASK + 1)
		if (vb->pages[idx] == page)
			return idx;
	return -1;
}

/*
 * The virtual block that @page belongs to, and its index in it, or NULL.
 * Any page may be passed: the id is only trusted once the descriptor it
 * names lists this very page at that index.
 */
static struct vc_vblock *vc_vblock_of_page(const struct page *page,
					   unsigned long *index, int *state)
{
	unsigned long priv = page_private(page);
	unsigned long id = priv >> VC_IDX_BITS;
	struct vc_vblock *vb;
	long idx;

	if (!id || id > VC_ID_MAX)
		return NULL;
	vb = vc_id_lookup(id);
	if (!vb)
		return NULL;
	/* Read before the fields; vc_ref_virtual() reads it again after. */
	*state = atomic_read_acquire(&vb->state);
	/* A reused descriptor may be another block's now: its id says. */
	if (vc_vb_kind(*state) != VC_VB_LIVE || vb->id != id)
		return NULL;
	idx = vc_vblock_index(vb, page, priv & VC_IDX_MASK);
	if (idx < 0)
		return NULL;
	*index = idx;
	return vb;
}

/* @head: the head page of a live physical block. */
static void vc_ref_physical(struct vc_ref *ref, struct page *head)
{
	ref->vb = NULL;
	ref->head = head;
	ref->base = page_address(head);
	ref->order = compound_order(head);
	ref->nr_pages = 1UL << ref->order;
}

/*
 * Block starts: a table from the address of a block with a descriptor to
 * the descriptor, direct-mapped by a hash of the address, so that a
 * lookup of a block's start (what a free passes) finds it without
 * vmalloc_to_page()'s page-table walk and the id (235 ns-equiv less per
 * order-1 block, tests/bench P2).  A block whose slot another holds is
 * not entered, and is found through its pages, as is any address this
 * table does not know.  Entries are hints: a descriptor read through one
 * counts only if it is live and starts at the address, read as
 * vc_ref_virtual() reads any descriptor.
 */
struct vc_vblock *vc_start_table[1 << VC_START_BITS];

/* Enter @vb, whose ->addr is set, if its slot is free. */
void vc_start_add(struct vc_vblock *vb)
{
	cmpxchg(vc_start_slot(vb->addr), NULL, vb);
}

/* Remove @vb, if it was entered; before its descriptor is freed. */
void vc_start_del(struct vc_vblock *vb)
{
	cmpxchg(vc_start_slot(vb->addr), vb, NULL);
}

/**
 * vc_phys_head_of - head page of the physical block containing @addr
 * @addr: any address outside the vmalloc range
 *
 * Context: Any context but NMI.
 * Return: the compound head, or NULL if @addr is not in the direct map
 * (a struct page exists only for a valid pfn) or not inside a live
 * physical vcompound block.
 */
struct page *vc_phys_head_of(const void *addr)
{
	struct page *head;

	if (!virt_addr_valid(addr))
		return NULL;
	head = compound_head(virt_to_page(addr));
	return vc_phys_owned(head) ? head : NULL;
}

/**
 * vc_lookup_addr_rest - vc_lookup_addr() for what the table of starts
 *	did not know
 * @addr: any address, valid or not
 * @ref: filled in on success
 *
 * Context: Any context but NMI; the caller holds rcu_read_lock().
 * Return: true if @addr lies inside a live vcompound block.
 */
bool vc_lookup_addr_rest(const void *addr, struct vc_ref *ref)
{
	struct vc_vblock *vb;
	unsigned long idx;
	struct page *page;
	int state;

	if (is_vmalloc_addr(addr)) {
		page = vmalloc_to_page(addr);
		/* ioremap()ed ranges may map pfns without a struct page. */
		if (!page || !pfn_valid(page_to_pfn(page)))
			return false;
	} else {
		page = vc_phys_head_of(addr);
		if (page) {
			vc_ref_physical(ref, page);
			return true;
		}
		/* A sized physical block's pages carry a descriptor's id. */
		if (!virt_addr_valid(addr))
			return false;
		page = virt_to_page(addr);
	}
	vb = vc_vblock_of_page(page, &idx, &state);
	return vb && vc_ref_virtual(ref, vb, state) &&
	       (((unsigned long)addr - (unsigned long)ref->base) >>
		PAGE_SHIFT) == idx;
}

/**
 * vc_lookup_page - find the block @page belongs to
 * @page: any page
 * @ref: filled in on success
 * @index: the page's index inside the block, on success
 *
 * Context: Any context but NMI; the caller holds rcu_read_lock().
 * Return: true if @page is part of a live vcompound block.
 */
bool vc_lookup_page(struct page *page, struct vc_ref *ref,
		    unsigned long *index)
{
	struct page *head = compound_head(page);
	struct vc_vblock *vb;
	int state;

	if (PageCompound(page) || vc_phys_owned(page)) {
		if (!vc_phys_owned(head))
			return false;
		vc_ref_physical(ref, head);
		*index = page_to_pfn(page) - page_to_pfn(head);
		return true;
	}
	vb = vc_vblock_of_page(page, index, &state);
	return vb && vc_ref_virtual(ref, vb, state);
}

/**
 * vc_lookup_slow - find a live virtual block without page->private
 * @addr: an address inside the block, or NULL
 * @first: the block's first page, if @addr is NULL
 * @ref: filled in on success
 *
 * A walk over every registered block, for a free that the O(1) lookup
 * refused: a client may have overwritten page->private of the page that
 * the lookup starts from.  A live descriptor whose mapping covers @addr
 * (or whose first page is @first) identifies its block as surely as the
 * id in page->private would: while it is live, its range and pages are
 * its own, and the free's claim still decides against a racing free.
 * Parked reserve blocks and claimed ones are not live, so not found.
 * O(virtual blocks); only frees that would otherwise be refused (double
 * frees and foreign pointers too) pay it.
 *
 * Context: Any context but NMI; the caller holds rcu_read_lock().
 * Return: true if such a block was found.
 */
bool vc_lookup_slow(const void *addr, const struct page *first,
		    struct vc_ref *ref)
{
	struct vc_vblock *vb;
	u32 id;

	for (id = 0; (vb = vc_id_next(&id)); id++) {
		int state = atomic_read_acquire(&vb->state);

		if (vc_vb_kind(state) != VC_VB_LIVE || vb->id != id ||
		    !vc_ref_virtual(ref, vb, state))
			continue;
		if (!addr && ref->head == first)
			return true;
		if (addr && addr >= ref->base &&
		    addr < ref->base + (ref->nr_pages << PAGE_SHIFT))
			return true;
	}
	return false;
}

/**
 * vcompound_is_virtual - is @addr inside a virtual block?
 * @addr: any address inside a vcompound block
 *
 * Context: Any context but NMI.
 * Return: true for the virtual kind, false for the physical kind and for
 * addresses that are not inside a vcompound block.
 */
bool vcompound_is_virtual(const void *addr)
{
	struct vc_ref ref;
	bool virt;

	rcu_read_lock();
	/* A sized physical block has a descriptor too, in the linear map. */
	virt = vc_lookup_addr(addr, &ref) && is_vmalloc_addr(addr);
	rcu_read_unlock();
	return virt;
}
EXPORT_SYMBOL_GPL(vcompound_is_virtual);

/**
 * vcompound_order - order of the block containing @addr
 * @addr: any address inside a vcompound block
 *
 * A block from vcompound_alloc_size() has order get_order() of its size,
 * and may hold fewer than 2^order pages: vcompound_size() says how many.
 *
 * Context: Any context but NMI.
 * Return: the block's order, or 0 if @addr is not inside a vcompound block
 * (use vcompound_head_page() to tell that apart from an order-0 block).
 */
unsigned int vcompound_order(const void *addr)
{
	struct vc_ref ref;
	unsigned int order = 0;

	rcu_read_lock();
	if (vc_lookup_addr(addr, &ref))
		order = ref.order;
	rcu_read_unlock();
	return order;
}
EXPORT_SYMBOL_GPL(vcompound_order);

/**
 * vcompound_size - size of the block containing @addr
 * @addr: any address inside a vcompound block
 *
 * What a caller converted from vmalloc() would take from find_vm_area():
 * the block's extent, PAGE_SIZE << order for a power-of-two block, or the
 * size a sized block was allocated with, rounded up to whole pages.
 *
 * Context: Any context but NMI.
 * Return: the block's size in bytes, or 0 if @addr is not inside a
 * vcompound block.
 */
size_t vcompound_size(const void *addr)
{
	struct vc_ref ref;
	size_t size = 0;

	rcu_read_lock();
	if (vc_lookup_addr(addr, &ref))
		size = ref.nr_pages << PAGE_SHIFT;
	rcu_read_unlock();
	return size;
}
EXPORT_SYMBOL_GPL(vcompound_size);

/**
 * vcompound_head_page - first page of the block containing @addr
 * @addr: any address inside a vcompound block
 *
 * For the physical kind this is the compound head; for the virtual kind
 * the page mapped at the block's start, which vcompound_free_pages() takes.
 *
 * Context: Any context but NMI.
 * Return: the page, or NULL if @addr is not inside a vcompound block.
 */
struct page *vcompound_head_page(const void *addr)
{
	struct page *head = NULL;
	struct vc_ref ref;

	rcu_read_lock();
	if (vc_lookup_addr(addr, &ref))
		head = ref.head;
	rcu_read_unlock();
	return head;
}
EXPORT_SYMBOL_GPL(vcompound_head_page);

/**
 * vcompound_nth_page - the @n-th page of the block containing @addr
 * @addr: any address inside a vcompound block
 * @n: page index inside the block
 *
 * Context: Any context but NMI.
 * Return: the page, or NULL if @addr is not inside a vcompound block or @n
 * is not below the block's page count.
 */
struct page *vcompound_nth_page(const void *addr, unsigned long n)
{
	struct page *page = NULL;
	struct vc_ref ref;

	rcu_read_lock();
	if (vc_lookup_addr(addr, &ref) && n < ref.nr_pages)
		page = ref.vb ? ref.vb->pages[n] : vc_nth_page(ref.head, n);
	rcu_read_unlock();
	return page;
}
EXPORT_SYMBOL_GPL(vcompound_nth_page);

/**
 * vcompound_to_page - the page that backs @addr, like virt_to_page()
 * @addr: any address inside a vcompound block
 *
 * Context: Any context but NMI.
 * Return: the page, or NULL if @addr is not inside a vcompound block.
 */
struct page *vcompound_to_page(const void *addr)
{
	struct page *page = NULL;
	struct vc_ref ref;

	rcu_read_lock();
	if (vc_lookup_addr(addr, &ref))
		page = ref.vb ? ref.vb->pages[(addr - ref.base) >> PAGE_SHIFT] :
				virt_to_page(addr);
	rcu_read_unlock();
	return page;
}
EXPORT_SYMBOL_GPL(vcompound_to_page);

/**
 * vcompound_page_address - kernel address of a page of a vcompound block
 * @page: any page of a vcompound block, either kind
 *
 * page_address() does not work for the virtual kind; this does, for both.
 *
 * Context: Any context but NMI.
 * Return: the address at which @page is mapped inside its block, or NULL
 * if @page is not part of a vcompound block.
 */
void *vcompound_page_address(const struct page *page)
{
	void *addr = NULL;
	unsigned long idx;
	struct vc_ref ref;

	rcu_read_lock();
	/* Only read; PageCompound() of older kernels takes no const page. */
	if (vc_lookup_page((struct page *)page, &ref, &idx))
		addr = ref.base + (idx << PAGE_SHIFT);
	rcu_read_unlock();
	return addr;
}
EXPORT_SYMBOL_GPL(vcompound_page_address);

/**
 * vmalloc_address - the seed's name of vcompound_page_address()
 * @page: any page of a vcompound block, either kind
 *
 * Lameter's 2007 series named it so; it is kept for drivers written
 * against that name.  The function is vcompound's, not mm/vmalloc.c's.
 *
 * Context: Any context but NMI.
 * Return: as vcompound_page_address().
 */
void *vmalloc_address(const struct page *page)
{
	return vcompound_page_address(page);
}
EXPORT_SYMBOL_GPL(vmalloc_address);
