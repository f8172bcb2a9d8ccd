/* queue.c - `slipway queue`: others' pending reviews first, oldest first; yours apart. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "gate/gate.h"
#include "lib/err.h"
#include "lib/util.h"
#include "project/project.h"
#include "review/review.h"

static const char usage[] = "slipway queue";

/* The open requests, taken out of review_each. */
struct pending {
	struct review *v;
	size_t n, alloc;
};

static int
keep_open(struct review *rv, void *data)
{
	struct pending *p = data;

	if (rv->state != REVIEW_OPEN)
		return 0;
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->v = xrealloc(p->v, p->alloc * sizeof(*p->v));
	}
	p->v[p->n++] = *rv;
	memset(rv, 0, sizeof(*rv));
	return 0;
}

static int
oldest_first(const void *a, const void *b)
{
	const struct review *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at ? 1 : strcmp(x->branch, y->branch);
}

/* Prints one request: age (marked when overdue), state, what the gate lacks. */
static int
print_one(struct repo *r, struct project *p, struct review *rv, long remind)
{
	struct gate_report rep = GATE_REPORT_INIT;
	struct buf age = BUF_INIT, lacks = BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	struct gate_subject s;
	git_oid staging;
	long long waited = (long long)(time(NULL) - rv->at);
	int rc;

	if ((rc = gate_subject_local(r, p, rv->branch, &s, &staging, NULL)) < 0) {
		/* the branch is gone here: show the request as it was made */
		err_clear();
		s.branch = rv->branch;
		s.staging = NULL;
		if (git_oid_fromstr(&s.head, rv->head) < 0)
			memset(&s.head, 0, sizeof(s.head));
	}
	s.review = rv;	/* signatures checked by the gate serve the state too */
	if ((rc = gate_evaluate(r, &p->cfg, &s, &rep)) < 0 ||
	    (!(rep.named & (1u << GATE_REVIEW)) &&
	    (rc = gate_check_signatures(r, &p->cfg, s.staging, rv)) < 0))
		goto out;
	git_oid_tostr(hex, sizeof(hex), &s.head);
	format_age(waited, &age);
	gate_report_lacks(&rep, &lacks);
	printf("  %c %-28s %-22s %-14s %-17s %s%s\n", waited > remind ? '!' : ' ', rv->branch,
	    rv->author, age.ptr, review_state_name(rv, hex, (size_t)atoi(config_get(&p->cfg,
	    "gate.approvals", "1")), config_bool(config_get(&p->cfg, "gate.require-signed",
	    "false")) == 1), rep.pass ? "gate passes" : "gate lacks ", lacks.ptr);
out:
	gate_report_release(&rep);
	buf_release(&age);
	buf_release(&lacks);
	return rc;
}

/* The parts of the queue, in the order printed. */
enum part { WAITING, REVIEWED, MINE };

/* Which part rv belongs to for me: mine, others' I reviewed at their
 * current head (they wait for someone else), or waiting for me. */
static enum part
part_of(struct repo *r, struct project *p, const struct review *rv, const char *me)
{
	if (!strcmp(rv->author, me))
		return MINE;
	return review_waits_for(r, p->remote, rv, me) ? WAITING : REVIEWED;
}

/* Prints one part of the queue (with its heading). */
static int
print_part(struct repo *r, struct project *p, struct pending *q, const enum part *parts,
    enum part which, long remind, size_t *overdue)
{
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; i < q->n; i++)
		n += parts[i] == which;
	if (which == WAITING)
		printf("waiting for you (%zu)%s\n", n, n ? ":" : ": nothing, on with your own work");
	else if (which == REVIEWED && n)
		printf("\nreviewed by you at their head, waiting for others (%zu):\n", n);
	else if (which == MINE && n)
		printf("\nyours (%zu):\n", n);
	for (i = 0; i < q->n && rc == 0; i++) {
		if (parts[i] != which)
			continue;
		if (which == WAITING && (long long)(time(NULL) - q->v[i].at) > remind)
			(*overdue)++;
		rc = print_one(r, p, &q->v[i], remind);
	}
	return rc;
}

int
cmd_queue(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct project proj = PROJECT_INIT;
	struct repo repo = REPO_INIT;
	struct strvec bad = STRVEC_INIT;
	struct pending q = { NULL, 0, 0 };
	git_signature *me = NULL;
	enum part *parts = NULL;
	size_t i, overdue = 0;
	long remind;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (optind != argc)
		return cmd_too_many(argv, argv[optind], usage);
	if ((rc = repo_open(&repo)) < 0 || (rc = project_load(&repo, &proj)) < 0 ||
	    (rc = repo_signature(&repo, "COMMITTER", &me)) < 0 ||
	    (rc = review_each(&repo, 1, &bad, keep_open, &q)) < 0)
		goto out;
	remind = config_duration(config_get(&proj.cfg, "review.remind-after", "24h"));
	qsort(q.v, q.n, sizeof(*q.v), oldest_first);
	parts = q.n ? xcalloc(q.n, sizeof(*parts)) : NULL;
	for (i = 0; i < q.n; i++)
		parts[i] = part_of(&repo, &proj, &q.v[i], me->email);
	if ((rc = print_part(&repo, &proj, &q, parts, WAITING, remind, &overdue)) < 0 ||
	    (rc = print_part(&repo, &proj, &q, parts, REVIEWED, remind, &overdue)) < 0 ||
	    (rc = print_part(&repo, &proj, &q, parts, MINE, remind, &overdue)) < 0)
		goto out;
	if (overdue) {
		struct buf d = BUF_INIT;

		format_age(remind, &d);
		printf("\n! %zu request%s waited more than %s: review %s first\n", overdue,
		    overdue == 1 ? " has" : "s have", d.ptr, overdue == 1 ? "it" : "them");
		buf_release(&d);
	}
	for (i = 0; i < bad.nr; i++)
		fprintf(stderr, "warning: %s\n", bad.v[i]);
	print_sync_age(&repo);
out:
	for (i = 0; i < q.n; i++)
		review_release(&q.v[i]);
	free(q.v);
	free(parts);
	strvec_clear(&bad);
	git_signature_free(me);
	project_release(&proj);
	repo_release(&repo);
	return rc;
}
