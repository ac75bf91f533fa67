# SPDX-License-Identifier: GPL-2.0
#
# common.awk: the judge's shared part; the first of the files judge.sh
# hands to one awk, in this order (awk runs their rules in that order, and
# a "next" in one file hides the line from the files after it):
#
#   common.awk    options, helpers, every line's timestamp stripped
#   markers.awk   the "vclab:" lines /init writes (README.md, "Markers")
#   brackets.awk  EXPECT-WARN brackets: the warnings a test declares
#   lane.awk      the debug lane's steps: totals, fault runs, the table
#   demo.awk      make demo's and make bench's output
#   ktap.awk      KTAP documents, nested (KUnit) ones included
#   splats.awk    kernel reports (BUG, KASAN, lockdep, warnings), taint
#   kmemleak.awk  the debug lane's kmemleak report, leak by leak
#   report.awk    END: the checks in order, the findings, the RESULT line
#
# Options (-v): mode=test|demo|bench, debug=1 (a debug kernel), release=REL,
# plans=FILE, skipallow=FILE, timedout=SECONDS, memmargin=KB,
# testmod=, demomod=, usersmod= (module names), needchecks=A,B,... (the
# "vclab: check NAME rc=N" lines the log must have), steps="LABEL ..." (the
# debug lane's steps this kernel runs; unset: all). Written for mawk, which
# the lab's hosts run; gawk runs it too.

BEGIN {
	if (testmod == "") testmod = "vcompound_test"
	if (demomod == "") demomod = "vcompound_demo"
	if (usersmod == "") usersmod = "vcompound_users"
	testmod = modn(testmod); demomod = modn(demomod); usersmod = modn(usersmod)
	maxshow = 10
}

# globre G: an anchored regular expression for the shell-style glob G
# (only * is special).
function globre(g,   r, i, c) {
	r = ""
	for (i = 1; i <= length(g); i++) {
		c = substr(g, i, 1)
		if (c == "*") r = r ".*"
		else if (index("\\^$.[]|()+?{}", c)) r = r "\\" c
		else r = r c
	}
	return "^" r "$"
}

# kv S KEY: the value of "KEY=value" in S ("" when absent).
function kv(s, key,   n, i, w) {
	n = split(s, w, /[ \t]+/)
	for (i = 1; i <= n; i++) if (index(w[i], key "=") == 1) return substr(w[i], length(key) + 2)
	return ""
}

# problem MSG: a finding that fails the log; the first maxshow are shown.
function problem(msg) {
	nprob++
	if (nprob <= maxshow) probs[nprob] = msg
}

function after(s, prefix) { return substr(s, length(prefix) + 1) }

# modn: module name of a file name or module name ("x/vc-test.ko.xz" -> vc_test)
function modn(s) {
	sub(/.*\//, "", s); sub(/\.(xz|zst|gz)$/, "", s); sub(/\.ko$/, "", s)
	gsub(/-/, "_", s)
	return s
}

# why2 A B: A and B joined ("" when both are empty).
function why2(a, b) { return a == "" ? b : (b == "" ? a : a "; " b) }

# Every line, before any file can skip it: the "[   1.234567] " prefix
# goes, and splats.awk keeps its context and report capture going.
{
	line = $0
	sub(/\r$/, "", line)
	sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "", line)
	$0 = line
	splat_everyline()
}
