#!/bin/sh
# t2110-records-race.sh - eight writers in two clones at once, then sync from both
# sides: every record in both clones, no chain rewritten, fsck clean.
. "$(dirname "$0")/lib.sh"

# records REPO REF: the number of records (non-merge commits) in a chain
records() {
	git -C "$1" rev-list --no-merges --count "$2"
}

# chain KIND SUBJECT: the ref of a subject's chain (the SHA-1 of the subject)
chain() {
	echo "refs/slipway/$1/$(printf '%s' "$2" | git hash-object --stdin)"
}

# writer CLONE N: one of the four writers of a clone; ten commands, each one
# record (a ci/cd result is two: for the commit and for its tree). Three
# writers share commit:C1, two share the review chain of 'shared'.
writer() {
	_c=$1 _w=$2 _i=0
	export GIT_COMMITTER_NAME="$_c" GIT_COMMITTER_EMAIL="$_c@example.com"
	cd "$TRASH/$_c" || exit 1
	while [ $_i -lt 10 ]; do
		_i=$((_i + 1))
		# a date of its own per writer and record: no two records alike
		export GIT_COMMITTER_DATE="$((1700100000 + _w * 1000 + _i)) +0000"
		_url="https://ci.example/$_c/w$_w/$_i"
		case $_w.$((_i % 2)) in
		1.*) "$SLIPWAY" record ci --status pass --commit "$C1" --url "$_url" ;;
		2.1) "$SLIPWAY" record cd --status pass --commit "$C1" --url "$_url" ;;
		2.0) "$SLIPWAY" record ci --status fail --commit "$C2" --url "$_url" ;;
		3.1) "$SLIPWAY" review approve shared -m "$_c w3 $_i" --no-sync ;;
		3.0) "$SLIPWAY" record ci --status pass --commit "$C1" --url "$_url" ;;
		4.1) "$SLIPWAY" review request shared --no-sync ;;
		4.0) "$SLIPWAY" review reject shared -m "$_c w4 $_i" --no-sync ;;
		esac >>"$TRASH/out.$_c.$_w" 2>>"$TRASH/err.$_c.$_w" || {
			echo "$_c writer $_w: command $_i failed ($?)" >>"$TRASH/failed"
			exit 1
		}
	done
	echo done >"$TRASH/done.$_c.$_w"
}

# written CLONE: what one clone's four writers said they wrote, line by line
written() {
	for _w in 1 2 3 4; do cat "out.$1.$_w"; done | sort | uniq -c | sed 's/^ *//' >"got.$1" &&
	c1=$(git -C alice rev-parse --short=8 "$C1") && c2=$(git -C alice rev-parse --short=8 "$C2") &&
	sort >"want.$1" <<-EOF &&
	15 recorded ci pass for $c1
	5 recorded cd pass for $c1
	5 recorded ci fail for $c2
	5 approved shared at $c2
	5 rejected shared at $c2
	5 review requested: shared at $c2 (origin/shared) into staging
	EOF
	sort "got.$1" >"got2.$1" &&
	test_cmp "want.$1" "got2.$1"
}

# tips REPO: every chain and its head
tips() {
	git -C "$1" for-each-ref --format='%(refname) %(objectname)' refs/slipway
}

test_expect_success 'setup: a remote, two clones, a review request both know' '
	git init -q --bare origin.git &&
	git clone -q origin.git alice 2>/dev/null &&
	(
		cd alice && test_commit one && test_commit two &&
		git branch staging && git checkout -q -b shared && test_commit three &&
		git push -q origin master staging shared &&
		GIT_COMMITTER_EMAIL=alice@example.com "$SLIPWAY" review request shared >../out
	) &&
	test_grep "review requested: shared at" out &&
	git clone -q origin.git bob &&
	(cd bob && slipway sync >../out) &&
	test_grep "synced records with .origin.: 1 in, 0 out, 0 merged" out &&
	tips alice >a && tips bob >b && test_cmp a b && test "$(wc -l <a)" = 1
'

C1=$(git -C alice rev-parse master~1)
C2=$(git -C alice rev-parse shared)
T1=$(git -C alice rev-parse "$C1^{tree}")
T2=$(git -C alice rev-parse "$C2^{tree}")
REV=$(chain review branch:shared)
PC1=$(chain pipeline "commit:$C1")
PT1=$(chain pipeline "tree:$T1")
PC2=$(chain pipeline "commit:$C2")
PT2=$(chain pipeline "tree:$T2")
export C1 C2

# the records each chain holds after one clone's writers: C1 20, C2 5, review 1 + 15
check_counts() {
	test "$(records "$1" "$PC1")" = "$2" &&
	test "$(records "$1" "$PT1")" = "$2" &&
	test "$(records "$1" "$PC2")" = "$3" &&
	test "$(records "$1" "$PT2")" = "$3" &&
	test "$(records "$1" "$REV")" = "$4"
}

test_expect_success 'eight writers, four per clone, at once: each exits 0' '
	tips alice >race-before &&
	for c in alice bob; do
		for w in 1 2 3 4; do
			(writer $c $w) &
		done
	done &&
	wait &&
	test ! -e failed &&
	ls done.* >done && test "$(wc -l <done)" = 8 &&
	written alice && written bob &&
	cat err.alice.3 err.alice.4 >err && test_grep "note: .shared. is your own branch" err
'

test_expect_success 'every record of each clone is on its chains: compare-and-swap lost none' '
	check_counts alice 20 5 16 &&
	check_counts bob 20 5 16 &&
	test "$(git -C alice for-each-ref refs/slipway | wc -l)" = 5 &&
	test "$(git -C bob for-each-ref refs/slipway | wc -l)" = 5 &&
	for c in alice bob; do
		test "$(git -C $c rev-list --merges --count "$PC1")" = 0 &&
		git -C $c merge-base --is-ancestor "$(git -C origin.git rev-parse "$REV")" "$REV" ||
		return 1
	done &&
	git -C alice log --no-merges --format=%H "$REV" >list &&
	while read c; do git -C alice cat-file -p "$c:record.json"; done <list >recs &&
	test "$(grep -c "\"message\": \"alice w3 " recs)" = 5 &&
	test "$(grep -c "\"message\": \"alice w4 " recs)" = 5 &&
	test "$(grep -c "\"type\": \"request\"" recs)" = 6 &&
	! grep -q bob@ recs
'

test_expect_success 'sync alice, sync bob, sync alice: the chains merge' '
	tips alice >tips.alice && tips bob >tips.bob &&
	(cd alice && slipway sync >../out.1) &&
	(cd bob && slipway sync >../out.2) &&
	(cd alice && slipway sync >../out.3) &&
	echo "synced records with '\''origin'\'': 0 in, 5 out, 0 merged" >expect.1 &&
	echo "synced records with '\''origin'\'': 0 in, 5 out, 5 merged" >expect.2 &&
	echo "synced records with '\''origin'\'': 5 in, 0 out, 0 merged" >expect.3 &&
	test_cmp expect.1 out.1 && test_cmp expect.2 out.2 && test_cmp expect.3 out.3
'

test_expect_success 'both clones and the remote agree; every record is in each' '
	tips origin.git >o && tips alice >a && tips bob >b &&
	test_cmp o a && test_cmp o b &&
	for r in alice bob origin.git; do
		check_counts $r 40 10 31 || return 1
	done &&
	git -C origin.git log --no-merges --format=%H "$REV" >list &&
	while read c; do git -C origin.git cat-file -p "$c:record.json"; done <list >recs &&
	for who in alice bob; do
		test "$(grep -c "\"message\": \"$who w3 " recs)" = 5 &&
		test "$(grep -c "\"message\": \"$who w4 " recs)" = 5 || return 1
	done &&
	git -C origin.git log --no-merges --format=%H "$PC1" >list &&
	while read c; do git -C origin.git cat-file -p "$c:record.json"; done <list >recs &&
	grep "\"url\":" recs | sort -u >urls && test "$(wc -l <urls)" = 40 &&
	test "$(grep -c "\"url\": \"https://ci.example/bob/" urls)" = 20
'

test_expect_success 'no chain was rewritten: every old head is in the new chain' '
	cat race-before tips.alice tips.bob >old &&
	while read ref old; do
		for r in alice bob origin.git; do
			git -C $r merge-base --is-ancestor "$old" "$ref" || {
				echo "$r: $ref lost $old"; return 1; }
		done
	done <old &&
	for ref in $(cut -d" " -f1 tips.alice); do
		test "$(git -C origin.git rev-list --merges --count "$ref")" = 1 || return 1
	done
'

test_expect_success 'git fsck --strict is clean in all three' '
	for r in alice bob origin.git; do
		git -C $r fsck --strict --no-dangling >fsck.$r 2>&1 || { cat fsck.$r; return 1; }
		test ! -s fsck.$r || { cat fsck.$r; return 1; }
	done
'

test_expect_success 'the gate reads the merged chains: both clones see the same votes' '
	(cd alice && test_expect_code 1 "$SLIPWAY" gate shared >../g.alice) &&
	(cd bob && test_expect_code 1 "$SLIPWAY" gate shared >../g.bob) &&
	grep -v "^records:" g.alice >ga && grep -v "^records:" g.bob >gb && test_cmp ga gb &&
	test_grep "^  ci      no   ci fail on $(git -C alice rev-parse --short=8 "$C2")" ga &&
	test_grep "alice@example.com.s own .* does not count" ga &&
	test_grep "bob@example.com .*ed $(git -C alice rev-parse --short=8 "$C2")" ga
'

test_expect_success 'more records in both clones, none shared yet' '
	(
		cd alice && export GIT_COMMITTER_EMAIL=alice@example.com &&
		for i in 1 2 3; do
			test_tick &&
			"$SLIPWAY" record ci --status pass --commit "$C1" --url https://ci.example/x/$i ||
			exit 1
		done >/dev/null &&
		"$SLIPWAY" review approve shared -m late --no-sync >/dev/null 2>&1
	) &&
	(
		cd bob && export GIT_COMMITTER_EMAIL=bob@example.com &&
		for i in 1 2 3; do
			test_tick &&
			"$SLIPWAY" record cd --status pass --commit "$C1" --url https://ci.example/y/$i ||
			exit 1
		done >/dev/null &&
		"$SLIPWAY" record cd --status pass --commit master >/dev/null
	) &&
	test "$(records alice "$PC1")" = 43 && test "$(records bob "$PC1")" = 43 &&
	test "$(git -C bob for-each-ref refs/slipway | wc -l)" = 7 &&
	tips alice >tips2.alice && tips bob >tips2.bob
'

test_expect_success 'concurrent syncs from both clones, then one more each: all converge' '
	(cd alice && "$SLIPWAY" sync >../sync.alice 2>&1; echo $? >../rc.alice) &
	(cd bob && "$SLIPWAY" sync >../sync.bob 2>&1; echo $? >../rc.bob) &
	wait && cat sync.alice sync.bob &&
	echo 0 >zero && test_cmp zero rc.alice && test_cmp zero rc.bob &&
	test_grep "synced records with .origin.:" sync.alice &&
	test_grep "synced records with .origin.:" sync.bob &&
	(cd alice && slipway sync >/dev/null) && (cd bob && slipway sync >/dev/null) &&
	tips origin.git >o && tips alice >a && tips bob >b &&
	test_cmp o a && test_cmp o b &&
	test "$(wc -l <o)" = 7 &&
	for r in alice bob origin.git; do
		test "$(records $r "$PC1")" = 46 &&
		test "$(records $r "$PT1")" = 46 &&
		test "$(records $r "$REV")" = 32 &&
		test "$(records $r "$(chain pipeline "commit:$(git -C alice rev-parse master)")")" = 1 &&
		git -C $r fsck --strict --no-dangling >fsck 2>&1 && test ! -s fsck || return 1
	done &&
	cat tips2.alice tips2.bob >old2 &&
	while read ref old; do
		for r in alice bob origin.git; do
			git -C $r merge-base --is-ancestor "$old" "$ref" || return 1
		done
	done <old2
'

# The window a real race hits: both pushes saw the old heads; the other one
# lands after this one's lease passed in git push but before the remote
# takes its ref locks. origin's pre-receive hook (it runs in between) lets
# bob's sync through at that moment, once.
test_expect_success 'a push whose lease fails on the remote, under its ref lock, is retried' '
	(cd alice && test_tick && GIT_COMMITTER_EMAIL=alice@example.com \
		"$SLIPWAY" record ci --status pass --commit "$C1" --url https://ci.example/z/1 >/dev/null) &&
	(cd bob && test_tick && GIT_COMMITTER_EMAIL=bob@example.com \
		"$SLIPWAY" record ci --status fail --commit "$C1" --url https://ci.example/z/2 >/dev/null) &&
	cat >origin.git/hooks/pre-receive <<-EOS &&
	#!/bin/sh
	cat >/dev/null
	if [ -f "$TRASH/race" ]; then
		rm -f "$TRASH/race"
		(
			unset GIT_DIR GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES \
				GIT_QUARANTINE_PATH GIT_PUSH_OPTION_COUNT
			cd "$TRASH/bob" && "$SLIPWAY" sync >"$TRASH/sync.bob" 2>&1
		)
	fi
	exit 0
	EOS
	chmod +x origin.git/hooks/pre-receive &&
	touch race &&
	(cd alice && "$SLIPWAY" sync >../sync.alice 2>&1; echo $? >../rc.alice) &&
	rm origin.git/hooks/pre-receive &&
	cat sync.alice && echo 0 >zero && test_cmp zero rc.alice &&
	test ! -e race &&
	test_grep "synced records with .origin.: 0 in, 2 out, 0 merged" sync.bob &&
	test_grep "synced records with .origin.: 0 in, 2 out, 2 merged (2 tries" sync.alice &&
	(cd bob && slipway sync >../out) && test_grep "2 in, 0 out, 0 merged" out &&
	tips origin.git >o && tips alice >a && tips bob >b &&
	test_cmp o a && test_cmp o b &&
	test "$(records origin.git "$PC1")" = 48
'

test_done
