// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound benchmark module: runs the metrics chosen by the run= param at
 * load time, prints one ROW line per figure and always loads successfully,
 * so that the lab can unload it (and vcompound) cleanly afterwards.
 *
 *   modprobe vcompound_bench run=p1,p2 reps=7
 *
 * P1 physical path, P2 virtual path (always_fallback), P3 vcache on
 * physical slabs, P3v vcache on virtual slabs, P4 deferred free from
 * hardirq, P5 scaling over two CPUs (meaningless under -icount, which
 * serializes the vCPUs), P6 real fragmentation and P7 vcompound against
 * vmalloc() on it (last: they disturb memory).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "bench.h"
#include "vct_params.h"

VCOMPOUND_IMPORT_NS();

static char *run = "p1,p2,p3,p3v,p4,p6,p7";
module_param(run, charp, 0444);
MODULE_PARM_DESC(run, "Comma-separated metrics to run: p1 p2 p3 p3v p4 p5 p6 p7, or all (default: all but p5)");

unsigned int vcb_reps = 7;
module_param_named(reps, vcb_reps, uint, 0444);
MODULE_PARM_DESC(reps, "Timed repetitions per figure; the median is reported (default: 7, at most 31)");

unsigned int vcb_batch = 32;
module_param_named(batch, vcb_batch, uint, 0444);
MODULE_PARM_DESC(batch, "Blocks or objects allocated before they are freed again (default: 32)");

unsigned int vcb_ops = 2048;
module_param_named(ops, vcb_ops, uint, 0444);
MODULE_PARM_DESC(ops, "Alloc+free pairs per repetition at order 0, halved per order, at least one batch (default: 2048)");

static unsigned int settle_ms = 2000;
module_param(settle_ms, uint, 0444);
MODULE_PARM_DESC(settle_ms, "Sleep this long first, so that boot-time background work is done (default: 2000)");

unsigned int vcb_p5_ms = 300;
module_param_named(p5_ms, vcb_p5_ms, uint, 0444);
MODULE_PARM_DESC(p5_ms, "P5: duration of one throughput run in ms (default: 300)");

unsigned int vcb_frag_pin = 16;
module_param_named(frag_pin, vcb_frag_pin, uint, 0444);
MODULE_PARM_DESC(frag_pin, "P6: about one page in this many stays pinned while memory is fragmented (default: 16)");

unsigned int vcb_frag_mb = 128;
module_param_named(frag_mb, vcb_frag_mb, uint, 0444);
MODULE_PARM_DESC(frag_mb, "P6: MiB requested per order and allocator (default: 128)");

static int vcb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

void vcb_reduce(u64 *v, unsigned int n, struct vcb_stat *s)
{
	sort(v, n, sizeof(*v), vcb_cmp_u64, NULL);
	s->min = v[0];
	s->max = v[n - 1];
	/* Odd n: the middle value; even n: the mean of the middle two. */
	s->med = (v[(n - 1) / 2] + v[n / 2] + 1) / 2;
}

u64 vcb_per_op(u64 ns, u64 ops)
{
	return ops ? div64_u64(ns * 10 + ops / 2, ops) : 0;
}

int vcb_measure(const vcb_rep_fn *fns, unsigned int n, void *arg,
		struct vcb_stat *st)
{
	u64 v[VCB_MAX_SIDES][VCB_MAX_REPS], ns, ops;
	unsigned int i, j, k;
	int ret;

	if (!n || n > VCB_MAX_SIDES)
		return -EINVAL;
	/* Warm-up: caches, per-CPU lists and lazy state of every side. */
	for (j = 0; j < n; j++) {
		ret = fns[j](arg, &ns, &ops);
		if (ret)
			return ret;
	}
	for (i = 0; i < vcb_reps; i++) {
		/* Rotate which side goes first, so none inherits more. */
		for (k = 0; k < n; k++) {
			j = (i + k) % n;
			cond_resched();
			ret = fns[j](arg, &ns, &ops);
			if (ret)
				return ret;
			v[j][i] = vcb_per_op(ns, ops);
		}
	}
	for (j = 0; j < n; j++)
		vcb_reduce(v[j], vcb_reps, &st[j]);
	return 0;
}

static char *vcb_fmt3(char *buf, size_t len, const struct vcb_stat *s)
{
	if (!s)
		strscpy(buf, "- - -", len);
	else
		scnprintf(buf, len, "%llu.%llu %llu.%llu %llu.%llu",
			  s->med / 10, s->med % 10, s->min / 10, s->min % 10,
			  s->max / 10, s->max % 10);
	return buf;
}

void vcb_row(const char *metric, const char *param, const struct vcb_stat *v,
	     const char *baseline, const struct vcb_stat *b)
{
	char vb[72], bb[72];

	pr_info("ROW %s %s %s %s %s\n", metric, param,
		vcb_fmt3(vb, sizeof(vb), v), baseline ? baseline : "-",
		vcb_fmt3(bb, sizeof(bb), baseline ? b : NULL));
}

unsigned int vcb_loops(unsigned int order)
{
	unsigned int ops = vcb_ops >> order;

	return max(1U, ops / vcb_batch);
}

/* Through sysfs, as an administrator would toggle it. */
int vcb_set_fallback(bool on)
{
	return vct_param_set_always_fallback(on ? "1" : "0");
}

static struct {
	struct irq_work work;
	void (*fn)(void *arg);
	void *arg;
	bool in_hardirq;
} vcb_irq;

static void vcb_irq_fn(struct irq_work *work)
{
	vcb_irq.in_hardirq = in_hardirq();
	vcb_irq.fn(vcb_irq.arg);
}

int vcb_in_hardirq(void (*fn)(void *arg), void *arg)
{
	vcb_irq.fn = fn;
	vcb_irq.arg = arg;
	vcb_irq.in_hardirq = false;
	init_irq_work(&vcb_irq.work, vcb_irq_fn);
	/*
	 * The self-IPI runs the work on this CPU at once; irq_work_sync()
	 * spins until it did.  Preemption stays off, so that work the handler
	 * queued (a deferred free) cannot run before the caller's next step:
	 * the caller calls preempt_enable().
	 */
	preempt_disable();
	if (!irq_work_queue(&vcb_irq.work))
		return -EBUSY;
	irq_work_sync(&vcb_irq.work);
	return vcb_irq.in_hardirq ? 0 : -EINVAL;
}

/*
 * Prints the lines of a /proc file that contain one of @keys (NULL: all).
 * Static buffer: P6 calls this while it holds all free memory.
 */
static char vcb_procbuf[32 * 1024];

static void vcb_procfile(const char *path, const char *tag,
			 const char * const *keys)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	const char * const *k;
	char *line, *p;
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return;
	n = kernel_read(f, vcb_procbuf, sizeof(vcb_procbuf) - 1, &pos);
	filp_close(f, NULL);
	if (n <= 0)
		return;
	vcb_procbuf[n] = '\0';
	for (p = vcb_procbuf; (line = strsep(&p, "\n"));) {
		for (k = keys; k && *k && !strstr(line, *k); k++)
			;
		if (*line && (!k || *k))
			vcb_info("%s %s", tag, strim(line));
	}
}

void vcb_buddyinfo(const char *tag)
{
	static const char * const zone_keys[] = {
		", zone", "pages free", "min ", "managed", NULL,
	};
	char t[48];

	snprintf(t, sizeof(t), "%s buddyinfo:", tag);
	vcb_procfile("/proc/buddyinfo", t, NULL);
	snprintf(t, sizeof(t), "%s zoneinfo:", tag);
	vcb_procfile("/proc/zoneinfo", t, zone_keys);
}

static bool vcb_selected(const char *name)
{
	size_t len = strlen(name);
	const char *p = run;

	if (!strcmp(run, "all"))
		return true;
	while (p && *p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

static int __init vcb_init(void)
{
	u64 t0 = ktime_get_ns();

	if (!vcb_reps || vcb_reps > VCB_MAX_REPS || !vcb_batch ||
	    vcb_batch > 1024 || !vcb_ops || vcb_frag_pin < 2) {
		pr_info("ERROR setup - bad parameters\n");
		return 0;
	}
	pr_info("BEGIN run=%s reps=%u batch=%u ops=%u p5_ms=%u frag_pin=%u frag_mb=%u settle_ms=%u cpus=%u\n",
		run, vcb_reps, vcb_batch, vcb_ops, vcb_p5_ms, vcb_frag_pin,
		vcb_frag_mb, settle_ms, num_online_cpus());
	/* Under -icount,sleep=off an idle guest skips ahead: this is free. */
	msleep(settle_ms);
	if (vcb_selected("p1"))
		vcb_p1();
	if (vcb_selected("p2"))
		vcb_p2();
	if (vcb_selected("p3"))
		vcb_p3(false);
	if (vcb_selected("p3v"))
		vcb_p3(true);
	if (vcb_selected("p4"))
		vcb_p4();
	if (vcb_selected("p5"))
		vcb_p5();
	if (vcb_selected("p6") || vcb_selected("p7"))
		vcb_fragmented(vcb_selected("p6"), vcb_selected("p7"));
	if (vcb_set_fallback(false))
		pr_info("ERROR setup - cannot reset always_fallback\n");
	vcompound_drain();
	pr_info("END guest_ms=%llu\n", div_u64(ktime_get_ns() - t0, 1000000));
	return 0;
}

static void __exit vcb_exit(void)
{
}

module_init(vcb_init);
module_exit(vcb_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("vcompound benchmarks: allocator timings against the kernel's own allocators");
