/* test_compat.c - breaking-change markers in commit messages, and compat.auto = major. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "compat/compat.h"
#include "lib/err.h"

static void
test_breaking_subjects(void **state)
{
	(void)state;
	assert_true(compat_is_breaking("feat!: drop the v1 API"));
	assert_true(compat_is_breaking("feat(api)!: drop the v1 API\n\nbody\n"));
	assert_true(compat_is_breaking("Refactor!: rename everything"));
	assert_true(compat_is_breaking("build(deps-dev)!: node 20"));
	assert_false(compat_is_breaking("feat: add a ! to the prompt"));
	assert_false(compat_is_breaking("feat(api): x!: y"));
	assert_false(compat_is_breaking("Merge branch 'feature/x!' into staging"));
	assert_false(compat_is_breaking("!: no type"));
	assert_false(compat_is_breaking("1feat!: a type starts with a letter"));
	assert_false(compat_is_breaking("feat(api!: unclosed scope"));
	assert_false(compat_is_breaking("feat(a\nb)!: a scope on two lines"));
	assert_false(compat_is_breaking("feat !: a space before the bang"));
	assert_false(compat_is_breaking(""));
}

static void
test_breaking_footers(void **state)
{
	(void)state;
	assert_true(compat_is_breaking("rework\n\nBREAKING CHANGE: the old keys are gone\n"));
	assert_true(compat_is_breaking("rework\n\nbody\n\nBREAKING-CHANGE: gone"));
	assert_true(compat_is_breaking("rework\n\nBREAKING CHANGE: gone\n\nSigned-off-by: A <a@b>\n"));
	assert_false(compat_is_breaking("rework\n\nbreaking change: lower case is not the token\n"));
	assert_false(compat_is_breaking("rework\n\nNo BREAKING CHANGE: here, mid-line\n"));
	assert_false(compat_is_breaking("BREAKING CHANGE: only in the subject"));
	assert_false(compat_is_breaking("rework\n\nBREAKING CHANGES: not the token\n"));
}

static void
assert_auto(const char *version, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(compat_auto_major(version, &b), 0);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
}

static void
test_auto_major(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_auto("2.3.1", "2.0.0");
	assert_auto("2.0.0", "2.0.0");
	assert_auto("0.4.2", "0.0.0");
	assert_auto("2.3.1-rc.1", "2.0.0");
	assert_auto("2.0.0-rc.1", "2.0.0-rc.1");	/* 2.0.0 is not out yet */
	assert_auto("3.1.0+build.5", "3.0.0");
	assert_int_equal(compat_auto_major("2.3", &b), -E_INVALID);
	assert_int_equal(b.len, 0);
	err_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_breaking_subjects),
		cmocka_unit_test(test_breaking_footers),
		cmocka_unit_test(test_auto_major),
	};

	return cmocka_run_group_tests_name("compat", tests, NULL, NULL);
}
