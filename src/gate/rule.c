/* rule.c - parsing and evaluating the gate rule (recursive descent, a node array). */
#include "gate/rule.h"

#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/util.h"

#define MAX_DEPTH 64

enum node_kind { N_FACT, N_NOT, N_AND, N_OR };

struct node {
	enum node_kind kind;
	int a, b;		/* operand nodes (N_NOT uses a; N_FACT: a = fact) */
};

struct gate_rule {
	struct node *n;
	size_t nr, alloc;
	int root;
};

struct parser {
	const char *text, *p;
	struct gate_rule *rule;
	int depth;
};

static const char *const fact_names[GATE_NFACTS] = { "ci", "cd", "review", "cdfix" };

const char *
gate_fact_name(enum gate_fact f)
{
	return f < GATE_NFACTS ? fact_names[f] : "?";
}

/* Sets "column N: WHAT" for the parser's position p; returns -E_CONFIG. */
static int
perr(const struct parser *ps, const char *p, const char *what, const char *arg)
{
	return err_set(-E_CONFIG, "column %d: %s%s%s%s", (int)(p - ps->text) + 1, what,
	    arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

static int
add(struct gate_rule *r, enum node_kind k, int a, int b)
{
	if (r->nr == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 16;
		r->n = xrealloc(r->n, r->alloc * sizeof(*r->n));
	}
	r->n[r->nr] = (struct node){ k, a, b };
	return (int)r->nr++;
}

static void
skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static int parse_or(struct parser *ps, int *out);

/* A fact name at p: its index, or an error naming it (with a hint). */
static int
parse_fact(struct parser *ps, int *out)
{
	const char *start = ps->p;
	size_t n = strspn(start, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	size_t bestd = 0;
	char *word;
	int f, best;

	if (!n) {
		if (!*start)
			return perr(ps, start, "expected a fact or '(' before the end", NULL);
		word = xstrndup(start, 1);
		f = perr(ps, start, "expected a fact or '(', not", word);
		free(word);
		return f;
	}
	for (f = 0; f < GATE_NFACTS; f++)
		if (strlen(fact_names[f]) == n && !strncmp(start, fact_names[f], n)) {
			ps->p += n;
			*out = add(ps->rule, N_FACT, f, 0);
			return 0;
		}
	word = xstrndup(start, n);
	perr(ps, start, "unknown fact", word);
	best = GATE_NFACTS;
	for (f = 0; f < GATE_NFACTS; f++) {
		size_t d = edit_distance(word, fact_names[f]);

		if (d <= 2 && (best == GATE_NFACTS || d < bestd)) {
			best = f;
			bestd = d;
		}
	}
	if (best < GATE_NFACTS)
		err_hint("did you mean '%s'?", fact_names[best]);
	else
		err_hint("the facts are ci, cd, review and cdfix");
	free(word);
	return -E_CONFIG;
}

/* unary := '!' unary | '(' or ')' | fact */
static int
parse_unary(struct parser *ps, int *out)
{
	const char *open;
	int rc, a;

	skip_ws(ps);
	if (++ps->depth > MAX_DEPTH)
		return perr(ps, ps->p, "the rule nests too deeply", NULL);
	if (*ps->p == '!') {
		ps->p++;
		if ((rc = parse_unary(ps, &a)) < 0)
			return rc;
		*out = add(ps->rule, N_NOT, a, 0);
	} else if (*ps->p == '(') {
		open = ps->p++;
		if ((rc = parse_or(ps, out)) < 0)
			return rc;
		skip_ws(ps);
		if (*ps->p != ')') {
			err_set(-E_CONFIG, "column %d: missing ')' for the '(' at column %d",
			    (int)(ps->p - ps->text) + 1, (int)(open - ps->text) + 1);
			return -E_CONFIG;
		}
		ps->p++;
	} else if ((rc = parse_fact(ps, out)) < 0) {
		return rc;
	}
	ps->depth--;
	return 0;
}

/* Reads the operator op ("&&" or "||") at p; a lone '&' or '|' is an error. */
static int
take_op(struct parser *ps, char op, int *took)
{
	skip_ws(ps);
	*took = 0;
	if (*ps->p != op)
		return 0;
	if (ps->p[1] != op) {
		char what[3] = { op, op, '\0' };

		err_set(-E_CONFIG, "column %d: '%c' is not an operator; use '%s'",
		    (int)(ps->p - ps->text) + 1, op, what);
		return -E_CONFIG;
	}
	ps->p += 2;
	*took = 1;
	return 0;
}

/* A left-associative chain of one operator: sub (OP OP sub)*. */
static int
parse_chain(struct parser *ps, int *out, char op, enum node_kind kind,
    int (*sub)(struct parser *, int *))
{
	int rc, rhs, took;

	if ((rc = sub(ps, out)) < 0)
		return rc;
	for (;;) {
		if ((rc = take_op(ps, op, &took)) < 0)
			return rc;
		if (!took)
			return 0;
		if ((rc = sub(ps, &rhs)) < 0)
			return rc;
		*out = add(ps->rule, kind, *out, rhs);
	}
}

/* and := unary ('&&' unary)* */
static int
parse_and(struct parser *ps, int *out)
{
	return parse_chain(ps, out, '&', N_AND, parse_unary);
}

/* or := and ('||' and)* */
static int
parse_or(struct parser *ps, int *out)
{
	return parse_chain(ps, out, '|', N_OR, parse_and);
}

int
gate_rule_parse(const char *text, struct gate_rule **out)
{
	struct parser ps = { text, text, xcalloc(1, sizeof(struct gate_rule)), 0 };
	int rc;

	*out = NULL;
	if ((rc = parse_or(&ps, &ps.rule->root)) == 0) {
		skip_ws(&ps);
		if (*ps.p == ')')
			rc = perr(&ps, ps.p, "')' without a '(' before it", NULL);
		else if (*ps.p)
			rc = perr(&ps, ps.p, "expected '&&', '||' or the end, not", ps.p);
	}
	if (rc < 0) {
		gate_rule_free(ps.rule);
		return rc;
	}
	*out = ps.rule;
	return 0;
}

static int
eval(const struct gate_rule *r, int i, unsigned facts)
{
	const struct node *n = &r->n[i];

	switch (n->kind) {
	case N_FACT:
		return (facts >> n->a) & 1;
	case N_NOT:
		return !eval(r, n->a, facts);
	case N_AND:
		return eval(r, n->a, facts) && eval(r, n->b, facts);
	default:
		return eval(r, n->a, facts) || eval(r, n->b, facts);
	}
}

int
gate_rule_eval(const struct gate_rule *rule, unsigned facts)
{
	return eval(rule, rule->root, facts);
}

/* Formats node i; parenthesises an || inside && and any binary under '!'. */
static void
format(const struct gate_rule *r, int i, enum node_kind parent, struct buf *out)
{
	const struct node *n = &r->n[i];
	int paren = (n->kind == N_OR && parent == N_AND) ||
	    ((n->kind == N_OR || n->kind == N_AND) && parent == N_NOT);

	if (paren)
		buf_putc(out, '(');
	switch (n->kind) {
	case N_FACT:
		buf_puts(out, fact_names[n->a]);
		break;
	case N_NOT:
		buf_putc(out, '!');
		format(r, n->a, N_NOT, out);
		break;
	default:
		format(r, n->a, n->kind, out);
		buf_puts(out, n->kind == N_AND ? " && " : " || ");
		format(r, n->b, n->kind, out);
	}
	if (paren)
		buf_putc(out, ')');
}

void
gate_rule_format(const struct gate_rule *rule, struct buf *out)
{
	format(rule, rule->root, N_OR, out);
}

unsigned
gate_rule_facts(const struct gate_rule *rule)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; i < rule->nr; i++)
		if (rule->n[i].kind == N_FACT)
			m |= 1u << rule->n[i].a;
	return m;
}

void
gate_rule_free(struct gate_rule *rule)
{
	if (!rule)
		return;
	free(rule->n);
	free(rule);
}
