/* release.h - the release protocol: merge staging into master, bump, tag, push. */
#ifndef SLIPWAY_RELEASE_H
#define SLIPWAY_RELEASE_H

#include "config/config.h"
#include "git/remote.h"
#include "git/repo.h"
#include "project/project.h"
#include "semver/semver.h"
#include "vfile/vfile.h"

/* One version file: where it is and what changes in it. */
struct release_file {
	struct vfile_spec spec;
	char *old_version;	/* as found in the merged tree */
};

/*
 * Everything a release computes before it publishes; the stages fill it
 * in order (read → version → build → publish). Owns all its members.
 */
struct release_plan {
	char *remote;
	char *production_ref, *staging_ref;	/* refs/heads/... */
	char *production_label, *staging_label;	/* "origin/master" */
	git_oid master, staging;		/* the remote's heads */
	struct remote_refs refs;		/* what the remote advertised */
	struct config staging_cfg;		/* slipway.conf at the staging head */
	const struct config *cfg;		/* staging_cfg, or the local one */

	struct quarantine quarantine;		/* the objects the release makes */
	git_oid merged_tree;
	struct strvec conflicts;		/* set when the merge conflicts */
	size_t ahead;				/* staging commits not on master */

	struct semver current;			/* master's version, if has_current */
	int has_current;
	char *current_text, *current_from;

	char *version, *tag, *message;
	struct release_file *files;
	size_t nfiles;

	git_oid commit, tag_object;
	struct strvec notes;			/* things the user should know */
};

#define RELEASE_PLAN_INIT { .conflicts = STRVEC_INIT, .notes = STRVEC_INIT, \
	.refs = REMOTE_REFS_INIT, .staging_cfg = CONFIG_INIT, \
	.quarantine = QUARANTINE_INIT }

/*
 * Step 1 and 3: reads the remote (ls-remote, object-only fetch; no ref,
 * index or file changes), loads slipway.conf at the staging head, merges
 * staging into master in memory, and reads master's current version.
 * Returns 0; -E_CONFLICT with plan->conflicts filled and a message;
 * -E_NOTFOUND for a missing branch; -E_REMOTE, -E_CONFIG, -E_INVALID.
 */
int release_read(struct repo *r, const struct project *p, const char *remote,
    struct release_plan *plan);

/* Checks only that version (a leading 'v' allowed) is SemVer 2.0.0, so a
 * typo fails before the remote is contacted. -E_INVALID otherwise. */
int release_check_syntax(const char *version);

/* Refuses (-E_REFUSED) a release when staging has nothing master lacks. */
int release_check_ahead(const struct release_plan *plan);

/*
 * Step 4: validates version (a leading 'v' is dropped, with a note): SemVer
 * 2.0.0, greater than the current version, its tag absent locally and on
 * the remote. -E_INVALID for a malformed version, -E_REFUSED otherwise.
 */
int release_set_version(struct repo *r, struct release_plan *plan, const char *version);

/* The versions the prompt offers: next patch, minor and major (appended). */
void release_suggest(const struct release_plan *plan, struct strvec *out);

/* Step 5: writes the bumped blobs, the merge commit and the annotated tag
 * as objects (no ref moves). */
int release_build(struct repo *r, struct release_plan *plan);

/*
 * Step 6: one atomic push of master, staging and the tag with a lease on
 * each old value; then, only then, the local tag, remote-tracking refs and
 * the local branches that can fast-forward (never a checked-out one).
 * -E_STALE when the remote moved, -E_REMOTE when it refused.
 */
int release_publish(struct repo *r, struct release_plan *plan);

void release_plan_release(struct release_plan *plan);

#endif
