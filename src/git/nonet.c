/* nonet.c - what libgit2's network code needs, which slipway never runs. */
#include <stdint.h>

/*
 * slipway never uses libgit2's transports: fetch and push go through the
 * git CLI (design.md §6). Linked statically, libgit2 1.5 still brings them,
 * and with them start-up work and shared libraries:
 *  - git_libgit2_init() sets up mbedTLS (HAVEGE entropy, ~0.3 ms; every
 *    certificate in /etc/ssl/certs parsed, ~9 ms) and starts libssh2 (and
 *    with it OpenSSL). The link (-Wl,--wrap in the Makefile) sends its calls
 *    of the two set-up functions here, and these do nothing.
 *  - HTTP's Negotiate authentication needs GSS-API, which Debian ships only
 *    as a shared library that loads six more (Kerberos and its helpers):
 *    ~1 ms of every start. These definitions stand in for it and refuse.
 * Should slipway ever use libgit2 over the network, delete this file and
 * the --wrap flags, and link -lgssapi_krb5. tests/e2e/t1500-startup.sh
 * checks that the CA bundle is not read and which libraries load.
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

/* GSS-API as RFC 2744 declares it, reduced to what libgit2 calls */
typedef uint32_t OM_uint32;
typedef void *gss_ptr;

#define GSS_S_FAILURE ((OM_uint32)13 << 16)

extern gss_ptr GSS_C_NT_HOSTBASED_SERVICE;
OM_uint32 gss_indicate_mechs(OM_uint32 *minor, gss_ptr *mechs);
OM_uint32 gss_import_name(OM_uint32 *minor, gss_ptr name, gss_ptr type, gss_ptr *out);
OM_uint32 gss_init_sec_context(OM_uint32 *minor, gss_ptr cred, gss_ptr *ctx, gss_ptr target,
    gss_ptr mech, OM_uint32 flags, OM_uint32 time, gss_ptr bindings, gss_ptr in,
    gss_ptr *actual, gss_ptr out, OM_uint32 *ret_flags, OM_uint32 *time_rec);
OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_ptr mech,
    OM_uint32 *msg_ctx, gss_ptr string);
OM_uint32 gss_delete_sec_context(OM_uint32 *minor, gss_ptr *ctx, gss_ptr out);
OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_ptr buffer);
OM_uint32 gss_release_name(OM_uint32 *minor, gss_ptr *name);
OM_uint32 gss_release_oid_set(OM_uint32 *minor, gss_ptr *set);

gss_ptr GSS_C_NT_HOSTBASED_SERVICE;

OM_uint32
gss_indicate_mechs(OM_uint32 *minor, gss_ptr *mechs)
{
	*minor = 0;
	*mechs = 0;
	return GSS_S_FAILURE;
}

OM_uint32
gss_import_name(OM_uint32 *minor, gss_ptr name, gss_ptr type, gss_ptr *out)
{
	(void)name;
	(void)type;
	*minor = 0;
	*out = 0;
	return GSS_S_FAILURE;
}

OM_uint32
gss_init_sec_context(OM_uint32 *minor, gss_ptr cred, gss_ptr *ctx, gss_ptr target,
    gss_ptr mech, OM_uint32 flags, OM_uint32 time, gss_ptr bindings, gss_ptr in,
    gss_ptr *actual, gss_ptr out, OM_uint32 *ret_flags, OM_uint32 *time_rec)
{
	(void)cred, (void)ctx, (void)target, (void)mech, (void)flags, (void)time;
	(void)bindings, (void)in, (void)actual, (void)out, (void)ret_flags, (void)time_rec;
	*minor = 0;
	return GSS_S_FAILURE;
}

OM_uint32
gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_ptr mech,
    OM_uint32 *msg_ctx, gss_ptr string)
{
	(void)status, (void)type, (void)mech, (void)msg_ctx, (void)string;
	*minor = 0;
	return GSS_S_FAILURE;
}

OM_uint32
gss_delete_sec_context(OM_uint32 *minor, gss_ptr *ctx, gss_ptr out)
{
	(void)ctx, (void)out;
	*minor = 0;
	return 0;
}

OM_uint32
gss_release_buffer(OM_uint32 *minor, gss_ptr buffer)
{
	(void)buffer;
	*minor = 0;
	return 0;
}

OM_uint32
gss_release_name(OM_uint32 *minor, gss_ptr *name)
{
	(void)name;
	*minor = 0;
	return 0;
}

OM_uint32
gss_release_oid_set(OM_uint32 *minor, gss_ptr *set)
{
	(void)set;
	*minor = 0;
	return 0;
}
