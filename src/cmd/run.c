/* run.c - `slipway run`: run pipelines on a commit, show them, record them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "lib/err.h"
#include "lib/util.h"
#include "pipeline/pipeline.h"

static const char usage[] =
    "slipway run [PIPELINE...] [--commit REV] [--branch NAME] [--jobs N] [--only JOB]\n"
    "                   [--keep] [--force] [--dry-run] [--plain]";

#define PARTIAL_MAX 4096	/* a line longer than this is shown in pieces */

/* What the display keeps between events. */
struct view {
	int board;		/* a live board on a terminal, else plain lines */
	int drawn;		/* board lines on screen */
	struct buf *partial;	/* per job: output not yet ended by a newline */
};

static void
print_secs(struct buf *b, long long ms)
{
	buf_printf(b, "%lld.%lld s", ms / 1000, (ms % 1000) / 100);
}

/* "pass  1.2 s", "fail  0.4 s  exit 2", "skipped  a job it needs did not pass" */
static void
job_result(const struct job *j, long long now, struct buf *b)
{
	buf_printf(b, "%-9s ", job_state_name(j->state));
	if (j->state == JOB_RUNNING)
		print_secs(b, now - j->start_ms);
	else if (j->start_ms && j->end_ms)
		print_secs(b, j->end_ms - j->start_ms);
	if ((j->state == JOB_FAIL || j->state == JOB_TIMEOUT) && j->exit)
		buf_printf(b, "  exit %d", j->exit);
	if (j->state == JOB_TIMEOUT)
		buf_printf(b, "  (timeout %lds)", j->timeout);
	if (j->why)
		buf_printf(b, "%s", j->why);
	if (j->cached_by)
		buf_printf(b, " (%.8s)", j->cached_by);
}

static void
job_line(const struct job *j, long long now, struct buf *b)
{
	buf_printf(b, "  %-24s ", j->name);
	job_result(j, now, b);
}

static void
draw_board(const struct plan *p, struct view *v)
{
	struct buf b = BUF_INIT;
	long long now = monotonic_ms();
	size_t i;

	if (v->drawn)
		buf_printf(&b, "\033[%dA", v->drawn);
	for (i = 0; i < p->njobs; i++) {
		job_line(&p->jobs[i], now, &b);
		buf_puts(&b, "\033[K\n");
	}
	fwrite(b.ptr, 1, b.len, stdout);
	fflush(stdout);
	v->drawn = (int)p->njobs;
	buf_release(&b);
}

static void
on_tick(const struct plan *p, void *data)
{
	struct view *v = data;

	if (v->board)
		draw_board(p, v);
}

static void
on_started(const struct plan *p, const struct job *j, void *data)
{
	struct view *v = data;

	if (v->board)
		draw_board(p, v);
	else
		printf("%s: started\n", j->name);
	fflush(stdout);
}

/* Plain mode: every output line, prefixed with its job's name. */
static void
on_output(const struct plan *p, const struct job *j, const char *bytes, size_t len,
    void *data)
{
	struct view *v = data;
	struct buf *part = &v->partial[j - p->jobs];
	size_t i;

	if (v->board)
		return;
	for (i = 0; i < len; i++) {
		if (bytes[i] != '\n' && part->len < PARTIAL_MAX) {
			buf_putc(part, bytes[i]);
			continue;
		}
		printf("%s | %.*s\n", j->name, (int)part->len, part->ptr ? part->ptr : "");
		buf_reset(part);
		if (bytes[i] != '\n')
			buf_putc(part, bytes[i]);
	}
	fflush(stdout);	/* a CI log shows each line as it comes */
}

static void
on_ended(const struct plan *p, const struct job *j, void *data)
{
	struct view *v = data;
	struct buf *part = &v->partial[j - p->jobs], b = BUF_INIT;

	if (v->board) {
		draw_board(p, v);
		return;
	}
	if (part->len)
		printf("%s | %.*s\n", j->name, (int)part->len, part->ptr);
	buf_reset(part);
	job_result(j, monotonic_ms(), &b);
	buf_rtrim(&b);
	printf("%s: %s\n", j->name, b.ptr);
	fflush(stdout);
	buf_release(&b);
}

/* --dry-run: the order, what runs at once, what is reused or cached. */
static void
print_plan(const struct plan *p, size_t jobs)
{
	struct buf b = BUF_INIT;
	int level = -1;
	size_t i, k;

	printf("plan for %s (branch %s, %s role); up to %zu jobs at once\n",
	    repo_short(&p->commit), *p->branch ? p->branch : "(none)", p->role, jobs);
	for (i = 0; i < p->npipelines; i++) {
		if (p->pipelines[i].reused)
			printf("pipeline %s: not run, already passed: %s\n", p->pipelines[i].name,
			    p->pipelines[i].reused);
		else
			printf("pipeline %s\n", p->pipelines[i].name);
	}
	for (i = 0; i < p->njobs; i++) {
		const struct job *j = &p->jobs[i];

		if (j->level != level) {
			level = j->level;
			printf("step %d%s\n", level + 1, level ? "" : " (at once)");
		}
		buf_reset(&b);
		buf_printf(&b, "  %-24s", j->name);
		if (j->ndeps) {
			buf_puts(&b, " needs");
			for (k = 0; k < j->ndeps; k++)
				buf_printf(&b, " %s", p->jobs[j->deps[k]].name);
		}
		if (j->when != WHEN_SUCCESS)
			buf_printf(&b, " (if %s)", j->when == WHEN_FAILURE ? "failure" : "always");
		if (j->state == JOB_CACHED)
			buf_printf(&b, " - cached: %s (%.8s)", j->why, j->cached_by);
		buf_rtrim(&b);
		printf("%s\n", b.ptr);
	}
	buf_release(&b);
}

/* The summary: each job, each pipeline's verdict, the failing job's tail. */
static int
print_summary(const struct plan *p, const char *logdir, int board)
{
	struct buf b = BUF_INIT;
	size_t i;
	int failed = 0;

	if (!board) {
		printf("\n");
		for (i = 0; i < p->njobs; i++) {
			buf_reset(&b);
			job_line(&p->jobs[i], monotonic_ms(), &b);
			buf_rtrim(&b);
			printf("%s\n", b.ptr);
		}
	}
	for (i = 0; i < p->npipelines && !p->partial; i++) {
		const char *st = p->pipelines[i].reused ? "pass (reused)" :
		    pipeline_status(p, p->pipelines[i].name);

		failed |= strncmp(st, "pass", 4) != 0;
		printf("%s %s\n", p->pipelines[i].name, st);
	}
	for (i = 0; i < p->njobs && p->partial; i++)
		failed |= p->jobs[i].state != JOB_PASS && p->jobs[i].state != JOB_CACHED;
	for (i = 0; i < p->njobs && board; i++) {
		const struct job *j = &p->jobs[i];
		const char *t = j->tail.ptr, *end = t + j->tail.len;
		int lines = 0;

		if (j->state != JOB_FAIL && j->state != JOB_TIMEOUT)
			continue;
		while (end > t && lines <= 20)
			if (*--end == '\n' && end + 1 != t + j->tail.len)
				lines++;
		if (end > t || *end == '\n')
			end++;	/* after the newline that ends the line before */
		printf("\n%s (last lines of %s):\n%.*s%s", j->name, j->log,
		    (int)(t + j->tail.len - end), end,
		    j->tail.len && t[j->tail.len - 1] != '\n' ? "\n" : "");
	}
	printf("logs: %s\n", logdir);
	buf_release(&b);
	return failed;
}

/* Runs, shows and records the plan. */
static int
run_plan(struct repo *r, struct plan *p, struct run_opts *ro, int plain)
{
	struct view v = { 0, 0, NULL };
	struct run_events ev = { on_started, on_output, on_ended, on_tick, &v };
	size_t i;
	int rc, failed, wrc;

	v.board = !plain && isatty(STDOUT_FILENO) && getenv("TERM") &&
	    strcmp(getenv("TERM"), "dumb");
	v.partial = xcalloc(p->njobs ? p->njobs : 1, sizeof(*v.partial));
	for (i = 0; i < p->npipelines; i++)
		if (p->pipelines[i].reused)
			printf("%s: not run, already passed: %s\n", p->pipelines[i].name,
			    p->pipelines[i].reused);
	if (!p->njobs) {
		printf("nothing to run; 'slipway run --force' runs it again\n");
		free(v.partial);
		return 0;
	}
	printf("run %s: %s on %s (%s)\n", ro->run_id, repo_short(&p->commit),
	    *p->branch ? p->branch : "no branch", p->role);
	fflush(stdout);
	rc = plan_run(r, p, ro, &ev);
	if (v.board)
		draw_board(p, &v);
	failed = print_summary(p, ro->logdir, v.board);
	/* a run that could not start records nothing (a cancelled one does) */
	wrc = rc < 0 && rc != -E_INTERRUPTED ? 0 : plan_record(r, p, ro->run_id);
	if (wrc == 0 && (rc == 0 || rc == -E_INTERRUPTED))
		printf("recorded; 'slipway sync' shares the results\n");
	for (i = 0; i < p->njobs; i++)
		buf_release(&v.partial[i]);
	free(v.partial);
	if (rc == 0 && wrc < 0)
		rc = wrc;
	if (rc == 0 && failed)
		rc = err_set(-E_REFUSED, "the run did not pass");
	return rc;
}

int
run_and_show(struct repo *r, const struct plan_opts *po, struct run_opts *ro, int plain)
{
	struct buf id = BUF_INIT, logdir = BUF_INIT, workdir = BUF_INIT;
	struct plan p = PLAN_INIT;
	time_t t = time(NULL);
	char stamp[32];
	int rc;

	if ((rc = plan_make(r, po, &p)) < 0)
		goto out;
	print_notes(&p.notes, 0);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&t));
	buf_printf(&id, "%s-%.8s-%d", stamp, git_oid_tostr_s(&p.commit), (int)getpid());
	buf_printf(&logdir, "%sslipway/logs/%s", r->gitdir, id.ptr);
	buf_printf(&workdir, "%sslipway/work/%s", r->gitdir, id.ptr);
	ro->run_id = id.ptr;
	ro->logdir = logdir.ptr;
	ro->workdir = workdir.ptr;
	rc = run_plan(r, &p, ro, plain);
	if (!ro->keep)
		rmdir(workdir.ptr);
	ro->run_id = ro->logdir = ro->workdir = NULL;
out:
	plan_release(&p);
	buf_release(&id);
	buf_release(&logdir);
	buf_release(&workdir);
	return rc;
}

int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "commit", required_argument, NULL, 'c' },
		{ "branch", required_argument, NULL, 'b' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "only", required_argument, NULL, 'o' },
		{ "keep", no_argument, NULL, 'k' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "plain", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct plan_opts po = { NULL, NULL, NULL, NULL, 0 };
	struct run_opts ro = { NULL, 0, 0, NULL, NULL };
	struct plan p = PLAN_INIT;
	struct repo repo = REPO_INIT;
	int opt, rc, dry = 0, plain = 0;
	char *end;
	long n;

	while ((opt = getopt_long(argc, argv, ":c:b:j:o:kfnph", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': po.rev = optarg; break;
		case 'b': po.branch = optarg; break;
		case 'j':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1024)
				return err_set(-E_USAGE, "--jobs wants a number from 1 to 1024, not "
				    "'%s'", optarg);
			ro.jobs = (size_t)n;
			break;
		case 'o': po.only = optarg; break;
		case 'k': ro.keep = 1; break;
		case 'f': po.force = 1; break;
		case 'n': dry = 1; break;
		case 'p': plain = 1; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	po.pipelines = (const char *const *)argv + optind;
	if ((rc = repo_open(&repo)) < 0)
		goto out;
	if (!dry) {
		rc = run_and_show(&repo, &po, &ro, plain);
		goto out;
	}
	if ((rc = plan_make(&repo, &po, &p)) == 0) {
		print_notes(&p.notes, 0);
		print_plan(&p, ro.jobs ? ro.jobs : run_default_jobs());
	}
out:
	plan_release(&p);
	repo_release(&repo);
	return rc;
}
