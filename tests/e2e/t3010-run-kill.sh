#!/bin/sh
# t3010-run-kill.sh - slipway run: a timeout, SIGINT and SIGTERM leave no process of
# the job behind (daemons that left with setsid included), are recorded as
# timeout / cancelled, remove the checkouts; 200 MB of output keeps memory flat.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/run-lib.sh"

# The jobs' marker processes are "sleep <digit>$M<digit>": this run's own, even
# when the suite runs this file twice at once (release and asan builds).
M=$$

# records PIPELINE: how many PIPELINE records HEAD's commit:ID chain holds
records() {
	for _h in $(git rev-list "$(chain "commit:$(git rev-parse HEAD)")"); do
		git show "$_h:record.json" | field pipeline && echo
	done | grep -c "^$1\$"
}

# markers D: the marker processes "sleep D$M<digit>" running now
markers() {
	ps -eo pid=,args= | awk -v re="^sleep $1$M[0-9]\$" '{ p = $1; $1 = ""; sub(/^ /, ""); if ($0 ~ re) print p, $0 }'
}

# no_markers D: none is left (shows them when some are)
no_markers() {
	markers "$1" >"$TRASH/left"
	test ! -s "$TRASH/left" && return 0
	echo "left behind:" >&2 && cat "$TRASH/left" >&2
	return 1
}

# wait_markers D N: waits (10 s at most) until N marker processes run
wait_markers() {
	_i=0
	while [ "$(markers "$1" | wc -l)" -ne "$2" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then
			echo "wait_markers: wanted $2 of sleep $1$M*, have:" >&2 && markers "$1" >&2
			return 1
		fi
		sleep 0.1
	done
}

# kill_markers D: cleanup after a failed test (by process id, this run's only)
kill_markers() {
	for _p in $(markers "$1" | cut -d" " -f1); do kill -9 "$_p" 2>/dev/null; done
	return 0
}

# stop_slipway PID: cleanup when a background slipway outlived its test
stop_slipway() {
	kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" && sleep 3 && kill -9 "$1" 2>/dev/null
	return 0
}

# no_worktrees: only the main checkout is left, and no run folder
no_worktrees() {
	test "$(git worktree list --porcelain | grep -c "^worktree ")" = 1 &&
	test -z "$(ls .git/worktrees 2>/dev/null)" &&
	test -z "$(ls .git/slipway/work 2>/dev/null)"
}

test_expect_success 'setup: jobs that hang, leave daemons behind, or write a lot' '
	git init -q repo && cd repo &&
	cat >slipway.conf <<-EOF &&
	[pipeline "slow"]
		on = feature
	[pipeline "hold"]
		on = staging
	[pipeline "leave"]
		on = hotfix
	[job "hang"]
		pipelines = slow
		timeout = 2s
		run = "sleep 1${M}1 & setsid sleep 1${M}2 & (trap \\"\\" TERM; exec sleep 1${M}3) & setsid sh -c \\"sleep 1${M}4 </dev/null >/dev/null 2>&1 &\\"; echo ready; sleep 1${M}5"
	[job "after-hang"]
		pipelines = slow
		needs = hang
		run = echo after
	[job "quick"]
		pipelines = slow
		run = echo quick
	[job "wait"]
		pipelines = hold
		run = "sleep 2${M}1 & setsid sleep 2${M}2 & setsid sh -c \\"sleep 2${M}4 </dev/null >/dev/null 2>&1 &\\"; echo ready; sleep 2${M}5"
	[job "wait2"]
		pipelines = hold
		run = sleep 2${M}6
	[job "later"]
		pipelines = hold
		needs = wait
		run = echo later
	[job "leaver"]
		pipelines = leave
		run = "setsid sleep 3${M}1 & sleep 3${M}2 & echo left two behind"
	[job "big"]
		pipelines = big
		run = "yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop | head -c 200000000; echo; echo END-OF-OUTPUT"
	[job "small"]
		pipelines = small
		run = "yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop | head -c 2000000; echo; echo END-OF-OUTPUT"
	EOF
	git add . && test_commit one && git checkout -q -b feature/x &&
	git config -f slipway.conf --get-all job.hang.run >../run-line &&
	test_grep "(trap \"\" TERM; exec sleep 1${M}3)" ../run-line
'

test_expect_success 'a timeout kills the job, its background children and its setsid daemons' '
	cd repo || return 1
	start=$(date +%s)
	"$SLIPWAY" run slow >../out 2>../err &
	pid=$!
	test_when_finished "stop_slipway $pid; kill_markers 1" &&
	wait_markers 1 5 || return 1
	wait $pid
	rc=$?
	end=$(date +%s)
	test $rc = 1 &&
	no_markers 1 &&
	test $((end - start)) -ge 2 && test $((end - start)) -le 10 &&
	test_grep "^hang | ready$" ../out &&
	test_grep "^hang: timeout .*(timeout 2s)$" ../out &&
	test_grep "^after-hang: skipped *a job it needs did not pass$" ../out &&
	test_grep "^quick: pass" ../out &&
	test_grep "^slow timeout$" ../out &&
	test_grep "the run did not pass" ../err &&
	no_worktrees
'

test_expect_success 'the timeout is recorded: the pipeline and the job timed out' '
	cd repo && record slow >../rec &&
	test "$(field status <../rec)" = timeout &&
	test "$(job state hang <../rec)" = timeout &&
	test "$(job exit hang <../rec)" -gt 128 &&
	test "$(job duration_ms hang <../rec)" -ge 2000 &&
	test "$(job tail hang <../rec)" = ready &&
	test "$(job state after-hang <../rec)" = skipped &&
	test "$(job state quick <../rec)" = pass
'

# signal SIG: starts `slipway run hold` in the background (SIGINT not ignored),
# sends SIG once all five markers run; the exit status in ../rc, the seconds
# from the signal to the exit in ../secs
signal() {
	rm -rf .git/slipway/logs || return 1
	env --default-signal=INT "$SLIPWAY" run hold --jobs 3 >../out 2>../err &
	_pid=$!
	test_when_finished "stop_slipway $_pid; kill_markers 2"
	wait_markers 2 5 || return 1
	_t=$(date +%s)
	kill -$1 $_pid
	wait $_pid
	echo $? >../rc
	echo $(($(date +%s) - _t)) >../secs
}

test_expect_success 'SIGINT cancels the run: exit 130, nothing of the jobs left' '
	cd repo && git checkout -q -b staging &&
	signal INT &&
	test "$(cat ../rc)" = 130 &&
	no_markers 2 &&
	test "$(cat ../secs)" -le 6 &&
	test_grep "^wait: cancelled" ../out &&
	test_grep "^wait2: cancelled" ../out &&
	test_grep "^later: cancelled *the run was cancelled$" ../out &&
	test_grep "^hold cancelled$" ../out &&
	test_grep "the run was cancelled (Interrupt)" ../err &&
	no_worktrees
'

test_expect_success 'the cancelled run is recorded as cancelled' '
	cd repo && record hold >../rec &&
	test "$(field status <../rec)" = cancelled &&
	test "$(job state wait <../rec)" = cancelled &&
	test "$(job tail wait <../rec)" = ready &&
	test "$(job state wait2 <../rec)" = cancelled &&
	test "$(job state later <../rec)" = cancelled &&
	test "$(job why later <../rec)" = "the run was cancelled"
'

test_expect_success 'SIGTERM cancels the same way (and the cancelled run was not reused)' '
	cd repo &&
	signal TERM &&
	test "$(cat ../rc)" = 130 &&
	no_markers 2 &&
	test_grep "^hold cancelled$" ../out &&
	test_grep "the run was cancelled (Terminated)" ../err &&
	test "$(records hold)" = 2 &&
	no_worktrees
'

test_expect_success 'a job that passes leaves nothing running behind it' '
	cd repo && git checkout -q -b hotfix/1 &&
	test_when_finished "kill_markers 3" &&
	slipway run >../out 2>../err &&
	test_grep "^leaver | left two behind$" ../out &&
	test_grep "^leaver: pass" ../out &&
	no_markers 3 &&
	no_worktrees
'

test_expect_success '200 MB of output: memory stays flat, the log has it all, the record the tail' '
	cd repo &&
	test_when_finished "rm -rf \"$TRASH/repo/.git/slipway/logs\"" &&
	/usr/bin/time -f %M -o ../mem.small "$SLIPWAY" run small >/dev/null 2>../err &&
	/usr/bin/time -f %M -o ../mem.big "$SLIPWAY" run big >../out 2>../err &&
	small=$(tail -1 ../mem.small) && big=$(tail -1 ../mem.big) &&
	echo "peak RSS: $small KB for 2 MB of output, $big KB for 200 MB" &&
	test "$big" -lt 30000 &&
	test $((big - small)) -lt 5000 &&
	log=$(sed -n "s/^logs: //p" ../out)/big.log &&
	test "$(wc -c <"$log")" = 200000015 &&
	test "$(tail -n 1 "$log")" = END-OF-OUTPUT &&
	record big >../rec &&
	test "$(job state big <../rec)" = pass &&
	test "$(job log big <../rec)" = "$log" &&
	len=$(job tail big <../rec | wc -c) &&
	echo "the record keeps a tail of $len bytes" &&
	job tail big <../rec >../tail &&
	tail -c "$(wc -c <../tail)" "$log" | cmp - ../tail &&
	test "$len" -le 65536 &&
	test "$len" -ge 65000
'

test_done
