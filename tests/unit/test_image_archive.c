/* test_image_archive.c - `docker save` archives (legacy and OCI layout inside), read as a store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "image/store.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/run.h"
#include "lib/util.h"

static char scratch[] = "/tmp/slipway-archive-XXXXXX";

#define LONGDIR "a123456789b123456789c123456789d123456789e123456789" \
	"f123456789g123456789h123456789i123456789j123456789k123456789l123456789m1234567"

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

static void
digest_file(const char *path, char out[DIGEST_MAX])
{
	struct buf b = BUF_INIT;

	read_bytes(path, &b);
	digest_bytes(b.ptr, b.len, out);
	buf_release(&b);
}

/* Runs tar (argv after "tar", NULL-terminated) in the scratch directory. */
static void
run_tar(const char *first, ...)
{
	struct run r = RUN_INIT;
	const char *a;
	va_list ap;

	strvec_pushl(&r.argv, "tar", first, NULL);
	va_start(ap, first);
	while ((a = va_arg(ap, const char *)))
		strvec_push(&r.argv, a);
	va_end(ap);
	r.dir = scratch;
	r.capture_err = 1;
	assert_int_equal(run_exec(&r), 0);
	if (r.status)
		fail_msg("tar: %s", r.err.ptr);
	run_release(&r);
}

/* Copies the first len bytes of from to to. */
static void
copy_prefix(const char *from, const char *to, size_t len)
{
	struct buf b = BUF_INIT;

	read_bytes(from, &b);
	assert_true(len <= b.len);
	write_bytes(to, b.ptr, len);
	buf_release(&b);
}

static long long
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* The legacy tree in leg/: a config, three layers (one gzip-looking, one a
 * symlink to the first, as docker save writes repeats), manifest.json. */
static void
make_legacy_tree(void)
{
	static char big[70000];
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 251);
	big[0] = (char)0x1f;
	big[1] = (char)0x8b;
	assert_int_equal(mkdir(P("leg"), 0777), 0);
	assert_int_equal(mkdir(P("leg/l1"), 0777), 0);
	assert_int_equal(mkdir(P("leg/" LONGDIR), 0777), 0);
	assert_int_equal(mkdir(P("leg/l3"), 0777), 0);
	write_str(P("leg/cfg.json"), "{\"architecture\":\"amd64\",\"os\":\"linux\"}");
	write_str(P("leg/cfg2.json"), "{\"architecture\":\"arm64\",\"os\":\"linux\"}");
	memset(big + 40000, 'q', 1500);
	write_bytes(P("leg/l1/layer.tar"), big + 40000, 1500);
	write_bytes(P("leg/" LONGDIR "/layer.tar"), big, sizeof(big));
	assert_int_equal(symlink("../l1/layer.tar", P("leg/l3/layer.tar")), 0);
	write_str(P("leg/manifest.json"), "[{\"Config\":\"cfg.json\","
	    "\"RepoTags\":[\"connext/indra_node:1.2.0\"],"
	    "\"Layers\":[\"l1/layer.tar\",\"" LONGDIR "/layer.tar\",\"l3/layer.tar\"]}]");
}

/* Reads the region back and compares it with file. */
static void
assert_region_is(const struct blob_region *r, const char *file)
{
	struct buf want = BUF_INIT;
	char *got;

	read_bytes(file, &want);
	assert_int_equal(r->size, (long long)want.len);
	assert_true(r->off > 0 && r->off % 512 == 0);
	got = xmalloc(want.len);
	assert_int_equal(pread(r->fd, got, want.len, r->off), (ssize_t)want.len);
	assert_memory_equal(got, want.ptr, want.len);
	free(got);
	buf_release(&want);
}

/* The checks every legacy archive made from make_legacy_tree passes. */
static void
check_legacy(const char *tarfile)
{
	static const char *const layers[] = { "leg/l1/layer.tar", "leg/" LONGDIR "/layer.tar",
		"leg/l1/layer.tar" };
	struct blob_region r = BLOB_REGION_INIT;
	struct strvec tags = STRVEC_INIT;
	struct buf bytes = BUF_INIT;
	struct desc d, got, ld;
	char want[DIGEST_MAX];
	struct store s, copy;
	json_t *m, *l;
	size_t i;

	if (archive_store_open(&s, tarfile) < 0)
		fail_msg("%s: %s", tarfile, err_msg());
	assert_int_equal(strncmp(s.name, "docker-archive:", 15), 0);
	assert_int_equal(s.ops->tags(&s, "", &tags), 0);
	assert_int_equal(tags.nr, 1);
	assert_string_equal(tags.v[0], "1.2.0");
	assert_int_equal(s.ops->manifest_get(&s, "", "", &bytes, &d), 0);
	digest_bytes(bytes.ptr, bytes.len, want);
	assert_string_equal(d.digest, want);
	assert_string_equal(d.media_type, MT_OCI_MANIFEST);
	assert_int_equal(d.size, (long long)bytes.len);
	assert_true(starts_with(bytes.ptr, "{\"config\":{"));	/* compact, keys sorted */
	assert_null(strchr(bytes.ptr, '\n'));
	assert_null(strstr(bytes.ptr, ": "));
	m = json_loadb(bytes.ptr, bytes.len, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(m, "schemaVersion")), 2);
	assert_string_equal(json_string_value(json_object_get(m, "mediaType")), MT_OCI_MANIFEST);
	digest_file(P("leg/cfg.json"), want);
	l = json_object_get(m, "config");
	assert_string_equal(json_string_value(json_object_get(l, "digest")), want);
	assert_string_equal(json_string_value(json_object_get(l, "mediaType")), MT_OCI_CONFIG);
	assert_int_equal(json_integer_value(json_object_get(l, "size")),
	    file_size(P("leg/cfg.json")));
	assert_int_equal(json_array_size(json_object_get(m, "layers")), 3);
	for (i = 0; i < 3; i++) {
		l = json_array_get(json_object_get(m, "layers"), i);
		digest_file(P("%s", layers[i]), want);
		assert_string_equal(json_string_value(json_object_get(l, "digest")), want);
		assert_int_equal(json_integer_value(json_object_get(l, "size")),
		    file_size(P("%s", layers[i])));
		assert_string_equal(json_string_value(json_object_get(l, "mediaType")),
		    i == 1 ? MT_OCI_LAYER_TAR "+gzip" : MT_OCI_LAYER_TAR);
		memset(&ld, 0, sizeof(ld));
		snprintf(ld.digest, sizeof(ld.digest), "%s", want);
		ld.size = file_size(P("%s", layers[i]));
		assert_int_equal(s.ops->blob_exists(&s, "", &ld), 1);
		assert_int_equal(s.ops->blob_open(&s, "", &ld, &r), 0);
		assert_region_is(&r, P("%s", layers[i]));
		/* the region copies into a layout, which checks its digest */
		assert_int_equal(layout_store_open(&copy, P("copy"), 0, 1), 0);
		assert_int_equal(copy.ops->blob_put(&copy, "", &ld, &r), 0);
		copy.ops->close(&copy);
		blob_region_close(&r);
	}
	assert_int_equal(s.ops->manifest_get(&s, "", "1.2.0", &bytes, &got), 0);
	assert_string_equal(got.digest, d.digest);
	assert_int_equal(s.ops->manifest_get(&s, "", "connext/indra_node:1.2.0", &bytes, &got), 0);
	assert_int_equal(s.ops->manifest_head(&s, "", d.digest, &got), 0);
	assert_int_equal(s.ops->manifest_get(&s, "", "9.9.9", &bytes, &got), -E_NOTFOUND);
	assert_int_equal(s.ops->manifest_put(&s, "", "x", bytes.ptr, &d), -E_INVALID);
	assert_non_null(strstr(err_msg(), "read-only"));
	assert_int_equal(s.ops->blob_put(&s, "", &ld, &r), -E_INVALID);
	assert_int_equal(s.ops->blob_open(&s, "", &ld, &r), 0);
	s.ops->close(&s);
	assert_region_is(&r, P("leg/l1/layer.tar"));	/* a region outlives its store */
	blob_region_close(&r);
	json_decref(m);
	strvec_clear(&tags);
	buf_release(&bytes);
	err_clear();
}

static void
test_legacy_formats(void **state)
{
	(void)state;
	make_legacy_tree();
	run_tar("-cf", "gnu.tar", "-C", "leg", "manifest.json", "cfg.json", "l1", LONGDIR, "l3",
	    NULL);
	check_legacy(P("gnu.tar"));
	run_tar("--format=pax", "-cf", "pax.tar", "-C", "leg", "manifest.json", "cfg.json", "l1",
	    LONGDIR, "l3", NULL);
	check_legacy(P("pax.tar"));
	/* ustar: a prefix field; the long directory itself would not fit */
	run_tar("--format=ustar", "-cf", "ustar.tar", "-C", "leg", "manifest.json", "cfg.json",
	    "l1", LONGDIR "/layer.tar", "l3", NULL);
	check_legacy(P("ustar.tar"));
	run_tar("-cf", "dot.tar", "-C", "leg", ".", NULL);	/* "./" names, directories */
	check_legacy(P("dot.tar"));
}

/* Opens file and expects code with "truncated or not a tar archive". */
static void
assert_not_tar(const char *file)
{
	struct store s;

	assert_int_equal(archive_store_open(&s, file), -E_INVALID);
	assert_non_null(strstr(err_msg(), "is truncated or not a tar archive"));
	assert_non_null(strstr(err_msg(), file));
	assert_null(s.ops);
	err_clear();
}

static void
test_truncated_and_broken(void **state)
{
	struct buf b = BUF_INIT;
	struct store s;
	long long n;

	(void)state;
	/* -b1: the archive ends with exactly two zero blocks */
	run_tar("-b1", "-cf", "b1.tar", "-C", "leg", "manifest.json", "cfg.json", "l1", LONGDIR,
	    "l3", NULL);
	n = file_size(P("b1.tar"));
	copy_prefix(P("b1.tar"), P("half.tar"), (size_t)n / 2);
	assert_not_tar(P("half.tar"));
	/* ends between members, without an end block */
	copy_prefix(P("b1.tar"), P("noend.tar"), (size_t)n - 1024);
	assert_not_tar(P("noend.tar"));
	/* one end block will do */
	copy_prefix(P("b1.tar"), P("oneblock.tar"), (size_t)n - 512);
	assert_int_equal(archive_store_open(&s, P("oneblock.tar")), 0);
	s.ops->close(&s);
	copy_prefix(P("b1.tar"), P("empty.tar"), 0);
	assert_not_tar(P("empty.tar"));
	read_bytes(P("b1.tar"), &b);
	b.ptr[3] ^= 0x20;	/* a name byte: the header checksum no longer adds up */
	write_bytes(P("badsum.tar"), b.ptr, b.len);
	assert_not_tar(P("badsum.tar"));
	write_str(P("text.tar"), "this is not a tar archive, just some text\n");
	assert_not_tar(P("text.tar"));
	assert_int_equal(archive_store_open(&s, P("missing.tar")), -E_NOTFOUND);
	assert_int_equal(archive_store_open(&s, P("leg")), -E_INVALID);	/* a directory */
	buf_release(&b);
	err_clear();
}

static void
test_legacy_bad_content(void **state)
{
	struct store s;

	(void)state;
	run_tar("-cf", "nomf.tar", "-C", "leg", "cfg.json", "l1", NULL);
	assert_int_equal(archive_store_open(&s, P("nomf.tar")), -E_INVALID);
	assert_non_null(strstr(err_msg(), "neither manifest.json nor an OCI layout"));
	assert_int_equal(mkdir(P("bad"), 0777), 0);
	write_str(P("bad/cfg.json"), "{}");
	write_str(P("bad/manifest.json"), "[{\"Config\":\"cfg.json\",\"RepoTags\":null,"
	    "\"Layers\":[\"l9/layer.tar\"]}]");
	run_tar("-cf", "missing-layer.tar", "-C", "bad", ".", NULL);
	assert_int_equal(archive_store_open(&s, P("missing-layer.tar")), -E_INVALID);
	assert_non_null(strstr(err_msg(), "'l9/layer.tar' but does not hold it"));
	write_str(P("bad/manifest.json"), "{\"Config\":\"cfg.json\"}");
	run_tar("-cf", "notalist.tar", "-C", "bad", ".", NULL);
	assert_int_equal(archive_store_open(&s, P("notalist.tar")), -E_INVALID);
	assert_non_null(strstr(err_msg(), "malformed manifest.json"));
	err_clear();
}

static void
test_legacy_two_images(void **state)
{
	struct buf bytes = BUF_INIT;
	struct desc a, b, got;
	struct strvec tags = STRVEC_INIT;
	struct store s;
	char want[DIGEST_MAX];

	(void)state;
	write_str(P("leg/manifest.json"), "[{\"Config\":\"cfg.json\","
	    "\"RepoTags\":[\"connext/a:1\"],"
	    "\"Layers\":[\"l1/layer.tar\"]},{\"Config\":\"cfg2.json\",\"RepoTags\":"
	    "[\"connext/b:2\",\"connext/b:latest\"],\"Layers\":[\"l3/layer.tar\"]}]");
	run_tar("-cf", "two.tar", "-C", "leg", "manifest.json", "cfg.json", "cfg2.json", "l1", "l3",
	    NULL);
	assert_int_equal(archive_store_open(&s, P("two.tar")), 0);
	assert_int_equal(s.ops->manifest_get(&s, "", "", &bytes, &got), -E_INVALID);
	assert_non_null(strstr(err_msg(), "holds 2 images; which tag?"));
	assert_non_null(strstr(err_hints(), "1, 2, latest"));
	err_clear();
	assert_int_equal(s.ops->tags(&s, "", &tags), 0);
	assert_int_equal(tags.nr, 3);
	assert_int_equal(s.ops->manifest_get(&s, "", "connext/a:1", &bytes, &a), 0);
	digest_file(P("leg/cfg.json"), want);
	assert_non_null(strstr(bytes.ptr, want));
	assert_int_equal(s.ops->manifest_get(&s, "", "latest", &bytes, &b), 0);
	digest_file(P("leg/cfg2.json"), want);
	assert_non_null(strstr(bytes.ptr, want));
	assert_int_equal(s.ops->manifest_head(&s, "", "2", &got), 0);
	assert_string_equal(got.digest, b.digest);
	assert_string_not_equal(a.digest, b.digest);
	s.ops->close(&s);
	strvec_clear(&tags);
	buf_release(&bytes);
}

/* Stores data in layout s as a blob of media type mt. */
static void
layout_blob(struct store *s, const char *name, const char *data, const char *mt, struct desc *d)
{
	struct blob_region r = BLOB_REGION_INIT;

	write_str(P("%s", name), data);
	memset(d, 0, sizeof(*d));
	snprintf(d->media_type, sizeof(d->media_type), "%s", mt);
	digest_bytes(data, strlen(data), d->digest);
	d->size = (long long)strlen(data);
	r.fd = open(P("%s", name), O_RDONLY);
	r.size = d->size;
	assert_int_equal(s->ops->blob_put(s, "", d, &r), 0);
	blob_region_close(&r);
}

/* An OCI layout inside the tar (docker 25): its index and blobs are used
 * as they are, even beside a manifest.json. */
static void
test_oci_in_tar(void **state)
{
	struct blob_region r = BLOB_REGION_INIT;
	struct buf m = BUF_INIT, bytes = BUF_INIT;
	struct desc cfg, layer, md, got;
	struct store lay, s;

	(void)state;
	assert_int_equal(layout_store_open(&lay, P("oci"), 0, 1), 0);
	layout_blob(&lay, "c.json", "{\"os\":\"linux\"}", MT_OCI_CONFIG, &cfg);
	layout_blob(&lay, "layer.bin", "pretend this is a tar", MT_OCI_LAYER_TAR, &layer);
	buf_printf(&m, "{\n  \"schemaVersion\": 2, \"mediaType\": \"%s\",\n"
	    "  \"config\": {\"mediaType\": \"%s\", \"digest\": \"%s\", \"size\": %lld},\n"
	    "  \"layers\": [{\"mediaType\": \"%s\", "
	    "\"digest\": \"%s\", \"size\": %lld}]\n}\n", MT_OCI_MANIFEST, MT_OCI_CONFIG, cfg.digest,
	    cfg.size, MT_OCI_LAYER_TAR, layer.digest, layer.size);
	memset(&md, 0, sizeof(md));
	snprintf(md.media_type, sizeof(md.media_type), "%s", MT_OCI_MANIFEST);
	digest_bytes(m.ptr, m.len, md.digest);
	md.size = (long long)m.len;
	assert_int_equal(lay.ops->manifest_put(&lay, "", "v1", m.ptr, &md), 0);
	lay.ops->close(&lay);
	write_str(P("oci/manifest.json"), "[{\"Config\":\"blobs/sha256/none\",\"Layers\":[]}]");
	run_tar("-cf", "oci.tar", "-C", "oci", ".", NULL);
	assert_int_equal(archive_store_open(&s, P("oci.tar")), 0);
	assert_int_equal(s.ops->manifest_get(&s, "", "", &bytes, &got), 0);
	assert_string_equal(bytes.ptr, m.ptr);	/* its own bytes, not a rebuilt manifest */
	assert_string_equal(got.digest, md.digest);
	assert_string_equal(got.media_type, MT_OCI_MANIFEST);
	assert_int_equal(s.ops->manifest_get(&s, "", "v1", &bytes, &got), 0);
	assert_int_equal(s.ops->manifest_get(&s, "", md.digest, &bytes, &got), 0);
	assert_int_equal(s.ops->manifest_get(&s, "", layer.digest, &bytes, &got), -E_NOTFOUND);
	assert_int_equal(s.ops->blob_exists(&s, "", &layer), 1);
	layer.size++;
	assert_int_equal(s.ops->blob_exists(&s, "", &layer), 0);
	assert_int_equal(s.ops->blob_open(&s, "", &layer, &r), -E_INVALID);
	layer.size--;
	assert_int_equal(s.ops->blob_open(&s, "", &layer, &r), 0);
	assert_region_is(&r, P("layer.bin"));
	blob_region_close(&r);
	s.ops->close(&s);
	buf_release(&m);
	buf_release(&bytes);
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
	if (strncmp(scratch, "/tmp/slipway-archive-", 21) == 0) {
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
		cmocka_unit_test(test_legacy_formats),
		cmocka_unit_test(test_truncated_and_broken),
		cmocka_unit_test(test_legacy_bad_content),
		cmocka_unit_test(test_legacy_two_images),
		cmocka_unit_test(test_oci_in_tar),
	};

	return cmocka_run_group_tests_name("image archive", tests, setup, teardown);
}
