/* hook.h - the server side: installing the pre-receive hook, reading what it is given. */
#ifndef SLIPWAY_HOOK_H
#define SLIPWAY_HOOK_H

#include "gate/enforce.h"
#include "git/repo.h"

/*
 * Writes GIT_DIR/hooks/pre-receive running `EXE hook pre-receive`. An
 * existing hook that is not slipway's is kept and -E_REFUSED returned,
 * unless force. *path gets the hook's path.
 */
int hook_install(struct repo *r, const char *exe, int force, struct buf *path);

/*
 * Writes the repository's commit-graph (git commit-graph write --reachable
 * --split): with its generation numbers the merge-base walk that checks a
 * merge to staging stops early (55 ms -> 30 ms on 53,000 commits). git gc
 * keeps it up to date afterwards (gc.writeCommitGraph).
 */
int hook_write_commit_graph(struct repo *r);

/* Parses pre-receive's input ("OLD NEW REF" lines) into *u (caller frees
 * with hook_updates_free). -E_INVALID for a malformed line. */
int hook_parse_updates(const char *text, struct ref_update **u, size_t *n);
void hook_updates_free(struct ref_update *u, size_t n);

/* The configuration the server enforces: slipway.conf at the staging head
 * (the team's current rules), else at HEAD, else the defaults. */
int hook_load_config(struct repo *r, struct config *cfg);

#endif
