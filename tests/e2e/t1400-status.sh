#!/bin/sh
# t1400-status.sh - slipway status: the version, both heads, how far staging
# is ahead, whether a release would merge; and it moves no ref.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

test_expect_success 'status on a repository ready to release' '
	fresh_release_repo && snap &&
	(cd work && slipway status </dev/null >../out 2>../err) &&
	m=$(git -C origin.git rev-parse --short=8 master) &&
	s=$(git -C origin.git rev-parse --short=8 staging) &&
	test_grep "^master  *$m " out &&
	test_grep "^staging  *$s " out &&
	test_grep "version 1\.2\.3" out &&
	test_grep "1 commit ahead" out &&
	test_grep "merges cleanly" out &&
	test_grep "slipway release 1\.2\.4" out &&
	unchanged
'

test_expect_success 'status reads the remote, not the local branches' '
	fresh_release_repo &&
	(
		cd work &&
		test_commit local-only local.txt &&
		git -C ../origin.git rev-parse --short=8 staging >../s.remote &&
		git rev-parse --short=8 staging >../s.local
	) &&
	test_must_fail test_cmp s.remote s.local &&
	snap &&
	(cd work && slipway status </dev/null >../out 2>../err) &&
	test_grep "^staging  *$(cat s.remote) " out &&
	test_must_fail grep "$(cat s.local)" out &&
	test_grep "1 commit ahead" out &&
	unchanged
'

test_expect_success 'status when staging would conflict: exit 0, the paths listed' '
	fresh_release_repo &&
	(
		cd work &&
		git switch -q master &&
		test_commit master-side README "master says hello" &&
		test_commit master-feature feature.txt "master feature" &&
		git push -q origin master &&
		git switch -q staging &&
		test_commit staging-side README "staging says hello" &&
		git push -q origin staging
	) &&
	test_must_fail git -C work merge-tree --write-tree --name-only --no-messages \
		origin/master origin/staging >merge-tree &&
	sed 1d merge-tree >expect &&
	printf "README\nfeature.txt\n" >want && test_cmp want expect &&
	snap &&
	(cd work && slipway status </dev/null >../out 2>../err) &&
	test_grep "conflict" out &&
	sed -n "/conflict/,\$p" out | sed 1d >listed &&
	while read -r p; do
		grep -q "^ *$p\$" listed || { echo "not listed: $p"; cat out; exit 1; }
	done <expect &&
	test_must_fail grep "merges cleanly" out &&
	unchanged
'

test_expect_success 'status with nothing to release' '
	fresh_release_repo &&
	git -C origin.git update-ref refs/heads/staging refs/heads/master &&
	snap &&
	(cd work && slipway status </dev/null >../out 2>../err) &&
	test_grep "0 commits ahead" out &&
	test_grep "nothing to release" out &&
	test_must_fail grep "merges cleanly" out &&
	unchanged
'

test_expect_success 'bad arguments: exit 2, named, nothing read or changed' '
	fresh_release_repo && snap &&
	(cd work && test_expect_code 2 "$SLIPWAY" status extra 2>../err) &&
	test_grep "slipway: status: unexpected argument .extra." err &&
	test_grep "usage: slipway status" err &&
	(cd work && test_expect_code 2 "$SLIPWAY" status --bogus 2>../err) &&
	test_grep "slipway: status: unknown option .--bogus." err &&
	(cd work && test_expect_code 2 "$SLIPWAY" status --remote 2>../err) &&
	test_grep "option .--remote. needs a value" err &&
	unchanged
'

test_expect_success 'with a commit-graph (git gc writes one) the count is the same' '
	fresh_release_repo &&
	(cd work && git switch -q staging && test_commit two two.txt && test_commit three three.txt &&
	 git push -q origin staging && git commit-graph write --reachable) &&
	test -f work/.git/objects/info/commit-graph &&
	(cd work && GIT_TRACE="$TRASH/trace" slipway status </dev/null >../out 2>../err) &&
	test_grep "3 commits ahead" out &&
	grep "rev-list --count --left-right" trace
'

test_expect_success 'the count is kept for the pair of heads: read again, counted again when one moves' '
	fresh_release_repo &&
	(cd work && slipway status </dev/null >../out 2>&1) &&
	test_grep "1 commit ahead" out &&
	test_grep " 1 0\$" work/.git/slipway/ahead-1 &&
	sed -i "s/ 1 0\$/ 7 0/" work/.git/slipway/ahead-1 &&
	(cd work && slipway status </dev/null >../out 2>&1) &&
	test_grep "7 commits ahead" out &&
	(cd work && git switch -q staging && test_commit four four.txt && git push -q origin staging) &&
	(cd work && slipway status </dev/null >../out 2>&1) &&
	test_grep "2 commits ahead" out
'

test_done
