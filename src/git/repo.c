/* repo.c - opening the repository, reading objects and refs, running git. */
#include "git/repo.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/util.h"

int
repo_error(int code, const char *what, ...)
{
	const git_error *e = git_error_last();
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, what);
	buf_vprintf(&b, what, ap);
	va_end(ap);
	err_set(code, "%s: %s", b.ptr, e && e->message ? e->message : "unknown error");
	buf_release(&b);
	return code;
}

int
repo_open(struct repo *r)
{
	const char *wd;

	if (git_repository_open_ext(&r->git, ".", GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0)
		return err_set(-E_NOTFOUND, "not a git repository (or any of the parent directories)");
	r->gitdir = xstrdup(git_repository_path(r->git));
	wd = git_repository_workdir(r->git);
	r->workdir = wd ? xstrdup(wd) : NULL;
	return 0;
}

void
repo_release(struct repo *r)
{
	git_repository_free(r->git);
	free(r->gitdir);
	free(r->workdir);
	r->git = NULL;
	r->gitdir = r->workdir = NULL;
}

int
repo_ref_oid(struct repo *r, const char *refname, git_oid *out)
{
	int e = git_reference_name_to_id(out, r->git, refname);

	if (e == GIT_ENOTFOUND)
		return err_set(-E_NOTFOUND, "ref '%s' does not exist", refname);
	if (e < 0)
		return repo_error(-E_GENERIC, "reading '%s'", refname);
	return 0;
}

int
repo_ref_exists(struct repo *r, const char *refname)
{
	git_oid oid;

	return git_reference_name_to_id(&oid, r->git, refname) == 0;
}

int
repo_read_in_tree(struct repo *r, const git_oid *tree_id, const char *path, struct buf *out)
{
	git_tree *tree = NULL;
	git_tree_entry *ent = NULL;
	git_blob *blob = NULL;
	int rc = 0, e;

	if (git_tree_lookup(&tree, r->git, tree_id) < 0)
		return repo_error(-E_GENERIC, "reading tree %s", repo_short(tree_id));
	e = git_tree_entry_bypath(&ent, tree, path);
	if (e == GIT_ENOTFOUND) {
		rc = err_set(-E_NOTFOUND, "'%s' does not exist", path);
		goto out;
	}
	if (e < 0) {
		rc = repo_error(-E_GENERIC, "looking up '%s'", path);
		goto out;
	}
	if (git_tree_entry_type(ent) != GIT_OBJECT_BLOB) {
		rc = err_set(-E_INVALID, "'%s' is not a file", path);
		goto out;
	}
	if (git_blob_lookup(&blob, r->git, git_tree_entry_id(ent)) < 0) {
		rc = repo_error(-E_GENERIC, "reading '%s'", path);
		goto out;
	}
	rc = buf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
out:
	git_blob_free(blob);
	git_tree_entry_free(ent);
	git_tree_free(tree);
	return rc;
}

int
repo_read_at(struct repo *r, const git_oid *commit_id, const char *path, struct buf *out)
{
	git_commit *c = NULL;
	int rc;

	if (git_commit_lookup(&c, r->git, commit_id) < 0)
		return repo_error(-E_GENERIC, "reading commit %s", repo_short(commit_id));
	rc = repo_read_in_tree(r, git_commit_tree_id(c), path, out);
	if (rc == -E_NOTFOUND)
		err_set(rc, "'%s' does not exist in commit %s", path, repo_short(commit_id));
	git_commit_free(c);
	return rc;
}

int
repo_count_ahead(struct repo *r, const git_oid *a, const git_oid *b, size_t *n)
{
	size_t ahead = 0, behind = 0;

	if (git_graph_ahead_behind(&ahead, &behind, r->git, a, b) < 0)
		return repo_error(-E_GENERIC, "counting commits");
	*n = ahead;
	return 0;
}

void
repo_git_cmd(struct repo *repo, struct run *r)
{
	/* the git directory only: no working tree, so nothing in it (an
	 * uncommitted .gitattributes, say) can change what git computes */
	strvec_pushl(&r->argv, "git", NULL);
	strvec_pushf(&r->argv, "--git-dir=%s", repo->gitdir);
	strvec_pushl(&r->env, "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_DIR", NULL);
	r->dir = repo->gitdir;
}

int
repo_git(struct repo *repo, struct run *r)
{
	int rc;

	(void)repo;
	r->capture_out = r->capture_err = 1;
	if ((rc = run_exec(r)) < 0)
		return rc;
	if (r->status != 0) {
		buf_rtrim(&r->err);
		return err_set(-E_GENERIC, "git %s failed: %s", r->argv.v[2],
		    r->err.len ? r->err.ptr : "no message");
	}
	return 0;
}

int
repo_signature(struct repo *repo, const char *which, git_signature **out)
{
	struct run r = RUN_INIT;
	char *lt, *gt, *end;
	long long when;
	long tz;
	int rc, offset;

	repo_git_cmd(repo, &r);
	strvec_pushl(&r.argv, "var", !strcmp(which, "AUTHOR") ? "GIT_AUTHOR_IDENT" :
	    "GIT_COMMITTER_IDENT", NULL);
	if ((rc = repo_git(repo, &r)) < 0)
		goto out;
	buf_rtrim(&r.out);
	lt = strchr(r.out.ptr, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt || lt == r.out.ptr) {
		rc = err_set(-E_CONFIG, "cannot parse git identity '%s'", r.out.ptr);
		goto out;
	}
	when = strtoll(gt + 1, &end, 10);
	tz = strtol(end, NULL, 10);
	offset = (int)((tz / 100) * 60 + (tz % 100));
	lt[-1] = '\0';
	*gt = '\0';
	if (git_signature_new(out, r.out.ptr, lt + 1, (git_time_t)when, offset) < 0)
		rc = repo_error(-E_CONFIG, "git identity");
out:
	run_release(&r);
	return rc;
}

const char *
repo_short(const git_oid *oid)
{
	static char s[GIT_OID_HEXSZ + 1];

	git_oid_tostr(s, 9, oid);
	return s;
}
