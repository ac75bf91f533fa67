#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the vcompound lab initramfs (busybox sh, runs as PID 1; module
# handling by the real kmod: modprobe, modinfo, lsmod).
#
# Reads /etc/vclab.conf (written by mkinitramfs.sh):
#   MODE=test|demo
#   MODULES="..."     lab modules (names) in load order, core first
#   KTAP="..."        those of them that print a KTAP document when loaded
#   DEBUG=1           a debug kernel (tests/debug-kernel): after the unload,
#                     report lockdep's state and a kmemleak scan
# Module parameters come from /etc/modprobe.d/vclab.conf ("options ...").
#
# Everything is reported through /dev/kmsg as "vclab: ..." lines so that it
# is ordered with the kernel's own messages on the serial console; the host
# side (judge.awk) parses those lines. The last line is "vclab: end-of-run".

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
# Existing names (kmod's modprobe, modinfo, ... in /sbin) are kept.
/bin/busybox --install -s 2>/dev/null
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
# busybox sh runs its own applets for bare command names (modprobe, lsmod,
# ...) even when PATH has another binary: kmod is always called by path.
MODPROBE=/sbin/modprobe MODINFO=/sbin/modinfo LSMOD=/sbin/lsmod RMMOD=/sbin/rmmod

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug

say() {
	echo "<5>vclab: $*" >/dev/kmsg 2>/dev/null || echo "vclab: $*"
}
# sayf PREFIX FILE: each line of FILE as "PREFIX: line".
sayf() {
	while IFS= read -r l; do
		echo "<5>$1: $l" >/dev/kmsg
	done <"$2"
}

# shellcheck disable=SC1091
. /etc/vclab.conf

say "init start mode=$MODE release=$(uname -r)"
say "ktap-modules $KTAP"
$MODPROBE --version >/tmp/kv 2>&1
say "kmod: $MODPROBE --version: $(tr '\n' ' ' </tmp/kv)"
[ -s /etc/modprobe.d/vclab.conf ] && sayf "vclab: modprobe.d" /etc/modprobe.d/vclab.conf

LOADED=
load() {
	say "modprobe $1 begin"
	$MODPROBE -v "$1" >/tmp/mp 2>&1
	rc=$?
	sayf "vclab: modprobe $1" /tmp/mp
	say "modprobe $1 rc=$rc"
	[ $rc -eq 0 ] && LOADED="$1 $LOADED"
	return $rc
}

unload() {
	$MODPROBE -r -v "$1" >/tmp/mp 2>&1
	rc=$?
	sayf "vclab: modprobe -r $1" /tmp/mp
	say "modprobe -r $1 rc=$rc"
}

first=1
for m in $MODULES; do
	load "$m" || break
	if [ $first -eq 1 ]; then
		# The core module's documentation, as an administrator sees it.
		$MODINFO "$m" >/tmp/mi 2>&1
		rc=$?
		sayf vclab-modinfo /tmp/mi
		say "modinfo $m rc=$rc"
		first=0
	fi
done
$LSMOD >/tmp/lsmod 2>&1
sayf "vclab: lsmod" /tmp/lsmod

# Demo: the demo module allocates at load time; run it a second time with
# the core's always_fallback=1 (when it has that parameter) so both
# physical and virtual blocks show up.
FB=/sys/module/vcompound/parameters/always_fallback
if [ "$MODE" = demo ] && [ -w $FB ] && [ -n "$LOADED" ]; then
	demo=${MODULES##* }
	case " $LOADED " in
	*" $demo "*)
		# kmod's rmmod: modprobe -r would also remove the now unused
		# core, and with it the stats of pass 1.
		$RMMOD "$demo"
		say "rmmod $demo rc=$?"
		LOADED=
		if [ -d /sys/module/vcompound ]; then
			LOADED=vcompound
			echo 1 >$FB
		else
			$MODPROBE vcompound always_fallback=1
			rc=$?
			say "modprobe vcompound rc=$rc (always_fallback=1)"
			[ $rc -eq 0 ] && LOADED=vcompound
		fi
		say "demo pass 2: always_fallback=$(cat $FB 2>/dev/null)"
		load "$demo"
		;;
	esac
fi

# Debug kernel: kmemleak prints the text addresses of unloaded modules raw;
# keep our modules' text symbols to resolve them (judge.awk).
if [ "${DEBUG:-0}" = 1 ]; then
	: >/tmp/ksyms
	for m in $MODULES; do
		grep "^[0-9a-f]* [tT] .*[[:space:]]\[$m\]$" /proc/kallsyms >>/tmp/ksyms 2>/dev/null
	done
	say "ksyms: $(wc -l </tmp/ksyms) symbols of $MODULES saved"
fi

STATS=/sys/kernel/debug/vcompound/stats
if [ -r $STATS ]; then
	cat $STATS >/tmp/stats 2>&1
	say "stats begin"
	sayf vclab-stats /tmp/stats
	say "stats end"
else
	say "stats: $STATS not present"
fi

# LOADED is in reverse load order: unload dependents first. modprobe -r also
# removes dependencies that are no longer used, so a module may already be
# gone by its turn.
for m in $LOADED; do
	if [ -d "/sys/module/$m" ]; then
		unload "$m"
	else
		say "modprobe -r $m: already unloaded with its last user"
	fi
done
for m in $LOADED; do
	[ -d "/sys/module/$m" ] && say "still loaded after unload: $m"
done

if [ "${DEBUG:-0}" = 1 ]; then
	# Lockdep switches itself off after its first report (or a taint
	# that makes it unreliable): 1 means it watched the whole run.
	say "debug_locks=$(awk '/debug_locks:/ { print $2 }' /proc/lockdep_stats 2>/dev/null)"
	# kmemleak reports only objects older than 5 s (MSECS_MIN_AGE) at
	# scan time: wait, then scan twice (an object referenced only from
	# a stack or register during the first scan is rescanned).
	KML=/sys/kernel/debug/kmemleak
	if [ -w $KML ]; then
		say "kmemleak: waiting 6 s, then scanning twice"
		sleep 6
		if echo scan >$KML && sleep 2 && echo scan >$KML; then
			cat $KML >/tmp/kml 2>&1
			say "kmemleak: begin ($(grep -c '^unreferenced object' /tmp/kml) suspected leaks)"
			sayf vclab-kmemleak /tmp/kml
			# Symbols for the raw module addresses in the backtraces.
			grep -q '^ *0xffffffff' /tmp/kml && sayf vclab-ksyms /tmp/ksyms
		else
			say "kmemleak: scan failed"
		fi
		say "kmemleak: end"
	else
		say "kmemleak: unavailable ($KML not writable)"
	fi
fi

say "tainted=$(cat /proc/sys/kernel/tainted)"
say "end-of-run"
echo "vclab: end-of-run (console)"
sync
poweroff -f
echo o >/proc/sysrq-trigger
sleep 5
