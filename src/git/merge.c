/* merge.c - in-memory merge through git merge-tree (the ort strategy). */
#include "git/merge.h"

#include <string.h>

#include "lib/err.h"

int
merge_commits(struct repo *r, const struct quarantine *q, const git_oid *ours,
    const git_oid *theirs, git_oid *tree, struct strvec *conflicts)
{
	struct run cmd = RUN_INIT;
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	const char *p, *end;
	int rc;

	git_oid_tostr(a, sizeof(a), ours);
	git_oid_tostr(b, sizeof(b), theirs);
	repo_git_cmd(r, &cmd);
	strvec_pushl(&cmd.argv, "merge-tree", "--write-tree", "--name-only", "--no-messages",
	    "-z", a, b, NULL);
	quarantine_env_write(q, &cmd);
	cmd.capture_out = cmd.capture_err = 1;
	if ((rc = run_exec(&cmd)) < 0)
		goto out;
	if (cmd.status != 0 && cmd.status != 1) {
		buf_rtrim(&cmd.err);
		rc = err_set(-E_GENERIC, "cannot merge %s into %s: %s", b, a,
		    cmd.err.len ? cmd.err.ptr : "git merge-tree failed");
		goto out;
	}
	p = cmd.out.ptr;
	end = p + cmd.out.len;
	if (strnlen(p, (size_t)(end - p)) != GIT_OID_HEXSZ ||
	    git_oid_fromstrn(tree, p, GIT_OID_HEXSZ) < 0) {
		rc = err_set(-E_GENERIC, "unexpected output from git merge-tree");
		goto out;
	}
	p += GIT_OID_HEXSZ + 1;
	if (cmd.status == 0)
		goto out;
	for (; p < end && *p; p += strlen(p) + 1)
		if (strvec_find(conflicts, p) < 0)
			strvec_push(conflicts, p);
	rc = -E_CONFLICT;
out:
	run_release(&cmd);
	return rc;
}
