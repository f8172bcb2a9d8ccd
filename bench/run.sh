#!/bin/sh
# run.sh - slipway release against the old helper script, side by side.
#
#   sh bench/run.sh            (or: make bench)
#
#   BENCH_SIZES  files in each fixture          (default "2000 20000 100000")
#   BENCH_RUNS   runs of each measurement       (default 5)
#   BENCH_DIR    fixtures and scratch copies    (default /tmp/slipway-bench)
#   BENCH_REGEN  set to 1 to regenerate fixtures even when an up-to-date
#                one (same fixture.sh, same git) is already in BENCH_DIR
#   SLIPWAY      the binary to measure          (default ./slipway)
#   BENCH_RECORDS set to 0 to skip the records benchmark that follows
#                (bench/records-run.sh, which also runs alone)
#   BENCH_IMAGES set to 0 to skip the image benchmark that comes last
#                (bench/images-run.sh, which also runs alone; BENCH_IMAGES_RUNS)
#   BENCH_RUNNER set to 0 to skip the slipway run benchmark that follows it
#                (bench/run-jobs.sh, which also runs alone; BENCH_RUNNER_RUNS)
#
# For each size: one fixture (bench/fixture.sh), then BENCH_RUNS rounds. Each
# round copies the fixture's origin.git and clone afresh for every
# measurement (copying is not timed), and times, with `date +%s%N`:
#   slipway    slipway release 1.0.1 --yes --skip-cd-check (the old helper checks no CD)
#   baseline   sh bench/baseline-release.sh 1.0.1 (the old helper's steps)
#   merge-tree git merge-tree --write-tree origin/master origin/staging
#   fetch      git ls-remote origin: slipway's one round trip before the push
#              (its object-only fetch is skipped: the clone has the heads)
#   dry-run    slipway release 1.0.1 --dry-run (ls-remote, fetch, merge,
#              commit and tag objects; no push, no ref moved)
# Peak memory comes from /usr/bin/time -f %M around slipway and the baseline
# (the largest single process of each run's process tree, git children
# included). Every release is checked: exit 0, master == staging on the
# remote, an annotated tag on the merge commit of the old heads, and only
# package.json's version changed from git's own merge. A failed run stops
# the benchmark. The table goes to stdout and to bench/results.txt.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
BENCH_DIR=${BENCH_DIR:-/tmp/slipway-bench}
BENCH_SIZES=${BENCH_SIZES:-2000 20000 100000}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_REGEN=${BENCH_REGEN:-}
SLIPWAY=${SLIPWAY:-$root/slipway}
RESULTS=$here/results.txt
VERSION=1.0.1
TAG=v$VERSION

die() { echo "bench: $*" >&2; exit 1; }

case $BENCH_RUNS in ''|*[!0-9]*|0) die "BENCH_RUNS must be a positive number" ;; esac
for n in $BENCH_SIZES; do
	case $n in ''|*[!0-9]*) die "BENCH_SIZES: '$n' is not a number" ;; esac
done
[ -x "$SLIPWAY" ] || die "no slipway binary at $SLIPWAY; build it with: make slipway"
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "bench: installing the Debian package 'time' for peak memory" >&2
		apt-get install -y -q time >/dev/null || die "apt-get install -y time failed"
	else
		die "/usr/bin/time is missing; install it with: sudo apt-get install -y time"
	fi
fi

# A world of our own: no user or system git config, a fixed identity.
mkdir -p "$BENCH_DIR/home" "$BENCH_DIR/bin" "$BENCH_DIR/fixtures"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
export HOME="$BENCH_DIR/home" LC_ALL=C TZ=UTC GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME='Bench Author' GIT_AUTHOR_EMAIL=author@bench.invalid
export GIT_COMMITTER_NAME='Bench Committer' GIT_COMMITTER_EMAIL=committer@bench.invalid
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME
: >"$HOME/.gitconfig"

# The binary under test, copied so that a rebuild during the run cannot
# swap it halfway.
sw="$BENCH_DIR/bin/slipway"
cp -L "$SLIPWAY" "$sw"
baseline="$here/baseline-release.sh"
sw_rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain -- src Makefile 2>/dev/null)" ]; then
	sw_rev="$sw_rev + uncommitted changes in src/"
fi

. "$here/lib.sh"

# fresh NAME full|linked: a copy of the fixture's remote and clone in
# $work/NAME, its clone pointing at its own remote, its index refreshed (a
# copied working tree has new inodes; a developer's index would be fresh).
# "linked" hard-links the working tree's files (for commands that do not
# write the working tree; .git is always a real copy).
fresh() {
	_d="$work/$1"
	rm -rf "$_d"
	mkdir -p "$_d"
	cp -a "$fx/origin.git" "$_d/origin.git"
	if [ "$2" = linked ]; then
		cp -al "$fx/clone" "$_d/clone"
		rm -rf "$_d/clone/.git"
		cp -a "$fx/clone/.git" "$_d/clone/.git"
	else
		cp -a "$fx/clone" "$_d/clone"
	fi
	git -C "$_d/clone" remote set-url origin "$_d/origin.git"
	git -C "$_d/clone" update-index -q --refresh >/dev/null 2>&1 || true
	# write the copy out now, not during the next measurement
	sync
}

# check_release WHO DIR: the release in DIR went as it should.
check_release() {
	_who=$1 _d=$2
	_o="$_d/origin.git"
	_m=$(git -C "$_o" rev-parse refs/heads/master)
	_s=$(git -C "$_o" rev-parse refs/heads/staging)
	[ "$_m" = "$_s" ] || die "$_who ($n files, run $run): remote master $_m != staging $_s"
	[ "$_m" != "$old_master" ] || die "$_who ($n files, run $run): remote master did not move"
	[ "$(git -C "$_o" cat-file -t "refs/tags/$TAG" 2>/dev/null)" = tag ] ||
		die "$_who ($n files, run $run): no annotated tag $TAG on the remote"
	[ "$(git -C "$_o" rev-parse "refs/tags/$TAG^{commit}")" = "$_m" ] ||
		die "$_who ($n files, run $run): tag $TAG is not on master"
	[ "$(git -C "$_o" rev-parse "$_m^1") $(git -C "$_o" rev-parse "$_m^2")" = \
	    "$old_master $old_staging" ] ||
		die "$_who ($n files, run $run): the release commit's parents are not master, staging"
	git -C "$_o" show "$_m:package.json" | grep -q "^  \"version\": \"$VERSION\",\$" ||
		die "$_who ($n files, run $run): package.json on master is not at $VERSION"
	# against git's own merge of the same heads: package.json's version only
	_diff=$(git -C "$_d/clone" diff --numstat "$merged" "$_m")
	[ "$_diff" = "$(printf '1\t1\tpackage.json')" ] ||
		die "$_who ($n files, run $run): differs from git's merge by more than the version: $_diff"
	if [ "$run" -eq 1 ]; then
		git -C "$_o" fsck --no-progress --strict >/dev/null 2>&1 ||
			die "$_who ($n files, run $run): git fsck of the remote failed"
	fi
}

fmt_ms() { awk -v v="$1" 'BEGIN { if (v == "nan") print "nan"; else printf "%.1f", v / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "nan"; else printf "%.1f", a / b }'; }

raw="$BENCH_DIR/raw"
rm -rf "$raw"
mkdir -p "$raw"
summary="$raw/summary"
: >"$summary"
fixture_notes=

for n in $BENCH_SIZES; do
	fx="$BENCH_DIR/fixtures/$n"
	work="$BENCH_DIR/work/$n"
	stamp="$(cksum <"$here/fixture.sh") $(git --version)"
	if [ -z "$BENCH_REGEN" ] && [ -f "$fx/stamp" ] && [ "$(cat "$fx/stamp")" = "$stamp" ]; then
		echo "== $n files: reusing the fixture in $fx"
		fixture_notes="$fixture_notes $n:reused"
	else
		echo "== $n files: generating the fixture in $fx"
		rm -rf "$fx"
		t0=$(now)
		sh "$here/fixture.sh" "$n" "$fx" || die "fixture.sh $n failed"
		t1=$(now)
		echo "$stamp" >"$fx/stamp"
		gen=$(awk -v v=$((t1 - t0)) 'BEGIN { printf "%.1f", v / 1e9 }')
		echo "   generated in ${gen}s"
		fixture_notes="$fixture_notes $n:${gen}s"
	fi
	old_master=$(git -C "$fx/origin.git" rev-parse refs/heads/master)
	old_staging=$(git -C "$fx/origin.git" rev-parse refs/heads/staging)
	r="$raw/$n"
	mkdir -p "$r"

	run=1
	while [ "$run" -le "$BENCH_RUNS" ]; do
		# merge-tree, then the ls-remote, on one copy
		fresh mt linked
		cd "$work/mt/clone"
		time_ns "$r/mergetree" git merge-tree --write-tree origin/master origin/staging \
		    >"$work/mt.out" 2>&1 ||
			die "git merge-tree failed ($n files, run $run): $(cat "$work/mt.out")"
		merged=$(head -n 1 "$work/mt.out")
		# the remote round trip slipway makes when the heads are already
		# local objects (it then skips the fetch): one ls-remote
		t0=$(now)
		git ls-remote -- origin >/dev/null || die "ls-remote failed ($n files, run $run)"
		t1=$(now)
		echo $((t1 - t0 - timer_ns)) >>"$r/fetch"

		# slipway release --dry-run
		fresh dry linked
		cd "$work/dry/clone"
		time_ns "$r/dryrun" "$sw" release "$VERSION" --dry-run --skip-cd-check >"$work/dry.out" 2>&1 ||
			die "slipway release --dry-run failed ($n files, run $run):
$(cat "$work/dry.out")"
		grep -q '^dry run' "$work/dry.out" || die "slipway --dry-run printed no plan: $(cat "$work/dry.out")"
		[ "$(git -C "$work/dry/origin.git" rev-parse refs/heads/master)" = "$old_master" ] ||
			die "slipway --dry-run moved the remote's master ($n files, run $run)"

		# slipway release
		fresh sw full
		cd "$work/sw/clone"
		time_ns "$r/slipway" /usr/bin/time -f %M -o "$work/sw.rss" \
		    "$sw" release "$VERSION" --yes --skip-cd-check >"$work/sw.out" 2>&1 ||
			die "slipway release failed ($n files, run $run):
$(cat "$work/sw.out")"
		tail -n 1 "$work/sw.rss" >>"$r/rss_slipway"
		git merge-tree --write-tree "$old_master" "$old_staging" >/dev/null
		check_release slipway "$work/sw"

		# the old helper's steps
		fresh base full
		cd "$work/base/clone"
		time_ns "$r/baseline" /usr/bin/time -f %M -o "$work/base.rss" \
		    sh "$baseline" "$VERSION" >"$work/base.out" 2>&1 ||
			die "baseline-release.sh failed ($n files, run $run):
$(cat "$work/base.out")"
		tail -n 1 "$work/base.rss" >>"$r/rss_baseline"
		git merge-tree --write-tree "$old_master" "$old_staging" >/dev/null
		check_release baseline "$work/base"

		cd "$BENCH_DIR"
		printf '   run %d: slipway %s ms, baseline %s ms, merge-tree %s ms, ls-remote %s ms, dry-run %s ms\n' \
		    "$run" "$(fmt_ms "$(tail -n 1 "$r/slipway")")" "$(fmt_ms "$(tail -n 1 "$r/baseline")")" \
		    "$(fmt_ms "$(tail -n 1 "$r/mergetree")")" "$(fmt_ms "$(tail -n 1 "$r/fetch")")" \
		    "$(fmt_ms "$(tail -n 1 "$r/dryrun")")"
		run=$((run + 1))
	done
	rm -rf "$work"
	echo "$n $(median "$r/slipway") $(median "$r/baseline") $(median "$r/mergetree")" \
	    "$(median "$r/fetch") $(median "$r/dryrun") $(median "$r/rss_slipway")" \
	    "$(median "$r/rss_baseline")" >>"$summary"
done

# The report: stdout and bench/results.txt.
report() {
	echo "slipway release benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo "slipway $sw_rev; $(git --version); libgit2 $(pkg-config --modversion libgit2 2>/dev/null || echo '?')"
	echo "$(uname -sr), $(nproc) cpus; fixtures in $BENCH_DIR (page cache warm); $BENCH_RUNS runs each, medians"
	echo "fixtures (~N files, 500 commits on master, staging 20 ahead and master 5 after the fork):$fixture_notes"
	echo "times: median ms of wall clock ($(fmt_ms "$timer_ns") ms of timer overhead subtracted); RSS in MB"
	echo
	awk '
	function ms(v) { return sprintf("%.1f", v / 1e6) }
	function x(a, b) { return b > 0 ? sprintf("%.1fx", a / b) : "nan" }
	BEGIN {
		f = "%7s %8s %9s %8s %8s %7s %7s %7s %9s %8s %8s %7s %8s\n"
		printf f, "files", "release", "baseline", "base/rel", "dry-run", "fetch", "local~",
		    "push~", "mergetree", "dry/mt", "local/mt", "RSS rel", "RSS base"
	}
	{
		local = $6 - $5
		printf f, $1, ms($2), ms($3), x($3, $2), ms($6), ms($5), ms(local), ms($2 - $6),
		    ms($4), x($6, $4), x(local, $4), sprintf("%.1f", $7 / 1024),
		    sprintf("%.1f", $8 / 1024)
	}' "$summary"
	cat <<-\EOF

	release   = slipway release 1.0.1 --yes (ls-remote, fetch, merge, objects, atomic push)
	baseline  = bench/baseline-release.sh 1.0.1 (fetch, checkouts, trial merge, merge, sed,
	            amend, tag, two pushes)
	dry-run   = slipway release 1.0.1 --dry-run (all but the push)
	fetch     = git ls-remote origin, the one round trip slipway makes before the push
	            when the clone already has the remote's heads (then it skips its
	            object-only fetch); the remote is on local disk
	local~    = dry-run - fetch (medians): slipway's own work, an estimate
	push~     = release - dry-run (medians): the atomic push and local ref updates
	mergetree = git merge-tree --write-tree origin/master origin/staging, one process
	RSS       = peak resident set of the largest single process (slipway or a git child)
	EOF
	echo
	echo "targets (issue 2):"
	awk -v sizes="$BENCH_SIZES" '
	{ n[NR] = $1; sw[NR] = $2; base[NR] = $3; mt[NR] = $4; fe[NR] = $5; dry[NR] = $6; row[$1] = NR }
	END {
		if (20000 in row) {
			i = row[20000]
			r = base[i] / sw[i]
			printf "  release >= 10x faster than the baseline at 20000 files: %.1fx -> %s\n",
			    r, (r >= 10 ? "MET" : "NOT MET")
			d = dry[i] / mt[i]; l = (dry[i] - fe[i]) / mt[i]
			printf "  local work within 5x of merge-tree at 20000 files: dry-run/merge-tree %.1fx, " \
			    "(dry-run - fetch)/merge-tree %.1fx -> %s\n", d, l,
			    (d <= 5 ? "MET" : (l <= 5 ? "MET only on the estimate" : "NOT MET"))
		} else {
			print "  the 10x and 5x targets are set at 20000 files, which this run did not measure"
		}
		if (NR >= 2) {
			printf "  nearly flat from %d to %d files (taken as <= 1.5x): release %.2fx, " \
			    "dry-run %.2fx -> %s (baseline %.2fx, merge-tree %.2fx)\n",
			    n[1], n[NR], sw[NR] / sw[1], dry[NR] / dry[1],
			    (sw[NR] / sw[1] <= 1.5 && dry[NR] / dry[1] <= 1.5) ? "MET" : "NOT MET",
			    base[NR] / base[1], mt[NR] / mt[1]
		}
	}' "$summary"
	echo
	echo "every run, ms (slipway / baseline / merge-tree / fetch / dry-run), peak RSS KB (slipway / baseline):"
	for n in $BENCH_SIZES; do
		r="$raw/$n"
		for k in slipway baseline mergetree fetch dryrun; do
			printf '  %6s %-9s' "$n" "$k"
			while read -r v; do printf ' %8s' "$(fmt_ms "$v")"; done <"$r/$k"
			echo
		done
		for k in rss_slipway rss_baseline; do
			printf '  %6s %-12s' "$n" "$k"
			while read -r v; do printf ' %s' "$v"; done <"$r/$k"
			echo
		done
	done
}

echo
report | tee "$RESULTS"

# Then the workflow records (issue 3), appended to the same file; alone:
# sh bench/records-run.sh
if [ "${BENCH_RECORDS:-1}" != 0 ]; then
	SLIPWAY="$SLIPWAY" BENCH_DIR="$BENCH_DIR" BENCH_REGEN="$BENCH_REGEN" sh "$here/records-run.sh"
fi

# Then slipway image push/promote against skopeo (issue 5), appended too;
# alone: sh bench/images-run.sh
if [ "${BENCH_IMAGES:-1}" != 0 ]; then
	SLIPWAY="$SLIPWAY" BENCH_DIR="$BENCH_DIR" BENCH_REGEN="$BENCH_REGEN" sh "$here/images-run.sh"
fi

# Then slipway run: 200 jobs against make -j, checkouts, cached re-runs
# (issue 4), appended too; alone: sh bench/run-jobs.sh
if [ "${BENCH_RUNNER:-1}" != 0 ]; then
	SLIPWAY="$SLIPWAY" BENCH_DIR="$BENCH_DIR" sh "$here/run-jobs.sh"
fi
