/* merge_check.c - whether a merge commit's tree is its parents' merge, told
 * without merging where every path merges trivially. */
#include <stdlib.h>
#include <string.h>

#include "git/merge.h"
#include "git/rtree.h"
#include "git/walk.h"
#include "lib/err.h"
#include "lib/util.h"

#define UNSURE 0	/* only git's merge can tell */

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

static int check_trees(struct trees *rd, const struct rtree *t[4]);

/* One name's entries in the four trees (base, ours, theirs, merge): 1 when
 * the merge's is the trivial merge of the others', UNSURE otherwise. */
static int
check_name(struct trees *rd, const struct side s[4])
{
	const struct side *want = NULL;
	const struct rtree *sub[4];
	int i;

	/* gone from both sides: git looks for renames there (rename/delete and
	 * rename/rename conflicts), which only its merge can tell */
	if (s[0].id && !s[1].id && !s[2].id)
		return UNSURE;
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
	for (i = 0; i < 4; i++)
		if (!(sub[i] = trees_get(rd, s[i].id)))
			return UNSURE;
	return check_trees(rd, sub);
}

/*
 * Every name of the four trees, checked: one pass over the four sorted
 * lists at once. A folder in one tree and a file of the same name in
 * another are told to git's merge (their keys sort apart).
 */
static int
check_trees(struct trees *rd, const struct rtree *t[4])
{
	size_t at[4] = { 0, 0, 0, 0 };
	int k, rc = 1;

	while (rc == 1) {
		const struct rentry *e[4], *low = NULL;
		struct side s[4];

		for (k = 0; k < 4; k++) {
			e[k] = at[k] < t[k]->n ? &t[k]->v[at[k]] : NULL;
			if (e[k] && (!low || rtree_cmp(e[k], low) < 0))
				low = e[k];
		}
		if (!low)
			break;
		for (k = 0; k < 4; k++) {
			if (e[k] && e[k] != low && rtree_cmp(e[k], low))
				e[k] = NULL;
			if (e[k])
				at[k]++;
			s[k].id = e[k] ? e[k]->id : NULL;
			s[k].mode = e[k] ? e[k]->mode : 0;
		}
		if (low->mode == TREE_MODE)
			for (k = 0; k < 4 && rc == 1; k++)
				if (rtree_has_file(t[k], low->name, low->len))
					rc = UNSURE;
		if (rc == 1)
			rc = check_name(rd, s);
	}
	return rc;
}

/* The one merge base of ours and theirs (git/walk.c); -1 when there is
 * none, or several, or the history cannot be read (git's merge can tell). */
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

/* The root tree of commit id, or NULL. */
static const struct rtree *
root_of(struct repo *r, struct trees *rd, const git_oid *id)
{
	const struct rtree *t = NULL;
	git_commit *c = NULL;

	if (git_commit_lookup(&c, r->git, id) == 0)
		t = trees_get(rd, git_commit_tree_id(c)->id);
	git_commit_free(c);
	git_error_clear();
	return t;
}

int
merge_is_trivial(struct repo *r, const git_oid *ours, const git_oid *theirs,
    const git_oid *tree)
{
	const struct rtree *t[4] = { NULL, NULL, NULL, NULL };
	struct trees *rd = NULL;
	git_oid base;
	int rc = UNSURE;

	if (one_base(r, ours, theirs, &base) < 0)
		return UNSURE;
	trees_new(&rd, r);
	/* the base first: theirs is often stored as a delta on it */
	if ((t[0] = root_of(r, rd, &base)) && (t[1] = root_of(r, rd, ours)) &&
	    (t[2] = root_of(r, rd, theirs)) && (t[3] = trees_get(rd, tree->id)))
		rc = check_trees(rd, t);
	trees_free(rd);
	return rc;
}
