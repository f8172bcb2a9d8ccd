/* compat.h - the backwards-compatible version: where it is kept, and breaking changes. */
#ifndef SLIPWAY_COMPAT_H
#define SLIPWAY_COMPAT_H

#include "config/config.h"
#include "git/repo.h"

/* The project's version at commit: the first release.version-file as that
 * commit has it. *version = NULL (return 0) when no version file is
 * configured or the commit lacks it. Caller frees. -E_INVALID naming the
 * file when it exists but holds no version, or is malformed. */
int compat_project_version(struct repo *r, const struct config *cfg, const git_oid *commit,
    char **version);

/* A compat version and its source. Both strings owned. */
struct compat {
	char *version;	/* SemVer text, NULL when no compat version is configured */
	char *from;	/* where it came from, for messages: "Makefile:backwards_compatible_version", "compat.version", "compat.auto = major (from 2.3.1)" */
};

#define COMPAT_INIT { NULL, NULL }

/*
 * The compat version as commit has it (cfg: slipway.conf as that commit
 * has it). compat.version is a SemVer literal, or PATH:NAME read from that
 * commit's file (a top-level string field of a .json file, else a Makefile
 * variable); compat.auto = major gives a.0.0 of the project version (the
 * version itself when it is a pre-release of a.0.0). Both keys set is an
 * error. -E_CONFIG naming the source when the value is not SemVer or the
 * file/variable is missing (for compat.auto, also compat_project_version's
 * errors). out->version stays NULL when neither key is set.
 */
int compat_read(struct repo *r, const struct config *cfg, const git_oid *commit,
    struct compat *out);
void compat_release(struct compat *c);

/* (a+1).0.0 of version a.b.c, or "" when version is not SemVer. Caller frees. */
char *compat_next_major(const char *version);

/* Appends a.0.0 of version (SemVer text) to out, or version itself when it
 * is a pre-release of a.0.0. -E_INVALID when version is not SemVer. */
int compat_auto_major(const char *version, struct buf *out);

/*
 * Whether a commit message marks a breaking change: a line after the
 * subject starting "BREAKING CHANGE:" or "BREAKING-CHANGE:" (Conventional
 * Commits' footer, upper case), or a subject "type!: ..." or
 * "type(scope)!: ...". Returns 1 or 0.
 */
int compat_is_breaking(const char *message);

/* One commit that marks a breaking change. */
struct compat_break {
	git_oid id;
	char *subject;	/* owned */
};

/* The breaking commits found, newest first. Owns its entries. */
struct compat_breaks {
	struct compat_break *v;
	size_t nr, alloc;
};

#define COMPAT_BREAKS_INIT { NULL, 0, 0 }

/*
 * Appends to out the commits reachable from head and from none of
 * hide[0..nhide) whose messages mark a breaking change (in the order of
 * git log). Returns 0, or <0 with a message when the history cannot be read.
 */
int compat_breaking(struct repo *r, const git_oid *head, const git_oid *hide, size_t nhide,
    struct compat_breaks *out);
void compat_breaks_release(struct compat_breaks *b);

/* Where the next release stands with the compat rule (`slipway compat`). */
enum compat_verdict {
	COMPAT_UNSET,		/* no compat version is configured */
	COMPAT_FIRST,		/* no release yet: any compat version will do */
	COMPAT_KEEP,		/* no breaking change since the last release */
	COMPAT_RAISED,		/* breaking changes, and the compat version is above the last release */
	COMPAT_NEEDS_MAJOR,	/* breaking changes; compat.auto = major: the next release must be major */
	COMPAT_NEEDS_RAISE,	/* breaking changes; every release is refused until it is raised */
};

/* What `slipway compat` reports about one commit. Owns its members. */
struct compat_report {
	char *version;			/* the project version at the commit, or NULL */
	struct compat compat;		/* the compat version at the commit */
	char *last, *last_tag;		/* the last release (the highest release tag), or NULL */
	struct compat_breaks breaks;	/* since the last release */
	enum compat_verdict verdict;
};

#define COMPAT_REPORT_INIT { NULL, COMPAT_INIT, NULL, NULL, COMPAT_BREAKS_INIT, COMPAT_UNSET }

/*
 * Fills out for commit (cfg: slipway.conf as it has it): the versions, the
 * last release (the highest SemVer among this clone's tags that match
 * release.tag), the breaking commits reachable from commit and from no
 * release tag and not from production (may be NULL), and the verdict.
 * Errors as compat_read and compat_project_version.
 */
int compat_report(struct repo *r, const struct config *cfg, const git_oid *commit,
    const git_oid *production, struct compat_report *out);
void compat_report_release(struct compat_report *rep);

#endif
