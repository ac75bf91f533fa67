# SPDX-License-Identifier: GPL-2.0
#
# report.awk: the one END. Each file's end-of-log checks run here in a
# fixed order (the order of the FAIL lines), then the report: the KTAP and
# bench counts, the demo's story, failed and skipped cases, the problems
# (the first maxshow), on a debug kernel the reports, kmemleak's suspected
# leaks and the lane's TABLE lines; last
#   RESULT <passed> <failed> <skipped> <OK|FAIL> <expected-warnings> <unexpected-warnings>
# whose failed count includes one per failed check of the table.

END {
	if (debug) { kmemleak_end(); lockdep_end() }
	markers_end()
	brackets_end()
	ktap_end()
	demo_end()
	taint_end()

	for (i = 1; i <= nsumm; i++) print summ[i]
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
