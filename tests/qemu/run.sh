#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--demo|--bench] [--deb|--tree] [--debug] [SPEC...]
#
# For each kernel SPEC (default "5.10 6.1 6.12 trixie/6.12 7.2" for the test
# suite: every supported Debian release, Debian 12 with its 6.12 too,
# "6.12" with --demo, "debug debug-rt" with --debug; see fetch-kernel.sh for
# the SPEC syntax; "ARCH:SPEC", e.g. "i386:6.1", is a kernel of
# arches.conf's row ARCH, booted with that row's QEMU, machine, CPU, RAM and
# console, its modules and guest user space built in a chroot of its Debian
# architecture):
#   1. fetch the stock Debian kernel into the cache; SPEC "debug" is the
#      debug kernel of tests/debug-kernel/build.sh (KASAN, lockdep,
#      kmemleak, ...), "debug-rt" its PREEMPT_RT variant (build.sh --rt),
#      each built once and cached; an absolute
#      path is a kernel directory in their layout, used as it is,
#   2. copy the source tree to build/<release>/src and build the modules in
#      the kernel's build environment (buildenv.sh: a cached chroot of the
#      kernel's Debian suite; the host for the debug kernel) with
#      build-modules.sh:
#        --deb (default for the test suite): the lab's Debian packages
#               (tools/scripts/mkdeb.sh, built once per run: version N, and the
#               same sources as N+1) installed with apt in a throwaway
#               overlay of the chroot, so that their maintainer scripts run
#               DKMS; the upgrade to N+1, a second kernel's headers and the
#               purge are checked there; the self-test and the example
#               client (a DKMS package of its own) are built against the
#               published client kit alone;
#        --tree (default for --demo; make test-fast): "make modules" in the
#               copy;
#   3. pack an initramfs with the real kmod and /lib/modules/<release>/
#      (DKMS module in updates/dkms/, the others in extra/, depmod run),
#      whose /init modprobes vcompound, prints modinfo, modprobes the client
#      and the self-test (or the demo with --demo), prints the stats and
#      unloads everything with modprobe -r,
#   4. boot it under QEMU (TCG), console -> build/<release>/console.log,
#      test results shown live,
#   5. judge the log (judge.sh: the awk files of judge/),
#   6. in test mode on a stock kernel, boot the same image again with
#      debugfs=off vclab.step=sysfs (init.sh's sysfs step: the kernel
#      locked down, vcdev_test's blocks counted in sysfs, vcstat against
#      sysfs) into build/<release>/console-sysfs.log, judged as its own log
#      and summed into the kernel's counts.
# A debug kernel gets kasan_multi_shot panic_on_warn=1 kunit.enable=1, a
# longer timeout, the KUnit module (tests/kunit) and tests/qemu/fuzz.sh when
# the tree has them, an /init that runs the debug lane (init.sh: stock
# suite, KUnit, fault injection, stress, fuzz, lockdep state, kmemleak; of
# those steps the ones tests/debug-kernel/steps.conf gives the kernel) and
# debug judging (judge.sh -v debug=1 -v steps=...); its summary table (reports, totals
# of every step, MemFree deltas), the kernel's build time and the lane's
# total time precede the last line.
# --debug (make test-debug) defaults to SPECs "debug debug-rt" and a tree
# build.
# --bench (make bench, through tests/bench/bench.sh) builds vcompound.ko and
# the benchmark module tests/bench/vcompound_bench.ko (default: tree build,
# SPEC 6.12), whose measurements run while it loads; the log is judged as for
# --demo, and tests/bench/report.sh reads the figures from it.
# Prints a per-kernel summary and, as the very last line, "N passed, M failed"
# (KTAP cases of all documents summed over all kernels; a kernel-level
# failure counts as at least one failure; with --demo or --bench each kernel
# counts as one). Exits non-zero on any failure.
#
# Environment:
#   VCOMPOUND_CACHE         kernel/apt/chroot cache (default /var/cache/vcompound)
#   VCOMPOUND_SRC           source tree to test (default: this checkout)
#   VCOMPOUND_BUILD         build output dir (default: <checkout>/build)
#   VCOMPOUND_BUILD_MODE    deb|tree (what --deb/--tree set)
#   VCOMPOUND_BOOT_TIMEOUT  seconds per boot before the guest is killed (900;
#                           1800 for a debug kernel)
#   VCOMPOUND_QEMU_MEM      guest RAM in MB (1024, also for a debug kernel:
#                           the self-test's reclaim margins assume 1 GiB;
#                           arches.conf's mem for another architecture:
#                           2048 for i386, 1.2 GB of it HighMem)
#   VCOMPOUND_CORE_PARAMS   module parameters for vcompound (default
#                           fault_inject=1 but for --demo: the self-test,
#                           KUnit, the debug lane and bench use the knobs)
#   VCOMPOUND_TEST_PARAMS   module parameters for vcompound_test
#   VCOMPOUND_DEMO_PARAMS   module parameters for vcompound_demo
#   VCOMPOUND_BENCH_PARAMS  module parameters for vcompound_bench
#   VCOMPOUND_QEMU_ARGS     extra QEMU arguments (split at blanks), e.g.
#                           "-icount shift=0,align=off,sleep=off"
#   VCOMPOUND_APPEND        extra guest kernel command line
#   VCOMPOUND_MEMFREE_MARGIN_KB  debug lane: MemFree loss tolerated after
#                           the last step, twice that after an earlier one
#                           (judge/lane.awk's default, see README.md)
#   VCOMPOUND_APT_REFRESH   auto|always|never (see fetch-kernel.sh)
#   VCOMPOUND_ENV_MAX_AGE   days before a chroot is rebuilt (7; buildenv.sh)

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

TOP=$(cd "$VCLAB_DIR/../.." && pwd)
SRC=$(cd "${VCOMPOUND_SRC:-$TOP}" && pwd)
BUILD=${VCOMPOUND_BUILD:-$TOP/build}
MODE="test"
BMODE=${VCOMPOUND_BUILD_MODE:-}
DEBUGLANE=0

usage() { awk 'NR >= 4 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$0"; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
	case $1 in
	--demo) MODE=demo; shift ;;
	--bench) MODE=bench; shift ;;
	--test) MODE="test"; shift ;;
	--deb) BMODE=deb; shift ;;
	--tree) BMODE=tree; shift ;;
	--debug) DEBUGLANE=1; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) msg "unknown option $1"; usage ;;
	*) break ;;
	esac
done
SPECS=("$@")
if [ ${#SPECS[@]} -eq 0 ]; then
	if [ $DEBUGLANE = 1 ]; then SPECS=(debug debug-rt)
	elif [ $MODE != test ]; then SPECS=(6.12); else SPECS=(5.10 6.1 6.12 trixie/6.12 7.2); fi
fi
if [ -z "$BMODE" ]; then
	if [ $MODE != test ] || [ $DEBUGLANE = 1 ]; then BMODE=tree; else BMODE=deb; fi
fi
case $BMODE in deb|tree) ;; *) die "VCOMPOUND_BUILD_MODE must be deb or tree, not '$BMODE'" ;; esac

# The debug lane's steps per debug kernel: tests/debug-kernel/steps.conf,
# whose "all" row (first) lists every step.
STEPS_CONF=$VCLAB_DIR/../debug-kernel/steps.conf
# lane_steps SPEC: SPEC's steps ("" for a debug kernel without a row, such
# as one given by its directory: every step).
lane_steps() {
	awk -v k="$1" '{ sub(/#.*/, "") } $1 == k { $1 = ""; sub(/^ +/, ""); print; exit }' "$STEPS_CONF"
}
if [ $DEBUGLANE = 1 ]; then
	bad=$(awk '{ sub(/#.*/, "") } !NF { next }
		$1 == "all" { for (i = 2; i <= NF; i++) all[$i] = 1; next }
		{ for (i = 2; i <= NF; i++) { used[$i] = 1; if (!($i in all)) print $1 ": unknown step " $i } }
		END { for (s in all) if (!(s in used)) print "no kernel runs step " s }' "$STEPS_CONF")
	[ -z "$bad" ] || die "tests/debug-kernel/steps.conf: $bad"
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

# copy_sources DEST: the source tree (lib.sh copy_tree).
copy_sources() {
	copy_tree "$SRC" "$1"
}

# live: show the interesting console lines while the guest runs: KTAP
# results, lab failures and any warning/oops outside EXPECT-WARN brackets.
live() {
	# mawk reads a pipe in blocks (lines would show minutes late) unless
	# told to read line by line
	local aw=(awk)
	case $(awk -W version 2>&1) in *mawk*) aw=(awk -W interactive) ;; esac
	# shellcheck disable=SC2016 # an awk program
	strip_ts | "${aw[@]}" -v tag="$1" '
		/EXPECT-WARN BEGIN / { inwarn = 1; next }
		/EXPECT-WARN END / { inwarn = 0; next }
		/^(not )?ok [0-9]+/ || /^ +not ok [0-9]+/ ||
		/^# (faults-total|stress): / ||
		/^vclab: (run [^ ]+ (begin|end)|run [^ ]+: missing|memfree |fuzz-total:|fuzz rc=[^0]|fail_page_alloc on)/ ||
		/^vclab: (init start|(insmod|modprobe) .* rc=[^0]|(rmmod|modprobe -r) .* rc=[^0]|modinfo .* rc=[^0]|still loaded|demo |tool .* rc=[^0]|users phase [0-9]+ rc=[^0]|end-of-run$)/ ||
		/^vclab: kmemleak: begin/ ||
		/(BUG:|Oops|Kernel panic|general protection|KASAN|UBSAN|circular locking|inconsistent lock state|recursive locking|suspicious RCU|ODEBUG:|list_(add|del) corruption|rcu: INFO|blocked for more than)/ ||
		/^vcompound_bench: (ROW|ERROR|END)/ ||
		(!inwarn && /WARNING:/) {
			print "  " tag " " $0; fflush()
		}'
}

declare -a SUM_LINES=() NOTES=() DEBUG_LINES=() TABLE_LINES=()
TOTAL_PASS=0 TOTAL_FAIL=0 ANY_FAIL=0

# record REL PASS FAIL SKIP VERDICT WARNTEXT SECONDS
record() {
	local rel=$1 p=$2 f=$3 s=$4 v=$5 w=$6 secs=$7
	[ "$v" = OK ] || { ANY_FAIL=1; [ "$f" -gt 0 ] || f=1; }
	TOTAL_PASS=$((TOTAL_PASS + p))
	TOTAL_FAIL=$((TOTAL_FAIL + f))
	if [ $MODE != test ]; then
		SUM_LINES+=("$(printf '%-28s %-6s %-24s %5ss' "$rel" "$v" "$w" "$secs")")
	else
		SUM_LINES+=("$(printf '%-28s %6s %6s %7s  %-6s %-24s %5ss' "$rel" "$p" "$f" "$s" "$v" "$w" "$secs")")
	fi
}

# build_user_tools DIR ARRAY: vcstat and vcdev_test, static, from the copy
# in DIR/src (host compiler; the guest has no libc); appends "--bin FILE"
# for mkinitramfs.sh to the array named ARRAY.
build_user_tools() {
	local d=$1 t
	local -n out=$2
	for t in vcstat samples/vcdev; do
		[ -f "$d/src/tools/$t/Makefile" ] || continue
		{ echo; echo "===== host: make -C src/tools/$t STATIC=1"; } >>"$d/build.log"
		make -C "$d/src/tools/$t" STATIC=1 >>"$d/build.log" 2>&1 || return 1
	done
	[ ! -x "$d/src/tools/vcstat/vcstat" ] || out+=(--bin "$d/src/tools/vcstat/vcstat")
	[ ! -x "$d/src/tools/samples/vcdev/vcdev_test" ] || out+=(--bin "$d/src/tools/samples/vcdev/vcdev_test")
	return 0
}

# boot_guest LOG APPEND: boot run_one's kernel ($kc) and initramfs under
# QEMU with kernel command line APPEND, console into $b/LOG; once more when
# the guest died before the lab's /init. Sets qrc, and to (the timeout when
# the guest was killed by it, else 0). Uses run_one's locals.
boot_guest() {
	local log=$1 app=$2 qextra=() qmach=() try first
	[ -z "$ARCH_MACHINE" ] || qmach+=(-M "$ARCH_MACHINE")
	[ -z "$ARCH_CPU" ] || qmach+=(-cpu "$ARCH_CPU")
	read -r -a qextra <<<"${VCOMPOUND_QEMU_ARGS:-}"
	[ ${#qextra[@]} -eq 0 ] || info "extra QEMU arguments: ${qextra[*]}"
	QEMU_PIDFILE=$b/qemu.pid
	for try in 1 2; do
		rm -f "$QEMU_PIDFILE"
		# In the background + wait, so that INT/TERM traps run (and kill
		# QEMU) at once instead of after the pipeline ends.
		rm -f "$b/qemu.rc"
		{
			rc=0
			timeout --foreground -k 10 "$tmo" \
				"$ARCH_QEMU" -accel tcg "${qmach[@]}" -m "$mem" -smp 2 -nodefaults \
				-display none -serial stdio -no-reboot -pidfile "$QEMU_PIDFILE" \
				-kernel "$kc/vmlinuz" -initrd "$b/initrd-$MODE.cpio.gz" \
				"${qextra[@]}" \
				-append "$app" </dev/null 2>"$b/qemu.stderr" || rc=$?
			echo $rc >"$b/qemu.rc"
		} | tee "$b/$log" | live "[$rel]" &
		wait $! || true
		# A guest that died before the lab's /init started ran nothing of
		# ours: TCG sometimes executes a stale int3 while the kernel
		# patches its own text at boot on 2 vCPUs ("Oops: int3" in
		# sched_clock_cpu, 1 boot in 18 of the stock 7.2 under load). Boot
		# once more, and say so in the notes.
		[ $try = 1 ] && first=$(died_before_init "$b/$log") || break
		mv "$b/$log" "$b/${log%.log}-boot1.log"
		msg "$rel: the guest died before /init ($first): booting again (first console: $b/${log%.log}-boot1.log)"
		NOTES+=("$rel: the guest died before the lab's /init ($first); booted again")
	done
	qrc=$(cat "$b/qemu.rc" 2>/dev/null || echo 255)
	to=0
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		to=$tmo
	elif [ "$qrc" -ne 0 ]; then
		msg "qemu exited with status $qrc:"
		sed 's/^/    /' "$b/qemu.stderr" >&2
	fi
}

run_one() {
	local spec=$1 t0 kc rel b ko mod app qrc to=0 res what bins
	local isdebug=0 kbuilt="" mem tmo kunitarg=() fuzzarg=() karch foreign=0 steps=
	t0=$(date +%s)
	msg ""
	msg "=== $spec ($MODE) ==="
	if [ "$spec" = debug ] || [ "$spec" = debug-rt ]; then
		local rtarg=()
		[ "$spec" = debug ] || rtarg=(--rt)
		steps=$(lane_steps "$spec")
		if ! kc=$("$VCLAB_DIR/../debug-kernel/build.sh" "${rtarg[@]}" | tail -n 1) || [ ! -f "$kc/release" ]; then
			msg "FAIL: could not build the $spec kernel"
			record "$spec" 0 1 0 FAIL "debug kernel build failed" $(($(date +%s) - t0))
			DEBUG_LINES+=("debug kernel: build failed")
			return
		fi
	elif [[ $spec == /* ]] && [ -f "$spec/.complete" ]; then
		kc=$spec	# a kernel directory (fetch-kernel.sh or build.sh layout)
	elif ! kc=$("$VCLAB_DIR/fetch-kernel.sh" "$spec" | tail -n 1) || [ ! -f "$kc/release" ]; then
		msg "FAIL: could not fetch kernel $spec"
		record "$spec" 0 1 0 FAIL "fetch failed" $(($(date +%s) - t0))
		return
	fi
	rel=$(cat "$kc/release")
	# the kernel's architecture (arches.conf; cache entries without an
	# arch file, and the debug kernel, are amd64)
	karch=$(cat "$kc/arch" 2>/dev/null || echo amd64)
	if ! arch_info "$karch"; then
		msg "FAIL: $rel: architecture '$karch' ($kc/arch) is not in arches.conf"
		record "$rel" 0 1 0 FAIL "unknown architecture" $(($(date +%s) - t0))
		return
	fi
	[ "$ARCH_DEBARCH" = "$HOST_DEBARCH" ] || foreign=1
	ensure_host_pkgs "$ARCH_QEMU_PKG"
	if [ -f "$kc/debug" ]; then
		isdebug=1
		if [ "$(cat "$kc/built-at" 2>/dev/null || echo 0)" -ge "$VCLAB_RUN_START" ]; then
			kbuilt="built in $(cat "$kc/build-seconds") s"
		else
			kbuilt="cached"
		fi
	fi
	mem=${VCOMPOUND_QEMU_MEM:-$ARCH_MEM}
	tmo=${VCOMPOUND_BOOT_TIMEOUT:-$((900 * (1 + isdebug)))}
	b=$BUILD/$rel
	mkdir -p "$b"
	rm -f "$b/console.log" "$b/result"

	exec 7>"$b/.lock"
	flock -n 7 || { info "waiting for another run using $b"; flock 7; }

	local envd t1 role path sub kos=() ktap=() params=() signer note demoarg=
	[ $MODE = test ] || demoarg=--$MODE
	[ $isdebug = 0 ] || [ $MODE != test ] || kunitarg=(--kunit)
	envd=$(cat "$kc/env" 2>/dev/null || echo host)
	info "building modules for $rel ($BMODE, build environment: $envd; log: $b/build.log)"
	t1=$(date +%s)
	copy_sources "$b/src"
	install -m 0755 "$VCLAB_DIR/build-modules.sh" "$b/build-modules.sh"
	rm -rf "$b/out" "$b/debs"
	local envargs=() bmargs=(--flavour "$ARCH_FLAVOUR" --second "${ARCH_SECOND:--}")
	if [ "$BMODE" = deb ]; then
		cp -a "$DEBS" "$b/debs"
		envargs=(--overlay)
	fi
	# Another architecture: the guest's busybox, kmod and user programs
	# come from the kernel's build environment (build-modules.sh
	# --userland), which gets busybox-static and a compiler for them.
	# A cross-built one (arches.conf build=cross): the amd64 chroot gets its
	# Debian architecture's libc6-dev (the static user programs), and the
	# build its triplet and uname -m.
	if [ $foreign = 1 ] && [ "$ARCH_BUILD" = cross ]; then
		envargs+=(--pkgs "libc6-dev:$ARCH_DEBARCH")
		bmargs+=(--userland --cross "$ARCH_DEBARCH" "$ARCH_TRIPLET" "$ARCH_UNAME")
	elif [ $foreign = 1 ]; then
		envargs+=(--pkgs "busybox-static gcc")
		bmargs+=(--userland)
	fi
	if ! "$VCLAB_DIR/buildenv.sh" --kcache "$kc" --work "$b" --log "$b/build.log" "${envargs[@]}" -- \
		bash ./build-modules.sh "$BMODE" ${demoarg:+"$demoarg"} "${kunitarg[@]}" "${bmargs[@]}"; then
		tail -n 40 "$b/build.log" >&2
		what=$(cat "$b/out/failed" 2>/dev/null || echo "build environment")
		msg "FAIL: $what failed for $rel (full log: $b/build.log)"
		record "$rel" 0 1 0 FAIL "$what failed" $(($(date +%s) - t0))
		return
	fi
	info "modules built in $(($(date +%s) - t1)) s"
	while IFS= read -r note; do
		[ -n "$note" ] && NOTES+=("$rel: $note") && info "note: $note"
	done <"$b/out/notes"
	while read -r role path; do
		ko=$b/$path
		case $role in
		core) if [ "$BMODE" = deb ]; then sub=updates/dkms; else sub=extra; fi ;;
		test|client) sub=extra; ktap+=(--ktap "$(basename "${path%%.ko*}")") ;;
		dev|users)
			# the device only in test mode (the debug lane: a step)
			[ "$role" = users ] || [ $MODE = test ] || continue
			sub=extra
			ktap+=(--ktap "$(basename "${path%%.ko*}")" --extra "$(basename "${path%%.ko*}")")
			;;
		kunit) sub=extra; ktap+=(--kunit "$(basename "${path%%.ko*}")") ;;
		*) sub=extra ;;
		esac
		if [ ! -f "$ko" ]; then
			msg "FAIL: build for $rel did not produce $path"
			record "$rel" 0 1 0 FAIL "module missing" $(($(date +%s) - t0))
			return
		fi
		mod=$(modinfo -F vermagic "$ko"); mod=${mod%% *}
		if [ "$mod" != "$rel" ]; then
			msg "FAIL: ${ko##*/} has vermagic $mod, expected $rel"
			record "$rel" 0 1 0 FAIL "vermagic mismatch" $(($(date +%s) - t0))
			return
		fi
		if [ "$role" = core ] && [ "$BMODE" = deb ]; then
			signer=$(modinfo -F signer "$ko" 2>/dev/null || true)
			if [ -n "$signer" ]; then
				info "${ko##*/} (DKMS) is signed: signer '$signer', sig_key $(modinfo -F sig_key "$ko" | cut -c1-23)..."
			else
				info "note: ${ko##*/} (DKMS) is NOT signed"
				NOTES+=("$rel: the DKMS-installed ${ko##*/} is not signed")
			fi
		fi
		kos+=("$sub:$ko")
	# Load order: core, client, then the self-test (or demo, or bench);
	# /init loads the extra modules (dev, users) in steps of their own.
	done < <(for role in core client test kunit demo bench dev users; do
		awk -v r=$role '$1 == r' "$b/out/modules"; done)
	# Their user programs, static, built here on the host (another
	# architecture's: in its build environment, with its guest user space).
	bins=()
	local sysroot=() f
	if [ $foreign = 1 ]; then
		sysroot=(--sysroot "$b/out/guest")
		for f in "$b"/out/bin/*; do
			[ ! -f "$f" ] || bins+=(--bin "$f")
		done
	elif [[ " ${ktap[*]} " == *" --extra "* ]] && ! build_user_tools "$b" bins; then
		tail -n 20 "$b/build.log" >&2
		msg "FAIL: user tools (tools/vcstat, tools/samples/vcdev) failed to build (log: $b/build.log)"
		record "$rel" 0 1 0 FAIL "user tools build failed" $(($(date +%s) - t0))
		return
	fi
	if [ $MODE = demo ]; then
		params=(--params "vcompound_demo=${VCOMPOUND_DEMO_PARAMS:-}"
			--params "vcompound=${VCOMPOUND_CORE_PARAMS:-}")
	elif [ $MODE = bench ]; then
		params=(--params "vcompound_bench=${VCOMPOUND_BENCH_PARAMS:-}")
	else
		params=(--params "vcompound_test=${VCOMPOUND_TEST_PARAMS:-}")
	fi
	# The fault knobs are opt-in (module/fault_inject.c).
	[ $MODE = demo ] ||
		params+=(--params "vcompound=${VCOMPOUND_CORE_PARAMS-fault_inject=1}")
	if [ $isdebug = 1 ]; then
		params+=(--debug ${steps:+--steps "$steps"})
		[ $MODE != test ] || [ ! -f "$b/src/tests/qemu/fuzz.sh" ] ||
			fuzzarg=(--fuzz "$b/src/tests/qemu/fuzz.sh")
	fi

	if ! "$VCLAB_DIR/mkinitramfs.sh" --mode $MODE --kcache "$kc" \
		--out "$b/initrd-$MODE.cpio.gz" "${params[@]}" "${ktap[@]}" "${fuzzarg[@]}" \
		"${bins[@]}" "${sysroot[@]}" "${kos[@]}"; then
		record "$rel" 0 1 0 FAIL "initramfs failed" $(($(date +%s) - t0))
		return
	fi

	app="console=$ARCH_CONSOLE panic=-1 loglevel=7 printk.devkmsg=on"
	# Every KASAN report, not only the first; any warning outside the
	# self-test's EXPECT-WARN brackets (which clear and restore
	# panic_on_warn) stops the guest; KUnit (default off in the debug
	# kernel's allnoconfig) runs the tests of modules when they load.
	[ $isdebug = 0 ] || app+=" kasan_multi_shot panic_on_warn=1 kunit.enable=1"
	# Debian boots with init_on_alloc=1: every page would come zeroed
	# whatever the gfp, and the __GFP_ZERO cases could not fail.
	[ $MODE != test ] || app+=" init_on_alloc=0"
	app+=" ${VCOMPOUND_APPEND:-}"
	info "booting $rel under QEMU/TCG ($ARCH_QEMU${ARCH_MACHINE:+ -M $ARCH_MACHINE}${ARCH_CPU:+ -cpu $ARCH_CPU}, ${mem} MB, timeout ${tmo}s, console: $b/console.log)"
	boot_guest console.log "$app"
	[ "$to" = 0 ] || msg "FAIL: $rel: guest killed after ${tmo}s timeout"

	res=$(sh "$VCLAB_DIR/judge.sh" -v mode=$MODE -v timedout="$to" -v debug=$isdebug -v steps="$steps" \
		-v release="$rel" -v plans="$VCLAB_DIR/plans.conf" -v skipallow="$VCLAB_DIR/skips.allow" \
		${VCOMPOUND_MEMFREE_MARGIN_KB:+-v memmargin="$VCOMPOUND_MEMFREE_MARGIN_KB"} "$b/console.log")
	# (awk, not grep: grep exits 1 when nothing is left, which pipefail
	# and set -e would turn into a silent exit of the whole run)
	printf '%s\n' "$res" | sed '$d' | awk '$1 != "TABLE"'
	[ $isdebug = 0 ] || TABLE_LINES+=("$rel:")
	while IFS= read -r l; do
		TABLE_LINES+=("${l#TABLE}")
	done < <(printf '%s\n' "$res" | awk '$1 == "TABLE"')
	res=$(printf '%s\n' "$res" | tail -n 1)
	echo "$res" >"$b/result"
	local _ p f s v ew uw wtxt want
	read -r _ p f s v ew uw <<<"$res"
	# The guest must have loaded the module built here (after the
	# package upgrade: version N+1).
	want=$(cat "$b/out/version" 2>/dev/null || true)
	# (grep -c: grep -q would end the pipe early, and pipefail fail it)
	if [ -n "$want" ] && [ $MODE = test ] &&
	   [ "$(strip_ts <"$b/console.log" | grep -cE "^vclab-modinfo: version: +${want//./\\.}\$")" = 0 ]; then
		msg "FAIL: $rel: the guest did not load vcompound $want (modinfo)"
		v=FAIL
	fi
	# The boot without debugfs (init.sh's sysfs_step): the module, its
	# sysfs counters and vcstat where debugfs is off and the kernel locked
	# down; on stock kernels in test mode, whose image has the demo
	# device, whose user test counts its own blocks against sysfs.
	if [ $MODE = test ] && [ $isdebug = 0 ] && [[ " ${ktap[*]} " == *" vcompound_dev "* ]]; then
		local sres sp sf ss sv sew suw t2
		t2=$(date +%s)
		info "booting $rel with debugfs=off for the sysfs step (console: $b/console-sysfs.log)"
		boot_guest console-sysfs.log "$app debugfs=off vclab.step=sysfs"
		[ "$to" = 0 ] || msg "FAIL: $rel: sysfs boot killed after ${tmo}s timeout"
		sres=$(sh "$VCLAB_DIR/judge.sh" -v mode=$MODE -v timedout="$to" -v debug=0 \
			-v release="$rel" -v plans="$VCLAB_DIR/plans.conf" -v skipallow="$VCLAB_DIR/skips.allow" \
			-v needchecks=debugfs-off,lockdown,vcstat "$b/console-sysfs.log")
		printf '%s\n' "$sres" | sed '$d'
		read -r _ sp sf ss sv sew suw <<<"$(printf '%s\n' "$sres" | tail -n 1)"
		msg "$rel: sysfs boot (debugfs=off, lockdown): $sv ($sp passed, $sf failed, $ss skipped) in $(($(date +%s) - t2)) s"
		p=$((p + sp)) f=$((f + sf)) s=$((s + ss)) ew=$((ew + sew)) uw=$((uw + suw))
		[ "$sv" = OK ] || v=FAIL
	fi
	if [ "$uw" -gt 0 ]; then wtxt="$uw UNEXPECTED warning(s)"
	elif [ "$ew" -gt 0 ]; then wtxt="$ew expected warning(s)"
	else wtxt="no warnings"; fi
	if [ $MODE != test ]; then
		[ "$v" = OK ] && p=1 f=0 || p=0 f=1
		s=0
	fi
	msg "$rel: $v ($p passed, $f failed, $s skipped, $wtxt) in $(($(date +%s) - t0)) s"
	if [ $isdebug = 1 ]; then
		[ "$kbuilt" != cached ] ||
			kbuilt="cached (built in $(cat "$kc/build-seconds" 2>/dev/null || echo '?') s)"
		DEBUG_LINES+=("debug kernel $rel ($(cut -d' ' -f1 "$kc/package" 2>/dev/null)): $kbuilt")
		DEBUG_LINES+=("$rel: modules, boot and lane in $(($(date +%s) - t0)) s")
	fi
	record "$rel" "$p" "$f" "$s" "$v" "$wtxt" $(($(date +%s) - t0))
}

# build_debs: the Debian packages make test installs, built once per run
# from a copy of the tree: version N (debian/changelog) into build/debs/N,
# and the same sources as version N+1 (its last number plus one) into
# build/debs/next, for the upgrade check. Sets DEBS.
build_debs() {
	local v next t0 log=$BUILD/debs.log
	t0=$(date +%s)
	DEBS=$BUILD/debs
	rm -rf "$DEBS"
	mkdir -p "$DEBS"
	copy_sources "$DEBS/src"
	v=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$DEBS/src/debian/changelog")
	[[ $v =~ ^(.*[^0-9])?([0-9]+)$ ]] || die "cannot bump version '$v' of debian/changelog"
	next=${BASH_REMATCH[1]}$((BASH_REMATCH[2] + 1))
	info "building the Debian packages $v and $next (log: $log)"
	if ! { bash "$DEBS/src/tools/scripts/mkdeb.sh" --src "$DEBS/src" --out "$DEBS/N" &&
	       bash "$DEBS/src/tools/scripts/mkdeb.sh" --src "$DEBS/src" --out "$DEBS/next" --version "$next"; } >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		return 1
	fi
	rm -rf "$DEBS/src"
	info "packages built in $(($(date +%s) - t0)) s: $(cd "$DEBS" && echo */*.deb)"
}

# The judge's own tests first: a broken rule would let the kernels through.
if [ $MODE = test ]; then
	t0=$(date +%s)
	if jt=$(bash "$VCLAB_DIR/judge-test.sh" | tail -n 1); then v=OK; else v=FAIL; fi
	msg "${jt:-judge self-tests: no result}"
	read -r _ _ jp _ jf _ <<<"$jt"
	record "judge self-tests" "${jp:-0}" "${jf:-1}" 0 $v "" $(($(date +%s) - t0))
	# vcstat against made-up sysfs trees (tools/vcstat/test.sh): the
	# deltas of an interval and the exit codes, which the guests' own
	# check (a static tree, read once) cannot see. Built on the host in
	# a copy of what its Makefile needs.
	if [ -f "$SRC/tools/vcstat/test.sh" ]; then
		t0=$(date +%s)
		vt=$BUILD/vcstat-test
		rm -rf "$vt"
		mkdir -p "$vt/tools" "$vt/debian"
		cp -r "$SRC/tools/vcstat" "$SRC/tools/user.mk" "$vt/tools/"
		cp "$SRC/debian/changelog" "$vt/debian/"
		if make -s -C "$vt/tools/vcstat" >"$vt/build.log" 2>&1 &&
		   jt=$(bash "$vt/tools/vcstat/test.sh" 2>&1 | tee "$vt/test.log" | tail -n 1) &&
		   [[ $jt == *" 0 failed" ]]; then
			v=OK
		else
			v=FAIL
			sed 's/^/    /' "$vt/build.log" "$vt/test.log" >&2
		fi
		msg "${jt:-vcstat self-tests: did not build}"
		read -r _ _ jp _ jf _ <<<"${jt:-x x 0 x 1 x}"
		record "vcstat self-tests" "${jp:-0}" "${jf:-1}" 0 $v "" $(($(date +%s) - t0))
	fi
fi

DEBS=
if [ "$BMODE" = deb ] && ! build_debs; then
	msg "FAIL: the Debian packages failed to build (log: $BUILD/debs.log)"
	for spec in "${SPECS[@]}"; do
		record "$spec" 0 1 0 FAIL "package build failed" 0
	done
	SPECS=()
fi
for spec in "${SPECS[@]}"; do
	run_one "$spec"
done

echo
echo "=== summary ($MODE, $BMODE build) ==="
if [ $MODE != test ]; then
	printf '%-28s %-6s %-24s %6s\n' kernel result warnings time
else
	printf '%-28s %6s %6s %7s  %-6s %-24s %6s\n' kernel passed failed skipped result warnings time
fi
printf '%s\n' "${SUM_LINES[@]}"
if [ ${#DEBUG_LINES[@]} -gt 0 ]; then
	echo
	echo "=== debug lane (make test-debug) ==="
	[ ${#TABLE_LINES[@]} -eq 0 ] || printf '%s\n' "${TABLE_LINES[@]}"
	printf '%s\n' "${DEBUG_LINES[@]}"
	echo "lane total: $(($(date +%s) - VCLAB_RUN_START)) s"
fi
if [ ${#NOTES[@]} -gt 0 ]; then
	echo "notes:"
	printf '  %s\n' "${NOTES[@]}"
fi
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ $ANY_FAIL -eq 0 ] && [ $TOTAL_FAIL -eq 0 ]
