#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh --mode test|demo --kcache DIR --out FILE [--params NAME=ARGS]... KO...
#
# Build the lab initramfs: static busybox, tests/qemu/init.sh as /init, the
# given modules (in load order, core module first) and any modules of the
# stock kernel they depend on (resolved with modprobe --show-depends against
# the cached kernel's modules.dep). --params gives insmod arguments for the
# module NAME (file name without .ko).

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

MODE="" KC="" OUT="" PARAMS=()
while [ $# -gt 0 ]; do
	case $1 in
	--mode)   MODE=$2; shift 2 ;;
	--kcache) KC=$2; shift 2 ;;
	--out)    OUT=$2; shift 2 ;;
	--params) PARAMS+=("$2"); shift 2 ;;
	--) shift; break ;;
	-*) die "mkinitramfs.sh: unknown option $1" ;;
	*) break ;;
	esac
done
if [ -z "$MODE" ] || [ -z "$KC" ] || [ -z "$OUT" ] || [ $# -eq 0 ]; then
	die "usage: mkinitramfs.sh --mode test|demo --kcache DIR --out FILE [--params NAME=ARGS] KO..."
fi
REL=$(cat "$KC/release")
BUSYBOX=/bin/busybox
dpkg-query -W -f='${db:Status-Status}' busybox-static 2>/dev/null | grep -qx installed ||
	die "busybox-static is not installed"

ST=$(mktemp -d "${OUT%/*}/.initramfs.XXXXXX")
trap 'rm -rf "$ST"' EXIT
mkdir -p "$ST"/{bin,sbin,etc,proc,sys,dev,tmp,lib/vclab/deps}
cp "$BUSYBOX" "$ST/bin/busybox"
ln -s busybox "$ST/bin/sh"
install -m 0755 "$VCLAB_DIR/init.sh" "$ST/init"
if is_root; then
	mknod -m 600 "$ST/dev/console" c 5 1
	mknod -m 666 "$ST/dev/null" c 1 3
fi

own=() names=" "
for ko in "$@"; do
	[ -f "$ko" ] || die "module $ko not found"
	cp "$ko" "$ST/lib/vclab/"
	own+=("${ko##*/}")
	n=${ko##*/}; n=${n%.ko}; names+="${n//-/_} "
done

# Dependencies outside the lab modules, from the stock kernel.
deps=() seen=" "
for ko in "$@"; do
	IFS=, read -r -a want <<<"$(modinfo -F depends "$ko" 2>/dev/null || true)"
	for w in "${want[@]}"; do
		[ -n "$w" ] || continue
		[[ $names == *" ${w//-/_} "* ]] && continue
		chain=$(modprobe -d "$KC/root" -S "$REL" --show-depends "$w" 2>&1) ||
			die "cannot resolve dependency '$w' of ${ko##*/} in $REL: $chain"
		while read -r kind path _; do
			[ "$kind" = insmod ] || continue
			b=${path##*/}; b=${b%.xz}; b=${b%.zst}; b=${b%.gz}
			[[ $seen == *" $b "* ]] && continue
			seen+="$b "
			case $path in
			*.xz)  xz -dc "$path" ;;
			*.zst) zstd -qdc "$path" ;;
			*.gz)  gzip -dc "$path" ;;
			*)     cat "$path" ;;
			esac >"$ST/lib/vclab/deps/$b"
			deps+=("$b")
		done <<<"$chain"
	done
done
[ ${#deps[@]} -eq 0 ] || info "initramfs: stock kernel modules needed: ${deps[*]}"

{
	echo "MODE=$MODE"
	echo "DEPS=\"${deps[*]}\""
	echo "MODULES=\"${own[*]}\""
	for p in "${PARAMS[@]}"; do
		n=${p%%=*}; n=${n%.ko}
		printf "PARAMS_%s='%s'\n" "${n//-/_}" "${p#*=}"
	done
} >"$ST/etc/vclab.conf"

(cd "$ST" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
