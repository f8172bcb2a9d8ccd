#!/bin/sh
# run-jobs.sh - slipway run: 200 no-op jobs against make -j, the checkout of
# one job on a 20,000-file repository against git worktree, and the re-run
# that runs nothing (issue 4).
#
#   sh bench/run-jobs.sh           (make bench runs it from bench/run.sh;
#                                   BENCH_RUNNER=0 skips it there)
#
#   BENCH_RUNNER_RUNS  runs of each measurement      (default 5)
#   BENCH_DIR          scratch dirs                  (default /tmp/slipway-bench)
#   SLIPWAY            the binary to measure         (default ./slipway)
#   RUNNER_RESULTS     where the report is appended  (default bench/results.txt)
#
# The repositories (bench/run-jobs-gen.awk, made afresh in
# BENCH_DIR/run-jobs/work and removed at the end, ~5 s):
#   tiny    slipway.conf with 200 jobs `run = true` in pipeline "bench", 10
#           layers of 20, each job of a layer needing 2 or 3 of the layer
#           before, and job "one" alone in pipeline "one"; the same graph as a
#           Makefile (one phony target per job, recipe `@true`); one commit
#   cached  the same 200 jobs with `inputs = src`, files src/a and other/x
#   big     20,000 small files in 200 folders and a slipway.conf with job
#           "one" only; one commit (git fast-import), checked out
# N = nproc. One untimed warm-up round (but for sw1big and wt1big: the
# page cache is warm from making big), then BENCH_RUNNER_RUNS rounds; in each
# (the order rotates from round to round), timed with `date +%s%N`, its own
# cost subtracted, output to /dev/null unless said:
#   sw200      tiny: slipway run bench --plain --jobs N --force
#   make200    tiny: make -j N all
#   wt200      tiny: a shell loop doing, 200 times one after the other, what
#              slipway did around each job before it checked out in process:
#              git worktree add --detach --force --quiet DIR COMMIT, then git
#              worktree remove --force --force DIR (not N at a time: concurrent
#              `git worktree add`s in one repository race in git itself --
#              "failed to read .git/worktrees/NAME/commondir"); for reference
#   sw1big     big: slipway run one --plain --jobs 1 --force
#   wt1big     big: git worktree add --detach DIR HEAD && git worktree remove --force DIR
#   sw1tiny, wt1tiny   the same two in tiny: the part that is not the checkout
#   reuse      cached, the commit already passed: slipway run bench --plain
#              --jobs N (output to a file: "not run, already passed")
#   cached     cached, a new commit that changes other/x only (made untimed):
#              slipway run bench --plain --jobs N (output to a file: all 200
#              jobs "cached", the pipeline passes)
# Every answer is checked, and a wrong one stops the benchmark: exit codes;
# after each 200-job run `slipway logs bench` shows a new run with 200 jobs
# "pass"; make's plan runs 200 recipes; reuse says "not run, already passed";
# cached prints 200 jobs "cached" and "bench pass"; no worktree remains
# (`git worktree list`, .git/slipway/work). Then, untimed, where slipway's
# time goes: one 200-job run under `strace -c -w` (slipway's own system calls,
# wall time in each) and one under `strace -f -e trace=execve` (the programs
# started, per job). The report goes to stdout and is appended to
# bench/results.txt.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
BENCH_DIR=${BENCH_DIR:-/tmp/slipway-bench}
BENCH_RUNNER_RUNS=${BENCH_RUNNER_RUNS:-5}
SLIPWAY=${SLIPWAY:-$root/slipway}
RESULTS=${RUNNER_RESULTS:-$here/results.txt}
gen="$here/run-jobs-gen.awk"
NJOBS=200

die() { echo "bench: run-jobs: $*" >&2; exit 1; }

case $BENCH_RUNNER_RUNS in ''|*[!0-9]*|0) die "BENCH_RUNNER_RUNS must be a positive number" ;; esac
[ -x "$SLIPWAY" ] || die "no slipway binary at $SLIPWAY; build it with: make slipway"
for _t in git make awk xargs; do
	command -v "$_t" >/dev/null 2>&1 || die "$_t is missing"
done
N=$(nproc)

mkdir -p "$BENCH_DIR/bin" "$BENCH_DIR/run-jobs"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
work="$BENCH_DIR/run-jobs/work"
raw="$BENCH_DIR/run-jobs/raw"

# Whatever happens, the repositories (and their worktrees, which live in
# them) go.
cleanup() {
	cd /
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

rm -rf "$work" "$raw"
mkdir -p "$work/home" "$raw"

# A world of our own: no user or system git config, a fixed identity, a
# short PATH (every program is looked up along it: slipway's git and make's
# recipes alike).
export HOME="$work/home" LC_ALL=C TZ=UTC GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export PATH=/usr/local/bin:/usr/bin:/bin
export GIT_AUTHOR_NAME='Bench Author' GIT_AUTHOR_EMAIL=author@bench.invalid
export GIT_COMMITTER_NAME='Bench Committer' GIT_COMMITTER_EMAIL=committer@bench.invalid
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME MAKEFLAGS MFLAGS
printf '[user]\n\tname = Bench Runner\n\temail = runner@bench.invalid\n[init]\n\tdefaultBranch = master\n' \
    >"$HOME/.gitconfig"

# The binary under test, copied so that a rebuild during the run cannot
# swap it halfway.
sw="$BENCH_DIR/bin/slipway-run-jobs"
cp -L "$SLIPWAY" "$sw"
sw_rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain -- src Makefile 2>/dev/null)" ]; then
	sw_rev="$sw_rev + uncommitted changes in src/"
fi

. "$here/lib.sh"

fmt_ms() { awk -v v="$1" 'BEGIN { if (v == "nan") print "nan"; else printf "%.1f", v / 1e6 }'; }

# --- the repositories ---

echo "== run-jobs: making the repositories in $work"
t0=$(now)
tiny="$work/tiny" cached="$work/cached" big="$work/big"
git init -q "$tiny"
awk -v mode=conf -f "$gen" >"$tiny/slipway.conf"
awk -v mode=make -f "$gen" >"$tiny/Makefile"
echo "a tiny repository for bench/run-jobs.sh" >"$tiny/README"
git -C "$tiny" add -A
git -C "$tiny" commit -q -m "200 jobs"

git init -q "$cached"
awk -v mode=conf -v inputs=src -f "$gen" >"$cached/slipway.conf"
mkdir "$cached/src" "$cached/other"
echo a >"$cached/src/a"
echo 0 >"$cached/other/x"
git -C "$cached" add -A
git -C "$cached" commit -q -m "200 jobs, inputs = src"

git init -q "$big"
awk -v mode=big -f "$gen" | git -C "$big" fast-import --quiet || die "git fast-import failed"
git -C "$big" reset -q --hard
t1=$(now)
big_files=$(git -C "$big" ls-files | wc -l)
[ "$big_files" -eq 20001 ] || die "the big repository has $big_files files, not 20,001"
gen_note="made in $(awk -v v=$((t1 - t0)) 'BEGIN { printf "%.1f", v / 1e9 }') s"
echo "   $gen_note"
tiny_commit=$(git -C "$tiny" rev-parse HEAD)

# make's plan: the 200 recipes
[ "$(make -C "$tiny" -n all | grep -c '^true$')" -eq $NJOBS ] || die "make's plan is not $NJOBS recipes"

# --- checks ---

# no_worktrees REPO WHO: nothing left behind.
no_worktrees() {
	[ "$(git -C "$1" worktree list --porcelain | grep -c '^worktree ')" -eq 1 ] ||
		die "$2 (run $run): worktrees remain: $(git -C "$1" worktree list)"
	if [ -d "$1/.git/slipway/work" ] && [ -n "$(ls -A "$1/.git/slipway/work")" ]; then
		die "$2 (run $run): .git/slipway/work is not empty: $(ls -A "$1/.git/slipway/work")"
	fi
}

# check_logs REPO PIPELINE JOBS WHO: `slipway logs PIPELINE` shows a run
# newer than the last one checked, with JOBS jobs that passed.
last_run=
check_logs() {
	(cd "$1" && "$sw" logs "$2") >"$work/logs.out" 2>&1 || die "$4 (run $run): slipway logs $2 failed:
$(cat "$work/logs.out")"
	_head=$(head -n 1 "$work/logs.out")
	case $_head in "$2 pass on "*) ;; *) die "$4 (run $run): not a pass: $_head" ;; esac
	_id=$(printf %s "$_head" | sed -n 's/.*(run \([^)]*\))$/\1/p')
	[ -n "$_id" ] && [ "$_id" != "$last_run" ] || die "$4 (run $run): no new run recorded: $_head"
	last_run=$_id
	_n=$(grep -c '^  [^ ]* *pass ' "$work/logs.out" || true)
	[ "$_n" -eq "$3" ] || die "$4 (run $run): $_n jobs passed, not $3:
$(cat "$work/logs.out")"
	no_worktrees "$1" "$4"
}

# --- the measurements ---

# r KEY: the raw result file of KEY for this round, or of the warm-up.
r() { if [ "$run" -eq 0 ]; then echo "$work/warmup.$1"; else echo "$raw/$1"; fi; }

m_sw200() {
	cd "$tiny"
	_rc=0
	time_ns "$(r sw200)" "$sw" run bench --plain --jobs "$N" --force >/dev/null 2>"$work/err" || _rc=$?
	[ $_rc -eq 0 ] || die "slipway run bench failed ($_rc, run $run): $(cat "$work/err")"
	check_logs "$tiny" bench $NJOBS "slipway run bench"
}

m_make200() {
	cd "$tiny"
	time_ns "$(r make200)" make -j "$N" all >/dev/null 2>"$work/err" ||
		die "make -j $N all failed (run $run): $(cat "$work/err")"
}

# wt_pair DIR: a git worktree made and removed around nothing, in tiny.
wt_pair() {
	git worktree add --detach --force --quiet "$1" "$tiny_commit" &&
	    git worktree remove --force --force "$1"
}

wt_loop() {
	_i=0
	while [ $_i -lt $NJOBS ]; do
		wt_pair "$work/wt/$_i" || return 1
		_i=$((_i + 1))
	done
}

m_wt200() {
	cd "$tiny"
	time_ns "$(r wt200)" wt_loop >"$work/err" 2>&1 || die "the worktree loop failed (run $run): $(cat "$work/err")"
	no_worktrees "$tiny" "the worktree loop"
}

# one_sw REPO KEY: slipway run one --jobs 1 in REPO.
one_sw() {
	cd "$1"
	_rc=0
	time_ns "$(r "$2")" "$sw" run one --plain --jobs 1 --force >/dev/null 2>"$work/err" || _rc=$?
	[ $_rc -eq 0 ] || die "slipway run one in $1 failed ($_rc, run $run): $(cat "$work/err")"
	_save=$last_run; last_run=
	check_logs "$1" one 1 "slipway run one ($2)"
	last_run=$_save
}

# one_wt REPO KEY: git worktree add + remove in REPO.
one_wt() {
	cd "$1"
	time_ns "$(r "$2")" sh -c 'git worktree add --detach "$1" HEAD && git worktree remove --force "$1"' \
	    sh "$work/one" >"$work/err" 2>&1 || die "git worktree add/remove in $1 failed (run $run): $(cat "$work/err")"
	[ ! -e "$work/one" ] || die "git worktree remove left $work/one (run $run)"
	no_worktrees "$1" "git worktree add/remove ($2)"
}

m_sw1big() { one_sw "$big" sw1big; }
m_wt1big() { one_wt "$big" wt1big; }
m_sw1tiny() { one_sw "$tiny" sw1tiny; }
m_wt1tiny() { one_wt "$tiny" wt1tiny; }

m_reuse() {
	cd "$cached"
	_rc=0
	time_ns "$(r reuse)" "$sw" run bench --plain --jobs "$N" >"$work/reuse.out" 2>&1 || _rc=$?
	[ $_rc -eq 0 ] || die "slipway run bench (reuse) failed ($_rc, run $run): $(cat "$work/reuse.out")"
	grep -q '^bench: not run, already passed: bench pass on ' "$work/reuse.out" ||
		die "slipway run bench (reuse, run $run) did not reuse:
$(cat "$work/reuse.out")"
	! grep -q ': started$' "$work/reuse.out" || die "slipway run bench (reuse, run $run) started jobs"
}

ncommit=0
m_cached() {
	cd "$cached"
	ncommit=$((ncommit + 1))
	echo "$ncommit" >other/x
	git commit -q -a -m "other/x: $ncommit"
	_rc=0
	time_ns "$(r cached)" "$sw" run bench --plain --jobs "$N" >"$work/cached.out" 2>&1 || _rc=$?
	[ $_rc -eq 0 ] || die "slipway run bench (cached) failed ($_rc, run $run): $(cat "$work/cached.out")"
	_n=$(grep -c '^  j[0-9_]* *cached *its inputs passed before' "$work/cached.out" || true)
	[ "$_n" -eq $NJOBS ] || die "slipway run bench (cached, run $run): $_n jobs cached, not $NJOBS:
$(cat "$work/cached.out")"
	grep -q '^bench pass$' "$work/cached.out" || die "slipway run bench (cached, run $run): no 'bench pass':
$(cat "$work/cached.out")"
	! grep -q ': started$' "$work/cached.out" || die "slipway run bench (cached, run $run) started jobs"
	no_worktrees "$cached" "slipway run bench (cached)"
}

# The cached repository's first run: every job runs and passes (and fills
# the cache); from then on its commit is reused.
run=0
cd "$cached"
"$sw" run bench --plain --jobs "$N" >"$work/first.out" 2>&1 || die "the first run in $cached failed:
$(cat "$work/first.out")"
[ "$(grep -c '^j[0-9_]*: pass ' "$work/first.out")" -eq $NJOBS ] ||
	die "the first run in $cached did not pass $NJOBS jobs: $(tail -n 5 "$work/first.out")"

load_start=$(cut -d ' ' -f 1-3 /proc/loadavg)
order="m_sw200 m_make200 m_wt200 m_sw1big m_wt1big m_sw1tiny m_wt1tiny m_reuse m_cached"
echo "== run-jobs: warm-up ($N jobs at once; not the 20,000-file checkouts, seconds each)"
for m in $order; do case $m in m_sw1big | m_wt1big) ;; *) $m ;; esac; done
run=1
while [ $run -le "$BENCH_RUNNER_RUNS" ]; do
	for m in $order; do $m; done
	cd "$work"
	printf '   run %d: 200 jobs slipway %s, make %s, worktree loop %s; one job on 20k files slipway %s, worktree %s; reuse %s, cached %s ms\n' \
	    "$run" "$(fmt_ms "$(tail -n 1 "$raw/sw200")")" "$(fmt_ms "$(tail -n 1 "$raw/make200")")" \
	    "$(fmt_ms "$(tail -n 1 "$raw/wt200")")" \
	    "$(fmt_ms "$(tail -n 1 "$raw/sw1big")")" "$(fmt_ms "$(tail -n 1 "$raw/wt1big")")" \
	    "$(fmt_ms "$(tail -n 1 "$raw/reuse")")" "$(fmt_ms "$(tail -n 1 "$raw/cached")")"
	order="${order#* } ${order%% *}"
	run=$((run + 1))
done
load_end=$(cut -d ' ' -f 1-3 /proc/loadavg)

keys="sw200 make200 wt200 sw1big wt1big sw1tiny wt1tiny reuse cached"
summary="$raw/summary"
: >"$summary"
for k in $keys; do echo "$k $(median "$raw/$k")" >>"$summary"; done

# --- where the time goes (untimed) ---

strace_note=
if command -v strace >/dev/null 2>&1; then
	cd "$tiny"
	strace -c -w -o "$work/strace-c" "$sw" run bench --plain --jobs "$N" --force >/dev/null 2>&1 ||
		die "slipway run bench under strace -c failed"
	strace -f -qq -e trace=execve -e signal=none -o "$work/strace-exec" \
	    "$sw" run bench --plain --jobs "$N" --force >/dev/null 2>&1 ||
		die "slipway run bench under strace -f failed"
	no_worktrees "$tiny" "slipway run bench under strace"
	nproc_seen=$(ls -d /proc/[1-9]* | wc -l)
else
	strace_note="strace is missing (apt-get install -y strace): no breakdown"
fi

report() {
	echo "slipway run benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo "slipway $sw_rev; $(git --version); $(make --version | head -n 1)"
	echo "$(uname -sr), $N cpus; repositories in $work ($gen_note; page cache warm);" \
	    "$BENCH_RUNNER_RUNS runs each after one warm-up, medians; the order rotates each run"
	echo "load average (1, 5, 15 min) at the start $load_start, at the end $load_end"
	echo "times: median ms of wall clock ($(fmt_ms "$timer_ns") ms of timer overhead subtracted)"
	echo
	awk -v n="$NJOBS" -v N="$N" '
	{ m[$1] = $2 }
	function ms(v) { return sprintf("%.1f", v / 1e6) }
	function x(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "-" }
	function row(label, t, target, ratio, verdict) {
		printf "%-50s %9s  %-22s %-9s %s\n", label, t, target, ratio, verdict
	}
	END {
		printf "%-50s %9s  %-22s %-9s %s\n", "measure", "ms", "target", "ratio", "verdict"
		row("200 jobs, slipway run --jobs " N, ms(m["sw200"]), "<= 2x make -j " N,
		    x(m["sw200"], m["make200"]), m["sw200"] <= 2 * m["make200"] ? "MET" : "NOT MET")
		row("  make -j " N ", same graph, @true", ms(m["make200"]), "", "", "")
		row("  per-job overhead (slipway - make) / 200", ms((m["sw200"] - m["make200"]) / n), "", "", "")
		row("  git worktree add + remove x200, one by one", ms(m["wt200"]), "",
		    x(m["sw200"], m["wt200"]), "")
		row("one job, 20,000 files, slipway run --jobs 1", ms(m["sw1big"]), "<= worktree add+remove",
		    x(m["sw1big"], m["wt1big"]), m["sw1big"] <= m["wt1big"] ? "MET" : "NOT MET")
		row("  git worktree add --detach + remove --force", ms(m["wt1big"]), "", "", "")
		row("  the same two in the tiny repository", ms(m["sw1tiny"]) " / " ms(m["wt1tiny"]), "", "", "")
		row("  checkout part: 20k minus tiny, slipway / git",
		    ms(m["sw1big"] - m["sw1tiny"]) " / " ms(m["wt1big"] - m["wt1tiny"]), "(not slower)",
		    x(m["sw1big"] - m["sw1tiny"], m["wt1big"] - m["wt1tiny"]),
		    m["sw1big"] - m["sw1tiny"] <= m["wt1big"] - m["wt1tiny"] ? "met" : "not met")
		row("re-run, same commit (reused, nothing runs)", ms(m["reuse"]), "< 200 ms", "",
		    m["reuse"] < 200e6 ? "MET" : "NOT MET")
		row("re-run, new commit, 200 jobs cached", ms(m["cached"]), "< 200 ms", "",
		    m["cached"] < 200e6 ? "MET" : "NOT MET")
	}' "$summary"
	cat <<-EOF

	slipway run  = slipway run bench --plain --jobs $N --force, output to /dev/null (10 layers
	               of 20 jobs, each needing 2-3 of the layer before, each \`run = true\`)
	make         = make -j $N all, the same graph, one phony target per job, recipe @true
	worktree x200 = a shell loop: git worktree add --detach --force --quiet DIR COMMIT; git
	               worktree remove --force --force DIR, one pair at a time (what slipway
	               ran around each job before its checkouts were made in process)
	one job      = slipway run one --plain --jobs 1 --force (job "one", run = true) against
	               git worktree add --detach DIR HEAD && git worktree remove --force DIR
	re-run       = slipway run bench --plain --jobs $N, inputs = src on every job: on the
	               commit that passed ("not run, already passed"), and on a new commit
	               that changed other/x only (every job "cached")
	EOF
	echo
	echo "targets (issue 4):"
	awk -v n="$NJOBS" -v N="$N" '
	{ m[$1] = $2 }
	function v(ok) { return ok ? "MET" : "NOT MET" }
	END {
		printf "  200 no-op jobs within 2x of make -j %d: %.1f ms vs %.1f ms (%.1fx) -> %s;" \
		    " per-job overhead %.2f ms\n", N, m["sw200"] / 1e6, m["make200"] / 1e6,
		    m["sw200"] / m["make200"], v(m["sw200"] <= 2 * m["make200"]),
		    (m["sw200"] - m["make200"]) / n / 1e6
		printf "  checkout per job on 20,000 files not slower than git worktree add + remove:" \
		    " %.1f ms vs %.1f ms (%.2fx) -> %s (the checkout part alone: %.1f vs %.1f ms)\n",
		    m["sw1big"] / 1e6, m["wt1big"] / 1e6, m["sw1big"] / m["wt1big"],
		    v(m["sw1big"] <= m["wt1big"]), (m["sw1big"] - m["sw1tiny"]) / 1e6,
		    (m["wt1big"] - m["wt1tiny"]) / 1e6
		printf "  fully cached re-run of the 200 jobs under 200 ms: reused %.1f ms, cached %.1f ms -> %s\n",
		    m["reuse"] / 1e6, m["cached"] / 1e6, v(m["reuse"] < 200e6 && m["cached"] < 200e6)
	}' "$summary"
	echo
	echo "where the 200-job run's time goes (medians):"
	awk -v n="$NJOBS" '
	{ m[$1] = $2 }
	END {
		fixed = m["sw1tiny"]
		rest = m["sw200"] - fixed
		printf "  %-58s %8.1f ms  %4.0f%%\n", "a run of one job (start, plan, a checkout, record)",
		    fixed / 1e6, 100 * fixed / m["sw200"]
		printf "  %-58s %8.1f ms  %4.0f%%  (%.2f ms a job)\n",
		    "the other 199 jobs: sh, checkouts renewed, logs, scheduling", rest / 1e6,
		    100 * rest / m["sw200"], rest / (n - 1) / 1e6
		printf "  %-58s %8.1f ms\n", "  (make -j, for the floor of process fan-out)", m["make200"] / 1e6
	}' "$summary"
	if [ -n "$strace_note" ]; then
		echo "  $strace_note"
	else
		echo
		echo "programs started by one 200-job run (strace -f -e trace=execve, successful execs):"
		grep 'execve(.*) = 0$' "$work/strace-exec" |
		    sed 's/^[0-9]* *execve("\([^"]*\)", \[\([^]]*\)\].*/\1 \2/' |
		    awk '{ p = $1; a = ""
			for (i = 3; i <= NF && i <= 6; i++) if ($i !~ /^"--git-dir=/) { a = a " " $i; if (++k == 2) break }
			k = 0; print p a }' | sed 's/[",]//g' | sort | uniq -c | sort -rn | sed 's/^/  /'
		echo "  ($(grep -c 'execve(.*= -1 ENOENT' "$work/strace-exec" || true) failed execs: the PATH search)"
		echo
		echo "the system calls of slipway's main thread in one 200-job run (strace -c -w: wall" \
		    "time inside each call; the checkout threads are not counted; $nproc_seen processes on the machine):"
		sed -n '1,14p' "$work/strace-c" | sed 's/^/  /'
	fi
	echo
	echo "every run, ms:"
	for k in $keys; do
		printf '  %-9s' "$k"
		while read -r _v; do printf ' %8s' "$(fmt_ms "$_v")"; done <"$raw/$k"
		echo
	done
}

echo
{ echo; report; } | tee -a "$RESULTS"
