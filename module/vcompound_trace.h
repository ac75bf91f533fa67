/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of vcompound and vcache: tracefs events/vcompound/, perf
 * (vcompound:vcompound_alloc, ...) and bpftrace (tracepoint:vcompound:...).
 *
 * Cache names are copied into a fixed array rather than with __string(),
 * whose __assign_str() lost its second argument in v6.10.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vcompound

#ifndef _VCOMPOUND_TRACE_ENUMS
#define _VCOMPOUND_TRACE_ENUMS
/* Why a block is built from order-0 pages (vcompound_fallback). */
enum vc_fallback_reason {
	VC_FALLBACK_FORCED,		/* always_fallback is set */
	VC_FALLBACK_ORDER,		/* above the buddy allocator's max */
	VC_FALLBACK_PHYSICAL_FAILED,	/* the physical attempt failed */
};
#endif

#if !defined(_VCOMPOUND_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VCOMPOUND_TRACE_H

#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

#define VC_TRACE_NAME_LEN	24

TRACE_DEFINE_ENUM(VC_FALLBACK_FORCED);
TRACE_DEFINE_ENUM(VC_FALLBACK_ORDER);
TRACE_DEFINE_ENUM(VC_FALLBACK_PHYSICAL_FAILED);

TRACE_EVENT(vcompound_alloc,
	    TP_PROTO(const void *addr, unsigned int order, gfp_t gfp, int nid,
		     bool virtual),
	    TP_ARGS(addr, order, gfp, nid, virtual),
	    TP_STRUCT__entry(__field(const void *, addr)
			     __field(unsigned int, order)
			     __field(unsigned long, gfp)
			     __field(int, nid)
			     __field(bool, virtual)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->order = order;
			   __entry->gfp = (__force unsigned long)gfp;
			   __entry->nid = nid;
			   __entry->virtual = virtual;),
	    TP_printk("addr=%p order=%u gfp=%#lx nid=%d virtual=%d",
		      __entry->addr, __entry->order, __entry->gfp, __entry->nid,
		      __entry->virtual)
);

TRACE_EVENT(vcompound_fallback,
	    TP_PROTO(unsigned int order, gfp_t gfp, int reason),
	    TP_ARGS(order, gfp, reason),
	    TP_STRUCT__entry(__field(unsigned int, order)
			     __field(unsigned long, gfp)
			     __field(int, reason)),
	    TP_fast_assign(__entry->order = order;
			   __entry->gfp = (__force unsigned long)gfp;
			   __entry->reason = reason;),
	    TP_printk("order=%u gfp=%#lx reason=%s", __entry->order,
		      __entry->gfp,
		      __print_symbolic(__entry->reason,
				       { VC_FALLBACK_FORCED, "always_fallback" },
				       { VC_FALLBACK_ORDER, "above_buddy_max" },
				       { VC_FALLBACK_PHYSICAL_FAILED,
					 "physical_failed" }))
);

TRACE_EVENT(vcompound_free,
	    TP_PROTO(const void *addr, unsigned int order, bool virtual,
		     bool deferred),
	    TP_ARGS(addr, order, virtual, deferred),
	    TP_STRUCT__entry(__field(const void *, addr)
			     __field(unsigned int, order)
			     __field(bool, virtual)
			     __field(bool, deferred)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->order = order;
			   __entry->virtual = virtual;
			   __entry->deferred = deferred;),
	    TP_printk("addr=%p order=%u virtual=%d deferred=%d", __entry->addr,
		      __entry->order, __entry->virtual, __entry->deferred)
);

/* A virtual free handed to the worker: it came where vunmap() cannot run. */
TRACE_EVENT(vcompound_defer,
	    TP_PROTO(const void *addr, unsigned int order),
	    TP_ARGS(addr, order),
	    TP_STRUCT__entry(__field(const void *, addr)
			     __field(unsigned int, order)
			     __field(bool, hardirq)
			     __field(bool, softirq)
			     __field(bool, irqs_off)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->order = order;
			   __entry->hardirq = !!hardirq_count();
			   __entry->softirq = in_serving_softirq();
			   __entry->irqs_off = irqs_disabled();),
	    TP_printk("addr=%p order=%u hardirq=%d softirq=%d irqs_off=%d",
		      __entry->addr, __entry->order, __entry->hardirq,
		      __entry->softirq, __entry->irqs_off)
);

DECLARE_EVENT_CLASS(vcache_object,
		    TP_PROTO(const char *cache, const void *obj, unsigned int size),
		    TP_ARGS(cache, obj, size),
		    TP_STRUCT__entry(__array(char, cache, VC_TRACE_NAME_LEN)
				     __field(const void *, obj)
				     __field(unsigned int, size)),
		    TP_fast_assign(strscpy(__entry->cache, cache, VC_TRACE_NAME_LEN);
				   __entry->obj = obj;
				   __entry->size = size;),
		    TP_printk("cache=%s obj=%p size=%u", __entry->cache, __entry->obj,
			      __entry->size)
);

DEFINE_EVENT(vcache_object, vcache_alloc,
	     TP_PROTO(const char *cache, const void *obj, unsigned int size),
	     TP_ARGS(cache, obj, size));

DEFINE_EVENT(vcache_object, vcache_free,
	     TP_PROTO(const char *cache, const void *obj, unsigned int size),
	     TP_ARGS(cache, obj, size));

DECLARE_EVENT_CLASS(vcache_slab,
		    TP_PROTO(const char *cache, const void *slab, unsigned int order,
			     bool virtual, unsigned int objects),
		    TP_ARGS(cache, slab, order, virtual, objects),
		    TP_STRUCT__entry(__array(char, cache, VC_TRACE_NAME_LEN)
				     __field(const void *, slab)
				     __field(unsigned int, order)
				     __field(bool, virtual)
				     __field(unsigned int, objects)),
		    TP_fast_assign(strscpy(__entry->cache, cache, VC_TRACE_NAME_LEN);
				   __entry->slab = slab;
				   __entry->order = order;
				   __entry->virtual = virtual;
				   __entry->objects = objects;),
		    TP_printk("cache=%s slab=%p order=%u virtual=%d objects=%u",
			      __entry->cache, __entry->slab, __entry->order,
			      __entry->virtual, __entry->objects)
);

DEFINE_EVENT(vcache_slab, vcache_slab_alloc,
	     TP_PROTO(const char *cache, const void *slab, unsigned int order,
		      bool virtual, unsigned int objects),
	     TP_ARGS(cache, slab, order, virtual, objects));

DEFINE_EVENT(vcache_slab, vcache_slab_free,
	     TP_PROTO(const char *cache, const void *slab, unsigned int order,
		      bool virtual, unsigned int objects),
	     TP_ARGS(cache, slab, order, virtual, objects));

#endif /* _VCOMPOUND_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vcompound_trace
#include <trace/define_trace.h>
