// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound_client: a driver that uses vcompound the way any out-of-tree
 * driver would, built only from the client kit a DKMS install publishes.
 * It checks both kinds of block, vcache and the kit's version at load time
 * and prints KTAP.
 */
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/hardirq.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <vcache.h>
#include <vcompound.h>

static unsigned int client_case, client_failed;

/*
 * An order above the buddy allocator's maximum, which vcompound always
 * serves virtually: 11 with 4 KiB pages (the buddy maximum is 10 on every
 * such kernel Debian ships).  With larger pages the buddy maximum differs
 * by architecture (11 on arm64 16K, 8 on ppc64 64K), so the client takes
 * the largest order vcompound serves, 64 MiB blocks by default.
 */
static unsigned int client_virtual_order = 11;

static void client_pick_virtual_order(void)
{
	unsigned int order;
	char buf[16] = "";
	struct file *f;
	loff_t pos = 0;
	ssize_t len;

	if (PAGE_SIZE == SZ_4K)
		return;
	f = filp_open("/sys/module/vcompound/parameters/max_order",
		      O_RDONLY, 0);
	if (IS_ERR(f))
		return;
	len = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	if (len > 0 && !kstrtouint(strim(buf), 0, &order))
		client_virtual_order = order;
}

static void client_result(const char *name, bool ok)
{
	client_case++;
	client_failed += !ok;
	pr_info("%sok %u - %s\n", ok ? "" : "not ", client_case, name);
}

/* Every lookup agrees with the block's layout, through any of its bytes. */
static bool client_block_ok(u8 *addr, unsigned int order, bool virt)
{
	unsigned long nr = 1UL << order, n;
	struct page *head = vcompound_head_page(addr);

	if (!head || vcompound_is_virtual(addr) != virt ||
	    vcompound_order(addr + (nr << PAGE_SHIFT) - 1) != order)
		return false;
	for (n = 0; n < nr; n++) {
		u8 *p = addr + (n << PAGE_SHIFT) + n % PAGE_SIZE;
		struct page *page = vcompound_nth_page(addr, n);

		*p = (u8)n;
		if (vcompound_to_page(p) != page || vcompound_head_page(p) != head ||
		    vcompound_page_address(page) != addr + (n << PAGE_SHIFT) ||
		    vmalloc_address(page) != addr + (n << PAGE_SHIFT) ||
		    ((u8 *)page_address(page))[n % PAGE_SIZE] != (u8)n)
			return false;
	}
	return !vcompound_nth_page(addr, nr);
}

static bool client_alloc_case(unsigned int order, bool virt)
{
	void *addr = vcompound_alloc(GFP_KERNEL | __GFP_ZERO, order);
	bool ok;

	if (!addr)
		return false;
	/* Zeroed as asked (the lab boots with init_on_alloc=0), then used. */
	ok = !memchr_inv(addr, 0, PAGE_SIZE << order) &&
	     client_block_ok(addr, order, virt);
	vcompound_free(addr);
	return ok;
}

static bool client_pages_case(void)
{
	struct page *page = vcompound_alloc_pages(GFP_KERNEL, 2);
	void *addr = page ? vmalloc_address(page) : NULL;
	bool ok = addr && vcompound_head_page(addr) == page;

	vcompound_free_pages(page);
	return ok;
}

static struct {
	struct work_struct busy;
	bool busy_running;
	bool busy_stop;
	void *addr;
	bool in_hardirq;
} client_irq;

static void client_irq_free(void *unused)
{
	client_irq.in_hardirq = hardirq_count() && irqs_disabled();
	vcompound_free(client_irq.addr);
}

/*
 * Keeps its CPU out of the idle loop.  A CPU polling in idle takes a
 * function call without the IPI: its idle task runs it, interrupts off
 * but not in hard irq (kernel/smp.c, set_nr_if_polling()); 7.2 failed the
 * case once that way, in a make test-fresh.
 */
static void client_irq_busy(struct work_struct *work)
{
	WRITE_ONCE(client_irq.busy_running, true);
	while (!READ_ONCE(client_irq.busy_stop))
		cpu_relax();
}

/*
 * A virtual block (above the buddy maximum) freed from hardirq: from a
 * function call IPI to a CPU that is busy, which is hard interrupt context
 * on every kernel, PREEMPT_RT included (irq_work runs in a thread there
 * unless flagged, and the kit has no compat/ for the flag).
 */
static bool client_hardirq_case(void)
{
	struct vcompound_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned long timeout = jiffies + HZ;
	unsigned int cpu, other;
	bool ok = false;

	if (!st)
		return false;
	client_irq.addr = vcompound_alloc(GFP_KERNEL, client_virtual_order);
	if (!client_irq.addr || !vcompound_is_virtual(client_irq.addr)) {
		vcompound_free(client_irq.addr);
		goto out;
	}
	client_irq.in_hardirq = false;
	client_irq.busy_running = false;
	client_irq.busy_stop = false;
	INIT_WORK(&client_irq.busy, client_irq_busy);
	cpu = get_cpu();
	other = cpumask_any_but(cpu_online_mask, cpu);
	if (other >= nr_cpu_ids) {
		put_cpu();
		pr_info("# client_free_virtual_from_hardirq: needs a second CPU\n");
		vcompound_free(client_irq.addr);
		goto out;
	}
	schedule_work_on(other, &client_irq.busy);
	while (!READ_ONCE(client_irq.busy_running) &&
	       time_before(jiffies, timeout))
		cpu_relax();
	if (READ_ONCE(client_irq.busy_running))
		smp_call_function_single(other, client_irq_free, NULL, 1);
	WRITE_ONCE(client_irq.busy_stop, true);
	put_cpu();
	flush_work(&client_irq.busy);
	if (!client_irq.busy_running) {
		pr_info("# client_free_virtual_from_hardirq: the work on CPU %u did not start within a second\n",
			other);
		vcompound_free(client_irq.addr);
		goto out;
	}
	vcompound_drain();
	vcompound_get_stats(st);
	ok = client_irq.in_hardirq && !st->deferred_pending &&
	     !st->outstanding_virtual && !st->outstanding_physical;
	if (!ok)
		pr_info("# client_free_virtual_from_hardirq: in hard irq %d, deferred_pending %lu, outstanding virtual %lu, physical %lu\n",
			client_irq.in_hardirq, st->deferred_pending,
			st->outstanding_virtual, st->outstanding_physical);
out:
	kfree(st);
	return ok;
}

#define CLIENT_OBJ_SIZE		200
#define CLIENT_OBJ_ALIGN	64
#define CLIENT_OBJS		300	/* several slabs' worth */

/*
 * A cache's objects are aligned, distinct and as large as asked for, and
 * lie in slabs of the kind the flags allow; freed, the cache is empty.
 */
static bool client_vcache_case(unsigned long flags)
{
	bool vfallback = flags & VCACHE_VFALLBACK;
	struct vcache_info info;
	struct vcache *c;
	void **obj;
	unsigned int i, n;
	bool ok;

	obj = kcalloc(CLIENT_OBJS, sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return false;
	c = vcache_create("vcompound_client", CLIENT_OBJ_SIZE,
			  CLIENT_OBJ_ALIGN, flags, NULL);
	if (!c) {
		kfree(obj);
		return false;
	}
	for (n = 0; n < CLIENT_OBJS; n++) {
		obj[n] = vcache_alloc(c, GFP_KERNEL | __GFP_ZERO);
		if (!obj[n] ||
		    !IS_ALIGNED((unsigned long)obj[n], CLIENT_OBJ_ALIGN) ||
		    memchr_inv(obj[n], 0, CLIENT_OBJ_SIZE) ||
		    (vfallback ? !vcompound_head_page(obj[n]) :
				 vcompound_is_virtual(obj[n])))
			break;
		memset(obj[n], (u8)(n + 1), CLIENT_OBJ_SIZE);
	}
	ok = n == CLIENT_OBJS;
	for (i = 0; i < n; i++)
		ok &= !memchr_inv(obj[i], (u8)(i + 1), CLIENT_OBJ_SIZE);
	vcache_get_info(c, &info);
	ok &= info.active_objs == n && info.objsize == CLIENT_OBJ_SIZE &&
	      info.num_objs >= n && (vfallback || !info.virtual_slabs);
	for (i = 0; i < n; i++)
		vcache_free(c, obj[i]);
	vcache_get_info(c, &info);
	ok &= !info.active_objs;
	vcache_destroy(c);
	kfree(obj);
	return ok;
}

/* The vcompound.ko loaded is at least the release of the kit's header. */
static bool client_loaded_version_ok(void)
{
	unsigned int a, b, c;
	char buf[32] = "";
	struct file *f;
	loff_t pos = 0;
	ssize_t len;

	f = filp_open("/sys/module/vcompound/version", O_RDONLY, 0);
	if (IS_ERR(f))
		return false;
	len = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	return len > 0 && sscanf(buf, "%u.%u.%u", &a, &b, &c) == 3 &&
	       VCOMPOUND_VERSION_NUM(a, b, c) >= VCOMPOUND_VERSION_CODE;
}

/* The kit's version header, tested as a client that needs 0.2.0 would. */
#define CLIENT_NEEDS_VERSION	VCOMPOUND_VERSION_NUM(0, 2, 0)

static bool client_version_case(void)
{
#if VCOMPOUND_API_LEVEL >= 1 && VCOMPOUND_VERSION_CODE >= CLIENT_NEEDS_VERSION
	return client_loaded_version_ok();
#else
	return false;
#endif
}

static int __init vcompound_client_init(void)
{
	char name[32];

	client_pick_virtual_order();
	snprintf(name, sizeof(name), "client_virtual_order_%u",
		 client_virtual_order);
	pr_info("KTAP version 1\n");
	pr_info("1..7\n");
	client_result("client_physical_order_3", client_alloc_case(3, false));
	client_result(name, client_alloc_case(client_virtual_order, true));
	client_result("client_alloc_pages_roundtrip", client_pages_case());
	client_result("client_free_virtual_from_hardirq", client_hardirq_case());
	client_result("client_vcache_physical", client_vcache_case(0));
	client_result("client_vcache_vfallback",
		      client_vcache_case(VCACHE_VFALLBACK));
	client_result("client_kit_version", client_version_case());
	pr_info("# vcompound_client: pass:%u fail:%u\n",
		client_case - client_failed, client_failed);
	return 0;
}

static void __exit vcompound_client_exit(void)
{
}

module_init(vcompound_client_init);
module_exit(vcompound_client_exit);

VCOMPOUND_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vcompound developers");
MODULE_DESCRIPTION("Example vcompound client built from the installed DKMS files");
