/* rules.c - the protocol's tag rules: commit and release tags never move. */
#include <string.h>

#include "config/config.h"
#include "image/image.h"
#include "lib/err.h"
#include "semver/semver.h"

int
tag_kind(const char *tag, const struct strvec *mutable, enum tag_kind *k)
{
	struct semver v;
	size_t n = strlen(tag), i;

	/* the distribution spec's tag grammar: [A-Za-z0-9_][A-Za-z0-9._-]{0,127} */
	if (!n || n > 128 || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_", tag[0]) || strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
	    "QRSTUVWXYZ0123456789_.-") != n)
		return err_set(-E_INVALID, "invalid tag '%s': a tag is 1-128 letters, digits, "
		    "'_', '.' and '-', not starting with '.' or '-'", tag);
	if (!strcmp(tag, "latest")) {
		*k = TAG_LATEST;
		return 0;
	}
	if (n >= 7 && n <= 40 && strspn(tag, "0123456789abcdef") == n) {
		*k = TAG_COMMIT;
		return 0;
	}
	if (semver_parse(&v, tag) == 0) {
		semver_release(&v);
		*k = TAG_RELEASE;
		return 0;
	}
	err_clear();
	for (i = 0; mutable && i < mutable->nr; i++)
		if (config_glob_match(mutable->v[i], tag)) {
			*k = TAG_MUTABLE;
			return 0;
		}
	err_set(-E_REFUSED, "tag '%s' is neither a commit (7-40 hex digits), a release (SemVer) "
	    "nor 'latest'", tag);
	err_hint("tags that may move are listed in images.mutable (e.g. mutable = dev-*)");
	return -E_REFUSED;
}
