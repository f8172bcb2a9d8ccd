#!/bin/sh
# fixture.sh - a generated release-shaped repository for the benchmarks.
#
#   sh bench/fixture.sh N_FILES OUTDIR
#
# Makes, with one `git fast-import` stream written by awk (no working tree
# is ever written file by file):
#   OUTDIR/origin.git  a bare remote: master with 500 commits over ~N_FILES
#                      files (100 a directory, two levels deep), a root
#                      package.json at "version": "1.0.0" and a slipway.conf;
#                      staging forked 5 commits before master's tip and 20
#                      commits ahead of the fork, touching other files than
#                      master's 5 (a clean, non-trivial merge: both sides
#                      changed, staging adds files too).
#   OUTDIR/clone       a developer clone with staging checked out and a local
#                      master tracking origin/master.
# OUTDIR must not exist yet, or be empty. Identity and dates are fixed, so
# the same N_FILES gives the same commits on the same git.

set -eu

usage() { echo "usage: sh bench/fixture.sh N_FILES OUTDIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
n=$1 out=$2
case $n in ''|*[!0-9]*) usage ;; esac
[ "$n" -ge 100 ] || { echo "fixture.sh: N_FILES must be at least 100" >&2; exit 2; }
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
	echo "fixture.sh: $out exists and is not empty" >&2
	exit 2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

export LC_ALL=C TZ=UTC GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME='Bench Author' GIT_AUTHOR_EMAIL=author@bench.invalid
export GIT_COMMITTER_NAME='Bench Committer' GIT_COMMITTER_EMAIL=committer@bench.invalid

git init -q --bare -b master "$out/origin.git"

# The stream. Files are numbered 0..n-1; file i lives in
# mod<i/2500>/pkg<i/100>/file<i>.txt. Master's history commits touch any
# file; after the fork master touches only the lower half and staging only
# the upper half (plus new files), so the merge is clean.
awk -v n="$n" '
function path(i) {
	return sprintf("mod%03d/pkg%04d/file%06d.txt", int(i / 2500), int(i / 100), i)
}
function content(i, rev,   s) {
	s = sprintf("// file %d of the bench fixture\nexport const id = %d;\n", i, i)
	s = s "export function f" i "(x) {\n\treturn x * " (i % 97 + 1) " + " (i % 13) ";\n}\n"
	if (rev) s = s sprintf("// revision %s\n", rev)
	return s
}
function inline(p, s) {
	printf "M 100644 inline %s\ndata <<EOD\n%sEOD\n", p, s
}
function commit(ref, mark, msg, from) {
	t += 60
	printf "commit %s\nmark :%d\n", ref, mark
	printf "author Bench Author <author@bench.invalid> %d +0000\n", t
	printf "committer Bench Committer <committer@bench.invalid> %d +0000\n", t
	printf "data <<EOM\n%s\nEOM\n", msg
	if (from) printf "from :%d\n", from
}
# a deterministic spread of indices, the same on every awk
function pick(c, k, lo, span) {
	return lo + (c * 7919 + k * 104729 + c * k * 31) % span
}
BEGIN {
	t = 1700000000
	half = int(n / 2)
	commit("refs/heads/master", 1, "Initial import")
	inline("package.json", "{\n  \"name\": \"bench-app\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n  \"dependencies\": {\n    \"left-pad\": {\n      \"version\": \"1.3.0\"\n    }\n  }\n}\n")
	inline("slipway.conf", "# slipway.conf - the bench fixture\n[project]\n\tname = bench-app\n[branches]\n\tstaging = staging\n\tproduction = master\n[release]\n\tversion-file = package.json\n\ttag = v{version}\n")
	inline("README.md", "# bench-app\n\nA generated repository for the slipway benchmarks.\n")
	# package.json and slipway.conf count among the n files
	for (i = 0; i < n - 3; i++)
		inline(path(i), content(i, ""))
	# master history: commits 2..495, three files each
	for (c = 2; c <= 495; c++) {
		commit("refs/heads/master", c, "Change " c)
		for (k = 0; k < 3; k++) {
			i = pick(c, k, 0, n - 3)
			inline(path(i), content(i, "m" c))
		}
	}
	# staging: 20 commits from the fork (:495), upper half, every 4th adds a file
	for (s = 1; s <= 20; s++) {
		commit("refs/heads/staging", 1000 + s, "Feature " s, s == 1 ? 495 : 0)
		for (k = 0; k < 3; k++) {
			i = pick(s, k, half, n - 3 - half)
			inline(path(i), content(i, "s" s))
		}
		if (s % 4 == 0)
			inline(sprintf("mod%03d/new/feature%02d.txt", 0, s), content(n + s, "s" s))
	}
	# master: 5 commits after the fork, lower half
	for (c = 496; c <= 500; c++) {
		commit("refs/heads/master", c, "Hotfix " (c - 495))
		for (k = 0; k < 3; k++) {
			i = pick(c, k, 0, half)
			inline(path(i), content(i, "h" c))
		}
	}
	print "done"
}' | git -C "$out/origin.git" fast-import --quiet --done

# one pack with deltas, as a served repository has
git -C "$out/origin.git" repack -a -d -q
git -C "$out/origin.git" prune-packed
git -C "$out/origin.git" fsck --no-progress --strict
# the remote must be what the fixture promises
[ "$(git -C "$out/origin.git" rev-list --count master)" -eq 500 ]
[ "$(git -C "$out/origin.git" rev-list --count master..staging)" -eq 20 ]
[ "$(git -C "$out/origin.git" rev-list --count staging..master)" -eq 5 ]

# the developer clone: staging checked out, master tracking origin/master
git clone -q --no-local --branch staging "$out/origin.git" "$out/clone"
git -C "$out/clone" branch -q --track master origin/master
git -C "$out/clone" config user.name 'Bench Committer'
git -C "$out/clone" config user.email committer@bench.invalid
git -C "$out/clone" fsck --no-progress --strict
git -C "$out/clone" ls-files | wc -l | awk -v d="$out" '{ printf "fixture %s: %d files on staging, 500 commits on master, staging 20 ahead\n", d, $1 }'
