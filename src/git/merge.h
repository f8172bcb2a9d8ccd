/* merge.h - three-way merges of two commits without a working tree. */
#ifndef SLIPWAY_MERGE_H
#define SLIPWAY_MERGE_H

#include "git/quarantine.h"
#include "git/repo.h"

/*
 * Merges commits ours and theirs in memory (git's ort merge, through
 * `git merge-tree --write-tree`; the tree's objects are written into the
 * quarantine q, no ref, index or file is touched). Returns 0 with *tree set; -E_CONFLICT with
 * every conflicting path appended to conflicts (each once, sorted as git
 * lists them); another code when the merge cannot be attempted.
 */
int merge_commits(struct repo *r, const struct quarantine *q, const git_oid *ours,
    const git_oid *theirs, git_oid *tree, struct strvec *conflicts);

#endif
