# registry-lib.sh - sourced after lib.sh by the image tests: real registries on 127.0.0.1, image fixtures.
#
# . "$(dirname "$0")/lib.sh"
# . "$TEST_DIR/registry-lib.sh"
#
# test_expect_success 'push' '
#	d=$(make_oci_layout layout v1 seed-a) &&
#	registry_start --basic u:p --log &&
#	skopeo copy $(registry_skopeo_opts dest) oci:layout:v1 docker://$REG/app:v1 &&
#	test "$(skopeo inspect $(registry_skopeo_opts) --format "{{.Digest}}" docker://$REG/app:v1)" = "$d"
# '
#
# Services started here belong to the test body that started them: they are stopped
# (killed AND waited for, so no zombie is left: PID 1 here reaps orphans late, if at all) when that body
# ends, whether it passed or failed. The body is a subshell of lib.sh and only a parent can
# reap, so this is done by an EXIT trap the first registry_start sets in the body's
# subshell; a test_when_finished backstop kills whatever is somehow still alive. So: call
# registry_start directly in a test body (or in a ( subshell ) of it, which then owns the
# registry), never in $(...), and do not set an EXIT trap of your own after it.
# Each service listens on 127.0.0.1 port 0 (the kernel picks a free port and the registry
# logs it), so test files, and whole suites, run in parallel without port collisions.

REGISTRY_BIN=${REGISTRY_BIN:-docker-registry}
IMAGES_DIR=$TEST_DIR/images
REG= REG_URL= REG_DIR= REG_PID= REG_USER= REG_PASS= REG_CA= REG_CERT_DIR= REG_LOG=
TOKEN_URL= TOKEN_LOG= TOKEN_PID= TOKEN_SERVICE= TOKEN_ISSUER=

# registry_start [--basic USER:PASS] [--token] [--tls] [--log]: starts a fresh
# docker-registry (own config and storage under $TRASH/registry-N/) on a free port of
# 127.0.0.1 and waits until GET /v2/ answers 200 or 401. Returns non-zero, showing the
# registry's own log, when it does not come up within 10 s. Sets:
#   REG       host:port, for image references: docker://$REG/app:v1
#   REG_URL   http://$REG or https://$REG
#   REG_DIR   its directory: config.yml, data/ (storage), registry.log (its stderr:
#             startup, errors, one "response completed" line per request), access.log
#             (its stdout), htpasswd, tls/ and certs.d/ (--tls), token/ (--token: PKI,
#             the token server's port, server.log and requests.log)
#   REG_PID   its process id
#   REG_USER REG_PASS  with --basic or --token: the credentials that work (htpasswd -B)
#   REG_CA    with --tls: the CA certificate the client must trust (PEM); the server's
#             certificate is for IP:127.0.0.1, signed by it. REG_CERT_DIR: a directory
#             holding only that CA as ca.crt, for skopeo's --cert-dir / --dest-cert-dir.
#   REG_LOG   with --log: the access log, one line per request in combined log format:
#               127.0.0.1 - - [date] "GET /v2/app/blobs/sha256:... HTTP/1.1" 200 4368 "" "agent"
#             count requests with registry_requests (below), or by hand:
#               grep -c '"GET /v2/[^ ]*/blobs/sha256:' "$REG_LOG"
#             Without --log, REG_LOG is empty and nothing is logged per request.
# --basic USER:PASS  HTTP Basic auth (htpasswd) over the registry's scheme.
# --token            Bearer tokens like Docker Hub: a token server (images/token-server.py)
#                    is started too; USER:PASS from --basic, else slipway:s3cret. Also sets
#                    TOKEN_URL   the realm, http://127.0.0.1:PORT/token (always plain http)
#                    TOKEN_LOG   one line per token request, written before it is answered:
#                                "METHOD PATH USER STATUS", PATH percent-decoded (skopeo sends
#                                /token?account=U&scope=repository:app:pull,push&service=S),
#                                USER "-" for anonymous, "!" for wrong credentials
#                    TOKEN_PID   its process id
#                    TOKEN_SERVICE TOKEN_ISSUER  the service (the JWT's aud) and issuer
#                    The registry trusts $REG_DIR/token/ca.crt (its rootcertbundle); tokens are
#                    RS256, signed by a key whose certificate (signed by that CA) is in x5c.
# --tls              HTTPS with the certificates above.
# --log              the access log (REG_LOG).
# Several registries may run in one test: each call sets the variables anew, so keep what
# you need (r1=$REG) before starting the next.
registry_start() {
	_rs_basic= _rs_token= _rs_tls= _rs_log=
	while [ $# -gt 0 ]; do
		case $1 in
		--basic) _rs_basic=${2:?registry_start: --basic needs USER:PASS}; shift ;;
		--token) _rs_token=1 ;;
		--tls) _rs_tls=1 ;;
		--log) _rs_log=1 ;;
		*) echo "registry_start: unknown option '$1'" >&2; return 2 ;;
		esac
		shift
	done
	_rs_n=1
	while ! mkdir "$TRASH/registry-$_rs_n" 2>/dev/null; do _rs_n=$((_rs_n + 1)); done
	REG_DIR=$TRASH/registry-$_rs_n
	mkdir "$REG_DIR/data" || return 1
	REG= REG_URL= REG_PID= REG_USER= REG_PASS= REG_CA= REG_CERT_DIR= REG_LOG=
	TOKEN_URL= TOKEN_LOG= TOKEN_PID= TOKEN_SERVICE= TOKEN_ISSUER=
	_rs_auth= _rs_http_tls= _rs_scheme=http
	if [ -n "$_rs_basic$_rs_token" ]; then
		_rs_cred=${_rs_basic:-slipway:s3cret}
		REG_USER=${_rs_cred%%:*} REG_PASS=${_rs_cred#*:}
	fi
	if [ -n "$_rs_token" ]; then
		_registry_token_server || return 1
		_rs_auth="auth:
  token:
    realm: $TOKEN_URL
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $REG_DIR/token/ca.crt"
	elif [ -n "$_rs_basic" ]; then
		htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$REG_DIR/htpasswd" 2>/dev/null || return 1
		_rs_auth="auth:
  htpasswd: {realm: slipway-test, path: $REG_DIR/htpasswd}"
	fi
	if [ -n "$_rs_tls" ]; then
		_registry_tls_certs || return 1
		_rs_scheme=https
		_rs_http_tls="  tls: {certificate: $REG_DIR/tls/server.crt, key: $REG_DIR/tls/server.key}"
	fi
	_rs_access=true
	if [ -n "$_rs_log" ]; then
		_rs_access=false REG_LOG=$REG_DIR/access.log
	fi
	cat >"$REG_DIR/config.yml" <<-EOF
	version: 0.1
	log:
	  level: info
	  formatter: text
	  accesslog: {disabled: $_rs_access}
	storage:
	  filesystem: {rootdirectory: $REG_DIR/data}
	  delete: {enabled: true}
	  maintenance: {uploadpurging: {enabled: false}}
	http:
	  addr: 127.0.0.1:0
	  secret: slipway-test-secret
	$_rs_http_tls
	$_rs_auth
	EOF
	: >"$REG_DIR/access.log" && : >"$REG_DIR/registry.log" || return 1
	"$REGISTRY_BIN" serve "$REG_DIR/config.yml" >"$REG_DIR/access.log" 2>"$REG_DIR/registry.log" </dev/null &
	REG_PID=$!
	_registry_own "$REG_PID" "$REG_DIR/config.yml"
	_rs_port=
	_rs_i=0
	while [ $_rs_i -lt 100 ]; do
		if ! kill -0 "$REG_PID" 2>/dev/null; then
			echo "registry_start: docker-registry exited:" >&2
			sed 's/^/| /' "$REG_DIR/registry.log" >&2
			return 1
		fi
		if [ -z "$_rs_port" ]; then
			_rs_port=$(sed -n 's/.*msg="listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$REG_DIR/registry.log")
		fi
		if [ -n "$_rs_port" ]; then
			REG=127.0.0.1:$_rs_port REG_URL=$_rs_scheme://127.0.0.1:$_rs_port
			_rs_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
				${REG_CA:+--cacert "$REG_CA"} "$REG_URL/v2/")
			case $_rs_code in 200|401) return 0 ;; esac
		fi
		sleep 0.1
		_rs_i=$((_rs_i + 1))
	done
	echo "registry_start: docker-registry did not answer on ${REG_URL:-its port} within 10 s:" >&2
	sed 's/^/| /' "$REG_DIR/registry.log" >&2
	return 1
}

# registry_stop [PID...]: stops (TERM, then KILL after 5 s) and reaps the given services of
# this test body, by default all of them (registries and token servers). Only for a test
# that wants a service gone before its end; the end of the body does this anyway.
registry_stop() {
	[ $# -gt 0 ] || set -- ${_registry_pids:-}
	for _sp_pid in "$@"; do
		_registry_kill "$_sp_pid"
		wait "$_sp_pid" 2>/dev/null
		_sp_rest=
		for _sp_p in ${_registry_pids:-}; do
			[ "$_sp_p" = "$_sp_pid" ] || _sp_rest="$_sp_rest $_sp_p"
		done
		_registry_pids=$_sp_rest
	done
	return 0
}

# registry_requests METHODS KIND [STATUS [LOG]]: how many requests of the access log (default
# $REG_LOG, see --log) had one of METHODS (an ERE alternation: GET, 'GET|HEAD', '.*') on KIND:
# blobs (/v2/NAME/blobs/DIGEST, not uploads), uploads (/v2/NAME/blobs/uploads/...), manifests,
# tags (/v2/NAME/tags/list), base (/v2/ itself), or any; and, given, the status (ERE, '2..').
#   test "$(registry_requests GET blobs 200)" = 3
registry_requests() {
	case $2 in
	blobs) _rr_path='/v2/[^ ]*/blobs/[a-z0-9]+:[^ /]*' ;;
	uploads) _rr_path='/v2/[^ ]*/blobs/uploads/[^ ]*' ;;
	manifests) _rr_path='/v2/[^ ]*/manifests/[^ ]*' ;;
	tags) _rr_path='/v2/[^ ]*/tags/list[^ ]*' ;;
	base) _rr_path='/v2/' ;;
	any) _rr_path='[^ ]*' ;;
	*) echo "registry_requests: unknown kind '$2'" >&2; return 2 ;;
	esac
	_rr_log=${4:-${REG_LOG:?registry_requests: no access log (start the registry with --log)}}
	grep -cE "\"($1) $_rr_path HTTP/[0-9.]+\" (${3:-[0-9]+}) " "$_rr_log"
	return 0
}

# registry_skopeo_opts [src|dest]: skopeo's options for the current registry ($REG...), for
# an unquoted $(...): --tls-verify=false (plain http) or --cert-dir=$REG_CERT_DIR (--tls),
# and --creds=$REG_USER:$REG_PASS when set; with src/dest, the --src-/--dest- forms.
registry_skopeo_opts() {
	_so_p=${1:+$1-}
	if [ -n "$REG_CERT_DIR" ]; then
		printf -- '--%scert-dir=%s' "$_so_p" "$REG_CERT_DIR"
	else
		printf -- '--%stls-verify=false' "$_so_p"
	fi
	[ -z "$REG_USER" ] || printf -- ' --%screds=%s:%s' "$_so_p" "$REG_USER" "$REG_PASS"
	echo
}

# registry_token SCOPE... : a token for the current --token registry (with REG_USER/REG_PASS),
# e.g. registry_token repository:app:pull,push; prints the JWT. For curl checks:
#   curl -H "Authorization: Bearer $(registry_token repository:app:pull)" "$REG_URL/v2/app/tags/list"
registry_token() {
	_rt_q="service=$TOKEN_SERVICE"
	for _rt_s in "$@"; do _rt_q="$_rt_q&scope=$_rt_s"; done
	curl -sf -u "$REG_USER:$REG_PASS" "$TOKEN_URL?$_rt_q" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

# make_oci_layout DIR TAG SEED [LAYERS [SIZE]]: writes (or adds to) the OCI image layout DIR
# an image of LAYERS (default 2) gzip tar layers of about SIZE bytes each (default 4096),
# tagged TAG in index.json (org.opencontainers.image.ref.name), replacing what TAG was.
# Its bytes depend only on SEED, LAYERS and SIZE. Prints the manifest digest. The config
# (linux/amd64) is the same as make_docker_archive's for the same SEED with 2 layers.
make_oci_layout() {
	python3 "$IMAGES_DIR/mkimage.py" layout "$@"
}

# make_oci_index DIR TAG SEED [LAYERS [SIZE]]: an image index (OCI index media type) of two
# images, linux/amd64 and linux/arm64 (seeds SEED/amd64 and SEED/arm64), tagged TAG in
# DIR's index.json; the two manifests are untagged. Prints the index digest.
make_oci_index() {
	python3 "$IMAGES_DIR/mkimage.py" index "$@"
}

# make_docker_archive FILE SEED [LAYERS [REPOTAG]]: a `docker save` tar: manifest.json
# ([{Config, RepoTags: [REPOTAG, default slipway-test/image:latest], Layers}]), repositories,
# CONFIGHEX.json, and per layer DIR/layer.tar (uncompressed, 4096-byte files), DIR/VERSION,
# DIR/json. Deterministic in SEED. Prints the config digest (the image id); a registry copy
# keeps that config, so it is the pushed manifest's config.digest.
make_docker_archive() {
	python3 "$IMAGES_DIR/mkimage.py" archive "$@"
}

# layout_digests DIR [TAG]: what TAG (default: the first entry of index.json) is made of, a
# line each, "KIND DIGEST SIZE MEDIATYPE", KIND being manifest, config or layer; an index
# lists itself, then its manifests, then each one's config and layers.
#   layout_digests layout v1 | awk '$1 == "layer" {print $2}'
layout_digests() {
	python3 "$IMAGES_DIR/mkimage.py" show "$@"
}

# break_layout DIR KIND [TAG]: spoils TAG's image (default: the first entry of index.json;
# for an index, its first manifest) for bad-input tests:
#   missing-blob        removes its first layer's blob
#   bad-digest          flips one byte of its first layer's blob, size unchanged
#   unknown-media-type  sets the manifest's mediaType to application/vnd.slipway.test.unknown.v1+json
#                       and repoints TAG in index.json (digest, size, and mediaType: the same
#                       unknown type) at the new manifest blob, so the unknown type is the only
#                       thing wrong; prints the new manifest digest. (skopeo 1.9 then finds no
#                       image: "no descriptor found for reference".)
#   mismatched-media-type  the same, but index.json's descriptor keeps the OCI manifest type:
#                       index.json and the manifest disagree. (skopeo 1.9 copies this one: the
#                       registry refuses the manifest, 400 MANIFEST_INVALID, and skopeo retries
#                       with a converted docker v2 schema 2 manifest, which it accepts.)
break_layout() {
	python3 "$IMAGES_DIR/mkimage.py" break "$@"
}

# truncate_file FILE BYTES: keeps only the first BYTES bytes of FILE.
truncate_file() {
	truncate -s "$2" "$1"
}

# --- internals ---

# _registry_own PID MARK: makes PID a service of this test body: the body's EXIT trap
# stops it (INT, TERM and HUP are made to exit, so they stop it too), and a
# test_when_finished backstop kills it if it is still PID MARK's process.
_registry_own() {
	_registry_pids="${_registry_pids:-} $1"
	trap 'registry_stop' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	test_when_finished "_registry_backstop $1 '$2'"
}

# _registry_kill PID: TERM, up to 5 s for it to end (or become a zombie), then KILL.
_registry_kill() {
	kill "$1" 2>/dev/null || return 0
	_rk_i=0
	while [ $_rk_i -lt 50 ]; do
		_registry_alive "$1" || return 0
		sleep 0.1
		_rk_i=$((_rk_i + 1))
	done
	kill -9 "$1" 2>/dev/null
	return 0
}

# _registry_alive PID: true while PID runs (exists and is not a zombie).
_registry_alive() {
	_ra_state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null)
	case $_ra_state in
	'' | Z*) return 1 ;;
	esac
}

# _registry_backstop PID MARK: run by test_when_finished: kills PID when it is alive and its
# command line still names MARK (so a reused pid is left alone).
_registry_backstop() {
	_registry_alive "$1" || return 0
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2" || return 0
	echo "registry-lib: service $1 was still running after its test; killing it" >&2
	_registry_kill "$1"
}

# _registry_token_server: makes the token PKI under $REG_DIR/token and starts the token
# server for it (see --token); sets TOKEN_URL TOKEN_LOG TOKEN_PID TOKEN_SERVICE TOKEN_ISSUER.
_registry_token_server() {
	_ts=$REG_DIR/token
	mkdir "$_ts" || return 1
	(
		cd "$_ts" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.crt -days 2 -subj /CN=slipway-test-token-ca &&
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out signing.key &&
		openssl req -new -key signing.key -subj /CN=slipway-test-token-signer -out signing.csr &&
		printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n' >signing.ext &&
		openssl x509 -req -in signing.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-days 2 -extfile signing.ext -out signing.crt
	) >"$_ts/pki.log" 2>&1 || { cat "$_ts/pki.log" >&2; return 1; }
	TOKEN_SERVICE=slipway-test-registry TOKEN_ISSUER=slipway-test-token-issuer
	TOKEN_LOG=$_ts/requests.log
	: >"$TOKEN_LOG"
	python3 "$IMAGES_DIR/token-server.py" --key "$_ts/signing.key" --cert "$_ts/signing.crt" \
		--service "$TOKEN_SERVICE" --issuer "$TOKEN_ISSUER" --user "$REG_USER:$REG_PASS" \
		--port-file "$_ts/port" --log "$TOKEN_LOG" >"$_ts/server.log" 2>&1 </dev/null &
	TOKEN_PID=$!
	_registry_own "$TOKEN_PID" "$_ts/port"
	_ts_i=0
	while [ ! -s "$_ts/port" ]; do
		if ! kill -0 "$TOKEN_PID" 2>/dev/null || [ $_ts_i -ge 100 ]; then
			echo "registry_start: the token server did not start:" >&2
			sed 's/^/| /' "$_ts/server.log" >&2
			return 1
		fi
		sleep 0.1
		_ts_i=$((_ts_i + 1))
	done
	TOKEN_URL=http://127.0.0.1:$(cat "$_ts/port")/token
}

# _registry_tls_certs: a CA and a server certificate for IP:127.0.0.1 under $REG_DIR/tls;
# sets REG_CA and REG_CERT_DIR.
_registry_tls_certs() {
	_tl=$REG_DIR/tls
	mkdir "$_tl" "$REG_DIR/certs.d" || return 1
	(
		cd "$_tl" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.crt -days 2 -subj /CN=slipway-test-ca &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout server.key -out server.csr -subj /CN=127.0.0.1 &&
		printf '%s\n' 'basicConstraints=CA:FALSE' 'subjectAltName=IP:127.0.0.1' \
			'extendedKeyUsage=serverAuth' 'keyUsage=digitalSignature' >server.ext &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-days 2 -extfile server.ext -out server.crt
	) >"$_tl/pki.log" 2>&1 || { cat "$_tl/pki.log" >&2; return 1; }
	REG_CA=$_tl/ca.crt REG_CERT_DIR=$REG_DIR/certs.d
	cp "$REG_CA" "$REG_CERT_DIR/ca.crt"
}
