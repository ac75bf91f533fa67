/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module and symbol namespace differences.
 */
#ifndef _VCOMPAT_MODULE_H
#define _VCOMPAT_MODULE_H

#include <linux/export.h>
#include <linux/version.h>

/*
 * Exports live in the VCOMPOUND namespace.  The namespace argument of
 * EXPORT_SYMBOL_NS_GPL() was a bare identifier that the macro stringified
 * until v6.13 (cdd30ebb1b9f "module: Convert symbol namespace to string
 * literal"); from then on it is a string literal.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define VC_EXPORT(sym)		EXPORT_SYMBOL_NS_GPL(sym, "VCOMPOUND")
#else
#define VC_EXPORT(sym)		EXPORT_SYMBOL_NS_GPL(sym, VCOMPOUND)
#endif

#endif /* _VCOMPAT_MODULE_H */
