/* unit.h - what the unit tests that build repositories share: a shell
 * command run in the test's folder, and the folder removed at the end. */
#ifndef SLIPWAY_TEST_UNIT_H
#define SLIPWAY_TEST_UNIT_H

#include <string.h>
#include <unistd.h>

#include "lib/run.h"

/* Runs script with sh -c; its output appended to out (when given). 0 when
 * it exits 0; otherwise -1, and its error output is shown. */
static inline int
unit_sh(const char *script, struct buf *out)
{
	struct run r = RUN_INIT;
	int rc;

	strvec_pushl(&r.argv, "sh", "-c", script, NULL);
	r.capture_out = out != NULL;
	r.capture_err = 1;
	rc = run_exec(&r) == 0 && r.status == 0 ? 0 : -1;
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", script, r.err.ptr);
	if (out)
		buf_add(out, r.out.ptr, r.out.len);
	run_release(&r);
	return rc;
}

/* Leaves dir and removes it: only a folder made under /tmp/slipway-. */
static inline void
unit_remove(const char *dir)
{
	struct run r = RUN_INIT;

	if (chdir("/") < 0 || strncmp(dir, "/tmp/slipway-", 13))
		return;
	strvec_pushl(&r.argv, "rm", "-rf", dir, NULL);
	run_exec(&r);
	run_release(&r);
}

#endif
