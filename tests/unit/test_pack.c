/* test_pack.c - objects read from packs in place equal git's: deep delta
 * chains (offset and ref deltas), objects read twice, broken packs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <zlib.h>

#include "git/pack.h"
#include "lib/err.h"
#include "lib/run.h"
#include "lib/util.h"
#include "unit.h"

static char dir[] = "/tmp/slipway-pack-XXXXXX";

/* 80 commits, each changing one line of a big file and adding a file to a
 * folder: long delta chains of blobs and trees. */
static int
setup(void **state)
{
	(void)state;
	git_libgit2_init();
	if (!mkdtemp(dir) || chdir(dir) < 0)
		return -1;
	return unit_sh("git init -q --bare . && export GIT_INDEX_FILE=$PWD/ix && "
	    "seq 1 20000 >big && i=0 && while [ $i -lt 80 ]; do i=$((i + 1)); "
	    "sed -i \"$((i * 200))s/.*/changed $i/\" big && "
	    "git update-index --add --cacheinfo 100644,$(git hash-object -w big),big && "
	    "git update-index --add --cacheinfo "
	    "100644,$(echo $i | git hash-object -w --stdin),dir/f$i && "
	    "t=$(git write-tree) && c=$(echo $i | git commit-tree $t ${c:+-p $c}) || exit 1; "
	    "done && git update-ref refs/heads/main $c && "
	    "git repack -q -a -d --depth=50 --window=80 && git prune", NULL);
}

static int
teardown(void **state)
{
	(void)state;
	unit_remove(dir);
	git_libgit2_shutdown();
	return 0;
}

/* Every object of the repository read through p equals git cat-file's
 * (in id order, or backwards); returns how many are deltas in a pack. */
static size_t
check_all(struct packs *p, int backwards)
{
	struct buf all = BUF_INIT, bases = BUF_INIT;
	const char *at[4096];
	size_t n = 0, i, deltas = 0;
	const char *q;

	assert_int_equal(unit_sh("git cat-file --batch-all-objects --batch", &all), 0);
	assert_int_equal(unit_sh("git cat-file --batch-all-objects --batch-check='%(deltabase)' | "
	    "grep -vc '^0*$'", &bases), 0);
	deltas = strtoul(bases.ptr, NULL, 10);
	for (q = all.ptr; q < all.ptr + all.len && n < 4096; n++) {
		/* "<id> <type> <size>\n<bytes>\n" */
		at[n] = q;
		q = strchr(q, '\n') + 1;
		q += strtoul(strchr(at[n] + 41, ' ') + 1, NULL, 10) + 1;
		assert_true(q <= all.ptr + all.len);
	}
	for (i = 0; i < n; i++) {
		const char *e = at[backwards ? n - 1 - i : i], *body = strchr(e, '\n') + 1;
		size_t size = strtoul(strchr(e + 41, ' ') + 1, NULL, 10);
		struct buf got = BUF_INIT;
		git_object_t type = GIT_OBJECT_INVALID;
		git_oid id;

		assert_int_equal(git_oid_fromstrn(&id, e, GIT_OID_HEXSZ), 0);
		assert_int_equal(packs_read(p, &id, &type, &got), 0);
		assert_true(type >= GIT_OBJECT_COMMIT && type <= GIT_OBJECT_TAG);
		assert_int_equal(strncmp(e + 41, git_object_type2string(type), strcspn(e + 41, " ")),
		    0);
		assert_int_equal(got.len, size);
		assert_memory_equal(got.ptr, body, size);
		buf_release(&got);
	}
	assert_true(n > 200);
	buf_release(&all);
	buf_release(&bases);
	return deltas;
}

static void
test_offset_deltas(void **state)
{
	struct packs *p = NULL;

	(void)state;
	assert_int_equal(packs_open(&p, "objects"), 0);
	assert_true(check_all(p, 0) > 100);
	assert_true(check_all(p, 1) > 100);	/* the other order: kept objects differ */
	packs_free(p);
	err_clear();
}

/* pack-objects without --delta-base-offset writes REF_DELTA entries */
static void
test_ref_deltas(void **state)
{
	struct packs *p = NULL;

	(void)state;
	assert_int_equal(unit_sh("mkdir -p ref-keep && git rev-list --objects --all | "
	    "git pack-objects -q --depth=50 --window=80 objects/pack/ref >/dev/null && "
	    "for f in objects/pack/pack-*; do mv $f ref-keep/; done && "
	    "git verify-pack -v objects/pack/ref-*.idx | grep -q ' [0-9]* [0-9]* [0-9]* [0-9]* "
	    "[0-9a-f]\\{40\\}$'", NULL), 0);
	assert_int_equal(packs_open(&p, "objects"), 0);
	assert_true(check_all(p, 0) > 100);
	packs_free(p);
	assert_int_equal(unit_sh("for f in ref-keep/pack-*; do mv $f objects/pack/; done && "
	    "rm -f objects/pack/ref-* && rmdir ref-keep", NULL), 0);
	err_clear();
}

/* an object no pack holds: -E_NOTFOUND and no message */
static void
test_not_found(void **state)
{
	struct packs *p = NULL, *none = NULL;
	struct buf out = BUF_INIT;
	git_object_t type;
	git_oid id;

	(void)state;
	memset(&id, 0xab, sizeof(id));
	assert_int_equal(packs_open(&p, "objects"), 0);
	assert_int_equal(packs_read(p, &id, &type, &out), -E_NOTFOUND);
	assert_string_equal(err_msg(), "");
	assert_int_equal(packs_open(&none, "/nonexistent"), 0);
	assert_int_equal(packs_read(none, &id, &type, &out), -E_NOTFOUND);
	packs_free(p);
	packs_free(none);
	buf_release(&out);
}

/*
 * Bytes of the pack data changed one at a time, at many places: each read
 * of every object either gives git's bytes (the change missed it) or fails
 * with a message naming the pack -- never a crash (ASan runs this too).
 */
static void
test_broken_pack(void **state)
{
	struct buf list = BUF_INIT, pack = BUF_INIT;
	struct packs *p = NULL;
	size_t at, errors = 0;

	(void)state;
	assert_int_equal(unit_sh("cp -p objects/pack/pack-*.pack saved.pack && "
	    "chmod u+w objects/pack/pack-*.pack && ls objects/pack/pack-*.pack", &pack), 0);
	buf_rtrim(&pack);
	assert_int_equal(unit_sh("git cat-file --batch-all-objects --batch-check='%(objectname)'",
	    &list), 0);
	for (at = 12; at < 120000; at += 3989) {
		struct buf cmd = BUF_INIT;
		const char *line;

		buf_printf(&cmd, "cp saved.pack %s && printf '\\377' | dd of=%s bs=1 seek=%zu "
		    "conv=notrunc status=none", pack.ptr, pack.ptr, at);
		assert_int_equal(unit_sh(cmd.ptr, NULL), 0);
		assert_int_equal(packs_open(&p, "objects"), 0);
		for (line = list.ptr; *line; line += 41) {
			struct buf got = BUF_INIT;
			git_object_t type;
			git_oid id;
			int rc;

			assert_int_equal(git_oid_fromstrn(&id, line, GIT_OID_HEXSZ), 0);
			rc = packs_read(p, &id, &type, &got);
			if (rc < 0) {
				assert_int_equal(rc, -E_INVALID);
				assert_non_null(strstr(err_msg(), ".pack: "));
				errors++;
			}
			err_clear();
			buf_release(&got);
		}
		packs_free(p);
		buf_release(&cmd);
	}
	assert_true(errors > 0);
	buf_reset(&list);
	buf_printf(&list, "cp saved.pack %s && rm saved.pack", pack.ptr);
	assert_int_equal(unit_sh(list.ptr, NULL), 0);
	buf_release(&list);
	buf_release(&pack);
}

/* An index whose offsets point past the pack, or into a missing table of
 * large offsets: the read fails naming the pack, and does not crash. */
static void
test_broken_index(void **state)
{
	static const uint32_t wild[] = { 0x7ffffff0u, 0x80000000u, 0xffffffffu };
	struct buf idx = BUF_INIT, name = BUF_INIT, out = BUF_INIT;
	struct packs *p = NULL;
	git_object_t type;
	git_oid id;
	size_t n, w;
	FILE *f;

	(void)state;
	assert_int_equal(unit_sh("ls objects/pack/pack-*.idx", &name), 0);
	buf_rtrim(&name);
	assert_int_equal(unit_sh("cp -p objects/pack/pack-*.idx saved.idx && "
	    "chmod u+w objects/pack/pack-*.idx", NULL), 0);
	assert_int_equal(buf_read_file(&idx, name.ptr), 0);
	n = (size_t)get_be32(idx.ptr + 8 + 255 * 4);
	memcpy(id.id, idx.ptr + 8 + 256 * 4, GIT_OID_RAWSZ);	/* the first object */
	for (w = 0; w < ARRAY_SIZE(wild); w++) {
		unsigned char *o = (unsigned char *)idx.ptr + 8 + 256 * 4 + n * 24;

		o[0] = (unsigned char)(wild[w] >> 24);
		o[1] = (unsigned char)(wild[w] >> 16);
		o[2] = (unsigned char)(wild[w] >> 8);
		o[3] = (unsigned char)wild[w];
		assert_non_null(f = fopen(name.ptr, "wb"));
		assert_int_equal(fwrite(idx.ptr, 1, idx.len, f), idx.len);
		fclose(f);
		assert_int_equal(packs_open(&p, "objects"), 0);
		assert_int_equal(packs_read(p, &id, &type, &out), -E_INVALID);
		assert_non_null(strstr(err_msg(), ".pack: "));
		err_clear();
		packs_free(p);
	}
	buf_reset(&idx);
	buf_printf(&idx, "cp saved.idx %s && rm saved.idx", name.ptr);
	assert_int_equal(unit_sh(idx.ptr, NULL), 0);
	buf_release(&idx);
	buf_release(&name);
	buf_release(&out);
}

/* loose objects: git's bytes; a missing one -E_NOTFOUND; a broken one named */
static void
test_loose(void **state)
{
	struct buf ids = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	git_object_t type;
	git_oid id;

	(void)state;
	assert_int_equal(unit_sh("seq 1 50000 >loose-big && git hash-object -w loose-big && "
	    "printf 'x' | git hash-object -w --stdin && git mktree </dev/null", &ids), 0);
	for (const char *q = ids.ptr; *q; q += GIT_OID_HEXSZ + 1) {
		struct buf cmd = BUF_INIT;

		assert_int_equal(git_oid_fromstrn(&id, q, GIT_OID_HEXSZ), 0);
		buf_printf(&cmd, "git cat-file $(git cat-file -t %.40s) %.40s", q, q);
		buf_reset(&want);
		assert_int_equal(unit_sh(cmd.ptr, &want), 0);
		assert_int_equal(loose_read("objects", &id, &type, &got), 0);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.ptr, want.ptr, got.len);
		buf_release(&cmd);
	}
	assert_int_equal(type, GIT_OBJECT_TREE);	/* the empty tree, last */
	memset(&id, 0xcd, sizeof(id));
	assert_int_equal(loose_read("objects", &id, &type, &got), -E_NOTFOUND);
	assert_string_equal(err_msg(), "");
	assert_int_equal(git_oid_fromstrn(&id, ids.ptr, GIT_OID_HEXSZ), 0);
	buf_reset(&want);
	buf_printf(&want, "f=objects/%.2s/%.38s && chmod u+w $f && "
	    "printf 'garbage' | dd of=$f bs=1 seek=10 conv=notrunc status=none", ids.ptr,
	    ids.ptr + 2);
	assert_int_equal(unit_sh(want.ptr, NULL), 0);
	assert_int_equal(loose_read("objects", &id, &type, &got), -E_INVALID);
	assert_non_null(strstr(err_msg(), "not a loose object"));
	err_clear();
	buf_release(&ids);
	buf_release(&want);
	buf_release(&got);
}

/* Writes raw[0..len) deflated as the loose object of id (0xee bytes). */
static void
write_loose(const char *raw, size_t len, git_oid *id)
{
	unsigned char z[256];
	uLongf zlen = sizeof(z);
	char hex[GIT_OID_HEXSZ + 1];
	struct buf path = BUF_INIT;
	FILE *f;

	memset(id, 0xee, sizeof(*id));
	git_oid_tostr(hex, sizeof(hex), id);
	assert_int_equal(compress(z, &zlen, (const unsigned char *)raw, len), Z_OK);
	buf_printf(&path, "objects/%.2s", hex);
	mkdir(path.ptr, 0777);
	buf_printf(&path, "/%s", hex + 2);
	assert_non_null(f = fopen(path.ptr, "wb"));
	assert_int_equal(fwrite(z, 1, zlen, f), zlen);
	fclose(f);
	buf_release(&path);
}

/* headers git does not write: a sign, a leading zero, junk after the size,
 * an unknown type, no size; the well-formed one is read */
static void
test_loose_headers(void **state)
{
	static const struct { const char *raw; size_t len; } bad[] = {
		{ "blob +3\0xyz", 10 }, { "blob 03\0xyz", 10 }, { "blob 3junk\0xyz", 13 },
		{ "blub 3\0xyz", 10 }, { "blob \0xyz", 9 }, { "blob 4\0xyz", 10 },
	};
	struct buf out = BUF_INIT;
	git_object_t type;
	git_oid id;
	size_t i;

	(void)state;
	write_loose("blob 3\0xyz", 10, &id);
	assert_int_equal(loose_read("objects", &id, &type, &out), 0);
	assert_int_equal(type, GIT_OBJECT_BLOB);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.ptr, "xyz", 3);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		write_loose(bad[i].raw, bad[i].len, &id);
		if (loose_read("objects", &id, &type, &out) != -E_INVALID)
			fail_msg("header %zu was read", i);
		err_clear();
	}
	buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offset_deltas),
		cmocka_unit_test(test_ref_deltas),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_broken_pack),
		cmocka_unit_test(test_broken_index),
		cmocka_unit_test(test_loose),
		cmocka_unit_test(test_loose_headers),
	};

	return cmocka_run_group_tests_name("pack", tests, setup, teardown);
}
