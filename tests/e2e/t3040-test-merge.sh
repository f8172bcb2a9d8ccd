#!/bin/sh
# t3040-test-merge.sh - gate.test-merge: the merged tree passes CI before slipway
# merge pushes it (run on the merge commit, or reused for the same tree).
. "$(dirname "$0")/lib.sh"

remote_head() { git -C "$TRASH/origin.git" rev-parse "refs/heads/${1:-staging}"; }

test_expect_success 'setup: a remote whose CI fails when part1 and broken meet' '
	git init -q --bare origin.git &&
	git clone -q origin.git dev 2>/dev/null &&
	(
		cd dev &&
		git checkout -q -b master &&
		cat >slipway.conf <<-\EOC &&
		[gate]
			rule = ci
			test-merge = true
		[job "check"]
			pipelines = ci
			run = "if test -e part1 && test -e broken; then echo they clash; exit 3; fi"
			run = "echo checked $SLIPWAY_BRANCH"
		[pipeline "ci"]
			on = feature staging
		EOC
		git add slipway.conf && test_commit base &&
		git push -q origin master master:staging
	)
'

# feature NAME FILE: a branch off the remote staging with FILE, pushed, CI run.
feature() {
	(
		cd "$TRASH/dev" && git fetch -q origin &&
		git checkout -q -B "$1" origin/staging &&
		test_commit "$1" "$2" &&
		git push -q origin "$1" 2>/dev/null &&
		slipway run --plain >"$TRASH/run-${1#feature/}.out" 2>&1
	)
}

test_expect_success 'three branches off staging, each passing CI on its own' '
	feature feature/a part1 && feature feature/b broken && feature feature/c part2 &&
	test_grep "^ci pass" run-a.out && test_grep "^ci pass" run-b.out &&
	test_grep "^ci pass" run-c.out
'

test_expect_success 'a branch on top of staging: its tree passed, nothing runs again' '

	(cd dev && slipway merge feature/a --no-sync >../out 2>&1) &&
	test_grep "^test-merge: the merged tree passed already: ci pass on" out &&
	! grep -q "running ci on the merge" out &&
	test "$(git -C origin.git rev-parse "staging^2")" = "$(git -C dev rev-parse feature/a)"
'

test_expect_success 'a merge whose tree differs from both sides: CI runs on it, red: nothing pushed' '
	before=$(remote_head) &&
	test_expect_code 1 sh -c "cd dev && \"$SLIPWAY\" merge feature/b --no-sync" >out 2>err &&
	test_grep "^test-merge: running ci on the merge" out &&
	test_grep "check | they clash" out &&
	test_grep "^ci fail" out &&
	test_grep "the merged tree did not pass ci; nothing was merged" err &&
	test "$(remote_head)" = "$before" &&
	git -C dev worktree list >wt && test "$(wc -l <wt)" = 1
'

test_expect_success 'a clean combination: CI runs on the merge, passes, the merge is pushed with its result' '
	(cd dev && slipway merge feature/c >../out 2>&1) &&
	test_grep "^test-merge: running ci on the merge" out &&
	test_grep "check | checked staging" out &&
	test_grep "^merged feature/c" out &&
	m=$(remote_head) &&
	test "$(git -C origin.git rev-parse "$m^2")" = "$(git -C dev rev-parse feature/c)" &&
	tree=$(git -C origin.git rev-parse "$m^{tree}") &&
	git -C origin.git for-each-ref --format="%(refname)" refs/slipway/pipeline/ >refs &&
	for r in $(cat refs); do git -C origin.git show "$r:record.json"; done >recs &&
	test_grep "\"tree\": \"$tree\"" recs &&
	test_grep "\"commit\": \"$m\"" recs
'

test_expect_success 'test-merge must be a boolean' '
	(
		cd dev && git checkout -q -B feature/d origin/staging &&
		sed -i "s/test-merge = true/test-merge = sometimes/" slipway.conf &&
		git commit -qam "bad" &&
		test_expect_code 2 slipway gate feature/d >../out 2>../err
	) &&
	test_grep "gate.test-merge" err
'

test_done
