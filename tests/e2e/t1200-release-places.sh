#!/bin/sh
# t1200-release-places.sh - a release works from wherever it is run (a
# subdirectory, a detached HEAD, a dirty tree, a linked worktree) and never
# touches the working tree; --dry-run changes nothing anywhere.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

test_expect_success 'from a subdirectory' '
	fresh_release_repo &&
	remote_heads origin.git >heads &&
	tree_snapshot work >before &&
	(cd work/modules/node && slipway release 1.3.0 --yes </dev/null >../../../out 2>../../../err) &&
	test_grep "^released 1\.3\.0" out &&
	check_released origin.git 1.3.0 heads &&
	tree_snapshot work >after && test_cmp before after
'

test_expect_success 'from a detached HEAD' '
	fresh_release_repo &&
	git -C work checkout -q --detach HEAD^ &&
	remote_heads origin.git >heads &&
	tree_snapshot work >before &&
	grep -qx detached before &&
	(cd work && slipway release 1.3.0 --yes </dev/null >../out 2>../err) &&
	test_grep "^released 1\.3\.0" out &&
	check_released origin.git 1.3.0 heads &&
	tree_snapshot work >after && test_cmp before after
'

test_expect_success 'with a dirty working tree (modified, staged, untracked)' '
	fresh_release_repo &&
	(
		cd work &&
		printf "local edit\n" >>README &&
		printf "staged edit\n" >>feature.txt && git add feature.txt &&
		printf "{\"version\": \"9.9.9\"}\n" >modules/node/package.json &&
		printf "scratch\n" >untracked.txt &&
		git status --porcelain >../st &&
		test_grep "^ M README" ../st &&
		test_grep "^M  feature.txt" ../st &&
		test_grep "^ M modules/node/package.json" ../st &&
		test_grep "^?? untracked.txt" ../st
	) &&
	cp -Rp work work.copy &&
	remote_heads origin.git >heads &&
	tree_snapshot work >before &&
	(cd work && slipway release 1.3.0 --yes </dev/null >../out 2>../err) &&
	test_grep "^released 1\.3\.0" out &&
	check_released origin.git 1.3.0 heads &&
	tree_snapshot work >after && test_cmp before after &&
	for f in README feature.txt package.json modules/node/package.json untracked.txt; do
		cmp work.copy/$f work/$f || exit 1
	done &&
	git -C origin.git show master:modules/node/package.json >pushed &&
	test_grep "\"version\": \"1\.3\.0\"" pushed &&
	test_grep "\"name\": \"@indra/node\"" pushed
'

test_expect_success 'from a linked worktree' '
	fresh_release_repo &&
	git -C work worktree add -q ../wt master &&
	printf "wip\n" >>wt/README &&
	remote_heads origin.git >heads &&
	tree_snapshot wt >before.wt &&
	tree_snapshot work >before.work &&
	(cd wt && slipway release 1.3.0 --yes </dev/null >../out 2>../err) &&
	test_grep "^released 1\.3\.0" out &&
	check_released origin.git 1.3.0 heads &&
	tree_snapshot wt >after.wt && test_cmp before.wt after.wt &&
	tree_snapshot work >after.work && test_cmp before.work after.work &&
	test "$(git -C wt rev-parse indra-1.3.0^{commit})" = "$(git -C origin.git rev-parse master)"
'

test_expect_success '--dry-run prints the plan and changes nothing anywhere' '
	fresh_release_repo &&
	refs_snapshot work >before &&
	refs_snapshot origin.git >before.remote &&
	tree_snapshot work >before.tree &&
	find origin.git -type f | sort >before.files &&
	(cd work && slipway release 1.3.0 --dry-run </dev/null >../out 2>../err) &&
	m=$(git -C origin.git rev-parse --short=8 master) &&
	s=$(git -C origin.git rev-parse --short=8 staging) &&
	test_grep "^release 1\.3\.0: .*$s.*$m" out &&
	test_grep "version  *package\.json: 1\.2\.3 -> 1\.3\.0$" out &&
	test_grep "version  *modules/node/package\.json: 1\.2\.3 -> 1\.3\.0$" out &&
	test_grep "tag  *indra-1\.3\.0 " out &&
	test_grep "Deploy indra-1\.3\.0" out &&
	test_grep "dry run" out &&
	refs_snapshot work >after && test_cmp before after &&
	refs_snapshot origin.git >after.remote && test_cmp before.remote after.remote &&
	tree_snapshot work >after.tree && test_cmp before.tree after.tree &&
	find origin.git -type f | sort >after.files && test_cmp before.files after.files &&
	test_must_fail git -C work rev-parse -q --verify refs/tags/indra-1.3.0
'

test_done
