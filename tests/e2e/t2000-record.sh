#!/bin/sh
# t2000-record.sh - slipway record: a result another CI produced, as a record in git.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	git init -q repo && (cd repo && test_commit one && test_commit two)
'

test_expect_success 'a result is recorded for the commit and for its tree' '
	(cd repo && slipway record ci --status pass --url https://ci.example/runs/7 >../out) &&
	c=$(git -C repo rev-parse HEAD) && t=$(git -C repo rev-parse HEAD^{tree}) &&
	echo "recorded ci pass for $(git -C repo rev-parse --short=8 HEAD)" >expect &&
	test_cmp expect out &&
	git -C repo for-each-ref --format="%(refname)" refs/slipway/pipeline/ >refs &&
	test "$(wc -l <refs)" = 2 &&
	for ref in $(cat refs); do
		git -C repo show "$ref:record.json" >rec &&
		test_grep "\"status\": \"pass\"" rec &&
		test_grep "\"commit\": \"$c\"" rec &&
		test_grep "\"tree\": \"$t\"" rec &&
		test_grep "\"url\": \"https://ci.example/runs/7\"" rec &&
		test_grep "\"by\": \"committer@example.com\"" rec || return 1
	done &&
	git -C repo log -1 --format=%s "$(head -1 refs)" >subject &&
	echo "ci pass on $(git -C repo rev-parse --short=8 HEAD)" >expect &&
	test_cmp expect subject
'

test_expect_success 'a later result extends the chain; git log -p reads it' '
	(cd repo && slipway record ci --status fail --commit HEAD >/dev/null) &&
	ref=$(git -C repo for-each-ref --format="%(refname)" refs/slipway/pipeline/ | head -1) &&
	test "$(git -C repo rev-list --count "$ref")" = 2 &&
	git -C repo log -p "$ref" >log &&
	test_grep "^-  \"status\": \"pass\"" log &&
	test_grep "^+  \"status\": \"fail\"" log
'

test_expect_success 'another commit, by name, gets chains of its own' '
	(cd repo && slipway record cd --status pass --commit HEAD~1 >/dev/null) &&
	test "$(git -C repo for-each-ref refs/slipway/pipeline/ | wc -l)" = 4 &&
	git -C repo fsck --strict --no-dangling
'

# bad RUN-ARGS / MESSAGE: exit 2, the message, no new ref
bad() {
	git -C repo for-each-ref >before &&
	(cd repo && test_expect_code 2 "$SLIPWAY" record "$@" >../out 2>../err) &&
	git -C repo for-each-ref >after && test_cmp before after
}

test_expect_success 'bad input: each refused with exit 2, nothing written' '
	bad ci && test_grep "status is required" err &&
	bad ci --status maybe && test_grep "invalid status .maybe." err &&
	bad "c i" --status pass && test_grep "invalid pipeline name .c i." err &&
	bad ci --status pass --commit nosuch && test_grep ".nosuch. does not name a commit" err &&
	bad ci --status pass --url ftp://x && test_grep "must start with https://" err &&
	bad ci --status pass --url "https://x/a b" && test_grep "contains a space" err &&
	bad --status pass && test_grep "which pipeline" err &&
	bad ci cd --status pass && test_grep "unexpected argument .cd." err &&
	bad ci --status && test_grep "option .--status. needs a value" err
'

test_expect_success 'outside a repository' '
	mkdir -p plain && (cd plain && test_expect_code 2 "$SLIPWAY" record ci --status pass 2>../err) &&
	test_grep "not a git repository" err
'

test_done
