#!/bin/sh
# t2130-records-bad-input.sh - bad input to the record readers and writers: unknown
# and invalid branches, a gate rule that does not parse, corrupted records (not
# JSON, wrong schema, a ref at a non-commit), bad arguments. Each gets a clear
# error naming what is wrong (the ref, for records), the other records stay
# readable, and nothing is written.
. "$(dirname "$0")/lib.sh"

# LeakSanitizer lists the suppressions it used on stderr: keep stderr for slipway,
# as some checks here want it empty.
export LSAN_OPTIONS="$LSAN_OPTIONS:print_suppressions=0"

# review_ref BRANCH / pipeline_ref SUBJECT: the ref of a chain
review_ref() {
	echo "refs/slipway/review/$(printf 'branch:%s' "$1" | git hash-object --stdin)"
}
pipeline_ref() {
	echo "refs/slipway/pipeline/$(printf '%s' "$1" | git hash-object --stdin)"
}

# put_record REF CONTENT: a commit holding CONTENT as record.json on top of
# REF (or starting it), REF moved there; made with plumbing, as a broken
# writer or a hand edit would
put_record() {
	(
		cd "$TRASH/repo" &&
		old=$(git rev-parse -q --verify "$1") || old=
		blob=$(printf '%s\n' "$2" | git hash-object -w --stdin) &&
		tree=$(printf '100644 blob %s\trecord.json\n' "$blob" | git mktree) &&
		new=$(echo "a hand-made record" | git commit-tree "$tree" ${old:+-p "$old"}) &&
		git update-ref "$1" "$new" ${old:+"$old"}
	)
}

# point REF OBJECT: moves REF to any object (a blob, a tree)
point() {
	git -C "$TRASH/repo" update-ref "$1" "$2"
}

# bad DIR EXIT CMD...: CMD in DIR exits EXIT (stdout in out, stderr in err),
# and no ref, HEAD or file of DIR changed
bad() {
	_dir=$1 _want=$2
	shift 2
	refs_snapshot "$_dir" >"$TRASH/before" &&
	(cd "$_dir" && "$SLIPWAY" "$@" >"$TRASH/out" 2>"$TRASH/err"; echo $? >"$TRASH/rc") &&
	if [ "$(cat "$TRASH/rc")" != "$_want" ]; then
		echo "slipway $*: exited $(cat "$TRASH/rc"), wanted $_want; it said:"
		cat "$TRASH/out" "$TRASH/err"
		return 1
	fi &&
	refs_snapshot "$_dir" >"$TRASH/after" &&
	test_cmp "$TRASH/before" "$TRASH/after"
}

test_expect_success 'setup: a remote, a clone, feature branches with review requests' '
	git init -q --bare origin.git &&
	git clone -q origin.git repo 2>/dev/null &&
	(
		cd repo &&
		test_commit initial &&
		git push -q origin master master:staging &&
		for b in good other notjson badtype blobref treeref norecord noschema \
			pnotjson pschema pblob; do
			git checkout -q -b $b master && test_commit $b &&
			git push -q origin $b 2>/dev/null || exit 1
		done &&
		git checkout -q master &&
		for b in good other notjson badtype blobref treeref norecord noschema; do
			"$SLIPWAY" review request $b --no-sync >/dev/null || exit 1
		done &&
		"$SLIPWAY" record ci --status pass --commit good >/dev/null &&
		"$SLIPWAY" record cd --status pass --commit good >/dev/null
	) &&
	(cd repo && slipway review list >../out) &&
	test "$(grep -c "committer@example.com" out)" = 8
'

test_expect_success 'an unknown branch: exit 2, named, nothing written' '
	bad repo 2 gate nosuch &&
	test_grep "^slipway: gate: unknown branch .nosuch.: not on .origin. nor here\$" err &&
	test_grep "^hint: fetch it first: git fetch origin\$" err &&
	test ! -s out &&
	bad repo 2 review approve nosuch --no-sync &&
	test_grep "^slipway: review: unknown branch .nosuch." err &&
	bad repo 2 review reject nosuch -m no --no-sync &&
	test_grep "unknown branch .nosuch." err &&
	bad repo 2 review request nosuch --no-sync &&
	test_grep "unknown branch .nosuch." err
'

test_expect_success 'a branch with no request: approve and close refuse, nothing written' '
	bad repo 1 review approve pnotjson --no-sync &&
	test_grep "no review was requested for .pnotjson." err &&
	test_grep "its author asks with .slipway review request pnotjson." err &&
	bad repo 1 review close pnotjson --no-sync &&
	test_grep "no review was requested for .pnotjson." err
'

test_expect_success 'invalid branch names: exit 2, named, nothing written' '
	bad repo 2 review request "a..b" --no-sync &&
	test_grep "^slipway: review: .a\.\.b. is not a valid branch name\$" err &&
	bad repo 2 review approve "a b" --no-sync &&
	test_grep ".a b. is not a valid branch name" err &&
	bad repo 2 review close "x~1" --no-sync &&
	test_grep ".x~1. is not a valid branch name" err &&
	bad repo 2 gate "a..b" &&
	test_grep "^slipway: gate: .a\.\.b. is not a valid branch name\$" err &&
	bad repo 2 review request good --base "s..t" --no-sync &&
	test_grep ".s\.\.t. is not a valid branch name" err &&
	bad repo 2 review request staging --no-sync &&
	test_grep ".staging. is not a feature branch" err
'

# with_rule RULE: gate.rule = RULE in the slipway.conf of the clone 'rules'
# (its working tree: what the commands read)
with_rule() {
	printf "[gate]\n\trule = %s\n" "$1" >"$TRASH/rules/slipway.conf"
}

test_expect_success 'a gate rule with a syntax error: exit 2, the column, nothing written' '
	git clone -q origin.git rules &&
	with_rule "ci &&" &&
	bad rules 2 gate good &&
	test_grep "^slipway: gate: slipway.conf:2: bad value for .gate.rule.: column 6: expected a fact or .(. before the end\$" err &&
	test ! -s out &&
	with_rule "ci & cd" &&
	bad rules 2 gate good &&
	test_grep "column 4: .&. is not an operator; use .&&." err &&
	with_rule "(ci || cd" &&
	bad rules 2 gate good &&
	test_grep "column 10: missing .). for the .(. at column 1" err &&
	bad rules 2 review request good &&
	test_grep "^slipway: review: slipway.conf:2: bad value for .gate.rule." err
'

test_expect_success 'a gate rule with an unknown fact: the column and "did you mean"' '
	with_rule "ci && reveiw" &&
	bad rules 2 gate good &&
	test_grep "^slipway: gate: slipway.conf:2: bad value for .gate.rule.: column 7: unknown fact .reveiw.\$" err &&
	test_grep "^hint: did you mean .review.?\$" err &&
	test ! -s out &&
	bad rules 2 queue &&
	test_grep "^slipway: queue: slipway.conf:2: bad value for .gate.rule.: column 7: unknown fact .reveiw.\$" err &&
	test_grep "^hint: did you mean .review.?\$" err &&
	bad rules 2 review list &&
	test_grep "^slipway: review: slipway.conf:2: bad value for .gate.rule.: column 7" err &&
	with_rule "ci && speed" &&
	bad rules 2 gate good &&
	test_grep "column 7: unknown fact .speed." err &&
	test_grep "^hint: the facts are ci, cd, review and cdfix\$" err
'

test_expect_success '"did you mean" names the closest fact' '
	with_rule "ci && cdfx" &&
	bad rules 2 gate good &&
	test_grep "column 7: unknown fact .cdfx." err &&
	test_grep "^hint: did you mean .cdfix.?\$" err
'

test_expect_success 'the rule mended, the gate runs again' '
	rm rules/slipway.conf &&
	(cd rules && test_expect_code 1 "$SLIPWAY" gate good >../out) &&
	test_grep "^rule: ci && (cd || review || cdfix)\$" out &&
	test_grep "^verdict: fail\$" out
'

test_expect_success 'a review record that is not JSON: list and queue warn, naming the ref' '
	ref=$(review_ref notjson) &&
	put_record "$ref" "this is { not json" &&
	rec=$(git -C repo rev-parse --short=8 "$ref") &&
	(cd repo && slipway review list >../out 2>../err) &&
	test_grep "^warning: $ref: record $rec is not a JSON object: .\[. or .{. expected near .this.\$" err &&
	test "$(wc -l <err)" = 1 &&
	test_grep "^good  *committer@example.com" out &&
	test_grep "^other  *committer@example.com" out &&
	! grep -q "^notjson" out &&
	(cd repo && slipway queue >../out 2>../err) &&
	test_grep "^warning: $ref: record $rec is not a JSON object" err &&
	test_grep "^yours (7):\$" out &&
	test_grep "^  . good  *committer@example.com .*gate passes\$" out
'

test_expect_success 'a review record of an unknown type: a warning naming the ref' '
	ref=$(review_ref badtype) &&
	put_record "$ref" "{\"type\": \"bogus\", \"branch\": \"badtype\"}" &&
	(cd repo && slipway review list --all >../out 2>../err) &&
	test_grep "^warning: $ref: a record of unknown type .bogus.\$" err &&
	test_grep "^warning: $(review_ref notjson): record" err &&
	test "$(wc -l <err)" = 2 &&
	test_grep "^good " out && ! grep -q "^badtype" out
'

test_expect_success 'review refs at a blob, at a tree, at a commit without a record: warnings' '
	point "$(review_ref blobref)" "$(echo junk | git -C repo hash-object -w --stdin)" &&
	point "$(review_ref treeref)" "$(git -C repo rev-parse "master^{tree}")" &&
	point "$(review_ref norecord)" "$(git -C repo rev-parse master)" &&
	(cd repo && slipway review list >../out 2>../err) &&
	test_grep "^warning: $(review_ref blobref) points at a blob, not a commit\$" err &&
	test_grep "^warning: $(review_ref treeref) points at a tree, not a commit\$" err &&
	test_grep "^warning: $(review_ref norecord): commit $(git -C repo rev-parse --short=8 master) holds no record.json\$" err &&
	test "$(wc -l <err)" = 5 &&
	test "$(wc -l <out)" = 4 &&
	test_grep "^good " out && test_grep "^other " out && test_grep "^noschema " out &&
	(cd repo && slipway queue >../out 2>../err) &&
	test "$(grep -c "^warning: refs/slipway/review/" err)" = 5 &&
	test_grep "^yours (3):\$" out
'

test_expect_success 'the gate of a branch whose review chain is corrupt: exit 2, the ref named' '
	bad repo 2 gate notjson &&
	test_grep "^slipway: gate: $(review_ref notjson): record .* is not a JSON object" err &&
	test ! -s out &&
	bad repo 2 gate badtype &&
	test_grep "^slipway: gate: $(review_ref badtype): a record of unknown type .bogus.\$" err &&
	bad repo 2 gate blobref &&
	test_grep "^slipway: gate: $(review_ref blobref) points at a blob, not a commit\$" err &&
	bad repo 2 gate norecord &&
	test_grep "^slipway: gate: $(review_ref norecord): commit .* holds no record.json\$" err &&
	(cd repo && slipway gate good >../out 2>../err) &&
	test_grep "^verdict: pass\$" out && test ! -s err &&
	(cd repo && test_expect_code 1 "$SLIPWAY" gate other >../out 2>../err) &&
	test_grep "^  review  no   0 of 1 approval at" out && test ! -s err
'

test_expect_success 'approve or close a corrupt chain: exit 2, the ref named, nothing written' '
	bad repo 2 review approve notjson --no-sync &&
	test_grep "^slipway: review: $(review_ref notjson): record .* is not a JSON object" err &&
	test ! -s out &&
	bad repo 2 review close badtype --no-sync &&
	test_grep "^slipway: review: $(review_ref badtype): a record of unknown type .bogus.\$" err
'

test_expect_success 'writing onto a review ref that is not a commit: exit 2, the ref named' '
	bad repo 2 review request blobref --no-sync &&
	test_grep "^slipway: review: .*$(review_ref blobref).* not a commit" err &&
	bad repo 2 review request treeref --no-sync &&
	test_grep "^slipway: review: .*$(review_ref treeref).* not a commit" err
'

test_expect_success 'a review request of the wrong schema (no branch, no time): a warning, the rest listed' '
	ref=$(review_ref noschema) &&
	put_record "$ref" "{\"type\": \"request\", \"head\": 42}" &&
	(cd repo && slipway review list >../out 2>../err) &&
	test_grep "^warning: $ref: " err &&
	test_grep "^good " out && test_grep "^other " out &&
	! grep "^ " out &&
	(cd repo && slipway queue >../out 2>../err) &&
	test_grep "^warning: $ref: " err &&
	test_grep "^yours (2):\$" out &&
	test_grep "^  . good  *committer@example.com" out &&
	test_grep "^  . other  *committer@example.com" out
'

test_expect_success 'a pipeline record that is not JSON: the gate of that commit exits 2, naming the ref' '
	c=$(git -C repo rev-parse pnotjson) &&
	(cd repo && slipway record ci --status pass --commit pnotjson >/dev/null) &&
	ref=$(pipeline_ref "commit:$c") &&
	put_record "$ref" "{ broken" &&
	bad repo 2 gate pnotjson &&
	test_grep "^slipway: gate: $ref: record $(git -C repo rev-parse --short=8 "$ref") is not a JSON object" err &&
	test ! -s out &&
	(cd repo && slipway gate good >../out 2>../err) &&
	test_grep "^  ci      yes  ci pass on $(git -C repo rev-parse --short=8 good)" out &&
	test ! -s err
'

# gate_rc BRANCH: the gate in repo, its exit status in rc, outputs in out and err
gate_rc() {
	(cd "$TRASH/repo" && "$SLIPWAY" gate "$1" >"$TRASH/out" 2>"$TRASH/err"; echo $? >"$TRASH/rc")
}

test_expect_success 'a pipeline record of the wrong schema: an error naming the ref, never "(null)"' '
	c=$(git -C repo rev-parse pschema) &&
	ref=$(pipeline_ref "commit:$c") &&
	put_record "$ref" "{\"pipeline\": \"ci\", \"commit\": \"$c\"}" &&
	gate_rc pschema &&
	! grep "(null)" out &&
	echo 2 >expect && test_cmp expect rc &&
	test_grep "^slipway: gate: $ref: " err &&
	put_record "$ref" "{\"pipeline\": \"ci\", \"status\": 7}" &&
	gate_rc pschema &&
	! grep "(null)" out &&
	test_cmp expect rc &&
	test_grep "^slipway: gate: $ref: " err
'

test_expect_success 'a pipeline ref at a blob: the gate and record name it; nothing written' '
	c=$(git -C repo rev-parse pblob) &&
	ref=$(pipeline_ref "commit:$c") &&
	point "$ref" "$(echo junk | git -C repo hash-object -w --stdin)" &&
	bad repo 2 gate pblob &&
	test_grep "^slipway: gate: $ref points at a blob, not a commit\$" err &&
	bad repo 2 record ci --status pass --commit pblob &&
	test_grep "^slipway: record: .*$ref.* not a commit" err &&
	test "$(git -C repo cat-file -t "$ref")" = blob &&
	(cd repo && slipway gate good >/dev/null)
'

test_expect_success 'sync with corrupt chains about: the good records reach another clone' '
	(cd repo && slipway sync >../out) &&
	test_grep "^synced records with .origin.: 0 in, [0-9]* out, 0 merged\$" out &&
	git clone -q origin.git other &&
	(cd other && slipway sync >/dev/null && slipway review list >../out 2>../err) &&
	test_grep "^good  *committer@example.com" out &&
	test_grep "^other  *committer@example.com" out &&
	(cd other && slipway gate good >../out) && test_grep "^verdict: pass\$" out
'

# usage_is CMD: err holds the usage of `slipway CMD` and nothing was printed
usage_is() {
	test_grep "^usage: slipway $1" err && test ! -s out
}

test_expect_success 'bad arguments to review: exit 2, named, the usage, nothing written' '
	bad repo 2 review && test_grep "^slipway: review: request, approve, reject, list or close?\$" err &&
	usage_is "review request" &&
	test "$(grep -c "^   or: slipway review" err)" = 3 &&
	bad repo 2 review --bogus && test_grep "^slipway: review: unknown option .--bogus.\$" err &&
	usage_is review &&
	bad repo 2 review list -x && test_grep "unknown option .-x." err && usage_is review &&
	bad repo 2 review frob good && test_grep "unknown subcommand .frob." err &&
	bad repo 2 review approve --no-sync && test_grep "^slipway: review: approve which branch?\$" err &&
	bad repo 2 review close && test_grep "close which branch?" err &&
	bad repo 2 review approve good extra && test_grep "unexpected argument .extra." err &&
	usage_is review &&
	bad repo 2 review list extra && test_grep "unexpected argument .extra." err &&
	bad repo 2 review approve good -m && test_grep "option .-m. needs a value" err &&
	bad repo 2 review request good --base && test_grep "option .--base. needs a value" err &&
	bad repo 2 review list -m hi && test_grep "that option does not go with .list." err &&
	bad repo 2 review approve good --all && test_grep "does not go with .approve." err &&
	bad repo 2 review close good --base staging && test_grep "does not go with .close." err
'

test_expect_success 'bad arguments to gate, queue, record, sync, merge, hook: exit 2, the usage' '
	bad repo 2 gate good extra && test_grep "^slipway: gate: unexpected argument .extra.\$" err &&
	usage_is "gate \[BRANCH\]\$" &&
	bad repo 2 gate --bogus && test_grep "unknown option .--bogus." err && usage_is gate &&
	bad repo 2 gate -x && test_grep "unknown option .-x." err &&
	bad repo 2 queue extra && test_grep "^slipway: queue: unexpected argument .extra.\$" err &&
	usage_is "queue\$" &&
	bad repo 2 queue --all && test_grep "unknown option .--all." err && usage_is queue &&
	bad repo 2 record && test_grep "which pipeline?" err && usage_is record &&
	bad repo 2 record ci && test_grep "--status is required" err &&
	bad repo 2 record ci --status && test_grep "option .--status. needs a value" err &&
	bad repo 2 record ci cd --status pass && test_grep "unexpected argument .cd." err &&
	bad repo 2 record ci --status pass --bogus && test_grep "unknown option .--bogus." err &&
	bad repo 2 sync extra && test_grep "unexpected argument .extra." err && usage_is sync &&
	bad repo 2 sync --remote && test_grep "option .--remote. needs a value" err &&
	bad repo 2 merge && test_grep "which branch?" err && usage_is merge &&
	bad repo 2 merge good extra && test_grep "unexpected argument .extra." err &&
	bad repo 2 merge good --bogus && test_grep "unknown option .--bogus." err &&
	bad origin.git 2 hook && test_grep "install or pre-receive?" err && usage_is hook &&
	bad origin.git 2 hook install extra && test_grep "unexpected argument .extra." err &&
	bad origin.git 2 hook --bogus && test_grep "unknown option .--bogus." err &&
	test ! -e origin.git/hooks/pre-receive
'

test_expect_success 'outside a repository: exit 2 for each' '
	mkdir -p plain &&
	for cmd in "gate good" "queue" "review list" "review approve good" "sync"; do
		(cd plain && test_expect_code 2 "$SLIPWAY" $cmd >../out 2>../err) &&
		test_grep "not a git repository" err || return 1
	done
'

test_expect_success 'fsck --strict is clean in every repository: no object was damaged' '
	for r in repo other rules origin.git; do
		git -C $r fsck --strict --no-dangling >fsck 2>&1 && test ! -s fsck ||
		{ cat fsck; return 1; }
	done
'

test_done
