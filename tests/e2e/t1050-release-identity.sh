#!/bin/sh
# t1050-release-identity.sh - the release commit and tag carry the identity git would use.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

# who REF: author, committer (and tagger for a tag) of REF on the remote
who() {
	git -C origin.git log -1 --format='%an <%ae> %at %ai|%cn <%ce> %ct %ci' "$1"
}

# bump NAME: one more commit on the remote's staging
bump() {
	(cd work && git fetch -q && git reset -q --hard origin/staging &&
	 test_commit "$1" "$1.txt" && git push -q origin HEAD:staging) &&
	cd_passed
}

test_expect_success 'setup' '
	setup_release_repo
'

test_expect_success 'from GIT_AUTHOR_* and GIT_COMMITTER_*, raw dates' '
	GIT_AUTHOR_DATE="@1700001234 +0200" GIT_COMMITTER_DATE="1700005678 -0130" \
		slipway -C work release 1.3.0 --yes >out 2>err &&
	who master >actual &&
	echo "A U Thor <author@example.com> 1700001234 2023-11-15 00:33:54 +0200|C O Mitter <committer@example.com> 1700005678 2023-11-14 22:17:58 -0130" >expect &&
	test_cmp expect actual &&
	git -C origin.git for-each-ref --format="%(taggername) %(taggeremail) %(taggerdate:raw)" refs/tags/indra-1.3.0 >tagger &&
	echo "C O Mitter <committer@example.com> 1700005678 -0130" >expect &&
	test_cmp expect tagger
'

test_expect_success 'from user.* and author.* in the git configuration' '
	bump i1 &&
	git -C work config user.name "Conf User" &&
	git -C work config user.email conf@example.com &&
	git -C work config author.name "Conf Author" &&
	(unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL &&
	 slipway -C work release 1.3.1 --yes >out 2>err) &&
	git -C origin.git log -1 --format="%an <%ae>|%cn <%ce>" master >actual &&
	echo "Conf Author <conf@example.com>|Conf User <conf@example.com>" >expect &&
	test_cmp expect actual
'

test_expect_success 'a date in another format is read exactly as git reads it' '
	bump i2 &&
	GIT_COMMITTER_DATE="Thu, 07 Apr 2005 22:13:13 +0200" slipway -C work release 1.3.2 --yes >out 2>err &&
	git -C origin.git log -1 --format="%ct %cI" master >actual &&
	echo "1112904793 2005-04-07T22:13:13+02:00" >expect &&
	test_cmp expect actual
'

test_expect_success 'no identity anywhere: git says so, nothing is pushed' '
	bump i3 &&
	git -C work config --unset user.name && git -C work config --unset user.email &&
	git -C work config --unset author.name &&
	refs_snapshot origin.git >before &&
	(unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL EMAIL &&
	 git -C work config user.useConfigOnly true &&
	 test_must_fail slipway -C work release 1.3.3 --yes >out 2>err) &&
	test_grep "git var failed" err &&
	test_grep "user.useConfigOnly\|identity" err &&
	refs_snapshot origin.git >after &&
	test_cmp before after
'

# same_as_git VERSION: releases VERSION and checks author and committer
# against what `git var` says in the same environment.
same_as_git() {
	bump "v$1" &&
	git -C work var GIT_AUTHOR_IDENT >want.a &&
	git -C work var GIT_COMMITTER_IDENT >want.c &&
	slipway -C work release "$1" --yes >out 2>err &&
	git -C origin.git log -1 --format="%an <%ae> %at %ad" --date=format:%z master >got.a &&
	git -C origin.git log -1 --format="%cn <%ce> %ct %cd" --date=format:%z master >got.c &&
	test_cmp want.a got.a && test_cmp want.c got.c
}

test_expect_success 'an empty user.email (git would write <>) is refused, nothing pushed' '
	git -C work config user.name "Conf User" &&
	git -C work config user.email "" &&
	bump v1.3.9 &&
	refs_snapshot origin.git >before &&
	(unset GIT_AUTHOR_EMAIL GIT_COMMITTER_EMAIL && EMAIL=env@example.com && export EMAIL &&
	 test_expect_code 2 "$SLIPWAY" -C work release 1.4.0 --yes >out 2>err) &&
	test_grep "identity .A U Thor <>. has an empty name or email" err &&
	test_grep "hint: set it with: git config user.name" err &&
	refs_snapshot origin.git >after &&
	test_cmp before after
'

test_expect_success 'an empty author.email falls through to user.email' '
	git -C work config user.email conf@example.com &&
	git -C work config author.email "" &&
	(unset GIT_AUTHOR_EMAIL GIT_COMMITTER_EMAIL && same_as_git 1.4.1)
'

test_expect_success 'configuration given with git -c (GIT_CONFIG_PARAMETERS)' '
	(unset GIT_AUTHOR_NAME GIT_COMMITTER_NAME &&
	 GIT_CONFIG_PARAMETERS="'\''user.name'\''='\''From Dash C'\''" && export GIT_CONFIG_PARAMETERS &&
	 same_as_git 1.4.2 && grep -q "From Dash C" got.a)
'

test_expect_success 'a time zone git does not take as it is written' '
	(GIT_AUTHOR_DATE="1700000000 +0060" && export GIT_AUTHOR_DATE && same_as_git 1.4.3)
'

test_expect_success 'a date git refuses is refused, and nothing is pushed' '
	bump v1.5.0 &&
	refs_snapshot origin.git >before &&
	GIT_AUTHOR_DATE="12345678 +0000" test_must_fail slipway -C work release 1.5.0 --yes >out 2>err &&
	test_grep "invalid date format" err &&
	refs_snapshot origin.git >after &&
	test_cmp before after
'

test_done
