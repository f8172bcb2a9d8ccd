#!/bin/sh
# t1500-startup.sh - start-up stays cheap: libgit2 does not parse the CA bundle.
. "$(dirname "$0")/lib.sh"

test_expect_success 'libgit2 binds mbedtls_x509_crt_parse_file to slipway'"'"'s no-op' '
	git init -q repo &&
	(cd repo && LD_DEBUG=bindings "$SLIPWAY" status -h >/dev/null 2>../bindings) &&
	grep "libgit2.so.* to .*slipway.*mbedtls_x509_crt_parse_file" bindings
'

test_expect_success 'the executable exports it' '
	nm -D --defined-only "$SLIPWAY" >syms &&
	test_grep " T mbedtls_x509_crt_parse_file$" syms
'

test_done
