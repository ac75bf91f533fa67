// SPDX-License-Identifier: GPL-2.0
/*
 * One block of each order up to max_order, in the default mode and with
 * always_fallback: its kind, every lookup, its memory and its counters.
 */
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "vct.h"
#include "vcompat_page_alloc.h"

/* Lookups through the first, a middle and the last byte of a block. */
static void vct_check_lookups(struct vct *t, void *addr, unsigned int order,
			      bool virt)
{
	unsigned long size = PAGE_SIZE << order;
	unsigned long offs[] = { 0, size / 2 + 123, size - 1 };
	struct page *head = vcompound_head_page(addr);
	unsigned int i;

	VCT_CHECK(t, head);
	VCT_CHECK(t, head == vcompound_nth_page(addr, 0));
	VCT_CHECK(t, !vcompound_nth_page(addr, 1UL << order));
	if (!virt) {
		VCT_CHECK(t, head == virt_to_page(addr));
		VCT_CHECK(t, !order || PageHead(head));
		VCT_CHECK(t, !order || compound_order(head) == order);
	}
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		void *p = addr + offs[i];
		unsigned long n = offs[i] >> PAGE_SHIFT;

		VCT_CHECK(t, vcompound_order(p) == order);
		VCT_CHECK(t, vcompound_is_virtual(p) == virt);
		VCT_CHECK(t, vcompound_head_page(p) == head);
		VCT_CHECK(t, vcompound_to_page(p) == vcompound_nth_page(addr, n));
		VCT_CHECK(t, vcompound_to_page(p) ==
			  (virt ? vmalloc_to_page(p) : virt_to_page(p)));
	}
}

static void vct_order_case(struct vct *t, unsigned int order, bool fallback)
{
	bool virt = fallback || order > VC_BUDDY_MAX_ORDER;
	unsigned long size = PAGE_SIZE << order;
	u8 *addr;

	if (vct_set_fallback(t, fallback))
		return;
	vct_snap(t);
	addr = vcompound_alloc(GFP_KERNEL, order);
	if (!VCT_CHECK(t, addr))
		return;
	VCT_CHECK(t, vcompound_is_virtual(addr) == virt);
	vct_check_lookups(t, addr, order, virt);
	vct_pattern_check(t, addr, order);
	memset(addr, 0x5a, size);
	VCT_CHECK(t, addr[0] == 0x5a && addr[size - 1] == 0x5a);
	vct_free(t, addr);

	vct_resnap(t);
	VCT_CHECK(t, vct_odelta(t, order, physical) == !virt);
	VCT_CHECK(t, vct_odelta(t, order, virtual) == virt);
	VCT_CHECK(t, vct_odelta(t, order, freed_physical) == !virt);
	VCT_CHECK(t, vct_odelta(t, order, freed_virtual) == virt);
	VCT_CHECK(t, vct_odelta(t, order, failed) == 0);
	/* Process context may sleep: nothing is deferred, where visible. */
	VCT_CHECK(t, vct_odelta(t, order, deferred) ==
		     (virt && VCT_PROCESS_FREE_DEFERS));
	VCT_CHECK(t, t->s1->outstanding_physical == t->s0->outstanding_physical);
	VCT_CHECK(t, t->s1->outstanding_virtual == t->s0->outstanding_virtual);
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

/* Orders 0..max_order (the parameter), default mode, then fallback. */
void vct_order_cases(void (*run)(const char *name, void (*fn)(struct vct *t)))
{
	unsigned int max_order;
	int fallback;

	/* The runners check that max_order reads before they start. */
	if (vct_param_get_max_order(&max_order))
		return;

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
