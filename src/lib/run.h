/* run.h - the one way slipway starts child processes. */
#ifndef SLIPWAY_RUN_H
#define SLIPWAY_RUN_H

#include <sys/types.h>

#include "lib/buf.h"
#include "lib/strvec.h"

/*
 * A child process: argv (never a shell string built from data), an explicit
 * environment, a working directory, stdin from the given bytes or
 * /dev/null, every other descriptor closed, stdout/stderr captured into the
 * buffers or passed through. Initialise with RUN_INIT, fill in, call
 * run_exec(), read status, then run_release().
 *
 * Two ways to run:
 *  - in its own process group (the default): a timeout, or a SIGINT, SIGTERM,
 *    SIGHUP or SIGQUIT sent to slipway, kills the child's whole group
 *    (daemons it forked included); slipway then dies of the same signal.
 *  - foreground = 1, for git talking to a remote: the child shares our
 *    process group and terminal, so ssh and credential helpers can prompt
 *    and Ctrl-C reaches it directly; like system(3), slipway ignores SIGINT
 *    and SIGQUIT until it has ended, then reports what happened. No timeout.
 */
struct run {
	struct strvec argv;
	/* When env_clear is 0 the child gets our environment plus env ("K=V",
	 * or "K" alone to remove K); when 1, exactly env. */
	struct strvec env;
	int env_clear;
	const char *dir;
	const char *in;		/* stdin bytes, NULL for /dev/null */
	size_t in_len;
	int capture_out;	/* 1: stdout into out; 0: inherit */
	int capture_err;	/* 1: stderr into err; 0: inherit */
	struct buf out;
	struct buf err;
	unsigned timeout_ms;	/* 0: none; own process group only */
	int foreground;		/* 1: share our process group and terminal */
	int out_fd;		/* run_start: stdout and stderr go here, not to a new pipe (-1) */
	int status;		/* exit status, or 128+signal */
};

#define RUN_INIT { .argv = STRVEC_INIT, .env = STRVEC_INIT, .out = BUF_INIT, .out_fd = -1, \
	.err = BUF_INIT, .status = -1 }

/*
 * Runs the process to completion. Returns 0 when it ran (whatever its exit
 * status, see r->status), -E_NOTFOUND when the program does not exist,
 * -E_TIMEOUT when it was killed for running too long, -E_IO otherwise.
 */
int run_exec(struct run *r);
void run_release(struct run *r);

/*
 * A child started and waited for apart, for a caller that keeps many (the
 * pipeline runner): always in its own process group (its pid is the group's
 * id), stdin /dev/null, stdout and stderr into one non-blocking pipe, fd.
 * Signals are the caller's business: the child starts with default
 * dispositions and nothing blocked.
 */
struct run_child {
	pid_t pid;	/* -1 once collected */
	int fd;		/* its output; -1 once at its end */
};

/* Starts r (in, capture_*, foreground and timeout_ms are not used). 0, or
 * -E_NOTFOUND when the program does not exist, -E_IO. With r->out_fd set,
 * the child writes there and c->fd is -1 (the caller reads that pipe). */
int run_start(struct run *r, struct run_child *c);
/* Reads some output: > 0 bytes, 0 at its end (fd closed), -1 when nothing
 * is there yet. */
ssize_t run_read(struct run_child *c, char *buf, size_t len);
/* Collects the child: 1 with *status (exit status, or 128+signal) when it
 * has ended, 0 when it runs on (block = 0). */
int run_wait(struct run_child *c, int block, int *status);
/* Sends sig to process group group (what a child's pid named). */
void run_kill(pid_t group, int sig);
void run_child_close(struct run_child *c);

#endif
