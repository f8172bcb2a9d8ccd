#!/bin/sh
# deps.sh - installs the Debian packages slipway builds and tests with, when missing.
pkgs="gcc make pkg-config git libgit2-dev libdeflate-dev libjansson-dev libcmocka-dev clang libclang-rt-14-dev
openssh-client python3 libcurl4-openssl-dev libssl-dev docker-registry skopeo umoci apache2-utils
openssl curl procps strace"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "slipway: missing Debian packages:$missing" >&2
	echo "hint: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null ||
	{ echo "slipway: apt-get install failed for:$missing" >&2; exit 1; }
