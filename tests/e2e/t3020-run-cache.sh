#!/bin/sh
# t3020-run-cache.sh - slipway run: a passing pipeline is not run again on the same
# commit or tree (--force runs it), and jobs with inputs are cached by the tree ids
# of those paths: a change re-runs exactly the jobs whose inputs cover it.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/run-lib.sh"

# ran: the jobs that ran (their "started" lines in ../out), sorted, one a line
ran() {
	sed -n "s/^\([^ ]*\): started$/\1/p" ../out | sort
}

# expect_ran JOB...: exactly those jobs ran
expect_ran() {
	printf "%s\n" "$@" | sed "/^$/d" | sort >../expect &&
	ran >../got &&
	test_cmp ../expect ../got
}

# gate BRANCH: slipway gate's explanation in ../gate (it exits 1 when the rule fails)
gate() {
	slipway gate "$1" >../gate 2>&1
	test $? -le 1
}

# runs: how many run folders (logs) there are
runs() {
	ls .git/slipway/logs | wc -l
}

test_expect_success 'setup: a job per input path, one without inputs' '
	git init -q repo && cd repo &&
	cat >slipway.conf <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "lib"]
		inputs = lib
		run = "echo lib sees $(cat lib/a)"
	[job "app"]
		inputs = app/ shared.h
		run = "echo app sees $(cat app/a)"
	[job "plain"]
		run = echo plain
	[job "uses-lib"]
		needs = lib
		run = echo uses lib
	EOF
	mkdir lib app &&
	echo 1 >lib/a && echo 1 >app/a && echo 1 >shared.h && echo 1 >other &&
	git add . && test_commit one && git checkout -q -b feature/x &&
	slipway run >../out 2>../err &&
	expect_ran app lib plain uses-lib &&
	test_grep "^lib | lib sees 1$" ../out &&
	test_grep "^ci pass$" ../out &&
	test "$(git for-each-ref refs/slipway/jobcache/ | wc -l)" = 2
'

test_expect_success 'a re-run on the same commit is not run, and says why' '
	cd repo && short=$(git rev-parse --short=8 HEAD) &&
	git for-each-ref >../before && n=$(runs) &&
	slipway run >../out 2>../err &&
	test_grep "^ci: not run, already passed: ci pass on $short (recorded by committer@example.com" ../out &&
	test_grep "^nothing to run; .slipway run --force. runs it again$" ../out &&
	expect_ran &&
	git for-each-ref >../after && test_cmp ../before ../after &&
	test "$(runs)" = "$n" &&
	test ! -s ../err
'

test_expect_success 'the dry run says the same' '
	cd repo && short=$(git rev-parse --short=8 HEAD) &&
	slipway run --dry-run >../out &&
	test_grep "^pipeline ci: not run, already passed: ci pass on $short" ../out
'

test_expect_success '--force runs it again, cached jobs too, and records it' '
	cd repo &&
	ref=$(chain "commit:$(git rev-parse HEAD)") && n=$(git rev-list --count "$ref") &&
	slipway run --force >../out 2>../err &&
	expect_ran app lib plain uses-lib &&
	test_grep "^ci pass$" ../out &&
	test "$(git rev-list --count "$ref")" = $((n + 1))
'

test_expect_success 'another commit with the same tree reuses the result' '
	cd repo && old=$(git rev-parse --short=8 HEAD) &&
	test_tick && git commit -q --allow-empty -m empty &&
	test "$(git rev-parse HEAD^{tree})" = "$(git rev-parse HEAD~1^{tree})" &&
	slipway run >../out 2>../err &&
	test_grep "^ci: not run, already passed: ci pass on $old (same tree)" ../out &&
	expect_ran &&
	gate feature/x &&
	test_grep "^  ci  *yes  *ci pass on $old (same tree)" ../gate
'

test_expect_success 'a change outside every input: the jobs with inputs are cached, and say why' '
	cd repo && first=$(git rev-parse HEAD~1) &&
	test_commit other other 2 &&
	slipway run --dry-run >../plan &&
	test_grep "^  lib  *- cached: its inputs passed before ($(echo $first | cut -c1-8))$" ../plan &&
	test_grep "^  app  *- cached: its inputs passed before" ../plan &&
	! grep "^  plain.*cached" ../plan &&
	slipway run >../out 2>../err &&
	expect_ran plain uses-lib &&
	test_grep "^  lib  *cached  *its inputs passed before ($(echo $first | cut -c1-8))$" ../out &&
	test_grep "^ci pass$" ../out &&
	record ci >../rec &&
	test "$(job state lib <../rec)" = cached &&
	test "$(job why lib <../rec)" = "its inputs passed before" &&
	test "$(job cached_by lib <../rec)" = "$first" &&
	test "$(job state app <../rec)" = cached &&
	test "$(job state plain <../rec)" = pass &&
	test "$(job state uses-lib <../rec)" = pass
'

test_expect_success 'changing an input path re-runs exactly the jobs whose inputs cover it' '
	cd repo &&
	test_commit lib-change lib/a 2 &&
	slipway run >../out 2>../err &&
	expect_ran lib plain uses-lib &&
	test_grep "^lib | lib sees 2$" ../out &&
	test_grep "^  app  *cached" ../out &&
	test_commit app-change app/b 1 &&
	slipway run >../out 2>../err &&
	expect_ran app plain uses-lib &&
	test_grep "^  lib  *cached  *its inputs passed before ($(git rev-parse --short=8 HEAD~1))$" ../out &&
	test_commit shared-change shared.h 2 &&
	slipway run >../out 2>../err &&
	expect_ran app plain uses-lib
'

test_expect_success 'going back to an earlier input tree hits the earlier cache entry' '
	cd repo &&
	test_commit lib-back lib/a 1 &&
	slipway run >../out 2>../err &&
	expect_ran plain uses-lib &&
	test_grep "^  lib  *cached  *its inputs passed before ($(git rev-parse --short=8 master))$" ../out
'

test_expect_success 'a changed job definition is not served from the cache' '
	cd repo &&
	git config -f slipway.conf job.app.env MODE=fast && git add slipway.conf &&
	test_commit app-env &&
	slipway run >../out 2>../err &&
	expect_ran app plain uses-lib
'

test_expect_success '--force ignores the cache' '
	cd repo && test_commit forced &&
	slipway run --force >../out 2>../err &&
	expect_ran app lib plain uses-lib
'

test_expect_success 'a failing job fills no cache entry, and a failed pipeline runs again' '
	cd repo &&
	git config -f slipway.conf --replace-all job.lib.run "echo lib fails; exit 4" &&
	git add slipway.conf && test_commit lib-fails &&
	n=$(git for-each-ref refs/slipway/jobcache/ | wc -l) &&
	test_expect_code 1 slipway run >../out 2>../err &&
	expect_ran lib plain &&
	test_grep "^lib: fail .*exit 4$" ../out &&
	test_grep "^uses-lib: skipped" ../out &&
	test_grep "^  app  *cached" ../out &&
	test "$(git for-each-ref refs/slipway/jobcache/ | wc -l)" = "$n" &&
	test_expect_code 1 slipway run >../out 2>../err &&
	! grep "already passed" ../out &&
	expect_ran lib plain &&
	test_grep "^  app  *cached" ../out &&
	test_grep "^lib: fail .*exit 4$" ../out
'

# "." (the whole tree) and "./lib" pass the inputs check; a change under them
# must re-run the job, not find an unchanging key.
test_expect_success 'inputs "." and "./lib" cover the files under them' '
	git init -q dots && cd dots &&
	cat >slipway.conf <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "all"]
		inputs = .
		run = "echo all sees $(cat lib/a)"
	[job "dotlib"]
		inputs = ./lib
		run = "echo dotlib sees $(cat lib/a)"
	EOF
	mkdir lib && echo 1 >lib/a && git add . && test_commit one &&
	git checkout -q -b feature/x &&
	slipway run >../out 2>../err &&
	expect_ran all dotlib &&
	test_commit two lib/a 2 &&
	slipway run >../out 2>../err &&
	expect_ran all dotlib &&
	test_grep "^all | all sees 2$" ../out &&
	test_grep "^dotlib | dotlib sees 2$" ../out
'

test_expect_success 'the cache entries are records: job, key, commit, run' '
	cd repo &&
	ref=$(git for-each-ref --format="%(refname)" refs/slipway/jobcache/ | head -1) &&
	git show "$ref:record.json" >../rec &&
	test -n "$(field job <../rec)" &&
	test "$(printf "%s" "$(field key <../rec)" | git hash-object --stdin)" = "${ref##*/}" &&
	git cat-file -e "$(field commit <../rec)^{commit}" &&
	test -n "$(field run <../rec)" &&
	git fsck --strict --no-dangling
'

test_done
