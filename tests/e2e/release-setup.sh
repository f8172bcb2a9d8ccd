# release-setup.sh - sourced by release tests: a protocol-shaped repository and its remote.
#
# setup_release_repo makes:
#   origin.git  a bare remote with master and staging
#   work/       a clone: package.json (1.2.3, a nested "version" first),
#               modules/node/package.json, a Makefile with
#               backwards_compatible_version, slipway.conf listing both
#               package.json files; staging one feature commit ahead of master,
#               and staging's CD passed on it (recorded in origin.git, as a CD
#               machine shares it, and synced to work/).

write_package_json() {
	# $1 file, $2 version; CRLF endings, tabs, unicode, a nested version first
	printf '{\r\n\t"dependencies": {\r\n\t\t"left-pad": {\r\n\t\t\t"version": "1.0.0"\r\n\t\t}\r\n\t},\r\n\t"name": "indra-\303\251t\303\251",\r\n\t"version": "%s",\r\n\t"description": "caf\303\251 \\u00e9 \\"quoted\\""\r\n}\r\n' "$2" >"$1"
}

setup_release_repo() {
	git init -q --bare origin.git &&
	git clone -q origin.git work 2>/dev/null &&
	(
		cd work &&
		write_package_json package.json 1.2.3 &&
		mkdir -p modules/node &&
		printf '{\n  "name": "@indra/node",\n  "version": "1.2.3",\n  "engines": { "version": "9.9.9" }\n}\n' >modules/node/package.json &&
		printf 'backwards_compatible_version = 1.2.0\n\nall:\n\techo version = 0.0.1\n' >Makefile &&
		cat >slipway.conf <<-\EOC &&
		[project]
			name = indra
		[branches]
			staging = staging
			production = master
		[release]
			tag = indra-{version}
			message = Deploy indra-{version}
			version-file = package.json
			version-file = modules/node/package.json
		EOC
		test_commit base README base &&
		git add . && test_tick && git commit -q -m "protocol files" &&
		git push -q origin master &&
		git switch -q -c staging &&
		test_commit feature feature.txt "a feature" &&
		git push -q origin staging
	) &&
	cd_passed && "$SLIPWAY" -C work sync >/dev/null
}

# fresh_release_repo: a new origin.git and work/ as setup_release_repo makes
# them, for tests that must not depend on each other. Run from $TRASH: the
# first call keeps a pristine copy in .pristine/, later calls copy it back.
fresh_release_repo() {
	rm -rf origin.git work &&
	if [ -d .pristine ]; then
		cp -Rp .pristine/origin.git .pristine/work .
	else
		setup_release_repo && mkdir .pristine &&
		cp -Rp origin.git work .pristine/ &&
		rm -f .pristine/origin.git/hooks/*.sample .pristine/work/.git/hooks/*.sample
	fi
}

# cd_passed [REMOTE]: staging's CD passed on the remote's staging head, as
# the CD machine (its own identity) records it: the result is in the bare
# REMOTE (default origin.git); a release fetches it when it syncs records.
cd_passed() {
	env GIT_AUTHOR_NAME="CD Machine" GIT_AUTHOR_EMAIL=cd@example.com \
		GIT_COMMITTER_NAME="CD Machine" GIT_COMMITTER_EMAIL=cd@example.com \
		"$SLIPWAY" -C "$TRASH/${1:-origin.git}" record cd --status pass \
		--commit refs/heads/staging >/dev/null
}

# remote_heads DIR >FILE: the remote DIR's master and staging, one a line.
remote_heads() {
	git -C "$1" rev-parse refs/heads/master refs/heads/staging
}

# check_released REMOTE VERSION HEADS: on the bare REMOTE, master and staging
# are one merge commit whose parents are the master and staging in the file
# HEADS (from remote_heads), tagged indra-VERSION (annotated), and the
# repository is sound.
check_released() {
	_m=$(git -C "$1" rev-parse refs/heads/master) &&
	_s=$(git -C "$1" rev-parse refs/heads/staging) &&
	test "$_m" = "$_s" &&
	git -C "$1" rev-parse "$_m^1" "$_m^2" >"$3.parents" &&
	test_cmp "$3" "$3.parents" &&
	test_must_fail git -C "$1" rev-parse -q --verify "$_m^3" &&
	test "$(git -C "$1" cat-file -t "refs/tags/indra-$2")" = tag &&
	test "$(git -C "$1" rev-parse "refs/tags/indra-$2^{commit}")" = "$_m" &&
	git -C "$1" show "$_m:package.json" | grep -q "\"version\": \"$2\"" &&
	git -C "$1" fsck --strict --no-dangling >/dev/null
}

# tree_snapshot DIR: HEAD, branch, status, diffs, index and every file's
# checksum of the working tree DIR - what "left untouched" means.
tree_snapshot() {
	(
		cd "$1" &&
		git rev-parse HEAD &&
		{ git symbolic-ref -q HEAD || echo detached; } &&
		git status --porcelain=v1 --untracked-files=all &&
		git diff &&
		git diff --cached &&
		git ls-files --stage &&
		find . -name .git -prune -o -type f -exec cksum {} + | sort
	)
}

# snap: refs, HEAD and status of work/ and origin.git, before.
snap() {
	refs_snapshot work >before && refs_snapshot origin.git >before.remote
}

# unchanged: the same as snap saw.
unchanged() {
	refs_snapshot work >after && test_cmp before after &&
	refs_snapshot origin.git >after.remote && test_cmp before.remote after.remote
}
