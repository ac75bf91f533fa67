/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcompound's module parameters and sysfs counters for user-space tests:
 * one function per parameter, each path written here once.  The test modules have
 * vct_params.h, the lab's shell scripts params.sh, with the same names.
 * A set writes @val as given; 0 or -1 with errno set.
 */
#ifndef _VC_PARAMS_H
#define _VC_PARAMS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VC_PARAMS_DIR	"/sys/module/vcompound/parameters/"

/* @val to the file @path in one write; -1 with errno if not all of it. */
static inline int vc_params_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	close(fd);
	if (n >= 0 && (size_t)n != len)
		errno = EIO;
	return n >= 0 && (size_t)n == len ? 0 : -1;
}

static inline int vc_param_set_always_fallback(const char *val)
{
	return vc_params_write(VC_PARAMS_DIR "always_fallback", val);
}

static inline int vc_param_set_max_order(const char *val)
{
	return vc_params_write(VC_PARAMS_DIR "max_order", val);
}

static inline int vc_param_set_reserve(const char *val)
{
	return vc_params_write(VC_PARAMS_DIR "reserve", val);
}

/*
 * The counters in sysfs (Documentation/ABI/testing/sysfs-kernel-vcompound):
 * @file under /sys/kernel/vcompound/, e.g. "orders/2/physical", into @val;
 * 0 or -1 with errno set.
 */
#define VC_SYSFS_DIR	"/sys/kernel/vcompound/"

static inline int vc_sysfs_read(const char *file, unsigned long long *val)
{
	char path[256], buf[32], *end;
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), VC_SYSFS_DIR "%s", file) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = n ? errno : EIO;
		return -1;
	}
	buf[n] = '\0';
	*val = strtoull(buf, &end, 10);
	if (end == buf || *end != '\n') {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

#endif /* _VC_PARAMS_H */
