/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module and symbol namespace differences.
 *
 * Force-included after the generated config and ahead of every kernel
 * header (see module/Kbuild): the default namespace must be defined before
 * <linux/export.h> is read.
 */
#ifndef _VCOMPAT_MODULE_H
#define _VCOMPAT_MODULE_H

/*
 * Every EXPORT_SYMBOL_GPL() of the module lands in the VCOMPOUND namespace.
 * The default namespace was a bare identifier that <linux/export.h>
 * stringified until v6.13 made it a string literal; 6.12.y stable has the
 * new form too, so the probe decides (probes/default_symbol_namespace_ident.c).
 */
#ifdef VC_HAVE_DEFAULT_SYMBOL_NAMESPACE_IDENT
#define DEFAULT_SYMBOL_NAMESPACE	VCOMPOUND
#else
#define DEFAULT_SYMBOL_NAMESPACE	"VCOMPOUND"
#endif

#endif /* _VCOMPAT_MODULE_H */
