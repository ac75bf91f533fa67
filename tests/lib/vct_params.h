/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcompound's module parameters and debugfs files, for test modules: one
 * accessor per parameter and per file, so that each path is written once
 * (tests/lib/vct_params.c).  User space has vc_params.h, the lab's shell
 * scripts params.sh, with the same names.
 */
#ifndef _VCT_PARAMS_H
#define _VCT_PARAMS_H

#include <linux/types.h>

/*
 * Whole files: read NUL-terminated (length or error); written at once
 * (-EIO if the write took less).
 */
ssize_t vct_read_file(const char *path, char *buf, size_t len);
int vct_write_file(const char *path, const char *val);

/*
 * /sys/module/vcompound/parameters/, through sysfs as an administrator
 * would set them.  A get returns the value without its newline; a set
 * writes @val as given (cases also write malformed values).
 */
int vct_param_get_always_fallback(bool *on);
int vct_param_set_always_fallback(const char *val);
int vct_param_get_max_order(unsigned int *order);
int vct_param_set_max_order(const char *val);
int vct_param_get_reserve(char *buf, size_t len);
int vct_param_set_reserve(const char *val);
/* Read-only: set at load (the lab loads vcompound with fault_inject=1). */
int vct_param_get_fault_inject(bool *on);
int vct_param_set_fault_inject(const char *val);

/* The kernel's own, which the debug lane boots set (warning brackets). */
int vct_kernel_get_panic_on_warn(unsigned int *val);
int vct_kernel_set_panic_on_warn(unsigned int val);

/*
 * /sys/kernel/vcompound/vcache/@dir/@field (a cache's directory): 0, or a
 * negative errno (-ENOENT: no such directory).
 */
int vct_sysfs_vcache_read(const char *dir, const char *field,
			  unsigned long *val);

/* /sys/kernel/debug/vcompound/. */
bool vct_debugfs_mounted(void);
/*
 * Why the fault knobs (inject/) cannot be used, as a case that needs them
 * says when it skips; NULL when they should be there, and a case fails
 * if they are not.
 */
const char *vct_inject_unavailable(void);
ssize_t vct_debugfs_stats(char *buf, size_t len);
ssize_t vct_debugfs_vcacheinfo(char *buf, size_t len);
ssize_t vct_debugfs_inject_counts(char *buf, size_t len);
/*
 * inject/<site>, one file per fault site (the module's list of sites):
 * its value, a write, and its mode bits (or an error).
 */
int vct_debugfs_inject_get(const char *site, unsigned int *val);
int vct_debugfs_inject_set(const char *site, const char *val);
/* The same with a number, as cases set the knobs. */
int vct_debugfs_inject_set_uint(const char *site, unsigned int val);
int vct_debugfs_inject_mode(const char *site);

#endif /* _VCT_PARAMS_H */
