// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_HRTIMER_SETUP: hrtimer_setup(), which sets a timer's callback
 * together with its clock and mode.
 *
 * v6.13 added it (Nam Cao, "hrtimers: Introduce hrtimer_setup() to replace
 * hrtimer_init()"); later kernels dropped hrtimer_init() (7.2 has none),
 * while 6.12 and older have only hrtimer_init().
 */
#include <linux/hrtimer.h>
#include <linux/module.h>

static struct hrtimer probe_timer;

static enum hrtimer_restart probe_fn(struct hrtimer *timer)
{
	return HRTIMER_NORESTART;
}

static int __init probe_init(void)
{
	hrtimer_setup(&probe_timer, probe_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	return 0;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
