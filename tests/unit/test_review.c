/* test_review.c - refs listing, review folding, what the gate lacks, hook input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "gate/gate.h"
#include "gate/hook.h"
#include "git/refs.h"
#include "lib/err.h"
#include "lib/util.h"
#include "review/review.h"

static char dir[] = "/tmp/slipway-review-XXXXXX";

/* Runs a command (NULL-terminated argv, no shell) in the test repository. */
static void
sh(const char *arg, ...)
{
	struct run r = RUN_INIT;
	va_list ap;

	va_start(ap, arg);
	for (; arg; arg = va_arg(ap, const char *))
		strvec_push(&r.argv, arg);
	va_end(ap);
	r.capture_out = r.capture_err = 1;
	assert_int_equal(run_exec(&r), 0);
	if (r.status)
		fail_msg("%s %s: %s", r.argv.v[0], r.argv.v[1], r.err.ptr);
	run_release(&r);
}

static void
identity(const char *name, const char *email)
{
	setenv("GIT_COMMITTER_NAME", name, 1);
	setenv("GIT_AUTHOR_NAME", name, 1);
	setenv("GIT_COMMITTER_EMAIL", email, 1);
	setenv("GIT_AUTHOR_EMAIL", email, 1);
}

static int
setup(void **state)
{
	(void)state;
	git_libgit2_init();
	if (!mkdtemp(dir) || chdir(dir) < 0)
		return -1;
	sh("git", "init", "-q", NULL);
	identity("Ann", "ann@example.com");
	sh("git", "commit", "-q", "--allow-empty", "-m", "first", NULL);
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
collect(const char *name, const git_oid *oid, void *data)
{
	(void)oid;
	buf_printf(data, "%s,", name);
	return 0;
}

/* Packed and loose refs merge in name order; a loose ref hides its packed
 * twin; the prefix is a prefix of names, not of folders only. */
static void
test_refs_list(void **state)
{
	struct repo r = REPO_INIT;
	struct buf seen = BUF_INIT;
	const char *names[] = { "refs/x/a", "refs/x/b/c", "refs/x/d", "refs/xy/e", "refs/w/f" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		sh("git", "update-ref", names[i], "HEAD", NULL);
	sh("git", "pack-refs", "--all", NULL);
	sh("git", "update-ref", "refs/x/b/c", "HEAD", NULL);	/* loose again, same name */
	sh("git", "update-ref", "refs/x/c", "HEAD", NULL);	/* loose only */
	assert_int_equal(repo_open(&r), 0);
	assert_int_equal(refs_list(&r, "refs/x/", collect, &seen), 0);
	assert_string_equal(seen.ptr, "refs/x/a,refs/x/b/c,refs/x/c,refs/x/d,");
	buf_reset(&seen);
	assert_int_equal(refs_list(&r, "refs/nothing/", collect, &seen), 0);
	assert_string_equal(seen.ptr, "");
	buf_reset(&seen);
	assert_int_equal(refs_list(&r, "refs/xy/", collect, &seen), 0);
	assert_string_equal(seen.ptr, "refs/xy/e,");
	buf_release(&seen);
	repo_release(&r);
}

/* request → approvals → a new head: fresh, stale, own, rejected, closed. */
static void
test_fold(void **state)
{
	struct repo r = REPO_INIT;
	struct review rv;
	git_oid h1, h2;
	char hex1[GIT_OID_HEXSZ + 1], hex2[GIT_OID_HEXSZ + 1];
	size_t fresh, stale;
	int rejected;

	(void)state;
	assert_int_equal(repo_open(&r), 0);
	assert_int_equal(repo_ref_oid(&r, "HEAD", &h1), 0);
	memcpy(&h2, &h1, sizeof(h2));
	h2.id[0] ^= 1;
	git_oid_tostr(hex1, sizeof(hex1), &h1);
	git_oid_tostr(hex2, sizeof(hex2), &h2);
	assert_int_equal(review_load(&r, "feature/a", &rv), -E_NOTFOUND);
	err_clear();
	identity("Ann", "ann@example.com");
	assert_int_equal(review_request(&r, "feature/a", "staging", &h1), 0);
	assert_int_equal(review_vote(&r, "feature/a", &h1, 1, "mine"), 0);
	identity("Bob", "bob@example.com");
	assert_int_equal(review_vote(&r, "feature/a", &h1, 1, "ok"), 0);
	assert_int_equal(review_load(&r, "feature/a", &rv), 0);
	assert_string_equal(rv.author, "ann@example.com");
	assert_int_equal(rv.state, REVIEW_OPEN);
	assert_int_equal(rv.nvotes, 2);
	review_count(&rv, hex1, 0, &fresh, &stale, &rejected);
	assert_int_equal(fresh, 1);	/* Ann's own does not count */
	assert_string_equal(review_state_name(&rv, hex1, 1, 0), "approved");
	assert_string_equal(review_state_name(&rv, hex1, 2, 0), "needs review");
	review_count(&rv, hex2, 0, &fresh, &stale, &rejected);
	assert_int_equal(fresh, 0);
	assert_int_equal(stale, 1);
	assert_string_equal(review_state_name(&rv, hex2, 1, 0), "stale approval");
	/* only signed votes: none here */
	review_count(&rv, hex1, 1, &fresh, &stale, &rejected);
	assert_int_equal(fresh, 0);
	review_release(&rv);
	/* Bob changes his mind: his latest vote replaces the first */
	assert_int_equal(review_vote(&r, "feature/a", &h1, 0, "wait"), 0);
	assert_int_equal(review_load(&r, "feature/a", &rv), 0);
	assert_int_equal(rv.nvotes, 2);
	assert_string_equal(review_state_name(&rv, hex1, 1, 0), "changes requested");
	review_release(&rv);
	assert_int_equal(review_close(&r, "feature/a"), 0);
	assert_int_equal(review_load(&r, "feature/a", &rv), 0);
	assert_string_equal(review_state_name(&rv, hex1, 1, 0), "closed");
	review_release(&rv);
	/* a new request reopens it, with the new requester's time */
	assert_int_equal(review_request(&r, "feature/a", "staging", &h2), 0);
	assert_int_equal(review_load(&r, "feature/a", &rv), 0);
	assert_int_equal(rv.state, REVIEW_OPEN);
	assert_string_equal(rv.head, hex2);
	assert_int_equal(rv.nvotes, 0);	/* the last round's votes are history */
	review_release(&rv);
	assert_int_equal(review_request(&r, "a..b", "staging", &h1), -E_INVALID);
	err_clear();
	repo_release(&r);
}

struct count { size_t open, all; };

static int
count_one(struct review *rv, void *data)
{
	struct count *c = data;

	c->all++;
	c->open += rv->state == REVIEW_OPEN;
	return 0;
}

/* open_only skips closed chains and remembers their tips; a new record on
 * a remembered chain brings it back. */
static void
test_each_cache(void **state)
{
	struct repo r = REPO_INIT;
	struct strvec bad = STRVEC_INIT;
	struct count c = { 0, 0 };
	struct review rv;
	struct buf cache = BUF_INIT;
	git_oid h;

	(void)state;
	assert_int_equal(repo_open(&r), 0);
	assert_int_equal(repo_ref_oid(&r, "HEAD", &h), 0);
	identity("Cy", "cy@example.com");
	assert_int_equal(review_request(&r, "b", "staging", &h), 0);
	assert_int_equal(review_request(&r, "a/b", "staging", &h), 0);
	assert_int_equal(review_close(&r, "a/b"), 0);
	assert_int_equal(review_each(&r, 1, &bad, count_one, &c), 0);
	assert_int_equal(c.all, 2);	/* b and feature/a (test_fold) */
	/* each chain's fold is remembered by its tip: "TIP c" when closed */
	assert_int_equal(buf_read_file(&cache, ".git/slipway/reviews-2"), 0);
	assert_non_null(strstr(cache.ptr, " c\n"));
	assert_non_null(strstr(cache.ptr, " o {\"branch\":\"b\""));
	c.all = c.open = 0;
	assert_int_equal(review_each(&r, 0, &bad, count_one, &c), 0);
	assert_int_equal(c.all, 3);
	assert_int_equal(c.open, 2);
	assert_int_equal(review_request(&r, "a/b", "staging", &h), 0);
	c.all = c.open = 0;
	assert_int_equal(review_each(&r, 1, &bad, count_one, &c), 0);
	assert_int_equal(c.open, 3);
	assert_int_equal(bad.nr, 0);
	assert_int_equal(review_load(&r, "a/b", &rv), 0);
	review_release(&rv);
	strvec_clear(&bad);
	buf_release(&cache);
	repo_release(&r);
}

/* What a failing gate lacks, in words. */
static void
test_lacks(void **state)
{
	struct gate_report rep = GATE_REPORT_INIT;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(gate_rule_parse(GATE_DEFAULT_RULE, &rep.parsed), 0);
	rep.named = gate_rule_facts(rep.parsed);
	rep.facts = 0;
	gate_report_lacks(&rep, &out);
	assert_string_equal(out.ptr, "ci, and one of cd, review, cdfix");
	buf_reset(&out);
	rep.facts = 1u << GATE_CI;
	gate_report_lacks(&rep, &out);
	assert_string_equal(out.ptr, "one of cd, review, cdfix");
	buf_reset(&out);
	rep.facts = 1u << GATE_REVIEW;
	gate_report_lacks(&rep, &out);
	assert_string_equal(out.ptr, "ci");
	buf_reset(&out);
	rep.facts = (1u << GATE_REVIEW) | (1u << GATE_CI);
	rep.pass = 1;
	gate_report_lacks(&rep, &out);
	assert_string_equal(out.ptr, "");
	buf_release(&out);
	gate_rule_free(rep.parsed);
}

static void
test_hook_input(void **state)
{
	struct ref_update *u = NULL;
	size_t n = 0;
	char line[300];
	const char *z = "0000000000000000000000000000000000000000";
	const char *a = "1111111111111111111111111111111111111111";

	(void)state;
	snprintf(line, sizeof(line), "%s %s refs/heads/staging\n%s %s refs/tags/v1\n", a, a, z, a);
	assert_int_equal(hook_parse_updates(line, &u, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(u[1].ref, "refs/tags/v1");
	assert_true(git_oid_is_zero(&u[1].old_oid));
	hook_updates_free(u, n);
	assert_int_equal(hook_parse_updates("", &u, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(hook_parse_updates("short line\n", &u, &n), -E_INVALID);
	assert_non_null(strstr(err_msg(), "malformed update line 'short line'"));
	err_clear();
	snprintf(line, sizeof(line), "%s %.39sg refs/heads/x\n", a, a);
	assert_int_equal(hook_parse_updates(line, &u, &n), -E_INVALID);
	assert_null(u);
	err_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refs_list),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_each_cache),
		cmocka_unit_test(test_lacks),
		cmocka_unit_test(test_hook_input),
	};

	return cmocka_run_group_tests_name("review", tests, setup, teardown);
}
