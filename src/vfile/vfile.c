/* vfile.c - locate and replace the version in package.json, Makefile and VERSION files. */
#include "vfile/vfile.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/util.h"
#include "vfile/vfile_int.h"

#define ALNUM "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/* What one logical Makefile line is, for make_parse(). */
enum mk_line { MK_OTHER, MK_DEF, MK_DEFINE, MK_DEFINE_VAR, MK_ENDEF };

/* Sets *off, *vlen to [s, e) less a leading 'v' before a digit; returns 0. */
static int
span_after_v(const char *d, size_t s, size_t e, size_t *off, size_t *vlen)
{
	s += e - s >= 2 && d[s] == 'v' && is_digit(d[s + 1]);
	*off = s;
	*vlen = e - s;
	return 0;
}

/* Reads the logical line at *pos (backslash-newline continues it) into
 * [*s, *e), without its line ending; returns the number of physical lines,
 * 0 at the end of the data. */
static size_t
make_line(const char *d, size_t len, size_t *pos, size_t *s, size_t *e)
{
	const char *nl;
	size_t p = *pos, end, bs, n = 0;

	*s = p;
	while (p < len) {
		nl = memchr(d + p, '\n', len - p);
		end = nl ? (size_t)(nl - d) : len;
		p = nl ? end + 1 : len;
		if (end > *s && d[end - 1] == '\r')
			end--;
		*e = end;
		n++;
		for (bs = 0; end - bs > *s && d[end - bs - 1] == '\\'; bs++)
			;
		if (!nl || !(bs & 1))
			break;
	}
	*pos = p;
	return n;
}

/* Returns 1 when the word [s, s+n) is the string w. */
static int
word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* End of the word (a variable name or a directive) starting at p. */
static size_t
make_word(const char *d, size_t p, size_t e)
{
	while (p < e && !is_blank(d[p]) && !strchr(":=?+!#", d[p]))
		p++;
	return p;
}

/* Skips blanks and backslash-newlines from p; returns where they end. */
static size_t
make_blanks(const char *d, size_t p, size_t e)
{
	for (;;) {
		if (p < e && is_blank(d[p]))
			p++;
		else if (e - p >= 2 && d[p] == '\\' && d[p + 1] == '\n')
			p += 2;
		else if (e - p >= 3 && d[p] == '\\' && d[p + 1] == '\r' && d[p + 2] == '\n')
			p += 3;
		else
			return p;
	}
}

/* Length of the assignment operator at d[p] (before e), or 0. */
static size_t
make_op(const char *d, size_t p, size_t e)
{
	static const char *const ops[] = { ":::=", "::=", ":=", "?=", "+=", "!=", "=" };
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (e - p >= (n = strlen(ops[i])) && memcmp(d + p, ops[i], n) == 0)
			return n;
	return 0;
}

/* Classifies the logical line [s, e); for a definition of var (not "+="),
 * sets [*vs, *ve) to its value without surrounding blanks and comment. */
static enum mk_line
make_parse(const char *d, size_t s, size_t e, const char *var, size_t *vs, size_t *ve)
{
	size_t p = s, w, q, n;

	if (s < e && d[s] == '\t')
		return MK_OTHER;
	for (;; p = q) {
		p = make_word(d, w = make_blanks(d, p, e), e);
		q = make_blanks(d, p, e);
		if (word_is(d + w, p - w, "endef"))
			return MK_ENDEF;
		if (q < e && (q == p || make_op(d, q, e)))
			break;
		if (word_is(d + w, p - w, "define"))
			return word_is(d + q, make_word(d, q, e) - q, var) ?
			    MK_DEFINE_VAR : MK_DEFINE;
		if (!word_is(d + w, p - w, "export") && !word_is(d + w, p - w, "override"))
			return MK_OTHER;
	}
	if (p == w || !(n = make_op(d, q, e)) || d[q] == '+' || !word_is(d + w, p - w, var))
		return MK_OTHER;
	for (p = q + n; p < e && is_blank(d[p]); p++)
		;
	for (*vs = q = p; q < e && !(d[q] == '#' && (q == p || d[q - 1] != '\\')); q++)
		;
	while (q > p && is_blank(d[q - 1]))
		q--;
	*ve = q;
	return MK_DEF;
}

/* Locates the value of the one definition of var in a Makefile; skips
 * recipe lines and define blocks. */
static int
make_find(const char *path, const char *var, const char *d, size_t len,
    size_t *off, size_t *vlen)
{
	size_t pos = 0, line = 1, s, e, vs = 0, ve = 0, fs = 0, fe = 0, nphys;
	size_t first = 0, second = 0, define = 0;
	enum mk_line kind;

	for (; (nphys = make_line(d, len, &pos, &s, &e)) > 0; line += nphys) {
		kind = make_parse(d, s, e, var, &vs, &ve);
		if (define) {
			if (kind == MK_DEFINE || kind == MK_DEFINE_VAR)
				define++;
			else if (kind == MK_ENDEF)
				define--;
		} else if (kind == MK_DEFINE) {
			define = 1;
		} else if (kind == MK_DEFINE_VAR || (kind == MK_DEF &&
		    memchr(d + s, '\n', ve - s))) {
			return err_set(-E_INVALID, "'%s':%zu: value of '%s' spans several lines",
			    path, line, var);
		} else if (kind == MK_DEF && first) {
			second = second ? second : line;
		} else if (kind == MK_DEF) {
			first = line;
			fs = vs;
			fe = ve;
		}
	}
	if (second)
		return err_set(-E_INVALID, "'%s': '%s' is set on lines %zu and %zu", path,
		    var, first, second);
	if (!first)
		return err_set(-E_NOTFOUND, "'%s' does not set '%s'", path, var);
	if (fs == fe)
		return err_set(-E_NOTFOUND, "'%s':%zu: '%s' is empty", path, first, var);
	return span_after_v(d, fs, fe, off, vlen);
}

/* Locates the only non-blank line of a plain version file. */
static int
plain_find(const char *path, const char *d, size_t len, size_t *off, size_t *vlen)
{
	size_t p = bom_len(d, len), s, e, line = 1, found = 0, fs = 0, fe = 0;
	const char *nl;

	for (; p < len; line++) {
		nl = memchr(d + p, '\n', len - p);
		e = nl ? (size_t)(nl - d) : len;
		for (s = p, p = nl ? e + 1 : len; s < e && (is_blank(d[s]) || d[s] == '\r'); s++)
			;
		while (e > s && (is_blank(d[e - 1]) || d[e - 1] == '\r'))
			e--;
		if (s == e)
			continue;
		if (found)
			return err_set(-E_INVALID, "'%s':%zu: more than one line; a version "
			    "file holds only the version", path, line);
		found = line;
		fs = s;
		fe = e;
	}
	if (!found)
		return err_set(-E_NOTFOUND, "'%s' is empty", path);
	return span_after_v(d, fs, fe, off, vlen);
}

int
vfile_find(const struct vfile_spec *spec, const char *data, size_t len,
    size_t *off, size_t *vlen)
{
	const char *nul = len ? memchr(data, '\0', len) : NULL;
	size_t line = 1, i;

	if (nul) {
		for (i = 0; data + i < nul; i++)
			line += data[i] == '\n';
		return err_set(-E_INVALID, "'%s':%zu: NUL byte; binary data is not a "
		    "version file", spec->path, line);
	}
	if (spec->kind == VFILE_JSON)
		return json_find(spec->path, data, len, off, vlen);
	if (spec->kind == VFILE_MAKE)
		return make_find(spec->path, spec->var, data, len, off, vlen);
	return plain_find(spec->path, data, len, off, vlen);
}

/*
 * The new version must start with a digit and hold only [0-9A-Za-z.+-]:
 * then no kind of file needs quoting for it and vfile_find() finds exactly
 * it again (a leading 'v' stays outside the span).
 */
static int
check_version(const struct vfile_spec *spec, const char *v)
{
	if (!is_digit(*v) || strspn(v, ALNUM ".+-") != strlen(v))
		return err_set(-E_INVALID, "cannot write '%s' to '%s': not a version",
		    v, spec->path);
	return 0;
}

int
vfile_set(const struct vfile_spec *spec, const char *data, size_t len,
    const char *version, struct buf *out)
{
	size_t off, vlen, was = out->len;
	int rc;

	if ((rc = check_version(spec, version)) < 0 ||
	    (rc = vfile_find(spec, data, len, &off, &vlen)) < 0)
		return rc;
	if ((rc = buf_add(out, data, off)) < 0 || (rc = buf_puts(out, version)) < 0 ||
	    (rc = buf_add(out, data + off + vlen, len - off - vlen)) < 0)
		buf_setlen(out, was);
	return rc;
}

/* Checks a '/'-separated relative path; returns why it is bad, or NULL. */
const char *
vfile_bad_path(const char *s, size_t n)
{
	size_t i, c;

	if (!n)
		return "empty path";
	if (s[0] == '/')
		return "the path must be relative to the repository";
	for (i = 0; i <= n; i = c + 1) {
		for (c = i; c < n && s[c] != '/'; c++) {
			if (s[c] == '\\')
				return "the path contains a backslash";
			if ((unsigned char)s[c] < 0x20 || s[c] == 0x7f)
				return "the path contains a control character";
		}
		if (c == i)
			return "the path has an empty component";
		if (word_is(s + i, c - i, ".") || word_is(s + i, c - i, ".."))
			return "the path has a '.' or '..' component";
	}
	return NULL;
}

/* Checks a make variable name [A-Za-z0-9_.-]+; returns why it is bad, or NULL. */
static const char *
bad_var(const char *s)
{
	if (!*s)
		return "empty variable name after ':'";
	if (strspn(s, ALNUM "_.-") != strlen(s))
		return "a make variable name may hold only A-Z, a-z, 0-9, '_', '.', '-'";
	return NULL;
}

int
vfile_spec_parse(struct vfile_spec *spec, const char *value)
{
	const char *colon = strrchr(value, ':'), *why;
	size_t n = colon ? (size_t)(colon - value) : strlen(value);

	memset(spec, 0, sizeof(*spec));
	if ((why = vfile_bad_path(value, n)) || (colon && (why = bad_var(colon + 1))))
		return err_set(-E_CONFIG, "invalid version file '%s': %s", value, why);
	spec->path = xstrndup(value, n);
	if (colon) {
		spec->kind = VFILE_MAKE;
		spec->var = xstrdup(colon + 1);
	} else if (n >= 5 && strcmp(value + n - 5, ".json") == 0) {
		spec->kind = VFILE_JSON;
	} else {
		spec->kind = VFILE_PLAIN;
	}
	return 0;
}

void
vfile_spec_release(struct vfile_spec *spec)
{
	free(spec->path);
	free(spec->var);
	spec->path = spec->var = NULL;
}
