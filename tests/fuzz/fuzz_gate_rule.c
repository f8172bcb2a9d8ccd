/* fuzz_gate_rule.c - the gate rule parser on arbitrary input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gate/rule.h"
#include "lib/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A rule that parses must format to a rule with the same truth table. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct gate_rule *a = NULL, *b = NULL;
	struct buf f = BUF_INIT;
	unsigned facts;

	memcpy(s, data, size);
	s[size] = '\0';
	if (gate_rule_parse(s, &a) == 0) {
		gate_rule_format(a, &f);
		if (gate_rule_parse(f.ptr, &b) != 0)
			abort();
		for (facts = 0; facts < 16; facts++)
			if (gate_rule_eval(a, facts) != gate_rule_eval(b, facts))
				abort();
	}
	gate_rule_free(a);
	gate_rule_free(b);
	buf_release(&f);
	free(s);
	err_clear();
	return 0;
}
