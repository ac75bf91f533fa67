#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [SPEC]          (make bench; SPEC defaults to 6.12)
#
# Runs the vcompound benchmarks (vcompound_bench.ko, tests/bench/*.c) on a
# stock Debian kernel with the QEMU lab, tests/qemu/run.sh --bench (fetch,
# build, initramfs, boot and judging are the lab's), in two boots:
#   1. -icount shift=0,align=off,sleep=off -smp 1: the guest clock advances
#      one ns per executed instruction, so figures are instruction-time
#      "ns-equivalents" and reproducible on a busy host: P1 P2 P3 P3v P4 P6 P7.
#      TCG models no caches or TLBs: these figures count instructions only.
#      One vCPU: icount runs the vCPUs in turn and counts the instructions
#      of all, so another vCPU's background work would be measured too.
#   2. plain TCG, one host thread per vCPU, 2 vCPUs: P5 (scaling over two
#      CPUs) in wall-clock time, as noisy as the host.
# Both boot with init_on_alloc=0 (VCOMPOUND_BENCH_APPEND): Debian turns it
# on by default, which adds page zeroing to every side alike.
# Then report.sh prints the table, writes results.csv (and parts.csv) and
# regenerates tests/bench/RESULTS.md from the logs and the meta file; it
# can do so again later from the saved files alone (README.md).
#
# Output, in $VCOMPOUND_BUILD/bench (default build/bench):
# {icount,smp}/<release>/console.log (the lab's build directories of the
# two boots), meta, results.csv, parts.csv.
#
# Environment (besides the lab's VCOMPOUND_CACHE, VCOMPOUND_BOOT_TIMEOUT, ...):
#   VCOMPOUND_BENCH_PARAMS  extra vcompound_bench params for both boots
#                           (e.g. "reps=9 batch=16"; see modinfo)
#   VCOMPOUND_BENCH_APPEND  guest command line for both boots
#                           (default "init_on_alloc=0")
#   VCOMPOUND_BENCH_PASSES  "icount smp" (default), or one of them
#   VCOMPOUND_BENCH_RESULTS RESULTS.md to write (default tests/bench/RESULTS.md)

set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${VCOMPOUND_BUILD:-$TOP/build}/bench
SPEC=${1:-6.12}
[ $# -le 1 ] || { echo "bench.sh: one kernel at a time (got: $*)" >&2; exit 2; }
PARAMS=${VCOMPOUND_BENCH_PARAMS:-}
APPEND=${VCOMPOUND_BENCH_APPEND-init_on_alloc=0}
PASSES=${VCOMPOUND_BENCH_PASSES:-icount smp}
MD=${VCOMPOUND_BENCH_RESULTS:-$HERE/RESULTS.md}

# CPU ticks the host spent busy, and those of this script's finished children
# (the lab, its build and QEMU): the difference over a pass is what other
# processes took, which P5's vCPUs may have lacked.
host_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
own_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }

t0=$(date +%s)
rc=0
logs=() loads=() qemus=() others=()
mkdir -p "$OUT"
for pass in $PASSES; do
	case $pass in
	icount)
		qargs="-icount shift=0,align=off,sleep=off -smp 1"
		run="run=p1,p2,p3,p3v,p4,p6,p7" ;;
	smp)
		qargs=""
		run="run=p5" ;;
	*) echo "bench.sh: unknown pass '$pass'" >&2; exit 2 ;;
	esac
	echo "=== bench pass $pass: ${qargs:-multi-threaded TCG}, $run $PARAMS"
	# P5 is as good as the host is idle: keep the load it started with,
	# and how much CPU other processes took during the pass (others).
	loads+=("$pass $(cut -d' ' -f1-3 /proc/loadavg)")
	qemus+=("$pass ${qargs:-(none: multi-threaded TCG, -smp 2)}")
	rm -rf "${OUT:?}/$pass"
	w0=$(date +%s) h0=$(host_ticks) c0=$(own_ticks)
	VCOMPOUND_BUILD=$OUT/$pass \
	VCOMPOUND_QEMU_ARGS=$qargs \
	VCOMPOUND_BENCH_PARAMS="$run $PARAMS" \
	VCOMPOUND_APPEND="$APPEND ${VCOMPOUND_APPEND:-}" \
	VCOMPOUND_BOOT_TIMEOUT=${VCOMPOUND_BOOT_TIMEOUT:-1800} \
		bash "$TOP/tests/qemu/run.sh" --bench "$SPEC" || rc=1
	others+=("$pass $(awk -v h="$(($(host_ticks) - h0))" -v c="$(($(own_ticks) - c0))" \
		-v hz="$(getconf CLK_TCK)" -v w="$(($(date +%s) - w0))" -v n="$(nproc)" \
		'BEGIN { o = (h - c) / hz; if (o < 0) o = 0
			printf "%.1f CPU-s in %d s (%.0f%% of %d CPUs)", o, w, w ? 100 * o / (w * n) : 0, n }')")
	for l in "$OUT/$pass"/*/console.log; do
		[ -f "$l" ] && logs+=("$pass:$l")
	done
done

if [ ${#logs[@]} -eq 0 ]; then
	echo "bench.sh: no console log, nothing to report" >&2
	exit 1
fi
rel=${logs[0]#*:}
rel=$(basename "$(dirname "$rel")")
kpkg=$(cat "${VCOMPOUND_CACHE:-/var/cache/vcompound}/kernels/$rel/package" 2>/dev/null || echo "?")
dirty=$(git -C "$TOP" status --porcelain -- module compat tests/bench 2>/dev/null |
	grep -v 'tests/bench/\(RESULTS\|README\|CHANGES\).md$' | awk '{ print $2 }' | tr '\n' ' ')
{
	echo "commit $(git -C "$TOP" log -1 --format='%h %s' 2>/dev/null || echo unknown)"
	echo "dirty ${dirty:-none}"
	echo "kernel $rel ($kpkg)"
	echo "qemu $(qemu-system-x86_64 --version | head -n 1)"
	echo "host $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) CPUs"
	echo "append $(echo "${APPEND:-none} ${VCOMPOUND_APPEND:-}" | sed 's/ *$//')"
	echo "passes $PASSES"
	for l in "${loads[@]}"; do echo "load_$l"; done
	for l in "${others[@]}"; do echo "others_$l"; done
	for l in "${qemus[@]}"; do echo "qargs_$l"; done
	echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "seconds $(($(date +%s) - t0))"
} >"$OUT/meta"

bash "$HERE/report.sh" --out "$OUT" --md "$MD" --meta "$OUT/meta" "${logs[@]}" || rc=1
echo "make bench: $(($(date +%s) - t0)) s"
exit $rc
