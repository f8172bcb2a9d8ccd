/* each.c - walking every branch's request; counting those that wait for me. */
#include "review/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/refs.h"
#include "lib/err.h"
#include "lib/util.h"
#include "records/digest.h"
#include "review/review_int.h"

struct each {
	struct repo *r;
	struct strvec *bad;
	int (*fn)(struct review *rv, void *data);
	void *data;
	int open_only;
};

static int
each_ref(const char *name, const git_oid *oid, void *data)
{
	struct each *e = data;
	const char *d;
	struct review rv;
	int rc;

	/* a closed one is known by its digest's first letter, unparsed */
	if (e->open_only && (d = digest_get(e->r, DIGEST_REVIEWS, oid)) && *d == 'c')
		return 0;
	if (review_load_tip(e->r, name, oid, &rv) < 0) {
		strvec_push(e->bad, err_msg());
		err_clear();
		return 0;
	}
	rc = e->open_only && rv.state != REVIEW_OPEN ? 0 : e->fn(&rv, e->data);
	review_release(&rv);
	return rc;
}

int
review_each(struct repo *r, int open_only, struct strvec *bad,
    int (*fn)(struct review *rv, void *data), void *data)
{
	struct each e = { r, bad, fn, data, open_only };

	return refs_list(r, "refs/slipway/" REVIEW_KIND "/", each_ref, &e);
}

struct waiting {
	struct repo *r;
	const char *remote, *me;
	size_t n;
};

int
review_waits_for(struct repo *r, const char *remote, const struct review *rv, const char *me)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid head;
	size_t i;

	if (rv->state != REVIEW_OPEN || !strcmp(rv->author, me))
		return 0;
	if (repo_branch_head(r, remote, rv->branch, &head, NULL) == 0)
		git_oid_tostr(hex, sizeof(hex), &head);
	else
		snprintf(hex, sizeof(hex), "%s", rv->head);
	err_clear();
	for (i = 0; i < rv->nvotes; i++)
		if (!strcmp(rv->votes[i].by, me) && !strcmp(rv->votes[i].head, hex))
			return 0;
	return 1;
}

static int
count_waiting(struct review *rv, void *data)
{
	struct waiting *w = data;

	w->n += review_waits_for(w->r, w->remote, rv, w->me);
	return 0;
}

int
review_waiting(struct repo *r, const char *remote, const char *me, size_t *n,
    struct strvec *bad)
{
	struct waiting w = { r, remote, me, 0 };
	int rc = review_each(r, 1, bad, count_waiting, &w);

	*n = w.n;
	return rc;
}
