/* test_gate_rule.c - the gate rule: precedence, evaluation, errors with columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gate/rule.h"
#include "lib/err.h"

#define CI (1u << GATE_CI)
#define CD (1u << GATE_CD)
#define RV (1u << GATE_REVIEW)
#define FX (1u << GATE_CDFIX)

/* The truth table of text over all 16 fact sets, as a 16-bit mask. */
static unsigned
table(const char *text)
{
	struct gate_rule *r = NULL;
	unsigned facts, t = 0;

	if (gate_rule_parse(text, &r) < 0)
		fail_msg("'%s' did not parse: %s", text, err_msg());
	for (facts = 0; facts < 16; facts++)
		t |= (unsigned)gate_rule_eval(r, facts) << facts;
	gate_rule_free(r);
	return t;
}

static void
test_default_rule(void **state)
{
	struct gate_rule *r = NULL;

	(void)state;
	assert_int_equal(gate_rule_parse(GATE_DEFAULT_RULE, &r), 0);
	assert_int_equal(gate_rule_eval(r, 0), 0);
	assert_int_equal(gate_rule_eval(r, CI), 0);		/* CI alone is not enough */
	assert_int_equal(gate_rule_eval(r, CI | CD), 1);
	assert_int_equal(gate_rule_eval(r, CI | RV), 1);
	assert_int_equal(gate_rule_eval(r, CI | FX), 1);
	assert_int_equal(gate_rule_eval(r, CD | RV | FX), 0);	/* never without CI */
	assert_int_equal(gate_rule_facts(r), CI | CD | RV | FX);
	gate_rule_free(r);
}

static void
test_precedence(void **state)
{
	(void)state;
	/* && binds tighter than ||, ! tighter than both */
	assert_int_equal(table("ci || cd && review"), table("ci || (cd && review)"));
	assert_int_not_equal(table("ci || cd && review"), table("(ci || cd) && review"));
	assert_int_equal(table("!ci && cd"), table("(!ci) && cd"));
	assert_int_equal(table("!(ci && cd)"), table("!ci || !cd"));
	assert_int_equal(table("!!ci"), table("ci"));
	assert_int_equal(table(" \tci&&cd "), table("ci && cd"));
}

static void
test_format_round_trip(void **state)
{
	static const char *rules[] = {
		"ci", "ci && (cd || review || cdfix)", "!(ci || cd) && review",
		"(ci && cd) || (review && !cdfix)", "!!!ci", "((ci))",
	};
	struct buf b = BUF_INIT;
	struct gate_rule *r = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		assert_int_equal(gate_rule_parse(rules[i], &r), 0);
		buf_reset(&b);
		gate_rule_format(r, &b);
		assert_int_equal(table(b.ptr), table(rules[i]));
		gate_rule_free(r);
	}
	assert_int_equal(gate_rule_parse("ci && (cd || review)", &r), 0);
	buf_reset(&b);
	gate_rule_format(r, &b);
	assert_string_equal(b.ptr, "ci && (cd || review)");
	gate_rule_free(r);
	buf_release(&b);
}

static void
expect_error(const char *text, const char *msg, const char *hint)
{
	struct gate_rule *r = (struct gate_rule *)1;

	err_clear();
	assert_int_equal(gate_rule_parse(text, &r), -E_CONFIG);
	assert_null(r);
	if (strcmp(err_msg(), msg))
		fail_msg("'%s': got '%s', wanted '%s'", text, err_msg(), msg);
	if (hint && !strstr(err_hints(), hint))
		fail_msg("'%s': hints '%s' lack '%s'", text, err_hints(), hint);
	err_clear();
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("", "column 1: expected a fact or '(' before the end", NULL);
	expect_error("ci &&", "column 6: expected a fact or '(' before the end", NULL);
	expect_error("cii && cd", "column 1: unknown fact 'cii'", "did you mean 'ci'?");
	expect_error("ci && reveiw", "column 7: unknown fact 'reveiw'", "did you mean 'review'?");
	expect_error("ci && deploy", "column 7: unknown fact 'deploy'", "the facts are");
	expect_error("ci & cd", "column 4: '&' is not an operator; use '&&'", NULL);
	expect_error("ci | cd", "column 4: '|' is not an operator; use '||'", NULL);
	expect_error("(ci && cd", "column 10: missing ')' for the '(' at column 1", NULL);
	expect_error("ci)", "column 3: ')' without a '(' before it", NULL);
	expect_error("ci cd", "column 4: expected '&&', '||' or the end, not 'cd'", NULL);
	expect_error("ci && )", "column 7: expected a fact or '(', not ')'", NULL);
}

static void
test_depth_cap(void **state)
{
	struct buf b = BUF_INIT;
	struct gate_rule *r = NULL;
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		buf_putc(&b, '(');
	buf_puts(&b, "ci");
	for (i = 0; i < 200; i++)
		buf_putc(&b, ')');
	assert_int_equal(gate_rule_parse(b.ptr, &r), -E_CONFIG);
	assert_non_null(strstr(err_msg(), "nests too deeply"));
	buf_release(&b);
	err_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_rule),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_depth_cap),
	};

	return cmocka_run_group_tests_name("gate rule", tests, NULL, NULL);
}
