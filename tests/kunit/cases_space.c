// SPDX-License-Identifier: GPL-2.0
/* The self-test's own file, compiled into the KUnit module (see runner.c). */
#include "../selftest/cases_space.c"
