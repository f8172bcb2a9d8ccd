/* http.h - HTTP requests through libcurl, for the registry client. */
#ifndef SLIPWAY_HTTP_H
#define SLIPWAY_HTTP_H

#include <curl/curl.h>
#include <openssl/evp.h>

#include "image/store.h"

struct http {
	CURL *curl;		/* one handle: connections are kept between requests */
	const char *ca_file;	/* trust these CAs instead of the system's, or NULL */
};

struct http_req {
	const char *method;	/* GET, HEAD, PUT, POST, PATCH */
	const char *url;
	struct strvec headers;	/* "Name: value" */
	const char *body;	/* a body from memory, or NULL */
	size_t body_len;
	const struct blob_region *upload;	/* or from a file region */
	long long up_off, up_len;		/* the part of upload to send */
	struct buf *out;	/* the response body into memory (capped), or NULL */
	int out_fd;		/* or into a file (-1: neither) */
	EVP_MD_CTX *hash;	/* when set, hashes the response body */
};

#define HTTP_REQ_INIT { .headers = STRVEC_INIT, .out_fd = -1 }

struct http_resp {
	long status;
	struct buf headers;	/* the final response's header lines */
};

#define HTTP_RESP_INIT { 0, BUF_INIT }

#define HTTP_BODY_MAX (16 << 20)	/* a manifest or a JSON answer, not a blob */

/* Loads libcurl on the first call (from any thread); -E_GENERIC when it
 * cannot be loaded. */
int http_init(struct http *h, const char *ca_file);
void http_release(struct http *h);

/*
 * One request; connection errors are retried with a backoff (0.2, 1, 3 s),
 * as is a 5xx answer to a request that can be sent again. Returns 0 with
 * rs->status for any HTTP answer; -E_REMOTE naming the URL's host when none
 * came (connection refused, TLS failure, timeout).
 */
int http_do(struct http *h, struct http_req *rq, struct http_resp *rs);

/* The value of header name (case-insensitive) in rs, appended to out; 0,
 * or -E_NOTFOUND. */
int http_header(const struct http_resp *rs, const char *name, struct buf *out);

/* s[0..n) percent-encoded (all but RFC 3986's unreserved), appended to out. */
void http_escape(struct buf *out, const char *s, size_t n);

void http_req_release(struct http_req *rq);
void http_resp_release(struct http_resp *rs);

#endif
