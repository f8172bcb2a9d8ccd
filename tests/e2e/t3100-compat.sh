#!/bin/sh
# t3100-compat.sh - the compat version: where it is kept, `slipway compat`, and
# the release's rules (breaking changes raise it; never above the new version).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

# on_staging MSG [BODY]: commits everything in work/ and pushes staging; then
# staging's CD passes on it, and work/ has the record.
on_staging() {
	(cd work && git add -A && test_tick &&
	 if [ $# -gt 1 ]; then git commit -q -m "$1" -m "$2"; else git commit -q -m "$1"; fi &&
	 git push -q origin staging) &&
	cd_passed && slipway -C work sync >/dev/null
}

# at_head CONF: commits slipway.conf with CONF appended as [compat] on a
# detached HEAD in work/ (not pushed), for `slipway compat --commit HEAD`.
at_head() {
	(cd work && git switch -q --detach origin/staging &&
	 printf "[compat]\n%s\n" "$1" >>slipway.conf &&
	 git add -A && test_tick && git commit -q -m "try: $1")
}

# back: work/ on staging again, as the remote has it.
back() {
	(cd work && git switch -q -f staging && git reset -q --hard origin/staging)
}

# makefile_compat VERSION: sets backwards_compatible_version in work/Makefile.
makefile_compat() {
	sed -i "s/^backwards_compatible_version = .*/backwards_compatible_version = $1/" work/Makefile
}

test_expect_success 'setup: compat.version names the Makefile variable' '
	setup_release_repo &&
	printf "[compat]\n\tversion = Makefile:backwards_compatible_version\n" >>work/slipway.conf &&
	on_staging "compat version in the Makefile" &&
	git -C work fetch -q
'

test_expect_success 'slipway compat: versions, where they come from, what the next release needs' '
	slipway -C work compat >out 2>err &&
	cat >expect <<-EOF &&
	commit          origin/staging ($(git -C origin.git rev-parse --short=8 staging))
	version         1.2.3 (package.json)
	compat version  1.2.0 (Makefile:backwards_compatible_version)
	last release    1.2.3
	breaking changes since the last release: none
	next release    the compat version can stay 1.2.0
	EOF
	test_cmp expect out
'

test_expect_success 'slipway status shows the compat version staging has' '
	slipway -C work status >out 2>err &&
	test_grep "^compat    1.2.0 (Makefile:backwards_compatible_version)$" out
'

test_expect_success 'compat.version = package.json:FIELD reads that top-level field' '
	test_when_finished back &&
	(cd work && sed -i "s/\"name\": /\"compat\": \"1.1.0\",\r\n\t\"name\": /" package.json) &&
	at_head "	version = package.json:compat" &&
	sed -i "/Makefile:backwards/d" work/slipway.conf &&
	(cd work && git commit -q -am "only package.json") &&
	slipway -C work compat --commit HEAD >out 2>err &&
	test_grep "^compat version  1.1.0 (package.json:compat)$" out
'

test_expect_success 'a literal compat.version, and compat.auto = major' '
	test_when_finished back &&
	(cd work && git switch -q --detach origin/staging &&
	 sed -i "s/^	version = Makefile:.*/	version = 1.0.5/" slipway.conf &&
	 git commit -q -am literal) &&
	slipway -C work compat --commit HEAD >out 2>err &&
	test_grep "^compat version  1.0.5 (compat.version)$" out &&
	(cd work && sed -i "s/^	version = 1.0.5/	auto = major/" slipway.conf &&
	 git commit -q -am auto) &&
	slipway -C work compat --commit HEAD >out 2>err &&
	test_grep "^compat version  1.0.0 (compat.auto = major (from 1.2.3))$" out
'

test_expect_success 'compat.version and compat.auto both set: exit 2, saying keep one' '
	test_when_finished back &&
	at_head "	auto = major" &&
	test_expect_code 2 slipway -C work compat --commit HEAD >out 2>err &&
	test_grep "slipway: compat: HEAD:slipway.conf:[0-9]*: compat.auto and compat.version (line [0-9]*) are both set" err &&
	test_grep "^hint: keep one" err
'

test_expect_success 'compat.auto other than major: exit 2 (the schema)' '
	test_when_finished back &&
	(cd work && git switch -q --detach origin/staging &&
	 sed -i "s/^	version = Makefile:.*/	auto = minor/" slipway.conf && git commit -q -am minor) &&
	test_expect_code 2 slipway -C work compat --commit HEAD >out 2>err &&
	test_grep "bad value for .compat.auto.: .minor. is not .major." err
'

test_expect_success 'a compat version that is not SemVer: exit 2, naming the source' '
	test_when_finished back &&
	(cd work && git switch -q --detach origin/staging) &&
	makefile_compat one.two &&
	(cd work && git commit -q -am "not a version") &&
	h=$(git -C work rev-parse --short=8 HEAD) &&
	test_expect_code 2 slipway -C work compat --commit HEAD >out 2>err &&
	test_grep "compat version .one.two. (Makefile:backwards_compatible_version at $h) is not a semantic version" err
'

test_expect_success 'a missing variable, file or field: exit 2, naming it' '
	test_when_finished back &&
	(cd work && git switch -q --detach origin/staging &&
	 sed -i "/^backwards_compatible_version/d" Makefile && git commit -q -am "no variable") &&
	test_expect_code 2 slipway -C work compat --commit HEAD >out 2>err &&
	test_grep "compat.version .Makefile:backwards_compatible_version. at [0-9a-f]*: .Makefile. does not set .backwards_compatible_version." err &&
	(cd work && sed -i "s/Makefile:backwards_compatible_version/COMPAT:v/" slipway.conf &&
	 git commit -q -am "no file") &&
	test_expect_code 2 slipway -C work compat --commit HEAD >out 2>err &&
	test_grep "compat.version names .COMPAT:v., but commit [0-9a-f]* has no .COMPAT." err &&
	(cd work && sed -i "s/COMPAT:v/package.json:compat/" slipway.conf &&
	 git commit -q -am "no field") &&
	test_expect_code 2 slipway -C work compat --commit HEAD >out 2>err &&
	test_grep "package.json. at [0-9a-f]* has no top-level field .compat." err
'

test_expect_success 'the release reads the compat version on staging: not SemVer is exit 2' '
	makefile_compat 1.2 &&
	on_staging "a bad compat version" &&
	snap &&
	test_expect_code 2 slipway -C work release 1.3.0 --yes >out 2>err &&
	test_grep "compat version .1.2. (Makefile:backwards_compatible_version at [0-9a-f]*) is not a semantic version" err &&
	unchanged &&
	makefile_compat 1.2.0 &&
	on_staging "compat version back"
'

test_expect_success 'breaking changes: slipway compat lists them and exits 1' '
	(cd work && test_commit plain plain.txt && git push -q origin staging) &&
	echo v2 >work/api.txt && on_staging "feat(api)!: drop the v1 API" &&
	echo new >work/config.txt &&
	on_staging "rework the configuration" "BREAKING-CHANGE: config.txt replaces the old keys" &&
	git -C work fetch -q &&
	git -C work log --format="    %h %s" --abbrev=8 -2 origin/staging >expect.list &&
	test_expect_code 1 slipway -C work compat >out 2>err &&
	test_grep "^breaking changes since the last release: 2$" out &&
	sed -n "/^    [0-9a-f]\{8\} /p" out >got.list &&
	test_cmp expect.list got.list &&
	test_grep "^next release    needs a new compat version, above 1.2.3$" out &&
	test_grep "slipway: compat: 2 breaking changes since 1.2.3, and the compat version is still 1.2.0" err
'

test_expect_success 'the release refuses them, listing the commits and how to fix it' '
	snap &&
	test_expect_code 1 slipway -C work release 1.3.0 --yes >out 2>err &&
	test_grep "2 commits of .origin/staging. that .origin/master. lacks mark a breaking change, but the compat version 1.2.0 (Makefile:backwards_compatible_version) is not above the current version 1.2.3" err &&
	sed -n "/^    [0-9a-f]\{8\} /p" err >got.list &&
	test_cmp expect.list got.list &&
	test_must_fail grep "plain" err &&
	test_grep "^hint: raise it to the new version, 1.3.0" err &&
	test_grep "^hint: set .backwards_compatible_version = 1.3.0. in Makefile on .origin/staging., push it, then rerun" err &&
	unchanged
'

test_expect_success 'raised on staging, the release goes through' '
	makefile_compat 1.3.0 &&
	on_staging "compat: 1.3.0 for the new API" &&
	git -C work fetch -q &&
	slipway -C work compat >out 2>err &&
	test_grep "^next release    the compat version is raised already (1.3.0, above 1.2.3)$" out &&
	slipway -C work release 1.3.0 --yes >out 2>err &&
	test_grep "^  compat   1.3.0 (Makefile:backwards_compatible_version), raised for breaking changes$" out &&
	test_grep "^released 1.3.0" out &&
	git -C origin.git show master:Makefile >mk &&
	test_grep "^backwards_compatible_version = 1.3.0$" mk &&
	slipway -C work compat >out 2>err &&
	test_grep "^last release    1.3.0 (tag indra-1.3.0)$" out &&
	test_grep "^breaking changes since the last release: none$" out
'

test_expect_success 'a compat version above the new version is refused' '
	back &&
	makefile_compat 1.5.0 &&
	on_staging "compat 1.5.0" &&
	snap &&
	test_expect_code 1 slipway -C work release 1.4.0 --yes >out 2>err &&
	test_grep "the compat version 1.5.0 (Makefile:backwards_compatible_version on .origin/staging.) is greater than the new version 1.4.0" err &&
	test_grep "^hint: .*release 1.5.0 or a later version" err &&
	unchanged &&
	slipway -C work release 1.5.0 --yes >out 2>err &&
	test_grep "^released 1.5.0" out
'

test_expect_success 'compat.auto = major: a breaking change takes a major release' '
	back &&
	sed -i "s/^	version = Makefile:.*/	auto = major/" work/slipway.conf &&
	on_staging "compat follows the major version" &&
	echo gone >work/api.txt && on_staging "feat!: remove the old endpoints" &&
	git -C work fetch -q &&
	slipway -C work compat >out 2>err &&
	test_grep "^compat version  1.0.0 (compat.auto = major (from 1.5.0))$" out &&
	test_grep "^next release    must be a major one (2.0.0 or later)" out &&
	test_expect_code 1 slipway -C work release 1.6.0 --yes >out 2>err &&
	test_grep "1 commit of .origin/staging. that .origin/master. lacks marks a breaking change, but the compat version 1.0.0 (compat.auto = major) is not above the current version 1.5.0" err &&
	test_grep "^hint: with compat.auto = major that takes a major release: slipway release 2.0.0" err &&
	slipway -C work release 2.0.0 --yes >out 2>err &&
	test_grep "^  compat   2.0.0 (compat.auto = major), raised for breaking changes$" out &&
	test "$(git -C origin.git rev-parse indra-2.0.0^{commit})" = "$(git -C origin.git rev-parse master)"
'

test_done
