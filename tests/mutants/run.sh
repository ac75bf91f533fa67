#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [OPTIONS] [MUTANT...]   (make test-mutants [MUTANTS="..."])
#
# Mutation testing of the lab: each NN-name.patch in this directory is a
# small deliberate bug in module/ or compat/. For each one (all, or those
# named: a number "7", a name "07-free-deferred-list-leak-uncounted" or a
# part of it "deferred"), run.sh
#   1. copies the tree to a scratch directory: the files of the commit
#      HEAD was when the run started (git archive), or with --worktree the working tree as the lab
#      itself copies it (tracked and untracked-but-not-ignored files);
#      the patches are always read from this directory, so a new or edited
#      patch is tried before it is committed,
#   2. applies the patch there with patch -p1 (a patch that no longer
#      applies is an error, never a skip),
#   3. runs the lane its "# Lane:" header names in the copy, with
#      VCOMPOUND_BUILD under the work directory and the shared kernel cache
#      (VCOMPOUND_CACHE), so nothing is rebuilt or downloaded again:
#        test-fast [SPEC...]  make test-fast KERNELS=SPEC (default 6.12)
#        test-debug           make test-debug
#        lint                 make lint
#   4. reads the lane's output: the KTAP cases that went "not ok", else the
#      judge's FAIL lines, the failed rows of the debug lane's table or the
#      first compiler error of a failed build.
# Before the mutants, every lane they use is run once on the unmutated
# copy (the baseline); a lane that fails there stops the run, since a
# mutant could not be told apart from it. A baseline that passed for the
# same commit and copy mode is remembered in the work directory.
# Then a table: mutant | lane | result (killed / SURVIVED / ERROR) | killed
# by | time. Exits 1 if any mutant survived or any patch failed to apply or
# any lane could not run, 0 if every mutant was killed.
#
# Options:
#   --worktree        copy the working tree (uncommitted changes included)
#                     instead of HEAD
#   --lane LANE       run every selected mutant in LANE instead of its own
#   --no-baseline     skip the baseline runs
#   --check           only check that every selected patch applies
#   --list            list the mutants and their lanes
#   --update-readme   write the table of the results kept in the work
#                     directory (the last result of each mutant, with
#                     the commit it was run at) into tests/README.md
#                     (alone: without running anything)
#   --rejudge         read the kept logs of the selected mutants again
#                     (after a change to this script's reading of them)
#   --keep            keep the scratch copies
#
# Environment:
#   VCOMPOUND_MUTANTS_WORK  work directory (default /tmp/vcompound-mutants):
#                           scratch copies, build/, logs/, results/
#   VCOMPOUND_CACHE         the lab's cache (default /var/cache/vcompound)
#   VCOMPOUND_BOOT_TIMEOUT  per boot; default here 480 s for test-fast (a
#                           clean run takes about a minute) and the lab's
#                           own default for the debug lane

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
WORK=${VCOMPOUND_MUTANTS_WORK:-/tmp/vcompound-mutants}
README=$TOP/tests/README.md

WORKTREE=0 LANE_OVERRIDE='' BASELINE=1 CHECK=0 LIST=0 UPDATE=0 KEEP=0 REJUDGE=0
usage() { awk 'NR >= 4 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$0"; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
	case $1 in
	--worktree) WORKTREE=1; shift ;;
	--lane) LANE_OVERRIDE=${2:?--lane needs a lane}; shift 2 ;;
	--lane=*) LANE_OVERRIDE=${1#--lane=}; shift ;;
	--no-baseline) BASELINE=0; shift ;;
	--check) CHECK=1; shift ;;
	--list) LIST=1; shift ;;
	--update-readme) UPDATE=1; shift ;;
	--keep) KEEP=1; shift ;;
	--rejudge) REJUDGE=1; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done

say() { printf '[mutants] %s\n' "$*" >&2; }
die() { printf '[mutants] ERROR: %s\n' "$*" >&2; exit 2; }

# ------------------------------------------------------------ the mutants

ALL=()
for p in "$HERE"/[0-9][0-9]-*.patch; do
	[ -e "$p" ] && ALL+=("$(basename "$p" .patch)")
done
[ ${#ALL[@]} -gt 0 ] || die "no mutants in $HERE"

# select WORD...: the mutants named (number, full name or a part of it).
SEL=()
select_mutants() {
	local w m n hit
	if [ $# -eq 0 ]; then SEL=("${ALL[@]}"); return; fi
	for w in "$@"; do
		hit=0
		for m in "${ALL[@]}"; do
			n=${m%%-*}
			if [[ $w =~ ^[0-9]+$ ]] && [ $((10#$n)) -eq $((10#$w)) ]; then :
			elif [ "$w" = "$m" ] || [[ $m == *"$w"* && ! $w =~ ^[0-9]+$ ]]; then :
			else continue; fi
			hit=1
			[[ " ${SEL[*]} " == *" $m "* ]] || SEL+=("$m")
		done
		[ $hit = 1 ] || die "no mutant matches '$w' (run.sh --list)"
	done
}
# MUTANTS="3 7,9" from make arrives as one word; split it.
read -r -a words <<<"${*//,/ }"
select_mutants ${words[@]+"${words[@]}"}

# header FIELD MUTANT: the "# FIELD: value" line of a patch's header.
header() {
	sed -n "s/^# $1: *//p" "$HERE/$2.patch" | head -n 1
}
lane_of() {
	local l=${LANE_OVERRIDE:-$(header Lane "$1")}
	[ -n "$l" ] || die "$1.patch has no '# Lane:' line"
	echo "$l"
}
# lane key for file names: "test-fast 6.1" -> test-fast_6.1
lane_key() { echo "$1" | tr ' /' '_-'; }

if [ $LIST = 1 ]; then
	for m in "${SEL[@]}"; do
		printf '%-48s %s\n' "$m" "$(lane_of "$m")"
	done
	exit 0
fi

# ------------------------------------------------------------- the source

# HEAD once: a commit made during the run must not change the copies.
FULL=$(git -C "$TOP" rev-parse HEAD 2>/dev/null) ||
	die "$TOP is not a git checkout: the copy is made from its HEAD"
COMMIT=${FULL:0:7}
MODE='head'
if [ $WORKTREE = 1 ]; then
	MODE=worktree
	[ -z "$(git -C "$TOP" status --porcelain -- . ':!tests/mutants' ':!tests/README.md')" ] ||
		COMMIT="$COMMIT+dirty"
fi
mkdir -p "$WORK/results" "$WORK/logs" "$WORK/build"

# copy_tree DEST: the tree to mutate.
copy_tree() {
	local dest=$1
	rm -rf "$dest"
	mkdir -p "$dest"
	if [ $MODE = head ]; then
		git -C "$TOP" archive "$FULL" | tar -C "$dest" -xf -
	else
		git -C "$TOP" ls-files -z -co --exclude-standard |
		(cd "$TOP" && while IFS= read -r -d '' f; do
			[ -f "$f" ] && printf '%s\0' "$f"; done) |
		tar -C "$TOP" --null -T - -cf - | tar -C "$dest" -xf -
	fi
	# the patches under test are this directory's, not the copy's
	rm -rf "$dest/tests/mutants"
}

# apply MUTANT DIR: patch -p1, nothing else (no fuzz, no reversed patch).
apply() {
	patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch -s \
		-d "$2" <"$HERE/$1.patch"
}

if [ $CHECK = 1 ]; then
	bad=0
	copy_tree "$WORK/check"
	for m in "${SEL[@]}"; do
		rm -rf "$WORK/check.m" && cp -a "$WORK/check" "$WORK/check.m"
		if out=$(apply "$m" "$WORK/check.m" 2>&1); then
			printf '%-48s applies\n' "$m"
		else
			printf '%-48s DOES NOT APPLY: %s\n' "$m" "$(echo "$out" | head -n 1)"
			bad=1
		fi
	done
	rm -rf "$WORK/check" "$WORK/check.m"
	exit $bad
fi

# --------------------------------------------------------------- the lanes

# run_lane LANE SRC LOG: run LANE in the tree SRC, output to LOG; returns
# the lane's exit status.
run_lane() {
	local lane=$1 src=$2 log=$3 kind specs
	read -r kind specs <<<"$lane"
	local env=(VCOMPOUND_BUILD="$WORK/build")
	case $kind in
	test-fast)
		env+=(VCOMPOUND_BOOT_TIMEOUT="${VCOMPOUND_BOOT_TIMEOUT:-480}")
		env "${env[@]}" make -C "$src" --no-print-directory test-fast \
			KERNELS="${specs:-6.12}" >"$log" 2>&1 ;;
	test-debug)
		[ -z "$specs" ] || die "lane '$lane': test-debug takes no kernel"
		env "${env[@]}" make -C "$src" --no-print-directory test-debug \
			>"$log" 2>&1 ;;
	lint)
		env "${env[@]}" make -C "$src" --no-print-directory lint \
			>"$log" 2>&1 ;;
	*) die "unknown lane '$lane' (test-fast [SPEC...], test-debug, lint)" ;;
	esac
}

# verdict LOG: what failed in a lane's output, one line ("" if nothing
# could be read).
verdict() {
	local log=$1 cases probs rows err b
	# KTAP cases: the judge's "  not ok <document> <n> <case>" lines
	cases=$(awk '/^  not ok / {
			n = $5; for (i = 6; i <= NF; i++) n = n " " $i
			sub(/ \(failed, no failing subtest\)$/, "", n)
			if (!(n in seen)) { seen[n] = 1; out[++k] = n }
		}
		END {
			for (i = 1; i <= k && i <= 4; i++) s = s (i > 1 ? ", " : "") out[i]
			if (k > 4) s = s ", +" (k - 4) " more"
			print s
		}' "$log")
	# judge problems and the debug table's failed rows
	probs=$(awk '/^  FAIL: / { sub(/^  FAIL: /, ""); print; exit }' "$log")
	rows=$(awk '/^=== debug lane/ { t = 1; next }
		t && /^ [^ ].{23} FAIL / {
			r = substr($0, 2, 24); sub(/ +$/, "", r)
			s = s (s == "" ? "" : ", ") r
		}
		END { print s }' "$log")
	if [ -n "$cases" ]; then
		echo "$cases"
	elif [ -n "$rows" ]; then
		echo "table: $rows${probs:+; judge: $probs}"
	elif [ -n "$probs" ]; then
		echo "judge: $probs"
	elif grep -q '^FAIL: .* failed for ' "$log"; then
		# a build that failed: its first error, from the build log (the
		# copy kept next to the lane's log: the build directory is reused)
		b=$log.build
		[ -f "$b" ] ||
			b=$(sed -n 's/^FAIL: .*(full log: \(.*\))$/\1/p' "$log" | head -n 1)
		err=$(grep -m1 -iE 'error:' "$b" 2>/dev/null |
			sed -e 's/^.*\/\([^/]*:[0-9]*:[0-9]*: \)/\1/' -e 's/^ *//') || true
		echo "build: ${err:-failed (see $b)}"
	else
		grep -m1 -E '^(FAIL|\[vclab\] ERROR)' "$log" || true
	fi | cut -c1-160
}

# summary LOG: the lane's last line, "N passed, M failed".
summary() {
	local s
	s=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1) || true
	echo "${s:-no summary line}"
}

# ------------------------------------------------------------ the results

# A result file per mutant: key=value lines.
result_file() { echo "$WORK/results/$1.result"; }
put() { printf '%s=%s\n' "$2" "$3" >>"$1"; }
get() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

# table FILE...: the markdown table of results.
table() {
	local f
	echo "| mutant | lane | result | killed by | lane time |"
	echo "|---|---|---|---|---|"
	for f in "$@"; do
		# shellcheck disable=SC2016 # the backquotes are markdown
		printf '| `%s` | %s | %s | %s | %s s |\n' "$(get "$f" mutant)" \
			"$(get "$f" lane)" "$(get "$f" result)" \
			"$(get "$f" by | sed 's/|/\\|/g')" "$(get "$f" seconds)"
	done
}

# update_readme: the kept results of the mutants that exist, whatever
# commit each was run at (the heading names the commits and dates).
update_readme() {
	local files=() m f tmp commits dates
	for m in "${ALL[@]}"; do
		f=$(result_file "$m")
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || die "no results kept in $WORK/results"
	grep -q '^<!-- mutants-table begin -->$' "$README" ||
		die "$README has no '<!-- mutants-table begin -->' line"
	commits=$(for f in "${files[@]}"; do echo "$(get "$f" commit) ($(get "$f" copy))"; done |
		sort -u | paste -sd, - | sed 's/,/, /g')
	dates=$(for f in "${files[@]}"; do get "$f" date | cut -c1-10; done | sort -u |
		sed -n '1p;$p' | uniq | paste -sd/ - | sed 's|/| to |')
	tmp=$(mktemp)
	{
		echo "\`tests/mutants/run.sh\` at commit $commits, $dates (UTC);"
		echo "${#files[@]} of ${#ALL[@]} mutants have a result."
		echo
		table "${files[@]}"
	} >"$tmp.table"
	awk -v tf="$tmp.table" '
		/^<!-- mutants-table begin -->$/ { print; while ((getline l < tf) > 0) print l; skip = 1; next }
		/^<!-- mutants-table end -->$/ { skip = 0 }
		!skip' "$README" >"$tmp"
	cat "$tmp" >"$README"
	rm -f "$tmp" "$tmp.table"
	say "tests/README.md: table of ${#files[@]} results"
}

if [ $UPDATE = 1 ] && [ $# -eq 0 ] && [ $REJUDGE = 0 ]; then
	update_readme
	exit 0
fi

# --rejudge: result and killer again from each kept log, nothing run.
if [ $REJUDGE = 1 ]; then
	FILES=()
	for m in "${SEL[@]}"; do
		f=$(result_file "$m")
		log=$WORK/logs/$m.log
		if [ ! -f "$f" ] || [ ! -f "$log" ]; then continue; fi
		FILES+=("$f")
		case $(get "$f" result) in
		killed|SURVIVED) ;;
		*) continue ;;
		esac
		by=$(verdict "$log")
		if [ -n "$by" ]; then put "$f" result killed; else put "$f" result SURVIVED; fi
		put "$f" by "$by"
		put "$f" summary "$(summary "$log")"
	done
	[ ${#FILES[@]} -gt 0 ] || die "no kept results to read again in $WORK"
	table "${FILES[@]}"
	[ $UPDATE = 0 ] || update_readme
	exit 0
fi

# ------------------------------------------------------------------ the run

command -v patch >/dev/null || die "patch(1) is missing (apt-get install patch)"
T0=$(date +%s)
LANES=()
declare -A SEEN=()
for m in "${SEL[@]}"; do
	l=$(lane_of "$m")
	[ -n "${SEEN[$l]:-}" ] || LANES+=("$l")
	SEEN[$l]=1
done
say "${#SEL[@]} mutant(s) at $COMMIT (copy: $MODE), lanes: $(printf '[%s] ' "${LANES[@]}")"

if [ $BASELINE = 1 ]; then
	for l in "${LANES[@]}"; do
		k=$(lane_key "$l")
		bf=$WORK/results/baseline-$k.ok
		if [ -f "$bf" ] && [ "$(cat "$bf")" = "$COMMIT $MODE" ]; then
			say "baseline $l: passed before for $COMMIT ($MODE)"
			continue
		fi
		say "baseline $l: unmutated tree ..."
		copy_tree "$WORK/src-baseline"
		t=$(date +%s)
		log=$WORK/logs/baseline-$k.log
		if run_lane "$l" "$WORK/src-baseline" "$log"; then
			echo "$COMMIT $MODE" >"$bf"
			say "baseline $l: $(summary "$log") in $(($(date +%s) - t)) s"
		else
			say "baseline $l FAILED in $(($(date +%s) - t)) s: $(verdict "$log")"
			die "the unmutated tree fails lane '$l' (log: $log): fix that first, or --no-baseline"
		fi
		[ $KEEP = 1 ] || rm -rf "$WORK/src-baseline"
	done
fi

FILES=()
nkill=0 nsurv=0 nerr=0
for m in "${SEL[@]}"; do
	l=$(lane_of "$m")
	f=$(result_file "$m")
	log=$WORK/logs/$m.log
	src=$WORK/src-$m
	: >"$f"
	put "$f" mutant "$m"; put "$f" lane "$l"; put "$f" commit "$COMMIT"
	put "$f" copy "$MODE"; put "$f" date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	FILES+=("$f")
	copy_tree "$src"
	if ! out=$(apply "$m" "$src" 2>&1); then
		say "$m: DOES NOT APPLY: $(echo "$out" | head -n 1)"
		put "$f" result "ERROR"; put "$f" by "patch does not apply: $(echo "$out" | head -n 1)"
		put "$f" seconds 0
		nerr=$((nerr + 1))
		[ $KEEP = 1 ] || rm -rf "$src"
		continue
	fi
	say "$m: lane $l ..."
	t=$(date +%s)
	if run_lane "$l" "$src" "$log"; then rc=0; else rc=$?; fi
	secs=$(($(date +%s) - t))
	rm -f "$log.build"
	b=$(sed -n 's/^FAIL: .* failed for .*(full log: \(.*\))$/\1/p' "$log" | head -n 1)
	[ -z "$b" ] || cp "$b" "$log.build" 2>/dev/null || true
	put "$f" seconds "$secs"
	put "$f" summary "$(summary "$log")"
	if [ $rc = 0 ]; then
		put "$f" result "SURVIVED"; put "$f" by ""
		nsurv=$((nsurv + 1))
		say "$m: SURVIVED ($(summary "$log"), ${secs} s)"
	else
		by=$(verdict "$log")
		if [ -z "$by" ]; then
			put "$f" result "ERROR"; put "$f" by "lane exited $rc, nothing failed in its output (log: $log)"
			nerr=$((nerr + 1))
		else
			put "$f" result "killed"; put "$f" by "$by"
			nkill=$((nkill + 1))
		fi
		say "$m: $(get "$f" result) by $(get "$f" by) ($(summary "$log"), ${secs} s)"
	fi
	[ $KEEP = 1 ] || rm -rf "$src"
done

echo
echo "=== mutants at $COMMIT (copy: $MODE), logs in $WORK/logs ==="
table "${FILES[@]}"
echo
echo "$nkill killed, $nsurv survived, $nerr errors of ${#SEL[@]} mutants in $(($(date +%s) - T0)) s"
[ $UPDATE = 0 ] || update_readme
[ $nsurv = 0 ] && [ $nerr = 0 ]
