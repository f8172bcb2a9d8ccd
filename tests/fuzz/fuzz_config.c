/* fuzz_config.c - libFuzzer target: config_parse() on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/schema.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/strvec.h"

/* Looks up every registered key; aborts when the lookups disagree. */
static void
read_all(const struct config *cfg)
{
	const struct config_section *sec;
	const struct config_key *k;
	struct strvec all = STRVEC_INIT;
	struct buf name = BUF_INIT;
	const char *last;

	for (sec = config_schema; sec->name; sec++) {
		for (k = sec->keys; k->name; k++) {
			buf_reset(&name);
			buf_printf(&name, "%s.%s", sec->name, k->name);
			last = config_get(cfg, name.ptr, NULL);
			config_get_all(cfg, name.ptr, &all);
			if ((!last) != (all.nr == 0) ||
			    (last && strcmp(last, all.v[all.nr - 1])) ||
			    (!last) != (config_line(cfg, name.ptr) == 0))
				abort();
			strvec_clear(&all);
		}
	}
	buf_release(&name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg = CONFIG_INIT;

	if (config_parse(&cfg, "fuzz.conf", (const char *)data, size) == 0)
		read_all(&cfg);
	else if (cfg.nr || cfg.entries || cfg.name)
		abort();
	config_release(&cfg);
	err_clear();
	return 0;
}
