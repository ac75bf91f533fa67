/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workqueue differences between the kernels vcompound supports.
 */
#ifndef _VCOMPAT_WORKQUEUE_H
#define _VCOMPAT_WORKQUEUE_H

#include <linux/workqueue.h>

/*
 * Per-CPU workqueues were the implicit default; kernels that have
 * WQ_PERCPU want it spelled out (probes/wq_percpu.c).
 */
#ifdef VC_HAVE_WQ_PERCPU
#define VC_WQ_PERCPU	WQ_PERCPU
#else
#define VC_WQ_PERCPU	0
#endif

#endif /* _VCOMPAT_WORKQUEUE_H */
