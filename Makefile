# SPDX-License-Identifier: GPL-2.0
#
# vcompound top-level Makefile.
#
#   make [KDIR=...]      build vcompound.ko, the self-test, the sample
#                        modules (tools/samples/: demo, vcdev, vcusers) and
#                        the example client (tests/client) against module/'s kit
#   make test            install the Debian packages in each supported Debian
#                        release, boot its stock kernel under QEMU and run the
#                        KTAP suite
#                        (vcompound.ko built and installed by DKMS)
#   make test-fast       the same with a plain tree build (development)
#   make test-fresh      make demo and make test on a fresh Debian 12 chroot
#   make test-fresh-ci   .ci/run there, timed (CI cold on a new machine)
#   make test-arches     make test on the other architectures and flavours the
#                        lab implements (ARCH_KERNELS; tests/qemu/arches.conf)
#   make test-debug      the debug lane: KASAN/lockdep/kmemleak kernels, one
#                        PREEMPT_RT (built once from Debian's
#                        linux-source-6.12, cached): stock suite, KUnit,
#                        fault injection, stress, fuzz
#   make test-mutants    apply each deliberate bug of tests/mutants/ to a copy
#                        of HEAD and run the lane that should catch it;
#                        MUTANTS="3 7 deferred" for some (tests/README.md)
#   make demo            boot a stock kernel and show physical vs virtual blocks
#   make bench           benchmarks on the stock 6.12 kernel: table, build/bench/results.csv,
#                        tests/bench/RESULTS.md
#   make lint            checkpatch --strict, kernel-doc -Wall (module/ and
#                        Documentation/vcompound.rst), sparse (C=2) and W=1
#   make deb             Debian packages (debian/) in build/deb, lintian-checked
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
TOP  := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# The version is written once, in debian/changelog.  A copy without debian/
# (DKMS's, in /usr/src) is given it on the command line (dkms.conf MAKE[0]).
VC_VERSION ?= $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' $(TOP)/debian/changelog 2>/dev/null)
KBUILD_VARS := VC_TOP=$(TOP)

.PHONY: all module modules compat test-compat clean test test-fast test-arches test-fresh test-fresh-ci test-debug test-mutants demo bench lint dkms-install dkms-uninstall

all: modules

compat:
	@test -f $(KDIR)/Makefile || { echo "vcompound: no kernel build tree at KDIR=$(KDIR); install linux-headers-$$(uname -r) or pass KDIR=/path/to/headers" >&2; exit 1; }
	$(MAKE) -C $(TOP)/compat KDIR=$(KDIR)

# The test modules' own probes (not shipped: DKMS builds module/ only).
test-compat: compat
	$(MAKE) -C $(TOP)/tests/compat KDIR=$(KDIR)

# module/include/vcompound_version.h from its .h.in and VC_VERSION (x.y.z),
# rewritten only when its content changes, so that Kbuild rebuilds nothing
# for it otherwise.
VERSION_H := $(TOP)/module/include/vcompound_version.h

# vcompound.ko alone: what DKMS builds (dkms.conf MAKE[0]).  It leaves
# module/ a client kit (tools/scripts/publish-kit.sh).
module: compat
	@v='$(VC_VERSION)'; \
	n=$$(echo "$$v" | sed -n 's/^\([0-9]\{1,\}\)\.\([0-9]\{1,\}\)\.\([0-9]\{1,\}\).*/\1, \2, \3/p'); \
	test -n "$$n" || { echo "vcompound: no x.y.z version (got '$$v'): debian/changelog's first line, or VC_VERSION=x.y.z" >&2; exit 1; }; \
	sed -e "s/@VERSION@/$$v/" -e "s/@VERSION_NUM@/$$n/" $(VERSION_H).in >$(VERSION_H).tmp; \
	if cmp -s $(VERSION_H).tmp $(VERSION_H); then rm -f $(VERSION_H).tmp; \
	else mv -f $(VERSION_H).tmp $(VERSION_H); fi
	$(MAKE) -C $(KDIR) M=$(TOP)/module $(KBUILD_VARS) modules

# The tree's other modules, built against module/'s kit (VCOMPOUND_KIT=DIR:
# against a published one), and the client, which only builds against a kit.
MODULE_DIRS := tests/selftest tools/samples/demo tools/samples/vcdev tools/samples/vcusers

modules: module test-compat
	for d in $(MODULE_DIRS); do \
		$(MAKE) -C $(KDIR) M=$(TOP)/$$d $(KBUILD_VARS) modules || exit; \
	done
	$(MAKE) -C $(TOP)/tests/client KDIR=$(KDIR) \
		VCOMPOUND_KIT=$(or $(VCOMPOUND_KIT),$(TOP)/module)

clean:
	-$(MAKE) -C $(TOP)/compat clean
	-$(MAKE) -C $(TOP)/tests/compat clean
	rm -rf $(TOP)/build
	rm -f $(VERSION_H)
	for d in module $(MODULE_DIRS) tests/client tests/kunit tests/bench; do \
		rm -rf $(TOP)/$$d/*.o $(TOP)/$$d/.*.o $(TOP)/$$d/*.ko $(TOP)/$$d/*.mod \
		       $(TOP)/$$d/*.mod.c $(TOP)/$$d/.*.cmd $(TOP)/$$d/.*.d $(TOP)/$$d/*.symvers \
		       $(TOP)/$$d/modules.order $(TOP)/$$d/.tmp_versions; \
	done
	rm -f $(TOP)/tools/vcstat/vcstat $(TOP)/tools/samples/vcdev/vcdev_test

# checkpatch --strict --no-tree, sparse (C=2) and W=1 against the Debian 6.12
# headers (tests/qemu/fetch-kernel.sh), in a scratch copy of the tree.  An
# explicit KDIR=... on the command line is used instead of fetching.
lint:
	bash $(TOP)/tools/scripts/lint.sh $(if $(filter command line,$(origin KDIR)),--kdir=$(KDIR))

# Boot stock Debian kernels under QEMU (TCG) with a busybox+kmod initramfs
# and run the KTAP self-test and client (test, test-fast) or the demo module
# (demo) on each; see tests/qemu/README.md. KERNELS takes series names (5.10,
# 6.1, 6.12, trixie/6.12, 7.2) or full Debian image package names; unset,
# run.sh tests every supported Debian release. test installs the Debian
# packages (make deb) in each kernel's Debian chroot, as a user would;
# test-fast and demo build the tree with make.
test:
	@bash $(TOP)/tests/qemu/run.sh --deb $(KERNELS)

test-fast:
	@bash $(TOP)/tests/qemu/run.sh --tree $(KERNELS)

# make test on the lanes of other architectures, page sizes and flavours
# whose tests/qemu/arches.conf row is implemented (impl yes; the others are
# named and left out), one summary; .ci/run runs it. ARCH_KERNELS is CI's
# list, one kernel per architecture, page size and RT flavour: arm64:6.12
# and arm64-rt:6.12 pass too (ARCH_KERNELS="..." adds them) but would take
# CI's cold run over its budget (tests/qemu/README.md has the times).
ARCH_KERNELS ?= arm64-16k:6.12 arm64:7.2 ppc64el-64k:6.12 i386:6.1 rt:6.12
test-arches:
	@k=; for s in $(ARCH_KERNELS); do \
		if awk -v a="$${s%%:*}" '$$1 == a && $$2 == "yes" { f = 1 } END { exit !f }' $(TOP)/tests/qemu/arches.conf; \
		then k="$$k $$s"; else echo "test-arches: $$s left out (not implemented: tests/qemu/arches.conf)" >&2; fi; \
	done; [ -n "$$k" ] || { echo "test-arches: no lane implemented" >&2; exit 1; }; \
	bash $(TOP)/tests/qemu/run.sh --deb $$k

# What a new user meets: a fresh minimal Debian 12 chroot with git and make,
# a clone of HEAD, and the README's two commands (tests/qemu/fresh.sh).
test-fresh:
	@bash $(TOP)/tests/qemu/fresh.sh

# CI on a new machine: .ci/run in such a chroot, with an empty cache, timed.
test-fresh-ci:
	@bash $(TOP)/tests/qemu/fresh.sh --ci

# The debug lane (tree build) on the debug kernels of tests/debug-kernel/:
# KASAN (generic, vmalloc), lockdep with PROVE_RAW_LOCK_NESTING,
# DEBUG_ATOMIC_SLEEP, DEBUG_VM, DEBUG_LIST, kmemleak, fault injection,
# KUnit; booted with panic_on_warn=1; "debug" and its PREEMPT_RT variant
# "debug-rt" (KERNELS=debug for one of them). Each boot runs the stock
# suite, the KUnit module, the faults suite under fail_page_alloc (10 % and
# 50 %, min-order 0 and 1), the stress suite and tests/qemu/fuzz.sh, then a
# kmemleak scan, and ends with a summary table. Each kernel is built on
# first use (5-9 minutes) and cached by linux-source version and config
# fragment hash; see tests/qemu/README.md.
test-debug:
	@bash $(TOP)/tests/qemu/run.sh --tree --debug $(KERNELS)

# Mutation testing (tests/mutants/run.sh): each patch of tests/mutants/ is
# applied to a scratch copy of HEAD, whose lane (test-fast or test-debug)
# must then fail; a table of what killed each mutant, or SURVIVED.  Not in
# CI: the whole list takes over an hour (tests/README.md).
test-mutants:
	@bash $(TOP)/tests/mutants/run.sh $(MUTANTS)

demo:
	@bash $(TOP)/tests/qemu/run.sh --demo $(KERNELS)

# Benchmarks (tests/bench): vcompound_bench.ko on a stock kernel, booted
# once with -icount shift=0,align=off,sleep=off (instruction-time figures)
# and once with plain multi-threaded TCG (the 2-vCPU scaling figure).
bench: KERNELS ?= 6.12
bench:
	@bash $(TOP)/tests/bench/bench.sh $(KERNELS)

# Install through DKMS for KREL (default: the running kernel), as root.
# DKMS copies what it builds from /usr/src/vcompound-<version>.
KREL ?= $(shell uname -r)
DKMS_SRC := /usr/src/vcompound-$(VC_VERSION)
DKMS_FILES := dkms.conf Makefile module compat tools/scripts/publish-kit.sh

dkms-install:
	@test "$$(id -u)" = 0 || { echo "dkms-install: run as root" >&2; exit 1; }
	@command -v dkms >/dev/null || { echo "dkms-install: install the dkms package first" >&2; exit 1; }
	-dkms remove vcompound/$(VC_VERSION) --all 2>/dev/null
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cd $(TOP) && cp -a --parents $(DKMS_FILES) $(DKMS_SRC)/
	rm -rf $(DKMS_SRC)/compat/generated $(DKMS_SRC)/module/include/vcompound_version.h
	sed -i 's/#MODULE_VERSION#/$(VC_VERSION)/' $(DKMS_SRC)/dkms.conf
	dkms add vcompound/$(VC_VERSION)
	dkms install vcompound/$(VC_VERSION) -k $(KREL)

dkms-uninstall:
	@test "$$(id -u)" = 0 || { echo "dkms-uninstall: run as root" >&2; exit 1; }
	-dkms remove vcompound/$(VC_VERSION) --all
	rm -rf $(DKMS_SRC)

# The Debian packages vcompound-dkms and vcompound-tools (debian/), built
# with dpkg-buildpackage from a copy of the tree in the lab's bookworm
# chroot and checked with lintian, into build/deb; see tools/scripts/mkdeb.sh.
.PHONY: deb
deb:
	@bash $(TOP)/tools/scripts/mkdeb.sh
