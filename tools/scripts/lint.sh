#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: checkpatch --strict, sparse (C=2) and W=1 for vcompound.
#
# usage: tools/scripts/lint.sh [--kdir DIR]
#
#   1. checkpatch.pl --strict --no-tree on every tracked (or new, not
#      ignored) *.c/*.h under module/ compat/ tests/ tools/, except
#      generated files.  checkpatch comes from Debian's linux-source-6.12,
#      fetched once with apt-get download and cached (only the few files
#      checkpatch reads are kept) in $VCOMPOUND_CACHE/checkpatch/.
#   1b. scripts/kernel-doc -none -Wall (from the same linux-source) on
#      module/'s .c files and public headers, and the rules of section 1b
#      below (Documentation/vcompound.rst among them).
#   2. make modules KDIR=<6.12 headers> C=2 W=1 CHECK=sparse in a scratch
#      copy of the tree, so the working tree is not touched.  KDIR is
#      --kdir / $LINT_KDIR if given, else the last line printed by
#      tests/qemu/fetch-kernel.sh --headers $LINT_KERNEL (default 6.12) plus
#      /kdir.
#   3. CHANGELOG.md's newest "## [VERSION]" heading is debian/changelog's
#      version, the one place the version is written.
#   4. tools/scripts/check-abi.sh: the sysfs files module/sysfs.c
#      makes are those Documentation/ABI/testing/sysfs-kernel-vcompound
#      documents.
#   5. (last, in a git checkout) tests/mutants/run.sh --check --worktree:
#      every mutant still applies to the tree, so that a change to the
#      code a mutant plants its bug in rewrites the mutant too.
#
# Exits non-zero if checkpatch reports any ERROR/WARNING/CHECK, or the
# build prints any compiler, sparse, objtool or modpost warning/error for
# our files, or the build fails, or the two changelogs' versions differ,
# or a sysfs file and its ABI documentation do not match, or a mutant no
# longer applies.
# Diagnostics located in the kernel headers are listed and counted
# separately, and only ignored when no note of the same diagnostic points
# into our tree (e.g. "in expansion of macro").
#
# Environment:
#   VCOMPOUND_CACHE  cache root (default /var/cache/vcompound)
#   LINT_KDIR        kernel build dir to use instead of fetch-kernel.sh
#   LINT_KERNEL      SPEC passed to tests/qemu/fetch-kernel.sh (default 6.12)
#   LINT_SOURCE_PKG  Debian package providing checkpatch (linux-source-6.12)
#   LINT_JOBS        make -j for the build (default: nproc)
#   LINT_KEEP=1      keep the scratch directory and print its path
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${VCOMPOUND_CACHE:-/var/cache/vcompound}
CPCACHE=$CACHE/checkpatch
SOURCE_PKG=${LINT_SOURCE_PKG:-linux-source-6.12}
KSPEC=${LINT_KERNEL:-6.12}
JOBS=${LINT_JOBS:-$(nproc)}
KDIR=${LINT_KDIR:-}

# Directories whose C sources we lint, and paths that are generated.
LINT_DIRS='^(module|compat|tests|tools)/'
GENERATED='(^|/)generated/'

# checkpatch types ignored for the whole tree.  Keep this empty unless a
# check is wrong for an out-of-tree module, and say why next to it.
#
# Deliberately NOT ignored:
#  - SPDX_LICENSE_TAG: every file must start with the tag in the style
#    checkpatch wants (// in .c, /* */ in .h).  --no-tree cannot run
#    scripts/spdxcheck.py, so the identifier itself is not validated.
#  - FILE_PATH_CHANGES (MAINTAINERS) only fires on patches, never with -f.
#  - CAMELCASE: see --root below; kernel identifiers are known to it.
CP_IGNORE=()

# Extra types ignored for compat/ only (ERE on the path):
#  - LINUX_VERSION_CODE: "code should be for the version to which it is
#    merged" is meaningless for a module built against many kernels, and
#    compat/ is where such checks belong.  Elsewhere (module/, tests/,
#    tools/) the warning stays, so version checks stay in compat/.
CP_IGNORE_COMPAT_RE='^compat/'
CP_IGNORE_COMPAT=(LINUX_VERSION_CODE)

# Line-precise suppression (listed in the output, never silent): rules of
# "TYPE[,TYPE...]<tab>ERE on the reported line".
#  - CONSTANT_COMPARISON on "LINUX_VERSION_CODE <op> KERNEL_VERSION(...)":
#    checkpatch takes the upper-case LINUX_VERSION_CODE for a constant; the
#    line is the canonical kernel idiom.  Outside compat/ the line is still
#    reported as LINUX_VERSION_CODE.
#  - The macro checks on X-macros, the tree's one way to write a list once
#    (counters, fault sites, case groups): a list "#define NAME(X)" is a
#    run of X(...) items, and an item macro, named *_X_* by convention,
#    expands to a declaration or a statement with its semicolon and may
#    ignore some of an item's fields.  Other macros keep every check.
CP_SUPPRESS=(
	"CONSTANT_COMPARISON	\bLINUX_VERSION_CODE[[:space:]]*(<|<=|>|>=|==|!=)[[:space:]]*KERNEL_VERSION[[:space:]]*\("
	"COMPLEX_MACRO,MACRO_ARG_REUSE	^#define [A-Z0-9_]+\(X\)"
	"COMPLEX_MACRO,MACRO_ARG_REUSE,MACRO_ARG_UNUSED,MACRO_ARG_PRECEDENCE,TRAILING_SEMICOLON,MULTISTATEMENT_MACRO_USE_DO_WHILE	^#define [A-Z]+_X_[A-Z0-9_]+\("
)

# 0 if checkpatch's report line $1 about file $2 is suppressed by a rule.
cp_suppressed() {
	local rule types ere lineno
	[[ $1 =~ ^[^:]+:([0-9]+):\ [A-Z]+:([A-Z_]+): ]] || return 1
	lineno=${BASH_REMATCH[1]}
	for rule in "${CP_SUPPRESS[@]}"; do
		types=${rule%%	*}
		ere=${rule#*	}
		[[ ,$types, == *,"${BASH_REMATCH[2]}",* ]] || continue
		sed -n "${lineno}p" "$2" | grep -Eq "$ere" && return 0
	done
	return 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--kdir) KDIR=$2; shift 2 ;;
	--kdir=*) KDIR=${1#--kdir=}; shift ;;
	-h|--help) sed -n '3,/^set /s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "lint: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done

die() { echo "lint: $*" >&2; exit 2; }
say() { echo "lint: $*" >&2; }

# ---------------------------------------------------------------- tools --

apt_updated=0
apt_install() {
	[ "$(id -u)" = 0 ] ||
		die "need root to apt-get install $* (install it, or run as root)"
	local p
	for p in "$@"; do
		if ! apt-cache show "$p" >/dev/null 2>&1 && [ $apt_updated = 0 ]; then
			say "apt-get update"
			apt-get update -qq >&2 || die "apt-get update failed"
			apt_updated=1
		fi
	done
	say "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$@" >&2 ||
		die "apt-get install $* failed"
}

# command:package pairs this script (and the module build) needs.
need=()
for cp in sparse:sparse perl:perl make:make gcc:gcc xz:xz-utils \
	  dpkg-deb:dpkg flock:util-linux pahole:pahole patch:patch; do
	command -v "${cp%%:*}" >/dev/null 2>&1 || need+=("${cp#*:}")
done
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

# ------------------------------------------------------------ checkpatch --

# $CPCACHE/current -> $CPCACHE/<pkg>_<version>/ holding scripts/checkpatch.pl,
# scripts/spelling.txt, scripts/const_structs.checkpatch and
# Documentation/dev-tools/checkpatch.rst (read for --verbose): the only
# files checkpatch --no-tree opens.
CP_FILES=(scripts/checkpatch.pl scripts/spelling.txt
	  scripts/const_structs.checkpatch
	  Documentation/dev-tools/checkpatch.rst
	  scripts/kernel-doc)

fetch_checkpatch() {
	local tmp deb ver dir f members=()

	if ! apt-cache show "$SOURCE_PKG" >/dev/null 2>&1; then
		[ "$(id -u)" = 0 ] ||
			die "$SOURCE_PKG unknown to apt and apt-get update needs root"
		say "apt-get update"
		apt-get update -qq >&2 || die "apt-get update failed"
	fi
	tmp=$(mktemp -d "$CPCACHE/.dl.XXXXXX")
	say "fetching checkpatch from $SOURCE_PKG (one-time, ~150 MB download)"
	# apt-get download runs unsandboxed as root when _apt cannot write
	# $tmp; that warning is harmless, so the output goes to a log.
	if ! (cd "$tmp" && apt-get download "$SOURCE_PKG") >"$tmp/apt.log" 2>&1; then
		cat "$tmp/apt.log" >&2
		rm -rf "$tmp"
		die "apt-get download $SOURCE_PKG failed"
	fi
	deb=$(ls "$tmp"/*.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	dir=$CPCACHE/${SOURCE_PKG}_$ver
	for f in "${CP_FILES[@]}"; do
		members+=("*/$f")
	done
	mkdir -p "$tmp/x"
	# The .deb holds usr/src/linux-source-X.tar.xz; take only our files.
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xOf - --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJf - -C "$tmp/x" --strip-components=1 --wildcards \
			--no-wildcards-match-slash "${members[@]}" ||
		{ rm -rf "$tmp"; die "extracting checkpatch from $deb failed"; }
	for f in "${CP_FILES[@]}"; do
		[ -f "$tmp/x/$f" ] ||
			{ rm -rf "$tmp"; die "$f missing from $SOURCE_PKG $ver"; }
	done
	echo "$SOURCE_PKG $ver" >"$tmp/x/VERSION"
	rm -rf "$dir"
	mv "$tmp/x" "$dir"
	ln -sfn "$(basename "$dir")" "$CPCACHE/current"
	rm -rf "$tmp"
}

cp_cached() {
	local f

	for f in "${CP_FILES[@]}"; do
		[ -f "$CPCACHE/current/$f" ] || return 1
	done
}

if ! cp_cached; then
	{ mkdir -p "$CPCACHE" && : >>"$CPCACHE/.lock"; } 2>/dev/null ||
		die "cannot write $CPCACHE (run as root or set VCOMPOUND_CACHE)"
	exec 9>>"$CPCACHE/.lock"
	flock 9
	cp_cached || fetch_checkpatch
	flock -u 9
	exec 9>&-
fi
CHECKPATCH=$CPCACHE/current/scripts/checkpatch.pl
say "checkpatch: $(cat "$CPCACHE/current/VERSION") ($CPCACHE/current)"

# ------------------------------------------------------------------ KDIR --

if [ -z "$KDIR" ]; then
	fetch=$TOP/tests/qemu/fetch-kernel.sh
	[ -f "$fetch" ] ||
		die "no KDIR: tests/qemu/fetch-kernel.sh is missing; pass --kdir DIR or LINT_KDIR=DIR (Debian $KSPEC headers)"
	say "tests/qemu/fetch-kernel.sh --headers $KSPEC"
	out=$(bash "$fetch" --headers "$KSPEC") ||
		die "tests/qemu/fetch-kernel.sh $KSPEC failed"
	[ -z "$out" ] || printf '%s\n' "$out" | sed '$d' >&2
	KDIR=$(printf '%s\n' "$out" | tail -n 1)/kdir
fi
[ -f "$KDIR/Makefile" ] || die "KDIR $KDIR has no Makefile"
KDIR=$(cd "$KDIR" && pwd)
krel=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null || echo unknown)
say "KDIR: $KDIR ($krel)"

# The kernel's own include/ (Debian splits it into a -common package whose
# Makefile the arch one includes): checkpatch --strict seeds its CamelCase
# check from it, exactly as it would in a kernel tree.
hdr_root=
if [ -f "$KDIR/include/linux/module.h" ]; then
	hdr_root=$KDIR
else
	inc=$(sed -n 's/^include[[:space:]]\{1,\}\(.*\)\/Makefile$/\1/p' \
		"$KDIR/Makefile" | head -n 1)
	case $inc in
	/*) ;;
	?*) inc=$KDIR/$inc ;;
	esac
	[ -n "$inc" ] && [ -f "$inc/include/linux/module.h" ] && hdr_root=$inc
fi

# --------------------------------------------------------------- scratch --

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vcompound-lint.XXXXXX")
if [ "${LINT_KEEP:-0}" = 1 ]; then
	trap 'say "scratch kept in $scratch"' EXIT
else
	trap 'rm -rf "$scratch"' EXIT
fi
tree=$scratch/tree
mkdir -p "$tree" "$scratch/bin" "$scratch/home"

# Working-tree contents of tracked files plus new files not yet added
# (but not ignored ones, so no build output or compat/generated/).
if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] || [ -L "$f" ] || continue	# deleted
			printf '%s\0' "$f"
		done | tar -cf - --null --no-recursion -T -) |
		tar -xf - -C "$tree"
else
	(cd "$TOP" && tar -cf - --exclude=.git --exclude=./compat/generated .) |
		tar -xf - -C "$tree"
fi

# -------------------------------------------------------- 3. versions --

# Checked first, reported with the rest at the end.
deb_ver=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$tree/debian/changelog" 2>/dev/null || true)
md_ver=$(sed -n 's/^## \[\([^]]*\)\].*/\1/p' "$tree/CHANGELOG.md" 2>/dev/null | head -n 1 || true)
n_ver=0
[ -n "$deb_ver" ] && [ "$deb_ver" = "$md_ver" ] || n_ver=1

# ------------------------------------------------------ 1. checkpatch --

mapfile -t files < <(cd "$tree" && find module compat tests tools \
	-type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null |
	sed 's|^\./||' | grep -E "$LINT_DIRS" | grep -Ev "$GENERATED" | sort)

# CamelCase seed cache: checkpatch writes .checkpatch-camelcase.* to its
# working directory; keep it in the cache so the 6000-header scan runs once.
mkdir -p "$CPCACHE/camelcase" 2>/dev/null || true
cp -p "$CPCACHE/camelcase/".checkpatch-camelcase.* "$tree/" 2>/dev/null || true
if [ -z "$hdr_root" ]; then
	say "warning: kernel include/ not found under $KDIR; CamelCase checks will not know kernel identifiers"
	mkdir -p "$scratch/noroot/include"
	hdr_root=$scratch/noroot
fi

# --no-tree: this is not a kernel tree.  --root only tells checkpatch
# where the kernel headers are, for seeding CamelCase (with --no-tree it
# is otherwise only used for DT compatible-string docs, not present in
# headers).  HOME and GIT_* are reset so a personal ~/.checkpatch.conf or
# a hook's GIT_DIR cannot change the result; a tracked .checkpatch.conf at
# the top of the tree would be honoured.
cp_opts=(--strict --no-tree --root="$hdr_root" --terse --show-types
	 --no-summary --color=never)
if [ ${#CP_IGNORE[@]} -gt 0 ]; then
	cp_opts+=(--ignore "$(IFS=,; echo "${CP_IGNORE[*]}")")
fi
cp_log=$scratch/checkpatch.log
cp_supp=$scratch/checkpatch.suppressed
: >"$cp_log"
: >"$cp_supp"
cp_fail=0
say "checkpatch --strict --no-tree on ${#files[@]} files"
for f in "${files[@]}"; do
	opts=("${cp_opts[@]}")
	if [[ $f =~ $CP_IGNORE_COMPAT_RE ]]; then
		opts+=(--ignore "$(IFS=,; echo "${CP_IGNORE_COMPAT[*]}")")
	fi
	rc=0
	(cd "$tree" && env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE \
		HOME="$scratch/home" perl "$CHECKPATCH" "${opts[@]}" -f "$f") \
		>"$scratch/cp.out" 2>&1 || rc=$?
	if [ $rc != 0 ] &&
	   ! grep -Eq ': (ERROR|WARNING|CHECK):' "$scratch/cp.out"; then
		say "checkpatch failed on $f without reporting an issue:"
		cat "$scratch/cp.out" >&2
		cp_fail=1
	fi
	while IFS= read -r l; do
		if cp_suppressed "$l" "$tree/$f"; then
			echo "$l" >>"$cp_supp"
		else
			echo "$l" >>"$cp_log"
		fi
	done <"$scratch/cp.out"
done
cp -p "$tree/".checkpatch-camelcase.* "$CPCACHE/camelcase/" 2>/dev/null || true
n_cp=$(grep -Ec ': (ERROR|WARNING|CHECK):' "$cp_log" || true)

# ------------------------------------------------------ 1b. kernel-doc --

# kernel-doc's own warnings (-none -Wall) on every file under module/,
# the public headers included, plus rules of ours: each EXPORT_SYMBOL*()ed
# function's kernel-doc has a Context: section, and a Return: section
# unless it returns void; each struct of a public header has kernel-doc;
# Documentation/vcompound.rst pulls in every exporting file and finds
# what it names.
kd_log=$scratch/kernel-doc.log
mapfile -t kd_files < <(cd "$tree" && find module -type f \
	\( -name '*.c' -o -name '*.h' \) | grep -Ev "$GENERATED" | sort)
(cd "$tree" && perl "$CPCACHE/current/scripts/kernel-doc" -none -Wall \
	"${kd_files[@]}") >"$kd_log" 2>&1 || true
for f in "${kd_files[@]}"; do
	awk -v f="$f" '
	/^\/\*\*/ { doc = ""; indoc = 1 }
	indoc { doc = doc $0 "\n" }
	indoc && /\*\// { indoc = 0; last = doc; proto = ""; next }
	!indoc && last != "" && !/^EXPORT_SYMBOL/ { proto = proto $0 }
	/^EXPORT_SYMBOL/ {
		sym = $0; sub(/^[^(]*\(/, "", sym); sub(/[,)].*/, "", sym)
		if (index(last, " " sym " - ") == 0)
			printf "%s:%d: %s: exported without a kernel-doc comment\n", f, NR, sym
		else {
			if (last !~ /\* Context:/)
				printf "%s:%d: %s: kernel-doc has no Context: section\n", f, NR, sym
			if (proto !~ /^(static )?void [a-z_]/ && last !~ /\* Return:/)
				printf "%s:%d: %s: kernel-doc has no Return: section\n", f, NR, sym
		}
		last = ""
	}' "$tree/$f" >>"$kd_log"
done
# Every struct defined in a public header has a kernel-doc comment.
for f in $(cd "$tree" && ls module/include/*.h); do
	awk -v f="$f" '
	/^\/\*\*/ { doc = "" }
	/^ \* struct [a-z_0-9]+ - / { doc = $3 }
	/^struct [a-z_0-9]+ \{/ {
		if (doc != $2)
			printf "%s:%d: struct %s has no kernel-doc comment\n", f, NR, $2
		doc = ""
	}' "$tree/$f" >>"$kd_log"
done
# Documentation/vcompound.rst pulls in the kernel-doc of every file that
# exports symbols (":export:"), and each of its DOC: sections and
# identifiers is found where it points.
rst=Documentation/vcompound.rst
if [ -f "$tree/$rst" ]; then
	for f in $(cd "$tree" && grep -l '^EXPORT_SYMBOL' module/*.c); do
		awk -v f="$f" '$0 == ".. kernel-doc:: " f { k = 1; next }
			k && /^   :export:/ { found = 1 } { k = 0 }
			END { exit !found }' "$tree/$rst" ||
			echo "$rst: no '.. kernel-doc:: $f' with :export:" >>"$kd_log"
	done
	awk '/^\.\. kernel-doc:: / { file = $3; next }
	file != "" && /^   :(doc|identifiers):/ {
		kind = $1; sub(/^ *:[a-z]+: */, "")
		if (kind == ":doc:") print file "\t" $0
		else for (i = 1; i <= NF; i++) print file "\t" $i
	}
	{ if (!/^   :/) file = "" }' "$tree/$rst" |
	while IFS=$'\t' read -r f what; do
		if [ ! -f "$tree/$f" ]; then
			echo "$rst: $f does not exist" >>"$kd_log"
			continue
		fi
		(cd "$tree" && perl "$CPCACHE/current/scripts/kernel-doc" -rst \
			-function "$what" "$f" 2>&1 >/dev/null) |
			grep -v '^Warning: Sphinx version' |
			sed "s|^|$rst: |" >>"$kd_log" || true
	done
else
	echo "$rst is missing" >>"$kd_log"
fi
n_kd=$(grep -c . "$kd_log" || true)

# ---------------------------------------------- 2. sparse (C=2) and W=1 --

# CHECK wrapper: runs sparse and tags its diagnostics, so they can be told
# from the compiler's even when make runs jobs in parallel.
cat >"$scratch/bin/sparse" <<'EOF'
#!/bin/bash
out=$(sparse "$@" 2>&1)
rc=$?
[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/[sparse] /' >&2
exit $rc
EOF
chmod +x "$scratch/bin/sparse"

build_log=$scratch/build.log
say "make modules KDIR=$KDIR C=2 W=1 CHECK=sparse (scratch copy)"
build_rc=0
# MAKEFLAGS from an outer 'make lint' must not leak into this build.
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
	make -C "$tree" -j"$JOBS" -Otarget modules KDIR="$KDIR" \
	C=2 W=1 CHECK="$scratch/bin/sparse" >"$build_log" 2>&1 || build_rc=$?
cat "$build_log"

# Classify diagnostics.  A diagnostic is ours when its location is in the
# scratch tree, or when one of the notes that follow it is (a warning in a
# kernel macro expanded in our code).  Otherwise it comes from the kernel
# headers only, and is listed but not counted.
awk -v tree="$tree/" '
function flush() {
	if (cur == "")
		return
	if (ours)
		print kind "\t" cur via
	else
		print "header\t" cur
	cur = ""
}
function inours(p) {
	return index(p, tree) == 1
}
{
	line = $0
	sp = sub(/^\[sparse\] /, "", line)
	# file:line[:col]: warning|error: ...
	if (match(line, /^[^ :][^:]*:[0-9]+(:[0-9]+)?: (warning|error|fatal error): /)) {
		flush()
		path = line; sub(/:.*/, "", path)
		kind = sp ? "sparse" : "w1"
		cur = line; ours = inours(path); via = ""
		next
	}
	if (match(line, /^[^ :][^:]*:[0-9]+(:[0-9]+)?: note: /)) {
		path = line; sub(/:.*/, "", path)
		if (cur != "" && !ours && inours(path)) {
			ours = 1
			via = " [" substr(line, 1, index(line, ": note:") - 1) "]"
		}
		next
	}
	# cc1: warning: ..., objtool, modpost
	if (line ~ /^(cc1|gcc|x86_64-linux-gnu-gcc[-0-9]*): (warning|error): / ||
	    line ~ /: warning: objtool: / ||
	    line ~ /^(WARNING|ERROR): modpost: /) {
		flush()
		print (sp ? "sparse" : "w1") "\t" line
		next
	}
	if (sp && line ~ /: (warning|error): /) {
		flush()
		print "sparse\t" line
		next
	}
	# source excerpts and "In function" context keep the current one open
	if (line ~ /^ / || line ~ /: In function / || line ~ /^In file included/ ||
	    line ~ /: At top level:/)
		next
	flush()
}
END { flush() }
' "$build_log" >"$scratch/diag.tsv"

strip() { sed "s|$tree/||g"; }
n_sparse=$(grep -c '^sparse	' "$scratch/diag.tsv" || true)
n_w1=$(grep -c '^w1	' "$scratch/diag.tsv" || true)
n_hdr=$(grep -c '^header	' "$scratch/diag.tsv" || true)

echo
if [ "$n_cp" != 0 ]; then
	echo "== checkpatch: $n_cp issue(s) =="
	grep -E ': (ERROR|WARNING|CHECK):' "$cp_log"
fi
if [ -s "$cp_supp" ]; then
	echo "== checkpatch: $(wc -l <"$cp_supp") suppressed (the version-check idiom, X-macros) =="
	cat "$cp_supp"
fi
if [ "$n_kd" != 0 ]; then
	echo "== kernel-doc: $n_kd issue(s) =="
	strip <"$kd_log"
fi
if [ "$n_sparse" != 0 ]; then
	echo "== sparse: $n_sparse warning(s) =="
	sed -n 's/^sparse	//p' "$scratch/diag.tsv" | strip
fi
if [ "$n_w1" != 0 ]; then
	echo "== W=1 build: $n_w1 warning(s)/error(s) =="
	sed -n 's/^w1	//p' "$scratch/diag.tsv" | strip
fi
if [ "$n_hdr" != 0 ]; then
	echo "== ignored, located in kernel headers only: $n_hdr =="
	sed -n 's/^header	//p' "$scratch/diag.tsv"
fi
[ $build_rc = 0 ] || echo "lint: build FAILED (make exit $build_rc)"
[ $n_ver = 0 ] ||
	echo "lint: CHANGELOG.md's newest heading is [${md_ver:-none}], debian/changelog's version ${deb_ver:-none}"
[ $cp_fail = 0 ] || echo "lint: checkpatch itself FAILED"

echo "lint: checkpatch $n_cp issues, kernel-doc $n_kd, sparse $n_sparse, W=1 $n_w1, versions $n_ver"
# Every sysfs file of the module documented, and no more (check-abi.sh).
if ! bash "$tree/tools/scripts/check-abi.sh" "$tree"; then
	echo "lint: module/sysfs.c's files and Documentation/ABI/testing/sysfs-kernel-vcompound differ"
	exit 1
fi
# Every mutant applies (run.sh copies the tree from git).
if git -C "$tree" rev-parse --git-dir >/dev/null 2>&1 &&
   ! VCOMPOUND_MUTANTS_WORK="$scratch/mutants.work" \
	bash "$tree/tests/mutants/run.sh" --check --worktree >"$scratch/mutants" 2>&1; then
	grep -v ' applies$' "$scratch/mutants"
	echo "lint: a mutant of tests/mutants/ no longer applies"
	exit 1
fi
if [ "$n_cp" != 0 ] || [ "$n_kd" != 0 ] || [ "$n_sparse" != 0 ] ||
   [ "$n_w1" != 0 ] || [ "$n_ver" != 0 ] ||
   [ $build_rc != 0 ] || [ $cp_fail != 0 ]; then
	exit 1
fi
exit 0
