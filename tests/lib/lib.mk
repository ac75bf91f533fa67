# SPDX-License-Identifier: GPL-2.0
#
# tests/lib, the test library, for the Kbuild file of a module that links
# some of it:
#
#   include $(VC_TOP)/tests/lib/lib.mk
#   mymod-y += $(call vct-lib,vct_lib vct_fragment)
#
# Each named tests/lib/NAME.c is compiled as the module's own object
# vctlib_NAME.o, in the module's directory: every module gets its own copy,
# built with its flags (KBUILD_MODNAME), and no two modules write the same
# object file.  A pattern rule does it, so there are no wrapper files.

vct-lib-dir := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

ccflags-y += -I$(vct-lib-dir)
include $(vct-lib-dir)/../compat/compat.mk

vct-lib = $(patsubst %,vctlib_%.o,$(1))

# $(call vct-compile-from,DIR,PREFIX): PREFIXNAME.o from DIR/NAME.c, with
# what Kbuild's own rule for a C file runs (flags, objtool, .cmd
# dependencies, and sparse: C=1 inside the rule, C=2 after it).
define vct-compile-from
$$(obj)/$(2)%.o: $(1)/%.c FORCE
	$$(call if_changed_rule,cc_o_c)
	$$(call cmd,force_checksrc)
endef

$(eval $(call vct-compile-from,$(vct-lib-dir),vctlib_))
