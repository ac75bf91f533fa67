#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test.sh [VCSTAT]: vcstat against made-up sysfs trees (-d), on the host:
# the table, --json, the deltas of an interval (files changed between two
# reports), levels shown as they are, the exit codes and their messages,
# --version. run.sh runs it before the kernels (make test, test-fast).
# Prints one line per failure and last "vcstat self-tests: N passed, M
# failed"; exits 1 on any failure.
set -u

here=$(cd "$(dirname "$0")" && pwd)
vcstat=${1:-$here/vcstat}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { echo "vcstat self-test $1: $2" >&2; fail=$((fail + 1)); }

# A tree as the module makes it, every value 0 but those given after.
mktree() {
	local d=$1 f o
	rm -rf "$d"
	mkdir -p "$d/orders" "$d/vcache/cache!a"
	for f in bad_free interior_free order_refused gfp_refused \
		 outstanding_physical outstanding_physical_bytes \
		 outstanding_virtual outstanding_virtual_bytes deferred_pending; do
		echo 0 >"$d/$f"
	done
	for o in $(seq 0 20); do
		mkdir "$d/orders/$o"
		for f in physical virtual failed freed_physical freed_virtual \
			 deferred chunks reserve_taken reserve_empty reserve_built \
			 reserve_level reserve_target desc_kept; do
			echo 0 >"$d/orders/$o/$f"
		done
	done
	for f in active_objs num_objs objsize objperslab pagesperslab \
		 physical_slabs virtual_slabs slab_pages debug_errors; do
		echo 3 >"$d/vcache/cache!a/$f"
	done
}

d=$t/sys
mktree "$d"
echo 5 >"$d/orders/2/physical"
echo 4 >"$d/orders/11/virtual"
echo 2 >"$d/outstanding_virtual"
echo 16777216 >"$d/outstanding_virtual_bytes"

# One table: the used orders' rows, nothing else.
out=$("$vcstat" -d "$d" 2>&1); rc=$?
if [ $rc != 0 ]; then bad table "exit $rc: $out"
elif ! printf '%s\n' "$out" | grep -Eq '^ +2 +5 +0 ' ||
     ! printf '%s\n' "$out" | grep -Eq '^ +11 +0 +4 ' ||
     [ "$(printf '%s\n' "$out" | grep -cE '^ +[0-9]+ ')" != 2 ]; then
	bad table "order rows wrong: $out"
elif ! printf '%s\n' "$out" | grep -q 'virtual 2 blocks (16.0 MiB)' ||
     ! printf '%s\n' "$out" | grep -Eq '^cache!a +3 +3 '; then
	bad table "outstanding or cache line wrong: $out"
else ok; fi

# --json: one line, one object.
out=$("$vcstat" -d "$d" --json); rc=$?
if [ $rc != 0 ] || [ "$(printf '%s\n' "$out" | wc -l)" != 1 ]; then
	bad json "exit $rc, $(printf '%s\n' "$out" | wc -l) lines"
elif [[ $out != '{"time":'*'"interval":0,"global":{'*'"outstanding_virtual":2,'* ]] ||
     [[ $out != *'"orders":[{"order":2,"physical":5,'*'},{"order":11,"physical":0,"virtual":4,'* ]] ||
     [[ $out != *'"caches":[{"name":"cache!a","active_objs":3,'*'}]}' ]]; then
	bad json "$out"
else ok; fi

# An interval: the second report shows what the counters did since the
# first, and the levels as they are. The files change once the first
# report is out.
mkfifo "$t/fifo"
"$vcstat" -d "$d" --json 1 2 >"$t/fifo" &
pid=$!
{
	IFS= read -r first
	echo 12 >"$d/orders/2/physical"
	echo 1 >"$d/bad_free"
	echo 9 >"$d/outstanding_virtual"
	IFS= read -r second
} <"$t/fifo"
wait $pid; rc=$?
if [ $rc != 0 ]; then bad interval "exit $rc"
elif [[ $first != *'"order":2,"physical":5,'* ]] ||
     [[ $second != *'"interval":1,'* ]] ||
     [[ $second != *'"order":2,"physical":7,'* ]] ||
     [[ $second != *'"order":11,"physical":0,"virtual":0,'* ]] ||
     [[ $second != *'"bad_free":1,'* ]] ||
     [[ $second != *'"outstanding_virtual":9,'* ]]; then
	bad interval "first $first; second $second"
else ok; fi
echo 0 >"$d/bad_free"

# The text form of an interval: the same, with -i and -n.
"$vcstat" -d "$d" -i 1 -n 2 >"$t/fifo" &
pid=$!
{
	while IFS= read -r l && [ -n "$l" ]; do :; done
	echo 15 >"$d/orders/2/physical"
	cat >"$t/second"
} <"$t/fifo"
wait $pid; rc=$?
if [ $rc != 0 ] || ! grep -q 'counters: the last 1 s' "$t/second" ||
   ! grep -Eq '^ +2 +3 +0 ' "$t/second"; then
	bad interval-text "exit $rc: $(cat "$t/second")"
else ok; fi

# No module: one line, exit 1.
out=$("$vcstat" -d "$t/none" 2>&1); rc=$?
if [ $rc != 1 ] || [ "$(printf '%s\n' "$out" | wc -l)" != 1 ] ||
   [[ $out != *"No such file or directory (is the vcompound module loaded?)" ]]; then
	bad no-module "exit $rc: $out"
else ok; fi

# No permission (a directory only root may read, vcstat run as nobody):
# one line, exit 1. Needs root and setpriv; skipped otherwise.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir "$t/private"
	cp -r "$d/." "$t/private/"
	chmod 0700 "$t/private"
	chmod 0755 "$t"
	# a copy nobody may run wherever the build is
	install -m 0755 "$vcstat" "$t/vcstat"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$t/vcstat" -d "$t/private" 2>&1); rc=$?
	if [ $rc != 1 ] || [ "$(printf '%s\n' "$out" | wc -l)" != 1 ] ||
	   [[ $out != *"/private: Permission denied (try as root)" ]]; then
		bad no-permission "exit $rc: $out"
	else ok; fi
fi

# A file that is not a number: one line naming it, exit 1.
echo x >"$d/orders/3/failed"
out=$("$vcstat" -d "$d" 2>&1); rc=$?
if [ $rc != 1 ] || [[ $out != *"/orders/3/failed: Invalid argument" ]]; then
	bad bad-file "exit $rc: $out"
else ok; fi
echo 0 >"$d/orders/3/failed"

# Bad usage: the usage on stderr, exit 2.
for args in "--bogus" "-i 0" "0" "1 0" "1 2 3" "-i 1 2" "-n 2 1 2" "x"; do
	# shellcheck disable=SC2086 # the words are the arguments
	out=$("$vcstat" -d "$d" $args 2>&1 >/dev/null); rc=$?
	if [ $rc != 2 ] || [ -z "$out" ]; then
		bad "usage '$args'" "exit $rc, stderr '$out'"
	else ok; fi
done

# --version: debian/changelog's version.
want=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$here/../../debian/changelog")
out=$("$vcstat" --version); rc=$?
if [ $rc != 0 ] || [ "$out" != "vcstat (vcompound) $want" ]; then
	bad version "exit $rc: '$out', expected 'vcstat (vcompound) $want'"
else ok; fi

echo "vcstat self-tests: $pass passed, $fail failed"
[ $fail = 0 ]
