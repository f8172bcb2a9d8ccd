#!/bin/sh
# t1020-release-race.sh - the remote moves, or a server hook refuses: nothing moves anywhere.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/release-setup.sh"

# A git that lets another clone push first, right before slipway's own push.
install_racing_git() {
	mkdir -p "$TRASH/bin" &&
	real=$(command -v git) &&
	cat >"$TRASH/bin/git" <<-EOS &&
	#!/bin/sh
	for a in "\$@"; do
		if [ "\$a" = push ] && [ -f "$TRASH/race" ]; then
			rm -f "$TRASH/race"
			sh "$TRASH/race.sh" >"$TRASH/race.log" 2>&1
			break
		fi
	done
	exec "$real" "\$@"
	EOS
	chmod +x "$TRASH/bin/git"
}

test_expect_success 'setup' '
	setup_release_repo &&
	git clone -q origin.git other &&
	git -C other switch -q staging &&
	install_racing_git
'

test_expect_success 'a push to staging between fetch and push: nothing pushed, exit 5' '
	cat >race.sh <<-EOS &&
	cd "$TRASH/other" && git pull -q && echo racer >racer.txt && git add racer.txt &&
	git commit -q -m racer && git push -q origin staging
	EOS
	touch race &&
	refs_snapshot work >before.local &&
	test_expect_code 5 env PATH="$TRASH/bin:$PATH" "$SLIPWAY" -C work release 1.3.0 --yes >out 2>err &&
	test_must_fail test -f race &&
	test_grep "changed since it was fetched" err &&
	test_grep "hint: someone pushed" err &&
	git -C origin.git rev-parse staging >staging.now &&
	git -C other rev-parse HEAD >staging.racer &&
	test_cmp staging.racer staging.now &&
	test_must_fail git -C origin.git rev-parse -q --verify refs/tags/indra-1.3.0 &&
	test "$(git -C origin.git rev-list --count master)" = 2 &&
	refs_snapshot work >after.local &&
	test_cmp before.local after.local
'

test_expect_success 'rerunning then releases what is there now' '
	cd_passed &&
	slipway -C work release 1.3.0 --yes >out 2>err &&
	git -C origin.git rev-parse master^2 >p2 &&
	git -C other rev-parse HEAD >expect &&
	test_cmp expect p2
'

test_expect_success 'another release lands between fetch and push: exit 5' '
	git -C work fetch -q &&
	git -C work switch -q staging && git -C work merge -q --ff-only origin/staging &&
	(cd work && test_commit w1 w1.txt && git push -q origin staging) &&
	cd_passed &&
	cat >race.sh <<-EOS &&
	cd "$TRASH/other" && git fetch -q && git switch -q staging && git reset -q --hard origin/staging &&
	"$SLIPWAY" release 1.4.0 --yes
	EOS
	touch race &&
	test_expect_code 5 env PATH="$TRASH/bin:$PATH" "$SLIPWAY" -C work release 1.3.1 --yes >out 2>err &&
	test_grep "released 1.4.0" race.log &&
	test_must_fail git -C origin.git rev-parse -q --verify refs/tags/indra-1.3.1 &&
	git -C origin.git show master:package.json >pkg &&
	test_grep "\"version\": \"1.4.0\"" pkg
'

test_expect_success 'a server hook refusing one ref: no ref moves, its message shown' '
	(cd work && git fetch -q && git merge -q --ff-only origin/staging && test_commit w2 w2.txt && git push -q origin HEAD:staging) &&
	cat >origin.git/hooks/update <<-\EOS &&
	#!/bin/sh
	case "$1" in refs/tags/*) echo "tags are frozen today: $1" >&2; exit 1;; esac
	exit 0
	EOS
	chmod +x origin.git/hooks/update &&
	refs_snapshot origin.git >before.remote &&
	refs_snapshot work >before.local &&
	test_expect_code 4 slipway -C work release 1.5.0 --yes --skip-cd-check >out 2>err &&
	test_grep "refused the push" err &&
	test_grep "tags are frozen today: refs/tags/indra-1.5.0" err &&
	refs_snapshot origin.git >after.remote &&
	refs_snapshot work >after.local &&
	test_cmp before.remote after.remote &&
	test_cmp before.local after.local
'

test_expect_success 'a pre-receive hook that declines the push' '
	rm origin.git/hooks/update &&
	printf "#!/bin/sh\necho \"releases need a sign-off\" >&2\nexit 1\n" >origin.git/hooks/pre-receive &&
	chmod +x origin.git/hooks/pre-receive &&
	refs_snapshot origin.git >before.remote &&
	test_expect_code 4 slipway -C work release 1.5.0 --yes --skip-cd-check >out 2>err &&
	test_grep "releases need a sign-off" err &&
	refs_snapshot origin.git >after.remote &&
	test_cmp before.remote after.remote &&
	rm origin.git/hooks/pre-receive &&
	slipway -C work release 1.5.0 --yes --skip-cd-check >out 2>err &&
	test_grep "released 1.5.0" out
'

test_expect_success 'setup: a git whose push hangs' '
	(cd work && git fetch -q && git merge -q --ff-only origin/staging && test_commit w3 w3.txt &&
	 git push -q origin HEAD:staging) &&
	real=$(command -v git) &&
	mkdir -p slow &&
	cat >slow/git <<-EOS &&
	#!/bin/sh
	for a in "\$@"; do
		[ "\$a" = push ] && echo \$\$ >"$TRASH/push.pid" && exec sleep 30
	done
	exec "$real" "\$@"
	EOS
	chmod +x slow/git
'

# gone PIDFILE: the process is gone (or a zombie nobody reaps)
gone() {
	_s=$(sed "s/.*) //" /proc/$(cat "$1")/stat 2>/dev/null | cut -c1)
	test -z "$_s" || test "$_s" = Z
}

wait_for() {
	_i=0
	while [ ! -s "$1" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	test -s "$1"
}

# A job started with & by a non-interactive shell (a parallel test runner)
# inherits SIGINT ignored, and so would slipway and git: env restores it.
test_expect_success 'Ctrl-C on the terminal during the push: git stops, nothing pushed, 130' '
	rm -f push.pid &&
	refs_snapshot origin.git >before.remote &&
	refs_snapshot work >before.local || exit 1
	{ wait_for push.pid && printf "\003" && sleep 1; } |
		script -qec "cd work && PATH=$TRASH/slow:\$PATH exec env --default-signal=INT $SLIPWAY release 1.6.0 --yes --skip-cd-check" /dev/null >out 2>&1
	rc=$?
	test "$rc" = 130 &&
	test_grep "the push to .origin. was interrupted; nothing was pushed" out &&
	gone push.pid &&
	refs_snapshot origin.git >after.remote &&
	refs_snapshot work >after.local &&
	test_cmp before.remote after.remote &&
	test_cmp before.local after.local
'

test_expect_success 'SIGTERM to slipway during the push: passed on to git, then 143' '
	rm -f push.pid &&
	refs_snapshot origin.git >before.remote || exit 1
	(cd work && PATH="$TRASH/slow:$PATH" exec "$SLIPWAY" release 1.6.0 --yes --skip-cd-check >../out 2>../err) &
	pid=$!
	wait_for push.pid && kill -TERM $pid || exit 1
	wait $pid
	rc=$?
	test "$rc" = 143 &&
	sleep 0.2 && gone push.pid &&
	refs_snapshot origin.git >after.remote &&
	test_cmp before.remote after.remote
'

test_expect_success 'a push that lands but loses its report: slipway looks, and finishes' '
	real=$(command -v git) &&
	mkdir -p lossy &&
	cat >lossy/git <<-EOS &&
	#!/bin/sh
	for a in "\$@"; do
		if [ "\$a" = push ]; then "$real" "\$@" >/dev/null 2>&1; echo "fatal: the remote end hung up" >&2; exit 128; fi
	done
	exec "$real" "\$@"
	EOS
	chmod +x lossy/git &&
	env PATH="$TRASH/lossy:$PATH" "$SLIPWAY" -C work release 1.6.0 --yes --skip-cd-check >out 2>err &&
	test_grep "but .origin. has all of the release" err &&
	test_grep "released 1.6.0" out &&
	test "$(git -C work rev-parse indra-1.6.0)" = "$(git -C origin.git rev-parse indra-1.6.0)" &&
	test "$(git -C work rev-parse origin/master)" = "$(git -C origin.git rev-parse master)"
'

test_expect_success 'a push that fails without a verdict and pushed nothing: exit 4, says so' '
	(cd work && git fetch -q && git merge -q --ff-only origin/staging && test_commit w4 w4.txt &&
	 git push -q origin HEAD:staging) &&
	real=$(command -v git) &&
	mkdir -p broken &&
	cat >broken/git <<-EOS &&
	#!/bin/sh
	for a in "\$@"; do
		[ "\$a" = push ] && { echo "fatal: unable to access the remote" >&2; exit 128; }
	done
	exec "$real" "\$@"
	EOS
	chmod +x broken/git &&
	refs_snapshot origin.git >before.remote &&
	test_expect_code 4 env PATH="$TRASH/broken:$PATH" "$SLIPWAY" -C work release 1.7.0 --yes --skip-cd-check >out 2>err &&
	test_grep "failed (git exited 128)" err &&
	test_grep "unable to access the remote" err &&
	test_grep "nothing was pushed" err &&
	refs_snapshot origin.git >after.remote &&
	test_cmp before.remote after.remote
'

test_expect_success 'a hook refusing the first ref is read as a refusal, not a lost push' '
	(cd work && git fetch -q && git reset -q --hard origin/staging && test_commit w5 w5.txt &&
	 git push -q origin HEAD:staging) &&
	cat >origin.git/hooks/update <<-\EOS &&
	#!/bin/sh
	case "$1" in refs/heads/master) echo "master is frozen" >&2; exit 1;; esac
	exit 0
	EOS
	chmod +x origin.git/hooks/update &&
	test_expect_code 4 slipway -C work release 1.8.0 --yes --skip-cd-check >out 2>err &&
	test_grep "refused the push (refs/heads/master: \[remote rejected\] (hook declined))" err &&
	test_grep "master is frozen" err &&
	rm origin.git/hooks/update
'

test_done
