# SPDX-License-Identifier: GPL-2.0
#
# demo.awk: make demo (-v mode=demo) and make bench (-v mode=bench). The
# demo's story is shown (its lines, the converted users' KTAP results,
# vcstat's output, the stats; report.awk prints it); the converted users'
# document is judged by ktap.awk as in test mode. The benchmark module
# must print its END line and no ERROR line.

# ---- the converted vmalloc users' KTAP lines are the demo's story too
mode == "demo" && cur == usersmod && line ~ /^((not )?ok [0-9]|# )/ { demolines[++ndemo] = line }

# ---- demo output
# Only the demo's own lines: other kernel messages of the moment are noise.
demo && line ~ /^vcompound/ { demolines[++ndemo] = line }

# ---- bench output (tests/bench): figures, errors, the end marker
index(line, "vcompound_bench: ROW ") == 1 { nbrow++ }
index(line, "vcompound_bench: ERROR ") == 1 { nberr++; problem("benchmark " substr(line, 18)) }
index(line, "vcompound_bench: END") == 1 { bend = 1 }

# demo_end: the demo module must have loaded; the benchmark must have
# finished. Its figures go with the KTAP counts (summ[], report.awk).
function demo_end() {
	if (mode == "demo" && !demoloaded) problem(demomod " was never loaded")
	if (mode == "bench") {
		if (!bend) problem("the benchmark module never printed its END line")
		summ[++nsumm] = sprintf("  bench: %d figures, %d errors", nbrow, nberr)
	}
}
