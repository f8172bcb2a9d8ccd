/* quarantine.h - new objects kept apart until a push has published them. */
#ifndef SLIPWAY_QUARANTINE_H
#define SLIPWAY_QUARANTINE_H

#include "git/repo.h"

/*
 * While a quarantine is open, every object slipway creates (the merge's
 * trees from git merge-tree, libgit2's blobs, commit and tag) is written to
 * a private folder under the repository's objects/, not to the object
 * database itself. quarantine_close() deletes it, so a dry run, a refusal
 * or a failed push leaves the repository exactly as it was;
 * quarantine_keep() moves the objects in for good (after a push).
 */
struct quarantine {
	char *dir;	/* absolute path, owned; NULL when not open */
	char *objects;	/* the repository's objects folder, owned */
};

#define QUARANTINE_INIT { NULL, NULL }

/* Opens it and points libgit2's writes at it. */
int quarantine_open(struct repo *r, struct quarantine *q);
/* For a git child that writes objects: writes go to the quarantine, reads
 * see both. Both env helpers do nothing for a NULL or closed quarantine. */
void quarantine_env_write(const struct quarantine *q, struct run *cmd);
/* For a git child that only reads them (push): the quarantine as an
 * alternate. */
void quarantine_env_read(const struct quarantine *q, struct run *cmd);
/* Moves every quarantined object into the object database. */
int quarantine_keep(struct quarantine *q);
/* Deletes the quarantine and what is still in it. */
void quarantine_close(struct quarantine *q);

#endif
