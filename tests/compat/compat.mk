# SPDX-License-Identifier: GPL-2.0
#
# tests/compat for the Kbuild files of test modules: vct_compat.h and the
# config header tests/compat/Makefile generates for the kernel being built
# for.

vct-compat := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

ccflags-y += -I$(vct-compat) \
	     -include $(vct-compat)/generated/vct_compat_config.h
