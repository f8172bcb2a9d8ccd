/* vfile.c - locate and replace the version in package.json, Makefile and VERSION files. */
#include "vfile/vfile.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/util.h"

#define JSON_MAX_DEPTH 512
#define ALNUM "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/* State of one scan of a JSON document and what it saw at the top level. */
struct json {
	const char *path;
	const char *d;
	size_t len, pos;
	size_t line;		/* line of pos; newlines only occur in whitespace */
	struct buf key;		/* decoded key of the current top-level member */
	size_t ver_line;	/* line of the first top-level "version", 0 if none */
	size_t dup_line;	/* line of the second one, 0 if none */
	size_t ver_off, ver_len;
	int ver_string, ver_escaped;
};

/* Length of a UTF-8 byte order mark at the start of d, or 0. */
static size_t
bom_len(const char *d, size_t len)
{
	return len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Sets "'PATH': invalid JSON at line L: <what>"; returns -E_INVALID. */
static int
json_fail(const struct json *j, const char *what)
{
	return err_set(-E_INVALID, "'%s': invalid JSON at line %zu: %s", j->path,
	    j->line, what);
}

/* Fails with "expected WHAT", saying so when the data ended early. */
static int
json_expect(const struct json *j, const char *what)
{
	return err_set(-E_INVALID, "'%s': invalid JSON at line %zu: expected %s%s",
	    j->path, j->line, what, j->pos < j->len ? "" : " before the end of the data");
}

static void
json_ws(struct json *j)
{
	for (; j->pos < j->len; j->pos++) {
		char c = j->d[j->pos];

		if (c == '\n')
			j->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			break;
	}
}

/* Length of the well-formed UTF-8 sequence of 2 to 4 bytes at s (no
 * overlongs, surrogates or code points above U+10FFFF), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t need = s[0] >= 0xf0 ? 3 : s[0] >= 0xe0 ? 2 : 1, i;
	unsigned char lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;

	if (s[0] < 0xc2 || s[0] > 0xf4 || n <= need)
		return 0;
	for (i = 1; i <= need; i++, lo = 0x80, hi = 0xbf)
		if (s[i] < lo || s[i] > hi)
			return 0;
	return need + 1;
}

/* Reads four hex digits at d[at]; returns 0, or -1 when they are not there. */
static int
json_hex4(const struct json *j, size_t at, unsigned long *cp)
{
	static const char hex[] = "0123456789abcdef0123456789ABCDEF";
	const char *h;
	size_t i;

	if (at > j->len || j->len - at < 4)
		return -1;
	for (*cp = 0, i = at; i < at + 4; i++) {
		if (!(h = memchr(hex, j->d[i], 32)))
			return -1;
		*cp = *cp << 4 | (unsigned long)((h - hex) & 15);
	}
	return 0;
}

/*
 * Scans the escape whose backslash precedes pos, decoding it into out when
 * not NULL. Decoded keys are only compared with "version", so a \u escape
 * of a non-ASCII code point (surrogates included) decodes to U+FFFD.
 */
static int
json_escape(struct json *j, struct buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p;
	unsigned long cp;

	if (j->pos >= j->len)
		return json_fail(j, "unterminated string");
	if (j->d[j->pos] != 'u') {
		if (j->d[j->pos] == '\0' || !(p = strchr(from, j->d[j->pos])))
			return json_fail(j, "invalid escape in string");
		if (out)
			buf_putc(out, to[p - from]);
		j->pos++;
		return 0;
	}
	if (json_hex4(j, j->pos + 1, &cp) < 0)
		return json_fail(j, "invalid \\u escape in string");
	j->pos += 5;
	if (out && cp < 0x80)
		buf_putc(out, (char)cp);
	else if (out)
		buf_puts(out, "\xef\xbf\xbd");
	return 0;
}

/* Scans the string whose opening quote is at pos to just past its closing
 * quote; decodes it into out when not NULL; sets *esc when it has escapes. */
static int
json_string(struct json *j, struct buf *out, int *esc)
{
	const unsigned char *s = (const unsigned char *)j->d;
	size_t n;
	int rc;

	for (j->pos++;;) {
		if (j->pos >= j->len || s[j->pos] == '\n')
			return json_fail(j, "unterminated string");
		if (s[j->pos] == '"') {
			j->pos++;
			return 0;
		}
		if (s[j->pos] < 0x20)
			return json_fail(j, "control character in string");
		if (s[j->pos] == '\\') {
			if (esc)
				*esc = 1;
			j->pos++;
			if ((rc = json_escape(j, out)) < 0)
				return rc;
			continue;
		}
		n = s[j->pos] < 0x80 ? 1 : utf8_len(s + j->pos, j->len - j->pos);
		if (!n)
			return json_fail(j, "invalid UTF-8 in string");
		if (out)
			buf_add(out, s + j->pos, n);
		j->pos += n;
	}
}

/* Skips a run of digits at pos; returns how many there were. */
static size_t
json_digits(struct json *j)
{
	size_t start = j->pos;

	while (j->pos < j->len && is_digit(j->d[j->pos]))
		j->pos++;
	return j->pos - start;
}

/* Scans -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at pos. */
static int
json_number(struct json *j)
{
	if (j->d[j->pos] == '-')
		j->pos++;
	if (j->pos < j->len && j->d[j->pos] == '0')
		j->pos++;
	else if (!json_digits(j))
		return json_fail(j, "invalid number");
	if (j->pos < j->len && j->d[j->pos] == '.') {
		j->pos++;
		if (!json_digits(j))
			return json_fail(j, "invalid number");
	}
	if (j->pos < j->len && (j->d[j->pos] | 0x20) == 'e') {
		j->pos++;
		if (j->pos < j->len && (j->d[j->pos] == '+' || j->d[j->pos] == '-'))
			j->pos++;
		if (!json_digits(j))
			return json_fail(j, "invalid number");
	}
	if (j->pos < j->len && (is_digit(j->d[j->pos]) || j->d[j->pos] == '.'))
		return json_fail(j, "invalid number");
	return 0;
}

static int json_value(struct json *j, int depth);

/* Scans one "key": value member of an object at depth, pos on the key. */
static int
json_member(struct json *j, int depth)
{
	size_t keyline = j->line;
	int top = depth == 1, rc;

	if (j->pos >= j->len || j->d[j->pos] != '"')
		return json_expect(j, "a string key");
	buf_reset(&j->key);
	if ((rc = json_string(j, top ? &j->key : NULL, NULL)) < 0)
		return rc;
	json_ws(j);
	if (j->pos >= j->len || j->d[j->pos] != ':')
		return json_expect(j, "':'");
	j->pos++;
	json_ws(j);
	if (!top || j->key.len != 7 || memcmp(j->key.ptr, "version", 7) != 0)
		return json_value(j, depth);
	if (j->ver_line) {
		j->dup_line = j->dup_line ? j->dup_line : keyline;
		return json_value(j, depth);
	}
	j->ver_line = keyline;
	j->ver_off = j->pos + 1;
	if (!(j->ver_string = j->pos < j->len && j->d[j->pos] == '"'))
		return json_value(j, depth);
	if ((rc = json_string(j, NULL, &j->ver_escaped)) < 0)
		return rc;
	j->ver_len = j->pos - 1 - j->ver_off;
	return 0;
}

/* Scans the array or object whose bracket is at pos; depth counts the
 * containers around it. */
static int
json_container(struct json *j, int depth)
{
	char close = j->d[j->pos] == '{' ? '}' : ']';
	int rc;

	if (++depth > JSON_MAX_DEPTH)
		return json_fail(j, "nesting deeper than 512 levels");
	j->pos++;
	json_ws(j);
	if (j->pos < j->len && j->d[j->pos] == close) {
		j->pos++;
		return 0;
	}
	for (;;) {
		rc = close == '}' ? json_member(j, depth) : json_value(j, depth);
		if (rc < 0)
			return rc;
		json_ws(j);
		if (j->pos < j->len && j->d[j->pos] == close) {
			j->pos++;
			return 0;
		}
		if (j->pos >= j->len || j->d[j->pos] != ',')
			return json_expect(j, close == '}' ? "',' or '}'" : "',' or ']'");
		j->pos++;
		json_ws(j);
	}
}

/* Scans any value at pos (after whitespace) inside depth containers. */
static int
json_value(struct json *j, int depth)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t i, n;

	if (j->pos >= j->len)
		return json_expect(j, "a value");
	switch (j->d[j->pos]) {
	case '{':
	case '[':
		return json_container(j, depth);
	case '"':
		return json_string(j, NULL, NULL);
	case '-':
		return json_number(j);
	}
	if (is_digit(j->d[j->pos]))
		return json_number(j);
	for (i = 0; i < ARRAY_SIZE(lits); i++) {
		n = strlen(lits[i]);
		if (j->len - j->pos >= n && memcmp(j->d + j->pos, lits[i], n) == 0) {
			j->pos += n;
			return 0;
		}
	}
	return json_expect(j, "a value");
}

/* Validates the whole document, then locates the top-level "version". */
static int
json_find(const char *path, const char *d, size_t len, size_t *off, size_t *vlen)
{
	struct json j = { .path = path, .d = d, .len = len, .pos = bom_len(d, len),
	    .line = 1, .key = BUF_INIT };
	int is_object, rc;

	json_ws(&j);
	is_object = j.pos < len && d[j.pos] == '{';
	if ((rc = json_value(&j, 0)) < 0)
		goto out;
	json_ws(&j);
	if (j.pos < len) {
		rc = json_fail(&j, "trailing data after the top-level value");
		goto out;
	}
	if (!is_object)
		rc = err_set(-E_INVALID, "'%s': the top-level JSON value is not an object",
		    path);
	else if (!j.ver_line)
		rc = err_set(-E_NOTFOUND, "'%s' has no top-level \"version\"", path);
	else if (j.dup_line)
		rc = err_set(-E_INVALID, "'%s': top-level \"version\" is set on lines %zu "
		    "and %zu", path, j.ver_line, j.dup_line);
	else if (!j.ver_string)
		rc = err_set(-E_INVALID, "'%s':%zu: top-level \"version\" is not a string",
		    path, j.ver_line);
	else if (j.ver_escaped)
		rc = err_set(-E_INVALID, "'%s':%zu: top-level \"version\" contains a "
		    "backslash escape", path, j.ver_line);
	else if (!j.ver_len)
		rc = err_set(-E_NOTFOUND, "'%s':%zu: top-level \"version\" is empty",
		    path, j.ver_line);
	if (!rc) {
		*off = j.ver_off;
		*vlen = j.ver_len;
	}
out:
	buf_release(&j.key);
	return rc;
}

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
static const char *
bad_path(const char *s, size_t n)
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
	if ((why = bad_path(value, n)) || (colon && (why = bad_var(colon + 1))))
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
