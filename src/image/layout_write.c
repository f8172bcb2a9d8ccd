/* layout_write.c - writing a layout: files renamed into place, the writers' lock, index.json. */
#include "image/layout_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/oci.h"
#include "lib/err.h"
#include "lib/util.h"

int layout_lock_wait_ms = 30000;

static unsigned tmp_counter;

/* Creates path and its parents; 0 or -E_IO. */
int
layout_mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	struct stat st;
	int rc = 0;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			rc = err_set(-E_IO, "cannot create '%s': %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	if (!rc && (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
		rc = err_set(-E_IO, "cannot create '%s': not a directory", path);
	free(p);
	return rc;
}

/* Opens a new temporary file DIR/.STEM.tmp-PID-N; the fd, or -E_IO. */
static int
tmp_create(const char *dir, const char *stem, struct buf *tmp)
{
	int fd;

	buf_reset(tmp);
	buf_printf(tmp, "%s/.%s.tmp-%ld-%u", dir, stem, (long)getpid(), tmp_counter++);
	fd = open(tmp->ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return err_set(-E_IO, "cannot create '%s': %s", tmp->ptr, strerror(errno));
	return fd;
}

/* fsyncs and closes fd, then moves tmp to path: rename() when replace, else
 * link() that keeps an existing path. tmp is gone afterwards either way. */
static int
tmp_finish(int fd, const char *tmp, const char *path, int replace)
{
	int rc = 0;

	if (fsync(fd) < 0)
		rc = err_set(-E_IO, "cannot write '%s': %s", tmp, strerror(errno));
	if (close(fd) < 0 && !rc)
		rc = err_set(-E_IO, "cannot write '%s': %s", tmp, strerror(errno));
	if (!rc && replace && rename(tmp, path) < 0)
		rc = err_set(-E_IO, "cannot rename '%s': %s", tmp, strerror(errno));
	if (!rc && !replace && link(tmp, path) < 0 && errno != EEXIST)
		rc = err_set(-E_IO, "cannot create '%s': %s", path, strerror(errno));
	if (rc || !replace)
		unlink(tmp);
	return rc;
}

/* Writes data to path through a temporary file in dir (see tmp_finish). */
int
layout_write_file(const char *dir, const char *stem, const char *path,
    const char *data, size_t len, int replace)
{
	struct buf tmp = BUF_INIT;
	ssize_t n;
	int fd, rc = 0;

	if ((fd = tmp_create(dir, stem, &tmp)) < 0) {
		buf_release(&tmp);
		return fd;
	}
	while (len > 0 && !rc) {
		n = write(fd, data, len);
		if (n < 0 && errno != EINTR)
			rc = err_set(-E_IO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		}
	}
	if (rc) {
		close(fd);
		unlink(tmp.ptr);
	} else {
		rc = tmp_finish(fd, tmp.ptr, path, replace);
	}
	buf_release(&tmp);
	return rc;
}

/* Takes the writers' lock of layout dir into *fdp (close it to unlock). */
static int
lock_layout(const char *dir, int *fdp)
{
	long long deadline = monotonic_ms() + layout_lock_wait_ms;
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_set(-E_IO, "cannot open '%s': %s", dir, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK || monotonic_ms() >= deadline) {
			int e = errno;

			close(fd);
			if (e != EWOULDBLOCK)
				return err_set(-E_IO, "cannot lock '%s': %s", dir, strerror(e));
			err_hint("another process is writing to this layout; try again later");
			return err_set(-E_IO, "cannot lock '%s': another writer held it longer "
			    "than %gs", dir, layout_lock_wait_ms / 1000.0);
		}
		nanosleep(&nap, NULL);
	}
	*fdp = fd;
	return 0;
}

/* Whether entry e has no annotations at all. */
static int
untagged(json_t *e)
{
	return json_object_size(json_object_get(e, "annotations")) == 0;
}

/* Points tag at md in index (NULL tag: adds an untagged entry unless md's
 * digest is listed). Returns 1 when the index changed, 0 when not, -1 when
 * once is set and tag names another manifest already. */
static int
index_set(json_t *index, const struct desc *md, const char *tag, const struct strvec *children,
    int once)
{
	json_t *ms = json_object_get(index, "manifests"), *e, *n;
	const char *dg, *t;
	size_t i = 0;
	int placed = 0;

	json_array_foreach(ms, i, e)
		if (once && tag && (t = oci_entry_tag(e)) && !strcmp(t, tag) &&
		    strcmp(json_string_value(json_object_get(e, "digest")), md->digest))
			return -1;
	i = 0;

	if (!tag) {
		json_array_foreach(ms, i, e)
			if (!strcmp(json_string_value(json_object_get(e, "digest")), md->digest))
				return 0;
		json_array_append_new(ms, oci_desc_json(md));
		return 1;
	}
	n = oci_desc_json(md);
	json_object_set_new(n, "annotations", json_pack("{s:s}", ANNOT_REF_NAME, tag));
	while (i < json_array_size(ms)) {
		e = json_array_get(ms, i);
		dg = json_string_value(json_object_get(e, "digest"));
		t = oci_entry_tag(e);
		if (t && !strcmp(t, tag) && !placed) {
			json_array_set(ms, i++, n);
			placed = 1;
		} else if ((t && !strcmp(t, tag)) || (untagged(e) &&
		    (!strcmp(dg, md->digest) || strvec_find(children, dg) >= 0))) {
			json_array_remove(ms, i);
		} else {
			i++;
		}
	}
	if (!placed)
		json_array_append(ms, n);
	json_decref(n);
	return 1;
}

/* Re-reads index.json under the lock, applies index_set, writes it back. */
static int
index_update(const char *dir, const struct desc *md, const char *tag,
    const struct strvec *children, int once)
{
	struct buf path = BUF_INIT;
	json_t *index = NULL;
	char *text = NULL;
	int lock = -1, rc, set;

	if ((rc = lock_layout(dir, &lock)) < 0)
		return rc;
	if ((rc = layout_index_read(dir, &index)) < 0 ||
	    !(set = index_set(index, md, tag, children, once)))
		goto out;
	if (set < 0) {
		rc = err_set(-E_REFUSED, "%s: lost a race: another push set it at the same time; "
		    "that one stays (this image was %s)", tag, md->digest);
		goto out;
	}
	if (!(text = json_dumps(index, JSON_COMPACT)))
		die_oom();
	buf_printf(&path, "%s/index.json", dir);
	rc = layout_write_file(dir, "index.json", path.ptr, text, strlen(text), 1);
out:
	close(lock);
	free(text);
	json_decref(index);
	buf_release(&path);
	return rc;
}

/* The digests an image index lists (for dropping their untagged entries). */
static void
index_children(const char *bytes, size_t len, const char *mt, struct strvec *out)
{
	json_t *root, *e;
	const char *dg;
	size_t i;

	if (strcmp(mt, MT_OCI_INDEX) && strcmp(mt, MT_DOCKER_LIST))
		return;
	root = json_loadb(bytes, len, 0, NULL);
	json_array_foreach(json_object_get(root, "manifests"), i, e)
		if ((dg = json_string_value(json_object_get(e, "digest"))))
			strvec_push(out, dg);
	json_decref(root);
}

/* The manifest's own mediaType field into mt; 0 when it has none. */
static int
own_type(const char *bytes, size_t len, char mt[128])
{
	json_t *root = json_loadb(bytes, len, 0, NULL);
	const char *own = json_string_value(json_object_get(root, "mediaType"));
	int has = own != NULL;

	if (has)
		snprintf(mt, 128, "%s", own);
	json_decref(root);
	return has;
}

/* Checks a manifest_put's arguments; fills md (media type, size). */
static int
check_put(const char *ref, const char *bytes, const struct desc *d, struct desc *md)
{
	char got[DIGEST_MAX], mt[128];
	int dig = oci_ref_is_digest(ref);

	*md = *d;
	md->size = d->size > 0 ? d->size : (long long)strlen(bytes);
	if (dig < 0)
		return dig;
	if (!dig && (!ref || !oci_tag_valid(ref)))
		return err_set(-E_INVALID, "invalid tag '%s'", ref ? ref : "");
	if (!digest_valid(d->digest))
		return err_set(-E_INVALID, "invalid digest '%s'", d->digest);
	digest_bytes(bytes, (size_t)md->size, got);
	if (strcmp(got, d->digest))
		return err_set(-E_INVALID, "manifest does not match its digest %s", d->digest);
	if (dig && strcmp(ref, d->digest))
		return err_set(-E_INVALID, "manifest %s cannot be stored as %s", d->digest, ref);
	if (!oci_manifest_sniff(bytes, (size_t)md->size, mt))
		return err_set(-E_INVALID, "%s is not an image manifest or index", d->digest);
	if (!md->media_type[0])
		memcpy(md->media_type, mt, sizeof(mt));
	else if (own_type(bytes, (size_t)md->size, mt) && strcmp(mt, md->media_type))
		return err_set(-E_INVALID, "manifest %s says its type is '%s', not '%s'",
		    d->digest, mt, md->media_type);
	return dig;
}

static int
manifest_put(struct store *s, const char *repo, const char *ref, const char *bytes,
    const struct desc *d, int once)
{
	struct buf dir = BUF_INIT, path = BUF_INIT, bdir = BUF_INIT;
	struct strvec children = STRVEC_INIT;
	struct desc md;
	struct stat st;
	int dig, rc;

	if ((rc = dig = check_put(ref, bytes, d, &md)) < 0 ||
	    (rc = layout_path(s->impl, repo, 1, &dir)) < 0)
		goto out;
	layout_blob_path(dir.ptr, md.digest, &path);
	buf_printf(&bdir, "%s/blobs/sha256", dir.ptr);
	if ((stat(path.ptr, &st) < 0 || st.st_size != md.size) &&
	    (rc = layout_write_file(bdir.ptr, md.digest + 7, path.ptr, bytes,
	    (size_t)md.size, 1)) < 0)
		goto out;
	index_children(bytes, (size_t)md.size, md.media_type, &children);
	rc = index_update(dir.ptr, &md, dig ? NULL : ref, &children, once);
out:
	strvec_clear(&children);
	buf_release(&dir);
	buf_release(&path);
	buf_release(&bdir);
	return rc;
}

int
layout_manifest_put(struct store *s, const char *repo, const char *ref,
    const char *bytes, const struct desc *d)
{
	return manifest_put(s, repo, ref, bytes, d, 0);
}

int
layout_manifest_put_once(struct store *s, const char *repo, const char *tag,
    const char *bytes, const struct desc *d)
{
	return manifest_put(s, repo, tag, bytes, d, 1);
}

/* Copies r into a temporary file in bdir, hashing; renames it to path when
 * the digest matches, removes it otherwise. */
static int
copy_blob(const char *bdir, const char *path, const struct desc *d, struct blob_region *r)
{
	struct buf tmp = BUF_INIT;
	char got[DIGEST_MAX];
	int fd, rc;

	if ((rc = fd = tmp_create(bdir, d->digest + 7, &tmp)) < 0)
		goto out;
	rc = digest_region_copy(r, fd, got);
	if (!rc && strcmp(got, d->digest))
		rc = err_set(-E_INVALID, "blob %s does not match its digest (its bytes are %s)",
		    d->digest, got);
	if (rc) {
		close(fd);
		unlink(tmp.ptr);
	} else {
		rc = tmp_finish(fd, tmp.ptr, path, 1);
	}
out:
	buf_release(&tmp);
	return rc;
}

int
layout_blob_put(struct store *s, const char *repo, const struct desc *d,
    struct blob_region *r)
{
	struct buf dir = BUF_INIT, path = BUF_INIT, bdir = BUF_INIT;
	struct stat st;
	int rc;

	if (!digest_valid(d->digest))
		return err_set(-E_INVALID, "invalid digest '%s'", d->digest);
	if (d->size > 0 && r->size != d->size)
		return err_set(-E_INVALID, "blob %s does not match its digest "
		    "(%lld bytes, not %lld)", d->digest, r->size, d->size);
	if ((rc = layout_path(s->impl, repo, 1, &dir)) < 0)
		goto out;
	layout_blob_path(dir.ptr, d->digest, &path);
	buf_printf(&bdir, "%s/blobs/sha256", dir.ptr);
	if (stat(path.ptr, &st) == 0 && st.st_size == r->size)
		goto out;	/* already there */
	rc = copy_blob(bdir.ptr, path.ptr, d, r);
out:
	buf_release(&dir);
	buf_release(&path);
	buf_release(&bdir);
	return rc;
}
