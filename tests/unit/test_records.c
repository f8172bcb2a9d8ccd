/* test_records.c - the record store: chains, names, and no lost record under contention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "lib/err.h"
#include "records/records.h"

static char dir[] = "/tmp/slipway-records-XXXXXX";

/* A fresh repository with an identity, as the current directory. */
static int
setup(void **state)
{
	git_repository *g = NULL;
	git_config *cfg = NULL;

	(void)state;
	git_libgit2_init();
	if (!mkdtemp(dir) || chdir(dir) < 0 || git_repository_init(&g, dir, 0) < 0 ||
	    git_repository_config(&cfg, g) < 0 ||
	    git_config_set_string(cfg, "user.name", "Rec Order") < 0 ||
	    git_config_set_string(cfg, "user.email", "rec@example.com") < 0)
		return -1;
	git_config_free(cfg);
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

static int
collect(const struct record *rec, void *data)
{
	struct buf *b = data;

	buf_printf(b, "%lld,", (long long)json_integer_value(json_object_get(rec->json, "n")));
	return 0;
}

static void
append_n(struct repo *r, const char *subject, int n)
{
	json_t *rec = json_pack("{s:i}", "n", n);

	assert_int_equal(records_append(r, "test", subject, rec, "a record", NULL), 0);
	json_decref(rec);
}

static void
test_chain(void **state)
{
	struct repo r = REPO_INIT;
	struct buf seen = BUF_INIT;
	(void)state;
	assert_int_equal(repo_open(&r), 0);
	assert_int_equal(records_walk(&r, "test", "nothing", collect, &seen), -E_NOTFOUND);
	append_n(&r, "a", 1);
	append_n(&r, "a", 2);
	append_n(&r, "a", 3);
	append_n(&r, "a/b", 10);	/* would collide as a folder of "a" */
	assert_int_equal(records_walk(&r, "test", "a", collect, &seen), 0);
	assert_string_equal(seen.ptr, "3,2,1,");
	buf_reset(&seen);
	assert_int_equal(records_walk(&r, "test", "a/b", collect, &seen), 0);
	assert_string_equal(seen.ptr, "10,");
	buf_release(&seen);
	repo_release(&r);
	err_clear();
}

static void
test_ref_names(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	(void)state;
	assert_int_equal(records_ref("pipeline", "a", &a), 0);
	assert_int_equal(records_ref("pipeline", "a/b", &b), 0);
	assert_true(strncmp(a.ptr, "refs/slipway/pipeline/", 22) == 0);
	assert_int_equal(strlen(a.ptr), 22 + 40);
	assert_string_not_equal(a.ptr, b.ptr);
	buf_reset(&a);
	assert_int_equal(records_ref("Bad/Kind", "x", &a), -E_INVALID);
	assert_int_equal(records_ref("", "x", &a), -E_INVALID);
	buf_release(&a);
	buf_release(&b);
	err_clear();
}

/* Two processes append 25 records each to one chain at the same time:
 * with compare-and-swap every one of the 50 must be there. */
static void
test_no_lost_record(void **state)
{
	struct repo r = REPO_INIT;
	struct buf seen = BUF_INIT;
	int i, k, status, count = 0;
	pid_t pid[2];
	const char *p;

	(void)state;
	for (k = 0; k < 2; k++) {
		if ((pid[k] = fork()) == 0) {
			struct repo mine = REPO_INIT;

			if (repo_open(&mine) < 0)
				_exit(2);
			for (i = 0; i < 25; i++) {
				json_t *rec = json_pack("{s:i}", "n", k * 100 + i);

				if (records_append(&mine, "test", "busy", rec, "race", NULL) < 0)
					_exit(1);
				json_decref(rec);
			}
			repo_release(&mine);
			_exit(0);
		}
	}
	for (k = 0; k < 2; k++) {
		assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(repo_open(&r), 0);
	assert_int_equal(records_walk(&r, "test", "busy", collect, &seen), 0);
	for (p = seen.ptr; *p; p++)
		count += *p == ',';
	assert_int_equal(count, 50);
	buf_release(&seen);
	repo_release(&r);
	err_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_names),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_no_lost_record),
	};

	return cmocka_run_group_tests_name("records", tests, setup, teardown);
}
