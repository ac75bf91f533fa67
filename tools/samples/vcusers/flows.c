// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound_users' flow table: a hash table whose buckets fill one
 * vcompound block, and its flows, from a vcache with VCACHE_VFALLBACK.
 */
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>

#include <vcache.h>
#include <vcompound.h>

#include "users.h"

/* A flow, from the vcache below: what the hash table's chains link. */
struct vcu_flow {
	struct hlist_node node;
	u64 key;
	u64 val;
};

static struct vcache *vcu_flows;	/* VCACHE_VFALLBACK: large slabs */
static unsigned long vcu_keys;		/* keys 1 .. vcu_keys are inserted */

/* The n-th key (n >= 1) and its value: spread out. */
static u64 vcu_key(unsigned long n)
{
	return (u64)n * 0x9e3779b97f4a7c15ULL;
}

static u64 vcu_val(u64 key)
{
	return key ^ 0x5a5aa5a5f00fULL;
}

static struct vcu_flow *vcu_find(struct vcu_table *t, u64 key)
{
	struct vcu_flow *f;

	hlist_for_each_entry(f, &t->buckets[hash_64(key, t->bits)], node)
		if (f->key == key)
			return f;
	return NULL;
}

static bool vcu_insert(struct vcu_table *t, u64 key, u64 val)
{
	struct vcu_flow *f = vcu_find(t, key);

	if (!f) {
		f = vcache_alloc(vcu_flows, GFP_KERNEL);
		if (!f)
			return false;
		f->key = key;
		hlist_add_head(&f->node, &t->buckets[hash_64(key, t->bits)]);
		t->count++;
	}
	f->val = val;
	return true;
}

/* An empty table (zeroed: every chain empty) of @order pages. */
bool vcu_table_init(struct vcu_table *t, unsigned int order)
{
	t->buckets = vcompound_alloc(GFP_KERNEL | __GFP_ZERO, order);
	if (!t->buckets)
		return false;
	t->order = order;
	t->bits = ilog2((PAGE_SIZE << order) / sizeof(struct hlist_head));
	t->count = 0;
	return true;
}

/* Moves every flow of @old into the empty table @new, as a resize does. */
bool vcu_rehash(struct vcu_table *new, struct vcu_table *old)
{
	struct hlist_node *tmp;
	struct vcu_flow *f;
	unsigned long i;

	for (i = 0; i < (1UL << old->bits); i++) {
		hlist_for_each_entry_safe(f, tmp, &old->buckets[i], node) {
			hlist_del(&f->node);
			hlist_add_head(&f->node,
				       &new->buckets[hash_64(f->key, new->bits)]);
			new->count++;
			old->count--;
		}
	}
	return !old->count;
}

/* Frees every flow of @t. */
void vcu_table_empty(struct vcu_table *t)
{
	struct hlist_node *tmp;
	struct vcu_flow *f;
	unsigned long i;

	for (i = 0; t->buckets && i < (1UL << t->bits); i++) {
		hlist_for_each_entry_safe(f, tmp, &t->buckets[i], node) {
			hlist_del(&f->node);
			vcache_free(vcu_flows, f);
		}
	}
	t->count = 0;
}

/*
 * Inserts the keys of this phase, then looks up every key inserted so far
 * and the next ones, which must not be there.
 */
bool vcu_table_work(struct vcu_table *t, unsigned long limit)
{
	unsigned long n, missing = 0, wrong = 0, phantom = 0;
	struct vcu_flow *f;

	for (n = vcu_keys + 1; n <= limit; n++)
		if (!vcu_insert(t, vcu_key(n), vcu_val(vcu_key(n))))
			break;
	vcu_keys = n - 1;
	for (n = 1; n <= vcu_keys; n++) {
		f = vcu_find(t, vcu_key(n));
		if (!f)
			missing++;
		else if (f->val != vcu_val(vcu_key(n)))
			wrong++;
	}
	for (n = vcu_keys + 1; n <= vcu_keys + 1000; n++)
		phantom += !!vcu_find(t, vcu_key(n));
	vcu_diag("table: %lu KiB %s, %lu buckets, %lu flows",
		 (PAGE_SIZE << t->order) >> 10, vcu_kind(t->buckets),
		 1UL << t->bits, t->count);
	vcu_diag("table: lookups: %lu missing, %lu wrong, %lu absent keys found",
		 missing, wrong, phantom);
	return vcu_keys == limit && t->count == limit && !missing && !wrong &&
	       !phantom;
}

/*
 * The flow cache's slabs: @phys and @virt, when not NULL, get the numbers
 * of live physical and virtual slabs.  Returns the pages a slab takes.
 */
unsigned int vcu_slabs(unsigned long *phys, unsigned long *virt)
{
	struct vcache_info info;

	vcache_get_info(vcu_flows, &info);
	vcu_diag("flow cache: %lu flows in %lu physical and %lu virtual slabs of %u pages",
		 info.active_objs, info.physical_slabs, info.virtual_slabs,
		 info.pagesperslab);
	*phys = info.physical_slabs;
	*virt = info.virtual_slabs;
	return info.pagesperslab;
}

/* The flows' cache; its slabs are large and may be virtual too. */
bool vcu_flows_create(void)
{
	vcu_flows = vcache_create("vcusers_flow", sizeof(struct vcu_flow), 0,
				  VCACHE_VFALLBACK, NULL);
	return vcu_flows;
}

void vcu_flows_destroy(void)
{
	vcache_destroy(vcu_flows);
}
