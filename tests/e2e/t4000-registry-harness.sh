#!/bin/sh
# t4000-registry-harness.sh - the registry test harness itself (registry-lib.sh, images/), checked with curl and skopeo.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/registry-lib.sh"

# gone PID...: each PID has ended and been reaped (ps lists zombies too)
gone() {
	for _p in "$@"; do
		if ps -o pid=,stat=,args= -p "$_p" >ps.out; then
			echo "process $_p is still there:" >&2; cat ps.out >&2; return 1
		fi
	done
}

# digest_of REF OPTS...: the manifest digest skopeo sees at docker://$REG/REF
digest_of() {
	_r=$1; shift
	skopeo inspect "$@" --format "{{.Digest}}" "docker://$REG/$_r"
}

test_expect_success 'fixtures: same seed, same bytes; another seed, other digests' '
	d1=$(make_oci_layout a v1 seed-1) && d2=$(make_oci_layout b v1 seed-1) &&
	test "$d1" = "$d2" && diff -r a b &&
	d3=$(make_oci_layout a v2 seed-2 3 10000) && test "$d3" != "$d1" &&
	layout_digests a v1 >v1.parts && layout_digests a v2 >v2.parts &&
	test "$(grep -c "^layer " v1.parts)" = 2 && test "$(grep -c "^layer " v2.parts)" = 3 &&
	test "$(head -1 v1.parts | cut -d" " -f2)" = "$d1" &&
	cut -d" " -f2 v1.parts | sort >l1 && cut -d" " -f2 v2.parts | sort >l2 &&
	test -z "$(comm -12 l1 l2)" &&
	awk "\$1 == \"layer\" && (\$3 < 10000 || \$3 > 11000) {exit 1}" v2.parts &&
	test "$(make_oci_layout a v1 seed-1)" = "$d1" &&
	python3 -c "import json; i = json.load(open(\"a/index.json\")); assert len(i[\"manifests\"]) == 2" &&
	for f in a/blobs/sha256/*; do
		test "sha256:$(sha256sum <"$f" | cut -c1-64)" = "sha256:${f##*/}" || return 1
	done &&
	umoci unpack --rootless --image a:v2 bundle >/dev/null &&
	test "$(cat bundle/rootfs/layer2/seed.txt)" = "seed seed-2 layer 2" &&
	i1=$(make_docker_archive x.tar seed-1) && i2=$(make_docker_archive y.tar seed-1) &&
	cmp x.tar y.tar && test "$i1" = "$i2" &&
	test "$i1" = "$(grep "^config " v1.parts | cut -d" " -f2)" &&
	test "$(make_docker_archive z.tar seed-3)" != "$i1"
'

test_expect_success 'registry_start gives up, with the log, when the registry cannot start' '
	(REGISTRY_BIN=false && test_must_fail registry_start 2>err) &&
	test_grep "docker-registry exited" err &&
	test_must_fail registry_start --nonsense 2>err && test_grep "unknown option" err
'

test_expect_success 'plain registry: push, inspect, pull; the access log counts blob requests' '
	d=$(make_oci_layout layout v1 seed-1) &&
	registry_start --log &&
	echo "$REG_PID" >>pids &&
	case $REG in 127.0.0.1:[0-9]*) ;; *) false ;; esac &&
	test "$(curl -s -o /dev/null -w "%{http_code}" "$REG_URL/v2/")" = 200 &&
	skopeo copy -q $(registry_skopeo_opts dest) oci:layout:v1 "docker://$REG/app/one:v1" &&
	test "$(registry_requests PUT uploads 201)" = 3 &&
	test "$(registry_requests PUT manifests 201)" = 1 &&
	test "$(registry_requests HEAD blobs 404)" -ge 3 &&
	test "$(registry_requests "GET|HEAD" blobs 200)" = 0 &&
	test "$(digest_of app/one:v1 --tls-verify=false)" = "$d" &&
	test "$(registry_requests GET blobs 200)" = 1 &&
	skopeo copy -q --src-tls-verify=false "docker://$REG/app/one:v1" oci:pulled:v1 &&
	test "$(layout_digests pulled v1 | head -1 | cut -d" " -f2)" = "$d" &&
	test "$(registry_requests GET blobs 200)" = 4 &&
	test "$(registry_requests GET blobs)" = 4 &&
	test "$(grep -c "\"GET /v2/[^ ]*/blobs/sha256:" "$REG_LOG")" = 4 &&
	layout_digests layout v1 | awk "\$1 != \"manifest\" {print \$2}" | sort >want &&
	sed -n "s|.*\"GET /v2/app/one/blobs/\([^ ]*\) HTTP.*|\1|p" "$REG_LOG" | sort -u >got &&
	test_cmp want got &&
	test "$(registry_requests ".*" base)" -ge 1 &&
	skopeo list-tags --tls-verify=false "docker://$REG/app/one" >tags &&
	test_grep "\"v1\"" tags &&
	test "$(registry_requests GET tags 200)" -ge 1
'

test_expect_success 'basic auth: right credentials push, wrong ones and none are refused' '
	d=$(make_oci_layout layout v1 seed-1) &&
	registry_start --basic alice:pa55word &&
	echo "$REG_PID" >>pids &&
	test "$REG_USER:$REG_PASS" = alice:pa55word && test -z "$REG_LOG" &&
	test_grep "^alice:\\\$2y\\\$" "$REG_DIR/htpasswd" &&
	curl -s -D hdr -o /dev/null "$REG_URL/v2/" && test_grep "^HTTP/1.1 401" hdr &&
	test_grep "^Www-Authenticate: Basic realm=" hdr &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -u alice:pa55word "$REG_URL/v2/")" = 200 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -u alice:wrong "$REG_URL/v2/")" = 401 &&
	skopeo copy -q $(registry_skopeo_opts dest) oci:layout:v1 "docker://$REG/app:v1" &&
	test "$(digest_of app:v1 $(registry_skopeo_opts))" = "$d" &&
	test_must_fail skopeo copy -q --dest-tls-verify=false --dest-creds=alice:wrong \
		oci:layout:v1 "docker://$REG/app:v2" 2>err &&
	test_grep "unauthorized\|authentication required" err &&
	test_must_fail skopeo inspect --tls-verify=false "docker://$REG/app:v1" 2>err &&
	test_grep "unauthorized\|authentication required" err
'

test_expect_success 'TLS: the CA is trusted with --cert-dir and only then' '
	d=$(make_oci_layout layout v1 seed-1) &&
	registry_start --tls --log &&
	echo "$REG_PID" >>pids &&
	case $REG_URL in https://127.0.0.1:*) ;; *) false ;; esac &&
	openssl x509 -in "$REG_DIR/tls/server.crt" -noout -ext subjectAltName >san &&
	test_grep "IP Address:127.0.0.1" san &&
	openssl verify -CAfile "$REG_CA" "$REG_DIR/tls/server.crt" &&
	cmp "$REG_CA" "$REG_CERT_DIR/ca.crt" && test "$(ls "$REG_CERT_DIR")" = ca.crt &&
	test "$(curl -s -o /dev/null -w "%{http_code}" --cacert "$REG_CA" "$REG_URL/v2/")" = 200 &&
	test_expect_code 60 curl -s -o /dev/null "$REG_URL/v2/" &&
	test_must_fail skopeo copy -q oci:layout:v1 "docker://$REG/app:v1" 2>err &&
	test_grep "x509: certificate signed by unknown authority" err &&
	skopeo copy -q $(registry_skopeo_opts dest) oci:layout:v1 "docker://$REG/app:v1" &&
	test "$(digest_of app:v1 --cert-dir="$REG_CERT_DIR")" = "$d" &&
	test "$(registry_requests PUT manifests 201)" = 1
'

test_expect_success 'token auth with curl: challenge, token, use; anonymous tokens cannot push' '
	registry_start --token --basic bob:t0ken-pass --log &&
	echo "$REG_PID $TOKEN_PID" >>pids &&
	test "$REG_USER" = bob &&
	curl -s -D hdr -o /dev/null "$REG_URL/v2/" && test_grep "^HTTP/1.1 401" hdr &&
	test_grep "^Www-Authenticate: Bearer realm=\"$TOKEN_URL\",service=\"$TOKEN_SERVICE\"" hdr &&
	curl -s -D hdr -o /dev/null -X POST "$REG_URL/v2/app/blobs/uploads/" &&
	grep -E "^Www-Authenticate: Bearer .*scope=\"repository:app:(pull,push|push,pull)\"" hdr &&
	q="service=$TOKEN_SERVICE&scope=repository:app:pull,push" &&
	curl -sf -u bob:t0ken-pass "$TOKEN_URL?$q" >tok.json &&
	python3 - "$TOKEN_SERVICE" "$TOKEN_ISSUER" tok.json >jwt <<-\EOF &&
	import base64, json, sys, time
	def part(s):
	    return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
	r = json.load(open(sys.argv[3]))
	assert r["token"] == r["access_token"] and r["expires_in"] == 300, r
	h, c, sig = r["token"].split(".")
	h, c = part(h), part(c)
	assert h["alg"] == "RS256" and len(h["x5c"]) == 1, h
	assert c["aud"] == sys.argv[1] and c["iss"] == sys.argv[2] and c["sub"] == "bob", c
	assert c["nbf"] <= time.time() < c["exp"] and c["iat"] and c["jti"], c
	assert c["access"] == [{"type": "repository", "name": "app", "actions": ["pull", "push"]}], c
	print(r["token"])
	EOF
	auth="Authorization: Bearer $(cat jwt)" &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -H "$auth" "$REG_URL/v2/")" = 200 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -H "$auth" -X POST "$REG_URL/v2/app/blobs/uploads/")" = 202 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -H "$auth" -X POST "$REG_URL/v2/other/blobs/uploads/")" = 401 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -u bob:wrong "$TOKEN_URL?$q")" = 401 &&
	curl -sf "$TOKEN_URL?$q" >anon.json &&
	python3 -c "import json, sys; t = json.load(sys.stdin)[\"token\"]; print(t)" <anon.json >anon &&
	anon="Authorization: Bearer $(cat anon)" &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -H "$anon" "$REG_URL/v2/")" = 200 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -H "$anon" -X POST "$REG_URL/v2/app/blobs/uploads/")" = 401 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer x.y.z" "$REG_URL/v2/")" = 401 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -u bob:t0ken-pass "$TOKEN_URL?service=other&scope=repository:app:pull")" = 401 &&
	tok=$(registry_token repository:app:pull) &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $tok" "$REG_URL/v2/app/tags/list")" = 404 &&
	cat "$TOKEN_LOG" &&
	test "$(wc -l <"$TOKEN_LOG")" = 5 &&
	test "$(grep -c " bob 200$" "$TOKEN_LOG")" = 2 &&
	test "$(grep -c " ! 401$" "$TOKEN_LOG")" = 1 &&
	test "$(grep -c " - 200$" "$TOKEN_LOG")" = 1
'

test_expect_success 'token auth with skopeo: push and inspect; wrong or no credentials fail; no retry storm' '
	d=$(make_oci_layout layout v1 seed-1) &&
	registry_start --token &&
	echo "$REG_PID $TOKEN_PID" >>pids &&
	test "$REG_USER:$REG_PASS" = slipway:s3cret &&
	skopeo copy -q $(registry_skopeo_opts dest) oci:layout:v1 "docker://$REG/team/app:v1" &&
	test "$(digest_of team/app:v1 $(registry_skopeo_opts))" = "$d" &&
	n=$(wc -l <"$TOKEN_LOG") && test "$n" -ge 1 && test "$n" -le 6 &&
	test "$(grep -vc " slipway 200$" "$TOKEN_LOG")" = 0 &&
	test_grep "^GET /token?.*scope=repository:team/app:pull,push" "$TOKEN_LOG" &&
	: >"$TOKEN_LOG" &&
	test_must_fail skopeo copy -q --dest-tls-verify=false --dest-creds=slipway:wrong \
		oci:layout:v1 "docker://$REG/team/app:v2" 2>err &&
	cat err && test_grep "401\|unauthorized" err &&
	n=$(wc -l <"$TOKEN_LOG") && test "$n" -ge 1 && test "$n" -le 6 &&
	test "$(grep -vc " ! 401$" "$TOKEN_LOG")" = 0 &&
	test_must_fail skopeo copy -q --dest-tls-verify=false \
		oci:layout:v1 "docker://$REG/team/app:v3" 2>err &&
	cat err && test_grep "denied\|unauthorized\|authentication required" err &&
	test_must_fail digest_of team/app:v2 $(registry_skopeo_opts) &&
	test_must_fail digest_of team/app:v3 $(registry_skopeo_opts)
'

test_expect_success 'TLS and token together' '
	d=$(make_oci_layout layout v1 seed-4) &&
	registry_start --tls --token &&
	echo "$REG_PID $TOKEN_PID" >>pids &&
	skopeo copy -q $(registry_skopeo_opts dest) oci:layout:v1 "docker://$REG/app:v1" &&
	test "$(digest_of app:v1 $(registry_skopeo_opts))" = "$d"
'

test_expect_success 'docker-archive: pushed with its config (the image id) unchanged' '
	id=$(make_docker_archive image.tar seed-5 3) &&
	tar xOf image.tar manifest.json >m.json &&
	test_grep "\"Config\":\"${id#sha256:}.json\"" m.json &&
	test_grep "\"RepoTags\":\[\"slipway-test/image:latest\"\]" m.json &&
	test "$(tar tf image.tar | grep -c "/layer.tar$")" = 3 &&
	registry_start &&
	echo "$REG_PID" >>pids &&
	skopeo copy -q --dest-tls-verify=false docker-archive:image.tar "docker://$REG/arch:v1" &&
	skopeo inspect --tls-verify=false --raw "docker://$REG/arch:v1" >raw &&
	python3 -c "import json, sys; m = json.load(sys.stdin); print(m[\"config\"][\"digest\"], len(m[\"layers\"]))" <raw >got &&
	echo "$id 3" >want && test_cmp want got &&
	skopeo inspect --tls-verify=false --config "docker://$REG/arch:v1" >cfg &&
	test_grep "\"slipway.test.seed\": \"seed-5\"" cfg
'

test_expect_success 'multi-arch index: copied whole with --all' '
	d=$(make_oci_index layout multi seed-6) &&
	layout_digests layout multi >parts &&
	test "$(grep -c "^manifest " parts)" = 3 &&
	head -1 parts | grep -q "^manifest $d .* application/vnd.oci.image.index.v1+json$" &&
	registry_start --log &&
	echo "$REG_PID" >>pids &&
	skopeo copy -q --all --dest-tls-verify=false oci:layout:multi "docker://$REG/multi:v1" &&
	skopeo inspect --tls-verify=false --raw "docker://$REG/multi:v1" >raw &&
	test "sha256:$(sha256sum <raw | cut -c1-64)" = "$d" &&
	cmp raw "layout/blobs/sha256/${d#sha256:}" &&
	for m in $(sed -n "2,3s/^manifest \([^ ]*\) .*/\1/p" parts); do
		skopeo inspect --tls-verify=false --raw "docker://$REG/multi@$m" >one &&
		test "sha256:$(sha256sum <one | cut -c1-64)" = "$m" || return 1
	done &&
	test "$(registry_requests PUT manifests 201)" = 3 &&
	test "$(registry_requests PUT uploads 201)" = 6
'

test_expect_success 'broken layouts: skopeo refuses each, and no tag appears' '
	registry_start --log &&
	echo "$REG_PID" >>pids &&
	for kind in missing-blob bad-digest unknown-media-type truncated; do
		rm -rf bad && make_oci_layout bad v1 seed-7 >/dev/null &&
		if [ $kind = truncated ]; then
			l=$(layout_digests bad v1 | sed -n "s/^layer sha256:\([^ ]*\) .*/\1/p" | head -1) &&
			truncate_file "bad/blobs/sha256/$l" 100 &&
			test "$(wc -c <"bad/blobs/sha256/$l")" = 100
		else
			break_layout bad $kind >/dev/null
		fi &&
		test_must_fail skopeo copy -q --dest-tls-verify=false oci:bad:v1 "docker://$REG/bad:$kind" 2>err.$kind &&
		echo "== $kind:" && cat err.$kind &&
		test_must_fail skopeo inspect --tls-verify=false "docker://$REG/bad:$kind" 2>/dev/null || return 1
	done &&
	test_grep "no such file or directory" err.missing-blob &&
	test_grep "[Dd]igest did not match" err.bad-digest &&
	test_grep "no descriptor found for reference" err.unknown-media-type &&
	test_grep "[Dd]igest did not match" err.truncated &&
	test "$(registry_requests PUT manifests)" = 0
'

test_expect_success 'a manifest whose mediaType disagrees with index.json: the registry refuses it, skopeo converts' '
	make_oci_layout mis v1 seed-9 >/dev/null && new=$(break_layout mis mismatched-media-type) &&
	layout_digests mis v1 | head -1 >top &&
	test_grep "^manifest $new [0-9]* application/vnd.oci.image.manifest.v1+json$" top &&
	registry_start --log &&
	echo "$REG_PID" >>pids &&
	curl -s -o /dev/null -w "%{http_code}\n" -X PUT -H "Content-Type: application/vnd.oci.image.manifest.v1+json" \
		--data-binary "@mis/blobs/sha256/${new#sha256:}" "$REG_URL/v2/raw/manifests/v1" >code &&
	echo 400 >want && test_cmp want code &&
	skopeo copy -q --dest-tls-verify=false oci:mis:v1 "docker://$REG/mis:v1" &&
	test "$(registry_requests PUT manifests 400)" = 2 &&
	test "$(registry_requests PUT manifests 201)" = 1 &&
	skopeo inspect --tls-verify=false --raw "docker://$REG/mis:v1" >raw &&
	test_grep "application/vnd.docker.distribution.manifest.v2+json" raw
'

test_expect_success 'break_layout: each breakage is the only thing wrong' '
	make_oci_layout brk v1 seed-8 >/dev/null && layout_digests brk v1 >before &&
	layer=$(sed -n "s/^layer sha256:\([^ ]*\) .*/\1/p" before | head -1) &&
	cp -R brk b1 && break_layout b1 missing-blob && test ! -e "b1/blobs/sha256/$layer" &&
	test "$(ls b1/blobs/sha256 | wc -l)" = 3 &&
	cp -R brk b2 && break_layout b2 bad-digest &&
	test "$(wc -c <"b2/blobs/sha256/$layer")" = "$(wc -c <"brk/blobs/sha256/$layer")" &&
	test "$(sha256sum <"b2/blobs/sha256/$layer" | cut -c1-64)" != "$layer" &&
	test "$(cmp -l "brk/blobs/sha256/$layer" "b2/blobs/sha256/$layer" | wc -l)" = 1 &&
	cp -R brk b3 && new=$(break_layout b3 unknown-media-type) &&
	test "sha256:$(sha256sum <"b3/blobs/sha256/${new#sha256:}" | cut -c1-64)" = "$new" &&
	layout_digests b3 v1 >after &&
	grep -v "^manifest" before >want && grep -v "^manifest" after >got && test_cmp want got &&
	test_grep "^manifest $new [0-9]* application/vnd.slipway.test.unknown.v1+json$" after &&
	test_grep "\"mediaType\":\"application/vnd.slipway.test.unknown.v1+json\"" "b3/blobs/sha256/${new#sha256:}"
'

test_expect_success 'several registries in one test; registry_stop ends and reaps them' '
	registry_start && r1=$REG p1=$REG_PID &&
	registry_start --token && r2=$REG p2=$REG_PID t2=$TOKEN_PID &&
	registry_start --tls --basic u:p && r3=$REG p3=$REG_PID &&
	test "$r1" != "$r2" && test "$r2" != "$r3" && test "$r1" != "$r3" &&
	test -d "$TRASH/registry-1" && test -d "$TRASH/registry-3" &&
	ps -o pid= -p "$p1,$p2,$t2,$p3" >running && test "$(wc -l <running)" = 4 &&
	registry_stop "$p1" && gone "$p1" &&
	test_must_fail curl -s "http://$r1/v2/" &&
	ps -o pid= -p "$p2,$t2,$p3" >running && test "$(wc -l <running)" = 3 &&
	registry_stop && gone "$p2" "$t2" "$p3" &&
	{ ( registry_start --token && echo "$REG_PID $TOKEN_PID" >failed.pids && false ) ||
		test -s failed.pids; } &&
	gone $(cat failed.pids)
'

test_expect_success 'no process of an earlier test is left' '
	test "$(wc -w <pids)" -ge 10 &&
	gone $(cat pids)
'

test_done
