# SPDX-License-Identifier: GPL-2.0
#
# lane.awk: the debug lane's steps (init.sh's debug_lane, between "vclab:
# run <label> begin/end"): the totals lines of the faults and stress
# suites and of fuzz.sh, a fault run's allocation failure reports, the
# blocked tasks of a hung step; at the end, lanetable(): one TABLE row per
# check, a failed row counted in nchkfail (README.md, "Judging and the
# summary table"). A fault run judges its injection itself (init.sh
# fault_verdict: the "fault L rc=N" line); MemFree must stay within the margin.

BEGIN {
	# MemFree (+ per-CPU lists + stack depot) after a step's unload,
	# against the value before it: calibrated on the debug kernel
	# (README.md, "MemFree": up to 8.7 MB held after the 50 % min-order 0
	# fault step and given back during the next one; see memwhy()).
	if (memmargin == "") memmargin = 8192
}

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

# runshere LABEL: whether this kernel's lane runs step LABEL (-v steps).
function runshere(label) { return steps == "" || index(" " steps " ", " " label " ") > 0 }
# elsewhere NAME LABEL: the row of a step this kernel does not run; 1 when
# so (a step that ran anyway fails: /init and the host disagree).
function elsewhere(name, label) {
	if (runshere(label)) return 0
	if (label in runseen) row(name, "ran", "not in this kernel's steps", "ran, though not in this kernel's steps (-v steps)")
	else printf "TABLE %-24s %-4s  %s\n", name, "-", "not run here: the other debug kernel's step (tests/debug-kernel/steps.conf)"
	return 1
}

# never: why a step never ran.
function never() { return hungstep != "" ? "skipped: step " hungstep " hung" : "missing" }

# lanetable: the debug lane's summary table (TABLE lines), one row per check.
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

	if (!elsewhere("stock suite (KTAP)", "stock")) {
		runtotals("stock")
		row("stock suite (KTAP)", rp "/" rf "/" rs, "pass/fail/skip: " rmods, \
			rd == 0 ? "no documents" : (rf ? "k:" rf " failed" : ""))
	}
	# the misuse cases run in the stock suite or in KUnit, whichever runs here
	l = runshere("stock") ? "stock" : "kunit"
	if (!elsewhere("bad input (misuse_*)", l))
		row("bad input (misuse_*)", (nmisusepass[l] + 0) "/" (nmisuse[l] + 0), "cases passed/run in the " (l == "stock" ? "stock suite" : "KUnit module"), \
			!nmisuse[l] ? "no misuse_* cases" : (nmisusepass[l] != nmisuse[l] ? "k:misuse cases failed" : ""))

	if (!runshere("extras")) elsewhere("extras", "extras")
	else if ("extras" in runseen) {
		runtotals("extras")
		row("extras", rp "/" rf "/" rs, "vcdev_test, vcompound_users; pass/fail/skip: " rmods, \
			rd == 0 ? "no documents" : (rf ? "k:" rf " failed" : ""))
	}

	runtotals("kunit")
	if (elsewhere("KUnit", "kunit")) ;
	else if ("kunit" in runmissing) row("KUnit", "missing", runmissing["kunit"], "missing")
	else row("KUnit", rp "/" rf "/" rs, "leaf cases pass/fail/skip: " rmods, \
		!("kunit" in runseen) ? "step never ran" : (rd == 0 ? "no KUnit output" : \
		(rp + rf + rs == 0 ? "no test results" : (rf ? "k:" rf " failed" : ""))))

	k = membase; sub(/ \(.*/, "", k)
	if (membase != "") printf "TABLE %-24s %-4s  %s\n", "", "", k "; margin " memmargin " kB below it at the end, " 2 * memmargin " after an earlier step"
	memsum = 0
	for (i = 1; i <= nruns; i++) if (runs[i] in memhave) memsum += memdelta[runs[i]]
	for (p = 10; p <= 50; p += 40) for (o = 0; o <= 1; o++) {
		l = "fault-p" p "-o" o
		if (elsewhere(l, l)) continue
		runtotals(l)
		if (l in runmissing) { row(l, "missing", runmissing[l], "missing"); continue }
		if (!(l in runseen)) { row(l, "missing", "step never ran", never()); continue }
		if (!(l in ft)) { row(l, "missing", memtxt(l) ", KTAP " rp "/" rf "/" rs, "no faults-total line"); continue }
		why = ""
		if (fcalls[l] + 0 == 0) why = why2(why, "no calls")
		if (finvalid[l] + 0) why = why2(why, finvalid[l] " invalid")
		if (fout[l] != "0") why = why2(why, "outstanding " fout[l])
		if (fcalls[l] + 0 != fnull[l] + fvalid[l] + finvalid[l]) why = why2(why, "calls != null + valid + invalid")
		# the step judged its injection itself (init.sh fault_verdict)
		inj = kv(faultmsg[l], "injected") + 0
		if (!(l in faultrc)) why = why2(why, "no verdict of its own (fault " l " rc=N)")
		else if (faultrc[l] != "0") why = why2(why, "the step says: " faultmsg[l])
		# min-order 0 fails order-0 pages too: some calls must see NULL
		# other than those refused by contract (atomic, no block)
		if (frefused[l] == "") why = why2(why, "no refused= in faults-total")
		else if (o == 0 && fnull[l] - frefused[l] <= 0) why = why2(why, "no NULL but the refused: the injection never reached vcompound")
		if (nallocfail[l]) why = why2(why, nallocfail[l] " allocation failure report(s)")
		why = why2(why, memwhy(l))
		if (why == "" && rf) why = "k:" rf " KTAP failed"
		row(l, sprintf("calls=%s null=%s refused=%s valid=%s invalid=%s outstanding=%s injected=%d", \
			fcalls[l], fnull[l], frefused[l], fvalid[l], finvalid[l], fout[l], inj), \
			memtxt(l) ", KTAP " rp "/" rf "/" rs ", " (nallocfail[l] + 0) " allocation-failure reports", why)
	}

	l = "stress"
	runtotals(l)
	if (elsewhere(l, l)) ;
	else if (!(l in runseen)) row(l, "missing", "step never ran", never())
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
	if (elsewhere(l, l)) ;
	else if (l in runmissing) row(l, "missing", runmissing[l], "missing")
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
