/* test_image_store.c - digests, the OCI layout store (one layout, or one per repo), its lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "image/store.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/run.h"
#include "lib/util.h"

static char scratch[] = "/tmp/slipway-image-XXXXXX";

#define SHA_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* A path under the scratch directory (one of 8 rotating buffers). */
static const char *
P(const char *fmt, ...)
{
	static char ring[8][4096];
	static int next;
	char *p = ring[next++ % 8];
	int n = snprintf(p, 4096, "%s/", scratch);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p + n, 4096 - n, fmt, ap);
	va_end(ap);
	return p;
}

static void
write_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void
write_str(const char *path, const char *s)
{
	write_bytes(path, s, strlen(s));
}

static void
read_bytes(const char *path, struct buf *out)
{
	buf_reset(out);
	assert_int_equal(buf_read_file(out, path), 0);
}

/* Stores len bytes as a blob through a region of a scratch file. */
static int
put_blob(struct store *s, const char *repo, const void *data, size_t len, struct desc *d)
{
	struct blob_region r = BLOB_REGION_INIT;
	const char *src = P("blob-src");
	int rc;

	write_bytes(src, data, len);
	memset(d, 0, sizeof(*d));
	snprintf(d->media_type, sizeof(d->media_type), "%s", MT_OCI_LAYER_TAR);
	digest_bytes(data, len, d->digest);
	d->size = (long long)len;
	r.fd = open(src, O_RDONLY);
	r.size = (long long)len;
	rc = s->ops->blob_put(s, repo, d, &r);
	blob_region_close(&r);
	return rc;
}

/* A small manifest, distinct per n, as JSON text (caller frees) and its descriptor. */
static char *
make_manifest(int n, struct desc *d)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\","
	    "\"digest\":\"sha256:%064d\",\"size\":2},\"layers\":[],\"annotations\":{\"n\":\"%d\"}}",
	    MT_OCI_MANIFEST, MT_OCI_CONFIG, n, n);
	memset(d, 0, sizeof(*d));
	snprintf(d->media_type, sizeof(d->media_type), "%s", MT_OCI_MANIFEST);
	digest_bytes(b.ptr, b.len, d->digest);
	d->size = (long long)b.len;
	return buf_detach(&b, NULL);
}

/* Puts manifest n under ref; returns put's code. */
static int
put_manifest(struct store *s, const char *repo, const char *ref, int n, struct desc *d)
{
	char *m = make_manifest(n, d);
	int rc = s->ops->manifest_put(s, repo, ref, m, d);

	free(m);
	return rc;
}

static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void
assert_tags(struct store *s, const char *repo, const char *want)
{
	struct strvec tags = STRVEC_INIT;
	struct buf got = BUF_INIT;
	size_t i;

	assert_int_equal(s->ops->tags(s, repo, &tags), 0);
	for (i = 0; i < tags.nr; i++)
		buf_printf(&got, "%s%s", i ? " " : "", tags.v[i]);
	assert_string_equal(got.ptr, want);
	strvec_clear(&tags);
	buf_release(&got);
}

static void
test_digest(void **state)
{
	struct blob_region r = BLOB_REGION_INIT;
	char d[DIGEST_MAX];

	(void)state;
	digest_bytes("abc", 3, d);
	assert_string_equal(d, SHA_ABC);
	digest_bytes("", 0, d);
	assert_string_equal(d, SHA_EMPTY);
	assert_true(digest_valid(d));
	assert_false(digest_valid("sha256:E3B0C44298FC1C149AFBF4C8996FB924"
	    "27AE41E4649B934CA495991B7852B855"));
	assert_false(digest_valid(SHA_EMPTY "0"));
	assert_false(digest_valid("sha256:e3b0"));
	assert_false(digest_valid("sha512:e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855"));
	assert_false(digest_valid(NULL));
	write_bytes(P("d.bin"), "xxabcyy", 7);
	r.fd = open(P("d.bin"), O_RDONLY);
	r.off = 2;
	r.size = 3;
	assert_int_equal(digest_region(&r, d), 0);
	assert_string_equal(d, SHA_ABC);
	r.size = 10;	/* past the end of the file */
	assert_int_equal(digest_region(&r, d), -E_IO);
	assert_non_null(strstr(err_msg(), "unexpected end of file"));
	r.tmp = xstrdup(P("d.bin"));
	blob_region_close(&r);
	assert_int_equal(r.fd, -1);
	assert_null(r.tmp);
	assert_int_equal(access(P("d.bin"), F_OK), -1);	/* the temporary file is removed */
	err_clear();
}

static void
test_blob_round_trip(void **state)
{
	struct blob_region r = BLOB_REGION_INIT;
	struct store s;
	struct desc d, other;
	char data[100000], back[100000];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + i / 300);
	assert_int_equal(layout_store_open(&s, P("blobs"), 0, 1), 0);
	assert_int_equal(strncmp(s.name, "oci:", 4), 0);
	assert_string_equal(s.name + 4, P("blobs"));
	assert_int_equal(put_blob(&s, "", data, sizeof(data), &d), 0);
	assert_int_equal(access(P("blobs/blobs/sha256/%s", d.digest + 7), F_OK), 0);
	assert_int_equal(s.ops->blob_exists(&s, "", &d), 1);
	other = d;
	other.size = 5;
	assert_int_equal(s.ops->blob_exists(&s, "", &other), 0);	/* size checked */
	digest_bytes("nope", 4, other.digest);
	other.size = 4;
	assert_int_equal(s.ops->blob_exists(&s, "", &other), 0);
	assert_int_equal(s.ops->blob_open(&s, "", &other, &r), -E_NOTFOUND);
	assert_int_equal(s.ops->blob_open(&s, "", &d, &r), 0);
	assert_int_equal(r.off, 0);
	assert_int_equal(r.size, sizeof(data));
	assert_int_equal(pread(r.fd, back, sizeof(back), 0), (ssize_t)sizeof(back));
	assert_memory_equal(back, data, sizeof(data));
	blob_region_close(&r);
	assert_int_equal(put_blob(&s, "", data, sizeof(data), &d), 0);	/* again: no-op */
	assert_int_equal(count_files(P("blobs/blobs/sha256")), 1);
	s.ops->close(&s);
	err_clear();
}

static void
test_blob_mismatch_leaves_nothing(void **state)
{
	struct blob_region r = BLOB_REGION_INIT;
	struct store s;
	struct desc d;

	(void)state;
	assert_int_equal(layout_store_open(&s, P("mismatch"), 0, 1), 0);
	write_bytes(P("src"), "hello", 5);
	memset(&d, 0, sizeof(d));
	digest_bytes("hellO", 5, d.digest);
	d.size = 5;
	r.fd = open(P("src"), O_RDONLY);
	r.size = 5;
	assert_int_equal(s.ops->blob_put(&s, "", &d, &r), -E_INVALID);
	assert_non_null(strstr(err_msg(), "does not match its digest"));
	assert_non_null(strstr(err_msg(), d.digest));
	/* no blob, no temporary file */
	assert_int_equal(count_files(P("mismatch/blobs/sha256")), 0);
	d.size = 6;	/* a size that differs fails before copying */
	assert_int_equal(s.ops->blob_put(&s, "", &d, &r), -E_INVALID);
	assert_int_equal(count_files(P("mismatch/blobs/sha256")), 0);
	snprintf(d.digest, sizeof(d.digest), "sha256:xyz");
	assert_int_equal(s.ops->blob_put(&s, "", &d, &r), -E_INVALID);
	blob_region_close(&r);
	s.ops->close(&s);
	err_clear();
}

/* index.json as jansson reads it, checked to be what the spec says. */
static json_t *
load_index(const char *dir)
{
	json_t *j = json_load_file(P("%s/index.json", dir), 0, NULL);

	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "schemaVersion")), 2);
	assert_string_equal(json_string_value(json_object_get(j, "mediaType")), MT_OCI_INDEX);
	assert_true(json_is_array(json_object_get(j, "manifests")));
	return j;
}

/* The raw manifest skopeo reads for oci:DIR:TAG, when skopeo is installed. */
static void
check_with_skopeo(const char *dir, const char *tag, const struct buf *want)
{
	struct run r = RUN_INIT;

	if (access("/usr/bin/skopeo", X_OK) < 0)
		return;
	strvec_pushl(&r.argv, "skopeo", "inspect", "--raw", NULL);
	strvec_pushf(&r.argv, "oci:%s:%s", dir, tag);
	r.capture_out = 1;
	r.capture_err = 1;
	assert_int_equal(run_exec(&r), 0);
	if (r.status)
		fail_msg("skopeo: %s", r.err.ptr);
	buf_rtrim(&r.out);
	assert_string_equal(r.out.ptr, want->ptr);
	run_release(&r);
}

static void
test_manifest_round_trip(void **state)
{
	struct buf bytes = BUF_INIT, file = BUF_INIT;
	struct desc d, got, cfg, layer;
	struct store s;
	json_t *ix, *e;
	char *m;

	(void)state;
	assert_int_equal(layout_store_open(&s, P("mf"), 0, 1), 0);
	assert_int_equal(put_blob(&s, "", "{}", 2, &cfg), 0);
	assert_int_equal(put_blob(&s, "", "layer", 5, &layer), 0);
	m = make_manifest(1, &d);
	assert_int_equal(s.ops->manifest_get(&s, "", "", &bytes, &got), -E_NOTFOUND);
	assert_int_equal(s.ops->manifest_put(&s, "", "v1", m, &d), 0);
	assert_int_equal(s.ops->manifest_get(&s, "", "v1", &bytes, &got), 0);
	assert_string_equal(bytes.ptr, m);
	assert_string_equal(got.digest, d.digest);
	assert_string_equal(got.media_type, MT_OCI_MANIFEST);
	assert_int_equal(got.size, (long long)strlen(m));
	memset(&got, 0, sizeof(got));
	/* no tag: the only one */
	assert_int_equal(s.ops->manifest_get(&s, "", "", &bytes, &got), 0);
	assert_string_equal(got.digest, d.digest);
	assert_int_equal(s.ops->manifest_get(&s, "", d.digest, &bytes, &got), 0);
	assert_string_equal(bytes.ptr, m);
	assert_int_equal(s.ops->manifest_head(&s, "", "v1", &got), 0);
	assert_string_equal(got.digest, d.digest);
	assert_int_equal(s.ops->manifest_get(&s, "", "v2", &bytes, &got), -E_NOTFOUND);
	assert_int_equal(s.ops->manifest_get(&s, "", layer.digest, &bytes, &got), -E_NOTFOUND);
	assert_int_equal(s.ops->manifest_get(&s, "", "sha256:123", &bytes, &got), -E_INVALID);
	read_bytes(P("mf/blobs/sha256/%s", d.digest + 7), &file);
	assert_string_equal(file.ptr, m);
	read_bytes(P("mf/oci-layout"), &file);
	assert_string_equal(file.ptr, "{\"imageLayoutVersion\":\"1.0.0\"}");
	ix = load_index("mf");
	assert_int_equal(json_array_size(json_object_get(ix, "manifests")), 1);
	e = json_array_get(json_object_get(ix, "manifests"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "digest")), d.digest);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "annotations"),
	    "org.opencontainers.image.ref.name")), "v1");
	json_decref(ix);
	buf_reset(&file);
	buf_puts(&file, m);
	check_with_skopeo(P("mf"), "v1", &file);
	s.ops->close(&s);
	free(m);
	buf_release(&bytes);
	buf_release(&file);
	err_clear();
}

static void
test_tags_sorted_and_retag(void **state)
{
	struct desc d1, d2, d3, got;
	struct buf bytes = BUF_INIT;
	struct store s;
	json_t *ix;

	(void)state;
	assert_int_equal(layout_store_open(&s, P("tags"), 0, 1), 0);
	assert_int_equal(put_manifest(&s, "", "v1.0", 1, &d1), 0);
	assert_int_equal(put_manifest(&s, "", "b", 2, &d2), 0);
	assert_int_equal(put_manifest(&s, "", "a", 3, &d3), 0);
	/* two tags, one manifest */
	assert_int_equal(put_manifest(&s, "", "latest", 2, &d2), 0);
	assert_tags(&s, "", "a b latest v1.0");
	assert_int_equal(s.ops->manifest_get(&s, "", "", &bytes, &got), -E_INVALID);
	assert_non_null(strstr(err_msg(), "which tag?"));
	assert_non_null(strstr(err_hints(), "a, b, latest, v1.0"));
	err_clear();
	assert_int_equal(put_manifest(&s, "", "a", 1, &d1), 0);	/* a moves to manifest 1 */
	assert_int_equal(s.ops->manifest_get(&s, "", "a", &bytes, &got), 0);
	assert_string_equal(got.digest, d1.digest);
	assert_int_equal(s.ops->manifest_get(&s, "", "latest", &bytes, &got), 0);
	assert_string_equal(got.digest, d2.digest);
	assert_tags(&s, "", "a b latest v1.0");
	ix = load_index("tags");
	assert_int_equal(json_array_size(json_object_get(ix, "manifests")), 4);
	json_decref(ix);
	assert_int_equal(put_manifest(&s, "", "bad tag", 1, &d1), -E_INVALID);
	assert_int_equal(put_manifest(&s, "", "", 1, &d1), -E_INVALID);
	/* a digest ref that is not the manifest's digest */
	assert_int_equal(put_manifest(&s, "", d2.digest, 1, &d1), -E_INVALID);
	d1.digest[10] ^= 1;
	assert_int_equal(s.ops->manifest_put(&s, "", "x", "{}", &d1), -E_INVALID);
	assert_tags(&s, "", "a b latest v1.0");
	s.ops->close(&s);
	buf_release(&bytes);
	err_clear();
}

static void
test_corrupt_blob_detected(void **state)
{
	struct buf bytes = BUF_INIT, file = BUF_INIT;
	struct desc d, got;
	struct store s;

	(void)state;
	assert_int_equal(layout_store_open(&s, P("corrupt"), 0, 1), 0);
	assert_int_equal(put_manifest(&s, "", "v1", 7, &d), 0);
	read_bytes(P("corrupt/blobs/sha256/%s", d.digest + 7), &file);
	*strrchr(file.ptr, '7') = '8';	/* "n":"7" -> "8": same size, other bytes */
	write_bytes(P("corrupt/blobs/sha256/%s", d.digest + 7), file.ptr, file.len);
	assert_int_equal(s.ops->manifest_get(&s, "", "v1", &bytes, &got), -E_INVALID);
	assert_non_null(strstr(err_msg(), d.digest));
	assert_non_null(strstr(err_msg(), "does not match its digest"));
	assert_non_null(strstr(err_msg(), P("corrupt")));
	assert_int_equal(s.ops->manifest_get(&s, "", d.digest, &bytes, &got), -E_INVALID);
	assert_int_equal(s.ops->manifest_head(&s, "", "v1", &got), -E_INVALID);
	unlink(P("corrupt/blobs/sha256/%s", d.digest + 7));
	assert_int_equal(s.ops->manifest_get(&s, "", "v1", &bytes, &got), -E_NOTFOUND);
	s.ops->close(&s);
	buf_release(&bytes);
	buf_release(&file);
	err_clear();
}

/* Digest refs: stored and listed untagged once; tagging an index that
 * holds them drops their untagged entries. */
static void
test_digest_refs(void **state)
{
	struct desc d1, d2, di, got;
	struct buf bytes = BUF_INIT, idx = BUF_INIT;
	char ref1[DIGEST_MAX], ref2[DIGEST_MAX];
	struct store s;
	json_t *ix;

	(void)state;
	assert_int_equal(layout_store_open(&s, P("byd"), 0, 1), 0);
	free(make_manifest(1, &d1));
	free(make_manifest(2, &d2));
	snprintf(ref1, sizeof(ref1), "%s", d1.digest);
	snprintf(ref2, sizeof(ref2), "%s", d2.digest);
	assert_int_equal(put_manifest(&s, "", NULL, 1, &d1), -E_INVALID);
	assert_int_equal(put_manifest(&s, "", ref1, 1, &d1), 0);
	assert_int_equal(put_manifest(&s, "", ref1, 1, &d1), 0);	/* listed once */
	assert_int_equal(put_manifest(&s, "", ref2, 2, &d2), 0);
	ix = load_index("byd");
	assert_int_equal(json_array_size(json_object_get(ix, "manifests")), 2);
	assert_null(json_object_get(json_array_get(json_object_get(ix, "manifests"), 0),
	    "annotations"));
	json_decref(ix);
	assert_tags(&s, "", "");
	assert_int_equal(s.ops->manifest_get(&s, "", d2.digest, &bytes, &got), 0);
	assert_string_equal(got.media_type, MT_OCI_MANIFEST);
	buf_printf(&idx, "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":["
	    "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%lld},"
	    "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%lld}]}", MT_OCI_INDEX,
	    MT_OCI_MANIFEST, d1.digest, d1.size, MT_OCI_MANIFEST, d2.digest, d2.size);
	memset(&di, 0, sizeof(di));	/* no media type: read from the bytes */
	digest_bytes(idx.ptr, idx.len, di.digest);
	di.size = (long long)idx.len;
	assert_int_equal(s.ops->manifest_put(&s, "", "multi", idx.ptr, &di), 0);
	ix = load_index("byd");
	assert_int_equal(json_array_size(json_object_get(ix, "manifests")), 1);
	json_decref(ix);
	assert_int_equal(s.ops->manifest_get(&s, "", "", &bytes, &got), 0);
	assert_string_equal(got.media_type, MT_OCI_INDEX);
	assert_string_equal(got.digest, di.digest);
	/* a child is still read by its digest */
	assert_int_equal(s.ops->manifest_get(&s, "", d1.digest, &bytes, &got), 0);
	s.ops->close(&s);
	buf_release(&bytes);
	buf_release(&idx);
	err_clear();
}

/* A manifest whose own mediaType is not its descriptor's is refused. */
static void
test_media_type_mismatch(void **state)
{
	struct buf bytes = BUF_INIT;
	struct desc d, got;
	struct store s;
	json_t *ix;
	char *m;

	(void)state;
	assert_int_equal(layout_store_open(&s, P("mt"), 0, 1), 0);
	m = make_manifest(5, &d);
	snprintf(d.media_type, sizeof(d.media_type), "%s", MT_DOCKER_MANIFEST);
	assert_int_equal(s.ops->manifest_put(&s, "", "v1", m, &d), -E_INVALID);
	assert_non_null(strstr(err_msg(), "says its type is"));
	snprintf(d.media_type, sizeof(d.media_type), "%s", MT_OCI_MANIFEST);
	assert_int_equal(s.ops->manifest_put(&s, "", "v1", m, &d), 0);
	ix = load_index("mt");
	json_object_set_new(json_array_get(json_object_get(ix, "manifests"), 0), "mediaType",
	    json_string(MT_DOCKER_MANIFEST));
	assert_int_equal(json_dump_file(ix, P("mt/index.json"), JSON_COMPACT), 0);
	json_decref(ix);
	assert_int_equal(s.ops->manifest_get(&s, "", "v1", &bytes, &got), -E_INVALID);
	assert_non_null(strstr(err_msg(), "but its index entry says"));
	assert_int_equal(s.ops->manifest_head(&s, "", "", &got), -E_INVALID);
	s.ops->close(&s);
	buf_release(&bytes);
	free(m);
	err_clear();
}

static void
test_open_errors(void **state)
{
	struct store s;

	(void)state;
	assert_int_equal(layout_store_open(&s, P("nothing"), 0, 0), -E_NOTFOUND);
	assert_non_null(strstr(err_msg(), "no OCI layout at"));
	assert_int_equal(layout_store_open(&s, P("nothing"), 1, 0), -E_NOTFOUND);
	assert_int_equal(mkdir(P("empty"), 0777), 0);
	assert_int_equal(layout_store_open(&s, P("empty"), 0, 0), -E_INVALID);
	assert_non_null(strstr(err_msg(), "is not an OCI image layout"));
	assert_int_equal(layout_store_open(&s, P("bad"), 0, 1), 0);
	s.ops->close(&s);
	write_str(P("bad/index.json"), "{\"schemaVersion\":2,\"manifests\":[");
	assert_int_equal(layout_store_open(&s, P("bad"), 0, 0), -E_INVALID);
	assert_non_null(strstr(err_msg(), "bad/index.json"));
	write_str(P("bad/index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\","
	    "\"digest\":\"sha256:00\",\"size\":1}]}");
	assert_int_equal(layout_store_open(&s, P("bad"), 0, 0), -E_INVALID);
	assert_non_null(strstr(err_msg(), "manifests[0]"));
	write_str(P("bad/index.json"), "{\"schemaVersion\":2,\"manifests\":[]}");
	write_str(P("bad/oci-layout"), "[]");
	assert_int_equal(layout_store_open(&s, P("bad"), 0, 0), -E_INVALID);
	assert_non_null(strstr(err_msg(), "oci-layout"));
	err_clear();
}

static void
test_many_repos(void **state)
{
	static const char *const bad[] = {
		"", "/abs", "../up", "a/../b", "a//b", "a/", "a/./b", ".hidden", "Upper", "a b",
		"-x",
	};
	struct buf bytes = BUF_INIT;
	struct desc d, got;
	struct store s;
	size_t i;

	(void)state;
	assert_int_equal(layout_store_open(&s, P("reg"), 1, 1), 0);
	assert_int_equal(put_manifest(&s, "connext/indra_node", "1.0.0", 1, &d), 0);
	assert_int_equal(put_manifest(&s, "connext/indra_proxy", "2.0.0", 2, &d), 0);
	assert_int_equal(put_manifest(&s, "connext/indra_proxy", "latest", 2, &d), 0);
	assert_int_equal(access(P("reg/connext/indra_node/oci-layout"), F_OK), 0);
	assert_tags(&s, "connext/indra_node", "1.0.0");
	assert_tags(&s, "connext/indra_proxy", "2.0.0 latest");
	assert_int_equal(s.ops->manifest_get(&s, "connext/indra_node", "2.0.0", &bytes, &got),
	    -E_NOTFOUND);
	assert_int_equal(s.ops->manifest_get(&s, "connext/indra_proxy", "latest", &bytes, &got), 0);
	assert_string_equal(got.digest, d.digest);
	assert_int_equal(s.ops->manifest_get(&s, "connext/missing", "1", &bytes, &got),
	    -E_NOTFOUND);
	assert_non_null(strstr(err_msg(), "no repository 'connext/missing'"));
	assert_int_equal(s.ops->manifest_head(&s, "connext", "1", &got), -E_NOTFOUND);
	assert_int_equal(s.ops->blob_exists(&s, "connext/missing", &d), 0);
	assert_int_equal(s.ops->blob_exists(&s, "connext/indra_proxy", &d), 1);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err_clear();
		if (put_manifest(&s, bad[i], "1", 1, &d) != -E_INVALID ||
		    s.ops->manifest_get(&s, bad[i], "1", &bytes, &got) != -E_INVALID)
			fail_msg("repo name '%s' accepted", bad[i]);
		assert_non_null(strstr(err_msg(), "invalid repository name"));
	}
	assert_int_equal(access(P("up"), F_OK), -1);
	s.ops->close(&s);
	assert_int_equal(layout_store_open(&s, P("reg"), 1, 0), 0);	/* exists now */
	assert_tags(&s, "connext/indra_node", "1.0.0");
	s.ops->close(&s);
	buf_release(&bytes);
	err_clear();
}

#define RACERS 8
#define RACE_TAGS 12

/* One racer: opens (maybe creates) the layout and tags RACE_TAGS manifests. */
static int
racer(const char *dir, int who)
{
	struct store s;
	struct desc d;
	char tag[32];
	int k;

	if (layout_store_open(&s, dir, 0, 1) < 0)
		return 1;
	for (k = 0; k < RACE_TAGS; k++) {
		snprintf(tag, sizeof(tag), "t%d-%02d", who, k);
		if (put_manifest(&s, "", tag, who * 100 + k, &d) < 0) {
			fprintf(stderr, "racer %d: %s\n", who, err_msg());
			return 1;
		}
	}
	s.ops->close(&s);
	return 0;
}

static void
test_concurrent_tags(void **state)
{
	struct strvec tags = STRVEC_INIT;
	pid_t pids[RACERS];
	int go[2], i, k, status;
	struct store s;
	char want[32];
	char c;

	(void)state;
	assert_int_equal(pipe(go), 0);
	for (i = 0; i < RACERS; i++) {
		assert_true((pids[i] = fork()) >= 0);
		if (pids[i] == 0) {
			close(go[1]);
			(void)!read(go[0], &c, 1);	/* all start when the pipe closes */
			_exit(racer(P("race"), i));
		}
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < RACERS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(layout_store_open(&s, P("race"), 0, 0), 0);
	assert_int_equal(s.ops->tags(&s, "", &tags), 0);
	assert_int_equal(tags.nr, RACERS * RACE_TAGS);
	for (i = 0; i < RACERS; i++) {
		for (k = 0; k < RACE_TAGS; k++) {
			snprintf(want, sizeof(want), "t%d-%02d", i, k);
			assert_int_equal(strvec_find(&tags, want), i * RACE_TAGS + k);
		}
	}
	assert_int_equal(count_files(P("race/blobs/sha256")), RACERS * RACE_TAGS);
	assert_int_equal(count_files(P("race")), 3);	/* no temporary or lock file left */
	strvec_clear(&tags);
	s.ops->close(&s);
}

static void
test_lock_wait_is_bounded(void **state)
{
	struct store s;
	struct desc d;
	long long t0;
	int fd;

	(void)state;
	assert_int_equal(layout_store_open(&s, P("locked"), 0, 1), 0);
	fd = open(P("locked"), O_RDONLY | O_DIRECTORY);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	layout_lock_wait_ms = 300;
	t0 = monotonic_ms();
	assert_int_equal(put_manifest(&s, "", "v1", 1, &d), -E_IO);
	assert_true(monotonic_ms() - t0 >= 300);
	assert_non_null(strstr(err_msg(), "cannot lock"));
	assert_tags(&s, "", "");
	close(fd);
	assert_int_equal(put_manifest(&s, "", "v1", 1, &d), 0);
	assert_tags(&s, "", "v1");
	layout_lock_wait_ms = 30000;
	s.ops->close(&s);
	err_clear();
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(scratch) ? 0 : -1;
}

static int
teardown(void **state)
{
	struct run r = RUN_INIT;

	(void)state;
	if (strncmp(scratch, "/tmp/slipway-image-", 19) == 0) {
		strvec_pushl(&r.argv, "rm", "-rf", scratch, NULL);
		run_exec(&r);
		run_release(&r);
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_blob_round_trip),
		cmocka_unit_test(test_blob_mismatch_leaves_nothing),
		cmocka_unit_test(test_manifest_round_trip),
		cmocka_unit_test(test_tags_sorted_and_retag),
		cmocka_unit_test(test_corrupt_blob_detected),
		cmocka_unit_test(test_digest_refs),
		cmocka_unit_test(test_media_type_mismatch),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_many_repos),
		cmocka_unit_test(test_concurrent_tags),
		cmocka_unit_test(test_lock_wait_is_bounded),
	};

	return cmocka_run_group_tests_name("image store", tests, setup, teardown);
}
