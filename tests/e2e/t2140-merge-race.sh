#!/bin/sh
# t2140-merge-race.sh - staging or the branch moves between the gate and the push; hook install.
. "$(dirname "$0")/lib.sh"

unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

# A git that runs race.sh once, right before the push that moves staging.
install_racing_git() {
	mkdir -p "$TRASH/bin" &&
	real=$(command -v git) &&
	cat >"$TRASH/bin/git" <<-EOS &&
	#!/bin/sh
	for a in "\$@"; do
		case "\$a" in
		*:refs/heads/staging)
			if [ -f "$TRASH/race" ]; then
				rm -f "$TRASH/race"
				sh "$TRASH/race.sh" >"$TRASH/race.log" 2>&1
			fi
			break;;
		esac
	done
	exec "$real" "\$@"
	EOS
	chmod +x "$TRASH/bin/git"
}

# clone NAME: a developer's clone with its own identity
clone() {
	git clone -q origin.git "$1" 2>/dev/null &&
	git -C "$1" config user.name "$1" &&
	git -C "$1" config user.email "$1@example.com"
}

# ready BRANCH: alice's branch with CI green and bob's approval, shared
ready() {
	f=$(echo "$1" | tr / -) &&
	(cd alice && git switch -q -c "$1" origin/staging && echo "$1" >"$f.txt" &&
	 git add "$f.txt" && git commit -q -m "$1" && git push -q origin "$1" &&
	 slipway record ci --status pass >/dev/null && slipway review request >/dev/null) &&
	(cd bob && git fetch -q && slipway review approve "$1" >/dev/null)
}

test_expect_success 'setup: a remote, alice and bob, a racing git' '
	git init -q --bare origin.git &&
	clone alice &&
	(cd alice && test_commit one && git push -q origin HEAD:master HEAD:staging) &&
	clone bob &&
	install_racing_git
'

test_expect_success 'staging moves between the gate and the push: exit 5, nothing pushed' '
	ready feature/a &&
	cat >race.sh <<-EOS &&
	cd "$TRASH/bob" && git fetch -q && git switch -q -C staging origin/staging &&
	echo racer >racer.txt && git add racer.txt && git commit -q -m racer &&
	git push -q origin staging
	EOS
	touch race &&
	test_expect_code 5 env PATH="$TRASH/bin:$PATH" "$SLIPWAY" -C alice merge feature/a \
		>out 2>err &&
	test_must_fail test -f race &&
	test_grep "changed since it was fetched" err &&
	test_grep "rerun .slipway merge feature/a." err &&
	test "$(git -C origin.git log -1 --format=%s staging)" = racer
'

test_expect_success 'the rerun merges onto the new staging' '
	(cd alice && slipway merge feature/a >../out) &&
	test_grep "^merged feature/a at" out &&
	test "$(git -C origin.git rev-parse staging^1)" = "$(git -C bob rev-parse staging)" &&
	test "$(git -C origin.git rev-parse staging^2)" = "$(git -C alice rev-parse feature/a)"
'

test_expect_success 'the branch moves between the gate and the push: exit 5, staging kept' '
	ready feature/b &&
	cat >race.sh <<-EOS &&
	cd "$TRASH/alice" && echo more >>feature-b.txt &&
	git add -A && git commit -q -m "late commit" && git push -q origin feature/b
	EOS
	touch race &&
	before=$(git -C origin.git rev-parse staging) &&
	test_expect_code 5 env PATH="$TRASH/bin:$PATH" "$SLIPWAY" -C alice merge feature/b \
		>out 2>err &&
	test_grep "changed since it was fetched" err &&
	test "$(git -C origin.git rev-parse staging)" = "$before" &&
	test "$(git -C origin.git log -1 --format=%s feature/b)" = "late commit"
'

test_expect_success 'the rerun sees the new head: no CI, the approval stale, refused' '
	test_expect_code 1 slipway -C alice merge feature/b >out 2>err &&
	test_grep "^  ci      no   no ci result for" out &&
	test_grep "approval is stale" out &&
	test_grep "does not pass the gate; nothing was merged" err
'

test_expect_success 'hook install keeps a hook that is not slipway'"'"'s, --force replaces it' '
	printf "#!/bin/sh\nexit 0\n" >origin.git/hooks/pre-receive &&
	test_expect_code 1 slipway -C origin.git hook install 2>err &&
	test_grep "exists and is not slipway.s" err &&
	test_grep "^hint: .*--force" err &&
	test_grep "exit 0" origin.git/hooks/pre-receive &&
	slipway -C origin.git hook install --force >out &&
	test_grep "^installed .*hooks/pre-receive" out &&
	test_grep "hook pre-receive" origin.git/hooks/pre-receive &&
	test -x origin.git/hooks/pre-receive &&
	slipway -C origin.git hook install >out &&
	test_grep "^installed" out
'

test_expect_success 'hook install writes a commit-graph covering staging' '
	rm -rf origin.git/objects/info/commit-graph origin.git/objects/info/commit-graphs &&
	slipway -C origin.git hook install >out 2>err &&
	! grep commit-graph err &&
	git -C origin.git commit-graph verify &&
	test -s origin.git/objects/info/commit-graphs/commit-graph-chain &&
	graph=$(head -n 1 origin.git/objects/info/commit-graphs/commit-graph-chain) &&
	test -s "origin.git/objects/info/commit-graphs/graph-$graph.graph"
'

test_expect_success 'hook pre-receive: malformed input is exit 2; nothing to check is 0' '
	echo "not a line" | test_expect_code 2 env GIT_DIR=origin.git "$SLIPWAY" hook pre-receive 2>err &&
	test_grep "malformed update line .not a line." err &&
	: | env GIT_DIR=origin.git "$SLIPWAY" hook pre-receive &&
	test_expect_code 2 slipway -C origin.git hook 2>err &&
	test_grep "install or pre-receive" err &&
	test_expect_code 2 slipway -C origin.git hook pre-receive --force 2>err &&
	test_grep "^usage:" err
'

test_done
