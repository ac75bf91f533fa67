// SPDX-License-Identifier: GPL-2.0
/*
 * What every vcompound test runner shares: checks, counter snapshots,
 * witnessed frees and expected-warning brackets (module parameters and
 * debugfs: vct_params.c).  Linked
 * into the KTAP self-test module (stock kernels) and the KUnit module
 * (debug kernel).
 */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "vct.h"
#include "vcompat_page_alloc.h"
#include "vct_compat.h"

bool __vct_check(struct vct *t, bool ok, const char *expr, const char *func,
		 int line)
{
	if (!ok) {
		t->failed = true;
		if (t->fail)
			t->fail(t, expr, func, line);
		else
			pr_info("# %s: %s:%d: expected %s\n", t->name, func,
				line, expr);
	}
	return ok;
}

void vct_case_setup(struct vct *t, const char *name,
		    struct vcompound_stats *s0, struct vcompound_stats *s1)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->s0 = s0;
	t->s1 = s1;
}

void vct_case_teardown(struct vct *t)
{
	/* Every case starts from the default mode. */
	VCT_CHECK(t, !vct_param_set_always_fallback("0"));
	/* Drains the deferred frees, then checks what the case freed. */
	vct_settle(t);
}

/*
 * The witness ring: one slot per pinned page, filled at the tail by the
 * frees (any context) and emptied from the head by vct_settle().  Slots
 * are reserved under the lock, written by their free alone, and published
 * by setting ->block once vcompound has taken the block back, so a settle
 * that runs meanwhile stops at the first slot whose free is in flight.
 */
/* A whole block of vcompound's default max_order: 64 MiB. */
#define VCT_WITNESS_SLOTS	(SZ_64M >> PAGE_SHIFT)
/*
 * Process-context frees settle before the pinned pages pass this (16 MiB:
 * 4096 pages of 4 KiB), so that loops and stress runs pin little memory.
 */
#define VCT_WITNESS_CAP		(SZ_16M >> PAGE_SHIFT)
/* Leaked pages a settle names one by one; the rest are counted. */
#define VCT_WITNESS_NAMED	8

struct vct_witness {
	struct page *page;	/* holds the witness's reference, or NULL */
	const void *block;	/* the freed block, once the free returned */
	unsigned int idx;	/* page index in the block */
	unsigned int order;
	bool virt;
};

static struct vct_witness vct_wit[VCT_WITNESS_SLOTS];
static unsigned long vct_wit_head, vct_wit_tail;	/* free-running */
/* Raw: frees come from hard irq, also on RT and under lockdep nesting. */
static DEFINE_RAW_SPINLOCK(vct_wit_lock);
static DEFINE_MUTEX(vct_wit_settle_lock);
static atomic_long_t vct_wit_missed;	/* blocks freed without a free slot */

static struct vct_witness *vct_wit_slot(unsigned long i)
{
	return &vct_wit[i % VCT_WITNESS_SLOTS];
}

static unsigned long vct_wit_used(void)
{
	unsigned long flags, used;

	raw_spin_lock_irqsave(&vct_wit_lock, flags);
	used = vct_wit_tail - vct_wit_head;
	raw_spin_unlock_irqrestore(&vct_wit_lock, flags);
	return used;
}

/*
 * Pages a witness of @addr pins: all of a virtual block's or a sized
 * physical one's (each is its own order-0 page), the compound head of a
 * power-of-two physical one (__GFP_COMP, freed as a whole through the
 * head's count), none if @addr is not the start of a live block.
 */
static unsigned long vct_wit_pages(const void *addr, unsigned int *order,
				   bool *virt, bool *each)
{
	struct page *head = addr ? vcompound_head_page(addr) : NULL;

	if (!head || vmalloc_address(head) != addr)
		return 0;
	*order = vcompound_order(addr);
	*virt = vcompound_is_virtual(addr);
	*each = *virt || !PageCompound(head);
	return *each ? vcompound_size(addr) >> PAGE_SHIFT : 1;
}

/*
 * Reserve slots for @addr's pages and take the references; returns how
 * many slots from *@first, 0 if @addr is not witnessed.  A page already
 * free (a racing free of the same block, which only misuse cases do) is
 * not pinned.
 */
static unsigned long vct_wit_take(const void *addr, unsigned long *first)
{
	unsigned long nr, i, flags;
	struct vct_witness *w;
	unsigned int order;
	struct page *page;
	bool virt, each;

	nr = vct_wit_pages(addr, &order, &virt, &each);
	if (!nr)
		return 0;
	raw_spin_lock_irqsave(&vct_wit_lock, flags);
	if (vct_wit_tail - vct_wit_head + nr > VCT_WITNESS_SLOTS) {
		raw_spin_unlock_irqrestore(&vct_wit_lock, flags);
		atomic_long_inc(&vct_wit_missed);
		return 0;
	}
	*first = vct_wit_tail;
	vct_wit_tail += nr;
	raw_spin_unlock_irqrestore(&vct_wit_lock, flags);

	for (i = 0; i < nr; i++) {
		w = vct_wit_slot(*first + i);
		page = each ? vcompound_nth_page(addr, i) :
			      vcompound_head_page(addr);
		w->page = page && get_page_unless_zero(page) ? page : NULL;
		w->idx = i;
		w->order = order;
		w->virt = virt;
	}
	return nr;
}

static void vct_wit_publish_one(struct vct_witness *w, const void *addr)
{
	/* Orders the slot's page and fields before its publication. */
	smp_store_release(&w->block, addr);
}

/* The free returned: the slots may be checked from now on. */
static void vct_wit_publish(const void *addr, unsigned long first,
			    unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		vct_wit_publish_one(vct_wit_slot(first + i), addr);
}

/* vcompound_free_pages(@page) if @page, else vcompound_free(@addr). */
static void __vct_free(const void *addr, struct page *page)
{
	unsigned long first = 0, nr;

	nr = vct_wit_take(addr, &first);
	if (page)
		vcompound_free_pages(page);
	else
		vcompound_free(addr);
	vct_wit_publish(addr, first, nr);
}

/* Settles first if witnessing @addr would pin more than the cap. */
static void vct_wit_make_room(struct vct *t, const void *addr)
{
	unsigned int order;
	bool virt, each;

	might_sleep();
	if (vct_wit_used() + vct_wit_pages(addr, &order, &virt, &each) >
	    VCT_WITNESS_CAP)
		vct_settle(t);
}

/**
 * vct_settle_at_cap - vct_settle() once the witnesses pin VCT_WITNESS_CAP
 * @t: the case
 *
 * For loops that free from other contexts (vct_free_atomic()).
 *
 * Context: Process context; may sleep.
 */
void vct_settle_at_cap(struct vct *t)
{
	might_sleep();
	if (vct_wit_used() >= VCT_WITNESS_CAP)
		vct_settle(t);
}

/**
 * vct_free - vcompound_free() @addr, witnessed
 * @t: the case, which a leak found by the settle fails
 * @addr: as for vcompound_free()
 *
 * Context: Process context; may sleep (settles when the witnesses pin too
 * much).
 */
void vct_free(struct vct *t, const void *addr)
{
	vct_wit_make_room(t, addr);
	__vct_free(addr, NULL);
}

/**
 * vct_free_page_block - vcompound_free_pages() @page, witnessed
 * @t: the case
 * @page: as for vcompound_free_pages()
 *
 * Context: Process context; may sleep.
 */
void vct_free_page_block(struct vct *t, struct page *page)
{
	const void *addr = page ? vmalloc_address(page) : NULL;

	vct_wit_make_room(t, addr);
	__vct_free(addr, page);
}

/**
 * vct_free_atomic - vcompound_free() @addr, witnessed if a slot is free
 * @addr: as for vcompound_free()
 *
 * The leak check runs at the next vct_settle() of the running case.
 *
 * Context: Any context but NMI.
 */
void vct_free_atomic(const void *addr)
{
	__vct_free(addr, NULL);
}

/**
 * vct_free_page_block_atomic - vcompound_free_pages(), witnessed if a slot is free
 * @page: as for vcompound_free_pages()
 *
 * Context: Any context but NMI.
 */
void vct_free_page_block_atomic(struct page *page)
{
	const void *addr = page ? vmalloc_address(page) : NULL;

	__vct_free(addr, page);
}

/*
 * Checks one witnessed page and drops the witness's reference.  Returns
 * false, keeping the page, if its count is off and this is not
 * @last_look; on the last look such a page is named and counted.
 */
static bool vct_wit_check(struct vct *t, struct vct_witness *w,
			  bool last_look, unsigned long *leaked,
			  unsigned long *blocks, const void **last)
{
	int refs = page_ref_count(w->page);

	if (refs != 1 && !last_look)
		return false;
	if (refs != 1) {
		if (*leaked < VCT_WITNESS_NAMED)
			vct_diag(t,
				 "leak: page %u of order-%u %s block (pfn %#lx) has %d refs, not 1",
				 w->idx, w->order,
				 w->virt ? "virtual" : "physical",
				 page_to_pfn(w->page), refs);
		(*leaked)++;
		if (w->block != *last || !w->idx)
			(*blocks)++;
		*last = w->block;
	}
	/* An over-freed page holds no reference of ours any more. */
	if (refs >= 1)
		put_page(w->page);
	w->page = NULL;
	return true;
}

/**
 * vct_settle - check and release every witness taken so far
 * @t: the case, failed if a witnessed page was not given back
 *
 * Waits for vcompound's deferred frees first.  A page whose count is off
 * is looked at again after a short sleep, as the kernel takes transient
 * references on pages it finds by pfn (speculative page-cache lookups).
 *
 * Context: Process context; may sleep.
 */
void vct_settle(struct vct *t)
{
	unsigned long head, end, i, flags, leaked = 0, blocks = 0, left = 0;
	const void *last = NULL;
	long missed;
	int pass;

	mutex_lock(&vct_wit_settle_lock);
	raw_spin_lock_irqsave(&vct_wit_lock, flags);
	head = vct_wit_head;
	end = vct_wit_tail;
	raw_spin_unlock_irqrestore(&vct_wit_lock, flags);
	/* Up to the first free still in flight. */
	for (i = head; i < end; i++)
		/* Pairs with vct_wit_publish(): the slot's fields are set. */
		if (!smp_load_acquire(&vct_wit_slot(i)->block))
			break;
	end = i;
	/* Every block published above was queued before this. */
	vcompound_drain();

	for (pass = 0; pass < 2; pass++) {
		if (pass) {
			if (!left)
				break;
			msleep(20);
			vcompound_drain();
		}
		left = 0;
		for (i = head; i < end; i++) {
			struct vct_witness *w = vct_wit_slot(i);

			if (w->page && !vct_wit_check(t, w, pass, &leaked,
						      &blocks, &last))
				left++;
		}
	}
	if (leaked) {
		vct_diag(t, "%lu pages of %lu blocks were not given back by their free",
			 leaked, blocks);
		VCT_CHECK(t, leaked == 0);
	}

	for (i = head; i < end; i++) {
		vct_wit_slot(i)->page = NULL;
		WRITE_ONCE(vct_wit_slot(i)->block, NULL);
	}
	raw_spin_lock_irqsave(&vct_wit_lock, flags);
	vct_wit_head = end;
	raw_spin_unlock_irqrestore(&vct_wit_lock, flags);
	mutex_unlock(&vct_wit_settle_lock);

	missed = atomic_long_xchg(&vct_wit_missed, 0);
	if (missed)
		vct_diag(t, "%ld blocks freed unwitnessed: no free witness slot",
			 missed);
}

void vct_snap(struct vct *t)
{
	vcompound_get_stats(t->s0);
	memcpy(t->s1, t->s0, sizeof(*t->s1));
}

void vct_resnap(struct vct *t)
{
	vcompound_drain();
	vcompound_get_stats(t->s1);
}

unsigned long __vct_delta(const struct vct *t, size_t offset)
{
	return *(unsigned long *)((void *)t->s1 + offset) -
	       *(unsigned long *)((void *)t->s0 + offset);
}

u64 __vct_delta64(const struct vct *t, size_t offset)
{
	return *(u64 *)((void *)t->s1 + offset) -
	       *(u64 *)((void *)t->s0 + offset);
}

/* Free pages, those on every zone's per-CPU lists included. */
unsigned long vct_free_pages(void)
{
	unsigned long sum = global_zone_page_state(NR_FREE_PAGES);
	struct zone *zone;
	int nid, z;

	for_each_online_node(nid) {
		for (z = 0; z < MAX_NR_ZONES; z++) {
			zone = &NODE_DATA(nid)->node_zones[z];
			if (populated_zone(zone))
				sum += vct_zone_pcp_pages(zone);
		}
	}
	return sum;
}

/*
 * The debug kernel boots with panic_on_warn=1, so that any warning nobody
 * expected ends the run.  A case that provokes one on purpose clears it
 * inside the bracket, through the kernel's own parameter file, and puts it
 * back afterwards.  The bracket lines tell tests/qemu where a warning is
 * expected.
 */
static unsigned long vct_warned_once;

unsigned int vct_warn_once(enum vct_warn_once site)
{
	return !test_and_set_bit(site, &vct_warned_once);
}

void vct_expect_warn_begin(struct vct *t, unsigned int count, const char *msg)
{
	unsigned int pow = 0;

	if (!vct_kernel_get_panic_on_warn(&pow) && pow &&
	    !vct_kernel_set_panic_on_warn(0))
		t->panic_on_warn = pow;
	pr_info("vcompound_test: EXPECT-WARN BEGIN %s count=%u msg=%s\n",
		t->name, count, msg);
}

void vct_expect_warn_end(struct vct *t)
{
	pr_info("vcompound_test: EXPECT-WARN END %s\n", t->name);
	if (t->panic_on_warn) {
		VCT_CHECK(t, !vct_kernel_set_panic_on_warn(t->panic_on_warn));
		t->panic_on_warn = 0;
	}
}

int vct_set_fallback(struct vct *t, bool on)
{
	int ret = vct_param_set_always_fallback(on ? "1" : "0");

	VCT_CHECK(t, ret == 0);
	return ret;
}

#define VCT_RESERVE_WAIT_MS	10000

/* Blocks in the reserve of @order, or -1 on error. */
long vct_reserve_level(unsigned int order)
{
	struct vcompound_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	long level = -1;

	if (st) {
		vcompound_get_stats(st);
		level = st->order[order].reserve_level;
		kfree(st);
	}
	return level;
}

/* Waits (10 s at most) until the reserve of @order holds @want blocks. */
bool vct_reserve_wait(struct vct *t, unsigned int order, long want)
{
	unsigned int waited;

	for (waited = 0; waited < VCT_RESERVE_WAIT_MS; waited += 20) {
		if (vct_reserve_level(order) == want)
			return true;
		msleep(20);
	}
	vct_diag(t, "reserve of order %u holds %ld blocks after %u ms, not %ld",
		 order, vct_reserve_level(order), waited, want);
	return false;
}

#define VCT_MEMINFO_BYTES	8192

/*
 * VmallocTotal of /proc/meminfo, in pages: VMALLOC_TOTAL, read the way an
 * administrator reads it.  The macro itself is a different expression on
 * each architecture (on 32-bit x86 and ppc64 it reads kernel variables),
 * the file is the same on every kernel and architecture.  0 if unread.
 */
unsigned long vct_vmalloc_total_pages(void)
{
	static unsigned long pages;
	unsigned long long kib;
	char *buf, *line;

	if (pages)
		return pages;
	buf = kmalloc(VCT_MEMINFO_BYTES, GFP_KERNEL);
	if (!buf)
		return 0;
	if (vct_read_file("/proc/meminfo", buf, VCT_MEMINFO_BYTES) > 0) {
		line = strstr(buf, "\nVmallocTotal:");
		if (line && sscanf(line, " VmallocTotal: %llu kB", &kib) == 1)
			pages = min_t(unsigned long long, kib >> (PAGE_SHIFT - 10),
				      ULONG_MAX);
	}
	kfree(buf);
	return pages;
}

/*
 * Pages a case may keep mapped in vmalloc space at once: half of it.  The
 * rest is for what the kernel has mapped there already (its vmalloc(),
 * ioremap() and percpu areas, and on 32-bit x86 every module), vmap areas
 * freed but not yet purged, and one guard page per vmap() area.  Plenty on
 * 64-bit (tens of TiB); about 60 MiB on i386 (VmallocTotal 120 MiB).
 */
unsigned long vct_vmalloc_budget_pages(void)
{
	return vct_vmalloc_total_pages() / 2;
}

/* vct.h; interior offsets, so that no lookup works for the start only. */
bool vct_vblock_page_ok(void *addr, unsigned int order, struct page *head,
			unsigned long i, struct page *page)
{
	void *p = addr + (i << PAGE_SHIFT);

	return page && vmalloc_to_page(p) == page &&
	       vcompound_to_page(p + PAGE_SIZE - 1) == page &&
	       vmalloc_address(page) == p &&
	       vcompound_head_page(p) == head &&
	       vcompound_order(p + PAGE_SIZE / 2) == order &&
	       vcompound_is_virtual(p);
}

u32 vct_page_word(unsigned long i)
{
	return 0x5eed0000U ^ (u32)i;
}

unsigned long vct_page_off(unsigned long i)
{
	return (i << PAGE_SHIFT) + (i * sizeof(u32)) % PAGE_SIZE;
}

struct vct_map {
	void *block;
	unsigned long size;
	int ret;
};

static int vct_map_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vct_map *m = file->private_data;

	m->ret = vcompound_mmap(vma, m->block, m->size);
	return m->ret;
}

static const struct file_operations vct_map_fops = {
	.owner = THIS_MODULE,
	.mmap = vct_map_mmap,
};

/* Pages of the user mapping at @uaddr that differ from the block's, either way. */
static unsigned long vct_map_compare(struct vct_map *m, unsigned long uaddr)
{
	unsigned long i, bad = 0;
	u32 v;

	for (i = 0; i < m->size >> PAGE_SHIFT; i++) {
		u32 __user *u = (u32 __user *)(uaddr + vct_page_off(i));

		if (get_user(v, u) || v != vct_page_word(i) ||
		    put_user(~vct_page_word(i), u) ||
		    *(u32 *)(m->block + vct_page_off(i)) != ~vct_page_word(i))
			bad++;
	}
	return bad;
}

/* vct.h */
bool vct_mmap_check(struct vct *t, void *block, unsigned int order)
{
	return vct_mmap_check_size(t, block, PAGE_SIZE << order);
}

/* vct.h */
bool vct_mmap_check_size(struct vct *t, void *block, unsigned long size)
{
	struct vct_map m = { .block = block, .size = size, .ret = 1 };
	unsigned long i, uaddr, bad;
	struct file *file;
	bool ok;

	for (i = 0; i < size >> PAGE_SHIFT; i++)
		*(u32 *)(block + vct_page_off(i)) = vct_page_word(i);
	file = anon_inode_getfile("vct_map", &vct_map_fops, &m, O_RDWR);
	if (!VCT_CHECK(t, !IS_ERR(file)))
		return false;
	uaddr = vm_mmap(file, 0, m.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			0);
	ok = VCT_CHECK(t, m.ret == 0);
	if (VCT_CHECK(t, !IS_ERR_VALUE(uaddr))) {
		bad = vct_map_compare(&m, uaddr);
		if (!VCT_CHECK(t, bad == 0)) {
			vct_diag(t, "%lu of %lu pages differ in the user mapping",
				 bad, size >> PAGE_SHIFT);
			ok = false;
		}
		vm_munmap(uaddr, m.size);
	} else {
		ok = false;
	}
	fput(file);
	return ok;
}
