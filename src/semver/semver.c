/* semver.c - Semantic Versioning 2.0.0. */
#include "semver/semver.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/util.h"

/* Sets "'S' is not a semantic version: WHY" and returns -E_INVALID. */
static int __attribute__((format(printf, 2, 3)))
bad(const char *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(-E_INVALID, fmt, ap);
	va_end(ap);
	return err_wrap(-E_INVALID, "'%s' is not a semantic version", s);
}

/* Parses a numeric part at *p up to a stop character. */
static int
parse_num(const char *s, const char **p, const char *name, unsigned long long *out)
{
	const char *q = *p;
	unsigned long long n = 0;

	if (!isdigit((unsigned char)*q)) {
		return bad(s, "%s part is not a number", name);
	}
	if (*q == '0' && isdigit((unsigned char)q[1])) {
		return bad(s, "%s part has a leading zero", name);
	}
	for (; isdigit((unsigned char)*q); q++) {
		if (n > (~0ULL - (unsigned long long)(*q - '0')) / 10) {
			return bad(s, "%s part is too large", name);
		}
		n = n * 10 + (unsigned long long)(*q - '0');
	}
	*out = n;
	*p = q;
	return 0;
}

/* Checks dot-separated identifiers [0-9A-Za-z-]; numeric ones without
 * leading zeros when numeric_rules is set (pre-release). */
static int
check_idents(const char *s, const char *ids, size_t len, int numeric_rules,
    const char *what)
{
	size_t i = 0, start;

	if (!len) {
		return bad(s, "empty %s", what);
	}
	while (i <= len) {
		int digits = 1;

		start = i;
		while (i < len && ids[i] != '.') {
			unsigned char c = (unsigned char)ids[i];

			if (!isalnum(c) && c != '-') {
				return bad(s, "'%c' is not allowed in the %s", c, what);
			}
			if (!isdigit(c))
				digits = 0;
			i++;
		}
		if (i == start) {
			return bad(s, "empty identifier in the %s", what);
		}
		if (numeric_rules && digits && ids[start] == '0' && i - start > 1) {
			return bad(s, "numeric identifier with a leading zero in the %s",
			    what);
		}
		i++;
	}
	return 0;
}

int
semver_parse(struct semver *v, const char *s)
{
	const char *p = s, *plus;
	size_t prelen;
	int rc;

	memset(v, 0, sizeof(*v));
	if (!*s)
		return err_set(-E_INVALID, "empty version");
	if ((rc = parse_num(s, &p, "major", &v->major)) < 0)
		return rc;
	if (*p != '.')
		return bad(s, "expected MAJOR.MINOR.PATCH");
	p++;
	if ((rc = parse_num(s, &p, "minor", &v->minor)) < 0)
		return rc;
	if (*p != '.')
		return bad(s, "expected MAJOR.MINOR.PATCH");
	p++;
	if ((rc = parse_num(s, &p, "patch", &v->patch)) < 0)
		return rc;
	if (*p && *p != '-' && *p != '+')
		return bad(s, "unexpected text after MAJOR.MINOR.PATCH");
	plus = strchr(p, '+');
	if (*p == '-') {
		p++;
		prelen = plus ? (size_t)(plus - p) : strlen(p);
		if ((rc = check_idents(s, p, prelen, 1, "pre-release")) < 0)
			return rc;
		v->pre = xstrndup(p, prelen);
	}
	if (plus) {
		if ((rc = check_idents(s, plus + 1, strlen(plus + 1), 0, "build metadata")) < 0) {
			semver_release(v);
			return rc;
		}
		v->build = xstrdup(plus + 1);
	}
	return 0;
}

static int
cmp_ull(unsigned long long a, unsigned long long b)
{
	return a < b ? -1 : a > b;
}

static int
is_numeric(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* Compares pre-release strings identifier by identifier (SemVer §11.4). */
static int
cmp_pre(const char *a, const char *b)
{
	while (*a && *b) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		int da = is_numeric(a, na), db = is_numeric(b, nb), c;

		if (da && db) {
			if (na != nb)
				return na < nb ? -1 : 1;
			c = memcmp(a, b, na);
		} else if (da || db) {
			return da ? -1 : 1;
		} else {
			c = memcmp(a, b, na < nb ? na : nb);
			if (!c && na != nb)
				c = na < nb ? -1 : 1;
		}
		if (c)
			return c < 0 ? -1 : 1;
		a += na + (a[na] == '.');
		b += nb + (b[nb] == '.');
	}
	return *a ? 1 : *b ? -1 : 0;
}

int
semver_cmp(const struct semver *a, const struct semver *b)
{
	int c;

	if ((c = cmp_ull(a->major, b->major)) || (c = cmp_ull(a->minor, b->minor)) ||
	    (c = cmp_ull(a->patch, b->patch)))
		return c;
	if (!a->pre || !b->pre)
		return a->pre ? -1 : b->pre ? 1 : 0;
	return cmp_pre(a->pre, b->pre);
}

void
semver_format(const struct semver *v, struct buf *out)
{
	buf_printf(out, "%llu.%llu.%llu", v->major, v->minor, v->patch);
	if (v->pre)
		buf_printf(out, "-%s", v->pre);
	if (v->build)
		buf_printf(out, "+%s", v->build);
}

void
semver_bump(const struct semver *cur, enum semver_part part, struct semver *next)
{
	memset(next, 0, sizeof(*next));
	next->major = cur->major;
	next->minor = cur->minor;
	next->patch = cur->patch;
	switch (part) {
	case SEMVER_MAJOR:
		if (!cur->pre || cur->minor || cur->patch)
			next->major++;
		next->minor = next->patch = 0;
		break;
	case SEMVER_MINOR:
		if (!cur->pre || cur->patch)
			next->minor++;
		next->patch = 0;
		break;
	case SEMVER_PATCH:
		if (!cur->pre)
			next->patch++;
		break;
	}
}

void
semver_release(struct semver *v)
{
	free(v->pre);
	free(v->build);
	v->pre = v->build = NULL;
}
