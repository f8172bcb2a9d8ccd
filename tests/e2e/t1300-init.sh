#!/bin/sh
# t1300-init.sh - slipway init: what it detects, what it writes, and when it
# refuses.
. "$(dirname "$0")/lib.sh"

# conf KEY [FILE]: the value of KEY as plain git reads the written file.
conf() {
	git config -f "${2:-slipway.conf}" --get "$1"
}

test_expect_success 'setup: a protocol-shaped repository and its remote' '
	git init -q --bare origin.git &&
	git clone -q origin.git proto 2>/dev/null &&
	(
		cd proto &&
		printf "{\n  \"name\": \"indra\",\n  \"version\": \"2.0.0\"\n}\n" >package.json &&
		mkdir -p modules/node modules/client &&
		printf "{\n  \"name\": \"@indra/node\",\n  \"version\": \"2.0.0\"\n}\n" \
			>modules/node/package.json &&
		printf "{\n  \"name\": \"@indra/client\",\n  \"version\": \"2.0.0\"\n}\n" \
			>modules/client/package.json &&
		printf "backwards_compatible_version = 1.5.0\n\nall:\n\ttrue\n" >Makefile &&
		git add . && test_tick && git commit -q -m "protocol files" &&
		git push -q origin master &&
		git switch -q -c staging &&
		test_commit feature feature.txt &&
		git push -q origin staging
	)
'

test_expect_success 'init writes what it detected' '
	(cd proto && slipway init </dev/null >../out 2>../err) &&
	test_grep "wrote slipway\.conf" out &&
	cd proto &&
	test "$(git config -f slipway.conf --get-all release.version-file | head -n 1)" = package.json &&
	test "$(conf compat.version)" = Makefile:backwards_compatible_version &&
	test "$(conf branches.staging)" = staging &&
	test "$(conf branches.production)" = master &&
	test_grep "modules/node/package\.json" slipway.conf &&
	test_grep "modules/client/package\.json" slipway.conf &&
	test_grep "^#" slipway.conf
'

test_expect_success 'the written file parses: slipway status accepts it' '
	cd proto &&
	slipway status </dev/null >../out 2>../err &&
	test_grep "version 2\.0\.0 (package\.json)" ../out &&
	test_grep "1 commit ahead" ../out
'

test_expect_success 'a second init refuses, exit 1, the file unchanged' '
	cd proto &&
	printf "# my own edit\n" >>slipway.conf &&
	cp slipway.conf ../conf.before &&
	test_expect_code 1 slipway init </dev/null >../out 2>../err &&
	test_grep "slipway\.conf. already exists" ../err &&
	test_grep "^hint: .*--force" ../err &&
	cmp ../conf.before slipway.conf
'

test_expect_success '--force overwrites it' '
	cd proto &&
	printf "junk\n" >slipway.conf &&
	slipway init --print </dev/null >../printed &&
	slipway init --force </dev/null >../out 2>../err &&
	test_grep "wrote slipway\.conf" ../out &&
	test_cmp ../printed slipway.conf &&
	test "$(conf release.version-file)" = package.json
'

test_expect_success '--print writes nothing' '
	cd proto &&
	rm slipway.conf &&
	git status --porcelain=v1 --untracked-files=all >../st.before &&
	slipway init --print </dev/null >../printed 2>../err &&
	test "$(conf release.version-file ../printed)" = package.json &&
	test "$(conf compat.version ../printed)" = Makefile:backwards_compatible_version &&
	test ! -e slipway.conf &&
	git status --porcelain=v1 --untracked-files=all >../st.after &&
	test_cmp ../st.before ../st.after
'

test_expect_success 'a repository with only a VERSION file' '
	git init -q vonly &&
	(
		cd vonly &&
		printf "0.4.1\n" >VERSION &&
		git add VERSION && test_tick && git commit -q -m "version" &&
		slipway init </dev/null >../out 2>../err &&
		test "$(conf release.version-file)" = VERSION &&
		test_must_fail conf compat.version
	) &&
	test_grep "0\.4\.1" out
'

test_expect_success 'main and develop are detected as the branches' '
	git init -q -b main md &&
	(
		cd md &&
		printf "{\n  \"version\": \"0.1.0\"\n}\n" >package.json &&
		git add . && test_tick && git commit -q -m "start" &&
		git branch develop &&
		slipway init </dev/null >../out 2>../err &&
		test "$(conf branches.staging)" = develop &&
		test "$(conf branches.production)" = main
	)
'

test_expect_success 'init in a bare repository: exit 2, nothing written' '
	git init -q --bare bare.git &&
	ls -a bare.git >before &&
	test_expect_code 2 slipway -C bare.git init </dev/null >out 2>err &&
	test_grep "bare" err &&
	ls -a bare.git >after &&
	test_cmp before after
'

test_expect_success 'a folder name with quotes, backslashes and semicolons stays readable' '
	mkdir -p "odd/we\"b\\app;v2" &&
	(cd "odd/we\"b\\app;v2" && git init -q && "$SLIPWAY" init >/dev/null &&
	 git config -f slipway.conf project.name >../name &&
	 test_expect_code 2 "$SLIPWAY" status 2>../err) &&
	printf "%s\n" "we\"b\\app;v2" >expect &&
	test_cmp expect odd/name &&
	test_grep "remote .origin. does not exist" odd/err
'

test_expect_success 'bad arguments: exit 2, named, nothing written' '
	git init -q args && (cd args &&
	 test_expect_code 2 "$SLIPWAY" init extra 2>../err &&
	 test_must_fail test -e slipway.conf) &&
	test_grep "slipway: init: unexpected argument .extra." err &&
	(cd args && test_expect_code 2 "$SLIPWAY" init -x 2>../err) &&
	test_grep "slipway: init: unknown option .-x." err
'

test_done
