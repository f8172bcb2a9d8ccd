/* merge_check.c - whether a merge commit's tree is its parents' merge, told
 * without merging where every path merges trivially. */
#include <stdlib.h>
#include <string.h>

#include "git/merge.h"
#include "git/walk.h"
#include "lib/err.h"
#include "lib/util.h"

#define UNSURE 0	/* only git's merge can tell */

/* One side's entry under a name: absent (id NULL), a blob, link or tree. */
struct side {
	const git_oid *id;
	git_filemode_t mode;
};

static int
same(const struct side *a, const struct side *b)
{
	if (!a->id || !b->id)
		return !a->id && !b->id;
	return a->mode == b->mode && git_oid_equal(a->id, b->id);
}

static struct side
side_of(const git_tree_entry *e)
{
	struct side s = { NULL, 0 };

	if (e) {
		s.id = git_tree_entry_id(e);
		s.mode = git_tree_entry_filemode(e);
	}
	return s;
}

static git_tree *
subtree(git_repository *g, const struct side *s)
{
	git_tree *t = NULL;

	if (s->id && s->mode == GIT_FILEMODE_TREE && git_tree_lookup(&t, g, s->id) < 0)
		git_error_clear();
	return t;
}

static int check_trees(git_repository *g, git_tree *const t[4]);

/* One name's entries in the four trees (base, ours, theirs, merge): 1 when
 * the merge's is the trivial merge of the others', UNSURE otherwise. */
static int
check_name(git_repository *g, const struct side s[4])
{
	const struct side *want = NULL;
	git_tree *sub[4] = { NULL, NULL, NULL, NULL };
	int i, rc;

	if (same(&s[1], &s[2]))
		want = &s[1];
	else if (same(&s[0], &s[1]))
		want = &s[2];	/* only theirs changed it */
	else if (same(&s[0], &s[2]))
		want = &s[1];	/* only ours changed it */
	if (want)
		return same(want, &s[3]) ? 1 : UNSURE;
	for (i = 0; i < 4; i++)	/* both changed a folder: the merge is inside */
		if (!s[i].id || s[i].mode != GIT_FILEMODE_TREE)
			return UNSURE;
	for (i = 0, rc = 1; i < 4 && rc == 1; i++)
		if (!(sub[i] = subtree(g, &s[i])))
			rc = UNSURE;
	if (rc == 1)
		rc = check_trees(g, sub);
	for (i = 0; i < 4; i++)
		git_tree_free(sub[i]);
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
entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *x = git_tree_entry_name(a), *y = git_tree_entry_name(b);

	return key_cmp(x, strlen(x), git_tree_entry_type(a) == GIT_OBJECT_TREE,
	    y, strlen(y), git_tree_entry_type(b) == GIT_OBJECT_TREE);
}

/* Whether t holds something that is not a folder under name. */
static int
has_file(const git_tree *t, const char *name)
{
	size_t lo = 0, hi = t ? git_tree_entrycount(t) : 0, len = strlen(name);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const git_tree_entry *e = git_tree_entry_byindex(t, mid);
		const char *n = git_tree_entry_name(e);
		int c = key_cmp(n, strlen(n), git_tree_entry_type(e) == GIT_OBJECT_TREE,
		    name, len, 0);

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
check_trees(git_repository *g, git_tree *const t[4])
{
	size_t at[4] = { 0, 0, 0, 0 }, n[4];
	int k, rc = 1;

	for (k = 0; k < 4; k++)
		n[k] = t[k] ? git_tree_entrycount(t[k]) : 0;
	while (rc == 1) {
		const git_tree_entry *e[4], *low = NULL;
		struct side s[4];

		for (k = 0; k < 4; k++) {
			e[k] = at[k] < n[k] ? git_tree_entry_byindex(t[k], at[k]) : NULL;
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
			s[k] = side_of(e[k]);
		}
		if (git_tree_entry_type(low) == GIT_OBJECT_TREE)
			for (k = 0; k < 4 && rc == 1; k++)
				if (has_file(t[k], git_tree_entry_name(low)))
					rc = UNSURE;
		if (rc == 1)
			rc = check_name(g, s);
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
	const git_oid *ids[3] = { NULL, ours, theirs };
	git_tree *t[4] = { NULL, NULL, NULL, NULL };
	git_oid base;
	int i, rc = 1;

	if (one_base(r, ours, theirs, &base) < 0)
		return UNSURE;
	ids[0] = &base;
	for (i = 0; i < 3 && rc == 1; i++) {
		git_commit *c = NULL;

		if (git_commit_lookup(&c, r->git, ids[i]) < 0 || git_commit_tree(&t[i], c) < 0)
			rc = UNSURE;
		git_commit_free(c);
	}
	if (rc == 1 && git_tree_lookup(&t[3], r->git, tree) < 0)
		rc = UNSURE;
	if (rc == 1)
		rc = check_trees(r->git, t);
	for (i = 0; i < 4; i++)
		git_tree_free(t[i]);
	git_error_clear();
	return rc;
}
