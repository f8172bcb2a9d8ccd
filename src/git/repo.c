/* repo.c - opening the repository, reading objects and refs, running git. */
#include "git/repo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "git/commit_graph.h"
#include "git/refs.h"
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

	if (git_repository_open_ext(&r->git, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0)
		return err_set(-E_USAGE, "not a git repository (or any of the parent directories)");
	r->gitdir = xstrdup(git_repository_path(r->git));
	wd = git_repository_workdir(r->git);
	r->workdir = wd ? xstrdup(wd) : NULL;
	return 0;
}

int
repo_reopen(struct repo *r)
{
	git_repository *g = NULL;

	if (git_repository_open_ext(&g, r->gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return repo_error(-E_GENERIC, "reopening '%s'", r->gitdir);
	git_repository_free(r->git);
	r->git = g;
	return 0;
}

void
repo_release(struct repo *r)
{
	if (r->caches_free)
		r->caches_free(r->caches);
	r->caches = NULL;
	r->caches_free = NULL;
	refs_packed_free(r->packed);
	r->packed = NULL;
	git_repository_free(r->git);
	free(r->gitdir);
	free(r->workdir);
	r->git = NULL;
	r->gitdir = r->workdir = NULL;
}

int
repo_ref_oid(struct repo *r, const char *refname, git_oid *out)
{
	int rc = refs_resolve(r, refname, out);

	if (rc == -E_NOTFOUND)
		return err_set(-E_NOTFOUND, "ref '%s' does not exist", refname);
	return rc;
}

int
repo_ref_exists(struct repo *r, const char *refname)
{
	git_oid oid;

	int rc = refs_resolve(r, refname, &oid);

	err_clear();
	return rc == 0;
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
repo_count_ahead(struct repo *r, const git_oid *a, const git_oid *b, size_t *ahead,
    size_t *behind)
{
	struct run cmd = RUN_INIT;
	struct buf objdir = BUF_INIT;
	char range[2 * GIT_OID_HEXSZ + 4];
	unsigned long n = 0, m = 0;
	int rc, graph;

	/* with a commit-graph (git gc writes one), git: it walks with the
	 * graph, where libgit2 1.5 first verifies the whole file (~55 ms with
	 * 300,000 commits, more than the walk); without one, libgit2 (no
	 * process to start) */
	buf_printf(&objdir, "%sobjects", git_repository_commondir(r->git));
	graph = commit_graph_exists(objdir.ptr);
	buf_release(&objdir);
	if (!graph) {
		size_t x = 0, y = 0;

		if (git_graph_ahead_behind(&x, &y, r->git, a, b) < 0)
			return repo_error(-E_GENERIC, "counting commits");
		*ahead = x;
		if (behind)
			*behind = y;
		return 0;
	}
	git_oid_tostr(range, GIT_OID_HEXSZ + 1, a);
	memcpy(range + GIT_OID_HEXSZ, "...", 3);
	git_oid_tostr(range + GIT_OID_HEXSZ + 3, GIT_OID_HEXSZ + 1, b);
	repo_git_cmd(r, &cmd);
	strvec_pushl(&cmd.argv, "rev-list", "--count", "--left-right", range, NULL);
	if ((rc = repo_git(r, &cmd)) == 0 && sscanf(cmd.out.ptr, "%lu %lu", &n, &m) != 2)
		rc = err_set(-E_GENERIC, "counting commits: unexpected output from git rev-list");
	run_release(&cmd);
	if (rc < 0)
		return rc;
	*ahead = n;
	if (behind)
		*behind = m;
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

/* Asks git itself: `git var GIT_<WHO>_IDENT`, exact in every case. */
static int
signature_from_git(struct repo *repo, const char *who, git_signature **out)
{
	struct run r = RUN_INIT;
	char *lt, *gt, *end;
	long long when;
	long tz;
	int rc, offset;

	repo_git_cmd(repo, &r);
	strvec_push(&r.argv, "var");
	strvec_pushf(&r.argv, "GIT_%s_IDENT", who);
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
	if (git_signature_new(out, r.out.ptr, lt + 1, (git_time_t)when, offset) < 0) {
		rc = err_set(-E_CONFIG, "your git identity '%s <%s>' has an empty name or email",
		    r.out.ptr, lt + 1);
		err_hint("set it with: git config user.name 'Your Name' && "
		    "git config user.email you@example.com");
	}
out:
	run_release(&r);
	return rc;
}

/* The environment variable GIT_<who>_<what>, or NULL. */
static const char *
ident_env(const char *who, const char *what)
{
	char name[64];

	if (snprintf(name, sizeof(name), "GIT_%s_%s", who, what) >= (int)sizeof(name))
		return NULL;
	return getenv(name);
}

/* The first of the config keys set (k1 only when not empty, as git reads
 * <who>.email before user.email), copied into out; 0 when none is. */
static int
ident_config(git_config *cfg, const char *k1, const char *k2, struct buf *out)
{
	git_buf v = { 0 };
	int found = (git_config_get_string_buf(&v, cfg, k1) == 0 && *v.ptr) ||
	    (git_buf_dispose(&v), git_config_get_string_buf(&v, cfg, k2) == 0);

	if (found)
		buf_puts(out, v.ptr);
	git_buf_dispose(&v);
	return found;
}

/*
 * Parses the raw dates git itself reads as such: "@SECONDS +HHMM", or
 * "SECONDS +HHMM" with more than 8 digits; 0, or -1 for anything else
 * (git's general date parser then decides, through git var).
 */
static int
parse_raw_date(const char *s, git_time_t *when, int *offset)
{
	const char *p = s + (*s == '@');
	size_t digits = strspn(p, "0123456789");
	int hh, mm;

	if (!digits || (*s != '@' && digits <= 8) || digits > 18 || p[digits] != ' ')
		return -1;
	p += digits + 1;
	if ((*p != '+' && *p != '-') || strspn(p + 1, "0123456789") != 4 || p[5])
		return -1;
	hh = (p[1] - '0') * 10 + (p[2] - '0');
	mm = (p[3] - '0') * 10 + (p[4] - '0');
	if (hh > 23 || mm > 59)
		return -1;
	*when = (git_time_t)strtoll(s + (*s == '@'), NULL, 10);
	*offset = (*p == '-' ? -1 : 1) * (hh * 60 + mm);
	return 0;
}

/* Whether git could see configuration libgit2 does not: `git -c`, the
 * GIT_CONFIG_* variables, or user.useConfigOnly rules. */
static int
config_beyond_libgit2(git_config *cfg)
{
	static const char *const vars[] = {
		"GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_CONFIG_GLOBAL",
		"GIT_CONFIG_SYSTEM", "GIT_CONFIG",
	};
	size_t i;
	int only = 0;

	for (i = 0; i < ARRAY_SIZE(vars); i++)
		if (getenv(vars[i]))
			return 1;
	if (getenv("GIT_CONFIG_NOSYSTEM") && access("/etc/gitconfig", F_OK) == 0)
		return 1;
	return git_config_get_bool(&only, cfg, "user.useConfigOnly") == 0 && only;
}

/*
 * Builds the identity in-process the way git does in the common cases:
 * GIT_<WHO>_NAME/EMAIL/DATE, then <who>.name/email, then user.name/email,
 * raw dates. Returns 1 with *out set; 0 whenever anything is unusual (an
 * empty or missing value, EMAIL, git-only configuration, another date
 * format): then git itself must say, through git var.
 */
static int
signature_fast(struct repo *repo, const char *who, git_signature **out)
{
	struct buf name = BUF_INIT, email = BUF_INIT, k1 = BUF_INIT, k2 = BUF_INIT;
	git_config *cfg = NULL;
	const char *v;
	git_time_t when;
	int offset, ok = 0;
	char lower[16];
	size_t i;

	for (i = 0; who[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)(who[i] - 'A' + 'a');
	lower[i] = '\0';
	if (git_repository_config_snapshot(&cfg, repo->git) < 0 || config_beyond_libgit2(cfg))
		goto out;
	buf_printf(&k1, "%s.name", lower);
	buf_printf(&k2, "%s.email", lower);
	if ((v = ident_env(who, "NAME")))
		buf_puts(&name, v);
	else if (!ident_config(cfg, k1.ptr, "user.name", &name))
		goto out;
	if ((v = ident_env(who, "EMAIL")))
		buf_puts(&email, v);
	else if (!ident_config(cfg, k2.ptr, "user.email", &email))
		goto out;
	if (!name.len || !email.len)
		goto out;
	if ((v = ident_env(who, "DATE"))) {
		if (parse_raw_date(v, &when, &offset) < 0)
			goto out;
		ok = git_signature_new(out, name.ptr, email.ptr, when, offset) == 0;
	} else {
		ok = git_signature_now(out, name.ptr, email.ptr) == 0;
	}
out:
	git_config_free(cfg);
	buf_release(&name);
	buf_release(&email);
	buf_release(&k1);
	buf_release(&k2);
	return ok;
}

int
repo_signature(struct repo *repo, const char *which, git_signature **out)
{
	if (signature_fast(repo, which, out))
		return 0;
	git_error_clear();
	return signature_from_git(repo, which, out);
}

const char *
repo_short(const git_oid *oid)
{
	static _Thread_local char s[GIT_OID_HEXSZ + 1];

	git_oid_tostr(s, 9, oid);
	return s;
}

int
repo_branch_head(struct repo *r, const char *remote, const char *branch, git_oid *out,
    struct buf *label)
{
	struct buf ref = BUF_INIT;
	int rc = 0;

	buf_printf(&ref, "refs/remotes/%s/%s", remote, branch);
	if (refs_resolve(r, ref.ptr, out) < 0) {
		buf_reset(&ref);
		buf_printf(&ref, "refs/heads/%s", branch);
		if (refs_resolve(r, ref.ptr, out) < 0) {
			rc = err_set(-E_INVALID, "unknown branch '%s': not on '%s' nor here",
			    branch, remote);
			err_hint("fetch it first: git fetch %s", remote);
		}
	}
	if (rc == 0 && label)
		buf_puts(label, ref.ptr + (ref.ptr[5] == 'r' ? 13 : 11));
	buf_release(&ref);
	return rc;
}

int
repo_current_branch(struct repo *r, struct buf *out)
{
	git_reference *head = NULL;
	int rc = 0;

	if (git_repository_head(&head, r->git) < 0 || !git_reference_is_branch(head))
		rc = err_set(-E_INVALID, "HEAD is not on a branch; name one");
	else
		buf_puts(out, git_reference_shorthand(head));
	git_reference_free(head);
	return rc;
}
