// SPDX-License-Identifier: GPL-2.0
/*
 * VCACHE_DEBUG: red zones around every object, poison in free objects and
 * a state word per slot.  A write past an object, a write after free and a
 * double free are reported with WARN, naming the cache and the object; a
 * corrupted object is quarantined (never handed out again) and the kernel
 * keeps running.
 */
#include <linux/bug.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "vcache_internal.h"

#define VCACHE_RZ_BYTE		0xbb
#define VCACHE_POISON_BYTE	0x6b

enum vcache_obj_state {
	VCACHE_OBJ_FREE = 0x46524545,		/* "FREE" */
	VCACHE_OBJ_ALLOCATED = 0x414c4c4f,	/* "ALLO" */
	VCACHE_OBJ_QUARANTINED = 0x42414421,	/* "BAD!" */
};

void vcache_debug_layout(struct vcache *c)
{
	/* Slots stay aligned: the left red zone is a multiple of align. */
	unsigned int rz = ALIGN(VCACHE_DEBUG_RZ, c->align);

	c->obj_off = rz;
	c->fp_off = ALIGN(rz + c->size + VCACHE_DEBUG_RZ, sizeof(void *));
	c->state_off = c->fp_off + sizeof(void *);
	c->stride = ALIGN(c->state_off + sizeof(unsigned long), c->align);
}

static unsigned long *vcache_state(const struct vcache *c, void *obj)
{
	return obj - c->obj_off + c->state_off;
}

/* A ctor's object must keep its contents while free: no poison then. */
static bool vcache_poisons(const struct vcache *c)
{
	return !c->ctor;
}

void vcache_debug_init_obj(struct vcache *c, void *obj)
{
	memset(obj - c->obj_off, VCACHE_RZ_BYTE, c->obj_off);
	memset(obj + c->size, VCACHE_RZ_BYTE, c->fp_off - c->obj_off - c->size);
	if (vcache_poisons(c))
		memset(obj, VCACHE_POISON_BYTE, c->size);
	*vcache_state(c, obj) = VCACHE_OBJ_FREE;
}

static bool vcache_bytes_are(const void *p, u8 byte, size_t len)
{
	return !memchr_inv(p, byte, len);
}

/* Which red zone, if any, was written to. */
static const char *vcache_rz_damage(const struct vcache *c, void *obj)
{
	if (!vcache_bytes_are(obj + c->size, VCACHE_RZ_BYTE,
			      c->fp_off - c->obj_off - c->size))
		return "write past the end of";
	if (!vcache_bytes_are(obj - c->obj_off, VCACHE_RZ_BYTE, c->obj_off))
		return "write before the start of";
	return NULL;
}

/*
 * Where an object is, for reports: its page frame and offset identify it
 * even where %p prints a hash (or nothing, before the hash key is ready)
 * and without exposing the kernel's virtual layout.
 */
unsigned long vcache_obj_pfn(const void *obj)
{
	struct page *page = vcompound_to_page(obj);

	return page ? page_to_pfn(page) : 0;
}

/* Reports @damage to @obj and takes the object out of circulation. */
static void vcache_quarantine(struct vcache *c, void *obj, const char *damage)
{
	atomic_long_inc(&c->debug_errors);
	WARN(1, "vcache %s: %s the object at pfn %#lx + %#lx, which is quarantined\n",
	     c->name, damage, vcache_obj_pfn(obj), offset_in_page(obj));
	*vcache_state(c, obj) = VCACHE_OBJ_QUARANTINED;
	atomic_long_inc(&c->quarantined);
}

/**
 * vcache_debug_alloc_ok - check an object about to be handed out
 * @c: a VCACHE_DEBUG cache
 * @obj: the object, just taken off its slab's free list (node lock held)
 *
 * Return: true if it may be used; false if it was written to while free,
 * in which case it has been reported and quarantined.
 */
bool vcache_debug_alloc_ok(struct vcache *c, void *obj)
{
	const char *damage = NULL;

	if (*vcache_state(c, obj) != VCACHE_OBJ_FREE)
		damage = "corrupted state word of";
	else if (vcache_poisons(c) &&
		 !vcache_bytes_are(obj, VCACHE_POISON_BYTE, c->size))
		damage = "write after free to";
	else
		damage = vcache_rz_damage(c, obj);
	if (damage) {
		vcache_quarantine(c, obj, damage);
		return false;
	}
	*vcache_state(c, obj) = VCACHE_OBJ_ALLOCATED;
	return true;
}

/**
 * vcache_debug_free_ok - check an object being freed
 * @c: a VCACHE_DEBUG cache
 * @slab: its slab (node lock held)
 * @obj: the pointer passed to vcache_free()
 *
 * Return: true if it may go back on the free list (it is poisoned now);
 * false if the free was refused, after a warning.
 */
bool vcache_debug_free_ok(struct vcache *c, struct vcache_slab *slab,
			  void *obj)
{
	unsigned long off = obj - vcache_slot_obj(c, slab, 0);
	const char *damage;

	if (obj < vcache_slot_obj(c, slab, 0) || off % c->stride ||
	    off / c->stride >= slab->objects) {
		atomic_long_inc(&c->debug_errors);
		WARN(1, "vcache %s: free of pfn %#lx + %#lx, which is not the start of an object\n",
		     c->name, vcache_obj_pfn(obj), offset_in_page(obj));
		return false;
	}
	switch (*vcache_state(c, obj)) {
	case VCACHE_OBJ_ALLOCATED:
		break;
	case VCACHE_OBJ_FREE:
		atomic_long_inc(&c->debug_errors);
		WARN(1, "vcache %s: double free of the object at pfn %#lx + %#lx\n",
		     c->name, vcache_obj_pfn(obj), offset_in_page(obj));
		return false;
	case VCACHE_OBJ_QUARANTINED:
		atomic_long_inc(&c->debug_errors);
		WARN(1, "vcache %s: free of the quarantined object at pfn %#lx + %#lx\n",
		     c->name, vcache_obj_pfn(obj), offset_in_page(obj));
		return false;
	default:
		vcache_quarantine(c, obj, "corrupted state word of");
		return false;
	}
	damage = vcache_rz_damage(c, obj);
	if (damage) {
		vcache_quarantine(c, obj, damage);
		return false;
	}
	if (vcache_poisons(c))
		memset(obj, VCACHE_POISON_BYTE, c->size);
	*vcache_state(c, obj) = VCACHE_OBJ_FREE;
	return true;
}
