#!/bin/sh
# run-tests.sh - runs unit, end-to-end and short fuzz tests for each build given.
# usage: tests/run-tests.sh BUILD_DIR... (e.g. build/release build/asan)
# Prints each test file's TAP-ish lines, then one line: "N passed, N failed".
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
export ASAN_OPTIONS=exitcode=99:detect_leaks=1
export UBSAN_OPTIONS=exitcode=99:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$top/tests/lsan.supp
jobs=${TEST_JOBS:-$(nproc)}
fuzz_seconds=${FUZZ_TEST_SECONDS:-10}

n=0
for b in "$@"; do
	for u in "$b"/tests/unit/test_*; do
		[ -x "$u" ] || continue
		n=$((n + 1))
		echo "CMOCKA_MESSAGE_OUTPUT=TAP '$u'" >"$logs/$n.cmd"
	done
	for t in tests/e2e/t[0-9]*.sh; do
		[ -f "$t" ] || continue
		n=$((n + 1))
		echo "SLIPWAY='$top/$b/slipway' sh '$t'" >"$logs/$n.cmd"
	done
done
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	n=$((n + 1))
	echo "mkdir -p '$logs/c$n' && '$f' -max_total_time=$fuzz_seconds '$logs/c$n' tests/fuzz/seeds/${name#fuzz_} >/dev/null 2>&1 && echo 'ok 1 - $name ${fuzz_seconds}s' || echo 'not ok 1 - $name (run make fuzz to reproduce)'" >"$logs/$n.cmd"
done

# run them jobs at a time; each writes its own log
i=1
while [ $i -le $n ]; do echo $i; i=$((i + 1)); done |
	xargs -P "$jobs" -I{} sh -c "sh '$logs/{}.cmd' >'$logs/{}.log' 2>&1; echo \$? >'$logs/{}.rc'"

pass=0 fail=0 i=1
while [ $i -le $n ]; do
	echo "== $(sed 's/^.*sh //; s/^CMOCKA[^ ]* //' "$logs/$i.cmd" | cut -c1-100)"
	cat "$logs/$i.log"
	p=$(grep -c '^ok ' "$logs/$i.log")
	f=$(grep -c '^not ok ' "$logs/$i.log")
	rc=$(cat "$logs/$i.rc")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - exited $rc without reporting a failure"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f))
	i=$((i + 1))
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
