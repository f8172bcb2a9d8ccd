/* rule.h - the merge gate's rule: a boolean expression over facts. */
#ifndef SLIPWAY_GATE_RULE_H
#define SLIPWAY_GATE_RULE_H

#include "lib/buf.h"

/* The facts a rule can name (design.md, issue 3's gate). */
enum gate_fact {
	GATE_CI,	/* ci: the latest ci result on the branch head passed */
	GATE_CD,	/* cd: the latest cd result on the branch head passed */
	GATE_REVIEW,	/* review: enough fresh approvals by someone else */
	GATE_CDFIX,	/* cdfix: a CD-fix branch while staging's CD is red */
	GATE_NFACTS,
};

#define GATE_DEFAULT_RULE "ci && (cd || review || cdfix)"

struct gate_rule;

/* The name of a fact ("ci", ...). */
const char *gate_fact_name(enum gate_fact f);

/*
 * Parses text: facts, '!', '&&', '||' and parentheses, with the usual
 * precedence (! over && over ||). Returns 0 with *out (caller frees with
 * gate_rule_free), or -E_CONFIG with a message pointing at the column
 * ("column 7: unknown fact 'cii'", with a hint when a fact is close).
 */
int gate_rule_parse(const char *text, struct gate_rule **out);
/* Evaluates the rule; facts has bit (1 << GATE_x) set for each true fact. */
int gate_rule_eval(const struct gate_rule *rule, unsigned facts);
/* Appends the rule in canonical form (fully parenthesised where needed). */
void gate_rule_format(const struct gate_rule *rule, struct buf *out);
/* Which facts the rule names (bit mask). */
unsigned gate_rule_facts(const struct gate_rule *rule);
void gate_rule_free(struct gate_rule *rule);

#endif
