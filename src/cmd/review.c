/* review.c - `slipway review`: request a review, approve, reject, list, close. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "lib/err.h"
#include "lib/util.h"
#include "project/project.h"
#include "review/review.h"

static const char usage[] =
    "slipway review request [BRANCH] [--base BRANCH] [--no-sync]\n"
    "   or: slipway review approve|reject BRANCH [-m MESSAGE] [--no-sync]\n"
    "   or: slipway review close BRANCH [--no-sync]\n"
    "   or: slipway review list [--all]";

/* What the command line said. */
struct args {
	const char *sub;
	const char *branch;
	const char *base;
	const char *message;
	int no_sync;
	int all;
};

static int
parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "message", required_argument, NULL, 'm' },
		{ "no-sync", no_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, ":b:m:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': a->base = optarg; break;
		case 'm': a->message = optarg; break;
		case 'n': a->no_sync = 1; break;
		case 'a': a->all = 1; break;
		case 'h': printf("usage: %s\n", usage); return 1;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (optind == argc) {
		fprintf(stderr, "slipway: review: request, approve, reject, list or close?\n");
		return cmd_usage(usage);
	}
	a->sub = argv[optind++];
	if (optind < argc)
		a->branch = argv[optind++];
	if (optind < argc)
		return cmd_too_many(argv, argv[optind], usage);
	if (a->branch && !strcmp(a->sub, "list"))
		return cmd_too_many(argv, a->branch, usage);
	if (strcmp(a->sub, "request") && strcmp(a->sub, "approve") && strcmp(a->sub, "reject") &&
	    strcmp(a->sub, "list") && strcmp(a->sub, "close")) {
		fprintf(stderr, "slipway: review: unknown subcommand '%s'\n", a->sub);
		return cmd_usage(usage);
	}
	if (!a->branch && (!strcmp(a->sub, "approve") || !strcmp(a->sub, "reject") ||
	    !strcmp(a->sub, "close"))) {
		fprintf(stderr, "slipway: review: %s which branch?\n", a->sub);
		return cmd_usage(usage);
	}
	if ((a->base && strcmp(a->sub, "request")) || (a->message && strcmp(a->sub, "approve") &&
	    strcmp(a->sub, "reject")) || (a->all && strcmp(a->sub, "list"))) {
		fprintf(stderr, "slipway: review: that option does not go with '%s'\n", a->sub);
		return cmd_usage(usage);
	}
	return 0;
}

static int
request(struct repo *r, struct project *p, struct args *a, const char *branch)
{
	const char *base = a->base ? a->base : p->staging;
	struct buf label = BUF_INIT;
	git_oid head;
	int rc;

	if ((rc = review_check_branch(branch)) < 0 || (rc = review_check_branch(base)) < 0 ||
	    (rc = repo_branch_head(r, p->remote, branch, &head, &label)) < 0)
		goto out;
	if (!strcmp(branch, base) || !strcmp(branch, p->production)) {
		rc = err_set(-E_INVALID, "'%s' is not a feature branch", branch);
		goto out;
	}
	if ((rc = review_request(r, branch, base, &head)) < 0)
		goto out;
	printf("review requested: %s at %s (%s) into %s\n", branch, repo_short(&head), label.ptr,
	    base);
	rc = share_records(r, p->remote, a->no_sync);
out:
	buf_release(&label);
	return rc;
}

/* Loads the open request of branch, syncing once when it is not here. */
static int
load_open(struct repo *r, struct project *p, struct args *a, struct review *rv)
{
	int rc = review_load(r, a->branch, rv);

	if (rc == -E_NOTFOUND && !a->no_sync && (rc = share_records(r, p->remote, 0)) == 0)
		rc = review_load(r, a->branch, rv);
	if (rc == -E_NOTFOUND) {
		err_hint("its author asks with 'slipway review request %s'", a->branch);
		return rc;
	}
	if (rc == 0 && rv->state != REVIEW_OPEN) {
		rc = err_set(-E_REFUSED, "the review of '%s' is %s", a->branch,
		    rv->state == REVIEW_MERGED ? "merged" : "closed");
		review_release(rv);
	}
	return rc;
}

static int
vote(struct repo *r, struct project *p, struct args *a)
{
	int approve = !strcmp(a->sub, "approve");
	git_signature *me = NULL;
	struct review rv;
	git_oid head;
	int rc;

	if ((rc = review_check_branch(a->branch)) < 0 ||
	    (rc = repo_branch_head(r, p->remote, a->branch, &head, NULL)) < 0 ||
	    (rc = load_open(r, p, a, &rv)) < 0)
		return rc;
	if ((rc = repo_signature(r, "COMMITTER", &me)) < 0 ||
	    (rc = review_vote(r, a->branch, &head, approve, a->message)) < 0)
		goto out;
	printf("%s %s at %s\n", approve ? "approved" : "rejected", a->branch, repo_short(&head));
	if (!strcmp(me->email, rv.author))
		fprintf(stderr, "note: '%s' is your own branch: your review does not count "
		    "for the gate\n", a->branch);
	rc = share_records(r, p->remote, a->no_sync);
out:
	git_signature_free(me);
	review_release(&rv);
	return rc;
}

static int
close_request(struct repo *r, struct project *p, struct args *a)
{
	struct review rv;
	int rc;

	if ((rc = review_check_branch(a->branch)) < 0 || (rc = load_open(r, p, a, &rv)) < 0)
		return rc;
	review_release(&rv);
	if ((rc = review_close(r, a->branch)) < 0)
		return rc;
	printf("closed the review of %s\n", a->branch);
	return share_records(r, p->remote, a->no_sync);
}

/* What `review list` prints per request. */
struct listing {
	struct repo *r;
	struct project *p;
	int all;
	size_t shown;
};

static int
list_one(struct review *rv, void *data)
{
	struct listing *l = data;
	struct buf age = BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid head;

	if (rv->state != REVIEW_OPEN && !l->all)
		return 0;
	if (repo_branch_head(l->r, l->p->remote, rv->branch, &head, NULL) < 0) {
		err_clear();
		git_oid_fromstr(&head, rv->head);
	}
	git_oid_tostr(hex, sizeof(hex), &head);
	format_age((long long)(time(NULL) - rv->at), &age);
	printf("%-30s %-24s %-10s %s\n", rv->branch, rv->author, age.ptr,
	    review_state_name(rv, hex, (size_t)atoi(config_get(&l->p->cfg, "gate.approvals",
	    "1")), 0));
	buf_release(&age);
	l->shown++;
	return 0;
}

static int
list(struct repo *r, struct project *p, struct args *a)
{
	struct listing l = { r, p, a->all, 0 };
	struct strvec bad = STRVEC_INIT;
	size_t i;
	int rc;

	rc = review_each(r, !a->all, &bad, list_one, &l);
	if (rc == 0 && !l.shown)
		printf("no %sreview requests\n", a->all ? "" : "open ");
	for (i = 0; i < bad.nr; i++)
		fprintf(stderr, "warning: %s\n", bad.v[i]);
	print_sync_age(r);
	strvec_clear(&bad);
	return rc;
}

int
cmd_review(int argc, char **argv)
{
	struct args a = { NULL, NULL, NULL, NULL, 0, 0 };
	struct project proj = PROJECT_INIT;
	struct repo repo = REPO_INIT;
	struct buf current = BUF_INIT;
	int rc;

	if ((rc = parse(argc, argv, &a)) != 0)
		return rc > 0 ? 0 : rc;
	if ((rc = repo_open(&repo)) < 0 || (rc = project_load(&repo, &proj)) < 0)
		goto out;
	if (!strcmp(a.sub, "request")) {
		if (!a.branch && (rc = repo_current_branch(&repo, &current)) < 0)
			goto out;
		rc = request(&repo, &proj, &a, a.branch ? a.branch : current.ptr);
	} else if (!strcmp(a.sub, "list")) {
		rc = list(&repo, &proj, &a);
	} else if (!strcmp(a.sub, "close")) {
		rc = close_request(&repo, &proj, &a);
	} else {
		rc = vote(&repo, &proj, &a);
	}
out:
	buf_release(&current);
	project_release(&proj);
	repo_release(&repo);
	return rc;
}
