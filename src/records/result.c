/* result.c - recording a pipeline result produced by any CI. */
#include "records/result.h"

#include <string.h>
#include <time.h>

#include "lib/err.h"
#include "lib/util.h"
#include "records/records.h"

/* Checks the parts of a result a user types. */
static int
check(const struct result *res)
{
	const char *u = res->url;
	size_t i;

	if (!*res->pipeline || strspn(res->pipeline, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(res->pipeline))
		return err_set(-E_INVALID, "invalid pipeline name '%s': use letters, digits, "
		    "'_', '.' and '-'", res->pipeline);
	if (strcmp(res->status, "pass") && strcmp(res->status, "fail") &&
	    strcmp(res->status, "timeout") && strcmp(res->status, "cancelled"))
		return err_set(-E_INVALID, "invalid status '%s': use 'pass', 'fail', 'timeout' "
		    "or 'cancelled'", res->status);
	if (!u)
		return 0;
	if (!starts_with(u, "https://") && !starts_with(u, "http://"))
		return err_set(-E_INVALID, "invalid url '%s': it must start with https:// or "
		    "http://", u);
	for (i = 0; u[i]; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f)
			return err_set(-E_INVALID, "invalid url: it contains a space or a control "
			    "character");
	return 0;
}

/* The commit a revision names. */
static int
resolve(struct repo *r, const char *rev, git_commit **out)
{
	git_object *obj = NULL, *peeled = NULL;
	int rc = 0;

	if (git_revparse_single(&obj, r->git, rev) < 0 ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0)
		rc = err_set(-E_INVALID, "'%s' does not name a commit", rev);
	else if (git_commit_lookup(out, r->git, git_object_id(peeled)) < 0)
		rc = repo_error(-E_GENERIC, "reading '%s'", rev);
	git_object_free(peeled);
	git_object_free(obj);
	return rc;
}

int
result_record(struct repo *r, const struct result *res, git_oid *commit)
{
	char cid[GIT_OID_HEXSZ + 1], tid[GIT_OID_HEXSZ + 1], at[32];
	struct buf subject = BUF_INIT, summary = BUF_INIT;
	git_signature *who = NULL;
	git_commit *c = NULL;
	json_t *rec = NULL;
	time_t now;
	int rc;

	if ((rc = check(res)) < 0 || (rc = resolve(r, res->rev, &c)) < 0 ||
	    (rc = repo_signature(r, "COMMITTER", &who)) < 0)
		goto out;
	git_oid_tostr(cid, sizeof(cid), git_commit_id(c));
	git_oid_tostr(tid, sizeof(tid), git_commit_tree_id(c));
	now = (time_t)who->when.time;
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "pipeline", res->pipeline,
	    "status", res->status, "commit", cid, "tree", tid, "source", res->source, "at", at,
	    "by", who->email);
	if (!rec) {
		rc = err_set(-E_GENERIC, "building the record");
		goto out;
	}
	if (res->url)
		json_object_set_new(rec, "url", json_string(res->url));
	if (res->extra)
		json_object_update_missing(rec, res->extra);
	buf_printf(&summary, "%s %s on %.8s", res->pipeline, res->status, cid);
	buf_printf(&subject, "commit:%s", cid);
	if ((rc = records_append(r, "pipeline", subject.ptr, rec, summary.ptr, NULL)) < 0)
		goto out;
	buf_reset(&subject);
	buf_printf(&subject, "tree:%s", tid);
	if ((rc = records_append(r, "pipeline", subject.ptr, rec, summary.ptr, NULL)) < 0)
		goto out;
	git_oid_cpy(commit, git_commit_id(c));
out:
	json_decref(rec);
	git_signature_free(who);
	git_commit_free(c);
	buf_release(&subject);
	buf_release(&summary);
	return rc;
}
