#!/bin/sh
# t3030-run-bad-input.sh - slipway run: wrong definitions and arguments are each
# refused with a message naming the problem, exit 2, before anything runs (no job,
# no log or checkout folder, no record, no worktree).
. "$(dirname "$0")/lib.sh"

# Every case's slipway.conf has this job: had anything run, $HOME/ran would exist.
canary='[job "canary"]
	run = "touch $HOME/ran"'

# refused ARGS...: `slipway run ARGS` exits 2 with nothing on stdout and nothing
# done; the message in ../err
refused() {
	git for-each-ref >../before &&
	test_expect_code 2 slipway run "$@" >../out 2>../err &&
	test ! -s ../out &&
	test_grep "^slipway: run: " ../err &&
	test ! -e "$HOME/ran" &&
	test ! -e .git/slipway &&
	git for-each-ref >../after && test_cmp ../before ../after &&
	test "$(git worktree list --porcelain | grep -c "^worktree ")" = 1
}

# bad ARGS... <CONF: commits CONF (and the canary) as slipway.conf; refused ARGS
bad() {
	{ cat && echo "$canary"; } >slipway.conf &&
	git add slipway.conf && test_tick && git commit -q --allow-empty -m "case" &&
	refused "$@"
}

test_expect_success 'setup, and the canary: a good definition runs and leaves its traces' '
	git init -q repo && cd repo &&
	echo "{\"version\": \"1.2.0\"}" >package.json && echo "COMPAT = 1.0" >Makefile &&
	{ printf "[pipeline \"ci\"]\n\ton = feature\n" && echo "$canary"; } >slipway.conf &&
	git add . && test_commit one && git checkout -q -b feature/x &&
	slipway run >../out 2>&1 &&
	test_grep "^canary: pass" ../out &&
	test -e "$HOME/ran" && test -d .git/slipway/logs &&
	test -n "$(git for-each-ref refs/slipway/)" &&
	rm -rf .git/slipway "$HOME/ran" &&
	git for-each-ref --format="delete %(refname)" refs/slipway/ | git update-ref --stdin &&
	test -z "$(git for-each-ref refs/slipway/)"
'

test_expect_success 'a needs cycle, named from where it starts' '
	cd repo &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "entry"]
		needs = a
		run = true
	[job "a"]
		needs = b
		run = true
	[job "b"]
		needs = a
		run = true
	EOF
	test_grep "slipway.conf: the jobs.* needs go round in a cycle: a -> b -> a$" ../err &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "a"]
		needs = a
		run = true
	EOF
	test_grep "needs go round in a cycle: a -> a$" ../err
'

test_expect_success 'a cycle among jobs of a pipeline that would not run is refused too' '
	cd repo &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "x"]
		pipelines = other
		needs = y
		run = true
	[job "y"]
		pipelines = other
		needs = x
		run = true
	EOF
	test_grep "needs go round in a cycle: x -> y -> x$" ../err
'

test_expect_success 'an unknown job in needs' '
	cd repo &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "a"]
		needs = build nosuch
		run = true
	[job "build"]
		run = true
	EOF
	test_grep "slipway.conf:[0-9]*: job .a. needs .nosuch., which is not a job$" ../err
'

test_expect_success 'a job with no run' '
	cd repo &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "b"]
		needs = canary
		timeout = 10m
	EOF
	test_grep "slipway.conf:[0-9]*: job .b. has no .run. line$" ../err
'

test_expect_success 'a bad timeout' '
	cd repo &&
	for t in 10x 0 -5s 1.5m "" 10m30s; do
		bad <<-EOF &&
		[pipeline "ci"]
			on = feature
		[job "a"]
			timeout = $t
			run = true
		EOF
		test_grep "slipway.conf:[0-9]*: bad value for .job.a.timeout.: .$t. is not a duration" ../err ||
		return 1
	done
'

test_expect_success 'an unknown matrix' '
	cd repo &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "a"]
		matrix = os
		run = true
	EOF
	test_grep "bad value for .job.a.matrix.: .os. is not a known matrix" ../err
'

test_expect_success 'a compat version that is not SemVer, with a matrix job' '
	cd repo &&
	bad <<-\EOF &&
	[release]
		version-file = package.json
	[compat]
		version = 1.0
	[pipeline "ci"]
		on = feature
	[job "a"]
		matrix = compat
		run = true
	EOF
	test_grep ".1\.0. is not a semantic version" ../err &&
	bad <<-\EOF &&
	[release]
		version-file = package.json
	[compat]
		version = Makefile:COMPAT
	[pipeline "ci"]
		on = feature
	[job "a"]
		matrix = compat
		run = true
	EOF
	test_grep "compat version .1\.0. (Makefile:COMPAT at $(git rev-parse --short=8 HEAD)) is not a semantic version" ../err
'

test_expect_success 'a matrix job without a compat version or a project version' '
	cd repo &&
	bad <<-\EOF &&
	[release]
		version-file = package.json
	[pipeline "ci"]
		on = feature
	[job "a"]
		matrix = compat
		run = true
	EOF
	test_grep "job .a. has matrix = compat, but no compat version is set" ../err &&
	bad <<-\EOF &&
	[compat]
		version = 1.0.0
	[pipeline "ci"]
		on = feature
	[job "a"]
		matrix = compat
		run = true
	EOF
	test_grep "job .a. has matrix = compat, but no project version is set" ../err
'

test_expect_success 'other bad values: if, env, inputs, on, a job name' '
	cd repo &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "a"]
		if = sometimes
		run = true
	EOF
	test_grep ".sometimes. is not one of success, failure, always" ../err &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "a"]
		env = NOEQUALS
		run = true
	EOF
	test_grep ".NOEQUALS. is not NAME=VALUE" ../err &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "a"]
		inputs = ../outside
		run = true
	EOF
	test_grep ".\.\./outside. is not a path inside the repository" ../err &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature prod
	EOF
	test_grep ".prod. is not a branch role" ../err &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "a b"]
		run = true
	EOF
	test_grep ".a b. is not a job name" ../err
'

good_conf() {
	{ printf "[pipeline \"ci\"]\n\ton = feature\n" && echo "$canary"; } >slipway.conf &&
	git add slipway.conf && test_tick && git commit -q --allow-empty -m good
}

test_expect_success 'an unknown pipeline named on the command line' '
	cd repo && good_conf &&
	refused nosuch &&
	test_grep "unknown pipeline .nosuch. in $(git rev-parse --short=8 HEAD):slipway.conf$" ../err &&
	refused ci nosuch &&
	test_grep "unknown pipeline .nosuch." ../err
'

test_expect_success 'an unknown --only job' '
	cd repo &&
	refused --only nosuch &&
	test_grep "unknown job .nosuch. in $(git rev-parse --short=8 HEAD):slipway.conf$" ../err
'

test_expect_success 'a bad --jobs, an unknown option, a missing value' '
	cd repo &&
	for n in 0 -1 x 1025 2x; do
		refused --jobs "$n" &&
		test_grep "^slipway: run: --jobs wants a number from 1 to 1024, not .$n.$" ../err ||
		return 1
	done &&
	refused --bogus && test_grep "unknown option .--bogus." ../err &&
	refused --jobs && test_grep "option .--jobs. needs a value" ../err &&
	refused --commit nosuch && test_grep "^slipway: run: .nosuch. does not name a commit$" ../err
'

test_expect_success 'a commit without slipway.conf' '
	cd repo &&
	git rm -q slipway.conf && test_commit no-conf &&
	refused &&
	test_grep "^slipway: run: commit $(git rev-parse --short=8 HEAD) has no slipway.conf: nothing says what to run$" ../err &&
	refused --commit HEAD &&
	test_grep "has no slipway.conf" ../err
'

test_expect_success 'no pipeline for the branch role' '
	cd repo && git checkout -q feature/x~1 -- slipway.conf && test_commit conf-back &&
	git checkout -q -b staging &&
	refused &&
	test_grep "^slipway: run: nothing to run: no pipeline in $(git rev-parse --short=8 HEAD):slipway.conf runs on a staging branch$" ../err &&
	test_grep "^hint: name one (slipway run ci) or list .staging. in a pipeline.s .on.$" ../err &&
	refused --branch master &&
	test_grep "runs on a production branch$" ../err
'

test_expect_success 'a slipway.conf with no job and no pipeline' '
	cd repo && git checkout -q feature/x &&
	printf "[gate]\n\trule = ci\n" >slipway.conf && git add slipway.conf && test_commit no-jobs &&
	refused &&
	test_grep "nothing to run: no pipeline in .* runs on a feature branch$" ../err &&
	test_grep "^hint: define jobs with" ../err
'

test_expect_success 'a run that cannot start records nothing and opens no gate' '
	cd repo && git checkout -q feature/x && good_conf &&
	rm -rf .git/slipway && mkdir -p .git/slipway && touch .git/slipway/work &&
	test_must_fail slipway run >../out 2>../err &&
	test_grep "cannot create" ../err &&
	test -z "$(git for-each-ref refs/slipway/pipeline/)" &&
	test_must_fail grep "^recorded" ../out &&
	slipway gate feature/x >../gate 2>&1; test_grep "^  ci      no" ../gate &&
	rm -rf .git/slipway
'

test_expect_success 'inputs are paths, not patterns' '
	cd repo &&
	bad <<-\EOF &&
	[pipeline "ci"]
		on = feature
	[job "a"]
		inputs = src/*.c
		run = true
	EOF
	test_grep "inputs are paths" ../err
'

test_done
