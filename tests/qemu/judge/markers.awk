# SPDX-License-Identifier: GPL-2.0
#
# markers.awk: the lines /init writes through /dev/kmsg ("vclab: ...",
# "vclab-stats: ...", ...), the guest's own reports on what it ran; each
# is listed in README.md ("Markers: what the guest tells the host").
# They are not kernel messages: no later file sees them (but
# "vclab-fuzz:", fuzz.sh's output, which lane.awk takes). What a step
# judged itself (an exit status, a write that failed) fails here; the
# rest is kept for the other files (run labels, MemFree, fail_page_alloc,
# the KTAP module being loaded).

# parm: a modinfo "parm:" line must have a description and a type: kmod
# prints "name:description (type)", "name:description" (no type known) or,
# with no description, "name:type".
function checkparm(l,   r) {
	r = l; sub(/^parm:[ \t]*/, "", r)
	if (!match(r, /:/)) { problem("modinfo: malformed line: " l); return }
	nm = substr(r, 1, RSTART - 1); r = substr(r, RSTART + 1)
	sub(/^[ \t]+/, "", r); sub(/[ \t]+$/, "", r)
	if (r == "" || r ~ /^[a-z]+$/ || r ~ /^array of [a-z]+$/)
		problem("modinfo: parameter " nm " has no description (MODULE_PARM_DESC)")
	else if (r !~ /\((array of )?[a-z]+\)$/)
		problem("modinfo: parameter " nm " has no type (MODULE_PARM_TYPE)")
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
	} else if (m ~ /^fault [^ ]+ rc=[0-9]+: /) {
		# the fault step's own verdict on its injection
		split(m, w, " "); k = w[2]
		faultrc[k] = substr(w[3], 4); sub(/:$/, "", faultrc[k])
		faultmsg[k] = after(m, w[3] " ")
	} else if (m ~ /^modprobe [^ ]+ timeout: /) {
		problem((runlabel == "" ? "" : runlabel ": ") m)
		k = m; sub(/ timeout: /, " ", k)
		hung[runlabel == "" ? "-" : runlabel] = "hung: " k "; later steps skipped"
		hungstep = (runlabel == "" ? "?" : runlabel)
	} else if (m ~ /^fail_page_alloc: cannot/) {
		problem(m)
	} else if (m ~ /^params rc=[0-9]+/) {
		# init.sh's params_check judges itself
		paramsrc = after(m, "params rc="); sub(/[^0-9].*/, "", paramsrc)
		if (paramsrc != "0") problem(m)
	} else if (m ~ /^fuzz-total: /) {
		fuzzline(m)
	} else if (m ~ /^fuzz rc=/) {
		fuzzrc = after(m, "fuzz rc=")
	} else if (index(m, "init start") == 1) {
		started = 1
		# "step=sysfs": the boot without debugfs (no parameter check)
		if (m ~ / step=sysfs( |$)/) step = "sysfs"
	} else if (m == "end-of-run" || m == "end-of-run (console)") ended = 1
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
	} else if (m ~ /^check [^ ]+ rc=/) {
		# a check of /init's own (the sysfs step: debugfs off, the
		# lockdown, vcstat against sysfs)
		split(m, w, " "); rc = after(w[3], "rc="); sub(/:$/, "", rc)
		checked[w[2]] = rc
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

# markers_end: a run that did not end as /init ends it proves nothing.
function markers_end() {
	if (timedout) problem("guest timed out after " timedout " s (killed)")
	if (!started) problem("guest never reached the lab /init")
	else if (!ended) problem("guest never reached the end marker (crash, panic or hang)")
	# -v needchecks=A,B: the checks the run asks for must all have run
	nneed = split(needchecks, need, ",")
	for (i = 1; i <= nneed; i++)
		if (!(need[i] in checked)) problem("no check " need[i] " (vclab: check " need[i] " rc=N) in the log")
	# a test run outside the debug lane checks the parameters first
	if (started && mode == "test" && step != "sysfs" && !debug && haveklist && paramsrc == "")
		problem("no parameter check (vclab: params rc=...)")
}
