// SPDX-License-Identifier: GPL-2.0
/*
 * Instantiates the trace events declared in vcompound_trace.h.
 */
#define CREATE_TRACE_POINTS
#include "vcompound_trace.h"
