# SPDX-License-Identifier: GPL-2.0
#
# brackets.awk: the warnings a test provokes on purpose, which it declares
# around them; splats.awk counts a WARNING: inside a bracket as expected
# (inwarn), and taint W is then allowed. Before lane.awk and ktap.awk:
# prevline, the message of the next WARNING:, is every line they skip too.
# Lockdep, KASAN, ODEBUG and DEBUG_LIST reports are never excused
# (splats.awk), although lockdep and ODEBUG reports start with "WARNING:".

# ---- expected-warning brackets printed by the test module:
# "EXPECT-WARN BEGIN <case> count=<n> msg=<text>": exactly n warnings
# until the END line, each raised in vcompound (its WARNING: line names a
# function of [vcompound]) with a message containing <text> (the line
# before WARNING:, after "cut here"). Older brackets without count= and
# msg= are refused: a bracket must say what it excuses.
/vcompound[a-z_]*: EXPECT-WARN BEGIN / {
	nm = line; sub(/.*EXPECT-WARN BEGIN /, "", nm)
	wantmsg = ""; wantn = ""
	if (match(nm, / msg=/)) { wantmsg = substr(nm, RSTART + 5); nm = substr(nm, 1, RSTART - 1) }
	if (match(nm, / count=[0-9]+$/)) { wantn = substr(nm, RSTART + 7) + 0; nm = substr(nm, 1, RSTART - 1) }
	if (inwarn != "") problem("EXPECT-WARN BEGIN " nm " inside open bracket " inwarn)
	if (wantn == "" || (wantn > 0 && wantmsg == ""))
		problem("EXPECT-WARN BEGIN " nm ": no count= and msg= (what the bracket excuses)")
	inwarn = nm; nbrackets++; nwarnin = 0; prevline = ""
	next
}
/vcompound[a-z_]*: EXPECT-WARN END / {
	nm = line; sub(/.*EXPECT-WARN END /, "", nm)
	if (inwarn != nm) problem("EXPECT-WARN END " nm " does not close " (inwarn == "" ? "any bracket" : inwarn))
	else if (wantn != "" && nwarnin != wantn)
		problem("EXPECT-WARN " nm ": " nwarnin " warning(s), expected " wantn)
	inwarn = ""
	next
}
# a warning inside a bracket: from vcompound, with the declared message
inwarn != "" && index(line, "WARNING:") == 1 {
	nwarnin++
	# "... func+0x1/0x2 [vcompound]" (7.2: "... [vcompound], CPU#1: ...")
	if (line !~ /\[vcompound\](,|$)/)
		problem("EXPECT-WARN " inwarn ": warning not raised in vcompound, line " NR ": " line)
	else if (wantmsg != "" && !index(prevline, wantmsg))
		problem("EXPECT-WARN " inwarn ": message '" prevline "' does not contain '" wantmsg "', line " NR)
}
{ prevline = line }

# brackets_end: a bracket left open excused everything after it.
function brackets_end() {
	if (inwarn != "") problem("EXPECT-WARN BEGIN " inwarn " never closed")
}
