/* repo.h - the repository: libgit2 handle, objects, refs, and the git CLI. */
#ifndef SLIPWAY_REPO_H
#define SLIPWAY_REPO_H

#include <git2.h>

#include "lib/buf.h"
#include "lib/run.h"
#include "lib/strvec.h"

/* An open repository. workdir is NULL for a bare one. All owned. */
struct repo {
	git_repository *git;
	char *gitdir;
	char *workdir;
	/* caches of what was read from records (src/records/digest.c), opaque
	 * here; freed by repo_release through caches_free */
	void *caches;
	void (*caches_free)(void *caches);
	struct packed_refs *packed;	/* packed-refs, mapped (git/refs.c) */
};

#define REPO_INIT { NULL, NULL, NULL, NULL, NULL, NULL }

/*
 * Opens the repository containing the current directory (honouring GIT_DIR
 * like git does): from a subdirectory, a linked worktree, a bare repository
 * or a detached HEAD. Returns 0 or -E_NOTFOUND ("not a git repository").
 */
int repo_open(struct repo *r);
void repo_release(struct repo *r);
/* Opens the same repository afresh: a new object database without the
 * backends a quarantine added (libgit2 cannot remove one). */
int repo_reopen(struct repo *r);

/* Sets the message from libgit2's last error: "<what>: <libgit2 text>". */
int repo_error(int code, const char *what, ...) __attribute__((format(printf, 2, 3)));

/* OID of a full ref name (peeled to the commit for tags is NOT done). */
int repo_ref_oid(struct repo *r, const char *refname, git_oid *out);
/* Whether refname exists: 1 yes, 0 no. */
int repo_ref_exists(struct repo *r, const char *refname);

/*
 * The head of branch as this clone knows it: REMOTE's (refs/remotes/REMOTE/
 * BRANCH, what was last fetched) when there is one, else the local branch.
 * label (may be NULL) gets the ref's short name ("origin/feature/x").
 * -E_INVALID "unknown branch" when neither exists.
 */
int repo_branch_head(struct repo *r, const char *remote, const char *branch, git_oid *out,
    struct buf *label);
/* The branch HEAD is on (short name); -E_INVALID when HEAD is detached. */
int repo_current_branch(struct repo *r, struct buf *out);

/* Reads the blob at path in commit's tree into out. -E_NOTFOUND when the
 * path does not exist there (message names path and short commit). */
int repo_read_at(struct repo *r, const git_oid *commit, const char *path, struct buf *out);
/* Same, from a tree. */
int repo_read_in_tree(struct repo *r, const git_oid *tree, const char *path, struct buf *out);

/* Counts the commits reachable from a but not from b (a ^b) into *ahead,
 * and those reachable from b but not a into *behind (may be NULL). */
int repo_count_ahead(struct repo *r, const git_oid *a, const git_oid *b, size_t *ahead,
    size_t *behind);

/* Starts r as `git --git-dir=GITDIR` run in the git directory, without the
 * working tree (GIT_WORK_TREE, GIT_INDEX_FILE unset), so that the caller
 * only appends the subcommand and its arguments. */
void repo_git_cmd(struct repo *repo, struct run *r);
/* Runs a command made with repo_git_cmd, capturing both outputs. Returns 0
 * on exit status 0; otherwise -E_GENERIC with "git SUBCOMMAND failed: STDERR". */
int repo_git(struct repo *repo, struct run *r);

/* "Name <email> 1234567890 +0000" exactly as git would write it
 * (honours GIT_COMMITTER_* / GIT_AUTHOR_*). which is "AUTHOR" or "COMMITTER". */
int repo_signature(struct repo *r, const char *which, git_signature **out);

/* 8-hex abbreviation in a static buffer, one per thread (for messages). */
const char *repo_short(const git_oid *oid);

#endif
