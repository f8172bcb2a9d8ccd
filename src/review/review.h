/* review.h - review requests and reviews, as records bound to the commit reviewed. */
#ifndef SLIPWAY_REVIEW_H
#define SLIPWAY_REVIEW_H

#include <time.h>

#include "git/repo.h"
#include "lib/strvec.h"

/*
 * A branch's reviews live in one record chain, "branch:NAME" of kind
 * "review": events of type request, approve, reject, close and merged.
 * Folding them, oldest first, gives the request's state. A review is bound
 * to the head commit it looked at; once the branch moves on, it is stale.
 */

enum review_state { REVIEW_OPEN, REVIEW_CLOSED, REVIEW_MERGED };

/* One person's latest verdict. All strings owned. */
struct review_vote {
	char *by;		/* email */
	char *name;
	char *head;		/* hex of the commit reviewed */
	char *message;		/* may be "" */
	time_t at;
	int approve;		/* 1 approve, 0 reject */
	int signature;		/* enum sign_verdict, when checked (review_check_signatures) */
	char *sig_why;		/* why it does not count, when signature != SIGN_GOOD */
	char *raw, *sig;	/* the signed bytes and signature, for checking */
};

/* A branch's request, folded. All strings owned; review_release frees. */
struct review {
	char *branch;
	char *base;		/* the branch it merges into */
	char *head;		/* hex of the head when last requested */
	char *author;		/* email of who requested */
	char *author_name;
	time_t at;		/* when it was (re)opened */
	enum review_state state;
	char *merge;		/* hex of the merge commit, when merged */
	struct review_vote *votes;
	size_t nvotes;
	char *ref;		/* the chain's ref */
};

/* Checks a branch name as git check-ref-format would (refs/heads/NAME). */
int review_check_branch(const char *branch);

/* Opens (or reopens) the request for branch at head, to merge into base. */
int review_request(struct repo *r, const char *branch, const char *base, const git_oid *head);
/* Records an approval (approve = 1) or a rejection of branch at head. */
int review_vote(struct repo *r, const char *branch, const git_oid *head, int approve,
    const char *message);
/* Closes the request without a merge. */
int review_close(struct repo *r, const char *branch);
/* Marks the request merged by merge (head is the branch head merged). */
int review_merged(struct repo *r, const char *branch, const git_oid *head,
    const git_oid *merge);

/* Loads and folds the request of branch. -E_NOTFOUND when none was made. */
int review_load(struct repo *r, const char *branch, struct review *out);
/*
 * Calls fn for every branch's request (name order of their refs), or with
 * open_only for the open ones. Each chain is folded once and remembered by
 * its tip (src/records/digest.c), so a chain known closed is skipped unread. A
 * chain that cannot be read is skipped and its error (naming the ref)
 * appended to bad; the others are still listed. fn's non-zero return stops
 * and is returned; fn may keep *rv by moving it out (then zero it).
 */
int review_each(struct repo *r, int open_only, struct strvec *bad,
    int (*fn)(struct review *rv, void *data), void *data);
void review_release(struct review *rv);

/*
 * Checks each vote's signature against allowed_signers (the content of
 * .slipway/allowed_signers; may be empty), filling signature and sig_why.
 * A vote counts as signed only when the key's principal is the vote's email.
 */
int review_check_signatures(struct review *rv, const char *allowed_signers);

/* Counts the fresh (at head) approvals by people other than the author,
 * and says whether a fresh rejection stands; signed_only counts only votes
 * with signature == SIGN_GOOD. stale gets the approvals at older heads. */
void review_count(const struct review *rv, const char *head, int signed_only,
    size_t *fresh, size_t *stale, int *rejected);

/*
 * Counts others' open requests that wait for me (email): those I have not
 * voted on at their branch's head as this clone knows it (remote's branch,
 * else the local one, else the requested head). Unreadable chains are
 * skipped (and listed in bad).
 */
int review_waiting(struct repo *r, const char *remote, const char *me, size_t *n,
    struct strvec *bad);
/* Whether rv waits for me: open, someone else's, and without my vote at
 * its branch's head as this clone knows it (review_waiting counts these). */
int review_waits_for(struct repo *r, const char *remote, const struct review *rv,
    const char *me);

/* The request's state in words for lists: "merged", "closed", "changes
 * requested", "approved", "stale approval" or "needs review". */
const char *review_state_name(const struct review *rv, const char *head, size_t need,
    int signed_only);

#endif
