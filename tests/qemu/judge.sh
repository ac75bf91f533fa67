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
# A console taken over in the middle of a line (an nbcon console, 7.2)
# prints "** replaying previous printk message **" and the whole record
# again: the cut line before it is blanked, line numbers kept (arm64:7.2
# had an EXPECT-WARN BEGIN cut after "mis").
awk 'NR > 1 { print (/^(\[ *[0-9]+\.[0-9]+\] ?)?\*\* replaying previous printk message \*\*\r?$/ ? "" : held) }
	{ held = $0 }
	END { if (NR) print held }' ${f:+"$f"} |
	awk -f "$j/common.awk" -f "$j/markers.awk" -f "$j/brackets.awk" \
		-f "$j/lane.awk" -f "$j/demo.awk" -f "$j/ktap.awk" -f "$j/splats.awk" \
		-f "$j/kmemleak.awk" -f "$j/report.awk" "$@"
