#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/debug-kernel/build.sh [--force] [--rt]
#
# Build the vcompound debug kernel (KASAN, lockdep, kmemleak, ...; see
# debug.config) from Debian's linux-source-6.12, once: the result is cached
# outside the checkout, keyed by the linux-source version and the sha256 of
# debug.config's settings (its CONFIG_ lines, plus RECIPE below; comments do
# not count), and rebuilt only when one of those (or the host compiler)
# changes. --force rebuilds anyway. --rt builds the PREEMPT_RT variant:
# rt.config's settings on top of debug.config's (make test-debug runs both).
#
#   1. the newest linux-source-6.12 of bookworm (+ -updates, -security) is
#      looked up in the lab's private apt state (tests/qemu/lib.sh; the
#      system's apt lists are not touched) and fetched with apt-get download
#      into the cache;
#   2. make allnoconfig KCONFIG_ALLCONFIG=debug.config; every line of
#      debug.config must be in the resulting .config as written;
#   3. make -j$(nproc) bzImage modules, modules_install into root/ (depmod),
#      and a trivial module built against the tree, which proves it works as
#      KDIR.
#
# Result (the directory is printed on stdout as the last line, progress goes
# to stderr), in the layout of tests/qemu/fetch-kernel.sh, so that
# tests/qemu/run.sh boots it like a stock kernel:
#   ${VCOMPOUND_CACHE:-/var/cache/vcompound}/debug-kernel/<key>/
#     vmlinuz  release  config  System.map  package  env (host)
#     kdir -> build/   the whole build tree: use it as KDIR=
#     root/lib/modules/<release>/   modules.order, modules.builtin*, depmod
#     debug            marks a debug kernel (run.sh: debug judging, RAM)
#     build-seconds    wall time of the last build; built-at (epoch)
#     build.log        the build's output
#     .complete
# <key> is <linux-source version>-<first 12 hex digits of the hash>.
#
# Environment:
#   VCOMPOUND_CACHE        cache root (default /var/cache/vcompound)
#   VCOMPOUND_DEBUG_JOBS   make -j (default: nproc)
#   VCOMPOUND_DEBUG_SOURCE_VERSION  pin the linux-source-6.12 version
#                          (default: the newest in the suite)
#   VCOMPOUND_DEBUG_KEEP   debug kernels kept in the cache (default 3, the
#                          most recently used)
#   VCOMPOUND_APT_REFRESH  auto|always|never (package lists, lib.sh)

set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../qemu/lib.sh
. "$HERE/../qemu/lib.sh"

SRCPKG=linux-source-6.12
SUITE=bookworm
FRAG=$HERE/debug.config
# Bump when the way the config is made changes (base config, make targets).
RECIPE="allnoconfig+KCONFIG_ALLCONFIG bzImage modules v1"
JOBS=${VCOMPOUND_DEBUG_JOBS:-$(nproc)}
KEEP=${VCOMPOUND_DEBUG_KEEP:-3}
FORCE=0
RT=0
for arg in "$@"; do
	case $arg in
	--force) FORCE=1 ;;
	--rt) RT=1 ;;
	-h|--help) sed -n '3,/^set /s/^# \{0,1\}//p' "$0" | sed '$d' >&2; exit 0 ;;
	*) die "build.sh: unknown argument '$arg' (try --help)" ;;
	esac
done
# --rt: rt.config's settings replace debug.config's lines of the same option.
if [ $RT = 1 ]; then
	MERGED=$(mktemp)
	trap 'rm -f "$MERGED"' EXIT
	awk 'NR == FNR { if (match($0, /CONFIG_[A-Za-z0-9_]+/)) own[substr($0, RSTART, RLENGTH)] = 1; next }
	     match($0, /CONFIG_[A-Za-z0-9_]+/) && (substr($0, RSTART, RLENGTH) in own) { next }
	     { print }' "$HERE/rt.config" "$FRAG" >"$MERGED"
	cat "$HERE/rt.config" >>"$MERGED"
	FRAG=$MERGED
	RECIPE="$RECIPE rt"
fi

cache_init
ensure_host_pkgs make gcc gcc-12 libc6-dev bc flex bison libelf-dev xz-utils kmod
DK=$VCOMPOUND_CACHE/debug-kernel
mkdir -p "$DK"

# ------------------------------------------------------------------ key

apt_prepare "$SUITE"
VER=${VCOMPOUND_DEBUG_SOURCE_VERSION:-$(max_version "$SRCPKG")}
[ -n "$VER" ] || die "$SRCPKG is not in $SUITE (private apt state $APTROOT/$SUITE)"
CC_ID=$(gcc --version | head -n 1)
HASH=$( { grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$FRAG"; echo "$RECIPE"; } |
	sha256sum | cut -c1-12)
KEY=$(printf '%s-%s' "$VER" "$HASH" | tr -c 'A-Za-z0-9.\n-' _)
D=$DK/$KEY

# complete DIR: a finished build made with today's host compiler.
complete() {
	[ -f "$1/.complete" ] && [ -f "$1/vmlinuz" ] && [ -e "$1/kdir/Makefile" ] &&
		[ "$(cat "$1/toolchain" 2>/dev/null)" = "$CC_ID" ]
}

if [ $FORCE -eq 0 ] && complete "$D"; then
	touch "$D/last-used"
	info "debug kernel $(cat "$D/release") ($SRCPKG $VER, debug.config $HASH) is cached: $D"
	echo "$D"
	exit 0
fi

exec 9>"$DK/.lock"
if ! flock -n 9; then
	info "waiting for another debug kernel build (lock $DK/.lock)"
	flock 9
fi
if [ $FORCE -eq 0 ] && complete "$D"; then	# built while we waited
	touch "$D/last-used"
	echo "$D"
	exit 0
fi
if [ -f "$D/.complete" ] && [ $FORCE -eq 0 ]; then
	info "the cached debug kernel was built with '$(cat "$D/toolchain" 2>/dev/null)', the host has '$CC_ID': rebuilding"
fi

T0=$(date +%s)
info "building the debug kernel: $SRCPKG $VER + debug.config $HASH, make -j$JOBS (log: $D/build.log)"
rm -rf "$D" "$DK"/.dl-*
mkdir -p "$D"
LOG=$D/build.log
: >"$LOG"

# ------------------------------------------------------------- download

DL=$DK/.dl-$$
mkdir -p "$DL"
trap 'rm -rf "$DL" ${MERGED:+"$MERGED"}' EXIT
(cd "$DL" && apt-get "${APT_OPTS[@]}" -q download "$SRCPKG=$VER") >>"$LOG" 2>&1 ||
	{ tail -n 5 "$LOG" >&2; die "apt-get download $SRCPKG=$VER failed"; }
deb=$(ls "$DL"/*.deb)
info "downloaded $(du -h "$deb" | cut -f1) in $(($(date +%s) - T0)) s; extracting"
mkdir -p "$D/build"
dpkg-deb --fsys-tarfile "$deb" |
	tar -xOf - --wildcards './usr/src/linux-source-*.tar.xz' |
	tar -xJf - -C "$D/build" --strip-components=1 ||
	die "extracting $deb failed"
rm -rf "$DL"
B=$D/build

# ------------------------------------------------------------- configure

KMAKE=(make -C "$B" KBUILD_BUILD_USER=vcompound KBUILD_BUILD_HOST=vclab)
"${KMAKE[@]}" allnoconfig KCONFIG_ALLCONFIG="$FRAG" >>"$LOG" 2>&1 ||
	{ tail -n 20 "$LOG" >&2; die "make allnoconfig KCONFIG_ALLCONFIG=debug.config failed"; }
# Every CONFIG_X=v and "# CONFIG_X is not set" line of the fragment must be
# in .config as written (a dependency Kconfig did not satisfy is an error,
# not a silently weaker kernel).
bad=$(awk '
	NR == FNR {
		if (/^CONFIG_[A-Za-z0-9_]+=/) { k = $0; sub(/=.*/, "", k); want[k] = $0 }
		else if (/^# CONFIG_[A-Za-z0-9_]+ is not set$/) want[$2] = $0
		next
	}
	/^CONFIG_[A-Za-z0-9_]+=/ { k = $0; sub(/=.*/, "", k); have[k] = $0 }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { have[$2] = $0 }
	END {
		for (k in want) {
			h = (k in have) ? have[k] : "(absent: # " k " is not set)"
			if (h != want[k] && !(want[k] ~ / is not set$/ && !(k in have)))
				printf "  want %s, got %s\n", want[k], h
		}
	}' "$FRAG" "$B/.config")
if [ -n "$bad" ]; then
	printf '%s\n' "$bad" >&2
	die "the debug kernel .config differs from debug.config (unmet dependencies?)"
fi
info "configured: $(grep -c '=y$' "$B/.config") options =y; building"

# ----------------------------------------------------------------- build

T1=$(date +%s)
if ! "${KMAKE[@]}" -j"$JOBS" bzImage modules >>"$LOG" 2>&1; then
	tail -n 40 "$LOG" >&2
	cp "$LOG" "$DK/last-failure.log"
	die "debug kernel build failed (log: $DK/last-failure.log)"
fi
TB=$(($(date +%s) - T1))
REL=$(cat "$B/include/config/kernel.release")
info "built $REL in $TB s"
"${KMAKE[@]}" INSTALL_MOD_PATH="$D/root" modules_install >>"$LOG" 2>&1 ||
	{ tail -n 20 "$LOG" >&2; die "make modules_install failed"; }

# The tree as KDIR, the way the lab uses it: a trivial module.
build_probe "$B" "$D/probe" "$REL"

ln -f "$B/arch/x86/boot/bzImage" "$D/vmlinuz"
cp "$B/.config" "$D/config"
cp "$B/System.map" "$D/System.map"
ln -sfn build "$D/kdir"
echo "$REL" >"$D/release"
echo "$SRCPKG=$VER $SUITE" >"$D/package"
echo host >"$D/env"
printf 'debug.config settings %s (file sha256 %s...), %s\n' "$HASH" "$(sha256sum "$FRAG" | cut -c1-16)" "$RECIPE" >"$D/debug"
echo "$CC_ID" >"$D/toolchain"
echo $(($(date +%s) - T0)) >"$D/build-seconds"
date +%s >"$D/built-at"
touch "$D/last-used" "$D/.complete"
info "debug kernel $REL ready in $D: $(cat "$D/build-seconds") s in all (make $TB s), $(du -sh "$D" | cut -f1)"

# ------------------------------------------------------------------ prune

# Keep the KEEP most recently used debug kernels (we hold the lock: any
# other incomplete directory is a leftover of an interrupted build).
n=0
while read -r _ d; do
	d=${d%/last-used}
	n=$((n + 1))
	if [ "$n" -gt "$KEEP" ] && [ "$d" != "$D" ]; then
		info "removing the older debug kernel $d"
		rm -rf "$d"
	fi
done < <(find "$DK" -mindepth 2 -maxdepth 2 -name last-used -printf '%T@ %p\n' | sort -rn)
for d in "$DK"/*/; do
	d=${d%/}
	[ -f "$d/.complete" ] || [ "$d" = "$D" ] || { info "removing the incomplete $d"; rm -rf "$d"; }
done
echo "$D"
