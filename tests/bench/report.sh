#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh --out DIR --md FILE [--meta FILE] PASS:CONSOLE_LOG...
#
# Reads the "vcompound_bench: ROW ..." lines of the guest console logs
# (bench.sh: pass "icount" and pass "smp") and
#   - writes DIR/results.csv: metric,param,vcompound_ns,baseline,baseline_ns,ratio
#     (medians; ratio = vcompound / baseline), one row per metric and order
#     or size; and DIR/parts.csv, the single-sided part timings;
#   - regenerates FILE (tests/bench/RESULTS.md): the tables with spread
#     (min-max of the repetitions), the targets, the decomposition of the
#     virtual path, notes on each metric and target computed from the
#     same rows, and the run's commit, kernel and settings (--meta: lines
#     "key value" written by bench.sh); every figure in FILE comes from the
#     logs or the meta file, none from a file kept by hand;
#   - prints the table.
# Exits non-zero when a log lacks its END line or has ERROR lines.
#
# To regenerate the report from the logs of an earlier run (no QEMU):
#   tests/bench/report.sh --out /tmp/r --md /tmp/r/RESULTS.md \
#       --meta BUILD/bench/meta icount:BUILD/bench/icount/REL/console.log \
#       smp:BUILD/bench/smp/REL/console.log

set -euo pipefail

OUT="" MD="" META=""
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--md) MD=$2; shift 2 ;;
	--meta) META=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "report.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ -z "$OUT" ] || [ -z "$MD" ] || [ $# -eq 0 ]; then
	echo "usage: report.sh --out DIR --md FILE [--meta FILE] PASS:LOG..." >&2
	exit 2
fi
mkdir -p "$OUT"

args=()
for a in "$@"; do
	args+=("${a%%:*}" "${a#*:}")
done

awk -v out="$OUT" -v md="$MD" -v meta="${META:-/dev/null}" '
BEGIN {
	while ((getline l < meta) > 0) {
		k = l; sub(/ .*/, "", k); v = l; sub(/^[^ ]* ?/, "", v)
		M[k] = v
	}
	# ARGV: pass log pass log ...
	n = ARGC; ARGC = 1
	for (i = 1; i < n; i += 2) { pass[++np] = ARGV[i]; file[np] = ARGV[i + 1] }
	for (j = 1; j <= np; j++) readlog(pass[j], file[j])
	report()
	exit bad
}

function readlog(p, f,   l, w, nw, k, ended) {
	ended = 0
	while ((getline l < f) > 0) {
		sub(/\r$/, "", l); sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "", l)
		if (l ~ /^vclab: init start /) { r = l; sub(/.*release=/, "", r); release[p] = r }
		if (index(l, "vcompound_bench: ") != 1) continue
		l = substr(l, 18)
		nw = split(l, w, " ")
		if (w[1] == "BEGIN") { sub(/^BEGIN /, "", l); params[p] = l }
		else if (w[1] == "END") { ended = 1; sub(/^END /, "", l); guest[p] = l }
		else if (w[1] == "ERROR") { errors[++nerr] = p ": " l; bad = 1 }
		else if (w[1] == "#") { sub(/^# /, "", l); notes[++nnote] = l }
		else if (w[1] == "ROW" && nw == 10) {
			k = w[2] SUBSEP w[3]
			if (!(k in vmed)) { order[++nrow] = k; rm[nrow] = w[2]; rp[nrow] = w[3] }
			vmed[k] = w[4]; vmin[k] = w[5]; vmax[k] = w[6]
			base[k] = w[7]; bmed[k] = w[8]; bmin[k] = w[9]; bmax[k] = w[10]
		}
	}
	close(f)
	if (!ended) { errors[++nerr] = p ": no END line (benchmark did not finish; see " f ")"; bad = 1 }
}

function isnum(x) { return x ~ /^[0-9]+(\.[0-9]+)?$/ }
function ratio(k) {
	if (!isnum(bmed[k]) || !isnum(vmed[k])) return ""
	if (bmed[k] + 0 == 0) return (vmed[k] + 0 == 0) ? "" : "inf"
	return sprintf("%.3f", vmed[k] / bmed[k])
}
function pct(m) { return m ~ /^(P6(ok|phys)|P5rel)$/ }
function unit(m) { return pct(m) ? "%" : "" }
function cell(m, a, lo, hi) {
	if (!isnum(a)) return "-"
	return a unit(m) " (" lo "-" hi ")"
}
function kib(p,   v) {
	v = p; if (v ~ /KiB$/) { sub(/KiB$/, "", v); return v + 0 }
	sub(/B$/, "", v); return v / 1024
}
function ord(p,   v) { v = p; sub(/^order=/, "", v); return v + 0 }
# target KEY: "r<=1.03" (ratio), "v<=150" (vcompound value), "c>=0.95" (P5:
# the speedup over the speedup of the compute loop in the same pass), "".
# P2.bookkeeping is computed here (bkeep()), not a row of the log.
function target(m, p,   o) {
	o = ord(p)
	if ((m == "P2" || m == "P7") && p ~ /^pages=/) return around(m, p)
	if (m == "P1") return "r<=1.03"
	if (m == "P2") return o <= 2 ? "r<=0.60" : o == 3 ? "r<=0.80" : o == 4 ? "r<=0.85" : "r<=0.95"
	if (m == "P7") return o >= 4 ? "r<=0.60" : "r<=0.80"
	if (m == "P2.bookkeeping") return "v<=250"
	if (m == "P3") return kib(p) < 16 ? "r<=1.10" : "r<=0.70"
	if (m == "P4enq") return "v<=150"
	if (m == "P5") return "c>=0.95"
	return ""
}
# A row of sizes that are not a power of two of pages (param "pages=N" or
# "pages=LO-HI"): at most the largest ratio, in the same run, of the orders
# from the one below the smallest size to the one above the largest (the
# tables start at order 1); "" while none of them has a ratio.
function around(m, p,   r, lo, hi, olo, ohi, o, x, best) {
	r = p; sub(/^pages=/, "", r)
	lo = r; hi = r
	if (r ~ /-/) { lo = r; sub(/-.*/, "", lo); hi = r; sub(/.*-/, "", hi) }
	lo += 0; hi += 0
	for (olo = 0; 2 ^ (olo + 1) <= lo; olo++) ;
	for (ohi = 0; 2 ^ ohi < hi; ohi++) ;
	if (olo < 1) olo = 1
	best = ""
	for (o = olo; o <= ohi; o++) {
		if (!hasb(m, "order=" o)) continue
		x = rat(m, "order=" o)
		if (x != "" && x != "inf" && (best == "" || x + 0 > best + 0)) best = x
	}
	return best == "" ? "" : "r<=" best
}
function tshow(t,   s, c) {
	if (t == "") return ""
	c = substr(t, 1, 1)
	s = c == "r" ? "ratio " : c == "c" ? "speedup / compute speedup " : ""
	return s substr(t, 2, 2) " " substr(t, 4) (c == "v" ? " ns" : "")
}
function tlim(t) { return substr(t, 4) + 0 }
# The speedup of the compute loop in the same pass, or "" without its row.
function cspeed(   x) {
	x = ratio("P5ref" SUBSEP "compute")
	return (x == "" || x == "inf" || x + 0 == 0) ? "" : x
}
# A speedup over that of the compute loop (P5 target), or "": the median
# of the paired repetitions (P5rel, percent) where the log has them, else
# the quotient of the two medians.
function scal(k,   x, cs, a) {
	split(k, a, SUBSEP)
	if (has("P5rel", a[2])) return sprintf("%.3f", vcv("P5rel", a[2]) / 100)
	x = ratio(k); cs = cspeed()
	if (x == "" || x == "inf" || cs == "") return ""
	return sprintf("%.3f", x / cs)
}
# The figure target @t is about: the ratio, the scaled speedup or the value.
function tval(t, k,   c) {
	c = substr(t, 1, 1)
	return c == "r" ? ratio(k) : c == "c" ? scal(k) : vmed[k]
}
function holds(t, k) { return holdsx(t, tval(t, k)) }
function holdsx(t, x,   lim) {
	if (t == "") return ""
	if (x == "" || x == "inf") return "n/a"
	lim = substr(t, 4) + 0
	if (substr(t, 2, 2) == "<=") return (x + 0 <= lim) ? "holds" : "MISS"
	return (x + 0 >= lim) ? "holds" : "MISS"
}
function part(m, p,   k) { k = m SUBSEP p; return (k in vmed) ? vmed[k] : "" }
# The id part: P2.id, or P2.xa in logs from before vbid.c.
function idpart(p,   x) { x = part("P2.id", p); return x == "" ? part("P2.xa", p) : x }
# What vmalloc() does not do, per block of order @o: the descriptor, the id
# and claim, and the lookup on free (parts P2.desc, P2.id, P2.lookup).
function bkeep(o,   p, d, x, lk) {
	p = "order=" o
	d = part("P2.desc", p); x = idpart(p); lk = part("P2.lookup", "order=0")
	if (!isnum(d) || !isnum(x) || !isnum(lk)) return ""
	return sprintf("%.1f", d + x + lk)
}

# ---- notes on each metric, computed from the rows above (README.md says
# what they mean and keeps no figure of its own)
function has(m, p) { return ((m SUBSEP p) in vmed) && isnum(vmed[m SUBSEP p]) }
function hasb(m, p) { return has(m, p) && isnum(bmed[m SUBSEP p]) }
function vcv(m, p) { return vmed[m SUBSEP p] + 0 }
function bsv(m, p) { return bmed[m SUBSEP p] + 0 }
function rat(m, p) { return ratio(m SUBSEP p) }
# A range over labelled values: ra() adds, rs() shows "lo (label) to hi (label)".
function ra(n, x, lab) {
	x += 0
	if (!RN[n] || x < RL[n]) { RL[n] = x; RLL[n] = lab }
	if (!RN[n] || x > RH[n]) { RH[n] = x; RHL[n] = lab }
	RN[n]++
}
function rs(n, f) {
	if (!RN[n]) return "-"
	if (RN[n] == 1 || RL[n] == RH[n]) return sprintf(f, RL[n]) (RN[n] == 1 ? " (" RLL[n] ")" : "")
	return sprintf(f, RL[n]) " (" RLL[n] ") to " sprintf(f, RH[n]) " (" RHL[n] ")"
}
function kibp(p) { return kib(p) < 16 ? "lt16" : "ge16" }

function targets(   i, k, m, p, t, h, g, x, o, ng, gl, gm, gt, th, tm) {
	for (i = 1; i <= nrow; i++) {
		k = order[i]; m = rm[i]; p = rp[i]
		if (base[k] == "-") continue
		t = target(m, p)
		if (t == "") continue
		g = m SUBSEP t
		if (!(g in gm)) { gl[++ng] = g; gm[g] = m; gt[g] = tshow(t) }
		h = holds(t, k)
		x = tval(t, k)
		if (x == "") x = "n/a"
		if (h == "holds") th[g] = th[g] (th[g] == "" ? "" : ", ") p " " x
		else tm[g] = tm[g] (tm[g] == "" ? "" : ", ") p " " x
	}
	m = "P2.bookkeeping"
	for (o = 1; o <= 10; o++) {
		x = bkeep(o); p = "order=" o
		if (x == "") continue
		t = target(m, p); g = m SUBSEP t
		if (!(g in gm)) { gl[++ng] = g; gm[g] = m; gt[g] = tshow(t) }
		if (holdsx(t, x) == "holds") th[g] = th[g] (th[g] == "" ? "" : ", ") p " " x
		else tm[g] = tm[g] (tm[g] == "" ? "" : ", ") p " " x
	}
	if (!ng) return
	printf "\n## Targets, one by one\n\n| metric | target | holds | missed |\n|---|---|---|---|\n" > md
	for (i = 1; i <= ng; i++) {
		g = gl[i]
		printf "| %s | %s | %s | %s |\n", gm[g], gt[g], th[g] == "" ? "-" : th[g], \
			tm[g] == "" ? "-" : tm[g] > md
	}
}

function notes_head() {
	if (noted++) return
	printf "\n## Notes computed from this run\n\n" > md
	printf "Each figure below is computed by report.sh from the rows above (medians," \
		" ns-equivalents unless a unit is given); README.md explains what they mean.\n\n" > md
}

function notes_p1(   o, p, t3, vav) {
	if (!hasb("P1", "order=0")) return
	for (o = 0; o <= 10; o++) {
		p = "order=" o
		if (!hasb("P1", p)) continue
		ra("p1.d", vcv("P1", p) - bsv("P1", p), p)
		if (hasb("P1n", p)) {
			ra("p1.dn", vcv("P1n", p) - bsv("P1n", p), p)
			ra("p1.pol", bsv("P1", p) - bsv("P1n", p), p)
		}
	}
	notes_head()
	printf "- **P1.** vcompound costs %s more per alloc+free pair than alloc_pages()," \
		" and %s more than alloc_pages_node(NUMA_NO_NODE), the call it makes;" \
		" alloc_pages() itself costs %s more than alloc_pages_node().", \
		rs("p1.d", "%.1f"), rs("p1.dn", "%.1f"), rs("p1.pol", "%.1f") > md
	t3 = 0.03 * bsv("P1", "order=0")
	printf " The 3%% the target allows is %.1f at order 0.", t3 > md
	if (has("P1.virt_addr_valid", "order=0")) {
		vav = vcv("P1.virt_addr_valid", "order=0")
		printf " virt_addr_valid() alone (P1.virt_addr_valid) is %.1f: %.1f%% of" \
			" alloc_pages() at order 0, %.0f%% of the extra cost of vcompound there.", vav, \
			100 * vav / bsv("P1", "order=0"), \
			(vcv("P1", "order=0") > bsv("P1", "order=0")) ? 100 * vav / (vcv("P1", "order=0") - bsv("P1", "order=0")) : 0 > md
	}
	printf "\n" > md
}

function notes_p2(   o, p, x, over, pg, mp, d, xa, lk, sum, tgt, lo, fo, fv, vv) {
	if (!hasb("P2", "order=1")) return
	over = ""
	for (o = 1; o <= 10; o++) {
		p = "order=" o
		if (!hasb("P2", p)) continue
		x = rat("P2", p)
		ra("p2.r", x, p)
		if (x + 0 > 1) over = over (over == "" ? "" : ", ") p " " x
		if (hasb("P2kv", p)) ra("p2.kv", rat("P2kv", p), p)
		if (o >= 4 && has("P2.pages", p) && has("P2.vmap", p))
			ra("p2.pm", 100 * (vcv("P2.pages", p) + (o <= 6 && has("P2.vm_map_ram", p) ? \
				vcv("P2.vm_map_ram", p) : vcv("P2.vmap", p))) / bsv("P2", p), p)
	}
	notes_head()
	printf "- **P2, the virtual path alone.** With always_fallback vcompound costs %s" \
		" of what vmalloc() of the same bytes does (ratio); ", rs("p2.r", "%.3f") > md
	if (over == "") printf "at no order more than vmalloc(), on unfragmented memory and" \
		" without the failed physical attempt a real fallback makes first (next note).", "" > md
	else printf "more than vmalloc() at %s.", over > md
	p = "order=1"
	if (has("P2.pages", p) && has("P2.desc", p) && isnum(idpart(p)) && has("P2.lookup", "order=0")) {
		pg = vcv("P2.pages", p); d = vcv("P2.desc", p); xa = idpart(p) + 0
		lk = vcv("P2.lookup", "order=0")
		mp = has("P2.vm_map_ram", p) ? vcv("P2.vm_map_ram", p) : vcv("P2.vmap", p)
		x = tlim(target("P2", p)); sum = pg + mp + d + xa + lk; tgt = x * bsv("P2", p)
		printf " At order 1: pages %.1f, mapping %.1f, descriptor %.1f, id and claim %.1f," \
			" lookup on free %.1f (sum %.1f), vcompound %.1f against %.1f for vmalloc();" \
			" the target (%.2f) is %.1f, %.1f below vcompound; descriptor, id and lookup," \
			" which vmalloc() does not do, add up to %.1f.", pg, mp, d, xa, lk, sum, \
			vcv("P2", p), bsv("P2", p), x, tgt, vcv("P2", p) - tgt, d + xa + lk > md
	}
	if (RN["p2.pm"])
		printf " From order 4 the pages and the mapping alone are %s of the time of vmalloc().", \
			rs("p2.pm", "%.0f%%") > md
	if (RN["p2.kv"])
		printf " Against kvmalloc() (P2kv: physical, memory not fragmented) the virtual" \
			" path costs %s times as much.", rs("p2.kv", "%.1f") > md
	printf "\n" > md

	# The fallback a caller really gets: P6 under fragmentation.
	lo = 0
	for (o = 0; o <= 10; o++) {
		p = "order=" o
		if (has("P6.vc_virtual", p) && has("P6.forced_virtual", p) && vcv("P6.forced_virtual", p) > 0) {
			fo[++lo] = o
		}
	}
	if (!lo) return
	p = "order=" fo[1]
	vv = vcv("P6.vc_virtual", p); fv = vcv("P6.forced_virtual", p)
	printf "- **P2 and a real fallback.** P2 times the virtual path with always_fallback," \
		" which skips the physical attempt and builds from order-0 pages only. A real" \
		" fallback pays a failed physical attempt first, then builds from chunks where" \
		" it can: under the fragmentation of P6 an attempt of vcompound_alloc() that" \
		" was not served physically (P6.vc_virtual: the failed physical attempt, then the" \
		" virtual block) cost %.1f at %s against %.1f for a virtual block with" \
		" always_fallback (P6.forced_virtual; ratio %.2f, difference %.1f)." \
		" P7 puts vcompound_alloc() against vmalloc() on that memory.\n\n", \
		vv, p, fv, vv / fv, vv - fv > md
	printf "  | order | vcompound_alloc(), virtual (P6.vc_virtual) | always_fallback (P6.forced_virtual) | difference | ratio |\n" > md
	printf "  |---|---:|---:|---:|---:|\n" > md
	for (o = 1; o <= lo; o++) {
		p = "order=" fo[o]
		vv = vcv("P6.vc_virtual", p); fv = vcv("P6.forced_virtual", p)
		printf "  | %d | %.1f | %.1f | %.1f | %.2f |\n", fo[o], vv, fv, vv - fv, vv / fv > md
	}
}

# P2floor: the pages and their mapping without bookkeeping, in the run of P2.
function notes_p2floor(   o, p, n, fr, t) {
	n = 0
	for (o = 1; o <= 10; o++) if (hasb("P2floor", "order=" o) && hasb("P2", "order=" o)) n++
	if (!n) return
	notes_head()
	printf "- **P2floor, the floor of the virtual path.** The pages in one bulk call and" \
		" the mapping vcompound makes (vm_map_ram() to 64 pages, vmap() above)," \
		" with no descriptor, id or lookup, against vmalloc() in the same run; P2 - P2floor" \
		" is what vcompound adds to it. Where the floor ratio is above the target of P2," \
		" no trimming of the bookkeeping alone reaches it.\n\n" > md
	printf "  | order | P2 | P2floor | vmalloc | P2 - P2floor | P2 / P2floor | P2 ratio | floor ratio | P2 target |\n" > md
	printf "  |---|---:|---:|---:|---:|---:|---:|---:|---|\n" > md
	for (o = 1; o <= 10; o++) {
		p = "order=" o
		if (!hasb("P2floor", p) || !hasb("P2", p)) continue
		fr = rat("P2floor", p); t = target("P2", p)
		printf "  | %d | %.1f | %.1f | %.1f | %.1f | %.3f | %s | %s | %s%s |\n", o, vcv("P2", p), \
			vcv("P2floor", p), bsv("P2", p), vcv("P2", p) - vcv("P2floor", p), \
			vcv("P2", p) / vcv("P2floor", p), rat("P2", p), fr, tshow(t), \
			(fr + 0 > tlim(t)) ? " (target below the floor)" : "" > md
	}
}

# Count rows are in tenths like the rest: "12.0" shows as 12.
function cnt(x) { if (x ~ /\.0$/) sub(/\.0$/, "", x); return x == "" ? "-" : x }
# The chunks of each order per virtual block of side @m (P7, P7f) at @p.
function chunks(m, p,   k, c) {
	c = ""
	for (k = ord(p) - 1; k >= 0; k--)
		if (has(m ".chunks" k, p)) c = c (c == "" ? "" : ", ") "k" k " " vmed[m ".chunks" k SUBSEP p]
	return c == "" ? "-" : c
}

# P7: vcompound against vmalloc() on fragmented memory, and what its blocks
# were made of (P7.physical, P7.virtual, P7.chunks<k>: counts, not ns); P7f
# the same with the physical attempt failed by the fault knob.
function notes_p7(   o, p, k, n, i, w, nw, fb, nz, s, f) {
	n = 0
	for (o = 1; o <= 10; o++) if (hasb("P7", "order=" o)) n++
	if (!n) return
	# Free blocks per order before P7, summed over the zones.
	for (i = 1; i <= nnote; i++) {
		if (notes[i] !~ /^P7 before buddyinfo:/) continue
		nw = split(notes[i], w, " ")
		for (k = 0; k <= 10 && nw - 10 + k >= 1; k++) fb[k] += w[nw - 10 + k]
		nz++
	}
	notes_head()
	printf "- **P7, vcompound against vmalloc() on fragmented memory.** On the fragmented memory of P6," \
		" always_fallback off, each side in turn allocates the same bytes in blocks of the" \
		" order and frees them. The counters of vcompound, read around each of its repetitions," \
		" give the blocks served physically and virtually per repetition (medians) and, per" \
		" virtual block, the chunks of each order it was built from (k: order of the chunk;" \
		" k0: order-0 pages). P7f: the same with every physical attempt failed by the" \
		" fault knob inject/physical (all blocks virtual, chunks from the same memory, no" \
		" real failed attempt), in the same turns; no target." > md
	if (nz) {
		s = ""
		for (k = 0; k <= 10; k++) s = s (k ? ", " : "") "o" k " " fb[k]
		printf " Free blocks before P7 (/proc/buddyinfo, all zones): %s.", s > md
	}
	printf "\n\n  | order | physical | virtual | chunks per virtual block | vcompound | vmalloc | ratio | target | | P7f | P7f ratio | P7f chunks per block |\n" > md
	printf "  |---|---:|---:|---|---:|---:|---:|---|---|---:|---:|---|\n" > md
	for (o = 1; o <= 10; o++) {
		p = "order=" o
		if (!hasb("P7", p)) continue
		f = hasb("P7f", p)
		printf "  | %d | %s | %s | %s | %.1f | %.1f | %s | %s | %s | %s | %s | %s |\n", o, \
			cnt(part("P7.physical", p)), cnt(part("P7.virtual", p)), chunks("P7", p), \
			vcv("P7", p), bsv("P7", p), rat("P7", p), tshow(target("P7", p)), \
			holds(target("P7", p), "P7" SUBSEP p), f ? vmed["P7f" SUBSEP p] : "-", \
			f ? rat("P7f", p) : "-", f ? chunks("P7f", p) : "-" > md
	}
	notes_p7exact()
	n = 0
	for (o = 1; o <= 10; o++) if (has("P7.pages", "order=" o) && has("P7.chunkpages", "order=" o)) n++
	if (!n) return
	printf "\n  The pages alone on the same memory, per block (P7.pages: order-0 pages in bulk, as" \
		" with always_fallback; P7.chunkpages: chunks of orders N-1..1 without reclaim, split," \
		" then the rest in bulk, as without it; both freed page by page; no descriptor," \
		" mapping or id), and the same parts of P2 on unfragmented memory:\n\n" > md
	printf "  | order | P7.pages | P7.chunkpages | chunkpages / pages | P2.pages |\n" > md
	printf "  |---|---:|---:|---:|---:|\n" > md
	for (o = 1; o <= 10; o++) {
		p = "order=" o
		if (!has("P7.pages", p) || !has("P7.chunkpages", p)) continue
		printf "  | %d | %s | %s | %.3f | %s |\n", o, vmed["P7.pages" SUBSEP p], \
			vmed["P7.chunkpages" SUBSEP p], vcv("P7.chunkpages", p) / vcv("P7.pages", p), \
			has("P2.pages", p) ? vmed["P2.pages" SUBSEP p] : "-" > md
	}
}

# The blocks of the last repetition of the sized row @p, from its note:
# B[1] physical, B[2] virtual (vcompound), B[3] alloc_pages_exact(),
# B[4] vmalloc() (P7exact); 0 without the note (logs from before P7exact).
function p7blocks(p, B,   i, l) {
	B[1] = B[2] = B[3] = B[4] = ""
	for (i = 1; i <= nnote; i++) {
		if (index(notes[i], "P7 " p ": ") != 1) continue
		l = notes[i]
		if (match(l, /blocks: [0-9]+ physical, [0-9]+ virtual/)) {
			split(substr(l, RSTART + 8, RLENGTH - 8), B, /[^0-9]+/)
		}
		if (match(l, /P7exact: [0-9]+ alloc_pages_exact\(\), [0-9]+ vmalloc/)) {
			l = substr(l, RSTART + 9, RLENGTH - 9)
			B[3] = l; sub(/ .*/, "", B[3]); B[4] = l; sub(/.*, /, "", B[4]); sub(/ .*/, "", B[4])
		}
		return B[4] != ""
	}
	return 0
}

# P7exact: the floor of a sized P7 row for an allocator that gives the tail
# back as alloc_pages_exact() does, no descriptor or id, vmalloc() where
# the pages are not there; in the same turns as P7.
function notes_p7exact(   n, i, p, t, fr, b, nb, v, above, mixed, under) {
	n = 0
	for (i = 1; i <= nrow; i++) if (rm[i] == "P7exact" && hasb("P7exact", rp[i]) && hasb("P7", rp[i])) n++
	if (!n) return
	printf "\n  The sized rows against their floor, P7exact: in the same turns, each block from" \
		" alloc_pages_exact() with the gfp of the physical attempt of vcompound (the tail split off" \
		" and freed page by page, no descriptor or id), or from vmalloc() where that fails;" \
		" freed with free_pages_exact() or vfree(); ratios against the same vmalloc() figure." \
		" Blocks: of the last repetition.\n\n" > md
	printf "  | size | P7 ratio | P7exact ratio | target | P7 blocks physical / virtual | P7exact blocks exact / vmalloc | floor |\n" > md
	printf "  |---|---:|---:|---|---|---|---|\n" > md
	above = mixed = ""
	for (i = 1; i <= nrow; i++) {
		p = rp[i]
		if (rm[i] != "P7exact" || !hasb("P7exact", p) || !hasb("P7", p)) continue
		t = target("P7", p); fr = rat("P7exact", p)
		b = p7blocks(p, nb)
		v = ""
		if (t != "" && fr != "inf" && fr + 0 > tlim(t)) {
			v = "above the target"
			if (b && nb[4] + 0 > 0) mixed = mixed (mixed == "" ? "" : ", ") p " (" nb[4] " of " \
				nb[3] + nb[4] " blocks from vmalloc())"
			else above = above (above == "" ? "" : ", ") p
		} else if (t != "") v = "below the target"
		if (b && nb[4] + 0 == 0 && vcv("P7", p) < vcv("P7exact", p))
			under = under (under == "" ? "" : ", ") p
		printf "  | %s | %s | %s | %s | %s | %s | %s |\n", p, rat("P7", p), fr, tshow(t), \
			b && nb[1] != "" ? nb[1] " / " nb[2] : "-", b ? nb[3] " / " nb[4] : "-", v > md
	}
	if (above != "")
		printf "\n  At %s the floor is above the target, with every block of P7exact from" \
			" alloc_pages_exact(): no allocator that gives the tail back as alloc_pages_exact()" \
			" does reaches it.\n", above > md
	if (mixed != "")
		printf "\n  At %s the floor is above the target too, but there it includes" \
			" vmalloc() where vcompound builds its chunked fallback, so it says less about" \
			" the tail.\n", mixed > md
	if (under != "")
		printf "\n  At %s vcompound is below P7exact, descriptor and id included: it gives the" \
			" tail back, and frees the block, in aligned power-of-two pieces, where" \
			" alloc_pages_exact() and free_pages_exact() go page by page; P7exact is the floor" \
			" of the page-by-page way only.\n", under > md
}

function notes_p3(   i, m, p, g) {
	for (i = 1; i <= nrow; i++) {
		m = rm[i]; p = rp[i]
		if ((m != "P3" && m != "P3v") || !hasb(m, p)) continue
		g = kibp(p)
		ra(m ".v." g, vcv(m, p), p)
		ra(m ".r." g, rat(m, p), p)
		if (m == "P3") ra("P3.b." g, bsv(m, p), p)
	}
	if (!RN["P3.v.lt16"] && !RN["P3.v.ge16"]) return
	notes_head()
	printf "- **P3.** The alloc+free pair of vcache costs %s below 16 KiB and %s from 16 KiB," \
		" against %s and %s for kmem_cache: ratio %s and %s; on virtual slabs (P3v)" \
		" %s and %s.\n", rs("P3.v.lt16", "%.1f"), rs("P3.v.ge16", "%.1f"), \
		rs("P3.b.lt16", "%.1f"), rs("P3.b.ge16", "%.1f"), rs("P3.r.lt16", "%.3f"), \
		rs("P3.r.ge16", "%.3f"), rs("P3v.r.lt16", "%.3f"), rs("P3v.r.ge16", "%.3f") > md
}

function notes_p4(   o, p, dr) {
	dr = ""
	for (o = 0; o <= 10; o++) {
		p = "order=" o
		if (hasb("P4enq", p)) { ra("p4.e", vcv("P4enq", p), p); ra("p4.h", bsv("P4enq", p), p) }
		if (hasb("P4drain", p)) dr = dr (dr == "" ? "" : ", ") p " " rat("P4drain", p)
	}
	if (!RN["p4.e"]) return
	notes_head()
	printf "- **P4.** The enqueue of a hardirq free costs %s, vfree() from hardirq %s.", \
		rs("p4.e", "%.1f"), rs("p4.h", "%.1f") > md
	if (dr != "") printf " The drain costs %s times what vfree() does in process context.", dr > md
	if (has("P2.lookup", "order=0") && has("P4.claim", "order=0"))
		printf " The checks it does there: lookup %.1f, claim %.1f.", \
			vcv("P2.lookup", "order=0"), vcv("P4.claim", "order=0") > md
	printf "\n" > md
}

function notes_p6(   o, p, eq, ne) {
	eq = ne = ""
	for (o = 0; o <= 10; o++) {
		p = "order=" o
		if (hasb("P6ok", p)) { ra("p6.ok", vcv("P6ok", p), p); ra("p6.rawok", bsv("P6ok", p), p) }
		if (hasb("P6phys", p)) {
			if (vcv("P6phys", p) == bsv("P6phys", p)) eq = eq (eq == "" ? "" : ", ") o
			else ne = ne (ne == "" ? "" : ", ") p " " vmed["P6phys" SUBSEP p] "% against " \
				bmed["P6phys" SUBSEP p] "%"
		}
		if (hasb("P6ns", p)) ra("p6.ns", vcv("P6ns", p), p)
		if (has("P6.forced_virtual", p)) ra("p6.fv", vcv("P6.forced_virtual", p), p)
	}
	if (!RN["p6.ok"]) return
	notes_head()
	printf "- **P6.** Under fragmentation vcompound served %s of the attempts, raw" \
		" alloc_pages() %s.", rs("p6.ok", "%.1f%%"), rs("p6.rawok", "%.1f%%") > md
	if (eq != "") printf " The physical share of the attempts of vcompound" \
		" equals the success rate of raw alloc_pages() at orders %s.", eq > md
	if (ne != "") printf " It differs at %s.", ne > md
	printf " An attempt (failures included) cost vcompound %s; a virtual block with" \
		" always_fallback %s.\n", rs("p6.ns", "%.1f"), rs("p6.fv", "%.1f") > md
}

function report(   i, k, m, p, csv, pcsv, t, h, o, s, sh, bf, bk, cs, sum, vc, vm, pg, vmp, mp, d, x, lk, un) {
	csv = out "/results.csv"; pcsv = out "/parts.csv"
	print "metric,param,vcompound_ns,baseline,baseline_ns,ratio" > csv
	print "metric,param,ns,min_ns,max_ns" > pcsv
	for (i = 1; i <= nrow; i++) {
		k = order[i]; m = rm[i]; p = rp[i]
		if (base[k] == "-") print m "," p "," vmed[k] "," vmin[k] "," vmax[k] > pcsv
		else print m "," p "," vmed[k] "," base[k] "," bmed[k] "," ratio(k) > csv
	}
	close(csv); close(pcsv)

	# ---- the table, on stdout and in RESULTS.md
	printf "# vcompound benchmark results\n\n" > md
	printf "Generated by `make bench` (tests/bench/bench.sh, report.sh); do not edit.\n" > md
	printf "How to read it, and the analysis of the targets missed: [README.md](README.md).\n\n" > md
	printf "- commit: %s\n", M["commit"] > md
	printf "- uncommitted changes in module/, compat/, tests/bench/: %s\n", M["dirty"] > md
	printf "- kernel: %s\n", M["kernel"] > md
	printf "- %s, TCG, `-m 1024`; pass icount: figures are instruction counts (1 ns =" \
		" 1 instruction); pass smp: wall-clock time (P5 only)\n", M["qemu"] > md
	printf "- guest command line added: `%s`\n", M["append"] > md
	for (i = 1; i <= np; i++)
		printf "- pass %s: QEMU `%s`, module `%s`; guest time %s; host load average before it: %s;" \
			" other processes on the host during it (build and boot included): %s\n", \
			pass[i], M["qargs_" pass[i]], params[pass[i]], guest[pass[i]], M["load_" pass[i]], \
			("others_" pass[i]) in M ? M["others_" pass[i]] : "not recorded" > md
	printf "- host: %s; %s; `make bench` took %s s\n\n", M["host"], M["date"], M["seconds"] > md

	printf "Each figure: median over the repetitions (min-max in brackets) of a timed batch," \
		" per-op ns = batch time / operations. ratio = vcompound / baseline (medians)." \
		" P5: the vcompound column is ns/op on 1 vCPU, the baseline column the aggregate" \
		" ns/op of 2 vCPUs, so ratio = speedup. P6ok: percent of the attempts that" \
		" succeeded, vcompound against raw alloc_pages(). P6phys: percent of the" \
		" attempts served physically, vcompound against raw alloc_pages() (all of whose" \
		" successes are physical, so its column is its P6ok); ratio = physical" \
		" successes of vcompound per success of raw alloc_pages(). P6ns: ns per attempt, failures" \
		" included.\n\n" > md
	printf "| metric | param | vcompound | baseline | baseline value | ratio | target | |\n" > md
	printf "|---|---|---:|---|---:|---:|---|---|\n" > md
	printf "%-8s %-11s %-28s %-16s %-28s %7s  %-14s %s\n", "metric", "param", "vcompound (min-max)", \
		"baseline", "baseline (min-max)", "ratio", "target", ""
	for (i = 1; i <= nrow; i++) {
		k = order[i]; m = rm[i]; p = rp[i]
		if (base[k] == "-") continue
		t = target(m, p); h = holds(t, k)
		if (h == "holds") nhold++
		if (h == "MISS") nmiss++
		printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", m, p, cell(m, vmed[k], vmin[k], vmax[k]), \
			base[k], cell(m, bmed[k], bmin[k], bmax[k]), ratio(k), tshow(t), h > md
		printf "%-8s %-11s %-28s %-16s %-28s %7s  %-14s %s\n", m, p, cell(m, vmed[k], vmin[k], vmax[k]), \
			base[k], cell(m, bmed[k], bmin[k], bmax[k]), ratio(k), tshow(t), h
	}
	for (o = 1; o <= 10; o++) {
		x = bkeep(o); h = holdsx(target("P2.bookkeeping", "order=" o), x)
		if (h == "holds") nhold++
		if (h == "MISS") nmiss++
	}
	printf "\nTargets: %d hold, %d missed (P2.bookkeeping: the parts table).\n", nhold, nmiss > md
	printf "\ntargets: %d hold, %d missed\n", nhold, nmiss
	targets()
	notes_p1(); notes_p2(); notes_p2floor(); notes_p3(); notes_p4(); notes_p6(); notes_p7()

	# ---- P5 against what the host gave the two vCPUs (compute loop)
	cs = cspeed()
	if (cs != "") {
		printf "\n## P5 against the host\n\nThe compute loop (no allocator) ran %.2fx" \
			" faster on 2 vCPUs than on 1 during this pass; each speedup divided by that," \
			" and P5rel: the median (min-max) over the repetitions of the speedup divided by" \
			" that of the compute loop run right after it (the P5 target takes P5rel where" \
			" the log has it):\n\n", cs > md
		printf "| load | speedup | / compute speedup | P5rel |\n|---|---:|---:|---:|\n" > md
		printf "P5 against the host (compute loop speedup %.2f; P5rel in brackets):", cs
		for (i = 1; i <= nrow; i++) {
			if (rm[i] != "P5" && rm[i] != "P5ref") continue
			x = ratio(order[i])
			if (x == "" || x == "inf") continue
			k = "P5rel" SUBSEP rp[i]
			s = (k in vmed) ? cell("P5rel", vmed[k], vmin[k], vmax[k]) : "-"
			printf "| %s | %s | %.2f | %s |\n", rp[i], x, x / cs, s > md
			printf " %s %.2f (%s)", rp[i], x / cs, s
		}
		printf "\n"
	}

	# ---- the virtual path, part by part (P2 rows and P2.* parts)
	if (("P2" SUBSEP "order=1") in vmed) {
		printf "\n## The virtual path, part by part (ns per block, medians)\n\n" > md
		printf "pages: bulk allocation and free of the 2^order pages; vmap: vmap()+vunmap()" \
			" of them; desc: a descriptor with the page array as in vcompound: from the per-CPU" \
			" magazine of its order with its id and a new generation, back into it;" \
			" when the magazine is empty (full) from (to) a SLAB_TYPESAFE_BY_RCU cache of its" \
			" order, whose constructor zeroes a new one; above a page a head and, from 8e66ce9, the slots on a zeroed page of their own where they fit one (else one kvzalloc()), freed after a grace period; with an id registered" \
			" (unregistered); the page slots, which a descriptor at rest has NULL, are cleared" \
			" by the free of the pages, in rest (logs from before that: zeroed at each renewal" \
			" in desc); id: the start of the block entered in the table of starts, the" \
			" block made live, and on free the claim (a cmpxchg of the state word) and the start" \
			" cleared (logs from before the magazines: an id taken and given back here too; xa" \
			" in logs from before vbid.c: xa_alloc_irq() + the claim);" \
			" lookup: vcompound_is_virtual() of the start of a block (what the free looks up);" \
			" vm_map_ram: vm_map_ram()+vm_unmap_ram()," \
			" which serves up to 64 pages from per-CPU blocks. vcompound maps with" \
			" vm_map_ram() up to 64 pages (orders 1-6) and vmap() above: map = the one it" \
			" uses. rest = vcompound - (pages + map + desc + id + lookup) (parts timed alone" \
			" need not add up exactly). bookkeeping = desc + id + lookup, what vmalloc()" \
			" does not do (target %s). Idea: bulk free: the pages part with release_pages()" \
			" in place of __free_page() per page.\n\n", tshow(target("P2.bookkeeping", "")) > md
		printf "| order | vcompound | vmalloc | pages | vmap | vm_map_ram | desc | id | lookup | rest | pages+map share | bookkeeping | | pages, bulk free |\n" > md
		printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n" > md
		printf "\nvirtual path, ns per block: order vcompound vmalloc = pages + map + desc + id + lookup + rest (map: vm_map_ram to order 6, vmap above)\n"
		lk = part("P2.lookup", "order=0")
		for (o = 1; o <= 10; o++) {
			p = "order=" o; k = "P2" SUBSEP p
			if (!(k in vmed)) continue
			vc = vmed[k]; vm = bmed[k]
			pg = part("P2.pages", p); vmp = part("P2.vmap", p); d = part("P2.desc", p); x = idpart(p)
			s = part("P2.vm_map_ram", p)
			mp = (o <= 6 && s != "") ? s : vmp
			if (s == "") s = "-"
			sum = pg + mp + d + x + lk; un = vc - sum
			bf = part("P2.pages_bulkfree", p)
			if (bf == "") bf = "-"
			sh = (vc > 0) ? 100 * (pg + mp) / vc : 0
			bk = bkeep(o)
			printf "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %.0f%% | %s | %s | %s |\n", o, vc, vm, pg, vmp, s, d, x, lk, \
				un, sh, bk == "" ? "-" : bk, holdsx(target("P2.bookkeeping", p), bk), bf > md
			printf "  order %2d: %9s %9s = %9s + %9s + %7s + %6s + %6s + %8.1f\n", o, vc, vm, pg, mp, d, x, lk, un
		}
	}

	# ---- the other parts
	printf "\n## Other parts (ns per call, median (min-max))\n\n" > md
	printf "| part | param | ns |\n|---|---|---:|\n" > md
	for (i = 1; i <= nrow; i++) {
		k = order[i]; m = rm[i]
		if (base[k] != "-" || m ~ /^P2\.(pages|vmap|desc|id|xa|vm_map_ram|pages_bulkfree)$/ || m ~ /^P7f?\./) continue
		printf "| %s | %s | %s |\n", m, rp[i], cell(m, vmed[k], vmin[k], vmax[k]) > md
	}
	if (nnote) {
		printf "\n## Notes from the benchmark module\n\n" > md
		for (i = 1; i <= nnote; i++) printf "- %s\n", notes[i] > md
	}
	if (nerr) {
		printf "\n## Errors\n\n" > md
		for (i = 1; i <= nerr; i++) printf "- %s\n", errors[i] > md
		print ""
		for (i = 1; i <= nerr; i++) print "ERROR: " errors[i]
	}
	close(md)
	printf "\nwrote %s, %s, %s\n", out "/results.csv", out "/parts.csv", md
}
' "${args[@]}"
