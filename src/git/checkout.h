/* checkout.h - a commit checked out into a folder of its own, in process. */
#ifndef SLIPWAY_CHECKOUT_H
#define SLIPWAY_CHECKOUT_H

#include <stdatomic.h>
#include <sys/types.h>
#include <time.h>

#include "git/repo.h"

/* A checkout made by checkout_make. All owned. */
struct checkout {
	char *dir;
	struct buf index;	/* its index as written: each file's stat data; empty
				 * when git wrote the files (filters applied) */
	mode_t umask;		/* the caller's umask: the files' permissions */
	uid_t uid;		/* the owner of its folders */
	gid_t gid;
	struct timespec used;	/* when a job began using it, by the file system's
				 * clock: see checkout_begin */
};

#define CHECKOUT_INIT { NULL, BUF_INIT, 022, 0, 0, { 0, 0 } }

/* Whether git filters files on their way out here (core.autocrlf, core.eol,
 * an attributes file of the repository or the user's, core.symlinks =
 * false, a sparse checkout): checkout_make's use_git. */
int checkout_filters(struct repo *r);

/*
 * Makes dir (which must not exist; its parent must) a working tree of r
 * with commit checked out and HEAD detached at it, like `git worktree add
 * --detach` but without a child process and without an entry under the
 * repository's worktrees/: dir/.git is a git directory of its own (HEAD,
 * index, and a commondir naming r's, so objects and refs are shared; see
 * gitrepository-layout(5)). Git and libgit2 work in it as in a worktree;
 * `git worktree list` does not show it. The files and the index (with the
 * files' stat data, so `git status` is clean) are written here, unless
 * use_git or a .gitattributes in the tree says git's filters apply: then
 * `git reset --hard` writes them. Stops with -E_INTERRUPTED as soon as
 * *stop is nonzero. On error nothing is left behind. Safe to call from
 * several threads, each with its own r.
 */
int checkout_make(struct repo *r, struct checkout *co, const char *dir, const git_oid *commit,
    int use_git, const atomic_int *stop);

/*
 * Makes co, after a job used it, a fresh checkout of commit again -- or
 * says it cannot. Returns 0 when every file, folder and link is exactly as
 * checkout_make wrote it (type, permissions, inode, size, times, owner, one
 * link; the content itself where a change could hide in the same clock
 * tick as co->used; no extended attribute or ACL but security.* ones),
 * nothing was added, and dir/.git holds only HEAD (at commit), commondir
 * and index, plain files: then the index is written anew and nothing else
 * was touched. Nothing it opens can block it (a FIFO, a device). Returns 1 when anything differs (the caller
 * removes it), or a negative code.
 */
int checkout_renew(struct repo *r, struct checkout *co, const git_oid *commit,
    const atomic_int *stop);

/* A job begins using co: the file system's time now (its clock, its
 * granularity: DIR/.git/index touched) goes into co->used. Files changed
 * at that time or later are compared by content when co is renewed. */
void checkout_begin(struct checkout *co);

/* Frees co's memory (not its files). */
void checkout_release(struct checkout *co);

/*
 * Removes dir and whatever is in it now: read-only folders are opened up,
 * symbolic links removed and never followed.
 */
int checkout_remove(const char *dir);

#endif
