/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcompound_users: what its phases (users.c) use of the flow table
 * (flows.c) and the record ring (ring.c).
 */
#ifndef _VCU_USERS_H
#define _VCU_USERS_H

#include <linux/printk.h>
#include <linux/types.h>

struct hlist_head;

#define vcu_diag(fmt, ...)	pr_info("# " fmt "\n", ##__VA_ARGS__)

/* users.c: the block checks every part reports with. */
const char *vcu_kind(const void *block);
bool vcu_block_ok(const char *what, const void *block, unsigned int order,
		  bool virt);

/* flows.c */
struct vcu_table {
	struct hlist_head *buckets;	/* a vcompound block */
	unsigned int order;		/* of that block */
	unsigned int bits;		/* log2 of the number of buckets */
	unsigned long count;
};

bool vcu_flows_create(void);
void vcu_flows_destroy(void);
bool vcu_table_init(struct vcu_table *t, unsigned int order);
bool vcu_rehash(struct vcu_table *new, struct vcu_table *old);
void vcu_table_empty(struct vcu_table *t);
bool vcu_table_work(struct vcu_table *t, unsigned long limit);
unsigned int vcu_slabs(unsigned long *phys, unsigned long *virt);

/* ring.c */
struct vcu_ring {
	u8 *buf;		/* a vcompound block */
	unsigned long size;	/* bytes, a power of two */
	u64 head, tail;		/* bytes produced, consumed */
	u32 seq_out, seq_in;	/* next record to produce, to consume */
};

bool vcu_ring_init(struct vcu_ring *r, unsigned int order);
void vcu_ring_move(struct vcu_ring *new, struct vcu_ring *old);
bool vcu_ring_work(struct vcu_ring *r);

#endif /* _VCU_USERS_H */
