/* refs.h - listing the refs under a prefix fast, where libgit2 reads them all. */
#ifndef SLIPWAY_REFS_H
#define SLIPWAY_REFS_H

#include "git/repo.h"

/*
 * Calls fn for each ref whose name starts with prefix (e.g.
 * "refs/slipway/review/"), in name order, with its OID (not peeled). A loose
 * ref hides the packed one of the same name; symbolic refs are skipped.
 * libgit2 1.5 parses the whole packed-refs file to iterate even a few refs
 * (0.5 s for 200,000); this binary-searches the sorted file instead, as git
 * does. fn's non-zero return stops the walk and is returned.
 */
int refs_list(struct repo *r, const char *prefix,
    int (*fn)(const char *name, const git_oid *oid, void *data), void *data);

/*
 * The OID the ref name holds (not peeled), read as git reads it: the loose
 * file, else packed-refs (binary-searched, kept mapped in r while the file
 * is unchanged). libgit2 1.5 parses all of packed-refs at the first lookup
 * (100,000 refs: a fifth of `slipway queue`). Returns 0; -E_NOTFOUND with
 * no message when there is no such ref; -E_INVALID with one when it cannot
 * be read. Symbolic refs and names outside refs/ are read by libgit2.
 */
int refs_resolve(struct repo *r, const char *name, git_oid *out);

struct packed_refs;
void refs_packed_free(struct packed_refs *pk);

#endif
