/* archive.c - a `docker save` tar (legacy, or an OCI layout inside) as a read-only store. */
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/oci.h"
#include "image/tar.h"
#include "lib/err.h"
#include "lib/util.h"

/*
 * Either format becomes an index and a way to read its blobs:
 *
 * - An OCI layout inside the tar (docker 25 and later, oci-archive): its
 *   index.json as it is, and its blobs/sha256/HEX members. Their digests are
 *   checked when a manifest is read; a blob's are not when it is opened (the
 *   store it is copied into checks them).
 * - The legacy format: manifest.json lists images [{Config, RepoTags,
 *   Layers}]. Each becomes an OCI manifest built here (compact, keys sorted)
 *   whose config and layers are the members named, their sha256 computed
 *   once at open by reading them through; only the digests and the built
 *   manifests stay in memory. Each RepoTag "name:tag" is an index entry
 *   tagged "tag" (ref.name) and named "name:tag" (io.containerd.image.name):
 *   either names it. An archive of several images needs a tag to choose one.
 *
 * Regions from blob_open hold their own dup() of the archive's descriptor:
 * blob_region_close closes it, and they outlive the store.
 */

#define JSON_MAX (16 << 20)

/* A legacy archive's config or layer: its descriptor and its member. */
struct ablob {
	struct desc d;
	long m;
};

/* A manifest built from a legacy manifest.json entry. */
struct amanifest {
	char digest[DIGEST_MAX];
	char *bytes;
};

struct archive {
	char *file;
	int fd;
	struct tar tar;
	json_t *index;
	int oci;
	struct ablob *blobs;
	size_t nblobs;
	struct amanifest *mf;
	size_t nmf;
};

static const char *
layer_type(const unsigned char *magic, long long size)
{
	if (size >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
		return MT_OCI_LAYER_TAR "+gzip";
	if (size >= 4 && !memcmp(magic, "\x28\xb5\x2f\xfd", 4))
		return MT_OCI_LAYER_TAR "+zstd";
	return MT_OCI_LAYER_TAR;
}

/* The blob of member name, hashed the first time it is asked for; mt NULL
 * for a layer (typed by its first bytes). */
static int
member_blob(struct archive *a, const char *name, const char *mt, struct desc *d)
{
	long i = tar_find(&a->tar, name);
	struct blob_region r = BLOB_REGION_INIT;
	unsigned char magic[4] = { 0 };
	size_t k;
	int rc;

	if (i < 0)
		return err_set(-E_INVALID, "'%s' lists '%s' but does not hold it", a->file, name);
	for (k = 0; k < a->nblobs; k++) {
		if (a->blobs[k].m == i) {
			*d = a->blobs[k].d;
			return 0;
		}
	}
	r.fd = a->fd;
	r.off = a->tar.m[i].off;
	r.size = a->tar.m[i].size;
	memset(d, 0, sizeof(*d));
	if ((rc = digest_region(&r, d->digest)) < 0)
		return err_wrap(rc, "reading '%s' in '%s'", name, a->file);
	d->size = r.size;
	if (!mt && pread(a->fd, magic, sizeof(magic), r.off) < 0)
		return err_set(-E_IO, "cannot read '%s': %s", a->file, strerror(errno));
	snprintf(d->media_type, sizeof(d->media_type), "%s", mt ? mt : layer_type(magic, r.size));
	a->blobs = xrealloc(a->blobs, (a->nblobs + 1) * sizeof(*a->blobs));
	a->blobs[a->nblobs].d = *d;
	a->blobs[a->nblobs++].m = i;
	return 0;
}

/* An index entry for md named by a RepoTag ("name:tag", or "name" for latest). */
static json_t *
tagged_entry(const struct desc *md, const char *repotag)
{
	const char *slash = strrchr(repotag, '/'), *colon = strrchr(repotag, ':');
	const char *tag = colon && (!slash || colon > slash) ? colon + 1 : "latest";
	json_t *e = oci_desc_json(md);

	json_object_set_new(e, "annotations", json_pack("{s:s, s:s}",
	    ANNOT_REF_NAME, tag, ANNOT_IMAGE_NAME, repotag));
	return e;
}

/* The OCI manifest of image n of manifest.json, as compact JSON text. */
static int
build_manifest(struct archive *a, json_t *img, size_t n, char **text)
{
	const char *cfg = json_string_value(json_object_get(img, "Config"));
	json_t *layers = json_object_get(img, "Layers"), *arr, *v, *m;
	struct desc cd, ld;
	size_t i;
	int rc;

	if (!cfg || !json_is_array(layers))
		return err_set(-E_INVALID, "'%s' has a malformed manifest.json: "
		    "image %zu has no %s", a->file, n, cfg ? "Layers" : "Config");
	if ((rc = member_blob(a, cfg, MT_OCI_CONFIG, &cd)) < 0)
		return rc;
	arr = json_array();
	json_array_foreach(layers, i, v) {
		if (!json_is_string(v))
			rc = err_set(-E_INVALID, "'%s' has a malformed manifest.json: "
			    "image %zu, layer %zu", a->file, n, i);
		else
			rc = member_blob(a, json_string_value(v), NULL, &ld);
		if (rc < 0)
			break;
		json_array_append_new(arr, oci_desc_json(&ld));
	}
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	m = json_pack("{s:i, s:s, s:o, s:o}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
	    "config", oci_desc_json(&cd), "layers", arr);
	if (!m || !(*text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS)))
		die_oom();
	json_decref(m);
	return 0;
}

/* Adds image n of manifest.json: its manifest and its index entries. */
static int
add_image(struct archive *a, json_t *img, size_t n)
{
	json_t *tags = json_object_get(img, "RepoTags"), *ms, *v;
	struct desc md = { MT_OCI_MANIFEST, "", 0 };
	char *text = NULL;
	size_t i;
	int rc;

	if (tags && !json_is_null(tags) && !json_is_array(tags))
		return err_set(-E_INVALID, "'%s' has a malformed manifest.json: "
		    "image %zu, RepoTags", a->file, n);
	if ((rc = build_manifest(a, img, n, &text)) < 0)
		return rc;
	md.size = (long long)strlen(text);
	digest_bytes(text, strlen(text), md.digest);
	a->mf = xrealloc(a->mf, (a->nmf + 1) * sizeof(*a->mf));
	memcpy(a->mf[a->nmf].digest, md.digest, DIGEST_MAX);
	a->mf[a->nmf++].bytes = text;
	ms = json_object_get(a->index, "manifests");
	json_array_foreach(tags, i, v)
		if (json_is_string(v))
			json_array_append_new(ms, tagged_entry(&md, json_string_value(v)));
	if (!json_array_size(tags))
		json_array_append_new(ms, oci_desc_json(&md));
	return 0;
}

static int
load_legacy(struct archive *a)
{
	long i = tar_find(&a->tar, "manifest.json");
	struct buf b = BUF_INIT;
	json_t *list = NULL, *img;
	size_t n;
	int rc;

	if (i < 0)
		return err_set(-E_INVALID, "'%s' is not a docker archive: it holds neither "
		    "manifest.json nor an OCI layout", a->file);
	if ((rc = tar_read(&a->tar, i, JSON_MAX, &b)) < 0)
		goto out;
	list = json_loadb(b.ptr, b.len, 0, NULL);
	if (!json_is_array(list) || !json_array_size(list)) {
		rc = err_set(-E_INVALID, "'%s' has a malformed manifest.json: not a list of images",
		    a->file);
		goto out;
	}
	a->index = oci_index_new();
	json_array_foreach(list, n, img)
		if ((rc = add_image(a, img, n)) < 0)
			break;
out:
	json_decref(list);
	buf_release(&b);
	return rc;
}

static int
load_oci(struct archive *a)
{
	struct buf b = BUF_INIT, what = BUF_INIT;
	json_t *j;
	int rc;

	a->oci = 1;
	if ((rc = tar_read(&a->tar, tar_find(&a->tar, "oci-layout"), 1 << 16, &b)) < 0)
		goto out;
	j = json_loadb(b.ptr, b.len, 0, NULL);
	if (!json_is_string(json_object_get(j, "imageLayoutVersion")))
		rc = err_set(-E_INVALID, "'%s' holds an invalid oci-layout file", a->file);
	json_decref(j);
	buf_reset(&b);
	buf_printf(&what, "%s:index.json", a->file);
	if (!rc && !(rc = tar_read(&a->tar, tar_find(&a->tar, "index.json"), JSON_MAX, &b)))
		rc = oci_index_parse(b.ptr, b.len, what.ptr, &a->index);
out:
	buf_release(&b);
	buf_release(&what);
	return rc;
}

/* The member holding the blob, or -1. */
static long
find_blob(struct archive *a, const char *digest)
{
	struct buf name = BUF_INIT;
	size_t k;
	long i = -1;

	if (!a->oci) {
		for (k = 0; k < a->nblobs; k++)
			if (!strcmp(a->blobs[k].d.digest, digest))
				return a->blobs[k].m;
		return -1;
	}
	buf_printf(&name, "blobs/sha256/%s", digest + 7);
	i = tar_find(&a->tar, name.ptr);
	buf_release(&name);
	return i;
}

/* oci_read_fn for an archive: a built manifest, or a layout's blob member. */
static int
archive_read(void *ctx, const char *digest, struct buf *out)
{
	struct archive *a = ctx;
	size_t k;
	long i;

	for (k = 0; k < a->nmf; k++) {
		if (!strcmp(a->mf[k].digest, digest)) {
			buf_puts(out, a->mf[k].bytes);
			return 0;
		}
	}
	if (!a->oci || (i = find_blob(a, digest)) < 0)
		return err_set(-E_NOTFOUND, "blob %s not found in '%s'", digest, a->file);
	return tar_read(&a->tar, i, MANIFEST_MAX, out);
}

static int
archive_manifest_get(struct store *s, const char *repo, const char *ref,
    struct buf *bytes, struct desc *d)
{
	struct archive *a = s->impl;

	(void)repo;
	return oci_manifest_resolve(a->index, ref, a->file, archive_read, a, bytes, d);
}

static int
archive_manifest_head(struct store *s, const char *repo, const char *ref, struct desc *d)
{
	struct buf bytes = BUF_INIT;
	int rc = archive_manifest_get(s, repo, ref, &bytes, d);

	buf_release(&bytes);
	return rc;
}

static int
read_only(struct store *s)
{
	struct archive *a = s->impl;

	return err_set(-E_INVALID, "cannot write to '%s': a docker archive is read-only", a->file);
}

static int
archive_manifest_put(struct store *s, const char *repo, const char *ref,
    const char *bytes, const struct desc *d)
{
	(void)repo;
	(void)ref;
	(void)bytes;
	(void)d;
	return read_only(s);
}

static int
archive_blob_put(struct store *s, const char *repo, const struct desc *d,
    struct blob_region *r)
{
	(void)repo;
	(void)d;
	(void)r;
	return read_only(s);
}

static int
archive_blob_exists(struct store *s, const char *repo, const struct desc *d)
{
	struct archive *a = s->impl;
	long i;

	(void)repo;
	if (!digest_valid(d->digest))
		return err_set(-E_INVALID, "invalid digest '%s'", d->digest);
	i = find_blob(a, d->digest);
	return i >= 0 && (d->size <= 0 || a->tar.m[i].size == d->size);
}

static int
archive_blob_open(struct store *s, const char *repo, const struct desc *d,
    struct blob_region *r)
{
	struct archive *a = s->impl;
	long i;
	int fd;

	(void)repo;
	if (!digest_valid(d->digest))
		return err_set(-E_INVALID, "invalid digest '%s'", d->digest);
	if ((i = find_blob(a, d->digest)) < 0)
		return err_set(-E_NOTFOUND, "blob %s not found in '%s'", d->digest, a->file);
	if (d->size > 0 && a->tar.m[i].size != d->size)
		return err_set(-E_INVALID, "blob %s in %s does not match its digest",
		    d->digest, a->file);
	if ((fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return err_set(-E_IO, "cannot open '%s': %s", a->file, strerror(errno));
	r->fd = fd;
	r->off = a->tar.m[i].off;
	r->size = a->tar.m[i].size;
	r->tmp = NULL;
	return 0;
}

static int
archive_tags(struct store *s, const char *repo, struct strvec *out)
{
	struct archive *a = s->impl;

	(void)repo;
	oci_index_tags(a->index, out);
	return 0;
}

static void
archive_free(struct archive *a)
{
	size_t k;

	if (!a)
		return;
	for (k = 0; k < a->nmf; k++)
		free(a->mf[k].bytes);
	free(a->mf);
	free(a->blobs);
	json_decref(a->index);
	tar_release(&a->tar);
	if (a->fd >= 0)
		close(a->fd);
	free(a->file);
	free(a);
}

static void
archive_close(struct store *s)
{
	archive_free(s->impl);
	free(s->name);
	s->impl = NULL;
	s->name = NULL;
}

static const struct store_ops archive_ops = {
	.manifest_get = archive_manifest_get,
	.manifest_head = archive_manifest_head,
	.manifest_put = archive_manifest_put,
	.blob_exists = archive_blob_exists,
	.blob_open = archive_blob_open,
	.blob_put = archive_blob_put,
	.tags = archive_tags,
	.close = archive_close,
};

int
archive_store_open(struct store *s, const char *file)
{
	struct archive *a;
	struct stat st;
	struct buf name = BUF_INIT;
	int fd, rc;

	memset(s, 0, sizeof(*s));
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return err_set(-E_NOTFOUND, "'%s' does not exist", file);
		return err_set(-E_IO, "cannot open '%s': %s", file, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(-E_INVALID, "'%s' is not a file", file);
	}
	a = xcalloc(1, sizeof(*a));
	a->fd = fd;
	a->file = xstrdup(file);
	if (!(rc = tar_scan(&a->tar, fd, a->file)))
		rc = tar_find(&a->tar, "oci-layout") >= 0 && tar_find(&a->tar, "index.json") >= 0 ?
		    load_oci(a) : load_legacy(a);
	if (rc < 0) {
		archive_free(a);
		return rc;
	}
	buf_printf(&name, "docker-archive:%s", file);
	s->ops = &archive_ops;
	s->impl = a;
	s->name = buf_detach(&name, NULL);
	return 0;
}
