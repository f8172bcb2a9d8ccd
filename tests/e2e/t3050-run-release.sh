#!/bin/sh
# t3050-run-release.sh - the CD machine runs staging's CD with slipway run, shares
# it, and the release reads it: refused while red, accepted once green.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

# on_cd CMD...: slipway in cdbox/, the CD machine's clone, fetched first.
on_cd() {
	(cd cdbox && git fetch -q origin &&
	 env GIT_COMMITTER_NAME="CD Machine" GIT_COMMITTER_EMAIL=cd@example.com \
		"$SLIPWAY" "$@")
}

# staging_commit NAME [FILE]: one more commit on the remote's staging.
staging_commit() {
	(cd work && git fetch -q && git switch -q staging && git reset -q --hard origin/staging &&
	 test_commit "$1" "${2:-$1.txt}" && git push -q origin staging)
}

test_expect_success 'setup: staging defines the CD pipeline' '
	setup_release_repo &&
	(
		cd work &&
		cat >>slipway.conf <<-\EOC &&
		[compat]
			version = Makefile:backwards_compatible_version
		[job "build"]
			pipelines = cd
			run = "echo built $SLIPWAY_SHORT"
		[job "test"]
			pipelines = cd
			needs = build
			run = "test ! -e bad.txt"
		[job "compat"]
			pipelines = cd
			needs = build
			matrix = compat
			run = "echo against $SLIPWAY_TARGET_VERSION"
		[job "deploy"]
			pipelines = cd
			needs = test compat
			run = "echo deployed"
		[pipeline "cd"]
			on = staging production
		EOC
		git commit -qam "cd pipeline" && git push -q origin staging
	) &&
	git clone -q origin.git cdbox
'

test_expect_success 'CD red on the staging head: the release is refused with the run state' '
	staging_commit oops bad.txt &&
	test_expect_code 1 on_cd run --commit origin/staging >out 2>err &&
	test_grep "^test: fail" out &&
	test_grep "^deploy: skipped" out &&
	test_grep "^cd fail" out &&
	on_cd sync >/dev/null &&
	s=$(git -C origin.git rev-parse --short=8 staging) &&
	before=$(git -C origin.git rev-parse master) &&
	test_expect_code 1 slipway -C work release 1.3.0 --yes >out 2>err &&
	test_grep "CD did not pass on .origin/staging. ($s): cd fail on $s" err &&
	test "$(git -C origin.git rev-parse master)" = "$before"
'

test_expect_success 'fixed and green: the release goes through, the record says CD passed' '
	(cd work && git fetch -q && git reset -q --hard origin/staging &&
	 git rm -q bad.txt && git commit -qm "fix" && git push -q origin staging) &&
	on_cd run --commit origin/staging >out 2>err &&
	test_grep "^compat\[current\] | against 1.2.3" out &&
	test_grep "^compat\[compat\] | against 1.2.0" out &&
	test_grep "^cd pass" out &&
	on_cd sync >/dev/null &&
	slipway -C work release 1.3.0 --yes >out 2>err &&
	test "$(git -C origin.git rev-parse master)" = "$(git -C origin.git rev-parse indra-1.3.0^{commit})" &&
	ref="refs/slipway/release/$(printf %s "version:1.3.0" | git hash-object --stdin)" &&
	git -C origin.git show "$ref:record.json" >rec &&
	test_grep "\"cd\": \"passed\"" rec
'

test_expect_success 'master after the release runs as production' '
	on_cd run --commit origin/master --dry-run >out &&
	test_grep "^pipeline cd$" out &&
	test_grep "production role" out
'

test_done
