/* tls.c - keeps libgit2 from parsing the system's CA bundle at start-up. */

/*
 * libgit2 1.5 as Debian builds it (mbedTLS) parses every certificate in
 * /etc/ssl/certs in git_libgit2_init(): ~50 million instructions, 9 ms,
 * 84% of slipway's start-up. slipway never uses libgit2's transports —
 * fetch and push go through the git CLI (design.md §6) — so the bundle is
 * never needed. The link (-Wl,--wrap in the Makefile) sends libgit2's calls
 * of mbedtls_x509_crt_parse_file here, and this loads nothing. Should
 * slipway ever use libgit2 over HTTPS, delete this file and the --wrap.
 * tests/e2e/t1500-startup.sh checks that the bundle is not read.
 */
int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path);

int
__wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	(void)chain;
	(void)path;
	return 0;
}
