/* manifest.c - reading an image's manifest, its index's children and its blobs. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "lib/err.h"
#include "lib/util.h"

static int
is_manifest(const char *mt)
{
	return !strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_DOCKER_MANIFEST);
}

static int
is_index(const char *mt)
{
	return !strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST);
}

/* A descriptor from JSON, checked. */
static int
read_desc(json_t *o, struct desc *d, const char *where)
{
	const char *mt = json_string_value(json_object_get(o, "mediaType"));
	const char *dg = json_string_value(json_object_get(o, "digest"));
	json_t *sz = json_object_get(o, "size");

	if (!dg || !digest_valid(dg) || !json_is_integer(sz) || json_integer_value(sz) < 0)
		return err_set(-E_INVALID, "%s: a descriptor without a valid sha256 digest and "
		    "size", where);
	snprintf(d->media_type, sizeof(d->media_type), "%s", mt ? mt : "");
	snprintf(d->digest, sizeof(d->digest), "%s", dg);
	d->size = json_integer_value(sz);
	return 0;
}

static void
add_blob(struct image_job *j, const struct desc *d)
{
	size_t i;

	for (i = 0; i < j->nblobs; i++)
		if (!strcmp(j->blobs[i].digest, d->digest))
			return;
	j->blobs = xrealloc(j->blobs, (j->nblobs + 1) * sizeof(*j->blobs));
	j->blobs[j->nblobs++] = *d;
}

/* The config and layers of one manifest. */
static int
manifest_blobs(struct image_job *j, const struct buf *bytes, const char *where)
{
	json_t *m = json_loadb(bytes->ptr ? bytes->ptr : "", bytes->len, 0, NULL), *l;
	struct desc d;
	size_t i;
	int rc = 0;

	if (!json_is_object(m)) {
		json_decref(m);
		return err_set(-E_INVALID, "%s: the manifest is not JSON", where);
	}
	if ((rc = read_desc(json_object_get(m, "config"), &d, where)) == 0)
		add_blob(j, &d);
	json_array_foreach(json_object_get(m, "layers"), i, l) {
		if (rc == 0 && (rc = read_desc(l, &d, where)) == 0)
			add_blob(j, &d);
	}
	json_decref(m);
	return rc;
}

/* An index: each child manifest read (by digest) and its blobs listed. */
static int
index_children(struct image_job *j, const char *where)
{
	json_t *x = json_loadb(j->manifest.ptr, j->manifest.len, 0, NULL), *c;
	size_t i;
	int rc = 0;

	if (!json_is_object(x)) {
		json_decref(x);
		return err_set(-E_INVALID, "%s: the index is not JSON", where);
	}
	json_array_foreach(json_object_get(x, "manifests"), i, c) {
		struct desc want, got;
		struct buf bytes = BUF_INIT;

		if (rc < 0 || (rc = read_desc(c, &want, where)) < 0)
			break;
		if ((rc = j->src.ops->manifest_get(&j->src, j->src_repo, want.digest, &bytes,
		    &got)) == 0 && !is_manifest(want.media_type))
			rc = err_set(-E_INVALID, "%s: index entry %s has media type '%s', not an "
			    "image manifest", where, want.digest, want.media_type);
		if (rc == 0)
			rc = manifest_blobs(j, &bytes, where);
		if (rc < 0) {
			buf_release(&bytes);
			break;
		}
		snprintf(got.media_type, sizeof(got.media_type), "%s", want.media_type);
		j->children = xrealloc(j->children, (j->nchildren + 1) * sizeof(*j->children));
		j->child_bytes = xrealloc(j->child_bytes, (j->nchildren + 1) *
		    sizeof(*j->child_bytes));
		j->children[j->nchildren] = got;
		j->child_bytes[j->nchildren++] = bytes;
	}
	json_decref(x);
	return rc;
}

int
image_read(struct image_job *j)
{
	struct buf where = BUF_INIT;
	int rc;

	buf_printf(&where, "%s%s%s", j->src.name, j->src_ref && *j->src_ref ? ":" : "",
	    j->src_ref ? j->src_ref : "");
	if ((rc = j->src.ops->manifest_get(&j->src, j->src_repo, j->src_ref, &j->manifest,
	    &j->top)) < 0)
		goto out;
	if (is_manifest(j->top.media_type))
		rc = manifest_blobs(j, &j->manifest, where.ptr);
	else if (is_index(j->top.media_type))
		rc = index_children(j, where.ptr);
	else
		rc = err_set(-E_INVALID, "%s: unknown manifest media type '%s'", where.ptr,
		    j->top.media_type);
out:
	buf_release(&where);
	return rc;
}

void
image_job_release(struct image_job *j)
{
	size_t i;

	buf_release(&j->repo);
	if (j->src.ops)
		j->src.ops->close(&j->src);
	free(j->src_ref);
	buf_release(&j->manifest);
	free(j->blobs);
	for (i = 0; i < j->nchildren; i++)
		buf_release(&j->child_bytes[i]);
	free(j->children);
	free(j->child_bytes);
	memset(j, 0, sizeof(*j));
}
