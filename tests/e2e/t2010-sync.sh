#!/bin/sh
# t2010-sync.sh - slipway sync: records travel with the remote; two writers' chains merge.
. "$(dirname "$0")/lib.sh"

# records REPO REF: the number of records (non-merge commits) in a chain
records() {
	git -C "$1" rev-list --no-merges --count "$2"
}

test_expect_success 'setup: a remote and two clones' '
	git init -q --bare origin.git &&
	git clone -q origin.git alice 2>/dev/null &&
	(cd alice && test_commit one && git push -q origin master) &&
	git clone -q origin.git bob
'

test_expect_success 'alice records and syncs: the remote gets the chains' '
	(cd alice && slipway record ci --status pass >/dev/null && slipway sync >../out) &&
	test_grep "synced records with .origin.: 0 in, 2 out, 0 merged" out &&
	git -C alice for-each-ref refs/slipway >a && git -C origin.git for-each-ref refs/slipway >o &&
	test_cmp a o
'

test_expect_success 'bob records on the same commit, then syncs: the chains merge' '
	test_tick &&
	(cd bob && slipway record cd --status fail >/dev/null && slipway sync >../out) &&
	test_grep "2 merged" out &&
	ref=$(git -C origin.git for-each-ref --format="%(refname)" refs/slipway | head -1) &&
	test "$(records origin.git "$ref")" = 2 &&
	test "$(git -C origin.git rev-list --merges --count "$ref")" = 1 &&
	git -C origin.git log -p "$ref" >log &&
	test_grep "\"pipeline\": \"ci\"" log &&
	test_grep "\"pipeline\": \"cd\"" log &&
	git -C origin.git fsck --strict --no-dangling
'

test_expect_success 'alice syncs again: a fast-forward, nothing pushed; all agree' '
	(cd alice && slipway sync >../out) &&
	test_grep "2 in, 0 out, 0 merged" out &&
	git -C alice for-each-ref refs/slipway >a &&
	git -C bob for-each-ref refs/slipway >b &&
	git -C origin.git for-each-ref refs/slipway >o &&
	test_cmp o a && test_cmp o b &&
	test -s alice/.git/slipway/last-sync
'

test_expect_success 'a sync racing another one retries and loses nothing' '
	(cd alice && test_tick && slipway record ci --status pass >/dev/null) &&
	(cd bob && test_tick && slipway record ci --status fail >/dev/null) &&
	real=$(command -v git) && mkdir -p bin &&
	cat >bin/git <<-EOS &&
	#!/bin/sh
	for a in "\$@"; do
		if [ "\$a" = push ] && [ -f "$TRASH/race" ]; then
			rm -f "$TRASH/race"; (cd "$TRASH/bob" && "$SLIPWAY" sync >/dev/null); break
		fi
	done
	exec "$real" "\$@"
	EOS
	chmod +x bin/git && touch race &&
	(cd alice && PATH="$TRASH/bin:$PATH" "$SLIPWAY" sync >../out) &&
	test_grep "2 tries" out &&
	(cd bob && slipway sync >/dev/null) &&
	ref=$(git -C origin.git for-each-ref --format="%(refname)" refs/slipway | head -1) &&
	test "$(records origin.git "$ref")" = 4 &&
	git -C alice for-each-ref refs/slipway >a && git -C bob for-each-ref refs/slipway >b &&
	git -C origin.git for-each-ref refs/slipway >o && test_cmp o a && test_cmp o b
'

test_expect_success 'no such remote: exit 2, nothing written' '
	git -C alice for-each-ref >before &&
	(cd alice && test_expect_code 2 "$SLIPWAY" sync --remote nosuch 2>../err) &&
	test_grep "remote .nosuch. does not exist" err &&
	git -C alice for-each-ref >after && test_cmp before after
'

test_expect_success 'bad arguments: exit 2, named, nothing written' '
	git -C alice for-each-ref >before &&
	(cd alice && test_expect_code 2 "$SLIPWAY" sync extra 2>../err) &&
	test_grep "slipway: sync: unexpected argument .extra." err &&
	(cd alice && test_expect_code 2 "$SLIPWAY" sync --bogus 2>../err) &&
	test_grep "slipway: sync: unknown option .--bogus." err &&
	git -C alice for-each-ref >after && test_cmp before after
'

test_done
