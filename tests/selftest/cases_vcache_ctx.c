// SPDX-License-Identifier: GPL-2.0
/*
 * vcache from every context: frees and atomic allocations, frees on
 * another CPU, and the shrinker.
 * Part of the vcache group: cases_vcache.c.
 */
#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/llist.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include "cases_vcache.h"

/* ---------------------------------------------------------- contexts -- */

static const struct {
	const char *name;
	enum vct_ctx ctx;
} vct_vc_ctxs[] = {
	{ "hardirq", VCT_HARDIRQ },
	{ "softirq", VCT_SOFTIRQ },
	{ "spin_lock_irqsave", VCT_SPINLOCK },
	{ "preempt_disabled", VCT_PREEMPT_OFF },
	{ "irqs_disabled", VCT_IRQS_OFF },
	{ "bh_disabled", VCT_BH_OFF },
	{ "rcu_read_lock", VCT_RCU },
};

struct vct_vc_batch {
	struct vcache *c;
	void **objs;
	unsigned int n;
};

static void vct_vc_free_batch(void *arg)
{
	struct vct_vc_batch *b = arg;
	unsigned int i;

	vcache_free(b->c, NULL);
	for (i = 0; i < b->n; i++)
		vcache_free(b->c, b->objs[i]);
}

static void vct_vc_alloc_batch(void *arg)
{
	struct vct_vc_batch *b = arg;
	unsigned int i;

	for (i = 0; i < b->n; i++)
		b->objs[i] = vcache_alloc(b->c, GFP_ATOMIC);
}

/*
 * Three slabs' worth of objects freed in one context: the CPU's object
 * cache overflows and slabs empty there, so slabs may be given back to
 * vcompound from that context too.
 */
static void vct_vc_free_ctx(struct vct *t)
{
	bool virt = vct_vc_virt(vct_vc_flags);
	const unsigned int size = 512;
	struct vct_vc_batch b = { };
	struct vcache_info info;
	unsigned int n;

	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	b.c = vcache_create("vct_free_ctx", size, 0, vct_vc_flags, NULL);
	if (!VCT_CHECK(t, b.c))
		return;
	vcache_get_info(b.c, &info);
	n = min_t(unsigned long, 3UL * info.objperslab + 1, 2048);
	b.objs = kvcalloc(n, sizeof(*b.objs), GFP_KERNEL);
	if (!VCT_CHECK(t, b.objs))
		goto out;
	if (VCT_CHECK(t, vct_vc_fill(t, b.c, b.objs, n, size, sizeof(void *),
				     virt))) {
		b.n = n;
		VCT_CHECK(t, vct_run_in(vct_vc_ctxs[vct_vc_row].ctx,
					vct_vc_free_batch, &b));
	} else {
		vct_vc_free_all(b.c, b.objs, n);
	}
	vcache_get_info(b.c, &info);
	VCT_CHECK(t, info.active_objs == 0);
	vct_vc_check_slabs(t, &info);
	vcache_shrink(b.c);
	vct_vc_check_empty(t, b.c);
	kvfree(b.objs);
out:
	vcache_destroy(b.c);
	vct_vc_check_released(t);
}

/*
 * GFP_ATOMIC from every context a driver may allocate in (vct_alloc_ctx()),
 * into fresh caches so that the slab is made there too; both kinds of cache
 * get physical slabs.  Freed in the row's own context.
 */
static void vct_vc_alloc_atomic(struct vct *t)
{
	static const unsigned long flags[] = { 0, VCACHE_VFALLBACK };
	const unsigned int size = 256;
	struct vct_vc_batch b = { };
	void *objs[8];
	struct vcache_info info;
	unsigned int k, f, i;

	vct_snap(t);
	for (k = 0; k < ARRAY_SIZE(vct_vc_ctxs); k++) {
		for (f = 0; f < ARRAY_SIZE(flags); f++) {
			b.c = vcache_create("vct_atomic", size, 0, flags[f],
					    NULL);
			if (!VCT_CHECK(t, b.c))
				continue;
			memset(objs, 0, sizeof(objs));
			b.objs = objs;
			b.n = ARRAY_SIZE(objs);
			VCT_CHECK(t, vct_run_in(vct_alloc_ctx(vct_vc_ctxs[k].ctx),
						vct_vc_alloc_batch, &b));
			for (i = 0; i < b.n; i++) {
				if (!VCT_CHECK(t, objs[i] &&
					       vct_vc_in_slab(objs[i], size) &&
					       !vcompound_is_virtual(objs[i])))
					break;
				memset(objs[i], 0x3c, size);
			}
			if (i < b.n)
				vct_diag(t, "%s, flags %#lx",
					 vct_vc_ctxs[k].name, flags[f]);
			vcache_get_info(b.c, &info);
			VCT_CHECK(t, info.physical_slabs >= 1);
			VCT_CHECK(t, vct_run_in(vct_vc_ctxs[k].ctx,
						vct_vc_free_batch, &b));
			vcache_get_info(b.c, &info);
			VCT_CHECK(t, info.active_objs == 0);
			vcache_destroy(b.c);
		}
	}
	vct_vc_check_released(t);
}

/* --------------------------------------------------------- cross-CPU -- */

#define VCT_XCPU_OBJS	100000U
#define VCT_XCPU_AHEAD	4096	/* objects in flight at most */

struct vct_xobj {
	struct llist_node node;
	u32 seq;
	u32 cpu;
	u8 fill[48];
};

/* Static: the threads use it. */
static struct {
	struct vcache *c;
	bool virt;
	unsigned int cpu[2];		/* producer's, consumer's */
	struct llist_head queue;
	atomic_t produced;
	atomic_t consumed;
	bool producer_done;
	bool alloc_failed;
	unsigned int wrong_cpu[2];
	unsigned int wrong_kind;
	unsigned int corrupt;
	struct completion done[2];
} vct_xcpu;

static int vct_xcpu_producer(void *unused)
{
	struct vct_xobj *o;
	u32 i;

	for (i = 0; i < VCT_XCPU_OBJS; i++) {
		while (atomic_read(&vct_xcpu.produced) -
		       atomic_read(&vct_xcpu.consumed) >= VCT_XCPU_AHEAD)
			usleep_range(10, 50);
		o = vcache_alloc(vct_xcpu.c, GFP_KERNEL);
		if (!o) {
			vct_xcpu.alloc_failed = true;
			break;
		}
		if (raw_smp_processor_id() != vct_xcpu.cpu[0])
			vct_xcpu.wrong_cpu[0]++;
		if (vcompound_is_virtual(o) != vct_xcpu.virt)
			vct_xcpu.wrong_kind++;
		o->seq = i;
		o->cpu = vct_xcpu.cpu[0];
		memset(o->fill, (u8)i, sizeof(o->fill));
		atomic_inc(&vct_xcpu.produced);
		llist_add(&o->node, &vct_xcpu.queue);
		cond_resched();
	}
	/* Orders every llist_add() above before the flag. */
	smp_store_release(&vct_xcpu.producer_done, true);
	complete(&vct_xcpu.done[0]);
	return 0;
}

static int vct_xcpu_consumer(void *unused)
{
	struct llist_node *list;
	struct vct_xobj *o, *next;
	bool last;

	for (;;) {
		/* Pairs with the producer's smp_store_release(). */
		last = smp_load_acquire(&vct_xcpu.producer_done);
		list = llist_del_all(&vct_xcpu.queue);
		if (!list) {
			if (last)
				break;
			usleep_range(10, 50);
			continue;
		}
		if (raw_smp_processor_id() != vct_xcpu.cpu[1])
			vct_xcpu.wrong_cpu[1]++;
		llist_for_each_entry_safe(o, next, list, node) {
			if (o->cpu != vct_xcpu.cpu[0] ||
			    memchr_inv(o->fill, (u8)o->seq, sizeof(o->fill)))
				vct_xcpu.corrupt++;
			vcache_free(vct_xcpu.c, o);
			atomic_inc(&vct_xcpu.consumed);
		}
		cond_resched();
	}
	complete(&vct_xcpu.done[1]);
	return 0;
}

/*
 * A kthread bound to one CPU allocates, another bound to a second CPU
 * frees, up to VCT_XCPU_AHEAD objects in flight: every object moves
 * between the CPUs' object caches and the slabs.
 */
static void vct_vc_cross_cpu(struct vct *t)
{
	static int (* const fns[2])(void *) = {
		vct_xcpu_producer, vct_xcpu_consumer,
	};
	bool virt = vct_vc_virt(vct_vc_flags);
	struct task_struct *task[2] = { };
	struct vcache_info info;
	unsigned int k;

	if (num_online_cpus() < 2) {
		t->skip = "needs 2 online CPUs";
		return;
	}
	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	memset(&vct_xcpu, 0, sizeof(vct_xcpu));
	vct_xcpu.virt = virt;
	vct_xcpu.cpu[0] = cpumask_first(cpu_online_mask);
	vct_xcpu.cpu[1] = cpumask_next(vct_xcpu.cpu[0], cpu_online_mask);
	init_llist_head(&vct_xcpu.queue);
	vct_xcpu.c = vcache_create("vct_cross_cpu", sizeof(struct vct_xobj),
				   0, vct_vc_flags, NULL);
	if (!VCT_CHECK(t, vct_xcpu.c))
		return;
	for (k = 0; k < 2; k++) {
		init_completion(&vct_xcpu.done[k]);
		task[k] = kthread_create(fns[k], NULL, "vct_xcpu/%u",
					 vct_xcpu.cpu[k]);
		if (!VCT_CHECK(t, !IS_ERR(task[k]))) {
			task[k] = NULL;
			break;
		}
		get_task_struct(task[k]);
		kthread_bind(task[k], vct_xcpu.cpu[k]);
	}
	if (!task[0] || !task[1]) {
		/* Never woken: kthread_stop() ends them before fns[] run. */
		for (k = 0; k < 2; k++) {
			if (task[k]) {
				kthread_stop(task[k]);
				put_task_struct(task[k]);
			}
		}
		goto out;
	}
	for (k = 0; k < 2; k++)
		wake_up_process(task[k]);
	for (k = 0; k < 2; k++) {
		wait_for_completion(&vct_xcpu.done[k]);
		kthread_stop(task[k]);
		put_task_struct(task[k]);
	}
	VCT_CHECK(t, !vct_xcpu.alloc_failed);
	VCT_CHECK(t, atomic_read(&vct_xcpu.produced) == VCT_XCPU_OBJS);
	VCT_CHECK(t, atomic_read(&vct_xcpu.consumed) == VCT_XCPU_OBJS);
	VCT_CHECK(t, !vct_xcpu.wrong_cpu[0] && !vct_xcpu.wrong_cpu[1]);
	VCT_CHECK(t, !vct_xcpu.wrong_kind);
	VCT_CHECK(t, !vct_xcpu.corrupt);
	vct_diag(t, "%d objects allocated on CPU %u and freed on CPU %u",
		 atomic_read(&vct_xcpu.consumed), vct_xcpu.cpu[0],
		 vct_xcpu.cpu[1]);
	vcache_get_info(vct_xcpu.c, &info);
	VCT_CHECK(t, info.active_objs == 0);
	vct_vc_check_slabs(t, &info);
	vcache_shrink(vct_xcpu.c);
	vct_vc_check_empty(t, vct_xcpu.c);
out:
	vcache_destroy(vct_xcpu.c);
	vct_xcpu.c = NULL;
	vct_vc_check_released(t);
}

/* ------------------------------------------------------------ shrink -- */

#define VCT_SHRINK_BYTES	(128U << 20)
#define VCT_SHRINK_SIZE		4000U
#define VCT_SHRINK_WAIT_MS	5000

/*
 * 128 MiB of objects, all freed, then vcache_shrink(): no slab is left,
 * vcompound took every block back, and free memory rose by at least 90 %
 * of the slab pages the objects had used.
 *
 * Freed order-0 to order-3 pages first go to the per-CPU page lists, which
 * NR_FREE_PAGES leaves out: with auto-tuned list sizes (6.7+) they held
 * 20-50 MiB of the 128 MiB in a 1 GiB guest, and how soon the kernel
 * drains idle lists depends on how busy the host is (a loaded CI machine
 * missed a 20 s wait).  So free memory here is NR_FREE_PAGES plus the
 * per-CPU lists.  vm_unmap_aliases() purges lazily freed vmap areas first,
 * which gives back KASAN_VMALLOC's shadow of the virtual slabs.  The free
 * count is still polled briefly; the 10 % margin is for whatever the
 * kernel allocates meanwhile.
 *
 * The virtual kind maps its slabs in vmalloc space, of which i386 has 120
 * MiB: there the objects fill what vct_vmalloc_budget_pages() allows.
 */
static void vct_vc_shrink(struct vct *t)
{
	bool virt = vct_vc_virt(vct_vc_flags);
	unsigned long full_pages, kept_pages, free0, waited = 0;
	unsigned long bytes = VCT_SHRINK_BYTES;
	struct vcache_info info;
	struct vcache *c;
	unsigned int n;
	void **objs;
	long gained;

	if (virt && vct_vmalloc_budget_pages() < bytes >> PAGE_SHIFT) {
		bytes = vct_vmalloc_budget_pages() << PAGE_SHIFT;
		vct_diag(t, "%lu KiB of objects: %lu KiB of vmalloc space",
			 bytes >> 10,
			 vct_vmalloc_total_pages() << (PAGE_SHIFT - 10));
	}
	n = bytes / VCT_SHRINK_SIZE;
	if (!VCT_CHECK(t, n))
		return;
	if (vct_set_fallback(t, virt))
		return;
	vct_snap(t);
	c = vcache_create("vct_shrink", VCT_SHRINK_SIZE, 0, vct_vc_flags,
			  NULL);
	if (!VCT_CHECK(t, c))
		return;
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!VCT_CHECK(t, objs))
		goto out;
	if (!VCT_CHECK(t, vct_vc_fill(t, c, objs, n, VCT_SHRINK_SIZE,
				      sizeof(void *), virt))) {
		vct_vc_free_all(c, objs, n);
		goto out_free;
	}
	vcache_get_info(c, &info);
	vct_vc_check_kind(t, &info, virt);
	vct_vc_check_slabs(t, &info);
	full_pages = info.slab_pages;

	free0 = vct_free_pages();
	vct_vc_free_all(c, objs, n);
	vcache_get_info(c, &info);
	VCT_CHECK(t, info.active_objs == 0);
	kept_pages = info.slab_pages;
	vcache_shrink(c);
	vct_resnap(t);

	vct_vc_check_empty(t, c);
	VCT_CHECK(t, t->s1->outstanding_physical ==
		     t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	VCT_CHECK(t, vct_vc_blocks(t, true) == vct_vc_blocks(t, false));
	vm_unmap_aliases();
	for (;;) {
		gained = (long)(vct_free_pages() - free0);
		if (gained >= (long)(full_pages / 10 * 9) ||
		    waited >= VCT_SHRINK_WAIT_MS)
			break;
		msleep(100);
		waited += 100;
	}
	VCT_CHECK(t, gained >= (long)(full_pages / 10 * 9));
	vct_diag(t, "%lu slab pages, %lu left after the frees; free pages +%ld after %lu ms",
		 full_pages, kept_pages, gained, waited);
out_free:
	kvfree(objs);
out:
	vcache_destroy(c);
	vct_vc_check_released(t);
}

void vct_vcache_ctx_cases(void (*run)(const char *name,
				      void (*fn)(struct vct *t)))
{
	unsigned int k;

	for (k = 0; k < 2; k++) {
		vct_vc_flags = vct_vc_kinds[k].flags;
		for (vct_vc_row = 0; vct_vc_row < ARRAY_SIZE(vct_vc_ctxs);
		     vct_vc_row++) {
			snprintf(vct_vc_name, sizeof(vct_vc_name),
				 "vcache_free_%s_%s",
				 vct_vc_ctxs[vct_vc_row].name,
				 vct_vc_kinds[k].name);
			run(vct_vc_name, vct_vc_free_ctx);
		}
	}
	run("vcache_alloc_atomic_every_context", vct_vc_alloc_atomic);
	vct_vc_run_kinds(run, "vcache_cross_cpu", vct_vc_cross_cpu, 2);
	vct_vc_run_kinds(run, "vcache_shrink", vct_vc_shrink, 2);
}
