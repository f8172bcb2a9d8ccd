/* logs.c - reading back the runs recorded for a commit. */
#include <string.h>

#include "lib/err.h"
#include "pipeline/pipeline.h"
#include "records/records.h"

/* records_walk callback: the newest record of each pipeline. */
static int
newest_each(const struct record *rec, void *data)
{
	const char *p = json_string_value(json_object_get(rec->json, "pipeline"));

	if (p && !json_object_get(data, p))
		json_object_set(data, p, rec->json);
	return 0;
}

int
runs_latest(struct repo *r, const git_oid *commit, json_t **out, int *same_tree)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct buf subject = BUF_INIT;
	git_commit *c = NULL;
	int rc = 0, i;

	*out = json_object();
	*same_tree = 0;
	if (git_commit_lookup(&c, r->git, commit) < 0)
		return repo_error(-E_INVALID, "reading %s", repo_short(commit));
	for (i = 0; i < 2 && rc >= 0 && !json_object_size(*out); i++) {
		git_oid_tostr(hex, sizeof(hex), i ? git_commit_tree_id(c) : commit);
		buf_reset(&subject);
		buf_printf(&subject, "%s:%s", i ? "tree" : "commit", hex);
		rc = records_walk(r, "pipeline", subject.ptr, newest_each, *out);
		if (rc == -E_NOTFOUND) {
			err_clear();
			rc = 0;
		}
		*same_tree = i;
	}
	git_commit_free(c);
	buf_release(&subject);
	return rc;
}
