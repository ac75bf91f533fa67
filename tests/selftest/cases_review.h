/* SPDX-License-Identifier: GPL-2.0 */
/* The parts of the review group (cases_review.c), in the order they run. */
#ifndef _CASES_REVIEW_H
#define _CASES_REVIEW_H

#include "vct.h"

void vct_review_cpu_cases(void (*run)(const char *name,
				      void (*fn)(struct vct *t)));
void vct_review_pages_cases(void (*run)(const char *name,
					void (*fn)(struct vct *t)));

#endif /* _CASES_REVIEW_H */
