/* rtree.c - trees from the packs in place or through libgit2, parsed, kept. */
#include "git/rtree.h"

#include <stdlib.h>
#include <string.h>

#include "git/pack.h"
#include "lib/err.h"
#include "lib/util.h"

struct trees {
	struct repo *r;
	struct packs *packs;
	char *objdir;		/* where new objects are: GIT_OBJECT_DIRECTORY, or objects/ */
	struct rtree **v;	/* every tree read */
	size_t n;
};

/* packs_read's way to a tree read before (a delta chain may pass it). */
static const char *
held(void *ctx, const git_oid *id, size_t *len)
{
	struct trees *t = ctx;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (git_oid_equal(&t->v[i]->id, id)) {
			*len = t->v[i]->len;
			return t->v[i]->data;
		}
	return NULL;
}

void
trees_new(struct trees **out, struct repo *r)
{
	struct trees *t = xcalloc(1, sizeof(*t));
	struct buf objdir = BUF_INIT;
	const char *env;

	t->r = r;
	buf_printf(&objdir, "%sobjects", git_repository_commondir(r->git));
	packs_open(&t->packs, objdir.ptr);
	packs_set_source(t->packs, held, t);
	if ((env = getenv("GIT_OBJECT_DIRECTORY"))) {	/* a push's quarantine */
		buf_reset(&objdir);
		buf_puts(&objdir, env);
	}
	t->objdir = buf_detach(&objdir, NULL);
	*out = t;
}

static void
rtree_free(struct rtree *t)
{
	buf_release(&t->raw);
	git_odb_object_free(t->obj);
	free(t->v);
	free(t);
}

void
trees_free(struct trees *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		rtree_free(t->v[i]);
	free(t->v);
	packs_free(t->packs);
	free(t->objdir);
	free(t);
}

/* Git's tree order: names bytewise, a folder's as if it ended in '/'. */
static int
key_cmp(const char *a, size_t alen, int afolder, const char *b, size_t blen, int bfolder)
{
	size_t n = alen < blen ? alen : blen;
	int c = memcmp(a, b, n);
	unsigned char x, y;

	if (c)
		return c;
	x = n < alen ? (unsigned char)a[n] : afolder ? '/' : 0;
	y = n < blen ? (unsigned char)b[n] : bfolder ? '/' : 0;
	return (x > y) - (x < y);
}

int
rtree_cmp(const struct rentry *a, const struct rentry *b)
{
	return key_cmp(a->name, a->len, a->mode == TREE_MODE, b->name, b->len,
	    b->mode == TREE_MODE);
}

int
rtree_has_file(const struct rtree *t, const char *name, size_t len)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rentry *e = &t->v[mid];
		int c = key_cmp(e->name, e->len, e->mode == TREE_MODE, name, len, 0);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The mode a tree entry's octal text [p, end) names, or 0 when it is not
 * one git writes (git's fsck warns of the rest: zero-padded, 100664). */
static unsigned
mode_of(const char *p, const char *end)
{
	static const struct { const char *text; unsigned mode; } modes[] = {
		{ "100644", 0100644 }, { "100755", 0100755 }, { "120000", 0120000 },
		{ "160000", 0160000 }, { "40000", TREE_MODE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if ((size_t)(end - p) == strlen(modes[i].text) &&
		    !memcmp(p, modes[i].text, (size_t)(end - p)))
			return modes[i].mode;
	return 0;
}

/*
 * Splits t->data into entries; -1 when it is not a tree as git writes one:
 * each mode one of git's, each name non-empty, and the entries in strictly
 * rising git order (no name twice). The check walks the four trees side by
 * side in that order: a tree out of order could pair the wrong entries.
 */
static int
parse(struct rtree *t)
{
	const char *p = t->data, *end = p + t->len;
	size_t alloc = 0;

	while (p < end) {
		const char *sp = memchr(p, ' ', (size_t)(end - p)), *nul;
		unsigned mode;

		if (!sp || !(nul = memchr(sp + 1, '\0', (size_t)(end - sp - 1))) ||
		    nul == sp + 1 || (size_t)(end - nul - 1) < GIT_OID_RAWSZ ||
		    !(mode = mode_of(p, sp)))
			return -1;
		if (t->n == alloc)
			t->v = xrealloc(t->v, (alloc = alloc ? 2 * alloc : 64) * sizeof(*t->v));
		t->v[t->n].name = sp + 1;
		t->v[t->n].len = (size_t)(nul - sp - 1);
		t->v[t->n].mode = mode;
		t->v[t->n].id = (const unsigned char *)nul + 1;
		if (t->n && rtree_cmp(&t->v[t->n - 1], &t->v[t->n]) >= 0)
			return -1;
		t->n++;
		p = nul + 1 + GIT_OID_RAWSZ;
	}
	return 0;
}

/* Reads t's object: from the packs in place, else through libgit2 (its
 * buffer kept, not copied); its type in *type. */
static int
read_raw(struct trees *ts, struct rtree *t, git_object_t *type)
{
	git_odb *odb = NULL;
	int rc = packs_read(ts->packs, &t->id, type, &t->raw);

	if (rc == -E_NOTFOUND)	/* a push's new objects: loose, in its quarantine */
		rc = loose_read(ts->objdir, &t->id, type, &t->raw);
	if (rc == 0) {
		t->data = t->raw.ptr;
		t->len = t->raw.len;
	} else if (rc == -E_NOTFOUND) {
		if (git_repository_odb(&odb, ts->r->git) == 0 &&
		    git_odb_read(&t->obj, odb, &t->id) == 0) {
			*type = git_odb_object_type(t->obj);
			t->data = git_odb_object_data(t->obj);
			t->len = git_odb_object_size(t->obj);
			rc = 0;
		}
		git_odb_free(odb);
	}
	err_clear();
	git_error_clear();
	return rc;
}

const struct rtree *
trees_get(struct trees *t, const unsigned char *id)
{
	git_object_t type = GIT_OBJECT_INVALID;
	struct rtree *tr;
	size_t i;

	for (i = 0; i < t->n; i++)	/* a check reads a handful */
		if (!memcmp(t->v[i]->id.id, id, GIT_OID_RAWSZ))
			return t->v[i];
	tr = xcalloc(1, sizeof(*tr));
	tr->raw = (struct buf)BUF_INIT;
	memcpy(tr->id.id, id, GIT_OID_RAWSZ);
	if (read_raw(t, tr, &type) < 0 || type != GIT_OBJECT_TREE ||
	    parse(tr) < 0) {
		rtree_free(tr);
		return NULL;
	}
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	t->v[t->n++] = tr;
	return tr;
}
