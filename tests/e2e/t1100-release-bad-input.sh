#!/bin/sh
# t1100-release-bad-input.sh - each bad input: the exit code, an error that
# names the problem, and nothing changed in the clone or on the remote.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

# rel ARGS...: slipway release in work, no terminal, stderr in ./err.
rel() {
	(cd work && slipway release "$@" </dev/null >../out 2>../err)
}

# on_staging MSG: commits everything in work to staging and pushes it.
on_staging() {
	(cd work && git add -A && test_tick && git commit -q -m "$1" &&
		git push -q origin staging)
}

# --- the version ---------------------------------------------------------

test_expect_success 'no version and no terminal: error, exit 2' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel --yes &&
	test_grep "no version given, and no terminal" err &&
	unchanged
'

test_expect_success 'an empty version: exit 2' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel "" --yes &&
	test_grep "empty version" err &&
	unchanged
'

test_expect_success 'a garbage version: exit 2' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel banana --yes &&
	test_grep "banana. is not a semantic version" err &&
	unchanged
'

test_expect_success 'version 1.2 (two parts): exit 2' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel 1.2 --yes &&
	test_grep "1\.2. is not a semantic version" err &&
	unchanged
'

test_expect_success 'version 01.2.3 (leading zero): exit 2' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel 01.2.3 --yes &&
	test_grep "01\.2\.3. is not a semantic version.*leading zero" err &&
	unchanged
'

test_expect_success 'version 1.2.3.4 (four parts): exit 2' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel 1.2.3.4 --yes &&
	test_grep "1\.2\.3\.4. is not a semantic version" err &&
	unchanged
'

test_expect_success 'the current version again: refused, exit 1' '
	fresh_release_repo && snap &&
	test_expect_code 1 rel 1.2.3 --yes &&
	test_grep "1\.2\.3. is not greater than the current .1\.2\.3." err &&
	unchanged
'

test_expect_success 'a lower version: refused, exit 1' '
	fresh_release_repo && snap &&
	test_expect_code 1 rel 1.2.2 --yes &&
	test_grep "1\.2\.2. is not greater than the current .1\.2\.3." err &&
	unchanged
'

test_expect_success 'a leading v is accepted and dropped, with a note' '
	fresh_release_repo && snap &&
	rel v1.4.0 --dry-run &&
	test_grep "^note: .*dropped the leading .v.*1\.4\.0" err &&
	test_grep "^release 1\.4\.0: " out &&
	test_grep "version  *package\.json: 1\.2\.3 -> 1\.4\.0$" out &&
	test_grep "tag  *indra-1\.4\.0 " out &&
	test_must_fail grep "v1\.4\.0" out &&
	unchanged
'

# --- tags ----------------------------------------------------------------

test_expect_success 'a tag that exists only here: refused, exit 1' '
	fresh_release_repo &&
	git -C work tag indra-1.3.0 &&
	snap &&
	test_expect_code 1 rel 1.3.0 --yes &&
	test_grep "tag .indra-1\.3\.0. already exists in this repository" err &&
	unchanged
'

test_expect_success 'a tag that exists only on the remote: refused, exit 1' '
	fresh_release_repo &&
	git -C origin.git tag indra-1.3.0 master &&
	snap &&
	test_expect_code 1 rel 1.3.0 --yes &&
	test_grep "tag .indra-1\.3\.0. already exists on .origin." err &&
	unchanged
'

# --- version files -------------------------------------------------------

test_expect_success 'a malformed package.json on staging: exit 2' '
	fresh_release_repo &&
	printf "{\n  \"name\": \"x\",\n  \"version\": \"1.2.3\",\n" >work/package.json &&
	on_staging "break package.json" &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "package\.json.*invalid JSON" err &&
	unchanged
'

test_expect_success 'a version file missing on staging: exit 2' '
	fresh_release_repo &&
	git -C work rm -q modules/node/package.json &&
	on_staging "remove the node package" &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "modules/node/package\.json. does not exist on .origin/staging." err &&
	unchanged
'

test_expect_success 'a version file without a version: exit 2' '
	fresh_release_repo &&
	printf "{\n  \"name\": \"@indra/node\"\n}\n" >work/modules/node/package.json &&
	on_staging "drop the node version" &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "modules/node/package\.json. has no top-level \"version\"" err &&
	unchanged
'

test_expect_success 'a Makefile:VAR version file whose variable is not set: exit 2' '
	fresh_release_repo &&
	sed -i "s|^version-file = modules/node/package.json$|version-file = Makefile:app_version|" \
		work/slipway.conf &&
	grep -q "^version-file = Makefile:app_version$" work/slipway.conf &&
	on_staging "version in the Makefile" &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "Makefile. does not set .app_version." err &&
	unchanged
'

# --- branches and remotes ------------------------------------------------

test_expect_success 'no staging branch on the remote: exit 2' '
	fresh_release_repo &&
	git -C origin.git update-ref -d refs/heads/staging &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "branch .staging. does not exist on .origin." err &&
	test_grep "^hint: .*branches\.staging" err &&
	unchanged
'

test_expect_success 'no master branch on the remote: exit 2' '
	fresh_release_repo &&
	git -C origin.git update-ref -d refs/heads/master &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "branch .master. does not exist on .origin." err &&
	test_grep "^hint: .*branches\.production" err &&
	unchanged
'

test_expect_success 'no remote at all: exit 2' '
	fresh_release_repo &&
	git -C work remote remove origin &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "remote .origin. does not exist" err &&
	test_grep "^hint: .*git remote add" err &&
	unchanged
'

test_expect_success '--remote nosuch: exit 2, the remotes listed' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel 1.3.0 --yes --remote nosuch &&
	test_grep "remote .nosuch. does not exist" err &&
	test_grep "^hint: .*.origin." err &&
	unchanged
'

# --- slipway.conf --------------------------------------------------------

test_expect_success 'a malformed slipway.conf (unterminated header): exit 2' '
	fresh_release_repo &&
	printf "[release\n" >>work/slipway.conf &&
	n=$(wc -l <work/slipway.conf) &&
	cp work/slipway.conf conf.before &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "slipway\.conf:$n: invalid section header" err &&
	cmp conf.before work/slipway.conf &&
	unchanged
'

test_expect_success 'an unknown key: exit 2, with the closest key' '
	fresh_release_repo &&
	sed -i "s/^tag = /tga = /" work/slipway.conf &&
	n=$(grep -n "^tga = " work/slipway.conf | cut -d: -f1) &&
	test -n "$n" &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "slipway\.conf:$n: unknown key .release\.tga." err &&
	test_grep "^hint: did you mean .release\.tag.?" err &&
	unchanged
'

test_expect_success 'an unknown key in the slipway.conf committed on staging: exit 2' '
	fresh_release_repo &&
	sed -i "s/^tag = /tga = /" work/slipway.conf &&
	on_staging "typo in slipway.conf" &&
	git -C work reset -q --hard HEAD^ &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "origin/staging:slipway\.conf:[0-9]*: unknown key .release\.tga." err &&
	test_grep "^hint: did you mean .release\.tag.?" err &&
	unchanged
'

test_expect_success 'a single-valued key set twice: exit 2' '
	fresh_release_repo &&
	printf "[release]\n\ttag = x-{version}\n" >>work/slipway.conf &&
	n=$(wc -l <work/slipway.conf) &&
	first=$(grep -n "^tag = " work/slipway.conf | cut -d: -f1) &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "slipway\.conf:$n: .release\.tag. is set twice (first on line $first)" err &&
	unchanged
'

test_expect_success 'a bad value (release.tag without {version}): exit 2' '
	fresh_release_repo &&
	sed -i "s/^tag = .*/tag = release/" work/slipway.conf &&
	snap &&
	test_expect_code 2 rel 1.3.0 --yes &&
	test_grep "bad value for .release\.tag.: .*{version}" err &&
	unchanged
'

# --- the command line ----------------------------------------------------

test_expect_success 'an unknown option: exit 2, with the usage' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel 1.3.0 --yes --bogus &&
	test_grep "slipway: release: unknown option .--bogus." err &&
	test_grep "usage: slipway release" err &&
	unchanged
'

test_expect_success 'too many arguments: exit 2, saying so' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel 1.3.0 1.4.0 --yes &&
	test_grep "usage: slipway release" err &&
	test_grep "\(too many arguments\|unexpected argument\)" err &&
	unchanged
'

test_expect_success 'no --yes and no terminal: refused, exit 2, hint names --yes' '
	fresh_release_repo && snap &&
	test_expect_code 2 rel 1.3.0 &&
	test_grep "without a terminal" err &&
	test_grep "^hint: .*--yes" err &&
	unchanged
'

test_expect_success 'nothing to release (staging is master): refused, exit 1' '
	fresh_release_repo &&
	git -C origin.git update-ref refs/heads/staging refs/heads/master &&
	snap &&
	test_expect_code 1 rel 1.3.0 --yes &&
	test_grep "nothing to release" err &&
	unchanged
'

test_expect_success 'a malformed version fails before the remote is contacted' '
	fresh_release_repo && snap &&
	git -C work remote set-url origin "$TRASH/nowhere.git" &&
	test_expect_code 2 rel 1.2.x --yes &&
	test_grep "not a semantic version" err &&
	! grep -q "nowhere" err &&
	git -C work remote set-url origin "$TRASH/origin.git" &&
	unchanged
'

test_done
