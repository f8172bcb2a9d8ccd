/* regauth.c - a registry's authentication: Basic, Bearer tokens, credentials. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/registry_int.h"
#include "lib/err.h"
#include "lib/util.h"

/* The value of param in a challenge: realm="...",service="...". */
static int
challenge_param(const char *ch, const char *param, struct buf *out)
{
	size_t n = strlen(param);
	const char *p = ch;

	while ((p = strcasestr(p, param))) {
		if ((p == ch || strchr(" ,", p[-1])) && p[n] == '=') {
			p += n + 1;
			if (*p == '"')
				buf_add(out, p + 1, strcspn(p + 1, "\""));
			else
				buf_add(out, p, strcspn(p, ","));
			return 0;
		}
		p += n;
	}
	return -E_NOTFOUND;
}

static void
base64(const char *in, size_t len, struct buf *out)
{
	unsigned char *enc = xmalloc(4 * ((len + 2) / 3) + 1);
	int n = EVP_EncodeBlock(enc, (const unsigned char *)in, (int)len);

	buf_add(out, enc, (size_t)n);
	free(enc);
}

/* Keeps value as the Authorization for repo (NULL: Basic, for all). */
/* "Basic <base64 user:pass>" into out. */
static void
basic_value(const struct reg *g, struct buf *out)
{
	struct buf cred = BUF_INIT;

	buf_printf(&cred, "%s:%s", g->user, g->pass ? g->pass : "");
	buf_puts(out, "Basic ");
	base64(cred.ptr, cred.len, out);
	buf_release(&cred);
}

static void
set_auth(struct reg *g, const char *value, const char *repo)
{
	int i;

	if (!repo) {
		free(g->basic);
		g->basic = xstrdup(value);
	} else if ((i = strvec_find(&g->tok_repo, repo)) >= 0) {
		free(g->tok.v[i]);
		g->tok.v[i] = xstrdup(value);
	} else {
		strvec_push(&g->tok_repo, repo);
		strvec_push(&g->tok, value);
	}
}

const char *
reg_auth(const struct reg *g, const char *repo)
{
	int i = repo ? strvec_find(&g->tok_repo, repo) : -1;

	return i >= 0 ? g->tok.v[i] : g->basic;
}

/* GET realm?service=S&scope=A&scope=B with the credentials; the token. */
static int
fetch_token(struct reg *g, const char *repo, const char *challenge)
{
	struct buf realm = BUF_INIT, service = BUF_INIT, scope = BUF_INIT, u = BUF_INIT;
	struct buf body = BUF_INIT, auth = BUF_INIT;
	struct http_req rq = HTTP_REQ_INIT;
	struct http_resp rs = HTTP_RESP_INIT;
	json_t *j = NULL;
	const char *tok, *p;
	int rc = 0;

	if (challenge_param(challenge, "realm", &realm) < 0) {
		rc = err_set(-E_REMOTE, "%s: a Bearer challenge without a realm: %s", g->host,
		    challenge);
		goto out;
	}
	if (strncmp(realm.ptr, "https://", 8) && !g->insecure) {
		rc = err_set(-E_REMOTE, "%s: its token service '%s' is not HTTPS; slipway sends "
		    "no credentials over plain HTTP", g->host, realm.ptr);
		goto out;
	}
	buf_puts(&u, realm.ptr);
	buf_putc(&u, strchr(realm.ptr, '?') ? '&' : '?');
	if (challenge_param(challenge, "service", &service) == 0) {
		buf_puts(&u, "service=");
		http_escape(&u, service.ptr, service.len);
	}
	if (challenge_param(challenge, "scope", &scope) < 0 && repo)
		buf_printf(&scope, "repository:%s:pull,push", repo);
	for (p = scope.ptr; p && *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " ");

		buf_puts(&u, "&scope=");
		http_escape(&u, p, n);
		p += n;
	}
	rq.method = "GET";
	rq.url = u.ptr;
	rq.out = &body;
	if (g->user) {
		basic_value(g, &auth);
		strvec_pushf(&rq.headers, "Authorization: %s", auth.ptr);
	}
	g->stats.requests++;
	if ((rc = http_do(&g->http, &rq, &rs)) < 0)
		goto out;
	if (rs.status == 401 || rs.status == 403) {
		rc = err_set(-E_REMOTE, "%s: the token service (%s) refused the %s: %ld", g->host,
		    realm.ptr, g->user ? "username or password" : "anonymous request", rs.status);
		err_hint(g->user ? "check DOCKER_USER/DOCKER_PASSWORD (or ~/.docker/config.json)" :
		    "set DOCKER_USER and DOCKER_PASSWORD, or log in (docker login)");
		goto out;
	}
	j = rs.status == 200 ? json_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL) : NULL;
	tok = json_string_value(json_object_get(j, "token"));
	if (!tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (!tok) {
		rc = err_set(-E_REMOTE, "%s: the token service (%s) answered %ld without a token",
		    g->host, realm.ptr, rs.status);
		goto out;
	}
	buf_reset(&auth);
	buf_printf(&auth, "Bearer %s", tok);
	set_auth(g, auth.ptr, repo);
	rc = 1;
out:
	json_decref(j);
	http_req_release(&rq);
	http_resp_release(&rs);
	buf_release(&realm);
	buf_release(&service);
	buf_release(&scope);
	buf_release(&u);
	buf_release(&body);
	buf_release(&auth);
	return rc;
}

int
reg_answer_challenge(struct reg *g, const char *repo, const struct http_resp *rs)
{
	struct buf ch = BUF_INIT, v = BUF_INIT;
	int rc = 0;

	if (http_header(rs, "WWW-Authenticate", &ch) < 0)
		goto out;
	if (!strncasecmp(ch.ptr, "Bearer", 6)) {
		rc = fetch_token(g, repo, ch.ptr + 6);
	} else if (!strncasecmp(ch.ptr, "Basic", 5) && g->user) {
		if (g->basic)
			goto out;	/* sent already, and refused: wrong credentials */
		basic_value(g, &v);
		set_auth(g, v.ptr, NULL);
		rc = 1;
	}
out:
	buf_release(&ch);
	buf_release(&v);
	return rc;
}

/* The auths entry for host in ~/.docker/config.json. */
static int
docker_config(const char *host, char **user, char **pass)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	struct buf path = BUF_INIT, data = BUF_INIT, dec = BUF_INIT;
	json_t *j = NULL, *e;
	const char *a;
	int rc = 0;

	if (dir)
		buf_printf(&path, "%s/config.json", dir);
	else if (home)
		buf_printf(&path, "%s/.docker/config.json", home);
	if (!path.len || buf_read_file(&data, path.ptr) < 0) {
		err_clear();
		goto out;
	}
	if (!(j = json_loadb(data.ptr, data.len, 0, NULL))) {
		rc = err_set(-E_CONFIG, "'%s' is not JSON", path.ptr);
		goto out;
	}
	e = json_object_get(json_object_get(j, "auths"), host);
	if (!e) {	/* docker login also writes the key as a URL */
		buf_reset(&dec);
		buf_printf(&dec, "https://%s", host);
		e = json_object_get(json_object_get(j, "auths"), dec.ptr);
	}
	if ((a = json_string_value(json_object_get(e, "auth")))) {
		unsigned char *out = xmalloc(strlen(a) + 1);
		int n = EVP_DecodeBlock(out, (const unsigned char *)a, (int)strlen(a));
		char *colon;

		if (n > 0 && (out[n] = '\0', colon = memchr(out, ':', (size_t)n))) {
			*user = xstrndup((char *)out, (size_t)(colon - (char *)out));
			*pass = xstrdup(colon + 1);
		}
		free(out);
	} else if (json_string_value(json_object_get(e, "username"))) {
		*user = xstrdup(json_string_value(json_object_get(e, "username")));
		*pass = xstrdup(json_string_value(json_object_get(e, "password")) ?
		    json_string_value(json_object_get(e, "password")) : "");
	}
out:
	json_decref(j);
	buf_release(&path);
	buf_release(&data);
	buf_release(&dec);
	return rc;
}

int
registry_credentials(const char *host, char **user, char **pass)
{
	const char *u = getenv("DOCKER_USER"), *p = getenv("DOCKER_PASSWORD");

	*user = *pass = NULL;
	if (u && *u) {
		*user = xstrdup(u);
		*pass = xstrdup(p ? p : "");
		return 0;
	}
	return docker_config(host, user, pass);
}
