/* fuzz_semver.c - the SemVer parser and comparator on arbitrary input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "semver/semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses two NUL-separated versions; checks the invariants the release
 * relies on: a parsed version formats back to its input, comparison is
 * antisymmetric and reflexive, and a bump is always greater. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *t;
	struct semver a, b, next;
	struct buf f = BUF_INIT;

	memcpy(s, data, size);
	s[size] = '\0';
	t = s + strlen(s) + (strlen(s) < size);
	if (semver_parse(&a, s) == 0) {
		semver_format(&a, &f);
		if (strcmp(f.ptr, s))
			abort();
		if (semver_cmp(&a, &a))
			abort();
		for (int p = SEMVER_PATCH; p <= SEMVER_MAJOR; p++) {
			semver_bump(&a, (enum semver_part)p, &next);
			if (a.major < UINT64_MAX - 1 && a.minor < UINT64_MAX - 1 &&
			    a.patch < UINT64_MAX - 1 && semver_cmp(&next, &a) <= 0)
				abort();
			semver_release(&next);
		}
		if (semver_parse(&b, t) == 0) {
			int x = semver_cmp(&a, &b), y = semver_cmp(&b, &a);

			if ((x > 0) != (y < 0) || (x == 0) != (y == 0))
				abort();
			semver_release(&b);
		}
		semver_release(&a);
	}
	buf_release(&f);
	free(s);
	err_clear();
	return 0;
}
