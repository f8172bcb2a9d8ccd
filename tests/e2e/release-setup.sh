# release-setup.sh - sourced by release tests: a protocol-shaped repository and its remote.
#
# setup_release_repo makes:
#   origin.git  a bare remote with master and staging
#   work/       a clone: package.json (1.2.3, a nested "version" first),
#               modules/node/package.json, a Makefile with
#               backwards_compatible_version, slipway.conf listing both
#               package.json files; staging one feature commit ahead of master.

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
	)
}
