/* http.c - HTTP requests through libcurl: bodies from memory or files, retries. */
#include "image/http.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"

/* What the callbacks see of one attempt. */
struct xfer {
	struct http_req *rq;
	struct http_resp *rs;
	long long sent;
	int failed;		/* a write to out failed, or out went past its cap */
};

int
http_init(struct http *h, const char *ca_file)
{
	static int global;

	if (!global && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return err_set(-E_GENERIC, "cannot initialise libcurl");
	global = 1;
	h->ca_file = ca_file;
	if (!(h->curl = curl_easy_init()))
		return err_set(-E_GENERIC, "cannot initialise libcurl");
	return 0;
}

void
http_release(struct http *h)
{
	if (h->curl)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
}

static size_t
on_header(char *p, size_t size, size_t n, void *data)
{
	struct xfer *x = data;

	if (n > 5 && !strncmp(p, "HTTP/", 5))	/* a new response (after a redirect, 100) */
		buf_reset(&x->rs->headers);
	buf_add(&x->rs->headers, p, size * n);
	return size * n;
}

static size_t
on_body(char *p, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	size_t len = size * n, off = 0;

	if (x->rq->hash)
		EVP_DigestUpdate(x->rq->hash, p, len);
	if (x->rq->out) {
		if (x->rq->out->len + len > HTTP_BODY_MAX) {
			x->failed = 1;
			return 0;
		}
		buf_add(x->rq->out, p, len);
	}
	while (x->rq->out_fd >= 0 && off < len) {
		ssize_t w = write(x->rq->out_fd, p + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			x->failed = 1;
			return 0;
		}
		off += (size_t)w;
	}
	return len;
}

static size_t
on_read(char *p, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	const struct http_req *rq = x->rq;
	long long left = rq->up_len - x->sent;
	size_t want = size * n;
	ssize_t got;

	if (left <= 0)
		return 0;
	if ((long long)want > left)
		want = (size_t)left;
	if (rq->body) {
		memcpy(p, rq->body + x->sent, want);
		got = (ssize_t)want;
	} else {
		got = pread(rq->upload->fd, p, want, rq->upload->off + rq->up_off + x->sent);
		if (got <= 0)
			return CURL_READFUNC_ABORT;
	}
	x->sent += got;
	return (size_t)got;
}

/* Sets up the handle for one attempt. */
static struct curl_slist *
prepare(struct http *h, struct http_req *rq, struct xfer *x)
{
	struct curl_slist *hdrs = NULL;
	size_t i;

	curl_easy_reset(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_URL, rq->url);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "slipway");
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (h->ca_file)
		curl_easy_setopt(h->curl, CURLOPT_CAINFO, h->ca_file);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, x);
	if (!strcmp(rq->method, "HEAD"))
		curl_easy_setopt(h->curl, CURLOPT_NOBODY, 1L);
	else if (!strcmp(rq->method, "GET"))
		curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 1L);	/* blobs on a CDN */
	else
		curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, rq->method);
	if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
		if (rq->body)
			rq->up_len = (long long)rq->body_len;
		curl_easy_setopt(h->curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h->curl, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h->curl, CURLOPT_READDATA, x);
		curl_easy_setopt(h->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->up_len);
		hdrs = curl_slist_append(hdrs, "Expect:");
	}
	for (i = 0; i < rq->headers.nr; i++)
		hdrs = curl_slist_append(hdrs, rq->headers.v[i]);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	return hdrs;
}

static int
retryable(CURLcode cc)
{
	return cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT ||
	    cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR || cc == CURLE_GOT_NOTHING ||
	    cc == CURLE_PARTIAL_FILE || cc == CURLE_COULDNT_RESOLVE_HOST;
}

/* Undoes what a failed attempt wrote, so the next starts clean. */
static int
rewind_out(struct http_req *rq)
{
	if (rq->out)
		buf_reset(rq->out);
	if (rq->hash)
		EVP_DigestInit_ex(rq->hash, EVP_sha256(), NULL);
	if (rq->out_fd >= 0 && (ftruncate(rq->out_fd, 0) < 0 ||
	    lseek(rq->out_fd, 0, SEEK_SET) < 0))
		return err_set(-E_IO, "cannot rewind a download: %s", strerror(errno));
	return 0;
}

int
http_do(struct http *h, struct http_req *rq, struct http_resp *rs)
{
	static const long backoff_ms[] = { 200, 1000, 3000 };
	char why[CURL_ERROR_SIZE];
	size_t attempt;
	int rc = 0;

	for (attempt = 0;; attempt++) {
		struct xfer x = { rq, rs, 0, 0 };
		struct curl_slist *hdrs;
		CURLcode cc;

		buf_reset(&rs->headers);
		rs->status = 0;
		why[0] = '\0';
		if ((rc = rewind_out(rq)) < 0)
			return rc;
		hdrs = prepare(h, rq, &x);
		curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, why);
		cc = curl_easy_perform(h->curl);
		curl_slist_free_all(hdrs);
		if (x.failed)
			return err_set(rq->out ? -E_REMOTE : -E_IO, "%s %.*s: %s", rq->method,
			    (int)strcspn(rq->url, "?"), rq->url,
			    rq->out ? "the answer is too large" : strerror(errno));
		if (cc == CURLE_OK)
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &rs->status);
		/* a 5xx is retried only when sending again cannot do harm */
		if (attempt < ARRAY_SIZE(backoff_ms) && (retryable(cc) || (cc == CURLE_OK &&
		    rs->status >= 500 && strcmp(rq->method, "POST") && strcmp(rq->method, "PATCH")))) {
			struct timespec ts = { backoff_ms[attempt] / 1000,
			    (backoff_ms[attempt] % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			continue;
		}
		if (cc != CURLE_OK)	/* the query may hold an upload's state: not shown */
			return err_set(-E_REMOTE, "%s %.*s: %s", rq->method,
			    (int)strcspn(rq->url, "?"), rq->url, why[0] ? why : curl_easy_strerror(cc));
		return 0;
	}
}

int
http_header(const struct http_resp *rs, const char *name, struct buf *out)
{
	const char *p = rs->headers.ptr, *end = p ? p + rs->headers.len : NULL;
	size_t n = strlen(name);

	while (p && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *v;

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > n && p[n] == ':' && !strncasecmp(p, name, n)) {
			for (v = p + n + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
				;
			buf_add(out, v, (size_t)(eol - v));
			buf_rtrim(out);
			return 0;
		}
		p = eol + 1;
	}
	return -E_NOTFOUND;
}

void
http_req_release(struct http_req *rq)
{
	strvec_clear(&rq->headers);
}

void
http_resp_release(struct http_resp *rs)
{
	buf_release(&rs->headers);
}
