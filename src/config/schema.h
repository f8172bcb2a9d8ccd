/* schema.h - the table of known slipway.conf sections and keys (internal). */
#ifndef SLIPWAY_CONFIG_SCHEMA_H
#define SLIPWAY_CONFIG_SCHEMA_H

#include <stddef.h>

#include "config/config.h"
#include "lib/buf.h"

/*
 * Adding a key: one line in its section's key table in schema.c, with a
 * check function (or NULL when any value will do). Adding a section: a key
 * table and one line in config_schema[]; set subsection when the section
 * is written [name "sub"] (like [job "build"]), so that [name] alone is an
 * error, and clear it when [name "sub"] must be an error.
 */

enum {
	CONFIG_MULTI = 1 << 0,	/* may be given more than once */
	CONFIG_BARE = 1 << 1,	/* a bare "key" (value NULL) is allowed */
};

/*
 * Returns 0 when value is acceptable, else -1 with why saying what is
 * wrong (it is appended to "bad value for 'section.key': "). value is NULL
 * only for keys with CONFIG_BARE. May add hints with err_hint().
 */
typedef int config_check_fn(const char *value, struct buf *why);

struct config_key {
	const char *name;	/* lower-case */
	unsigned flags;
	config_check_fn *check;
};

struct config_section {
	const char *name;	/* lower-case */
	int subsection;		/* 1: written [name "sub"]; 0: written [name] */
	const struct config_key *keys;	/* ends with a NULL name */
};

/* A check for a value that must be one of allowed (NULL-terminated):
 * "'x' is not one of a, b, c" otherwise. */
int schema_one_of(const char *v, const char *const *allowed, struct buf *why);

/* The keys of [job "NAME"], [pipeline "NAME"] and [run] (jobs.c). */
extern const struct config_key schema_job_keys[], schema_pipeline_keys[], schema_run_keys[];
/* The keys of [images] (images.c). */
extern const struct config_key schema_images_keys[];

/* slipway's schema; ends with a NULL name. */
extern const struct config_section config_schema[];

/*
 * config_parse() against another schema (tests use their own). Same
 * contract as config_parse().
 */
int config_parse_schema(struct config *cfg, const char *name, const char *data,
    size_t len, const struct config_section *schema);

/*
 * Checks a section header written on line. Returns 0 and sets *out, or
 * -E_CONFIG with a "FILE:LINE: ..." message (and a hint when a known
 * section is close). file names the file in messages.
 */
int schema_section(const struct config_section *schema, const char *file,
    int line, const char *section, const char *sub,
    const struct config_section **out);

/*
 * Checks entry e of section sec (as returned by schema_section) against
 * the schema and against the entries already in cfg: unknown key, missing
 * value, a single-valued key given twice, a bad value. Returns 0 or
 * -E_CONFIG with a "FILE:LINE: ..." message.
 */
int schema_entry(const struct config_section *schema,
    const struct config_section *sec, const struct config *cfg,
    const struct config_entry *e);

/*
 * Adds the hint "did you mean 'section.key'?" naming the known key closest
 * to key (lower-case) typed in [section "sub"] (sub may be NULL), when one
 * is close enough.
 */
void schema_suggest_key(const struct config_section *schema, const char *section,
    const char *sub, const char *key);

/* Appends s for a message, control characters written as \xHH. */
void config_quote(struct buf *b, const char *s);

#endif
