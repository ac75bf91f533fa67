// SPDX-License-Identifier: GPL-2.0
/* The self-test's fragmentation helper, compiled into this module. */
#include "../../../tests/selftest/vct_fragment.c"
