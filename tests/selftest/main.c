// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound self-test module: runs every case at load time and prints KTAP
 * to the kernel log.  Stock distribution kernels have no KUnit, so this
 * follows the kselftest-module style.  Loading always succeeds so the
 * harness can unload both modules and check that the unload is clean.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vct.h"

static unsigned int vct_total, vct_index, vct_pass, vct_fail, vct_skip;
static bool vct_counting;
static struct vcompound_stats *vct_s0, *vct_s1;

static char *suite = "stock";
module_param(suite, charp, 0444);
MODULE_PARM_DESC(suite,
		 "cases to run: stock (default: the regular suite), faults (for fail_page_alloc and vcompound's fault knobs), stress");

static void vct_report(struct vct *t)
{
	vct_index++;
	/* A skip never hides a check that failed before it. */
	if (t->failed) {
		vct_fail++;
		if (t->skip)
			pr_info("# %s: a check failed; not skipped: %s\n",
				t->name, t->skip);
		pr_info("not ok %u - %s\n", vct_index, t->name);
	} else if (t->skip) {
		vct_skip++;
		pr_info("ok %u - %s # SKIP %s\n", vct_index, t->name, t->skip);
	} else {
		vct_pass++;
		pr_info("ok %u - %s\n", vct_index, t->name);
	}
}

static void vct_run(const char *name, void (*fn)(struct vct *t))
{
	struct vct t;

	if (vct_counting) {
		vct_total++;
		return;
	}
	vct_case_setup(&t, name, vct_s0, vct_s1);
	fn(&t);
	vct_case_teardown(&t);
	vct_report(&t);
}

static void vct_run_stock(unsigned int max_order)
{
	vct_order_cases(max_order, vct_run);
	vct_alloc_cases(vct_run);
	vct_context_cases(vct_run);
	vct_misuse_cases(vct_run);
	vct_vcache_cases(vct_run);
	vct_inject_cases(vct_run);
	vct_atomic_cases(vct_run);
	vct_trace_cases(vct_run);
	vct_review_cases(vct_run);
	vct_space_cases(vct_run);
	vct_fragment_cases(vct_run);
}

static void vct_run_faults(unsigned int max_order)
{
	vct_fault_cases(vct_run);
}

static void vct_run_stress(unsigned int max_order)
{
	vct_stress_cases(vct_run);
}

static const struct {
	const char *name;
	void (*run_all)(unsigned int max_order);
} vct_suites[] = {
	{ "stock", vct_run_stock },
	{ "faults", vct_run_faults },
	{ "stress", vct_run_stress },
};

static int __init vct_init(void)
{
	void (*run_all)(unsigned int max_order) = NULL;
	unsigned int max_order, i;

	for (i = 0; i < ARRAY_SIZE(vct_suites); i++)
		if (!strcmp(suite, vct_suites[i].name))
			run_all = vct_suites[i].run_all;
	if (!run_all) {
		pr_err("vcompound_test: unknown suite '%s'\n", suite);
		return -EINVAL;
	}

	vct_s0 = kmalloc(sizeof(*vct_s0), GFP_KERNEL);
	vct_s1 = kmalloc(sizeof(*vct_s1), GFP_KERNEL);
	if (!vct_s0 || !vct_s1 || vct_param_get_max_order(&max_order)) {
		pr_info("KTAP version 1\n1..1\nnot ok 1 - setup\n");
		goto out;
	}

	vct_counting = true;
	run_all(max_order);
	vct_counting = false;

	pr_info("KTAP version 1\n");
	pr_info("# vcompound_test: suite %s\n", suite);
	pr_info("1..%u\n", vct_total);
	run_all(max_order);
	pr_info("# vcompound_test: pass:%u fail:%u skip:%u total:%u\n",
		vct_pass, vct_fail, vct_skip, vct_index);
out:
	kfree(vct_s1);
	kfree(vct_s0);
	vct_s0 = NULL;
	vct_s1 = NULL;
	return 0;
}

static void __exit vct_exit(void)
{
}

module_init(vct_init);
module_exit(vct_exit);

VCOMPOUND_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("vcompound self-test: KTAP cases run at load time");
