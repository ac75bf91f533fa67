# SPDX-License-Identifier: GPL-2.0
#
# splats.awk: the console scan for kernel reports, the last file with
# rules: what no earlier file took is a kernel message. Any of the FATAL
# patterns anywhere fails, EXPECT-WARN brackets or not; WARNING: and Call
# Trace fail unless inside a bracket (brackets.awk). Lockdep, KASAN,
# ODEBUG and DEBUG_LIST reports are in FATAL too (a debug kernel prints
# them; stock kernels cannot). Taint other than O and E (W when every
# warning was bracketed, N when KUnit ran) fails. On a debug kernel
# (-v debug=1) "kmemleak" is not fatal (kmemleak.awk judges its report),
# kmemleak or lockdep switching itself off fails, and the first lines of
# each report are kept for report.awk.

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
}

# splat_everyline: for every line (common.awk): the last nctx lines, and
# on a debug kernel the first splatmax lines of a report being captured.
function splat_everyline() {
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

# addstep LIST: LIST with the current step of the debug lane added.
function addstep(l,   st) {
	st = (runlabel == "" ? "outside steps" : runlabel)
	return index(", " l ", ", ", " st ", ") ? l : (l == "" ? st : l ", " st)
}

# lockdep_end (debug): lockdep must have watched the whole run.
function lockdep_end() {
	if (debuglocks != "" && debuglocks != "1" && !lockdepoff)
		problem("lockdep was off at the end of the run (debug_locks=" debuglocks ")")
	else if (debuglocks == "" && started && ended) problem("no debug_locks report from /init")
}

# taint_end: only the flags the run explains.
function taint_end() {
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
}
