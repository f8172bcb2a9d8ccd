#!/bin/sh
# t2100-merge-story.sh - three developers, one guarded remote: review requests,
# approvals (own, stale, fresh), the gate, gated merges, the CD-fix path, and the
# server's pre-receive hook refusing whatever bypasses the protocol.
. "$(dirname "$0")/lib.sh"

# Each clone speaks for the identity in its own git config, not for lib.sh's.
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

# clock N: the fixed clock at minute N of the story (tests run in subshells,
# so each one sets it; requests made later are newer).
clock() {
	_tick=$((1700000000 + $1 * 60))
	test_tick
}

# remote_head [REF]: a ref's value on the remote (default: staging).
remote_head() {
	git -C "$TRASH/origin.git" rev-parse "refs/heads/${1:-staging}"
}

# short REV [DIR]: the 8-digit short id slipway prints.
short() {
	git -C "${2:-$TRASH/origin.git}" rev-parse --short=8 "$1"
}

# remote_refs: every ref on the remote, to compare before and after.
remote_refs() {
	git -C "$TRASH/origin.git" for-each-ref --format="%(refname) %(objectname)"
}

# feature CLONE BRANCH FILE CONTENT [BASE]: a branch with one commit, pushed.
feature() {
	(
		cd "$TRASH/$1" &&
		git fetch -q origin &&
		git checkout -q -B "$2" "origin/${5:-staging}" &&
		test_commit "$2: $3" "$3" "$4" &&
		git push -q -u origin "$2" 2>/dev/null
	)
}

# ci_pass CLONE: CI passed on the clone's HEAD.
ci_pass() {
	(cd "$TRASH/$1" && slipway record ci --status pass >/dev/null)
}

# catch_up CLONE: fetch the branches and sync the records.
catch_up() {
	(cd "$TRASH/$1" && git fetch -q origin && slipway sync >/dev/null)
}

test_expect_success 'setup: a bare remote with master and staging, three clones, the hook' '
	clock 0 &&
	git init -q --bare origin.git &&
	git clone -q origin.git alice 2>/dev/null &&
	(
		cd alice &&
		git config user.name "Alice Liddell" &&
		git config user.email alice@example.com &&
		test_commit initial README "hello" &&
		git push -q origin master master:staging
	) &&
	for who in bob carol; do
		git clone -q origin.git $who &&
		git -C $who config user.name "$who" &&
		git -C $who config user.email $who@example.com || return 1
	done &&
	(cd origin.git && slipway hook install >../out) &&
	test_grep "^installed .*origin.git/hooks/pre-receive\$" out &&
	test -x origin.git/hooks/pre-receive &&
	test_grep "hook pre-receive" origin.git/hooks/pre-receive &&
	git -C origin.git for-each-ref --format="%(refname)" >refs &&
	printf "refs/heads/master\nrefs/heads/staging\n" >expect &&
	test_cmp expect refs
'

test_expect_success 'alice: a feature branch, pushed, CI green, review requested and shared' '
	clock 10 &&
	feature alice login login.c "int login;" &&
	ci_pass alice &&
	h=$(short login) &&
	(cd alice && slipway review request >../out 2>../err) &&
	test_grep "^review requested: login at $h (origin/login) into staging\$" out &&
	ref=refs/slipway/review/$(printf "branch:login" | git hash-object --stdin) &&
	git -C origin.git log --format=%s "$ref" >log &&
	test_grep "^review requested: login at $h\$" log &&
	git -C alice for-each-ref refs/slipway >here &&
	git -C origin.git for-each-ref refs/slipway >there &&
	test_cmp here there &&
	test "$(grep -c "	refs/slipway/pipeline/" there)" = 2
'

test_expect_success 'alice: the gate fails without a review, and shows its evidence' '
	h=$(short login) &&
	(cd alice && test_expect_code 1 "$SLIPWAY" gate >../out 2>../err) &&
	test_grep "^gate for login at $h (origin/login)\$" out &&
	test_grep "^rule: ci && (cd || review || cdfix)\$" out &&
	test_grep "^  ci      yes  ci pass on $h (recorded by alice@example.com, " out &&
	test_grep "^  cd      no   no cd result for $h\$" out &&
	test_grep "^  review  no   0 of 1 approval at $h\$" out &&
	test_grep "^  cdfix   no   .login. is not a CD-fix branch (branches.cdfix = cd-fix/\*)\$" out &&
	test_grep "^verdict: fail\$" out
'

test_expect_success 'alice: merge refuses (exit 1), nothing is pushed' '
	remote_refs >before &&
	(cd alice && test_expect_code 1 "$SLIPWAY" merge login >../out 2>../err) &&
	test_grep "^verdict: fail\$" out &&
	test_grep "^slipway: merge: .login. does not pass the gate; nothing was merged\$" err &&
	remote_refs >after && test_cmp before after &&
	test "$(remote_head)" = "$(remote_head master)"
'

test_expect_success 'alice approves her own branch: the gate still fails, her vote does not count' '
	clock 11 &&
	h=$(short login) &&
	(cd alice && slipway review approve login -m "mine, obviously" >../out 2>../err) &&
	test_grep "^approved login at $h\$" out &&
	test_grep "^note: .login. is your own branch: your review does not count for the gate\$" err &&
	(cd alice && test_expect_code 1 "$SLIPWAY" gate login >../out) &&
	test_grep "^  review  no   0 of 1 approval at $h\$" out &&
	test_grep "^ *alice@example.com.s own approval does not count\$" out &&
	test_grep "^verdict: fail\$" out
'

test_expect_success 'bob fetches: his queue lists alice.s request as waiting for him' '
	catch_up bob &&
	(cd bob && slipway queue >../out 2>../err) &&
	sed -n 1p out >first &&
	echo "waiting for you (1):" >expect && test_cmp expect first &&
	grep "^ *!\{0,1\} *login " out >line &&
	test_grep "alice@example.com" line &&
	test_grep "needs review" line &&
	test_grep "gate lacks one of cd, review, cdfix\$" line &&
	test_must_fail grep "^yours" out &&
	(cd alice && slipway queue >../out.alice) &&
	test_grep "^waiting for you (0): nothing, on with your own work\$" out.alice &&
	test_grep "^yours (1):\$" out.alice &&
	test_grep "^ *!\{0,1\} *login .*needs review" out.alice
'

test_expect_success 'bob: status leads with the review waiting for him' '
	(cd bob && slipway status >../out 2>../err) &&
	sed -n 1p out >first &&
	echo "1 review waits for you: see .slipway queue., they come before your own work" >expect &&
	grep -x -f expect first &&
	(cd alice && slipway status >../out.alice 2>/dev/null) &&
	test_must_fail grep "wait.* for you" out.alice
'

test_expect_success 'bob approves: alice.s gate passes on his approval' '
	clock 12 &&
	h=$(short login) &&
	(cd bob && slipway review approve login -m "ship it" >../out 2>../err) &&
	test_grep "^approved login at $h\$" out &&
	test_must_fail grep -q "own branch" err &&
	(cd bob && slipway status >../out) &&
	test_must_fail grep "wait.* for you" out &&
	(cd bob && slipway queue >../out) &&
	test_grep "^waiting for you (0): nothing" out &&
	test_grep "^reviewed by you at their head, waiting for others (1):\$" out &&
	test_grep "^ .* login  *alice@example.com .* approved  *gate passes\$" out &&
	(cd alice && slipway sync >/dev/null && slipway gate >../out) &&
	test_grep "^  review  yes  1 of 1 approval at $h\$" out &&
	test_grep "^ *bob@example.com approved $h\$" out &&
	test_grep "^ *alice@example.com.s own approval does not count\$" out &&
	test_grep "^verdict: pass\$" out
'

test_expect_success 'alice merges: staging on the remote is a no-ff merge of the branch head' '
	clock 13 &&
	old=$(remote_head) && tip=$(remote_head login) &&
	(cd alice && slipway merge login >../out 2>../err) &&
	new=$(remote_head) &&
	test_grep "^verdict: pass\$" out &&
	test_grep "^merged login at $(short $tip) into staging: $(short $new)\$" out &&
	echo "$old $tip" >expect &&
	git -C origin.git log -1 --format=%P staging >parents && test_cmp expect parents &&
	git -C origin.git log -1 --format=%s staging >subject &&
	echo "Merge branch '\''login'\'' into staging" >expect && test_cmp expect subject &&
	git -C origin.git log -1 --format="%an <%ae>" staging >who &&
	echo "Alice Liddell <alice@example.com>" >expect && test_cmp expect who &&
	git -C origin.git merge-tree --write-tree "$old" "$tip" >tree &&
	git -C origin.git rev-parse "$new^{tree}" >got && test_cmp tree got &&
	test "$(git -C alice rev-parse origin/staging)" = "$new" &&
	test "$(remote_head login)" = "$tip"
'

test_expect_success 'the review is recorded merged everywhere; the remote is sound' '
	(cd alice && slipway review list >../open && slipway review list --all >../all) &&
	test_grep "^no open review requests\$" open &&
	grep "^login " all >line &&
	test_grep "alice@example.com" line &&
	test_grep " merged\$" line &&
	catch_up bob &&
	(cd bob && slipway review list --all >../all.bob) &&
	test_cmp all all.bob &&
	git -C origin.git fsck --strict --no-dangling >fsck 2>&1 &&
	test ! -s fsck
'

test_expect_success 'carol: her branch approved by bob, then a new commit: the approval is stale' '
	clock 20 &&
	feature carol search search.c "int search;" &&
	ci_pass carol &&
	old=$(short search) &&
	(cd carol && slipway review request search >/dev/null) &&
	catch_up bob &&
	(cd bob && slipway review approve search >../out) &&
	test_grep "^approved search at $old\$" out &&
	clock 21 &&
	(
		cd carol &&
		test_commit "search: faster" search.c "int search = 1;" &&
		git push -q origin search 2>/dev/null
	) &&
	ci_pass carol &&
	new=$(short search) &&
	(cd carol && slipway sync >/dev/null && test_expect_code 1 "$SLIPWAY" gate >../out) &&
	test_grep "^gate for search at $new (origin/search)\$" out &&
	test_grep "^  ci      yes  ci pass on $new " out &&
	test_grep "^  review  no   0 of 1 approval at $new\$" out &&
	test_grep "^ *bob@example.com.s approval is stale: it was for $old\$" out &&
	test_grep "^verdict: fail\$" out
'

test_expect_success 'the stale approval: carol.s merge is refused, nothing is pushed' '
	remote_refs >before &&
	(cd carol && test_expect_code 1 "$SLIPWAY" merge search >../out 2>../err) &&
	test_grep "^ *bob@example.com.s approval is stale" out &&
	test_grep "does not pass the gate; nothing was merged" err &&
	remote_refs >after && test_cmp before after
'

test_expect_success 'bob.s queue: the stale approval, oldest request first' '
	clock 22 &&
	feature alice typo README "hello, world" &&
	ci_pass alice &&
	(cd alice && slipway review request >/dev/null) &&
	catch_up bob &&
	(cd bob && slipway queue >../out && slipway status >../status) &&
	test_grep "^waiting for you (2):\$" out &&
	grep -n "carol@example.com" out >by-carol && grep -n "alice@example.com" out >by-alice &&
	test "$(cut -d: -f1 by-carol)" -lt "$(cut -d: -f1 by-alice)" &&
	test_grep " search .*stale approval *gate lacks one of cd, review, cdfix\$" by-carol &&
	test_grep " typo .*needs review *gate lacks one of cd, review, cdfix\$" by-alice &&
	test_grep "^2 reviews wait for you" status
'

test_expect_success 'CD-fix: staging.s CD failed, so a cd-fix branch with CI alone passes and merges' '
	clock 30 &&
	s=$(short staging) &&
	(cd alice && git fetch -q origin &&
	 slipway record cd --status fail --commit origin/staging >../out && slipway sync >/dev/null) &&
	test_grep "^recorded cd fail for $s\$" out &&
	feature alice cd-fix/x deploy.conf "retries = 3" &&
	ci_pass alice &&
	h=$(short cd-fix/x) &&
	(cd alice && slipway gate >../out) &&
	test_grep "^  review  no   no review was requested for .cd-fix/x.\$" out &&
	test_grep "^  cdfix   yes  staging: cd fail on $s (recorded by alice@example.com, .*); a CD fix may go in without waiting\$" out &&
	test_grep "^verdict: pass\$" out &&
	old=$(remote_head) && tip=$(remote_head cd-fix/x) &&
	(cd alice && slipway merge cd-fix/x >../out 2>../err) &&
	test_grep "^merged cd-fix/x at $h into staging: $(short staging)\$" out &&
	echo "$old $tip" >expect &&
	git -C origin.git log -1 --format=%P staging >parents && test_cmp expect parents
'

test_expect_success 'CD green again: another cd-fix branch with CI only is refused' '
	clock 31 &&
	s=$(short staging) &&
	(cd alice && slipway record cd --status pass --commit origin/staging >../out &&
	 slipway sync >/dev/null) &&
	test_grep "^recorded cd pass for $s\$" out &&
	feature alice cd-fix/y deploy.conf "retries = 5" &&
	ci_pass alice &&
	(cd alice && test_expect_code 1 "$SLIPWAY" gate >../out) &&
	test_grep "^  cdfix   no   staging: cd pass on $s (recorded by alice@example.com, .*); staging.s CD is green, so a CD fix needs the usual rule\$" out &&
	test_grep "^verdict: fail\$" out &&
	(cd alice && slipway sync >/dev/null) &&
	remote_refs >before &&
	(cd alice && test_expect_code 1 "$SLIPWAY" merge cd-fix/y >../out 2>../err) &&
	test_grep "staging.s CD is green" out &&
	test_grep "does not pass the gate; nothing was merged" err &&
	remote_refs >after && test_cmp before after
'

test_expect_success 'hook: a plain push of a feature commit to staging is refused' '
	remote_refs >before &&
	(cd alice && git fetch -q origin && git checkout -q -B ff origin/staging &&
	 test_commit ff ff.t) &&
	h=$(short HEAD alice) &&
	(cd alice && test_expect_code 1 git push origin HEAD:staging 2>../err) &&
	test_grep "^remote: slipway: refused: refs/heads/staging: $h is not a merge on top of $(short staging); push a merge of your branch (slipway merge BRANCH)" err &&
	test_grep "pre-receive hook declined" err &&
	remote_refs >after && test_cmp before after
'

test_expect_success 'hook: a hand-made merge of a branch failing the gate is refused, naming what it lacks' '
	clock 40 &&
	remote_refs >before &&
	t=$(short typo) &&
	(
		cd alice &&
		git checkout -q -B staging origin/staging &&
		git merge -q --no-ff --no-edit origin/typo &&
		test_expect_code 1 git push origin staging 2>../err
	) &&
	test_grep "^remote: slipway: refused: refs/heads/staging: .typo. at $t does not pass the gate ci && (cd || review || cdfix): it lacks one of cd, review, cdfix" err &&
	test_grep "^remote:   review: 0 of 1 approval at $t" err &&
	test_grep "^remote:   ci: ci pass on $t" err &&
	test_grep "! \[remote rejected\] staging -> staging (pre-receive hook declined)" err &&
	remote_refs >after && test_cmp before after
'

test_expect_success 'hook: a merge of a passing branch that slips in a change is refused' '
	clock 41 &&
	(cd bob && git fetch -q origin && slipway review approve typo >/dev/null) &&
	(cd alice && slipway sync >/dev/null && slipway gate typo >../out) &&
	test_grep "^verdict: pass\$" out &&
	remote_refs >before &&
	(
		cd alice &&
		git branch -f clean staging &&
		echo "sneaky" >sneaky.t && git add sneaky.t &&
		git commit -q --amend --no-edit &&
		test_expect_code 1 git push origin staging 2>../err
	) &&
	m=$(short staging alice) &&
	test_grep "^remote: slipway: refused: refs/heads/staging: the merge $m changes more than merging .typo. does" err &&
	remote_refs >after && test_cmp before after
'

test_expect_success 'hook: the gated merge made by hand with plain git is accepted' '
	old=$(remote_head) && tip=$(remote_head typo) &&
	(cd alice && git push -q origin clean:staging 2>../err) &&
	test "$(remote_head)" = "$(git -C alice rev-parse clean)" &&
	echo "$old $tip" >expect &&
	git -C origin.git log -1 --format=%P staging >parents && test_cmp expect parents &&
	git -C origin.git log -1 --format=%s staging >subject &&
	echo "Merge remote-tracking branch '\''origin/typo'\'' into staging" >expect && test_cmp expect subject
'

test_expect_success 'hook: deleting staging or force-pushing master is refused' '
	remote_refs >before &&
	(cd bob && test_expect_code 1 git push origin :staging 2>../err) &&
	test_grep "^remote: slipway: refused: refs/heads/staging: deleting staging is not allowed" err &&
	(
		cd bob &&
		git checkout -q --orphan rewrite && test_commit rewritten README "rewritten" &&
		test_expect_code 1 git push -f origin rewrite:master 2>../err
	) &&
	test_grep "^remote: slipway: refused: refs/heads/master: a force-push would rewrite master; it only moves forward" err &&
	(cd bob && test_expect_code 1 git push origin :master 2>../err) &&
	test_grep "^remote: slipway: refused: refs/heads/master: deleting master is not allowed" err &&
	remote_refs >after && test_cmp before after
'

test_expect_success 'hook: master takes no merge of a feature branch' '
	remote_refs >before &&
	(
		cd bob &&
		git fetch -q origin &&
		git checkout -q -B master origin/master &&
		git merge -q --no-ff --no-edit origin/search &&
		test_expect_code 1 git push origin master 2>../err
	) &&
	test_grep "^remote: slipway: refused: refs/heads/master: only a release (slipway release) or a merge of a hotfix branch (hotfix/\*) goes to master; .search. is neither" err &&
	remote_refs >after && test_cmp before after
'

test_expect_success 'hook: records on the remote cannot be deleted or rewritten' '
	remote_refs >before &&
	ref=refs/slipway/review/$(printf "branch:login" | git hash-object --stdin) &&
	(cd bob && test_expect_code 1 git push origin ":$ref" 2>../err) &&
	test_grep "^remote: slipway: refused: $ref: deleting workflow records is not allowed" err &&
	(cd bob && git fetch -q origin "+$ref:$ref" &&
	 test_expect_code 1 git push -f origin "$ref~1:$ref" 2>../err) &&
	test_grep "^remote: slipway: refused: $ref: a force-push would rewrite workflow records; it only moves forward" err &&
	remote_refs >after && test_cmp before after
'

test_expect_success 'feature branches and new records push freely, even rewritten' '
	clock 50 &&
	(
		cd carol &&
		git fetch -q origin &&
		git checkout -q -B scratch origin/staging &&
		test_commit scratch scratch.t &&
		git push -q origin scratch 2>/dev/null &&
		git commit -q --amend -m "scratch, reworded" &&
		git push -q -f origin scratch 2>/dev/null &&
		slipway sync >/dev/null &&
		slipway record ci --status fail >/dev/null &&
		slipway sync >../out
	) &&
	test "$(remote_head scratch)" = "$(git -C carol rev-parse scratch)" &&
	test_grep "^synced records with .origin.: 0 in, 2 out, 0 merged\$" out &&
	git -C carol for-each-ref refs/slipway >here &&
	git -C origin.git for-each-ref refs/slipway >there &&
	test_cmp here there
'

test_expect_success 'a merge that conflicts: exit 3, the file listed, the remote untouched' '
	clock 60 &&
	feature carol clash README "hello, everyone" master &&
	ci_pass carol &&
	(cd carol && slipway review request >/dev/null) &&
	(cd bob && slipway sync >/dev/null && git fetch -q origin &&
	 slipway review approve clash >/dev/null) &&
	(cd carol && slipway sync >/dev/null) &&
	remote_refs >before &&
	(cd carol && test_expect_code 3 "$SLIPWAY" merge clash >../out 2>../err) &&
	test_grep "^verdict: pass\$" out &&
	sed -n "/^conflicts in/,\$p" out >listed &&
	printf "conflicts in 1 file:\n  README\n" >expect && test_cmp expect listed &&
	test_grep "^hint: merge origin/staging into clash, resolve, push, and run .slipway merge clash. again" err &&
	remote_refs >after && test_cmp before after
'

test_expect_success 'merge --dry-run of a passing branch says "would merge" and pushes nothing' '
	clock 70 &&
	(cd bob && git fetch -q origin && slipway sync >/dev/null &&
	 slipway review approve search -m "fresh look" >/dev/null &&
	 slipway queue >../queue) &&
	test_grep " search .*approved *gate passes\$" queue &&
	(cd carol && slipway sync >/dev/null) &&
	remote_refs >before &&
	git -C carol for-each-ref >local.before &&
	(cd carol && slipway merge search --dry-run >../out 2>../err) &&
	test_grep "^verdict: pass\$" out &&
	test_grep "^would merge search into staging (origin) as [0-9a-f]\{8\}; nothing pushed (dry run)\$" out &&
	m=$(sed -n "s/^would merge .* as \([0-9a-f]*\);.*/\1/p" out) &&
	test_must_fail git -C origin.git rev-parse -q --verify "$m^{commit}" &&
	remote_refs >after && test_cmp before after &&
	git -C carol for-each-ref >local.after && test_cmp local.before local.after &&
	git -C origin.git fsck --strict --no-dangling
'

test_done
