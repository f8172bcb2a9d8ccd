/* semver.h - Semantic Versioning 2.0.0: parse, compare, format, bump. */
#ifndef SLIPWAY_SEMVER_H
#define SLIPWAY_SEMVER_H

#include "lib/buf.h"

/* pre and build are NULL or owned strings without their '-' / '+'. */
struct semver {
	unsigned long long major, minor, patch;
	char *pre;
	char *build;
};

#define SEMVER_INIT { 0, 0, 0, NULL, NULL }

enum semver_part { SEMVER_PATCH, SEMVER_MINOR, SEMVER_MAJOR };

/*
 * Parses exactly one SemVer 2.0.0 version (no leading 'v', no spaces).
 * Returns 0, or -E_INVALID with a message saying what is wrong, e.g.
 * "'01.2.3' is not a semantic version: major part has a leading zero".
 * On failure v is left empty.
 */
int semver_parse(struct semver *v, const char *s);
/* Precedence per SemVer §11 (build metadata ignored): <0, 0, >0. */
int semver_cmp(const struct semver *a, const struct semver *b);
/* Appends the canonical text of v to out. */
void semver_format(const struct semver *v, struct buf *out);
/* next = cur bumped by part; a pre-release of the same part is released
 * first (1.3.0-rc.1 → minor → 1.3.0), like npm. next must be empty. */
void semver_bump(const struct semver *cur, enum semver_part part, struct semver *next);
void semver_release(struct semver *v);

#endif
