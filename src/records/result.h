/* result.h - pipeline results as records, for the commit and for its tree. */
#ifndef SLIPWAY_RESULT_H
#define SLIPWAY_RESULT_H

#include <jansson.h>

#include "git/repo.h"

/* A result to record; strings borrowed. url may be NULL. */
struct result {
	const char *pipeline;	/* [A-Za-z0-9_.-]+ */
	const char *status;	/* "pass", "fail", "timeout" or "cancelled" */
	const char *rev;	/* any revision naming a commit */
	const char *url;	/* http(s) link to the run, or NULL */
	const char *source;	/* who produced it: "slipway record", ... */
	json_t *extra;		/* more keys for the record (a run's jobs), or NULL */
};

/*
 * Validates res and records it twice, in the "pipeline" chains of
 * "commit:ID" and of "tree:ID" (a commit with an already tested tree can
 * reuse the result). *commit gets the commit the result is about.
 * -E_INVALID for a bad pipeline name, status or URL, or a revision that
 * names no commit.
 */
int result_record(struct repo *r, const struct result *res, git_oid *commit);

#endif
