/* schema.c - the known slipway.conf sections and keys, and their checks. */
#include "config/schema.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/util.h"
#include "gate/rule.h"
#include "semver/semver.h"
#include "vfile/vfile.h"


/* Appends the reason to why; returns -1, for the checks below. */
static int __attribute__((format(printf, 2, 3)))
reason(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(why, fmt, ap);
	va_end(ap);
	return -1;
}

/* Appends "'<s>'" quoted for a message. */
static void
quoted(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	config_quote(b, s);
	buf_putc(b, '\'');
}

static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Why ref (a full name under refs/) is not a valid ref name, in git's
 * check-ref-format rules; returns 0, or -1 with the reason in why. */
static int
ref_check(const char *ref, struct buf *why)
{
	const char *p, *comp = ref;
	size_t n;

	for (p = ref;; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '/' || !c) {
			n = (size_t)(p - comp);
			if (n && *comp == '.')
				return reason(why, "a component starts with '.'");
			if (n >= 5 && !memcmp(p - 5, ".lock", 5))
				return reason(why, "a component ends with '.lock'");
			if (!c)
				break;
			comp = p + 1;
		}
		if (c < 0x20 || c == 0x7f)
			return reason(why, "it contains a control character");
		if (c == ' ')
			return reason(why, "it contains a space");
		if (strchr("~^:?*[\\", c))
			return reason(why, "it contains '%c'", c);
		if ((c == '.' || c == '/') && p[1] == c)
			return reason(why, "it contains '%c%c'", c, c);
		if (c == '@' && p[1] == '{')
			return reason(why, "it contains '@{'");
	}
	if (p > ref && (p[-1] == '/' || p[-1] == '.'))
		return reason(why, "it ends with '%c'", p[-1]);
	return 0;
}

/* Checks name as the last part of a ref: prefix + name, e.g. "refs/heads/";
 * returns 0 or -1 with the reason in why. */
static int
name_check(const char *name, const char *prefix, struct buf *why)
{
	struct buf ref = BUF_INIT;
	int rc;

	if (*name == '-' || *name == '/')
		return reason(why, "it starts with '%c'", *name);
	if (!strcmp(name, "@"))
		return reason(why, "it is '@'");
	buf_puts(&ref, prefix);
	buf_puts(&ref, name);
	rc = ref_check(ref.ptr, why);
	buf_release(&ref);
	return rc;
}

/* project.name: any text on one line. */
static int
check_text(const char *v, struct buf *why)
{
	if (!*v)
		return reason(why, "it is empty");
	if (has_control(v))
		return reason(why, "it contains a control character");
	return 0;
}

/* project.remote: a git remote name. */
static int
check_remote(const char *v, struct buf *why)
{
	struct buf r = BUF_INIT;
	const char *p;
	int rc = 0;

	if (!*v)
		return reason(why, "it is empty");
	for (p = v; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-", *p))
			break;
	if (*p)
		buf_puts(&r, "only letters, digits, '.', '_' and '-' are allowed");
	else if (*v == '.')
		buf_puts(&r, "it starts with '.'");
	else
		name_check(v, "refs/remotes/", &r);
	if (r.len) {
		quoted(why, v);
		buf_printf(why, " is not a valid remote name: %s", r.ptr);
		rc = -1;
	}
	buf_release(&r);
	return rc;
}

/* branches.*: a branch name git accepts. */
static int
check_branch(const char *v, struct buf *why)
{
	struct buf r = BUF_INIT;
	int rc = 0;

	if (!*v)
		return reason(why, "it is empty");
	if (!strcmp(v, "HEAD"))
		buf_puts(&r, "it is 'HEAD'");
	else
		name_check(v, "refs/heads/", &r);
	if (r.len) {
		quoted(why, v);
		buf_printf(why, " is not a valid branch name: %s", r.ptr);
		rc = -1;
	}
	buf_release(&r);
	return rc;
}

/* Checks the {placeholders} of template t: only {version}; it must be
 * there when need_version. Returns 0 or -1 with the reason in why. */
static int
template_check(const char *t, int need_version, struct buf *why)
{
	const char *p = t, *end;
	int seen = 0;

	while ((p = strchr(p, '{'))) {
		if (!(end = strchr(p, '}')))
			return reason(why, "'{' without a matching '}'");
		if (strncmp(p, "{version}", 9)) {
			struct buf ph = BUF_INIT;

			buf_add(&ph, p, (size_t)(end - p + 1));
			buf_puts(why, "unknown placeholder ");
			quoted(why, ph.ptr);
			buf_release(&ph);
			err_hint("the only placeholder is {version}");
			return -1;
		}
		seen = 1;
		p = end + 1;
	}
	if (need_version && !seen)
		return reason(why, "it does not contain '{version}'");
	return 0;
}

/* release.tag: a template giving a valid tag name. */
static int
check_tag(const char *v, struct buf *why)
{
	struct buf tag = BUF_INIT, r = BUF_INIT;
	const char *p, *ph;
	int rc;

	if ((rc = template_check(v, 1, why)) < 0)
		return rc;
	for (p = v; (ph = strstr(p, "{version}")); p = ph + 9) {
		buf_add(&tag, p, (size_t)(ph - p));
		buf_puts(&tag, "1.2.3");
	}
	buf_puts(&tag, p);
	if (name_check(tag.ptr, "refs/tags/", &r) < 0) {
		quoted(why, v);
		buf_printf(why, " does not give a valid tag name: %s", r.ptr);
		rc = -1;
	}
	buf_release(&tag);
	buf_release(&r);
	return rc;
}

/* release.message: a template for the tag's message. */
static int
check_message(const char *v, struct buf *why)
{
	if (!*v)
		return reason(why, "it is empty");
	return template_check(v, 0, why);
}

/* release.version-file: what vfile_spec_parse() accepts. */
static int
check_version_file(const char *v, struct buf *why)
{
	struct vfile_spec spec = { VFILE_PLAIN, NULL, NULL };

	if (vfile_spec_parse(&spec, v) < 0)
		return reason(why, "%s", err_msg());
	vfile_spec_release(&spec);
	return 0;
}

/* The PATH:NAME form of compat.version; colon points into v. */
static int
check_var_ref(const char *v, const char *colon, struct buf *why)
{
	const char *bad = vfile_bad_path(v, (size_t)(colon - v)), *p;

	for (p = colon + 1; !bad && *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_.-", *p))
			bad = "the name has characters other than letters, digits, "
			    "'_', '.' and '-'";
	if (!bad && !colon[1])
		bad = "no name after ':'";
	if (!bad)
		return 0;
	quoted(why, v);
	buf_printf(why, ": %s", bad);
	return -1;
}

/* compat.version: a version, or PATH:NAME of the variable that holds it. */
static int
check_compat(const char *v, struct buf *why)
{
	struct semver ver = SEMVER_INIT;
	const char *colon = strrchr(v, ':');

	if (colon ? check_var_ref(v, colon, why) == 0 : semver_parse(&ver, v) == 0) {
		semver_release(&ver);
		return 0;
	}
	if (!colon)
		buf_puts(why, err_msg());
	err_hint("compat.version is a version (1.0.0) or PATH:NAME, the variable "
	    "that holds it (Makefile:backwards_compatible_version)");
	return -1;
}

/* compat.auto: how the compat version follows the project version; only
 * "major" (a.b.c is compatible with a.0.0). */
static int
check_compat_auto(const char *v, struct buf *why)
{
	if (!strcmp(v, "major"))
		return 0;
	quoted(why, v);
	buf_puts(why, " is not 'major', the only mode (a.b.c is compatible with a.0.0)");
	return -1;
}

/* gate.rule: a boolean expression over the gate's facts. */
static int
check_gate_rule(const char *v, struct buf *why)
{
	struct gate_rule *rule = NULL;

	if (gate_rule_parse(v, &rule) == 0) {
		gate_rule_free(rule);
		return 0;
	}
	buf_puts(why, err_msg());
	return -1;
}

/* gate.approvals: how many approvals the review fact needs, 1 to 99. */
static int
check_approvals(const char *v, struct buf *why)
{
	size_t n = strspn(v, "0123456789");

	if (n && n <= 2 && !v[n] && atoi(v) >= 1)
		return 0;
	buf_puts(why, "a number from 1 to 99");
	return -1;
}

/* branches.hotfix/cdfix/feature: a branch name where '*' matches anything. */
static int
check_pattern(const char *v, struct buf *why)
{
	struct buf name = BUF_INIT;
	const char *p;
	int rc;

	for (p = v; *p; p++)
		buf_putc(&name, *p == '*' ? 'x' : *p);
	rc = check_branch(name.ptr, why);
	buf_release(&name);
	if (rc < 0)
		err_hint("a branch pattern is a branch name where '*' matches anything "
		    "(hotfix/*)");
	return rc;
}

static int
check_bool(const char *v, struct buf *why)
{
	if (config_bool(v) >= 0)
		return 0;
	quoted(why, v);
	buf_puts(why, " is not a boolean: use true or false");
	return -1;
}

/* gate.review-first: what `merge` of your own branch does while others wait. */
static int
check_review_first(const char *v, struct buf *why)
{
	static const char *const ok[] = { "off", "warn", "block", NULL };

	return schema_one_of(v, ok, why);
}

int
schema_one_of(const char *v, const char *const *allowed, struct buf *why)
{
	size_t i;

	for (i = 0; allowed[i]; i++)
		if (!strcmp(v, allowed[i]))
			return 0;
	quoted(why, v);
	buf_puts(why, " is not one of ");
	for (i = 0; allowed[i]; i++)
		buf_printf(why, "%s%s", i ? ", " : "", allowed[i]);
	return -1;
}

/* review.remind-after: a duration. */
static int
check_duration(const char *v, struct buf *why)
{
	if (config_duration(v) > 0)
		return 0;
	quoted(why, v);
	buf_puts(why, " is not a duration: use a number and s, m, h, d or w (24h)");
	return -1;
}

static const struct config_key project_keys[] = {
	{ "name", 0, check_text },
	{ "remote", 0, check_remote },
	{ NULL, 0, NULL },
};

static const struct config_key branches_keys[] = {
	{ "staging", 0, check_branch },
	{ "production", 0, check_branch },
	{ "feature", 0, check_pattern },
	{ "hotfix", 0, check_pattern },
	{ "cdfix", 0, check_pattern },
	{ NULL, 0, NULL },
};

static const struct config_key release_keys[] = {
	{ "tag", 0, check_tag },
	{ "message", 0, check_message },
	{ "version-file", CONFIG_MULTI, check_version_file },
	{ "promote-images", 0, check_bool },
	{ NULL, 0, NULL },
};

static const struct config_key gate_keys[] = {
	{ "rule", 0, check_gate_rule },
	{ "approvals", 0, check_approvals },
	{ "require-signed", 0, check_bool },
	{ "review-first", 0, check_review_first },
	{ "test-merge", 0, check_bool },
	{ NULL, 0, NULL },
};

static const struct config_key review_keys[] = {
	{ "remind-after", 0, check_duration },
	{ NULL, 0, NULL },
};

static const struct config_key compat_keys[] = {
	{ "version", 0, check_compat },
	{ "auto", 0, check_compat_auto },
	{ NULL, 0, NULL },
};

const struct config_section config_schema[] = {
	{ "project", 0, project_keys },
	{ "branches", 0, branches_keys },
	{ "release", 0, release_keys },
	{ "gate", 0, gate_keys },
	{ "compat", 0, compat_keys },
	{ "review", 0, review_keys },
	{ "job", 1, schema_job_keys },
	{ "pipeline", 1, schema_pipeline_keys },
	{ "run", 0, schema_run_keys },
	{ "images", 0, schema_images_keys },
	{ NULL, 0, NULL },
};


/* The closest name seen so far to what was typed. */
struct suggestion {
	const char *typed;
	struct buf best;
	size_t dist;
};

/* Keeps show as the suggestion when cand is closer than the last one. */
static void
consider(struct suggestion *s, const char *cand, const char *show)
{
	size_t d = edit_distance(s->typed, cand), n = strlen(s->typed), m = strlen(cand);

	/* close: at most a third of the shorter name, or 2 edits */
	n = (n < m ? n : m) / 3;
	if (d <= (n > 2 ? n : 2) && d < s->dist) {
		s->dist = d;
		buf_reset(&s->best);
		buf_puts(&s->best, show);
	}
}

/* Adds the hint "did you mean ...?" when s found something; releases s. */
static void
suggest(struct suggestion *s)
{
	struct buf q = BUF_INIT;

	if (s->best.len) {
		config_quote(&q, s->best.ptr);
		err_hint("did you mean '%s'?", q.ptr);
	}
	buf_release(&q);
	buf_release(&s->best);
}

/* Sets "FILE:LINE: <what> '<name>'" and returns -E_CONFIG. */
static int
fail(const char *file, int line, const char *what, const char *name)
{
	struct buf q = BUF_INIT;

	config_quote(&q, name);
	err_set(-E_CONFIG, "%s:%d: %s '%s'", file, line, what, q.ptr);
	buf_release(&q);
	return -E_CONFIG;
}

int
schema_section(const struct config_section *schema, const char *file,
    int line, const char *section, const char *sub,
    const struct config_section **out)
{
	struct suggestion s = { section, BUF_INIT, SIZE_MAX };
	const struct config_section *sec;

	for (sec = schema; sec->name; sec++)
		if (!strcmp(sec->name, section))
			break;
	if (!sec->name) {
		for (sec = schema; sec->name; sec++)
			consider(&s, sec->name, sec->name);
		fail(file, line, "unknown section", section);
		suggest(&s);
		return -E_CONFIG;
	}
	if (sec->subsection && (!sub || !*sub)) {
		fail(file, line, "missing subsection for section", section);
		err_hint("write it as [%s \"NAME\"]", section);
		return -E_CONFIG;
	}
	if (!sec->subsection && sub) {
		fail(file, line, "unexpected subsection for section", section);
		err_hint("write it as [%s]", section);
		return -E_CONFIG;
	}
	*out = sec;
	return 0;
}

/* Appends the dotted name of e for a message: section[.subsection].key. */
static void
entry_name(struct buf *b, const struct config_entry *e)
{
	buf_puts(b, e->section);
	if (e->subsection) {
		buf_putc(b, '.');
		config_quote(b, e->subsection);
	}
	buf_printf(b, ".%s", e->key);
}

void
schema_suggest_key(const struct config_section *schema, const char *section,
    const char *sub, const char *key)
{
	struct buf typed = BUF_INIT, cand = BUF_INIT, show = BUF_INIT;
	struct suggestion s = { NULL, BUF_INIT, SIZE_MAX };
	const struct config_section *sec;
	const struct config_key *k;

	buf_printf(&typed, "%s.%s", section, key);
	s.typed = typed.ptr;
	for (sec = schema; sec->name; sec++) {
		for (k = sec->keys; k->name; k++) {
			buf_reset(&cand);
			buf_reset(&show);
			buf_printf(&cand, "%s.%s", sec->name, k->name);
			buf_puts(&show, sec->name);
			if (sec->subsection)
				buf_printf(&show, ".%s", sub && !strcmp(sec->name, section) ?
				    sub : "NAME");
			buf_printf(&show, ".%s", k->name);
			consider(&s, cand.ptr, show.ptr);
		}
	}
	suggest(&s);
	buf_release(&typed);
	buf_release(&cand);
	buf_release(&show);
}

int
schema_entry(const struct config_section *schema,
    const struct config_section *sec, const struct config *cfg,
    const struct config_entry *e)
{
	struct buf name = BUF_INIT, why = BUF_INIT;
	const struct config_key *k;
	size_t i;
	int rc = 0;

	for (k = sec->keys; k->name; k++)
		if (!strcmp(k->name, e->key))
			break;
	entry_name(&name, e);
	if (!k->name) {
		rc = fail(cfg->name, e->line, "unknown key", name.ptr);
		schema_suggest_key(schema, e->section, e->subsection, e->key);
		goto out;
	}
	if (!e->value && !(k->flags & CONFIG_BARE)) {
		rc = err_set(-E_CONFIG, "%s:%d: '%s' needs a value", cfg->name, e->line,
		    name.ptr);
		goto out;
	}
	for (i = 0; !(k->flags & CONFIG_MULTI) && i < cfg->nr; i++) {
		const struct config_entry *o = &cfg->entries[i];

		if (!strcmp(o->section, e->section) && !strcmp(o->key, e->key) &&
		    (o->subsection ? e->subsection && !strcmp(o->subsection,
		    e->subsection) : !e->subsection)) {
			rc = err_set(-E_CONFIG, "%s:%d: '%s' is set twice (first on line %d)",
			    cfg->name, e->line, name.ptr, o->line);
			goto out;
		}
	}
	if (k->check && k->check(e->value, &why) < 0)
		rc = err_set(-E_CONFIG, "%s:%d: bad value for '%s': %s", cfg->name,
		    e->line, name.ptr, why.ptr);
out:
	buf_release(&name);
	buf_release(&why);
	return rc;
}
