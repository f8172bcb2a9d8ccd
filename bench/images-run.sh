#!/bin/sh
# images-run.sh - slipway image push, re-push and promote against skopeo, side
# by side, on a real docker-registry on 127.0.0.1 (issue 5).
#
#   sh bench/images-run.sh         (make bench runs it after bench/run.sh;
#                                   BENCH_IMAGES=0 skips it there)
#
#   BENCH_IMAGES_RUNS  runs of each measurement    (default 5)
#   BENCH_DIR          fixture and scratch dirs     (default /tmp/slipway-bench)
#   BENCH_REGEN        set to 1 to regenerate the images even when an up-to-date
#                      fixture is already in BENCH_DIR
#   SLIPWAY            the binary to measure        (default ./slipway)
#   IMAGES_RESULTS     where the report is appended (default bench/results.txt)
#
# The fixture (bench/images-fixture.py, cached in BENCH_DIR/images/fixture):
# five OCI image layouts a..e, each five gzip layers of 20, 10, 6, 3 and 1 MB
# of incompressible bytes: 200 MB to send, nothing shared. One untimed warm-up
# round, then BENCH_IMAGES_RUNS rounds; in each, three measurements, each
# against its own fresh docker-registry (new storage, a free port, its access
# log on), in an order that rotates from round to round, `sync` between them:
#   slipway      slipway image push 0123abcd, in a project whose slipway.conf
#                has [images] registry = 127.0.0.1:PORT/bench, images = a b c d
#                e, source = oci:FIXTURE/{image}:bench, insecure = 127.0.0.1:PORT
#                (it also moves latest); then, timed apart:
#     re-push    slipway image push 0123abcd again (everything there)
#     promote    slipway image promote 0123abcd 1.2.RUN
#   skopeo-seq   skopeo copy --dest-tls-verify=false oci:FIXTURE/IMAGE:bench
#                docker://127.0.0.1:PORT/bench/IMAGE:0123abcd for the five, one
#                after the other (a CD script's loop); then, timed apart:
#     re-copy    the same five copies again (everything there)
#     promote    skopeo copy docker://.../IMAGE:0123abcd docker://.../IMAGE:1.2.RUN
#                for the five, one after the other
#   skopeo-par   the five first copies started at once, waited for together
# Timing: `date +%s%N` around the command (its own cost subtracted); peak RSS
# of slipway's push and of each skopeo copy (the largest of the five) with
# /usr/bin/time -f %M. Requests: the registry's access log, the lines of the
# measured client (by user agent). Every answer is checked, and a wrong one
# stops the benchmark: exit codes; after each push, for each image,
# `skopeo inspect` of IMAGE:0123abcd gives the layout's manifest digest and
# the registry's storage holds every blob (size checked) linked into the
# repository, and the tag's link names that manifest; the re-push says
# "nothing sent" for each image, and neither it, the promote nor skopeo's
# second copy uploads a blob; the promoted tag gives the same digest. Where
# slipway's time goes: for each of its commands, a timeline of its requests
# from the registry's own log (bench/images-phases.py); the report shows the
# median run's. The report goes to stdout and is appended to bench/results.txt.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
BENCH_DIR=${BENCH_DIR:-/tmp/slipway-bench}
BENCH_IMAGES_RUNS=${BENCH_IMAGES_RUNS:-5}
BENCH_REGEN=${BENCH_REGEN:-}
SLIPWAY=${SLIPWAY:-$root/slipway}
RESULTS=${IMAGES_RESULTS:-$here/results.txt}
TAG=0123abcd
IMAGES="a b c d e"

die() { echo "bench: images: $*" >&2; exit 1; }

case $BENCH_IMAGES_RUNS in ''|*[!0-9]*|0) die "BENCH_IMAGES_RUNS must be a positive number" ;; esac
[ -x "$SLIPWAY" ] || die "no slipway binary at $SLIPWAY; build it with: make slipway"
for _t in docker-registry skopeo curl python3; do
	command -v "$_t" >/dev/null 2>&1 ||
		die "$_t is missing; install it with: apt-get install -y docker-registry skopeo curl python3"
done
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "bench: installing the Debian package 'time' for peak memory" >&2
		apt-get install -y -q time >/dev/null || die "apt-get install -y time failed"
	else
		die "/usr/bin/time is missing; install it with: sudo apt-get install -y time"
	fi
fi

mkdir -p "$BENCH_DIR/bin" "$BENCH_DIR/images"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
fx="$BENCH_DIR/images/fixture"
work="$BENCH_DIR/images/work"
raw="$BENCH_DIR/images/raw"

# Everything started here is stopped and waited for, and the scratch
# directories removed, however the benchmark ends.
reg_pid= reg_dir= bg_pids=
cleanup() {
	for _p in $bg_pids; do kill "$_p" 2>/dev/null || true; done
	for _p in $bg_pids; do wait "$_p" 2>/dev/null || true; done
	bg_pids=
	[ -z "$reg_pid" ] || reg_stop
	cd /
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

rm -rf "$work" "$raw"
mkdir -p "$work/home" "$work/proj" "$raw"
git init -q "$work/proj" || die "git init failed"

# A world of our own: no docker or containers credentials, no user config.
export HOME="$work/home" LC_ALL=C TZ=UTC
unset DOCKER_USER DOCKER_PASSWORD DOCKER_CONFIG REGISTRY_AUTH_FILE XDG_RUNTIME_DIR \
    XDG_CONFIG_HOME XDG_DATA_HOME GIT_DIR GIT_WORK_TREE

# The binary under test, copied so that a rebuild during the run cannot
# swap it halfway.
sw="$BENCH_DIR/bin/slipway-images"
cp -L "$SLIPWAY" "$sw"
sw_rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain -- src Makefile 2>/dev/null)" ]; then
	sw_rev="$sw_rev + uncommitted changes in src/"
fi

. "$here/lib.sh"

fmt_ms() { awk -v v="$1" 'BEGIN { if (v == "nan") print "nan"; else printf "%.1f", v / 1e6 }'; }

# --- the fixture ---

stamp="$(cksum <"$here/images-fixture.py") $(python3 --version 2>&1)"
if [ -z "$BENCH_REGEN" ] && [ -f "$fx/stamp" ] && [ "$(cat "$fx/stamp")" = "$stamp" ]; then
	echo "== images: reusing the fixture in $fx"
	fixture_note=reused
else
	echo "== images: generating the fixture in $fx"
	rm -rf "$fx"
	t0=$(now)
	python3 "$here/images-fixture.py" "$fx" $IMAGES >/dev/null || die "images-fixture.py failed"
	t1=$(now)
	echo "$stamp" >"$fx/stamp"
	fixture_note="generated in $(awk -v v=$((t1 - t0)) 'BEGIN { printf "%.1f", v / 1e9 }')s"
	echo "   $fixture_note"
fi
for i in $IMAGES; do
	grep -q "^$i sha256:[0-9a-f]\{64\} " "$fx/digests" || die "the fixture has no image $i"
done
total_bytes=$(awk '{ s += $4 } END { print s }' "$fx/digests")
nblobs=$(awk '$2 != "manifest"' "$fx/blobs" | wc -l)
nlayers=$(awk '$2 == "layer"' "$fx/blobs" | wc -l)
digest_of() { awk -v i="$1" '$1 == i { print $2 }' "$fx/digests"; }
# read the fixture once, so that the first round does not read it from disk
cat "$fx"/*/blobs/sha256/* >/dev/null

# --- the registry ---

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# reg_alive PID: true while PID runs (exists and is not a zombie).
reg_alive() {
	_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	case $_st in '' | Z*) return 1 ;; esac
}

# reg_start NAME: a fresh docker-registry in $work/reg-NAME (new storage) on a
# free port of 127.0.0.1, its access log on; sets reg_pid, reg_dir, port, host.
reg_start() {
	reg_dir="$work/reg-$1"
	_try=0
	while :; do
		_try=$((_try + 1))
		rm -rf "$reg_dir"
		mkdir -p "$reg_dir/data"
		port=$(free_port)
		host=127.0.0.1:$port
		cat >"$reg_dir/config.yml" <<-EOF
		version: 0.1
		log:
		  level: info
		  formatter: text
		  accesslog: {disabled: false}
		storage:
		  filesystem: {rootdirectory: $reg_dir/data}
		  delete: {enabled: true}
		  maintenance: {uploadpurging: {enabled: false}}
		http:
		  addr: $host
		  secret: slipway-bench-secret
		EOF
		docker-registry serve "$reg_dir/config.yml" >"$reg_dir/access.log" \
		    2>"$reg_dir/registry.log" </dev/null &
		reg_pid=$!
		_n=0
		while [ $_n -lt 100 ]; do
			reg_alive "$reg_pid" || break
			_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$host/v2/" || true)
			[ "$_code" = 200 ] && return 0
			sleep 0.1
			_n=$((_n + 1))
		done
		_log=$(tail -n 5 "$reg_dir/registry.log")
		reg_stop
		# the port may have been taken between free_port and the bind
		[ $_try -lt 3 ] || die "docker-registry did not come up on $host:
$_log"
	done
}

# reg_stop: TERM, up to 5 s, then KILL; always waited for. Its storage goes.
reg_stop() {
	[ -n "$reg_pid" ] || return 0
	kill "$reg_pid" 2>/dev/null || true
	_n=0
	while [ $_n -lt 50 ] && reg_alive "$reg_pid"; do sleep 0.1; _n=$((_n + 1)); done
	kill -9 "$reg_pid" 2>/dev/null || true
	wait "$reg_pid" 2>/dev/null || true
	reg_pid=
	[ -z "$reg_dir" ] || rm -rf "$reg_dir/data"
}

# requests AGENT: access-log lines of AGENT's requests so far (after a
# moment, so that the last request's line is written).
requests() {
	sleep 0.1
	grep -c "\"$1[^\"]*\"\$" "$reg_dir/access.log" || true
}

# uploads AGENT: how many of AGENT's requests so far were blob uploads.
uploads() {
	grep "\"$1[^\"]*\"\$" "$reg_dir/access.log" | grep -c '/blobs/uploads/' || true
}

# --- checks ---

# check_pushed WHO TAG: every image's TAG, read with skopeo, is the layout's
# manifest; the registry's storage has every blob, with its size, linked into
# the repository, and the tag's link names the manifest.
check_pushed() {
	_v2="$reg_dir/data/docker/registry/v2"
	for _i in $IMAGES; do
		_want=$(digest_of "$_i")
		_got=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' \
		    "docker://$host/bench/$_i:$2" 2>&1) ||
			die "$1 (run $run): skopeo inspect $_i:$2 failed: $_got"
		[ "$_got" = "$_want" ] || die "$1 (run $run): $_i:$2 is $_got, not the layout's $_want"
		[ "$(cat "$_v2/repositories/bench/$_i/_manifests/tags/$2/current/link" 2>/dev/null)" = "$_want" ] ||
			die "$1 (run $run): the registry's tag $_i:$2 does not link $_want"
	done
	while read -r _i _kind _d _size; do
		_hex=${_d#sha256:}
		_two=$(printf %s "$_hex" | cut -c 1-2)
		_f="$_v2/blobs/sha256/$_two/$_hex/data"
		[ "$(stat -c %s "$_f" 2>/dev/null)" = "$_size" ] ||
			die "$1 (run $run): the registry has no $_size-byte blob $_d ($_i $_kind)"
		if [ "$_kind" = manifest ]; then
			_link="$_v2/repositories/bench/$_i/_manifests/revisions/sha256/$_hex/link"
		else
			_link="$_v2/repositories/bench/$_i/_layers/sha256/$_hex/link"
		fi
		[ "$(cat "$_link" 2>/dev/null)" = "$_d" ] ||
			die "$1 (run $run): $_d ($_kind) is not linked into bench/$_i"
	done <"$fx/blobs"
}

# check_lines WHO FILE PATTERN: FILE has, for each image i, one line matching
# PATTERN with {i} and {d} replaced by the image and its digest (a grep BRE).
check_lines() {
	[ "$(grep -c . "$2")" -eq 5 ] || die "$1 (run $run): not five lines:
$(cat "$2")"
	for _i in $IMAGES; do
		_p=$(printf %s "$3" | sed "s|{i}|$_i|g; s|{d}|$(digest_of "$_i")|g")
		grep -q "$_p" "$2" || die "$1 (run $run): no line '$_p' in:
$(cat "$2")"
	done
}

# --- the measurements ---

# skopeo_seq OUT SRC DST: skopeo copy SRC to DST for each image ({i} in both
# replaced), one after the other; each copy's peak RSS appended to OUT.
skopeo_seq() {
	for _i in $IMAGES; do
		_s=$(printf %s "$2" | sed "s|{i}|$_i|g")
		_d=$(printf %s "$3" | sed "s|{i}|$_i|g")
		_so=
		case $_s in docker://*) _so=--src-tls-verify=false ;; esac
		/usr/bin/time -f %M -o "$work/sk.rss" skopeo copy $_so --dest-tls-verify=false \
		    "$_s" "$_d" >"$work/sk.$_i.out" 2>&1 || return 1
		tail -n 1 "$work/sk.rss" >>"$1"
	done
}

# skopeo_par: the five first copies at once.
skopeo_par() {
	bg_pids=
	for _i in $IMAGES; do
		skopeo copy --dest-tls-verify=false "oci:$fx/$_i:bench" \
		    "docker://$host/bench/$_i:$TAG" >"$work/par.$_i.out" 2>&1 &
		bg_pids="$bg_pids $!"
	done
	_rc=0
	for _p in $bg_pids; do wait "$_p" || _rc=1; done
	bg_pids=
	return $_rc
}

# time_at OUT CMD...: time_ns, keeping the start and end in _a and _b for
# timeline.
time_at() {
	_out=$1; shift
	_a=$(now)
	_rc=0
	"$@" || _rc=$?
	_b=$(now)
	echo $((_b - _a - timer_ns)) >>"$_out"
	return $_rc
}

# timeline KEY: where slipway's last command (between $_a and $_b) spent its
# time, from the registry's log (bench/images-phases.py), kept per run.
timeline() {
	python3 "$here/images-phases.py" "$reg_dir/registry.log" "$_a" "$_b" slipway \
	    >"$(r "phases_$1").$run" || die "images-phases.py failed for $1 (run $run)"
}

# r FILE: raw result file FILE of this round, or of the warm-up.
r() { if [ "$run" -eq 0 ]; then echo "$work/warmup.$1"; else echo "$raw/$1"; fi; }

m_slipway() {
	reg_start slipway
	printf '[images]\n\tregistry = %s/bench\n\timages = %s\n\tsource = oci:%s/{image}:bench\n\tinsecure = %s\n' \
	    "$host" "$IMAGES" "$fx" "$host" >"$work/proj/slipway.conf"
	cd "$work/proj"
	_rc=0
	time_at "$(r sw_push)" /usr/bin/time -f %M -o "$work/sw.rss" \
	    "$sw" image push "$TAG" >"$work/sw.out" 2>&1 || _rc=$?
	[ $_rc -eq 0 ] || die "slipway image push $TAG failed ($_rc, run $run):
$(cat "$work/sw.out")"
	tail -n 1 "$work/sw.rss" >>"$(r rss_sw_push)"
	_n0=$(requests slipway)
	_u0=$(uploads slipway)
	echo "$_n0" >>"$(r req_sw_push)"
	timeline sw_push
	check_lines "slipway push" "$work/sw.out" \
	    "^{i}: $host/bench/{i}:$TAG = {d} (6 blobs sent, .*; 0 there, 0 mounted); latest moved\$"
	check_pushed "slipway push" "$TAG"
	check_pushed "slipway push (latest)" latest
	sync

	_rc=0
	time_at "$(r sw_repush)" "$sw" image push "$TAG" >"$work/sw.out" 2>&1 || _rc=$?
	[ $_rc -eq 0 ] || die "slipway image push $TAG again failed ($_rc, run $run):
$(cat "$work/sw.out")"
	_n1=$(requests slipway)
	echo $((_n1 - _n0)) >>"$(r req_sw_repush)"
	timeline sw_repush
	check_lines "slipway re-push" "$work/sw.out" \
	    "^{i}: $host/bench/{i}:$TAG is {d} already, nothing sent\$"
	[ "$(uploads slipway)" = "$_u0" ] || die "slipway re-push uploaded blobs (run $run)"

	_rc=0
	time_at "$(r sw_promote)" "$sw" image promote "$TAG" "1.2.$run" >"$work/sw.out" 2>&1 || _rc=$?
	[ $_rc -eq 0 ] || die "slipway image promote $TAG 1.2.$run failed ($_rc, run $run):
$(cat "$work/sw.out")"
	_n2=$(requests slipway)
	echo $((_n2 - _n1)) >>"$(r req_sw_promote)"
	timeline sw_promote
	check_lines "slipway promote" "$work/sw.out" "^{i}: $host/bench/{i}:1\\.2\\.$run = {d}\$"
	[ "$(uploads slipway)" = "$_u0" ] || die "slipway promote uploaded blobs (run $run)"
	check_pushed "slipway promote" "1.2.$run"
	cd "$BENCH_DIR"
	reg_stop
	sync
}

m_skopeo_seq() {
	reg_start seq
	: >"$work/sk.rss.all"
	time_ns "$(r sk_seq)" skopeo_seq "$work/sk.rss.all" "oci:$fx/{i}:bench" \
	    "docker://$host/bench/{i}:$TAG" ||
		die "skopeo copy failed (run $run): $(cat "$work"/sk.*.out)"
	sort -n "$work/sk.rss.all" | tail -n 1 >>"$(r rss_sk_seq)"
	_n0=$(requests skopeo)
	_u0=$(uploads skopeo)
	echo "$_n0" >>"$(r req_sk_seq)"
	check_pushed "skopeo copy" "$TAG"
	sync

	: >"$work/sk.rss.all"
	time_ns "$(r sk_recopy)" skopeo_seq "$work/sk.rss.all" "oci:$fx/{i}:bench" \
	    "docker://$host/bench/{i}:$TAG" ||
		die "skopeo copy (again) failed (run $run): $(cat "$work"/sk.*.out)"
	_n1=$(requests skopeo)
	echo $((_n1 - _n0)) >>"$(r req_sk_recopy)"
	[ "$(uploads skopeo)" = "$_u0" ] || die "skopeo copy (again) uploaded blobs (run $run)"

	: >"$work/sk.rss.all"
	time_ns "$(r sk_promote)" skopeo_seq "$work/sk.rss.all" "docker://$host/bench/{i}:$TAG" \
	    "docker://$host/bench/{i}:1.2.$run" ||
		die "skopeo copy (promote) failed (run $run): $(cat "$work"/sk.*.out)"
	_n2=$(requests skopeo)
	echo $((_n2 - _n1)) >>"$(r req_sk_promote)"
	check_pushed "skopeo promote" "1.2.$run"
	[ "$(uploads skopeo)" = "$_u0" ] || die "skopeo copy (promote) uploaded blobs (run $run)"
	reg_stop
	sync
}

m_skopeo_par() {
	reg_start par
	time_ns "$(r sk_par)" skopeo_par ||
		die "skopeo copy (5 at once) failed (run $run): $(cat "$work"/par.*.out)"
	requests skopeo >>"$(r req_sk_par)"
	check_pushed "skopeo copy (5 at once)" "$TAG"
	reg_stop
	sync
}

load_start=$(cut -d ' ' -f 1-3 /proc/loadavg)
order="m_slipway m_skopeo_seq m_skopeo_par"
run=0
echo "== images: warm-up round (not counted)"
for m in $order; do $m; done
run=1
while [ $run -le "$BENCH_IMAGES_RUNS" ]; do
	for m in $order; do $m; done
	printf '   run %d: push slipway %s, skopeo %s, skopeo 5 at once %s; re-push slipway %s, skopeo %s; promote slipway %s, skopeo %s ms\n' \
	    "$run" "$(fmt_ms "$(tail -n 1 "$raw/sw_push")")" "$(fmt_ms "$(tail -n 1 "$raw/sk_seq")")" \
	    "$(fmt_ms "$(tail -n 1 "$raw/sk_par")")" "$(fmt_ms "$(tail -n 1 "$raw/sw_repush")")" \
	    "$(fmt_ms "$(tail -n 1 "$raw/sk_recopy")")" "$(fmt_ms "$(tail -n 1 "$raw/sw_promote")")" \
	    "$(fmt_ms "$(tail -n 1 "$raw/sk_promote")")"
	# the next round starts with the next measurement: each goes first,
	# second and third in turn
	order="${order#* } ${order%% *}"
	run=$((run + 1))
done

keys="sw_push sk_seq sk_par sw_repush sk_recopy sw_promote sk_promote rss_sw_push rss_sk_seq
    req_sw_push req_sk_seq req_sk_par req_sw_repush req_sk_recopy req_sw_promote req_sk_promote"
summary="$raw/summary"
: >"$summary"
for k in $keys; do echo "$k $(median "$raw/$k")" >>"$summary"; done

report() {
	echo "slipway image benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo "slipway $sw_rev; $(skopeo --version); $(docker-registry --version 2>&1 | head -n 1);" \
	    "curl $(curl --version | head -n 1 | cut -d ' ' -f 2)"
	echo "$(uname -sr), $(nproc) cpus; fixture in $fx ($fixture_note; page cache warm);" \
	    "$BENCH_IMAGES_RUNS runs each after one warm-up, medians"
	echo "images: $IMAGES, each 5 gzip layers of 20+10+6+3+1 MB incompressible bytes;" \
	    "$nlayers layers, $nblobs blobs with the configs, $(awk -v b="$total_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB to send; nothing shared"
	echo "registry: docker-registry on 127.0.0.1 (plain HTTP, filesystem storage, access log on), a fresh one" \
	    "(new storage, new port) for each measurement; the measurements' order rotates each run"
	echo "load average (1, 5, 15 min) at the start $load_start, at the end $(cut -d ' ' -f 1-3 /proc/loadavg)"
	echo "times: median ms of wall clock ($(fmt_ms "$timer_ns") ms of timer overhead subtracted)"
	echo
	awk -v bytes="$total_bytes" '
	{ m[$1] = $2 }
	function ms(v) { return sprintf("%.1f", v / 1e6) }
	function x(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "-" }
	function row(label, t, target, base, verdict, req) {
		printf "%-42s %9s %8s  %-22s %-7s %s\n", label, t, req, target, base, verdict
	}
	END {
		printf "%-42s %9s %8s  %-22s %-7s %s\n", "measure", "ms", "requests", "target",
		    "ratio", "verdict"
		row("push, slipway", ms(m["sw_push"]), "<= skopeo (one by one)",
		    x(m["sw_push"], m["sk_seq"]), m["sw_push"] <= m["sk_seq"] ? "MET" : "NOT MET",
		    m["req_sw_push"])
		row("  skopeo copy x5, one after the other", ms(m["sk_seq"]), "", "", "", m["req_sk_seq"])
		row("  skopeo copy x5, all at once", ms(m["sk_par"]), "(second baseline)",
		    x(m["sw_push"], m["sk_par"]), m["sw_push"] <= m["sk_par"] ? "faster" : "slower",
		    m["req_sk_par"])
		printf "%-42s %9s\n", "  MB/s: slipway, skopeo, skopeo at once", sprintf("%.0f %.0f %.0f",
		    bytes / m["sw_push"] * 1e3, bytes / m["sk_seq"] * 1e3, bytes / m["sk_par"] * 1e3)
		row("re-push, slipway (all there)", ms(m["sw_repush"]), "< 100 ms",
		    x(m["sw_repush"], m["sk_recopy"]), m["sw_repush"] < 100e6 ? "MET" : "NOT MET",
		    m["req_sw_repush"])
		row("  skopeo copy x5 again", ms(m["sk_recopy"]), "", "", "", m["req_sk_recopy"])
		row("promote, slipway, 5 images", ms(m["sw_promote"]), "",
		    x(m["sw_promote"], m["sk_promote"]), "", m["req_sw_promote"])
		row("  per image (total / 5)", ms(m["sw_promote"] / 5), "< 50 ms per image", "",
		    m["sw_promote"] / 5 < 50e6 ? "MET" : "NOT MET", "")
		row("  skopeo copy registry->registry x5", ms(m["sk_promote"]), "", "", "",
		    m["req_sk_promote"])
		printf "%-42s %9s\n", "peak RSS MB, slipway push", sprintf("%.1f", m["rss_sw_push"] / 1024)
		printf "%-42s %9s\n", "  skopeo copy (largest of the five)", sprintf("%.1f", m["rss_sk_seq"] / 1024)
	}' "$summary"
	cat <<-\EOF

	push      = slipway image push 0123abcd: 5 images to a fresh registry, and latest
	skopeo    = skopeo copy --dest-tls-verify=false oci:DIR:bench docker://HOST/bench/IMAGE:0123abcd
	re-push   = the same push again: every tag and blob there ("nothing sent")
	promote   = slipway image promote 0123abcd 1.2.N (a manifest copy per image);
	            skopeo's: skopeo copy docker://.../IMAGE:0123abcd docker://.../IMAGE:1.2.N
	ratio     = slipway's median over skopeo's (the row's baseline), same runs
	requests  = median count of the client's requests in the registry's access log
	EOF
	echo
	echo "targets (issue 5):"
	awk -v mb="$(awk -v b="$total_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')" '
	{ m[$1] = $2 }
	function v(ok) { return ok ? "MET" : "NOT MET" }
	END {
		printf "  push of 5 images (%s MB) at most skopeo one by one: %.1f ms vs %.1f ms (%.2fx) -> %s" \
		    " (skopeo 5 at once %.1f ms, %.2fx)\n", mb, m["sw_push"] / 1e6, m["sk_seq"] / 1e6,
		    m["sw_push"] / m["sk_seq"], v(m["sw_push"] <= m["sk_seq"]), m["sk_par"] / 1e6,
		    m["sw_push"] / m["sk_par"]
		printf "  re-push under 100 ms: %.1f ms -> %s\n", m["sw_repush"] / 1e6, v(m["sw_repush"] < 100e6)
		printf "  promote under 50 ms per image: %.1f ms (%.1f ms for 5) -> %s\n",
		    m["sw_promote"] / 5e6, m["sw_promote"] / 1e6, v(m["sw_promote"] / 5 < 50e6)
	}' "$summary"
	for k in sw_push sw_repush sw_promote; do
		# the run whose time is the median (the nearest, for an even count)
		_med=$(median "$raw/$k")
		_run=$(awk -v m="$_med" '{ d = $1 - m; if (d < 0) d = -d; if (NR == 1 || d < best) { best = d; n = NR } }
		    END { print n }' "$raw/$k")
		echo
		echo "slipway's $(echo "$k" | sed 's/sw_//; s/repush/re-push/') in run $_run (the median run), from the registry's log" \
		    "(bench/images-phases.py): +start, span, what"
		sed 's/^/  /' "$raw/phases_$k.$_run"
	done
	echo
	echo "every run, ms; peak RSS KB; requests:"
	for k in $keys; do
		printf '  %-14s' "$k"
		case $k in
		rss_* | req_*) while read -r _v; do printf ' %8s' "$_v"; done <"$raw/$k" ;;
		*) while read -r _v; do printf ' %8s' "$(fmt_ms "$_v")"; done <"$raw/$k" ;;
		esac
		echo
	done
}

echo
{ echo; report; } | tee -a "$RESULTS"
