/* store.h - where images live: a registry, an OCI layout directory, a docker archive. */
#ifndef SLIPWAY_STORE_H
#define SLIPWAY_STORE_H

#include "lib/buf.h"
#include "lib/strvec.h"

#define DIGEST_MAX 72		/* "sha256:" + 64 hex + NUL */

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"

/* An OCI descriptor: what a manifest says about a blob or another manifest. */
struct desc {
	char media_type[128];
	char digest[DIGEST_MAX];	/* "sha256:<64 hex>" */
	long long size;
};

/* A blob's bytes as a region of an open file (a layout's blob file, a tar
 * member, a download). The store that filled it owns fd and tmp. */
struct blob_region {
	int fd;
	long long off, size;
	char *tmp;		/* a temporary file to remove when done, or NULL */
};

#define BLOB_REGION_INIT { -1, 0, 0, NULL }

struct store;

/*
 * What every store does. repo names an image inside the store ("indra_node");
 * a single-image store (an oci:DIR source, a docker archive) ignores it. ref
 * is a tag or a digest. Every function returns 0 or a negative E_* code with
 * the error set; -E_NOTFOUND when what is asked for is not there.
 */
struct store_ops {
	/* The manifest or index ref names: its exact bytes and descriptor. */
	int (*manifest_get)(struct store *s, const char *repo, const char *ref,
	    struct buf *bytes, struct desc *d);
	/* Only the descriptor (a registry's HEAD). */
	int (*manifest_head)(struct store *s, const char *repo, const char *ref,
	    struct desc *d);
	/* Stores bytes (whose sha256 is d->digest, media type d->media_type) and
	 * points ref at them; ref may be the digest itself (no tag moves). */
	int (*manifest_put)(struct store *s, const char *repo, const char *ref,
	    const char *bytes, const struct desc *d);
	/* 1 when the store has the blob, 0 when not. */
	int (*blob_exists)(struct store *s, const char *repo, const struct desc *d);
	/* Opens the blob for reading (a registry downloads it to a temporary
	 * file, checking the digest). */
	int (*blob_open)(struct store *s, const char *repo, const struct desc *d,
	    struct blob_region *r);
	/* Stores the blob from r, checking its digest; nothing is left behind
	 * when the bytes do not match. */
	int (*blob_put)(struct store *s, const char *repo, const struct desc *d,
	    struct blob_region *r);
	/* Appends the tags of repo, sorted. */
	int (*tags)(struct store *s, const char *repo, struct strvec *out);
	void (*close)(struct store *s);
	/* Optional (NULL: unsupported): makes the blob that repo from has
	 * appear in repo without sending it (a registry's cross-repository
	 * mount). 1 done, 0 not possible. */
	int (*blob_mount)(struct store *s, const char *repo, const struct desc *d,
	    const char *from);
	/* Optional (NULL: unsupported): manifest_put of a tag that must not
	 * name another manifest already, checked and set atomically (a store
	 * that holds a lock can; a registry cannot). -E_REFUSED otherwise. */
	int (*manifest_put_once)(struct store *s, const char *repo, const char *tag,
	    const char *bytes, const struct desc *d);
};

struct store {
	const struct store_ops *ops;
	char *name;		/* for messages: "127.0.0.1:5000/connext", "oci:build/images/node" */
	void *impl;
};

/* Closes r->fd and removes and frees r->tmp; leaves r as BLOB_REGION_INIT.
 * Every region a blob_open filled is closed with this (the layout and archive
 * stores give each region its own descriptor). */
void blob_region_close(struct blob_region *r);

/*
 * Opens an OCI image layout directory as a store. many = 1: a registry of
 * several images (the embedded registry, images.registry = oci:PATH), one
 * layout per repo under dir (dir/REPO/), created when first written; many =
 * 0: dir is one image's layout (an oci:DIR source or a pull target). create:
 * make dir (and oci-layout, index.json) when missing. Tags are index.json
 * manifests annotated org.opencontainers.image.ref.name; writers of one
 * layout are serialised with an flock on its directory, so two processes
 * tagging at once never lose an update.
 */
int layout_store_open(struct store *s, const char *dir, int many, int create);

/* Opens a `docker save` archive (either format: legacy manifest.json, or an
 * OCI layout inside the tar) as a read-only single-image store whose one
 * manifest is an OCI manifest built from it; ref "" or any tag the archive
 * lists names it ("1.2.0" or "connext/indra_node:1.2.0"; an archive of
 * several images needs one). -E_INVALID for a truncated or malformed
 * archive. */
int archive_store_open(struct store *s, const char *file);

/* sha256 of bytes as "sha256:<hex>". */
void digest_bytes(const void *bytes, size_t len, char out[DIGEST_MAX]);
/* "sha256:<hex>" of a finished sha256 (md, n bytes) into out. */
void digest_format(const unsigned char *md, unsigned int n, char out[DIGEST_MAX]);
/* Whether s is "sha256:" and 64 lower-case hex digits. */
int digest_valid(const char *s);
/* sha256 of r's bytes, read with pread in 64 KiB chunks; 0, or -E_IO when
 * the file cannot be read or ends before the region does. */
int digest_region(const struct blob_region *r, char out[DIGEST_MAX]);
/* digest_region that also writes the bytes to fd (a temporary file). */
int digest_region_copy(const struct blob_region *r, int fd, char out[DIGEST_MAX]);

/* How long a layout writer waits for another one's lock before failing with
 * -E_IO (milliseconds; 30000; tests shorten it). */
extern int layout_lock_wait_ms;

#endif
