#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-abi.sh [TREE]: the sysfs files module/sysfs.c makes, from the
# X-macro lists it makes them from, against the "What:" entries of
# Documentation/ABI/testing/sysfs-kernel-vcompound: every file documented,
# every entry a file. make lint runs it. Prints one line per difference;
# exits 1 on any.
set -euo pipefail

tree=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
abi=$tree/Documentation/ABI/testing/sysfs-kernel-vcompound
root=/sys/kernel/vcompound

# list FILE NAME: the first arguments of the X(...) items of "#define NAME(X)".
list() {
	awk -v want="$2" '
		$0 ~ "^#define " want "\\(X\\)" { on = 1; next }
		on {
			s = $0
			while (match(s, /X\([a-z_]+/)) {
				print substr(s, RSTART + 2, RLENGTH - 2)
				s = substr(s, RSTART + RLENGTH)
			}
			if ($0 !~ /\\$/) on = 0
		}' "$1"
}

h=$tree/module/include/vcompound.h
c=$tree/module/sysfs.c
i=$tree/module/vcompound_internal.h
{
	echo "$root/"
	echo "$root/orders/"
	echo "$root/vcache/"
	for n in $(list "$h" VCOMPOUND_REFUSAL_COUNTERS) $(list "$c" VC_SYSFS_DERIVED); do
		echo "$root/$n"
	done
	for n in $(list "$h" VCOMPOUND_ORDER_COUNTERS) $(list "$h" VCOMPOUND_RESERVE_COUNTERS) \
		 $(list "$i" VC_ORDER_STATE); do
		echo "$root/orders/<N>/$n"
	done
	for n in $(list "$c" VC_SYSFS_VCACHE_INFO); do
		echo "$root/vcache/<name>/$n"
	done
} | sort >"${TMPDIR:-/tmp}/check-abi.$$.made"
sed -n 's/^What:[[:space:]]*//p' "$abi" | sort >"${TMPDIR:-/tmp}/check-abi.$$.doc"
rc=0
while IFS= read -r l; do
	case $l in
	"< "*) echo "check-abi: ${l#< } is made by module/sysfs.c but not documented in ${abi#"$tree"/}"; rc=1 ;;
	"> "*) echo "check-abi: ${l#> } is documented in ${abi#"$tree"/} but not made"; rc=1 ;;
	esac
done < <(diff "${TMPDIR:-/tmp}/check-abi.$$.made" "${TMPDIR:-/tmp}/check-abi.$$.doc" || true)
n=$(wc -l <"${TMPDIR:-/tmp}/check-abi.$$.made")
rm -f "${TMPDIR:-/tmp}/check-abi.$$.made" "${TMPDIR:-/tmp}/check-abi.$$.doc"
[ "$n" -gt 30 ] || { echo "check-abi: only $n files found in the lists: the parsing broke"; rc=1; }
exit $rc
