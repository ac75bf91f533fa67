#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian packages of debian/ (vcompound-dkms, vcompound-tools
# and its -dbgsym), built from a copy of the source tree in the lab's
# cached Debian bookworm chroot and checked there with lintian.
#
# usage: tools/scripts/mkdeb.sh [--src DIR] [--out DIR] [--version V]
#
#   --src DIR    the source tree (default: the checkout holding this
#                script). From a git checkout the tracked files and the
#                untracked ones that are not ignored are copied, as they
#                are in the working tree; from any other directory
#                everything but .git, build/ and build products.
#   --out DIR    where the .deb, .buildinfo and .changes files go (default:
#                build/deb of the checkout holding this script), with
#                build.log (dpkg-buildpackage) and lintian.log. Package
#                files of vcompound left there by an earlier run are removed
#                first.
#   --version V  build version V instead of debian/changelog's: an entry
#                for V is prepended to debian/changelog (and a heading to
#                CHANGELOG.md) in the copy; the source tree is never
#                touched. The lab builds its "N+1" packages this way.
#
# Steps: copy the tree to a work directory; in the chroot
# (tests/qemu/buildenv.sh --suite bookworm, which creates it on first use
# in ${VCOMPOUND_CACHE:-/var/cache/vcompound}/envs/ and installs
# build-essential, debhelper, dh-dkms and lintian in it once) run
# dpkg-buildpackage -b -us -uc, then lintian --display-info on the
# .changes; copy the results to --out; print lintian's tags and the package
# files.
#
# Exits 0 when the packages were built and lintian reported no error (E:);
# 1 when the build failed or lintian reported an error (or could not run);
# 2 on bad usage. Needs root (debootstrap, chroot).
#
# Environment:
#   VCOMPOUND_CACHE  cache root of the lab (the chroot)
#   MKDEB_KEEP=1     keep the work directory and print its path
#   TMPDIR           where the work directory is made (default /tmp)
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../tests/qemu/lib.sh
. "$TOP/tests/qemu/lib.sh"
SUITE=bookworm
PKGS="build-essential debhelper dh-dkms lintian"
SRC=$TOP
OUT=$TOP/build/deb
VERSION=

say() { echo "mkdeb: $*" >&2; }
die() { echo "mkdeb: $*" >&2; exit 1; }
usage() { echo "mkdeb: $* (usage: tools/scripts/mkdeb.sh [--src DIR] [--out DIR] [--version V]; --help)" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--src|--out|--version)
		{ [ $# -ge 2 ] && [ -n "$2" ]; } || usage "$1 needs a value"
		case $1 in
		--src) SRC=$2 ;;
		--out) OUT=$2 ;;
		--version) VERSION=$2 ;;
		esac
		shift 2 ;;
	--src=*) SRC=${1#--src=}; shift ;;
	--out=*) OUT=${1#--out=}; shift ;;
	--version=*) VERSION=${1#--version=}; shift ;;
	-h|--help) sed -n '3,/^set /s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) usage "unknown argument '$1'" ;;
	esac
done

[ -d "$SRC" ] || usage "--src $SRC is not a directory"
SRC=$(cd "$SRC" && pwd -P)
{ [ -f "$SRC/debian/changelog" ] && [ -f "$SRC/debian/rules" ]; } ||
	die "$SRC has no debian/changelog and debian/rules: not a vcompound source tree"
# A native package's version: no Debian revision (no '-').
if [ -n "$VERSION" ] && ! [[ $VERSION =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
	usage "--version '$VERSION' is not a native Debian version (digits first; letters, digits, . + ~)"
fi
BUILDENV=$TOP/tests/qemu/buildenv.sh
[ -f "$BUILDENV" ] || die "$BUILDENV is missing"
[ "$(id -u)" = 0 ] || die "needs root: the packages are built in a debootstrap chroot (tests/qemu/buildenv.sh)"
mkdir -p "$OUT" || die "cannot create --out $OUT"
OUT=$(cd "$OUT" && pwd -P)

W=$(mktemp -d "${TMPDIR:-/tmp}/vcompound-deb.XXXXXX")
if [ "${MKDEB_KEEP:-0}" = 1 ]; then
	trap 'say "work directory kept: $W"' EXIT
else
	trap 'rm -rf "$W"' EXIT
fi
# lintian runs as nobody in the chroot and reads the packages from here.
chmod 0755 "$W"

# ------------------------------------------------------------- the copy --

# What the lab copies (tests/qemu/lib.sh copy_tree).
copy_tree "$SRC" "$W/src"

# --version V: a changelog entry for V on top of the copy's, by the same
# maintainer, for the same distribution.
if [ -n "$VERSION" ]; then
	cl=$W/src/debian/changelog
	name=$(sed -n '1s/^\([^ ]*\) .*/\1/p' "$cl")
	dist=$(sed -n '1s/^[^ ]* ([^)]*) \([^;]*\);.*/\1/p' "$cl")
	maint=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$cl" | head -n 1)
	prev=$(sed -n 's/^ -- .*>  \(.*\)$/\1/p' "$cl" | head -n 1)
	{ [ -n "$name" ] && [ -n "$dist" ] && [ -n "$maint" ] && [ -n "$prev" ]; } ||
		die "cannot read the top entry of $SRC/debian/changelog"
	# Dated now, but after the entry below it (lintian: an entry must be
	# newer than the one before), even if that one was dated ahead.
	when=$(date +%s)
	prev=$(date -d "$prev" +%s) || die "bad date in the top entry of $SRC/debian/changelog"
	[ "$when" -gt "$prev" ] || when=$((prev + 60))
	{
		printf '%s (%s) %s; urgency=medium\n\n' "$name" "$VERSION" "$dist"
		printf '  * The same sources, built as version %s (tools/scripts/mkdeb.sh --version).\n\n' "$VERSION"
		printf ' -- %s  %s\n\n' "$maint" "$(LC_ALL=C date -R -d "@$when")"
		cat "$cl"
	} >"$cl.new"
	mv "$cl.new" "$cl"
	md=$W/src/CHANGELOG.md
	if [ -f "$md" ]; then
		awk -v v="$VERSION" -v d="$(date +%F -d "@$when")" '
			!done && /^## \[/ {
				print "## [" v "] - " d "\n\n- The same sources, built as version " v " by `tools/scripts/mkdeb.sh --version`.\n"
				done = 1
			}
			{ print }' "$md" >"$md.new"
		mv "$md.new" "$md"
	fi
fi
ver=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$W/src/debian/changelog")
say "vcompound $ver from $SRC"

# -------------------------------------------------------- in the chroot --

# Run by buildenv.sh in the chroot, in the work directory (/vclab).
cat >"$W/build.sh" <<'EOF'
#!/bin/bash
cd "$VCLAB_W/src" || exit 1
echo "== dpkg-buildpackage -b -us -uc"
dpkg-buildpackage -b -us -uc || { echo "mkdeb: dpkg-buildpackage failed"; exit 1; }
cd "$VCLAB_W" || exit 1
set -- ./*.changes
echo "== lintian --display-info $1"
# As nobody: lintian advises against running as root.
rc=0
setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp \
	lintian --display-info --color never "$1" >lintian.log 2>&1 || rc=$?
cat lintian.log
echo "$rc" >lintian.rc
exit 0
EOF

say "dpkg-buildpackage -b in the $SUITE chroot (tests/qemu/buildenv.sh --suite $SUITE)"
t0=$(date +%s)
rc=0
bash "$BUILDENV" --suite "$SUITE" --pkgs "$PKGS" --work "$W" \
	--log "$W/build.log" -- bash ./build.sh || rc=$?

# Package files of an earlier run go; this run's come in.  (--out is made
# again: a "make clean" may have removed build/ while this one waited for
# the chroot.)
mkdir -p "$OUT"
rm -f "$OUT"/vcompound*_*.deb "$OUT"/vcompound_*.buildinfo \
	"$OUT"/vcompound_*.changes "$OUT"/build.log "$OUT"/lintian.log
cp "$W/build.log" "$OUT/build.log" 2>/dev/null || true
if [ $rc != 0 ] || [ ! -f "$W/lintian.rc" ]; then
	tail -n 40 "$W/build.log" >&2 2>/dev/null || true
	die "the build of vcompound $ver failed (exit $rc; log: $OUT/build.log)"
fi
cp "$W"/*.deb "$W"/*.buildinfo "$W"/*.changes "$W/lintian.log" "$OUT/"
say "built in $(($(date +%s) - t0)) s"

# ---------------------------------------------------------------- report --

lrc=$(cat "$W/lintian.rc")
n_e=$(grep -c '^E: ' "$W/lintian.log" || true)
n_w=$(grep -c '^W: ' "$W/lintian.log" || true)
n_i=$(grep -c '^I: ' "$W/lintian.log" || true)
n_p=$(grep -c '^P: ' "$W/lintian.log" || true)
echo "== lintian: $n_e errors, $n_w warnings, $n_i info, $n_p pedantic (exit $lrc)"
sed -n '/^[EWIPXO]: /p' "$W/lintian.log"
echo "== packages in $OUT"
(cd "$OUT" && for f in *.deb *.buildinfo *.changes; do
	printf '%8s  %s\n' "$(du -k "$f" | cut -f1)K" "$f"
done)
if [ "$n_e" != 0 ] || [ "$lrc" != 0 ]; then
	die "lintian reported errors or failed (exit $lrc; $OUT/lintian.log)"
fi
