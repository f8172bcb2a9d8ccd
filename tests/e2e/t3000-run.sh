#!/bin/sh
# t3000-run.sh - slipway run: the protocol's CD shape (build -> tests at once ->
# compat matrix -> deploy), its records and the gate, a failing test, the job's
# environment and checkout, --jobs, --only, pipelines by branch role.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/run-lib.sh"

# before A B FILE: the first line matching A comes before the first matching B
before() {
	_a=$(grep -n -e "$1" "$3" | head -1 | cut -d: -f1)
	_b=$(grep -n -e "$2" "$3" | head -1 | cut -d: -f1)
	if [ -n "$_a" ] && [ -n "$_b" ] && [ "$_a" -lt "$_b" ]; then return 0; fi
	echo "before: '$1' (line ${_a:-none}) is not before '$2' (line ${_b:-none}) in $3:" >&2
	sed 's/^/| /' "$3" >&2
	return 1
}

# no_worktrees REPO: only the main checkout is left, and no run folder
no_worktrees() {
	test "$(git -C "$1" worktree list --porcelain | grep -c "^worktree ")" = 1 &&
	test -z "$(ls "$1/.git/worktrees" 2>/dev/null)" &&
	test -z "$(ls "$1/.git/slipway/work" 2>/dev/null)"
}

# gate BRANCH: slipway gate's explanation in ../gate (it exits 1 when the rule fails)
gate() {
	slipway gate "$1" >../gate 2>&1
	test $? -le 1
}

# remove_kept: removes the checkouts --keep kept
remove_kept() {
	rm -rf "$TRASH"/repo/.git/slipway/work/*
}

# run_shown ARGS: slipway run ARGS >../out 2>../err; both shown when it fails
run_shown() {
	slipway run "$@" >../out 2>../err && return 0
	echo "slipway run $* exited $?:" && cat ../out ../err
	return 1
}

# fresh_sync: an empty folder for the jobs to meet in, as SYNC
fresh_sync() {
	rm -rf "$TRASH/sync" && mkdir "$TRASH/sync" && SYNC="$TRASH/sync" && export SYNC
}

test_expect_success 'setup: build, three tests, a compat test, deploy, a dump on failure' '
	git init -q repo && cd repo &&
	cat >slipway.conf <<-\EOF &&
	[release]
		version-file = package.json
	[compat]
		version = Makefile:backwards_compatible_version
	[pipeline "ci"]
		on = feature staging
	[pipeline "cd"]
		on = feature staging production
	[pipeline "probe"]
		on = hotfix
	[pipeline "serial"]
		on = cdfix
	[job "build"]
		pipelines = ci cd
		run = "echo built $SLIPWAY_SHORT for $SLIPWAY_PIPELINE"
	[job "test-a"]
		pipelines = ci cd
		needs = build
		pass-env = SYNC
		run = sh ./meet a
	[job "test-b"]
		pipelines = ci cd
		needs = build
		pass-env = SYNC
		run = sh ./meet b
		run = "if test -e break-b; then echo test-b broke on $SLIPWAY_SHORT; exit 3; fi"
	[job "test-c"]
		pipelines = ci cd
		needs = build
		pass-env = SYNC
		run = sh ./meet c
	[job "compat-test"]
		pipelines = cd
		needs = test-a test-b test-c
		matrix = compat
		run = "echo $SLIPWAY_JOB target $SLIPWAY_TARGET_VERSION"
		run = "test $SLIPWAY_PIPELINE = cd"
	[job "deploy"]
		pipelines = cd
		needs = compat-test
		run = "echo deploying $SLIPWAY_SHORT from $SLIPWAY_BRANCH"
	[job "dump"]
		pipelines = cd
		needs = test-a test-b test-c
		if = failure
		run = "echo dumping the logs"
	[job "env"]
		pipelines = probe
		env = GREETING=hello world
		env = URL=a=b
		pass-env = LETIN
		run = env
	[job "where"]
		pipelines = probe
		run = cat data.txt
		run = pwd -P
		run = "if test -e untracked.txt; then echo untracked seen; else echo no untracked file; fi"
	[job "live"]
		pipelines = live
		pass-env = SYNC
		run = "echo first; i=0; while [ ! -e \"$SYNC/go\" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done; echo second"
	[job "s1"]
		pipelines = serial
		pass-env = SYNC
		run = sh ./alone
	[job "s2"]
		pipelines = serial
		pass-env = SYNC
		run = sh ./alone
	[job "s3"]
		pipelines = serial
		pass-env = SYNC
		run = sh ./alone
	EOF
	cat >meet <<-\EOF &&
	# meet X: test-X is here; it waits (10 s at most) until a, b and c all are
	: "${SYNC:?}"
	touch "$SYNC/$1"
	i=0
	while [ $i -lt 100 ]; do
		if [ -e "$SYNC/a" ] && [ -e "$SYNC/b" ] && [ -e "$SYNC/c" ]; then
			echo "test-$1 met the others"
			exit 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "test-$1 waited alone"
	exit 1
	EOF
	cat >alone <<-\EOF &&
	# alone: fails when another job holds the lock while this one runs
	: "${SYNC:?}"
	mkdir "$SYNC/lock" 2>/dev/null || { echo "$SLIPWAY_JOB: another job is running"; exit 1; }
	sleep 1
	rmdir "$SYNC/lock"
	echo "$SLIPWAY_JOB ran alone"
	EOF
	echo "{\"name\": \"app\", \"version\": \"1.4.2\"}" >package.json &&
	echo "backwards_compatible_version = 1.2.0" >Makefile &&
	echo "first data" >data.txt &&
	git add . && test_commit one &&
	echo "committed data" >data.txt && git add data.txt && test_commit two &&
	git branch staging && git branch feature/x && git branch hotfix/env &&
	git branch cd-fix/serial && git checkout -q feature/x
'

test_expect_success 'dry run: the plan in steps, with needs and the if, and nothing written' '
	cd repo &&
	slipway run --dry-run --jobs 4 >../out 2>../err &&
	cat >../expect <<-EOF &&
	plan for $(git rev-parse --short=8 HEAD) (branch feature/x, feature role); up to 4 jobs at once
	pipeline ci
	pipeline cd
	step 1 (at once)
	  build
	step 2
	  test-a                   needs build
	  test-b                   needs build
	  test-c                   needs build
	step 3
	  compat-test[current]     needs test-a test-b test-c
	  compat-test[compat]      needs test-a test-b test-c
	  dump                     needs test-a test-b test-c (if failure)
	step 4
	  deploy                   needs compat-test[current] compat-test[compat]
	EOF
	sed "s/ *$//" ../out >../got &&
	test_cmp ../expect ../got &&
	test ! -s ../err &&
	test ! -e .git/slipway &&
	test -z "$(git for-each-ref refs/slipway/)"
'

test_expect_success 'the CD shape runs: build, then the three tests at once, compat both ways, deploy' '
	cd repo && fresh_sync &&
	slipway run --jobs 4 >../out 2>../err &&
	short=$(git rev-parse --short=8 HEAD) &&
	test_grep "^run [0-9T]*Z-$short-[0-9]*: $short on feature/x (feature)$" ../out &&
	test_grep "^build | built $short for ci cd$" ../out &&
	for t in a b c; do
		test_grep "^test-$t | test-$t met the others$" ../out &&
		test_grep "^test-$t: pass " ../out &&
		before "^build: pass" "^test-$t: started" ../out &&
		before "^test-$t: pass" "^compat-test\[current\]: started" ../out &&
		before "^test-$t: pass" "^compat-test\[compat\]: started" ../out || return 1
	done &&
	test_grep "^compat-test\[current\] | compat-test\[current\] target 1.4.2$" ../out &&
	test_grep "^compat-test\[compat\] | compat-test\[compat\] target 1.2.0$" ../out &&
	before "^compat-test\[current\]: pass" "^deploy: started" ../out &&
	before "^compat-test\[compat\]: pass" "^deploy: started" ../out &&
	test_grep "^deploy | deploying $short from feature/x$" ../out &&
	test_grep "^dump: skipped *nothing it needs failed$" ../out &&
	! grep "^dump: started" ../out &&
	test_grep "^ci pass$" ../out &&
	test_grep "^cd pass$" ../out &&
	test_grep "^logs: $(pwd)/.git/slipway/logs/[0-9T]*Z-$short-[0-9]*$" ../out &&
	test_grep "^recorded" ../out &&
	no_worktrees .
'

test_expect_success 'the run is recorded per pipeline, for the commit and for its tree' '
	cd repo &&
	c=$(git rev-parse HEAD) && t=$(git rev-parse HEAD^{tree}) &&
	run=$(sed -n "s/^run \([^:]*\): .*/\1/p" ../out) && test -n "$run" &&
	for s in "commit:$c" "tree:$t"; do
		ref=$(chain "$s") &&
		test "$(git rev-list --count "$ref")" = 2 &&
		git show "$ref:record.json" >../rec.cd &&
		git show "$ref~1:record.json" >../rec.ci &&
		test "$(field pipeline <../rec.ci) $(field pipeline <../rec.cd)" = "ci cd" || return 1
	done &&
	for p in ci cd; do
		rec=../rec.$p &&
		test "$(field status <$rec)" = pass &&
		test "$(field commit <$rec)" = "$c" &&
		test "$(field tree <$rec)" = "$t" &&
		test "$(field run <$rec)" = "$run" &&
		test "$(field branch <$rec)" = feature/x &&
		test "$(field source <$rec)" = "slipway run" || return 1
	done &&
	field jobs <../rec.ci >../got &&
	printf "%s pass\n" build test-a test-b test-c >../expect &&
	test_cmp ../expect ../got &&
	field jobs <../rec.cd >../got &&
	printf "%s\n" "build pass" "test-a pass" "test-b pass" "test-c pass" \
		"compat-test[current] pass" "compat-test[compat] pass" "dump skipped" \
		"deploy pass" >../expect &&
	test_cmp ../expect ../got &&
	test "$(job exit test-b <../rec.cd)" = 0 &&
	test "$(job duration_ms test-a <../rec.cd)" -ge 0 &&
	test "$(job tail "compat-test[compat]" <../rec.cd)" = "compat-test[compat] target 1.2.0" &&
	test "$(job tail "compat-test[current]" <../rec.cd)" = "compat-test[current] target 1.4.2" &&
	test "$(job why dump <../rec.cd)" = "nothing it needs failed" &&
	log=$(job log deploy <../rec.cd) &&
	test "$log" = "$(pwd)/.git/slipway/logs/$run/deploy.log" &&
	echo "deploying $(git rev-parse --short=8 HEAD) from feature/x" >../expect &&
	test_cmp ../expect "$log" &&
	test -f ".git/slipway/logs/$run/compat-test@compat.log" &&
	git fsck --strict --no-dangling
'

test_expect_success 'the gate reads the ci and cd facts from the run' '
	cd repo && short=$(git rev-parse --short=8 HEAD) &&
	gate feature/x &&
	test_grep "^  ci  *yes  *ci pass on $short" ../gate &&
	test_grep "^  cd  *yes  *cd pass on $short" ../gate
'

test_expect_success 'plain output comes out as the job writes it, not when the job ends' '
	cd repo && fresh_sync || return 1
	"$SLIPWAY" run live >../out 2>../err &
	pid=$!
	i=0
	while ! grep -q "^live | first$" ../out && [ $i -lt 40 ]; do sleep 0.1; i=$((i + 1)); done
	seen=no && grep -q "^live | first$" ../out && seen=yes
	touch "$SYNC/go"
	wait $pid &&
	test_grep "^live | second$" ../out &&
	echo "live | first seen while the job ran: $seen" &&
	test $seen = yes
'

test_expect_success 'a failing test fails the pipeline; the dump runs, what needed the tests is skipped' '
	cd repo && fresh_sync &&
	test_commit break break-b &&
	short=$(git rev-parse --short=8 HEAD) &&
	test_expect_code 1 slipway run --jobs 4 >../out 2>../err &&
	test_grep "^test-b | test-b broke on $short$" ../out &&
	test_grep "^test-b: fail .*  exit 3$" ../out &&
	test_grep "^compat-test\[current\]: skipped *a job it needs did not pass$" ../out &&
	test_grep "^compat-test\[compat\]: skipped *a job it needs did not pass$" ../out &&
	test_grep "^deploy: skipped *a job it needs did not pass$" ../out &&
	! grep "^deploy: started" ../out &&
	test_grep "^dump | dumping the logs$" ../out &&
	test_grep "^dump: pass" ../out &&
	test_grep "^ci fail$" ../out &&
	test_grep "^cd fail$" ../out &&
	test_grep "the run did not pass" ../err &&
	record cd >../rec &&
	test "$(field status <../rec)" = fail &&
	test "$(job state test-b <../rec)" = fail &&
	test "$(job exit test-b <../rec)" = 3 &&
	job tail test-b <../rec >../tail &&
	test_grep "^test-b met the others$" ../tail &&
	test_grep "^test-b broke on $short$" ../tail &&
	test "$(job state test-a <../rec)" = pass &&
	test "$(job state dump <../rec)" = pass &&
	test "$(job state deploy <../rec)" = skipped &&
	test "$(job why deploy <../rec)" = "a job it needs did not pass" &&
	test "$(job state "compat-test[compat]" <../rec)" = skipped &&
	record ci >../rec.ci && test "$(field status <../rec.ci)" = fail &&
	gate feature/x &&
	test_grep "^  ci  *no  *ci fail on $short" ../gate &&
	test_grep "^  cd  *no  *cd fail on $short" ../gate &&
	no_worktrees .
'

test_expect_success 'the environment: SLIPWAY_*, the job env, pass-env; nothing else of the caller' '
	cd repo && git checkout -q hotfix/env &&
	env LETIN=let-in KEEPOUT=kept-out SLIPWAY_EXTRA=no "$SLIPWAY" run >../out 2>../err &&
	logdir=$(sed -n "s/^logs: //p" ../out) && run=$(basename "$logdir") &&
	grep -v "^\(PWD\|OLDPWD\|SHLVL\|_\)=" "$logdir/env.log" | sort >../env &&
	cat >../expect <<-EOF &&
	GREETING=hello world
	HOME=$HOME
	LETIN=let-in
	PATH=$PATH
	SLIPWAY_BRANCH=hotfix/env
	SLIPWAY_COMMIT=$(git rev-parse HEAD)
	SLIPWAY_COMPAT_VERSION=1.2.0
	SLIPWAY_JOB=env
	SLIPWAY_PIPELINE=probe
	SLIPWAY_RUN_ID=$run/env
	SLIPWAY_SHORT=$(git rev-parse HEAD | cut -c1-8)
	SLIPWAY_VERSION=1.4.2
	URL=a=b
	EOF
	sort ../expect >../expect.sorted &&
	test_cmp ../expect.sorted ../env &&
	! grep KEEPOUT ../out &&
	! grep GIT_AUTHOR ../env
'

test_expect_success '[run] pass-env replaces the default PATH HOME' '
	cd repo && git checkout -q -b hotfix/env2 hotfix/env &&
	git config -f slipway.conf run.pass-env PATH && git add slipway.conf &&
	test_commit pass-env-path &&
	slipway run >../out 2>../err &&
	logdir=$(sed -n "s/^logs: //p" ../out) &&
	test_grep "^PATH=$PATH$" "$logdir/env.log" &&
	! grep "^HOME=" "$logdir/env.log" &&
	test_grep "^SLIPWAY_BRANCH=hotfix/env2$" "$logdir/env.log"
'

test_expect_success 'a job runs in a checkout of the commit, not the working tree; removed afterwards' '
	cd repo && git checkout -q hotfix/env &&
	echo "uncommitted data" >data.txt && echo x >untracked.txt &&
	test_when_finished "git -C repo checkout -q data.txt && rm -f repo/untracked.txt" &&
	slipway run --force >../out 2>../err &&
	run=$(sed -n "s/^run \([^:]*\): .*/\1/p" ../out) &&
	test_grep "^where | committed data$" ../out &&
	test_grep "^where | $(pwd -P)/.git/slipway/work/$run/where$" ../out &&
	test_grep "^where | no untracked file$" ../out &&
	! grep "uncommitted" ../out &&
	test "$(cat data.txt)" = "uncommitted data" &&
	git status --porcelain >../status &&
	printf "%s\n" " M data.txt" "?? untracked.txt" >../expect &&
	test_cmp ../expect ../status &&
	no_worktrees . &&
	git worktree prune --dry-run -v >../prune 2>&1 && test ! -s ../prune
'

test_expect_success '--keep keeps the checkouts, detached at the commit' '
	cd repo &&
	test_when_finished remove_kept &&
	slipway run --force --keep >../out 2>../err &&
	run=$(sed -n "s/^run \([^:]*\): .*/\1/p" ../out) &&
	kept=.git/slipway/work/$run/where &&
	test "$(cat $kept/data.txt)" = "committed data" &&
	test -z "$(git -C $kept status --porcelain)" &&
	test "$(git -C $kept rev-parse HEAD)" = "$(git rev-parse HEAD)" &&
	test_must_fail git -C $kept symbolic-ref -q HEAD &&
	test -d .git/slipway/work/$run/env
'

test_expect_success '--commit runs another commit, with its content' '
	cd repo &&
	slipway run probe --commit HEAD~1 >../out 2>../err &&
	test_grep "^run .*: $(git rev-parse --short=8 HEAD~1) on " ../out &&
	test_grep "^where | first data$" ../out &&
	record probe HEAD~1 >../rec &&
	test "$(field commit <../rec)" = "$(git rev-parse HEAD~1)"
'

test_expect_success '--jobs 1 runs one job at a time' '
	cd repo && git checkout -q cd-fix/serial && fresh_sync &&
	slipway run --jobs 1 >../out 2>../err &&
	for s in s1 s2 s3; do test_grep "^$s | $s ran alone$" ../out || return 1; done &&
	before "^s1: pass" "^s2: started" ../out &&
	before "^s2: pass" "^s3: started" ../out &&
	! grep "another job is running" ../out
'

test_expect_success 'the same jobs with --jobs 3 overlap (the check above can fail)' '
	cd repo && fresh_sync &&
	test_expect_code 1 slipway run --force --jobs 3 >../out 2>../err &&
	test_grep "another job is running" ../out
'

test_expect_success '--only JOB runs it and what it needs, nothing else' '
	cd repo && git checkout -q feature/x && fresh_sync &&
	git rm -q break-b && test_commit unbreak &&
	slipway run --only compat-test --jobs 4 >../out 2>../err &&
	grep "^[^ ]*: started$" ../out | sort >../got &&
	printf "%s: started\n" build "compat-test[compat]" "compat-test[current]" \
		test-a test-b test-c | sort >../expect &&
	test_cmp ../expect ../got &&
	! grep "^deploy" ../out && ! grep "^dump" ../out
'

# docs/run.md: "--only JOB runs that job and what it needs, and records nothing
# for pipelines (a partial run is not a pipeline's result)"
test_expect_success '--only records no pipeline result (a partial run is not a pass)' '
	cd repo && git checkout -q -b feature/only feature/x && test_commit only &&
	git for-each-ref refs/slipway/pipeline/ >../before &&
	slipway run --only build >../out 2>../err &&
	test_grep "^build: pass" ../out &&
	git for-each-ref refs/slipway/pipeline/ >../after &&
	test_cmp ../before ../after &&
	slipway run --dry-run >../plan &&
	! grep "already passed" ../plan &&
	gate feature/only &&
	test_grep "^  ci  *no " ../gate
'

# plan BRANCH [ARGS]: the dry run's first line and its pipelines, on that branch
plan() {
	git checkout -q "$1" && shift &&
	slipway run --dry-run "$@" >../plan &&
	grep -v "^step\|^  " ../plan | sed -e "s/ up to .*//" -e "s/: not run, already passed: .*//"
}

test_expect_success 'pipelines are chosen by the branch role' '
	cd repo && c=$(git rev-parse --short=8 staging) && h=$(git rev-parse --short=8 hotfix/env) &&
	plan staging >../got &&
	printf "%s\n" "plan for $c (branch staging, staging role);" "pipeline ci" "pipeline cd" >../expect &&
	test_cmp ../expect ../got &&
	plan master >../got &&
	printf "%s\n" "plan for $c (branch master, production role);" "pipeline cd" >../expect &&
	test_cmp ../expect ../got &&
	plan hotfix/env >../got &&
	printf "%s\n" "plan for $h (branch hotfix/env, hotfix role);" "pipeline probe" >../expect &&
	test_cmp ../expect ../got &&
	plan cd-fix/serial >../got &&
	printf "%s\n" "plan for $c (branch cd-fix/serial, cdfix role);" "pipeline serial" >../expect &&
	test_cmp ../expect ../got &&
	plan hotfix/env --branch staging >../got &&
	printf "%s\n" "plan for $h (branch staging, staging role);" "pipeline ci" "pipeline cd" >../expect &&
	test_cmp ../expect ../got &&
	plan master --commit hotfix/env >../got &&
	printf "%s\n" "plan for $h (branch hotfix/env, hotfix role);" "pipeline probe" >../expect &&
	test_cmp ../expect ../got &&
	plan hotfix/env serial >../got &&
	printf "%s\n" "plan for $h (branch hotfix/env, hotfix role);" "pipeline serial" >../expect &&
	test_cmp ../expect ../got
'

test_expect_success '--branch names the branch the jobs and the record see' '
	cd repo && git checkout -q hotfix/env &&
	slipway run probe --force --branch release/rc1 >../out 2>&1 &&
	logdir=$(sed -n "s/^logs: //p" ../out) &&
	test_grep "^SLIPWAY_BRANCH=release/rc1$" "$logdir/env.log" &&
	record probe >../rec &&
	test "$(field branch <../rec)" = release/rc1
'

# docs/run.md: "The branch is the one --commit names (a local or remote-tracking
# branch), else the current one"
test_expect_success '--commit with a commit id: the role of the current branch' '
	cd repo && git checkout -q hotfix/env &&
	slipway run --dry-run --commit "$(git rev-parse HEAD)" >../out 2>&1 &&
	test_grep "(branch hotfix/env, hotfix role)" ../out &&
	test_grep "^pipeline probe" ../out
'

test_expect_success 'a job named like a matrix side keeps its own log and checkout' '
	git init -q clash && cd clash &&
	cat >slipway.conf <<-\EOF &&
	[release]
		version-file = package.json
	[compat]
		version = 1.0.0
	[pipeline "ci"]
		on = production
	[job "t"]
		matrix = compat
		run = "echo I am $SLIPWAY_JOB"
		run = sleep 1
	[job "t-compat-"]
		run = "echo I am $SLIPWAY_JOB"
		run = sleep 1
	EOF
	echo "{\"version\": \"1.1.0\"}" >package.json &&
	git add . && test_commit one &&
	run_shown --jobs 3 &&
	test_grep "^t-compat-: pass" ../out &&
	record ci >../rec &&
	for j in "t[current]" "t[compat]" "t-compat-"; do
		test "$(job state "$j" <../rec)" = pass &&
		test "$(cat "$(job log "$j" <../rec)")" = "I am $j" || return 1
	done
'

# a job of another pipeline that a pipeline's job needs fails: the pipeline's
# own job never ran, so the pipeline did not pass
test_expect_success 'a pipeline whose job was skipped for a failed need of another pipeline fails' '
	git init -q cross && cd cross &&
	cat >slipway.conf <<-\EOF &&
	[pipeline "ci"]
		on = production
	[job "setup"]
		pipelines = other
		run = "echo setup fails; exit 1"
	[job "test"]
		pipelines = ci
		needs = setup
		run = echo test
	EOF
	git add . && test_commit one &&
	test_expect_code 1 slipway run >../out 2>../err &&
	test_grep "^test: skipped *a job it needs did not pass$" ../out &&
	! grep "^ci pass" ../out &&
	record ci >../rec &&
	test "$(field status <../rec)" != pass &&
	gate master &&
	test_grep "^  ci  *no " ../gate
'

test_expect_success 'a background process of one run line keeps writing to the log through the next' '
	git init -q bgrepo && (
		cd bgrepo &&
		cat >slipway.conf <<-\EOF &&
		[job "srv"]
			run = "(i=0; while [ $i -lt 6 ]; do echo bg$i; i=$((i+1)); sleep .1; done) &"
			run = "sleep 1; echo after"
		[pipeline "bg"]
			on = feature
		EOF
		git add slipway.conf && test_commit bg &&
		slipway run bg --plain >../out 2>&1
	) &&
	for i in 0 1 2 3 4 5; do test_grep "^srv | bg$i$" out || return 1; done &&
	test_grep "^srv | after$" out
'

test_expect_success 'a job that prints nothing leaves no log file; slipway logs shows nothing, and no note' '
	git init -q quiet && (
		cd quiet &&
		cat >slipway.conf <<-\EOF &&
		[job "quiet"]
			run = true
		[job "loud"]
			run = "echo said"
		[pipeline "q"]
			on = feature
		EOF
		git add slipway.conf && test_commit q &&
		slipway run q --plain >../out 2>&1 &&
		logdir=$(sed -n "s/^logs: //p" ../out) &&
		test ! -e "$logdir/quiet.log" &&
		test "$(cat "$logdir/loud.log")" = said &&
		slipway logs q quiet >../quiet.out 2>../quiet.err &&
		test ! -s ../quiet.out && test ! -s ../quiet.err &&
		slipway logs q loud >../loud.out &&
		test "$(cat ../loud.out)" = said
	)
'

test_done
