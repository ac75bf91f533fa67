#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--demo] [SPEC...]
#
# For each kernel SPEC (default "6.1 6.12" for the test suite, "6.12" with
# --demo; see fetch-kernel.sh for the SPEC syntax):
#   1. fetch the stock Debian kernel + headers into the cache,
#   2. copy the module sources to build/<release>/src and build them there,
#   3. pack a busybox initramfs that loads vcompound.ko and then
#      vcompound_test.ko (or vcompound_demo.ko with --demo),
#   4. boot it under QEMU (TCG), console -> build/<release>/console.log,
#      test results shown live,
#   5. judge the log (judge.awk).
# Prints a per-kernel summary and, as the very last line, "N passed, M failed"
# (KTAP cases summed over all kernels; a kernel-level failure counts as at
# least one failure; with --demo each kernel counts as one). Exits non-zero on
# any failure.
#
# Environment:
#   VCOMPOUND_CACHE         kernel/apt cache (default /var/cache/vcompound)
#   VCOMPOUND_SRC           source tree to test (default: this checkout)
#   VCOMPOUND_BUILD         build output dir (default: <checkout>/build)
#   VCOMPOUND_BOOT_TIMEOUT  seconds per boot before the guest is killed (900)
#   VCOMPOUND_TEST_PARAMS   insmod parameters for vcompound_test.ko
#   VCOMPOUND_DEMO_PARAMS   insmod parameters for vcompound_demo.ko
#   VCOMPOUND_APPEND        extra guest kernel command line
#   VCOMPOUND_APT_REFRESH   auto|always|never (see fetch-kernel.sh)

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

TOP=$(cd "$VCLAB_DIR/../.." && pwd)
SRC=$(cd "${VCOMPOUND_SRC:-$TOP}" && pwd)
BUILD=${VCOMPOUND_BUILD:-$TOP/build}
TMO=${VCOMPOUND_BOOT_TIMEOUT:-900}
MODE="test"

usage() { sed -n '4,30p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
	case $1 in
	--demo) MODE=demo; shift ;;
	--test) MODE="test"; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) msg "unknown option $1"; usage ;;
	*) break ;;
	esac
done
SPECS=("$@")
if [ ${#SPECS[@]} -eq 0 ]; then
	if [ $MODE = demo ]; then SPECS=(6.12); else SPECS=(6.1 6.12); fi
fi

# One ordered output stream (progress, live results, summary): the last line
# of output is the "N passed, M failed" total.
exec 2>&1

export VCLAB_RUN_START=${VCLAB_RUN_START:-$(date +%s)}
ensure_lab_host
cache_init
mkdir -p "$BUILD"

QEMU_PIDFILE=
cleanup() {
	local pid
	if [ -n "$QEMU_PIDFILE" ]; then
		pid=$(cat "$QEMU_PIDFILE" 2>/dev/null) || pid=
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	fi
	return 0
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# copy_sources DEST: the files the module build needs (module/ compat/
# tests/selftest/ tools/demo/ and top-level files), without build products.
copy_sources() {
	local dest=$1 dirs=(module compat tests/selftest tools/demo)
	rm -rf "$dest"
	mkdir -p "$dest"
	if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
	   [ "$(git -C "$SRC" rev-parse --show-toplevel)" = "$SRC" ]; then
		{
			git -C "$SRC" ls-files -z -co --exclude-standard -- "${dirs[@]}"
			git -C "$SRC" ls-files -z -co --exclude-standard -- ':(glob)*'
		} | (cd "$SRC" && while IFS= read -r -d '' f; do
			[ -f "$f" ] && printf '%s\0' "$f"; done) |
		tar -C "$SRC" --null -T - -cf - | tar -C "$dest" -xf -
	else
		local have=() p
		for p in "${dirs[@]}"; do [ -e "$SRC/$p" ] && have+=("$p"); done
		for p in "$SRC"/*; do [ -f "$p" ] && have+=("${p##*/}"); done
		tar -C "$SRC" --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
			--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.symvers' \
			--exclude=modules.order --exclude=.tmp_versions \
			--exclude=generated --exclude=build -cf - "${have[@]}" |
			tar -C "$dest" -xf -
	fi
}

# live: show the interesting console lines while the guest runs: KTAP
# results, lab failures and any warning/oops outside EXPECT-WARN brackets.
live() {
	strip_ts | awk -v tag="$1" '
		/EXPECT-WARN BEGIN / { inwarn = 1; next }
		/EXPECT-WARN END / { inwarn = 0; next }
		/^(not )?ok [0-9]+/ ||
		/^vclab: (init start|insmod .* rc=[^0]|rmmod .* rc=[^0]|insmod dependency .* failed|demo pass|end-of-run$)/ ||
		/(BUG:|Oops|Kernel panic|general protection|KASAN|UBSAN|circular locking|rcu: INFO|blocked for more than)/ ||
		(!inwarn && /WARNING:/) {
			print "  " tag " " $0; fflush()
		}'
}

declare -a SUM_LINES=()
TOTAL_PASS=0 TOTAL_FAIL=0 ANY_FAIL=0

# record REL PASS FAIL SKIP VERDICT WARNTEXT SECONDS
record() {
	local rel=$1 p=$2 f=$3 s=$4 v=$5 w=$6 secs=$7
	[ "$v" = OK ] || { ANY_FAIL=1; [ "$f" -gt 0 ] || f=1; }
	TOTAL_PASS=$((TOTAL_PASS + p))
	TOTAL_FAIL=$((TOTAL_FAIL + f))
	if [ $MODE = demo ]; then
		SUM_LINES+=("$(printf '%-28s %-6s %-24s %5ss' "$rel" "$v" "$w" "$secs")")
	else
		SUM_LINES+=("$(printf '%-28s %6s %6s %7s  %-6s %-24s %5ss' "$rel" "$p" "$f" "$s" "$v" "$w" "$secs")")
	fi
}

run_one() {
	local spec=$1 t0 kc rel b ko mods=() params=() mod app qrc to=0 res
	t0=$(date +%s)
	msg ""
	msg "=== $spec ($MODE) ==="
	if ! kc=$("$VCLAB_DIR/fetch-kernel.sh" "$spec" | tail -n 1) || [ ! -f "$kc/release" ]; then
		msg "FAIL: could not fetch kernel $spec"
		record "$spec" 0 1 0 FAIL "fetch failed" $(($(date +%s) - t0))
		return
	fi
	rel=$(cat "$kc/release")
	b=$BUILD/$rel
	mkdir -p "$b"
	rm -f "$b/console.log" "$b/result"

	info "building modules for $rel (log: $b/build.log)"
	copy_sources "$b/src"
	if ! make -C "$b/src" -j"$(nproc)" modules KDIR="$kc/kdir" >"$b/build.log" 2>&1; then
		tail -n 30 "$b/build.log" >&2
		msg "FAIL: module build for $rel failed (full log: $b/build.log)"
		record "$rel" 0 1 0 FAIL "build failed" $(($(date +%s) - t0))
		return
	fi
	if [ $MODE = demo ]; then
		mods=("$b/src/module/vcompound.ko" "$b/src/tools/demo/vcompound_demo.ko")
		params=(--params "vcompound_demo=${VCOMPOUND_DEMO_PARAMS:-}")
	else
		mods=("$b/src/module/vcompound.ko" "$b/src/tests/selftest/vcompound_test.ko")
		params=(--params "vcompound_test=${VCOMPOUND_TEST_PARAMS:-}")
	fi
	for ko in "${mods[@]}"; do
		if [ ! -f "$ko" ]; then
			msg "FAIL: build for $rel did not produce ${ko#"$b/src/"}"
			record "$rel" 0 1 0 FAIL "module missing" $(($(date +%s) - t0))
			return
		fi
		mod=$(modinfo -F vermagic "$ko"); mod=${mod%% *}
		if [ "$mod" != "$rel" ]; then
			msg "FAIL: ${ko##*/} has vermagic $mod, expected $rel"
			record "$rel" 0 1 0 FAIL "vermagic mismatch" $(($(date +%s) - t0))
			return
		fi
	done

	if ! "$VCLAB_DIR/mkinitramfs.sh" --mode $MODE --kcache "$kc" \
		--out "$b/initrd-$MODE.cpio.gz" "${params[@]}" "${mods[@]}"; then
		record "$rel" 0 1 0 FAIL "initramfs failed" $(($(date +%s) - t0))
		return
	fi

	app="console=ttyS0 panic=-1 loglevel=7 printk.devkmsg=on ${VCOMPOUND_APPEND:-}"
	info "booting $rel under QEMU/TCG (timeout ${TMO}s, console: $b/console.log)"
	QEMU_PIDFILE=$b/qemu.pid
	rm -f "$QEMU_PIDFILE"
	# In the background + wait, so that INT/TERM traps run (and kill QEMU)
	# at once instead of after the pipeline ends.
	rm -f "$b/qemu.rc"
	{
		rc=0
		timeout --foreground -k 10 "$TMO" \
			qemu-system-x86_64 -accel tcg -m 1024 -smp 2 -nodefaults \
			-display none -serial stdio -no-reboot -pidfile "$QEMU_PIDFILE" \
			-kernel "$kc/vmlinuz" -initrd "$b/initrd-$MODE.cpio.gz" \
			-append "$app" </dev/null 2>"$b/qemu.stderr" || rc=$?
		echo $rc >"$b/qemu.rc"
	} | tee "$b/console.log" | live "[$rel]" &
	wait $! || true
	qrc=$(cat "$b/qemu.rc" 2>/dev/null || echo 255)
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		to=$TMO
		msg "FAIL: $rel: guest killed after ${TMO}s timeout"
	elif [ "$qrc" -ne 0 ]; then
		msg "qemu exited with status $qrc:"
		sed 's/^/    /' "$b/qemu.stderr" >&2
	fi

	res=$(awk -f "$VCLAB_DIR/judge.awk" -v mode=$MODE -v timedout="$to" "$b/console.log")
	printf '%s\n' "$res" | sed '$d'
	res=$(printf '%s\n' "$res" | tail -n 1)
	echo "$res" >"$b/result"
	local _ p f s v ew uw wtxt
	read -r _ p f s v ew uw <<<"$res"
	if [ "$uw" -gt 0 ]; then wtxt="$uw UNEXPECTED warning(s)"
	elif [ "$ew" -gt 0 ]; then wtxt="$ew expected warning(s)"
	else wtxt="no warnings"; fi
	if [ $MODE = demo ]; then
		[ "$v" = OK ] && p=1 f=0 || p=0 f=1
		s=0
	fi
	msg "$rel: $v ($p passed, $f failed, $s skipped, $wtxt) in $(($(date +%s) - t0)) s"
	record "$rel" "$p" "$f" "$s" "$v" "$wtxt" $(($(date +%s) - t0))
}

for spec in "${SPECS[@]}"; do
	run_one "$spec"
done

echo
echo "=== summary ($MODE) ==="
if [ $MODE = demo ]; then
	printf '%-28s %-6s %-24s %6s\n' kernel result warnings time
else
	printf '%-28s %6s %6s %7s  %-6s %-24s %6s\n' kernel passed failed skipped result warnings time
fi
printf '%s\n' "${SUM_LINES[@]}"
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ $ANY_FAIL -eq 0 ] && [ $TOTAL_FAIL -eq 0 ]
