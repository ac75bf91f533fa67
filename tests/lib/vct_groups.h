/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The case groups: the one list that the self-test's KTAP runner, the
 * KUnit module and both their Kbuild files (through groups.mk) follow.
 * A user defines VCT_GROUP(name, suite, kunit) and includes this file
 * (no include guard, on purpose):
 *   name   vct_<name>_cases() registers the group's cases; its files are
 *          tests/selftest/cases_<name>.c and cases_<name>_*.c;
 *   suite  the self-test's suite= that runs it: stock (the regular run),
 *          faults (under fail_page_alloc and vcompound's fault knobs) or
 *          stress;
 *   kunit  the KUnit suite of a stock group (the others have none).
 * A suite runs its groups in this order.  groups.mk reads this file with
 * sed: one entry per line, "VCT_GROUP(name, suite, ...".
 */
VCT_GROUP(order, stock, "vcompound_order")
VCT_GROUP(alloc, stock, "vcompound_alloc")
VCT_GROUP(context, stock, "vcompound_context")
VCT_GROUP(misuse, stock, "vcompound_misuse")
VCT_GROUP(vcache, stock, "vcache")
VCT_GROUP(inject, stock, "vcompound_inject")
VCT_GROUP(atomic, stock, "vcompound_atomic")
VCT_GROUP(trace, stock, "vcompound_trace")
/* Defects found by reading module/ (issue 13). */
VCT_GROUP(review, stock, "vcompound_review")
/* The vmalloc space running out, and highmem pages (issue 16). */
VCT_GROUP(space, stock, "vcompound_space")
/* Virtual blocks built from chunks (issue 15). */
VCT_GROUP(chunks, stock, "vcompound_chunks")
/* Blocks of any whole number of pages (issue 15 item 7). */
VCT_GROUP(sized, stock, "vcompound_sized")
VCT_GROUP(fragment, stock, "vcompound_fragment")
VCT_GROUP(faults, faults, NULL)
VCT_GROUP(stress, stress, NULL)
