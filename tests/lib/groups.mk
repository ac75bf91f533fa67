# SPDX-License-Identifier: GPL-2.0
#
# The case groups of vct_groups.h, for the Kbuild files of the self-test
# and the KUnit module.  That C file is the one list; Kbuild cannot
# include it, so sed picks its "VCT_GROUP(name, suite, ..." lines:
#
#   $(vct-groups)          every group, in order
#   $(vct-groups-stock)    the stock suite's (the KUnit suites)
#   $(call vct-case-objs,GROUPS): the objects of their files in
#                          tests/selftest, cases_<name>.c and
#                          cases_<name>_*.c

vct-groups-h := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))/vct_groups.h
vct-cases-dir := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../selftest)

vct-groups-sed = sed -n 's/^VCT_GROUP(\([a-z_]*\), *\($(1)\),.*/\1/p' \
		 $(vct-groups-h)
vct-groups := $(shell $(call vct-groups-sed,[a-z_]*))
vct-groups-stock := $(shell $(call vct-groups-sed,stock))

ifeq ($(vct-groups-stock),)
$(error tests/lib/groups.mk: no case groups read from $(vct-groups-h))
endif

vct-case-objs = $(patsubst %.c,%.o,$(notdir $(foreach g,$(1), \
		$(wildcard $(vct-cases-dir)/cases_$(g).c \
			   $(vct-cases-dir)/cases_$(g)_*.c))))
