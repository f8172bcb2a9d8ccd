/* exec_int.h - the runner's shared state (internal to src/pipeline/). */
#ifndef SLIPWAY_EXEC_INT_H
#define SLIPWAY_EXEC_INT_H

#include <sys/types.h>

#include "lib/run.h"
#include "pipeline/pipeline.h"

/* One running job's process state (struct job's run). */
struct jrun {
	struct run_child child;	/* the line running now */
	struct run_child out;	/* the job's output pipe (fd only): every line writes to
				 * it, so a line's background processes keep writing */
	int out_w;		/* its write end, handed to each line */
	size_t line;		/* its index in job->run */
	pid_t *groups;		/* every line's process group */
	size_t ngroups;
	int log_fd;
	long long deadline;	/* ms; past it: timeout */
	long long kill_at;	/* ms; 0, or when SIGKILL follows the SIGTERM */
	enum job_state ending;	/* JOB_TIMEOUT/JOB_CANCELLED once being killed */
};

struct exec {
	struct repo *repo;
	struct plan *plan;
	const struct run_opts *opts;
	const struct run_events *ev;
};

/* Opens the log, checks out the commit, starts the first line. */
int job_start(struct exec *x, struct job *j);
/* Starts line jr->line of j. */
int job_next_line(struct exec *x, struct job *j);
/* Keeps output in the log and the tail. */
int job_output(struct job *j, const char *bytes, size_t len);
/* SIGTERM to whatever the job left running, SIGKILL 2 s later; reaps. */
void job_kill_all(struct exec *x, struct job *j);
int job_remove_checkout(struct exec *x, struct job *j);
void job_close(struct job *j);

#endif
