/* config.c - reads slipway.conf (git-config syntax) and looks values up. */
#include "config/config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/schema.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/util.h"

#define END (-1)	/* next() at the end of the data */
#define TOKEN_MAX 64	/* longest bad token quoted in a message */

/* The state of one parse. section and sub are the last header, owned. */
struct parser {
	const unsigned char *p, *end;
	int line;
	int nl;		/* the last character returned was '\n' */
	struct config *cfg;
	const struct config_section *schema;
	const struct config_section *sec;	/* schema of the current section */
	char *section;	/* NULL before the first header */
	char *sub;
	struct buf tmp;	/* the name or value being read */
};

/* Sets "NAME:LINE: <fmt>" for the current line; returns -E_CONFIG. */
static int __attribute__((format(printf, 2, 3)))
perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(-E_CONFIG, fmt, ap);
	va_end(ap);
	return err_wrap(-E_CONFIG, "%s:%d", ps->cfg->name, ps->line);
}

/* Returns the next byte, "\r\n" read as '\n', or END; counts lines. */
static int
next(struct parser *ps)
{
	int c;

	if (ps->p == ps->end)
		return END;
	if (ps->nl) {
		if (ps->line < INT_MAX)
			ps->line++;
		ps->nl = 0;
	}
	c = *ps->p++;
	if (c == '\r' && ps->p < ps->end && *ps->p == '\n')
		c = *ps->p++;
	if (c == '\n')
		ps->nl = 1;
	return c;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int
is_eol(int c)
{
	return c == '\n' || c == END;
}

/* ASCII only, whatever the locale. */
static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_keychar(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '-';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Consumes the rest of the line, its '\n' included. */
static void
skip_line(struct parser *ps)
{
	int c;

	while (!is_eol(c = next(ps)))
		;
}

void
config_quote(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
}

/* Reads the quoted part of [section "sub"] into ps->tmp, after the '"'.
 * Escapes as git: a backslash keeps the next character and is dropped. */
static int
parse_subsection(struct parser *ps)
{
	int c;

	buf_reset(&ps->tmp);
	for (;;) {
		c = next(ps);
		if (c == '\\')
			c = next(ps);
		else if (c == '"')
			break;
		if (is_eol(c))
			return perr(ps, "invalid section header");
		buf_putc(&ps->tmp, (char)c);
	}
	if (next(ps) != ']')
		return perr(ps, "invalid section header");
	ps->sub = xstrdup(ps->tmp.ptr);
	return 0;
}

/* Reads a header after its '[': [name], [name "sub"] or the legacy
 * [name.sub] (sub lower-cased), and checks it against the schema. */
static int
parse_header(struct parser *ps)
{
	char *dot;
	int c, rc;

	free(ps->section);
	free(ps->sub);
	ps->section = ps->sub = NULL;
	buf_reset(&ps->tmp);
	while (is_keychar(c = next(ps)) || c == '.')
		buf_putc(&ps->tmp, (char)lower(c));
	if (!ps->tmp.len)
		return perr(ps, "invalid section header");
	ps->section = xstrdup(ps->tmp.ptr);
	if (c == ']') {
		if ((dot = strchr(ps->section, '.'))) {
			*dot = '\0';
			ps->sub = xstrdup(dot + 1);
			if (!*ps->section || !*ps->sub)
				return perr(ps, "invalid section header");
		}
	} else if (c == ' ' || c == '\t') {
		while ((c = next(ps)) == ' ' || c == '\t')
			;
		if (c != '"' || strchr(ps->section, '.'))
			return perr(ps, "invalid section header");
		if ((rc = parse_subsection(ps)) < 0)
			return rc;
	} else {
		return perr(ps, "invalid section header");
	}
	return schema_section(ps->schema, ps->cfg->name, ps->line, ps->section,
	    ps->sub, &ps->sec);
}

/* Reads a value after its '=' into ps->tmp: quotes, escapes, comments,
 * continuation lines; unquoted whitespace at either end is dropped. */
static int
parse_value(struct parser *ps)
{
	size_t keep = 0;
	int quoted = 0, c;

	buf_reset(&ps->tmp);
	for (;;) {
		c = next(ps);
		if (is_eol(c) || (!quoted && (c == '#' || c == ';'))) {
			if (quoted)
				return perr(ps, "unterminated quoted string");
			if (c == '#' || c == ';')
				skip_line(ps);
			buf_setlen(&ps->tmp, keep);
			return 0;
		}
		if (!quoted && is_space(c)) {
			if (ps->tmp.len)
				buf_putc(&ps->tmp, (char)c);
			continue;
		}
		if (c == '"') {
			quoted = !quoted;
		} else if (c == '\\') {
			switch (c = next(ps)) {
			case '\n':
			case END:
				continue;	/* the value goes on on the next line */
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'b':
				c = '\b';
				break;
			case '"':
			case '\\':
				break;
			default:
				if (c > 0x20 && c < 0x7f)
					return perr(ps, "unknown escape sequence '\\%c'", c);
				return perr(ps, "unknown escape sequence: '\\' before byte 0x%02x", c);
			}
			buf_putc(&ps->tmp, (char)c);
		} else {
			buf_putc(&ps->tmp, (char)c);
		}
		keep = ps->tmp.len;
	}
}

/* Reports a line that does not start a key; start is its first byte. */
static int
bad_key(struct parser *ps, const unsigned char *start)
{
	const unsigned char *q = start;
	struct buf tok = BUF_INIT;
	size_t i;
	int rc;

	buf_reset(&ps->tmp);
	while (q < ps->end && !strchr("\n\r\t =#;", *q) && q - start < TOKEN_MAX)
		buf_putc(&ps->tmp, (char)*q++);
	config_quote(&tok, ps->tmp.ptr);
	rc = perr(ps, "invalid key name '%s'", tok.ptr);
	if (ps->sec && ps->tmp.len) {
		for (i = 0; i < ps->tmp.len; i++)
			ps->tmp.ptr[i] = (char)lower((unsigned char)ps->tmp.ptr[i]);
		schema_suggest_key(ps->schema, ps->section, ps->sub, ps->tmp.ptr);
	}
	buf_release(&tok);
	return rc;
}

/* Adds e to cfg, taking ownership of its strings. */
static void
add_entry(struct config *cfg, const struct config_entry *e)
{
	if (cfg->nr == cfg->alloc) {
		cfg->alloc = cfg->alloc ? cfg->alloc * 2 : 16;
		cfg->entries = xrealloc(cfg->entries, cfg->alloc * sizeof(*e));
	}
	cfg->entries[cfg->nr++] = *e;
}

static void
entry_release(struct config_entry *e)
{
	free(e->section);
	free(e->subsection);
	free(e->key);
	free(e->value);
}

/* Reads "key", "key = value" or "key ; comment" from its first character
 * c, checks it against the schema and adds it to cfg. */
static int
parse_entry(struct parser *ps, int c)
{
	struct config_entry e = { NULL, NULL, NULL, NULL, ps->line };
	const unsigned char *start = ps->p - 1;
	int rc;

	if (!ps->section)
		return perr(ps, "key outside any section");
	buf_reset(&ps->tmp);
	while (is_keychar(c)) {
		buf_putc(&ps->tmp, (char)lower(c));
		c = next(ps);
	}
	if (!is_eol(c) && !is_space(c) && c != '=' && c != '#' && c != ';')
		return bad_key(ps, start);
	e.key = xstrdup(ps->tmp.ptr);
	while (is_space(c))
		c = next(ps);
	if (c == '=') {
		if ((rc = parse_value(ps)) < 0)
			goto out;
		e.value = xstrdup(ps->tmp.ptr);
	} else if (c == '#' || c == ';') {
		skip_line(ps);
	} else if (!is_eol(c)) {
		rc = perr(ps, "missing '=' after key '%s'", e.key);
		goto out;
	}
	e.section = xstrdup(ps->section);
	e.subsection = ps->sub ? xstrdup(ps->sub) : NULL;
	if ((rc = schema_entry(ps->schema, ps->sec, ps->cfg, &e)) < 0)
		goto out;
	add_entry(ps->cfg, &e);
	return 0;
out:
	entry_release(&e);
	return rc;
}

/* Reads every line; stops at the first error. */
static int
parse_lines(struct parser *ps)
{
	int c, rc = 0;

	while (!rc && (c = next(ps)) != END) {
		if (c == '\n' || is_space(c))
			continue;
		if (c == '#' || c == ';')
			skip_line(ps);
		else if (c == '[')
			rc = parse_header(ps);
		else if (is_alpha(c))
			rc = parse_entry(ps, c);
		else
			rc = bad_key(ps, ps->p - 1);
	}
	return rc;
}

int
config_parse_schema(struct config *cfg, const char *name, const char *data,
    size_t len, const struct config_section *schema)
{
	struct parser ps = { NULL, NULL, 1, 0, cfg, schema, NULL, NULL, NULL, BUF_INIT };
	const char *nul;
	int rc;

	cfg->name = xstrdup(name);
	cfg->entries = NULL;
	cfg->nr = cfg->alloc = 0;
	if (len && (nul = memchr(data, '\0', len))) {
		for (; data < nul; data++)
			if (*data == '\n' && ps.line < INT_MAX)
				ps.line++;
		rc = perr(&ps, "unexpected NUL byte");
		goto out;
	}
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		data += 3;
		len -= 3;
	}
	ps.p = (const unsigned char *)data;
	ps.end = ps.p + len;
	rc = parse_lines(&ps);
out:
	free(ps.section);
	free(ps.sub);
	buf_release(&ps.tmp);
	if (rc)
		config_release(cfg);
	return rc;
}

int
config_parse(struct config *cfg, const char *name, const char *data, size_t len)
{
	return config_parse_schema(cfg, name, data, len, config_schema);
}

void
config_release(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nr; i++)
		entry_release(&cfg->entries[i]);
	free(cfg->entries);
	free(cfg->name);
	cfg->name = NULL;
	cfg->entries = NULL;
	cfg->nr = cfg->alloc = 0;
}

/* Returns 1 when e is "section.key" without a subsection. */
static int
entry_is(const struct config_entry *e, const char *key)
{
	const char *dot = strchr(key, '.');
	size_t n;

	if (!dot || e->subsection)
		return 0;
	n = (size_t)(dot - key);
	return strlen(e->section) == n && !strncasecmp(e->section, key, n) &&
	    !strcasecmp(e->key, dot + 1);
}

/* The value of e as the lookups give it: "true" for a bare key. */
static const char *
entry_value(const struct config_entry *e)
{
	return e->value ? e->value : "true";
}

const char *
config_get(const struct config *cfg, const char *key, const char *def)
{
	size_t i;

	for (i = cfg->nr; i-- > 0;)
		if (entry_is(&cfg->entries[i], key))
			return entry_value(&cfg->entries[i]);
	return def;
}

void
config_get_all(const struct config *cfg, const char *key, struct strvec *out)
{
	size_t i;

	for (i = 0; i < cfg->nr; i++)
		if (entry_is(&cfg->entries[i], key))
			strvec_push(out, entry_value(&cfg->entries[i]));
}

int
config_line(const struct config *cfg, const char *key)
{
	size_t i;

	for (i = cfg->nr; i-- > 0;)
		if (entry_is(&cfg->entries[i], key))
			return cfg->entries[i].line;
	return 0;
}

int
config_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

long
config_duration(const char *v)
{
	static const struct { char unit; long secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
	};
	size_t n = strspn(v, "0123456789"), i;
	long num;

	if (!n || n > 6)
		return -1;
	num = atol(v);
	if (!v[n])
		return num;
	for (i = 0; v[n + 1] == '\0' && i < ARRAY_SIZE(units); i++)
		if (v[n] == units[i].unit)
			return num * units[i].secs;
	return -1;
}

int
config_glob_match(const char *pat, const char *name)
{
	if (!*pat)
		return !*name;
	if (*pat == '*') {
		for (;; name++) {
			if (config_glob_match(pat + 1, name))
				return 1;
			if (!*name)
				return 0;
		}
	}
	return *name == *pat && config_glob_match(pat + 1, name + 1);
}
