#!/bin/sh
# t4020-image-rules.sh - `slipway image push` against a real docker-registry: the tag
# rules (commit and release tags never move, latest does, images.mutable), racing
# pushes, credentials and TLS, and bad input that leaves nothing tagged (issue 5: 2, 3, 5, 6).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIR/registry-lib.sh"

# project HOST SOURCE [LINE...]: a fresh proj/ (a git repository) whose slipway.conf
# has [images] for registry HOST/team, images node and proxy named indra_*, each taken
# from SOURCE, mutable = dev-*; each LINE is one more [images] setting.
project() {
	rm -rf proj && git init -q proj &&
	{
		printf '[images]\n\tregistry = %s/team\n\tname = indra_{image}\n' "$1"
		printf '\timages = node proxy\n\tsource = %s\n\tmutable = dev-*\n' "$2"
		shift 2
		for _l in "$@"; do printf '\t%s\n' "$_l"; done
	} >proj/slipway.conf
}

# plain_project [LINE...]: project for the current plain-HTTP registry, sources src/{image}:v1
plain_project() {
	project "$REG" "oci:$TRASH/src/{image}:v1" "insecure = $REG" "$@"
}

# sw ARGS...: slipway in proj/
sw() {
	(cd proj && "$SLIPWAY" "$@")
}

# digest_of IMAGE:TAG: the digest skopeo sees at $REG/team/indra_IMAGE:TAG (fails when absent)
digest_of() {
	skopeo inspect $(registry_skopeo_opts) --format "{{.Digest}}" "docker://$REG/team/indra_$1"
}

# log_since N: the access log's lines after its first N, into new.log
log_since() {
	tail -n "+$(($1 + 1))" "$REG_LOG" >new.log
}

# images SEED...: src/node and src/proxy (v1) of seeds node-SEED and proxy-SEED; a
# fresh src/, alt/ (the same images of seed SEED-alt: other content) and no proj/.
images() {
	rm -rf src alt proj && mkdir src alt &&
	N=$(make_oci_layout src/node v1 "node-$1") && P=$(make_oci_layout src/proxy v1 "proxy-$1") &&
	N2=$(make_oci_layout alt/node v1 "node-$1-alt") && P2=$(make_oci_layout alt/proxy v1 "proxy-$1-alt")
}

# now_ms: the time in milliseconds
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# no_secret SECRET FILE...: SECRET appears in none of the files
no_secret() {
	_s=$1; shift
	if grep -F -e "$_s" "$@"; then echo "the secret is in $*" >&2; return 1; fi
	return 0
}

test_expect_success 'commit tag: re-push of the same content is a no-op, other content is refused before anything is sent' '
	images c &&
	registry_start --log &&
	plain_project &&
	sw image push 0123abcd >out 2>err &&
	sw image push 0123abcd >out 2>err &&
	test_grep "^node: $REG/team/indra_node:0123abcd is $N already, nothing sent$" out &&
	before=$(wc -l <"$REG_LOG") &&
	test_expect_code 1 sw image push 0123abcd node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	cat err &&
	test_grep "team/indra_node:0123abcd is already $N; a commit tag never moves (this image is $N2)" err &&
	test_grep "^hint: " err &&
	test_must_fail test -s out &&
	log_since "$before" &&
	test "$(registry_requests "PUT|POST|PATCH|DELETE" any "" new.log)" = 0 &&
	test "$(digest_of node:0123abcd)" = "$N" &&
	test "$(digest_of node:latest)" = "$N" &&
	test "$(digest_of proxy:0123abcd)" = "$P"
'

test_expect_success 'release tag: the same, and an image refused leaves the others of the push untagged' '
	images r &&
	registry_start --log &&
	plain_project &&
	sw image push 1.2.0 proxy >out 2>err &&
	test_grep "^proxy: $REG/team/indra_proxy:1.2.0 = $P " out &&
	sw image push 1.2.0 proxy >out 2>err &&
	test_grep "^proxy: .*:1.2.0 is $P already, nothing sent$" out &&
	before=$(wc -l <"$REG_LOG") &&
	project "$REG" "oci:$TRASH/alt/{image}:v1" "insecure = $REG" &&
	test_expect_code 1 sw image push 1.2.0 >out 2>err &&
	cat err &&
	test_grep "team/indra_proxy:1.2.0 is already $P; a release tag never moves (this image is $P2)" err &&
	log_since "$before" &&
	test "$(registry_requests "PUT|POST|PATCH|DELETE" any "" new.log)" = 0 &&
	test "$(digest_of proxy:1.2.0)" = "$P" &&
	test "$(digest_of proxy:latest)" = "$P" &&
	test_must_fail digest_of node:1.2.0 2>/dev/null &&
	test_must_fail digest_of node:latest 2>/dev/null &&
	test_expect_code 1 sw image exists 1.2.0 >out &&
	test_grep "^node: team/indra_node:1.2.0 does not exist$" out
'

test_expect_success 'latest moves with every push; a pre-release is a release tag too' '
	images l &&
	registry_start &&
	plain_project &&
	sw image push 0123abcd node >out 2>err &&
	test_grep "^node: .*:0123abcd = $N .*; latest moved$" out &&
	test "$(digest_of node:latest)" = "$N" &&
	sw image push 89abcdef node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test_grep "^node: .*:89abcdef = $N2 .*; latest moved$" out &&
	test "$(digest_of node:latest)" = "$N2" &&
	test "$(digest_of node:0123abcd)" = "$N" &&
	sw image push 2.0.0-rc.1 node >out 2>err &&
	test "$(digest_of node:latest)" = "$N" &&
	test_expect_code 1 sw image push 2.0.0-rc.1 node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test_grep "a release tag never moves" err &&
	sw image push latest node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test "$(digest_of node:latest)" = "$N2" &&
	test "$(digest_of node:2.0.0-rc.1)" = "$N"
'

test_expect_success 'other tags: refused unless images.mutable matches; dev-x moves' '
	images m &&
	registry_start --log &&
	plain_project &&
	before=$(wc -l <"$REG_LOG") &&
	for t in feature-x abcdef 0123ABCD v1.2.0 1.2 "$(printf "%041d" 0)"; do
		test_expect_code 1 sw image push "$t" node >out 2>err &&
		test_grep "tag .$t. is neither a commit (7-40 hex digits), a release (SemVer) nor .latest." err &&
		test_grep "^hint: .*images.mutable" err || return 1
	done &&
	log_since "$before" &&
	test "$(registry_requests "PUT|POST|PATCH" any "" new.log)" = 0 &&
	sw image push dev-x node >out 2>err &&
	test_grep "^node: .*:dev-x = $N " out &&
	test "$(digest_of node:dev-x)" = "$N" &&
	sw image push dev-x node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test_grep "^node: .*:dev-x = $N2 " out &&
	test "$(digest_of node:dev-x)" = "$N2" &&
	sw image push dev-x node >out 2>err &&
	test "$(digest_of node:dev-x)" = "$N" &&
	sed -i "s/mutable = dev-\*/mutable = pr-* *-wip/" proj/slipway.conf &&
	sw image push pr-7 node --from "oci:$TRASH/alt/node:v1" >out 2>err &&
	test "$(digest_of node:pr-7)" = "$N2" &&
	sw image push x-wip node >out 2>err &&
	test "$(digest_of node:x-wip)" = "$N" &&
	test_expect_code 1 sw image push dev-x node >out 2>err &&
	test_expect_code 1 sw image push x-wip2 node >out 2>err &&
	sed -i "/mutable/d" proj/slipway.conf &&
	test_expect_code 1 sw image push dev-x node >out 2>err &&
	test_grep "tag .dev-x. is neither" err &&
	test "$(digest_of node:dev-x)" = "$N"
'

test_expect_success 'invalid tags: exit 2, before any request' '
	images i &&
	registry_start --log &&
	plain_project &&
	before=$(wc -l <"$REG_LOG") &&
	long=$(printf "%0129d" 0) &&
	for t in "a b" .x x:y x/y "$long" "" "1.0.0+build" "dev-é"; do
		test_expect_code 2 sw image push -- "$t" >out 2>err &&
		test_grep "invalid tag" err || return 1
	done &&
	test_expect_code 2 sw image promote 0123abcd "x y" >out 2>err &&
	test_grep "invalid tag .x y." err &&
	log_since "$before" &&
	test "$(wc -l <new.log)" = 0
'

test_expect_success 'two pushes racing on one commit tag: exactly one wins, the registry keeps the winner' '
	rm -rf A B proj &&
	a=$(make_oci_layout A v1 seed-race-a) && b=$(make_oci_layout B v1 seed-race-b) &&
	registry_start &&
	plain_project &&
	for i in 1 2 3 4 5; do
		t=abcdef0$i &&
		{ sw image push "$t" node --from "oci:$TRASH/A" >a.out 2>a.err & pa=$!; } &&
		{ sw image push "$t" node --from "oci:$TRASH/B" >b.out 2>b.err & pb=$!; } &&
		{ wait $pa; ra=$?; wait $pb; rb=$?; } &&
		echo "$t: A exited $ra, B exited $rb" && cat a.err b.err &&
		if [ $ra = 0 ] && [ $rb = 1 ]; then
			win=$a lose=$b loser=b.err
		elif [ $ra = 1 ] && [ $rb = 0 ]; then
			win=$b lose=$a loser=a.err
		else
			echo "not exactly one winner" >&2; false
		fi &&
		grep -E "lost a race: another push set it to $win at the same time; that one stays|is already $win; a commit tag never moves" $loser &&
		test "$(digest_of "node:$t")" = "$win" &&
		test "$(digest_of node:latest)" = "$win" || return 1
	done
'

test_expect_success 'Basic auth with DOCKER_USER/DOCKER_PASSWORD; the password in no output and no argv' '
	rm -rf src && mkdir src &&
	make_oci_layout src/node v1 seed-ba 3 1500000 >/dev/null &&
	make_oci_layout src/proxy v1 seed-bp >/dev/null &&
	registry_start --basic ci:Se5ame-0pen &&
	plain_project "chunk-size = 64k" &&
	(
		export DOCKER_USER=ci DOCKER_PASSWORD=Se5ame-0pen &&
		{ sw image push 0123abcd >out 2>err & pid=$!; } &&
		: >ps.all &&
		while kill -0 $pid 2>/dev/null; do ps -eo args >>ps.all; done &&
		wait $pid
	) &&
	cat out err &&
	test_grep "^node: .*:0123abcd = sha256:" out &&
	test_grep "image push 0123abcd" ps.all &&
	no_secret Se5ame-0pen out err ps.all &&
	test "$(digest_of node:0123abcd)" = "$(layout_digests src/node v1 | sed -n "1s/^manifest \([^ ]*\) .*/\1/p")"
'

test_expect_success 'Basic auth from ~/.docker/config.json auths, and from $DOCKER_CONFIG' '
	rm -rf src h1 h2 dc && mkdir src h1 h2 dc &&
	make_oci_layout src/node v1 seed-cj >/dev/null && make_oci_layout src/proxy v1 seed-cj2 >/dev/null &&
	registry_start --basic dock:c0nfig-pw &&
	plain_project &&
	mkdir h1/.docker &&
	printf "{\"auths\": {\"%s\": {\"auth\": \"%s\"}}}\n" "$REG" "$(printf dock:c0nfig-pw | base64)" >h1/.docker/config.json &&
	(unset DOCKER_USER DOCKER_PASSWORD DOCKER_CONFIG; HOME=$TRASH/h1; export HOME; sw image push 0123abcd) >out 2>err &&
	cat out err &&
	test_grep "^node: .*:0123abcd = " out &&
	no_secret c0nfig-pw out err &&
	test "$(digest_of node:0123abcd)" != "" &&
	cp h1/.docker/config.json dc/config.json &&
	(unset DOCKER_USER DOCKER_PASSWORD; HOME=$TRASH/h2 DOCKER_CONFIG=$TRASH/dc; export HOME DOCKER_CONFIG;
	 sw image push dev-1) >out 2>err &&
	cat out err &&
	test_grep "^proxy: .*:dev-1 = " out &&
	(unset DOCKER_USER DOCKER_PASSWORD DOCKER_CONFIG; HOME=$TRASH/h2; export HOME;
	 test_expect_code 4 sw image push dev-2) >out 2>err &&
	test_grep "401 Unauthorized" err
'

test_expect_success 'Basic auth: a wrong password is one clear 401, no retry storm; none at all hints DOCKER_USER' '
	rm -rf src && mkdir src &&
	make_oci_layout src/node v1 seed-wp >/dev/null && make_oci_layout src/proxy v1 seed-wq >/dev/null &&
	registry_start --basic ci:r1ght-pw --log &&
	plain_project &&
	before=$(wc -l <"$REG_LOG") &&
	t0=$(now_ms) &&
	(DOCKER_USER=ci DOCKER_PASSWORD=wr0ng-pw; export DOCKER_USER DOCKER_PASSWORD;
	 test_expect_code 4 sw image push 0123abcd) >out 2>err &&
	t1=$(now_ms) &&
	cat err &&
	test_grep "$REG: 401 Unauthorized" err &&
	test_grep "^hint: .*DOCKER_USER/DOCKER_PASSWORD" err &&
	no_secret wr0ng-pw out err &&
	log_since "$before" && cat new.log &&
	test "$(wc -l <new.log)" -ge 1 && test "$(wc -l <new.log)" -le 3 &&
	test "$(registry_requests ".*" any "401" new.log)" = "$(wc -l <new.log)" &&
	test $((t1 - t0)) -lt 2000 &&
	before=$(wc -l <"$REG_LOG") &&
	(unset DOCKER_USER DOCKER_PASSWORD DOCKER_CONFIG; test_expect_code 4 sw image push 0123abcd) >out 2>err &&
	cat err &&
	test_grep "401 Unauthorized" err &&
	test_grep "^hint: .*DOCKER_USER" err &&
	log_since "$before" &&
	test "$(wc -l <new.log)" -le 3 &&
	test "$(registry_requests "PUT|POST|PATCH" any "" "$REG_LOG")" = 0
'

test_expect_success 'Bearer token auth: push works; a wrong password is one refused token request' '
	rm -rf src && mkdir src &&
	n=$(make_oci_layout src/node v1 seed-tk 2) && p=$(make_oci_layout src/proxy v1 seed-tk 3) &&
	registry_start --token --basic bob:t0ken-pass &&
	plain_project &&
	(DOCKER_USER=bob DOCKER_PASSWORD=t0ken-pass; export DOCKER_USER DOCKER_PASSWORD;
	 sw image push 0123abcd) >out 2>err &&
	cat out err &&
	test_grep "^node: .*:0123abcd = $n (3 blobs sent, .*; 0 there, 0 mounted)" out &&
	test_grep "^proxy: .*:0123abcd = $p (2 blobs sent, .*; 0 there, 2 mounted)" out &&
	no_secret t0ken-pass out err &&
	test "$(digest_of node:0123abcd)" = "$n" &&
	test "$(digest_of proxy:0123abcd)" = "$p" &&
	test_grep "^GET /token?.*scope=repository:team/indra_node:.*push.* bob 200$" "$TOKEN_LOG" &&
	test "$(grep -vc " bob 200$" "$TOKEN_LOG")" = 0 &&
	: >"$TOKEN_LOG" &&
	(DOCKER_USER=bob DOCKER_PASSWORD=n0t-it; export DOCKER_USER DOCKER_PASSWORD;
	 test_expect_code 4 sw image push 89abcdef) >out 2>err &&
	cat err "$TOKEN_LOG" &&
	test_grep "refused the username or password: 401\|401 Unauthorized" err &&
	test_grep "^hint: .*DOCKER_USER/DOCKER_PASSWORD" err &&
	no_secret n0t-it out err &&
	test "$(wc -l <"$TOKEN_LOG")" -ge 1 && test "$(wc -l <"$TOKEN_LOG")" -le 3 &&
	test "$(grep -vc " ! 401$" "$TOKEN_LOG")" = 0 &&
	(unset DOCKER_USER DOCKER_PASSWORD DOCKER_CONFIG; test_expect_code 4 sw image push 89abcdef) >out 2>err &&
	cat err &&
	test_grep "401 Unauthorized" err &&
	test_grep "^hint: .*DOCKER_USER" err &&
	test_must_fail digest_of node:89abcdef 2>/dev/null
'

test_expect_success 'TLS: images.ca-file trusts the registry; without it the certificate is refused' '
	rm -rf src && mkdir src &&
	n=$(make_oci_layout src/node v1 seed-tls) && make_oci_layout src/proxy v1 seed-tlt >/dev/null &&
	registry_start --tls --log &&
	project "$REG" "oci:$TRASH/src/{image}:v1" &&
	test_expect_code 4 sw image push 0123abcd >out 2>err &&
	cat err &&
	test_grep "certificate" err &&
	test "$(registry_requests ".*" any)" = 1 &&
	project "$REG" "oci:$TRASH/src/{image}:v1" "ca-file = $REG_CA" &&
	sw image push 0123abcd >out 2>err &&
	test_grep "^node: $REG/team/indra_node:0123abcd = $n " out &&
	test "$(digest_of node:0123abcd)" = "$n"
'

test_expect_success 'broken sources: bad digest, unknown or mismatched media type: exit 2, nothing tagged' '
	registry_start --log &&
	for kind in bad-digest unknown-media-type mismatched-media-type; do
		rm -rf src && mkdir src &&
		make_oci_layout src/node v1 seed-bn >/dev/null &&
		make_oci_layout src/proxy v1 "seed-$kind" >/dev/null &&
		break_layout src/proxy $kind >/dev/null &&
		plain_project &&
		test_expect_code 2 sw image push 0123abcd >out 2>err &&
		echo "== $kind:" && cat err &&
		cp err err.$kind &&
		test_must_fail digest_of node:0123abcd 2>/dev/null &&
		test_must_fail digest_of node:latest 2>/dev/null &&
		test_expect_code 1 sw image exists 0123abcd node >/dev/null || return 1
	done &&
	test_grep "blob sha256:[0-9a-f]*: its bytes do not match its digest" err.bad-digest &&
	test_grep "proxy" err.bad-digest &&
	test_grep "unknown manifest media type .application/vnd.slipway.test.unknown.v1+json." err.unknown-media-type &&
	test_grep "says its type is .application/vnd.slipway.test.unknown.v1+json., but its index entry says .application/vnd.oci.image.manifest.v1+json." err.mismatched-media-type &&
	test "$(registry_requests "PUT|POST" manifests)" = 0
'

test_expect_success 'a layout with a missing blob: exit 2 (bad input), nothing tagged' '
	rm -rf src && mkdir src &&
	make_oci_layout src/node v1 seed-mn >/dev/null &&
	make_oci_layout src/proxy v1 seed-mp >/dev/null &&
	layer=$(layout_digests src/proxy v1 | sed -n "s/^layer \([^ ]*\) .*/\1/p" | head -1) &&
	break_layout src/proxy missing-blob &&
	registry_start --log &&
	plain_project &&
	{ sw image push 0123abcd >out 2>err; echo $? >rc; } &&
	cat err &&
	test_grep "proxy: blob $layer not found in .$TRASH/src/proxy." err &&
	test_must_fail digest_of node:0123abcd 2>/dev/null &&
	test_must_fail digest_of node:latest 2>/dev/null &&
	test "$(registry_requests PUT manifests)" = 0 &&
	echo "exit status $(cat rc)" && test "$(cat rc)" = 2
'

test_expect_success 'a source that is not there: exit 2 (bad input)' '
	rm -rf src && mkdir src && make_oci_layout src/node v1 seed-nt >/dev/null &&
	registry_start --log &&
	plain_project &&
	{ sw image push 0123abcd proxy >out 2>err; echo $? >rc1; } &&
	cat err &&
	test_grep "no OCI layout at .$TRASH/src/proxy." err &&
	{ sw image push 0123abcd node --from "oci:$TRASH/src/node:v9" >out 2>err; echo $? >rc2; } &&
	cat err &&
	test_grep "has no tag .v9." err &&
	test "$(registry_requests "PUT|POST" any)" = 0 &&
	echo "exit statuses $(cat rc1) and $(cat rc2)" &&
	test "$(cat rc1)" = 2 && test "$(cat rc2)" = 2
'

test_expect_success 'a truncated docker archive: exit 2, a clear error, nothing tagged' '
	rm -rf arch && mkdir arch &&
	make_docker_archive arch/node.tar seed-an >/dev/null &&
	make_docker_archive arch/proxy.tar seed-ap 3 >/dev/null &&
	truncate_file arch/proxy.tar $(($(wc -c <arch/proxy.tar) / 2)) &&
	registry_start --log &&
	project "$REG" "docker-archive:$TRASH/arch/{image}.tar" "insecure = $REG" &&
	test_expect_code 2 sw image push 0123abcd >out 2>err &&
	cat err &&
	test_grep "$TRASH/arch/proxy.tar. is truncated" err &&
	test_must_fail digest_of node:0123abcd 2>/dev/null &&
	test "$(registry_requests "PUT|POST|PATCH" any)" = 0 &&
	echo not a tar >arch/proxy.tar &&
	test_expect_code 2 sw image push 0123abcd >out 2>err &&
	test_grep "proxy.tar. is truncated or not a tar archive" err &&
	make_docker_archive arch/proxy.tar seed-ap 3 >/dev/null &&
	sw image push 0123abcd >out 2>err &&
	test "$(digest_of node:0123abcd)" != ""
'

test_expect_success 'an unreachable registry: exit 4 after the retries, within 10 s' '
	rm -rf src && mkdir src && make_oci_layout src/node v1 seed-u >/dev/null &&
	port=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	project "127.0.0.1:$port" "oci:$TRASH/src/{image}:v1" "insecure = 127.0.0.1:$port" &&
	t0=$(now_ms) &&
	test_expect_code 4 sw image push 0123abcd node >out 2>err &&
	t1=$(now_ms) &&
	cat err && echo "$((t1 - t0)) ms" &&
	test_grep "127.0.0.1:$port" err &&
	test_grep "connect" err &&
	test $((t1 - t0)) -ge 4000 &&
	test $((t1 - t0)) -lt 10000
'

test_expect_success 'a "registry" answering HTML to everything: exit 4, a clear error, nothing claimed' '
	rm -rf src && mkdir src &&
	make_oci_layout src/node v1 seed-g >/dev/null && make_oci_layout src/proxy v1 seed-h >/dev/null &&
	cat >garbage.py <<-\EOF &&
	import http.server, sys
	class H(http.server.BaseHTTPRequestHandler):
	    def answer(self):
	        n = int(self.headers.get("Content-Length") or 0)
	        if n:
	            self.rfile.read(n)
	        body = b"<html><body><h1>Welcome to nginx!</h1></body></html>\n"
	        self.send_response(200)
	        self.send_header("Content-Type", "text/html")
	        self.send_header("Content-Length", str(len(body)))
	        self.end_headers()
	        if self.command != "HEAD":
	            self.wfile.write(body)
	        with open(sys.argv[2], "a") as f:
	            f.write("%s %s\n" % (self.command, self.path))
	    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = answer
	    def log_message(self, *args):
	        pass
	s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
	with open(sys.argv[1] + ".tmp", "w") as f:
	    f.write(str(s.server_address[1]))
	import os
	os.rename(sys.argv[1] + ".tmp", sys.argv[1])
	s.serve_forever()
	EOF
	rm -f gport && : >garbage.log &&
	{ python3 garbage.py gport garbage.log & gp=$!; } &&
	test_when_finished "kill $gp 2>/dev/null" &&
	trap "kill $gp 2>/dev/null; wait $gp" EXIT &&
	i=0 && while [ ! -s gport ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done &&
	G=127.0.0.1:$(cat gport) &&
	project "$G" "oci:$TRASH/src/{image}:v1" "insecure = $G" &&
	test_expect_code 4 sw image push 0123abcd >out 2>err &&
	cat err garbage.log &&
	test_grep "$G/team/indra_node:0123abcd: the registry answered with something that is not a manifest (text/html)" err &&
	test_must_fail grep -E "^(PUT|POST|PATCH)" garbage.log &&
	test_must_fail test -s out &&
	test_expect_code 4 sw image exists 0123abcd >out 2>err &&
	test_grep "not a manifest" err &&
	test_expect_code 4 sw image promote 0123abcd 1.0.0 >out 2>err &&
	test_grep "not a manifest" err &&
	test_must_fail grep -E "^(PUT|POST|PATCH)" garbage.log
'

test_expect_success 'image tags against a garbage registry: exit 4, and it does not claim "no tags"' '
	cat >garbage2.py <<-\EOF &&
	import http.server, os, sys
	class H(http.server.BaseHTTPRequestHandler):
	    def do_GET(self):
	        body = b"<html>oops</html>\n"
	        self.send_response(200)
	        self.send_header("Content-Type", "text/html")
	        self.send_header("Content-Length", str(len(body)))
	        self.end_headers()
	        self.wfile.write(body)
	    do_HEAD = do_GET
	    def log_message(self, *args):
	        pass
	s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
	with open(sys.argv[1] + ".tmp", "w") as f:
	    f.write(str(s.server_address[1]))
	os.rename(sys.argv[1] + ".tmp", sys.argv[1])
	s.serve_forever()
	EOF
	rm -f gport &&
	{ python3 garbage2.py gport & gp=$!; } &&
	test_when_finished "kill $gp 2>/dev/null" &&
	trap "kill $gp 2>/dev/null; wait $gp" EXIT &&
	i=0 && while [ ! -s gport ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done &&
	G=127.0.0.1:$(cat gport) &&
	project "$G" "oci:$TRASH/src/{image}:v1" "insecure = $G" &&
	test_expect_code 4 sw image tags >out 2>err &&
	cat out err &&
	test_grep "the tag list of team/indra_node is not JSON" err &&
	test_must_fail grep "no tags" out
'

test_expect_success 'a bad [images]: exit 2 with a hint' '
	rm -rf proj && git init -q proj &&
	printf "[images]\n\tregistry = 127.0.0.1:9/team\n" >proj/slipway.conf &&
	test_expect_code 2 sw image push 0123abcd >out 2>err &&
	test_grep "has no images: set images.registry and images.images" err &&
	test_grep "^hint: " err &&
	printf "[images]\n\timages = node\n" >proj/slipway.conf &&
	test_expect_code 2 sw image tags >out 2>err &&
	test_grep "has no images" err &&
	printf "[images]\n\tregistry = 127.0.0.1:9/team\n\timages = node\n\tsorce = oci:x\n" >proj/slipway.conf &&
	test_expect_code 2 sw image push 0123abcd >out 2>err &&
	test_grep "unknown key .images.sorce." err &&
	printf "[images]\n\tregistry = 127.0.0.1:9/team\n\timages = node\n" >proj/slipway.conf &&
	test_expect_code 2 sw image push 0123abcd >out 2>err &&
	test_grep "images.source is not set" err &&
	test_expect_code 2 sw image push 0123abcd node --from "tarball:$TRASH/x.tar" >out 2>err &&
	test_grep "unknown image source .tarball:" err
'

test_expect_success 'an image that is not configured: exit 2, naming the configured ones' '
	rm -rf src && mkdir src && make_oci_layout src/node v1 seed-x >/dev/null &&
	project 127.0.0.1:9 "oci:$TRASH/src/{image}:v1" "insecure = 127.0.0.1:9" &&
	test_expect_code 2 sw image push 0123abcd web >out 2>err &&
	cat err &&
	test_grep "web. is not one of the images" err &&
	test_grep "images.images: node proxy" err
'

test_done
