#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-modules.sh dkms|tree [--demo|--bench] [--kunit]
#
# Runs inside a build environment (buildenv.sh), in the work directory
# VCLAB_W, which holds src/ (a copy of the source tree); builds against
# VCLAB_KDIR for VCLAB_REL. Self-contained: only bash, coreutils, make, the
# compiler and dkms of the environment are used.
#
# dkms: the real DKMS with private trees under dkms/ (source/vcompound-<ver>
#       copied from src/, tree/, install/):
#         dkms add | build -k <rel> | install -k <rel>
#       vcompound.ko is the DKMS-installed module
#       (dkms/install/<rel>/updates/dkms/). DKMS publishes Module.symvers and
#       include/vcompound.h into dkms/tree/vcompound/<ver>/<rel>/<arch>/
#       (dkms.conf POST_BUILD); the self-test module (tests/selftest) is built
#       from src/ against that Module.symvers, and the client driver
#       (tests/client, when the tree has it) with only the published files.
# tree: "make modules" in src/ (fast development path); the client is built
#       against module/Module.symvers and module/include laid out like the
#       DKMS publication.
# Both also build the demo device tools/vcdev (tree: with the tree; dkms:
# like the client, against the published files only) and the converted
# vmalloc users tools/vcusers (like the self-test), when the tree has them.
# --demo builds the demo modules (tools/demo, tools/vcusers) instead of the
# self-test, client and device; --bench the benchmark module tests/bench
# (against the same Module.symvers).
# --kunit (debug lane, tree builds) also builds the KUnit module tests/kunit
# (vcompound_kunit.ko) when the tree has it and the kernel has CONFIG_KUNIT;
# its absence or build failure is a note (the lane reports KUnit missing),
# not a failure of the build.
#
# Writes out/modules: "<role> <path relative to VCLAB_W>" for the roles
# core, test, client, demo, bench, kunit, dev (vcompound_dev), users
# (vcompound_users); out/notes: one line per remark for the
# summary; out/failed: the step that failed (on failure; exit status non-zero).

set -uo pipefail

MODE=${1:?usage: build-modules.sh dkms|tree [--demo|--bench] [--kunit]}
DEMO=0 BENCH=0 KUNIT=0
for a in "${@:2}"; do
	case $a in
	--demo) DEMO=1 ;;
	--bench) BENCH=1 ;;
	--kunit) KUNIT=1 ;;
	esac
done
W=${VCLAB_W:?} KDIR=${VCLAB_KDIR:?} REL=${VCLAB_REL:?}
S=$W/src
OUT=$W/out
rm -rf "$OUT"
mkdir -p "$OUT"
: >"$OUT/modules"
: >"$OUT/notes"
JOBS=$(nproc 2>/dev/null || echo 2)
ARCH=$(uname -m)

step() { printf '\n===== %s\n' "$*"; }
note() { printf 'NOTE: %s\n' "$*"; printf '%s\n' "$*" >>"$OUT/notes"; }
fail() {
	printf '%s\n' "$1" >"$OUT/failed"
	printf '\nBUILD FAILED: %s\n' "$1"
	exit 1
}
have() { printf '%s %s\n' "$1" "${2#"$W"/}" >>"$OUT/modules"; }

V=$(sed -n 's/^PACKAGE_VERSION="*\([^"]*\)"*/\1/p' "$S/dkms.conf")
[ -n "$V" ] || fail "no PACKAGE_VERSION in dkms.conf"
echo "vcompound $V for $REL ($ARCH), KDIR=$KDIR"
grep -E '^(override )?CC ' "$KDIR/.kernelvariables" 2>/dev/null || true

# publish_tree DIR: Module.symvers and include/vcompound.h of the tree build
# in the layout DKMS publishes.
publish_tree() {
	mkdir -p "$1/include"
	cp "$S/module/Module.symvers" "$1/"
	cp "$S/module/include/vcompound.h" "$1/include/"
}

build_client() {	# build_client PUBLISHED_DIR
	local c=$S/tests/client
	if [ ! -f "$c/Makefile" ] && [ ! -f "$c/Kbuild" ]; then
		note "client: skipped (no tests/client in the tree yet)"
		return 0
	fi
	step "client driver against $1"
	make -C "$c" KDIR="$KDIR" VCOMPOUND_DIR="$1" || fail "client build"
	[ -f "$c/vcompound_client.ko" ] || fail "client build (no tests/client/vcompound_client.ko)"
	have client "$c/vcompound_client.ko"
}

# build_dev PUBLISHED_DIR: the demo device, with only the published files.
build_dev() {
	local d=$S/tools/vcdev
	[ -f "$d/vcompound_dev.c" ] || return 0
	step "demo device (tools/vcdev) against $1"
	make -C "$KDIR" M="$d" VCOMPOUND_DIR="$1" \
		KBUILD_EXTRA_SYMBOLS="$1/Module.symvers" -j"$JOBS" modules ||
		fail "demo device build"
	have dev "$d/vcompound_dev.ko"
}

# build_users SYMVERS: the converted vmalloc users, like the self-test.
build_users() {
	local u=$S/tools/vcusers
	[ -f "$u/Kbuild" ] || return 0
	step "converted vmalloc users (tools/vcusers) against $1"
	make -C "$S/compat" KDIR="$KDIR" || fail "compat probes"
	make -C "$KDIR" M="$u" VC_TOP="$S" VC_VERSION="$V" \
		KBUILD_EXTRA_SYMBOLS="$1" -j"$JOBS" modules ||
		fail "converted users build"
	have users "$u/vcompound_users.ko"
}

build_bench() {	# build_bench SYMVERS
	step "benchmark module against $1"
	make -C "$S/compat" KDIR="$KDIR" || fail "compat probes"
	make -C "$KDIR" M="$S/tests/bench" VC_TOP="$S" VC_VERSION="$V" \
		KBUILD_EXTRA_SYMBOLS="$1" -j"$JOBS" modules || fail "benchmark build"
	have bench "$S/tests/bench/vcompound_bench.ko"
}

build_kunit() {	# build_kunit SYMVERS
	local k=$S/tests/kunit ko
	[ $KUNIT -eq 1 ] || return 0
	if [ ! -f "$k/Kbuild" ] && [ ! -f "$k/Makefile" ]; then
		note "kunit: no tests/kunit in the tree (KUnit reported missing)"
		return 0
	fi
	if ! grep -qE '^CONFIG_KUNIT=[ym]$' "$KDIR/.config" 2>/dev/null; then
		note "kunit: $REL has no CONFIG_KUNIT (KUnit reported missing)"
		return 0
	fi
	step "KUnit module against $1"
	if ! make -C "$KDIR" M="$k" VC_TOP="$S" VC_VERSION="$V" \
		KBUILD_EXTRA_SYMBOLS="$1" -j"$JOBS" modules; then
		note "kunit: tests/kunit failed to build (build.log; KUnit reported missing)"
		return 0
	fi
	ko=$k/vcompound_kunit.ko
	[ -f "$ko" ] || ko=$(find "$k" -maxdepth 1 -name '*.ko' | head -n 1)
	if [ -z "$ko" ] || [ ! -f "$ko" ]; then
		note "kunit: tests/kunit built no .ko (KUnit reported missing)"
		return 0
	fi
	have kunit "$ko"
}

if [ "$MODE" = tree ] && [ $BENCH -eq 1 ]; then
	step "make -C src module KDIR=$KDIR"
	make -C "$S" -j"$JOBS" module KDIR="$KDIR" || fail "tree build"
	have core "$S/module/vcompound.ko"
	build_bench "$S/module/Module.symvers"
	exit 0
fi

if [ "$MODE" = tree ]; then
	step "make -C src modules KDIR=$KDIR"
	make -C "$S" -j"$JOBS" modules KDIR="$KDIR" || fail "tree build"
	have core "$S/module/vcompound.ko"
	if [ $DEMO -eq 1 ]; then
		have demo "$S/tools/demo/vcompound_demo.ko"
		[ ! -f "$S/tools/vcusers/vcompound_users.ko" ] ||
			have users "$S/tools/vcusers/vcompound_users.ko"
		exit 0
	fi
	have test "$S/tests/selftest/vcompound_test.ko"
	rm -rf "$W/pub"
	publish_tree "$W/pub"
	build_client "$W/pub"
	# (make modules built both; the lab loads them after the client)
	[ ! -f "$S/tools/vcdev/vcompound_dev.ko" ] ||
		have dev "$S/tools/vcdev/vcompound_dev.ko"
	[ ! -f "$S/tools/vcusers/vcompound_users.ko" ] ||
		have users "$S/tools/vcusers/vcompound_users.ko"
	build_kunit "$S/module/Module.symvers"
	exit 0
fi

[ "$MODE" = dkms ] || fail "unknown mode $MODE"
command -v dkms >/dev/null || fail "dkms is not installed in the build environment"
D=$W/dkms
rm -rf "$D"
mkdir -p "$D/source" "$D/tree" "$D/install"
cp -a "$S" "$D/source/vcompound-$V"
T=(--dkmstree "$D/tree" --sourcetree "$D/source" --installtree "$D/install")
echo "dkms $(dkms --version 2>/dev/null | head -n 1)"
# The private install tree stands for /lib/modules: <rel>/build as there
# (dkms >= 3.1 looks for scripts/sign-file in <installtree>/<rel>/build).
mkdir -p "$D/install/$REL"
ln -s "$KDIR" "$D/install/$REL/build"
# The environment has /lib/modules/<rel>/build (the chroot's headers
# package, or buildenv.sh's private mount on the host), which DKMS finds by
# itself. --kernelsourcedir only when it does not: dkms 2.x then "prepares"
# the tree (make mrproper/oldconfig/prepare), which breaks packaged headers.
KSRC=()
[ "$(readlink -f "/lib/modules/$REL/build")" = "$(readlink -f "$KDIR")" ] ||
	KSRC=(--kernelsourcedir "$KDIR")

step "dkms add -m vcompound -v $V"
dkms add -m vcompound -v "$V" "${T[@]}" || fail "dkms add"
step "dkms build -m vcompound -v $V -k $REL"
if ! dkms build -m vcompound -v "$V" -k "$REL" "${KSRC[@]}" "${T[@]}"; then
	l=$D/tree/vcompound/$V/build/make.log
	if [ -f "$l" ]; then echo "----- $l"; cat "$l"; fi
	fail "dkms build"
fi
step "dkms install -m vcompound -v $V -k $REL"
dkms install -m vcompound -v "$V" -k "$REL" "${KSRC[@]}" "${T[@]}" ||
	fail "dkms install"
dkms status "${T[@]}" || true
ko=$(find "$D/install/$REL" -name 'vcompound.ko*' | head -n 1)
[ -n "$ko" ] || fail "dkms install (no vcompound.ko under dkms/install/$REL)"
have core "$ko"

P=$D/tree/vcompound/$V/$REL/$ARCH
SYMVERS=$P/Module.symvers
if [ -f "$SYMVERS" ] && [ -f "$P/include/vcompound.h" ]; then
	echo "DKMS published: $(cd "$P" && echo Module.symvers include/vcompound.h) in ${P#"$W"/}"
	PUB=$P
elif grep -q '^POST_BUILD' "$S/dkms.conf"; then
	find "$D/tree/vcompound/$V" -maxdepth 4 | head -n 20
	fail "dkms.conf has POST_BUILD, but $P lacks Module.symvers or include/vcompound.h"
else
	# Until dkms.conf publishes them: the tree build of module/ in this
	# environment has the same symbol CRCs (same sources, headers and
	# compiler); modprobe in the guest would reject a mismatch.
	note "WORKAROUND: dkms.conf has no POST_BUILD yet; self-test/client use module/Module.symvers of a tree build"
	step "WORKAROUND: tree build of module/ for Module.symvers"
	make -C "$S/compat" KDIR="$KDIR" || fail "compat probes"
	make -C "$KDIR" M="$S/module" VC_TOP="$S" VC_VERSION="$V" -j"$JOBS" modules ||
		fail "tree build of module/ (for Module.symvers)"
	PUB=$W/pub
	rm -rf "$PUB"
	publish_tree "$PUB"
	SYMVERS=$PUB/Module.symvers
fi

if [ $BENCH -eq 1 ]; then
	build_bench "$SYMVERS"
	exit 0
fi

if [ $DEMO -eq 1 ]; then
	step "demo module against $SYMVERS"
	make -C "$S/compat" KDIR="$KDIR" || fail "compat probes"
	make -C "$KDIR" M="$S/tools/demo" VC_TOP="$S" VC_VERSION="$V" \
		KBUILD_EXTRA_SYMBOLS="$SYMVERS" -j"$JOBS" modules || fail "demo build"
	have demo "$S/tools/demo/vcompound_demo.ko"
	build_users "$SYMVERS"
	exit 0
fi

step "self-test module against $SYMVERS"
make -C "$S/compat" KDIR="$KDIR" || fail "compat probes"
make -C "$KDIR" M="$S/tests/selftest" VC_TOP="$S" VC_VERSION="$V" \
	KBUILD_EXTRA_SYMBOLS="$SYMVERS" -j"$JOBS" modules || fail "self-test build"
have test "$S/tests/selftest/vcompound_test.ko"
build_client "$PUB"
build_dev "$PUB"
build_users "$SYMVERS"
build_kunit "$SYMVERS"
exit 0
