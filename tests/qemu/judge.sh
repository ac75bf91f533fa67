#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# judge.sh [-v NAME=VALUE...] [console.log]: judge one guest console log of
# the vcompound lab (stdin without a file). The judge is the awk files of
# judge/, one program, in the order below (judge/common.awk says why the
# order matters); the options are common.awk's. Prints the findings, then
#   RESULT <passed> <failed> <skipped> <OK|FAIL> <expected-warnings> <unexpected-warnings>
j=$(dirname "$0")/judge
# The log, when given, is the last argument (after "-v NAME=VALUE" pairs).
f=
if [ $(($# % 2)) = 1 ]; then
	n=$# i=0
	for a; do
		i=$((i + 1))
		shift
		if [ $i = "$n" ]; then f=$a; else set -- "$@" "$a"; fi
	done
fi
# A console taken over in the middle of a record (an nbcon console: 7.2,
# and 6.12-rt's 8250) prints "** replaying previous printk message **" and
# the record again, whole. The line before the marker is blanked, line
# numbers kept, only when the replayed line starts with it: a takeover
# between two records cut nothing, and the line before is a whole record
# (arm64:7.2 had an EXPECT-WARN BEGIN cut after "mis"; rt:6.12 an
# EXPECT-WARN END before a marker, not cut, which blanking lost).
awk 'function bare(s) { sub(/\r$/, "", s); return s }
	function cut(s, next1) { s = bare(s); return s == "" || index(bare(next1), s) == 1 }
	function replay(s) { return s ~ /^(\[ *[0-9]+\.[0-9]+\] ?)?\*\* replaying previous printk message \*\*\r?$/ }
	NR > 2 { print (replay(l2) && cut(l1, $0) ? "" : l1) }
	NR > 1 { l1 = l2 }
	{ l2 = $0 }
	END { if (NR > 1) print l1; if (NR) print l2 }' ${f:+"$f"} |
	awk -f "$j/common.awk" -f "$j/markers.awk" -f "$j/brackets.awk" \
		-f "$j/lane.awk" -f "$j/demo.awk" -f "$j/ktap.awk" -f "$j/splats.awk" \
		-f "$j/kmemleak.awk" -f "$j/report.awk" "$@"
