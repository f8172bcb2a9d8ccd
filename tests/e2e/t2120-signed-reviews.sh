#!/bin/sh
# t2120-signed-reviews.sh - gate.require-signed: only reviews signed by a key in
# staging's .slipway/allowed_signers, as the reviewer's email, count; unsigned ones,
# unknown keys, forged names and records altered after signing do not, and the
# gate says why.
. "$(dirname "$0")/lib.sh"

# LeakSanitizer lists the suppressions it used on stderr: keep stderr for slipway,
# as some checks here want it empty.
export LSAN_OPTIONS="$LSAN_OPTIONS:print_suppressions=0"

# Each clone speaks for the identity in its own git config, not for lib.sh's.
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

# chain BRANCH: the ref of a branch's review chain
chain() {
	echo "refs/slipway/review/$(printf 'branch:%s' "$1" | git hash-object --stdin)"
}

# short REV: the 8-digit short id slipway prints (of the remote's object)
short() {
	git -C "$TRASH/origin.git" rev-parse --short=8 "$1"
}

# feature BRANCH: a branch off staging with one commit, pushed by alice, its
# review requested and shared.
feature() {
	(
		cd "$TRASH/alice" &&
		git fetch -q origin &&
		git checkout -q -B "$1" origin/staging &&
		test_commit "$1" "$1.c" "int $1;" &&
		git push -q -u origin "$1" 2>/dev/null &&
		"$SLIPWAY" review request >/dev/null
	)
}

# clone WHO [KEY]: WHO's clone; with KEY, git signs with that ssh key
clone() {
	git clone -q "$TRASH/origin.git" "$TRASH/$1" &&
	git -C "$TRASH/$1" config user.name "$1" &&
	git -C "$TRASH/$1" config user.email "$1@example.com" &&
	if [ -n "${2:-}" ]; then
		git -C "$TRASH/$1" config gpg.format ssh &&
		git -C "$TRASH/$1" config user.signingkey "$TRASH/keys/$2"
	fi
}

# gate CLONE BRANCH: fetches, syncs, runs the gate into gate.out (without the
# last line, the age of the records); the gate's exit status is in gate.rc
gate() {
	(cd "$TRASH/$1" && git fetch -q origin && "$SLIPWAY" sync >/dev/null) &&
	(cd "$TRASH/$1" && "$SLIPWAY" gate "$2" >"$TRASH/gate.full" 2>"$TRASH/gate.err"
	 echo $? >"$TRASH/gate.rc") &&
	grep -v "^records: " "$TRASH/gate.full" >"$TRASH/gate.out"
}

test_expect_success 'setup: keys, the signers on staging, the rule, four reviewers' '
	mkdir keys &&
	for k in bob eve mallory; do
		ssh-keygen -q -t ed25519 -N "" -C "$k key" -f keys/$k || return 1
	done &&
	git init -q --bare origin.git &&
	git clone -q origin.git alice 2>/dev/null &&
	git -C alice config user.name alice &&
	git -C alice config user.email alice@example.com &&
	(
		cd alice &&
		mkdir .slipway &&
		echo "bob@example.com namespaces=\"slipway\" $(cat ../keys/bob.pub)" \
			>.slipway/allowed_signers &&
		echo "mallory@example.com $(cat ../keys/mallory.pub)" >>.slipway/allowed_signers &&
		printf "[gate]\n\trule = review\n\trequire-signed = true\n" >slipway.conf &&
		git add slipway.conf .slipway && test_commit initial README hello &&
		git push -q origin master master:staging
	) &&
	for b in signed unsigned unknown altered garbled forged; do
		feature $b || return 1
	done &&
	clone bob bob && clone dave && clone eve eve && clone mallory mallory &&
	git -C mallory config user.email bob@example.com &&
	clone carol &&
	git -C origin.git for-each-ref --format="%(refname)" refs/slipway/review >refs &&
	test "$(wc -l <refs)" = 6
'

test_expect_success 'bob approves, signed: record.json.sig beside the record' '
	(cd bob && slipway review approve signed -m "looks good" >../out 2>../err) &&
	echo "approved signed at $(short signed)" >expect && test_cmp expect out &&
	test ! -s err &&
	ref=$(chain signed) &&
	git -C origin.git cat-file -p "$ref^{tree}" >tree &&
	test "$(wc -l <tree)" = 2 &&
	test_grep "	record.json\$" tree &&
	test_grep "	record.json.sig\$" tree &&
	git -C origin.git ls-tree --name-only "$ref~1" >tree1 &&
	echo record.json >expect && test_cmp expect tree1 &&
	git -C origin.git show "$ref:record.json" >rec &&
	test_grep "\"by\": \"bob@example.com\"" rec &&
	test_grep "\"type\": \"approve\"" rec &&
	test_grep "\"head\": \"$(git -C origin.git rev-parse signed)\"" rec &&
	git -C origin.git show "$ref:record.json.sig" >sig &&
	head -1 sig >first && echo "-----BEGIN SSH SIGNATURE-----" >expect && test_cmp expect first
'

test_expect_success 'ssh-keygen -Y verify (not slipway) accepts the signature' '
	git -C origin.git show staging:.slipway/allowed_signers >allowed &&
	ssh-keygen -Y verify -f allowed -I bob@example.com -n slipway -s sig <rec >out 2>&1 &&
	test_grep "^Good \"slipway\" signature for bob@example.com with ED25519 key" out &&
	fp=$(ssh-keygen -lf keys/bob.pub | cut -d" " -f2) &&
	test_grep "key $fp" out &&
	! ssh-keygen -Y verify -f allowed -I bob@example.com -n git -s sig <rec \
		>out 2>&1 &&
	sed "s/looks good/looks bad/" rec >rec2 &&
	! ssh-keygen -Y verify -f allowed -I bob@example.com -n slipway -s sig \
		<rec2 >out 2>&1 &&
	test_grep "incorrect signature" out
'

test_expect_success 'a review signed by an allowed key counts: the gate passes' '
	gate alice signed &&
	echo 0 >expect && test_cmp expect gate.rc &&
	h=$(short signed) &&
	cat >expect <<-EOF &&
	gate for signed at $h (origin/signed)
	rule: review
	  review  yes  1 of 1 approval at $h (signed ones only)
	               bob@example.com approved $h
	verdict: pass
	EOF
	test_cmp expect gate.out
'

test_expect_success 'queue and the gate agree on a signed approval' '
	(cd alice && slipway queue >../out) &&
	test_grep "^  . signed  *alice@example.com .* approved  *gate passes\$" out &&
	test_grep "^  . unsigned  *alice@example.com .* needs review  *gate lacks review\$" out
'

test_expect_success 'an unsigned review does not count, and the gate says why' '
	(cd dave && slipway review approve unsigned >../out) &&
	git -C origin.git ls-tree --name-only "$(chain unsigned)" >tree &&
	echo record.json >expect && test_cmp expect tree &&
	gate alice unsigned &&
	cat gate.full gate.err && echo 1 >expect && test_cmp expect gate.rc &&
	h=$(short unsigned) &&
	cat >expect <<-EOF &&
	gate for unsigned at $h (origin/unsigned)
	rule: review
	  review  no   0 of 1 approval at $h (signed ones only)
	               dave@example.com'"'"'s approval does not count: unsigned
	verdict: fail
	EOF
	test_cmp expect gate.out
'

test_expect_success 'without require-signed, the same unsigned review counts' '
	clone nosign &&
	printf "[gate]\n\trule = review\n" >nosign/slipway.conf &&
	(cd nosign && slipway sync >/dev/null && slipway gate unsigned >../out) &&
	test_grep "^  review  yes  1 of 1 approval at $(short unsigned)\$" out &&
	test_grep "^               dave@example.com approved $(short unsigned)\$" out
'

test_expect_success 'signed by a key not in allowed_signers: does not count, the key named' '
	(cd eve && slipway review approve unknown >/dev/null) &&
	git -C origin.git ls-tree --name-only "$(chain unknown)" >tree &&
	test_grep "^record.json.sig\$" tree &&
	gate alice unknown &&
	cat gate.full gate.err && echo 1 >expect && test_cmp expect gate.rc &&
	fp=$(ssh-keygen -lf keys/eve.pub | cut -d" " -f2) &&
	test_grep "^  review  no   0 of 1 approval at $(short unknown) (signed ones only)\$" gate.out &&
	test_grep "eve@example.com.s approval does not count: signed by a key not in .slipway/allowed_signers ($fp)\$" gate.out &&
	test_grep "^verdict: fail\$" gate.out
'

test_expect_success 'a key allowed for someone else: a record claiming bob does not count' '
	(cd mallory && slipway review approve forged -m "lgtm, bob" >/dev/null) &&
	git -C origin.git show "$(chain forged):record.json" >rec &&
	test_grep "\"by\": \"bob@example.com\"" rec &&
	gate alice forged &&
	cat gate.full gate.err && echo 1 >expect && test_cmp expect gate.rc &&
	test_grep "^  review  no   0 of 1 approval at $(short forged)" gate.out &&
	test_grep "bob@example.com.s approval does not count: signed by .mallory@example.com., not by .bob@example.com.\$" gate.out
'

# rewrite CLONE REF FILE CONTENT: replaces FILE in the record at REF's tip,
# keeping the other file, as a commit with the same parent and message, and
# moves REF there (what someone with write access to the refs could do)
rewrite() {
	(
		cd "$TRASH/$1" &&
		tip=$(git rev-parse "$2") &&
		git ls-tree "$tip" | grep -v "	$3\$" >tree.txt &&
		blob=$(printf "%s" "$4" | git hash-object -w --stdin) &&
		printf "100644 blob %s\t%s\n" "$blob" "$3" >>tree.txt &&
		tree=$(git mktree <tree.txt) && rm tree.txt &&
		new=$(git log -1 --format=%B "$tip" |
			git commit-tree "$tree" -p "$(git rev-parse "$tip^")") &&
		git update-ref "$2" "$new" "$tip"
	)
}

test_expect_success 'a record altered after signing does not count: the signature does not match' '
	(cd bob && slipway review approve altered -m ok >/dev/null) &&
	(
		cd alice && git checkout -q altered && test_commit "altered, again" altered.c v2 &&
		git push -q origin altered
	) &&
	v1=$(git -C origin.git rev-parse altered~1) && v2=$(git -C origin.git rev-parse altered) &&
	gate carol altered &&
	cat gate.full gate.err && echo 1 >expect && test_cmp expect gate.rc &&
	test_grep "bob@example.com.s approval is stale: it was for $(short altered~1)\$" gate.out &&
	ref=$(chain altered) &&
	old=$(git -C carol rev-parse "$ref") &&
	git -C carol show "$ref:record.json" | sed "s/$v1/$v2/" >rec &&
	test_grep "\"head\": \"$v2\"" rec &&
	rewrite carol "$ref" record.json "$(cat rec)
" &&
	test "$(git -C carol rev-parse "$ref")" != "$old" &&
	test "$(git -C carol rev-parse "$ref:record.json.sig")" = \
		"$(git -C carol rev-parse "$old:record.json.sig")" &&
	(cd carol && test_expect_code 1 "$SLIPWAY" gate altered >../out) &&
	test_grep "^  review  no   0 of 1 approval at $(short altered) (signed ones only)\$" out &&
	test_grep "bob@example.com.s approval does not count: signature does not match the record\$" out &&
	test_grep "^verdict: fail\$" out &&
	git -C carol show "$ref:record.json.sig" >sig &&
	git -C origin.git show staging:.slipway/allowed_signers >allowed &&
	! ssh-keygen -Y verify -f allowed -I bob@example.com -n slipway -s sig \
		<rec >out 2>&1 &&
	test_grep "incorrect signature" out
'

test_expect_success 'a record whose signature was replaced by junk does not count' '
	(cd bob && slipway review approve garbled >/dev/null) &&
	clone frank && (cd frank && slipway sync >/dev/null) &&
	ref=$(chain garbled) &&
	rewrite frank "$ref" record.json.sig "this is no signature
" &&
	(cd frank && test_expect_code 1 "$SLIPWAY" gate garbled >../out) &&
	test_grep "bob@example.com.s approval does not count: bad signature: not an ssh signature\$" out &&
	git -C frank show "$(chain signed):record.json.sig" >other.sig &&
	rewrite frank "$ref" record.json.sig "$(cat other.sig)
" &&
	(cd frank && test_expect_code 1 "$SLIPWAY" gate garbled >../out) &&
	test_grep "bob@example.com.s approval does not count: signature does not match the record\$" out
'

test_expect_success 'the signers are staging'"'"'s, not the working tree'"'"'s' '
	git -C nosign checkout -q -- slipway.conf &&
	echo "eve@example.com $(cat keys/eve.pub)" >>nosign/.slipway/allowed_signers &&
	(cd nosign && slipway sync >/dev/null && test_expect_code 1 "$SLIPWAY" gate unknown >../out) &&
	test_grep "eve@example.com.s approval does not count: signed by a key not in" out &&
	(
		cd alice && git checkout -q -B staging origin/staging &&
		grep -v "^bob@" .slipway/allowed_signers >a.tmp &&
		mv a.tmp .slipway/allowed_signers &&
		git commit -q -a -m "bob leaves" && git push -q origin staging
	) &&
	gate alice signed &&
	cat gate.full gate.err && echo 1 >expect && test_cmp expect gate.rc &&
	test_grep "bob@example.com.s approval does not count: signed by a key not in .slipway/allowed_signers" gate.out
'

test_expect_success 'fsck is clean; the remote still holds what bob signed' '
	test "$(git -C origin.git rev-list --count "$(chain altered)")" = 2 &&
	test "$(git -C origin.git rev-list --count "$(chain garbled)")" = 2 &&
	git -C origin.git fsck --strict --no-dangling >fsck 2>&1 && test ! -s fsck &&
	ref=$(chain altered) &&
	git -C origin.git show "$ref:record.json" >rec &&
	test_grep "\"head\": \"$(git -C origin.git rev-parse altered~1)\"" rec
'

test_done
