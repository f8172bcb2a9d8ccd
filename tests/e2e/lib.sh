# lib.sh - sourced by every end-to-end test: a scratch dir, a fixed world, helpers.
#
# A test file sources this, then calls test_expect_success 'what' 'shell'
# (and friends) and ends with test_done. SLIPWAY names the binary under test.
# Run one test by hand:  SLIPWAY=$PWD/slipway sh tests/e2e/t1000-release.sh -v

set -u
SLIPWAY=${SLIPWAY:-$(cd "$(dirname "$0")/../.." && pwd)/slipway}
TEST_DIR=$(cd "$(dirname "$0")" && pwd)
TEST_NAME=$(basename "$0" .sh)
verbose=
[ "${1:-}" = "-v" ] && verbose=1

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/sw-$TEST_NAME.XXXXXX")
export HOME="$TRASH/home"
mkdir -p "$HOME"
export LC_ALL=C LANG=C TZ=UTC GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com
export GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL=committer@example.com
export GIT_AUTHOR_DATE='1700000000 +0000' GIT_COMMITTER_DATE='1700000000 +0000'
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME
# sanitizer reports must not look like slipway's own exit statuses
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=99:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$TEST_DIR/../lsan.supp}
git config --global init.defaultBranch master
git config --global advice.detachedHead false
cd "$TRASH" || exit 1

test_count=0 test_failed=0 test_cleanup=
_tick=1700000000

slipway() { "$SLIPWAY" "$@"; }

# Moves the fixed clock on by a minute.
test_tick() {
	_tick=$((_tick + 60))
	export GIT_AUTHOR_DATE="$_tick +0000" GIT_COMMITTER_DATE="$_tick +0000"
}

# test_commit MSG [FILE [CONTENT]]: writes, adds and commits in the current repo.
test_commit() {
	_f=${2:-$1.t}
	mkdir -p "$(dirname "$_f")"
	printf '%s\n' "${3:-$1}" >"$_f" && git add -- "$_f" && test_tick &&
		git commit -q -m "$1"
}

# test_when_finished CMD: run CMD after this test, even when it fails (the body
# runs in a subshell, so the commands are kept in a file).
test_when_finished() { printf '%s\n' "$*" >>"$TRASH/.cleanup"; }

# test_must_fail CMD...: CMD must fail in an orderly way (not crash, not a sanitizer report).
test_must_fail() {
	"$@"
	_rc=$?
	if [ $_rc -eq 0 ]; then echo "test_must_fail: '$*' succeeded" >&2; return 1; fi
	if [ $_rc -ge 99 ]; then echo "test_must_fail: '$*' died ($_rc)" >&2; return 1; fi
	return 0
}

# test_expect_code N CMD...: CMD must exit with status N.
test_expect_code() {
	_want=$1; shift
	"$@"
	_rc=$?
	[ $_rc -eq "$_want" ] && return 0
	echo "test_expect_code: '$*' exited $_rc, wanted $_want" >&2
	return 1
}

test_cmp() { diff -u "$1" "$2"; }

# test_grep PATTERN FILE: like grep, but shows the file when it does not match.
test_grep() {
	grep -q -e "$1" "$2" && return 0
	echo "test_grep: '$1' not found in $2:" >&2
	sed 's/^/| /' "$2" >&2
	return 1
}

# refs_snapshot DIR: every ref and its value, and the working tree's status.
refs_snapshot() {
	git -C "$1" for-each-ref --format='%(refname) %(objectname)'
	git -C "$1" rev-parse HEAD 2>/dev/null
	[ "$(git -C "$1" rev-parse --is-bare-repository)" = true ] ||
		git -C "$1" status --porcelain=v1 --untracked-files=all
}

test_expect_success() {
	test_count=$((test_count + 1))
	_out="$TRASH/.out.$test_count"
	( cd "$TRASH" && eval "$2" ) >"$_out" 2>&1 </dev/null
	_rc=$?
	if [ -f "$TRASH/.cleanup" ]; then
		( cd "$TRASH" && eval "$(cat .cleanup)" ) >>"$_out" 2>&1
		rm -f "$TRASH/.cleanup"
	fi
	if [ $_rc -eq 0 ]; then
		echo "ok $test_count - $1"
		[ -n "$verbose" ] && sed 's/^/# /' "$_out"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$_out"
	fi
	return 0
}

test_done() {
	echo "# $TEST_NAME: $((test_count - test_failed)) passed, $test_failed failed"
	cd / && rm -rf "$TRASH"
	[ $test_failed -eq 0 ]
	exit $?
}
