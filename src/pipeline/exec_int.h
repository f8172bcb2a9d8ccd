/* exec_int.h - the runner's shared state (internal to src/pipeline/). */
#ifndef SLIPWAY_EXEC_INT_H
#define SLIPWAY_EXEC_INT_H

#include <pthread.h>
#include <sys/types.h>

#include "git/checkout.h"
#include "lib/run.h"
#include "pipeline/pipeline.h"

/* Work for a checkout worker: a checkout for a job (a used one renewed,
 * or a new one), or one to remove. */
struct co_task {
	struct job *job;	/* the job it is for, or that used it last */
	char *want;		/* where a new checkout goes */
	struct checkout co;	/* the checkout made or renewed, or to remove */
	git_oid commit;
	int remove;		/* 1: remove co; 0: make it */
	atomic_int stop;	/* set by the loop: give up (cancel, timeout) */
	int rc;			/* the outcome: 0 or a negative code, */
	char *msg;		/* with this message */
	char *note;		/* worth telling the job's log (it goes on) */
	struct co_task *next;
};

/* The checkout workers: tasks in, finished tasks out, a pipe to wake the
 * loop, and the checkouts jobs left clean, for the next jobs to renew. */
struct checkouts {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct co_task *todo, **todo_tail, *done, *idle;
	size_t pending;		/* added and not yet taken back by checkouts_done */
	int quit;
	int wake[2];		/* a byte per finished task; the loop polls wake[0] */
	pthread_t *threads;
	size_t nthreads;
	const char *gitdir;
	mode_t umask;
};

/* Starts n threads, each with its own handle on the repository at gitdir. */
int checkouts_start(struct checkouts *w, const char *gitdir, size_t n);
void checkouts_add(struct checkouts *w, struct co_task *t);
/* Keeps t's checkout (a job ended in it and left nothing running) for
 * another job of the run. */
void checkouts_idle(struct checkouts *w, struct co_task *t);
/* Hands every kept checkout over to be removed; how many. */
size_t checkouts_retire(struct checkouts *w);
/* The finished tasks, oldest first (the caller owns them), NULL if none. */
struct co_task *checkouts_done(struct checkouts *w);
/* Lets the workers finish what was added, then joins them. */
void checkouts_stop(struct checkouts *w);
struct co_task *co_task_new(struct job *j, const char *want, const git_oid *commit);
void co_task_free(struct co_task *t);

/* One running job's process state (struct job's run). */
struct jrun {
	struct co_task *co;	/* its checkout (being made until ready) */
	int ready;		/* the checkout is there: lines run */
	struct run_child child;	/* the line running now */
	struct run_child out;	/* the job's output pipe (fd only): every line writes to
				 * it, so a line's background processes keep writing */
	int out_w;		/* its write end, handed to each line */
	size_t line;		/* its index in job->run */
	pid_t *groups;		/* every line's process group */
	size_t ngroups;
	int log_fd;		/* -1 until the job prints something */
	long long deadline;	/* ms; past it: timeout */
	long long kill_at;	/* ms; 0, or when SIGKILL follows the SIGTERM */
	enum job_state ending;	/* JOB_TIMEOUT/JOB_CANCELLED once being killed */
};

struct exec {
	struct repo *repo;
	struct plan *plan;
	const struct run_opts *opts;
	const struct run_events *ev;
	struct checkouts workers;
};

/* Opens the log and asks for the checkout; job_checked_out goes on. */
int job_start(struct exec *x, struct job *j);
/* The checkout t made for its job is there (or not: t->rc): starts the
 * first line. Takes t. */
int job_checked_out(struct exec *x, struct job *j, struct co_task *t);
/* Starts line jr->line of j. */
int job_next_line(struct exec *x, struct job *j);
/* Keeps output in the tail and the log (made at the first byte: j->log
 * stays NULL for a job that prints nothing). */
int job_output(struct exec *x, struct job *j, const char *bytes, size_t len);
/* Output slipway itself has for the job: into its log and tail, and shown
 * as the job's own output is. */
void job_say(struct exec *x, struct job *j, const char *bytes, size_t len);
/* SIGTERM to whatever the job left running, SIGKILL 2 s later; reaps.
 * Returns 1 when nothing is left, 0 when something may be (a process of
 * this or another job slipway cannot tell apart: an orphan without the
 * job's marker). */
int job_kill_all(struct exec *x, struct job *j);
/* Done with the job's checkout: kept for another job when clean (the job
 * ended by itself and left nothing running), else handed to the workers
 * to remove; with --keep left as it is. */
void job_drop_checkout(struct exec *x, struct job *j, int clean);
void job_close(struct job *j);

#endif
