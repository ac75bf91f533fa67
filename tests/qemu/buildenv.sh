#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# buildenv.sh (--kcache DIR | --suite SUITE) --work DIR [--pkgs "P..."]
#             [--overlay] [--log FILE] -- CMD [ARG...]
#
# Run CMD, in the work directory, in a build environment, with the work
# directory available inside and these variables set:
#   VCLAB_W     the work directory as seen by CMD
#   VCLAB_KDIR  the kernel headers (KDIR) as seen by CMD (--kcache only)
#   VCLAB_REL   the kernel release (--kcache only)
#
# --kcache DIR: the environment of a cached kernel (DIR/env):
#   "chroot <suite>" (every stock kernel, fetch-kernel.sh): the suite's
#         chroot below, with linux-headers-<rel> (DIR/headers) installed;
#   "chroot <suite> <debarch>" (a kernel of another Debian architecture
#         whose binaries this host runs itself: i386): the same in a chroot
#         of that architecture, envs/<suite>-<debarch>, made with
#         debootstrap --arch and entered under "setarch <uname>"
#         (arches.conf), so that uname -m, DKMS and Kbuild see the machine
#         a user of that kernel has (i686);
#   "host" (the debug kernel, tests/debug-kernel): CMD runs on this machine
#         against DIR/kdir; only tree builds use it.
# --suite SUITE: the chroot of SUITE without any kernel (make deb).
#
# The chroot, ${VCOMPOUND_CACHE}/envs/<suite>, is made with debootstrap
# --variant=minbase when missing and made again when older than
# VCOMPOUND_ENV_MAX_AGE days (default 7) or when the host's Debian mirror
# changed. Its apt sources are the suite's own archive plus -updates and
# -security. The headers and --pkgs are installed in it with apt (which
# brings the gcc the headers want) and stay there. CMD runs chrooted in a
# private mount namespace with /proc, /dev and the work directory (at
# /vclab) mounted; the mounts vanish with it.
# --overlay: CMD runs in a throwaway overlay of the chroot: whatever it
#         installs or removes (the lab's package tests) is gone afterwards.
#         Packages apt downloads there are kept in envs/<suite>.archives.
#
# Builds in one environment are serialized (flock on envs/<env>.lock), so a
# chroot is never refreshed under a running build. Setup output goes to
# stderr; CMD's output goes to FILE (--log) or is passed through; CMD's exit
# status is returned.

# shellcheck disable=SC2016  # bash -c '...' and dpkg-query formats: no expansion wanted
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

KC="" SUITE="" WORK="" LOG="" PKGS="" OVERLAY=0
while [ $# -gt 0 ]; do
	case $1 in
	--kcache) KC=$2; shift 2 ;;
	--suite) SUITE=$2; shift 2 ;;
	--work) WORK=$2; shift 2 ;;
	--log) LOG=$2; shift 2 ;;
	--pkgs) PKGS=$2; shift 2 ;;
	--overlay) OVERLAY=1; shift ;;
	--) shift; break ;;
	*) die "buildenv.sh: unknown argument $1" ;;
	esac
done
{ [ -n "$KC$SUITE" ] && [ -n "$WORK" ] && [ $# -gt 0 ]; } ||
	die "usage: buildenv.sh (--kcache DIR | --suite SUITE) --work DIR [--pkgs P] [--overlay] -- CMD [ARG...]"
[ -z "$LOG" ] || exec 3>&2 >"$LOG" 2>&1
# Setup messages go to the caller's stderr even when CMD's output is logged.
if [ -n "$LOG" ]; then
	info() { printf '[vclab] %s\n' "$*" >&3; }
	die() { printf '[vclab] ERROR: %s\n' "$*" >&3; printf 'ERROR: %s\n' "$*"; exit 1; }
fi
WORK=$(cd "$WORK" && pwd)
ENVS=$VCOMPOUND_CACHE/envs
MAXAGE=${VCOMPOUND_ENV_MAX_AGE:-7}
mkdir -p "$ENVS"
REL="" HEADERS="" DEBARCH=$HOST_DEBARCH
KVARS=()
if [ -n "$KC" ]; then
	KC=$(cd "$KC" && pwd)
	REL=$(cat "$KC/release")
	ENVDESC=$(cat "$KC/env" 2>/dev/null || echo host)
	if [ "$ENVDESC" = host ]; then
		# ------------------------------------------------------ host
		exec 8>"$ENVS/host.lock"
		flock 8
		cd "$WORK"
		VCLAB_W=$WORK VCLAB_KDIR=$(realpath "$KC/kdir") VCLAB_REL=$REL exec "$@"
	fi
	read -r kind SUITE DEBARCH <<<"$ENVDESC"
	{ [ "$kind" = chroot ] && [ -n "$SUITE" ]; } || die "bad build environment '$ENVDESC' in $KC/env"
	DEBARCH=${DEBARCH:-$HOST_DEBARCH}
	HEADERS=$(cat "$KC/headers")
	KVARS=(VCLAB_KDIR="/lib/modules/$REL/build" VCLAB_REL="$REL")
fi

# ---------------------------------------------------------------- chroot

# ENV: the chroot's name, the suite's for the host's architecture (as
# before there were others), <suite>-<debarch> for another one built
# natively; SETARCH: the personality it runs under (none for the host's).
# A cross-built architecture (arches.conf build=cross: arm64, ppc64el) has
# <suite>-cross-<debarch>, an amd64 chroot of the suite of its own (the
# amd64 kernels' DKMS would otherwise try to build for its headers too)
# with CROSS, its Debian architecture, added to dpkg.
ENV=$SUITE SETARCH="" CROSS=""
if [ "$DEBARCH" != "$HOST_DEBARCH" ]; then
	arch_of_debarch "$DEBARCH"
	case $ARCH_BUILD in
	native) ENV=$SUITE-$DEBARCH SETARCH=$ARCH_UNAME ;;
	cross) ENV=$SUITE-cross-$DEBARCH CROSS=$DEBARCH ;;
	*) die "arches.conf: unknown build '$ARCH_BUILD' for $DEBARCH" ;;
	esac
fi
is_root || die "the $ENV chroot needs root (debootstrap, chroot)"
ensure_host_pkgs debootstrap
C=$ENVS/$ENV
STAMP=$C/.vclab-env
exec 8>"$ENVS/$ENV.lock"
if ! flock -n 8; then
	info "waiting for the $ENV build environment (lock $ENVS/$ENV.lock)"
	flock 8
fi

# in_chroot ROOT CMD...: run CMD chrooted in ROOT, in a private mount
# namespace with /proc, /dev and (when WORKBIND is set) the work dir. With
# OVL set, ROOT is only the lower layer of an overlay whose upper layer,
# OVL/upper, is thrown away by the caller; ARCHIVES then holds apt's
# downloads across runs.
in_chroot() {
	local root=$1; shift
	VCLAB_ROOT=$root VCLAB_BIND=${WORKBIND:-} VCLAB_OVL=${OVL:-} \
	VCLAB_ARCHIVES=${ARCHIVES:-} VCLAB_SETARCH=$SETARCH \
	unshare --mount --propagation private -- bash -c '
		set -e
		r=$VCLAB_ROOT
		if [ -n "$VCLAB_OVL" ]; then
			mkdir -p "$VCLAB_OVL/upper" "$VCLAB_OVL/work" "$VCLAB_OVL/root"
			mount -t overlay vclab-overlay -o "lowerdir=$r,upperdir=$VCLAB_OVL/upper,workdir=$VCLAB_OVL/work" "$VCLAB_OVL/root"
			r=$VCLAB_OVL/root
			mount --bind "$VCLAB_ARCHIVES" "$r/var/cache/apt/archives"
		fi
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		if [ -n "$VCLAB_BIND" ]; then
			mkdir -p "$r/vclab"
			mount --bind "$VCLAB_BIND" "$r/vclab"
		fi
		cd=/
		[ -z "$VCLAB_BIND" ] || cd=/vclab
		pre=
		[ -z "$VCLAB_SETARCH" ] || pre="setarch $VCLAB_SETARCH"
		exec $pre chroot "$r" /usr/bin/env -i -C "$cd" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
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
	local mirror=$1 new=$ENVS/.new-$ENV.$$ t0 pkgs pre=() archarg=()
	t0=$(date +%s)
		# dwarves: pahole, which the headers of kernels with BTF (Debian 6.12
	# on) run for every module.
	pkgs=make,libc6-dev,kmod,dkms,libelf-dev,openssl,xz-utils,zstd,ca-certificates,dwarves
	# another architecture: debootstrap's second stage runs its binaries
	# here, under the personality the chroot will have
	if [ -n "$SETARCH" ]; then
		pre=(setarch "$SETARCH")
		archarg=(--arch="$DEBARCH")
	fi
	info "creating the $ENV build environment with debootstrap (log: $ENVS/$ENV.debootstrap.log)"
	rm -rf "$new"
	if ! "${pre[@]}" debootstrap "${archarg[@]}" --variant=minbase --include="$pkgs" "$SUITE" "$new" "$mirror" \
		>"$ENVS/$ENV.debootstrap.log" 2>&1; then
		tail -n 20 "$ENVS/$ENV.debootstrap.log" >&2
		no_mounts "$new" && rm -rf "$new"
		die "debootstrap of $ENV failed (log: $ENVS/$ENV.debootstrap.log)"
	fi
	write_chroot_apt "$new"
	[ -z "$CROSS" ] || in_chroot "$new" dpkg --add-architecture "$CROSS"
	if ! in_chroot "$new" apt-get -q update >"$ENVS/$ENV.apt.log" 2>&1; then
		tail -n 20 "$ENVS/$ENV.apt.log" >&2
		die "apt-get update in the new $ENV chroot failed"
	fi
	printf 'suite=%s\nmirror=%s\ncreated=%s\n' "$SUITE" "$mirror" "$(date +%s)" >"$new/.vclab-env"
	if [ -e "$C" ]; then
		no_mounts "$C" || die "something is mounted under $C; not replacing it"
		mv "$C" "$ENVS/.old-$ENV.$$"
	fi
	mv "$new" "$C"
	rm -rf "$ENVS/.old-$ENV.$$"
	info "$ENV build environment ready in $(($(date +%s) - t0)) s ($(du -sh "$C" | cut -f1))"
}

MIRROR=$(debian_mirror)
[ -n "$MIRROR" ] || die "no Debian archive in the host apt sources"
# Leftovers of interrupted creations and overlays (we hold the lock).
for d in "$ENVS"/.new-"$ENV".* "$ENVS"/.old-"$ENV".* "$ENVS"/.ovl-"$ENV".* "$ENVS"/.hdr-"$ENV".*; do
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
	info "$ENV build environment: $why"
	create_chroot "$MIRROR"
fi

# install_pkgs [--reinstall] PKG[=VER]...: apt-get install in the chroot;
# when that fails, the chroot's lists may be older than the ones the kernel
# was resolved with (its version moved): refresh and retry.
install_pkgs() {
	info "installing $* in the $ENV chroot (log: $ENVS/$ENV.apt.log)"
	write_chroot_apt "$C"
	if ! in_chroot "$C" apt-get -q -y install "$@" >"$ENVS/$ENV.apt.log" 2>&1; then
		if ! { in_chroot "$C" apt-get -q update &&
		       in_chroot "$C" apt-get -q -y install "$@"; } >"$ENVS/$ENV.apt.log" 2>&1; then
			tail -n 20 "$ENVS/$ENV.apt.log" >&2
			die "cannot install $* in the $ENV chroot (log: $ENVS/$ENV.apt.log)"
		fi
	fi
}

# The headers of this kernel, at the exact version fetched, intact (a
# build tool that ran "make mrproper" in them would have removed
# include/config/auto.conf and include/generated/autoconf.h: reinstall).
# cross_headers: (CROSS) the headers of a kernel of the foreign
# architecture. apt would install linux-headers-<rel>:<debarch> here only
# with gcc-<N>:<debarch> and the image, removing the amd64 gcc-<N>, the
# cross compiler and dkms (apt-get -s, README.md). What it depends on for building is installed with apt
# (linux-headers-<base>-common and linux-kbuild-<base>, Multi-Arch: foreign:
# the amd64 kbuild tools serve any architecture's headers; gcc-<N> as the
# cross compiler gcc-<N>-<triplet>, which the headers' .kernelvariables
# calls: CROSS_COMPILE=<triplet>-, CC=$(CROSS_COMPILE)gcc-<N>); the
# package itself is downloaded and unpacked (usr/src/linux-headers-<rel>,
# lib/modules/<rel>/build), with a stamp holding its version.
cross_headers() {
	local hpkg=${HEADERS%%=*} hver=${HEADERS#*=} st d n deps=() stamp
	stamp=/usr/src/$hpkg/.vclab-cross-headers
	if [ "$(cat "$C$stamp" 2>/dev/null)" = "$HEADERS:$CROSS" ] &&
	   in_chroot "$C" sh -c "cd /lib/modules/$REL/build && test -f Makefile && test -f include/config/auto.conf && test -f include/generated/autoconf.h"; then
		return 0
	fi
	info "unpacking $HEADERS ($CROSS) in the $ENV chroot"
	write_chroot_apt "$C"
	in_chroot "$C" apt-cache show "$hpkg:$CROSS=$hver" >/dev/null 2>&1 ||
		in_chroot "$C" apt-get -q update >"$ENVS/$ENV.apt.log" 2>&1 ||
		die "apt-get update in the $ENV chroot failed (log: $ENVS/$ENV.apt.log)"
	while read -r d; do
		n=${d%% *}
		case $n in
		linux-headers-*-common|linux-headers-*-common-rt|linux-kbuild-*) deps+=("$n=$hver") ;;
		gcc-[0-9]*-for-host) deps+=("${n%-for-host}-$ARCH_TRIPLET") ;;	# (sid)
		gcc-[0-9]*) deps+=("$n-$ARCH_TRIPLET") ;;
		linux-base) deps+=("$n") ;;
		linux-base-*) deps+=("$n:$CROSS=$hver") ;;	# (sid: config, modules.builtin)
		linux-image-*) ;;	# the image boots in QEMU; building needs none
		*) die "$hpkg: unexpected dependency '$d' (tests/qemu/buildenv.sh cross_headers)" ;;
		esac
	done < <(in_chroot "$C" apt-cache show "$hpkg:$CROSS=$hver" |
		awk '/^Depends:/ && !n++ { sub(/^Depends: */, ""); gsub(/, */, "\n"); gsub(/ *\|[^\n]*/, ""); print }')
	[ ${#deps[@]} -gt 0 ] || die "no dependencies of $hpkg:$CROSS=$hver in the $ENV chroot's lists"
	install_pkgs "${deps[@]}"
	st=$ENVS/.hdr-$ENV.$$
	rm -rf "$st"
	mkdir -p "$st" "$C/var/cache/vclab-cross"
	in_chroot "$C" sh -c "cd /var/cache/vclab-cross && rm -f ./*.deb &&
		apt-get -q -o APT::Sandbox::User=root download '$hpkg:$CROSS=$hver'" >>"$ENVS/$ENV.apt.log" 2>&1 ||
		die "cannot download $hpkg:$CROSS=$hver in the $ENV chroot (log: $ENVS/$ENV.apt.log)"
	dpkg-deb -x "$C"/var/cache/vclab-cross/"${hpkg}"_*.deb "$st"
	rm -rf "$C/usr/src/$hpkg" "$C/lib/modules/$REL/build" "$C/lib/modules/$REL/source"
	mkdir -p "$C/lib/modules/$REL"
	cp -a "$st/usr/src/$hpkg" "$C/usr/src/"
	# (lib/modules in Debian 12's package, usr/lib/modules in 13's)
	for d in lib usr/lib; do
		[ ! -d "$st/$d/modules/$REL" ] || cp -a "$st/$d/modules/$REL/." "$C/lib/modules/$REL/"
	done
	rm -rf "$st" "$C"/var/cache/vclab-cross/*.deb
	echo "$HEADERS:$CROSS" >"$C$stamp"
}

if [ -n "$CROSS" ] && ! in_chroot "$C" dpkg --print-foreign-architectures | grep -qx "$CROSS"; then
	in_chroot "$C" dpkg --add-architecture "$CROSS"
	in_chroot "$C" apt-get -q update >"$ENVS/$ENV.apt.log" 2>&1 ||
		die "apt-get update in the $ENV chroot failed (log: $ENVS/$ENV.apt.log)"
fi
if [ -n "$HEADERS" ] && [ -n "$CROSS" ]; then
	cross_headers
elif [ -n "$HEADERS" ]; then
	hpkg=${HEADERS%%=*} hver=${HEADERS#*=}
	have=$(in_chroot "$C" dpkg-query -W -f='${db:Status-Status} ${Version}' "$hpkg" 2>/dev/null || true)
	if [ "$have" = "installed $hver" ] &&
	   ! in_chroot "$C" sh -c "cd /lib/modules/$REL/build && test -f include/config/auto.conf && test -f include/generated/autoconf.h"; then
		info "$HEADERS in the $ENV chroot is damaged: reinstalling it"
		install_pkgs --reinstall "$HEADERS"
	elif [ "$have" != "installed $hver" ]; then
		install_pkgs "$HEADERS"
	fi
	in_chroot "$C" test -f "/lib/modules/$REL/build/Makefile" ||
		die "$HEADERS installed, but /lib/modules/$REL/build/Makefile is missing in the $ENV chroot"
fi
missing=()
for p in $PKGS; do
	in_chroot "$C" dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null |
		grep -qx installed || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || install_pkgs "${missing[@]}"

OVL="" ARCHIVES=""
if [ $OVERLAY = 1 ]; then
	ARCHIVES=$ENVS/$ENV.archives
	mkdir -p "$ARCHIVES/partial"
	OVL=$ENVS/.ovl-$ENV.$$
	rm -rf "$OVL"
	trap 'rm -rf "$OVL"' EXIT
fi
rc=0
WORKBIND=$WORK in_chroot "$C" VCLAB_W=/vclab "${KVARS[@]}" "$@" || rc=$?
exit $rc
