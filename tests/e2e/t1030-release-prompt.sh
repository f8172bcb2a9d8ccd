#!/bin/sh
# t1030-release-prompt.sh - on a terminal, release asks for the version and to confirm.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

# on_tty INPUT CMD...: runs CMD on a pseudo-terminal (script(1)) typing INPUT.
on_tty() {
	_in=$1; shift
	printf "$_in" | script -qec "$*" /dev/null
}

test_expect_success 'setup' '
	setup_release_repo
'

test_expect_success 'the prompt shows the current version and the next three; no means no' '
	refs_snapshot origin.git >before &&
	test_expect_code 6 on_tty "minor\nn\n" "$SLIPWAY" -C work release >out 2>&1 &&
	test_grep "current version: 1.2.3 (package.json)" out &&
	test_grep "patch  1.2.4" out &&
	test_grep "minor  1.3.0" out &&
	test_grep "major  2.0.0" out &&
	test_grep "release 1.3.0: merge" out &&
	test_grep "push release 1.3.0 to .origin.? \[y/N\]" out &&
	test_grep "cancelled; nothing was pushed" out &&
	refs_snapshot origin.git >after &&
	test_cmp before after
'

test_expect_success 'end of input at the version prompt cancels' '
	test_expect_code 6 on_tty "" "$SLIPWAY" -C work release >out 2>&1 &&
	test_grep "no version given" out
'

test_expect_success 'a bad version typed at the prompt is refused like an argument' '
	test_expect_code 2 on_tty "1.2\n" "$SLIPWAY" -C work release >out 2>&1 &&
	test_grep "not a semantic version" out
'

test_expect_success 'Enter takes the next patch, y pushes' '
	on_tty "\ny\n" "$SLIPWAY" -C work release >out 2>&1 &&
	test_grep "released 1.2.4" out &&
	git -C origin.git show master:package.json >pkg &&
	test_grep "\"version\": \"1.2.4\"" pkg
'

test_expect_success 'a typed version, with a leading v' '
	(cd work && git switch -q staging && git fetch -q && git merge -q --ff-only origin/staging &&
	 test_commit two two.txt && git push -q origin staging) &&
	cd_passed &&
	on_tty "v2.0.0\nyes\n" "$SLIPWAY" -C work release >out 2>&1 &&
	test_grep "dropped the leading .v." out &&
	test_grep "released 2.0.0" out &&
	test "$(git -C origin.git rev-parse indra-2.0.0^{commit})" = "$(git -C origin.git rev-parse master)"
'

test_done
