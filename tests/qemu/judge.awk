# SPDX-License-Identifier: GPL-2.0
#
# judge.awk: judge one guest console log of the vcompound lab.
#
#   awk -f judge.awk -v mode=test|demo [-v timedout=SECONDS] \
#       [-v testmod=vcompound_test.ko] [-v demomod=vcompound_demo.ko] console.log
#
# Prints human-readable findings, then as its last line
#   RESULT <passed> <failed> <skipped> <OK|FAIL> <expected-warnings> <unexpected-warnings>
#
# Rules (see tests/qemu/README.md): KTAP totals from the test module's
# output (plan must exist and match the number of results); any of the
# FATAL patterns anywhere fails; WARNING:/Call Trace fail unless between
# "vcompound_test: EXPECT-WARN BEGIN <n>" and "... END <n>"; taint other than
# O and E (and W when every warning was bracketed) fails; insmod/rmmod
# failures and a missing "vclab: end-of-run" marker fail. Written for mawk.

BEGIN {
	if (testmod == "") testmod = "vcompound_test.ko"
	if (demomod == "") demomod = "vcompound_demo.ko"
	nfatal = split("BUG:|Oops|kernel BUG|general protection|KASAN|UBSAN|" \
		"possible circular locking|kmemleak|Kernel panic|" \
		"rcu_sched self-detected stall|rcu: INFO|self-detected stall|" \
		"blocked for more than|hard LOCKUP", fatal, "|")
	nwarnpat = split("WARNING:|Call Trace", warnpat, "|")
	taintletters = "PFSRMBUDAWCIOELKXTN"
	maxshow = 10
}

function problem(msg) {
	nprob++
	if (nprob <= maxshow) probs[nprob] = msg
}

function after(s, prefix) { return substr(s, length(prefix) + 1) }

{
	line = $0
	sub(/\r$/, "", line)
	sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "", line)
	$0 = line
}

# ---- lab markers written by /init via /dev/kmsg
index(line, "vclab-stats: ") == 1 {
	nstats++; stats[nstats] = after(line, "vclab-stats: ")
	next
}
index(line, "vclab: ") == 1 {
	m = after(line, "vclab: ")
	if (index(m, "init start") == 1) started = 1
	else if (m == "end-of-run" || m == "end-of-run (console)") ended = 1
	else if (m ~ /^insmod [^ ]+ begin/) {
		split(m, w, " ")
		if (w[2] == testmod) { ktap = 1; testloaded = 1 }
		if (w[2] == demomod) { demo = 1; demoloaded = 1 }
	} else if (m ~ /^insmod [^ ]+ rc=/) {
		split(m, w, " "); rc = after(w[3], "rc=")
		if (w[2] == demomod) demo = 0
		if (rc != "0") problem("insmod " w[2] " failed (rc=" rc ")")
	} else if (m ~ /^insmod dependency .* failed/) {
		problem(m)
	} else if (m ~ /^rmmod [^ ]+ rc=/) {
		split(m, w, " "); rc = after(w[3], "rc=")
		if (rc != "0") problem("rmmod " w[2] " failed (rc=" rc ")")
	} else if (m ~ /^tainted=[0-9]+$/) {
		taint = after(m, "tainted=") + 0; havetaint = 1
	} else if (index(m, "demo pass") == 1) {
		demolines[++ndemo] = "--- " m
	} else if (m ~ /^stats: /) {
		statsnote = after(m, "stats: ")
	}
	next
}

# ---- expected-warning brackets printed by the test module
/vcompound_test: EXPECT-WARN BEGIN / {
	nm = line; sub(/.*EXPECT-WARN BEGIN /, "", nm)
	if (inwarn != "") problem("EXPECT-WARN BEGIN " nm " inside open bracket " inwarn)
	inwarn = nm; nbrackets++
	next
}
/vcompound_test: EXPECT-WARN END / {
	nm = line; sub(/.*EXPECT-WARN END /, "", nm)
	if (inwarn != nm) problem("EXPECT-WARN END " nm " does not close " (inwarn == "" ? "any bracket" : inwarn))
	inwarn = ""
	next
}

# ---- KTAP from the test module (top level only)
ktap && /^KTAP version / { nversion++; next }
ktap && /^1\.\.[0-9]+/ {
	p = line; sub(/^1\.\./, "", p); sub(/[^0-9].*/, "", p)
	if (plan != "") problem("more than one KTAP plan (1.." plan " and 1.." p ")")
	plan = p + 0
	next
}
ktap && /^(not )?ok [0-9]+/ {
	notok = (substr(line, 1, 4) == "not ")
	r = notok ? substr(line, 8) : substr(line, 4)
	num = r; sub(/[^0-9].*/, "", num); r = substr(r, length(num) + 1)
	directive = ""
	if (match(r, /#/)) { directive = substr(r, RSTART + 1); r = substr(r, 1, RSTART - 1) }
	sub(/^ *(- )?/, "", r); sub(/ +$/, "", r)
	sub(/^ +/, "", directive)
	nres++
	if (num + 0 != nres) problem("KTAP result number " num " out of sequence (expected " nres ")")
	d = toupper(substr(directive, 1, 4))
	if (d == "SKIP" || d == "TODO") {
		nskip++; skipped[nskip] = num " " r " (" directive ")"
	} else if (notok) {
		nfail++; failed[nfail] = num " " r
	} else npass++
	next
}
ktap && (/^#/ || /^[ \t]+(#|KTAP version|1\.\.[0-9]|(not )?ok [0-9])/) { next }

# ---- demo output
# Only the demo's own lines: other kernel messages of the moment are noise.
demo && line ~ /^vcompound/ { demolines[++ndemo] = line }

# ---- an incomplete console log cannot be judged
/printk messages dropped/ { problem("console lost messages, line " NR ": " line); next }

# ---- splat scan. A report runs from its first line to "---[ end trace";
# the Call Trace inside a report already flagged is not counted again.
/---\[ end trace/ { insplat = 0; next }
{
	for (i = 1; i <= nfatal; i++)
		if (index(line, fatal[i])) {
			problem("line " NR ": " line); insplat = 1
			next
		}
	for (i = 1; i <= nwarnpat; i++)
		if (index(line, warnpat[i])) {
			if (i == 2 && insplat) next
			insplat = 1
			if (inwarn != "") expected++
			else { problem("unexpected warning, line " NR ": " line); unexpected++ }
			next
		}
}

END {
	if (timedout) problem("guest timed out after " timedout " s (killed)")
	if (!started) problem("guest never reached the lab /init")
	else if (!ended) problem("guest never reached the end marker (crash, panic or hang)")
	if (inwarn != "") problem("EXPECT-WARN BEGIN " inwarn " never closed")
	if (mode == "test") {
		if (!testloaded) problem(testmod " was never loaded")
		else if (plan == "") problem("no KTAP plan (1..N) from " testmod)
		else if (plan != nres) problem("KTAP plan 1.." plan " but " nres " results")
		if (testloaded && !nversion) print "  note: no 'KTAP version' header"
	}
	if (mode == "demo" && !demoloaded) problem(demomod " was never loaded")
	if (ended && !havetaint) problem("no taint value reported")
	if (havetaint) {
		allowed["O"] = allowed["E"] = 1
		if (expected > 0 && !unexpected) allowed["W"] = 1
		bad = ""; t = taint
		for (b = 0; t > 0; b++) {
			if (t % 2) {
				l = substr(taintletters, b + 1, 1)
				if (l == "") l = "bit" b
				if (!(l in allowed)) bad = bad l
			}
			t = int(t / 2)
		}
		if (bad != "") problem("kernel tainted " taint " (unexpected flags: " bad ")")
	}

	if (mode == "demo") {
		if (ndemo) {
			print "  --- " demomod " output ---"
			for (i = 1; i <= ndemo; i++) print "  " demolines[i]
		}
	}
	if (nstats) {
		if (mode == "demo") {
			print "  --- /sys/kernel/debug/vcompound/stats ---"
			for (i = 1; i <= nstats; i++) print "  " stats[i]
		}
	} else if (statsnote != "" && mode == "demo") print "  note: stats " statsnote

	for (i = 1; i <= nfail; i++) print "  not ok " failed[i]
	for (i = 1; i <= nskip; i++) print "  skip   " skipped[i]
	for (i = 1; i <= nprob && i <= maxshow; i++) print "  FAIL: " probs[i]
	if (nprob > maxshow) print "  FAIL: ... and " (nprob - maxshow) " more problems"

	verdict = (nprob || nfail) ? "FAIL" : "OK"
	printf "RESULT %d %d %d %s %d %d\n", npass, nfail, nskip, verdict, expected, unexpected
}
