// SPDX-License-Identifier: GPL-2.0
/*
 * The atomic reserve: GFP_ATOMIC/GFP_NOWAIT allocations that cannot be
 * served physically take a pre-built virtual block, from hardirq and
 * softirq too; an empty reserve fails and is counted; the "reserve"
 * parameter is validated; and takes racing with drains and refills hand
 * out nothing but whole, zeroed blocks.  always_fallback makes every
 * physical attempt "fail", which is how these cases reach the reserve.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vct.h"

#define VCT_AT_ORDER		2
#define VCT_AT_RACE_ROUNDS	400
#define VCT_AT_RACE_MS		1000
/* Counts and orders within their limits, 6 GiB in all with 4 KiB pages. */
#define VCT_AT_ABOVE_CAP	"9:1024,10:1024"
#define VCT_AT_ABOVE_CAP_PAGES	((1024UL << 9) + (1024UL << 10))

static char vct_at_saved[128];

/* Saves the reserve parameter, then sets it and waits for the refill. */
static bool vct_at_begin(struct vct *t, const char *reserve, long want)
{
	if (!VCT_CHECK(t, !vct_param_get_reserve(vct_at_saved,
						 sizeof(vct_at_saved))))
		return false;
	if (!VCT_CHECK(t, !vct_param_set_reserve(reserve)))
		return false;
	return VCT_CHECK(t, vct_reserve_wait(t, VCT_AT_ORDER, want));
}

static void vct_at_end(struct vct *t)
{
	VCT_CHECK(t, !vct_param_set_reserve(vct_at_saved));
}

static bool vct_at_all_zero(const void *addr, size_t len)
{
	return !memchr_inv(addr, 0, len);
}

struct vct_at_call {
	gfp_t gfp;
	unsigned int order;
	void *addr;
	bool free_there;	/* free it in the same context, after checks */
	bool zero;		/* what the context saw, if it freed */
};

static void vct_at_alloc_fn(void *arg)
{
	struct vct_at_call *c = arg;

	c->addr = vcompound_alloc(c->gfp, c->order);
	if (c->free_there && c->addr) {
		c->zero = vct_at_all_zero(c->addr, PAGE_SIZE << c->order) &&
			  vcompound_is_virtual(c->addr) &&
			  vcompound_order(c->addr) == c->order;
		vct_free_atomic(c->addr);
	}
}

/* A GFP_ATOMIC block from @ctx comes from the reserve, whole and zeroed. */
static void vct_at_from(struct vct *t, enum vct_ctx ctx)
{
	struct vct_at_call c = { .gfp = GFP_ATOMIC, .order = VCT_AT_ORDER };

	if (vct_set_fallback(t, true) || !vct_at_begin(t, "2:2", 2))
		goto out;
	vct_snap(t);
	VCT_CHECK(t, vct_run_in(ctx, vct_at_alloc_fn, &c));
	if (VCT_CHECK(t, c.addr)) {
		VCT_CHECK(t, vcompound_is_virtual(c.addr));
		VCT_CHECK(t, vcompound_order(c.addr) == VCT_AT_ORDER);
		VCT_CHECK(t, vct_at_all_zero(c.addr, PAGE_SIZE << VCT_AT_ORDER));
		VCT_CHECK(t, vct_pattern_check(t, c.addr, VCT_AT_ORDER));
		vct_free(t, c.addr);
	}
	/* Freed where it was taken: a deferred free for hardirq. */
	c.free_there = true;
	c.addr = NULL;
	VCT_CHECK(t, vct_run_in(ctx, vct_at_alloc_fn, &c));
	VCT_CHECK(t, c.addr && c.zero);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, VCT_AT_ORDER, reserve_taken) == 2);
	VCT_CHECK(t, vct_odelta(t, VCT_AT_ORDER, virtual) == 2);
	VCT_CHECK(t, vct_odelta(t, VCT_AT_ORDER, failed) == 0);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	/* The work item tops the reserve up again. */
	VCT_CHECK(t, vct_reserve_wait(t, VCT_AT_ORDER, 2));
out:
	vct_at_end(t);
}

static void vct_at_hardirq(struct vct *t)
{
	vct_at_from(t, VCT_HARDIRQ);
}

static void vct_at_softirq(struct vct *t)
{
	vct_at_from(t, VCT_SOFTIRQ);
}

/* An empty reserve: NULL, counted as empty and failed. */
static void vct_at_empty(struct vct *t)
{
	struct vct_at_call c = { .gfp = GFP_ATOMIC | __GFP_NOWARN,
				 .order = VCT_AT_ORDER };

	if (vct_set_fallback(t, true) || !vct_at_begin(t, "2:0", 0))
		goto out;
	/* "2:0" empties every order; the worker trims them one by one. */
	if (!VCT_CHECK(t, vct_reserve_wait(t, 3, 0)))
		goto out;
	vct_snap(t);
	VCT_CHECK(t, vct_run_in(VCT_HARDIRQ, vct_at_alloc_fn, &c));
	VCT_CHECK(t, !c.addr);
	vct_free(t, c.addr);
	VCT_CHECK(t, !vcompound_alloc(GFP_NOWAIT | __GFP_NOWARN, 3));
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, VCT_AT_ORDER, reserve_empty) == 1);
	VCT_CHECK(t, vct_odelta(t, VCT_AT_ORDER, failed) == 1);
	VCT_CHECK(t, vct_odelta(t, 3, reserve_empty) == 1);
	VCT_CHECK(t, vct_odelta(t, 3, failed) == 1);
out:
	vct_at_end(t);
}

/* Callers that may sleep build their own block: the reserve is untouched. */
static void vct_at_blocking(struct vct *t)
{
	void *addr;

	if (vct_set_fallback(t, true) || !vct_at_begin(t, "2:2", 2))
		goto out;
	vct_snap(t);
	addr = vcompound_alloc(GFP_KERNEL, VCT_AT_ORDER);
	VCT_CHECK(t, addr && vcompound_is_virtual(addr));
	vct_free(t, addr);
	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, VCT_AT_ORDER, reserve_taken) == 0);
	VCT_CHECK(t, vct_reserve_level(VCT_AT_ORDER) == 2);
out:
	vct_at_end(t);
}

/* Bad values are refused and leave the parameter as it was. */
static void vct_at_param(struct vct *t)
{
	static const char *const bad[] = {
		"0:1", "11:1", "2:1025", "2", "2:", ":2", "a:b", "2:-1",
		"2:1,", "2:1,,3:1", "3:1000000", "2:1 3:1", "2\n3:1",
		"18446744073709551617:1",
	};
	char now[128];
	unsigned int i;

	if (!VCT_CHECK(t, !vct_param_get_reserve(vct_at_saved,
						 sizeof(vct_at_saved))))
		return;
	VCT_CHECK(t, !vct_param_set_reserve("1:1,3:2"));
	VCT_CHECK(t, !vct_param_get_reserve(now, sizeof(now)));
	VCT_CHECK(t, !strcmp(now, "1:1,3:2"));
	/* An empty value (a bare newline from echo) empties every reserve. */
	VCT_CHECK(t, !vct_param_set_reserve("\n"));
	VCT_CHECK(t, !vct_param_get_reserve(now, sizeof(now)));
	VCT_CHECK(t, !strcmp(now, ""));
	VCT_CHECK(t, !vct_param_set_reserve("1:1,3:2"));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = vct_param_set_reserve(bad[i]);

		if (!VCT_CHECK(t, ret == -EINVAL))
			vct_diag(t, "\"%s\" gave %d", bad[i], ret);
		VCT_CHECK(t, !vct_param_get_reserve(now, sizeof(now)));
		VCT_CHECK(t, !strcmp(now, "1:1,3:2"));
	}
	/* Each item within its limits, all of them above a quarter of RAM. */
	if (VCT_CHECK(t, VCT_AT_ABOVE_CAP_PAGES > totalram_pages() / 4)) {
		VCT_CHECK(t, vct_param_set_reserve(VCT_AT_ABOVE_CAP) == -EINVAL);
		VCT_CHECK(t, !vct_param_get_reserve(now, sizeof(now)));
		VCT_CHECK(t, !strcmp(now, "1:1,3:2"));
	}
	vct_at_end(t);
}

/* Flips the reserve of VCT_AT_ORDER between full and empty. */
static int vct_at_flipper(void *arg)
{
	unsigned long *flips = arg;

	while (!kthread_should_stop()) {
		vct_param_set_reserve((*flips & 1) ? "2:0" : "2:8");
		WRITE_ONCE(*flips, *flips + 1);
		usleep_range(200, 400);
	}
	return 0;
}

/*
 * Takes from hardirq while another thread drains and refills the reserve:
 * every take is NULL or a whole zeroed block, every one is counted once,
 * and nothing is left over.
 */
static void vct_at_race(struct vct *t)
{
	struct vct_at_call c = { .gfp = GFP_ATOMIC | __GFP_NOWARN,
				 .order = VCT_AT_ORDER, .free_there = true };
	unsigned long flips = 0, got = 0, bad = 0, end;
	struct task_struct *flipper;
	unsigned int i;

	if (vct_set_fallback(t, true) || !vct_at_begin(t, "2:8", 8))
		goto out;
	vct_snap(t);
	flipper = kthread_run(vct_at_flipper, &flips, "vct_at_flip");
	if (!VCT_CHECK(t, !IS_ERR(flipper)))
		goto out;
	/* Long enough for the flipper to change the parameter many times. */
	end = jiffies + msecs_to_jiffies(VCT_AT_RACE_MS);
	for (i = 0; i < VCT_AT_RACE_ROUNDS || time_before(jiffies, end) ||
	     READ_ONCE(flips) < 20; i++) {
		if (time_after(jiffies, end + 10 * HZ))
			break;
		c.addr = NULL;
		if (!VCT_CHECK(t, vct_run_in(VCT_HARDIRQ, vct_at_alloc_fn, &c)))
			break;
		if (c.addr) {
			got++;
			bad += !c.zero;
		}
	}
	kthread_stop(flipper);
	vct_resnap(t);
	VCT_CHECK(t, !bad);
	VCT_CHECK(t, flips >= 20);
	/* A race with nothing served checked nothing that was handed out. */
	VCT_CHECK(t, got > 0);
	VCT_CHECK(t, vct_odelta(t, VCT_AT_ORDER, reserve_taken) == got);
	VCT_CHECK(t, vct_odelta(t, VCT_AT_ORDER, reserve_empty) == i - got);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
	vct_diag(t, "%u takes, %lu served, %lu empty, %lu parameter flips",
		 i, got, i - got, flips);
	/* Settles at the last target written. */
	VCT_CHECK(t, !vct_param_set_reserve("2:3"));
	VCT_CHECK(t, vct_reserve_wait(t, VCT_AT_ORDER, 3));
out:
	vct_at_end(t);
}

void vct_atomic_cases(void (*run)(const char *name,
				  void (*fn)(struct vct *t)))
{
	run("atomic_reserve_hardirq", vct_at_hardirq);
	run("atomic_reserve_softirq", vct_at_softirq);
	run("atomic_reserve_empty", vct_at_empty);
	run("atomic_reserve_not_for_blocking", vct_at_blocking);
	run("atomic_reserve_param", vct_at_param);
	run("atomic_reserve_race", vct_at_race);
}
