// SPDX-License-Identifier: GPL-2.0
/*
 * suite=faults: not written yet (issue 5); registers no case.
 */
#include "vct.h"

void vct_fault_cases(void (*run)(const char *name,
				void (*fn)(struct vct *t)))
{
}
