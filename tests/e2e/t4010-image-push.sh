#!/bin/sh
# t4010-image-push.sh - `slipway image push/promote/tags/exists` against a real
# docker-registry: what skopeo sees is what slipway sent, shared blobs go once,
# re-pushes and promotes move no blobs (issue 5: 1 and 4).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/registry-lib.sh"

# project SOURCE [LINE...]: proj/, a git repository whose slipway.conf has [images]
# for the current registry ($REG/team, images node and proxy, named indra_*), taking
# each image from SOURCE; each LINE is one more [images] setting.
project() {
	rm -rf proj && git init -q proj &&
	{
		printf '[images]\n\tregistry = %s/team\n\tname = indra_{image}\n' "$REG"
		printf '\timages = node proxy\n\tsource = %s\n\tinsecure = %s\n' "$1" "$REG"
		printf '\tmutable = dev-*\n'
		shift
		for _l in "$@"; do printf '\t%s\n' "$_l"; done
	} >proj/slipway.conf
}

# digest_of IMAGE:TAG: the manifest digest skopeo sees at $REG/team/indra_IMAGE:TAG
digest_of() {
	skopeo inspect $(registry_skopeo_opts) --format "{{.Digest}}" "docker://$REG/team/indra_$1"
}

# raw_digest IMAGE:TAG: the digest of the bytes the registry serves for it (an index too)
raw_digest() {
	skopeo inspect $(registry_skopeo_opts) --raw "docker://$REG/team/indra_$1" >raw.json &&
	echo "sha256:$(sha256sum <raw.json | cut -c1-64)"
}

# log_since N: the access log's lines after its first N, into new.log; first waits until
# a request of its own (GET /v2/?sync=...) is logged, so that the lines of requests
# answered before it are there too (a response may reach slipway before its log line
# is written)
log_since() {
	_ls=$(date +%s%N)
	curl -s -o /dev/null "$REG_URL/v2/?sync=$_ls"
	_li=0
	while ! grep -q "sync=$_ls" "$REG_LOG" && [ $_li -lt 50 ]; do sleep 0.1; _li=$((_li + 1)); done
	tail -n "+$(($1 + 1))" "$REG_LOG" | grep -v "sync=$_ls" >new.log
}

# upload_digests LOG: the digest of each blob upload's closing PUT, one a line, sorted
upload_digests() {
	sed -n 's|.*"PUT /v2/[^ ]*/blobs/uploads/[^ ]*[?&]digest=\(sha256[:%3A]*[0-9a-f]*\).*|\1|p' "$1" |
		sed 's/%3A/:/' | sort
}

# fresh: a test's own src/ (empty), no back*/, lay/ or proj/ of an earlier test
fresh() {
	rm -rf src back* lay proj && mkdir src
}

test_expect_success 'push from OCI layouts: skopeo sees what slipway printed; a shared blob is sent once' '
	fresh &&
	n=$(make_oci_layout src/node v1 seed-s 2) &&
	p=$(make_oci_layout src/proxy v1 seed-s 3) &&
	registry_start --log &&
	project "oci:$TRASH/src/{image}:v1" &&
	(cd proj && slipway image push 0123abcd) >out 2>err &&
	cat out err &&
	test_grep "^node: $REG/team/indra_node:0123abcd = $n (3 blobs sent, [0-9.]* kB; 0 there, 0 mounted); latest moved$" out &&
	test_grep "^proxy: $REG/team/indra_proxy:0123abcd = $p (2 blobs sent, [0-9.]* kB; 0 there, 2 mounted); latest moved$" out &&
	test "$(wc -l <out)" = 2 &&
	test "$(digest_of node:0123abcd)" = "$n" &&
	test "$(digest_of proxy:0123abcd)" = "$p" &&
	test "$(digest_of node:latest)" = "$n" &&
	test "$(digest_of proxy:latest)" = "$p" &&
	{ layout_digests src/node v1 && layout_digests src/proxy v1; } |
		awk "\$1 != \"manifest\" {print \$2}" | sort -u >want &&
	test "$(wc -l <want)" = 5 &&
	upload_digests "$REG_LOG" >got &&
	test_cmp want got &&
	test "$(registry_requests POST uploads 201)" = 2 &&
	test "$(grep -c "\"POST /v2/team/indra_proxy/blobs/uploads/?mount=sha256:[0-9a-f]*&from=team/indra_node " "$REG_LOG")" = 2 &&
	for i in node proxy; do
		skopeo copy -q $(registry_skopeo_opts src) "docker://$REG/team/indra_$i:0123abcd" "oci:back-$i:v1" &&
		layout_digests "src/$i" v1 >want &&
		layout_digests "back-$i" v1 >got &&
		test_cmp want got || return 1
	done
'

test_expect_success 're-push: nothing sent, and it says so; the same images under a new tag send no blob' '
	fresh &&
	n=$(make_oci_layout src/node v1 seed-r) &&
	p=$(make_oci_layout src/proxy v1 seed-q) &&
	registry_start --log &&
	project "oci:$TRASH/src/{image}:v1" &&
	(cd proj && slipway image push 0123abcd) >out 2>err &&
	before=$(wc -l <"$REG_LOG") &&
	(cd proj && slipway image push 0123abcd) >out 2>err &&
	cat out err &&
	cat >want <<-EOF &&
	node: $REG/team/indra_node:0123abcd is $n already, nothing sent
	proxy: $REG/team/indra_proxy:0123abcd is $p already, nothing sent
	EOF
	test_cmp want out &&
	log_since "$before" &&
	test "$(registry_requests "PUT|PATCH|POST|DELETE" any "" new.log)" = 0 &&
	test "$(registry_requests GET blobs "" new.log)" = 0 &&
	before=$(wc -l <"$REG_LOG") &&
	(cd proj && slipway image push 89abcdef) >out 2>err &&
	cat out err &&
	test_grep "^node: $REG/team/indra_node:89abcdef = $n (0 blobs sent, 0.0 kB; 3 there, 0 mounted)$" out &&
	test_grep "^proxy: $REG/team/indra_proxy:89abcdef = $p (0 blobs sent, 0.0 kB; 3 there, 0 mounted)$" out &&
	log_since "$before" &&
	test "$(registry_requests "PUT|PATCH|POST" uploads "" new.log)" = 0 &&
	test "$(registry_requests PUT manifests 201 new.log)" = 2 &&
	test "$(digest_of node:89abcdef)" = "$n" &&
	test "$(digest_of proxy:89abcdef)" = "$p"
'

test_expect_success 'push from a docker-archive: config and layers as saved, skopeo copies it back' '
	fresh &&
	id=$(make_docker_archive node.tar seed-d 3) &&
	tar xOf node.tar "${id#sha256:}.json" >config.json &&
	registry_start --log &&
	project "oci:$TRASH/nowhere/{image}" &&
	(cd proj && slipway image push 0123abcd node --from "docker-archive:$TRASH/node.tar") >out 2>err &&
	cat out err &&
	d=$(sed -n "s|^node: $REG/team/indra_node:0123abcd = \(sha256:[0-9a-f]\{64\}\) (4 blobs sent, .*; 0 there, 0 mounted); latest moved$|\1|p" out) &&
	test -n "$d" && test "$(wc -l <out)" = 1 &&
	test "$(digest_of node:0123abcd)" = "$d" &&
	test "$(raw_digest node:0123abcd)" = "$d" &&
	skopeo inspect $(registry_skopeo_opts) --config --raw "docker://$REG/team/indra_node:0123abcd" >got.json &&
	cmp config.json got.json &&
	skopeo copy -q --dest-oci-accept-uncompressed-layers $(registry_skopeo_opts src) \
		"docker://$REG/team/indra_node:0123abcd" oci:back:v1 &&
	layout_digests back v1 >parts &&
	test_grep "^manifest $d " parts &&
	test_grep "^config $id " parts &&
	python3 - back config.json <<-\EOF &&
	import gzip, hashlib, json, sys
	layout, cfg = sys.argv[1], json.load(open(sys.argv[2]))
	idx = json.load(open(layout + "/index.json"))
	def blob(d):
	    return open(layout + "/blobs/sha256/" + d.split(":")[1], "rb").read()
	m = json.loads(blob(idx["manifests"][0]["digest"]))
	diff_ids = []
	for l in m["layers"]:
	    b = blob(l["digest"])
	    if b[:2] == b"\x1f\x8b":
	        b = gzip.decompress(b)
	    diff_ids.append("sha256:" + hashlib.sha256(b).hexdigest())
	assert diff_ids == cfg["rootfs"]["diff_ids"], (diff_ids, cfg["rootfs"]["diff_ids"])
	assert len(diff_ids) == 3
	EOF
	test_must_fail digest_of proxy:0123abcd 2>/dev/null
'

test_expect_success 'push from a docker-archive holding an OCI layout (docker 25 and later): carried as it is' '
	fresh &&
	n=$(make_oci_layout lay v1 seed-o) &&
	(cd lay && tar cf ../oci.tar oci-layout index.json blobs) &&
	registry_start &&
	project "oci:$TRASH/nowhere/{image}" &&
	(cd proj && slipway image push 0123abcd proxy --from "docker-archive:$TRASH/oci.tar") >out 2>err &&
	cat out err &&
	test_grep "^proxy: $REG/team/indra_proxy:0123abcd = $n (3 blobs sent" out &&
	test "$(digest_of proxy:0123abcd)" = "$n" &&
	skopeo copy -q $(registry_skopeo_opts src) "docker://$REG/team/indra_proxy:0123abcd" oci:back:v1 &&
	layout_digests lay v1 >want && layout_digests back v1 >got && test_cmp want got
'

test_expect_success '--from with several images, or none named, is refused before anything is sent' '
	fresh &&
	make_docker_archive node.tar seed-d >/dev/null &&
	registry_start --log &&
	project "oci:$TRASH/nowhere/{image}" &&
	(cd proj && test_expect_code 2 "$SLIPWAY" image push 0123abcd --from "docker-archive:$TRASH/node.tar") >out 2>err &&
	cat err && test_grep "name that image" err &&
	(cd proj && test_expect_code 2 "$SLIPWAY" image push 0123abcd node proxy --from "docker-archive:$TRASH/node.tar") >out 2>err &&
	test_grep "name that image" err &&
	test "$(registry_requests "PUT|PATCH|POST" any)" = 0
'

test_expect_success 'a multi-arch index: pushed byte for byte with both its manifests' '
	fresh &&
	x=$(make_oci_index src/node v1 seed-m) &&
	layout_digests src/node v1 >parts &&
	registry_start --log &&
	project "oci:$TRASH/src/{image}:v1" &&
	(cd proj && slipway image push 0123abcd node) >out 2>err &&
	cat out err &&
	test_grep "^node: $REG/team/indra_node:0123abcd = $x (6 blobs sent, .*; 0 there, 0 mounted); latest moved$" out &&
	test "$(raw_digest node:0123abcd)" = "$x" &&
	cmp raw.json "src/node/blobs/sha256/${x#sha256:}" &&
	test "$(raw_digest node:latest)" = "$x" &&
	head -1 parts | grep -q "^manifest $x .* application/vnd.oci.image.index.v1+json$" &&
	for m in $(sed -n "2,3s/^manifest \([^ ]*\) .*/\1/p" parts); do
		test "$(raw_digest "node@$m")" = "$m" || return 1
	done &&
	test "$(registry_requests PUT manifests 201)" = 4 &&
	test "$(grep -c "\"PUT /v2/team/indra_node/manifests/sha256:" "$REG_LOG")" = 2 &&
	grep "\"PUT /v2/team/indra_node/manifests/" "$REG_LOG" | tail -2 >tagged &&
	test_grep "/manifests/0123abcd " tagged && test_grep "/manifests/latest " tagged &&
	skopeo copy -q --all $(registry_skopeo_opts src) "docker://$REG/team/indra_node:0123abcd" oci:back:v1 &&
	layout_digests back v1 >got && test_cmp parts got &&
	before=$(wc -l <"$REG_LOG") &&
	(cd proj && slipway image push 0123abcd node) >out 2>err &&
	test_grep "^node: $REG/team/indra_node:0123abcd is $x already, nothing sent$" out &&
	log_since "$before" &&
	test "$(registry_requests "PUT|PATCH|POST" any "" new.log)" = 0
'

test_expect_success 'pull --to oci:DIR from the registry: an image and a multi-arch index, as pushed' '
	fresh &&
	x=$(make_oci_index src/node v1 seed-pi) &&
	p=$(make_oci_layout src/proxy v1 seed-pq) &&
	registry_start --log &&
	project "oci:$TRASH/src/{image}:v1" &&
	(cd proj && slipway image push 0123abcd) >out 2>err &&
	before=$(wc -l <"$REG_LOG") &&
	(cd proj && slipway image pull 0123abcd --to "oci:$TRASH/pulled/{image}") >out 2>err &&
	cat out err &&
	cat >want <<-EOF &&
	node: pulled team/indra_node:0123abcd = $x
	proxy: pulled team/indra_proxy:0123abcd = $p
	EOF
	test_cmp want out &&
	log_since "$before" &&
	test "$(registry_requests "PUT|POST|PATCH|DELETE" any "" new.log)" = 0 &&
	test "$(registry_requests GET blobs 200 new.log)" = 9 &&
	for i in node proxy; do
		layout_digests "src/$i" v1 >want &&
		layout_digests "pulled/$i" 0123abcd >got &&
		test_cmp want got || return 1
	done &&
	cmp "src/node/blobs/sha256/${x#sha256:}" "pulled/node/blobs/sha256/${x#sha256:}" &&
	test "$(skopeo inspect --format "{{.Digest}}" oci:pulled/proxy:0123abcd)" = "$p" &&
	skopeo inspect --raw oci:pulled/node:0123abcd >raw.json &&
	test "sha256:$(sha256sum <raw.json | cut -c1-64)" = "$x" &&
	(cd proj && test_must_fail "$SLIPWAY" image pull 0badcafe --to "oci:$TRASH/none/{image}") >out 2>err &&
	test_grep "team/indra_node:0badcafe does not exist" err &&
	test ! -e none/node/index.json
'

test_expect_success 'chunked uploads (chunk-size = 16k): PATCH requests, then the same digests' '
	fresh &&
	n=$(make_oci_layout src/node v1 seed-c 2 100000) &&
	p=$(make_oci_layout src/proxy v1 seed-k 1 100000) &&
	registry_start --log &&
	project "oci:$TRASH/src/{image}:v1" "chunk-size = 16k" &&
	(cd proj && slipway image push 0123abcd) >out 2>err &&
	cat out err &&
	test_grep "^node: .* = $n (3 blobs sent, " out &&
	test_grep "^proxy: .* = $p (2 blobs sent, " out &&
	cat "$REG_LOG" | cut -c 1-160 &&
	test "$(registry_requests PATCH uploads 202)" -ge 18 &&
	test "$(registry_requests PATCH uploads "[^2].")" = 0 &&
	test "$(registry_requests PUT uploads 201)" = 5 &&
	layout_digests src/node v1 | awk "\$1 == \"layer\" {print \$2}" >layers &&
	for l in $(cat layers); do
		id=$(grep "\"PUT /v2/team/indra_node/blobs/uploads/[^ ]*digest=$l" "$REG_LOG" |
			sed "s|.*/blobs/uploads/\([^?]*\)?.*|\1|") &&
		test -n "$id" &&
		test "$(grep -c "\"PATCH /v2/team/indra_node/blobs/uploads/$id?" "$REG_LOG")" -ge 6 || return 1
	done &&
	test "$(digest_of node:0123abcd)" = "$n" &&
	test "$(digest_of proxy:0123abcd)" = "$p" &&
	for i in node proxy; do
		skopeo copy -q $(registry_skopeo_opts src) "docker://$REG/team/indra_$i:0123abcd" "oci:back-$i:v1" &&
		layout_digests "src/$i" v1 >want &&
		layout_digests "back-$i" v1 >got &&
		test_cmp want got || return 1
	done
'

test_expect_success 'promote moves no blob: a manifest copy to the new tag; tags and exists' '
	fresh &&
	n=$(make_oci_layout src/node v1 seed-pn) &&
	p=$(make_oci_layout src/proxy v1 seed-pp) &&
	registry_start --log &&
	project "oci:$TRASH/src/{image}:v1" &&
	(cd proj && slipway image push 0123abcd) >out 2>err &&
	before=$(wc -l <"$REG_LOG") &&
	(cd proj && slipway image promote 0123abcd 1.0.0) >out 2>err &&
	cat out err &&
	cat >want <<-EOF &&
	node: $REG/team/indra_node:1.0.0 = $n
	proxy: $REG/team/indra_proxy:1.0.0 = $p
	EOF
	test_cmp want out &&
	log_since "$before" &&
	cut -c 1-160 new.log &&
	test "$(registry_requests ".*" blobs "" new.log)" = 0 &&
	test "$(registry_requests ".*" uploads "" new.log)" = 0 &&
	test "$(registry_requests PUT manifests 201 new.log)" = 2 &&
	test "$(grep -c "\"PUT /v2/team/indra_[a-z]*/manifests/1.0.0 " new.log)" = 2 &&
	test "$(digest_of node:1.0.0)" = "$n" &&
	test "$(digest_of proxy:1.0.0)" = "$p" &&
	test "$(raw_digest node:1.0.0)" = "$n" &&
	(cd proj && slipway image tags) >out 2>err &&
	cat out &&
	cat >want <<-\EOF &&
	node (team/indra_node): 0123abcd 1.0.0 latest
	proxy (team/indra_proxy): 0123abcd 1.0.0 latest
	EOF
	test_cmp want out &&
	skopeo list-tags $(registry_skopeo_opts) "docker://$REG/team/indra_proxy" >tags.json &&
	python3 -c "import json, sys; print(\" \".join(sorted(json.load(sys.stdin)[\"Tags\"])))" <tags.json >got &&
	echo "0123abcd 1.0.0 latest" >want && test_cmp want got &&
	(cd proj && slipway image exists 1.0.0) >out 2>err &&
	test_grep "^node: team/indra_node:1.0.0 exists, $n$" out &&
	test_grep "^proxy: team/indra_proxy:1.0.0 exists, $p$" out &&
	(cd proj && test_expect_code 1 "$SLIPWAY" image exists 2.0.0) >out 2>err &&
	test_grep "^node: team/indra_node:2.0.0 does not exist$" out &&
	test_grep "^proxy: team/indra_proxy:2.0.0 does not exist$" out &&
	(cd proj && slipway image promote 0123abcd 1.0.0) >out 2>err &&
	test_grep "^node: $REG/team/indra_node:1.0.0 is $n already, nothing sent$" out
'

test_expect_success 'exists with one image lacking the tag: exit 1, each listed; tags of an image never pushed' '
	fresh &&
	n=$(make_oci_layout src/node v1 seed-e) &&
	registry_start &&
	project "oci:$TRASH/src/{image}:v1" &&
	(cd proj && slipway image tags) >out 2>err &&
	cat >want <<-\EOF &&
	node (team/indra_node): no tags
	proxy (team/indra_proxy): no tags
	EOF
	test_cmp want out &&
	(cd proj && slipway image push dev-1 node) >out 2>err &&
	test_grep "^node: .*:dev-1 = $n " out &&
	(cd proj && test_expect_code 1 "$SLIPWAY" image exists dev-1) >out 2>err &&
	test_grep "^node: team/indra_node:dev-1 exists, $n$" out &&
	test_grep "^proxy: team/indra_proxy:dev-1 does not exist$" out &&
	(cd proj && slipway image exists dev-1 node) >out 2>err &&
	test_grep "^node: team/indra_node:dev-1 exists" out &&
	(cd proj && slipway image tags node proxy) >out 2>err &&
	cat >want <<-\EOF &&
	node (team/indra_node): dev-1 latest
	proxy (team/indra_proxy): no tags
	EOF
	test_cmp want out &&
	(cd proj && test_expect_code 2 "$SLIPWAY" image exists dev-1 web) >out 2>err &&
	test_grep "web" err
'

test_done
