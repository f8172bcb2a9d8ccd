/* oci.h - index.json and manifests as the layout and archive stores read them (internal). */
#ifndef SLIPWAY_IMAGE_OCI_H
#define SLIPWAY_IMAGE_OCI_H

#include <jansson.h>

#include "image/store.h"

#define ANNOT_REF_NAME "org.opencontainers.image.ref.name"
#define ANNOT_IMAGE_NAME "io.containerd.image.name"
#define MANIFEST_MAX (4 << 20)	/* what registries accept */

/*
 * An index here is the json_t of an index.json (or one an archive store
 * built), checked by oci_index_parse: every entry is an object with a
 * mediaType, a sha256 digest and a size, and its annotations are strings.
 * Entries returned by the functions below are borrowed from the index.
 */

/* 1 when ref is a digest ("sha256:..."), 0 for a tag, NULL or "";
 * -E_INVALID for a "sha256:" that is not a valid digest. */
int oci_ref_is_digest(const char *ref);
/* Whether tag follows the registries' grammar [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
int oci_tag_valid(const char *tag);

/* Parses and checks an index; file names it in messages (-E_INVALID). On
 * success *out is a new reference (json_decref). */
int oci_index_parse(const char *bytes, size_t len, const char *file, json_t **out);
/* A new, empty index. */
json_t *oci_index_new(void);
/* The entry's ref.name annotation, or NULL. */
const char *oci_entry_tag(json_t *entry);
/* The entry as a descriptor. */
void oci_entry_desc(json_t *entry, struct desc *d);
/* A descriptor as JSON (a new reference). */
json_t *oci_desc_json(const struct desc *d);
/* Appends the index's tags, sorted, each once. */
void oci_index_tags(json_t *index, struct strvec *out);
/* Sorts sv->v[from..] and drops repeats. */
void oci_sort_unique(struct strvec *sv, size_t from);

/*
 * The entry ref names. A tag: the first entry whose ref.name (or
 * io.containerd.image.name) is ref, else -E_NOTFOUND. NULL or "": the only
 * image (entries that share one digest count once); -E_NOTFOUND when there
 * is none, -E_INVALID "which tag?" when there are several. A digest: the
 * first entry with it, or 0 and *entry = NULL when none has it. where names
 * the store in messages.
 */
int oci_index_find(json_t *index, const char *ref, const char *where, json_t **entry);

/* 1 when bytes are a JSON manifest or index, with mt its media type (its
 * own mediaType, else guessed from its fields); 0 when not. */
int oci_manifest_sniff(const char *bytes, size_t len, char mt[128]);

/* Reads the blob digest names into out: 0, -E_NOTFOUND, or another error. */
typedef int (*oci_read_fn)(void *ctx, const char *digest, struct buf *out);

/* manifest_get for a store with an index whose blobs rd reads: the bytes
 * (checked against the digest and the entry's size, and their own mediaType,
 * if any, against the entry's) and the descriptor. */
int oci_manifest_resolve(json_t *index, const char *ref, const char *where,
    oci_read_fn rd, void *ctx, struct buf *bytes, struct desc *d);

#endif
