#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: publish-kit.sh SRC_TOP DEST
#
# Copies the client kit that "make module" leaves in SRC_TOP/module to
# DEST, which then holds what an out-of-tree module builds against without
# vcompound's sources (module/vcompound.mk says how):
#
#   DEST/Module.symvers
#   DEST/include/vcompound.h vcache.h vcompound_version.h
#   DEST/vcompound.mk
#
# dkms.conf's POST_BUILD runs it after every build, into the directory
# DKMS keeps that build's module in.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 SRC_TOP DEST" >&2; exit 2; }
kit=$1/module
dest=$2

[ -f "$kit/Module.symvers" ] || {
	echo "publish-kit: $kit/Module.symvers is missing: run 'make module' first" >&2
	exit 1
}
rm -rf "$dest/include"
mkdir -p "$dest/include"
cp "$kit/Module.symvers" "$kit/vcompound.mk" "$dest/"
cp "$kit/include/vcompound.h" "$kit/include/vcache.h" \
   "$kit/include/vcompound_version.h" "$dest/include/"
echo "vcompound: client kit published in $dest"
