/* err.h - error codes and the one message set where a failure happened. */
#ifndef SLIPWAY_ERR_H
#define SLIPWAY_ERR_H

#include <stdarg.h>

/*
 * Functions below cmd/ return 0 or a negative code from this list and set
 * one message with err_set() at the place the failure happened. Callers pass
 * the code up unchanged. Hints (what to do next) are collected apart and
 * printed after the message by main.c. main.c maps codes to exit statuses
 * (see exit_code_for() in main.c and docs/exit-codes.md).
 */
enum {
	E_GENERIC = 1,	/* anything not listed below */
	E_NOTFOUND,	/* a file, ref, object or key does not exist */
	E_INVALID,	/* bad input: a version, a name, a file's content */
	E_CONFIG,	/* slipway.conf or git configuration is wrong */
	E_USAGE,	/* bad command line */
	E_REFUSED,	/* a rule refused the operation */
	E_CONFLICT,	/* a merge would conflict */
	E_REMOTE,	/* network, remote or push rejected by the server */
	E_STALE,	/* the remote moved since it was read */
	E_IO,		/* local file system */
	E_TOOBIG,	/* data larger than its cap */
	E_TIMEOUT,	/* a child process ran out of time */
	E_CANCELLED,	/* the user said no */
	E_INTERRUPTED,	/* Ctrl-C stopped a child (git) before it was done */
	E_UNSURE,	/* a push failed without saying what it did; check the remote */
};

/* Sets the message (printf format); returns code so callers can return it. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* err_set with a va_list, for functions that build their own messages. */
int err_vset(int code, const char *fmt, va_list ap);
/* Prefixes the current message with "what: ". Returns code. */
int err_wrap(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds one hint line (printed as "hint: ..."). */
void err_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The current message, "" when none. Owned by this module. */
const char *err_msg(void);
/* The hints, one per line, "" when none. Owned by this module. */
const char *err_hints(void);
void err_clear(void);

#endif
