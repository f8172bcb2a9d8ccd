/* merge_check.c - whether a merge commit's tree is its parents' merge, told
 * without merging where every path merges trivially. */
#include <stdlib.h>
#include <string.h>

#include "git/merge.h"
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
entry_of(const git_tree *t, const char *name)
{
	const git_tree_entry *e = t ? git_tree_entry_byname(t, name) : NULL;
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

/* One name of the four trees (base, ours, theirs, merge): 1 when the
 * merge's entry is the trivial merge of the others', UNSURE otherwise. */
static int
check_name(git_repository *g, git_tree *const t[4], const char *name)
{
	struct side s[4];
	const struct side *want = NULL;
	git_tree *sub[4] = { NULL, NULL, NULL, NULL };
	int i, rc;

	for (i = 0; i < 4; i++)
		s[i] = entry_of(t[i], name);
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

/* Every name of the four trees, checked. */
static int
check_trees(git_repository *g, git_tree *const t[4])
{
	size_t i, n;
	int k, rc = 1;

	for (k = 0; k < 4 && rc == 1; k++) {
		n = git_tree_entrycount(t[k]);
		for (i = 0; i < n && rc == 1; i++) {
			const char *name = git_tree_entry_name(git_tree_entry_byindex(t[k], i));
			int seen = 0, j;

			for (j = 0; j < k && !seen; j++)	/* checked with an earlier tree */
				seen = git_tree_entry_byname(t[j], name) != NULL;
			if (!seen)
				rc = check_name(g, t, name);
		}
	}
	return rc;
}

/* The one merge base of ours and theirs (git merge-base --all, which reads
 * the commit-graph); 0, or UNSURE-worthy -1 (none, several, or git failed). */
static int
one_base(struct repo *r, const struct quarantine *q, const git_oid *ours,
    const git_oid *theirs, git_oid *base)
{
	struct run cmd = RUN_INIT;
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	int rc = -1;

	git_oid_tostr(a, sizeof(a), ours);
	git_oid_tostr(b, sizeof(b), theirs);
	repo_git_cmd(r, &cmd);
	strvec_pushl(&cmd.argv, "merge-base", "--all", a, b, NULL);
	quarantine_env_write(q, &cmd);
	cmd.capture_out = cmd.capture_err = 1;
	if (run_exec(&cmd) == 0 && cmd.status == 0 && cmd.out.len == GIT_OID_HEXSZ + 1 &&
	    git_oid_fromstrn(base, cmd.out.ptr, GIT_OID_HEXSZ) == 0)
		rc = 0;
	err_clear();
	run_release(&cmd);
	return rc;
}

int
merge_is_trivial(struct repo *r, const struct quarantine *q, const git_oid *ours,
    const git_oid *theirs, const git_oid *tree)
{
	const git_oid *ids[3] = { NULL, ours, theirs };
	git_tree *t[4] = { NULL, NULL, NULL, NULL };
	git_oid base;
	int i, rc = 1;

	if (one_base(r, q, ours, theirs, &base) < 0)
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
