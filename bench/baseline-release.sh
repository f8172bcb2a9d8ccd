#!/bin/sh
# baseline-release.sh - the protocol's old release helper, with the git CLI.
#
#   sh bench/baseline-release.sh VERSION      (inside a clone, remote "origin")
#
# What ops/deploy-indra.sh did, step by step, as the benchmark's baseline:
# bring master and staging up to date with origin, check out master, trial
# merge of staging (--no-commit --no-ff, then abort) to detect conflicts,
# check out staging, check out master, merge staging (--no-ff), set the
# top-level "version" of package.json with sed, amend the merge commit, tag
# it, push master and the tag, check out staging, fast-forward it to master,
# push staging. Exits 3 on a conflict, non-zero on any other failure.

set -eu

[ $# -eq 1 ] || { echo "usage: sh bench/baseline-release.sh VERSION" >&2; exit 2; }
version=$1
tag="v$version"

# up to date with the remote, the way a user pulls
git fetch -q origin
git checkout -q staging
git reset -q --hard origin/staging
git branch -q -f master origin/master

# 1. detect merge conflicts between staging and master
git checkout -q master
if ! git merge -q --no-commit --no-ff staging >/dev/null 2>&1; then
	git merge --abort
	echo "baseline: staging conflicts with master" >&2
	exit 3
fi
git merge --abort

# 2. the version (the helper asked for it, and checked it was new)
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
	echo "baseline: tag $tag exists" >&2
	exit 1
fi

# 3. merge staging into master, with the version bumped in the merge commit
git checkout -q staging
git checkout -q master
git merge -q --no-ff --no-edit -m "Release $version" staging
sed -i "0,/\"version\": *\"[^\"]*\"/s//\"version\": \"$version\"/" package.json
git add package.json
git commit -q --amend --no-edit

# 4. tag and push
git tag -a "$tag" -m "Release $version"
git push -q origin master "refs/tags/$tag"

# 5. fast-forward staging to master, push it
git checkout -q staging
git merge -q --ff-only master
git push -q origin staging
