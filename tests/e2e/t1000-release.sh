#!/bin/sh
# t1000-release.sh - a release as plain git sees it.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

test_expect_success 'setup' '
	setup_release_repo
'

test_expect_success 'release 1.3.0 merges, bumps, tags and pushes' '
	cd work &&
	git rev-parse origin/master >../master.before &&
	git rev-parse origin/staging >../staging.before &&
	slipway release 1.3.0 --yes >../out 2>../err &&
	test_grep "released 1.3.0" ../out &&
	cd ../origin.git &&
	m=$(git rev-parse refs/heads/master) &&
	s=$(git rev-parse refs/heads/staging) &&
	test "$m" = "$s" &&
	git rev-parse "$m^1" >../p1 && test_cmp ../master.before ../p1 &&
	git rev-parse "$m^2" >../p2 && test_cmp ../staging.before ../p2 &&
	test_must_fail git rev-parse -q --verify "$m^3" &&
	test "$(git cat-file -t refs/tags/indra-1.3.0)" = tag &&
	test "$(git rev-parse refs/tags/indra-1.3.0^{commit})" = "$m" &&
	git log -1 --format=%s "$m" >../subject &&
	echo "Deploy indra-1.3.0" >../expect && test_cmp ../expect ../subject &&
	git fsck --strict --no-dangling
'

test_expect_success 'only the version values changed' '
	cd origin.git &&
	m=$(git rev-parse master) &&
	git diff --name-only "$m^2" "$m" >../changed &&
	printf "modules/node/package.json\npackage.json\n" >../expect &&
	test_cmp ../expect ../changed &&
	git show "$m:package.json" >../after &&
	git show "$m^2:package.json" | sed "s/\"version\": \"1.2.3\"/\"version\": \"1.3.0\"/" >../want &&
	cmp ../want ../after &&
	git diff "$m^2" "$m" -- modules/node/package.json | grep "^[-+] " >../d &&
	printf "%s\n" "-  \"version\": \"1.2.3\"," "+  \"version\": \"1.3.0\"," >../expect &&
	test_cmp ../expect ../d
'

test_expect_success 'local refs follow only after the push' '
	cd work &&
	test "$(git rev-parse origin/master)" = "$(git -C ../origin.git rev-parse master)" &&
	test "$(git rev-parse indra-1.3.0)" = "$(git -C ../origin.git rev-parse indra-1.3.0)" &&
	test "$(git rev-parse master)" = "$(git -C ../origin.git rev-parse master)" &&
	git status --porcelain >../st && test_must_fail test -s ../st
'

test_expect_success 'the checked-out branch is left alone, with a note' '
	cd work &&
	git merge -q --ff-only origin/staging &&
	test_commit next next.txt &&
	git push -q origin staging &&
	git rev-parse HEAD >../before &&
	cd_passed &&
	slipway release 1.3.1 --yes >../out 2>../err &&
	test_grep "is checked out" ../err &&
	git rev-parse HEAD >../after && test_cmp ../before ../after &&
	git status --porcelain >../st && test_must_fail test -s ../st
'

test_expect_success 'a second release needs a greater version' '
	cd work &&
	git merge -q --ff-only origin/staging &&
	test_commit more more.txt && git push -q origin staging &&
	cd_passed &&
	test_expect_code 1 slipway release 1.3.1 --yes 2>../err &&
	test_grep "not greater than the current .1.3.1." ../err
'

test_expect_success 'reading the remote writes no ref and no FETCH_HEAD' '
	git clone -q -b staging origin.git other &&
	(cd other && test_commit elsewhere elsewhere.txt && git push -q origin staging) &&
	cd_passed && slipway -C work sync >/dev/null &&
	rm -f work/.git/FETCH_HEAD &&
	refs_snapshot work >before &&
	slipway -C work release 2.0.0 --dry-run >out 2>err &&
	test_grep "release 2.0.0: merge origin/staging ($(git -C other rev-parse --short=8 HEAD))" out &&
	refs_snapshot work >after &&
	test_cmp before after &&
	test_must_fail test -e work/.git/FETCH_HEAD &&
	git -C work cat-file -e "$(git -C other rev-parse HEAD)"
'

test_expect_success 'dry run and status write no object; a release leaves no quarantine' '
	git -C work fetch -q &&
	cd_passed && slipway -C work sync >/dev/null &&
	(cd work/.git/objects && find . -type f | sort) >before &&
	slipway -C work release 3.1.4 --dry-run >out 2>err &&
	slipway -C work status >out 2>err &&
	(cd work/.git/objects && find . -type f | sort) >after &&
	test_cmp before after &&
	slipway -C work release 2.0.0 --yes >out 2>err &&
	! ls -d work/.git/objects/slipway-quarantine-* 2>/dev/null &&
	git -C work cat-file -e indra-2.0.0 &&
	git -C work fsck --strict --no-dangling 2>fsck.err &&
	test_must_fail test -s fsck.err
'

test_expect_success 'master with a commit staging lacks: the merge brings both sides' '
	(cd work && git fetch -q && git switch -q -C hot origin/master &&
	 echo hot >hotfix.txt && git add hotfix.txt && git commit -q -m hotfix &&
	 git push -q origin HEAD:master &&
	 git switch -q -C side origin/staging && echo side >side.txt && git add side.txt &&
	 git commit -q -m side && git push -q origin HEAD:staging) &&
	remote_heads origin.git >heads &&
	git -C origin.git merge-tree --write-tree master staging >expect.tree &&
	cd_passed &&
	slipway -C work release 2.1.0 --yes >out 2>err &&
	check_released origin.git 2.1.0 heads &&
	git -C origin.git show master:hotfix.txt >/dev/null &&
	git -C origin.git show master:side.txt >/dev/null &&
	git -C origin.git diff --name-only "$(cat expect.tree)" master >changed &&
	{ grep -v "package.json\$" changed >unexpected || :; } &&
	test_must_fail test -s unexpected
'

test_done
