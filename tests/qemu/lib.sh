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

# ensure_host_pkgs PKG...: install the given Debian packages if missing.
# Runs "apt-get update" at most once per process tree.
ensure_host_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null |
			grep -qx installed || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if ! is_root; then
		die "missing host packages: ${missing[*]}
  (not root: run 'apt-get install ${missing[*]}' as root, then retry)"
	fi
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
		xz-utils zstd make gcc-12 libc6-dev ca-certificates
}

# cache_init: create and check the cache root.
cache_init() {
	mkdir -p "$VCOMPOUND_CACHE/kernels" "$VCOMPOUND_CACHE/apt" 2>/dev/null ||
		die "cannot create cache $VCOMPOUND_CACHE (not root? set VCOMPOUND_CACHE=<writable dir>)"
	[ -w "$VCOMPOUND_CACHE/kernels" ] ||
		die "cache $VCOMPOUND_CACHE is not writable (set VCOMPOUND_CACHE)"
}

# strip_ts: remove "\r" and the printk "[    1.234567] " prefix from stdin.
strip_ts() {
	sed -u -e 's/\r$//' -e 's/^\[ *[0-9]*\.[0-9]*\] \{0,1\}//'
}
