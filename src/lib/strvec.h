/* strvec.h - a NULL-terminated vector of owned strings (argv, env). */
#ifndef SLIPWAY_STRVEC_H
#define SLIPWAY_STRVEC_H

#include <stddef.h>

/* v is never NULL and always NULL-terminated; the strings are owned. */
struct strvec {
	char **v;
	size_t nr;
	size_t alloc;
};

extern char *strvec_empty[];
#define STRVEC_INIT { strvec_empty, 0, 0 }

void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strvec_pushl(struct strvec *sv, ...);	/* NULL-terminated list */
/* Takes ownership of s. */
void strvec_push_nodup(struct strvec *sv, char *s);
/* Frees and drops the last string (none: nothing happens). */
void strvec_pop(struct strvec *sv);
void strvec_clear(struct strvec *sv);
/* Index of s in sv, or -1. */
int strvec_find(const struct strvec *sv, const char *s);

#endif
