/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vcompound_dev: the demo character device's ioctls, shared by the module
 * and user programs.
 */
#ifndef _VCDEV_UAPI_H
#define _VCDEV_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VCDEV_NAME	"vcompound_dev"

struct vcdev_info {
	__u64 size;		/* bytes, as set by VCDEV_SET_SIZE; 0: none */
	__u32 order;		/* of the vcompound block backing the buffer */
	__u32 is_virtual;	/* 1 for the vmap()ed kind */
};

/* Give the file its buffer, zeroed, of *arg bytes (1 .. 64 MiB); once. */
#define VCDEV_SET_SIZE	_IOW('v', 0x40, __u64)
#define VCDEV_GET_INFO	_IOR('v', 0x41, struct vcdev_info)

/* A block of vcompound's default max_order, whatever the page size */
#define VCDEV_MAX_SIZE	(64ULL << 20)

#endif /* _VCDEV_UAPI_H */
