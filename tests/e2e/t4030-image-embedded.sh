#!/bin/sh
# t4030-image-embedded.sh - the embedded registry (images.registry = oci:PATH): the
# same tag rules, promote, pull, a race, a layout skopeo reads; and the release with
# release.promote-images, including a promotion that fails after the git push (issue 5: 7).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/registry-lib.sh"
. "$TEST_DIR/release-setup.sh"

# project [LINE...]: a fresh proj/ (a git repository) whose [images] use the embedded
# registry reg/, images node and proxy (indra_*), taken from src/{image}:v1, mutable = dev-*
project() {
	rm -rf proj && git init -q proj &&
	{
		printf '[images]\n\tregistry = oci:%s/reg\n\tname = indra_{image}\n' "$TRASH"
		printf '\timages = node proxy\n\tsource = oci:%s/src/{image}:v1\n\tmutable = dev-*\n' "$TRASH"
		for _l in "$@"; do printf '\t%s\n' "$_l"; done
	} >proj/slipway.conf
}

# sw ARGS...: slipway in proj/
sw() {
	(cd proj && "$SLIPWAY" "$@")
}

# images SEED: fresh src/ and alt/ (node and proxy v1; alt/ other content), no reg/ or proj/
images() {
	rm -rf src alt reg proj pulled && mkdir src alt &&
	N=$(make_oci_layout src/node v1 "node-$1") && P=$(make_oci_layout src/proxy v1 "proxy-$1") &&
	N2=$(make_oci_layout alt/node v1 "node-$1-alt") && P2=$(make_oci_layout alt/proxy v1 "proxy-$1-alt")
}

# at REPO:TAG: the digest skopeo sees in the embedded registry (fails when absent)
at() {
	skopeo inspect --format "{{.Digest}}" "oci:$TRASH/reg/${1%%:*}:${1#*:}"
}

# index_tags REPO: the embedded registry's index.json of REPO, checked to be valid
# JSON with one entry per tag: a "TAG DIGEST" line each
index_tags() {
	python3 - "$TRASH/reg/$1/index.json" <<-\EOF
	import json, sys
	idx = json.load(open(sys.argv[1]))
	assert idx["schemaVersion"] == 2, idx
	tags = [m.get("annotations", {}).get("org.opencontainers.image.ref.name")
	        for m in idx["manifests"]]
	tagged = [t for t in tags if t]
	assert len(tagged) == len(set(tagged)), tags
	for m in sorted(idx["manifests"], key=lambda m: str(m.get("annotations"))):
	    t = m.get("annotations", {}).get("org.opencontainers.image.ref.name")
	    if t:
	        print(t, m["digest"])
	EOF
}

# blob_files: every blob file of the embedded registry, with its inode and mtime
blob_files() {
	find "$TRASH/reg" -path "*/blobs/*" -type f -printf "%p %i %T@\n" | sort
}

test_expect_success 'push, re-push is a no-op, other content is refused and the original stays; latest moves' '
	images a &&
	project &&
	sw image push 0123abcd >out 2>err &&
	cat out &&
	test_grep "^node: oci:$TRASH/reg/indra_node:0123abcd = $N (3 blobs sent, [0-9.]* kB; 0 there, 0 mounted); latest moved$" out &&
	test_grep "^proxy: oci:$TRASH/reg/indra_proxy:0123abcd = $P (3 blobs sent" out &&
	test "$(at indra_node:0123abcd)" = "$N" &&
	test "$(at indra_proxy:0123abcd)" = "$P" &&
	test "$(at indra_node:latest)" = "$N" &&
	test -f reg/indra_node/oci-layout &&
	layout_digests src/node v1 >want && layout_digests reg/indra_node 0123abcd >got && test_cmp want got &&
	blob_files >blobs.before &&
	sw image push 0123abcd >out 2>err &&
	cat >want <<-EOF &&
	node: oci:$TRASH/reg/indra_node:0123abcd is $N already, nothing sent
	proxy: oci:$TRASH/reg/indra_proxy:0123abcd is $P already, nothing sent
	EOF
	test_cmp want out &&
	blob_files >blobs.after && test_cmp blobs.before blobs.after &&
	index_tags indra_node >tags.before &&
	test_expect_code 1 sw image push 0123abcd node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	cat err &&
	test_grep "indra_node:0123abcd is already $N; a commit tag never moves (this image is $N2)" err &&
	index_tags indra_node >tags.after && test_cmp tags.before tags.after &&
	test "$(at indra_node:0123abcd)" = "$N" &&
	sw image push 1.0.0 node >out 2>err &&
	test_expect_code 1 sw image push 1.0.0 node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test_grep "indra_node:1.0.0 is already $N; a release tag never moves (this image is $N2)" err &&
	test "$(at indra_node:1.0.0)" = "$N" &&
	sw image push 89abcdef node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test_grep "^node: .*:89abcdef = $N2 .*; latest moved$" out &&
	test "$(at indra_node:latest)" = "$N2" &&
	test "$(at indra_node:0123abcd)" = "$N" &&
	printf "%s\n" "0123abcd $N" "1.0.0 $N" "89abcdef $N2" "latest $N2" | sort >want &&
	index_tags indra_node | sort >got && test_cmp want got
'

test_expect_success 'mutable patterns, tags that no rule allows, invalid tags' '
	images m &&
	project &&
	test_expect_code 1 sw image push feature-x >out 2>err &&
	test_grep "tag .feature-x. is neither a commit" err &&
	test_grep "^hint: .*images.mutable" err &&
	test ! -e reg/indra_node/index.json || test -z "$(index_tags indra_node)" &&
	sw image push dev-x node >out 2>err &&
	test "$(at indra_node:dev-x)" = "$N" &&
	sw image push dev-x node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test_grep "^node: .*:dev-x = $N2 " out &&
	test "$(at indra_node:dev-x)" = "$N2" &&
	sw image push dev-x node >out 2>err &&
	test "$(at indra_node:dev-x)" = "$N" &&
	for t in "a b" .x x:y "$(printf "%0129d" 0)"; do
		test_expect_code 2 sw image push -- "$t" >out 2>err &&
		test_grep "invalid tag" err || return 1
	done &&
	printf "%s\n" "dev-x $N" "latest $N" >want &&
	index_tags indra_node | sort >got && test_cmp want got
'

test_expect_success 'promote writes no blob; tags and exists' '
	images p &&
	project &&
	sw image push 0123abcd >out 2>err &&
	blob_files >blobs.before &&
	sw image promote 0123abcd 1.0.0 >out 2>err &&
	cat >want <<-EOF &&
	node: oci:$TRASH/reg/indra_node:1.0.0 = $N
	proxy: oci:$TRASH/reg/indra_proxy:1.0.0 = $P
	EOF
	test_cmp want out &&
	blob_files >blobs.after && test_cmp blobs.before blobs.after &&
	test "$(at indra_node:1.0.0)" = "$N" &&
	test "$(at indra_proxy:1.0.0)" = "$P" &&
	sw image tags >out 2>err &&
	cat >want <<-\EOF &&
	node (indra_node): 0123abcd 1.0.0 latest
	proxy (indra_proxy): 0123abcd 1.0.0 latest
	EOF
	test_cmp want out &&
	sw image exists 1.0.0 >out 2>err &&
	test_grep "^node: indra_node:1.0.0 exists, $N$" out &&
	test_expect_code 1 sw image exists 2.0.0 >out 2>err &&
	test_grep "^proxy: indra_proxy:2.0.0 does not exist$" out &&
	test_expect_code 2 sw image promote 0123abcd 1.0.0 --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test_grep "^usage: " err &&
	sw image push 89abcdef node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test_expect_code 1 sw image promote 89abcdef 1.0.0 node >out 2>err &&
	test_grep "indra_node:1.0.0 is already $N; a release tag never moves" err &&
	test "$(at indra_node:1.0.0)" = "$N" &&
	test_must_fail at indra_proxy:89abcdef 2>/dev/null
'

test_expect_success 'pull --to oci:DIR, and into images.source by default' '
	images l &&
	project &&
	sw image push 0123abcd >out 2>err &&
	sw image pull 0123abcd --to "oci:$TRASH/pulled/{image}" >out 2>err &&
	cat >want <<-EOF &&
	node: pulled indra_node:0123abcd = $N
	proxy: pulled indra_proxy:0123abcd = $P
	EOF
	test_cmp want out &&
	test "$(skopeo inspect --format "{{.Digest}}" oci:pulled/node:0123abcd)" = "$N" &&
	test "$(skopeo inspect --format "{{.Digest}}" oci:pulled/proxy:0123abcd)" = "$P" &&
	layout_digests src/node v1 >want && layout_digests pulled/node 0123abcd >got && test_cmp want got &&
	layout_digests src/proxy v1 >want && layout_digests pulled/proxy 0123abcd >got && test_cmp want got &&
	sw image pull 0123abcd node >out 2>err &&
	test "$(skopeo inspect --format "{{.Digest}}" oci:src/node:0123abcd)" = "$N" &&
	test "$(skopeo inspect --format "{{.Digest}}" oci:src/node:v1)" = "$N" &&
	test_must_fail sw image pull 1.9.9 --to "oci:$TRASH/none/{image}" >out 2>err &&
	test_grep "1.9.9" err &&
	test ! -e none/node/index.json &&
	project "source = docker-archive:$TRASH/x.tar" &&
	sed -i "/source = oci:/d" proj/slipway.conf &&
	test_expect_code 2 sw image pull 0123abcd >out 2>err &&
	test_grep "give --to oci:DIR" err &&
	test_expect_code 2 sw image pull 0123abcd --to "$TRASH/plain" >out 2>err &&
	test_grep "takes oci:DIR" err &&
	test ! -e plain && test ! -e lain
'

test_expect_success 'relative paths in [images] are the working tree'"'"'s, from any folder in it' '
	images r &&
	git init -q proj &&
	printf "[images]\n\tregistry = oci:../reg\n\timages = node\n\tsource = oci:../src/{image}:v1\n" >proj/slipway.conf &&
	mkdir -p proj/deep/er &&
	(cd proj && "$SLIPWAY" image push 0123abcd >../out 2>../err) &&
	test "$(at indra_node:0123abcd 2>/dev/null || at node:0123abcd)" = "$N" &&
	(cd proj/deep/er && "$SLIPWAY" image tags >../../../out 2>../../../err) &&
	test_grep "^node (node): 0123abcd latest$" out &&
	(cd proj/deep/er && "$SLIPWAY" image exists 0123abcd >/dev/null) &&
	test ! -e proj/deep/er/reg && test ! -e proj/deep/reg
'

test_expect_success 'a multi-arch index and a broken source in the embedded registry' '
	images x &&
	x=$(make_oci_index src/node v1 seed-ix) &&
	project &&
	sw image push 0123abcd node >out 2>err &&
	test_grep "^node: .*:0123abcd = $x " out &&
	skopeo inspect --raw "oci:reg/indra_node:0123abcd" >raw.json &&
	test "sha256:$(sha256sum <raw.json | cut -c1-64)" = "$x" &&
	layout_digests src/node v1 >want && layout_digests reg/indra_node 0123abcd >got && test_cmp want got &&
	break_layout src/proxy bad-digest &&
	test_expect_code 2 sw image push 89abcdef >out 2>err &&
	test_grep "proxy: blob sha256:[0-9a-f]* does not match its digest" err &&
	test_must_fail at indra_node:89abcdef 2>/dev/null &&
	test "$(index_tags indra_node | grep -c "^89abcdef ")" = 0 &&
	test "$(at indra_node:latest)" != "" &&
	test "$(skopeo inspect --raw oci:reg/indra_node:latest | sha256sum | cut -c1-64)" = "${x#sha256:}"
'

test_expect_success 'two pushes at once on one commit tag: exactly one wins, index.json holds it' '
	rm -rf A B reg proj &&
	a=$(make_oci_layout A v1 seed-ea 2 200000) && b=$(make_oci_layout B v1 seed-eb 2 200000) &&
	project &&
	for i in 1 2 3 4 5; do
		t=abcdef0$i &&
		{ sw image push "$t" node --from "oci:$TRASH/A" >a.out 2>a.err & pa=$!; } &&
		{ sw image push "$t" node --from "oci:$TRASH/B" >b.out 2>b.err & pb=$!; } &&
		{ wait $pa; ra=$?; wait $pb; rb=$?; } &&
		echo "$t: A exited $ra, B exited $rb" && cat a.err b.err &&
		if [ $ra = 0 ] && [ $rb = 1 ]; then
			win=$a loser=b.err
		elif [ $ra = 1 ] && [ $rb = 0 ]; then
			win=$b loser=a.err
		else
			echo "not exactly one winner" >&2; false
		fi &&
		grep -E "lost a race: another push set it to $win|is already $win; a commit tag never moves" $loser &&
		index_tags indra_node >tags &&
		test_grep "^$t $win$" tags &&
		test "$(at "indra_node:$t")" = "$win" &&
		test "$(at indra_node:latest)" = "$win" || return 1
	done &&
	test "$(grep -c . tags)" = 6 &&
	test -z "$(find reg -name ".*tmp*")"
'

test_expect_success 'the embedded registry is a real OCI layout: skopeo copies from it to docker-registry' '
	images s &&
	project &&
	sw image push 0123abcd >out 2>err &&
	registry_start &&
	skopeo copy -q --dest-tls-verify=false "oci:$TRASH/reg/indra_node:0123abcd" "docker://$REG/copied/node:0123abcd" &&
	test "$(skopeo inspect --tls-verify=false --format "{{.Digest}}" "docker://$REG/copied/node:0123abcd")" = "$N" &&
	skopeo copy -q "oci:$TRASH/reg/indra_proxy:latest" "oci:$TRASH/copy:v1" &&
	layout_digests src/proxy v1 >want && layout_digests copy v1 >got && test_cmp want got &&
	umoci unpack --rootless --image "reg/indra_proxy:0123abcd" bundle >/dev/null &&
	test "$(cat bundle/rootfs/layer1/seed.txt)" = "seed proxy-s layer 1"
'

# --- the release and its images ---

# stage NAME: one more commit on the remote's staging, CD passed on it, and its images
# (content of seed NAME) pushed to the embedded registry under its 8-hex commit tag;
# stage.env sets S (that tag), SN and SP (the two digests) for later tests
stage() {
	(cd work && git fetch -q && git switch -q staging && git reset -q --hard origin/staging &&
	 test_commit "$1" "$1.txt" && git push -q origin staging) &&
	cd_passed &&
	S=$(git -C origin.git rev-parse --short=8 staging) &&
	SN=$(make_oci_layout src/node v1 "node-$1") && SP=$(make_oci_layout src/proxy v1 "proxy-$1") &&
	slipway -C work image push "$S" >out 2>err &&
	test "$(at "indra_node:$S")" = "$SN" &&
	echo "S=$S SN=$SN SP=$SP" >stage.env
}

# make_readonly DIR: nothing can be created in DIR, even by root (chattr +i); undone
# after the test
make_readonly() {
	test_when_finished "chattr -i '$1' 2>/dev/null; chmod u+w '$1'"
	chmod a-w "$1" &&
	{ [ "$(id -u)" != 0 ] || chattr +i "$1"; } &&
	if (: >"$1/.probe") 2>/dev/null; then
		rm -f "$1/.probe"; echo "make_readonly: cannot make $1 read-only here" >&2; return 1
	fi
}

test_expect_success 'release setup: [images] with the embedded registry and promote-images' '
	rm -rf src reg && mkdir src &&
	setup_release_repo &&
	(
		cd work &&
		cat >>slipway.conf <<-EOC &&
		[images]
			registry = oci:$TRASH/reg
			name = indra_{image}
			images = node proxy
			source = oci:$TRASH/src/{image}:v1
		EOC
		sed -i "s/^\[release\]$/&\n\tpromote-images = true/" slipway.conf &&
		git commit -qam "images" && git push -q origin staging
	) &&
	grep -A1 "^\[release\]" work/slipway.conf | grep -q "promote-images = true" &&
	stage s1
'

test_expect_success 'release 1.3.0 promotes the staging head'\''s commit-tagged images to 1.3.0' '
	. ./stage.env &&
	remote_heads origin.git >heads &&
	slipway -C work release 1.3.0 --yes >out 2>err &&
	cat out err &&
	test_grep "^released 1.3.0: " out &&
	test_grep "^promoted $S -> indra_node:1.3.0$" out &&
	test_grep "^promoted $S -> indra_proxy:1.3.0$" out &&
	check_released origin.git 1.3.0 heads &&
	test "$(at indra_node:1.3.0)" = "$SN" &&
	test "$(at indra_proxy:1.3.0)" = "$SP" &&
	test "$(at "indra_proxy:$S")" = "$SP" &&
	test ! -e work/.git/slipway/release-continue
'

test_expect_success 'a version that already is an image tag: the release is refused, nothing pushed' '
	stage s2 &&
	make_oci_layout other v1 seed-other >/dev/null &&
	slipway -C work image push 1.4.0 node --from "oci:$TRASH/other:v1" >out 2>err &&
	o=$(at indra_node:1.4.0) &&
	slipway -C work sync >/dev/null &&
	snap &&
	test_expect_code 1 slipway -C work release 1.4.0 --yes >out 2>err &&
	cat err &&
	test_grep "version 1.4.0 already exists as an image tag: indra_node:1.4.0" err &&
	test_must_fail grep "^released" out &&
	unchanged &&
	test_must_fail git -C origin.git rev-parse -q --verify refs/tags/indra-1.4.0 &&
	test "$(at indra_node:1.4.0)" = "$o" &&
	test_must_fail at indra_proxy:1.4.0 2>/dev/null
'

test_expect_success 'staging'"'"'s images not all pushed: the release is refused before the push' '
	stage s3 &&
	python3 - "reg/indra_proxy/index.json" "$S" <<-\EOF &&
	import json, sys
	p, tag = sys.argv[1], sys.argv[2]
	idx = json.load(open(p))
	idx["manifests"] = [m for m in idx["manifests"]
	                    if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != tag]
	json.dump(idx, open(p, "w"))
	EOF
	test_must_fail at "indra_proxy:$S" 2>/dev/null &&
	remote_heads origin.git >heads &&
	test_expect_code 1 slipway -C work release 1.5.0 --yes >out 2>err &&
	test_grep "staging.s images are not all pushed: indra_proxy:$S is missing" err &&
	test_grep "^hint: .*slipway image push $S" err &&
	remote_heads origin.git >after &&
	test_cmp heads after &&
	test_must_fail at indra_node:1.5.0 2>/dev/null &&
	test ! -e work/.git/slipway/release-continue &&
	test_expect_code 1 slipway -C work release --continue >out 2>err &&
	test_grep "no release waits to be finished here" err &&
	slipway -C work image push "$S" proxy >out 2>err &&
	slipway -C work release 1.5.0 --yes >out 2>err &&
	test_grep "^promoted $S -> indra_proxy:1.5.0$" out &&
	test "$(at indra_node:1.5.0)" = "$SN" &&
	test "$(at indra_proxy:1.5.0)" = "$SP"
'

test_expect_success 'promotion fails half way (one image promoted): the release says which is done' '
	stage s4 &&
	make_readonly reg/indra_proxy &&
	remote_heads origin.git >heads &&
	test_must_fail slipway -C work release 1.6.0 --yes >out 2>err &&
	cat out err &&
	check_released origin.git 1.6.0 heads &&
	test_grep "release 1.6.0 is pushed, but promoting its images failed" err &&
	test "$(at indra_node:1.6.0)" = "$SN" &&
	test_must_fail at indra_proxy:1.6.0 2>/dev/null &&
	test_grep "^hint: not done: indra_proxy:1.6.0$" err &&
	cp err release.err &&
	{ chattr -i reg/indra_proxy 2>/dev/null; chmod u+w reg/indra_proxy; } &&
	slipway -C work release --continue >out 2>err &&
	cat out err &&
	test "$(at indra_node:1.6.0)" = "$SN" &&
	test "$(at indra_proxy:1.6.0)" = "$SP" &&
	test_grep "^hint: done: indra_node:1.6.0$" release.err &&
	test_must_fail grep "not done: indra_node:1.6.0" release.err
'

test_done
