/* merge.c - gated merge: read the remote, check the gate, merge in memory, push. */
#include "gate/merge.h"

#include <stdlib.h>
#include <string.h>

#include "gate/enforce.h"
#include "git/merge.h"
#include "lib/err.h"
#include "lib/util.h"
#include "records/sync.h"
#include "review/review.h"

/* Makes sure both heads are objects here (fetching them without refs). */
static int
fetch_heads(struct repo *r, struct merge_plan *plan)
{
	struct strvec want = STRVEC_INIT;
	git_odb *odb = NULL;
	int rc = 0;

	if (git_repository_odb(&odb, r->git) < 0)
		return repo_error(-E_GENERIC, "opening the object database");
	if (!git_odb_exists(odb, &plan->head) || !git_odb_exists(odb, &plan->staging)) {
		strvec_pushl(&want, plan->staging_ref, plan->branch_ref, NULL);
		rc = remote_fetch_objects(r, plan->remote, &want);
		if (rc == 0 && (!git_odb_exists(odb, &plan->head) ||
		    !git_odb_exists(odb, &plan->staging)))
			rc = err_set(-E_STALE, "'%s' moved while it was being read", plan->remote);
	}
	strvec_clear(&want);
	git_odb_free(odb);
	return rc;
}

/* The remote's heads of staging and the branch. */
static int
read_heads(struct repo *r, const struct project *p, struct merge_plan *plan)
{
	struct remote_refs refs = REMOTE_REFS_INIT;
	struct strvec names = STRVEC_INIT;
	const git_oid *s, *h;
	int rc;

	strvec_pushl(&names, plan->staging_ref, plan->branch_ref, NULL);
	if ((rc = remote_list_refs(r, plan->remote, REMOTE_HEADS, &names, &refs)) < 0)
		goto out;
	s = remote_refs_get(&refs, plan->staging_ref);
	h = remote_refs_get(&refs, plan->branch_ref);
	if (!h) {
		rc = err_set(-E_INVALID, "unknown branch '%s': '%s' does not have it",
		    plan->branch, plan->remote);
		err_hint("push it first: git push %s %s", plan->remote, plan->branch);
	} else if (!s) {
		rc = err_set(-E_INVALID, "'%s' has no branch '%s' (branches.staging)",
		    plan->remote, p->staging);
	} else {
		git_oid_cpy(&plan->head, h);
		git_oid_cpy(&plan->staging, s);
	}
out:
	remote_refs_release(&refs);
	strvec_clear(&names);
	return rc;
}

int
merge_read(struct repo *r, const struct project *p, const char *remote, const char *branch,
    struct merge_plan *plan)
{
	struct gate_subject s;
	struct buf ref = BUF_INIT;
	int rc, found = 0;

	plan->remote = xstrdup(remote);
	plan->branch = xstrdup(branch);
	if ((rc = review_check_branch(branch)) < 0 || (rc = remote_check(r, remote)) < 0)
		return rc;
	if (!strcmp(branch, p->staging) || !strcmp(branch, p->production))
		return err_set(-E_INVALID, "'%s' is not a feature branch", branch);
	buf_printf(&ref, "refs/heads/%s", branch);
	plan->branch_ref = buf_detach(&ref, NULL);
	buf_printf(&ref, "refs/heads/%s", p->staging);
	plan->staging_ref = buf_detach(&ref, NULL);
	if ((rc = read_heads(r, p, plan)) < 0 || (rc = fetch_heads(r, plan)) < 0)
		return rc;
	if ((rc = project_load_commit(r, &plan->staging, p->staging, &plan->staging_cfg,
	    &found)) < 0)
		return rc;
	plan->cfg = found ? &plan->staging_cfg : &p->cfg;
	plan->merged_already = git_oid_equal(&plan->head, &plan->staging) ||
	    git_graph_descendant_of(r->git, &plan->staging, &plan->head) == 1;
	s.branch = branch;
	git_oid_cpy(&s.head, &plan->head);
	s.staging = &plan->staging;
	s.review = NULL;
	return gate_evaluate(r, plan->cfg, &s, &plan->gate);
}

int
merge_build(struct repo *r, struct merge_plan *plan)
{
	git_signature *author = NULL, *committer = NULL;
	git_commit *parents[2] = { NULL, NULL };
	struct ref_update u;
	struct buf msg = BUF_INIT;
	git_tree *tree = NULL;
	git_oid tree_id;
	int rc;

	if ((rc = quarantine_open(r, &plan->quarantine)) < 0 ||
	    (rc = merge_commits(r, &plan->quarantine, &plan->staging, &plan->head, &tree_id,
	    &plan->conflicts)) < 0)
		goto out;
	buf_printf(&msg, "Merge branch '%s' into %s\n", plan->branch, plan->staging_ref + 11);
	if ((rc = repo_signature(r, "AUTHOR", &author)) < 0 ||
	    (rc = repo_signature(r, "COMMITTER", &committer)) < 0)
		goto out;
	if (git_tree_lookup(&tree, r->git, &tree_id) < 0 ||
	    git_commit_lookup(&parents[0], r->git, &plan->staging) < 0 ||
	    git_commit_lookup(&parents[1], r->git, &plan->head) < 0 ||
	    git_commit_create(&plan->commit, r->git, NULL, author, committer, NULL, msg.ptr,
	    tree, 2, (const git_commit **)parents) < 0) {
		rc = repo_error(-E_GENERIC, "writing the merge commit");
		goto out;
	}
	/* what the server's hook will check, so the refusal comes first here */
	git_oid_cpy(&u.old_oid, &plan->staging);
	git_oid_cpy(&u.new_oid, &plan->commit);
	u.ref = plan->staging_ref;
	rc = enforce_check(r, &plan->quarantine, plan->cfg, &u, 1, NULL);
out:
	git_tree_free(tree);
	git_commit_free(parents[0]);
	git_commit_free(parents[1]);
	git_signature_free(author);
	git_signature_free(committer);
	buf_release(&msg);
	return rc;
}

/* After the push: the tracking ref, the review record, the records shared. */
static void
after_push(struct repo *r, struct merge_plan *plan)
{
	struct buf track = BUF_INIT;
	struct review rv;
	git_reference *ref = NULL;

	if (remote_tracking_ref(r, plan->remote, plan->staging_ref, &track) == 0 &&
	    git_reference_create(&ref, r->git, track.ptr, &plan->commit, 1,
	    "slipway: merge") == 0)
		git_reference_free(ref);
	err_clear();
	if (review_load(r, plan->branch, &rv) == 0) {
		if (rv.state == REVIEW_OPEN &&
		    review_merged(r, plan->branch, &plan->head, &plan->commit) < 0)
			strvec_pushf(&plan->notes, "the merge is on '%s', but recording it on the "
			    "review failed: %s", plan->remote, err_msg());
		review_release(&rv);
	}
	err_clear();
	buf_release(&track);
}

int
merge_publish(struct repo *r, struct merge_plan *plan)
{
	struct push_update u[2];
	struct sync_stats st;
	int rc;

	memset(u, 0, sizeof(u));
	git_oid_cpy(&u[0].new_oid, &plan->commit);
	git_oid_cpy(&u[0].expect, &plan->staging);
	u[0].dst = plan->staging_ref;
	/* the branch itself does not move, but its lease says it did not */
	git_oid_cpy(&u[1].new_oid, &plan->head);
	git_oid_cpy(&u[1].expect, &plan->head);
	u[1].dst = plan->branch_ref;
	if ((rc = remote_push_atomic(r, &plan->quarantine, plan->remote, u, 2)) < 0) {
		if (rc == -E_STALE)
			err_hint("'%s' or '%s' moved meanwhile; rerun 'slipway merge %s'",
			    plan->staging_ref + 11, plan->branch, plan->branch);
		return rc;
	}
	if (quarantine_keep(&plan->quarantine) < 0) {
		strvec_pushf(&plan->notes, "the merge is on '%s', but %s; run 'git fetch %s'",
		    plan->remote, err_msg(), plan->remote);
		err_clear();
		return 0;
	}
	/* records written from here on belong in the object database */
	quarantine_close(&plan->quarantine);
	if (repo_reopen(r) < 0) {
		strvec_pushf(&plan->notes, "the merge is on '%s', but %s", plan->remote,
		    err_msg());
		err_clear();
		return 0;
	}
	after_push(r, plan);
	if (records_sync(r, plan->remote, &st) < 0) {
		strvec_pushf(&plan->notes, "the merge is on '%s'; sharing the records failed: %s; "
		    "run 'slipway sync'", plan->remote, err_msg());
		err_clear();
	}
	return 0;
}

int
merge_keep_objects(struct repo *r, struct merge_plan *plan)
{
	int rc;

	if ((rc = quarantine_keep(&plan->quarantine)) < 0)
		return rc;
	quarantine_close(&plan->quarantine);
	return repo_reopen(r);
}

void
merge_plan_release(struct merge_plan *plan)
{
	free(plan->remote);
	free(plan->branch);
	free(plan->branch_ref);
	free(plan->staging_ref);
	config_release(&plan->staging_cfg);
	gate_report_release(&plan->gate);
	quarantine_close(&plan->quarantine);
	strvec_clear(&plan->conflicts);
	strvec_clear(&plan->notes);
}
