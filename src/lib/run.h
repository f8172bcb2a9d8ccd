/* run.h - the one way slipway starts child processes. */
#ifndef SLIPWAY_RUN_H
#define SLIPWAY_RUN_H

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
	int status;		/* exit status, or 128+signal */
};

#define RUN_INIT { .argv = STRVEC_INIT, .env = STRVEC_INIT, .out = BUF_INIT, \
	.err = BUF_INIT, .status = -1 }

/*
 * Runs the process to completion. Returns 0 when it ran (whatever its exit
 * status, see r->status), -E_NOTFOUND when the program does not exist,
 * -E_TIMEOUT when it was killed for running too long, -E_IO otherwise.
 */
int run_exec(struct run *r);
void run_release(struct run *r);

#endif
