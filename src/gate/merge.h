/* merge.h - the gated merge of a feature branch into the remote's staging. */
#ifndef SLIPWAY_GATE_MERGE_H
#define SLIPWAY_GATE_MERGE_H

#include "gate/gate.h"
#include "git/remote.h"
#include "project/project.h"

/* Everything a merge computes; owns its members. */
struct merge_plan {
	char *remote;
	char *branch;
	char *branch_ref, *staging_ref;		/* refs/heads/... on the remote */
	git_oid head, staging;			/* the remote's heads, read now */
	struct config staging_cfg;		/* slipway.conf at staging's head */
	const struct config *cfg;		/* staging_cfg, or the local one */
	struct gate_report gate;
	struct quarantine quarantine;
	struct strvec conflicts;
	int merged_already;			/* staging contains the head */
	git_oid commit;				/* the merge commit */
	struct strvec notes;
};

#define MERGE_PLAN_INIT { .staging_cfg = CONFIG_INIT, .gate = GATE_REPORT_INIT, \
	.quarantine = QUARANTINE_INIT, .conflicts = STRVEC_INIT, .notes = STRVEC_INIT }

/*
 * Reads the remote's staging and branch heads (ls-remote; the objects are
 * fetched without touching a ref) and evaluates the gate on the branch's
 * head with slipway.conf as staging has it. Returns 0 (see plan->gate.pass
 * and plan->merged_already); -E_INVALID for a branch the remote lacks.
 */
int merge_read(struct repo *r, const struct project *p, const char *remote, const char *branch,
    struct merge_plan *plan);

/*
 * Builds the no-ff merge commit in the quarantine and runs the server's
 * checks on it (what the pre-receive hook will decide). -E_CONFLICT with
 * plan->conflicts; -E_REFUSED when the protocol refuses it.
 */
int merge_build(struct repo *r, struct merge_plan *plan);

/*
 * Pushes staging to the merge in one atomic push with a lease on staging
 * and on the branch (either moving meanwhile: -E_STALE, nothing pushed),
 * then updates the remote-tracking ref and records the merge on the
 * branch's review (closing it) and shares the records.
 */
int merge_publish(struct repo *r, struct merge_plan *plan);

void merge_plan_release(struct merge_plan *plan);

/*
 * Moves the merge's objects from the quarantine into the repository, so
 * that git and jobs can check it out (gate.test-merge runs CI on it before
 * the push). Unreferenced until pushed; git gc drops them if it never is.
 */
int merge_keep_objects(struct repo *r, struct merge_plan *plan);

#endif
