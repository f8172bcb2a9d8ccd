/* gate.c - `slipway gate`: evaluate the merge rule for a branch and explain each fact. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "gate/gate.h"
#include "lib/err.h"
#include "project/project.h"
#include "review/review.h"

static const char usage[] = "slipway gate [BRANCH]";

/* Prints the report: the rule, one line per fact with its evidence, the verdict. */
void
print_gate_report(const struct gate_report *rep)
{
	int f;

	printf("rule: %s\n", rep->rule);
	for (f = 0; f < GATE_NFACTS; f++) {
		if (!(rep->named & (1u << f)))
			continue;
		const char *p = rep->why[f].ptr;
		size_t n = strcspn(p, "\n");

		printf("  %-7s %-4s %.*s\n", gate_fact_name((enum gate_fact)f),
		    rep->facts & (1u << f) ? "yes" : "no", (int)n, p);
		for (p += n; *p == '\n'; p += n) {
			n = strcspn(++p, "\n");
			printf("%15s%.*s\n", "", (int)n, p);
		}
	}
	printf("verdict: %s\n", rep->pass ? "pass" : "fail");
}

/* Fills s with branch's head and staging's head as this clone knows them. */
int
gate_subject_local(struct repo *r, struct project *p, const char *branch,
    struct gate_subject *s, git_oid *staging, struct buf *label)
{
	int rc;

	s->branch = branch;
	s->staging = NULL;
	s->review = NULL;
	if ((rc = review_check_branch(branch)) < 0 ||
	    (rc = repo_branch_head(r, p->remote, branch, &s->head, label)) < 0)
		return rc;
	if (repo_branch_head(r, p->remote, p->staging, staging, NULL) == 0)
		s->staging = staging;
	err_clear();
	return 0;
}

int
cmd_gate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gate_report rep = GATE_REPORT_INIT;
	struct project proj = PROJECT_INIT;
	struct repo repo = REPO_INIT;
	struct buf current = BUF_INIT, label = BUF_INIT;
	struct gate_subject s;
	git_oid staging;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (argc - optind > 1)
		return cmd_too_many(argv, argv[optind + 1], usage);
	if ((rc = repo_open(&repo)) < 0 || (rc = project_load(&repo, &proj)) < 0)
		goto out;
	if (optind == argc && (rc = repo_current_branch(&repo, &current)) < 0)
		goto out;
	if ((rc = gate_subject_local(&repo, &proj, optind < argc ? argv[optind] : current.ptr,
	    &s, &staging, &label)) < 0 ||
	    (rc = gate_evaluate(&repo, &proj.cfg, &s, &rep)) < 0)
		goto out;
	printf("gate for %s at %s (%s)\n", s.branch, repo_short(&s.head), label.ptr);
	print_gate_report(&rep);
	print_sync_age(&repo);
	rc = rep.pass ? 0 : 1;
out:
	gate_report_release(&rep);
	buf_release(&current);
	buf_release(&label);
	project_release(&proj);
	repo_release(&repo);
	return rc;
}
