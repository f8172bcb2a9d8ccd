#!/bin/sh
# t1040-release-edges.sh - what a user's setup may add: tags, attributes, ssh prompts, odd version files.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

# bump_staging: one more commit on the remote's staging
bump_staging() {
	(cd work && git fetch -q && git switch -q staging && git reset -q --hard origin/staging &&
	 test_commit "$1" "$1.txt" && git push -q origin staging) &&
	cd_passed
}

test_expect_success 'setup' '
	setup_release_repo
'

test_expect_success 'push.followTags does not smuggle other tags into the release' '
	git -C work tag -a -m "not for the remote" wip-experiment staging &&
	git -C work config push.followTags true &&
	slipway -C work release 1.3.0 --yes >out 2>err &&
	git -C origin.git tag -l >tags &&
	echo indra-1.3.0 >expect &&
	test_cmp expect tags
'

test_expect_success 'only the tag races: exit 5, the full tag name, nothing pushed' '
	bump_staging t1 &&
	real=$(command -v git) && mkdir -p bin &&
	cat >bin/git <<-EOS &&
	#!/bin/sh
	for a in "\$@"; do
		if [ "\$a" = push ] && [ -f "$TRASH/race" ]; then
			rm -f "$TRASH/race"; "$real" -C "$TRASH/origin.git" tag indra-1.4.0 master; break
		fi
	done
	exec "$real" "\$@"
	EOS
	chmod +x bin/git && touch race &&
	git -C origin.git rev-parse master staging >before &&
	test_expect_code 5 env PATH="$TRASH/bin:$PATH" "$SLIPWAY" -C work release 1.4.0 --yes >out 2>err &&
	test_grep "refs/tags/indra-1.4.0" err &&
	! grep -q "refs/tags/indra-1[^.]" err &&
	git -C origin.git rev-parse master staging >after &&
	test_cmp before after &&
	git -C origin.git tag -d indra-1.4.0 >/dev/null
'

test_expect_success 'an uncommitted .gitattributes in the working tree does not change the merge' '
	(cd work && git switch -q master && git reset -q --hard origin/master &&
	 test_commit "m side" side.txt master-side && git push -q origin master &&
	 git switch -q staging && git reset -q --hard origin/staging &&
	 test_commit "s side" side.txt staging-side && git push -q origin staging) &&
	echo "*.txt merge=union" >work/.gitattributes &&
	test_expect_code 3 slipway -C work release 1.4.0 --yes >out 2>err &&
	test_grep "^    side.txt$" err &&
	rm work/.gitattributes
'

test_expect_success 'a master without the version file: the newest release tag is current' '
	rm -rf origin.git work && setup_release_repo &&
	(cd work && git rm -q modules/node/package.json &&
	 sed -i "/modules.node/d" slipway.conf &&
	 printf "%s\n" "[release]" "	tag = indra-{version}" "	version-file = VERSION" >slipway.conf &&
	 git add slipway.conf && test_commit "no versions" x.txt && git push -q origin staging:master &&
	 git tag -a -m old indra-2.0.0 && git push -q origin indra-2.0.0 &&
	 echo 0.0.1 >VERSION && git add VERSION && test_tick && git commit -q -m version &&
	 git push -q origin staging) &&
	cd_passed &&
	test_expect_code 1 slipway -C work release 1.0.0 --yes >out 2>err &&
	test_grep "the newest release tag, .indra-2.0.0." err &&
	test_grep "not greater than the current .2.0.0." err &&
	slipway -C work release 2.1.0 --yes >out 2>err &&
	git -C origin.git show master:VERSION >v && echo 2.1.0 >expect && test_cmp expect v
'

test_expect_success 'two version files in one Makefile, and a version file listed twice' '
	rm -rf origin.git work && setup_release_repo &&
	(cd work &&
	 printf "VERSION = 1.2.3\r\nAPI_VERSION := v1.2.3 # the api\r\n\r\nall:\r\n\techo ok\r\n" >Makefile &&
	 printf "%s\n" "[release]" "	version-file = Makefile:VERSION" "	version-file = Makefile:API_VERSION" >slipway.conf &&
	 git add . && test_tick && git commit -q -m make && git push -q origin staging) &&
	cd_passed &&
	slipway -C work release 1.3.0 --yes >out 2>err &&
	git -C origin.git show master:Makefile >mk &&
	printf "VERSION = 1.3.0\r\nAPI_VERSION := v1.3.0 # the api\r\n\r\nall:\r\n\techo ok\r\n" >expect &&
	cmp expect mk &&
	(cd work && git fetch -q && git reset -q --hard origin/staging &&
	 printf "\tversion-file = Makefile:VERSION\n" >>slipway.conf && git commit -q -am twice &&
	 git push -q origin staging) &&
	test_expect_code 2 slipway -C work release 1.4.0 --yes >out 2>err &&
	test_grep "Makefile:VERSION. is listed twice" err
'

test_expect_success 'an ssh that asks for a passphrase on the terminal can be answered' '
	rm -rf origin.git work && setup_release_repo &&
	cat >fakessh <<-\EOS &&
	#!/bin/sh
	[ "$1" = -G ] && exit 0	# git asking which ssh this is: "OpenSSH"
	echo "$*" >>"${0%/*}/ssh.log"
	printf "passphrase for the deploy key: " >/dev/tty
	read ans </dev/tty
	[ "$ans" = sesame ] || { echo "wrong passphrase" >&2; exit 255; }
	for last; do :; done
	exec sh -c "$last"
	EOS
	chmod +x fakessh &&
	git -C work config core.sshCommand "$TRASH/fakessh" &&
	git -C work remote set-url origin "ssh://fakehost$TRASH/origin.git" &&
	printf "sesame\nsesame\n" |
		timeout 30 script -qec "$SLIPWAY -C work release 1.3.0 --yes --no-sync" /dev/null >out 2>&1 &&
	test_grep "passphrase for the deploy key" out &&
	test "$(grep -c "upload-pack\|receive-pack" ssh.log)" = 2 &&
	test_grep "released 1.3.0" out &&
	git -C origin.git rev-parse -q --verify refs/tags/indra-1.3.0
'

test_done
