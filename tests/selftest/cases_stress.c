// SPDX-License-Identifier: GPL-2.0
/*
 * suite=stress: not written yet (issue 5); registers no case.
 */
#include "vct.h"

void vct_stress_cases(void (*run)(const char *name,
				void (*fn)(struct vct *t)))
{
}
