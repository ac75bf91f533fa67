/* SPDX-License-Identifier: GPL-2.0 */
/*
 * High-resolution timer differences between the kernels vcompound supports.
 */
#ifndef _VCOMPAT_HRTIMER_H
#define _VCOMPAT_HRTIMER_H

#include <linux/hrtimer.h>

/* vc_hrtimer_setup - initialize @timer to call @fn, on @clock in @mode */
static inline void vc_hrtimer_setup(struct hrtimer *timer,
				    enum hrtimer_restart (*fn)(struct hrtimer *),
				    clockid_t clock, enum hrtimer_mode mode)
{
#if defined(VC_HAVE_HRTIMER_SETUP)
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

#endif /* _VCOMPAT_HRTIMER_H */
