/* remote_local.c - a remote on this machine's disk read in process, as
 * libgit2's local transport does, instead of starting git ls-remote. */
#include <stdlib.h>
#include <string.h>

#include "git/refs.h"
#include "git/remote.h"
#include "lib/err.h"
#include "lib/util.h"

/* The absolute path a remote's URL names, if it names one ("/x", "file:///x"). */
static const char *
local_path(const char *url)
{
	if (starts_with(url, "file://"))
		url += 7;
	return url[0] == '/' ? url : NULL;
}

/* Whether the remote repository hides refs from fetches (then only git
 * itself knows what it would send). */
static int
hides_refs(git_repository *g)
{
	git_config *cfg = NULL;
	git_config_entry *e = NULL;
	int hides = 1;

	if (git_repository_config_snapshot(&cfg, g) == 0) {
		hides = git_config_get_entry(&e, cfg, "transfer.hiderefs") == 0 ||
		    git_config_get_entry(&e, cfg, "uploadpack.hiderefs") == 0;
		git_config_entry_free(e);
	}
	git_config_free(cfg);
	git_error_clear();
	return hides;
}

/* What one listing keeps: the refs ls-remote's patterns would show. */
struct wanted {
	const struct strvec *names;
	struct remote_refs *out;
};

/* ls-remote's pattern rule for plain names: the whole name, or its tail
 * after a '/'. */
static int
matches(const char *refname, const char *pattern)
{
	size_t n = strlen(refname), m = strlen(pattern);

	return n == m ? !strcmp(refname, pattern) :
	    n > m && refname[n - m - 1] == '/' && !strcmp(refname + n - m, pattern);
}

static int
keep_ref(const char *name, const git_oid *oid, void *data)
{
	struct wanted *w = data;
	size_t i;

	for (i = 0; w->names && i < w->names->nr; i++)
		if (matches(name, w->names->v[i]))
			break;
	if (w->names && i == w->names->nr)
		return 0;
	remote_refs_add(w->out, name, strlen(name), oid);
	return 0;
}

int
remote_list_local(struct repo *r, const char *name, unsigned kinds,
    const struct strvec *refnames, struct remote_refs *out)
{
	struct repo there = REPO_INIT;
	struct wanted w = { refnames, out };
	git_remote *rem = NULL;
	const char *path;
	size_t i;
	int rc = 1;

	if (!kinds || git_remote_lookup(&rem, r->git, name) < 0)
		goto out;
	for (i = 0; refnames && i < refnames->nr; i++)
		if (strpbrk(refnames->v[i], "*?[\\"))
			goto out;	/* a glob: git's matching */
	/* the URL after url.*.insteadOf; pushurl does not matter for reading */
	if (!git_remote_url(rem) || !(path = local_path(git_remote_url(rem))) ||
	    git_repository_open_ext(&there.git, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    hides_refs(there.git))
		goto out;
	there.gitdir = xstrdup(git_repository_path(there.git));
	rc = 0;
	if (kinds & REMOTE_HEADS)
		rc = refs_list(&there, "refs/heads/", keep_ref, &w);
	if (rc == 0 && (kinds & REMOTE_TAGS))
		rc = refs_list(&there, "refs/tags/", keep_ref, &w);
	if (rc != 0) {	/* unreadable here: git tries */
		remote_refs_release(out);
		rc = 1;
	}
out:
	git_error_clear();
	err_clear();
	git_remote_free(rem);
	repo_release(&there);
	return rc;
}
