/* gate.h - the merge gate: the facts about a branch head, with evidence, and the verdict. */
#ifndef SLIPWAY_GATE_H
#define SLIPWAY_GATE_H

#include "config/config.h"
#include "gate/rule.h"
#include "git/repo.h"

struct review;

/* What the gate is asked about. Strings borrowed. */
struct gate_subject {
	const char *branch;		/* the feature branch's name */
	git_oid head;			/* the commit that would be merged */
	const git_oid *staging;		/* staging's head (its CD for cdfix; its
					 * .slipway/allowed_signers), or NULL */
	struct review *review;		/* the branch's review when already
					 * loaded, or NULL to load it */
};

/* The answer: each fact the rule names, why it holds or not, the verdict. */
struct gate_report {
	char *rule;			/* canonical text of the rule */
	unsigned named;			/* facts the rule names (bit mask) */
	unsigned facts;			/* facts that hold (bit mask) */
	struct buf why[GATE_NFACTS];	/* one line or more per named fact */
	int pass;
	struct gate_rule *parsed;
};

#define GATE_REPORT_INIT { NULL, 0, 0, { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT }, 0, NULL }

/*
 * Evaluates gate.rule (cfg: slipway.conf; defaults when unset) for s:
 * ci/cd from the pipeline records of the head commit (or, failing that, of
 * its tree), review from the branch's review chain (gate.approvals fresh
 * approvals by others, no fresh rejection; with gate.require-signed only
 * votes signed by a key in staging's .slipway/allowed_signers), cdfix from
 * branches.cdfix and staging's latest cd result. Returns 0 with out filled
 * (pass or not), or <0 when the rule or the records cannot be read.
 */
int gate_evaluate(struct repo *r, const struct config *cfg, const struct gate_subject *s,
    struct gate_report *out);
void gate_report_release(struct gate_report *rep);

/* Appends what a failing gate lacks, in words: "ci", "one of cd, review",
 * "ci, and one of cd, review, cdfix". Nothing when it passes. */
void gate_report_lacks(const struct gate_report *rep, struct buf *out);

/* With gate.require-signed, checks rv's vote signatures against the
 * .slipway/allowed_signers of staging (the commit; may be NULL: none). */
int gate_check_signatures(struct repo *r, const struct config *cfg, const git_oid *staging,
    struct review *rv);

/* The latest result of pipeline for commit (else its tree): 1 pass,
 * 0 fail, -E_NOTFOUND none; evidence (may be NULL) gets a description. */
int gate_pipeline_status(struct repo *r, const char *pipeline, const git_oid *commit,
    struct buf *evidence);

#endif
