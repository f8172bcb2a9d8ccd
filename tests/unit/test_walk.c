/* test_walk.c - merge bases from the commit-graph walk agree with git's, with
 * no graph, one file, a split chain, commits outside it, a broken file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "git/commit_graph.h"
#include "git/walk.h"
#include "lib/err.h"
#include "lib/run.h"
#include "lib/util.h"
#include "unit.h"

#define NCOMMITS 400

static char dir[] = "/tmp/slipway-walk-XXXXXX";
static git_oid ids[NCOMMITS];
static size_t nids;

/*
 * Commits i..n of a random history: each on 1-3 earlier commits (a root
 * now and then, an octopus of 10 once), dates that mostly rise but jump
 * back at times (clock skew), which a walk by date alone gets wrong.
 */
static void
make_commits(git_repository *g, size_t from, size_t to, unsigned seed)
{
	git_treebuilder *tb = NULL;
	git_oid tree;
	size_t i, k;

	srand(seed);
	assert_int_equal(git_treebuilder_new(&tb, g, NULL), 0);
	assert_int_equal(git_treebuilder_write(&tree, tb), 0);
	git_treebuilder_free(tb);
	for (i = from; i < to; i++) {
		const git_commit *parents[10];
		git_commit *pc[10];
		git_tree *t = NULL;
		git_signature *sig = NULL;
		size_t np = i == 0 || rand() % 50 == 0 ? 0 : 1 + (size_t)(rand() % 3), looked;
		char msg[32];
		git_time_t when = 1700000000 + (git_time_t)i * 60 - (rand() % 7 == 0 ? 86400 : 0);

		if (i == to / 2)
			np = 10;
		if (np > i)
			np = i;
		for (k = 0; k < np; k++) {
			/* mostly recent commits, so that histories meet */
			size_t back = 1 + (size_t)(rand() % (k == 0 ? 3 : 40));

			assert_int_equal(git_commit_lookup(&pc[k], g, &ids[i > back ? i - back : 0]), 0);
			parents[k] = pc[k];
		}
		looked = np;
		for (k = 1; k < np; k++)	/* no parent twice */
			if (git_oid_equal(git_commit_id(pc[k]), git_commit_id(pc[0])))
				np = k;
		snprintf(msg, sizeof(msg), "c%zu\n", i);
		assert_int_equal(git_signature_new(&sig, "W", "w@example.com", when, 0), 0);
		assert_int_equal(git_tree_lookup(&t, g, &tree), 0);
		assert_int_equal(git_commit_create(&ids[i], g, NULL, sig, sig, NULL, msg, t, np,
		    parents), 0);
		for (k = 0; k < looked; k++)
			git_commit_free(pc[k]);
		git_tree_free(t);
		git_signature_free(sig);
	}
	/* every commit reachable from a ref, so that git commit-graph sees it */
	for (i = from; i < to; i++) {
		char ref[64];
		git_reference *rf = NULL;

		snprintf(ref, sizeof(ref), "refs/heads/c%zu", i);
		assert_int_equal(git_reference_create(&rf, g, ref, &ids[i], 1, NULL), 0);
		git_reference_free(rf);
	}
	nids = to;
}

static int
setup(void **state)
{
	git_repository *g = NULL;

	(void)state;
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	if (!mkdtemp(dir) || chdir(dir) < 0 || git_repository_init(&g, dir, 1) < 0)
		return -1;
	make_commits(g, 0, NCOMMITS * 3 / 4, 7);
	git_repository_free(g);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_remove(dir);
	git_libgit2_shutdown();
	return 0;
}

/*
 * 150 pairs of commits against git merge-base --all: when the walk finds
 * one base, it is git's one; git's are all among the walk's. With exact,
 * (every commit in the graph, walked in generation order) the counts agree.
 */
static void
check_pairs(unsigned seed, int want_graph, int exact)
{
	struct repo r = REPO_INIT;
	struct walk *w = NULL;
	size_t p;

	srand(seed);
	assert_int_equal(repo_open(&r), 0);
	assert_int_equal(walk_new(&w, &r), 0);
	assert_int_equal(walk_has_graph(w), want_graph);
	for (p = 0; p < 150; p++) {
		const git_oid *a = &ids[(size_t)rand() % nids], *b = &ids[(size_t)rand() % nids];
		struct buf cmd = BUF_INIT, out = BUF_INIT;
		char ha[GIT_OID_HEXSZ + 1], hb[GIT_OID_HEXSZ + 1];
		git_oid bases[16];
		size_t n = 99, lines = 0, k;
		const char *q;

		if (p == 0)
			b = a;	/* a commit and itself */
		git_oid_tostr(ha, sizeof(ha), a);
		git_oid_tostr(hb, sizeof(hb), b);
		buf_printf(&cmd, "git merge-base --all %s %s || :", ha, hb);
		assert_int_equal(unit_sh(cmd.ptr, &out), 0);
		for (q = out.ptr; q && *q; q++)
			lines += *q == '\n';
		assert_int_equal(walk_merge_bases(w, a, b, bases, ARRAY_SIZE(bases), &n), 0);
		if (n == 1 ? lines != 1 : exact ? n != lines : n < lines)
			fail_msg("%s %s: the walk found %zu bases, git %zu:\n%s", ha, hb, n, lines,
			    out.ptr ? out.ptr : "");
		for (q = out.ptr, k = 0; q && *q; q += GIT_OID_HEXSZ + 1) {
			git_oid want;

			assert_int_equal(git_oid_fromstrn(&want, q, GIT_OID_HEXSZ), 0);
			for (k = 0; k < n && k < ARRAY_SIZE(bases); k++)
				if (git_oid_equal(&want, &bases[k]))
					break;
			if (k == n || k == ARRAY_SIZE(bases))
				fail_msg("%s %s: git's base %.40s is not the walk's", ha, hb, q);
		}
		buf_release(&cmd);
		buf_release(&out);
	}
	walk_free(w);
	repo_release(&r);
	err_clear();
}

static void
test_no_graph(void **state)
{
	(void)state;
	check_pairs(1, 0, 0);
}

static void
test_one_file(void **state)
{
	(void)state;
	assert_int_equal(unit_sh("git commit-graph write --reachable --no-progress", NULL), 0);
	assert_int_equal(access("objects/info/commit-graph", F_OK), 0);
	check_pairs(2, 1, 1);
}

/* a chain of two layers, and the newest commits in none */
static void
test_split_chain(void **state)
{
	struct commit_graph *cg = NULL;
	git_repository *g = NULL;

	(void)state;
	assert_int_equal(unit_sh("rm -f objects/info/commit-graph && git commit-graph write "
	    "--reachable --split --no-progress", NULL), 0);
	assert_int_equal(git_repository_open(&g, dir), 0);
	make_commits(g, NCOMMITS * 3 / 4, NCOMMITS * 7 / 8, 8);
	assert_int_equal(unit_sh("git commit-graph write --reachable --split=no-merge "
	    "--no-progress", NULL), 0);
	make_commits(g, NCOMMITS * 7 / 8, NCOMMITS, 9);
	git_repository_free(g);
	assert_int_equal(unit_sh("test $(wc -l <objects/info/commit-graphs/commit-graph-chain) = 2",
	    NULL), 0);
	check_pairs(3, 1, 0);
	/* the chain's layers listed the other way round: the graph is refused */
	assert_int_equal(unit_sh("f=objects/info/commit-graphs/commit-graph-chain && "
	    "cp $f chain.saved && chmod u+w $f && tac chain.saved >$f", NULL), 0);
	assert_int_equal(commit_graph_open(&cg, "objects"), -E_INVALID);
	assert_non_null(strstr(err_msg(), "base graphs differ"));
	err_clear();
	assert_int_equal(unit_sh("cp chain.saved objects/info/commit-graphs/commit-graph-chain",
	    NULL), 0);
}

/* a file that is not a graph: named, and the walk parses instead */
static void
test_broken_graph(void **state)
{
	struct commit_graph *cg = NULL;
	int rc;

	(void)state;
	assert_int_equal(unit_sh("chmod u+w objects/info/commit-graphs/graph-*.graph; "
	    "for g in objects/info/commit-graphs/graph-*.graph; do "
	    "printf 'CGPH\\001\\001\\377\\001' | dd of=$g conv=notrunc status=none; done", NULL), 0);
	rc = commit_graph_open(&cg, "objects");
	assert_int_equal(rc, -E_INVALID);
	assert_non_null(strstr(err_msg(), "commit-graph objects/info/commit-graphs/graph-"));
	err_clear();
	check_pairs(4, 0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_graph),
		cmocka_unit_test(test_one_file),
		cmocka_unit_test(test_split_chain),
		cmocka_unit_test(test_broken_graph),
	};

	return cmocka_run_group_tests_name("walk", tests, setup, teardown);
}
