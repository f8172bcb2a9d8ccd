#!/bin/sh
# t3060-run-checkout.sh - job checkouts: fidelity, filters, reuse only when pristine, --keep, unsafe names
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/run-lib.sh"

# the modes below (644, 755) are 0666 and 0777 less this
umask 022
# the jobs find their scripts there ([run] pass-env)
export TRASH

# run_ok ARGS: slipway run ARGS >../out 2>../err; both shown when it fails
run_ok() {
	slipway run "$@" >../out 2>../err && return 0
	echo "slipway run $* exited $?:" && cat ../out ../err
	return 1
}

# said JOB: what JOB printed, from ../out
said() {
	sed -n "s/^$1 | //p" ../out
}

# pwd_of JOB: the folder JOB ran in (it printed "pwd $(pwd -P)")
pwd_of() {
	said "$1" | sed -n "s/^pwd //p"
}

# run_of: the run's id, from ../out
run_of() {
	sed -n "s/^run \([^:]*\): .*/\1/p" ../out
}

# no_checkouts REPO: nothing left under REPO/.git/slipway/work
no_checkouts() {
	test -z "$(ls -A "$1/.git/slipway/work" 2>/dev/null)" && return 0
	echo "left in $1/.git/slipway/work:" && find "$1/.git/slipway/work" | sed 's/^/| /'
	return 1
}

# one_worktree REPO: `git worktree list` shows REPO's own working tree, nothing else
one_worktree() {
	git -C "$1" worktree list --porcelain >../wt &&
	test "$(grep -c "^worktree " ../wt)" = 1 &&
	test_grep "^worktree $(cd "$1" && pwd -P)$" ../wt &&
	test ! -e "$1/.git/worktrees" &&
	git -C "$1" worktree prune --dry-run -v >../prune 2>&1 && test ! -s ../prune
}

# unprivileged CMD...: CMD without root's power over file permissions (as root,
# a read-only folder binds nobody), when setpriv can drop it
unprivileged() {
	if [ "$(id -u)" = 0 ] &&
	    setpriv --bounding-set -dac_override,-dac_read_search -- true 2>/dev/null; then
		setpriv --bounding-set -dac_override,-dac_read_search -- "$@"
	else
		"$@"
	fi
}

# what a job runs to say where it runs, and to check its checkout is pristine
SAY_PWD='echo "pwd $(pwd -P)"'
PRISTINE='sh "$TRASH/pristine.sh"'

# add_job NAME KIND CMD: a job of the chain in ../kinds running CMD after the
# job before it (KIND: dirty, clean, check or index, for the checks below)
add_job() {
	_prev=$(tail -n 1 ../kinds 2>/dev/null | cut -d" " -f1)
	git config -f slipway.conf "job.$1.run" "$3" &&
	if [ -n "$_prev" ]; then git config -f slipway.conf "job.$1.needs" "$_prev"; fi &&
	echo "$1 $2" >>../kinds
}

# dirty NAME CMD: a job that changes its checkout with CMD, then a job that
# checks that the checkout it gets is pristine
dirty() {
	add_job "$1" dirty "$2; $SAY_PWD" &&
	add_job "check-$1" check "$SAY_PWD; $PRISTINE"
}

# fast NAME FILE CMD: a job that changes FILE with CMD at once, then checks
# that the jobs before it left it a new checkout
fast() {
	add_job "fast-$1" dirty "$3; $SAY_PWD; sh \"\$TRASH/zz.sh\" $2"
}

test_expect_success 'setup: nested folders, odd names, a script, links, an empty file, a submodule' '
	git init -q repo && cd repo &&
	u=$(printf "caf\303\251 \316\273.txt") &&
	mkdir -p "dir/with space/deep" bin &&
	echo deep >"dir/with space/deep/file.txt" &&
	echo utf-8 >"dir/$u" &&
	printf "#!/bin/sh\necho ran\n" >bin/run.sh && chmod +x bin/run.sh &&
	ln -s "dir/with space/deep/file.txt" link &&
	ln -s no/such/file dangling &&
	: >empty &&
	git config -f slipway.conf pipeline.ci.on production &&
	git config -f slipway.conf run.pass-env "PATH HOME TRASH" &&
	git config -f slipway.conf job.fidelity.run "sh \"\$TRASH/fidelity.sh\"" &&
	git config -f slipway.conf job.again.needs fidelity &&
	git config -f slipway.conf job.again.run "$SAY_PWD; $PRISTINE" &&
	git add . && test_commit one top.txt top &&
	git update-index --add --cacheinfo "160000,$(git rev-parse HEAD),sub" &&
	test_tick && git commit -q -m "a submodule" &&
	git ls-tree HEAD sub >../sub && test_grep "^160000 commit " ../sub &&
	cat >../fidelity.sh <<-\EOF &&
	# fidelity.sh: what the checkout here holds, into $TRASH/job-out
	o=$TRASH/job-out
	rm -rf "$o" && mkdir "$o"
	ls -A .git >"$o/gitdir"
	git diff-files --name-only >"$o/diff-files" 2>&1
	git status --porcelain --ignored --untracked-files=all >"$o/status" 2>&1
	git rev-parse HEAD >"$o/head"
	if git symbolic-ref -q HEAD; then echo attached; else echo detached; fi >"$o/symref"
	git ls-files -s >"$o/ls-files"
	{
		stat -c "%a %F %h %n" bin/run.sh top.txt empty
		stat -c "%a %F %n" . .git dir "dir/with space" "dir/with space/deep"
	} >"$o/modes"
	readlink link dangling >"$o/links"
	{ test -d sub && ! test -L sub && echo "sub is a folder" && ls -A sub; } >"$o/sub"
	git -C "$TRASH/repo" worktree list --porcelain >"$o/worktrees"
	echo "pwd $(pwd -P)"
	cp -a . "$o/copy" && rm -rf "$o/copy/.git"
	EOF
	cat >../pristine.sh <<-\EOF
	# pristine.sh: run in a checkout; fails, saying why, unless it is the job
	# commit exactly as written (umask 022), with nothing added
	c=$SLIPWAY_COMMIT
	bad() { echo "not pristine: $*"; exit 1; }
	g=$(ls -A .git | tr "\n" " ")
	test "$g" = "HEAD commondir index " || bad ".git holds $g"
	m=$(stat -c %a . .git | tr "\n" " ")
	test "$m" = "755 755 " || bad "the modes of . and .git: $m"
	d=$(git diff-files --name-only 2>&1) && test -z "$d" || bad "the index does not match: $d"
	s=$(git status --porcelain --ignored --untracked-files=all 2>&1) && test -z "$s" ||
		bad "status: $s"
	test "$(git rev-parse HEAD)" = "$c" || bad "HEAD at $(git rev-parse HEAD)"
	! git symbolic-ref -q HEAD || bad "HEAD not detached"
	have=$(find . -path ./.git -prune -o -print | sort)
	want=$({ echo .; git -c core.quotepath=false ls-tree -r -t --name-only "$c" |
		sed "s|^|./|"; } | sort)
	test "$have" = "$want" || bad "the paths:" $have
	git -c core.quotepath=false ls-tree -r -t "$c" | while read -r mode type id path; do
		if [ -L "$path" ]; then is=link; elif [ -d "$path" ]; then is=folder; else is=file; fi
		case $mode in
		040000) want="folder 755" have="$is $(stat -c %a "$path")" ;;
		160000) want="folder 755 ()" have="$is $(stat -c %a "$path") ($(ls -A "$path"))" ;;
		100644) want="file 644 1" have="$is $(stat -c "%a %h" "$path")" ;;
		100755) want="file 755 1" have="$is $(stat -c "%a %h" "$path")" ;;
		120000) want="link 1" have="$is $(stat -c %h "$path")" ;;
		*) want=$mode have="not known here" ;;
		esac
		test "$have" = "$want" || bad "$path is $have, not $want"
		case $mode in
		100*) git cat-file blob "$id" | cmp -s - "$path" || bad "$path holds $(cat "$path")" ;;
		120000) test "$(readlink "$path")" = "$(git cat-file blob "$id")" ||
			bad "$path points at $(readlink "$path")" ;;
		esac
	done || exit 1
	echo pristine
	EOF
'

test_expect_success 'the in-process checkout is the commit: files, modes, links, submodule, index, HEAD' '
	cd repo &&
	run_ok --force --jobs 1 &&
	test_grep "^ci pass$" ../out &&
	o=../fidelity && rm -rf $o && mv "$TRASH/job-out" $o &&
	printf "%s\n" HEAD commondir index >../expect &&
	test_cmp ../expect $o/gitdir &&
	test_cmp /dev/null $o/diff-files &&
	test_cmp /dev/null $o/status &&
	git rev-parse HEAD >../expect && test_cmp ../expect $o/head &&
	echo detached >../expect && test_cmp ../expect $o/symref &&
	tab=$(printf "\t") &&
	git ls-tree -r HEAD | sed "s/^\([0-7]*\) [a-z]* \([0-9a-f]*\)$tab/\1 \2 0$tab/" >../expect &&
	test_cmp ../expect $o/ls-files &&
	test "$(wc -l <$o/ls-files)" = 9 &&
	cat >../expect <<-\EOF &&
	755 regular file 1 bin/run.sh
	644 regular file 1 top.txt
	644 regular empty file 1 empty
	755 directory .
	755 directory .git
	755 directory dir
	755 directory dir/with space
	755 directory dir/with space/deep
	EOF
	test_cmp ../expect $o/modes &&
	printf "%s\n" "dir/with space/deep/file.txt" no/such/file >../expect &&
	test_cmp ../expect $o/links &&
	echo "sub is a folder" >../expect && test_cmp ../expect $o/sub &&
	test "$(grep -c "^worktree " $o/worktrees)" = 1 &&
	test_grep "^worktree $(pwd -P)$" $o/worktrees &&
	rm -rf ../archived && mkdir ../archived && git archive HEAD | tar -x -C ../archived &&
	diff -r --no-dereference ../archived $o/copy &&
	test -d $o/copy/sub && test -z "$(ls -A $o/copy/sub)" &&
	test "$(said again)" = "pwd $(pwd_of fidelity)
pristine" &&
	one_worktree . &&
	no_checkouts . &&
	git fsck --strict --no-dangling
'

test_expect_success '--keep: each job keeps its own checkout, a working git checkout, not a worktree' '
	cd repo &&
	test_when_finished "rm -rf repo/.git/slipway/work/*" &&
	run_ok --force --keep --jobs 1 &&
	test_grep "^ci pass$" ../out &&
	w=$(pwd -P)/.git/slipway/work/$(run_of) &&
	test "$(pwd_of fidelity)" = "$w/fidelity" &&
	test "$(pwd_of again)" = "$w/again" &&
	ls "$w" >../got && printf "%s\n" again fidelity >../expect && test_cmp ../expect ../got &&
	for d in "$w/fidelity" "$w/again"; do
		test -z "$(git -C "$d" status --porcelain --ignored --untracked-files=all)" &&
		test "$(git -C "$d" rev-parse HEAD)" = "$(git rev-parse HEAD)" &&
		test_must_fail git -C "$d" symbolic-ref -q HEAD &&
		test "$(git -C "$d" rev-parse --show-toplevel)" = "$d" &&
		test "$(ls -A "$d/.git" | tr "\n" " ")" = "HEAD commondir index " &&
		test "$(cat "$d/dir/with space/deep/file.txt")" = deep &&
		test -x "$d/bin/run.sh" || return 1
	done &&
	one_worktree . &&
	git worktree list >../wt && ! grep "slipway/work" ../wt
'

test_expect_success 'a .gitattributes in the tree: git writes the files, its filters applied' '
	git init -q crlf && cd crlf &&
	printf "*.txt text eol=crlf\n" >.gitattributes &&
	printf "one\ntwo\n" >a.txt && printf "one\ntwo\n" >b.dat &&
	mkdir nested && printf "x\ny\n" >nested/c.txt &&
	cat >../eol.sh <<-\EOF &&
	# eol.sh FILE...: how many CRs each file has, and the status
	for f in "$@"; do echo "$f $(tr -cd "\r" <"$f" | wc -c) CR"; done
	s=$(git status --porcelain --ignored --untracked-files=all 2>&1)
	echo "status ${s:-clean}"
	EOF
	git config -f slipway.conf pipeline.ci.on production &&
	git config -f slipway.conf run.pass-env "PATH HOME TRASH" &&
	git config -f slipway.conf job.eol.run "sh \"\$TRASH/eol.sh\" a.txt b.dat nested/c.txt" &&
	git config -f slipway.conf job.spoil.needs eol &&
	git config -f slipway.conf job.spoil.run "echo three >>a.txt; echo x >new; rm b.dat" &&
	git config -f slipway.conf job.eol-again.needs spoil &&
	git config -f slipway.conf job.eol-again.run "sh \"\$TRASH/eol.sh\" a.txt b.dat nested/c.txt" &&
	git add . && test_commit one &&
	git cat-file blob HEAD:a.txt >../blob && test "$(tr -cd "\r" <../blob | wc -c)" = 0 &&
	run_ok --force --jobs 1 &&
	test_grep "^ci pass$" ../out &&
	printf "%s\n" "a.txt 2 CR" "b.dat 0 CR" "nested/c.txt 2 CR" "status clean" >../expect &&
	said eol >../got && test_cmp ../expect ../got &&
	said eol-again >../got && test_cmp ../expect ../got &&
	no_checkouts . && one_worktree .
'

test_expect_success 'a .gitattributes only in a subfolder is seen too' '
	cd crlf &&
	git rm -q .gitattributes && printf "*.txt text eol=crlf\n" >nested/.gitattributes &&
	git add nested/.gitattributes && test_commit nested &&
	run_ok --force --jobs 1 &&
	printf "%s\n" "a.txt 0 CR" "b.dat 0 CR" "nested/c.txt 2 CR" "status clean" >../expect &&
	said eol >../got && test_cmp ../expect ../got &&
	no_checkouts .
'

test_expect_success 'core.autocrlf = true (no .gitattributes): CRLF, status clean' '
	git init -q autocrlf && cd autocrlf &&
	printf "one\ntwo\n" >a.txt &&
	cp ../crlf/slipway.conf . && mkdir nested && printf "x\ny\n" >nested/c.txt &&
	printf "one\0two\n" >b.dat &&
	git add . && test_commit one &&
	git config core.autocrlf true &&
	run_ok --force --jobs 1 &&
	test_grep "^ci pass$" ../out &&
	printf "%s\n" "a.txt 2 CR" "b.dat 0 CR" "nested/c.txt 2 CR" "status clean" >../expect &&
	said eol >../got && test_cmp ../expect ../got &&
	said eol-again >../got && test_cmp ../expect ../got &&
	no_checkouts .
'

test_expect_success 'info/attributes, ~/.config/git/attributes and core.symlinks = false reach git too' '
	cd autocrlf &&
	git config --unset core.autocrlf &&
	ln -s a.txt link && git add link && test_commit link &&
	git config -f slipway.conf job.eol.run "sh \"\$TRASH/eol.sh\" a.txt; if test -L link; \
then echo \"link to \$(readlink link)\"; else echo \"file link: \$(cat link)\"; fi" &&
	git commit -q -a -m "eol: the link" &&
	run_ok --force --jobs 1 --only eol &&
	printf "%s\n" "a.txt 0 CR" "status clean" "link to a.txt" >../expect &&
	said eol >../got && test_cmp ../expect ../got &&
	mkdir -p .git/info && printf "*.txt text eol=crlf\n" >.git/info/attributes &&
	test_when_finished "rm -f autocrlf/.git/info/attributes" &&
	run_ok --force --jobs 1 --only eol &&
	said eol >../got && head -n 2 ../got >../first &&
	printf "%s\n" "a.txt 2 CR" "status clean" >../expect && test_cmp ../expect ../first &&
	rm .git/info/attributes &&
	mkdir -p "$HOME/.config/git" && printf "*.txt text eol=crlf\n" >"$HOME/.config/git/attributes" &&
	test_when_finished "rm -f \"\$HOME/.config/git/attributes\"" &&
	run_ok --force --jobs 1 --only eol &&
	said eol >../got && head -n 2 ../got >../first && test_cmp ../expect ../first &&
	rm "$HOME/.config/git/attributes" &&
	git config core.symlinks false &&
	test_when_finished "git -C autocrlf config --unset core.symlinks" &&
	run_ok --force --jobs 1 --only eol &&
	printf "%s\n" "a.txt 0 CR" "status clean" "file link: a.txt" >../expect &&
	said eol >../got && test_cmp ../expect ../got &&
	no_checkouts .
'

test_expect_success 'setup: a chain of jobs, each change to a checkout followed by a check' '
	git init -q renew && cd renew &&
	echo committed >data.txt && echo notes >notes.txt &&
	printf "#!/bin/sh\necho tool\n" >tool.sh && chmod +x tool.sh &&
	ln -s notes.txt lnk &&
	mkdir -p dir/deep && echo a >dir/a.txt && echo b >dir/deep/b.txt &&
	for i in 1 2 3 4; do echo committed >zz-$i.txt || return 1; done &&
	git config -f slipway.conf pipeline.ci.on production &&
	git config -f slipway.conf run.pass-env "PATH HOME TRASH" &&
	cat >../zz.sh <<-\EOF &&
	# zz.sh MINE: the other zz-*.txt as committed (the jobs before changed them);
	# whether MINE kept the ctime the index has for it (changed in the clock
	# tick it was written in: only its content or stat data can tell)
	for f in zz-*.txt; do
		test "$f" = "$1" && continue
		test "$(cat "$f") $(stat -c "%a %h" "$f")" = "committed 644 1" ||
			{ echo "$f as left: $(stat -c "%a %h" "$f") $(cat "$f")"; exit 1; }
	done
	was=$(git ls-files --debug "$1" | sed -n "s/^  ctime: //p")
	now=$(stat -c %.9Z "$1") && ns=${now#*.}
	if test "$was" = "${now%.*}:$((1$ns - 1000000000))"; then echo "same ctime"; fi
	EOF
	rm -f ../kinds &&
	: "changes at once, in a new checkout: often in the clock tick it was written in," &&
	: "where its ctime does not change (zz-*.txt are the last files written)" &&
	: "the same size: only the content can tell, when the ctime is the same" &&
	fast write zz-1.txt "echo XXXXXXXXX >zz-1.txt" &&
	fast link zz-2.txt "ln zz-2.txt \"\$TRASH/outside-link-2\"" &&
	fast chmod zz-3.txt "chmod 755 zz-3.txt" &&
	fast write-2 zz-4.txt "echo XXXXXXXXX >zz-4.txt" &&
	add_job check-fast check "$SAY_PWD; $PRISTINE" &&
	add_job clean-1 clean "$SAY_PWD" &&
	add_job clean-2 clean "$SAY_PWD; cat data.txt lnk dir/deep/b.txt >/dev/null; ls -lR >/dev/null" &&
	add_job clean-3 clean "$SAY_PWD; git status --porcelain; git log -1 >/dev/null" &&
	dirty hardlink "ln data.txt \"\$TRASH/outside-link\"" &&
	dirty append "echo more >>data.txt" &&
	dirty untracked-top "echo x >untracked.txt" &&
	dirty untracked-sub "echo x >dir/deep/untracked.txt" &&
	dirty delete "rm dir/deep/b.txt" &&
	dirty chmod-file "chmod +x notes.txt" &&
	dirty chmod-dir "chmod 700 dir/deep" &&
	dirty chmod-top "chmod 500 ." &&
	dirty symlink "rm dir/a.txt && ln -s ../data.txt dir/a.txt" &&
	dirty link-target "rm lnk && ln -s data.txt lnk" &&
	dirty branch "git checkout -q -b x &&
		git -c user.name=a -c user.email=a@b commit -q --allow-empty -m x" &&
	dirty gitdir-file "cp .git/HEAD .git/ORIG_HEAD" &&
	dirty touch "touch -d 2001-01-01 dir/a.txt" &&
	dirty mtime-back "m=\$(stat -c %y data.txt); echo YYYYYYYYY >data.txt;
		touch -d \"\$m\" data.txt" &&
	dirty read-only "mkdir ro && touch ro/f && chmod 555 ro" &&
	dirty add "echo new >new && git add new" &&
	add_job index-only index "git rm -q --cached notes.txt; $SAY_PWD" &&
	add_job check-index-only check "$SAY_PWD; $PRISTINE" &&
	: "left to the removal at the end of the run" &&
	add_job last dirty "mkdir -p deep/er && touch deep/er/f && chmod 555 deep/er &&
		chmod 000 deep; $SAY_PWD" &&
	git add . && test_commit one data.txt committed &&
	test "$(wc -c <data.txt)" = 10
'

test_expect_success 'a read-only folder binds slipway here (else the test below proves less)' '
	mkdir -p ro-probe/ro && chmod 555 ro-probe/ro &&
	test_when_finished "chmod 755 ro-probe/ro" &&
	test_must_fail unprivileged touch ro-probe/ro/f
'

test_expect_success 'a used checkout serves the next job only when pristine; all removed at the end' '
	cd renew &&
	rm -f "$TRASH/outside-link" "$TRASH/outside-link-2" &&
	test_when_finished "git -C renew update-ref -d refs/heads/x; rm -f outside-link outside-link-2" &&
	unprivileged "$SLIPWAY" run --force --jobs 1 >../out 2>../err ||
		{ echo "slipway run exited $?:"; cat ../out ../err; false; } &&
	test_grep "^ci pass$" ../out &&
	while read -r name kind; do test_grep "^$name: pass" ../out || return 1; done <../kinds &&
	w=$(pwd -P)/.git/slipway/work/$(run_of) &&
	prev= prev_kind= prev_pwd= &&
	while read -r name kind; do
		p=$(pwd_of "$name") &&
		case $kind in
		check) test "$(said "$name" | tail -n 1)" = pristine || return 1 ;;
		esac &&
		case $prev_kind in
		""|dirty)
			test "$p" = "$w/$name" && test "$p" != "$prev_pwd" ||
			{ echo "$name ran in $p, not a new $w/$name (after $prev, $prev_kind)"; return 1; } ;;
		clean|check)
			test "$p" = "$prev_pwd" ||
			{ echo "$name ran in $p, not in $prev_pwd as $prev did"; return 1; } ;;
		index)
			echo "$name, after a change to the index only, ran in $p" ;;
		esac &&
		prev=$name prev_kind=$kind prev_pwd=$p || return 1
	done <../kinds &&
	for j in check-fast clean-1 clean-2 clean-3 hardlink; do
		test "$(pwd_of $j)" = "$w/check-fast" || return 1
	done &&
	echo "changed, their ctime the same (multigrain file times make it rare):" \
		$(sed -n "s/^\(fast-[^ ]*\) | same ctime$/\1/p" ../out) &&
	for f in outside-link outside-link-2; do
		test "$(cat "$TRASH/$f") $(stat -c %h "$TRASH/$f")" = "committed 1" || return 1
	done &&
	no_checkouts . &&
	git rev-parse -q --verify refs/heads/x >/dev/null &&
	one_worktree . &&
	git status --porcelain >../status && test_cmp /dev/null ../status &&
	git fsck --no-dangling
'

test_expect_success 'renewing never writes through a hard link to the index' '
	cd renew &&
	git checkout -q -b index-link &&
	rm -f ../kinds slipway.conf &&
	git config -f slipway.conf pipeline.ci.on production &&
	git config -f slipway.conf run.pass-env "PATH HOME TRASH" &&
	add_job linked index "git rm -q --cached notes.txt; ln .git/index \"\$TRASH/outside-index\";
		cp .git/index \"\$TRASH/index-as-left\"" &&
	add_job after check "$SAY_PWD; $PRISTINE" &&
	git commit -q -a -m "the index linked" &&
	rm -f ../outside-index ../index-as-left &&
	test_when_finished "rm -f outside-index index-as-left" &&
	run_ok ci --force --jobs 1 &&
	test "$(said after | tail -n 1)" = pristine &&
	cmp ../index-as-left ../outside-index &&
	no_checkouts .
'

test_expect_success 'tree entries named .git, .GIT, .. or ., or a link as .gitmodules (git mktree takes them) are refused' '
	git init -q unsafe && cd unsafe &&
	git config -f slipway.conf pipeline.ci.on "feature production" &&
	git config -f slipway.conf run.pass-env "PATH HOME TRASH" &&
	git config -f slipway.conf job.a.run "touch \"\$TRASH/the-job-ran\"" &&
	git add slipway.conf && test_commit one &&
	conf=$(git rev-parse HEAD:slipway.conf) &&
	planted=$(echo planted | git hash-object -w --stdin) &&
	target=$(printf /etc/passwd | git hash-object -w --stdin) &&
	tree=$(printf "100644 blob %s\tplanted\n" $planted | git mktree) &&
	gittree=$(printf "100644 blob %s\tconfig\n100644 blob %s\tplanted\n" $planted $planted |
		git mktree) &&
	tab=$(printf "\t") && q=$(printf "\047") && n=0 &&
	for e in "100644 blob $planted$tab.git" "040000 tree $gittree$tab.git" \
		"040000 tree $gittree$tab.GIT" "040000 tree $tree$tab.." "100644 blob $planted$tab." \
		"040000 tree $tree$tab.Git" "dir 040000 tree $tree$tab.." "dir 040000 tree $gittree$tab.git" \
		"120000 blob $target$tab.gitmodules" "dir 120000 blob $target$tab.Mailmap"
	do
		n=$((n + 1)) &&
		case $e in
		"dir "*)
			name=dir/${e##*$tab} &&
			sub=$(printf "%s\n100644 blob %s\tfine\n" "${e#dir }" $planted | git mktree) &&
			entry="040000 tree $sub${tab}dir" ;;
		*)
			name=${e##*$tab} && entry=$e ;;
		esac &&
		top=$(printf "%s\n100644 blob %s\tslipway.conf\n100644 blob %s\ta-file\n" \
			"$entry" $conf $planted | git mktree) &&
		c=$(echo "unsafe $n" | git commit-tree -p HEAD $top) &&
		git branch -f unsafe-$n $c &&
		test_expect_code 1 slipway run --force --commit unsafe-$n >../out 2>../err &&
		test_grep "^a: fail .* exit 127$" ../out &&
		test_grep "^a | slipway: .*the tree holds an unsafe path" ../out &&
		logs=$(sed -n "s/^logs: //p" ../out) &&
		record ci unsafe-$n >../rec && job tail a <../rec >../tail &&
		for f in "$logs/a.log" ../tail; do
			grep -F "the tree holds an unsafe path $q$name$q" "$f" ||
			{ echo "$f does not name $name:"; cat "$f"; return 1; }
		done &&
		test ! -e "$TRASH/the-job-ran" &&
		no_checkouts . &&
		test -z "$(find "$TRASH" -name planted -o -name fine -o -name a-file)" || return 1
	done &&
	test "$n" = 10
'

test_expect_success 'a checkout of 3,000 files (written by several threads) is exact and clean' '
	git init -q many && cd many &&
	for d in $(seq 1 30); do
		mkdir d$d && for f in $(seq 1 100); do echo "$d/$f" >d$d/f$f; done || return 1
	done &&
	chmod +x d7/f7 && ln -s d1/f1 link &&
	git config -f slipway.conf pipeline.ci.on "feature production" &&
	git config -f slipway.conf job.a.run "git status --porcelain; git ls-files | wc -l; cat d30/f100; git ls-files -s d7/f7; test -x d7/f7; readlink link" &&
	git add . && test_commit many &&
	run_ok --force &&
	said a >../said &&
	printf "%s\n" 3003 30/100 "100755 $(git rev-parse HEAD:d7/f7) 0	d7/f7" d1/f1 >../expect &&
	test_cmp ../expect ../said &&
	no_checkouts .
'

# pair_run DIRTY: job a runs DIRTY in its checkout, job b (after it) says
# whether its own checkout is pristine; the run must end within 60 s
pair_run() {
	git init -q "pair$1" && (
		cd "pair$1" &&
		git config -f slipway.conf pipeline.ci.on "feature production" &&
		git config -f slipway.conf job.a.run "$2" &&
		git config -f slipway.conf job.b.needs a &&
		git config -f slipway.conf job.b.run "sleep \${SLEEP_B:-0}; test -z \"\$(git status --porcelain --ignored)\" && test \"\$(ls -A .git | tr \"\\n\" \" \")\" = \"HEAD commondir index \" && test \"\$(cat top.txt)\" = top && echo pristine" &&
		git config -f slipway.conf run.pass-env "PATH HOME SLEEP_B" &&
		mkdir -p dir && echo top >top.txt && echo in >dir/f &&
		git add . && test_commit pair &&
		timeout 60 "$SLIPWAY" run --force --jobs 1 >../out 2>&1 ||
		{ echo "slipway run exited $?:"; cat ../out; false; } &&
		test_grep "^b | pristine$" ../out &&
		no_checkouts .
	)
}

test_expect_success 'a FIFO put in .git does not hang the next job (it gets a new checkout)' '
	pair_run 1 "rm .git/HEAD && mkfifo .git/HEAD"
'

test_expect_success 'a daemon without the job marker (setsid env -i) keeps its checkout from the next job' '
	SLEEP_B=2 && export SLEEP_B &&
	pair_run 2 "setsid env -i /bin/sh -c \"sleep 1; echo evil >top.txt\" </dev/null >/dev/null 2>&1 & sleep 0.3"
'

test_expect_success 'an extended attribute on a folder, a linked or re-moded .git/HEAD: a new checkout' '
	if setfattr -n user.t -v 1 . 2>/dev/null || python3 -c "import os; os.setxattr(\".\", \"user.t\", b\"1\")" 2>/dev/null
	then
		pair_run 3 "python3 -c \"import os; os.setxattr(\\\"dir\\\", \\\"user.evil\\\", b\\\"1\\\")\"" || return 1
	fi &&
	pair_run 4 "ln .git/HEAD \"\$HOME/head-link\"" &&
	pair_run 5 "chmod 600 .git/commondir"
'

test_expect_success 'a folder 300 deep, with few descriptors to spare, is removed' '
	(ulimit -n 64 && pair_run 6 "p=.; for i in \$(seq 300); do p=\$p/d; done; mkdir -p \$p && touch \$p/f")
'

test_done
