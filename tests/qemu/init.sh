#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the vcompound lab initramfs (busybox sh, runs as PID 1).
#
# Reads /etc/vclab.conf (written by mkinitramfs.sh):
#   MODE=test|demo
#   DEPS="..."        kernel modules the lab modules depend on, in load order
#   MODULES="..."     lab modules in load order (core first)
#   PARAMS_<name>=".." insmod parameters per lab module (name without .ko)
#
# Everything is reported through /dev/kmsg as "vclab: ..." lines so that it
# is ordered with the kernel's own messages on the serial console; the host
# side (judge.awk) parses those lines. The last line is "vclab: end-of-run".

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug

say() {
	echo "<5>vclab: $*" >/dev/kmsg 2>/dev/null || echo "vclab: $*"
}

# shellcheck disable=SC1091
. /etc/vclab.conf

say "init start mode=$MODE release=$(uname -r)"

modname() { basename "$1" .ko | tr - _; }

LOADED=
load() {
	eval "p=\${PARAMS_$(modname "$1"):-}"
	say "insmod $1 begin${p:+ params: $p}"
	# shellcheck disable=SC2086
	insmod "/lib/vclab/$1" $p
	rc=$?
	say "insmod $1 rc=$rc"
	[ $rc -eq 0 ] && LOADED="$(modname "$1") $LOADED"
	return $rc
}

for d in $DEPS; do
	say "insmod dependency $d"
	insmod "/lib/vclab/deps/$d" || say "insmod dependency $d failed"
done

for m in $MODULES; do
	load "$m" || break
done

# Demo: the demo module allocates at load time; run it a second time with
# the core's always_fallback=1 (when it has that parameter) so both
# physical and virtual blocks show up.
FB=/sys/module/vcompound/parameters/always_fallback
if [ "$MODE" = demo ] && [ -w $FB ] && [ -n "$LOADED" ]; then
	demo=${MODULES##* }
	dname=$(modname "$demo")
	case " $LOADED " in
	*" $dname "*)
		rmmod "$dname"
		say "rmmod $dname rc=$?"
		LOADED=${LOADED#"$dname "}
		old=$(cat $FB)
		echo 1 >$FB
		say "demo pass 2: always_fallback=$(cat $FB)"
		load "$demo"
		echo "$old" >$FB
		;;
	esac
fi

STATS=/sys/kernel/debug/vcompound/stats
if [ -r $STATS ]; then
	cat $STATS >/tmp/stats 2>&1
	say "stats begin"
	while IFS= read -r l; do
		echo "<5>vclab-stats: $l" >/dev/kmsg
	done </tmp/stats
	say "stats end"
else
	say "stats: $STATS not present"
fi

# LOADED is in reverse load order: unload dependents first.
for m in $LOADED; do
	rmmod "$m"
	say "rmmod $m rc=$?"
done

say "tainted=$(cat /proc/sys/kernel/tainted)"
say "end-of-run"
echo "vclab: end-of-run (console)"
sync
poweroff -f
echo o >/proc/sysrq-trigger
sleep 5
