#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# buildenv.sh --kcache DIR --work DIR [--log FILE] -- CMD [ARG...]
#
# Run CMD, in the work directory, in the build environment of the cached
# kernel DIR (fetch-kernel.sh;
# DIR/env says "host" or "chroot <suite>", from suites.conf), with the work
# directory available inside and these variables set:
#   VCLAB_W     the work directory as seen by CMD
#   VCLAB_KDIR  the kernel headers (KDIR) as seen by CMD
#   VCLAB_REL   the kernel release
#
# host:   CMD runs on this machine in a private mount namespace whose
#         /lib/modules is an empty tmpfs holding only <rel>/build -> the
#         cached headers, so that DKMS finds the headers (and sign-file)
#         where it expects them and its depmod never touches the host's
#         /lib/modules. Needs root (unshare); without root CMD runs directly
#         (VCLAB_KDIR is the cache path either way).
# chroot: a Debian chroot of the suite, ${VCOMPOUND_CACHE}/envs/<suite>,
#         made with debootstrap --variant=minbase when missing, rebuilt when
#         older than VCOMPOUND_ENV_MAX_AGE days (default 7) or when the host's
#         Debian mirror changed; linux-headers-<rel> (DIR/headers) is
#         installed in it with apt from the suite's own archive (plus
#         -updates/-security), which also brings the gcc the headers want.
#         CMD runs chrooted in a private mount namespace with /proc, /dev and
#         the work directory (at /vclab) mounted; the mounts vanish with it.
#
# Builds in one environment are serialized (flock on envs/<env>.lock), so a
# chroot is never refreshed under a running build. Setup output goes to
# stderr; CMD's output goes to FILE (--log) or is passed through; CMD's exit
# status is returned.

# shellcheck disable=SC2016  # bash -c '...' and dpkg-query formats: no expansion wanted
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

KC="" WORK="" LOG=""
while [ $# -gt 0 ]; do
	case $1 in
	--kcache) KC=$2; shift 2 ;;
	--work) WORK=$2; shift 2 ;;
	--log) LOG=$2; shift 2 ;;
	--) shift; break ;;
	*) die "buildenv.sh: unknown argument $1" ;;
	esac
done
{ [ -n "$KC" ] && [ -n "$WORK" ] && [ $# -gt 0 ]; } ||
	die "usage: buildenv.sh --kcache DIR --work DIR -- CMD [ARG...]"
KC=$(cd "$KC" && pwd)
[ -z "$LOG" ] || exec 3>&2 >"$LOG" 2>&1
# Setup messages go to the caller's stderr even when CMD's output is logged.
if [ -n "$LOG" ]; then
	info() { printf '[vclab] %s\n' "$*" >&3; }
	die() { printf '[vclab] ERROR: %s\n' "$*" >&3; printf 'ERROR: %s\n' "$*"; exit 1; }
fi
WORK=$(cd "$WORK" && pwd)
REL=$(cat "$KC/release")
ENVDESC=$(cat "$KC/env" 2>/dev/null || echo host)
HEADERS=$(cat "$KC/headers" 2>/dev/null || true)
if [ -z "$HEADERS" ]; then
	v=$(cut -d' ' -f1 "$KC/package"); HEADERS="linux-headers-$REL=${v#*=}"
fi
ENVS=$VCOMPOUND_CACHE/envs
MAXAGE=${VCOMPOUND_ENV_MAX_AGE:-7}
mkdir -p "$ENVS"

# ------------------------------------------------------------------ host

if [ "$ENVDESC" = host ]; then
	KDIR=$(realpath "$KC/kdir")
	exec 8>"$ENVS/host.lock"
	flock 8
	cd "$WORK"
	if ! is_root; then
		VCLAB_W=$WORK VCLAB_KDIR=$KDIR VCLAB_REL=$REL exec "$@"
	fi
	# /lib may be a link to usr/lib: mount on the real directory.
	LM=$(realpath /lib/modules)
	VCLAB_W=$WORK VCLAB_KDIR=$KDIR VCLAB_REL=$REL VCLAB_LM=$LM \
	exec unshare --mount --propagation private -- bash -c '
		set -e
		mount -t tmpfs -o mode=0755 vclab-modules "$VCLAB_LM"
		mkdir -p "$VCLAB_LM/$VCLAB_REL"
		ln -s "$VCLAB_KDIR" "$VCLAB_LM/$VCLAB_REL/build"
		unset VCLAB_LM
		exec "$@"' vclab-host "$@"
fi

# ---------------------------------------------------------------- chroot

read -r kind SUITE <<<"$ENVDESC"
{ [ "$kind" = chroot ] && [ -n "$SUITE" ]; } || die "bad build environment '$ENVDESC' in $KC/env"
is_root || die "the $SUITE chroot for $REL needs root (debootstrap, chroot)"
ensure_host_pkgs debootstrap
C=$ENVS/$SUITE
STAMP=$C/.vclab-env
exec 8>"$ENVS/$SUITE.lock"
if ! flock -n 8; then
	info "waiting for the $SUITE build environment (lock $ENVS/$SUITE.lock)"
	flock 8
fi

# in_chroot ROOT CMD...: run CMD chrooted in ROOT, in a private mount
# namespace with /proc, /dev and (when WORKBIND is set) the work dir.
in_chroot() {
	local root=$1; shift
	VCLAB_ROOT=$root VCLAB_BIND=${WORKBIND:-} \
	unshare --mount --propagation private -- bash -c '
		set -e
		r=$VCLAB_ROOT
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		if [ -n "$VCLAB_BIND" ]; then
			mkdir -p "$r/vclab"
			mount --bind "$VCLAB_BIND" "$r/vclab"
		fi
		cd=/
		[ -z "$VCLAB_BIND" ] || cd=/vclab
		exec chroot "$r" /usr/bin/env -i -C "$cd" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
			"$@"' vclab-chroot "$@"
}

# no_mounts DIR: nothing is mounted under DIR (in this namespace).
no_mounts() {
	! awk -v d="$1/" 'index($2 "/", d) == 1 { found = 1 } END { exit !found }' /proc/self/mounts
}

write_chroot_apt() {
	local root=$1 sb
	write_suite_sources "$SUITE" "$root/etc/apt/sources.list.d/vclab.sources"
	: >"$root/etc/apt/sources.list"
	# A Signed-By keyring of the host that the chroot lacks is copied in.
	while read -r sb; do
		[ -f "$root$sb" ] || { mkdir -p "$root${sb%/*}"; cp "$sb" "$root$sb"; }
	done < <(sed -n 's/^Signed-By: //p' "$root/etc/apt/sources.list.d/vclab.sources" | sort -u)
	cat >"$root/etc/apt/apt.conf.d/99vclab" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Dpkg::Use-Pty "false";
EOF
	# The host's apt may be told to accept Release files past their
	# Valid-Until (a frozen mirror snapshot): the chroot's apt does the same.
	apt-config dump 2>/dev/null |
		grep -E '^Acquire::Check-(Valid-Until|Date) "(false|0)";$' \
		>>"$root/etc/apt/apt.conf.d/99vclab" || true
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

create_chroot() {
	local mirror=$1 new=$ENVS/.new-$SUITE.$$ t0 pkgs
	t0=$(date +%s)
	pkgs=make,libc6-dev,kmod,dkms,libelf-dev,openssl,xz-utils,zstd,ca-certificates
	info "creating the $SUITE build environment with debootstrap (log: $ENVS/$SUITE.debootstrap.log)"
	rm -rf "$new"
	if ! debootstrap --variant=minbase --include="$pkgs" "$SUITE" "$new" "$mirror" \
		>"$ENVS/$SUITE.debootstrap.log" 2>&1; then
		tail -n 20 "$ENVS/$SUITE.debootstrap.log" >&2
		no_mounts "$new" && rm -rf "$new"
		die "debootstrap of $SUITE failed (log: $ENVS/$SUITE.debootstrap.log)"
	fi
	write_chroot_apt "$new"
	if ! in_chroot "$new" apt-get -q update >"$ENVS/$SUITE.apt.log" 2>&1; then
		tail -n 20 "$ENVS/$SUITE.apt.log" >&2
		die "apt-get update in the new $SUITE chroot failed"
	fi
	printf 'suite=%s\nmirror=%s\ncreated=%s\n' "$SUITE" "$mirror" "$(date +%s)" >"$new/.vclab-env"
	if [ -e "$C" ]; then
		no_mounts "$C" || die "something is mounted under $C; not replacing it"
		mv "$C" "$ENVS/.old-$SUITE.$$"
	fi
	mv "$new" "$C"
	rm -rf "$ENVS/.old-$SUITE.$$"
	info "$SUITE build environment ready in $(($(date +%s) - t0)) s ($(du -sh "$C" | cut -f1))"
}

MIRROR=$(debian_mirror)
[ -n "$MIRROR" ] || die "no Debian archive in the host apt sources"
# Leftovers of interrupted creations (we hold the lock).
for d in "$ENVS"/.new-"$SUITE".* "$ENVS"/.old-"$SUITE".*; do
	[ -e "$d" ] && no_mounts "$d" && rm -rf "$d"
done
why=""
if [ ! -f "$STAMP" ]; then
	why="missing"
else
	created=$(sed -n 's/^created=//p' "$STAMP")
	age=$(( ($(date +%s) - ${created:-0}) / 86400 ))
	if [ "$age" -ge "$MAXAGE" ]; then why="$age days old (VCOMPOUND_ENV_MAX_AGE=$MAXAGE)"
	elif [ "$(sed -n 's/^mirror=//p' "$STAMP")" != "$MIRROR" ]; then why="the host's Debian mirror changed"
	fi
fi
if [ -n "$why" ]; then
	info "$SUITE build environment: $why"
	create_chroot "$MIRROR"
fi

# The headers of this kernel, at the exact version fetched, intact (a
# build tool that ran "make mrproper" in them would have removed
# include/config/auto.conf and include/generated/autoconf.h: reinstall).
hpkg=${HEADERS%%=*} hver=${HEADERS#*=}
have=$(in_chroot "$C" dpkg-query -W -f='${db:Status-Status} ${Version}' "$hpkg" 2>/dev/null || true)
reinst=()
if [ "$have" = "installed $hver" ] &&
   ! in_chroot "$C" sh -c "cd /lib/modules/$REL/build && test -f include/config/auto.conf && test -f include/generated/autoconf.h"; then
	info "$HEADERS in the $SUITE chroot is damaged: reinstalling it"
	have=damaged reinst=(--reinstall)
fi
if [ "$have" != "installed $hver" ]; then
	info "installing $HEADERS in the $SUITE chroot (log: $ENVS/$SUITE.apt.log)"
	write_chroot_apt "$C"
	if ! in_chroot "$C" apt-get -q -y install "${reinst[@]}" "$HEADERS" >"$ENVS/$SUITE.apt.log" 2>&1; then
		# The chroot's lists are older than the ones the kernel was
		# resolved with (the version moved): refresh and retry.
		if ! { in_chroot "$C" apt-get -q update &&
		       in_chroot "$C" apt-get -q -y install "${reinst[@]}" "$HEADERS"; } >"$ENVS/$SUITE.apt.log" 2>&1; then
			tail -n 20 "$ENVS/$SUITE.apt.log" >&2
			die "cannot install $HEADERS in the $SUITE chroot (log: $ENVS/$SUITE.apt.log)"
		fi
	fi
fi
in_chroot "$C" test -f "/lib/modules/$REL/build/Makefile" ||
	die "$HEADERS installed, but /lib/modules/$REL/build/Makefile is missing in the $SUITE chroot"

WORKBIND=$WORK in_chroot "$C" VCLAB_W=/vclab VCLAB_KDIR="/lib/modules/$REL/build" \
	VCLAB_REL="$REL" "$@"
