#!/bin/sh
# t1010-release-conflict.sh - a release that would conflict changes nothing and says how to fix it.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

test_expect_success 'setup: staging and master change the same lines' '
	setup_release_repo &&
	cd work &&
	git switch -q master &&
	test_commit "hotfix a" a.txt "master a" &&
	test_commit "hotfix b" sub/b.txt "master b" &&
	git push -q origin master &&
	git switch -q staging &&
	test_commit "feature a" a.txt "staging a" &&
	test_commit "feature b" sub/b.txt "staging b" &&
	test_commit "feature c" c.txt "only on staging" &&
	git push -q origin staging &&
	echo dirty >>README && echo new >untracked.txt
'

test_expect_success 'release exits 3, lists every conflicting path, changes nothing' '
	refs_snapshot work >before.local &&
	refs_snapshot origin.git >before.remote &&
	(cd work && find . -path ./.git -prune -o -type f -print | sort | xargs md5sum) >before.files &&
	(cd work/.git/objects && find . -type f | sort) >before.objects &&
	test_expect_code 3 slipway -C work release 1.3.0 --yes >out 2>err &&
	test_grep "conflicts with .origin/master. in 2 files:$" err &&
	test_grep "^    a.txt$" err &&
	test_grep "^    sub/b.txt$" err &&
	! grep -q "c.txt" err &&
	test_grep "hint: merge .origin/master. into .staging." err &&
	refs_snapshot work >after.local &&
	refs_snapshot origin.git >after.remote &&
	(cd work && find . -path ./.git -prune -o -type f -print | sort | xargs md5sum) >after.files &&
	test_cmp before.local after.local &&
	test_cmp before.remote after.remote &&
	test_cmp before.files after.files &&
	(cd work/.git/objects && find . -type f | sort) >after.objects &&
	test_cmp before.objects after.objects
'

test_expect_success 'status reports the conflict without failing' '
	slipway -C work status >out 2>err &&
	test_grep "would conflict in 2 files" out &&
	test_grep "a.txt" out
'

test_expect_success 'after merging master into staging the release goes through' '
	cd work &&
	git stash -q -u &&
	git merge -q origin/master 2>/dev/null;
	printf "staging a\n" >a.txt && printf "staging b\n" >sub/b.txt &&
	git add a.txt sub/b.txt && test_tick && git commit -q -m "merge master" &&
	git push -q origin staging &&
	cd_passed &&
	slipway release 1.3.0 --yes >../out 2>../err &&
	test "$(git -C ../origin.git rev-parse master)" = "$(git -C ../origin.git rev-parse staging)" &&
	git -C ../origin.git show master:a.txt >../a && echo "staging a" >../expect &&
	test_cmp ../expect ../a
'

test_done
