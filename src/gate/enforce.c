/* enforce.c - deciding whether a push keeps to the protocol (the server hook's rules). */
#include "gate/enforce.h"

#include <stdlib.h>
#include <string.h>

#include "gate/gate.h"
#include "git/merge.h"
#include "git/refs.h"
#include "lib/err.h"
#include "lib/util.h"

/* The branch names the rules need, from slipway.conf. */
struct names {
	struct buf staging, production;	/* full ref names */
	const char *hotfix;		/* pattern */
};

static int
is_zero(const git_oid *id)
{
	return git_oid_is_zero(id);
}

/* The update of ref in this push, or NULL. */
static const struct ref_update *
find(const struct ref_update *u, size_t n, const char *ref)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(u[i].ref, ref))
			return &u[i];
	return NULL;
}

/* Whether commit's parents include parent: the usual forward move (a merge
 * on top, a record appended, a sync's merge), told without walking
 * history as git_graph_descendant_of does (50 ms on a large one). */
static int
has_parent(struct repo *r, const git_oid *commit, const git_oid *parent)
{
	git_commit *c = NULL;
	unsigned i, n;
	int found = 0;

	if (git_commit_lookup(&c, r->git, commit) < 0)
		return 0;
	n = git_commit_parentcount(c);
	for (i = 0; i < n && !found; i++)
		found = git_oid_equal(git_commit_parent_id(c, i), parent);
	git_commit_free(c);
	return found;
}

/* Refuses deleting ref or moving it backwards or sideways. */
static int
check_forward(struct repo *r, const struct ref_update *u, const char *what)
{
	if (is_zero(&u->new_oid))
		return err_set(-E_REFUSED, "%s: deleting %s is not allowed", u->ref, what);
	if (is_zero(&u->old_oid) || git_oid_equal(&u->old_oid, &u->new_oid) ||
	    has_parent(r, &u->new_oid, &u->old_oid) ||
	    git_graph_descendant_of(r->git, &u->new_oid, &u->old_oid) == 1)
		return 0;
	return err_set(-E_REFUSED, "%s: a force-push would rewrite %s; it only moves forward",
	    u->ref, what);
}

/* The branch a merge commit's message names: "Merge branch 'NAME'..." as
 * git merge and slipway merge write it. out gets NAME. */
static int
merged_branch(const git_commit *c, struct buf *out)
{
	const char *msg = git_commit_message(c), *p, *q;

	if (!starts_with(msg, "Merge branch '") && !starts_with(msg, "Merge remote-tracking "
	    "branch '"))
		return -1;
	p = strchr(msg, '\'') + 1;
	if (!(q = strchr(p, '\'')) || q == p || memchr(p, '\n', (size_t)(q - p)))
		return -1;
	/* a remote-tracking name ("origin/x") stands for the branch x */
	if (msg[6] == 'r' && memchr(p, '/', (size_t)(q - p)))
		p = (const char *)memchr(p, '/', (size_t)(q - p)) + 1;
	buf_add(out, p, (size_t)(q - p));
	return 0;
}

/*
 * Checks that new is a no-ff merge on top of old whose tree is exactly
 * git's merge of its parents (nothing slipped in), and reads the name of
 * the branch merged into name. Returns 0 with *c (caller frees).
 */
static int
check_merge(struct repo *r, const struct quarantine *q, const struct ref_update *u,
    git_commit **c, struct buf *name)
{
	struct strvec conflicts = STRVEC_INIT;
	git_oid tree;
	int rc = 0;

	if (git_commit_lookup(c, r->git, &u->new_oid) < 0)
		return repo_error(-E_REFUSED, "%s: reading %s", u->ref, repo_short(&u->new_oid));
	if (git_commit_parentcount(*c) != 2 ||
	    !git_oid_equal(git_commit_parent_id(*c, 0), &u->old_oid)) {
		char old[GIT_OID_HEXSZ + 1];

		git_oid_tostr(old, sizeof(old), &u->old_oid);
		return err_set(-E_REFUSED, "%s: %s is not a merge on top of %.8s; push a merge "
		    "of your branch (slipway merge BRANCH)", u->ref, repo_short(&u->new_oid), old);
	}
	if (merged_branch(*c, name) < 0)
		return err_set(-E_REFUSED, "%s: the merge %s does not say which branch it merges "
		    "(\"Merge branch 'NAME' into ...\")", u->ref, repo_short(&u->new_oid));
	if (merge_is_trivial(r, &u->old_oid, git_commit_parent_id(*c, 1),
	    git_commit_tree_id(*c)) == 1)
		return 0;	/* every path explained by a side: no merge needed */
	rc = merge_commits(r, q, &u->old_oid, git_commit_parent_id(*c, 1), &tree, &conflicts);
	if (rc == -E_CONFLICT)
		rc = err_set(-E_REFUSED, "%s: the merge %s resolves conflicts by hand; merge "
		    "%s into your branch first", u->ref, repo_short(&u->new_oid),
		    repo_short(&u->old_oid));
	else if (rc == 0 && !git_oid_equal(&tree, git_commit_tree_id(*c)))
		rc = err_set(-E_REFUSED, "%s: the merge %s changes more than merging '%s' does",
		    u->ref, repo_short(&u->new_oid), name->ptr);
	strvec_clear(&conflicts);
	return rc;
}

/* Staging: a gated merge of a branch. */
static int
check_gated(struct repo *r, const struct quarantine *q, const struct config *cfg,
    const struct ref_update *u, struct buf *why)
{
	struct gate_report rep = GATE_REPORT_INIT;
	struct gate_subject s;
	struct buf name = BUF_INIT, lacks = BUF_INIT;
	git_commit *c = NULL;
	int rc;

	if ((rc = check_merge(r, q, u, &c, &name)) < 0)
		goto out;
	s.branch = name.ptr;
	git_oid_cpy(&s.head, git_commit_parent_id(c, 1));
	s.staging = &u->old_oid;
	s.review = NULL;
	if ((rc = gate_evaluate(r, cfg, &s, &rep)) < 0)
		goto out;
	if (!rep.pass) {
		gate_report_lacks(&rep, &lacks);
		rc = err_set(-E_REFUSED, "%s: '%s' at %s does not pass the gate %s: it lacks %s",
		    u->ref, name.ptr, repo_short(&s.head), rep.rule, lacks.ptr);
		if (why) {
			int f;

			for (f = 0; f < GATE_NFACTS; f++)
				if (rep.named & (1u << f))
					buf_printf(why, "%s: %s\n", gate_fact_name((enum gate_fact)f),
					    rep.why[f].ptr);
		}
	}
out:
	gate_report_release(&rep);
	git_commit_free(c);
	buf_release(&name);
	buf_release(&lacks);
	return rc;
}

/* Looking for a tag of a commit. */
struct tag_search {
	struct repo *r;
	const git_oid *commit;
};

/* refs_list callback: stops at a tag that peels to the commit. */
static int
tag_peels_to(const char *name, const git_oid *oid, void *data)
{
	struct tag_search *t = data;
	git_object *obj = NULL, *peeled = NULL;
	int found;

	(void)name;
	found = git_object_lookup(&obj, t->r->git, oid, GIT_OBJECT_ANY) == 0 &&
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0 &&
	    git_oid_equal(git_object_id(peeled), t->commit);
	git_object_free(peeled);
	git_object_free(obj);
	return found;
}

/* Whether a tag pointing at commit is pushed now or exists already. */
static int
tagged(struct repo *r, const struct ref_update *u, size_t n, const git_oid *commit)
{
	struct tag_search t = { r, commit };
	size_t i;
	int found = 0;

	for (i = 0; i < n && !found; i++)
		if (starts_with(u[i].ref, "refs/tags/") && !is_zero(&u[i].new_oid))
			found = tag_peels_to(u[i].ref, &u[i].new_oid, &t);
	if (!found)
		found = refs_list(r, "refs/tags/", tag_peels_to, &t) == 1;
	err_clear();
	return found;
}

/* Master: a release (a merge of staging, tagged) or a hotfix merge. */
static int
check_production(struct repo *r, const struct quarantine *q, const struct names *nm,
    const struct ref_update *u, size_t n, const struct ref_update *mu)
{
	const struct ref_update *su = find(u, n, nm->staging.ptr);
	git_oid staging;
	git_commit *c = NULL;
	struct buf name = BUF_INIT;
	int rc = 0;

	if (git_commit_lookup(&c, r->git, &mu->new_oid) < 0)
		return repo_error(-E_REFUSED, "%s: reading %s", mu->ref, repo_short(&mu->new_oid));
	/* staging as the server has it: the old value when it moves too */
	if (su)
		git_oid_cpy(&staging, &su->old_oid);
	if (git_commit_parentcount(c) == 2 &&
	    git_oid_equal(git_commit_parent_id(c, 0), &mu->old_oid) &&
	    (su || refs_resolve(r, nm->staging.ptr, &staging) == 0) &&
	    git_oid_equal(git_commit_parent_id(c, 1), &staging)) {
		/* a release: the merge of staging as it is, tagged */
		if (!tagged(r, u, n, &mu->new_oid))
			rc = err_set(-E_REFUSED, "%s: a release must be tagged in the same push "
			    "(slipway release does it)", mu->ref);
		goto out;
	}
	git_commit_free(c);
	c = NULL;
	if ((rc = check_merge(r, q, mu, &c, &name)) < 0)
		goto out;
	if (!config_glob_match(nm->hotfix, name.ptr))
		rc = err_set(-E_REFUSED, "%s: only a release (slipway release) or a merge of a "
		    "hotfix branch (%s) goes to %s; '%s' is neither", mu->ref, nm->hotfix,
		    nm->production.ptr + 11, name.ptr);
out:
	git_commit_free(c);
	buf_release(&name);
	return rc;
}

/* Checks one update; staging and master by the rules above. */
static int
check_one(struct repo *r, const struct quarantine *q, const struct config *cfg,
    const struct names *nm,
    const struct ref_update *u, size_t n, const struct ref_update *ru, struct buf *why)
{
	const struct ref_update *mu;
	int rc;

	if (starts_with(ru->ref, "refs/slipway/"))
		return check_forward(r, ru, "workflow records");
	if (strcmp(ru->ref, nm->staging.ptr) && strcmp(ru->ref, nm->production.ptr))
		return 0;
	if ((rc = check_forward(r, ru, ru->ref + 11)) < 0 || is_zero(&ru->old_oid))
		return rc;	/* creating the branch starts the project */
	if (!strcmp(ru->ref, nm->production.ptr))
		return check_production(r, q, nm, u, n, ru);
	/* staging moving with master to the release merge */
	mu = find(u, n, nm->production.ptr);
	if (mu && git_oid_equal(&mu->new_oid, &ru->new_oid) && !is_zero(&mu->old_oid))
		return check_production(r, q, nm, u, n, mu);
	return check_gated(r, q, cfg, ru, why);
}

int
enforce_check(struct repo *r, const struct quarantine *q, const struct config *cfg,
    const struct ref_update *u, size_t n, struct buf *why)
{
	struct names nm = { BUF_INIT, BUF_INIT, NULL };
	size_t i;
	int rc = 0;

	buf_printf(&nm.staging, "refs/heads/%s", config_get(cfg, "branches.staging", "staging"));
	buf_printf(&nm.production, "refs/heads/%s", config_get(cfg, "branches.production",
	    "master"));
	nm.hotfix = config_get(cfg, "branches.hotfix", "hotfix/*");
	for (i = 0; i < n && rc == 0; i++)
		rc = check_one(r, q, cfg, &nm, u, n, &u[i], why);
	buf_release(&nm.staging);
	buf_release(&nm.production);
	return rc;
}
