/* image.h - the protocol's images: configuration, tag rules, push, pull, promote. */
#ifndef SLIPWAY_IMAGE_H
#define SLIPWAY_IMAGE_H

#include "config/config.h"
#include "image/store.h"

/* [images] of slipway.conf. */
struct image_cfg {
	char *registry;		/* as written: "HOST[:PORT][/NAMESPACE]" or "oci:PATH" */
	char *host;		/* the registry's host[:port]; NULL for oci: */
	char *ns;		/* the namespace ("connext"), or "" */
	char *oci;		/* the embedded registry's directory, or NULL */
	const char *name;	/* repository template, default "{image}" */
	char *source;		/* where push takes an image from, "oci:build/images/{image}" */
	char *ca_file;
	long long chunk;	/* images.chunk-size, 0: the default (64 MiB) */
	struct strvec images;	/* the configured images */
	struct strvec insecure;	/* hosts spoken to over plain HTTP */
	struct strvec mutable;	/* tag patterns that may move */
};

#define IMAGE_CFG_INIT { .images = STRVEC_INIT, .insecure = STRVEC_INIT, \
	.mutable = STRVEC_INIT }

/* Reads [images]; -E_CONFIG when images.registry or images.images is
 * missing. Relative paths (oci: registry, source, ca-file) are taken from
 * root, the top of the working tree (NULL: as they are). */
int image_cfg_load(const struct config *cfg, const char *root, struct image_cfg *ic);
void image_cfg_release(struct image_cfg *ic);

/* Expands "{image}" in tmpl. */
void image_expand(const char *tmpl, const char *image, struct buf *out);
/* The repository of image in the registry: namespace/name. */
void image_repo(const struct image_cfg *ic, const char *image, struct buf *out);

/* Opens the configured registry (or the embedded oci: one), with the
 * credentials of the environment. */
int image_open_registry(const struct image_cfg *ic, struct store *s);
/* Opens a source "oci:DIR[:TAG]" or "docker-archive:FILE"; *ref gets the
 * tag named (or ""). -E_INVALID for another kind. */
int image_open_source(const char *spec, struct store *s, char **ref);

enum tag_kind { TAG_COMMIT, TAG_RELEASE, TAG_LATEST, TAG_MUTABLE };

/* Which rules tag follows: commit (7-40 hex) and release (SemVer) never
 * move, latest always moves, others when images.mutable matches them.
 * -E_INVALID for a malformed tag, -E_REFUSED for one no rule allows. */
int tag_kind(const char *tag, const struct strvec *mutable, enum tag_kind *k);

/* One image's part in a push or promote, as the report shows it. */
struct image_job {
	const char *image;	/* its name in images.images */
	struct buf repo;	/* the registry repository */
	struct store src;	/* push: the source; promote: the registry */
	const char *src_repo;	/* the repository in src ("" for a source) */
	char *src_ref;
	struct buf manifest;	/* the top manifest's bytes */
	struct desc top;
	struct desc *blobs;	/* every blob the image needs, children's included */
	size_t nblobs;
	struct desc *children;	/* an index's manifests */
	struct buf *child_bytes;
	size_t nchildren;
	int unchanged;		/* the tag already pointed at this manifest */
	long long rtt_ms;	/* how long the tag check took */
	int latest_moved;	/* push: latest now names it, and did not before */
	int tagged;		/* the last image_tag left the tag naming it */
	long sent, mounted, present;	/* blobs */
	long long bytes;
};

/* Reads the image's manifest (and an index's child manifests) from
 * j->src and lists its blobs. -E_INVALID for a media type that is not an
 * OCI or docker manifest or index, or a manifest that is not JSON. */
int image_read(struct image_job *j);

/* Sends every blob and child manifest of the jobs that dst lacks: the
 * same blob is sent once and mounted into the other repositories; up to 4
 * uploads run at once to a registry. Jobs whose tag already names their
 * manifest (unchanged) are skipped. Tags nothing. */
int image_send(struct store *dst, struct image_job *jobs, size_t n);

/*
 * Points tag at the job's manifest in dst under the tag rules: an
 * immutable tag that already names another manifest is refused
 * (-E_REFUSED), one that names this one is left alone (j->unchanged); a
 * moved tag is read back (-E_REFUSED naming the winner of a race).
 */
int image_tag(struct store *dst, struct image_job *j, const char *tag, enum tag_kind k);

/*
 * After image_tag of an immutable tag on every job: waits a few round
 * trips once, then reads each tag back again. A registry cannot refuse an
 * overwrite, so of two pushes racing on one tag the last writer wins; this
 * is how the other one learns it lost (-E_REFUSED naming the winner).
 */
int image_settle(struct store *dst, struct image_job *jobs, size_t n, const char *tag);

/* What image_tag checks first, alone: before sending anything, so an
 * immutable tag that names another manifest is refused early and one that
 * names this manifest makes the push a no-op (j->unchanged). */
int image_check_tag(struct store *dst, struct image_job *j, const char *tag, enum tag_kind k);

void image_job_release(struct image_job *j);

#endif
