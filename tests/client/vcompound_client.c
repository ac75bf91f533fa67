// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound_client: a driver that uses vcompound the way any out-of-tree
 * driver would, built only from the files a DKMS install publishes.  It
 * checks both kinds of block at load time and prints KTAP.
 */
#include <linux/completion.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <vcompound.h>

static unsigned int client_case, client_failed;

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
	ok = client_block_ok(addr, order, virt);
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
	struct irq_work work;
	struct completion done;
	void *addr;
	bool in_hardirq;
} client_irq;

static void client_irq_free(struct irq_work *work)
{
	client_irq.in_hardirq = hardirq_count() && irqs_disabled();
	vcompound_free(client_irq.addr);
	complete(&client_irq.done);
}

/* A virtual block (above the buddy maximum) freed from hardirq. */
static bool client_hardirq_case(void)
{
	struct vcompound_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	bool ok = false;

	if (!st)
		return false;
	client_irq.addr = vcompound_alloc(GFP_KERNEL, 11);
	if (!client_irq.addr || !vcompound_is_virtual(client_irq.addr))
		goto out;
	init_completion(&client_irq.done);
	init_irq_work(&client_irq.work, client_irq_free);
	irq_work_queue(&client_irq.work);
	if (!wait_for_completion_timeout(&client_irq.done, 30 * HZ))
		goto out;
	irq_work_sync(&client_irq.work);
	vcompound_drain();
	vcompound_get_stats(st);
	ok = client_irq.in_hardirq && !st->deferred_pending &&
	     !st->outstanding_virtual && !st->outstanding_physical;
out:
	kfree(st);
	return ok;
}

static int __init vcompound_client_init(void)
{
	pr_info("KTAP version 1\n");
	pr_info("1..4\n");
	client_result("client_physical_order_3", client_alloc_case(3, false));
	client_result("client_virtual_order_11", client_alloc_case(11, true));
	client_result("client_alloc_pages_roundtrip", client_pages_case());
	client_result("client_free_virtual_from_hardirq", client_hardirq_case());
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
