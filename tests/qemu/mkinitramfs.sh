#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh --mode test|demo --kcache DIR --out FILE [--ktap NAME]...
#                [--params NAME=ARGS]... [--debug] [--steps "LABEL..."] [--kunit NAME]
#                [--fuzz SCRIPT] [--extra NAME]... [--bin FILE]...
#                [--sysroot DIR] SUBDIR:KO...
#
# Build the lab initramfs: static busybox for the shell and coreutils, the
# host's Debian kmod (binary plus the shared libraries it needs) as
# modprobe/modinfo/depmod/lsmod/rmmod/insmod, tests/qemu/init.sh as /init and
# a /lib/modules/<release>/ that kmod can use:
#   - each KO copied to <release>/SUBDIR/ (e.g. updates/dkms:.../vcompound.ko,
#     extra:.../vcompound_test.ko); they are loaded in the order given;
#   - the stock kernel's modules.order/builtin/builtin.modinfo and those of
#     its modules (as shipped, e.g. .ko.xz) that the KOs depend on
#     (modprobe --show-depends against the cached kernel);
#   - modules.dep & co. from depmod -b run here;
#   - /etc/modprobe.d/vclab.conf: "options NAME ARGS" for each --params.
# --ktap NAME marks a module that prints a KTAP document when loaded.
# --debug: a debug kernel (tests/debug-kernel): /init runs the debug lane
# (init.sh) and reports lockdep's state and a kmemleak scan at the end;
# --steps the lane's steps on this kernel (tests/debug-kernel/steps.conf).
# --kunit NAME: a KUnit module (nested KTAP when loaded); the debug lane
# loads it in a step of its own, not with the others.
# --fuzz SCRIPT: copied to /fuzz.sh, run by the debug lane (busybox sh).
# --extra NAME: a module that /init loads in a step of its own after the
# others (EXTRA in /etc/vclab.conf; init.sh: vcompound_dev, vcompound_users).
# --bin FILE: a (static) user program, copied to /usr/bin/.
# --sysroot DIR: busybox (DIR/bin/busybox), kmod (DIR/usr/bin/kmod) and its
# libraries (at their paths in DIR) for a guest of another architecture
# than the host's (build-modules.sh --userland stages them from the
# kernel's build environment) instead of the host's.
# VCOMPOUND_STEP_TIMEOUT (debug, default 600): seconds a modprobe of the
# lane may take before /init reports it hung and ends the lane.

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

MODE="" KC="" OUT="" PARAMS=() KTAP=() KUNIT=() EXTRA=() BINS=() FUZZ="" DEBUG=0 SYSROOT="" STEPS=""
while [ $# -gt 0 ]; do
	case $1 in
	--mode)   MODE=$2; shift 2 ;;
	--kcache) KC=$2; shift 2 ;;
	--out)    OUT=$2; shift 2 ;;
	--params) PARAMS+=("$2"); shift 2 ;;
	--ktap)   KTAP+=("$2"); shift 2 ;;
	--kunit)  KUNIT+=("$2"); shift 2 ;;
	--fuzz)   FUZZ=$2; shift 2 ;;
	--extra)  EXTRA+=("$2"); shift 2 ;;
	--bin)    BINS+=("$2"); shift 2 ;;
	--sysroot) SYSROOT=$2; shift 2 ;;
	--debug)  DEBUG=1; shift ;;
	--steps)  STEPS=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "mkinitramfs.sh: unknown option $1" ;;
	*) break ;;
	esac
done
if [ -z "$MODE" ] || [ -z "$KC" ] || [ -z "$OUT" ] || [ $# -eq 0 ]; then
	die "usage: mkinitramfs.sh --mode test|demo --kcache DIR --out FILE [--ktap NAME] [--params NAME=ARGS] SUBDIR:KO..."
fi
REL=$(cat "$KC/release")
if [ -n "$SYSROOT" ]; then
	BUSYBOX=$SYSROOT/bin/busybox KMOD=$SYSROOT/usr/bin/kmod
	if [ ! -f "$BUSYBOX" ] || [ ! -f "$KMOD" ]; then die "no bin/busybox and usr/bin/kmod in $SYSROOT"; fi
else
	BUSYBOX=/bin/busybox
	dpkg-query -W -f='${db:Status-Status}' busybox-static 2>/dev/null | grep -qx installed ||
		die "busybox-static is not installed"
	KMOD=$(realpath "$(command -v kmod)") || die "kmod is not installed"
fi

ST=$(mktemp -d "${OUT%/*}/.initramfs.XXXXXX")
trap 'rm -rf "$ST"' EXIT
mkdir -p "$ST"/{bin,sbin,usr/bin,usr/sbin,etc/modprobe.d,proc,sys,dev,tmp,run}
cp "$BUSYBOX" "$ST/bin/busybox"
ln -s busybox "$ST/bin/sh"
install -m 0755 "$VCLAB_DIR/init.sh" "$ST/init"
# what init.sh and fuzz.sh source: vcompound's parameters and debugfs files
mkdir -p "$ST/lib/vclab"
install -m 0644 "$VCLAB_DIR/../lib/params.sh" "$ST/lib/vclab/params.sh"
# init.sh's check of vcstat against sysfs
install -m 0644 "$VCLAB_DIR/vcstat-check.awk" "$ST/lib/vclab/vcstat-check.awk"
[ -z "$FUZZ" ] || install -m 0755 "$FUZZ" "$ST/fuzz.sh"
for f in "${BINS[@]}"; do
	[ -f "$f" ] || die "program $f not found"
	install -m 0755 "$f" "$ST/usr/bin/"
done
if is_root; then
	mknod -m 600 "$ST/dev/console" c 5 1
	mknod -m 666 "$ST/dev/null" c 1 3
fi

# ------------------------------------------------------------------- kmod

# copy_file PATH: PATH (symlinks resolved) to the same path in the image.
copy_file() {
	copy_file_from "" "$1"
}
# copy_file_from ROOT PATH: ROOT/PATH to PATH in the image.
copy_file_from() {
	[ -e "$ST$2" ] && return 0
	mkdir -p "$ST$(dirname "$2")"
	cp -L "$1$2" "$ST$2"
}
cp "$KMOD" "$ST/usr/bin/kmod"
for t in modprobe modinfo depmod lsmod rmmod insmod; do
	ln -s /usr/bin/kmod "$ST/sbin/$t"
done
if [ -n "$SYSROOT" ]; then
	# kmod's libraries, staged with it (ldd cannot run it here)
	(cd "$SYSROOT" && find . -name '*.so*' \( -type f -o -type l \) -print0) |
	while IFS= read -r -d '' lib; do
		copy_file_from "$SYSROOT" "${lib#.}"
	done
else
	while read -r lib; do
		copy_file "$lib"
	done < <(ldd "$KMOD" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	# kmod >= 31 dlopen()s its compression/crypto libraries: ldd does not list
	# them. Copy those its build has (kmod --version: +XZ +ZSTD +ZLIB +LIBCRYPTO).
	feat=$(kmod --version | tail -n 1)
	for pair in XZ:liblzma.so.5 ZSTD:libzstd.so.1 ZLIB:libz.so.1 LIBCRYPTO:libcrypto.so.3; do
		[[ " $feat " == *" +${pair%%:*} "* ]] || continue
		# (no early exit in awk: ldconfig would die of SIGPIPE under pipefail)
		p=$(ldconfig -p | awk -v l="${pair#*:}" '$1 == l && /x86-64/ && !n++ { print $NF }')
		[ -n "$p" ] && copy_file "$p"
	done
fi

# ---------------------------------------------------------------- modules

KR=$KC/root/lib/modules/$REL
M=$ST/lib/modules/$REL
mkdir -p "$M"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$KR/$f" ] && cp "$KR/$f" "$M/"
done

modname() { local n=${1##*/}; n=${n%.xz}; n=${n%.zst}; n=${n%.gz}; n=${n%.ko}; echo "${n//-/_}"; }

names=() kos=() mods=()
for arg in "$@"; do
	sub=${arg%%:*} ko=${arg#*:}
	[ "$sub" != "$arg" ] || die "module argument '$arg' is not SUBDIR:PATH"
	[ -f "$ko" ] || die "module $ko not found"
	mkdir -p "$M/$sub"
	cp "$ko" "$M/$sub/"
	names+=("$(modname "$ko")")
	kos+=("$ko")
	[[ " ${KUNIT[*]} ${EXTRA[*]} " == *" ${names[-1]} "* ]] || mods+=("${names[-1]}")
done

# Stock modules the lab modules depend on, as the kernel ships them.
own=" ${names[*]} " stock=()
for ko in "${kos[@]}"; do
	IFS=, read -r -a want <<<"$(modinfo -F depends "$ko" 2>/dev/null || true)"
	for w in "${want[@]}"; do
		[ -n "$w" ] || continue
		[[ $own == *" ${w//-/_} "* ]] && continue
		if ! chain=$(modprobe -d "$KC/root" -S "$REL" --show-depends "$w" 2>&1); then
			info "WARNING: dependency '$w' of ${ko##*/} is not a module of $REL: $chain"
			continue
		fi
		while read -r kind path _; do
			[ "$kind" = insmod ] || continue
			rel=${path#"$KR"/}
			[ -e "$M/$rel" ] && continue
			mkdir -p "$M/$(dirname "$rel")"
			cp "$path" "$M/$rel"
			stock+=("$rel")
		done <<<"$chain"
	done
done
[ ${#stock[@]} -eq 0 ] || info "initramfs: stock kernel modules needed: ${stock[*]}"

depmod -b "$ST" "$REL" || die "depmod -b failed for $REL"

for p in "${PARAMS[@]}"; do
	n=$(modname "${p%%=*}") a=${p#*=}
	[ -n "$a" ] && echo "options $n $a"
done >"$ST/etc/modprobe.d/vclab.conf"

{
	echo "MODE=$MODE"
	echo "MODULES=\"${mods[*]}\""
	echo "KTAP=\"${KTAP[*]}${KUNIT[*]:+ ${KUNIT[*]}}\""
	echo "KUNIT=\"${KUNIT[*]}\""
	echo "EXTRA=\"${EXTRA[*]}\""
	echo "FUZZ=$([ -n "$FUZZ" ] && echo 1 || echo 0)"
	echo "DEBUG=$DEBUG"
	[ "$DEBUG" = 0 ] || echo "STEP_TIMEOUT=${VCOMPOUND_STEP_TIMEOUT:-600}"
	[ -z "$STEPS" ] || echo "STEPS=\"$STEPS\""
} >"$ST/etc/vclab.conf"

(cd "$ST" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
