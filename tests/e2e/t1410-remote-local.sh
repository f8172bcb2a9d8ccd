#!/bin/sh
# t1410-remote-local.sh - a remote on this machine's disk is read in process
# (no git ls-remote), and git reads it where only git knows the answer.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

# A git that logs its subcommands to $TRASH/git.log, then runs the real one.
test_expect_success 'setup' '
	mkdir -p bin &&
	real=$(command -v git) &&
	cat >bin/git <<-EOS &&
	#!/bin/sh
	for a in "\$@"; do case \$a in -*) ;; *) echo "\$a" >>"$TRASH/git.log"; break ;; esac; done
	exec "$real" "\$@"
	EOS
	chmod +x bin/git
'

# status_with_log: slipway status in work with the logging git; ../out, ../git.log
status_with_log() {
	rm -f "$TRASH/git.log" && touch "$TRASH/git.log" &&
	(cd work && env PATH="$TRASH/bin:$PATH" "$SLIPWAY" status </dev/null >../out 2>../err)
}

test_expect_success 'a remote at a path: its heads read without git ls-remote' '
	fresh_release_repo &&
	status_with_log &&
	test_grep "^staging  *$(git -C origin.git rev-parse --short=8 staging) " out &&
	test_grep "^master  *$(git -C origin.git rev-parse --short=8 master) " out &&
	! grep -x ls-remote git.log
'

test_expect_success 'the same through a file:// URL, and a head moved in the remote since' '
	fresh_release_repo &&
	git -C work remote set-url origin "file://$TRASH/origin.git" &&
	(cd work && git switch -q staging && test_commit later later.txt && git push -q origin staging) &&
	status_with_log &&
	test_grep "^staging  *$(git -C origin.git rev-parse --short=8 staging) " out &&
	test_grep "2 commits ahead" out &&
	! grep -x ls-remote git.log
'

test_expect_success 'url.*.insteadOf leading to a path is followed' '
	fresh_release_repo &&
	git -C work remote set-url origin "example:origin" &&
	git -C work config "url.$TRASH/origin.git.insteadOf" "example:origin" &&
	status_with_log &&
	test_grep "^staging  *$(git -C origin.git rev-parse --short=8 staging) " out &&
	! grep -x ls-remote git.log
'

test_expect_success 'a remote hiding refs (uploadpack.hideRefs) is left to git: what it hides stays hidden' '
	fresh_release_repo &&
	git -C origin.git config uploadpack.hideRefs refs/heads/staging &&
	test_when_finished "git -C origin.git config --unset uploadpack.hideRefs" &&
	test_expect_code 2 env PATH="$TRASH/bin:$PATH" "$SLIPWAY" -C work status </dev/null >out 2>err &&
	grep -x ls-remote git.log &&
	test_grep "staging" err
'

test_done
