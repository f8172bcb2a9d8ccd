/* json.c - a strict JSON scanner that finds a document's top-level "version". */
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/util.h"
#include "vfile/vfile_int.h"

#define JSON_MAX_DEPTH 512

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
int
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
