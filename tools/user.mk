# SPDX-License-Identifier: GPL-2.0
#
# What the user-space tools' Makefiles share (tools/vcstat, tools/samples/vcdev):
# the host compiler, warnings, and STATIC=1 for the lab's initramfs, which
# has no libc.

CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra
ifeq ($(STATIC),1)
LDFLAGS += -static
endif
