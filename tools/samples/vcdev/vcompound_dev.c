// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound_dev: a demo character device.  Each open file owns one buffer
 * that is one vcompound block, sized once by ioctl, zeroed when it is
 * allocated, and reachable through read()/write()/lseek() and mmap()
 * (MAP_SHARED).  Offsets and lengths outside the buffer get -EINVAL.
 * /dev/vcompound_dev is root-only (0600).
 *
 * The buffer never changes once set, so read(), write() and mmap() need no
 * lock: holding one across copy_to_user() would order it before the mmap
 * lock, and ->mmap() runs under the mmap lock.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <vcompound.h>

#include "vcdev_uapi.h"

struct vcdev_file {
	struct mutex lock;	/* serialises VCDEV_SET_SIZE */
	void *buf;		/* a vcompound block, or NULL; set once */
	size_t size;		/* bytes the file exposes, <= the block */
};

/* The buffer, or NULL; @size is valid once this returns non-NULL. */
static void *vcdev_buf(struct vcdev_file *vf)
{
	/* Pairs with the release in vcdev_set_size(): size is set first. */
	return smp_load_acquire(&vf->buf);
}

static int vcdev_open(struct inode *inode, struct file *file)
{
	struct vcdev_file *vf = kzalloc(sizeof(*vf), GFP_KERNEL);

	if (!vf)
		return -ENOMEM;
	mutex_init(&vf->lock);
	file->private_data = vf;
	return 0;
}

static int vcdev_release(struct inode *inode, struct file *file)
{
	struct vcdev_file *vf = file->private_data;

	/* Pages still mapped in user space keep their own references. */
	vcompound_free(vf->buf);
	mutex_destroy(&vf->lock);
	kfree(vf);
	return 0;
}

static long vcdev_set_size(struct vcdev_file *vf, u64 size)
{
	long ret = 0;
	void *buf;

	if (!size || size > VCDEV_MAX_SIZE)
		return -EINVAL;
	mutex_lock(&vf->lock);
	if (vf->buf) {
		ret = -EBUSY;
		goto out;
	}
	buf = vcompound_alloc(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN,
			      get_order(size));
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	vf->size = size;
	/* Publishes size along with buf; see vcdev_buf(). */
	smp_store_release(&vf->buf, buf);
out:
	mutex_unlock(&vf->lock);
	return ret;
}

static long vcdev_get_info(struct vcdev_file *vf, void __user *arg)
{
	void *buf = vcdev_buf(vf);
	struct vcdev_info info = {};

	if (buf) {
		info.size = vf->size;
		info.order = vcompound_order(buf);
		info.is_virtual = vcompound_is_virtual(buf);
	}
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long vcdev_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	struct vcdev_file *vf = file->private_data;
	u64 size;

	switch (cmd) {
	case VCDEV_SET_SIZE:
		if (copy_from_user(&size, (void __user *)arg, sizeof(size)))
			return -EFAULT;
		return vcdev_set_size(vf, size);
	case VCDEV_GET_INFO:
		return vcdev_get_info(vf, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/*
 * Checks [@pos, @pos + *@len) against the buffer and trims *@len at its
 * end; an offset past the end is an error, one at the end reads as EOF.
 */
static void *vcdev_range(struct vcdev_file *vf, loff_t pos, size_t *len)
{
	void *buf = vcdev_buf(vf);

	if (!buf || pos < 0 || pos > vf->size)
		return NULL;
	*len = min_t(size_t, *len, vf->size - pos);
	return buf + pos;
}

static ssize_t vcdev_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *pos)
{
	void *p = vcdev_range(file->private_data, *pos, &len);

	if (!p)
		return -EINVAL;
	if (copy_to_user(ubuf, p, len))
		return -EFAULT;
	*pos += len;
	return len;
}

static ssize_t vcdev_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *pos)
{
	size_t want = len;
	void *p = vcdev_range(file->private_data, *pos, &len);

	if (!p)
		return -EINVAL;
	if (want && !len)
		return -ENOSPC;
	if (copy_from_user(p, ubuf, len))
		return -EFAULT;
	*pos += len;
	return len;
}

static loff_t vcdev_llseek(struct file *file, loff_t off, int whence)
{
	struct vcdev_file *vf = file->private_data;

	return fixed_size_llseek(file, off, whence,
				 vcdev_buf(vf) ? vf->size : 0);
}

/* The page offset of the mapping is a byte offset into the buffer. */
static int vcdev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vcdev_file *vf = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	void *buf = vcdev_buf(vf);
	unsigned long pages;

	/*
	 * A private mapping would copy on write, away from the buffer.
	 * VM_MAYSHARE, not VM_SHARED: a shared mapping of a file opened
	 * read-only has no VM_SHARED, and is fine.
	 */
	if (!buf || !(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	pages = PAGE_ALIGN(vf->size) >> PAGE_SHIFT;
	if (vma->vm_pgoff >= pages ||
	    len > (pages - vma->vm_pgoff) << PAGE_SHIFT)
		return -EINVAL;
	return vcompound_mmap(vma, buf + (vma->vm_pgoff << PAGE_SHIFT), len);
}

static const struct file_operations vcdev_fops = {
	.owner		= THIS_MODULE,
	.open		= vcdev_open,
	.release	= vcdev_release,
	.unlocked_ioctl	= vcdev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.read		= vcdev_read,
	.write		= vcdev_write,
	.llseek		= vcdev_llseek,
	.mmap		= vcdev_mmap,
};

static struct miscdevice vcdev_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= VCDEV_NAME,
	.fops	= &vcdev_fops,
	.mode	= 0600,
};

module_misc_device(vcdev_misc);

VCOMPOUND_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("vcompound demo: a character device whose buffers are vcompound blocks, mmap()able");
