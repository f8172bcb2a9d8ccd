/* ops.h - what `slipway image` and the release do with the configured images. */
#ifndef SLIPWAY_IMAGE_OPS_H
#define SLIPWAY_IMAGE_OPS_H

#include "image/image.h"

struct image_ops {
	struct image_cfg cfg;
	struct store dst;	/* the registry (or the embedded oci: one) */
	struct image_job *jobs;	/* one per image, in the order named */
	size_t n;
	enum tag_kind kind;	/* of the tag pushed or promoted to */
};

#define IMAGE_OPS_INIT { .cfg = IMAGE_CFG_INIT }

/* Reads [images] of cfg and opens the registry; names (NULL-terminated, or
 * NULL/empty: every configured image) must be configured images; root is
 * what relative paths are relative to (the working tree's top, or NULL). */
int image_ops_open(struct image_ops *o, const struct config *cfg, const char *root,
    const char *const *names);
void image_ops_close(struct image_ops *o);

/*
 * Pushes each image from its source (images.source, or from for a single
 * image) under tag, then moves latest. Every source is read and every tag
 * checked before anything is sent; every blob is sent before anything is
 * tagged. A job whose tag already names its manifest is left alone.
 */
int image_push(struct image_ops *o, const char *tag, const char *from);
/* Points to at what from names, for each image: no blob moves. */
int image_promote(struct image_ops *o, const char *from, const char *to);
/* Copies tag of each image into the layout to (oci:DIR, {image} allowed;
 * default images.source). */
int image_pull(struct image_ops *o, const char *tag, const char *to);
/* Which images have tag (jobs[i].unchanged, top = its manifest). */
int image_exists(struct image_ops *o, const char *tag, size_t *missing);

#endif
