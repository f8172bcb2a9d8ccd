/* registry.c - the OCI distribution API v2: manifests, blobs, tags, auth. */
#include "image/registry.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "image/registry_int.h"
#include "lib/err.h"
#include "lib/util.h"

#define ACCEPT "Accept: " MT_OCI_MANIFEST ", " MT_OCI_INDEX ", " MT_DOCKER_MANIFEST ", " \
	MT_DOCKER_LIST

void
reg_url(const struct reg *g, struct buf *out, const char *fmt, ...)
{
	va_list ap;

	buf_reset(out);
	buf_printf(out, "%s://%s", g->insecure ? "http" : "https", g->host);
	va_start(ap, fmt);
	buf_vprintf(out, fmt, ap);
	va_end(ap);
}

/* The registry's error answer in words: "MANIFEST_UNKNOWN: manifest unknown". */
static void
answer_words(const struct buf *body, struct buf *out)
{
	json_t *j = body && body->len ? json_loadb(body->ptr, body->len, 0, NULL) : NULL;
	json_t *e = json_array_get(json_object_get(j, "errors"), 0);

	if (json_is_object(e))
		buf_printf(out, ": %s: %s", json_string_value(json_object_get(e, "code")) ?
		    json_string_value(json_object_get(e, "code")) : "?",
		    json_string_value(json_object_get(e, "message")) ?
		    json_string_value(json_object_get(e, "message")) : "");
	json_decref(j);
}

/* An answer that is not what was asked for, as an error naming it. */
int
reg_fail(struct reg *g, const struct http_req *rq, const struct http_resp *rs)
{
	struct buf words = BUF_INIT;
	int rc;

	answer_words(rq->out, &words);
	if (rs->status == 401)
		rc = err_set(-E_REMOTE, "%s: 401 Unauthorized%s", g->host, words.ptr ? words.ptr : "");
	else if (rs->status == 403)
		rc = err_set(-E_REMOTE, "%s: 403 Forbidden: %s %.*s is denied%s", g->host,
		    rq->method, (int)strcspn(rq->url, "?"), rq->url, words.ptr ? words.ptr : "");
	else if (rs->status == 429)
		rc = err_set(-E_REMOTE, "%s: 429 Too Many Requests: the registry limits this "
		    "client; try again later", g->host);
	else
		rc = err_set(-E_REMOTE, "%s: %s %.*s answered %ld%s", g->host, rq->method,
		    (int)strcspn(rq->url, "?"), rq->url, rs->status, words.ptr ? words.ptr : "");
	if (rs->status == 401)
		err_hint(g->user ? "check DOCKER_USER/DOCKER_PASSWORD (or ~/.docker/config.json) "
		    "for %s" : "%s wants credentials: set DOCKER_USER and DOCKER_PASSWORD, or "
		    "log in (docker login)", g->host);
	buf_release(&words);
	return rc;
}

/* Whether url is on the registry: its scheme, host and port. */
static int
same_origin(const struct reg *g, const char *url)
{
	const char *scheme = g->insecure ? "http://" : "https://";
	size_t n = strlen(scheme), h = strlen(g->host);

	return !strncmp(url, scheme, n) && !strncmp(url + n, g->host, h) &&
	    (url[n + h] == '/' || url[n + h] == '\0');
}

/* Sends rq with the credentials the registry asked for last; on a 401,
 * answers the challenge once and sends it again. */
int
reg_send(struct reg *g, const char *repo, struct http_req *rq, struct http_resp *rs)
{
	size_t n = rq->headers.nr;
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		while (rq->headers.nr > n) {	/* drop the last try's Authorization */
			free(rq->headers.v[--rq->headers.nr]);
			rq->headers.v[rq->headers.nr] = NULL;
		}
		/* credentials go to the registry itself, never to where an upload
		 * Location points elsewhere */
		if (reg_auth(g, repo) && same_origin(g, rq->url))
			strvec_pushf(&rq->headers, "Authorization: %s", reg_auth(g, repo));
		g->stats.requests++;
		if ((rc = http_do(&g->http, rq, rs)) < 0)
			return rc;
		if (rs->status != 401 || tries)
			return 0;
		if ((rc = reg_answer_challenge(g, repo, rs)) < 0)
			return rc;
		if (rc == 0)
			return 0;	/* nothing to answer with: the caller reports the 401 */
	}
	return 0;
}

/* The media type of a manifest: Content-Type, else its mediaType field. */
static void
manifest_type(const struct http_resp *rs, const struct buf *bytes, struct desc *d)
{
	struct buf ct = BUF_INIT;
	json_t *j;

	d->media_type[0] = '\0';
	if (http_header(rs, "Content-Type", &ct) == 0) {
		ct.len = strcspn(ct.ptr, "; ");
		if (ct.len < sizeof(d->media_type) && ct.len)
			memcpy(d->media_type, ct.ptr, ct.len), d->media_type[ct.len] = '\0';
	}
	buf_release(&ct);
	if ((!d->media_type[0] || !strcmp(d->media_type, "application/json")) && bytes &&
	    (j = json_loadb(bytes->ptr, bytes->len, 0, NULL))) {
		const char *mt = json_string_value(json_object_get(j, "mediaType"));

		snprintf(d->media_type, sizeof(d->media_type), "%s", mt ? mt : "");
		json_decref(j);
	}
}

static int
reg_manifest_get(struct store *s, const char *repo, const char *ref, struct buf *bytes,
    struct desc *d)
{
	struct reg *g = s->impl;
	struct http_req rq = HTTP_REQ_INIT;
	struct http_resp rs = HTTP_RESP_INIT;
	struct buf u = BUF_INIT, hd = BUF_INIT;
	int rc;

	reg_url(g, &u, "/v2/%s/manifests/%s", repo, ref);
	rq.method = "GET";
	rq.url = u.ptr;
	rq.out = bytes;
	strvec_push(&rq.headers, ACCEPT);
	if ((rc = reg_send(g, repo, &rq, &rs)) < 0)
		goto out;
	if (rs.status == 404) {
		rc = err_set(-E_NOTFOUND, "%s/%s:%s does not exist", g->host, repo, ref);
		goto out;
	}
	if (rs.status != 200) {
		rc = reg_fail(g, &rq, &rs);
		goto out;
	}
	digest_bytes(bytes->ptr ? bytes->ptr : "", bytes->len, d->digest);
	d->size = (long long)bytes->len;
	manifest_type(&rs, bytes, d);
	if (strcmp(d->media_type, MT_OCI_MANIFEST) && strcmp(d->media_type, MT_OCI_INDEX) &&
	    strcmp(d->media_type, MT_DOCKER_MANIFEST) && strcmp(d->media_type, MT_DOCKER_LIST)) {
		rc = err_set(-E_REMOTE, "%s/%s:%s: the registry answered with something that is "
		    "not a manifest (%s)", g->host, repo, ref, d->media_type[0] ? d->media_type :
		    "no media type");
		goto out;
	}
	if ((http_header(&rs, "Docker-Content-Digest", &hd) == 0 && strcmp(hd.ptr, d->digest)) ||
	    (digest_valid(ref) && strcmp(ref, d->digest)))
		rc = err_set(-E_REMOTE, "%s/%s:%s: the manifest received does not match its digest "
		    "(%s)", g->host, repo, ref, hd.ptr ? hd.ptr : ref);
out:
	http_req_release(&rq);
	http_resp_release(&rs);
	buf_release(&u);
	buf_release(&hd);
	return rc;
}

static int
reg_manifest_head(struct store *s, const char *repo, const char *ref, struct desc *d)
{
	struct reg *g = s->impl;
	struct http_req rq = HTTP_REQ_INIT;
	struct http_resp rs = HTTP_RESP_INIT;
	struct buf u = BUF_INIT, v = BUF_INIT, bytes = BUF_INIT;
	int rc;

	reg_url(g, &u, "/v2/%s/manifests/%s", repo, ref);
	rq.method = "HEAD";
	rq.url = u.ptr;
	strvec_push(&rq.headers, ACCEPT);
	if ((rc = reg_send(g, repo, &rq, &rs)) < 0)
		goto out;
	if (rs.status == 404) {
		rc = err_set(-E_NOTFOUND, "%s/%s:%s does not exist", g->host, repo, ref);
	} else if (rs.status != 200) {
		rc = reg_fail(g, &rq, &rs);
	} else if (http_header(&rs, "Docker-Content-Digest", &v) < 0 || !digest_valid(v.ptr)) {
		rc = reg_manifest_get(s, repo, ref, &bytes, d);	/* no digest said: read it */
	} else {
		snprintf(d->digest, sizeof(d->digest), "%s", v.ptr);
		buf_reset(&v);
		d->size = http_header(&rs, "Content-Length", &v) == 0 ? atoll(v.ptr) : -1;
		manifest_type(&rs, NULL, d);
	}
out:
	http_req_release(&rq);
	http_resp_release(&rs);
	buf_release(&u);
	buf_release(&v);
	buf_release(&bytes);
	return rc;
}

static int
reg_manifest_put(struct store *s, const char *repo, const char *ref, const char *bytes,
    const struct desc *d)
{
	struct reg *g = s->impl;
	struct http_req rq = HTTP_REQ_INIT;
	struct http_resp rs = HTTP_RESP_INIT;
	struct buf u = BUF_INIT, v = BUF_INIT, body = BUF_INIT;
	int rc;

	reg_url(g, &u, "/v2/%s/manifests/%s", repo, ref);
	rq.method = "PUT";
	rq.url = u.ptr;
	rq.body = bytes;
	rq.body_len = (size_t)d->size;
	rq.out = &body;
	strvec_pushf(&rq.headers, "Content-Type: %s", d->media_type);
	if ((rc = reg_send(g, repo, &rq, &rs)) < 0)
		goto out;
	if (rs.status != 201 && rs.status != 200)
		rc = reg_fail(g, &rq, &rs);
	else if (http_header(&rs, "Docker-Content-Digest", &v) == 0 && strcmp(v.ptr, d->digest))
		rc = err_set(-E_REMOTE, "%s/%s:%s: the registry stored the manifest as %s, not %s",
		    g->host, repo, ref, v.ptr, d->digest);
out:
	http_req_release(&rq);
	http_resp_release(&rs);
	buf_release(&u);
	buf_release(&v);
	buf_release(&body);
	return rc;
}

static int
reg_blob_exists(struct store *s, const char *repo, const struct desc *d)
{
	struct reg *g = s->impl;
	struct http_req rq = HTTP_REQ_INIT;
	struct http_resp rs = HTTP_RESP_INIT;
	struct buf u = BUF_INIT;
	int rc;

	reg_url(g, &u, "/v2/%s/blobs/%s", repo, d->digest);
	rq.method = "HEAD";
	rq.url = u.ptr;
	if ((rc = reg_send(g, repo, &rq, &rs)) == 0)	/* 307: it is there, on other storage */
		rc = rs.status == 200 || (rs.status >= 300 && rs.status < 400) ? 1 :
		    rs.status == 404 ? 0 : reg_fail(g, &rq, &rs);
	http_req_release(&rq);
	http_resp_release(&rs);
	buf_release(&u);
	return rc;
}

/* Downloads the blob into a temporary file, checking its digest. */
static int
reg_blob_open(struct store *s, const char *repo, const struct desc *d, struct blob_region *r)
{
	struct reg *g = s->impl;
	struct http_req rq = HTTP_REQ_INIT;
	struct http_resp rs = HTTP_RESP_INIT;
	struct buf u = BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	char got[DIGEST_MAX], six[7];
	const char *dir = getenv("TMPDIR");
	struct buf tmp = BUF_INIT;
	unsigned int n;
	int rc;

	memset(six, 'X', 6);	/* mkstemp's template */
	six[6] = '\0';
	buf_printf(&tmp, "%s/slipway-blob.%s", dir && *dir ? dir : "/tmp", six);
	if ((r->fd = mkstemp(tmp.ptr)) < 0) {
		rc = err_set(-E_IO, "cannot create a temporary file in '%s': %s",
		    dir && *dir ? dir : "/tmp", strerror(errno));
		buf_release(&tmp);
		return rc;
	}
	r->tmp = buf_detach(&tmp, NULL);
	reg_url(g, &u, "/v2/%s/blobs/%s", repo, d->digest);
	rq.method = "GET";
	rq.url = u.ptr;
	rq.out_fd = r->fd;
	rq.hash = EVP_MD_CTX_new();
	EVP_DigestInit_ex(rq.hash, EVP_sha256(), NULL);
	if ((rc = reg_send(g, repo, &rq, &rs)) < 0)
		goto out;
	if (rs.status != 200) {
		rq.out_fd = -1;
		rc = rs.status == 404 ? err_set(-E_NOTFOUND, "%s/%s: blob %s does not exist",
		    g->host, repo, d->digest) : reg_fail(g, &rq, &rs);
		goto out;
	}
	EVP_DigestFinal_ex(rq.hash, md, &n);
	digest_format(md, n, got);
	if (strcmp(got, d->digest))
		rc = err_set(-E_REMOTE, "%s/%s: blob %s arrived as %s: the bytes do not match",
		    g->host, repo, d->digest, got);
	r->off = 0;
	r->size = lseek(r->fd, 0, SEEK_END);
	g->stats.blob_downloads++;
out:
	EVP_MD_CTX_free(rq.hash);
	http_req_release(&rq);
	http_resp_release(&rs);
	buf_release(&u);
	return rc;
}

static void
reg_close(struct store *s)
{
	struct reg *g = s->impl;

	if (!g)
		return;
	http_release(&g->http);
	free(g->host);
	free(g->ca_file);
	free(g->user);
	free(g->pass);
	free(g->basic);
	strvec_clear(&g->tok_repo);
	strvec_clear(&g->tok);
	free(g);
	free(s->name);
	s->impl = NULL;
	s->name = NULL;
}

static const struct store_ops registry_ops = {
	reg_manifest_get, reg_manifest_head, reg_manifest_put, reg_blob_exists, reg_blob_open,
	reg_blob_put, reg_tags, reg_close, reg_blob_mount,
};

int
registry_store_open(struct store *s, const char *host, const struct registry_opts *o)
{
	struct reg *g = xcalloc(1, sizeof(*g));
	struct strvec empty = STRVEC_INIT;

	g->tok_repo = g->tok = empty;
	s->ops = &registry_ops;
	s->impl = g;
	s->name = xstrdup(host);
	g->host = xstrdup(host);
	g->ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
	g->insecure = o->insecure;
	g->user = o->user ? xstrdup(o->user) : NULL;
	g->pass = o->pass ? xstrdup(o->pass) : NULL;
	g->chunk = o->chunk > 0 ? o->chunk : 64LL << 20;
	return http_init(&g->http, g->ca_file);
}

int
registry_store_clone(struct store *to, const struct store *from)
{
	const struct reg *f = from->impl;
	struct registry_opts o = { f->ca_file, f->insecure, f->user, f->pass, f->chunk };
	struct reg *g;
	size_t i;
	int rc;

	if ((rc = registry_store_open(to, f->host, &o)) < 0)
		return rc;
	g = to->impl;
	g->basic = f->basic ? xstrdup(f->basic) : NULL;
	for (i = 0; i < f->tok.nr; i++) {
		strvec_push(&g->tok_repo, f->tok_repo.v[i]);
		strvec_push(&g->tok, f->tok.v[i]);
	}
	return 0;
}

int
registry_store_is(const struct store *s)
{
	return s->ops == &registry_ops;
}

const struct registry_stats *
registry_stats(const struct store *s)
{
	return &((const struct reg *)s->impl)->stats;
}

void
registry_stats_add(struct store *s, const struct store *clone)
{
	struct registry_stats *a = &((struct reg *)s->impl)->stats;
	const struct registry_stats *b = registry_stats(clone);

	a->requests += b->requests;
	a->blob_uploads += b->blob_uploads;
	a->blob_mounts += b->blob_mounts;
	a->blob_downloads += b->blob_downloads;
	a->bytes_up += b->bytes_up;
}
