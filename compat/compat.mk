# SPDX-License-Identifier: GPL-2.0
#
# compat/ for the Kbuild files of this tree's modules that use it: its
# wrapper headers, and the config header compat/Makefile generates for the
# kernel being built for.

vcompound-compat := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

ccflags-y += -I$(vcompound-compat) \
	     -include $(vcompound-compat)/generated/vcompound_compat_config.h
