// SPDX-License-Identifier: GPL-2.0
/*
 * What every vcompound test runner shares: checks, counter snapshots,
 * module parameters through sysfs and expected-warning brackets.  Linked
 * into the KTAP self-test module (stock kernels) and the KUnit module
 * (debug kernel).
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include "vct.h"
#include "vcompat_page_alloc.h"

bool __vct_check(struct vct *t, bool ok, const char *expr, const char *func,
		 int line)
{
	if (!ok) {
		t->failed = true;
		if (t->fail)
			t->fail(t, expr, func, line);
		else
			pr_info("# %s: %s:%d: expected %s\n", t->name, func,
				line, expr);
	}
	return ok;
}

void vct_case_setup(struct vct *t, const char *name,
		    struct vcompound_stats *s0, struct vcompound_stats *s1)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->s0 = s0;
	t->s1 = s1;
}

void vct_case_teardown(struct vct *t)
{
	/* Every case starts from the default mode. */
	VCT_CHECK(t, !vct_param_write("always_fallback", "0"));
	vcompound_drain();
}

void vct_snap(struct vct *t)
{
	vcompound_get_stats(t->s0);
	memcpy(t->s1, t->s0, sizeof(*t->s1));
}

void vct_resnap(struct vct *t)
{
	vcompound_drain();
	vcompound_get_stats(t->s1);
}

unsigned long __vct_delta(const struct vct *t, size_t offset)
{
	return *(unsigned long *)((void *)t->s1 + offset) -
	       *(unsigned long *)((void *)t->s0 + offset);
}

/* Free pages, those on every zone's per-CPU lists included. */
unsigned long vct_free_pages(void)
{
	unsigned long sum = global_zone_page_state(NR_FREE_PAGES);
	struct zone *zone;
	int nid, z;

	for_each_online_node(nid) {
		for (z = 0; z < MAX_NR_ZONES; z++) {
			zone = &NODE_DATA(nid)->node_zones[z];
			if (populated_zone(zone))
				sum += vc_zone_pcp_pages(zone);
		}
	}
	return sum;
}

/*
 * Reads a whole file into @buf, NUL-terminated.  kernel_read() takes only
 * files with ->read_iter (since 5.10) and debugfs's proxy file operations
 * have just ->read, so that one is called with a buffer mapped into the
 * current process (modprobe, which loads the self-test).
 */
ssize_t vct_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n = 0, total = 0;
	unsigned long ubuf;
	loff_t pos = 0;
	struct file *f;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (f->f_op->read_iter) {
		while ((size_t)total < len - 1) {
			n = kernel_read(f, buf + total, len - 1 - total, &pos);
			if (n <= 0)
				break;
			total += n;
		}
	} else if (f->f_op->read && current->mm) {
		ubuf = vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, 0);
		if (IS_ERR_VALUE(ubuf)) {
			n = (long)ubuf;
			goto out;
		}
		while ((size_t)total < len - 1) {
			n = f->f_op->read(f, (char __user *)ubuf + total,
					  len - 1 - total, &pos);
			if (n <= 0)
				break;
			total += n;
		}
		if (n >= 0 && copy_from_user(buf, (const void __user *)ubuf,
					     total))
			n = -EFAULT;
		vm_munmap(ubuf, len);
	} else {
		n = -EOPNOTSUPP;
	}
out:
	filp_close(f, NULL);
	if (n < 0)
		return n;
	buf[total] = '\0';
	return total;
}

/* Writes @val to the file @path in one write; -EIO if it took less. */
int vct_write_file(const char *path, const char *val)
{
	struct file *f = filp_open(path, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
	if (n >= 0 && n != strlen(val))
		return -EIO;
	return n < 0 ? n : 0;
}

static void vct_sysfs_path(char *path, size_t len, const char *module,
			   const char *param)
{
	snprintf(path, len, "/sys/module/%s/parameters/%s", module, param);
}

static int vct_sysfs_write(const char *module, const char *param,
			   const char *val)
{
	char path[96];

	vct_sysfs_path(path, sizeof(path), module, param);
	return vct_write_file(path, val);
}

/* The parameter's value, without the trailing newline. */
static int vct_sysfs_read(const char *module, const char *param, char *buf,
			  size_t len)
{
	char path[96];
	ssize_t n;

	vct_sysfs_path(path, sizeof(path), module, param);
	n = vct_read_file(path, buf, len);
	if (n < 0)
		return n;
	strim(buf);
	return 0;
}

static int vct_sysfs_read_int(const char *module, const char *param,
			      int *val)
{
	char buf[24];
	int ret = vct_sysfs_read(module, param, buf, sizeof(buf));

	return ret ? ret : kstrtoint(buf, 0, val);
}

int vct_param_read(const char *param, char *buf, size_t len)
{
	return vct_sysfs_read("vcompound", param, buf, len);
}

/* Through sysfs, exactly as an administrator would toggle it. */
int vct_param_write(const char *param, const char *val)
{
	return vct_sysfs_write("vcompound", param, val);
}

int vct_param_read_uint(const char *param, unsigned int *val)
{
	int v;
	int ret = vct_sysfs_read_int("vcompound", param, &v);

	if (!ret && v < 0)
		ret = -ERANGE;
	if (!ret)
		*val = v;
	return ret;
}

/*
 * The debug kernel boots with panic_on_warn=1, so that any warning nobody
 * expected ends the run.  A case that provokes one on purpose clears it
 * inside the bracket, through the kernel's own parameter file, and puts it
 * back afterwards.  The bracket lines tell tests/qemu where a warning is
 * expected.
 */
void vct_expect_warn_begin(struct vct *t)
{
	int pow = 0;

	if (!vct_sysfs_read_int("kernel", "panic_on_warn", &pow) && pow &&
	    !vct_sysfs_write("kernel", "panic_on_warn", "0"))
		t->panic_on_warn = pow;
	pr_info("vcompound_test: EXPECT-WARN BEGIN %s\n", t->name);
}

void vct_expect_warn_end(struct vct *t)
{
	char val[12];

	pr_info("vcompound_test: EXPECT-WARN END %s\n", t->name);
	if (t->panic_on_warn) {
		snprintf(val, sizeof(val), "%d", t->panic_on_warn);
		VCT_CHECK(t, !vct_sysfs_write("kernel", "panic_on_warn", val));
		t->panic_on_warn = 0;
	}
}

int vct_set_fallback(struct vct *t, bool on)
{
	int ret = vct_param_write("always_fallback", on ? "1" : "0");

	VCT_CHECK(t, ret == 0);
	return ret;
}

/*
 * The order cases in the (name, fn) form of the other groups.  Runners
 * call each fn before the next registration, so the row can be passed
 * in these variables.
 */
static unsigned int vct_order_row;
static bool vct_order_fallback;
static char vct_order_name[32];

static void vct_order_row_case(struct vct *t)
{
	vct_order_case(t, vct_order_row, vct_order_fallback);
}

void vct_order_cases(unsigned int max_order,
		     void (*run)(const char *name, void (*fn)(struct vct *t)))
{
	int fallback;

	for (fallback = 0; fallback <= 1; fallback++) {
		vct_order_fallback = fallback;
		for (vct_order_row = 0; vct_order_row <= max_order;
		     vct_order_row++) {
			snprintf(vct_order_name, sizeof(vct_order_name),
				 "order_%02u_%s", vct_order_row,
				 fallback ? "always_fallback" : "default");
			run(vct_order_name, vct_order_row_case);
		}
	}
}
