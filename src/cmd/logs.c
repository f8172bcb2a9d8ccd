/* logs.c - `slipway logs`: what a recorded run did, and its jobs' logs. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/err.h"
#include "pipeline/pipeline.h"

static const char usage[] = "slipway logs [PIPELINE [JOB]] [--commit REV]";

static void
print_run(const char *name, json_t *rec)
{
	json_t *jobs = json_object_get(rec, "jobs"), *j;
	const char *run = json_string_value(json_object_get(rec, "run"));
	size_t i;

	printf("%s %s on %.8s, recorded by %s at %s", name,
	    json_string_value(json_object_get(rec, "status")),
	    json_string_value(json_object_get(rec, "commit")),
	    json_string_value(json_object_get(rec, "by")),
	    json_string_value(json_object_get(rec, "at")));
	if (run)
		printf(" (run %s)", run);
	else
		printf(" (%s)", json_string_value(json_object_get(rec, "source")) ?
		    json_string_value(json_object_get(rec, "source")) : "recorded");
	printf("\n");
	json_array_foreach(jobs, i, j) {
		json_t *d = json_object_get(j, "duration_ms"), *e = json_object_get(j, "exit");

		printf("  %-24s %-9s", json_string_value(json_object_get(j, "name")),
		    json_string_value(json_object_get(j, "state")));
		if (d)
			printf(" %lld.%lld s", json_integer_value(d) / 1000,
			    json_integer_value(d) % 1000 / 100);
		if (e && json_integer_value(e))
			printf("  exit %lld", json_integer_value(e));
		if (json_string_value(json_object_get(j, "why")))
			printf("  %s", json_string_value(json_object_get(j, "why")));
		printf("\n");
	}
}

/* The job's full log when this machine has it, else the record's tail (a
 * job that printed nothing has no log). */
static int
print_job(json_t *rec, const char *pipeline, const char *job, const char *logdir)
{
	json_t *jobs = json_object_get(rec, "jobs"), *j = NULL;
	const char *log, *tail;
	struct buf data = BUF_INIT;
	size_t i;

	json_array_foreach(jobs, i, j)
		if (json_string_value(json_object_get(j, "name")) &&
		    !strcmp(json_string_value(json_object_get(j, "name")), job))
			break;
	if (i == json_array_size(jobs))
		return err_set(-E_NOTFOUND, "pipeline '%s' has no job '%s' in its last run",
		    pipeline, job);
	log = json_string_value(json_object_get(j, "log"));
	tail = json_string_value(json_object_get(j, "tail"));
	if (!json_object_get(j, "log")) {	/* it printed nothing, or never ran */
		fputs(tail ? tail : "", stdout);
		return 0;
	}
	/* only this repository's own logs: a synced record names any path */
	if (log && strncmp(log, logdir, strlen(logdir)))
		log = NULL;
	if (log && buf_read_file(&data, log) == 0) {
		fwrite(data.ptr, 1, data.len, stdout);
		buf_release(&data);
		return 0;
	}
	err_clear();
	fprintf(stderr, "note: the full log is on the machine that ran it%s%s; this is the "
	    "last part the record keeps\n", log ? ", at " : "", log ? log : "");
	fputs(tail ? tail : "", stdout);
	return 0;
}

int
cmd_logs(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "commit", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo repo = REPO_INIT;
	const char *rev = "HEAD", *name;
	git_object *obj = NULL, *peeled = NULL;
	json_t *runs = NULL, *rec;
	int opt, rc, same_tree;

	while ((opt = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': rev = optarg; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (argc - optind > 2)
		return cmd_too_many(argv, argv[optind + 2], usage);
	if ((rc = repo_open(&repo)) < 0)
		goto out;
	if (git_revparse_single(&obj, repo.git, rev) < 0 ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = err_set(-E_INVALID, "'%s' does not name a commit", rev);
		goto out;
	}
	if ((rc = runs_latest(&repo, git_object_id(peeled), &runs, &same_tree)) < 0)
		goto out;
	if (!json_object_size(runs)) {
		rc = err_set(-E_NOTFOUND, "no run is recorded for %s", repo_short(git_object_id(peeled)));
		err_hint("'slipway run' runs its pipelines; 'slipway sync' fetches others' results");
		goto out;
	}
	if (same_tree)
		printf("(no run of %s itself; these ran on a commit with the same tree)\n",
		    repo_short(git_object_id(peeled)));
	if (optind == argc) {
		json_object_foreach(runs, name, rec)
			print_run(name, rec);
	} else if (!(rec = json_object_get(runs, argv[optind]))) {
		rc = err_set(-E_NOTFOUND, "no run of pipeline '%s' is recorded for %s", argv[optind],
		    repo_short(git_object_id(peeled)));
	} else if (optind + 1 == argc) {
		print_run(argv[optind], rec);
	} else {
		struct buf logdir = BUF_INIT;

		buf_printf(&logdir, "%sslipway/logs/", repo.gitdir);
		rc = print_job(rec, argv[optind], argv[optind + 1], logdir.ptr);
		buf_release(&logdir);
	}
out:
	json_decref(runs);
	git_object_free(peeled);
	git_object_free(obj);
	repo_release(&repo);
	return rc;
}
