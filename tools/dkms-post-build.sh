#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# DKMS POST_BUILD hook: publish what client drivers build against, per
# kernel, next to the built module (the layout OpenZFS uses for Lustre):
#
#   <dkms_tree>/vcompound/<version>/<kernelrelease>/<arch>/Module.symvers
#   <dkms_tree>/vcompound/<version>/<kernelrelease>/<arch>/include/vcompound.h
#
# A client then builds with
#   make -C /lib/modules/<kernelrelease>/build M=$PWD \
#	KBUILD_EXTRA_SYMBOLS=<that dir>/Module.symvers  (and -I<that dir>/include)
#
# usage: dkms-post-build.sh DKMS_TREE NAME VERSION KERNELRELEASE ARCH
# (run by DKMS from the build directory, a copy of the source tree)
set -eu

[ $# -eq 5 ] || { echo "usage: $0 DKMS_TREE NAME VERSION KERNELRELEASE ARCH" >&2; exit 2; }
dest=$1/$2/$3/$4/$5

[ -f module/Module.symvers ] ||
	{ echo "$0: module/Module.symvers missing: did the build fail?" >&2; exit 1; }
mkdir -p "$dest/include"
cp module/Module.symvers "$dest/Module.symvers"
cp module/include/vcompound.h "$dest/include/vcompound.h"
echo "vcompound: client build files published in $dest"
