# SPDX-License-Identifier: GPL-2.0
#
# vcompound's module parameters and debugfs files for the lab's guest
# scripts (tests/qemu/init.sh and fuzz.sh, busybox sh), which source it
# from /lib/vclab/params.sh of the initramfs (tests/qemu/mkinitramfs.sh).
# One function per parameter and per file, named as in vct_params.h (test
# modules) and vc_params.h (user space); each path is written here once.
# The functions are shell functions: no fork, so fuzz.sh can toggle
# always_fallback fast.
#
# A set writes its argument (with echo's newline, as an administrator
# would) and returns the write's status; a get or a debugfs read prints
# the file.  The VC_* variables name the files for what needs the path
# itself (fuzz.sh's write checks, mode checks, directory walks).

VC_PARAM_DIR=/sys/module/vcompound/parameters
VC_DEBUGFS_DIR=/sys/kernel/debug/vcompound
# the counters (Documentation/ABI/testing/sysfs-kernel-vcompound)
VC_SYSFS_DIR=/sys/kernel/vcompound

VC_PARAM_ALWAYS_FALLBACK=$VC_PARAM_DIR/always_fallback
VC_PARAM_MAX_ORDER=$VC_PARAM_DIR/max_order
VC_PARAM_RESERVE=$VC_PARAM_DIR/reserve
VC_PARAM_FAULT_INJECT=$VC_PARAM_DIR/fault_inject
VC_DEBUGFS_STATS=$VC_DEBUGFS_DIR/stats
VC_DEBUGFS_VCACHEINFO=$VC_DEBUGFS_DIR/vcacheinfo
VC_DEBUGFS_INJECT_DIR=$VC_DEBUGFS_DIR/inject
VC_DEBUGFS_INJECT_COUNTS=$VC_DEBUGFS_INJECT_DIR/counts

vc_param_get_always_fallback() { cat "$VC_PARAM_ALWAYS_FALLBACK"; }
vc_param_set_always_fallback() { echo "$1" >"$VC_PARAM_ALWAYS_FALLBACK"; }
vc_param_get_max_order() { cat "$VC_PARAM_MAX_ORDER"; }
vc_param_set_max_order() { echo "$1" >"$VC_PARAM_MAX_ORDER"; }
vc_param_get_reserve() { cat "$VC_PARAM_RESERVE"; }
vc_param_set_reserve() { echo "$1" >"$VC_PARAM_RESERVE"; }
# Read-only: set at load (fault_inject=1 creates inject/).
vc_param_get_fault_inject() { cat "$VC_PARAM_FAULT_INJECT"; }

vc_debugfs_stats() { cat "$VC_DEBUGFS_STATS"; }
vc_debugfs_vcacheinfo() { cat "$VC_DEBUGFS_VCACHEINFO"; }
vc_debugfs_inject_counts() { cat "$VC_DEBUGFS_INJECT_COUNTS"; }
# vc_debugfs_inject_set SITE VALUE: inject/SITE, one file per fault site.
vc_debugfs_inject_set() { echo "$2" >"$VC_DEBUGFS_INJECT_DIR/$1"; }
