#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# judge-test.sh: the judge's own tests. Each judge-tests/*.log is a console
# log made up for one rule of the judge (judge.sh, judge/*.awk), judged with
# that directory's plans.conf and skips.allow; its "#! " header lines say
# what must come out:
#   #! expect-verdict: OK|FAIL   the RESULT line's verdict
#   #! expect-line: TEXT         a line of the judge's output contains TEXT
#   #! release: REL              uname -r of the made-up kernel (6.12.0-jt)
#   #! debug: 1                  judged as the debug lane (-v debug=1)
#   #! mode: demo|bench          judged as make demo / make bench (test)
#   #! needchecks: A,B           the checks the log must have (-v needchecks)
#   #! steps: A B                the debug lane's steps of the kernel (-v steps)
# A rule that stops working (a check removed, a message reworded) fails
# here before it lets a real run through. judge-tests/*.console are the
# consoles of lib.sh's died_before_init test, below. Prints one line per failure and,
# last, "judge self-tests: N passed, M failed"; exits 1 on any failure.

set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
t=$dir/judge-tests
pass=0 fail=0
for log in "$t"/*.log; do
	name=$(basename "$log" .log)
	rel=6.12.0-jt debug=0 mode=test verdict='' lines=() need='' steps=''
	while IFS= read -r h; do
		case $h in
		"#! expect-verdict: "*) verdict=${h#\#! expect-verdict: } ;;
		"#! expect-line: "*) lines+=("${h#\#! expect-line: }") ;;
		"#! release: "*) rel=${h#\#! release: } ;;
		"#! debug: "*) debug=${h#\#! debug: } ;;
		"#! mode: "*) mode=${h#\#! mode: } ;;
		"#! needchecks: "*) need=${h#\#! needchecks: } ;;
		"#! steps: "*) steps=${h#\#! steps: } ;;
		esac
	done < <(grep '^#! ' "$log")
	if [ -z "$verdict" ] && [ ${#lines[@]} -eq 0 ]; then
		echo "judge self-test $name: expects nothing" >&2
		fail=$((fail + 1))
		continue
	fi
	out=$(grep -v '^#! ' "$log" | sh "$dir/judge.sh" -v mode="$mode" \
		-v debug="$debug" -v release="$rel" -v plans="$t/plans.conf" \
		-v skipallow="$t/skips.allow" -v needchecks="$need" -v steps="$steps")
	why=
	got=$(printf '%s\n' "$out" | tail -n 1 | awk '{ print $5 }')
	[ -z "$verdict" ] || [ "$got" = "$verdict" ] || why="verdict $got, expected $verdict"
	for l in "${lines[@]}"; do
		printf '%s\n' "$out" | grep -qF -- "$l" || why="${why:+$why; }no line with '$l'"
	done
	if [ -z "$why" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "judge self-test $name: $why" >&2
		printf '%s\n' "$out" | sed 's/^/    /' >&2
	fi
done
# run.sh boots a guest once more only when it died before /init (lib.sh's
# died_before_init): a crash of ours must never get a second chance.
# shellcheck source=lib.sh
. "$dir/lib.sh"
for c in died-before-init:0 died-after-init:1 clean:1; do
	if died_before_init "$t/${c%:*}.console" >/dev/null; then got=0; else got=1; fi
	if [ "$got" = "${c#*:}" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "judge self-test died_before_init ${c%:*}: returned $got, expected ${c#*:}" >&2
	fi
done

echo "judge self-tests: $pass passed, $fail failed"
[ $fail -eq 0 ]
