/* registry_int.h - what the registry client's files share (internal). */
#ifndef SLIPWAY_REGISTRY_INT_H
#define SLIPWAY_REGISTRY_INT_H

#include "image/registry.h"

struct reg {
	struct http http;
	char *host;
	char *ca_file;
	int insecure;
	char *user, *pass;
	char *basic;		/* "Basic ..." once the registry asked for it */
	struct strvec tok_repo;	/* Bearer tokens kept per repository: the repository, */
	struct strvec tok;	/* and its "Bearer ..." value */
	long long chunk;
	struct registry_stats stats;
};

/* out = "scheme://host" of the registry, then fmt. */
void reg_url(const struct reg *g, struct buf *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sends rq, answering one authentication challenge. 0 with rs. */
int reg_send(struct reg *g, const char *repo, struct http_req *rq, struct http_resp *rs);
/* An unexpected answer as an error (401, 403, 429 explained). */
int reg_fail(struct reg *g, const struct http_req *rq, const struct http_resp *rs);
/* The Authorization value for a request about repo, or NULL. */
const char *reg_auth(const struct reg *g, const char *repo);
/* Reads the WWW-Authenticate challenge in rs and sets g->auth: 1 when
 * there is something new to send, 0 when not (no credentials for Basic). */
int reg_answer_challenge(struct reg *g, const char *repo, const struct http_resp *rs);

/* The blob operations (regblob.c). */
int reg_blob_put(struct store *s, const char *repo, const struct desc *d,
    struct blob_region *r);
int reg_blob_mount(struct store *s, const char *repo, const struct desc *d, const char *from);
int reg_tags(struct store *s, const char *repo, struct strvec *out);

#endif
