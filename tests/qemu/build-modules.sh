#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-modules.sh deb|tree [--demo|--bench] [--kunit] [--flavour F]
#                  [--second F2] [--userland] [--cross DEBARCH TRIPLET MACHINE]
#
# Runs inside a build environment (buildenv.sh), in the work directory
# VCLAB_W, which holds src/ (a copy of the source tree); builds against
# VCLAB_KDIR for VCLAB_REL. Self-contained: only bash, coreutils, make, the
# compiler, apt and dkms of the environment are used.
#
# deb:  (make test) as root in a throwaway overlay of the suite's chroot
#       (buildenv.sh --overlay), with the lab's packages in debs/N/ (this
#       version) and debs/next/ (the same sources as version N+1):
#        1. apt-get install ./vcompound-dkms_N_all.deb: its maintainer
#           scripts run DKMS, which builds and installs vcompound.ko and
#           publishes the client kit (Module.symvers, include/, vcompound.mk)
#           for every kernel with headers, at the version-less
#           /var/lib/dkms/vcompound/kernel-<rel>-<arch>/;
#        2. the example client tests/client, a DKMS package of its own
#           (BUILD_DEPENDS vcompound), dkms add + install: built from the
#           kit alone;
#        3. the upgrade to N+1 (apt-get install ./...N+1...deb): DKMS
#           rebuilds, and the module installed for <rel> is N+1: the one
#           the guest loads;
#        4. the self-test, the demo device (tools/samples/vcdev) and the converted
#           users (tools/samples/vcusers) built from src/ against that kit;
#        5. the headers of a second kernel (the cloud flavour of <rel>):
#           DKMS builds vcompound and the client for it, as a kernel
#           upgrade would;
#        6. a kernel older than BUILD_EXCLUSIVE_KERNEL_MIN, with headers,
#           present from the start: skipped cleanly at install and upgrade
#           (nothing built for it, the package configured);
#        7. purge: nothing of vcompound is left under /usr/src,
#           /var/lib/dkms or /lib/modules/*/updates.
#       DKMS output saying "Deprecated feature" fails the build. The
#       modules the guest loads are copied to out/ first.
# tree: "make modules" in src/ (fast development path); the kit is
#       published from module/ with tools/scripts/publish-kit.sh into kit/, and the
#       client is built against it alone.
# --demo builds the demo modules (tools/samples/demo, tools/samples/vcusers) instead of the
# self-test, client and device; --bench the benchmark module tests/bench.
# --flavour F (default amd64) is the flavour of VCLAB_REL, --second F2
# (default cloud-amd64; "-": none) the flavour whose headers step 5 installs
# (arches.conf).
# --userland (a kernel of another architecture than the host's: the host's
# busybox, kmod and compiler do not fit its guest): the guest's user space,
# from this environment, into out/guest/ (busybox from busybox-static, kmod
# and the shared libraries it needs, at their paths) and the static user
# programs tools/vcstat and tools/samples/vcdev (vcdev_test) into out/bin/, built
# with this environment's compiler and libc.
# --cross DEBARCH TRIPLET MACHINE (arches.conf build=cross: arm64): this
# is an amd64 chroot whose headers of VCLAB_REL cross-compile by
# themselves (their .kernelvariables set ARCH and CROSS_COMPILE=TRIPLET-);
# everything run here sees "uname -m" = MACHINE (a uname in front of PATH),
# as DKMS must: it names the kit kernel-<rel>-<uname -m> and checks
# BUILD_EXCLUSIVE_ARCH against it, and Debian's package scripts give it no
# other architecture. With --userland, the guest's busybox and kmod are
# DEBARCH's packages, unpacked (they cannot be installed beside the amd64
# ones), and the user programs are built with TRIPLET-gcc-<N>.
# --kunit (debug lane, tree builds) also builds the KUnit module tests/kunit
# (vcompound_kunit.ko) when the tree has it and the kernel has CONFIG_KUNIT;
# its absence or build failure is a note (the lane reports KUnit missing),
# not a failure of the build.
#
# Writes out/modules: "<role> <path relative to VCLAB_W>" for the roles
# core, test, client, demo, bench, kunit, dev (vcompound_dev), users
# (vcompound_users); out/version: the version of the core module; out/notes:
# one line per remark for the summary; out/failed: the step that failed (on
# failure; exit status non-zero).

set -uo pipefail

MODE=${1:?usage: build-modules.sh deb|tree [--demo|--bench] [--kunit]}
DEMO=0 BENCH=0 KUNIT=0 USERLAND=0 FLAVOUR=amd64 SECOND=cloud-amd64
CROSS="" TRIPLET="" MACHINE=""
shift
while [ $# -gt 0 ]; do
	case $1 in
	--demo) DEMO=1 ;;
	--bench) BENCH=1 ;;
	--kunit) KUNIT=1 ;;
	--userland) USERLAND=1 ;;
	--flavour) FLAVOUR=$2; shift ;;
	--second) SECOND=$2; shift ;;
	--cross) CROSS=$2 TRIPLET=$3 MACHINE=$4; shift 3 ;;
	esac
	shift
done
W=${VCLAB_W:?} KDIR=${VCLAB_KDIR:?} REL=${VCLAB_REL:?}
S=$W/src
OUT=$W/out
rm -rf "$OUT"
mkdir -p "$OUT"
: >"$OUT/modules"
: >"$OUT/notes"
JOBS=$(nproc 2>/dev/null || echo 2)
if [ -n "$CROSS" ]; then
	mkdir -p "$W/cross-bin"
	# (the host's machine, wherever uname prints it, becomes MACHINE)
	cat >"$W/cross-bin/uname" <<EOF
#!/bin/sh
# build-modules.sh --cross: uname as on the machine of the kernel
out=\$(/usr/bin/uname "\$@") || exit
printf '%s\\n' "\$out" | sed "s/\\b\$(/usr/bin/uname -m)\\b/$MACHINE/g"
EOF
	chmod +x "$W/cross-bin/uname"
	export PATH=$W/cross-bin:$PATH
fi
ARCH=$(uname -m)

step() { printf '\n===== %s\n' "$*"; }
note() { printf 'NOTE: %s\n' "$*"; printf '%s\n' "$*" >>"$OUT/notes"; }
fail() {
	printf '%s\n' "$1" >"$OUT/failed"
	printf '\nBUILD FAILED: %s\n' "$1"
	exit 1
}
have() { printf '%s %s\n' "$1" "${2#"$W"/}" >>"$OUT/modules"; }

echo "vcompound for $REL ($ARCH), KDIR=$KDIR"
grep -E '^(override )?CC ' "$KDIR/.kernelvariables" 2>/dev/null || true

# kmake DIR KIT [VAR=VALUE...]: an external module of the tree against the
# client kit KIT.
kmake() {
	local d=$1 kit=$2
	shift 2
	make -C "$KDIR" M="$d" VC_TOP="$S" VCOMPOUND_KIT="$kit" -j"$JOBS" "$@" modules
}

# build_client KIT: the example client, a plain make against the kit.
build_client() {
	local c=$S/tests/client
	step "client driver against the kit $1"
	make -C "$c" KDIR="$KDIR" VCOMPOUND_KIT="$1" || fail "client build"
	have client "$c/vcompound_client.ko"
}

# build_internal KIT: the self-test (or demo, or bench), the demo device,
# the converted users and the KUnit module against KIT.
build_internal() {
	local kit=$1
	step "compat probes"
	make -C "$S/compat" KDIR="$KDIR" || fail "compat probes"
	make -C "$S/tests/compat" KDIR="$KDIR" || fail "the tests' compat probes"
	if [ $BENCH -eq 1 ]; then
		step "benchmark module"
		kmake "$S/tests/bench" "$kit" || fail "benchmark build"
		have bench "$S/tests/bench/vcompound_bench.ko"
		return
	fi
	if [ $DEMO -eq 1 ]; then
		step "demo module"
		kmake "$S/tools/samples/demo" "$kit" || fail "demo build"
		have demo "$S/tools/samples/demo/vcompound_demo.ko"
	else
		step "self-test module"
		kmake "$S/tests/selftest" "$kit" || fail "self-test build"
		have test "$S/tests/selftest/vcompound_test.ko"
		step "demo device (tools/samples/vcdev)"
		kmake "$S/tools/samples/vcdev" "$kit" || fail "demo device build"
		have dev "$S/tools/samples/vcdev/vcompound_dev.ko"
	fi
	step "converted vmalloc users (tools/samples/vcusers)"
	kmake "$S/tools/samples/vcusers" "$kit" || fail "converted users build"
	have users "$S/tools/samples/vcusers/vcompound_users.ko"
	build_kunit "$kit"
}

# build_kunit KIT: with --kunit, the KUnit module against KIT.
build_kunit() {
	local k=$S/tests/kunit
	[ $KUNIT -eq 1 ] || return 0
	if ! grep -qE '^CONFIG_KUNIT=[ym]$' "$KDIR/.config" 2>/dev/null; then
		note "kunit: $REL has no CONFIG_KUNIT (KUnit reported missing)"
		return 0
	fi
	step "KUnit module"
	if ! kmake "$k" "$1" || [ ! -f "$k/vcompound_kunit.ko" ]; then
		note "kunit: tests/kunit failed to build (build.log; KUnit reported missing)"
		return 0
	fi
	have kunit "$k/vcompound_kunit.ko"
}

# stage_userland: (--userland) the guest's busybox and kmod with the shared
# libraries ldd lists (and those kmod >= 31 dlopen()s, by its --version
# features) into out/guest/ at their paths, which mkinitramfs.sh packs
# instead of the host's; vcstat and vcdev_test, static like the host's
# (the guest has no libc but kmod's), into out/bin/.
stage_userland() {
	local g=$OUT/guest kmod lib feat pair p t
	step "guest user space for $(uname -m): busybox, kmod, vcstat, vcdev_test"
	[ -x /bin/busybox ] || fail "guest user space (no busybox-static in the build environment)"
	kmod=$(readlink -f "$(command -v kmod)") || fail "guest user space (no kmod)"
	mkdir -p "$g/bin" "$g/usr/bin" "$OUT/bin"
	cp /bin/busybox "$g/bin/busybox"
	cp "$kmod" "$g/usr/bin/kmod"
	feat=$(kmod --version | tail -n 1)
	{
		ldd "$kmod" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
		for pair in XZ:liblzma.so.5 ZSTD:libzstd.so.1 ZLIB:libz.so.1 LIBCRYPTO:libcrypto.so.3; do
			[[ " $feat " == *" +${pair%%:*} "* ]] || continue
			# (the environment has its own architecture's libraries only)
			p=$(ldconfig -p | awk -v l="${pair#*:}" '$1 == l && !n++ { print $NF }')
			[ -z "$p" ] || echo "$p"
		done
	} | while read -r lib; do
		mkdir -p "$g$(dirname "$lib")"
		cp -L "$lib" "$g$lib"
	done
	echo "kmod: $kmod ($feat); libraries: $(cd "$g" && find . -name '*.so*' | tr '\n' ' ')"
	for t in vcstat samples/vcdev; do
		[ -f "$S/tools/$t/Makefile" ] || continue
		step "make -C src/tools/$t STATIC=1 ($(cc --version | head -n 1))"
		make -C "$S/tools/$t" STATIC=1 || fail "guest user space (tools/$t)"
	done
	[ ! -x "$S/tools/vcstat/vcstat" ] || cp "$S/tools/vcstat/vcstat" "$OUT/bin/"
	[ ! -x "$S/tools/samples/vcdev/vcdev_test" ] || cp "$S/tools/samples/vcdev/vcdev_test" "$OUT/bin/"
	return 0
}
# stage_userland_cross: (--userland --cross) the same for DEBARCH from
# its packages: busybox-static, kmod and what it depends on, recursively
# (with what kmod and libkmod recommend: the libraries kmod >= 31
# dlopen()s), downloaded and unpacked; kmod's libraries by its ELF
# interpreter and DT_NEEDED entries, and the dlopen()ed ones, from the
# unpacked ones.
# deps_of PKG FIELDS: the first alternative of each dependency of PKG in
# the fields FIELDS (a regex: Depends|Recommends).
deps_of() {
	apt-cache show "$1" 2>/dev/null | awk -v f="^(Pre-Depends|$2):" '/^$/ { exit }
		$0 ~ f { sub(/^[^:]*: */, ""); n = split($0, d, /, */)
			for (i = 1; i <= n; i++) { sub(/[ :].*/, "", d[i]); print d[i] } }'
}
stage_userland_cross() {
	local g=$OUT/guest t=$W/cross-debs r p f cc interp lib todo=() seen=" " pkgs=()
	step "guest user space for $MACHINE ($CROSS): busybox, kmod, vcstat, vcdev_test"
	r=$t/root
	rm -rf "$t"
	mkdir -p "$r" "$g/bin" "$g/usr/bin" "$OUT/bin"
	pkgs=("busybox-static:$CROSS")
	todo=(kmod)
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		[[ $seen == *" $p "* ]] && continue
		seen+="$p "
		pkgs+=("$p:$CROSS")
		f=Depends
		[[ $p != kmod && $p != libkmod* ]] || f="Depends|Recommends"
		mapfile -t -O ${#todo[@]} todo < <(deps_of "$p:$CROSS" "$f")
	done
	seen=" "
	(cd "$t" && apt-get -q -o APT::Sandbox::User=root download "${pkgs[@]}") ||
		fail "guest user space (apt-get download ${pkgs[*]})"
	for f in "$t"/*.deb; do dpkg-deb -x "$f" "$r"; done
	for p in bin/busybox usr/bin/busybox; do [ ! -f "$r/$p" ] || cp "$r/$p" "$g/bin/busybox"; done
	for p in bin/kmod usr/bin/kmod; do [ ! -f "$r/$p" ] || cp "$r/$p" "$g/usr/bin/kmod"; done
	if [ ! -f "$g/bin/busybox" ] || [ ! -f "$g/usr/bin/kmod" ]; then
		fail "guest user space (no busybox or kmod in ${pkgs[*]})"
	fi
	interp=$("$TRIPLET-readelf" -l "$g/usr/bin/kmod" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
	[ -n "$interp" ] || fail "guest user space (kmod has no ELF interpreter)"
	mkdir -p "$g${interp%/*}" "$g/lib/$TRIPLET"
	todo=("$g/usr/bin/kmod")
	for lib in liblzma.so.5 libzstd.so.1 libz.so.1 libcrypto.so.3; do
		for p in "$r/lib/$TRIPLET/$lib" "$r/usr/lib/$TRIPLET/$lib"; do
			[ -e "$p" ] || continue
			cp -L "$p" "$g/lib/$TRIPLET/$lib"
			todo+=("$g/lib/$TRIPLET/$lib")
			seen+="$lib "
			break
		done
	done
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for lib in $("$TRIPLET-readelf" -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			[[ $seen == *" $lib "* ]] && continue
			seen+="$lib "
			for p in "$r/lib/$TRIPLET/$lib" "$r/usr/lib/$TRIPLET/$lib" ""; do
				[ -z "$p" ] || [ ! -e "$p" ] || break
			done
			[ -n "$p" ] || fail "guest user space ($lib, which ${f##*/} needs, is in none of ${pkgs[*]})"
			cp -L "$p" "$g/lib/$TRIPLET/$lib"
			todo+=("$g/lib/$TRIPLET/$lib")
		done
	done
	for p in "$r$interp" "$r/usr$interp"; do
		[ ! -e "$p" ] || { cp -L "$p" "$g$interp"; break; }
	done
	[ -f "$g$interp" ] || fail "guest user space (no $interp in libc6:$CROSS)"
	echo "kmod $(dpkg-deb -f "$t"/kmod_*.deb Version) ($CROSS); libraries: $(cd "$g" && find . -name '*.so*' | tr '\n' ' ')"
	cc=$(find /usr/bin -name "$TRIPLET-gcc-[0-9]*" | sort -V | tail -n 1)
	[ -n "$cc" ] || fail "guest user space (no $TRIPLET-gcc-<N>)"
	for f in vcstat samples/vcdev; do
		[ -f "$S/tools/$f/Makefile" ] || continue
		step "make -C src/tools/$f STATIC=1 CC=${cc##*/} ($("$cc" --version | head -n 1))"
		make -C "$S/tools/$f" STATIC=1 CC="$cc" || fail "guest user space (tools/$f)"
	done
	[ ! -x "$S/tools/vcstat/vcstat" ] || cp "$S/tools/vcstat/vcstat" "$OUT/bin/"
	[ ! -x "$S/tools/samples/vcdev/vcdev_test" ] || cp "$S/tools/samples/vcdev/vcdev_test" "$OUT/bin/"
	rm -rf "$t"
	return 0
}
if [ $USERLAND -eq 1 ] && [ -n "$CROSS" ]; then
	stage_userland_cross
elif [ $USERLAND -eq 1 ]; then
	stage_userland
fi

if [ "$MODE" = tree ]; then
	# (the benchmark needs only the core)
	target=modules
	[ $BENCH -eq 0 ] || target=module
	step "make -C src $target KDIR=$KDIR"
	make -C "$S" -j"$JOBS" $target KDIR="$KDIR" || fail "tree build"
	have core "$S/module/vcompound.ko"
	modinfo -F version "$S/module/vcompound.ko" >"$OUT/version" 2>/dev/null
	rm -rf "$W/kit"
	sh "$S/tools/scripts/publish-kit.sh" "$S" "$W/kit" || fail "publish-kit.sh"
	if [ $BENCH -eq 1 ]; then
		build_internal "$W/kit"
		exit 0
	fi
	# make modules built the internal modules against module/; the
	# guest loads them after the client.
	if [ $DEMO -eq 1 ]; then
		have demo "$S/tools/samples/demo/vcompound_demo.ko"
		have users "$S/tools/samples/vcusers/vcompound_users.ko"
		exit 0
	fi
	have test "$S/tests/selftest/vcompound_test.ko"
	build_client "$W/kit"
	have dev "$S/tools/samples/vcdev/vcompound_dev.ko"
	have users "$S/tools/samples/vcusers/vcompound_users.ko"
	build_kunit "$W/kit"
	exit 0
fi

[ "$MODE" = deb ] || fail "unknown mode $MODE"
[ "$(id -u)" = 0 ] || fail "package mode needs root in the chroot"
for d in N next; do
	ls "$W"/debs/$d/vcompound-dkms_*_all.deb >/dev/null 2>&1 ||
		fail "no vcompound-dkms package in debs/$d"
done
DEB_N=$(ls "$W"/debs/N/vcompound-dkms_*_all.deb)
DEB_NEXT=$(ls "$W"/debs/next/vcompound-dkms_*_all.deb)
VN=$(dpkg-deb -f "$DEB_N" Version)
VNEXT=$(dpkg-deb -f "$DEB_NEXT" Version)
echo "dkms $(dkms --version 2>/dev/null | head -n 1); packages $VN and $VNEXT"
KIT=/var/lib/dkms/vcompound/kernel-$REL-$ARCH
UPD=/lib/modules/$REL/updates/dkms

# pkg_step NAME CMD...: CMD with its output logged and scanned: DKMS's
# "Deprecated feature" notices fail the step as errors do.
pkg_step() {
	local what=$1 rc=0 log
	shift
	step "$what: $*"
	log=$(mktemp)
	"$@" >"$log" 2>&1 || rc=$?
	cat "$log"
	if grep -q 'Deprecated feature' "$log"; then
		rm -f "$log"
		fail "$what (DKMS: deprecated feature)"
	fi
	rm -f "$log"
	[ $rc -eq 0 ] || fail "$what"
}

# installed_ko DIR NAME: the installed module NAME (.ko, .ko.xz, ...) in DIR.
installed_ko() {
	find "$1" -maxdepth 1 -name "$2.ko*" 2>/dev/null | head -n 1
}

# apt_get ARGS...: apt-get, once more after "apt-get update" when the
# chroot's lists are older than what the lab resolved.
# (apt runs dpkg, and so the maintainer scripts and DKMS, with its
# DPkg::Path as PATH: --cross's uname goes first there too.)
APT_PATH=()
[ -z "$CROSS" ] || APT_PATH=(-o "DPkg::Path=$PATH")
apt_get() {
	apt-get "${APT_PATH[@]}" -q -y "$@" || { apt-get -q update && apt-get "${APT_PATH[@]}" -q -y "$@"; }
}

# A kernel older than the oldest supported, with headers (a link to
# REL's): DKMS's clean skip when the package is installed and upgraded, no
# failed build, no half-configured package. (The postinst's own dkms build
# is the check: dkms 2.8 exits 9, not 77, when asked to build it again.)
OLD=5.4.0-0-vclab-amd64
mkdir -p "/lib/modules/$OLD"
ln -sfn "$KDIR" "/lib/modules/$OLD/build"

pkg_step "install vcompound-dkms $VN" apt_get install "$DEB_N"
# DKMS's deprecated keys, also those a distribution's DKMS does not warn
# about (Debian's 3.2 silences CLEAN's notice).
dep=$(grep -oE '^(CLEAN|REMAKE_INITRD|MODULES_CONF[A-Z_]*)=' "/usr/src/vcompound-$VN/dkms.conf" | tr -d = | tr '\n' ' ')
[ -z "$dep" ] || fail "install vcompound-dkms (dkms.conf has deprecated keys: $dep)"
[ "$(dpkg-query -W -f='${db:Status-Abbrev}' vcompound-dkms)" = "ii " ] ||
	fail "install vcompound-dkms (not configured: $(dpkg-query -W -f='${db:Status-Abbrev}' vcompound-dkms))"
[ -z "$(installed_ko "/lib/modules/$OLD/updates/dkms" vcompound)" ] ||
	fail "unsupported kernel $OLD (DKMS installed a module for it)"
ko=$(installed_ko "$UPD" vcompound)
[ -n "$ko" ] || fail "install vcompound-dkms (no vcompound.ko in $UPD)"
[ "$(modinfo -F version "$ko")" = "$VN" ] || fail "install vcompound-dkms (installed module is not $VN)"
for f in Module.symvers vcompound.mk include/vcompound.h include/vcache.h include/vcompound_version.h; do
	[ -f "$KIT/$f" ] || fail "install vcompound-dkms (the kit lacks $f in $KIT)"
done
echo "kit: $KIT -> $(readlink "$KIT")"

CV=$(sed -n 's/^PACKAGE_VERSION="*\([^"]*\)"*/\1/p' "$S/tests/client/dkms.conf")
[ -n "$CV" ] || fail "no PACKAGE_VERSION in tests/client/dkms.conf"
rm -rf "/usr/src/vcompound-client-$CV"
cp -a "$S/tests/client" "/usr/src/vcompound-client-$CV"
pkg_step "client through DKMS" dkms add -m vcompound-client -v "$CV"
pkg_step "client through DKMS" dkms install -m vcompound-client -v "$CV" -k "$REL"
cko=$(installed_ko "$UPD" vcompound_client)
[ -n "$cko" ] || fail "client through DKMS (no vcompound_client.ko in $UPD)"

pkg_step "upgrade to vcompound-dkms $VNEXT" apt_get install "$DEB_NEXT"
ko=$(installed_ko "$UPD" vcompound)
[ -n "$ko" ] && [ "$(modinfo -F version "$ko")" = "$VNEXT" ] ||
	fail "upgrade to $VNEXT (the installed module is not $VNEXT)"
[ ! -e "/usr/src/vcompound-$VN" ] || fail "upgrade to $VNEXT (/usr/src/vcompound-$VN is left)"
[ "$(dpkg-query -W -f='${db:Status-Abbrev}' vcompound-dkms)" = "ii " ] ||
	fail "upgrade to $VNEXT (vcompound-dkms not configured)"
[ -z "$(installed_ko "/lib/modules/$OLD/updates/dkms" vcompound)" ] ||
	fail "unsupported kernel $OLD (DKMS installed a module for it on upgrade)"
rm -rf "/lib/modules/$OLD"
dkms status
mkdir -p "$OUT/ko"
cp "$ko" "$cko" "$OUT/ko/"
have core "$OUT/ko/${ko##*/}"
have client "$OUT/ko/${cko##*/}"
echo "$VNEXT" >"$OUT/version"

build_internal "$KIT"

# The second kernel: another flavour of the same version (amd64: cloud;
# i386: 686 beside 686-pae; arm64: cloud-arm64). --cross: apt would
# install its headers only with gcc-<N> and the image of DEBARCH, removing
# the amd64 compiler and dkms (buildenv.sh cross_headers), so dpkg
# installs them without those; their postinst runs DKMS's kernel hook as
# on a machine of DEBARCH. They go again before the purge, which apt
# would refuse with their dependencies unmet.
if [ "$SECOND" != - ]; then
	REL2=${REL%-"$FLAVOUR"}-$SECOND
	if [ -n "$CROSS" ]; then
		HV=$(sed -n 's/^linux-headers-[^=]*=\(.*\):[a-z0-9]*$/\1/p' "/usr/src/linux-headers-$REL/.vclab-cross-headers")
		[ -n "$HV" ] || fail "headers of a second kernel (no version of linux-headers-$REL)"
		pkg_step "headers of a second kernel ($REL2)" sh -c "cd /tmp && rm -f ./*.deb &&
			apt-get -q -o APT::Sandbox::User=root download 'linux-headers-$REL2:$CROSS=$HV' &&
			dpkg --force-depends -i ./linux-headers-${REL2}_*.deb"
	else
		HV=$(dpkg-query -W -f='${Version}' "linux-headers-$REL")
		pkg_step "headers of a second kernel ($REL2)" apt_get install "linux-headers-$REL2=$HV"
	fi
	for m in vcompound vcompound_client; do
		[ -n "$(installed_ko "/lib/modules/$REL2/updates/dkms" $m)" ] ||
			fail "headers of a second kernel ($REL2: DKMS built no $m.ko)"
	done
	[ -z "$CROSS" ] || pkg_step "remove the second kernel's headers" dpkg -r "linux-headers-$REL2:$CROSS"
fi

pkg_step "remove the client" dkms remove -m vcompound-client -v "$CV" --all
rm -rf "/usr/src/vcompound-client-$CV"
pkg_step "purge vcompound-dkms" apt-get "${APT_PATH[@]}" -q -y purge vcompound-dkms
left=$( { ls -d /usr/src/vcompound* /var/lib/dkms/vcompound* 2>/dev/null
	  find /lib/modules/*/updates -name 'vcompound*' 2>/dev/null; } | head -n 20)
[ -z "$left" ] || { printf 'left after purge:\n%s\n' "$left"; fail "purge vcompound-dkms (files left)"; }
echo "purge left nothing of vcompound"
exit 0
