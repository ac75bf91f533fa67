// SPDX-License-Identifier: GPL-2.0
/*
 * The KTAP runner of the self-test: the cases of a suite's groups
 * (vct_groups.h), each between vct_case_setup() and vct_case_teardown(),
 * reported as KTAP to the kernel log.  Stock distribution kernels have
 * no KUnit, so this follows the kselftest-module style.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vct.h"

static const struct vct_group {
	const char *name, *suite;
	void (*reg)(void (*run)(const char *name, void (*fn)(struct vct *t)));
} vct_groups[] = {
#define VCT_GROUP(name, suite, ...)	{ #name, #suite, vct_##name##_cases },
#include "vct_groups.h"
#undef VCT_GROUP
};

/*
 * run() callbacks get no context: the runner's state.  The suite is walked
 * twice, once to count its cases for the plan line, once to run them.
 */
static struct {
	unsigned int total, index, pass, fail, skip;
	bool counting;
	struct vcompound_stats *s0, *s1;
} vct_ktap;

static void vct_report(struct vct *t)
{
	vct_ktap.index++;
	/* A skip never hides a check that failed before it. */
	if (t->failed) {
		vct_ktap.fail++;
		if (t->skip)
			pr_info("# %s: a check failed; not skipped: %s\n",
				t->name, t->skip);
		pr_info("not ok %u - %s\n", vct_ktap.index, t->name);
	} else if (t->skip) {
		vct_ktap.skip++;
		pr_info("ok %u - %s # SKIP %s\n", vct_ktap.index, t->name,
			t->skip);
	} else {
		vct_ktap.pass++;
		pr_info("ok %u - %s\n", vct_ktap.index, t->name);
	}
}

static void vct_run(const char *name, void (*fn)(struct vct *t))
{
	struct vct t;

	if (vct_ktap.counting) {
		vct_ktap.total++;
		return;
	}
	vct_case_setup(&t, name, vct_ktap.s0, vct_ktap.s1);
	fn(&t);
	vct_case_teardown(&t);
	vct_report(&t);
}

/*
 * suite= names a suite or one group: the lab runs the inject group alone
 * against a vcompound loaded without its fault knobs.
 */
static bool vct_group_in(const struct vct_group *g, const char *suite)
{
	return !strcmp(g->suite, suite) || !strcmp(g->name, suite);
}

static void vct_run_suite(const char *suite)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vct_groups); i++)
		if (vct_group_in(&vct_groups[i], suite))
			vct_groups[i].reg(vct_run);
}

int vct_ktap_run(const char *suite)
{
	unsigned int max_order, i;

	for (i = 0; i < ARRAY_SIZE(vct_groups); i++)
		if (vct_group_in(&vct_groups[i], suite))
			break;
	if (i == ARRAY_SIZE(vct_groups))
		return -EINVAL;

	memset(&vct_ktap, 0, sizeof(vct_ktap));
	vct_ktap.s0 = kmalloc(sizeof(*vct_ktap.s0), GFP_KERNEL);
	vct_ktap.s1 = kmalloc(sizeof(*vct_ktap.s1), GFP_KERNEL);
	/* The order cases need max_order: vcompound must be there. */
	if (!vct_ktap.s0 || !vct_ktap.s1 ||
	    vct_param_get_max_order(&max_order)) {
		pr_info("KTAP version 1\n1..1\nnot ok 1 - setup\n");
		goto out;
	}

	vct_ktap.counting = true;
	vct_run_suite(suite);
	vct_ktap.counting = false;

	pr_info("KTAP version 1\n");
	pr_info("# vcompound_test: suite %s\n", suite);
	pr_info("1..%u\n", vct_ktap.total);
	vct_run_suite(suite);
	pr_info("# vcompound_test: pass:%u fail:%u skip:%u total:%u\n",
		vct_ktap.pass, vct_ktap.fail, vct_ktap.skip, vct_ktap.index);
out:
	kfree(vct_ktap.s1);
	kfree(vct_ktap.s0);
	vct_ktap.s0 = NULL;
	vct_ktap.s1 = NULL;
	return 0;
}
