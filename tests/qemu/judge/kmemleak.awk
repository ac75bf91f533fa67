# SPDX-License-Identifier: GPL-2.0
#
# kmemleak.awk (debug lane): the kmemleak report that /init dumps after
# unloading the modules ("vclab-kmemleak: " lines, markers.awk) is judged
# object by object: a suspected leak fails when its allocation backtrace
# involves our modules (kmemleak_ours()); kernel-internal ones are shown
# (report.awk, at most splatmax lines each) but do not fail. No rules of
# its own: the lines are taken by markers.awk, kmemleak switching itself
# off by splats.awk.

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

# kmemleak_end: one suspected leak per "unreferenced object" block, ours
# (kmlown[]) or kernel-internal (kmlother[]), "first:last" lines of kml[].
function kmemleak_end() {
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
}
