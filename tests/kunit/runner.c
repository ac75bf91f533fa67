// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound KUnit suites: the self-test's cases (tests/selftest), one
 * suite per case group, each group one parameterised case whose
 * parameters are the cases its registration function lists.  The test
 * bodies are the self-test's own files, which the Kbuild file compiles
 * into this module, so a case added to the self-test is a KUnit case too.
 *
 * Some groups pass a row to a shared case function in static variables
 * that their registration sets just before each run() call.  A case thus
 * runs by walking the registration again up to its entry and calling it
 * from inside run(), as the KTAP runner (tests/lib/vct_ktap.c) does.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vct.h"

struct vck_group;

struct vck_entry {
	struct vck_group *group;
	char name[KUNIT_PARAM_DESC_SIZE];
};

/*
 * A group's state, reached through its own suite_init, suite_exit and
 * parameter functions: KUnit may run a copy of a suite
 * (kunit.filter_glob and friends), so never through the suite's address.
 */
struct vck_group {
	/* The group's registration function (vct_*_cases()). */
	void (*reg)(void (*run)(const char *name, void (*fn)(struct vct *t)));
	struct vck_entry *entries;	/* from suite_init to suite_exit */
	unsigned int n;
	struct mm_struct *mm;		/* the loader's, see vck_suite_init() */
};

/*
 * run() callbacks get no context: this is the walk in progress.  KUnit
 * runs one case at a time; the mutex keeps it so for this module.
 */
static DEFINE_MUTEX(vck_lock);
static struct {
	struct vck_group *group;
	unsigned int seen;		/* run() calls so far */
	unsigned int want;		/* the entry to run */
	struct kunit *test;
	struct vct *t;
	struct vcompound_stats *s0, *s1;
	bool ran;
} vck_walk;

static void vck_collect(const char *name, void (*fn)(struct vct *t))
{
	struct vck_group *g = vck_walk.group;

	if (g->entries && vck_walk.seen < g->n) {
		g->entries[vck_walk.seen].group = g;
		strscpy(g->entries[vck_walk.seen].name, name,
			sizeof(g->entries[0].name));
	}
	vck_walk.seen++;
}

/* A failed VCT_CHECK(): a KUnit failure, with what the KTAP line says. */
static void vck_fail(struct vct *t, const char *expr, const char *func,
		     int line)
{
	struct kunit *test = t->priv;

	/* KUnit's log may allocate; from atomic context only print. */
	if (in_task() && preemptible())
		kunit_err(test, "%s: %s:%d: expected %s\n", t->name, func,
			  line, expr);
	else
		pr_err("    # %s: %s: %s:%d: expected %s\n", test->name,
		       t->name, func, line, expr);
	kunit_set_failure(test);
}

static void vck_pick(const char *name, void (*fn)(struct vct *t))
{
	const struct vck_entry *e;
	struct vct *t = vck_walk.t;

	if (vck_walk.seen++ != vck_walk.want)
		return;
	e = &vck_walk.group->entries[vck_walk.want];
	vck_walk.ran = true;
	if (strcmp(name, e->name)) {
		KUNIT_FAIL(vck_walk.test, "entry %u is %s now, was %s",
			   vck_walk.want, name, e->name);
		return;
	}
	/* Exactly what the KTAP runner does around each case. */
	vct_case_setup(t, e->name, vck_walk.s0, vck_walk.s1);
	t->fail = vck_fail;
	t->priv = vck_walk.test;
	fn(t);
	vct_case_teardown(t);
}

static void vck_run(struct kunit *test)
{
	const struct vck_entry *e = test->param_value;
	struct vck_group *g = e->group;
	struct vcompound_stats *s0, *s1;
	struct vct t = { };
	bool ran;

	s0 = kunit_kzalloc(test, sizeof(*s0), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s0);
	s1 = kunit_kzalloc(test, sizeof(*s1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s1);

	if (g->mm)
		kthread_use_mm(g->mm);
	mutex_lock(&vck_lock);
	memset(&vck_walk, 0, sizeof(vck_walk));
	vck_walk.group = g;
	vck_walk.want = e - g->entries;
	vck_walk.test = test;
	vck_walk.t = &t;
	vck_walk.s0 = s0;
	vck_walk.s1 = s1;
	g->reg(vck_pick);
	ran = vck_walk.ran;
	mutex_unlock(&vck_lock);
	if (g->mm)
		kthread_unuse_mm(g->mm);

	KUNIT_ASSERT_TRUE_MSG(test, ran, "%s is no longer registered",
			      e->name);
	/*
	 * A case may fail without a VCT_CHECK() (a helper that sets ->failed
	 * after its own diagnostic): KUnit must see that too.
	 */
	KUNIT_EXPECT_FALSE_MSG(test, t.failed, "%s failed (see its diagnostics)",
			       e->name);
	/* Unlike the KTAP runner, a skip does not hide a failed check. */
	if (t.skip && !t.failed)
		kunit_skip(test, "%s", t.skip);
}

static const void *vck_params(struct vck_group *g, const void *prev,
			      char *desc)
{
	const struct vck_entry *e = prev;

	e = e ? e + 1 : g->entries;
	if (!g->entries || e >= g->entries + g->n)
		return NULL;
	strscpy(desc, e->name, KUNIT_PARAM_DESC_SIZE);
	return e;
}

static int vck_suite_init(struct vck_group *g)
{
	unsigned int max_order;
	int ret;

	/* As in the KTAP runner: vcompound's max_order must read. */
	ret = vct_param_get_max_order(&max_order);
	if (ret)
		return ret;
	mutex_lock(&vck_lock);
	memset(&vck_walk, 0, sizeof(vck_walk));
	vck_walk.group = g;
	g->entries = NULL;
	g->reg(vck_collect);
	g->n = vck_walk.seen;
	g->entries = kcalloc(g->n, sizeof(*g->entries), GFP_KERNEL);
	if (g->entries) {
		vck_walk.seen = 0;
		g->reg(vck_collect);
		if (vck_walk.seen != g->n)
			ret = -EINVAL;	/* the list changed between walks */
	} else {
		ret = -ENOMEM;
	}
	mutex_unlock(&vck_lock);
	if (ret) {
		/* KUnit calls no suite_exit after a failed suite_init. */
		kfree(g->entries);
		g->entries = NULL;
		return ret;
	}
	/*
	 * The KTAP runner's cases run in modprobe, and vcache_vcacheinfo
	 * reads debugfs through a user buffer: lend the loader's address
	 * space (this runs in its context) to KUnit's case threads.
	 */
	g->mm = current->mm;
	if (g->mm)
		mmget(g->mm);
	return 0;
}

static void vck_suite_exit(struct vck_group *g)
{
	if (g->mm)
		mmput(g->mm);
	g->mm = NULL;
	kfree(g->entries);
	g->entries = NULL;
	g->n = 0;
}

/*
 * Several cases take seconds on the emulated debug kernel (KASAN,
 * lockdep), and the hardirq free storm minutes.
 */
#define VCK_SLOW	{ .speed = KUNIT_SPEED_SLOW }

/*
 * One suite per stock group of vct_groups.h, in the KTAP runner's order;
 * the faults and stress groups need the lab's setup for those suites and
 * have none.  A suite's single case is named after the group; its
 * parameters are the group's cases.  (The suite's exit function comes
 * last so that the expansion ends with a definition, not a semicolon.)
 */
#define VCK_SUITE(group, kunit_name)					\
static struct vck_group vck_##group##_group = {				\
	.reg = vct_##group##_cases,					\
};									\
									\
static int vck_##group##_init(struct kunit_suite *suite)		\
{									\
	return vck_suite_init(&vck_##group##_group);			\
}									\
									\
static void vck_##group##_exit(struct kunit_suite *suite);		\
									\
static const void *vck_##group##_params(const void *prev, char *desc)	\
{									\
	return vck_params(&vck_##group##_group, prev, desc);		\
}									\
									\
static void group##_cases(struct kunit *test)				\
{									\
	vck_run(test);							\
}									\
									\
static struct kunit_case vck_##group##_cases[] = {			\
	KUNIT_CASE_PARAM_ATTR(group##_cases, vck_##group##_params,	\
			      VCK_SLOW),				\
	{ }								\
};									\
									\
static struct kunit_suite vck_##group##_suite = {			\
	.name = kunit_name,						\
	.suite_init = vck_##group##_init,				\
	.suite_exit = vck_##group##_exit,				\
	.test_cases = vck_##group##_cases,				\
};									\
									\
static void vck_##group##_exit(struct kunit_suite *suite)		\
{									\
	vck_suite_exit(&vck_##group##_group);				\
}

#define VCK_stock(group, kunit_name)	VCK_SUITE(group, kunit_name)
#define VCK_faults(...)
#define VCK_stress(...)
#define VCT_GROUP(group, suite, ...)	VCK_##suite(group, __VA_ARGS__)
#include "vct_groups.h"
#undef VCT_GROUP

/*
 * All in one kunit_test_suites(), so that KUnit runs them in the list's
 * order: a kunit_test_suite() per expansion above would leave the order
 * to the compiler's layout of those arrays (GCC reverses it).  The
 * Kbuild file passes the list, &vck_<group>_suite of each stock group of
 * vct_groups.h in order, as VCK_SUITES: a macro argument cannot #include.
 */
#ifndef VCK_SUITES
#error "VCK_SUITES: the suites of vct_groups.h, from tests/kunit/Kbuild"
#endif
kunit_test_suites(VCK_SUITES);

VCOMPOUND_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("vcompound KUnit suites: the self-test's cases under KUnit");
