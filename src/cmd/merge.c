/* merge.c - `slipway merge`: the gated merge of a branch into staging, pushed atomically. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "gate/merge.h"
#include "lib/err.h"
#include "pipeline/pipeline.h"
#include "records/sync.h"
#include "review/review.h"

static const char usage[] =
    "slipway merge BRANCH [--dry-run] [--remote NAME] [--no-sync]";

/*
 * gate.review-first: while others' requests wait, merging your own branch
 * warns (warn) or is refused (block). The branch is yours when you asked
 * for its review, or when nobody did.
 */
static int
review_first(struct repo *r, struct merge_plan *plan)
{
	const char *mode = config_get(plan->cfg, "gate.review-first", "warn");
	struct strvec bad = STRVEC_INIT;
	git_signature *me = NULL;
	struct review rv;
	size_t n = 0;
	int rc = 0, mine = 1;

	if (!strcmp(mode, "off") || repo_signature(r, "COMMITTER", &me) < 0) {
		err_clear();
		return 0;
	}
	if (review_load(r, plan->branch, &rv) == 0) {
		mine = !strcmp(rv.author, me->email);
		review_release(&rv);
	}
	err_clear();
	if (mine && review_waiting(r, plan->remote, me->email, &n, &bad) == 0 && n) {
		if (!strcmp(mode, "block")) {
			rc = err_set(-E_REFUSED, "%zu review%s of others wait%s for you "
			    "(gate.review-first = block)", n, n == 1 ? "" : "s", n == 1 ? "s" : "");
			err_hint("review them first: slipway queue");
		} else {
			fprintf(stderr, "note: %zu review%s of others wait%s for you: they come "
			    "first (slipway queue)\n", n, n == 1 ? "" : "s", n == 1 ? "s" : "");
		}
	}
	if (rc == 0)
		err_clear();
	strvec_clear(&bad);
	git_signature_free(me);
	return rc;
}

/* gate.test-merge: the merged tree passes CI before it is pushed. */
static int
test_merge(struct repo *r, const struct project *p, struct merge_plan *plan)
{
	static const char *const ci[] = { "ci", NULL };
	char hex[GIT_OID_HEXSZ + 1];
	struct plan_opts po = { hex, p->staging, ci, NULL, 0 };
	struct run_opts ro = { NULL, 0, 0, NULL, NULL };
	struct buf why = BUF_INIT;
	int rc = 0;

	git_oid_tostr(hex, sizeof(hex), &plan->commit);
	if (gate_pipeline_status(r, "ci", &plan->commit, &why) == 1) {
		printf("test-merge: the merged tree passed already: %s\n", why.ptr);
		goto out;
	}
	err_clear();
	printf("test-merge: running ci on the merge %s before pushing it\n",
	    repo_short(&plan->commit));
	fflush(stdout);
	if ((rc = merge_keep_objects(r, plan)) < 0)
		goto out;
	if ((rc = run_and_show(r, &po, &ro, 0)) == -E_REFUSED)
		rc = err_set(-E_REFUSED, "the merged tree did not pass ci; nothing was merged");
out:
	buf_release(&why);
	return rc;
}

static int
run_merge(struct repo *r, struct project *p, const char *remote, const char *branch,
    int dry_run, int no_sync)
{
	struct merge_plan plan = MERGE_PLAN_INIT;
	struct sync_stats st;
	size_t i;
	int rc;

	if (!dry_run && !no_sync && (rc = records_sync(r, remote, &st)) < 0)
		goto out;
	if ((rc = merge_read(r, p, remote, branch, &plan)) < 0)
		goto out;
	printf("gate for %s at %s (%s)\n", branch, repo_short(&plan.head), remote);
	print_gate_report(&plan.gate);
	if (plan.merged_already) {
		printf("nothing to merge: %s already contains %s\n", p->staging, branch);
		goto out;
	}
	if (!plan.gate.pass) {
		rc = err_set(-E_REFUSED, "'%s' does not pass the gate; nothing was merged", branch);
		goto out;
	}
	if ((rc = review_first(r, &plan)) < 0)
		goto out;
	if ((rc = merge_build(r, &plan)) == -E_CONFLICT) {
		printf("conflicts in %zu file%s:\n", plan.conflicts.nr,
		    plan.conflicts.nr == 1 ? "" : "s");
		for (i = 0; i < plan.conflicts.nr; i++)
			printf("  %s\n", plan.conflicts.v[i]);
		err_hint("merge %s/%s into %s, resolve, push, and run 'slipway merge %s' again",
		    remote, p->staging, branch, branch);
	}
	if (rc < 0)
		goto out;
	if (dry_run) {
		printf("would merge %s into %s (%s) as %s; nothing pushed (dry run)\n", branch,
		    p->staging, remote, repo_short(&plan.commit));
		goto out;
	}
	if (config_bool(config_get(plan.cfg, "gate.test-merge", "false")) == 1 &&
	    (rc = test_merge(r, p, &plan)) < 0)
		goto out;
	if ((rc = merge_publish(r, &plan)) < 0)
		goto out;
	printf("merged %s at %s", branch, repo_short(&plan.head));
	printf(" into %s: %s\n", p->staging, repo_short(&plan.commit));
out:
	print_notes(&plan.notes, 0);
	merge_plan_release(&plan);
	return rc;
}

int
cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "remote", required_argument, NULL, 'r' },
		{ "no-sync", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct project proj = PROJECT_INIT;
	struct repo repo = REPO_INIT;
	const char *remote = NULL;
	int opt, rc, dry_run = 0, no_sync = 0;

	while ((opt = getopt_long(argc, argv, ":nr:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': dry_run = 1; break;
		case 'r': remote = optarg; break;
		case 's': no_sync = 1; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (optind == argc) {
		fprintf(stderr, "slipway: merge: which branch?\n");
		return cmd_usage(usage);
	}
	if (argc - optind > 1)
		return cmd_too_many(argv, argv[optind + 1], usage);
	if ((rc = repo_open(&repo)) < 0 || (rc = project_load(&repo, &proj)) < 0)
		goto out;
	rc = run_merge(&repo, &proj, remote ? remote : proj.remote, argv[optind], dry_run,
	    no_sync);
out:
	project_release(&proj);
	repo_release(&repo);
	return rc;
}
