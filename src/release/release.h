/* release.h - the release protocol: merge staging into master, bump, tag, push. */
#ifndef SLIPWAY_RELEASE_H
#define SLIPWAY_RELEASE_H

#include "compat/compat.h"
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

	const char *cd;				/* "passed" or "skipped", once checked */
	struct buf cd_result;			/* what the records say about staging's CD */
	struct compat compat;			/* as the staging head has it */
	char *compat_after;			/* the compat version after the release */
	size_t breaking;			/* commits marking breaking changes */

	char *version, *tag, *message;
	struct release_file *files;
	size_t nfiles;

	git_oid commit, tag_object;
	struct strvec notes;			/* things the user should know */
};

#define RELEASE_PLAN_INIT { .conflicts = STRVEC_INIT, .notes = STRVEC_INIT, \
	.refs = REMOTE_REFS_INIT, .staging_cfg = CONFIG_INIT, \
	.quarantine = QUARANTINE_INIT, .cd_result = BUF_INIT, .compat = COMPAT_INIT }

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

/*
 * Step 2: staging's CD must have passed on the staging head, by the records
 * in this clone (sync them first), a result for the same tree counting too.
 * With skip nothing is required; the release record keeps that it was
 * skipped. Sets plan->cd and plan->cd_result. -E_REFUSED saying the run's
 * state (no result, fail, timeout, cancelled) and how to go on.
 */
int release_check_cd(struct repo *r, struct release_plan *plan, int skip);

/*
 * Step 4, the compat rule (after release_set_version): the compat version
 * as the staging head has it (compat.auto = major: a.0.0 of the new
 * version) must not be greater than the new version; and when commits of
 * staging that master lacks mark a breaking change, it must be greater
 * than the current version (raised to the new version, or a.0.0 with a
 * major release). -E_REFUSED listing the commits and how to fix it;
 * -E_CONFIG when the compat version cannot be read.
 */
int release_check_compat(struct repo *r, struct release_plan *plan);

/*
 * After a successful release_publish: appends the release record (kind
 * "release", one chain per version: version, tag, commit, staging, master,
 * by, at, cd, cd-result) to this clone's records. Reopens r (the
 * quarantine's objects are in the object database by then).
 */
int release_record(struct repo *r, struct release_plan *plan);

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

/* Step 4 with images: refuses a version that is already an image tag of
 * any configured image (-E_REFUSED listing them). No [images]: 0. */
int release_check_images(struct repo *r, struct release_plan *plan);

/*
 * release.promote-images: points version at the images staging's CD pushed
 * under the staging head's commit tag (8 hex), for every configured image,
 * by manifest copy. done/left get "repo:version" of what was and was not.
 */
int release_promote_images(struct repo *r, const struct config *cfg, const char *version,
    const git_oid *staging, struct strvec *done, struct strvec *left);

/* What `slipway release --continue` finishes: saved when the promotion
 * failed after the push (GIT_DIR/slipway/release-continue). */
int release_continue_save(struct repo *r, const char *version, const git_oid *staging);
int release_continue_load(struct repo *r, char **version, git_oid *staging);
void release_continue_done(struct repo *r);

#endif
