/* status.c - `slipway status`: versions, heads, and whether a release would merge. */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "compat/compat.h"
#include "gate/gate.h"
#include "review/review.h"
#include "lib/err.h"
#include "lib/util.h"
#include "release/release.h"

static const char usage[] = "slipway status [--remote NAME]";

/* Prints one head: short id and subject. */
static void
print_head(struct repo *r, const char *label, const git_oid *oid)
{
	git_commit *c = NULL;

	printf("%-9s %s %s", label, repo_short(oid),
	    git_commit_lookup(&c, r->git, oid) == 0 ? git_commit_summary(c) : "");
	git_commit_free(c);
}

/* The protocol's first rule of the day: others' reviews before own work.
 * Counting them reads many records; it runs in a thread, with its own
 * repository handle, while the remote is read (ls-remote, a child). */
struct waiting {
	const char *remote;
	char *me;
	size_t n;
	struct strvec bad;
	pthread_t th;
	int started;
};

static void *
count_waiting(void *arg)
{
	struct waiting *w = arg;
	struct repo r = REPO_INIT;

	if (w->me && repo_open(&r) == 0)
		review_waiting(&r, w->remote, w->me, &w->n, &w->bad);
	repo_release(&r);
	err_clear();
	return NULL;
}

static void
start_waiting(struct repo *r, const char *remote, struct waiting *w)
{
	git_signature *me = NULL;

	w->remote = remote;
	if (repo_signature(r, "COMMITTER", &me) == 0)
		w->me = xstrdup(me->email);
	err_clear();
	git_signature_free(me);
	w->started = pthread_create(&w->th, NULL, count_waiting, w) == 0;
	if (!w->started)
		count_waiting(w);
}

static void
print_waiting(struct waiting *w)
{
	size_t i;

	if (w->started)
		pthread_join(w->th, NULL);
	if (w->n)
		printf("%zu review%s wait%s for you: see 'slipway queue', they come before your "
		    "own work\n", w->n, w->n == 1 ? "" : "s", w->n == 1 ? "s" : "");
	for (i = 0; i < w->bad.nr; i++)
		fprintf(stderr, "warning: %s\n", w->bad.v[i]);
	strvec_clear(&w->bad);
	free(w->me);
}

/* The latest CD result on a head, when one was recorded. */
static void
print_cd(struct repo *r, const git_oid *head)
{
	struct buf why = BUF_INIT;

	if (gate_pipeline_status(r, "cd", head, &why) >= 0)
		printf("%10s%s\n", "", why.ptr);
	err_clear();
	buf_release(&why);
}

/* The compat version as staging has it, and where it comes from. */
static void
print_compat(struct repo *r, struct release_plan *plan)
{
	struct compat c = COMPAT_INIT;

	if (compat_read(r, plan->cfg, &plan->staging, &c) < 0)
		printf("compat    cannot be read: %s\n", err_msg());
	else if (c.version)
		printf("compat    %s (%s)\n", c.version, c.from);
	err_clear();
	compat_release(&c);
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "remote", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct waiting waiting = { NULL, NULL, 0, STRVEC_INIT, 0, 0 };
	struct release_plan plan = RELEASE_PLAN_INIT;
	struct project proj = PROJECT_INIT;
	struct repo repo = REPO_INIT;
	struct strvec next = STRVEC_INIT;
	const char *remote = NULL;
	int opt, rc;
	size_t i;

	while ((opt = getopt_long(argc, argv, ":r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': remote = optarg; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (optind != argc)
		return cmd_too_many(argv, argv[optind], usage);
	if ((rc = repo_open(&repo)) < 0 || (rc = project_load(&repo, &proj)) < 0)
		goto out;
	start_waiting(&repo, remote ? remote : proj.remote, &waiting);
	rc = release_read(&repo, &proj, remote ? remote : proj.remote, &plan);
	print_waiting(&waiting);
	print_notes(&plan.notes, 0);
	if (rc < 0 && rc != -E_CONFLICT)
		goto out;
	printf("remote    %s (read just now)\n", plan.remote);
	print_head(&repo, proj.production, &plan.master);
	if (plan.has_current)
		printf(" - version %s (%s)\n", plan.current_text, plan.current_from);
	else
		printf(" - no version yet\n");
	print_cd(&repo, &plan.master);
	print_head(&repo, proj.staging, &plan.staging);
	printf(" - %zu commit%s ahead of %s\n", plan.ahead, plan.ahead == 1 ? "" : "s",
	    proj.production);
	print_cd(&repo, &plan.staging);
	print_compat(&repo, &plan);
	if (rc == -E_CONFLICT) {
		printf("release   would conflict in %zu file%s:\n", plan.conflicts.nr,
		    plan.conflicts.nr == 1 ? "" : "s");
		for (i = 0; i < plan.conflicts.nr; i++)
			printf("            %s\n", plan.conflicts.v[i]);
		printf("          merge %s into %s and resolve them first\n",
		    plan.production_label, proj.staging);
		err_clear();
		rc = 0;
	} else if (!plan.ahead) {
		printf("release   nothing to release: %s has nothing %s lacks\n", proj.staging,
		    proj.production);
	} else {
		release_suggest(&plan, &next);
		printf("release   merges cleanly; next: slipway release %s\n", next.v[0]);
	}
	print_sync_age(&repo);
out:
	strvec_clear(&next);
	release_plan_release(&plan);
	project_release(&proj);
	repo_release(&repo);
	return rc;
}
