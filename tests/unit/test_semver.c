/* test_semver.c - SemVer 2.0.0 parsing, precedence, formatting and bumps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/err.h"
#include "semver/semver.h"

static void
assert_parses(const char *s, unsigned long long ma, unsigned long long mi,
    unsigned long long pa, const char *pre, const char *build)
{
	struct semver v;
	struct buf b = BUF_INIT;

	assert_int_equal(semver_parse(&v, s), 0);
	assert_true(v.major == ma && v.minor == mi && v.patch == pa);
	if (pre)
		assert_string_equal(v.pre, pre);
	else
		assert_null(v.pre);
	if (build)
		assert_string_equal(v.build, build);
	else
		assert_null(v.build);
	semver_format(&v, &b);
	assert_string_equal(b.ptr, s);
	buf_release(&b);
	semver_release(&v);
}

static void
assert_rejects(const char *s, const char *why)
{
	struct semver v;

	err_clear();
	assert_int_equal(semver_parse(&v, s), -E_INVALID);
	assert_null(v.pre);
	assert_null(v.build);
	if (!strstr(err_msg(), why))
		fail_msg("'%s': message '%s' lacks '%s'", s, err_msg(), why);
	err_clear();
}

static void
test_valid(void **state)
{
	(void)state;
	assert_parses("0.0.0", 0, 0, 0, NULL, NULL);
	assert_parses("1.2.3", 1, 2, 3, NULL, NULL);
	assert_parses("10.20.30", 10, 20, 30, NULL, NULL);
	assert_parses("1.0.0-alpha", 1, 0, 0, "alpha", NULL);
	assert_parses("1.0.0-alpha.1", 1, 0, 0, "alpha.1", NULL);
	assert_parses("1.0.0-0.3.7", 1, 0, 0, "0.3.7", NULL);
	assert_parses("1.0.0-x.7.z.92", 1, 0, 0, "x.7.z.92", NULL);
	assert_parses("1.0.0-x-y-z.--", 1, 0, 0, "x-y-z.--", NULL);
	assert_parses("1.0.0+20130313144700", 1, 0, 0, NULL, "20130313144700");
	assert_parses("1.0.0-beta+exp.sha.5114f85", 1, 0, 0, "beta", "exp.sha.5114f85");
	assert_parses("1.0.0+21AF26D3----117B344092BD", 1, 0, 0, NULL, "21AF26D3----117B344092BD");
	assert_parses("1.0.0+001", 1, 0, 0, NULL, "001");
	assert_parses("18446744073709551615.0.0", 18446744073709551615ULL, 0, 0, NULL, NULL);
}

static void
test_invalid(void **state)
{
	(void)state;
	assert_rejects("", "empty version");
	assert_rejects("1", "expected MAJOR.MINOR.PATCH");
	assert_rejects("1.2", "expected MAJOR.MINOR.PATCH");
	assert_rejects("1.2.3.4", "unexpected text");
	assert_rejects("01.2.3", "major part has a leading zero");
	assert_rejects("1.02.3", "minor part has a leading zero");
	assert_rejects("1.2.03", "patch part has a leading zero");
	assert_rejects("v1.2.3", "major part is not a number");
	assert_rejects("banana", "major part is not a number");
	assert_rejects("1.2.3-", "empty pre-release");
	assert_rejects("1.2.3+", "empty build metadata");
	assert_rejects("1.2.3-01", "leading zero in the pre-release");
	assert_rejects("1.2.3-a..b", "empty identifier");
	assert_rejects("1.2.3-a_b", "'_' is not allowed");
	assert_rejects("1.2.3+a+b", "'+' is not allowed");
	assert_rejects(" 1.2.3", "not a number");
	assert_rejects("1.2.3 ", "unexpected text");
	assert_rejects("18446744073709551616.0.0", "too large");
	assert_rejects("-1.2.3", "not a number");
}

static int
cmp(const char *a, const char *b)
{
	struct semver x, y;
	int c;

	assert_int_equal(semver_parse(&x, a), 0);
	assert_int_equal(semver_parse(&y, b), 0);
	c = semver_cmp(&x, &y);
	semver_release(&x);
	semver_release(&y);
	return c;
}

static void
test_precedence(void **state)
{
	/* the chain from SemVer §11, each strictly lower than the next */
	static const char *chain[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
		"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1",
		"1.1.0", "1.10.0", "2.0.0", "10.0.0",
	};
	size_t i, j, n = sizeof(chain) / sizeof(chain[0]);

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int c = cmp(chain[i], chain[j]);

			if ((i < j && c >= 0) || (i > j && c <= 0) || (i == j && c))
				fail_msg("%s vs %s gave %d", chain[i], chain[j], c);
		}
	assert_int_equal(cmp("1.0.0+a", "1.0.0+b"), 0);
	assert_int_equal(cmp("1.0.0-a.1", "1.0.0-a.1.0") < 0, 1);
	assert_int_equal(cmp("1.0.0-2", "1.0.0-10") < 0, 1);
	assert_int_equal(cmp("1.0.0-10", "1.0.0-a") < 0, 1);
}

static void
assert_bump(const char *from, enum semver_part part, const char *want)
{
	struct semver cur, next;
	struct buf b = BUF_INIT;

	assert_int_equal(semver_parse(&cur, from), 0);
	semver_bump(&cur, part, &next);
	semver_format(&next, &b);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
	semver_release(&cur);
	semver_release(&next);
}

static void
test_bump(void **state)
{
	(void)state;
	assert_bump("1.2.3", SEMVER_PATCH, "1.2.4");
	assert_bump("1.2.3", SEMVER_MINOR, "1.3.0");
	assert_bump("1.2.3", SEMVER_MAJOR, "2.0.0");
	assert_bump("1.2.3+build", SEMVER_PATCH, "1.2.4");
	assert_bump("1.2.3-rc.1", SEMVER_PATCH, "1.2.3");
	assert_bump("1.3.0-rc.1", SEMVER_MINOR, "1.3.0");
	assert_bump("1.3.1-rc.1", SEMVER_MINOR, "1.4.0");
	assert_bump("2.0.0-rc.1", SEMVER_MAJOR, "2.0.0");
	assert_bump("2.1.0-rc.1", SEMVER_MAJOR, "3.0.0");
	assert_bump("0.0.0", SEMVER_PATCH, "0.0.1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_bump),
	};

	return cmocka_run_group_tests_name("semver", tests, NULL, NULL);
}
