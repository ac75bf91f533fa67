#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh [--headers] [ARCH:]SPEC
#
# Download a stock Debian kernel image into the lab cache. SPEC is one of:
#   6.1, 6.12, ...                       newest generic -amd64 kernel of that
#                                        series in the first suite listing it
#   trixie/6.12                          the same in that suite
#   linux-image-6.12.115+deb12-amd64     an exact Debian image package
#   6.12.115+deb12-amd64                 a kernel release (uname -r)
# ARCH: (arches.conf: i386:6.1, i386:linux-image-6.1.0-57-686-pae-unsigned)
# takes the image of that row's flavour and Debian architecture instead of
# the generic amd64 one; no ARCH: is amd64.
# The lab builds modules for it in a chroot of its suite (buildenv.sh),
# where apt installs the headers. --headers also extracts the matching
# headers here and makes them usable as KDIR on this machine (make lint;
# amd64 only).
#
# Result: ${VCOMPOUND_CACHE:-/var/cache/vcompound}/kernels/<release>/ with
#   vmlinuz   the kernel image
#   release   uname -r of the kernel
#   config    the kernel .config
#   System.map
#   package   "<image package>=<version> <suite>"
#   env       build environment: "chroot <suite>" ("chroot <suite>
#             <debarch>" for a kernel of another Debian architecture)
#   arch      the ARCH of arches.conf (amd64, i386, ...)
#   headers   "linux-headers-<release>=<version>" (what the chroot installs)
#   root/     the extracted packages (boot/ or usr/lib/modules/<release>/,
#             lib/modules/<release>/ with modules.dep; with --headers also
#             usr/src/, usr/lib/linux-kbuild-*)
#   kdir      -> headers tree, use as KDIR= (--headers only)
# The cache directory path is printed on stdout as the last line; progress
# goes to stderr. Package lists are kept per suite in the cache (a private
# apt state: the system's apt lists and dpkg database are not touched) and are
# refreshed when older than a day, at most once per run (VCLAB_RUN_START), or
# as VCOMPOUND_APT_REFRESH=always|never says.

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() { sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
WANT_HEADERS=0
[ "${1:-}" != --headers ] || { WANT_HEADERS=1; shift; }
[ $# -eq 1 ] || usage
SPEC=$1
case $SPEC in -h|--help) usage ;; esac

# ARCH: prefix (arches.conf); none is amd64, exactly as before it existed.
KARCH=amd64
if [[ $SPEC == *:* ]]; then
	KARCH=${SPEC%%:*}
	SPEC=${SPEC#*:}
fi
arch_info "$KARCH" ||
	die "unknown architecture '$KARCH' in '$KARCH:$SPEC' (known: $(arch_names); tests/qemu/arches.conf)"
# VCOMPOUND_BRINGUP="ARCH...": run these planned rows anyway (bringing one
# up: its build path works, its suites do not all pass yet)
[ "$ARCH_IMPL" = yes ] || [[ " ${VCOMPOUND_BRINGUP:-} " == *" $KARCH "* ]] ||
	die "architecture '$KARCH' ($ARCH_DEBARCH, flavour $ARCH_FLAVOUR) is planned but not implemented yet (issue 16; tests/qemu/arches.conf; VCOMPOUND_BRINGUP=$KARCH runs it anyway)"
[ $WANT_HEADERS = 0 ] || [ "$ARCH_DEBARCH" = "$HOST_DEBARCH" ] ||
	die "--headers (headers usable on this machine) is for $HOST_DEBARCH kernels only, not $KARCH"
# the private apt state of the kernel's Debian architecture (lib.sh)
APT_ARCH=$ARCH_DEBARCH

cache_init
ensure_host_pkgs kmod xz-utils ca-certificates
# the probe module built against extracted headers (pahole: BTF, 6.12 on)
[ $WANT_HEADERS = 0 ] || ensure_host_pkgs make gcc gcc-12 libc6-dev dwarves
KCACHE=$VCOMPOUND_CACHE/kernels

exec 9>"$VCOMPOUND_CACHE/.fetch.lock"
if ! flock -n 9; then
	info "waiting for another fetch to finish (lock $VCOMPOUND_CACHE/.fetch.lock)"
	flock 9
fi
# Leftovers of interrupted fetches (no other fetch runs while we hold the lock).
rm -rf "$KCACHE"/.dl-*

# ------------------------------------------------------------- resolution

read_suites

PKG="" VER="" SUITE=""
CANDS=()
pick() {	# pick SUITE PKG VER: keep the highest version seen so far
	CANDS+=("$3 $1 $2")
	if [ -z "$VER" ] || dpkg --compare-versions "$3" gt "$VER"; then
		SUITE=$1 PKG=$2 VER=$3
	fi
}

# resolve_series [SUITE/]SERIES: the newest image of SERIES in SUITE, or in
# the first suite listing SERIES.
resolve_series() {
	local series=${1#*/} want= re s p v cand=()
	[[ $1 != */* ]] || want=${1%%/*}
	re="^linux-image-${series//./\\.}[.-][0-9.]*[0-9](-[0-9]+)?(\\+deb[0-9]+)?-${ARCH_FLAVOUR//./\\.}\$"
	for s in "${SUITES[@]}"; do
		if [ -n "$want" ]; then
			[ "$s" = "$want" ] && cand=("$s")
		elif [[ ${SUITE_SERIES[$s]} == *" $series "* ]]; then
			cand=("$s")
			break
		fi
	done
	if [ ${#cand[@]} -eq 0 ]; then
		[ -z "$want" ] || die "suite $want is not in $VCLAB_DIR/suites.conf"
		info "series $series is not listed in suites.conf; searching all suites"
		cand=("${SUITES[@]}")
	fi
	for s in "${cand[@]}"; do
		apt_prepare "$s"
		while read -r p _; do
			v=$(max_version "$p")
			[ -n "$v" ] && pick "$s" "$p" "$v"
		done < <(apt-cache "${APT_OPTS[@]}" search --names-only "$re" 2>/dev/null)
	done
	[ -n "$PKG" ] || die "no generic $ARCH_FLAVOUR ($ARCH_DEBARCH) kernel image of series $series in suites: ${cand[*]}"
}

resolve_package() {
	local pkg=$1 s v pass
	for pass in normal force; do
		for s in "${SUITES[@]}"; do
			apt_prepare "$s" "$pass"
			v=$(max_version "$pkg")
			[ -n "$v" ] && pick "$s" "$pkg" "$v"
		done
		[ -n "$PKG" ] && return 0
	done
	die "package $pkg not found in suites: ${SUITES[*]} (see $VCLAB_DIR/suites.conf)"
}

case $SPEC in
[0-9]*.[0-9]*-*|[0-9]*.[0-9]*+*) IMGPKG=linux-image-$SPEC ;;
[0-9]*.[0-9]*|[a-z]*/[0-9]*.[0-9]*) IMGPKG= ;;
linux-image-*)                   IMGPKG=$SPEC ;;
*) die "bad SPEC '$SPEC' (want e.g. 6.12, trixie/6.12, linux-image-6.12.115+deb12-amd64, 6.12.115+deb12-amd64 or i386:6.1)" ;;
esac

# complete DIR: a whole cached kernel, made by this version of the lab
# (env names a chroot), with the headers extracted if asked for.
complete() {
	[ -f "$1/.complete" ] && [ -f "$1/vmlinuz" ] || return 1
	[[ $(cat "$1/env" 2>/dev/null) == "chroot "* ]] || return 1
	[ "$(cat "$1/arch" 2>/dev/null || echo amd64)" = "$KARCH" ] || return 1
	[ $WANT_HEADERS = 0 ] || [ -e "$1/kdir/Makefile" ]
}

if [ -n "$IMGPKG" ]; then
	REL=${IMGPKG#linux-image-}
	REL=${REL%-unsigned}
	if complete "$KCACHE/$REL"; then
		info "kernel $REL is cached"
		echo "$KCACHE/$REL"
		exit 0
	fi
	resolve_package "$IMGPKG"
else
	[[ $SPEC =~ ^([a-z]+/)?[0-9]+\.[0-9]+$ ]] || die "bad series '$SPEC'"
	resolve_series "$SPEC"
	REL=${PKG#linux-image-}
fi
# ---------------------------------------------------------------- download

# pkg_deps PKG=VER REGEX: the dependencies of PKG=VER whose names match
# REGEX, as apt-get download arguments (pkg=ver for exact version
# dependencies).
pkg_deps() {
	apt-cache "${APT_OPTS[@]}" show "$1" |
	awk -v re="$2" '/^Depends:/ && !done++ { sub(/^Depends: */, ""); n = split($0, d, /, */)
		for (i = 1; i <= n; i++) {
			sub(/ *\|.*/, "", d[i])
			nm = d[i]; sub(/ .*/, "", nm)
			if (nm !~ re) continue
			if (match(d[i], /\(= [^)]*\)/)) {
				v = substr(d[i], RSTART + 3, RLENGTH - 4)
				print nm "=" v
			} else print nm
		}
	}'
}

# image_pkgs: the image package and the packages it is split into (newer
# Debian: linux-image-<rel> depends on linux-binary-<rel> (vmlinuz),
# linux-modules-<rel> and linux-base-<rel>), transitively.
image_pkgs() {
	local todo=("$PKG=$VER") seen=" " p d
	local re=${REL//./[.]}
	re="^linux-(image|binary|modules|base)-${re//+/[+]}\$"
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}; todo=("${todo[@]:1}")
		[[ $seen == *" $p "* ]] && continue
		seen+="$p "
		echo "$p"
		while read -r d; do
			[ -n "$d" ] && todo+=("$d")
		done < <(pkg_deps "$p" "$re")
	done
}

# by_version: "VERSION SUITE PKG" lines, highest version first.
by_version() {
	local l out=() i
	while read -r l; do
		for ((i = 0; i < ${#out[@]}; i++)); do
			dpkg --compare-versions "${l%% *}" gt "${out[i]%% *}" && break
		done
		out=("${out[@]:0:i}" "$l" "${out[@]:i}")
	done
	[ ${#out[@]} -eq 0 ] || printf '%s\n' "${out[@]}"
}

# The newest candidate first; should the archive not serve it (an index can
# list an image its pool answers 404 for), the next one, until one is
# served (a 404 costs a second).
mapfile -t ORDER < <(printf '%s\n' "${CANDS[@]}" | sort -u | by_version)
[ ${#ORDER[@]} -gt 0 ] || ORDER=("$VER $SUITE $PKG")
for cand in "${ORDER[@]}"; do
	read -r VER SUITE PKG <<<"$cand"
	[ -n "$IMGPKG" ] || REL=${PKG#linux-image-}
	DIR=$KCACHE/$REL
	ENVDESC="chroot $SUITE"
	[ "$ARCH_DEBARCH" = "$HOST_DEBARCH" ] || ENVDESC+=" $ARCH_DEBARCH"
	if complete "$DIR" && [ "$(cut -d' ' -f1 "$DIR/package")" = "$PKG=$VER" ] &&
	   [ "$(cat "$DIR/env")" = "$ENVDESC" ]; then
		info "$SPEC -> $PKG $VER ($SUITE), cached"
		echo "$DIR"
		exit 0
	fi
	info "$SPEC -> $PKG $VER (suite $SUITE, build environment: $ENVDESC)"
	apt_opts "$SUITE"

	DL=$KCACHE/.dl-$REL.$$
	rm -rf "$DIR" "$DL"
	mkdir -p "$DL"
	trap 'rm -rf "$DL"' EXIT
	mapfile -t IPKGS < <(image_pkgs)
	HPKGS=()
	if [ $WANT_HEADERS = 1 ]; then
		HPKGS=("linux-headers-$REL=$VER")
		mapfile -t -O 1 HPKGS < <(pkg_deps "linux-headers-$REL=$VER" '^linux-(headers|kbuild)-')
		[ ${#HPKGS[@]} -gt 1 ] || die "cannot find linux-headers-$REL=$VER (or its dependencies) in $SUITE"
	elif ! apt-cache "${APT_OPTS[@]}" show "linux-headers-$REL=$VER" >/dev/null 2>&1; then
		die "linux-headers-$REL=$VER is not in $SUITE"
	fi
	info "downloading ${IPKGS[*]} ${HPKGS[*]}"
	t0=$(date +%s)
	if (cd "$DL" && apt-get "${APT_OPTS[@]}" -q download "${IPKGS[@]}" "${HPKGS[@]}") >&2; then
		info "downloaded $(du -sh "$DL" | cut -f1) in $(($(date +%s) - t0)) s; extracting"
		break
	fi
	rm -rf "$DL"
	[ "$cand" != "${ORDER[-1]}" ] ||
		die "download failed: the archive served none of the ${#ORDER[@]} candidates"
	info "WARNING: the archive did not serve $PKG=$VER; trying the next candidate"
done

# ----------------------------------------------------------------- extract

mkdir -p "$DIR/root"
for deb in "$DL"/*.deb; do
	dpkg-deb -x "$deb" "$DIR/root"
done
R=$DIR/root
# Newer Debian packages ship modules in /usr/lib/modules (merged /usr).
if [ ! -d "$R/lib/modules/$REL" ] && [ -d "$R/usr/lib/modules/$REL" ]; then
	mkdir -p "$R/lib"
	ln -sfn ../usr/lib/modules "$R/lib/modules"
fi
# kfile NAME: boot/NAME-<rel> or (newer) lib/modules/<rel>/NAME.
kfile() {
	local f
	for f in "$R/boot/$1-$REL" "$R/lib/modules/$REL/$1"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}
f=$(kfile "$ARCH_IMAGE") || die "no $ARCH_IMAGE in ${IPKGS[*]}"
ln -f "$f" "$DIR/vmlinuz"
if f=$(kfile config); then ln -f "$f" "$DIR/config"; fi
if f=$(kfile System.map); then ln -f "$f" "$DIR/System.map"; fi

# Fix-ups so the extracted headers work where they are:
# 1. absolute symlinks (lib/modules/<rel>/build -> /usr/src/...) become
#    relative links inside root/ when their target was extracted too;
while IFS= read -r -d '' l; do
	t=$(readlink "$l")
	case $t in /*) ;; *) continue ;; esac
	if [ -e "$R$t" ] || [ -L "$R$t" ]; then
		ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$R$t")" "$l"
	fi
done < <(find "$R" -type l -print0)

# modules.dep for in-guest dependency resolution (package ships none).
depmod -b "$R" "$REL" 2>/dev/null || info "WARNING: depmod failed for $REL"

if [ $WANT_HEADERS = 1 ]; then
	[ -d "$R/usr/src/linux-headers-$REL" ] || die "no /usr/src/linux-headers-$REL in linux-headers-$REL"
	ln -sfn "root/usr/src/linux-headers-$REL" "$DIR/kdir"
	# 2. build files that name /usr/src/linux-headers-* or
	#    /usr/lib/linux-kbuild-* absolutely (e.g. the flavour Makefile's
	#    "include /usr/src/...-common/Makefile") are pointed into the cache.
	while IFS= read -r -d '' f; do
		sed -i -e "s#/usr/src/linux-headers-#$R/usr/src/linux-headers-#g" \
		       -e "s#/usr/lib/linux-kbuild-#$R/usr/lib/linux-kbuild-#g" "$f"
		info "fixed absolute paths in ${f#"$R"/}"
	done < <(find "$R/usr/src" "$R/usr/lib" -path '*/include' -prune -o \
		-path "$R/usr/lib/modules" -prune -o \
		-type f -size -1024k -print0 2>/dev/null |
		xargs -0 -r grep -lZ -e '/usr/src/linux-headers-' -e '/usr/lib/linux-kbuild-' 2>/dev/null || true)
	if grep -rqs -e "^include /usr" "$DIR/kdir/Makefile"; then
		die "headers Makefile still includes an absolute system path"
	fi

	# 3. prove that the tree works as KDIR: build a trivial module.
	info "probe build of a trivial module against $DIR/kdir"
	build_probe "$DIR/kdir" "$DIR/probe" "$REL"
fi

echo "$REL" >"$DIR/release"
echo "$PKG=$VER $SUITE" >"$DIR/package"
echo "linux-headers-$REL=$VER" >"$DIR/headers"
echo "$ENVDESC" >"$DIR/env"
echo "$KARCH" >"$DIR/arch"
touch "$DIR/.complete"
info "kernel $REL ready in $DIR ($(du -sh "$DIR" | cut -f1))"
echo "$DIR"
