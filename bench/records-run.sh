#!/bin/sh
# records-run.sh - slipway's record readers (queue, gate, status) and its
# pre-receive hook on a repository full of workflow records (issue 3).
#
#   sh bench/records-run.sh        (make bench runs it after bench/run.sh)
#
#   RECORDS_BRANCHES  branches in the fixture      (default 5000: 10,000
#                     review requests, 100,000 pipeline results)
#   RECORDS_RUNS      runs of each measurement     (default 7)
#   BENCH_DIR         fixtures and scratch copies  (default /tmp/slipway-bench)
#   BENCH_REGEN       set to 1 to regenerate the fixture even when an
#                     up-to-date one is already in BENCH_DIR
#   SLIPWAY           the binary to measure        (default ./slipway)
#   RECORDS_RESULTS   where the report is appended (default bench/results.txt)
#
# The fixture (bench/records-fixture.sh) comes twice: refs packed, as a
# server has them after gc, and every ref a loose file. For each, a copy of
# the developer clone (user dev01@example.com) and two copies of the bare
# remote: one with `slipway hook install`, one whose pre-receive hook is
# `cat >/dev/null` (the floor); pushes come from a bare clone of the
# branches only (the fixture's pusher.git; see "synced" below for why).
# Then RECORDS_RUNS rounds, each timing with
# `date +%s%N` (its own cost subtracted):
#   queue         slipway queue                    vs git for-each-ref refs/slipway/review/
#   queue_cold    the same without slipway's caches (GIT_DIR/slipway/ emptied
#                 but for last-sync first)
#   gate          slipway gate BRANCH (an open, approved request; passes)
#   status        slipway status                   vs git ls-remote --heads --tags origin
#                 (the one round trip status makes; the remote is on local disk)
#   status_cold   the same without slipway's caches
#   startup       slipway status -h (process start, no repository opened)
#   push-feature  git push of a new commit to a feature branch, into the
#                 hooked remote                    vs the same into the floor remote
#   push-merge    git push of a gated merge to staging ("Merge branch 'B' into
#                 staging", git merge-tree's tree, the branch passes the
#                 gate), hooked                    vs floor
#   push-synced   once (packed refs only): the feature push from the
#                 developer's clone, which has all the records, hooked vs floor
#   hook-merge    the hook's decision alone: "OLD NEW refs/heads/staging" piped
#                 into `slipway hook pre-receive` in the hooked remote (GIT_DIR)
#                 (hook_merge_cold: without slipway's caches in the remote)
#   hook-feature  the same for the feature branch update
# Each push is undone (update-ref back) before the next; every run makes new
# commits (new dates), so every push carries new objects. One untimed
# warm-up of everything comes first. Peak memory: /usr/bin/time -f %M in
# separate, untimed runs (the largest single process: slipway, or a git
# child of status). Every answer is checked (exit codes, the queue's
# counts, the gate's verdict, the pushes landed, a refused merge refused);
# a failed check stops the benchmark. The report goes to stdout and is
# appended to bench/results.txt.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
BENCH_DIR=${BENCH_DIR:-/tmp/slipway-bench}
RECORDS_BRANCHES=${RECORDS_BRANCHES:-5000}
RECORDS_RUNS=${RECORDS_RUNS:-7}
BENCH_REGEN=${BENCH_REGEN:-}
SLIPWAY=${SLIPWAY:-$root/slipway}
RESULTS=${RECORDS_RESULTS:-$here/results.txt}

die() { echo "bench: $*" >&2; exit 1; }

case $RECORDS_RUNS in ''|*[!0-9]*|0) die "RECORDS_RUNS must be a positive number" ;; esac
case $RECORDS_BRANCHES in ''|*[!0-9]*) die "RECORDS_BRANCHES must be a number" ;; esac
[ -x "$SLIPWAY" ] || die "no slipway binary at $SLIPWAY; build it with: make slipway"
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "bench: installing the Debian package 'time' for peak memory" >&2
		apt-get install -y -q time >/dev/null || die "apt-get install -y time failed"
	else
		die "/usr/bin/time is missing; install it with: sudo apt-get install -y time"
	fi
fi

# A world of our own: no user or system git config. No GIT_AUTHOR_* or
# GIT_COMMITTER_* either: slipway must see the clone's user.email (the
# queue splits "waiting for you" from "yours" by it).
mkdir -p "$BENCH_DIR/home" "$BENCH_DIR/bin" "$BENCH_DIR/records"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
export HOME="$BENCH_DIR/home" LC_ALL=C TZ=UTC GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE
unset GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE
: >"$HOME/.gitconfig"

# the binary under test, copied (the hook installed names this copy)
sw="$BENCH_DIR/bin/slipway-records"
cp -L "$SLIPWAY" "$sw.new"
mv "$sw.new" "$sw"
sw_rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain -- src Makefile 2>/dev/null)" ]; then
	sw_rev="$sw_rev + uncommitted changes in src/"
fi

. "$here/lib.sh"
load_start=$(cut -d ' ' -f 1-3 /proc/loadavg)

# rss OUT CMD...: runs CMD under /usr/bin/time, appends its peak RSS (KB).
rss() {
	_out=$1; shift
	_rc=0
	/usr/bin/time -f %M -o "$work/rss.tmp" "$@" || _rc=$?
	tail -n 1 "$work/rss.tmp" >>"$_out"
	return $_rc
}

fmt_ms() { awk -v v="$1" 'BEGIN { if (v == "nan") print "nan"; else printf "%.1f", v / 1e6 }'; }

# The fixture, made once and kept while records-fixture.sh and git stay the same.
fx="$BENCH_DIR/records/$RECORDS_BRANCHES"
stamp="$(cksum <"$here/records-fixture.sh") $(git --version)"
if [ -z "$BENCH_REGEN" ] && [ -f "$fx/stamp" ] && [ "$(cat "$fx/stamp")" = "$stamp" ]; then
	fixture_note=reused
else
	echo "bench: making the records fixture ($RECORDS_BRANCHES branches; a few minutes)" >&2
	rm -rf "$fx"
	_t0=$(now)
	sh "$here/records-fixture.sh" "$RECORDS_BRANCHES" "$fx" >&2 || die "records-fixture.sh failed"
	_t1=$(now)
	echo "$stamp" >"$fx/stamp"
	fixture_note="made in $(( (_t1 - _t0) / 1000000000 )) s"
fi
. "$fx/expect"

work="$BENCH_DIR/records-work"
raw="$BENCH_DIR/records-raw"
rm -rf "$work" "$raw"
mkdir -p "$work" "$raw"

# copy_git SRC DST: a copy of a git directory whose objects and loose refs
# are hard links (git never writes those in place: it writes new files and
# renames them), the rest real copies.
copy_git() {
	mkdir -p "$2"
	(cd "$1" && tar cf - --exclude=./objects --exclude=./refs .) | (cd "$2" && tar xf -)
	cp -al "$1/objects" "$2/objects"
	cp -al "$1/refs" "$2/refs"
}

# uncache GIT_DIR: removes slipway's caches (all of GIT_DIR/slipway/ but
# last-sync, the time of the last sync).
uncache() {
	[ -d "$1/slipway" ] || return 0
	find "$1/slipway" -type f ! -name last-sync -exec rm -f {} +
}

# check WHAT COND...: stops the benchmark unless COND holds.
check() {
	_what=$1; shift
	"$@" || die "$variant run $run: $_what"
}

ident() {
	env GIT_AUTHOR_NAME='Dev 01' GIT_AUTHOR_EMAIL=dev01@example.com \
	    GIT_COMMITTER_NAME='Dev 01' GIT_COMMITTER_EMAIL=dev01@example.com \
	    GIT_AUTHOR_DATE="@$date +0000" GIT_COMMITTER_DATE="@$date +0000" "$@"
}

# new_commits: a new commit on the push branch (Cf) and a new gated merge of
# the pass branch into staging (M), both in the pusher. Dated after every
# commit of the fixture, as new work is (an older date makes both git's
# revision walks, the client's and the remote's connectivity check, go
# through all history newer than it: seconds here).
new_commits() {
	date=$((1800000000 + run * 60 + vno))
	Cf=$(ident git -C "$pusher" commit-tree -p "$push_tip" -m "bench: $variant run $run" "$push_tip^{tree}")
	M=$(ident git -C "$pusher" commit-tree -p "$S" -p "$F" \
	    -m "Merge branch '$pass_branch' into staging ($variant run $run)" "$mtree")
}

push() {	# push REPO COMMIT REF: a push from the pusher
	git -C "$pusher" push -q "$1" "$2:$3" >"$work/push.out" 2>&1
}

hook_direct() {	# hook_direct OLD NEW REF: the hook's decision alone
	printf '%s %s %s\n' "$1" "$2" "$3" | (cd "$hook" && GIT_DIR=. $hook_wrap "$sw" hook pre-receive) \
	    >"$work/hook.out" 2>&1
}

# rss_hook KEY OLD NEW REF: hook_direct's peak memory
rss_hook() {
	_k=$1; shift
	_rc=0
	hook_wrap="/usr/bin/time -f %M -o $work/rss.tmp" hook_direct "$@" || _rc=$?
	tail -n 1 "$work/rss.tmp" >>"$r/rss_$_k"
	return $_rc
}
hook_wrap=

# one_round: every measurement once; with $1 = rss, peak memory instead of time.
one_round() {
	_m=$1
	r="$raw/$variant"
	cd "$clone"
	if [ "$_m" = time ]; then T() { _k=$1; shift; time_ns "$r/$_k" "$@"; }
	else T() { _k=$1; shift; rss "$r/rss_$_k" "$@"; }; fi

	if [ "$_m" = time ]; then
		# without slipway's caches (everything in GIT_DIR/slipway/ but
		# last-sync): the first queue and status after a clone; the runs
		# after these find them again
		uncache "$clone/.git"
		_rc=0; T queue_cold "$sw" queue >"$work/queue.out" 2>&1 || _rc=$?
		check "slipway queue (no cache) failed ($_rc): $(tail -n 3 "$work/queue.out")" [ $_rc -eq 0 ]
		uncache "$clone/.git"
		_rc=0; T status_cold "$sw" status >"$work/status.out" 2>&1 || _rc=$?
		check "slipway status (no cache) failed ($_rc): $(tail -n 3 "$work/status.out")" [ $_rc -eq 0 ]
		# each may leave a part of the caches to the other: both again,
		# untimed, so that the timed runs below find them warm
		"$sw" queue >/dev/null 2>&1 || true
		"$sw" status >/dev/null 2>&1 || true
	fi
	_rc=0; T queue "$sw" queue >"$work/queue.out" 2>&1 || _rc=$?
	check "slipway queue failed ($_rc): $(tail -n 3 "$work/queue.out")" [ $_rc -eq 0 ]
	# (the queue and status agree: others' requests not yet voted on by
	# me at their head wait for me; the ones I reviewed are listed apart)
	check "queue: not 'waiting for you ($waiting_for_me):'" \
	    grep -q "^waiting for you ($waiting_for_me):\$" "$work/queue.out"
	check "queue: not 'yours ($mine_open):'" grep -q "^yours ($mine_open):\$" "$work/queue.out"
	check "queue: warnings" [ -z "$(grep '^warning' "$work/queue.out")" ]

	_rc=0; T gate "$sw" gate "$pass_branch" >"$work/gate.out" 2>&1 || _rc=$?
	check "slipway gate $pass_branch: exit $_rc, not a pass: $(cat "$work/gate.out")" [ $_rc -eq 0 ]
	check "gate: no 'verdict: pass'" grep -q '^verdict: pass$' "$work/gate.out"

	_rc=0; T status "$sw" status >"$work/status.out" 2>&1 || _rc=$?
	check "slipway status failed ($_rc): $(cat "$work/status.out")" [ $_rc -eq 0 ]
	check "status: not merging cleanly: $(cat "$work/status.out")" grep -q '^release   merges cleanly' "$work/status.out"
	check "status: waiting count" grep -q "^$waiting_for_me reviews wait for you" "$work/status.out"

	if [ "$_m" = time ]; then
		T startup "$sw" status -h >/dev/null
		T fer git for-each-ref refs/slipway/review/ >/dev/null
		T lsremote git ls-remote --heads --tags origin >/dev/null
	fi

	new_commits
	if [ "$_m" = time ]; then
		for _where in hook floor; do
			eval "_repo=\$$_where"
			_rc=0; T "push_feature_$_where" push "$_repo" "$Cf" "refs/heads/$push_branch" || _rc=$?
			check "push of $push_branch into $_where failed: $(cat "$work/push.out")" [ $_rc -eq 0 ]
			check "push into $_where did not land" [ "$(git -C "$_repo" rev-parse "refs/heads/$push_branch")" = "$Cf" ]
			git -C "$_repo" update-ref "refs/heads/$push_branch" "$push_tip" "$Cf"
			_rc=0; T "push_merge_$_where" push "$_repo" "$M" refs/heads/staging || _rc=$?
			check "gated merge into $_where refused: $(cat "$work/push.out")" [ $_rc -eq 0 ]
			check "merge into $_where did not land" [ "$(git -C "$_repo" rev-parse refs/heads/staging)" = "$M" ]
			git -C "$_repo" update-ref refs/heads/staging "$S" "$M"
		done
	else
		# the objects the direct runs read
		push "$hook" "$M" refs/heads/staging
		git -C "$hook" update-ref refs/heads/staging "$S" "$M"
		push "$hook" "$Cf" "refs/heads/$push_branch"
		git -C "$hook" update-ref "refs/heads/$push_branch" "$push_tip" "$Cf"
	fi
	if [ "$_m" = time ]; then H() { T "$@"; }; else H() { _k=$1; shift; shift; rss_hook "$_k" "$@"; }; fi
	if [ "$_m" = time ]; then
		uncache "$hook"
		_rc=0; T hook_merge_cold hook_direct "$S" "$M" refs/heads/staging || _rc=$?
		check "hook (no cache) refused the gated merge ($_rc): $(cat "$work/hook.out")" [ $_rc -eq 0 ]
	fi
	_rc=0; H hook_merge hook_direct "$S" "$M" refs/heads/staging || _rc=$?
	check "hook refused the gated merge ($_rc): $(cat "$work/hook.out")" [ $_rc -eq 0 ]
	_rc=0; H hook_feature hook_direct "$push_tip" "$Cf" "refs/heads/$push_branch" || _rc=$?
	check "hook refused the feature push ($_rc): $(cat "$work/hook.out")" [ $_rc -eq 0 ]
	cd "$BENCH_DIR"
}

variants="packed loose"
vno=0
for variant in $variants; do
	vno=$((vno + 1))
	if [ $variant = packed ]; then src="$fx"; else src="$fx/loose"; fi
	d="$work/$variant"
	mkdir -p "$d" "$raw/$variant"
	echo "bench: $variant refs: copying the fixture" >&2
	copy_git "$src/origin.git" "$d/hook.git"
	copy_git "$src/origin.git" "$d/floor.git"
	mkdir -p "$d/clone"
	(cd "$src/clone" && tar cf - --exclude=./.git .) | (cd "$d/clone" && tar xf -)
	copy_git "$src/clone/.git" "$d/clone/.git"
	copy_git "$fx/pusher.git" "$d/pusher.git"
	hook="$d/hook.git" floor="$d/floor.git" clone="$d/clone" pusher="$d/pusher.git"
	git -C "$clone" remote set-url origin "$d/hook.git"
	git -C "$clone" update-index -q --refresh >/dev/null 2>&1 || true
	(cd "$hook" && "$sw" hook install >/dev/null) || die "slipway hook install failed"
	printf '#!/bin/sh\ncat >/dev/null\n' >"$floor/hooks/pre-receive"
	chmod +x "$floor/hooks/pre-receive"
	sync

	S=$(git -C "$pusher" rev-parse refs/heads/staging)
	F=$(git -C "$pusher" rev-parse "refs/heads/$pass_branch")
	push_tip=$(git -C "$pusher" rev-parse "refs/heads/$push_branch")
	[ "$S $F" = "$(git -C "$clone" rev-parse refs/remotes/origin/staging "refs/remotes/origin/$pass_branch" | tr '\n' ' ' | sed 's/ $//')" ] ||
		die "$variant: the pusher and the clone disagree on staging or $pass_branch"
	mtree=$(git -C "$pusher" merge-tree --write-tree "$S" "$F") ||
		die "git merge-tree of $pass_branch into staging failed"

	# a merge the gate refuses (no fresh approval, cd failed): the hook says no
	run=0
	refuse_tip=$(git -C "$pusher" rev-parse "refs/heads/$refuse_branch")
	date=1799999000
	R=$(ident git -C "$pusher" commit-tree -p "$S" -p "$refuse_tip" \
	    -m "Merge branch '$refuse_branch' into staging" \
	    "$(git -C "$pusher" merge-tree --write-tree "$S" "$refuse_tip")")
	if push "$hook" "$R" refs/heads/staging; then
		die "$variant: the hook let an unapproved merge of $refuse_branch into staging"
	fi
	grep -q "slipway: refused: refs/heads/staging: '$refuse_branch'" "$work/push.out" ||
		die "$variant: the refused push did not say why: $(cat "$work/push.out")"
	[ "$(git -C "$hook" rev-parse refs/heads/staging)" = "$S" ] || die "$variant: staging moved"

	echo "bench: $variant refs: warm-up" >&2
	run=0
	one_round time
	rm -rf "$raw/$variant"
	mkdir -p "$raw/$variant"
	if [ $variant = packed ]; then
		# once: the same feature push from the developer's clone, which
		# holds every record (the remote's refs it has are all offered as
		# common ground), into the hooked remote and the floor
		echo "bench: $variant refs: one push from the synced clone into each remote (slow)" >&2
		date=1799999500
		Cs=$(ident git -C "$clone" commit-tree -p "$push_tip" -m "bench: from the clone" "$push_tip^{tree}")
		for _where in hook floor; do
			eval "_repo=\$$_where"
			time_ns "$raw/$variant/push_synced_$_where" \
			    git -C "$clone" push -q "$_repo" "$Cs:refs/heads/$push_branch" >"$work/push.out" 2>&1 ||
				die "push from the clone into $_where failed: $(cat "$work/push.out")"
			[ "$(git -C "$_repo" rev-parse "refs/heads/$push_branch")" = "$Cs" ] ||
				die "push from the clone into $_where did not land"
			git -C "$_repo" update-ref "refs/heads/$push_branch" "$push_tip" "$Cs"
		done
	fi
	run=1
	while [ $run -le "$RECORDS_RUNS" ]; do
		one_round time
		r="$raw/$variant"
		printf '   %s run %d: queue %s, gate %s, status %s, push merge %s (floor %s), hook merge %s ms\n' \
		    "$variant" "$run" "$(fmt_ms "$(tail -n 1 "$r/queue")")" "$(fmt_ms "$(tail -n 1 "$r/gate")")" \
		    "$(fmt_ms "$(tail -n 1 "$r/status")")" "$(fmt_ms "$(tail -n 1 "$r/push_merge_hook")")" \
		    "$(fmt_ms "$(tail -n 1 "$r/push_merge_floor")")" "$(fmt_ms "$(tail -n 1 "$r/hook_merge")")" >&2
		run=$((run + 1))
	done 2>&1
	run=1
	while [ $run -le 3 ]; do
		one_round rss
		run=$((run + 1))
	done
done

# The summary: one line per variant and measure: median ns, median RSS KB.
keys="queue queue_cold fer gate status status_cold lsremote startup push_feature_hook
    push_feature_floor push_merge_hook push_merge_floor hook_merge hook_merge_cold
    hook_feature push_synced_hook push_synced_floor"
summary="$raw/summary"
: >"$summary"
for variant in $variants; do
	r="$raw/$variant"
	for k in $keys; do
		_rss=nan _t=nan
		[ -f "$r/rss_$k" ] && _rss=$(median "$r/rss_$k")
		[ -f "$r/$k" ] && _t=$(median "$r/$k")
		echo "$variant $k $_t $_rss" >>"$summary"
	done
done

report() {
	echo "slipway records benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo "slipway $sw_rev; $(git --version); libgit2 $(pkg-config --modversion libgit2 2>/dev/null || echo '?')"
	echo "$(uname -sr), $(nproc) cpus; fixture in $fx ($fixture_note; page cache warm); $RECORDS_RUNS runs each, medians"
	echo "fixture: $branches branches of 10 commits, $requests review requests in $review_chains chains ($open open:" \
	    "$open_needs_review needs review, $open_approved approved, $open_stale stale, $open_rejected rejected; 20 authors)," \
	    "$results pipeline results in $pipeline_chains chains (commit: and tree:), $commits commits, $refs refs on the remote"
	echo "as dev01@example.com: $waiting_for_me requests wait for me, $mine_open are mine; gate/hook branch $pass_branch"
	echo "load average (1, 5, 15 min) at the start $load_start, at the end $(cut -d ' ' -f 1-3 /proc/loadavg)"
	echo "times: median ms of wall clock ($(fmt_ms "$timer_ns") ms of timer overhead subtracted); RSS: median peak MB of 3 runs"
	echo
	awk -v variants="$variants" '
	function ms(v) { return v == "nan" ? "-" : sprintf("%.1f", v / 1e6) }
	function mb(v) { return v == "nan" ? "-" : sprintf("%.1f", v / 1024) }
	function x(a, b) { return a != "nan" && b != "nan" && b > 0 ? sprintf("%.1fx", a / b) : "-" }
	{ t[$1, $2] = $3; m[$1, $2] = $4 }
	function row(label, k, base, target,   i, s) {
		s = sprintf("%-34s", label)
		for (i = 1; i <= nv; i++)
			s = s sprintf(" %8s %7s %6s", ms(t[v[i], k]), base == "" ? "" : x(t[v[i], k], t[v[i], base]), mb(m[v[i], k]))
		print s (target == "" ? "" : "   " target)
	}
	function drow(label, a, b,   i, s) {
		s = sprintf("%-34s", label)
		for (i = 1; i <= nv; i++)
			s = s sprintf(" %8s %7s %6s", t[v[i], a] == "nan" || t[v[i], b] == "nan" ? "-" : ms(t[v[i], a] - t[v[i], b]), "", "")
		print s
	}
	END {
		nv = split(variants, v, " ")
		s = sprintf("%-34s", "")
		for (i = 1; i <= nv; i++) s = s sprintf(" %-23s", "---- " v[i] " refs ----")
		print s
		s = sprintf("%-34s", "measure")
		for (i = 1; i <= nv; i++) s = s sprintf(" %8s %7s %6s", "ms", "ratio", "RSS")
		print s "   target"
		row("queue", "queue", "fer", "< 50 ms, < 20 MB; ratio to for-each-ref")
		row("  git for-each-ref refs/slipway/review/", "fer", "", "")
		row("  queue, no caches", "queue_cold", "fer", "")
		row("gate " pass_branch, "gate", "startup", "< 50 ms, < 20 MB; ratio to start-up")
		row("status", "status", "lsremote", "< 50 ms, < 20 MB; ratio to ls-remote")
		row("  git ls-remote --heads --tags origin", "lsremote", "", "")
		drow("  status - ls-remote (local work~)", "status", "lsremote")
		row("  status, no caches", "status_cold", "lsremote", "")
		row("push feature, slipway hook", "push_feature_hook", "push_feature_floor", "ratio to the floor")
		row("  push feature, floor hook", "push_feature_floor", "", "")
		drow("  hook - floor", "push_feature_hook", "push_feature_floor")
		row("push gated merge, slipway hook", "push_merge_hook", "push_merge_floor", "ratio to the floor")
		row("  push gated merge, floor hook", "push_merge_floor", "", "")
		drow("  hook - floor", "push_merge_hook", "push_merge_floor")
		row("push feature from synced clone", "push_synced_hook", "push_synced_floor", "one run; ratio to the floor")
		row("  the same, floor hook", "push_synced_floor", "", "")
		drow("  hook - floor", "push_synced_hook", "push_synced_floor")
		row("hook decision, merge (direct)", "hook_merge", "startup", "< 10 ms per ref, < 20 MB")
		row("  the same, no caches", "hook_merge_cold", "startup", "")
		row("hook decision, feature (direct)", "hook_feature", "startup", "< 10 ms per ref, < 20 MB")
		row("start-up (slipway status -h)", "startup", "", "")
	}' pass_branch="$pass_branch" "$summary"
	cat <<-\EOF

	queue     = slipway queue in the clone: the open requests and, for each, the gate
	no caches = slipway's caches removed first (GIT_DIR/slipway/ but last-sync): every
	            chain read, as on the first run after a clone; other rows: warm
	gate      = slipway gate BRANCH: ci, cd, review and cdfix facts of one branch
	status    = slipway status: waiting-review count (all chains), ls-remote, merge check,
	            versions, cd results of both heads
	push      = git push of one ref into a bare remote on local disk (it advertises all
	            its refs), from a bare clone of the branches only; floor hook = `cat
	            >/dev/null`; "from the synced clone" = from the developer's clone that
	            has every record (one run each)
	hook decision = `slipway hook pre-receive` alone, one "OLD NEW REF" line on stdin, in
	            the hooked remote (the merge: git merge-tree, then the gate)
	ratio     = this row's median over the named baseline's median, same variant, same run
	RSS       = peak resident set of the largest single process (slipway or a git child)
	EOF
	echo
	echo "targets (issue 3), for each variant:"
	awk -v variants="$variants" '
	{ t[$1, $2] = $3; m[$1, $2] = $4 }
	function verdict(ok) { return ok ? "MET" : "NOT MET" }
	function line(what, k, lim,   i, s) {
		s = ""
		for (i = 1; i <= nv; i++)
			s = s sprintf("%s%s %.1f ms %s", i > 1 ? ", " : "", v[i], t[v[i], k] / 1e6,
			    verdict(t[v[i], k] / 1e6 < lim))
		printf "  %s under %d ms: %s\n", what, lim, s
	}
	END {
		nv = split(variants, v, " ")
		line("slipway queue", "queue", 50)
		line("slipway gate", "gate", 50)
		line("slipway status", "status", 50)
		for (i = 1; i <= nv; i++) {
			a = (t[v[i], "push_merge_hook"] - t[v[i], "push_merge_floor"]) / 1e6
			b = (t[v[i], "push_feature_hook"] - t[v[i], "push_feature_floor"]) / 1e6
			printf "  hook decision under 10 ms per pushed ref, %s: merge %.1f ms %s (push over the floor %.1f), " \
			    "feature %.1f ms %s (push over the floor %.1f)\n", v[i],
			    t[v[i], "hook_merge"] / 1e6, verdict(t[v[i], "hook_merge"] / 1e6 < 10), a,
			    t[v[i], "hook_feature"] / 1e6, verdict(t[v[i], "hook_feature"] / 1e6 < 10), b
		}
		for (i = 1; i <= nv; i++) {
			worst = 0; wk = ""
			for (k in m) {
				split(k, kk, SUBSEP)
				if (kk[1] == v[i] && m[k] != "nan" && m[k] + 0 > worst) { worst = m[k] + 0; wk = kk[2] }
			}
			printf "  peak memory under 20 MB, %s: largest %.1f MB (%s) %s\n", v[i], worst / 1024, wk,
			    verdict(worst < 20 * 1024)
		}
	}' "$summary"
	echo
	echo "every run, ms; peak RSS KB:"
	for variant in $variants; do
		r="$raw/$variant"
		for k in $keys; do
			[ -f "$r/$k" ] || continue
			printf '  %-6s %-18s' "$variant" "$k"
			while read -r _v; do printf ' %7s' "$(fmt_ms "$_v")"; done <"$r/$k"
			echo
		done
		for k in queue gate status hook_merge hook_feature; do
			printf '  %-6s %-18s' "$variant" "rss_$k"
			while read -r _v; do printf ' %s' "$_v"; done <"$r/rss_$k"
			echo
		done
	done
}

echo
{ echo; report; } | tee -a "$RESULTS"
