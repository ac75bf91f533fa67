// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/vcompound/: the counters for administrators and tools, one
 * value per file, described in Documentation/ABI/testing/
 * sysfs-kernel-vcompound:
 *
 *   <counter>                 the counters counted once, and what
 *                             vcompound_get_stats() derives from the rest
 *   orders/<N>/<counter>      the counters of order N, 0..ORDER_LIMIT
 *   vcache/<name>/<field>     vcache_get_info() of each cache
 *
 * The file names come from the X-macro lists of vcompound.h.  Every read
 * sums the per-CPU counters afresh, so two files are two snapshots; the
 * debugfs table (stats.c) is one.
 */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "vcache_internal.h"
#include "vcompound_internal.h"
#include "vcompat_sysfs.h"

static struct kobject *vc_kobj;		/* /sys/kernel/vcompound */
static struct kobject *vc_orders_kobj;
static struct kobject *vc_order_kobjs[VCOMPOUND_ORDER_LIMIT + 1];
static struct kset *vc_vcache_kset;

/* A counter file: where its value sits in the struct it is read from. */
struct vc_stat_attr {
	struct kobj_attribute attr;
	size_t off;
	size_t size;			/* u64 or unsigned long */
};

/* The value of file @attr in @base (a vcompound_stats or _order_stats). */
static ssize_t vc_stat_emit(char *buf, const void *base,
			    const struct kobj_attribute *attr)
{
	const struct vc_stat_attr *sa = container_of(attr, struct vc_stat_attr,
						     attr);
	const void *p = base + sa->off;
	unsigned long long val;

	if (sa->size == sizeof(u64))
		val = *(const u64 *)p;
	else
		val = *(const unsigned long *)p;
	return sysfs_emit(buf, "%llu\n", val);
}

/* The order of an orders/<N> directory. */
struct vc_order_kobj {
	struct kobject kobj;
	unsigned int order;
};

static ssize_t vc_stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf, bool per_order)
{
	struct vcompound_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	const void *base = st;
	ssize_t ret;

	if (!st)
		return -ENOMEM;
	vcompound_get_stats(st);
	if (per_order)
		base = &st->order[container_of(kobj, struct vc_order_kobj,
					       kobj)->order];
	ret = vc_stat_emit(buf, base, attr);
	kfree(st);
	return ret;
}

static ssize_t vc_global_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return vc_stat_show(kobj, attr, buf, false);
}

static ssize_t vc_order_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return vc_stat_show(kobj, attr, buf, true);
}

#define VC_X_STAT(type, name, show) {				\
	.attr = __ATTR(name, 0444, show, NULL),				\
	.off = offsetof(type, name),					\
	.size = sizeof_field(type, name),				\
}

/*
 * Besides the refusal counters, what vcompound_get_stats() derives: the
 * fields of struct vcompound_stats after its order table.
 */
#define VC_SYSFS_DERIVED(X)						\
	X(outstanding_physical, "")					\
	X(outstanding_physical_bytes, "")				\
	X(outstanding_virtual, "")					\
	X(outstanding_virtual_bytes, "")				\
	X(deferred_pending, "")

#define VC_X_GLOBAL(name, meaning)					\
	VC_X_STAT(struct vcompound_stats, name, vc_global_show),
#define VC_X_ORDER(name, meaning)					\
	VC_X_STAT(struct vcompound_order_stats, name, vc_order_show),

static struct vc_stat_attr vc_global_stat_attrs[] = {
	VCOMPOUND_REFUSAL_COUNTERS(VC_X_GLOBAL)
	VC_SYSFS_DERIVED(VC_X_GLOBAL)
};

static struct vc_stat_attr vc_order_stat_attrs[] = {
	VCOMPOUND_ORDER_COUNTERS(VC_X_ORDER)
	VCOMPOUND_RESERVE_COUNTERS(VC_X_ORDER)
	VC_ORDER_STATE(VC_X_ORDER)
};

/* The NULL-terminated lists sysfs takes, filled in at init. */
static struct attribute *vc_global_attrs[ARRAY_SIZE(vc_global_stat_attrs) + 1];
static struct attribute *vc_order_attrs[ARRAY_SIZE(vc_order_stat_attrs) + 1];

static const struct attribute_group vc_global_group = {
	.attrs = vc_global_attrs,
};

static const struct attribute_group vc_order_group = {
	.attrs = vc_order_attrs,
};

static const struct attribute_group *vc_order_groups[] = {
	&vc_order_group,
	NULL
};

static void vc_order_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct vc_order_kobj, kobj));
}

static const struct kobj_type vc_order_ktype = {
	.release = vc_order_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vc_order_groups,
};

/* ------------------------------------------------------ vcache/<name>/ */

/*
 * A cache's directory.  Removing it waits for the reads in progress, so
 * @cache is valid in every show, and the cache may be freed once
 * vc_sysfs_vcache_del() returns.
 */
struct vc_vcache_kobj {
	struct kobject kobj;
	struct vcache *cache;
};

/* The fields of struct vcache_info, one file each. */
#define VC_SYSFS_VCACHE_INFO(X)						\
	X(active_objs)							\
	X(num_objs)							\
	X(objsize)							\
	X(objperslab)							\
	X(pagesperslab)							\
	X(physical_slabs)						\
	X(virtual_slabs)						\
	X(slab_pages)							\
	X(debug_errors)

#define VC_X_VCACHE_SHOW(name)						\
static ssize_t vc_vcache_##name##_show(struct kobject *kobj,		\
				       struct kobj_attribute *attr,	\
				       char *buf)			\
{									\
	struct vc_vcache_kobj *vk = container_of(kobj,			\
						 struct vc_vcache_kobj,	\
						 kobj);			\
	struct vcache_info info;					\
									\
	vcache_get_info(vk->cache, &info);				\
	return sysfs_emit(buf, "%lu\n", (unsigned long)info.name);	\
}									\
static struct kobj_attribute vc_vcache_##name##_attr =			\
	__ATTR(name, 0444, vc_vcache_##name##_show, NULL);
VC_SYSFS_VCACHE_INFO(VC_X_VCACHE_SHOW)

#define VC_X_VCACHE_ATTR(name)	&vc_vcache_##name##_attr.attr,
static struct attribute *vc_vcache_attrs[] = {
	VC_SYSFS_VCACHE_INFO(VC_X_VCACHE_ATTR)
	NULL
};
ATTRIBUTE_GROUPS(vc_vcache);

static void vc_vcache_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct vc_vcache_kobj, kobj));
}

static const struct kobj_type vc_vcache_ktype = {
	.release = vc_vcache_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vc_vcache_groups,
};

/* Whether vcache/ has a directory @name (under vcache_mutex). */
static bool vc_vcache_name_taken(const char *name)
{
	struct kobject *kobj = kset_find_obj(vc_vcache_kset, name);

	kobject_put(kobj);
	return kobj;
}

/*
 * Adds vcache/<name>/ for @c, called under vcache_mutex.  Cache names need
 * not be unique, and may hold a '/': the directory takes the name with
 * '/' as '!' (as block devices do), and a second cache of that name gets
 * "<name>:2", and so on.
 */
struct kobject *vc_sysfs_vcache_add(struct vcache *c)
{
	char name[VCACHE_NAME_LEN + 12];
	struct vc_vcache_kobj *vk;
	unsigned int n;
	int ret;

	lockdep_assert_held(&vcache_mutex);
	for (n = 1; ; n++) {
		if (n == 1)
			strscpy(name, c->name, sizeof(name));
		else
			snprintf(name, sizeof(name), "%s:%u", c->name, n);
		strreplace(name, '/', '!');
		if (!vc_vcache_name_taken(name))
			break;
	}

	vk = kzalloc(sizeof(*vk), GFP_KERNEL);
	if (!vk)
		return ERR_PTR(-ENOMEM);
	vk->cache = c;
	vk->kobj.kset = vc_vcache_kset;
	ret = vc_kobject_init_and_add(&vk->kobj, &vc_vcache_ktype, NULL, name);
	if (ret) {
		kobject_put(&vk->kobj);
		return ERR_PTR(ret);
	}
	return &vk->kobj;
}

/* Removes a directory vc_sysfs_vcache_add() made, once no read is in it. */
void vc_sysfs_vcache_del(struct kobject *kobj)
{
	kobject_del(kobj);
	kobject_put(kobj);
}

/* --------------------------------------------------------- init, exit */

static void vc_sysfs_fill(struct attribute **list, struct vc_stat_attr *sa,
			  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		list[i] = &sa[i].attr.attr;
	list[n] = NULL;
}

int vc_sysfs_init(void)
{
	struct vc_order_kobj *ok;
	unsigned int o;
	char name[12];
	int ret;

	vc_sysfs_fill(vc_global_attrs, vc_global_stat_attrs,
		      ARRAY_SIZE(vc_global_stat_attrs));
	vc_sysfs_fill(vc_order_attrs, vc_order_stat_attrs,
		      ARRAY_SIZE(vc_order_stat_attrs));

	vc_kobj = kobject_create_and_add("vcompound", kernel_kobj);
	if (!vc_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(vc_kobj, &vc_global_group);
	if (ret)
		goto fail;
	ret = -ENOMEM;
	vc_orders_kobj = kobject_create_and_add("orders", vc_kobj);
	if (!vc_orders_kobj)
		goto fail;
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		ok = kzalloc(sizeof(*ok), GFP_KERNEL);
		if (!ok) {
			ret = -ENOMEM;
			goto fail;
		}
		ok->order = o;
		vc_order_kobjs[o] = &ok->kobj;
		snprintf(name, sizeof(name), "%u", o);
		ret = vc_kobject_init_and_add(&ok->kobj, &vc_order_ktype,
					      vc_orders_kobj, name);
		if (ret)
			goto fail;
	}
	vc_vcache_kset = kset_create_and_add("vcache", NULL, vc_kobj);
	if (!vc_vcache_kset) {
		ret = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	vc_sysfs_exit();
	return ret;
}

/* After vcache_exit(), which removed the caches' directories. */
void vc_sysfs_exit(void)
{
	unsigned int o;

	kset_unregister(vc_vcache_kset);
	vc_vcache_kset = NULL;
	/* A failed kobject_init_and_add() too is undone by the put. */
	for (o = 0; o <= VCOMPOUND_ORDER_LIMIT; o++) {
		kobject_put(vc_order_kobjs[o]);
		vc_order_kobjs[o] = NULL;
	}
	kobject_put(vc_orders_kobj);
	vc_orders_kobj = NULL;
	kobject_put(vc_kobj);
	vc_kobj = NULL;
}
