/* gate.c - computing the gate's facts from the records, and the verdict. */
#include "gate/gate.h"

#include <stdlib.h>
#include <string.h>

#include "git/refs.h"
#include "lib/err.h"
#include "lib/util.h"
#include "records/digest.h"
#include "records/records.h"
#include "records/sign.h"
#include "review/review.h"

#define SIGNERS_FILE ".slipway/allowed_signers"

/* records_walk callback: keeps the newest result of each pipeline. */
static int
latest_each(const struct record *rec, void *data)
{
	static const char *const need[] = { "pipeline", "status", "commit", "by", "at" };
	json_t *latest = data;
	const char *p = json_string_value(json_object_get(rec->json, "pipeline"));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(need); i++)
		if (!json_is_string(json_object_get(rec->json, need[i])))
			return err_set(-E_INVALID, "%s: record %s is not a pipeline result: "
			    "no '%s'", rec->ref, repo_short(rec->commit), need[i]);
	if (json_object_get(latest, p))
		return 0;
	if (json_object_get(rec->json, "jobs")) {	/* a run: the digest needs no logs */
		json_t *brief = json_copy(rec->json);

		json_object_del(brief, "jobs");
		json_object_set_new(latest, p, brief);
	} else {
		json_object_set(latest, p, rec->json);
	}
	return 0;
}

/*
 * The newest result of pipeline in the chain of subject ("commit:ID"),
 * or NULL in *found. The whole chain's latest results are remembered by
 * its tip (src/records/digest.c): the queue asks about hundreds of heads.
 */
static int
chain_latest(struct repo *r, const char *subject, const char *pipeline, json_t **found)
{
	struct buf ref = BUF_INIT;
	json_t *latest = NULL;
	git_oid tip;
	char *text;
	int rc;

	*found = NULL;
	if ((rc = records_ref("pipeline", subject, &ref)) < 0)
		goto out;
	if (refs_resolve(r, ref.ptr, &tip) < 0) {
		err_clear();
		goto out;	/* no result at all */
	}
	if ((latest = json_incref(digest_get_json(r, DIGEST_PIPELINES, &tip))) &&
	    !json_is_object(latest)) {
		json_decref(latest);
		latest = NULL;
	}
	if (!latest) {
		latest = json_object();
		if ((rc = records_walk_tip(r, ref.ptr, &tip, latest_each, latest)) < 0)
			goto out;
		if ((text = json_dumps(latest, JSON_COMPACT | JSON_SORT_KEYS))) {
			digest_put(r, DIGEST_PIPELINES, &tip, text);
			free(text);
		}
	}
	*found = json_incref(json_object_get(latest, pipeline));
out:
	json_decref(latest);
	buf_release(&ref);
	return rc;
}

/* Describes a result record: "pass on 1a2b3c4d (by ci@x, at T)". */
static void
describe(json_t *rec, const char *via, struct buf *out)
{
	const char *url = json_string_value(json_object_get(rec, "url"));

	buf_printf(out, "%s %s on %.8s%s (recorded by %s, %s)",
	    json_string_value(json_object_get(rec, "pipeline")),
	    json_string_value(json_object_get(rec, "status")),
	    json_string_value(json_object_get(rec, "commit")), via,
	    json_string_value(json_object_get(rec, "by")),
	    json_string_value(json_object_get(rec, "at")));
	if (url)
		buf_printf(out, " %s", url);
}

int
gate_pipeline_status(struct repo *r, const char *pipeline, const git_oid *commit,
    struct buf *evidence)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct buf subject = BUF_INIT;
	json_t *found = NULL;
	git_commit *c = NULL;
	const char *status;
	int rc, i;

	for (i = 0; i < 2 && !found; i++) {
		if (i == 1) {
			if (git_commit_lookup(&c, r->git, commit) < 0)
				break;
			git_oid_tostr(hex, sizeof(hex), git_commit_tree_id(c));
		} else {
			git_oid_tostr(hex, sizeof(hex), commit);
		}
		buf_reset(&subject);
		buf_printf(&subject, "%s:%s", i ? "tree" : "commit", hex);
		if ((rc = chain_latest(r, subject.ptr, pipeline, &found)) < 0)
			goto out;
	}
	err_clear();
	if (!found) {
		rc = -E_NOTFOUND;
		if (evidence)
			buf_printf(evidence, "no %s result for %s", pipeline, repo_short(commit));
		goto out;
	}
	status = json_string_value(json_object_get(found, "status"));
	rc = status && !strcmp(status, "pass");
	if (evidence)
		describe(found, c ? " (same tree)" : "", evidence);
out:
	json_decref(found);
	git_commit_free(c);
	buf_release(&subject);
	return rc;
}

/* ci or cd: the latest result on the head passed. */
static int
fact_pipeline(struct repo *r, const char *pipeline, const git_oid *head, struct buf *why)
{
	int rc = gate_pipeline_status(r, pipeline, head, why);

	return rc == -E_NOTFOUND ? 0 : rc;
}

/* cdfix: a CD-fix branch, and staging's latest CD failed. */
static int
fact_cdfix(struct repo *r, const struct config *cfg, const struct gate_subject *s,
    struct buf *why)
{
	const char *pat = config_get(cfg, "branches.cdfix", "cd-fix/*");
	int rc;

	if (!config_glob_match(pat, s->branch)) {
		buf_printf(why, "'%s' is not a CD-fix branch (branches.cdfix = %s)", s->branch, pat);
		return 0;
	}
	if (!s->staging) {
		buf_puts(why, "staging's head is unknown");
		return 0;
	}
	buf_puts(why, "staging: ");
	rc = gate_pipeline_status(r, "cd", s->staging, why);
	if (rc == -E_NOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	buf_puts(why, rc ? "; staging's CD is green, so a CD fix needs the usual rule" :
	    "; a CD fix may go in without waiting");
	return !rc;
}

/* The allowed signers as staging has them (empty when none). */
static void
allowed_signers(struct repo *r, const git_oid *staging, struct buf *out)
{
	if (staging && repo_read_at(r, staging, SIGNERS_FILE, out) < 0)
		buf_reset(out);
	err_clear();
}

int
gate_check_signatures(struct repo *r, const struct config *cfg, const git_oid *staging,
    struct review *rv)
{
	struct buf signers = BUF_INIT;
	int rc;

	if (config_bool(config_get(cfg, "gate.require-signed", "false")) != 1)
		return 0;
	allowed_signers(r, staging, &signers);
	rc = review_check_signatures(rv, signers.ptr);
	buf_release(&signers);
	return rc;
}

/* Explains one vote that does not count for the review fact at head. */
static void
explain_vote(const struct review *rv, const struct review_vote *v, const char *head,
    int signed_only, struct buf *why)
{
	const char *what = v->approve ? "approval" : "rejection";

	if (!strcmp(v->by, rv->author))
		buf_printf(why, "\n%s's own %s does not count", v->by, what);
	else if (signed_only && v->signature != SIGN_GOOD)
		buf_printf(why, "\n%s's %s does not count: %s", v->by, what, v->sig_why);
	else if (strcmp(v->head, head))
		buf_printf(why, "\n%s's %s is stale: it was for %.8s", v->by, what, v->head);
	else
		buf_printf(why, "\n%s %s %.8s", v->by, v->approve ? "approved" : "rejected", head);
}

/* review: enough fresh approvals by others, and no fresh rejection. */
static int
fact_review(struct repo *r, const struct config *cfg, const struct gate_subject *s,
    struct buf *why)
{
	int need = atoi(config_get(cfg, "gate.approvals", "1"));
	int signed_only = config_bool(config_get(cfg, "gate.require-signed", "false")) == 1;
	char head[GIT_OID_HEXSZ + 1];
	struct review own, *rv = s->review;
	size_t fresh, stale, i;
	int rc, rejected;

	git_oid_tostr(head, sizeof(head), &s->head);
	if (!rv && (rc = review_load(r, s->branch, &own)) == -E_NOTFOUND) {
		err_clear();
		buf_printf(why, "no review was requested for '%s'", s->branch);
		return 0;
	}
	if (!rv && rc < 0)
		return rc;
	if (!rv)
		rv = &own;
	if ((rc = gate_check_signatures(r, cfg, s->staging, rv)) < 0)
		goto out;
	review_count(rv, head, signed_only, &fresh, &stale, &rejected);
	rc = (long)fresh >= need && !rejected;
	buf_printf(why, "%zu of %d approval%s at %.8s%s%s", fresh, need, need == 1 ? "" : "s",
	    head, rejected ? ", and a rejection stands" : "",
	    signed_only ? " (signed ones only)" : "");
	for (i = 0; i < rv->nvotes; i++)
		explain_vote(rv, &rv->votes[i], head, signed_only, why);
out:
	if (rv == &own)
		review_release(&own);
	return rc;
}

int
gate_evaluate(struct repo *r, const struct config *cfg, const struct gate_subject *s,
    struct gate_report *out)
{
	struct gate_rule *rule = NULL;
	struct buf text = BUF_INIT;
	int rc = 0, f, v;

	if ((rc = gate_rule_parse(config_get(cfg, "gate.rule", GATE_DEFAULT_RULE), &rule)) < 0) {
		char *msg = xstrdup(err_msg());

		rc = err_set(rc, "gate.rule: %s", msg);
		free(msg);
		return rc;
	}
	gate_rule_format(rule, &text);
	out->rule = buf_detach(&text, NULL);
	out->named = gate_rule_facts(rule);
	for (f = 0; f < GATE_NFACTS && rc == 0; f++) {
		if (!(out->named & (1u << f)))
			continue;
		switch (f) {
		case GATE_CI: v = fact_pipeline(r, "ci", &s->head, &out->why[f]); break;
		case GATE_CD: v = fact_pipeline(r, "cd", &s->head, &out->why[f]); break;
		case GATE_REVIEW: v = fact_review(r, cfg, s, &out->why[f]); break;
		default: v = fact_cdfix(r, cfg, s, &out->why[f]); break;
		}
		if (v < 0)
			rc = v;
		else if (v)
			out->facts |= 1u << f;
	}
	if (rc == 0)
		out->pass = gate_rule_eval(rule, out->facts);
	out->parsed = rule;
	return rc;
}

void
gate_report_release(struct gate_report *rep)
{
	int f;

	free(rep->rule);
	gate_rule_free(rep->parsed);
	for (f = 0; f < GATE_NFACTS; f++)
		buf_release(&rep->why[f]);
}

/* Appends the names of the facts in mask, comma-separated. */
static void
fact_list(unsigned mask, struct buf *out)
{
	const char *sep = "";
	int f;

	for (f = 0; f < GATE_NFACTS; f++) {
		if (mask & (1u << f)) {
			buf_printf(out, "%s%s", sep, gate_fact_name((enum gate_fact)f));
			sep = ", ";
		}
	}
}

void
gate_report_lacks(const struct gate_report *rep, struct buf *out)
{
	unsigned missing = rep->named & ~rep->facts, needed = 0, either = 0;
	int f;

	if (rep->pass || !rep->parsed)
		return;
	/* needed: without it the rule fails even with every other fact */
	for (f = 0; f < GATE_NFACTS; f++)
		if ((missing & (1u << f)) && !gate_rule_eval(rep->parsed, rep->named & ~(1u << f)))
			needed |= 1u << f;
	fact_list(needed, out);
	if (gate_rule_eval(rep->parsed, rep->facts | needed))
		return;
	for (f = 0; f < GATE_NFACTS; f++)
		if ((missing & ~needed & (1u << f)) &&
		    gate_rule_eval(rep->parsed, rep->facts | needed | (1u << f)))
			either |= 1u << f;
	if (!either)
		either = missing & ~needed;
	buf_puts(out, needed ? ", and " : "");
	if (either & (either - 1))
		buf_puts(out, "one of ");
	fact_list(either, out);
}
