/* run.h - the one way slipway starts child processes. */
#ifndef SLIPWAY_RUN_H
#define SLIPWAY_RUN_H

#include "lib/buf.h"
#include "lib/strvec.h"

/*
 * A child process: argv (never a shell string built from data), an explicit
 * environment, a working directory, stdin from the given bytes or
 * /dev/null, every other descriptor closed, stdout/stderr captured into the
 * buffers or passed through, and a timeout that kills the whole process
 * group. Initialise with RUN_INIT, fill in, call run_exec(), read status,
 * then run_release().
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
	unsigned timeout_ms;	/* 0: none */
	int status;		/* exit status, or 128+signal */
};

#define RUN_INIT { STRVEC_INIT, STRVEC_INIT, 0, NULL, NULL, 0, 0, 0, \
	BUF_INIT, BUF_INIT, 0, -1 }

/*
 * Runs the process to completion. Returns 0 when it ran (whatever its exit
 * status, see r->status), -E_NOTFOUND when the program does not exist,
 * -E_TIMEOUT when it was killed for running too long, -E_IO otherwise.
 */
int run_exec(struct run *r);
void run_release(struct run *r);

#endif
