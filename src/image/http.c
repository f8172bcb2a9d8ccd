/* http.c - HTTP requests through libcurl: bodies from memory or files, retries. */
#include "image/http.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
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

/*
 * libcurl is loaded on first use, not linked: with its TLS, LDAP, Kerberos
 * and IDN libraries it was 20 shared objects and ~5 ms of every slipway
 * start-up, and only the image commands speak HTTP. The names are the
 * functions', without "curl_".
 */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} lc;

#define LIBCURL "libcurl.so.4"

static pthread_once_t lc_once = PTHREAD_ONCE_INIT;
static char lc_error[256];	/* why loading failed; empty when it worked */

static void *
lc_sym(void *dl, const char *name)
{
	void *f = dlsym(dl, name);

	if (!f && !lc_error[0])
		snprintf(lc_error, sizeof(lc_error), "%s has no %s", LIBCURL, name);
	return f;
}

static void
lc_load(void)
{
	void *dl = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);

	if (!dl) {
		snprintf(lc_error, sizeof(lc_error), "%s", dlerror());
		return;
	}
	*(void **)&lc.global_init = lc_sym(dl, "curl_global_init");
	*(void **)&lc.easy_init = lc_sym(dl, "curl_easy_init");
	*(void **)&lc.easy_cleanup = lc_sym(dl, "curl_easy_cleanup");
	*(void **)&lc.easy_reset = lc_sym(dl, "curl_easy_reset");
	*(void **)&lc.easy_setopt = lc_sym(dl, "curl_easy_setopt");
	*(void **)&lc.easy_perform = lc_sym(dl, "curl_easy_perform");
	*(void **)&lc.easy_getinfo = lc_sym(dl, "curl_easy_getinfo");
	*(void **)&lc.easy_strerror = lc_sym(dl, "curl_easy_strerror");
	*(void **)&lc.slist_append = lc_sym(dl, "curl_slist_append");
	*(void **)&lc.slist_free_all = lc_sym(dl, "curl_slist_free_all");
	if (!lc_error[0] && lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		snprintf(lc_error, sizeof(lc_error), "curl_global_init failed");
}

int
http_init(struct http *h, const char *ca_file)
{
	pthread_once(&lc_once, lc_load);
	if (lc_error[0])
		return err_set(-E_GENERIC, "cannot load libcurl, which image commands need: %s",
		    lc_error);
	h->ca_file = ca_file;
	if (!(h->curl = lc.easy_init()))
		return err_set(-E_GENERIC, "cannot initialise libcurl");
	return 0;
}

void
http_release(struct http *h)
{
	if (h->curl)
		lc.easy_cleanup(h->curl);
	h->curl = NULL;
}

void
http_escape(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_putc(out, (char)c);
		} else {
			buf_putc(out, '%');
			buf_putc(out, hex[c >> 4]);
			buf_putc(out, hex[c & 15]);
		}
	}
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

	lc.easy_reset(h->curl);
	lc.easy_setopt(h->curl, CURLOPT_URL, rq->url);
	lc.easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, 20L);
	lc.easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	lc.easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	lc.easy_setopt(h->curl, CURLOPT_USERAGENT, "slipway");
	lc.easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (h->ca_file)
		lc.easy_setopt(h->curl, CURLOPT_CAINFO, h->ca_file);
	lc.easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	lc.easy_setopt(h->curl, CURLOPT_HEADERDATA, x);
	lc.easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	lc.easy_setopt(h->curl, CURLOPT_WRITEDATA, x);
	if (!strcmp(rq->method, "HEAD"))
		lc.easy_setopt(h->curl, CURLOPT_NOBODY, 1L);
	else if (!strcmp(rq->method, "GET"))
		lc.easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 1L);	/* blobs on a CDN */
	else
		lc.easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, rq->method);
	if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
		if (rq->body)
			rq->up_len = (long long)rq->body_len;
		lc.easy_setopt(h->curl, CURLOPT_UPLOAD, 1L);
		lc.easy_setopt(h->curl, CURLOPT_READFUNCTION, on_read);
		lc.easy_setopt(h->curl, CURLOPT_READDATA, x);
		lc.easy_setopt(h->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->up_len);
		hdrs = lc.slist_append(hdrs, "Expect:");
	}
	for (i = 0; i < rq->headers.nr; i++)
		hdrs = lc.slist_append(hdrs, rq->headers.v[i]);
	lc.easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
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
		lc.easy_setopt(h->curl, CURLOPT_ERRORBUFFER, why);
		cc = lc.easy_perform(h->curl);
		lc.slist_free_all(hdrs);
		if (x.failed)
			return err_set(rq->out ? -E_REMOTE : -E_IO, "%s %.*s: %s", rq->method,
			    (int)strcspn(rq->url, "?"), rq->url,
			    rq->out ? "the answer is too large" : strerror(errno));
		if (cc == CURLE_OK)
			lc.easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &rs->status);
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
			    (int)strcspn(rq->url, "?"), rq->url, why[0] ? why : lc.easy_strerror(cc));
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
