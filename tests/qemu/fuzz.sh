#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/qemu/fuzz.sh: fuzzes vcompound's user-visible surfaces in the guest
# (busybox sh, as root, vcompound loaded; the debug lane runs it, see
# init.sh).
#
#  1. Every debugfs file under /sys/kernel/debug/vcompound/ must be root's
#     and have no group or other permission bits.
#  2. Every writable module parameter and every writable debugfs file
#     (found at run time, so knobs added later are covered too) gets fixed
#     hostile values (empty, negative, huge, garbage, very long, binary)
#     and seeded random ones.  After each write the value is read back: it
#     must still be valid for that file, and a refused write must not have
#     changed it.  A module parameter must also read back as what an
#     accepted decimal write said.
#  3. always_fallback is toggled while vcompound_test (suite=stress
#     stress_toggle=1) allocates and frees on every CPU, and the stats are
#     read meanwhile; that case must pass.
#  4. The values found at the start are written back and checked.
#
# The last line, also sent to /dev/kmsg, is
#   vclab: fuzz-total: writes=N accepted=N refused=N bad_readback=N
# Exit status 0 only if nothing was wrong.  Crashes, warnings and KASAN or
# lockdep reports are the lane's to catch (judge.awk).
#
# Environment: FUZZ_SEED (default 20261126), FUZZ_RANDOM random values per
# file (default 64), FUZZ_TOGGLE_OPS operations of the toggling load
# (default 100000).

SEED=${FUZZ_SEED:-20261126}
NRAND=${FUZZ_RANDOM:-64}
TOGGLE_OPS=${FUZZ_TOGGLE_OPS:-100000}
MODPROBE=/sbin/modprobe MODINFO=/sbin/modinfo RMMOD=/sbin/rmmod
# vcompound's parameters and debugfs files (tests/lib/params.sh)
# shellcheck source=../lib/params.sh
. /lib/vclab/params.sh
PARAMS=$VC_PARAM_DIR
DBG=$VC_DEBUGFS_DIR
TMP=/tmp/fuzz.d

WRITES=0 ACCEPTED=0 REFUSED=0 BAD=0 PROBLEMS=0

say() {
	echo "<5>vclab: $*" >/dev/kmsg 2>/dev/null || echo "vclab: $*"
}
# Problems go to stdout (init.sh forwards the tail) and are counted.
problem() {
	echo "FAIL: $*"
	PROBLEMS=$((PROBLEMS + 1))
}

mkdir -p $TMP || exit 1
if [ ! -d $PARAMS ]; then
	problem "$PARAMS missing: is vcompound loaded?"
	say "fuzz-total: writes=0 accepted=0 refused=0 bad_readback=0"
	exit 1
fi
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# A linear congruential generator, so that a seed gives one sequence.
R=$SEED
rnd() {
	R=$(((R * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff))
	RND=$((R >> 33))
}

# Octal permission bits of a file (busybox stat).
perm() { stat -c %a "$1"; }

# --- 1. debugfs permissions
check_perms() {
	[ -d $DBG ] || { problem "$DBG missing"; return; }
	find $DBG -type f >$TMP/dbgfiles
	while IFS= read -r f; do
		p=$(perm "$f")
		u=$(stat -c %u "$f")
		case $p in
		*00) ;;
		*) problem "$f has mode $p: not root-only" ;;
		esac
		[ "$u" = 0 ] || problem "$f is owned by uid $u"
	done <$TMP/dbgfiles
	echo "permissions: $(wc -l <$TMP/dbgfiles) debugfs files checked"
}

# --- readback validation
#
# valid FILE VALUE: is VALUE (what FILE reads back) valid for it?
MAX_LIMIT=
valid() {
	case $1 in
	*/parameters/always_fallback)
		[ "$2" = Y ] || [ "$2" = N ] ;;
	*/parameters/max_order)
		case $2 in '' | *[!0-9]*) return 1 ;; esac
		[ -z "$MAX_LIMIT" ] || [ "$2" -le "$MAX_LIMIT" ] ;;
	*)
		# A file we know nothing about: printable text only.
		case $2 in *[![:print:][:space:]]*) return 1 ;; esac ;;
	esac
}

# isnum VALUE: a plain decimal without a leading zero, short enough for
# shell arithmetic.
isnum() {
	case $1 in '' | *[!0-9]* | 0?*) return 1 ;; esac
	[ ${#1} -lt 18 ]
}

# The largest max_order, from the module's own description ("at most N").
MAX_LIMIT=$($MODINFO -p vcompound 2>/dev/null |
	sed -n 's/^max_order:.*at most \([0-9][0-9]*\).*/\1/p')
[ -n "$MAX_LIMIT" ] || problem "modinfo gives no 'at most N' for max_order"

# readable FILE: mode has the owner read bit (a file gone: no).
readable() {
	rp=$(perm "$1" 2>/dev/null) || return 1
	[ $((rp / 100 & 4)) -ne 0 ]
}
writable() {
	wp=$(perm "$1" 2>/dev/null) || return 1
	[ $((wp / 100 & 2)) -ne 0 ]
}

# --- 2. writes
#
# The value is written from a file with dd, so that NUL bytes and missing
# newlines reach the kernel exactly as generated.
NBAD_SHOWN=0
bad() {
	BAD=$((BAD + 1))
	# The first few of each file are enough to see what went wrong.
	[ $NBAD_SHOWN -lt 5 ] && echo "bad readback: $*"
	NBAD_SHOWN=$((NBAD_SHOWN + 1))
}

# try FILE VALUEFILE WHAT: one write and its checks.  Forks are slow under
# TCG, so the file's mode (RD: readable) and its current value (PREV) are
# the caller's to keep: set them before the first try on a file.
try() {
	tf=$1 vf=$2 what=$3
	WRITES=$((WRITES + 1))
	if dd if="$vf" of="$tf" bs=65536 2>/dev/null; then
		ACCEPTED=$((ACCEPTED + 1))
		ok=1
	else
		REFUSED=$((REFUSED + 1))
		ok=0
	fi
	[ "$RD" = 1 ] || return 0
	before=$PREV
	if ! after=$(cat "$tf" 2>/dev/null); then
		bad "$tf unreadable after writing $what"
		return 0
	fi
	PREV=$after
	if ! valid "$tf" "$after"; then
		bad "$tf = '$after' after writing $what (accepted=$ok)"
		return 0
	fi
	# A refused write changes nothing.
	if [ $ok = 0 ] && [ "$after" != "$before" ]; then
		bad "$tf changed '$before' -> '$after' by a refused write of $what"
		return 0
	fi
	# A number file that took a plain number reads back as that number.
	v=
	read -r v <"$vf"
	if [ $ok = 1 ] && isnum "$before" && isnum "$v" &&
	   [ "$after" != "$v" ]; then
		bad "$tf = '$after' after an accepted write of $v"
	fi
}

# Sets RD and PREV for try on file $1.
try_on() {
	RD=0 PREV=
	if readable "$1"; then
		RD=1
		PREV=$(cat "$1" 2>/dev/null)
	fi
}

# Fixed hostile values, one per line of $TMP/fixed (printf escapes).
# (An empty write never reaches the kernel: "\n" stands for it.)
cat >$TMP/fixed <<'EOF'
0
1
-1
-0
Y
N
y
n
on
off
true
yes
2
7
14
20
21
31
32
63
64
-2147483648
2147483647
2147483648
4294967295
4294967296
-4294967296
9223372036854775807
9223372036854775808
18446744073709551615
18446744073709551616
99999999999999999999999999999999999999999
0x14
0x
0X7fffffff
010
08
1e3
+3
--1
 5
5 
5\n5
5\n
\n
abc
Y\000garbage
\000
\377\376\375
\033[2J
%%s%%s%%s%%n
../../../../etc/passwd
0,1,2,3
1-20
EOF

# Writes every fixed value, then NRAND seeded random ones, to file $1.
fuzz_file() {
	f=$1
	NBAD_SHOWN=0
	try_on "$f"
	n=0
	while IFS= read -r line; do
		# shellcheck disable=SC2059
		printf "$line" >$TMP/v
		try "$f" $TMP/v "fixed value #$n"
		n=$((n + 1))
	done <$TMP/fixed
	# Very long: 8000 digits, and 8000 letters.
	i=0
	: >$TMP/v
	while [ $i -lt 100 ]; do
		printf '%s' 12345678901234567890123456789012345678901234567890123456789012345678901234567890 >>$TMP/v
		i=$((i + 1))
	done
	try "$f" $TMP/v "8000 digits"
	tr 0-9 A-J <$TMP/v >$TMP/v2
	try "$f" $TMP/v2 "8000 letters"
	i=0
	while [ $i -lt "$NRAND" ]; do
		rnd
		case $((RND % 4)) in
		0) printf '%d' $((RND % 64 - 16)) >$TMP/v ;;
		1) printf '%d' $((RND * (RND % 7 + 1) - 1000000)) >$TMP/v ;;
		2) printf '%u' $((RND * 4096)) >$TMP/v ;;
		3)
			# Random bytes, up to 32.
			: >$TMP/v
			k=$((RND % 32 + 1))
			while [ $k -gt 0 ]; do
				rnd
				b=$((RND % 256))
				# Octal by arithmetic: no fork per byte.
				# shellcheck disable=SC2059
				printf "\\$((b >> 6 & 3))$((b >> 3 & 7))$((b & 7))" >>$TMP/v
				k=$((k - 1))
			done
			;;
		esac
		try "$f" $TMP/v "random value #$i"
		i=$((i + 1))
	done
}

# Writable surfaces and their values at the start (to restore them).
: >$TMP/targets
: >$TMP/saved
{ ls -d "$PARAMS"/* 2>/dev/null; find $DBG -type f 2>/dev/null; } >$TMP/all
while IFS= read -r f; do
	[ -f "$f" ] || continue
	writable "$f" || continue
	echo "$f" >>$TMP/targets
	if readable "$f"; then
		printf '%s\t%s\n' "$f" "$(cat "$f" 2>/dev/null)" >>$TMP/saved
	fi
done <$TMP/all

restore() {
	while IFS="$(printf '\t')" read -r rf rv; do
		printf '%s' "$rv" >"$rf" 2>/dev/null
		now=$(cat "$rf" 2>/dev/null)
		[ "$now" = "$rv" ] || problem "$rf not restored: '$now', was '$rv'"
	done <$TMP/saved
}

check_perms
while IFS= read -r target; do
	w0=$WRITES a0=$ACCEPTED b0=$BAD
	fuzz_file "$target"
	# Whatever a knob does, the next file starts from the defaults.
	restore
	echo "$target: writes=$((WRITES - w0)) accepted=$((ACCEPTED - a0)) bad_readback=$((BAD - b0))"
done <$TMP/targets
# The module must still answer.
find $DBG -type f 2>/dev/null >$TMP/dbgfiles
while IFS= read -r df; do
	readable "$df" || continue
	cat "$df" >/dev/null 2>&1 || problem "$df unreadable after fuzzing"
done <$TMP/dbgfiles

# --- 3. always_fallback toggled under load
FB=$VC_PARAM_ALWAYS_FALLBACK
toggle_load() {
	if ! $MODPROBE -n vcompound_test 2>/dev/null; then
		echo "toggle: vcompound_test not available, skipped"
		return
	fi
	$MODPROBE vcompound_test suite=stress stress_toggle=1 \
		stress_ops="$TOGGLE_OPS" stress_seed="$SEED" >$TMP/mp 2>&1 &
	pid=$!
	n=0
	while kill -0 $pid 2>/dev/null; do
		# Bursts of shell-builtin writes (no fork: fast toggling),
		# then one checked write with its readback.
		k=0
		while [ $k -lt 32 ]; do
			WRITES=$((WRITES + 1))
			if vc_param_set_always_fallback $((k & 1)); then
				ACCEPTED=$((ACCEPTED + 1))
			else
				REFUSED=$((REFUSED + 1))
			fi
			k=$((k + 1))
		done
		rnd
		case $((RND % 4)) in
		0) v=1 ;; 1) v=0 ;; 2) v=Y ;; 3) v=N ;;
		esac
		printf '%s' "$v" >$TMP/v
		try_on $FB
		try $FB $TMP/v "toggle $v"
		{ vc_debugfs_stats; vc_debugfs_vcacheinfo; } >/dev/null 2>&1
		n=$((n + 33))
	done
	wait $pid
	rc=$?
	[ $rc = 0 ] || problem "modprobe vcompound_test (toggle load) rc=$rc: $(cat $TMP/mp)"
	dmesg >$TMP/dmesg 2>/dev/null
	if grep -q '^ok [0-9]* - stress_under_always_fallback_toggling' $TMP/dmesg ||
	   grep -q '] ok [0-9]* - stress_under_always_fallback_toggling' $TMP/dmesg; then
		echo "toggle: $n toggles during the load; case passed"
		grep -o '# stress-toggled: .*' $TMP/dmesg | tail -n 1
	else
		problem "toggle load: stress_under_always_fallback_toggling did not pass"
		grep 'stress' $TMP/dmesg | tail -n 20
	fi
	$RMMOD vcompound_test || problem "rmmod vcompound_test failed"
}
toggle_load

# --- 4. defaults back
restore
while IFS= read -r f; do
	valid "$f" "$(cat "$f")" || problem "$f = '$(cat "$f")' at the end"
done <$TMP/targets

say "fuzz-total: writes=$WRITES accepted=$ACCEPTED refused=$REFUSED bad_readback=$BAD"
[ $BAD = 0 ] && [ $PROBLEMS = 0 ]
