#!/bin/sh
# records-fixture.sh - a generated repository full of workflow records, for
# the records benchmark (bench/records-run.sh).
#
#   sh bench/records-fixture.sh N_BRANCHES OUTDIR
#
# With N_BRANCHES = 5000 (the issue 3 target):
#   code     master and staging; 5000 branches feature/0 .. feature/4999 of
#            10 commits each (50,000 commits, each with a tree of its own),
#            in two rounds of 5: each round forks from staging as it is 5
#            hours before its review request (round two: the branch rebased
#            onto staging); every merged request is a no-ff merge on staging
#            ("Merge branch 'feature/N' into staging", as git merge writes
#            it), in time order; master is the staging commit 3% of the
#            merges back; a 500-file base tree with package.json, README.md
#            and slipway.conf.
#   reviews  one chain per branch (refs/slipway/review/<sha1 of
#            "branch:NAME">), two requests per branch over time: 10,000
#            requests by 20 authors (dev01..dev20@example.com); each round
#            is merged, closed or (round two only, ~6%) still open: needs
#            review, approved, stale approval (approved one commit back) or
#            changes requested. Some approvals follow a rejection.
#   pipeline one ci and one cd result on each branch commit (100,000 results,
#            mostly passing) plus ci and cd on the staging and master heads;
#            each result goes to two chains, "commit:ID" and "tree:ID", as
#            `slipway record` writes it (200,008 record commits).
# Records are byte for byte what slipway writes: record.json as jansson
# dumps it (sorted keys, 2-space indent, trailing newline) alone in the
# commit's tree, message "<summary>\n\nsubject: <SUBJECT>\n", the previous
# record as parent, author and committer the person (or CI) at the
# record's time.
#
# Made with `git fast-import` in two passes: the code first, then (with
# the commit and tree ids it got, and the chains' ref names hashed by a
# third fast-import of the subjects as blobs, so git itself computes them)
# the records. Output:
#   OUTDIR/origin.git   bare, refs packed (git pack-refs --all), one pack
#                       (git repack -adq): a server after gc
#   OUTDIR/clone        a developer's clone: remote 'origin' = origin.git,
#                       the records fetched, staging checked out, user.email
#                       dev01@example.com, refs packed, one pack
#   OUTDIR/pusher.git   a bare clone of the branches only: where the
#                       benchmark pushes from
#   OUTDIR/loose/...    origin.git and clone with every ref a loose file
#   OUTDIR/expect       what the benchmark checks (branches, counts)
# Identity and dates are fixed: the same N on the same git gives the same
# repository.

set -eu

usage() { echo "usage: sh bench/records-fixture.sh N_BRANCHES OUTDIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
nb=$1 out=$2
case $nb in ''|*[!0-9]*) usage ;; esac
[ "$nb" -ge 100 ] || { echo "records-fixture.sh: N_BRANCHES must be at least 100" >&2; exit 2; }
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
	echo "records-fixture.sh: $out exists and is not empty" >&2
	exit 2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

export LC_ALL=C TZ=UTC GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME='Bench Author' GIT_AUTHOR_EMAIL=author@bench.invalid
export GIT_COMMITTER_NAME='Bench Committer' GIT_COMMITTER_EMAIL=committer@bench.invalid

tmp="$out/tmp"
mkdir -p "$tmp"
o="$out/origin.git"
git init -q --bare -b master "$o"

# 2026-09-01T00:00:00Z: requests run from then to late November
t0=1788220800

# Pass 1: the code, and the plan of every record (marks for commits).
#   plan:   P <mark> <pipeline> <status> <time>          (one result)
#           R <branch#> <type> <head mark> <merge mark> <author#> <time> <message>
#   expect: key=value lines
awk -v nb="$nb" -v t0="$t0" -v plan="$tmp/plan" -v expect="$out/expect" '
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function inline(p, s) { printf "M 100644 inline %s\ndata %d\n%s\n", p, length(s), s }
function commit(ref, mark, who, t, msg) {
	msg = msg "\n"
	printf "commit %s\nmark :%d\n", ref, mark
	printf "author %s %d +0000\ncommitter %s %d +0000\n", who, t, who, t
	printf "data %d\n%s\n", length(msg), msg
}
function act(t, what,   m) {	# what happens at time t, by the minute
	m = int((t - t0) / 60)
	acts[m] = acts[m] " " what
	if (m > maxmin) maxmin = m
}
function person(a) { return sprintf("Dev %02d <dev%02d@example.com>", a + 1, a + 1) }
function feature(b, k) { return sprintf("feature %d, revision %d\nexport const f%d = %d;\n", b, k, b, k) }
function cmark(b, k) { return 2 + b * 10 + (k - 1) }
function P(mark, pipeline, status, t) { printf "P\t%d\t%s\t%s\t%d\n", mark, pipeline, status, t > plan }
function R(b, type, head, merge, a, t, msg) {
	printf "R\t%d\t%s\t%d\t%d\t%d\t%d\t%s\n", b, type, head, merge, a, t, msg > plan
}
BEGIN {
	seed = 20261127
	nauthors = 20
	day = 86400
	# outcomes: round 1 merged (92%) or closed; round 2 merged (85%),
	# closed (9%) or open (6%): 1 needs review, 2 approved, 3 stale, 4 rejected
	pass_b = int(nb / 2) + 1
	if (pass_b % nauthors == 0) pass_b++
	refuse_b = pass_b + 1
	if (refuse_b % nauthors == 0) refuse_b++
	push_b = refuse_b + 1
	m1 = 0
	for (b = 0; b < nb; b++) {
		o1[b] = rnd() < 0.92 ? "merged" : "closed"
		x = rnd()
		o2[b] = x < 0.85 ? "merged" : x < 0.94 ? "closed" : "open"
		x = rnd()
		sub2[b] = x < 0.35 ? 1 : x < 0.65 ? 2 : x < 0.85 ? 3 : 4
		if (b == pass_b) { o2[b] = "open"; sub2[b] = 2 }
		if (b == refuse_b) { o2[b] = "open"; sub2[b] = 1 }
		if (o1[b] == "merged") rank1[b] = m1++
	}
	m = m1
	for (b = 0; b < nb; b++)
		if (o2[b] == "merged") rank2[b] = m++
	nmerges = m
	master_at = int(nmerges * 0.97)

	# the base: 500 files, package.json, README.md, slipway.conf
	commit("refs/heads/master", 1, "Bench Author <author@bench.invalid>", t0 - 30 * day, "Initial import")
	inline("package.json", "{\n  \"name\": \"bench-app\",\n  \"version\": \"1.0.0\",\n  \"private\": true\n}\n")
	inline("slipway.conf", "# slipway.conf - the records bench fixture\n[project]\n\tname = bench-app\n[branches]\n\tstaging = staging\n\tproduction = master\n[release]\n\tversion-file = package.json\n\ttag = v{version}\n")
	inline("README.md", "# bench-app\n\nA generated repository for the slipway records benchmark.\n")
	for (i = 0; i < 497; i++)
		inline(sprintf("src/mod%02d/file%03d.c", int(i / 50), i), sprintf("/* file %d */\nint f%d(int x) { return x * %d; }\n", i, i, i % 97 + 1))

	nopen = nmine = nwait = 0
	for (b = 0; b < nb; b++) {
		a = b % nauthors
		rv = (a + 1 + b % 19) % nauthors		# never the author
		r1 = t0 + day + int(b * 40 * day / nb)
		r2 = t0 + 45 * day + int(b * 40 * day / nb)
		if (o2[b] == "open")			# the open ones are recent
			r2 = t0 + 77 * day + int(rnd() * 9 * day)
		stale = o2[b] == "open" && sub2[b] == 3
		# each round: 5 commits forked from staging 5 hours before the
		# request (round two: the branch rebased onto staging), merged 4 hours
		# after it; actions listed by the minute, done in time order below
		act(r1 - 5 * 3600, "c1:" b)
		if (o1[b] == "merged") act(r1 + 4 * 3600, "m1:" b)
		act(r2 - 5 * 3600, "c2:" b)
		if (o2[b] == "merged") act(r2 + 4 * 3600, "m2:" b)
		for (k = 1; k <= 10; k++) {
			t = k <= 5 ? r1 - (6 - k) * 3600 : r2 - (11 - k) * 3600
			if (k == 10 && stale) t = r2 + 3 * 3600
			tc[b, k] = t
			# ci: request heads of merged rounds pass; open heads fail 20%; others 12%
			head = k == 5 || k == 10 || (k == 9 && stale)
			if ((k == 5 && o1[b] == "merged") || (k == 10 && o2[b] == "merged"))
				ci = "pass"
			else
				ci = rnd() < (head && o2[b] == "open" ? 0.2 : 0.12) ? "fail" : "pass"
			cd = rnd() < 0.7 ? "pass" : "fail"
			if ((b == pass_b || b == refuse_b) && k == 10) { ci = "pass"; cd = "fail" }
			P(cmark(b, k), "ci", ci, t + 600)
			P(cmark(b, k), "cd", cd, t + 1200)
		}
		# round 1: request at c5, [reject], approve, merged or closed
		h = cmark(b, 5)
		R(b, "request", h, 0, a, r1, "")
		if (o1[b] == "merged") {
			if (rnd() < 0.15) {
				R(b, "reject", h, 0, rv, r1 + 3600, "please add a test")
				R(b, "approve", h, 0, rv, r1 + 3 * 3600, "")
			} else {
				R(b, "approve", h, 0, rv, r1 + 2 * 3600, "")
			}
			R(b, "merged", h, 100001 + rank1[b], a, r1 + 4 * 3600, "")
		} else {
			R(b, "close", 0, 0, a, r1 + 5 * 3600, "")
		}
		# round 2: request at c10 (c9 when it goes stale)
		h = cmark(b, stale ? 9 : 10)
		R(b, "request", h, 0, a, r2, "")
		if (o2[b] == "merged") {
			R(b, "approve", h, 0, rv, r2 + 2 * 3600, "")
			R(b, "merged", h, 100001 + rank2[b], a, r2 + 4 * 3600, "")
		} else if (o2[b] == "closed") {
			if (rnd() < 0.5)
				R(b, "reject", h, 0, rv, r2 + 3600, "not like this")
			R(b, "close", 0, 0, a, r2 + 5 * 3600, "")
		} else {
			nopen++
			st[sub2[b]]++
			if (sub2[b] == 2 || sub2[b] == 3)
				R(b, "approve", h, 0, rv, r2 + 2 * 3600, "")
			if (sub2[b] == 4)
				R(b, "reject", h, 0, rv, r2 + 2 * 3600, "please split this up")
			if (a == 0)
				nmine++
			else if (!(rv == 0 && (sub2[b] == 2 || sub2[b] == 4)))
				nwait++		# I have not voted at its head
		}
		tm[b, 1] = r1 + 4 * 3600
		tm[b, 2] = r2 + 4 * 3600
	}

	# the history in time order: branches fork from staging as it is then;
	# staging gets a no-ff merge per merged request
	printf "reset refs/heads/staging\nfrom :1\n"
	stip = 1
	for (m = 0; m <= maxmin; m++) {
		if (!(m in acts)) continue
		na = split(acts[m], todo, " ")
		for (j = 1; j <= na; j++) {
			split(todo[j], w, ":")
			b = w[2] + 0; a = b % nauthors; round = substr(w[1], 2) + 0
			if (substr(w[1], 1, 1) == "c") {
				for (k = round * 5 - 4; k <= round * 5; k++) {
					commit(sprintf("refs/heads/feature/%d", b), cmark(b, k), person(a), tc[b, k],
					    sprintf("feature/%d: step %d", b, k))
					if (k == round * 5 - 4) printf "from :%d\n", stip
					inline(sprintf("features/f%d.txt", b), feature(b, k))
				}
			} else {
				mk = 100001 + (round == 1 ? rank1[b] : rank2[b])
				commit("refs/heads/staging", mk, person(a), tm[b, round],
				    sprintf("Merge branch '\''feature/%d'\'' into staging", b))
				printf "merge :%d\n", cmark(b, round * 5)
				inline(sprintf("features/f%d.txt", b), feature(b, round * 5))
				stip = last = mk
				lastt = tm[b, round]
			}
		}
	}
	printf "reset refs/heads/master\nfrom :%d\n", 100001 + master_at
	printf "tag v1.0.0\nfrom :%d\ntagger Bench Author <author@bench.invalid> %d +0000\ndata 12\nRelease 1.0\n", 100001 + master_at, lastt
	# the heads of staging and master have ci and cd results too
	P(last, "ci", "pass", lastt + 600)
	P(last, "cd", "pass", lastt + 1200)
	P(100001 + master_at, "ci", "pass", lastt + 600)
	P(100001 + master_at, "cd", "pass", lastt + 1200)
	print "done"

	printf "branches=%d\nmerges=%d\nmaster_merge=%d\n", nb, nmerges, master_at > expect
	printf "pass_branch=feature/%d\nrefuse_branch=feature/%d\npush_branch=feature/%d\n", pass_b, refuse_b, push_b > expect
	printf "open=%d\nopen_needs_review=%d\nopen_approved=%d\nopen_stale=%d\nopen_rejected=%d\n", nopen, st[1], st[2], st[3], st[4] > expect
	printf "mine_open=%d\nwaiting_for_me=%d\nme=dev01@example.com\n", nmine, nwait > expect
}' | git -C "$o" fast-import --quiet --done --export-marks="$tmp/marks1"

# commit -> tree for every commit so far
git -C "$o" log --all --format='%H %T' >"$tmp/trees"

# Pass 2a: the plan with ids: chain lines (kind, subject), each followed by
# its records, oldest first (a result for a commit whose tree another
# commit has too, such as a merge git made the same tree for, joins that
# tree's chain, as `slipway record` appends to it).
#   C <kind> <subject>
#   p <pipeline> <status> <commit> <tree> <time>
#   r <type> <branch> <head> <merge> <author#> <time> <message>
awk -v marks="$tmp/marks1" -v trees="$tmp/trees" '
BEGIN {
	while ((getline l < marks) > 0) { split(l, f, " "); id[substr(f[1], 2)] = f[2] }
	while ((getline l < trees) > 0) { split(l, f, " "); tree[f[1]] = f[2] }
	FS = "\t"
}
function add(key, line) {
	if (!(key in recs)) { order[++n] = key; recs[key] = "" }
	recs[key] = recs[key] line "\n"
}
$1 == "P" {
	c = id[$2]
	line = sprintf("p\t%s\t%s\t%s\t%s\t%s", $3, $4, c, tree[c], $5)
	add("pipeline\tcommit:" c, line)
	add("pipeline\ttree:" tree[c], line)
	next
}
$1 == "R" {
	add(sprintf("review\tbranch:feature/%d", $2),
	    sprintf("r\t%s\tfeature/%d\t%s\t%s\t%d\t%d\t%s", $3, $2, $4 ? id[$4] : "", $5 ? id[$5] : "", $6, $7, $8))
}
END { for (i = 1; i <= n; i++) printf "C\t%s\n%s", order[i], recs[order[i]] }' "$tmp/plan" >"$tmp/resolved"

# The chains' ref names: sha1 of each subject as a git blob, computed by
# git (a scratch repository; the blobs are thrown away).
git init -q --bare "$tmp/hash.git"
awk -F '\t' '$1 == "C" { n++; printf "blob\nmark :%d\ndata %d\n%s\n", n, length($3), $3 } END { print "done" }' \
    "$tmp/resolved" | git -C "$tmp/hash.git" fast-import --quiet --done --export-marks="$tmp/marks2"

# Pass 2b: the records.
awk -v marks="$tmp/marks2" -v refmap="$tmp/refmap" '
BEGIN {
	while ((getline l < marks) > 0) { split(l, f, " "); h[substr(f[1], 2) + 0] = f[2] }
	FS = "\t"
}
function iso(t,   days, s, z, era, doe, yoe, y, doy, mp, d, m) {
	days = int(t / 86400); s = t - days * 86400
	z = days + 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9; y += m <= 2
	return sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, int(s / 3600), int(s % 3600 / 60), s % 60)
}
function kv(k, v) { return sprintf("%s  \"%s\": \"%s\"", njs++ ? ",\n" : "", k, v) }
# every chain is built on one import ref (reset between chains: a root
# commit starts each); its tip is the last mark, listed in refmap
function record(who, t, summary, json,   msg) {
	msg = summary "\n\nsubject: " subject "\n"
	printf "commit refs/import/records\nmark :%d\n", ++nc
	printf "author %s %d +0000\ncommitter %s %d +0000\n", who, t, who, t
	printf "data %d\n%s", length(msg), msg
	printf "M 100644 inline record.json\ndata %d\n%s\n", length(json), json
}
function tip() { if (ref != "") printf "%d %s\n", nc, ref > refmap }
$1 == "C" {
	tip()
	n++; kind = $2; subject = $3; ref = "refs/slipway/" kind "/" h[n]
	printf "reset refs/import/records\n"
	next
}
$1 == "p" {
	njs = 0
	j = "{\n" kv("at", iso($6)) kv("by", "ci@example.com") kv("commit", $4) kv("pipeline", $2)
	j = j kv("source", "slipway record") kv("status", $3) kv("tree", $5) "\n}\n"
	record("CI <ci@example.com>", $6, sprintf("%s %s on %s", $2, $3, substr($4, 1, 8)), j)
	next
}
$1 == "r" {
	a = $6 + 1
	email = sprintf("dev%02d@example.com", a); name = sprintf("Dev %02d", a)
	njs = 0
	j = "{\n" kv("at", iso($7))
	if ($2 == "request") j = j kv("base", "staging")
	j = j kv("branch", $3) kv("by", email)
	if ($2 != "close") j = j kv("head", $4)
	if ($2 == "merged") j = j kv("merge", $5)
	if ($2 == "approve" || $2 == "reject") j = j kv("message", $8)
	j = j kv("name", name) kv("type", $2) "\n}\n"
	if ($2 == "request") s = sprintf("review requested: %s at %s", $3, substr($4, 1, 8))
	else if ($2 == "approve") s = sprintf("approved: %s at %s", $3, substr($4, 1, 8))
	else if ($2 == "reject") s = sprintf("rejected: %s at %s", $3, substr($4, 1, 8))
	else if ($2 == "close") s = sprintf("review closed: %s", $3)
	else s = sprintf("merged: %s at %s as %s", $3, substr($4, 1, 8), substr($5, 1, 8))
	record(sprintf("%s <%s>", name, email), $7, s, j)
	next
}
END { tip(); print "done" }' "$tmp/resolved" >"$tmp/records.fi"
git -C "$o" pack-refs --all
git -C "$o" fast-import --quiet --done --export-marks="$tmp/marks3" <"$tmp/records.fi"
git -C "$o" update-ref -d refs/import/records

# The chains' refs go straight into packed-refs (105,000 loose ref files
# would take a minute to write here and another to pack): the code's refs,
# packed above, and the chains' tips, in one sorted file as
# `git pack-refs --all` writes it.
awk -v marks="$tmp/marks3" '
BEGIN { while ((getline l < marks) > 0) { split(l, f, " "); id[substr(f[1], 2) + 0] = f[2] } }
{ print id[$1 + 0] " " $2 }' "$tmp/refmap" >"$tmp/record-refs"
{
	awk '/^#/ { next } /^\^/ { printf "\001%s", $0; next } { printf "%s%s", n++ ? "\n" : "", $0 } END { print "" }' \
	    "$o/packed-refs"
	cat "$tmp/record-refs"
} | sort -t ' ' -k 2,2 | {
	echo '# pack-refs with: peeled fully-peeled sorted '
	tr '\001' '\n'
} >"$o/packed-refs.new"
mv "$o/packed-refs.new" "$o/packed-refs"

# what the server has after gc: packed refs, one pack
git -C "$o" symbolic-ref HEAD refs/heads/staging
git -C "$o" repack -adq
git -C "$o" prune-packed
git -C "$o" fsck --no-progress --strict >/dev/null

# the chains are where slipway looks for them
. "$out/expect"
check_ref() {
	_r="refs/slipway/$1/$(printf %s "$2" | git hash-object --stdin)"
	git -C "$o" rev-parse -q --verify "$_r" >/dev/null ||
		{ echo "records-fixture.sh: no $_r for '$2'" >&2; exit 1; }
}
check_ref review "branch:$pass_branch"
tip=$(git -C "$o" rev-parse "refs/heads/$pass_branch")
check_ref pipeline "commit:$tip"
check_ref pipeline "tree:$(git -C "$o" rev-parse "$tip^{tree}")"
n_review=$(git -C "$o" for-each-ref refs/slipway/review/ | wc -l)
n_pipe=$(git -C "$o" for-each-ref refs/slipway/pipeline/ | wc -l)
[ "$n_review" -eq "$branches" ] || { echo "records-fixture.sh: $n_review review chains" >&2; exit 1; }
n_commits=$(git -C "$o" rev-list --count --all)
n_requests=$(grep -c '^r	request' "$tmp/resolved")
n_results=$(grep -c '^P' "$tmp/plan")
{
	echo "review_chains=$n_review"
	echo "pipeline_chains=$n_pipe"
	echo "requests=$n_requests"
	echo "results=$n_results"
	echo "commits=$n_commits"
	echo "refs=$(git -C "$o" for-each-ref | wc -l)"
} >>"$out/expect"
. "$out/expect"

# the developer clone: the records fetched as `slipway sync` keeps them
# (an extra fetch refspec at clone time: the initial refs go straight to
# packed-refs; dropped afterwards, as sync fetches the records itself)
git clone -q --local --branch staging -c 'remote.origin.fetch=+refs/slipway/*:refs/slipway/*' \
    "$o" "$out/clone"
git -C "$out/clone" config --unset remote.origin.fetch 'refs/slipway'
git -C "$out/clone" branch -q --track master origin/master
git -C "$out/clone" config user.name 'Dev 01'
git -C "$out/clone" config user.email dev01@example.com
mkdir -p "$out/clone/.git/slipway"
echo "$(date +%s) origin" >"$out/clone/.git/slipway/last-sync"
git -C "$out/clone" pack-refs --all	# (its objects: origin's one pack, hard-linked)

# the pushing side for the hook's measurements: a bare clone of the
# branches only (no records, so `git push` offers the remote only its
# 5,000 heads as common ground; a clone holding all 110,000 refs' objects
# spends most of a minute in pack-objects before sending anything)
git clone -q --bare --no-local "$o" "$out/pusher.git"

# the same with every ref a loose file (pack files hard-linked)
unpack_refs() {
	_g=$1
	awk -v g="$_g" '
	/^#/ || /^\^/ { next }
	{
		n = split($2, part, "/"); d = g
		for (i = 1; i < n; i++) { d = d "/" part[i]; if (!(d in made)) { made[d] = 1; dirs[++nd] = d } }
		refs[++nr] = $2; ids[nr] = $1
	}
	END {
		for (i = 1; i <= nd; i++) system("mkdir -p \"" dirs[i] "\"")
		for (i = 1; i <= nr; i++) { f = g "/" refs[i]; print ids[i] > f; close(f) }
	}' "$_g/packed-refs"
	rm -f "$_g/packed-refs"
}
copy_repo() {	# SRC DST: a copy; pack files hard-linked
	mkdir -p "$2"
	(cd "$1" && find . -path ./objects/pack -prune -o -type f -print) | while read -r f; do
		mkdir -p "$2/$(dirname "$f")"
		cp -p "$1/$f" "$2/$f"
	done
	mkdir -p "$2/objects/pack" "$2/refs/heads" "$2/refs/tags" "$2/objects/info"
	ln "$1"/objects/pack/* "$2/objects/pack/"
}
mkdir -p "$out/loose"
copy_repo "$o" "$out/loose/origin.git"
unpack_refs "$out/loose/origin.git"
cp -a "$out/clone" "$out/loose/clone.tmp"
rm -rf "$out/loose/clone.tmp/.git"
copy_repo "$out/clone/.git" "$out/loose/clone.tmp/.git"
mv "$out/loose/clone.tmp" "$out/loose/clone"
unpack_refs "$out/loose/clone/.git"
git -C "$out/loose/clone" remote set-url origin "$out/loose/origin.git"
git -C "$out/loose/clone" update-index -q --refresh >/dev/null 2>&1 || true
[ "$(git -C "$out/loose/clone" for-each-ref | wc -l)" -eq "$(git -C "$out/clone" for-each-ref | wc -l)" ]
[ "$(git -C "$out/loose/origin.git" for-each-ref | wc -l)" -eq "$refs" ]

[ -n "${FIXTURE_KEEP_TMP:-}" ] || rm -rf "$tmp"
echo "fixture $out: $branches branches, $n_requests review requests ($open open), $n_results pipeline results in $n_pipe chains, $n_commits commits, $refs refs on the remote"
