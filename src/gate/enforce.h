/* enforce.h - the protocol's rules for what may be pushed to a shared repository. */
#ifndef SLIPWAY_ENFORCE_H
#define SLIPWAY_ENFORCE_H

#include "config/config.h"
#include "git/quarantine.h"
#include "git/repo.h"

/* One ref update, as a pre-receive hook reads it; a zero OID for "none". */
struct ref_update {
	git_oid old_oid;
	git_oid new_oid;
	char *ref;	/* owned */
};

/*
 * Checks every update of one push against the protocol (cfg: slipway.conf
 * as staging has it, defaults when absent):
 *  - staging takes only a no-ff merge of a branch that passes the gate
 *    (first parent the old head, the tree git's merge of the two, the
 *    branch named as `git merge` and `slipway merge` name it), or the
 *    release moving it along with master;
 *  - master takes only a release (a merge of staging, tagged in the same
 *    push or already) or a merge of a hotfix branch (branches.hotfix);
 *  - neither is ever deleted or forced; records under refs/slipway/ only
 *    grow (no deletion, no rewrite);
 *  - anything else (feature branches, tags) passes.
 * Returns 0 when all pass; -E_REFUSED with a message naming the ref, the
 * rule and what is missing, with the gate's evidence in why (may be NULL).
 * The merges it redoes to compare write their objects to q (may be NULL:
 * the object database, as in a hook, where receive-pack quarantines).
 */
int enforce_check(struct repo *r, const struct quarantine *q, const struct config *cfg,
    const struct ref_update *u, size_t n, struct buf *why);

#endif
