/* each.c - walking every branch's request, and the cache of closed ones. */
#include "review/review.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "git/refs.h"
#include "lib/err.h"
#include "lib/util.h"
#include "review/review_int.h"

/* Tips of chains known to end closed or merged: a sorted set of OIDs. */
struct tipset {
	git_oid *v;
	size_t n, alloc;
};

static void
tipset_add(struct tipset *t, const git_oid *id)
{
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 256;
		t->v = xrealloc(t->v, t->alloc * sizeof(*t->v));
	}
	git_oid_cpy(&t->v[t->n++], id);
}

static int
oid_cmp(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static void
cache_path(struct repo *r, struct buf *path)
{
	buf_printf(path, "%sslipway/closed-reviews", git_repository_commondir(r->git));
}

/* Reads the cache (one hex OID a line); a missing or odd file is empty. */
static void
cache_read(struct repo *r, struct tipset *t)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	const char *p;
	git_oid id;

	cache_path(r, &path);
	if (buf_read_file(&text, path.ptr) == 0) {
		for (p = text.ptr; p + GIT_OID_HEXSZ < text.ptr + text.len + 1 &&
		    git_oid_fromstrn(&id, p, GIT_OID_HEXSZ) == 0; p += GIT_OID_HEXSZ + 1)
			tipset_add(t, &id);
		if (t->n)
			qsort(t->v, t->n, sizeof(*t->v), oid_cmp);
	}
	err_clear();
	buf_release(&path);
	buf_release(&text);
}

/* Replaces the cache with the tips in t (best effort: it is only a cache). */
static void
cache_write(struct repo *r, struct tipset *t)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;

	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), oid_cmp);
	for (i = 0; i < t->n; i++)
		buf_printf(&text, "%s\n", git_oid_tostr(hex, sizeof(hex), &t->v[i]));
	buf_printf(&path, "%sslipway", git_repository_commondir(r->git));
	if (mkdir(path.ptr, 0777) == 0 || errno == EEXIST) {
		buf_reset(&path);
		cache_path(r, &path);
		write_file_atomic(path.ptr, text.ptr, text.len);
	}
	err_clear();
	buf_release(&path);
	buf_release(&text);
}

struct each {
	struct repo *r;
	struct strvec *bad;
	int (*fn)(struct review *rv, void *data);
	void *data;
	int open_only;
	struct tipset known, seen;	/* the cache read; closed tips met now */
	size_t learned;
};

static int
each_ref(const char *name, const git_oid *oid, void *data)
{
	struct each *e = data;
	struct review rv;
	int rc;

	if (e->open_only && e->known.n && bsearch(oid, e->known.v, e->known.n, sizeof(*oid), oid_cmp)) {
		tipset_add(&e->seen, oid);
		return 0;
	}
	if (review_load_tip(e->r, name, oid, &rv) < 0) {
		strvec_push(e->bad, err_msg());
		err_clear();
		return 0;
	}
	if (rv.state != REVIEW_OPEN) {
		tipset_add(&e->seen, oid);
		e->learned++;
	}
	rc = e->open_only && rv.state != REVIEW_OPEN ? 0 : e->fn(&rv, e->data);
	review_release(&rv);
	return rc;
}

int
review_each(struct repo *r, int open_only, struct strvec *bad,
    int (*fn)(struct review *rv, void *data), void *data)
{
	struct each e = { r, bad, fn, data, open_only, { NULL, 0, 0 }, { NULL, 0, 0 }, 0 };
	int rc;

	cache_read(r, &e.known);
	rc = refs_list(r, "refs/slipway/" REVIEW_KIND "/", each_ref, &e);
	/* rewrite when something was learned, or tips went away */
	if (rc == 0 && (e.learned || e.seen.n != e.known.n))
		cache_write(r, &e.seen);
	free(e.known.v);
	free(e.seen.v);
	return rc;
}

struct waiting {
	struct repo *r;
	const char *remote, *me;
	size_t n;
};

static int
count_waiting(struct review *rv, void *data)
{
	struct waiting *w = data;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid head;
	size_t i;

	if (rv->state != REVIEW_OPEN || !strcmp(rv->author, w->me))
		return 0;
	if (repo_branch_head(w->r, w->remote, rv->branch, &head, NULL) == 0)
		git_oid_tostr(hex, sizeof(hex), &head);
	else
		snprintf(hex, sizeof(hex), "%s", rv->head);
	err_clear();
	for (i = 0; i < rv->nvotes; i++)
		if (!strcmp(rv->votes[i].by, w->me) && !strcmp(rv->votes[i].head, hex))
			return 0;
	w->n++;
	return 0;
}

int
review_waiting(struct repo *r, const char *remote, const char *me, size_t *n,
    struct strvec *bad)
{
	struct waiting w = { r, remote, me, 0 };
	int rc = review_each(r, 1, bad, count_waiting, &w);

	*n = w.n;
	return rc;
}
