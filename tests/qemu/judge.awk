# SPDX-License-Identifier: GPL-2.0
#
# judge.awk: judge one guest console log of the vcompound lab.
#
#   awk -f judge.awk -v mode=test|demo|bench [-v timedout=SECONDS] \
#       [-v testmod=vcompound_test] [-v demomod=vcompound_demo] \
#       [-v usersmod=vcompound_users] console.log
#
# Prints human-readable findings, then as its last line
#   RESULT <passed> <failed> <skipped> <OK|FAIL> <expected-warnings> <unexpected-warnings>
#
# Rules (see tests/qemu/README.md): every module that /init lists in
# "vclab: ktap-modules ..." (older logs: the test module) must print exactly
# one KTAP document after its "modprobe/insmod X begin" marker, each
# starting with "KTAP version", with
# one plan that matches its number of results, numbered in sequence; the
# totals are summed over the documents. Any of the FATAL patterns anywhere
# fails; WARNING:/Call Trace fail unless between
# "vcompound...: EXPECT-WARN BEGIN <n>" and "... END <n>"; taint other than O
# and E (and W when every warning was bracketed) fails; modprobe/insmod,
# modprobe -r/rmmod and modinfo failures, a "parm:" line of modinfo without
# a description, a module still loaded after the unload, a user program
# of the lab that exits non-zero ("vclab: tool X rc=N"), a failed phase of
# the converted users ("vclab: users phase N rc=N") and a missing
# "vclab: end-of-run" marker fail. In demo mode the converted users'
# document is judged as in test mode, and their lines and vcstat's output
# ("vclab-vcstat: ") are shown. In bench mode, the benchmark module must
# print its END line and no ERROR line. Written for mawk.
#
# Lockdep, KASAN, ODEBUG and DEBUG_LIST reports are in FATAL too (a debug
# kernel prints them; stock kernels cannot): an EXPECT-WARN bracket never
# excuses them, although lockdep and ODEBUG reports start with "WARNING:".
#
# Nested KTAP (KUnit): indented subtests are parsed too; only leaf results
# (a result with no subtest results of its own) count as cases, a parent's
# "not ok" without a failing child counts as one failure; a KUnit module
# (listed in "vclab: ktap-modules" and loaded in the lane's kunit step, or
# printing "# Subtest:") needs no top-level header or plan (KUnit prints
# none for modules).
#
# Several documents per boot: /init's "vclab: run <label> begin/end"
# markers (debug lane) name the step; each KTAP module loaded in a step
# must print exactly one document there.
#
# -v debug=1 (a debug kernel, tests/debug-kernel/): "kmemleak" is not fatal
# by itself; instead the kmemleak report that /init dumps after unloading
# the modules ("vclab-kmemleak: " lines) is judged object by object: a
# suspected leak fails when its allocation backtrace involves our modules
# (see kmemleak_ours()); kernel-internal ones are shown but do not fail.
# kmemleak or lockdep switching itself off fails (the run would prove
# nothing). The first 40 lines of each report are printed. The debug lane's
# steps are judged too (README.md): fault runs (totals line, invalid = 0,
# outstanding = 0, MemFree, injection effective), stress and fuzz totals,
# KUnit; fault runs must have injected failures (fail_page_alloc's times
# counted down) and a "page allocation failure" report in one fails (the
# faults suite passes __GFP_NOWARN everywhere). -v plans=FILE pins every
# document's case count per mode and kernel (-v release=REL); -v
# skipallow=FILE lists the only skips that do not fail. Lines "TABLE <text>" (the lane's summary
# table, printed by run.sh at the end) precede the RESULT line, whose
# failed count then includes one per failed check of the table.
# -v memmargin=KB: the MemFree loss tolerated after the last measured
# step (default below); twice that after an earlier one.

BEGIN {
	# Lockdep and atomic-context reports of a PROVE_LOCKING /
	# DEBUG_ATOMIC_SLEEP kernel (most start with "WARNING:").
	LOCKDEP = "possible circular locking|inconsistent lock state|" \
		"possible recursive locking|suspicious RCU usage|" \
		"possible irq lock inversion|bad unlock balance|" \
		"held lock freed|lock held when returning to user space|" \
		"Invalid wait context|DEBUG_LOCKS_WARN_ON|" \
		"BUG: sleeping function called from invalid context|" \
		"BUG: scheduling while atomic|BUG: workqueue leaked lock|" \
		"BUG: using smp_processor_id() in preemptible|" \
		"BUG: using __this_cpu_"
	nlockpat = split(LOCKDEP, lockpat, "|")
	if (testmod == "") testmod = "vcompound_test"
	if (demomod == "") demomod = "vcompound_demo"
	if (usersmod == "") usersmod = "vcompound_users"
	testmod = modn(testmod); demomod = modn(demomod); usersmod = modn(usersmod)
	nfatal = split("BUG:|Oops|kernel BUG|general protection|KASAN|UBSAN|" \
		"possible circular locking|kmemleak|Kernel panic|" \
		"rcu_sched self-detected stall|rcu: INFO|self-detected stall|" \
		"blocked for more than|hard LOCKUP|" LOCKDEP "|" \
		"ODEBUG:|list_add corruption|list_del corruption|" \
		"invoked oom-killer", fatal, "|")
	# kmemleak's own lines (boot banner, "N new suspected memory
	# leaks") are not reports on a debug kernel: its report is judged
	# from the /init dump.
	if (debug) for (i = 1; i <= nfatal; i++) if (fatal[i] == "kmemleak") fatal[i] = "\001none"
	maxsplat = 8; splatmax = 40
	# lines kept from before a report: what an unexpected warning's
	# Call Trace belongs to ("... invoked ...", "CPU: ...") is above it
	nctx = 8
	nwarnpat = split("WARNING:|Call Trace", warnpat, "|")
	taintletters = "PFSRMBUDAWCIOELKXTN"
	maxshow = 10
	# MemFree (+ per-CPU lists + stack depot) after a step's unload,
	# against the value before it: calibrated on the debug kernel
	# (README.md, "MemFree": up to 8.7 MB held after the 50 % min-order 0
	# fault step and given back during the next one; see memwhy()).
	if (memmargin == "") memmargin = 8192
	# -v plans=FILE: "<mode> <release-glob> <document> <cases>" lines
	if (plans != "") {
		while ((getline l < plans) > 0) {
			sub(/#.*/, "", l)
			n = split(l, w)
			if (!n) continue
			if (n != 4 || w[4] !~ /^[1-9][0-9]*$/ || w[1] !~ /^(test|demo|debug)$/) {
				problem(plans ": bad line: " l); continue
			}
			npin++; pinmode[npin] = w[1]; pinrel[npin] = globre(w[2])
			pindoc[npin] = w[3]; pinn[npin] = w[4] + 0
		}
		close(plans)
		if (!npin) problem(plans ": no plans")
	}
	# -v skipallow=FILE: "<release-glob> <document> <case> <reason>" lines
	if (skipallow != "") {
		while ((getline l < skipallow) > 0) {
			sub(/#.*/, "", l)
			n = split(l, w)
			if (!n) continue
			if (n < 4) { problem(skipallow ": bad line (no reason?): " l); continue }
			nallow++; alrel[nallow] = globre(w[1]); aldoc[nallow] = w[2]; alcase[nallow] = w[3]
		}
		close(skipallow)
	}
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

# pinned DOC: the case count plans.conf pins for document DOC of this
# kernel and mode (the first matching line), or "".
function pinned(d,   i, m) {
	m = debug ? "debug" : mode
	for (i = 1; i <= npin; i++)
		if (pinmode[i] == m && pindoc[i] == d && release ~ pinrel[i]) return pinn[i]
	return ""
}

# skipok DOC CASE: whether the skip of CASE in DOC is on the allowlist.
function skipok(d, c,   i) {
	for (i = 1; i <= nallow; i++)
		if (aldoc[i] == d && alcase[i] == c && release ~ alrel[i]) return 1
	return 0
}

# kv S KEY: the value of "KEY=value" in S ("" when absent).
function kv(s, key,   n, i, w) {
	n = split(s, w, /[ \t]+/)
	for (i = 1; i <= n; i++) if (index(w[i], key "=") == 1) return substr(w[i], length(key) + 2)
	return ""
}

# docname: the owner of a KTAP document: "<run label>/<module>" in a step
# of the debug lane, the module name otherwise.
function docname() { return (runlabel == "" ? cur : runlabel "/" cur) }

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

# newdoc: a KTAP document of the module being loaded starts.
function newdoc(header,   k) {
	ndoc++; downer[ndoc] = docname(); dplan[ndoc] = ""; dres[ndoc] = 0
	dpass[ndoc] = dfail[ndoc] = dskip[ndoc] = 0; dheader[ndoc] = header
	dkunit[ndoc] = (cur in iskunit); dmod[ndoc] = cur; drun[ndoc] = runlabel
	ndocs[downer[ndoc]]++
	for (k = 0; k <= 8; k++) { pend[k] = 0; bres[k] = 0; bplan[k] = ""; cfail[k] = 0 }
}

# result DEPTH NUM NOTOK DIRECTIVE NAME: a KTAP result line at nesting
# DEPTH. A leaf (no results one level deeper since the last result at this
# level or above) is a case; a parent is checked against its subtests.
function result(depth, num, notok, directive, r,   d, leaf, k, what) {
	leaf = !pend[depth + 1]
	if (!leaf) {
		if (bplan[depth + 1] != "" && bplan[depth + 1] != bres[depth + 1])
			problem(downer[ndoc] ": subtest " r ": plan 1.." bplan[depth + 1] " but " bres[depth + 1] " results")
		if (notok && !cfail[depth + 1]) {
			nfail++; dfail[ndoc]++; failed[nfail] = downer[ndoc] " " num " " r " (failed, no failing subtest)"
		}
		if (notok || cfail[depth + 1]) cfail[depth]++
	}
	for (k = depth + 1; k <= 8; k++) { pend[k] = 0; bres[k] = 0; bplan[k] = ""; cfail[k] = 0 }
	pend[depth]++
	if (!leaf) return
	what = downer[ndoc] " " (depth ? "(" depth ") " : "") num " " r
	d = toupper(substr(directive, 1, 4))
	if (d == "SKIP" || d == "TODO") {
		nskip++; dskip[ndoc]++; skipped[nskip] = what " (" directive ")"
		if (skipallow != "" && !skipok(downer[ndoc], r))
			problem("skip not on the allowlist (" skipallow "): " what " (" directive ")")
	} else if (notok) {
		nfail++; dfail[ndoc]++; failed[nfail] = what; cfail[depth]++
	} else {
		npass++; dpass[ndoc]++
		if (r ~ /^misuse_/) nmisusepass[drun[ndoc]]++
	}
	if (r ~ /^misuse_/) nmisuse[drun[ndoc]]++
}

# parm: a modinfo "parm:" line must have a description: kmod prints
# "name:description (type)", "name:description" (no type known) or, with no
# description, "name:type".
function checkparm(l,   r) {
	r = l; sub(/^parm:[ \t]*/, "", r)
	if (!match(r, /:/)) { problem("modinfo: malformed line: " l); return }
	nm = substr(r, 1, RSTART - 1); r = substr(r, RSTART + 1)
	sub(/^[ \t]+/, "", r); sub(/[ \t]+$/, "", r)
	if (r == "" || r ~ /^[a-z]+$/ || r ~ /^array of [a-z]+$/)
		problem("modinfo: parameter " nm " has no description (MODULE_PARM_DESC)")
}

{
	line = $0
	sub(/\r$/, "", line)
	sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "", line)
	$0 = line
	ctx[NR % nctx] = line
	# debug: the first splatmax lines of a report (see the splat scan)
	if (capturing) {
		if (index(line, "vclab") == 1 || splatn[nsplat] >= splatmax) capturing = 0
		else {
			splat[nsplat, ++splatn[nsplat]] = line
			if (line ~ /^---\[ end trace/ || (line ~ /^==========/ && splatn[nsplat] > 3)) capturing = 0
		}
	}
}

# ---- lab markers written by /init via /dev/kmsg
index(line, "vclab-stats: ") == 1 {
	nstats++; stats[nstats] = after(line, "vclab-stats: ")
	next
}
# vcstat's output (init.sh, vcompound_users' phases): shown by the demo
index(line, "vclab-vcstat: ") == 1 {
	if (mode == "demo") demolines[++ndemo] = "  " after(line, "vclab-vcstat: ")
	next
}
index(line, "vclab-kmemleak: ") == 1 {
	kml[++nkml] = after(line, "vclab-kmemleak: ")
	next
}
index(line, "vclab-ksyms: ") == 1 {
	# /proc/kallsyms of our modules, saved before the unload:
	# "<16 hex digits> <type> <name> [<module>]"
	n = split(after(line, "vclab-ksyms: "), w, " ")
	if (n >= 4 && w[2] ~ /^[tT]$/ && length(w[1]) == 16) {
		nks++; ksa[nks] = tolower(w[1]); ksn[nks] = w[3] " " w[4]
	}
	next
}
index(line, "vclab-modinfo: ") == 1 {
	m = after(line, "vclab-modinfo: ")
	nmodinfo++; modinfo[nmodinfo] = m
	if (m ~ /^parm:/) checkparm(m)
	next
}
index(line, "vclab: ") == 1 {
	m = after(line, "vclab: ")
	if (m ~ /^run [^ ]+ begin$/) {
		split(m, w, " "); runlabel = w[2]
		if (!(runlabel in runseen)) { runseen[runlabel] = 1; runs[++nruns] = runlabel }
	} else if (m ~ /^run [^ ]+ end$/) {
		runlabel = ""
	} else if (m ~ /^run [^ ]+: missing/) {
		split(m, w, " "); k = w[2]; sub(/:$/, "", k); runmissing[k] = after(m, "run " k ": ")
	} else if (m ~ /^memfree: /) {
		problem((runlabel == "" ? "" : runlabel ": ") m)
	} else if (m ~ /^memfree baseline: /) {
		membase = m
	} else if (m ~ /^memfree [^ ]+: base=/) {
		split(m, w, " "); k = w[2]; sub(/:$/, "", k)
		memdelta[k] = kv(m, "delta") + 0; memhave[k] = 1
	} else if (m ~ /^fail_page_alloc on:/) {
		fpaon[runlabel] = after(m, "fail_page_alloc on:")
	} else if (m ~ /^fail_page_alloc left:/) {
		fpaleft[runlabel] = kv(m, "times")
	} else if (m ~ /^fail_page_alloc off:/) {
		fpaoff[runlabel] = after(m, "fail_page_alloc off:")
	} else if (m ~ /^modprobe [^ ]+ timeout: /) {
		problem((runlabel == "" ? "" : runlabel ": ") m)
		k = m; sub(/ timeout: /, " ", k)
		hung[runlabel == "" ? "-" : runlabel] = "hung: " k "; later steps skipped"
		hungstep = (runlabel == "" ? "?" : runlabel)
	} else if (m ~ /^fail_page_alloc: cannot/) {
		problem(m)
	} else if (m ~ /^fuzz-total: /) {
		fuzzline(m)
	} else if (m ~ /^fuzz rc=/) {
		fuzzrc = after(m, "fuzz rc=")
	} else if (index(m, "init start") == 1) started = 1
	else if (m == "end-of-run" || m == "end-of-run (console)") ended = 1
	else if (m ~ /^ktap-modules( |$)/) {
		n = split(after(m, "ktap-modules"), w, " ")
		for (i = 1; i <= n; i++) if (!(w[i] in isktap)) { isktap[w[i]] = 1; ktaplist[++nktap] = w[i] }
		haveklist = 1
	} else if (m ~ /^(insmod|modprobe) [^ -][^ ]* (.* )?begin$/) {
		split(m, w, " "); cur = modn(w[2]); loaded[cur] = 1
		ktap = (haveklist ? (cur in isktap) : (cur == testmod))
		if (runlabel == "kunit" && ktap) iskunit[cur] = 1
		if (ktap && !(docname() in expdoc)) { expdoc[docname()] = 1; expdocs[++nexpdoc] = docname() }
		if (runlabel != "") runmods[runlabel] = runmods[runlabel] " " cur
		demo = (cur == demomod)
		if (cur == testmod) testloaded = 1
		if (cur == demomod) demoloaded = 1
	} else if (m ~ /^(insmod|modprobe) [^ ]+ rc=/) {
		split(m, w, " "); rc = after(w[3], "rc=")
		if (modn(w[2]) == demomod) demo = 0
		if (rc != "0") problem(w[1] " " w[2] " failed (rc=" rc ")")
	} else if (m ~ /^insmod dependency .* failed/) {
		problem(m)
	} else if (m ~ /^(rmmod|modprobe -r) [^ ]+ rc=/) {
		n = split(m, w, " "); rc = after(w[n], "rc=")
		if (rc != "0") problem(m)
	} else if (m ~ /^still loaded after unload: /) {
		problem(m)
	} else if (m ~ /^modinfo [^ ]+ rc=/) {
		split(m, w, " "); rc = after(w[3], "rc=")
		modinfomod = w[2]; modinforc = rc
		if (rc != "0") problem("modinfo " w[2] " failed (rc=" rc ")")
	} else if (m ~ /^debug_locks=/) {
		debuglocks = after(m, "debug_locks=")
	} else if (m ~ /^kmemleak: /) {
		kmlstate = after(m, "kmemleak: ")
		if (kmlstate ~ /^(unavailable|scan failed)/) kmlbad = kmlstate
		if (kmlstate ~ /^end/) kmldone = 1
	} else if (m ~ /^tainted=[0-9]+$/) {
		taint = after(m, "tainted=") + 0; havetaint = 1
	} else if (index(m, "demo ") == 1 || (mode == "demo" && index(m, "vcstat ") == 1)) {
		demolines[++ndemo] = "--- " m
	} else if (m ~ /^tool [^ ]+ rc=/) {
		# a user program of the lab (vcstat, vcdev_test) that failed
		split(m, w, " "); rc = after(w[3], "rc=")
		if (rc != "0") problem(m)
	} else if (m ~ /^users phase [0-9]+ rc=/) {
		split(m, w, " "); rc = after(w[4], "rc="); sub(/:$/, "", rc)
		if (rc != "0") problem(m)
		if (mode == "demo") demolines[++ndemo] = "--- " m
	} else if (m ~ /^stats: /) {
		statsnote = after(m, "stats: ")
	}
	next
}

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

# fuzz-total from /fuzz.sh's output, forwarded by /init
index(line, "vclab-fuzz: ") == 1 {
	m = after(line, "vclab-fuzz: ")
	sub(/^<[0-9]>/, "", m)
	if (m ~ /^vclab: fuzz-total: /) fuzzline(after(m, "vclab: "))
	next
}

# ---- totals lines of the faults and stress suites
/^# faults: [^ ]+ calls=/ {
	split(line, w, " ")
	if (kv(line, "invalid") + 0 > 0) problem(runlabel ": case " w[3] ": " kv(line, "invalid") " invalid block(s)")
	next
}
/^# faults-total: / {
	k = (runlabel == "" ? "faults" : runlabel)
	ft[k] = 1; fcalls[k] = kv(line, "calls"); fnull[k] = kv(line, "null")
	fvalid[k] = kv(line, "valid"); finvalid[k] = kv(line, "invalid"); fout[k] = kv(line, "outstanding")
	frefused[k] = kv(line, "refused")
	next
}
/^# stress: [^ ]+ threads=/ {
	k = (runlabel == "" ? "stress" : runlabel)
	st[k]++
	sthreads[k] = (kv(line, "threads") + 0 > sthreads[k] ? kv(line, "threads") + 0 : sthreads[k])
	sops[k] += kv(line, "ops"); sallocs[k] += kv(line, "allocs"); sfrees[k] += kv(line, "frees")
	shfrees[k] += kv(line, "hardirq_frees"); snull[k] += kv(line, "null")
	next
}
/^kunit: disabled/ { problem("KUnit is disabled (boot with kunit.enable=1)"); next }

# ---- allocation failure reports in fault runs: every call of the faults
# suite passes __GFP_NOWARN, so a report means the flag was dropped on the
# way (its Call Trace is part of it, not another warning).
runlabel ~ /^fault-/ && /(page allocation failure: order:|vmalloc error: size )/ {
	nallocfail[runlabel]++; skipct = 1
	problem(runlabel ": allocation failure report (a gfp without __GFP_NOWARN), line " NR ": " line)
	next
}
skipct && /Call Trace/ { skipct = 0; next }
# the blocked tasks /init dumps (sysrq w) when a modprobe hangs: part of
# that report, not warnings
/sysrq: Show Blocked State/ { insysrq = 1; next }
insysrq && /^vclab/ { insysrq = 0 }
insysrq && !/(BUG:|Oops|KASAN|UBSAN|WARNING:)/ { next }
/^(KTAP version|1\.\.|(not )?ok [0-9])/ || /vclab/ { skipct = 0 }

# ---- the converted vmalloc users' KTAP lines are the demo's story too
mode == "demo" && cur == usersmod && line ~ /^((not )?ok [0-9]|# )/ { demolines[++ndemo] = line }

# ---- KTAP documents of the KTAP modules, nested subtests included
ktap && /^KTAP version / { newdoc(1); next }
ktap && /^ +(KTAP version |# Subtest: )/ {
	if (!ndoc || downer[ndoc] != docname()) newdoc(0)
	if (index(line, "# Subtest: ")) dkunit[ndoc] = 1
	ind = line; sub(/[^ ].*/, "", ind); depth = int(length(ind) / 4)
	if (depth > 8) depth = 8
	if (line ~ /KTAP version/ || bres[depth] > 0) { bres[depth] = 0; bplan[depth] = ""; pend[depth] = 0; cfail[depth] = 0 }
	next
}
ktap && /^ +1\.\.[0-9]+/ {
	if (!ndoc || downer[ndoc] != docname()) newdoc(0)
	ind = line; sub(/[^ ].*/, "", ind); depth = int(length(ind) / 4)
	if (depth > 8) depth = 8
	p = line; sub(/^ *1\.\./, "", p); sub(/[^0-9].*/, "", p)
	bplan[depth] = p + 0
	next
}
ktap && /^ +(not )?ok [0-9]+/ {
	if (!ndoc || downer[ndoc] != docname()) newdoc(0)
	ind = line; sub(/[^ ].*/, "", ind); depth = int(length(ind) / 4)
	if (depth > 8) depth = 8
	r = substr(line, length(ind) + 1)
	notok = (substr(r, 1, 4) == "not ")
	r = notok ? substr(r, 8) : substr(r, 4)
	num = r; sub(/[^0-9].*/, "", num); r = substr(r, length(num) + 1)
	directive = ""
	if (match(r, /#/)) { directive = substr(r, RSTART + 1); r = substr(r, 1, RSTART - 1) }
	sub(/^ *(- )?/, "", r); sub(/ +$/, "", r); sub(/^ +/, "", directive)
	bres[depth]++
	if (num + 0 != bres[depth]) problem(downer[ndoc] ": subtest result " num " (" r ") out of sequence (expected " bres[depth] ")")
	result(depth, num, notok, directive, r)
	next
}
ktap && /^1\.\.[0-9]+/ {
	if (!ndoc || downer[ndoc] != docname()) newdoc(0)
	p = line; sub(/^1\.\./, "", p); sub(/[^0-9].*/, "", p)
	if (dplan[ndoc] != "") problem(downer[ndoc] ": more than one KTAP plan (1.." dplan[ndoc] " and 1.." p ")")
	dplan[ndoc] = p + 0
	next
}
ktap && /^(not )?ok [0-9]+/ {
	if (!ndoc || downer[ndoc] != docname()) newdoc(0)
	notok = (substr(line, 1, 4) == "not ")
	r = notok ? substr(line, 8) : substr(line, 4)
	num = r; sub(/[^0-9].*/, "", num); r = substr(r, length(num) + 1)
	directive = ""
	if (match(r, /#/)) { directive = substr(r, RSTART + 1); r = substr(r, 1, RSTART - 1) }
	sub(/^ *(- )?/, "", r); sub(/ +$/, "", r)
	sub(/^ +/, "", directive)
	dres[ndoc]++
	if (num + 0 != dres[ndoc]) problem(downer[ndoc] ": KTAP result number " num " out of sequence (expected " dres[ndoc] ")")
	result(0, num, notok, directive, r)
	next
}
ktap && (/^#/ || /^[ \t]+(#|KTAP version|1\.\.[0-9]|(not )?ok [0-9])/) { next }

# ---- demo output
# Only the demo's own lines: other kernel messages of the moment are noise.
demo && line ~ /^vcompound/ { demolines[++ndemo] = line }

# ---- bench output (tests/bench): figures, errors, the end marker
index(line, "vcompound_bench: ROW ") == 1 { nbrow++ }
index(line, "vcompound_bench: ERROR ") == 1 { nberr++; problem("benchmark " substr(line, 18)) }
index(line, "vcompound_bench: END") == 1 { bend = 1 }

# ---- an incomplete console log cannot be judged
/printk messages dropped/ { problem("console lost messages, line " NR ": " line); next }

# ---- debug kernel: kmemleak and lockdep must stay on for the whole run.
debug && /kmemleak: / {
	if (line ~ /Kernel memory leak detector disabled|Kmemleak disabled|Cannot allocate|Memory pool empty|Failed to create|Freeing unknown object|Partially freeing unknown|Trying to color unknown|Found object by alias/)
		problem("line " NR ": " line)
	next
}
debug && /Disabling lock debugging|lockdep is turned off|turning off the locking correctness validator/ {
	problem("line " NR ": " line " (lockdep is off from here on)")
	lockdepoff = 1
}

# ---- splat scan. A report runs from its first line to "---[ end trace";
# the Call Trace inside a report already flagged is not counted again.
/---\[ end trace/ { insplat = 0; next }
{
	for (i = 1; i <= nfatal; i++)
		if (index(line, fatal[i])) {
			problem("line " NR ": " line); insplat = 1
			if (line ~ /BUG: KASAN:|KASAN: (null-ptr-deref|maybe wild-memory-access|probably user-memory-access)/) { nkasan++; sanin = addstep(sanin) }
			else if (index(line, "UBSAN")) { nubsan++; sanin = addstep(sanin) }
			else {
				for (k = 1; k <= nlockpat; k++) if (index(line, lockpat[k])) break
				if (k <= nlockpat) { nlockdep++; lockin = addstep(lockin) }
				else { nother++; sanin = addstep(sanin) }
			}
			if (debug && nsplat < maxsplat) {
				nsplat++; splatn[nsplat] = 1; splat[nsplat, 1] = line; capturing = 1
			}
			next
		}
	for (i = 1; i <= nwarnpat; i++)
		if (index(line, warnpat[i])) {
			if (i == 2 && insplat) next
			insplat = 1
			if (inwarn != "") expected++
			else {
				problem("unexpected warning, line " NR ": " line); unexpected++; warnin = addstep(warnin)
				if (debug && nsplat < maxsplat) {
					nsplat++; splatn[nsplat] = 0; capturing = 1
					for (k = NR - nctx + 1; k <= NR; k++)
						if (k > 0) splat[nsplat, ++splatn[nsplat]] = ctx[k % nctx]
				}
			}
			next
		}
}

# hexval S: value of up to 13 hex digits (exact in a double).
function hexval(s,   i, v) {
	v = 0; s = tolower(s)
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}

# ksym ADDR (16 hex digits): "func+0xOFF [module]" for an address in the
# text of one of our (unloaded) modules, from the saved kallsyms, or "".
function ksym(a,   i, best, bd, d) {
	best = 0
	for (i = 1; i <= nks; i++) {
		if (substr(ksa[i], 1, 3) != substr(a, 1, 3) || ksa[i] > a) continue
		d = hexval(substr(a, 4)) - hexval(substr(ksa[i], 4))
		if (!best || d < bd) { best = i; bd = d }
	}
	if (!best || bd >= 65536) return ""
	split(ksn[best], w, " ")
	return sprintf("%s+0x%x %s", w[1], bd, w[2])
}

# kmemleak_ours FIRST LAST: whether the suspected leak kml[FIRST..LAST]
# involves our modules, symbolizing raw module addresses in place: a frame
# in vcompound or a vcompound_* module (test, client, kunit; by name while they are
# loaded; after the unload kmemleak prints their text addresses raw, which
# the kallsyms saved by /init resolve; any other raw text address can only
# be theirs, the only modules this guest ever loads), or in the module
# loader (only our modules are loaded, so its allocations are made for
# them).
#
# Anything else (no such frame) is kernel-internal: kmemleak's scan is
# conservative and reports e.g. objects only referenced through pointers
# it does not scan (early boot, per-cpu or encoded pointers); such false
# positives are shown but do not fail the run, since nothing of ours
# allocated them.
function kmemleak_ours(first, last,   i, l, a, s, ours) {
	ours = 0
	for (i = first; i <= last; i++) {
		l = kml[i]
		if (l ~ /\[vcompound[a-z_]*\]/) ours = 1
		else if (l ~ /^ +(load_module|do_init_module|init_module_from_file|__do_sys_(f)?init_module|__do_sys_delete_module|free_module)\+/) ours = 1
		else if (l ~ /^ +0xffffffff[0-9a-f]+$/) {
			a = l; sub(/^ +0x/, "", a)
			s = ksym(a)
			if (s != "") kml[i] = l " (" s ")"
			ours = 1
		}
	}
	return ours
}

END {
	if (debug) {
		# One suspected leak per "unreferenced object" block.
		for (i = 1; i <= nkml + 1; i++) {
			if (i <= nkml && kml[i] !~ /^unreferenced object /) continue
			if (blk) {
				if (kmemleak_ours(blk, i - 1)) { nkours++; kmlown[nkours] = blk ":" (i - 1) }
				else { nkother++; kmlother[nkother] = blk ":" (i - 1) }
			}
			blk = i
		}
		if (!kmldone && started && ended) problem("no kmemleak report from /init")
		if (kmlbad != "") problem("kmemleak: " kmlbad)
		if (nkours) problem(nkours " suspected memory leak(s) involving our modules (kmemleak)")
		if (debuglocks != "" && debuglocks != "1" && !lockdepoff)
			problem("lockdep was off at the end of the run (debug_locks=" debuglocks ")")
		else if (debuglocks == "" && started && ended) problem("no debug_locks report from /init")
	}
	if (timedout) problem("guest timed out after " timedout " s (killed)")
	if (!started) problem("guest never reached the lab /init")
	else if (!ended) problem("guest never reached the end marker (crash, panic or hang)")
	if (inwarn != "") problem("EXPECT-WARN BEGIN " inwarn " never closed")
	# the demo's KTAP modules (vcompound_users) are judged alike
	if (mode == "test" || (mode == "demo" && haveklist && nktap)) {
		if (!haveklist) { ktaplist[++nktap] = testmod; isktap[testmod] = 1 }
		for (k = 1; k <= nktap; k++)
			if (!(ktaplist[k] in loaded)) problem(ktaplist[k] " was never loaded")
		# one document per KTAP module load (per step of the debug lane)
		for (k = 1; k <= nexpdoc; k++) {
			m = expdocs[k]
			if (!ndocs[m]) problem("no KTAP document from " m)
			else if (ndocs[m] > 1) problem(ndocs[m] " KTAP documents from " m " (expected one)")
		}
		for (i = 1; i <= ndoc; i++) {
			m = downer[i]
			if (dkunit[i]) {
				# KUnit prints no top-level header or plan for a module
				if (dplan[i] != "" && dplan[i] != dres[i]) problem(m ": KTAP plan 1.." dplan[i] " but " dres[i] " results")
				if (!dpass[i] && !dfail[i] && !dskip[i]) problem(m ": no KUnit test results")
				pincheck(m, dpass[i] + dfail[i] + dskip[i], "leaf cases")
				printf "  kunit %s: %d passed, %d failed, %d skipped (leaf cases of %d suites)\n", m, dpass[i], dfail[i], dskip[i], dres[i]
				continue
			}
			if (!dheader[i]) problem(m ": KTAP document without a 'KTAP version' header")
			if (dplan[i] == "") problem(m ": no KTAP plan (1..N)")
			else if (dplan[i] != dres[i]) problem(m ": KTAP plan 1.." dplan[i] " but " dres[i] " results")
			pincheck(m, dplan[i] == "" ? dres[i] : dplan[i], "plan 1..")
			printf "  ktap %s: %d passed, %d failed, %d skipped (plan %s)%s\n", m, dpass[i], dfail[i], dskip[i], \
				(dplan[i] == "" ? "missing" : "1.." dplan[i]), (dheader[i] ? "" : ", no 'KTAP version' header")
		}
		if (haveklist && started && modinforc == "") problem("no modinfo report for the core module")
	}
	if (mode == "demo" && !demoloaded) problem(demomod " was never loaded")
	if (mode == "bench") {
		if (!bend) problem("the benchmark module never printed its END line")
		printf "  bench: %d figures, %d errors\n", nbrow, nberr
	}
	if (ended && !havetaint) problem("no taint value reported")
	if (havetaint) {
		allowed["O"] = allowed["E"] = 1
		# KUnit taints the kernel (N, TAINT_TEST) when it runs tests
		for (i = 1; i <= ndoc; i++) if (dkunit[i]) allowed["N"] = 1
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

	if (modinfomod != "" && modinforc != "0")
		for (i = 1; i <= nmodinfo; i++) print "  modinfo: " modinfo[i]
	for (i = 1; i <= nfail; i++) print "  not ok " failed[i]
	for (i = 1; i <= nskip; i++) print "  skip   " skipped[i]
	for (i = 1; i <= nprob && i <= maxshow; i++) print "  FAIL: " probs[i]
	if (nprob > maxshow) print "  FAIL: ... and " (nprob - maxshow) " more problems"

	if (debug) {
		for (i = 1; i <= nsplat; i++) {
			printf "  --- report %d (at most %d lines) ---\n", i, splatmax
			for (k = 1; k <= splatn[i]; k++) print "  | " splat[i, k]
		}
		for (i = 1; i <= nkours + nkother; i++) {
			own = (i <= nkours)
			split(own ? kmlown[i] : kmlother[i - nkours], rr, ":")
			printf "  --- kmemleak: suspected leak %s ---\n", own ? "INVOLVING OUR MODULES (fails)" : "kernel-internal, not involving our modules (shown, does not fail)"
			for (k = rr[1]; k <= rr[2] && k < rr[1] + splatmax; k++) print "  | " kml[k]
		}
		lanetable()
	}
	verdict = (nprob || nfail || nchkfail) ? "FAIL" : "OK"
	printf "RESULT %d %d %d %s %d %d\n", npass, nfail + nchkfail, nskip, verdict, expected, unexpected
}

# pincheck DOC N WHAT: N (the module's plan, or KUnit's leaf cases) must
# be what plans.conf pins: a module cannot drop its own cases unseen.
function pincheck(d, n, what,   p) {
	if (plans == "") return
	p = pinned(d)
	if (p == "") problem(d ": no pinned case count for " (debug ? "debug" : mode) " on " release " in " plans)
	else if (n + 0 != p) problem(d ": " what (what ~ /\.\.$/ ? "" : " ") n ", but " plans " pins " p)
}

# addstep LIST: LIST with the current step of the debug lane added.
function addstep(l,   st) {
	st = (runlabel == "" ? "outside steps" : runlabel)
	return index(", " l ", ", ", " st ", ") ? l : (l == "" ? st : l ", " st)
}

# fuzzline M: "fuzz-total: writes=N accepted=N refused=N bad_readback=N"
function fuzzline(m) {
	fuzzhave = 1
	fzw = kv(m, "writes"); fza = kv(m, "accepted"); fzr = kv(m, "refused"); fzb = kv(m, "bad_readback")
}

# row NAME VALUE DETAIL WHY: one line of the lane's summary table; WHY is
# "" (OK) or why it fails. nchkfail counts the failed rows whose failure
# is not already a failed KTAP case ("k:" prefix: KTAP failures only).
function row(name, value, detail, why,   l) {
	l = (name ~ /^stock/ ? "stock" : (name == "KUnit" ? "kunit" : name))
	if (l in hung) why = why2(hung[l], why)
	if (why != "" && why !~ /^k:/) nchkfail++
	if (why != "" && why !~ /^k:/) problem(name ": " why)
	sub(/^k:/, "", why)
	printf "TABLE %-24s %-4s  %s%s\n", name, (why == "" ? "OK" : "FAIL"), value, (detail == "" ? "" : "  (" detail ")")
	if (why != "") printf "TABLE %-24s       ^ %s\n", "", why
}

# runtotals LABEL: pass/fail/skip of the documents of one step.
function runtotals(label,   i) {
	rp = rf = rs = rd = 0; rmods = ""
	for (i = 1; i <= ndoc; i++) {
		if (drun[i] != label) continue
		rp += dpass[i]; rf += dfail[i]; rs += dskip[i]; rd++
		rmods = rmods (rmods == "" ? "" : ", ") dmod[i] " " dpass[i] "/" dfail[i] "/" dskip[i]
	}
}

# memcum LABEL: MemFree after LABEL's unload minus the baseline, i.e. the
# sum of the step deltas up to LABEL. Judged rather than LABEL's own delta:
# a step may leave a few MB (KASAN/kmemleak metadata, per-CPU lists) that
# the next one gives back (-8184 then +7940 kB seen), while a leak stays.
function memcum(label,    i, sum) {
	sum = 0
	for (i = 1; i <= nruns; i++) {
		if (runs[i] in memhave) sum += memdelta[runs[i]]
		if (runs[i] == label) break
	}
	return sum
}
# memlast: the last step with a MemFree measurement.
function memlast(   i) {
	for (i = nruns; i >= 1; i--) if (runs[i] in memhave) return runs[i]
	return ""
}
# memwhy LABEL: "" or why MemFree after LABEL fails. After the last
# measured step the margin is memmargin; after an earlier one twice that:
# the 50 % min-order 0 fault step has left up to 8.7 MB that the next
# step gave back (README: MemFree), and a leak still shows at the end.
function memwhy(label,   m) {
	if (!(label in memhave)) return "no MemFree measurement"
	m = (label == memlast() ? memmargin : 2 * memmargin)
	if (memcum(label) < -m) return "MemFree " memcum(label) " kB below the baseline (margin " m " kB)"
	return ""
}
function memtxt(label) { return (label in memhave) ? sprintf("MemFree %+d kB, %+d since baseline", memdelta[label], memcum(label)) : "MemFree ?" }

# never: why a step never ran.
function never() { return hungstep != "" ? "skipped: step " hungstep " hung" : "missing" }

# why2 A B: A and B joined ("" when both are empty).
function why2(a, b) { return a == "" ? b : (b == "" ? a : a "; " b) }

function lanetable(   why, i, l, p, o, fails) {
	if (!nruns) return
	printf "TABLE %-24s %-4s  %s\n", "check", "", "value  (details)"
	row("sanitizer reports", nkasan + nubsan + nother, \
		"KASAN " (nkasan + 0) ", UBSAN " (nubsan + 0) ", BUG/Oops/other " (nother + 0), \
		(nkasan + nubsan + nother) ? "reports (above) in " sanin : "")
	row("lockdep reports", nlockdep + 0, "debug_locks=" (debuglocks == "" ? "?" : debuglocks), \
		why2(nlockdep ? "reports (above) in " lockin : "", debuglocks != "1" ? "lockdep not on to the end" : ""))
	row("kmemleak suspected leaks", nkours + 0, "ours " (nkours + 0) ", kernel-internal " (nkother + 0) " (shown above, not failed)", \
		why2(nkours ? "leaks involving our modules (above)" : "", \
		     kmlbad != "" ? kmlbad : (!kmldone ? "no scan" : "")))
	row("unexpected warnings", unexpected + 0, (expected + 0) " expected (in EXPECT-WARN brackets)", \
		unexpected ? "warnings outside brackets (above) in " warnin : "")

	runtotals("stock")
	row("stock suite (KTAP)", rp "/" rf "/" rs, "pass/fail/skip: " rmods, \
		rd == 0 ? "no documents" : (rf ? "k:" rf " failed" : ""))
	row("bad input (misuse_*)", (nmisusepass["stock"] + 0) "/" (nmisuse["stock"] + 0), "cases passed/run in the stock suite", \
		!nmisuse["stock"] ? "no misuse_* cases" : (nmisusepass["stock"] != nmisuse["stock"] ? "k:misuse cases failed" : ""))

	if ("extras" in runseen) {
		runtotals("extras")
		row("extras", rp "/" rf "/" rs, "vcdev_test, vcompound_users; pass/fail/skip: " rmods, \
			rd == 0 ? "no documents" : (rf ? "k:" rf " failed" : ""))
	}

	runtotals("kunit")
	if ("kunit" in runmissing) row("KUnit", "missing", runmissing["kunit"], "missing")
	else row("KUnit", rp "/" rf "/" rs, "leaf cases pass/fail/skip: " rmods, \
		!("kunit" in runseen) ? "step never ran" : (rd == 0 ? "no KUnit output" : \
		(rp + rf + rs == 0 ? "no test results" : (rf ? "k:" rf " failed" : ""))))

	k = membase; sub(/ \(.*/, "", k)
	if (membase != "") printf "TABLE %-24s %-4s  %s\n", "", "", k "; margin " memmargin " kB below it at the end, " 2 * memmargin " after an earlier step"
	memsum = 0
	for (i = 1; i <= nruns; i++) if (runs[i] in memhave) memsum += memdelta[runs[i]]
	for (p = 10; p <= 50; p += 40) for (o = 0; o <= 1; o++) {
		l = "fault-p" p "-o" o
		runtotals(l)
		if (l in runmissing) { row(l, "missing", runmissing[l], "missing"); continue }
		if (!(l in runseen)) { row(l, "missing", "step never ran", never()); continue }
		if (!(l in ft)) { row(l, "missing", memtxt(l) ", KTAP " rp "/" rf "/" rs, "no faults-total line"); continue }
		why = ""
		if (fcalls[l] + 0 == 0) why = why2(why, "no calls")
		if (finvalid[l] + 0) why = why2(why, finvalid[l] " invalid")
		if (fout[l] != "0") why = why2(why, "outstanding " fout[l])
		if (fcalls[l] + 0 != fnull[l] + fvalid[l] + finvalid[l]) why = why2(why, "calls != null + valid + invalid")
		# fail_page_alloc's times counts down once per injected failure
		inj = kv(fpaon[l], "times") - fpaleft[l]
		if (fpaleft[l] == "" || kv(fpaon[l], "times") + 0 <= 0) why = why2(why, "no injection count (times)")
		else if (inj <= 0) why = why2(why, "nothing injected")
		# min-order 0 fails order-0 pages too: some calls must see NULL
		# other than those refused by contract (atomic, no block)
		if (frefused[l] == "") why = why2(why, "no refused= in faults-total")
		else if (o == 0 && fnull[l] - frefused[l] <= 0) why = why2(why, "no NULL but the refused: the injection never reached vcompound")
		if (nallocfail[l]) why = why2(why, nallocfail[l] " allocation failure report(s)")
		if (fpaoff[l] !~ / probability=0( |$)/) why = why2(why, "fail_page_alloc not switched off")
		why = why2(why, memwhy(l))
		if (why == "" && rf) why = "k:" rf " KTAP failed"
		row(l, sprintf("calls=%s null=%s refused=%s valid=%s invalid=%s outstanding=%s injected=%d", \
			fcalls[l], fnull[l], frefused[l], fvalid[l], finvalid[l], fout[l], inj), \
			memtxt(l) ", KTAP " rp "/" rf "/" rs ", " (nallocfail[l] + 0) " allocation-failure reports", why)
	}

	l = "stress"
	runtotals(l)
	if (!(l in runseen)) row(l, "missing", "step never ran", never())
	else if (!st[l]) row(l, "missing", memtxt(l) ", KTAP " rp "/" rf "/" rs, "no '# stress:' lines")
	else {
		why = memwhy(l)
		if (sops[l] < 1000000) why = why2(why, sops[l] " operations, fewer than 10^6")
		if (why == "" && rf) why = "k:" rf " KTAP failed"
		row(l, sprintf("threads=%d ops=%d allocs=%d frees=%d hardirq_frees=%d null=%d", \
			sthreads[l], sops[l], sallocs[l], sfrees[l], shfrees[l], snull[l]), \
			st[l] " cases, " memtxt(l) ", KTAP " rp "/" rf "/" rs, why)
	}

	printf "TABLE %-24s %-4s  %s\n", "", "", sprintf("MemFree: %+d kB over all measured steps since the baseline", memsum)
	l = "fuzz"
	if (l in runmissing) row(l, "missing", runmissing[l], "missing")
	else if (!(l in runseen)) row(l, "missing", "step never ran", never())
	else if (!fuzzhave) row(l, "missing", memtxt(l) ", rc=" fuzzrc, "no fuzz-total line")
	else {
		why = memwhy(l)
		if (fzw + 0 == 0) why = why2(why, "no writes")
		if (fzb + 0) why = why2(why, fzb " bad read-backs")
		if (fuzzrc != "0") why = why2(why, "fuzz.sh exit status " fuzzrc)
		row(l, sprintf("writes=%s accepted=%s refused=%s bad_readback=%s", fzw, fza, fzr, fzb), \
			memtxt(l) ", rc=" fuzzrc, why)
	}
}
