/* tls.c - keeps libgit2 from setting up TLS and SSH at start-up. */

/*
 * libgit2 1.5 as Debian builds it sets up mbedTLS in git_libgit2_init():
 * it gathers entropy (HAVEGE, ~0.3 ms) and parses every certificate in
 * /etc/ssl/certs (~50 million instructions, 9 ms); it also starts libssh2,
 * which starts OpenSSL. slipway never uses libgit2's transports -- fetch
 * and push go through the git CLI (design.md §6) -- so none of it is
 * needed. The link (-Wl,--wrap in the Makefile) sends libgit2's calls of
 * the two set-up functions here, and these do nothing. Should slipway ever
 * use libgit2 over HTTPS or SSH, delete this file and the --wrap flags.
 * tests/e2e/t1500-startup.sh checks that the bundle is not read.
 */
int __wrap_git_mbedtls_stream_global_init(void);
int __wrap_git_transport_ssh_global_init(void);

int
__wrap_git_mbedtls_stream_global_init(void)
{
	return 0;
}

int
__wrap_git_transport_ssh_global_init(void)
{
	return 0;
}
