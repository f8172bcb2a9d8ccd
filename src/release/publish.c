/* publish.c - release steps 5 and 6: build the objects, push atomically, move local refs. */
#include "release/release.h"

#include <stdlib.h>
#include <string.h>

#include "gate/enforce.h"
#include "lib/err.h"
#include "lib/util.h"

/* Writes the bumped blob of path — every version file of the plan that
 * lives in it, applied one after another — and describes its tree update. */
static int
bump_path(struct repo *r, struct release_plan *plan, git_tree *merged, const char *path,
    git_tree_update *u)
{
	struct buf data = BUF_INIT, out = BUF_INIT, tmp;
	git_tree_entry *ent = NULL;
	size_t i;
	int rc;

	if (git_tree_entry_bypath(&ent, merged, path) < 0)
		return repo_error(-E_NOTFOUND, "finding '%s'", path);
	if ((rc = repo_read_in_tree(r, &plan->merged_tree, path, &data)) < 0)
		goto out;
	for (i = 0; i < plan->nfiles; i++) {
		if (strcmp(plan->files[i].spec.path, path))
			continue;
		buf_reset(&out);
		if ((rc = vfile_set(&plan->files[i].spec, data.ptr, data.len, plan->version,
		    &out)) < 0)
			goto out;
		tmp = data;
		data = out;
		out = tmp;
	}
	if (git_blob_create_from_buffer(&u->id, r->git, data.ptr, data.len) < 0) {
		rc = repo_error(-E_GENERIC, "writing '%s'", path);
		goto out;
	}
	u->action = GIT_TREE_UPDATE_UPSERT;
	u->filemode = git_tree_entry_filemode(ent);
	u->path = path;
out:
	git_tree_entry_free(ent);
	buf_release(&data);
	buf_release(&out);
	return rc;
}

/* Whether files[i] is the first version file naming its path. */
static int
first_of_path(const struct release_plan *plan, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(plan->files[j].spec.path, plan->files[i].spec.path))
			return 0;
	return 1;
}

/* Builds the release tree: the merged tree with every version file bumped. */
static int
build_tree(struct repo *r, struct release_plan *plan, git_oid *tree_id)
{
	git_tree_update *ups = xcalloc(plan->nfiles, sizeof(*ups));
	git_tree *merged = NULL;
	size_t i, n = 0;
	int rc = 0;

	if (git_tree_lookup(&merged, r->git, &plan->merged_tree) < 0) {
		rc = repo_error(-E_GENERIC, "reading the merged tree");
		goto out;
	}
	for (i = 0; i < plan->nfiles; i++)
		if (first_of_path(plan, i) &&
		    (rc = bump_path(r, plan, merged, plan->files[i].spec.path, &ups[n++])) < 0)
			goto out;
	if (git_tree_create_updated(tree_id, r->git, merged, n, ups) < 0)
		rc = repo_error(-E_GENERIC, "writing the release tree");
out:
	git_tree_free(merged);
	free(ups);
	return rc;
}

int
release_build(struct repo *r, struct release_plan *plan)
{
	git_signature *author = NULL, *committer = NULL;
	git_commit *parents[2] = { NULL, NULL };
	git_tree *tree = NULL;
	git_object *target = NULL;
	struct buf msg = BUF_INIT;
	git_oid tree_id;
	int rc;

	if ((rc = repo_signature(r, "AUTHOR", &author)) < 0 ||
	    (rc = repo_signature(r, "COMMITTER", &committer)) < 0 ||
	    (rc = build_tree(r, plan, &tree_id)) < 0)
		goto out;
	buf_puts(&msg, plan->message);
	buf_rtrim(&msg);
	buf_putc(&msg, '\n');
	if (git_tree_lookup(&tree, r->git, &tree_id) < 0 ||
	    git_commit_lookup(&parents[0], r->git, &plan->master) < 0 ||
	    git_commit_lookup(&parents[1], r->git, &plan->staging) < 0 ||
	    git_commit_create(&plan->commit, r->git, NULL, author, committer, NULL, msg.ptr,
	    tree, 2, (const git_commit **)parents) < 0) {
		rc = repo_error(-E_GENERIC, "writing the release commit");
		goto out;
	}
	if (git_object_lookup(&target, r->git, &plan->commit, GIT_OBJECT_COMMIT) < 0 ||
	    git_tag_annotation_create(&plan->tag_object, r->git, plan->tag, target, committer,
	    msg.ptr) < 0)
		rc = repo_error(-E_GENERIC, "writing tag '%s'", plan->tag);
out:
	git_object_free(target);
	git_commit_free(parents[0]);
	git_commit_free(parents[1]);
	git_tree_free(tree);
	git_signature_free(author);
	git_signature_free(committer);
	buf_release(&msg);
	return rc;
}

/* Moves a local branch to the release commit when that is a fast-forward
 * and the branch is not checked out anywhere; otherwise says why not. */
static void
advance_branch(struct repo *r, struct release_plan *plan, const char *refname,
    const char *label, const char *reflog)
{
	const char *name = refname + strlen("refs/heads/");
	git_reference *ref = NULL, *moved = NULL;
	const git_oid *at;

	if (git_reference_lookup(&ref, r->git, refname) < 0)
		return;
	at = git_reference_target(ref);
	if (!at || git_oid_equal(at, &plan->commit))
		goto out;
	if (git_graph_descendant_of(r->git, &plan->commit, at) != 1) {
		strvec_pushf(&plan->notes, "your local '%s' has commits that are not on '%s'; "
		    "left as it is", name, label);
	} else if (git_branch_is_checked_out(ref) != 0) {
		strvec_pushf(&plan->notes, "'%s' is checked out, so it was left behind; update it "
		    "with: git merge --ff-only %s", name, label);
	} else if (git_reference_set_target(&moved, ref, &plan->commit, reflog) < 0) {
		strvec_pushf(&plan->notes, "could not move your local '%s': %s", name,
		    git_error_last() ? git_error_last()->message : "unknown error");
	} else {
		strvec_pushf(&plan->notes, "moved your local '%s' to %s", name,
		    repo_short(&plan->commit));
	}
out:
	git_reference_free(moved);
	git_reference_free(ref);
}

/* After a successful push: the local tag, tracking refs and branches. */
static void
update_local(struct repo *r, struct release_plan *plan)
{
	const char *remote_refs[2] = { plan->production_ref, plan->staging_ref };
	const char *labels[2] = { plan->production_label, plan->staging_label };
	struct buf name = BUF_INIT, reflog = BUF_INIT, track = BUF_INIT;
	git_reference *ref = NULL;
	size_t i;

	buf_printf(&reflog, "slipway: release %s", plan->version);
	buf_printf(&name, "refs/tags/%s", plan->tag);
	if (git_reference_create(&ref, r->git, name.ptr, &plan->tag_object, 0, reflog.ptr) < 0)
		strvec_pushf(&plan->notes, "could not create the local tag '%s': %s", plan->tag,
		    git_error_last() ? git_error_last()->message : "unknown error");
	git_reference_free(ref);
	for (i = 0; i < 2; i++) {
		buf_reset(&track);
		if (remote_tracking_ref(r, plan->remote, remote_refs[i], &track) == 0 &&
		    git_reference_create(&ref, r->git, track.ptr, &plan->commit, 1,
		    reflog.ptr) == 0)
			git_reference_free(ref);
		advance_branch(r, plan, remote_refs[i], labels[i], reflog.ptr);
	}
	err_clear();
	buf_release(&name);
	buf_release(&reflog);
	buf_release(&track);
}

/*
 * After a push that failed without a verdict: reads the remote to learn
 * what happened. All refs moved: 0, with a note. None moved: the push's
 * error (-E_INTERRUPTED after Ctrl-C, else -E_REMOTE), saying nothing was
 * pushed. Anything else: -E_REMOTE describing each ref.
 */
static int
check_pushed(struct repo *r, struct release_plan *plan, const struct push_update *u, size_t n)
{
	struct remote_refs now = REMOTE_REFS_INIT;
	struct buf why = BUF_INIT, state = BUF_INIT;
	size_t i, moved = 0, kept = 0;
	int rc, was_int = strstr(err_msg(), "interrupted") != NULL;

	buf_puts(&why, err_msg());
	if (remote_list_refs(r, plan->remote, REMOTE_HEADS | REMOTE_TAGS, NULL, &now) < 0) {
		rc = err_set(-E_REMOTE, "%s, and '%s' cannot be read to learn what it did: %s",
		    why.ptr, plan->remote, err_msg());
		err_hint("look with: git ls-remote %s", plan->remote);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const git_oid *at = remote_refs_get(&now, u[i].dst);

		if (at && git_oid_equal(at, &u[i].new_oid))
			moved++;
		else if ((!at && git_oid_is_zero(&u[i].expect)) ||
		    (at && git_oid_equal(at, &u[i].expect)))
			kept++;
		buf_printf(&state, "\n    %s: %s", u[i].dst, at ? repo_short(at) : "(none)");
	}
	if (moved == n) {
		strvec_pushf(&plan->notes, "%s, but '%s' has all of the release", why.ptr,
		    plan->remote);
		rc = 0;
	} else if (kept == n) {
		rc = err_set(was_int ? -E_INTERRUPTED : -E_REMOTE, "%s; nothing was pushed",
		    why.ptr);
	} else {
		rc = err_set(-E_REMOTE, "%s, and '%s' now holds:%s", why.ptr, plan->remote,
		    state.ptr);
	}
out:
	remote_refs_release(&now);
	buf_release(&why);
	buf_release(&state);
	return rc;
}

/* Runs the server hook's rules (src/gate/enforce.c) on the release's updates. */
static int
check_protocol(struct repo *r, struct release_plan *plan, const struct push_update *pu,
    size_t n)
{
	struct ref_update u[3];
	size_t i;

	for (i = 0; i < n; i++) {
		git_oid_cpy(&u[i].old_oid, &pu[i].expect);
		git_oid_cpy(&u[i].new_oid, &pu[i].new_oid);
		u[i].ref = (char *)pu[i].dst;
	}
	return enforce_check(r, &plan->quarantine, plan->cfg, u, n, NULL);
}

int
release_publish(struct repo *r, struct release_plan *plan)
{
	struct push_update u[3];
	struct buf tagref = BUF_INIT;
	int rc;

	memset(u, 0, sizeof(u));
	buf_printf(&tagref, "refs/tags/%s", plan->tag);
	git_oid_cpy(&u[0].new_oid, &plan->commit);
	git_oid_cpy(&u[0].expect, &plan->master);
	u[0].dst = plan->production_ref;
	git_oid_cpy(&u[1].new_oid, &plan->commit);
	git_oid_cpy(&u[1].expect, &plan->staging);
	u[1].dst = plan->staging_ref;
	git_oid_cpy(&u[2].new_oid, &plan->tag_object);
	u[2].dst = tagref.ptr;
	/* what the server's hook will check, so that its refusal shows here first */
	if ((rc = check_protocol(r, plan, u, 3)) < 0)
		goto out;
	rc = remote_push_atomic(r, &plan->quarantine, plan->remote, u, 3);
	if (rc == -E_UNSURE)
		rc = check_pushed(r, plan, u, 3);
	if (rc == -E_STALE)
		err_hint("someone pushed to '%s' meanwhile; rerun 'slipway release' to release "
		    "what is there now", plan->remote);
	if (rc == 0 && quarantine_keep(&plan->quarantine) < 0) {
		strvec_pushf(&plan->notes, "the release is on '%s', but %s; run 'git fetch %s'",
		    plan->remote, err_msg(), plan->remote);
		err_clear();
	} else if (rc == 0) {
		update_local(r, plan);
	}
out:
	buf_release(&tagref);
	return rc;
}

void
release_plan_release(struct release_plan *plan)
{
	size_t i;

	free(plan->remote);
	free(plan->production_ref);
	free(plan->staging_ref);
	free(plan->production_label);
	free(plan->staging_label);
	remote_refs_release(&plan->refs);
	config_release(&plan->staging_cfg);
	quarantine_close(&plan->quarantine);
	strvec_clear(&plan->conflicts);
	semver_release(&plan->current);
	free(plan->current_text);
	free(plan->current_from);
	buf_release(&plan->cd_result);
	compat_release(&plan->compat);
	free(plan->compat_after);
	free(plan->version);
	free(plan->tag);
	free(plan->message);
	for (i = 0; i < plan->nfiles; i++) {
		vfile_spec_release(&plan->files[i].spec);
		free(plan->files[i].old_version);
	}
	free(plan->files);
	strvec_clear(&plan->notes);
}
