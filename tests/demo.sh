#!/bin/sh
# demo.sh - the tour: a protocol-shaped project released with slipway, narrated.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SLIPWAY=$top/slipway
demo=$(mktemp -d "${TMPDIR:-/tmp}/slipway-demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
export HOME="$demo/home" LC_ALL=C TZ=UTC GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global init.defaultBranch master
git config --global advice.detachedHead false
git config --global pull.rebase false

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[36m$ %s\033[0m\n' "$*"; "$@"; }
as() { # as NAME: the identity of one developer
	export GIT_AUTHOR_NAME="$1" GIT_COMMITTER_NAME="$1"
	export GIT_AUTHOR_EMAIL="$1@example.com" GIT_COMMITTER_EMAIL="$1@example.com"
}
slipway() { "$SLIPWAY" "$@"; }

cd "$demo"
say "a bare 'origin' and the first developer's clone (alice)"
as alice
git init -q --bare origin.git
mkdir alice bob
git clone -q origin.git alice/indra 2>/dev/null
cd alice/indra
cat >package.json <<'J'
{
  "name": "indra",
  "version": "2.4.4",
  "dependencies": { "left-pad": { "version": "1.0.0" } },
  "scripts": { "start": "make start" }
}
J
mkdir -p modules/node
printf '{\n  "name": "@indra/node",\n  "version": "2.4.4"\n}\n' >modules/node/package.json
printf 'backwards_compatible_version = 2.3.20\n\nstart:\n\techo starting\n' >Makefile
printf 'hello\n' >greeting.txt
git add . && git commit -q -m "indra 2.4.4"
git push -q origin master
git switch -q -c staging && git push -q origin staging

say "slipway init finds the version files, the compat version and the branches"
run slipway init
sed -i 's/^\t; version-file = modules/\tversion-file = modules/' slipway.conf
cat >>slipway.conf <<'C'

# the pipelines `slipway run` runs, each job in a fresh checkout (docs/run.md)
[job "build"]
	pipelines = ci cd
	run = make start
[job "test"]
	pipelines = cd
	needs = build
	run = "test -s greeting.txt && echo greeting ok"
[job "compat-test"]
	pipelines = cd
	needs = build
	matrix = compat                 ; once at this version, once at the compat one
	run = "echo testing against indra $SLIPWAY_TARGET_VERSION"
[job "deploy"]
	pipelines = cd
	needs = test compat-test
	run = "echo would deploy indra_node:$SLIPWAY_SHORT"
[pipeline "ci"]
	on = feature staging hotfix
[pipeline "cd"]
	on = staging production
C
# the images CD pushes (commit tags never move) and the release promotes; the
# embedded registry (an OCI layout per image) stands in for a real one here
printf '\n[images]\n\tregistry = oci:%s/registry\n\tname = indra_{image}\n\timages = node proxy\n\tsource = oci:build/images/{image}\n[release]\n\tpromote-images = true\n' "$demo" >>slipway.conf
echo build/ >>.gitignore && git add .gitignore
run cat slipway.conf
git add slipway.conf && git commit -q -m "slipway.conf" && git push -q origin staging

say "bob clones and merges a feature into staging by hand"
cd "$demo"
as bob
git clone -q -b staging origin.git bob/indra 2>/dev/null
cd bob/indra
git switch -q -c feature/greeting
printf 'hello, world\n' >greeting.txt
git commit -q -am "greet the world"
git switch -q staging && git merge -q --no-ff -m "Merge feature/greeting" feature/greeting
git push -q origin staging

say "meanwhile alice hotfixes master: the same line"
cd "$demo/alice/indra"
as alice
git switch -q master
printf 'hello there\n' >greeting.txt
git commit -q -am "hotfix: friendlier greeting"
git push -q origin master

say "status: staging and master would conflict"
run slipway status || true

say "the release refuses, changes nothing, and says how to fix it (exit 3)"
rc=0; slipway release 2.5.0 --yes || rc=$?
echo "exit status: $rc"

say "bob merges master into staging, resolves, pushes"
cd "$demo/bob/indra"
as bob
git pull -q origin staging
git fetch -q origin
git merge -q origin/master 2>/dev/null || true
printf 'hello there, world\n' >greeting.txt
git add greeting.txt && git commit -q -m "Merge master into staging"
git push -q origin staging

say "the CD machine runs staging's CD (build, tests in parallel, compat test, deploy) and shares it"
cd "$demo"
as cd-bot
git clone -q -b staging origin.git cd-machine 2>/dev/null
(cd cd-machine && run slipway run --dry-run && run slipway run && run slipway logs &&
 run slipway sync)

say "CD builds the images and pushes them under the commit tag; a re-run pushes nothing"
(cd cd-machine && short=$(git rev-parse --short=8 HEAD) &&
 for i in node proxy; do
	python3 "$top/tests/e2e/images/mkimage.py" layout build/images/$i dev "$i-$short" 2 2048 >/dev/null
 done &&
 run slipway image push "$short" && run slipway image push "$short" &&
 run slipway image tags)

say "alice: the compat version, and whether the next release needs a new one"
cd "$demo/alice/indra"
as alice
git fetch -q origin
run slipway sync
run slipway compat

say "a dry run shows the plan and changes nothing anywhere"
cd "$demo/alice/indra"
as alice
run slipway release 2.5.0 --dry-run

say "the release: one merge commit, both versions bumped, tagged, pushed atomically; staging's images promoted"
run slipway release 2.5.0 --yes

say "the released images: a tag per release, never moved; pulled for the compat tests"
cd "$demo/cd-machine"
as cd-bot
git pull -q origin staging
run slipway image tags
run slipway image pull 2.5.0 --to "oci:$demo/pulled/{image}"
python3 "$top/tests/e2e/images/mkimage.py" layout "$demo/rebuilt" dev node-rebuilt 2 2048 >/dev/null
rc=0; slipway image push 2.5.0 node --from "oci:$demo/rebuilt" || rc=$?
echo "exit status: $rc (a rebuilt node cannot take 2.5.0: a release tag never moves)"
cd "$demo/alice/indra"
as alice

say "another CI reports on the release commit; slipway keeps the result in git"
run slipway record ci --status pass --commit origin/master --url https://ci.example/runs/42
# the release commit's chain (records about one subject: "commit:ID")
chain=refs/slipway/pipeline/$(printf 'commit:%s' "$(git rev-parse origin/master)" | git hash-object --stdin)
run git log -p --format='%h %s' "$chain"

say "alice shares the records; bob records too, and his sync merges both chains"
run slipway sync
cd "$demo/bob/indra"
as bob
git fetch -q origin
run slipway record cd --status pass --commit origin/master
run slipway sync
run git -C "$demo/origin.git" log --graph --format='%h %s' "$chain"

say "the server enforces the gate: slipway's pre-receive hook in origin.git"
(cd "$demo/origin.git" && run slipway hook install)

say "carol starts a feature, CI passes on it, and she asks for a review"
cd "$demo"
as carol
git clone -q -b staging origin.git carol 2>/dev/null
cd carol
git switch -q -c feature/search
printf 'search\n' >search.txt && git add search.txt && git commit -q -m "search"
git push -q origin feature/search
run slipway run ci
run slipway review request

say "a plain push to staging bypasses the gate: the server refuses it, with the reason"
rc=0; run git push -q origin HEAD:staging || rc=$?
echo "exit status: $rc"

say "slipway merge refuses too: CI passed, but nobody else reviewed it (exit 1)"
rc=0; slipway merge feature/search || rc=$?
echo "exit status: $rc"

say "bob's morning: others' reviews come first"
cd "$demo/bob/indra"
as bob
git fetch -q origin
run slipway sync
run slipway status
run slipway queue
run slipway review approve feature/search -m "looks good"

say "carol: the gate holds now; the merge is built in memory and pushed atomically"
cd "$demo/carol"
as carol
run slipway sync
run slipway gate feature/search
run slipway merge feature/search
run slipway review list --all
run git -C "$demo/origin.git" log --graph --format='%h %s' -3 staging

cd "$demo/alice/indra"
as alice

say "the result, seen with plain git on the remote"
run git -C "$demo/origin.git" log --graph --oneline --decorate --branches --tags
run git -C "$demo/origin.git" log -1 --format='%h %s (parents %p)' master
say "what the release commit adds to staging: the version values, nothing else"
run git -C "$demo/origin.git" diff master^2 master
git -C "$demo/origin.git" fsck --strict --no-dangling
echo
echo "tour done: master is the release v2.5.0; staging has carol's reviewed feature on top"
