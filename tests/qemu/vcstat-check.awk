# SPDX-License-Identifier: GPL-2.0
#
# vcstat-check.awk: vcstat's output against the sysfs files it reads, in
# the guest (busybox awk; init.sh's vcstat_check, /lib/vclab/ in the
# initramfs), while nothing allocates. Three files, in this order:
#   SYSFS   lines "global NAME VALUE", "order N NAME VALUE",
#           "cache NAME FIELD VALUE": every file of /sys/kernel/vcompound/
#   JSON    the output of vcstat --json (one line)
#   TEXT    the output of vcstat
# Every value vcstat shows must be the file's, and it must show every
# global file, every order with a non-zero file and every cache. Prints
# one line per disagreement and, last, "checked N values, M wrong"; exits
# 1 when any is wrong or nothing was checked.

function want(key, val) {
	if (!(key in sysfs)) {
		bad++
		print "vcstat shows " key "=" val ", which is no sysfs file"
	} else if (sysfs[key] != val) {
		bad++
		print "vcstat shows " key "=" val ", sysfs has " sysfs[key]
	}
	checked++
	shown[key] = 1
}

# The "key":value members of a JSON object's text, without its braces.
function members(text, prefix,   n, i, kv, m) {
	n = split(text, m, ",")
	for (i = 1; i <= n; i++) {
		split(m[i], kv, ":")
		gsub(/"/, "", kv[1])
		if (kv[1] == "order" || kv[1] == "name") continue
		want(prefix kv[1], kv[2])
	}
}

# The objects of a JSON array's text "[{...},{...}]".
function objects(text, kind,   n, i, o, id, kv) {
	sub(/^\[\{/, "", text)
	sub(/\}\]$/, "", text)
	if (text == "[]" || text == "") return
	n = split(text, o, /\},\{/)
	for (i = 1; i <= n; i++) {
		split(o[i], kv, ",")
		id = kv[1]
		sub(/^"[a-z]+":/, "", id)
		gsub(/"/, "", id)
		members(o[i], kind " " id " ")
	}
}

FILENAME == ARGV[1] {
	if ($1 == "global") sysfs["global " $2] = $3
	else sysfs[$1 " " $2 " " $3] = $4
	if ($1 == "order" && $4 != 0) used["order " $2] = 1
	if ($1 == "cache") cache["cache " $2] = 1
	next
}

FILENAME == ARGV[2] {
	json++
	if (match($0, /"global":\{[^}]*\}/))
		members(substr($0, RSTART + 10, RLENGTH - 11), "global ")
	else { bad++; print "vcstat --json: no global object" }
	if (match($0, /"orders":\[[^]]*\]/))
		objects(substr($0, RSTART + 9, RLENGTH - 9), "order")
	else { bad++; print "vcstat --json: no orders array" }
	if (match($0, /"caches":\[.*\]/))
		objects(substr($0, RSTART + 9, RLENGTH - 9), "cache")
	else { bad++; print "vcstat --json: no caches array" }
	next
}

# The text table: a header "order COL...", then one row per order shown.
$1 == "order" { ncol = NF; for (i = 2; i <= NF; i++) col[i] = $i; rows = 1; next }
rows && $1 ~ /^[0-9]+$/ && NF == ncol {
	for (i = 2; i <= NF; i++) {
		textkey = "order " $1 " " col[i]
		if (sysfs[textkey] != $i) {
			bad++
			print "vcstat's table shows " textkey "=" $i ", sysfs has " sysfs[textkey]
		}
		checked++
	}
	textrows++
	next
}
{ rows = 0 }
/^outstanding: physical / {
	if ($3 != sysfs["global outstanding_physical"] || $8 != sysfs["global outstanding_virtual"]) {
		bad++
		print "vcstat's table: " $0 "; sysfs: " sysfs["global outstanding_physical"] " and " sysfs["global outstanding_virtual"]
	}
	checked++
}

END {
	if (json != 1) { bad++; print "vcstat --json printed " json " lines, not 1" }
	for (k in sysfs) {
		split(k, p, " ")
		if (p[1] == "global" || ((p[1] " " p[2]) in used) || ((p[1] " " p[2]) in cache))
			if (!(k in shown)) { bad++; print "vcstat --json does not show " k }
	}
	for (k in used) usedn++
	if (textrows != usedn) { bad++; print "vcstat's table has " textrows " order rows, sysfs " usedn " used orders" }
	print "checked " checked " values, " bad + 0 " wrong"
	exit (bad || !checked) ? 1 : 0
}
