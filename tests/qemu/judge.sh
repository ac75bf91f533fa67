#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# judge.sh [-v NAME=VALUE...] [console.log]: judge one guest console log of
# the vcompound lab (stdin without a file). The judge is the awk files of
# judge/, one program, in the order below (judge/common.awk says why the
# order matters); the options are common.awk's. Prints the findings, then
#   RESULT <passed> <failed> <skipped> <OK|FAIL> <expected-warnings> <unexpected-warnings>
j=$(dirname "$0")/judge
exec awk -f "$j/common.awk" -f "$j/markers.awk" -f "$j/brackets.awk" \
	-f "$j/lane.awk" -f "$j/demo.awk" -f "$j/ktap.awk" -f "$j/splats.awk" \
	-f "$j/kmemleak.awk" -f "$j/report.awk" "$@"
