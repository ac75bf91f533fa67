// SPDX-License-Identifier: GPL-2.0
/*
 * The atomic reserve: pre-built virtual blocks for callers that cannot
 * sleep.  vmap() sleeps, so a GFP_ATOMIC or GFP_NOWAIT allocation whose
 * physical attempt fails has no fallback of its own; it takes a block that
 * a work item built earlier in process context instead.  The work item
 * tops each order's reserve up to its target whenever a take leaves it
 * below its low watermark (three quarters of the target, rounded up).
 *
 * Reserve blocks are built zeroed and are never reused: a block taken from
 * the reserve is an ordinary virtual block from then on, freed like any
 * other, so __GFP_ZERO costs nothing at take time.  Until it is taken a
 * block is parked (VC_VB_PARKED): lookups do not find it, and a stale
 * free of an address it was mapped at (after the area's earlier owner
 * freed it) cannot claim it; it is a bad free.  The take makes it live.
 *
 * Targets come from the "reserve" module parameter, "ORDER:COUNT,..."; the
 * memory held is the sum of COUNT << ORDER pages (plus page tables and a
 * descriptor per block).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/llist.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stringify.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "vcompound_internal.h"

/* vc_reserves[] is indexed by order; order 0 has no reserve. */
#define VC_RESERVE_ORDERS	(VC_RESERVE_MAX_ORDER + 1)
/* Keeps a typo in the parameter from pinning much memory. */
#define VC_RESERVE_MAX_BLOCKS	1024U

struct vc_reserve {
	struct llist_head blocks;
	/* llist_del_first() needs its callers serialised; takes are atomic */
	raw_spinlock_t take_lock;
	atomic_t count;
	unsigned int target;
};

/* The default: 2 blocks each of orders 1-4, 240 KiB with 4 KiB pages. */
static struct vc_reserve vc_reserves[VC_RESERVE_ORDERS] = {
	[1 ... 4] = { .target = 2 },
};

static DEFINE_MUTEX(vc_reserve_param_lock);
static void vc_reserve_refill(struct work_struct *work);
static DECLARE_WORK(vc_reserve_work, vc_reserve_refill);
static bool vc_reserve_live;	/* the work may run; under the param lock */

/*
 * Blocks in @r.  The count trails the list: a take may pop a block that a
 * refill has added but not counted yet, and the count is then -1 for a
 * moment.  An int compared with an unsigned target would read that as
 * 4294967295 blocks; clamp it to the empty reserve it stands for.
 */
static unsigned int vc_reserve_count(struct vc_reserve *r)
{
	int count = atomic_read(&r->count);

	return count > 0 ? count : 0;
}

static unsigned int vc_reserve_low(unsigned int target)
{
	return DIV_ROUND_UP(target * 3, 4);
}

static struct vc_vblock *vc_reserve_pop(struct vc_reserve *r)
{
	struct llist_node *node;
	unsigned long flags;

	raw_spin_lock_irqsave(&r->take_lock, flags);
	node = llist_del_first(&r->blocks);
	raw_spin_unlock_irqrestore(&r->take_lock, flags);
	if (!node)
		return NULL;
	atomic_dec(&r->count);
	return llist_entry(node, struct vc_vblock, defer_node);
}

/**
 * vc_reserve_take - a pre-built, zeroed virtual block of @order, or NULL
 * @order: block size
 *
 * Context: Any context but NMI.
 * Return: the block's descriptor; it counts as allocated from now on.
 */
struct vc_vblock *vc_reserve_take(unsigned int order)
{
	struct vc_reserve *r;
	struct vc_vblock *vb;

	if (order >= VC_RESERVE_ORDERS)
		return NULL;
	r = &vc_reserves[order];
	vb = vc_reserve_pop(r);
	if (vb) {
		/* Ours alone, as nothing could claim it while parked. */
		vc_vblock_set_kind(vb, VC_VB_LIVE);
		vc_count(reserve_taken[order]);
	} else {
		vc_count(reserve_empty[order]);
	}
	if (vc_reserve_count(r) < vc_reserve_low(READ_ONCE(r->target)) &&
	    READ_ONCE(vc_reserve_live))
		queue_work(system_unbound_wq, &vc_reserve_work);
	return vb;
}

/* Tops every reserve up to its target and trims those above it. */
static void vc_reserve_refill(struct work_struct *work)
{
	unsigned int o;

	for (o = 0; o < VC_RESERVE_ORDERS; o++) {
		struct vc_reserve *r = &vc_reserves[o];
		struct vc_vblock *vb;

		while (vc_reserve_count(r) > READ_ONCE(r->target)) {
			vb = vc_reserve_pop(r);
			if (!vb)
				break;
			vc_vblock_release(vb);
		}
		while (vc_reserve_count(r) < READ_ONCE(r->target) &&
		       READ_ONCE(vc_reserve_live)) {
			vb = vc_vblock_build(GFP_KERNEL | __GFP_ZERO |
					     __GFP_NOWARN, o, 1UL << o,
					     NUMA_NO_NODE, true);
			if (!vb)
				break;	/* the next take queues another try */
			llist_add(&vb->defer_node, &r->blocks);
			atomic_inc(&r->count);
			vc_count(reserve_built[o]);
		}
		cond_resched();
	}
}

/*
 * "ORDER:COUNT,ORDER:COUNT"; orders not named get 0.  All the reserves
 * together may hold at most a quarter of RAM.  A value refused is -EINVAL,
 * with one line saying why, at load as at run time.
 */
static int vc_reserve_parse(const char *val, unsigned int *targets)
{
	unsigned long pages = 0;
	char *buf, *p, *item;
	int ret = 0;

	buf = kstrdup(val, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memset(targets, 0, VC_RESERVE_ORDERS * sizeof(*targets));
	p = strim(buf);
	/* An empty value empties every reserve; an empty item is an error. */
	if (!*p)
		p = NULL;
	while (p) {
		unsigned int order, count;
		char *colon;
		int len;

		ret = -EINVAL;
		item = strsep(&p, ",");
		len = strlen(item);
		colon = strchr(item, ':');
		if (colon)
			*colon = '\0';
		if (!colon || kstrtouint(item, 10, &order) ||
		    kstrtouint(colon + 1, 10, &count)) {
			if (colon)
				*colon = ':';
			/* Escaped: the reason stays one line. */
			pr_warn("vcompound: reserve rejected: '%*pE' is not ORDER:COUNT\n",
				len, item);
			break;
		}
		if (!order || order >= VC_RESERVE_ORDERS) {
			pr_warn("vcompound: reserve rejected: order %u out of range 1-%u\n",
				order, VC_RESERVE_MAX_ORDER);
			break;
		}
		if (count > VC_RESERVE_MAX_BLOCKS) {
			pr_warn("vcompound: reserve rejected: count %u of order %u above the limit of %u blocks\n",
				count, order, VC_RESERVE_MAX_BLOCKS);
			break;
		}
		ret = 0;
		targets[order] = count;
		pages += (unsigned long)count << order;
	}
	kfree(buf);
	if (!ret && pages > totalram_pages() / 4) {
		pr_warn("vcompound: reserve rejected: %lu KiB in all, above the cap of a quarter of RAM (%lu KiB)\n",
			pages << (PAGE_SHIFT - 10),
			(totalram_pages() / 4) << (PAGE_SHIFT - 10));
		ret = -EINVAL;
	}
	return ret;
}

static int vc_reserve_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int targets[VC_RESERVE_ORDERS];
	unsigned int o;
	int ret;

	ret = vc_reserve_parse(val, targets);
	if (ret)
		return ret;
	mutex_lock(&vc_reserve_param_lock);
	for (o = 0; o < VC_RESERVE_ORDERS; o++)
		WRITE_ONCE(vc_reserves[o].target, targets[o]);
	if (vc_reserve_live)
		queue_work(system_unbound_wq, &vc_reserve_work);
	mutex_unlock(&vc_reserve_param_lock);
	return 0;
}

static int vc_reserve_param_get(char *buffer, const struct kernel_param *kp)
{
	unsigned int o;
	int len = 0;

	for (o = 0; o < VC_RESERVE_ORDERS; o++) {
		unsigned int target = READ_ONCE(vc_reserves[o].target);

		if (target)
			len += scnprintf(buffer + len, PAGE_SIZE - len, "%s%u:%u",
					 len ? "," : "", o, target);
	}
	len += scnprintf(buffer + len, PAGE_SIZE - len, "\n");
	return len;
}

static const struct kernel_param_ops vc_reserve_param_ops = {
	.set = vc_reserve_param_set,
	.get = vc_reserve_param_get,
};

module_param_cb(reserve, &vc_reserve_param_ops, NULL, 0644);
__MODULE_PARM_TYPE(reserve, "string");
MODULE_PARM_DESC(reserve,
		 "pre-built virtual blocks for atomic allocations: ORDER:COUNT,... with ORDER 1-"
		 __stringify(VC_RESERVE_MAX_ORDER)
		 ", COUNT <= 1024, at most 1/4 of RAM in all (default 1:2,2:2,3:2,4:2, 240 KiB with 4 KiB pages; empty: none)");

/**
 * vc_reserve_level - blocks in, and target of, the reserve of @order
 * @order: block size
 * @target: set to the target
 *
 * Return: the number of blocks in the reserve now.
 */
unsigned int vc_reserve_level(unsigned int order, unsigned int *target)
{
	if (order >= VC_RESERVE_ORDERS) {
		*target = 0;
		return 0;
	}
	*target = READ_ONCE(vc_reserves[order].target);
	return vc_reserve_count(&vc_reserves[order]);
}

void vc_reserve_init(void)
{
	unsigned int o;

	for (o = 0; o < VC_RESERVE_ORDERS; o++) {
		init_llist_head(&vc_reserves[o].blocks);
		raw_spin_lock_init(&vc_reserves[o].take_lock);
	}
	mutex_lock(&vc_reserve_param_lock);
	vc_reserve_live = true;
	queue_work(system_unbound_wq, &vc_reserve_work);
	mutex_unlock(&vc_reserve_param_lock);
}

/* Stops the refills and gives every reserved block back. */
void vc_reserve_exit(void)
{
	struct vc_vblock *vb;
	unsigned int o;

	mutex_lock(&vc_reserve_param_lock);
	WRITE_ONCE(vc_reserve_live, false);
	mutex_unlock(&vc_reserve_param_lock);
	cancel_work_sync(&vc_reserve_work);
	for (o = 0; o < VC_RESERVE_ORDERS; o++)
		while ((vb = vc_reserve_pop(&vc_reserves[o])))
			vc_vblock_release(vb);
}
