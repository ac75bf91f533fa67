// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound's own fault knobs: make a chosen step of an allocation fail,
 * so that every error path runs on any kernel, without
 * CONFIG_FAULT_INJECTION.  Root-only files in debugfs vcompound/inject/,
 * created only when the module is loaded with fault_inject=1: a
 * production install has no switch that fails every client's allocations.
 *
 * While every knob is 0 a static key keeps the hooks in alloc.c out of
 * the way; the first non-zero knob turns it on.  Without the files no
 * knob can be set, and the key stays off.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/uio.h>

#include "vcompound_internal.h"

DEFINE_STATIC_KEY_FALSE(vc_fault_key);

/* Read-only after load: the knobs are created at load or never. */
static bool vc_fault_inject;
module_param_named(fault_inject, vc_fault_inject, bool, 0444);
MODULE_PARM_DESC(fault_inject,
		 "Create the fault knobs (debugfs vcompound/inject/) that make allocation steps fail, for testing; read-only after load (default: N)");

struct vc_fault_knob {
	const char *name;
	unsigned int val;	/* 0: off; see vc_fault_hit() */
	unsigned int max;
	atomic_long_t seen;	/* steps seen since the knob was set */
	atomic_long_t injected;	/* failures injected, since load */
};

#define VC_X_FAULT_KNOB(site, largest, step) \
	[VC_FAULT_##site] = { .name = #site, .max = (largest) },

static struct vc_fault_knob vc_fault_knobs[VC_FAULT_NR] = {
	VCOMPOUND_FAULT_SITES(VC_X_FAULT_KNOB)
};

/* Serializes knob writes with the static key switch. */
static DEFINE_MUTEX(vc_fault_mutex);

static void vc_fault_count(struct vc_fault_knob *k)
{
	atomic_long_inc(&k->injected);
}

/**
 * __vc_fault - should this step fail?
 * @site: which step
 *
 * The knob holds N: the first step seen after the knob was written
 * fails, then every N-th one (1: every one).  Called only while the
 * static key is on.
 *
 * Context: Any context but NMI.
 * Return: true to fail the step; the failure is counted.
 */
bool __vc_fault(enum vc_fault_site site)
{
	struct vc_fault_knob *k = &vc_fault_knobs[site];
	unsigned int n = READ_ONCE(k->val);

	/* The first step after the write fails, then every n-th. */
	if (!n || (atomic_long_inc_return(&k->seen) - 1) % n)
		return false;
	vc_fault_count(k);
	return true;
}

/**
 * __vc_fault_page - should the page at @index of a fallback fail?
 * @index: page index inside the block, from 0
 *
 * The "page" knob holds k: the k-th page (k = index + 1) of every
 * fallback fails; blocks with fewer pages are left alone.
 *
 * Context: Any context but NMI.
 * Return: true to fail the page; the failure is counted.
 */
bool __vc_fault_page(unsigned long index)
{
	struct vc_fault_knob *k = &vc_fault_knobs[VC_FAULT_page];

	if (READ_ONCE(k->val) != index + 1)
		return false;
	vc_fault_count(k);
	return true;
}

/**
 * __vc_fault_chunk - should a fallback's chunk of @order fail?
 * @order: the order of the chunk about to be tried, from 1
 *
 * The "chunk" knob holds k + 1: every chunk attempt of an order other
 * than k fails, so that blocks are built from chunks of order k (and
 * order-0 pages) only; 1 leaves order-0 pages alone.
 *
 * Context: Any context but NMI.
 * Return: true to fail the attempt; the failure is counted.
 */
bool __vc_fault_chunk(unsigned int order)
{
	struct vc_fault_knob *k = &vc_fault_knobs[VC_FAULT_chunk];
	unsigned int val = READ_ONCE(k->val);

	if (!val || val == order + 1)
		return false;
	vc_fault_count(k);
	return true;
}

static void vc_fault_update_key(void)
{
	bool on = false;
	int i;

	for (i = 0; i < VC_FAULT_NR; i++)
		on |= READ_ONCE(vc_fault_knobs[i].val) != 0;
	if (on)
		static_branch_enable(&vc_fault_key);
	else
		static_branch_disable(&vc_fault_key);
}

/*
 * The files are created without debugfs's proxy, which on older kernels
 * has no read_iter/write_iter and so refuses kernel_read()/kernel_write()
 * (the self-test sets the knobs that way).  .owner keeps the module, and
 * with it the directory, alive while a file is open; debugfs_file_get()
 * covers a removal racing with a call all the same.
 */
static ssize_t vc_fault_copy_out(struct kiocb *iocb, struct iov_iter *to,
				 const char *buf, size_t len)
{
	size_t n;

	if (iocb->ki_pos >= len)
		return 0;
	n = copy_to_iter(buf + iocb->ki_pos, len - iocb->ki_pos, to);
	if (!n)
		return -EFAULT;
	iocb->ki_pos += n;
	return n;
}

static ssize_t vc_fault_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct vc_fault_knob *k = file->private_data;
	char buf[16];
	ssize_t ret;
	int len;

	ret = debugfs_file_get(file->f_path.dentry);
	if (ret)
		return ret;
	len = scnprintf(buf, sizeof(buf), "%u\n", READ_ONCE(k->val));
	ret = vc_fault_copy_out(iocb, to, buf, len);
	debugfs_file_put(file->f_path.dentry);
	return ret;
}

/*
 * One decimal, octal (0...) or hex (0x...) number, optionally followed by
 * a newline, written at offset 0 in one write: anything else is -EINVAL,
 * a number above the knob's maximum -ERANGE.
 */
static ssize_t vc_fault_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct vc_fault_knob *k = file->private_data;
	size_t count = iov_iter_count(from);
	unsigned int val;
	char buf[24];
	ssize_t ret;

	if (iocb->ki_pos || !count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_iter(buf, count, from) != count)
		return -EFAULT;
	buf[count] = '\0';
	ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	if (val > k->max)
		return -ERANGE;

	ret = debugfs_file_get(file->f_path.dentry);
	if (ret)
		return ret;
	mutex_lock(&vc_fault_mutex);
	WRITE_ONCE(k->val, val);
	atomic_long_set(&k->seen, 0);
	vc_fault_update_key();
	mutex_unlock(&vc_fault_mutex);
	debugfs_file_put(file->f_path.dentry);
	iocb->ki_pos += count;
	return count;
}

static const struct file_operations vc_fault_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read_iter = vc_fault_read_iter,
	.write_iter = vc_fault_write_iter,
	.llseek = default_llseek,
};

/* inject/counts: "<knob> <failures injected>" per line, since load. */
static ssize_t vc_fault_counts_read_iter(struct kiocb *iocb,
					 struct iov_iter *to)
{
	struct dentry *dentry = iocb->ki_filp->f_path.dentry;
	char buf[VC_FAULT_NR * 32];
	size_t len = 0;
	ssize_t ret;
	int i;

	ret = debugfs_file_get(dentry);
	if (ret)
		return ret;
	for (i = 0; i < VC_FAULT_NR; i++)
		len += scnprintf(buf + len, sizeof(buf) - len, "%s %lu\n",
				 vc_fault_knobs[i].name,
				 atomic_long_read(&vc_fault_knobs[i].injected));
	ret = vc_fault_copy_out(iocb, to, buf, len);
	debugfs_file_put(dentry);
	return ret;
}

static const struct file_operations vc_fault_counts_fops = {
	.owner = THIS_MODULE,
	.read_iter = vc_fault_counts_read_iter,
	.llseek = default_llseek,
};

/**
 * vc_fault_debugfs_init - create the knobs in @parent/inject/
 * @parent: vcompound's debugfs directory
 *
 * Only with fault_inject=1: nothing is created otherwise.
 */
void vc_fault_debugfs_init(struct dentry *parent)
{
	struct dentry *dir;
	int i;

	if (!vc_fault_inject)
		return;
	dir = debugfs_create_dir("inject", parent);
	for (i = 0; i < VC_FAULT_NR; i++)
		debugfs_create_file_unsafe(vc_fault_knobs[i].name, 0600, dir,
					   &vc_fault_knobs[i], &vc_fault_fops);
	debugfs_create_file_unsafe("counts", 0400, dir, NULL,
				   &vc_fault_counts_fops);
}

/**
 * vc_fault_debugfs_exit - turn every knob off
 *
 * The files go with their parent directory; the hooks must not outlive
 * them in the on state.
 */
void vc_fault_debugfs_exit(void)
{
	int i;

	mutex_lock(&vc_fault_mutex);
	for (i = 0; i < VC_FAULT_NR; i++)
		WRITE_ONCE(vc_fault_knobs[i].val, 0);
	vc_fault_update_key();
	mutex_unlock(&vc_fault_mutex);
}

/**
 * vc_fault_stats_show - the "injected:" line of debugfs vcompound/stats
 * @m: the stats file
 */
void vc_fault_stats_show(struct seq_file *m)
{
	int i;

	seq_puts(m, "injected:");
	for (i = 0; i < VC_FAULT_NR; i++)
		seq_printf(m, " %s %lu", vc_fault_knobs[i].name,
			   atomic_long_read(&vc_fault_knobs[i].injected));
	seq_putc(m, '\n');
}
