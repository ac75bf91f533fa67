# SPDX-License-Identifier: GPL-2.0
#
# ktap.awk: the KTAP documents. Every module that /init lists in "vclab:
# ktap-modules ..." (older logs: the test module) must print exactly one
# document after its "modprobe/insmod X begin" marker (in the debug lane:
# one per step it is loaded in), starting with "KTAP version", with one
# plan that matches its number of results, numbered in sequence; the
# totals are summed over the documents. -v plans=FILE pins every
# document's case count per mode and kernel (-v release=REL); -v
# skipallow=FILE lists the only skips that do not fail.
#
# Nested KTAP (KUnit): indented subtests are parsed too; only leaf results
# (a result with no subtest results of its own) count as cases, a parent's
# "not ok" without a failing child counts as one failure; a KUnit module
# (listed in "vclab: ktap-modules" and loaded in the lane's kunit step, or
# printing "# Subtest:") needs no top-level header or plan (KUnit prints
# none for modules). Kept in awk rather than the kernel's kunit.py parse:
# README.md, "Judging".

BEGIN {
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

# docname: the owner of a KTAP document: "<run label>/<module>" in a step
# of the debug lane, the module name otherwise.
function docname() { return (runlabel == "" ? cur : runlabel "/" cur) }

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

# ktap_end: one document per KTAP module load, each complete and pinned;
# a line per document for the report (summ[]).
function ktap_end(   k, m, i) {
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
				summ[++nsumm] = sprintf("  kunit %s: %d passed, %d failed, %d skipped (leaf cases of %d suites)", m, dpass[i], dfail[i], dskip[i], dres[i])
				continue
			}
			if (!dheader[i]) problem(m ": KTAP document without a 'KTAP version' header")
			if (dplan[i] == "") problem(m ": no KTAP plan (1..N)")
			else if (dplan[i] != dres[i]) problem(m ": KTAP plan 1.." dplan[i] " but " dres[i] " results")
			pincheck(m, dplan[i] == "" ? dres[i] : dplan[i], "plan 1..")
			summ[++nsumm] = sprintf("  ktap %s: %d passed, %d failed, %d skipped (plan %s)%s", m, dpass[i], dfail[i], dskip[i], \
				(dplan[i] == "" ? "missing" : "1.." dplan[i]), (dheader[i] ? "" : ", no 'KTAP version' header"))
		}
		if (haveklist && started && modinforc == "") problem("no modinfo report for the core module")
	}
}

# pincheck DOC N WHAT: N (the module's plan, or KUnit's leaf cases) must
# be what plans.conf pins: a module cannot drop its own cases unseen.
function pincheck(d, n, what,   p) {
	if (plans == "") return
	p = pinned(d)
	if (p == "") problem(d ": no pinned case count for " (debug ? "debug" : mode) " on " release " in " plans)
	else if (n + 0 != p) problem(d ": " what (what ~ /\.\.$/ ? "" : " ") n ", but " plans " pins " p)
}
