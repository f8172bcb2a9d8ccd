/* regblob.c - a registry's blob uploads (monolithic, chunked), mounts and tags. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "image/registry_int.h"
#include "lib/err.h"
#include "lib/util.h"

/* The upload session's next URL: Location, made absolute. */
static int
location(struct reg *g, const struct http_resp *rs, struct buf *out)
{
	struct buf loc = BUF_INIT;

	buf_reset(out);
	if (http_header(rs, "Location", &loc) < 0) {
		buf_release(&loc);
		return err_set(-E_REMOTE, "%s: an upload answer without a Location", g->host);
	}
	if (loc.ptr[0] == '/')
		reg_url(g, out, "%s", loc.ptr);
	else
		buf_puts(out, loc.ptr);
	buf_release(&loc);
	return 0;
}

/* POST .../blobs/uploads/[?mount=D&from=R]: 201 mounted, 202 a session. */
static int
start_upload(struct reg *g, const char *repo, const char *mount, const char *from,
    struct buf *next, long *status)
{
	struct http_req rq = HTTP_REQ_INIT;
	struct http_resp rs = HTTP_RESP_INIT;
	struct buf u = BUF_INIT, body = BUF_INIT;
	int rc;

	reg_url(g, &u, "/v2/%s/blobs/uploads/", repo);
	if (mount)
		buf_printf(&u, "?mount=%s&from=%s", mount, from);
	rq.method = "POST";
	rq.url = u.ptr;
	rq.body = "";
	rq.out = &body;
	if ((rc = reg_send(g, repo, &rq, &rs)) == 0) {
		*status = rs.status;
		if (rs.status == 202)
			rc = location(g, &rs, next);
		else if (rs.status != 201)
			rc = reg_fail(g, &rq, &rs);
	}
	http_req_release(&rq);
	http_resp_release(&rs);
	buf_release(&u);
	buf_release(&body);
	return rc;
}

/* PATCH (a chunk) or PUT (the end, with ?digest=) of part of r to *next. */
static int
send_part(struct reg *g, const char *repo, const char *method, struct buf *next,
    const struct desc *d, const struct blob_region *r, long long off, long long len)
{
	struct http_req rq = HTTP_REQ_INIT;
	struct http_resp rs = HTTP_RESP_INIT;
	struct buf u = BUF_INIT, body = BUF_INIT;
	int rc;

	buf_puts(&u, next->ptr);
	if (!strcmp(method, "PUT"))
		buf_printf(&u, "%cdigest=%s", strchr(next->ptr, '?') ? '&' : '?', d->digest);
	rq.method = method;
	rq.url = u.ptr;
	rq.upload = r;
	rq.up_off = off;
	rq.up_len = len;
	rq.out = &body;
	strvec_push(&rq.headers, "Content-Type: application/octet-stream");
	if (!strcmp(method, "PATCH"))
		strvec_pushf(&rq.headers, "Content-Range: %lld-%lld", off, off + len - 1);
	if ((rc = reg_send(g, repo, &rq, &rs)) < 0)
		goto out;
	if (rs.status == 400 && body.ptr && strstr(body.ptr, "DIGEST_INVALID"))
		rc = err_set(-E_INVALID, "blob %s: its bytes do not match its digest", d->digest);
	else if (rs.status != (strcmp(method, "PUT") ? 202 : 201))
		rc = reg_fail(g, &rq, &rs);
	else if (strcmp(method, "PUT"))
		rc = location(g, &rs, next);
	g->stats.bytes_up += len;
out:
	http_req_release(&rq);
	http_resp_release(&rs);
	buf_release(&u);
	buf_release(&body);
	return rc;
}

int
reg_blob_put(struct store *s, const char *repo, const struct desc *d, struct blob_region *r)
{
	struct reg *g = s->impl;
	struct buf next = BUF_INIT;
	long long off = 0, chunk = g->chunk;
	long status = 0;	/* 202: a session */
	int rc;

	if ((rc = start_upload(g, repo, NULL, NULL, &next, &status)) < 0)
		goto out;
	/* monolithic: one PUT; chunked: PATCHes of chunk bytes, then an empty PUT */
	while (rc == 0 && r->size - off > chunk) {
		rc = send_part(g, repo, "PATCH", &next, d, r, off, chunk);
		off += chunk;
	}
	if (rc == 0)
		rc = send_part(g, repo, "PUT", &next, d, r, off, r->size - off);
	if (rc == 0)
		g->stats.blob_uploads++;
out:
	buf_release(&next);
	return rc;
}

int
reg_blob_mount(struct store *s, const char *repo, const struct desc *d, const char *from)
{
	struct reg *g = s->impl;
	struct buf next = BUF_INIT;
	long status = 0;
	int rc;

	if ((rc = start_upload(g, repo, d->digest, from, &next, &status)) == 0 && status == 201) {
		g->stats.blob_mounts++;
		rc = 1;
	} else if (rc < 0 && rc != -E_REMOTE) {
		return rc;
	} else {
		err_clear();	/* refused or not possible: the blob is uploaded instead */
		rc = 0;
	}
	buf_release(&next);	/* a 202 session is left to expire */
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
reg_tags(struct store *s, const char *repo, struct strvec *out)
{
	struct reg *g = s->impl;
	struct http_req rq = HTTP_REQ_INIT;
	struct http_resp rs = HTTP_RESP_INIT;
	struct buf u = BUF_INIT, body = BUF_INIT, link = BUF_INIT;
	size_t first = out->nr, i;
	json_t *j = NULL, *t;
	char *prev = NULL;
	int rc = 0;

	reg_url(g, &u, "/v2/%s/tags/list?n=1000", repo);
	while (rc == 0 && u.len) {
		rq.method = "GET";
		rq.url = u.ptr;
		rq.out = &body;
		if ((rc = reg_send(g, repo, &rq, &rs)) < 0)
			break;
		if (rs.status == 404)
			break;	/* no such repository: no tags */
		if (rs.status != 200) {
			rc = reg_fail(g, &rq, &rs);
			break;
		}
		json_decref(j);
		if (!(j = json_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL)) ||
		    !json_is_object(j)) {
			rc = err_set(-E_REMOTE, "%s: the tag list of %s is not JSON", g->host, repo);
			break;
		}
		json_array_foreach(json_object_get(j, "tags"), i, t)
			if (json_is_string(t))
				strvec_push(out, json_string_value(t));
		buf_reset(&link);
		free(prev);
		prev = xstrdup(u.ptr);
		buf_reset(&u);
		if (http_header(&rs, "Link", &link) == 0 && link.ptr[0] == '<' &&
		    strstr(link.ptr, "rel=\"next\"")) {
			size_t n = strcspn(link.ptr + 1, ">");

			if (link.ptr[1] == '/')
				reg_url(g, &u, "%.*s", (int)n, link.ptr + 1);
			else
				buf_add(&u, link.ptr + 1, n);
			if (!strcmp(u.ptr, prev))
				buf_reset(&u);	/* a next page that is this page: stop */
		}
		strvec_clear(&rq.headers);
	}
	if (out->nr > first)
		qsort(out->v + first, out->nr - first, sizeof(*out->v), by_name);
	free(prev);
	json_decref(j);
	http_req_release(&rq);
	http_resp_release(&rs);
	buf_release(&u);
	buf_release(&body);
	buf_release(&link);
	return rc;
}
