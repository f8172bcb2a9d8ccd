/* test_merge_check.c - the path-by-path merge check says "trivially merged"
 * only where git's merge would give that tree, and leaves the rest to git:
 * renames, trees out of git's order, names twice, modes git does not write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "git/merge.h"
#include "lib/err.h"
#include "lib/util.h"
#include "unit.h"

static char dir[] = "/tmp/slipway-mergecheck-XXXXXX";
static struct repo repo = REPO_INIT;

static int
setup(void **state)
{
	(void)state;
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	if (!mkdtemp(dir) || chdir(dir) < 0 || unit_sh("git init -q --bare .", NULL) < 0)
		return -1;
	return repo_open(&repo);
}

static int
teardown(void **state)
{
	(void)state;
	repo_release(&repo);
	unit_remove(dir);
	git_libgit2_shutdown();
	return 0;
}

/* The blob holding text. */
static git_oid
blob(const char *text)
{
	git_oid id;

	assert_int_equal(git_blob_create_from_buffer(&id, repo.git, text, strlen(text)), 0);
	return id;
}

/*
 * A tree written byte for byte as spec says, in its order: "MODE NAME=TEXT"
 * entries separated by ';' (the blob of TEXT). Nothing is checked or sorted,
 * as a pusher could write it.
 */
static git_oid
tree(const char *spec)
{
	struct buf raw = BUF_INIT;
	git_odb *odb = NULL;
	git_oid id;
	char *copy = xstrdup(spec), *e, *next;

	for (e = copy; e && *e; e = next) {
		char *sp = strchr(e, ' '), *eq = strchr(e, '=');
		git_oid b;

		if ((next = strchr(e, ';')))
			*next++ = '\0';
		assert_non_null(sp);
		assert_non_null(eq);
		*eq = '\0';
		b = blob(eq + 1);
		buf_printf(&raw, "%.*s %s", (int)(sp - e), e, sp + 1);
		buf_add(&raw, "", 1);
		buf_add(&raw, b.id, GIT_OID_RAWSZ);
	}
	assert_int_equal(git_repository_odb(&odb, repo.git), 0);
	assert_int_equal(git_odb_write(&id, odb, raw.ptr, raw.len, GIT_OBJECT_TREE), 0);
	git_odb_free(odb);
	free(copy);
	buf_release(&raw);
	return id;
}

static git_oid
commit(const git_oid *tree_id, const git_oid *parent)
{
	git_signature *sig = NULL;
	git_tree *t = NULL;
	git_commit *p = NULL;
	const git_commit *parents[1];
	git_oid id;

	assert_int_equal(git_signature_new(&sig, "T", "t@example.com", 1700000000, 0), 0);
	assert_int_equal(git_tree_lookup(&t, repo.git, tree_id), 0);
	if (parent)
		assert_int_equal(git_commit_lookup(&p, repo.git, parent), 0);
	parents[0] = p;
	assert_int_equal(git_commit_create(&id, repo.git, NULL, sig, sig, NULL, "c\n", t,
	    parent ? 1 : 0, parents), 0);
	git_commit_free(p);
	git_tree_free(t);
	git_signature_free(sig);
	return id;
}

/* merge_is_trivial for base, ours and theirs trees (ours and theirs each one
 * commit on the base) and the merge's tree. */
static int
check(const char *base, const char *ours, const char *theirs, const char *merge)
{
	git_oid b = tree(base), o = tree(ours), t = tree(theirs), m = tree(merge);
	git_oid bc = commit(&b, NULL), oc = commit(&o, &bc), tc = commit(&t, &bc);

	return merge_is_trivial(&repo, &oc, &tc, &m);
}

static void
test_trivial(void **state)
{
	(void)state;
	/* each side changed its own file */
	assert_int_equal(check("100644 a=x;100644 b=y", "100644 a=X;100644 b=y",
	    "100644 a=x;100644 b=Y", "100644 a=X;100644 b=Y"), 1);
	/* a rename on one side, the other unchanged: git's merge gives ours */
	assert_int_equal(check("100644 a=x", "100644 b=x", "100644 a=x", "100644 b=x"), 1);
	/* a change slipped in: not the merge */
	assert_int_equal(check("100644 a=x;100644 b=y", "100644 a=X;100644 b=y",
	    "100644 a=x;100644 b=Y", "100644 a=X;100644 b=Z"), 0);
}

static void
test_renames(void **state)
{
	(void)state;
	/* renamed on one side, deleted on the other: git says rename/delete */
	assert_int_equal(check("100644 a=x", "100644 b=x", "", "100644 b=x"), 0);
	/* renamed differently on each side: git says rename/rename */
	assert_int_equal(check("100644 a=x", "100644 b=x", "100644 c=x",
	    "100644 b=x;100644 c=x"), 0);
}

static void
test_malformed(void **state)
{
	(void)state;
	/* a name twice in theirs and in the merge: the merge must not pass */
	assert_int_equal(check("100644 a=x", "100644 a=Y", "100644 a=x;100644 a=x",
	    "100644 a=Y;100644 a=x"), 0);
	/* entries out of git's order */
	assert_int_equal(check("100644 a=x;100644 b=y", "100644 a=X;100644 b=y",
	    "100644 a=x;100644 b=Y", "100644 b=Y;100644 a=X"), 0);
	/* modes git does not write: zero-padded, group-writable */
	assert_int_equal(check("100644 a=x", "100644 a=x;100644 b=y", "100644 a=x",
	    "0100644 a=x;0100644 b=y"), 0);
	assert_int_equal(check("100644 a=x", "100644 a=x;100644 b=y", "100644 a=x",
	    "100664 a=x;100644 b=y"), 0);
	/* a file and a folder of one name */
	assert_int_equal(check("100644 a=x", "100644 a=x;100644 d=y", "100644 a=x",
	    "100644 a=x;100644 d=y;40000 d=z"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trivial),
		cmocka_unit_test(test_renames),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests_name("merge_check", tests, setup, teardown);
}
