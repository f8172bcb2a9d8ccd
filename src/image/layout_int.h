/* layout_int.h - what layout.c and layout_write.c share (internal). */
#ifndef SLIPWAY_IMAGE_LAYOUT_INT_H
#define SLIPWAY_IMAGE_LAYOUT_INT_H

#include <jansson.h>

#include "image/store.h"

/* A layout store: dir is one layout (many = 0) or holds one per repo. */
struct layout {
	char *dir;
	int many;
};

/* The layout directory of repo into out; when write, made if missing
 * (a repo's whole layout, or a single layout's blobs/sha256). */
int layout_path(struct layout *l, const char *repo, int write, struct buf *out);
/* Reads and checks DIR/index.json; *out is a new reference. */
int layout_index_read(const char *dir, json_t **out);
/* DIR/blobs/sha256/HEX into out. */
void layout_blob_path(const char *dir, const char *digest, struct buf *out);

/* Creates path and its parents; 0 or -E_IO. */
int layout_mkdirs(const char *path);
/* Writes data to path through a fsynced temporary file .STEM.tmp-* in dir,
 * renamed over path (replace) or linked to it unless path exists. */
int layout_write_file(const char *dir, const char *stem, const char *path,
    const char *data, size_t len, int replace);

int layout_manifest_put_once(struct store *s, const char *repo, const char *tag,
    const char *bytes, const struct desc *d);
int layout_manifest_put(struct store *s, const char *repo, const char *ref,
    const char *bytes, const struct desc *d);
int layout_blob_put(struct store *s, const char *repo, const struct desc *d,
    struct blob_region *r);

#endif
