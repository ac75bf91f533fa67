// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound's module parameters and debugfs files, and the kernel's
 * panic_on_warn, as the test modules reach them: through the files an
 * administrator would use, each path written here once (vct_params.h).
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vct_params.h"

#define VCT_PARAMS	"/sys/module/vcompound/parameters/"
#define VCT_DEBUGFS	"/sys/kernel/debug/vcompound/"
#define VCT_SYSFS	"/sys/kernel/vcompound/"

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

/* The file's content without the trailing newline. */
static int vct_read_trimmed(const char *path, char *buf, size_t len)
{
	ssize_t n = vct_read_file(path, buf, len);

	if (n < 0)
		return n;
	strim(buf);
	return 0;
}

/* An int parameter that must not be negative (-ERANGE if it is). */
static int vct_read_uint(const char *path, unsigned int *val)
{
	char buf[24];
	int v, ret = vct_read_trimmed(path, buf, sizeof(buf));

	if (!ret)
		ret = kstrtoint(buf, 0, &v);
	if (!ret && v < 0)
		ret = -ERANGE;
	if (!ret)
		*val = v;
	return ret;
}

int vct_param_get_always_fallback(bool *on)
{
	char buf[8];
	int ret = vct_read_trimmed(VCT_PARAMS "always_fallback", buf,
				   sizeof(buf));

	return ret ? ret : kstrtobool(buf, on);
}

int vct_param_set_always_fallback(const char *val)
{
	return vct_write_file(VCT_PARAMS "always_fallback", val);
}

int vct_param_get_max_order(unsigned int *order)
{
	return vct_read_uint(VCT_PARAMS "max_order", order);
}

int vct_param_set_max_order(const char *val)
{
	return vct_write_file(VCT_PARAMS "max_order", val);
}

int vct_param_get_reserve(char *buf, size_t len)
{
	return vct_read_trimmed(VCT_PARAMS "reserve", buf, len);
}

int vct_param_set_reserve(const char *val)
{
	return vct_write_file(VCT_PARAMS "reserve", val);
}

int vct_param_get_fault_inject(bool *on)
{
	char buf[8];
	int ret = vct_read_trimmed(VCT_PARAMS "fault_inject", buf, sizeof(buf));

	return ret ? ret : kstrtobool(buf, on);
}

int vct_param_set_fault_inject(const char *val)
{
	return vct_write_file(VCT_PARAMS "fault_inject", val);
}

int vct_kernel_get_panic_on_warn(unsigned int *val)
{
	return vct_read_uint("/sys/module/kernel/parameters/panic_on_warn",
			     val);
}

int vct_kernel_set_panic_on_warn(unsigned int val)
{
	char buf[12];

	snprintf(buf, sizeof(buf), "%u", val);
	return vct_write_file("/sys/module/kernel/parameters/panic_on_warn",
			      buf);
}

int vct_sysfs_vcache_read(const char *dir, const char *field,
			  unsigned long *val)
{
	char path[128], buf[24];
	int ret;

	if (snprintf(path, sizeof(path), VCT_SYSFS "vcache/%s/%s", dir,
		     field) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = vct_read_trimmed(path, buf, sizeof(buf));
	return ret ? ret : kstrtoul(buf, 10, val);
}

/* Whether /sys/kernel/debug is a mounted debugfs. */
bool vct_debugfs_mounted(void)
{
	struct file *f = filp_open("/sys/kernel/debug", O_RDONLY | O_DIRECTORY,
				   0);
	bool mounted;

	if (IS_ERR(f))
		return false;
	mounted = file_inode(f)->i_sb->s_magic == DEBUGFS_MAGIC;
	filp_close(f, NULL);
	return mounted;
}

const char *vct_inject_unavailable(void)
{
	bool on;

	/* An unreadable parameter is no reason: the knobs then fail. */
	if (!vct_param_get_fault_inject(&on) && !on)
		return "vcompound loaded without fault_inject=1";
	if (!vct_debugfs_mounted())
		return "debugfs is not mounted at /sys/kernel/debug";
	return NULL;
}

ssize_t vct_debugfs_stats(char *buf, size_t len)
{
	return vct_read_file(VCT_DEBUGFS "stats", buf, len);
}

ssize_t vct_debugfs_vcacheinfo(char *buf, size_t len)
{
	return vct_read_file(VCT_DEBUGFS "vcacheinfo", buf, len);
}

ssize_t vct_debugfs_inject_counts(char *buf, size_t len)
{
	return vct_read_file(VCT_DEBUGFS "inject/counts", buf, len);
}

static void vct_inject_path(char *path, size_t len, const char *site)
{
	snprintf(path, len, VCT_DEBUGFS "inject/%s", site);
}

int vct_debugfs_inject_get(const char *site, unsigned int *val)
{
	char path[80], buf[24];
	int ret;

	vct_inject_path(path, sizeof(path), site);
	ret = vct_read_trimmed(path, buf, sizeof(buf));
	return ret ? ret : kstrtouint(buf, 0, val);
}

int vct_debugfs_inject_set(const char *site, const char *val)
{
	char path[80];

	vct_inject_path(path, sizeof(path), site);
	return vct_write_file(path, val);
}

int vct_debugfs_inject_set_uint(const char *site, unsigned int val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", val);
	return vct_debugfs_inject_set(site, buf);
}

int vct_debugfs_inject_mode(const char *site)
{
	char path[80];
	struct file *f;
	int mode;

	vct_inject_path(path, sizeof(path), site);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	mode = file_inode(f)->i_mode & 0777;
	filp_close(f, NULL);
	return mode;
}
