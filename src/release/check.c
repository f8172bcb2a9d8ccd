/* check.c - release step 2 (staging's CD), the compat rule of step 4, and the release record. */
#include "release/release.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "gate/gate.h"
#include "lib/err.h"
#include "lib/util.h"
#include "records/records.h"

/* Adds the hints of a refusal for a CD that did not pass (found: a result
 * exists) on the staging head at. */
static void
cd_hints(const char *at, int found)
{
	if (found) {
		err_hint("fix staging (a branch matching branches.cdfix passes the gate while "
		    "staging's CD is red), let CD run on the new head, then rerun");
		err_hint("a run that timed out or was cancelled can be run again: "
		    "slipway run cd --commit %s", at);
	} else {
		err_hint("run CD on it and record the result: slipway run cd --commit %s", at);
		err_hint("or record the result another CI produced: slipway record cd "
		    "--status pass --commit %s", at);
	}
	err_hint("to release anyway: slipway release --skip-cd-check (the release record "
	    "keeps that CD was skipped)");
}

int
release_check_cd(struct repo *r, struct release_plan *plan, int skip)
{
	char at[GIT_OID_HEXSZ + 1];
	int rc;

	git_oid_tostr(at, 9, &plan->staging);
	buf_reset(&plan->cd_result);
	rc = gate_pipeline_status(r, "cd", &plan->staging, &plan->cd_result);
	if (skip) {
		if (rc < 0 && rc != -E_NOTFOUND) {
			buf_reset(&plan->cd_result);
			buf_printf(&plan->cd_result, "cd records not read: %s", err_msg());
		}
		err_clear();
		plan->cd = "skipped";
		strvec_pushf(&plan->notes, "not checking staging's CD (--skip-cd-check), which "
		    "the release record keeps; this clone's records say: %s", plan->cd_result.ptr);
		return 0;
	}
	if (rc == 1) {
		plan->cd = "passed";
		return 0;
	}
	if (rc < 0 && rc != -E_NOTFOUND)
		return rc;
	err_set(-E_REFUSED, "staging's CD %s on '%s' (%s): %s", rc == 0 ? "did not pass" :
	    "has not passed", plan->staging_label, at, plan->cd_result.ptr);
	cd_hints(at, rc == 0);
	return -E_REFUSED;
}

/* Adds the hint saying how to set the compat version to want on staging. */
static void
hint_edit(const struct release_plan *plan, const char *want)
{
	const char *from = plan->compat.from, *colon = strrchr(from, ':');
	size_t n = colon ? (size_t)(colon - from) : 0;

	if (!colon)
		err_hint("set 'compat.version = %s' in %s on '%s', push it, then rerun", want,
		    PROJECT_CONF, plan->staging_label);
	else if (n > 5 && !strncmp(from + n - 5, ".json", 5))
		err_hint("set \"%s\": \"%s\" in %.*s on '%s', push it, then rerun", colon + 1,
		    want, (int)n, from, plan->staging_label);
	else
		err_hint("set '%s = %s' in %.*s on '%s', push it, then rerun", colon + 1, want,
		    (int)n, from, plan->staging_label);
}

/* Refuses a release whose compat version is greater than its version. */
static int
refuse_greater(const struct release_plan *plan)
{
	err_set(-E_REFUSED, "the compat version %s (%s on '%s') is greater than the new "
	    "version %s", plan->compat_after, plan->compat.from, plan->staging_label,
	    plan->version);
	err_hint("a release is compatible with versions up to itself: release %s or a "
	    "later version, or lower the compat version", plan->compat_after);
	hint_edit(plan, plan->version);
	return -E_REFUSED;
}

/* Refuses a release with breaking changes whose compat version stays at
 * or below the current version; lists the commits. */
static int
refuse_breaking(const struct release_plan *plan, const struct compat_breaks *b, int automatic)
{
	struct buf list = BUF_INIT;
	char *major;
	size_t i;

	for (i = 0; i < b->nr; i++)
		buf_printf(&list, "\n    %s %s", repo_short(&b->v[i].id), b->v[i].subject);
	err_set(-E_REFUSED, "%zu commit%s of '%s' that '%s' lacks mark%s a breaking change, "
	    "but the compat version %s (%s) is not above the current version %s:%s", b->nr,
	    b->nr == 1 ? "" : "s", plan->staging_label, plan->production_label,
	    b->nr == 1 ? "s" : "", plan->compat_after, automatic ? "compat.auto = major" :
	    plan->compat.from, plan->current_text, list.ptr);
	buf_release(&list);
	err_hint("a breaking change leaves the versions before it incompatible: the compat "
	    "version must name a version this release brings");
	if (automatic) {
		major = compat_next_major(plan->current_text);
		err_hint("with compat.auto = major that takes a major release: slipway release %s",
		    major);
		free(major);
		return -E_REFUSED;
	}
	err_hint("raise it to the new version, %s (any version above %s up to %s will do)",
	    plan->version, plan->current_text, plan->version);
	hint_edit(plan, plan->version);
	return -E_REFUSED;
}

int
release_check_compat(struct repo *r, struct release_plan *plan)
{
	int automatic = config_get(plan->cfg, "compat.auto", NULL) != NULL;
	struct compat_breaks breaks = COMPAT_BREAKS_INIT;
	struct semver after = SEMVER_INIT, v = SEMVER_INIT;
	struct buf b = BUF_INIT;
	int rc;

	if ((rc = compat_read(r, plan->cfg, &plan->staging, &plan->compat)) < 0 ||
	    !plan->compat.version)
		return rc;
	if (automatic && (rc = compat_auto_major(plan->version, &b)) < 0)
		goto out;
	plan->compat_after = automatic ? buf_detach(&b, NULL) : xstrdup(plan->compat.version);
	if ((rc = semver_parse(&after, plan->compat_after)) < 0 ||
	    (rc = semver_parse(&v, plan->version)) < 0)
		goto out;
	if (semver_cmp(&after, &v) > 0) {
		rc = refuse_greater(plan);
		goto out;
	}
	if ((rc = compat_breaking(r, &plan->staging, &plan->master, 1, &breaks)) < 0)
		goto out;
	plan->breaking = breaks.nr;
	if (breaks.nr && plan->has_current && semver_cmp(&after, &plan->current) <= 0)
		rc = refuse_breaking(plan, &breaks, automatic);
out:
	compat_breaks_release(&breaks);
	semver_release(&after);
	semver_release(&v);
	buf_release(&b);
	return rc;
}

int
release_record(struct repo *r, struct release_plan *plan)
{
	char commit[GIT_OID_HEXSZ + 1], staging[GIT_OID_HEXSZ + 1], master[GIT_OID_HEXSZ + 1];
	struct buf subject = BUF_INIT, summary = BUF_INIT;
	git_signature *who = NULL;
	json_t *rec = NULL;
	char at[32];
	time_t when;
	int rc;

	/* the release's objects are in the object database now; records go there too */
	quarantine_close(&plan->quarantine);
	if ((rc = repo_reopen(r)) < 0 || (rc = repo_signature(r, "COMMITTER", &who)) < 0)
		goto out;
	git_oid_tostr(commit, sizeof(commit), &plan->commit);
	git_oid_tostr(staging, sizeof(staging), &plan->staging);
	git_oid_tostr(master, sizeof(master), &plan->master);
	when = (time_t)who->when.time;
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&when));
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "version",
	    plan->version, "tag", plan->tag, "commit", commit, "staging", staging, "master",
	    master, "by", who->email, "at", at, "cd", plan->cd ? plan->cd : "skipped",
	    "cd-result", plan->cd_result.ptr);
	if (!rec) {
		rc = err_set(-E_GENERIC, "building the release record");
		goto out;
	}
	if (plan->compat_after)
		json_object_set_new(rec, "compat", json_string(plan->compat_after));
	buf_printf(&subject, "version:%s", plan->version);
	buf_printf(&summary, "release %s (cd %s)", plan->version, plan->cd ? plan->cd : "skipped");
	rc = records_append(r, "release", subject.ptr, rec, summary.ptr, NULL);
out:
	json_decref(rec);
	git_signature_free(who);
	buf_release(&subject);
	buf_release(&summary);
	return rc;
}
