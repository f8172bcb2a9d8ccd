/* vfile.h - find and change the version inside version files, byte-exact. */
#ifndef SLIPWAY_VFILE_H
#define SLIPWAY_VFILE_H

#include <stddef.h>

#include "lib/buf.h"

enum vfile_kind {
	VFILE_JSON,	/* top-level "version" of a package.json-like file */
	VFILE_MAKE,	/* a Makefile variable: NAME = x, NAME := x, NAME ?= x */
	VFILE_PLAIN,	/* a file holding only the version (VERSION) */
};

/* What release.version-file names; path and var are owned. */
struct vfile_spec {
	enum vfile_kind kind;
	char *path;	/* path inside the repository, '/'-separated */
	char *var;	/* the Makefile variable (VFILE_MAKE), else NULL */
};

/*
 * Parses a release.version-file value: "PATH:VAR" is a Makefile variable,
 * a PATH ending in ".json" a JSON file, anything else a plain file.
 * Returns 0 or -E_CONFIG naming the value.
 */
int vfile_spec_parse(struct vfile_spec *spec, const char *value);
void vfile_spec_release(struct vfile_spec *spec);
/* Why s[0..n) is not a relative '/'-separated path inside a repository
 * (absolute, empty or '.'/'..' component, backslash, control character),
 * or NULL when it is fine. */
const char *vfile_bad_path(const char *s, size_t n);

/*
 * Locates the version's bytes in data: on success *off and *len give the
 * span of the version text itself (inside the JSON quotes, after a
 * preserved leading 'v' in Makefile and plain files). Returns 0,
 * -E_INVALID when the file is malformed (message names spec->path and the
 * line), -E_NOTFOUND when it holds no version (message names the path).
 */
int vfile_find(const struct vfile_spec *spec, const char *data, size_t len,
    size_t *off, size_t *vlen);

/* Writes data with the version replaced by version into out (appended);
 * every other byte unchanged. Same errors as vfile_find. */
int vfile_set(const struct vfile_spec *spec, const char *data, size_t len,
    const char *version, struct buf *out);

#endif
