// SPDX-License-Identifier: GPL-2.0
/*
 * vcompound_users' record ring: a byte ring in one vcompound block through
 * which variable-length records pass, each checked when it is consumed.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>

#include <vcompound.h>

#include "users.h"

struct vcu_rec {
	u32 seq;
	u32 len;		/* payload bytes after the header */
};

#define VCU_REC_ALIGN	8

static u32 vcu_rec_len(u32 seq)
{
	return (seq * 2654435761U) % 4093 + 1;
}

static u8 vcu_rec_byte(u32 seq, u32 i)
{
	return (u8)(seq * 31 + i * 7 + (i >> 8));
}

static unsigned long vcu_rec_space(u32 seq)
{
	return ALIGN(sizeof(struct vcu_rec) + vcu_rec_len(seq), VCU_REC_ALIGN);
}

/* Copies @len bytes in or out of the ring at stream position @pos. */
static void vcu_ring_copy(struct vcu_ring *r, u64 pos, void *data,
			  unsigned long len, bool in)
{
	while (len) {
		unsigned long off = pos & (r->size - 1);
		unsigned long n = min(len, r->size - off);

		if (in)
			memcpy(r->buf + off, data, n);
		else
			memcpy(data, r->buf + off, n);
		pos += n;
		data += n;
		len -= n;
	}
}

static bool vcu_ring_produce(struct vcu_ring *r)
{
	struct vcu_rec rec = { r->seq_out, vcu_rec_len(r->seq_out) };
	u8 chunk[64];
	u32 i, n, k;
	u64 pos;

	if (r->head - r->tail + vcu_rec_space(rec.seq) > r->size)
		return false;
	vcu_ring_copy(r, r->head, &rec, sizeof(rec), true);
	pos = r->head + sizeof(rec);
	for (i = 0; i < rec.len; i += n) {
		n = min_t(u32, sizeof(chunk), rec.len - i);
		for (k = 0; k < n; k++)
			chunk[k] = vcu_rec_byte(rec.seq, i + k);
		vcu_ring_copy(r, pos + i, chunk, n, true);
	}
	r->head += vcu_rec_space(rec.seq);
	r->seq_out++;
	return true;
}

/* Consumes one record; false when it is not the one expected. */
static bool vcu_ring_consume(struct vcu_ring *r)
{
	struct vcu_rec rec;
	u8 chunk[64];
	u32 i, n, k;

	vcu_ring_copy(r, r->tail, &rec, sizeof(rec), false);
	if (rec.seq != r->seq_in || rec.len != vcu_rec_len(r->seq_in))
		return false;
	for (i = 0; i < rec.len; i += n) {
		n = min_t(u32, sizeof(chunk), rec.len - i);
		vcu_ring_copy(r, r->tail + sizeof(rec) + i, chunk, n, false);
		for (k = 0; k < n; k++)
			if (chunk[k] != vcu_rec_byte(rec.seq, i + k))
				return false;
	}
	r->tail += vcu_rec_space(rec.seq);
	r->seq_in++;
	return true;
}

/*
 * Passes four ring sizes' worth of records through the ring, filling it and
 * draining half of it in turn, and leaves it about half full: those records
 * are carried into the next ring.
 */
bool vcu_ring_work(struct vcu_ring *r)
{
	u64 start = r->head, consumed = 0;
	u32 seq0 = r->seq_in;

	while (r->head - start < 4 * (u64)r->size) {
		while (vcu_ring_produce(r))
			;
		while (r->head - r->tail > r->size / 2) {
			if (!vcu_ring_consume(r)) {
				vcu_diag("ring: record %u is wrong", r->seq_in);
				return false;
			}
			consumed++;
		}
	}
	vcu_diag("ring: %lu KiB %s, %llu KiB through it, %u records checked",
		 r->size >> 10, vcu_kind(r->buf), (r->head - start) >> 10,
		 r->seq_in - seq0);
	vcu_diag("ring: %llu KiB (%u records) left in it",
		 (r->head - r->tail) >> 10, r->seq_out - r->seq_in);
	return consumed && r->head - r->tail <= r->size;
}

/* An empty ring of @order pages. */
bool vcu_ring_init(struct vcu_ring *r, unsigned int order)
{
	r->buf = vcompound_alloc(GFP_KERNEL, order);
	if (!r->buf)
		return false;
	r->size = PAGE_SIZE << order;
	r->head = 0;
	r->tail = 0;
	r->seq_out = 0;
	r->seq_in = 0;
	return true;
}

/* Carries the unconsumed records of @old over into the new, empty @new. */
void vcu_ring_move(struct vcu_ring *new, struct vcu_ring *old)
{
	u8 chunk[256];
	u64 pos;

	new->tail = old->tail;
	new->seq_out = old->seq_out;
	new->seq_in = old->seq_in;
	for (pos = old->tail; pos < old->head; pos += sizeof(chunk)) {
		unsigned long n = min_t(u64, sizeof(chunk), old->head - pos);

		vcu_ring_copy(old, pos, chunk, n, false);
		vcu_ring_copy(new, pos, chunk, n, true);
	}
	new->head = old->head;
}
