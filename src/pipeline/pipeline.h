/* pipeline.h - pipelines and jobs from slipway.conf, planned and run on a commit. */
#ifndef SLIPWAY_PIPELINE_H
#define SLIPWAY_PIPELINE_H

#include <jansson.h>

#include "config/config.h"
#include "git/repo.h"

#define JOB_TAIL_MAX (64 * 1024)	/* the log tail a record keeps per job */
#define JOB_TIMEOUT_DEFAULT 3600	/* seconds, when a job sets none */

struct jrun;

enum job_when { WHEN_SUCCESS, WHEN_FAILURE, WHEN_ALWAYS };

enum job_state {
	JOB_PENDING, JOB_RUNNING, JOB_PASS, JOB_FAIL, JOB_TIMEOUT, JOB_CANCELLED,
	JOB_SKIPPED, JOB_CACHED,
};

/* One job as it will run: a [job "NAME"], or one side of its matrix. */
struct job {
	char *name;		/* "build", "test[compat]" */
	char *def;		/* its [job "NAME"] */
	struct strvec run;	/* each run by /bin/sh -e -c */
	struct strvec needs;	/* [job] names */
	struct strvec pipelines;	/* the pipelines it is part of */
	struct strvec env;	/* NAME=VALUE */
	struct strvec pass_env;	/* names taken from slipway's environment */
	struct strvec inputs;	/* paths whose tree ids key its cache */
	long timeout;		/* seconds */
	enum job_when when;
	char *target;		/* matrix: SLIPWAY_TARGET_VERSION, else NULL */
	int line;		/* where [job "NAME"] starts, for messages */

	size_t *deps;		/* the jobs it waits for (indexes) */
	size_t ndeps;
	int level;		/* 0: waits for nothing */
	char key[GIT_OID_HEXSZ + 1];	/* cache key, "" without inputs */
	char *cached_by;	/* the commit whose passing run the cache holds */

	/* while and after running (exec.c) */
	enum job_state state;
	const char *why;	/* skipped/cached/cancelled: why, static text */
	int blocked;		/* skipped because a need did not pass */
	int exit;		/* the failing line's exit status, or 128+signal */
	long long start_ms, end_ms;
	char *dir;		/* its checkout */
	char *log;		/* the full log's path */
	struct buf tail;	/* the last JOB_TAIL_MAX bytes of output */
	struct jrun *proc;	/* while it runs: exec.c's state */
};

/* A pipeline of the plan: reused when the commit or its tree already passed. */
struct plan_pipeline {
	char *name;
	char *reused;		/* the passing result, described; NULL: it runs */
};

struct plan {
	git_oid commit, tree;
	char *branch;		/* "" when the commit is on no known branch */
	const char *role;	/* feature, staging, production, hotfix, cdfix */
	char *version;		/* the project's version at the commit, or NULL */
	char *compat;		/* the compat version, or NULL */
	struct plan_pipeline *pipelines;
	size_t npipelines;
	struct job *jobs;	/* in an order where needs come first */
	size_t njobs;
	struct strvec pass_env;	/* [run] pass-env, default PATH HOME */
	int partial;		/* --only: no pipeline's result is recorded */
	struct strvec notes;	/* worth saying: an input path the commit lacks */
	struct config cfg;	/* slipway.conf as the commit has it */
};

#define PLAN_INIT { .pass_env = STRVEC_INIT, .notes = STRVEC_INIT, .cfg = CONFIG_INIT }

/* What `slipway run` asks for. */
struct plan_opts {
	const char *rev;		/* the commit, default HEAD */
	const char *branch;		/* the branch it is run for; default: rev's */
	const char *const *pipelines;	/* NULL-terminated; none: by branch role */
	const char *only;		/* run this job (and what it needs) only */
	int force;			/* no reuse, no cache */
};

/*
 * Reads the jobs and pipelines of slipway.conf as the commit has it and
 * plans the run: which pipelines (named, or those whose `on` lists the
 * branch's role), their jobs and what they need, the matrix, the order,
 * which pipelines a passing run on the same tree makes unnecessary and
 * which jobs their cache skips. Everything wrong in the definitions is an
 * error here, before anything runs: -E_CONFIG for a needs cycle (named),
 * an unknown job in needs, a job with no run, a compat version that is not
 * SemVer; -E_INVALID for an unknown pipeline or a revision naming no commit.
 */
int plan_make(struct repo *r, const struct plan_opts *o, struct plan *p);
void plan_release(struct plan *p);

/* Whether job j is part of pipeline name. */
int job_in_pipeline(const struct job *j, const char *name);
const char *job_state_name(enum job_state s);

/* What the runner tells its caller as it goes; any may be NULL. */
struct run_events {
	void (*started)(const struct plan *p, const struct job *j, void *data);
	void (*output)(const struct plan *p, const struct job *j, const char *bytes,
	    size_t len, void *data);
	void (*ended)(const struct plan *p, const struct job *j, void *data);
	void (*tick)(const struct plan *p, void *data);	/* about 5 times a second */
	void *data;
};

struct run_opts {
	const char *run_id;	/* names logs, checkouts and leftover processes */
	size_t jobs;		/* at most this many at once; 0: the number of cores */
	int keep;		/* keep the checkouts */
	const char *logdir;	/* where full logs go */
	const char *workdir;	/* where checkouts go */
};

/*
 * Runs the plan's jobs (those not cached, in pipelines not reused), each
 * in its own checkout of the commit, along the needs graph. A timeout kills
 * the job's process group and whatever it left behind; SIGINT, SIGTERM or
 * SIGHUP cancels the run the same way and returns -E_INTERRUPTED after the
 * jobs are gone. Job states, exit statuses, times and log tails are in
 * p->jobs afterwards.
 */
int plan_run(struct repo *r, struct plan *p, const struct run_opts *o,
    const struct run_events *ev);

/* How many jobs run at once when --jobs does not say: the number of cores. */
size_t run_default_jobs(void);

/* A pipeline's state after the run: pass, fail, timeout or cancelled. */
const char *pipeline_status(const struct plan *p, const char *name);

/*
 * Records each run pipeline's result (for the commit and for its tree) with
 * its jobs' states, exit statuses, durations and log tails, and the cache
 * entries of passing jobs with inputs.
 */
int plan_record(struct repo *r, const struct plan *p, const char *run_id);

/*
 * The newest recorded result of each pipeline for commit (an object:
 * pipeline name -> record), else for its tree (*same_tree = 1). Caller
 * decrefs *out.
 */
int runs_latest(struct repo *r, const git_oid *commit, json_t **out, int *same_tree);

#endif
