/* config.h - slipway.conf: git-config syntax, a schema, typed lookups. */
#ifndef SLIPWAY_CONFIG_H
#define SLIPWAY_CONFIG_H

#include <stddef.h>

#include "lib/strvec.h"

/* One "key = value" line. section and key are lower-cased; subsection is
 * NULL or kept as written; value is NULL for a bare key (boolean true). */
struct config_entry {
	char *section;
	char *subsection;
	char *key;
	char *value;
	int line;
};

/* Owns its entries; name is what messages call the file
 * ("slipway.conf", "origin/staging:slipway.conf"). */
struct config {
	char *name;
	struct config_entry *entries;
	size_t nr, alloc;
};

#define CONFIG_INIT { NULL, NULL, 0, 0 }

/*
 * Parses git-config syntax (sections, "subsections", quoting, escapes,
 * backslash continuation, ';' and '#' comments) and then checks it against
 * the schema: unknown sections and keys, bad values, a key given twice where
 * one value is allowed. Returns 0 or -E_CONFIG with a message of the form
 * "NAME:LINE: unknown key 'release.tags'" and a hint "did you mean
 * 'release.tag'?" when a known key is close. On failure cfg is empty.
 * cfg need not be initialized; whatever it held is not released. The
 * schema and how to extend it: src/config/schema.h.
 */
int config_parse(struct config *cfg, const char *name, const char *data, size_t len);
void config_release(struct config *cfg);

/* The value of "section.key" (no subsection), or def when unset; "true"
 * for a bare key. Borrowed. */
const char *config_get(const struct config *cfg, const char *key, const char *def);
/* Appends every value of "section.key" to out, in file order ("true" for
 * a bare key). */
void config_get_all(const struct config *cfg, const char *key, struct strvec *out);
/* The line "section.key" was set on (last one), or 0. */
int config_line(const struct config *cfg, const char *key);

/* Typed values, checked by the schema before anyone reads them:
 * config_bool: true/yes/on/1 (1) or false/no/off/0 (0), else -1;
 * config_duration: "90s", "30m", "24h", "2d", "1w" (or plain seconds) to
 * seconds, else -1; config_glob_match: 1 when name matches the pattern,
 * where '*' matches any run of characters, '/' included. */
int config_bool(const char *v);
long config_duration(const char *v);
int config_glob_match(const char *pattern, const char *name);

#endif
