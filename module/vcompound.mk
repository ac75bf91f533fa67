# SPDX-License-Identifier: GPL-2.0
#
# vcompound's client kit, for the Kbuild file of a module that calls it:
#
#   obj-m := mydrv.o
#   VCOMPOUND_KIT ?= /var/lib/dkms/vcompound/kernel-$(KERNELRELEASE)-$(shell uname -m)
#   include $(VCOMPOUND_KIT)/vcompound.mk
#
# The kit is the directory holding this file: include/ (vcompound.h,
# vcache.h, vcompound_version.h) and the Module.symvers of the vcompound.ko
# built for one kernel.  modpost reads the module's Kbuild file, and so
# this one, for KBUILD_EXTRA_SYMBOLS; a KBUILD_EXTRA_SYMBOLS given on the
# make command line replaces it, so name the kit's Module.symvers there too.

vcompound-kit := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

ccflags-y += -I$(vcompound-kit)/include

# In the kit's own directory Module.symvers is vcompound.ko's output.
ifneq ($(realpath $(src)),$(realpath $(vcompound-kit)))
KBUILD_EXTRA_SYMBOLS += $(vcompound-kit)/Module.symvers
endif
