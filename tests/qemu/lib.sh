# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2034  # VCLAB_DIR is used by the sourcing scripts
#
# Shared helpers for the vcompound QEMU lab (sourced, not executed).
#
# Environment knobs (all optional):
#   VCOMPOUND_CACHE        cache root (default /var/cache/vcompound)
#   VCOMPOUND_APT_REFRESH  "auto" (default: refresh package lists older than
#                          a day), "always" or "never"

# shellcheck shell=bash

VCLAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VCOMPOUND_CACHE=${VCOMPOUND_CACHE:-/var/cache/vcompound}

msg()  { printf '%s\n' "$*" >&2; }
info() { printf '[vclab] %s\n' "$*" >&2; }
die()  { printf '[vclab] ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# with_lock FILE CMD...: CMD (a command or function of this shell) under
# an exclusive flock on FILE. Lab processes may run at once (.ci/run builds
# the debug kernels beside the other lanes): the host's dpkg and each
# private apt state take one at a time.
with_lock() {
	local f=$1 fd rc=0
	shift
	exec {fd}>>"$f"
	flock "$fd"
	"$@" || rc=$?
	exec {fd}>&-
	return $rc
}

# host_pkgs_missing PKG...: sets MISSING to those not installed; false
# when none is.
host_pkgs_missing() {
	local p
	MISSING=()
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null |
			grep -qx installed || MISSING+=("$p")
	done
	[ ${#MISSING[@]} -gt 0 ]
}

# ensure_host_pkgs PKG...: install the given Debian packages if missing.
# Runs "apt-get update" at most once per process tree.
ensure_host_pkgs() {
	host_pkgs_missing "$@" || return 0
	if ! is_root; then
		die "missing host packages: ${MISSING[*]}
  (not root: run 'apt-get install ${MISSING[*]}' as root, then retry)"
	fi
	mkdir -p /run/lock
	with_lock /run/lock/vcompound-host-apt.lock install_host_pkgs "$@"
}
# install_host_pkgs PKG...: (under the lock) those still missing.
install_host_pkgs() {
	local missing
	host_pkgs_missing "$@" || return 0
	missing=("${MISSING[@]}")
	info "installing host packages: ${missing[*]}"
	if [ -z "${VCLAB_HOST_APT_UPDATED:-}" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
			die "apt-get update failed"
		export VCLAB_HOST_APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" </dev/null >&2 ||
		die "apt-get install ${missing[*]} failed"
}

# Everything the lab needs on the host.
ensure_lab_host() {
	ensure_host_pkgs qemu-system-x86 busybox-static cpio kmod gzip \
		xz-utils zstd make gcc gcc-12 libc6-dev ca-certificates
}

# cache_init: create and check the cache root.
cache_init() {
	mkdir -p "$VCOMPOUND_CACHE/kernels" "$VCOMPOUND_CACHE/apt" 2>/dev/null ||
		die "cannot create cache $VCOMPOUND_CACHE (not root? set VCOMPOUND_CACHE=<writable dir>)"
	[ -w "$VCOMPOUND_CACHE/kernels" ] ||
		die "cache $VCOMPOUND_CACHE is not writable (set VCOMPOUND_CACHE)"
}

# copy_tree SRC DEST: what the lab builds from: from the top of a git
# checkout its tracked and untracked-but-not-ignored files as they are in
# the working tree; from any other directory everything but .git, build/
# and build products.
copy_tree() {
	local src=$1 dest=$2
	rm -rf "$dest"
	mkdir -p "$dest"
	if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
	   [ "$(git -C "$src" rev-parse --show-toplevel)" = "$src" ]; then
		git -C "$src" ls-files -z -co --exclude-standard |
		(cd "$src" && while IFS= read -r -d '' f; do
			[ -f "$f" ] && printf '%s\0' "$f"; done) |
		tar -C "$src" --null -T - -cf - | tar -C "$dest" -xf -
	else
		tar -C "$src" --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
			--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.symvers' \
			--exclude=modules.order --exclude=.tmp_versions \
			--exclude=generated --exclude=vcompound_version.h \
			--exclude=./build --exclude=.git -cf - . |
			tar -C "$dest" -xf -
	fi
}

# strip_ts: remove "\r" and the printk "[    1.234567] " prefix from stdin.
# build_probe KDIR DIR REL: build probe.c, a module that does nothing,
# against the kernel tree KDIR in DIR (log: DIR/build.log); dies unless it
# builds with the vermagic of release REL. Proves KDIR usable as is.
build_probe() {
	local kdir=$1 p=$2 rel=$3 vm
	mkdir -p "$p"
	cp "$VCLAB_DIR/probe.c" "$p/probe.c"
	echo 'obj-m := probe.o' >"$p/Kbuild"
	if ! make -C "$kdir" M="$p" modules >"$p/build.log" 2>&1 || [ ! -f "$p/probe.ko" ]; then
		tail -n 20 "$p/build.log" >&2
		die "trivial module build against $kdir failed (log: $p/build.log)"
	fi
	vm=$(modinfo -F vermagic "$p/probe.ko")
	[ "${vm%% *}" = "$rel" ] || die "probe module vermagic '$vm' does not match $rel"
}

strip_ts() {
	sed -u -e 's/\r$//' -e 's/^\[ *[0-9]*\.[0-9]*\] \{0,1\}//'
}

# died_before_init LOG: whether the guest of console LOG died before the
# lab's /init started (no "vclab: init start ..." line, and an Oops, BUG or
# panic); prints the report's first line. judge-test.sh tests it.
died_before_init() {
	local first
	[ "$(strip_ts <"$1" | grep -c '^vclab: init start')" = 0 ] || return 1
	# (awk reads it all: grep -m1 would end the pipe early, a failure
	# under pipefail)
	first=$(strip_ts <"$1" | awk '/Oops|BUG:|Kernel panic/ && !f { print; f = 1 }')
	[ -n "$first" ] || return 1
	printf '%s\n' "$first"
}

# ------------------------------------------------------- Debian suites

# host_sources: "uri suite signed-by|-  components..." for every enabled
# binary Debian source of the host (one-line and deb822 formats).
host_sources() {
	local f files=()
	[ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	awk '
	function flush(   n, u, s, i, j, us, ss) {
		if (types ~ /(^| )deb( |$)/ && enabled != "no" && uris != "" && suites != "") {
			n = split(uris, us, " "); m = split(suites, ss, " ")
			for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
				print us[i], ss[j], (sb == "" ? "-" : sb), comps
		}
		types = uris = suites = comps = sb = enabled = ""; key = ""
	}
	FNR == 1 { if (deb822) flush(); deb822 = (FILENAME ~ /\.sources$/) }
	!deb822 {
		sub(/#.*/, "")
		if ($1 != "deb") next
		line = $0; sbv = "-"
		if (match(line, /\[[^]]*\]/)) {
			opts = substr(line, RSTART + 1, RLENGTH - 2)
			line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
			if (match(opts, /signed-by=[^ ]+/))
				sbv = substr(opts, RSTART + 10, RLENGTH - 10)
		}
		n = split(line, w, " "); c = ""
		for (i = 4; i <= n; i++) c = c " " w[i]
		print w[2], w[3], sbv, substr(c, 2)
		next
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[ \t]/ { next }                     # continuation (e.g. inline key)
	{
		k = tolower($1); sub(/:$/, "", k); v = $0; sub(/^[^:]*:[ \t]*/, "", v)
		if (k == "types") types = v
		else if (k == "uris") uris = v
		else if (k == "suites") suites = v
		else if (k == "components") comps = v
		else if (k == "enabled") enabled = tolower(v)
		else if (k == "signed-by") sb = (v ~ /^\// ? v : "")
	}
	END { if (deb822) flush() }
	' "${files[@]}"
}

# write_suite_sources SUITE FILE: private deb822 sources for SUITE built
# from the host's Debian archive and security mirror URIs.
write_suite_sources() {
	local suite=$1 out=$2 srcs arch sec
	srcs=$(host_sources | awk '
		$2 ~ /^[a-z]+(-updates|-security|\/updates)?$/ && (" " $0 " ") ~ / main / {
			kind = ($2 ~ /-security$|\/updates$/) ? "sec" : "arch"
			if (!seen[kind, $1]++) print kind, $1, $3
		}')
	arch=$(awk '$1 == "arch"' <<<"$srcs")
	sec=$(awk '$1 == "sec"' <<<"$srcs")
	[ -n "$arch" ] || die "no Debian archive found in the host apt sources (/etc/apt/sources.list*)"
	local devel=0 suites
	case $suite in sid|unstable|experimental|rc-buggy) devel=1 ;; esac
	suites=$suite
	[ $devel -eq 1 ] || suites="$suite $suite-updates"
	{
		echo "# generated by the vcompound QEMU lab (tests/qemu) from the host apt sources"
		local uri sb
		while read -r _ uri sb; do
			printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$suites"
			[ "$sb" = - ] || printf 'Signed-By: %s\n' "$sb"
			echo
		done <<<"$arch"
		if [ $devel -eq 0 ] && [ -n "$sec" ]; then
			while read -r _ uri sb; do
				printf 'Types: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$uri" "$suite"
				[ "$sb" = - ] || printf 'Signed-By: %s\n' "$sb"
				echo
			done <<<"$sec"
		fi
	} >"$out"
}

# debian_mirror: the first Debian archive URI of the host's apt sources.
debian_mirror() {
	host_sources | awk '$2 ~ /^[a-z]+(-updates)?$/ && (" " $0 " ") ~ / main / && !n++ { print $1 }'
}

# read_suites: parse suites.conf into SUITES (in order) and
# SUITE_SERIES[suite] (" 6.1 6.12 ").
read_suites() {
	local s rest
	SUITES=()
	declare -gA SUITE_SERIES=()
	while read -r s rest; do
		case $s in ''|'#'*) continue ;; esac
		SUITES+=("$s")
		SUITE_SERIES[$s]=" $rest "
	done <"$VCLAB_DIR/suites.conf"
	[ ${#SUITES[@]} -gt 0 ] || die "no suites in $VCLAB_DIR/suites.conf"
}

# ------------------------------------------------------ architectures

# arch_info NAME: the row NAME of arches.conf as ARCH_NAME, ARCH_IMPL,
# ARCH_DEBARCH, ARCH_FLAVOUR, ARCH_SECOND, ARCH_QEMU_PKG, ARCH_QEMU,
# ARCH_MACHINE, ARCH_CPU, ARCH_MEM, ARCH_CONSOLE, ARCH_IMAGE, ARCH_UNAME,
# ARCH_TRIPLET, ARCH_BUILD ("-" becomes empty). Fails when there is none.
arch_info() {
	local row f
	row=$(awk -v n="$1" '$1 == n && !found++' "$VCLAB_DIR/arches.conf")
	[ -n "$row" ] || return 1
	read -r ARCH_NAME ARCH_IMPL ARCH_DEBARCH ARCH_FLAVOUR ARCH_SECOND \
		ARCH_QEMU_PKG ARCH_QEMU ARCH_MACHINE ARCH_CPU ARCH_MEM ARCH_CONSOLE \
		ARCH_IMAGE ARCH_UNAME ARCH_TRIPLET ARCH_BUILD <<<"$row"
	for f in ARCH_SECOND ARCH_MACHINE ARCH_CPU; do
		[ "${!f}" != - ] || printf -v "$f" '%s' ""
	done
	[ -n "$ARCH_BUILD" ] || die "arches.conf: row $1 has too few columns"
}

# arch_names: the names arches.conf knows, on one line.
arch_names() {
	awk '!/^#/ && NF { printf "%s%s", sep, $1; sep = " " } END { print "" }' "$VCLAB_DIR/arches.conf"
}

# arch_of_debarch DEBARCH: arch_info of the first row with that Debian
# architecture (its chroot facts: uname).
arch_of_debarch() {
	local n
	n=$(awk -v a="$1" '!/^#/ && $3 == a && !found++ { print $1 }' "$VCLAB_DIR/arches.conf")
	[ -n "$n" ] || die "arches.conf has no row with Debian architecture $1"
	arch_info "$n"
}

# The host's Debian architecture: the lab runs on amd64; a kernel of
# another debarch has its own apt state and chroot.
HOST_DEBARCH=amd64

# ------------------------------------------------- private apt state
#
# Package lists per suite in $VCOMPOUND_CACHE/apt/<suite>/ (fetch-kernel.sh,
# tests/debug-kernel/build.sh): the system's apt lists and dpkg database are
# never touched. Lists are refreshed when older than a day, at most once per
# run (VCLAB_RUN_START), or as VCOMPOUND_APT_REFRESH=always|never says.

APTROOT=$VCOMPOUND_CACHE/apt
# Debian architecture of the private apt states apt_prepare/apt_opts use:
# the host's (apt/<suite>/), or a kernel's foreign one (apt/<suite>-<arch>/,
# e.g. apt/bookworm-i386/ for i386:6.1).
APT_ARCH=${APT_ARCH:-$HOST_DEBARCH}
RUN_START=${VCLAB_RUN_START:-$(date +%s)}
REFRESH=${VCOMPOUND_APT_REFRESH:-auto}

# apt_dir SUITE: the private apt state of SUITE for APT_ARCH.
apt_dir() {
	if [ "$APT_ARCH" = "$HOST_DEBARCH" ]; then
		printf '%s\n' "$APTROOT/$1"
	else
		printf '%s\n' "$APTROOT/$1-$APT_ARCH"
	fi
}

# apt_opts SUITE: sets APT_OPTS to a private apt state for SUITE (and
# APT_ARCH).
apt_opts() {
	local d
	d=$(apt_dir "$1")
	APT_OPTS=(
		-o "Dir::Etc::SourceList=$d/vcompound.sources"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$d/lists"
		-o "Dir::State::status=$d/status"
		-o "Dir::Cache=$d/cache"
		-o Dir::Cache::pkgcache=pkgcache.bin
		-o Dir::Cache::srcpkgcache=srcpkgcache.bin
		-o "APT::Architecture=$APT_ARCH"
		-o "APT::Architectures=$APT_ARCH"
		-o Acquire::Languages=none
		-o APT::Get::List-Cleanup=true
	)
	is_root && APT_OPTS+=(-o APT::Sandbox::User=root)
	return 0
}

declare -A REFRESHED=()

# apt_prepare SUITE [force]: make sure the suite's package lists exist and
# are fresh enough.
apt_prepare() {
	local d
	d=$(apt_dir "$1")
	mkdir -p "$d"
	with_lock "$d/.vclab.lock" apt_prepare_locked "$@"
}
apt_prepare_locked() {
	local suite=$1 force=${2:-} d stamp age=
	d=$(apt_dir "$suite")
	stamp=$d/stamp
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	: >>"$d/status"
	write_suite_sources "$suite" "$d/vcompound.sources.new"
	if ! cmp -s "$d/vcompound.sources.new" "$d/vcompound.sources" 2>/dev/null; then
		mv "$d/vcompound.sources.new" "$d/vcompound.sources"
		rm -f "$stamp"
	else
		rm -f "$d/vcompound.sources.new"
	fi
	apt_opts "$suite"
	[ -n "${REFRESHED[$d]:-}" ] && return 0
	if [ -f "$stamp" ]; then
		age=$(($(date +%s) - $(stat -c %Y "$stamp")))
		if [ "$force" != force ]; then
			case $REFRESH in
			never) return 0 ;;
			always) [ "$(stat -c %Y "$stamp")" -ge "$RUN_START" ] && return 0 ;;
			*) [ "$age" -lt 86400 ] && return 0 ;;
			esac
		elif [ "$(stat -c %Y "$stamp")" -ge "$RUN_START" ]; then
			return 0            # already refreshed during this run
		fi
	fi
	info "updating package lists for $suite (private apt state in $d)"
	if apt-get "${APT_OPTS[@]}" -q update >"$d/update.log" 2>&1 &&
	   ! grep -q '^\(E:\|W: Failed\)' "$d/update.log"; then
		touch "$stamp"
	elif [ -f "$stamp" ]; then
		info "WARNING: apt-get update for $suite failed, using lists from $(date -r "$stamp"):"
		sed 's/^/    /' "$d/update.log" | tail -5 >&2
	else
		sed 's/^/    /' "$d/update.log" >&2
		die "apt-get update for $suite failed (see above)"
	fi
	REFRESHED[$d]=1
}

# max_version PKG: highest available version of PKG in the current apt state.
max_version() {
	local v best=
	while read -r v; do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
	done < <(apt-cache "${APT_OPTS[@]}" show "$1" 2>/dev/null | sed -n 's/^Version: //p')
	printf '%s' "$best"
}
