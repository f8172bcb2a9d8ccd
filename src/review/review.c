/* review.c - review requests and votes: writing the events, folding the chain. */
#include "review/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/refs.h"
#include "lib/err.h"
#include "lib/util.h"
#include "records/records.h"
#include "records/digest.h"
#include "records/sign.h"
#include "review/review_int.h"

#define KIND REVIEW_KIND

/* One event as read from the chain (newest first while collecting). */
struct event {
	json_t *json;
	char *raw;
	char *sig;
	git_oid commit;
};

struct events {
	struct event *v;
	size_t n, alloc;
};

int
review_check_branch(const char *branch)
{
	struct buf ref = BUF_INIT;
	int valid = 0;

	buf_printf(&ref, "refs/heads/%s", branch);
	if (*branch && *branch != '-' && git_reference_name_is_valid(&valid, ref.ptr) < 0)
		valid = 0;
	buf_release(&ref);
	return valid ? 0 : err_set(-E_INVALID, "'%s' is not a valid branch name", branch);
}

/* "2026-11-27T10:00:00Z" (what records hold) to a time; 0 when malformed. */
static time_t
parse_time(const char *iso)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (!iso || !(end = strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm)) || *end)
		return 0;
	return timegm(&tm);
}

/* Adds who and when to ev and appends it to branch's chain. ev is taken. */
static int
append(struct repo *r, const char *branch, json_t *ev, const char *summary)
{
	struct buf subject = BUF_INIT;
	git_signature *who = NULL;
	char at[32];
	time_t t;
	int rc;

	if ((rc = review_check_branch(branch)) < 0 ||
	    (rc = repo_signature(r, "COMMITTER", &who)) < 0)
		goto out;
	t = (time_t)who->when.time;
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_object_set_new(ev, "branch", json_string(branch));
	json_object_set_new(ev, "by", json_string(who->email));
	json_object_set_new(ev, "name", json_string(who->name));
	json_object_set_new(ev, "at", json_string(at));
	buf_printf(&subject, "branch:%s", branch);
	rc = records_append(r, KIND, subject.ptr, ev, summary, NULL);
out:
	json_decref(ev);
	git_signature_free(who);
	buf_release(&subject);
	return rc;
}

int
review_request(struct repo *r, const char *branch, const char *base, const git_oid *head)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct buf summary = BUF_INIT;
	int rc;

	git_oid_tostr(hex, sizeof(hex), head);
	buf_printf(&summary, "review requested: %s at %.8s", branch, hex);
	rc = append(r, branch, json_pack("{s:s, s:s, s:s}", "type", "request", "base", base,
	    "head", hex), summary.ptr);
	buf_release(&summary);
	return rc;
}

int
review_vote(struct repo *r, const char *branch, const git_oid *head, int approve,
    const char *message)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct buf summary = BUF_INIT;
	int rc;

	git_oid_tostr(hex, sizeof(hex), head);
	buf_printf(&summary, "%s: %s at %.8s", approve ? "approved" : "rejected", branch, hex);
	rc = append(r, branch, json_pack("{s:s, s:s, s:s}", "type", approve ? "approve" :
	    "reject", "head", hex, "message", message ? message : ""), summary.ptr);
	buf_release(&summary);
	return rc;
}

int
review_close(struct repo *r, const char *branch)
{
	struct buf summary = BUF_INIT;
	int rc;

	buf_printf(&summary, "review closed: %s", branch);
	rc = append(r, branch, json_pack("{s:s}", "type", "close"), summary.ptr);
	buf_release(&summary);
	return rc;
}

int
review_merged(struct repo *r, const char *branch, const git_oid *head, const git_oid *merge)
{
	char h[GIT_OID_HEXSZ + 1], m[GIT_OID_HEXSZ + 1];
	struct buf summary = BUF_INIT;
	int rc;

	git_oid_tostr(h, sizeof(h), head);
	git_oid_tostr(m, sizeof(m), merge);
	buf_printf(&summary, "merged: %s at %.8s as %.8s", branch, h, m);
	rc = append(r, branch, json_pack("{s:s, s:s, s:s}", "type", "merged", "head", h,
	    "merge", m), summary.ptr);
	buf_release(&summary);
	return rc;
}

/* records_walk callback: keeps each event. */
static int
collect(const struct record *rec, void *data)
{
	struct events *ev = data;

	if (ev->n == ev->alloc) {
		ev->alloc = ev->alloc ? 2 * ev->alloc : 8;
		ev->v = xrealloc(ev->v, ev->alloc * sizeof(*ev->v));
	}
	ev->v[ev->n].json = json_incref(rec->json);
	ev->v[ev->n].raw = xstrndup(rec->raw, rec->len);
	ev->v[ev->n].sig = rec->sig ? xstrdup(rec->sig) : NULL;
	git_oid_cpy(&ev->v[ev->n].commit, rec->commit);
	ev->n++;
	return 0;
}

static void
events_release(struct events *ev)
{
	size_t i;

	for (i = 0; i < ev->n; i++) {
		json_decref(ev->v[i].json);
		free(ev->v[i].raw);
		free(ev->v[i].sig);
	}
	free(ev->v);
}

/* A string field of an event, or "" (folding tolerates missing fields). */
static const char *
field(json_t *ev, const char *key)
{
	const char *s = json_string_value(json_object_get(ev, key));

	return s ? s : "";
}

static void
replace(char **slot, const char *s)
{
	free(*slot);
	*slot = xstrdup(s);
}

static void
vote_release(struct review_vote *v)
{
	free(v->by);
	free(v->name);
	free(v->head);
	free(v->message);
	free(v->sig_why);
	free(v->raw);
	free(v->sig);
}

static void
clear_votes(struct review *rv)
{
	size_t i;

	for (i = 0; i < rv->nvotes; i++)
		vote_release(&rv->votes[i]);
	free(rv->votes);
	rv->votes = NULL;
	rv->nvotes = 0;
}

/* Applies a vote: each person's latest vote replaces the earlier one. */
static void
fold_vote(struct review *rv, struct event *e, int approve)
{
	const char *by = field(e->json, "by");
	struct review_vote *v = NULL;
	size_t i;

	for (i = 0; i < rv->nvotes && !v; i++)
		if (!strcmp(rv->votes[i].by, by))
			v = &rv->votes[i];
	if (!v) {
		rv->votes = xrealloc(rv->votes, (rv->nvotes + 1) * sizeof(*rv->votes));
		v = &rv->votes[rv->nvotes++];
	} else {
		vote_release(v);
	}
	memset(v, 0, sizeof(*v));
	v->by = xstrdup(by);
	v->name = xstrdup(field(e->json, "name"));
	v->head = xstrdup(field(e->json, "head"));
	v->message = xstrdup(field(e->json, "message"));
	v->at = parse_time(field(e->json, "at"));
	v->approve = approve;
	v->signature = SIGN_NONE;
	v->raw = e->raw;
	v->sig = e->sig;
	e->raw = e->sig = NULL;
}

/* Whether s is 40 hex digits. */
static int
is_hex_oid(const char *s)
{
	return strlen(s) == GIT_OID_HEXSZ && strspn(s, "0123456789abcdef") == GIT_OID_HEXSZ;
}

/* Checks the fields an event of type needs: -E_INVALID naming the ref and
 * the record's commit otherwise. */
static int
check_event(const struct review *rv, const struct event *e, const char *type)
{
	const char *bad = NULL;
	int valid = 0;

	if (!strcmp(type, "request"))
		git_branch_name_is_valid(&valid, field(e->json, "branch"));
	if (!*field(e->json, "by"))
		bad = "no 'by'";
	else if (!parse_time(field(e->json, "at")))
		bad = "no valid 'at' time";
	else if (strcmp(type, "close") && strcmp(type, "merged") &&
	    !is_hex_oid(field(e->json, "head")))
		bad = "no valid 'head' commit";
	else if (!strcmp(type, "request") && (!valid || !*field(e->json, "base")))
		bad = "no valid 'branch' and 'base'";
	if (!bad)
		return 0;
	return err_set(-E_INVALID, "%s: record %s is not a valid %s: %s", rv->ref,
	    repo_short(&e->commit), type, bad);
}

/* Folds the events (newest first in ev) into rv; -E_INVALID for an event
 * of no known type or missing fields, or a chain that never had a request. */
static int
fold(struct review *rv, struct events *ev)
{
	size_t i;
	int opened = 0;

	for (i = ev->n; i-- > 0;) {
		struct event *e = &ev->v[i];
		const char *type = field(e->json, "type");

		if (strcmp(type, "request") && strcmp(type, "approve") && strcmp(type, "reject") &&
		    strcmp(type, "close") && strcmp(type, "merged"))
			return err_set(-E_INVALID, "%s: a record of unknown type '%s'", rv->ref, type);
		if (check_event(rv, e, type) < 0)
			return -E_INVALID;
		if (!strcmp(type, "request")) {
			if (!opened || rv->state != REVIEW_OPEN) {
				/* a new round: the last round's votes are history */
				clear_votes(rv);
				rv->at = parse_time(field(e->json, "at"));
				replace(&rv->author, field(e->json, "by"));
				replace(&rv->author_name, field(e->json, "name"));
			}
			replace(&rv->branch, field(e->json, "branch"));
			replace(&rv->base, field(e->json, "base"));
			replace(&rv->head, field(e->json, "head"));
			rv->state = REVIEW_OPEN;
			opened = 1;
		} else if (!strcmp(type, "approve") || !strcmp(type, "reject")) {
			fold_vote(rv, e, type[0] == 'a');
		} else if (!strcmp(type, "close")) {
			rv->state = REVIEW_CLOSED;
		} else if (!strcmp(type, "merged")) {
			rv->state = REVIEW_MERGED;
			replace(&rv->merge, field(e->json, "merge"));
		}
	}
	if (!opened)
		return err_set(-E_INVALID, "%s: reviews without a request", rv->ref);
	return 0;
}

/* Loads the chain at tip into out (review_int.h). */
int
review_load_tip(struct repo *r, const char *ref, const git_oid *tip, struct review *out)
{
	struct events ev = { NULL, 0, 0 };
	const char *d = digest_get(r, DIGEST_REVIEWS, tip);
	char *line = NULL;
	int rc;

	if (d && review_decode(d, ref, out) == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	out->ref = xstrdup(ref);
	if ((rc = records_walk_tip(r, ref, tip, collect, &ev)) == 0)
		rc = fold(out, &ev);
	events_release(&ev);
	if (rc < 0) {
		review_release(out);
		return rc;
	}
	if (!d && (line = review_encode(out)))
		digest_put(r, DIGEST_REVIEWS, tip, line);
	free(line);
	return 0;
}

int
review_load(struct repo *r, const char *branch, struct review *out)
{
	struct buf subject = BUF_INIT, ref = BUF_INIT;
	git_oid tip;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_printf(&subject, "branch:%s", branch);
	if ((rc = review_check_branch(branch)) < 0 ||
	    (rc = records_ref(KIND, subject.ptr, &ref)) < 0)
		goto out;
	if (refs_resolve(r, ref.ptr, &tip) < 0)
		rc = err_set(-E_NOTFOUND, "no review was requested for '%s'", branch);
	else
		rc = review_load_tip(r, ref.ptr, &tip, out);
out:
	buf_release(&subject);
	buf_release(&ref);
	return rc;
}

void
review_release(struct review *rv)
{
	size_t i;

	for (i = 0; i < rv->nvotes; i++)
		vote_release(&rv->votes[i]);
	free(rv->votes);
	free(rv->branch);
	free(rv->base);
	free(rv->head);
	free(rv->author);
	free(rv->author_name);
	free(rv->merge);
	free(rv->ref);
	memset(rv, 0, sizeof(*rv));
}

int
review_check_signatures(struct review *rv, const char *allowed)
{
	struct buf principal = BUF_INIT, why = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < rv->nvotes && rc == 0; i++) {
		struct review_vote *v = &rv->votes[i];
		enum sign_verdict verdict = SIGN_NONE;

		buf_reset(&principal);
		buf_reset(&why);
		rc = sign_verify(allowed, v->raw, strlen(v->raw), v->sig, &verdict, &principal,
		    &why);
		if (rc == 0 && verdict == SIGN_GOOD && strcmp(principal.ptr, v->by)) {
			verdict = SIGN_BAD;
			buf_reset(&why);
			buf_printf(&why, "signed by '%s', not by '%s'", principal.ptr, v->by);
		}
		v->signature = (int)verdict;
		free(v->sig_why);
		v->sig_why = verdict == SIGN_GOOD ? NULL : xstrdup(why.len ? why.ptr : "unsigned");
	}
	buf_release(&principal);
	buf_release(&why);
	return rc;
}

void
review_count(const struct review *rv, const char *head, int signed_only,
    size_t *fresh, size_t *stale, int *rejected)
{
	size_t i;

	*fresh = *stale = 0;
	*rejected = 0;
	for (i = 0; i < rv->nvotes; i++) {
		const struct review_vote *v = &rv->votes[i];

		if (!strcmp(v->by, rv->author))
			continue;	/* one's own review never counts */
		if (signed_only && v->signature != SIGN_GOOD)
			continue;
		if (strcmp(v->head, head)) {
			*stale += v->approve;
			continue;
		}
		if (v->approve)
			(*fresh)++;
		else
			*rejected = 1;
	}
}

const char *
review_state_name(const struct review *rv, const char *head, size_t need, int signed_only)
{
	size_t fresh, stale;
	int rejected;

	if (rv->state == REVIEW_MERGED)
		return "merged";
	if (rv->state == REVIEW_CLOSED)
		return "closed";
	review_count(rv, head, signed_only, &fresh, &stale, &rejected);
	if (rejected)
		return "changes requested";
	if (fresh >= need)
		return "approved";
	return stale ? "stale approval" : "needs review";
}
