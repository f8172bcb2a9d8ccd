#!/bin/sh
# t3110-release-cd.sh - a release needs staging's CD passed on the staging head
# (the record may come from another machine), --skip-cd-check overrides, and the
# release is recorded under refs/slipway/release/.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

# as_cd CMD...: runs slipway in cdbox/, the CD machine's clone, as the CD machine.
as_cd() {
	(cd cdbox && git fetch -q origin &&
	 env GIT_COMMITTER_NAME="CD Machine" GIT_COMMITTER_EMAIL=cd@example.com \
		"$SLIPWAY" "$@")
}

# new_staging NAME: one more commit on the remote's staging, from work/.
new_staging() {
	(cd work && git fetch -q && git switch -q staging && git reset -q --hard origin/staging &&
	 test_commit "$1" "$1.txt" && git push -q origin staging)
}

# release_ref VERSION: the chain of the release record of VERSION.
release_ref() {
	echo "refs/slipway/release/$(printf %s "version:$1" | git hash-object --stdin)"
}

test_expect_success 'setup' '
	setup_release_repo &&
	git clone -q origin.git cdbox &&
	new_staging s1
'

test_expect_success 'no CD result on the staging head: refused, exit 1, nothing changed' '
	s=$(git -C origin.git rev-parse --short=8 staging) &&
	snap &&
	test_expect_code 1 slipway -C work release 1.3.0 --yes >out 2>err &&
	test_grep "staging.s CD has not passed on .origin/staging. ($s): no cd result for $s" err &&
	test_grep "^hint: .*slipway run cd --commit $s" err &&
	test_grep "^hint: .*slipway record cd --status pass --commit $s" err &&
	test_grep "^hint: .*--skip-cd-check" err &&
	test_must_fail grep "^release 1.3.0" out &&
	unchanged
'

test_expect_success 'a failed CD recorded on another machine: synced first, refused with its state' '
	s=$(git -C origin.git rev-parse --short=8 staging) &&
	as_cd record cd --status fail --commit origin/staging --url https://ci.example/runs/7 &&
	as_cd sync >/dev/null &&
	test_expect_code 1 slipway -C work release 1.3.0 --no-sync --yes >out 2>err &&
	test_grep "no cd result for $s" err &&
	test_grep "^hint: this clone.s records were not synced (--no-sync)" err &&
	test_expect_code 1 slipway -C work release 1.3.0 --yes >out 2>err &&
	test_grep "staging.s CD did not pass on .origin/staging. ($s): cd fail on $s" err &&
	test_grep "recorded by cd@example.com" err &&
	test_grep "https://ci.example/runs/7" err &&
	test_must_fail git -C origin.git rev-parse -q --verify refs/tags/indra-1.3.0
'

test_expect_success 'a timed-out or cancelled CD is not a pass, and says which' '
	s=$(git -C origin.git rev-parse --short=8 staging) &&
	for state in timeout cancelled; do
		as_cd record cd --status $state --commit origin/staging >/dev/null &&
		as_cd sync >/dev/null &&
		test_expect_code 1 slipway -C work release 1.3.0 --yes >out 2>err &&
		test_grep "did not pass on .origin/staging. ($s): cd $state on $s" err || return 1
	done &&
	test_must_fail git -C origin.git rev-parse -q --verify refs/tags/indra-1.3.0
'

test_expect_success 'a dry run reads this clone'\''s records and says it did not sync' '
	as_cd record cd --status pass --commit origin/staging >/dev/null &&
	as_cd sync >/dev/null &&
	test_expect_code 1 slipway -C work release 1.3.0 --dry-run >out 2>err &&
	test_grep "cd timeout\|cd cancelled" err &&
	test_grep "^hint: this clone.s records were not synced (a dry run)" err
'

test_expect_success 'after CD passes the release goes through, and is recorded' '
	remote_heads origin.git >heads &&
	slipway -C work release 1.3.0 --yes >out 2>err &&
	test_grep "^  cd  *passed: cd pass on " out &&
	test_grep "^released 1.3.0" out &&
	check_released origin.git 1.3.0 heads &&
	ref=$(release_ref 1.3.0) &&
	git -C origin.git log -p --format=%s "$ref" >log &&
	test_grep "^release 1.3.0 (cd passed)$" log &&
	test_grep "^+  \"cd\": \"passed\",$" log &&
	test_grep "^+  \"version\": \"1.3.0\"$" log &&
	test_grep "^+  \"tag\": \"indra-1.3.0\",$" log &&
	test_grep "^+  \"commit\": \"$(git -C origin.git rev-parse master)\",$" log &&
	test_grep "^+  \"staging\": \"$(sed -n 2p heads)\",$" log &&
	test_grep "^+  \"master\": \"$(sed -n 1p heads)\",$" log &&
	test_grep "^+  \"by\": \"committer@example.com\",$" log &&
	test_grep "^+  \"cd-result\": \"cd pass on .* (recorded by cd@example.com" log &&
	test "$(git -C origin.git rev-list --count "$ref")" = 1 &&
	git -C origin.git fsck --strict --no-dangling
'

test_expect_success '--skip-cd-check releases on a red CD; the record says skipped' '
	new_staging s2 &&
	slipway -C work record cd --status fail --commit origin/staging >/dev/null &&
	test_expect_code 1 slipway -C work release 1.4.0 --yes >out 2>err &&
	test_grep "cd fail on" err &&
	slipway -C work release 1.4.0 --yes --skip-cd-check >out 2>err &&
	test_grep "^note: not checking staging.s CD (--skip-cd-check)" err &&
	test_grep "^released 1.4.0" out &&
	test "$(git -C origin.git rev-parse indra-1.4.0^{commit})" = "$(git -C origin.git rev-parse master)" &&
	git -C origin.git log -p --format=%s "$(release_ref 1.4.0)" >log &&
	test_grep "^release 1.4.0 (cd skipped)$" log &&
	test_grep "^+  \"cd\": \"skipped\",$" log &&
	test_grep "^+  \"cd-result\": \"cd fail on " log
'

test_expect_success '--no-sync keeps the release record here until a sync' '
	new_staging s3 &&
	cd_passed && slipway -C work sync >/dev/null &&
	slipway -C work release 1.5.0 --yes --no-sync >out 2>err &&
	test_grep "^note: the release record is kept here (--no-sync)" err &&
	ref=$(release_ref 1.5.0) &&
	git -C work rev-parse -q --verify "$ref" >/dev/null &&
	test_must_fail git -C origin.git rev-parse -q --verify "$ref" &&
	slipway -C work sync >/dev/null &&
	test "$(git -C origin.git rev-parse "$ref")" = "$(git -C work rev-parse "$ref")"
'

test_done
