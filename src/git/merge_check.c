/* merge_check.c - whether a merge commit's tree is its parents' merge, told
 * without merging where every path merges trivially. */
#include <stdlib.h>
#include <string.h>

#include "git/merge.h"
#include "git/pack.h"
#include "git/walk.h"
#include "lib/err.h"
#include "lib/util.h"

#define UNSURE 0	/* only git's merge can tell */
#define TREE_MODE 040000

/* A tree's entries, pointing into its raw bytes. */
struct rtree {
	struct buf raw;
	struct rentry {
		const char *name;
		size_t len;
		unsigned mode;
		const unsigned char *id;
	} *v;
	size_t n;
};

#define RTREE_INIT { BUF_INIT, NULL, 0 }

/* What the check reads trees with. */
struct reader {
	struct repo *r;
	struct packs *packs;
};

static void
rtree_release(struct rtree *t)
{
	buf_release(&t->raw);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* Splits t->raw into entries; -1 when it is not a tree's format. */
static int
rtree_parse(struct rtree *t)
{
	const char *p = t->raw.ptr, *end = p + t->raw.len;
	size_t alloc = 0;

	while (p < end) {
		const char *sp = memchr(p, ' ', (size_t)(end - p)), *nul;
		unsigned mode = 0;
		const char *q;

		if (!sp || sp == p || !(nul = memchr(sp + 1, '\0', (size_t)(end - sp - 1))) ||
		    nul == sp + 1 || (size_t)(end - nul - 1) < GIT_OID_RAWSZ)
			return -1;
		for (q = p; q < sp; q++) {
			if (*q < '0' || *q > '7' || mode > 0777777)
				return -1;
			mode = mode * 8 + (unsigned)(*q - '0');
		}
		if (t->n == alloc)
			t->v = xrealloc(t->v, (alloc = alloc ? 2 * alloc : 64) * sizeof(*t->v));
		t->v[t->n].name = sp + 1;
		t->v[t->n].len = (size_t)(nul - sp - 1);
		t->v[t->n].mode = mode;
		t->v[t->n].id = (const unsigned char *)nul + 1;
		t->n++;
		p = nul + 1 + GIT_OID_RAWSZ;
	}
	return 0;
}

/* Reads tree id into t: from the packs in place, else through libgit2
 * (loose objects, the push's quarantine). 0, or -1 (UNSURE). */
static int
rtree_read(struct reader *rd, const unsigned char *id, struct rtree *t)
{
	git_object_t type = GIT_OBJECT_INVALID;
	git_odb_object *o = NULL;
	git_odb *odb = NULL;
	git_oid oid;
	int rc;

	memcpy(oid.id, id, GIT_OID_RAWSZ);
	rc = packs_read(rd->packs, &oid, &type, &t->raw);
	if (rc == -E_NOTFOUND) {
		if (git_repository_odb(&odb, rd->r->git) == 0 && git_odb_read(&o, odb, &oid) == 0) {
			type = git_odb_object_type(o);
			buf_add(&t->raw, git_odb_object_data(o), git_odb_object_size(o));
			rc = 0;
		}
		git_odb_object_free(o);
		git_odb_free(odb);
	}
	err_clear();
	git_error_clear();
	return rc == 0 && type == GIT_OBJECT_TREE && rtree_parse(t) == 0 ? 0 : -1;
}

/* One side's entry under a name: absent (id NULL), a blob, link or tree. */
struct side {
	const unsigned char *id;
	unsigned mode;
};

static int
same(const struct side *a, const struct side *b)
{
	if (!a->id || !b->id)
		return !a->id && !b->id;
	return a->mode == b->mode && !memcmp(a->id, b->id, GIT_OID_RAWSZ);
}

static int check_trees(struct reader *rd, struct rtree t[4]);

/* One name's entries in the four trees (base, ours, theirs, merge): 1 when
 * the merge's is the trivial merge of the others', UNSURE otherwise. */
static int
check_name(struct reader *rd, const struct side s[4])
{
	const struct side *want = NULL;
	struct rtree sub[4] = { RTREE_INIT, RTREE_INIT, RTREE_INIT, RTREE_INIT };
	int i, rc = 1;

	if (same(&s[1], &s[2]))
		want = &s[1];
	else if (same(&s[0], &s[1]))
		want = &s[2];	/* only theirs changed it */
	else if (same(&s[0], &s[2]))
		want = &s[1];	/* only ours changed it */
	if (want)
		return same(want, &s[3]) ? 1 : UNSURE;
	for (i = 0; i < 4; i++)	/* both changed a folder: the merge is inside */
		if (!s[i].id || s[i].mode != TREE_MODE)
			return UNSURE;
	for (i = 0; i < 4 && rc == 1; i++)
		if (rtree_read(rd, s[i].id, &sub[i]) < 0)
			rc = UNSURE;
	if (rc == 1)
		rc = check_trees(rd, sub);
	for (i = 0; i < 4; i++)
		rtree_release(&sub[i]);
	return rc;
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

static int
entry_cmp(const struct rentry *a, const struct rentry *b)
{
	return key_cmp(a->name, a->len, a->mode == TREE_MODE, b->name, b->len,
	    b->mode == TREE_MODE);
}

/* Whether t holds something that is not a folder under name. */
static int
has_file(const struct rtree *t, const char *name, size_t len)
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

/*
 * Every name of the four trees, checked: one pass over the four sorted
 * lists at once. A folder in one tree and a file of the same name in
 * another are told to git's merge (their keys sort apart).
 */
static int
check_trees(struct reader *rd, struct rtree t[4])
{
	size_t at[4] = { 0, 0, 0, 0 };
	int k, rc = 1;

	while (rc == 1) {
		const struct rentry *e[4], *low = NULL;
		struct side s[4];

		for (k = 0; k < 4; k++) {
			e[k] = at[k] < t[k].n ? &t[k].v[at[k]] : NULL;
			if (e[k] && (!low || entry_cmp(e[k], low) < 0))
				low = e[k];
		}
		if (!low)
			break;
		for (k = 0; k < 4; k++) {
			if (e[k] && e[k] != low && entry_cmp(e[k], low))
				e[k] = NULL;
			if (e[k])
				at[k]++;
			s[k].id = e[k] ? e[k]->id : NULL;
			s[k].mode = e[k] ? e[k]->mode : 0;
		}
		if (low->mode == TREE_MODE)
			for (k = 0; k < 4 && rc == 1; k++)
				if (has_file(&t[k], low->name, low->len))
					rc = UNSURE;
		if (rc == 1)
			rc = check_name(rd, s);
	}
	return rc;
}

/* The one merge base of ours and theirs; -1 when there is none, or
 * several, or the history cannot be read (git's merge can tell then). */
static int
one_base(struct repo *r, const git_oid *ours, const git_oid *theirs, git_oid *base)
{
	struct walk *w = NULL;
	size_t n = 0;
	int rc;

	if ((rc = walk_new(&w, r)) == 0)
		rc = walk_merge_bases(w, ours, theirs, base, 1, &n);
	walk_free(w);
	err_clear();
	return rc == 0 && n == 1 ? 0 : -1;
}

int
merge_is_trivial(struct repo *r, const git_oid *ours, const git_oid *theirs,
    const git_oid *tree)
{
	const git_oid *ids[4] = { NULL, ours, theirs, tree };
	struct reader rd = { r, NULL };
	struct rtree t[4] = { RTREE_INIT, RTREE_INIT, RTREE_INIT, RTREE_INIT };
	struct buf objdir = BUF_INIT;
	git_oid base;
	int i, rc = 1;

	if (one_base(r, ours, theirs, &base) < 0)
		return UNSURE;
	ids[0] = &base;
	buf_printf(&objdir, "%sobjects", git_repository_commondir(r->git));
	packs_open(&rd.packs, objdir.ptr);
	for (i = 0; i < 4 && rc == 1; i++) {
		git_commit *c = NULL;

		if (i < 3 && git_commit_lookup(&c, r->git, ids[i]) < 0)
			rc = UNSURE;
		else if (rtree_read(&rd, (c ? git_commit_tree_id(c) : ids[i])->id, &t[i]) < 0)
			rc = UNSURE;
		git_commit_free(c);
	}
	if (rc == 1)
		rc = check_trees(&rd, t);
	for (i = 0; i < 4; i++)
		rtree_release(&t[i]);
	packs_free(rd.packs);
	buf_release(&objdir);
	git_error_clear();
	return rc;
}
