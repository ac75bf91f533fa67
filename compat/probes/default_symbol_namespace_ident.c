// SPDX-License-Identifier: GPL-2.0
/*
 * VC_HAVE_DEFAULT_SYMBOL_NAMESPACE_IDENT: <linux/export.h> stringifies
 * DEFAULT_SYMBOL_NAMESPACE, so it is defined as a bare identifier.
 *
 * Upstream v6.13 ("module: Convert default symbol namespace to string
 * literal") made it a string literal, and the 6.12.y stable series took
 * that change too: Debian's 6.12.117 rejects the identifier form (checked
 * by building).  Hence a probe, not a version test.
 */
#define DEFAULT_SYMBOL_NAMESPACE VCPROBE
#include <linux/export.h>
#include <linux/module.h>

int vc_probe_symbol;
EXPORT_SYMBOL_GPL(vc_probe_symbol);
MODULE_LICENSE("GPL");
