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

/*
 * Whether tree is, path by path, the trivial merge of theirs into ours:
 * each entry what both sides have, or the side that changed it since the
 * one merge base (git/walk.c, which reads the commit-graph), folders both
 * changed looked into. 1: yes -- nothing in tree that a side does not
 * explain, told without git's merge; 0: only git's merge can tell (both
 * sides changed a file, renames, several merge bases, anything else).
 */
int merge_is_trivial(struct repo *r, const git_oid *ours, const git_oid *theirs,
    const git_oid *tree);

#endif
