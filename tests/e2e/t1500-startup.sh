#!/bin/sh
# t1500-startup.sh - start-up stays cheap: libgit2 does not parse the CA
# bundle, and libcurl is loaded only by the commands that speak HTTP.
. "$(dirname "$0")/lib.sh"

test_expect_success 'start-up does not read the CA bundle' '
	git init -q repo &&
	(cd repo && strace -f -e trace=open,openat -o ../trace "$SLIPWAY" status >/dev/null 2>&1 || :) &&
	test_grep "repo/.git" trace &&
	! grep -E "ca-certificates|/etc/ssl" trace
'

test_expect_success 'slipway starts with no shared library but the C library (and sanitizers)' '
	(cd repo && LD_DEBUG=files "$SLIPWAY" status -h >/dev/null 2>../files) &&
	test_grep "file=libc.so.6" files &&
	! grep "file=" files | grep -v -E "file=(libc|libasan|libubsan|libstdc\+\+|libgcc_s|libm)\.so"
'

test_expect_success 'an image command loads libcurl' '
	printf "[images]\n\tregistry = 127.0.0.1:9/team\n\timages = x\n\tinsecure = 127.0.0.1:9\n" \
		>repo/slipway.conf &&
	(cd repo && LD_DEBUG=files timeout 1 "$SLIPWAY" image exists 1.0.0 >/dev/null 2>../files2 || :) &&
	test_grep "file=libcurl.so.4" files2
'

test_done
