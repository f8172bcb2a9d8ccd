#!/bin/sh
# t2150-hook-merge-check.sh - the hook checks a merge's tree path by path where
# every path merges trivially, and leaves the rest to git merge-tree.
. "$(dirname "$0")/lib.sh"

unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

test_expect_success 'setup: a hooked remote (gate: ci only)' '
	git init -q --bare origin.git &&
	git clone -q origin.git dev 2>/dev/null &&
	git -C dev config user.name dev && git -C dev config user.email dev@example.com &&
	(
		cd dev &&
		printf "[gate]\n\trule = ci\n" >slipway.conf &&
		printf "1\n2\n3\n4\n5\n6\n7\n8\n9\n" >shared.txt && echo a >a.txt &&
		git add . && git commit -q -m base &&
		git push -q origin HEAD:master HEAD:staging &&
		git switch -q -c staging origin/staging
	) &&
	slipway -C origin.git hook install >/dev/null
'

# branch NAME CMDS: a branch off the remote's staging made by CMDS in dev,
# pushed, its CI recorded as passed and synced
branch() {
	(cd dev && git fetch -q && git switch -q -C "$1" origin/staging && eval "$2" &&
	 git commit -q -a -m "$1" && git push -q origin "$1" &&
	 slipway record ci --status pass >/dev/null && slipway sync >/dev/null)
}

# staging_moves NAME CMDS: staging moves on, by the gated merge of branch NAME
staging_moves() {
	branch "$1" "$2" && merge_push "$1"
}

# merge_push NAME [FIX]: git merge of NAME into staging (FIX run after it:
# amending the merge, or finishing a conflicted one), pushed with GIT_TRACE into ../trace (the hook's git
# children say what they are); exit status of the push
merge_push() {
	rm -f trace &&
	(cd dev && git fetch -q && git switch -q -C staging origin/staging &&
	 { git merge -q --no-ff --no-edit "origin/$1" >/dev/null 2>&1 || true; } &&
	 if [ -n "${2:-}" ]; then
		eval "$2" && git add -A &&
		if [ -f .git/MERGE_HEAD ]; then git commit -q --no-edit; else git commit -q --no-edit --amend; fi
	 fi &&
	 env GIT_TRACE="$TRASH/trace" git push origin staging 2>../err)
}

# refused NAME FIX REASON: merge_push NAME FIX fails, err says REASON, and the
# remote's staging has not moved
refused() {
	_before=$(git -C origin.git rev-parse staging) &&
	test_must_fail merge_push "$1" "$2" &&
	test_grep "$3" err &&
	test "$(git -C origin.git rev-parse staging)" = "$_before"
}

test_expect_success 'a merge where each side changed its own files: accepted without git merge-tree' '
	branch one "echo one >one.txt && git add one.txt" &&
	staging_moves side1 "echo b >a.txt" &&
	merge_push one &&
	test "$(git -C origin.git rev-parse staging)" = "$(git -C dev rev-parse staging)" &&
	test_grep "git-receive-pack" trace &&
	! grep "git merge-base" trace &&
	! grep "git merge-tree" trace
'

test_expect_success 'the same with a change slipped into the merge: refused' '
	branch two "echo two >two.txt && git add two.txt" &&
	refused two "echo sneaky >a.txt" "changes more than merging .two. does"
'

test_expect_success 'both sides changed one file (a clean content merge): git merge-tree decides, accepted' '
	branch three "sed -i s/^1\$/one/ shared.txt" &&
	staging_moves side2 "sed -i s/^9\$/nine/ shared.txt" &&
	merge_push three &&
	test "$(git -C origin.git rev-parse staging)" = "$(git -C dev rev-parse staging)" &&
	grep "git merge-tree" trace &&
	test "$(git -C origin.git show staging:shared.txt | sed -n "1p;9p" | tr "\n" " ")" = "one nine "
'

test_expect_success 'both sides changed one line, resolved by hand: refused' '
	branch four "sed -i s/^5\$/five/ shared.txt" &&
	staging_moves side3 "sed -i s/^5\$/FIVE/ shared.txt" &&
	refused four "printf \"1\\n2\\n3\\n4\\nboth\\n6\\n7\\n8\\nnine\\n\" >shared.txt" \
		"resolves conflicts by hand"
'

test_expect_success 'a criss-cross (two merge bases): git merge-tree decides, accepted' '
	branch cross "echo x >cross.txt && git add cross.txt" &&
	staging_moves side4 "echo s >side4.txt && git add side4.txt" &&
	merge_push cross &&
	(cd dev && git fetch -q && git switch -q -C cross origin/cross &&
	 git merge -q --no-edit origin/staging^1 >/dev/null &&
	 echo y >cross.txt && git commit -q -a -m "cross again" && git push -q origin cross &&
	 slipway record ci --status pass >/dev/null && slipway sync >/dev/null &&
	 test $(git merge-base --all origin/staging cross | wc -l) = 2) &&
	merge_push cross &&
	test "$(git -C origin.git rev-parse staging)" = "$(git -C dev rev-parse staging)" &&
	test_grep "git merge-tree" trace &&
	test "$(git -C origin.git show staging:cross.txt)" = y
'

test_done
