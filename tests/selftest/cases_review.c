// SPDX-License-Identifier: GPL-2.0
/*
 * Cases for defects found by reading module/ (issue 13): drains that race
 * each other while hardirq frees arrive, vcompound_mmap() into a
 * VM_PFNMAP mapping, atomic allocations of a low zone against the atomic
 * reserve, vcache slabs reaped between their growth and first use,
 * objects cached by a CPU that goes offline, how long the allocation of
 * a large virtual block holds its CPU, kmemleak's view into blocks, a
 * stale free that meets a parked reserve block, blocks whose
 * page->private a client overwrote, and thousands of live virtual blocks
 * (ids and indexes in page->private on 32-bit).
 */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmzone.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/workqueue.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <vcache.h>

#include "vcompat_hrtimer.h"
#include "vcompat_irq_work.h"
#include "vcompat_mm.h"
#include "cases_review.h"

/*
 * drain_concurrent: 256 virtual blocks of 1 MiB (order 8 with 4 KiB pages,
 * 4 with 64 KiB) freed from hardirq on CPU 0, a few at a time, while two
 * kthreads (on CPUs 0 and 1) drain in a loop.  Once the last free is
 * queued each drainer drains once more, and then no free may be pending:
 * every one was queued before that drain began.  A drainer that found the
 * queue emptied by the other one, still unmapping what it took, used to
 * return early (at repeat 0 on 6.12 with the drain lock taken out).  256
 * MiB a repeat: with 2 MiB blocks the debug kernel's KUnit run went out
 * of memory (KASAN's reserve and a raised watermark boost leave about 650
 * MiB in its 1 GiB guest).
 *
 * Where the vmalloc space cannot hold 256 such blocks (i386: 120 MiB), a
 * repeat takes as many as vct_vmalloc_budget_pages() allows, each with
 * its guard page (60 on i386).  The race is at the end of a repeat, the
 * last hardirq batch being unmapped by one drainer while the other one's
 * final drain finds the queue empty: every repeat has one, however many
 * blocks came before it, and the shorter repeats leave room for more of
 * them in the time budget.  Fewer than two hardirq batches would be no
 * storm: the case fails then rather than prove less.
 */
#define VCT_DR_ORDER		get_order(SZ_1M)
#define VCT_DR_BLOCKS		256
#define VCT_DR_BATCH		8	/* frees per hardirq */
#define VCT_DR_REPEATS		100
/* Under TCG a repeat takes about a second: stop repeating after this. */
#define VCT_DR_BUDGET_MS	60000
#define VCT_DR_WAIT_MS		60000

struct vct_dr;

struct vct_dr_thread {
	struct vct_dr *dr;
	struct task_struct *task;
	struct completion done;
	long pending;		/* deferred_pending after the last drain */
	unsigned long drains;
};

struct vct_dr {
	void *blocks[VCT_DR_BLOCKS];
	unsigned int nr;	/* blocks a repeat takes, VCT_DR_BLOCKS at most */
	unsigned int next;	/* the next block the hardirq frees */
	bool storm_done;	/* every free queued; read with acquire */
	struct irq_work work;
	struct vct_dr_thread th[2];
};

/* deferred_pending now, or -1 on error. */
static long vct_dr_pending(void)
{
	struct vcompound_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	long pending = -1;

	if (st) {
		vcompound_get_stats(st);
		pending = st->deferred_pending;
		kfree(st);
	}
	return pending;
}

static void vct_dr_free_batch(struct irq_work *work)
{
	struct vct_dr *dr = container_of(work, struct vct_dr, work);
	unsigned int i;

	for (i = 0; i < VCT_DR_BATCH && dr->next < dr->nr; i++)
		vcompound_free(dr->blocks[dr->next++]);
}

/* Threads stay until kthread_stop(), which then cannot miss them. */
static void vct_dr_wait_stop(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
}

static int vct_dr_storm(void *arg)
{
	struct vct_dr *dr = arg;

	while (dr->next < dr->nr) {
		irq_work_queue(&dr->work);
		irq_work_sync(&dr->work);
		cond_resched();
	}
	/* Pairs with the drainers' acquire: every free is queued before. */
	smp_store_release(&dr->storm_done, true);
	vct_dr_wait_stop();
	return 0;
}

static int vct_dr_drainer(void *arg)
{
	struct vct_dr_thread *th = arg;

	/* Pairs with the storm's release: its frees precede the last drain. */
	while (!smp_load_acquire(&th->dr->storm_done)) {
		vcompound_drain();
		th->drains++;
		cond_resched();
	}
	/* Every free was queued before this call. */
	vcompound_drain();
	th->pending = vct_dr_pending();
	complete(&th->done);
	vct_dr_wait_stop();
	return 0;
}

/* Allocates every block of a repeat; false (all freed) if one fails. */
static bool vct_dr_alloc(struct vct *t, struct vct_dr *dr)
{
	unsigned int i;

	for (i = 0; i < dr->nr; i++) {
		dr->blocks[i] = vcompound_alloc(GFP_KERNEL | __GFP_NOWARN,
						VCT_DR_ORDER);
		if (!dr->blocks[i] || !is_vmalloc_addr(dr->blocks[i]))
			break;
	}
	if (i == dr->nr)
		return true;
	vct_diag(t, "block %u of order %u: %p, not a virtual block", i,
		 VCT_DR_ORDER, dr->blocks[i]);
	VCT_CHECK(t, dr->blocks[i] && is_vmalloc_addr(dr->blocks[i]));
	vcompound_free(dr->blocks[i]);
	while (i--)
		vcompound_free(dr->blocks[i]);
	return false;
}

/* One repeat: false if it could not run; failures are checked inside. */
static bool vct_dr_repeat(struct vct *t, struct vct_dr *dr, unsigned int rep)
{
	struct task_struct *storm;
	unsigned int i, started = 0;
	bool ran = true;

	if (!vct_dr_alloc(t, dr))
		return false;
	dr->next = 0;
	dr->storm_done = false;
	vc_init_irq_work_hard(&dr->work, vct_dr_free_batch);

	for (i = 0; i < ARRAY_SIZE(dr->th); i++) {
		struct vct_dr_thread *th = &dr->th[i];

		th->dr = dr;
		th->pending = -1;
		th->drains = 0;
		init_completion(&th->done);
		th->task = kthread_create(vct_dr_drainer, th, "vct_drain/%u", i);
		if (!VCT_CHECK(t, !IS_ERR(th->task))) {
			ran = false;
			break;
		}
		kthread_bind(th->task, i);
		wake_up_process(th->task);
		started++;
	}

	/* The frees, in hardirq on CPU 0, from a kthread bound there. */
	storm = kthread_create(vct_dr_storm, dr, "vct_drain_storm");
	if (VCT_CHECK(t, !IS_ERR(storm))) {
		kthread_bind(storm, 0);
		wake_up_process(storm);
	} else {
		while (dr->next < dr->nr)
			vcompound_free(dr->blocks[dr->next++]);
		/* As the storm's: lets the drainers end. */
		smp_store_release(&dr->storm_done, true);
		storm = NULL;
		ran = false;
	}

	for (i = 0; i < started; i++) {
		unsigned long left;

		left = wait_for_completion_timeout(&dr->th[i].done,
						   msecs_to_jiffies(VCT_DR_WAIT_MS));
		if (!VCT_CHECK(t, left)) {
			vct_diag(t, "repeat %u: drainer %u still draining after %u ms",
				 rep, i, VCT_DR_WAIT_MS);
			ran = false;
		}
	}
	for (i = 0; i < started; i++)
		kthread_stop(dr->th[i].task);
	if (storm)
		kthread_stop(storm);
	for (i = 0; ran && i < started; i++) {
		const struct vct_dr_thread *th = &dr->th[i];

		if (VCT_CHECK(t, th->pending == 0))
			continue;
		vct_diag(t, "repeat %u: drainer %u: %ld frees pending after vcompound_drain()",
			 rep, i, th->pending);
		vct_diag(t, "repeat %u: drainer %u drained %lu times during the frees",
			 rep, i, th->drains);
	}
	vcompound_drain();
	return ran;
}

static void vct_drain_concurrent(struct vct *t)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(VCT_DR_BUDGET_MS);
	struct vct_dr *dr;
	unsigned int rep;

	if (!cpu_online(0) || !cpu_online(1)) {
		t->skip = "needs CPUs 0 and 1 online";
		return;
	}
	dr = kzalloc(sizeof(*dr), GFP_KERNEL);
	if (!VCT_CHECK(t, dr))
		return;
	/* Each block with the guard page vmap() puts after it. */
	dr->nr = min_t(unsigned long, VCT_DR_BLOCKS,
		       vct_vmalloc_budget_pages() / ((1UL << VCT_DR_ORDER) + 1));
	if (dr->nr < VCT_DR_BLOCKS)
		vct_diag(t, "%u blocks a repeat: %lu KiB of vmalloc space",
			 dr->nr, vct_vmalloc_total_pages() << (PAGE_SHIFT - 10));
	if (!VCT_CHECK(t, dr->nr >= 2 * VCT_DR_BATCH))
		goto out;
	if (vct_set_fallback(t, true))
		goto out;
	for (rep = 0; rep < VCT_DR_REPEATS && !t->failed; rep++) {
		if (!vct_dr_repeat(t, dr, rep))
			break;
		if (time_after(jiffies, deadline)) {
			rep++;
			break;
		}
	}
	vct_diag(t, "%u repeats of %u order-%u hardirq frees against two drainers",
		 rep, dr->nr, VCT_DR_ORDER);
out:
	kfree(dr);
}

/*
 * mmap_pfnmap: a driver whose ->mmap() marks its VMA VM_PFNMAP and then
 * calls vcompound_mmap() gets -EINVAL (vm_insert_page() BUG()s on it).
 */
struct vct_pfn {
	void *block;
	int ret;
	bool called;
};

static int vct_pfn_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vct_pfn *p = file->private_data;

	vc_vm_flags_set(vma, VM_PFNMAP | VM_IO);
	p->ret = vcompound_mmap(vma, p->block, PAGE_SIZE);
	p->called = true;
	return p->ret;
}

static const struct file_operations vct_pfn_fops = {
	.owner = THIS_MODULE,
	.mmap = vct_pfn_mmap,
};

static void vct_mmap_pfnmap(struct vct *t)
{
	struct vct_pfn p = { .ret = 1 };
	struct file *file;
	unsigned long addr;

	if (!current->mm) {
		t->skip = "no user address space to map into";
		return;
	}
	p.block = vcompound_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	if (!VCT_CHECK(t, p.block))
		return;
	file = anon_inode_getfile("vct_pfnmap", &vct_pfn_fops, &p, O_RDWR);
	if (VCT_CHECK(t, !IS_ERR(file))) {
		addr = vm_mmap(file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
		VCT_CHECK(t, p.called);
		VCT_CHECK(t, p.ret == -EINVAL);
		if (!VCT_CHECK(t, IS_ERR_VALUE(addr)))
			vm_munmap(addr, PAGE_SIZE);
		else
			VCT_CHECK(t, (long)addr == -EINVAL);
		fput(file);
	}
	vct_free(t, p.block);
}

/*
 * atomic_reserve_zone: the atomic reserve's blocks are built with
 * GFP_KERNEL, so their pages may lie in any zone up to ZONE_NORMAL.  A
 * GFP_ATOMIC | GFP_DMA32 (or GFP_DMA) allocation that falls back must get
 * NULL rather than one of them, or a 32-bit device would be handed pages
 * above 4 GiB.  The guest's memory is all below 4 GiB, so the pages alone
 * would pass: the reserve_taken counter shows whether a reserve block was
 * handed out for a zone it was not built for.
 */
#define VCT_RZ_ORDER		2
#define VCT_RZ_WAIT_MS		10000

struct vct_rz_call {
	gfp_t gfp;
	void *addr;
};

static void vct_rz_alloc_fn(void *arg)
{
	struct vct_rz_call *c = arg;

	c->addr = vcompound_alloc(c->gfp, VCT_RZ_ORDER);
}

/* Every page of @addr lies in @zone or below it. */
static bool vct_rz_pages_in(struct vct *t, void *addr, enum zone_type zone)
{
	unsigned long i;

	for (i = 0; i < (1UL << VCT_RZ_ORDER); i++) {
		struct page *page = vcompound_nth_page(addr, i);

		if (page_zonenum(page) > zone) {
			vct_diag(t, "page %lu (pfn %#lx) is in zone %d, above %d",
				 i, page_to_pfn(page), page_zonenum(page), zone);
			return false;
		}
	}
	return true;
}

static void vct_rz_one(struct vct *t, gfp_t zone_gfp, const char *what)
{
	struct vct_rz_call c = {
		.gfp = GFP_ATOMIC | __GFP_NOWARN | zone_gfp,
	};
	unsigned int waited;

	/* A full reserve of the order, so that only the zone can refuse. */
	for (waited = 0; waited < VCT_RZ_WAIT_MS; waited += 20) {
		vct_snap(t);
		if (t->s0->order[VCT_RZ_ORDER].reserve_level > 0)
			break;
		msleep(20);
	}
	if (!VCT_CHECK(t, t->s0->order[VCT_RZ_ORDER].reserve_level > 0))
		return;
	VCT_CHECK(t, vct_run_in(VCT_SOFTIRQ, vct_rz_alloc_fn, &c));
	if (c.addr) {
		vct_diag(t, "%s from softirq: a block at %p, virtual %d", what,
			 c.addr, vcompound_is_virtual(c.addr));
		VCT_CHECK(t, vct_rz_pages_in(t, c.addr, gfp_zone(c.gfp)));
		vct_free(t, c.addr);
	}
	vct_resnap(t);
	if (!VCT_CHECK(t, vct_odelta(t, VCT_RZ_ORDER, reserve_taken) == 0))
		vct_diag(t, "%s: %lu block(s) of the GFP_KERNEL reserve handed out",
			 what, vct_odelta(t, VCT_RZ_ORDER, reserve_taken));
	/* always_fallback: nothing physical, and the reserve cannot serve. */
	VCT_CHECK(t, !c.addr);
	VCT_CHECK(t, vct_odelta(t, VCT_RZ_ORDER, failed) == 1);
}

static void vct_atomic_reserve_zone(struct vct *t)
{
	if (!IS_ENABLED(CONFIG_ZONE_DMA32) && !IS_ENABLED(CONFIG_ZONE_DMA)) {
		t->skip = "no zone below ZONE_NORMAL";
		return;
	}
	if (vct_set_fallback(t, true))
		return;
	if (IS_ENABLED(CONFIG_ZONE_DMA32))
		vct_rz_one(t, GFP_DMA32, "GFP_ATOMIC | GFP_DMA32");
	if (IS_ENABLED(CONFIG_ZONE_DMA))
		vct_rz_one(t, GFP_DMA, "GFP_ATOMIC | GFP_DMA");
}

/* The group's cases: these, then those of cases_review_*.c. */
void vct_review_cases(void (*run)(const char *name, void (*fn)(struct vct *t)))
{
	run("drain_concurrent", vct_drain_concurrent);
	run("mmap_pfnmap", vct_mmap_pfnmap);
	run("atomic_reserve_zone", vct_atomic_reserve_zone);
	vct_review_cpu_cases(run);
	vct_review_pages_cases(run);
}
