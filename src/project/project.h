/* project.h - the project's settings: slipway.conf from the working tree or a commit. */
#ifndef SLIPWAY_PROJECT_H
#define SLIPWAY_PROJECT_H

#include "config/config.h"
#include "git/repo.h"

#define PROJECT_CONF "slipway.conf"

/* Settings every command needs first. Strings borrowed from cfg. */
struct project {
	struct config cfg;
	const char *remote;	/* project.remote, default "origin" */
	const char *staging;	/* branches.staging, default "staging" */
	const char *production;	/* branches.production, default "master" */
	int found;		/* a slipway.conf was read */
};

#define PROJECT_INIT { CONFIG_INIT, NULL, NULL, NULL, 0 }

/*
 * Loads slipway.conf from the top of the working tree, or from HEAD's tree
 * in a bare repository. An absent file gives the defaults (found = 0); a
 * malformed one is -E_CONFIG naming file and line.
 */
int project_load(struct repo *r, struct project *p);

/*
 * Loads slipway.conf as it is in commit; label names it in messages
 * ("origin/staging"). *found is set to 0 (and cfg left empty) when the
 * commit has none.
 */
int project_load_commit(struct repo *r, const git_oid *commit, const char *label,
    struct config *cfg, int *found);

void project_release(struct project *p);

#endif
