/* digest.c - sha256 digests of bytes and of blob regions, and closing regions. */
#include "image/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/err.h"
#include "lib/util.h"

#define CHUNK (64 * 1024)

void
digest_format(const unsigned char *md, unsigned int n, char out[DIGEST_MAX])
{
	static const char hex[] = "0123456789abcdef";
	char *p = out + 7;
	unsigned int i;

	memcpy(out, "sha256:", 7);
	for (i = 0; i < n && i < 32; i++) {
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 15];
	}
	*p = '\0';
}

/* EVP fails only when it cannot allocate; so does xmalloc. */
void
digest_bytes(const void *bytes, size_t len, char out[DIGEST_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(bytes, len, md, &n, EVP_sha256(), NULL))
		die_oom();
	digest_format(md, n, out);
}

int
digest_valid(const char *s)
{
	size_t i;

	if (!s || strncmp(s, "sha256:", 7))
		return 0;
	for (i = 7; i < 7 + 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

/* Writes all of p to fd; 0 or -E_IO. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_set(-E_IO, "cannot write blob: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Hashes r's bytes (and copies them to fd when fd >= 0) in CHUNK reads. */
int
digest_region_copy(const struct blob_region *r, int fd, char out[DIGEST_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	long long done = 0;
	EVP_MD_CTX *ctx;
	char *chunk;
	ssize_t got;
	int rc = 0;

	if (!(ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		die_oom();
	chunk = xmalloc(CHUNK);
	while (!rc && done < r->size) {
		size_t want = r->size - done < CHUNK ? (size_t)(r->size - done) : CHUNK;

		got = pread(r->fd, chunk, want, r->off + done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = err_set(-E_IO, "cannot read blob: %s", strerror(errno));
		else if (got == 0)
			rc = err_set(-E_IO, "cannot read blob: unexpected end of file "
			    "after %lld of %lld bytes", done, r->size);
		else if (!EVP_DigestUpdate(ctx, chunk, (size_t)got))
			die_oom();
		else if (fd >= 0)
			rc = write_all(fd, chunk, (size_t)got);
		if (got > 0)
			done += got;
	}
	if (!rc) {
		if (!EVP_DigestFinal_ex(ctx, md, &n))
			die_oom();
		digest_format(md, n, out);
	}
	free(chunk);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
digest_region(const struct blob_region *r, char out[DIGEST_MAX])
{
	return digest_region_copy(r, -1, out);
}

void
blob_region_close(struct blob_region *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->tmp) {
		unlink(r->tmp);
		free(r->tmp);
	}
	r->fd = -1;
	r->off = r->size = 0;
	r->tmp = NULL;
}
