/* layout.c - an OCI image layout directory (or a directory of them, one per repo) as a store. */
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/layout_int.h"
#include "image/oci.h"
#include "lib/err.h"
#include "lib/util.h"

/*
 * Files: DIR/oci-layout, DIR/index.json, DIR/blobs/sha256/HEX. Blobs and
 * index.json are written to a temporary file beside them, fsynced and
 * renamed, so readers never see half a file. Writers of index.json hold an
 * flock on DIR itself (no lock file is left behind; the kernel drops the
 * lock when its holder dies) and read index.json again under it.
 *
 * Untagged entries: a manifest put by digest gets an index.json entry with
 * no annotations unless some entry already has that digest, so it stays
 * reachable for tools that collect garbage. Tagging an index drops the
 * untagged entries of its child manifests and of itself: they are
 * reachable through the tag now.
 */

#define LAYOUT_FILE "{\"imageLayoutVersion\":\"1.0.0\"}"
#define INDEX_MAX (64 << 20)

/* Whether repo is a registry repository name: components of [a-z0-9._-],
 * each starting and ending with a letter or digit, joined by '/'. */
static int
repo_valid(const char *repo)
{
	const char *p = repo, *start = repo;

	if (!*repo || strlen(repo) > 255)
		return 0;
	for (;; p++) {
		if (*p == '/' || *p == '\0') {
			if (p == start || !strchr("abcdefghijklmnopqrstuvwxyz0123456789", *start) ||
			    !strchr("abcdefghijklmnopqrstuvwxyz0123456789", p[-1]))
				return 0;
			if (!*p)
				return 1;
			start = p + 1;
		} else if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", *p)) {
			return 0;
		}
	}
}

static int
file_exists(const char *dir, const char *name)
{
	struct buf p = BUF_INIT;
	struct stat st;
	int ok;

	buf_printf(&p, "%s/%s", dir, name);
	ok = stat(p.ptr, &st) == 0 && S_ISREG(st.st_mode);
	buf_release(&p);
	return ok;
}

/* Checks that dir is a layout: -E_NOTFOUND when it is not there (or, for a
 * repo, has no index.json yet: ensure_layout writes it last), -E_INVALID
 * when it is something else. */
static int
check_layout(const char *dir, int repo)
{
	struct buf p = BUF_INIT, b = BUF_INIT;
	int has_layout, has_index, rc = 0;
	struct stat st;
	json_t *j = NULL;

	if (stat(dir, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return err_set(-E_NOTFOUND, "no OCI layout at '%s'", dir);
		return err_set(-E_IO, "cannot read '%s': %s", dir, strerror(errno));
	}
	has_layout = file_exists(dir, "oci-layout");
	has_index = file_exists(dir, "index.json");
	if (repo && S_ISDIR(st.st_mode) && !has_index)
		return err_set(-E_NOTFOUND, "no OCI layout at '%s'", dir);
	if (!S_ISDIR(st.st_mode) || !has_layout || !has_index)
		return err_set(-E_INVALID, "'%s' is not an OCI image layout", dir);
	buf_printf(&p, "%s/oci-layout", dir);
	b.cap = 1 << 16;
	if (!(rc = buf_read_file(&b, p.ptr))) {
		j = json_loadb(b.ptr, b.len, 0, NULL);
		if (!json_is_string(json_object_get(j, "imageLayoutVersion")))
			rc = err_set(-E_INVALID, "'%s' is not a valid oci-layout file", p.ptr);
	}
	json_decref(j);
	buf_release(&p);
	buf_release(&b);
	return rc;
}

/* Makes dir a layout unless it is one; safe when several processes race. */
static int
ensure_layout(const char *dir)
{
	struct buf p = BUF_INIT;
	char *index = NULL;
	int rc;

	buf_printf(&p, "%s/blobs/sha256", dir);
	if ((rc = layout_mkdirs(p.ptr)) < 0)
		goto out;
	buf_reset(&p);
	buf_printf(&p, "%s/oci-layout", dir);
	if (!file_exists(dir, "oci-layout") &&
	    (rc = layout_write_file(dir, "oci-layout", p.ptr, LAYOUT_FILE,
	    strlen(LAYOUT_FILE), 0)) < 0)
		goto out;
	if (!file_exists(dir, "index.json")) {
		json_t *j = oci_index_new();

		index = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (!index)
			die_oom();
		buf_reset(&p);
		buf_printf(&p, "%s/index.json", dir);
		if ((rc = layout_write_file(dir, "index.json", p.ptr, index, strlen(index), 0)) < 0)
			goto out;
	}
	rc = check_layout(dir, 0);
out:
	free(index);
	buf_release(&p);
	return rc;
}

/* The layout directory of repo into out (made when write and missing). */
int
layout_path(struct layout *l, const char *repo, int write, struct buf *out)
{
	int rc;

	buf_reset(out);
	if (!l->many) {
		buf_puts(out, l->dir);
		if (!write)
			return 0;
		buf_puts(out, "/blobs/sha256");	/* another tool's layout may lack it */
		rc = layout_mkdirs(out->ptr);
		buf_setlen(out, strlen(l->dir));
		return rc;
	}
	if (!repo || !repo_valid(repo))
		return err_set(-E_INVALID, "invalid repository name '%s'", repo ? repo : "");
	buf_printf(out, "%s/%s", l->dir, repo);
	if (write)
		return ensure_layout(out->ptr);
	if ((rc = check_layout(out->ptr, 1)) == -E_NOTFOUND)
		err_set(rc, "'%s' has no repository '%s'", l->dir, repo);
	return rc;
}

int
layout_index_read(const char *dir, json_t **out)
{
	struct buf path = BUF_INIT, b = BUF_INIT;
	int rc;

	buf_printf(&path, "%s/index.json", dir);
	b.cap = INDEX_MAX;
	if (!(rc = buf_read_file(&b, path.ptr)))
		rc = oci_index_parse(b.ptr, b.len, path.ptr, out);
	buf_release(&path);
	buf_release(&b);
	return rc;
}

void
layout_blob_path(const char *dir, const char *digest, struct buf *out)
{
	buf_reset(out);
	buf_printf(out, "%s/blobs/sha256/%s", dir, digest + 7);
}

/* oci_read_fn for a layout: ctx is its directory. */
static int
read_blob(void *ctx, const char *digest, struct buf *out)
{
	struct buf path = BUF_INIT, b = BUF_INIT;
	int rc;

	layout_blob_path(ctx, digest, &path);
	b.cap = MANIFEST_MAX;
	rc = buf_read_file(&b, path.ptr);
	if (rc == -E_NOTFOUND)
		err_set(rc, "blob %s not found in '%s'", digest, (const char *)ctx);
	if (!rc)
		buf_add(out, b.ptr, b.len);
	buf_release(&path);
	buf_release(&b);
	return rc;
}

static int
layout_manifest_get(struct store *s, const char *repo, const char *ref,
    struct buf *bytes, struct desc *d)
{
	struct buf dir = BUF_INIT;
	json_t *index = NULL;
	int rc;

	if (!(rc = layout_path(s->impl, repo, 0, &dir)) &&
	    !(rc = layout_index_read(dir.ptr, &index)))
		rc = oci_manifest_resolve(index, ref, dir.ptr, read_blob, dir.ptr, bytes, d);
	json_decref(index);
	buf_release(&dir);
	return rc;
}

static int
layout_manifest_head(struct store *s, const char *repo, const char *ref, struct desc *d)
{
	struct buf bytes = BUF_INIT;
	int rc = layout_manifest_get(s, repo, ref, &bytes, d);

	buf_release(&bytes);
	return rc;
}

static int
layout_blob_exists(struct store *s, const char *repo, const struct desc *d)
{
	struct buf dir = BUF_INIT, path = BUF_INIT;
	struct stat st;
	int rc;

	if (!digest_valid(d->digest))
		return err_set(-E_INVALID, "invalid digest '%s'", d->digest);
	if ((rc = layout_path(s->impl, repo, 0, &dir)) < 0)
		goto out;
	layout_blob_path(dir.ptr, d->digest, &path);
	if (stat(path.ptr, &st) == 0)
		rc = S_ISREG(st.st_mode) && (d->size <= 0 || st.st_size == d->size);
	else if (errno != ENOENT)
		rc = err_set(-E_IO, "cannot read '%s': %s", path.ptr, strerror(errno));
out:
	buf_release(&dir);
	buf_release(&path);
	return rc == -E_NOTFOUND ? 0 : rc;
}

static int
layout_blob_open(struct store *s, const char *repo, const struct desc *d,
    struct blob_region *r)
{
	struct buf dir = BUF_INIT, path = BUF_INIT;
	struct stat st;
	int fd = -1, rc;

	if (!digest_valid(d->digest))
		return err_set(-E_INVALID, "invalid digest '%s'", d->digest);
	if ((rc = layout_path(s->impl, repo, 0, &dir)) < 0)
		goto out;
	layout_blob_path(dir.ptr, d->digest, &path);
	if ((fd = open(path.ptr, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			rc = err_set(-E_NOTFOUND, "blob %s not found in '%s'", d->digest, dir.ptr);
		else
			rc = err_set(-E_IO, "cannot open '%s': %s", path.ptr, strerror(errno));
	} else if (fstat(fd, &st) < 0) {
		rc = err_set(-E_IO, "cannot read '%s': %s", path.ptr, strerror(errno));
	} else if (d->size > 0 && st.st_size != d->size) {
		rc = err_set(-E_INVALID, "blob %s in %s does not match its digest",
		    d->digest, dir.ptr);
	} else {
		r->fd = fd;
		r->off = 0;
		r->size = st.st_size;
		r->tmp = NULL;
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
out:
	buf_release(&dir);
	buf_release(&path);
	return rc;
}

static int
layout_tags(struct store *s, const char *repo, struct strvec *out)
{
	struct buf dir = BUF_INIT;
	json_t *index = NULL;
	int rc;

	if (!(rc = layout_path(s->impl, repo, 0, &dir)) &&
	    !(rc = layout_index_read(dir.ptr, &index)))
		oci_index_tags(index, out);
	json_decref(index);
	buf_release(&dir);
	return rc;
}

static void
layout_close(struct store *s)
{
	struct layout *l = s->impl;

	if (l)
		free(l->dir);
	free(l);
	free(s->name);
	s->impl = NULL;
	s->name = NULL;
}

static const struct store_ops layout_ops = {
	.manifest_get = layout_manifest_get,
	.manifest_head = layout_manifest_head,
	.manifest_put = layout_manifest_put,
	.manifest_put_once = layout_manifest_put_once,
	.blob_exists = layout_blob_exists,
	.blob_open = layout_blob_open,
	.blob_put = layout_blob_put,
	.tags = layout_tags,
	.close = layout_close,
};

/* Checks (or makes, when create) the root: a layout, or a directory of them. */
static int
open_root(const char *dir, int many, int create)
{
	struct stat st;
	json_t *index = NULL;
	int rc;

	if (many && create)
		return layout_mkdirs(dir);
	if (many) {
		if (stat(dir, &st) < 0)
			return err_set(errno == ENOENT ? -E_NOTFOUND : -E_IO,
			    "no OCI layout at '%s'", dir);
		return S_ISDIR(st.st_mode) ? 0 :
		    err_set(-E_INVALID, "'%s' is not a directory of OCI image layouts", dir);
	}
	if ((rc = create ? ensure_layout(dir) : check_layout(dir, 0)) < 0)
		return rc;
	rc = layout_index_read(dir, &index);
	json_decref(index);
	return rc;
}

int
layout_store_open(struct store *s, const char *dir, int many, int create)
{
	struct layout *l;
	char *d = xstrdup(dir);
	size_t n = strlen(d);
	int rc;

	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	memset(s, 0, sizeof(*s));
	if (!n) {
		free(d);
		return err_set(-E_INVALID, "no OCI layout directory given");
	}
	if ((rc = open_root(d, many, create)) < 0) {
		free(d);
		return rc;
	}
	l = xcalloc(1, sizeof(*l));
	l->dir = d;
	l->many = many;
	s->ops = &layout_ops;
	s->impl = l;
	s->name = xmalloc(n + 5);
	memcpy(s->name, "oci:", 4);
	memcpy(s->name + 4, d, n + 1);
	return 0;
}
