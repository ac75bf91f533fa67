#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fresh.sh [--keep] [--ci]   (make test-fresh, make test-fresh-ci)
#
# What a new user meets: a minimal Debian 12 machine with only git and make,
# a clone of this repository, and the README's two commands. As root:
#   1. debootstrap --variant=minbase --include=git,make,ca-certificates
#      bookworm into ${VCOMPOUND_CACHE}/fresh/root (made anew every time),
#      with the apt sources a Debian 12 install has (archive, -updates,
#      -security, from the host's Debian mirrors);
#   2. git clone of this checkout's HEAD into /root/vcompound there
#      (committed work only: uncommitted changes are not tested);
#   3. "make demo", then "make test", chrooted, in a private mount
#      namespace with /proc, /sys, /dev and a new empty VCOMPOUND_CACHE,
#      so that everything the lab needs is installed and fetched by the
#      lab itself; none of the host's packages or caches are visible.
# Prints each command's last lines and ends with make test's "N passed,
# M failed" (a failed make demo counts as one more failure). --keep keeps
# the chroot (default: removed at the end). A cold run takes about as long
# as a cold .ci/run without the debug lane.
# --ci: .ci/run in step 3 instead of the two commands, timed: CI on a new
# machine, whose cache is empty and which has none of the lab's packages.

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

KEEP=0 CI=0
for a; do
	case $a in
	--keep) KEEP=1 ;;
	--ci) CI=1 ;;
	*) die "fresh.sh: unknown argument '$a'" ;;
	esac
done
is_root || die "make test-fresh needs root (debootstrap, chroot)"
TOP=$(cd "$VCLAB_DIR/../.." && pwd)
git -C "$TOP" rev-parse HEAD >/dev/null 2>&1 || die "$TOP is not a git checkout"
ensure_host_pkgs debootstrap git
cache_init
F=$VCOMPOUND_CACHE/fresh
R=$F/root
MIRROR=$(debian_mirror)
[ -n "$MIRROR" ] || die "no Debian archive in the host apt sources"

exec 9>"$VCOMPOUND_CACHE/fresh.lock"
flock -n 9 || die "another make test-fresh is running"
awk -v d="$R/" 'index($2 "/", d) == 1 { exit 1 }' /proc/self/mounts ||
	die "something is mounted under $R"
rm -rf "$R"
mkdir -p "$F"
t0=$(date +%s)
info "fresh Debian 12 (minbase + git + make) in $R (log: $F/debootstrap.log)"
debootstrap --variant=minbase --include=git,make,ca-certificates bookworm "$R" "$MIRROR" \
	>"$F/debootstrap.log" 2>&1 || { tail -n 20 "$F/debootstrap.log" >&2; die "debootstrap failed"; }
# The apt sources of a Debian 12 install: archive, -updates, -security
# (from the host's Debian mirrors, lib.sh; nothing else the host lists).
rm -f "$R/etc/apt/sources.list"
write_suite_sources bookworm "$R/etc/apt/sources.list.d/debian.sources"
sed -n 's/^Signed-By: //p' "$R/etc/apt/sources.list.d/debian.sources" | sort -u |
	while read -r k; do
		[ -f "$R$k" ] || { mkdir -p "$R${k%/*}"; cp "$k" "$R$k"; }
	done
# A frozen mirror snapshot's Release files are past their Valid-Until.
apt-config dump 2>/dev/null | grep -E '^Acquire::Check-(Valid-Until|Date) "(false|0)";$' \
	>"$R/etc/apt/apt.conf.d/99fresh" || true
cp -L /etc/resolv.conf "$R/etc/resolv.conf"
git clone -q --no-local "$TOP" "$R/root/vcompound"
info "chroot ready in $(($(date +%s) - t0)) s; clone of $(git -C "$TOP" rev-parse --short HEAD)"

# in_fresh CMD: run CMD (a shell command line) in the fresh machine.
in_fresh() {
	VCLAB_R=$R unshare --mount --propagation private -- bash -c '
		set -e
		r=$VCLAB_R
		# / a mount point, as on a machine (the lab unshares with
		# --propagation private, which needs one)
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs tmpfs "$r/tmp"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM=dumb sh -c "cd /root/vcompound && $1"' \
		vclab-fresh "$1"
}

if [ $CI = 1 ]; then
	t1=$(date +%s) rc=0
	info ".ci/run (log: $F/ci.log)"
	in_fresh 'bash .ci/run' </dev/null >"$F/ci.log" 2>&1 || rc=$?
	tail -n 30 "$F/ci.log"
	echo
	echo "test-fresh: .ci/run rc=$rc in $(($(date +%s) - t1)) s (the chroot before it $((t1 - t0)) s)"
	[ $KEEP = 1 ] || rm -rf "$R"
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$F/ci.log" | tail -n 1 || true)
	echo "${last:-0 passed, 1 failed}"
	exit $rc
fi

rcd=0 rct=0
info "make demo (log: $F/demo.log)"
in_fresh 'make demo' </dev/null >"$F/demo.log" 2>&1 || rcd=$?
tail -n 12 "$F/demo.log"
info "make test (log: $F/test.log)"
in_fresh 'make test' </dev/null >"$F/test.log" 2>&1 || rct=$?
tail -n 24 "$F/test.log"
# (make's own "*** Error" line follows the lab's last line on a failure)
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$F/test.log" | tail -n 1 || true)
echo
echo "test-fresh: make demo rc=$rcd, make test rc=$rct, $(($(date +%s) - t0)) s in all"
[ $KEEP = 1 ] || rm -rf "$R"
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	echo "${BASH_REMATCH[1]} passed, $((BASH_REMATCH[2] + (rcd != 0))) failed"
else
	echo "0 passed, $((1 + (rcd != 0))) failed"
fi
[ $rcd = 0 ] && [ $rct = 0 ]
