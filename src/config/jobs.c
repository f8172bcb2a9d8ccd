/* jobs.c - the slipway.conf keys of [job "NAME"], [pipeline "NAME"] and [run]. */
#include <string.h>

#include "config/schema.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

static void
quoted(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	config_quote(b, s);
	buf_putc(b, '\'');
}

/* A space-separated list of names: jobs, pipelines, variables. */
static int
check_names(const char *v, const char *chars, const char *what, struct buf *why)
{
	const char *p = v + strspn(v, " \t");

	if (!*p) {
		buf_printf(why, "no %s given", what);
		return -1;
	}
	while (*p) {
		size_t n = strcspn(p, " \t"), ok = strspn(p, chars);

		if (ok < n || (n && p[0] == '-')) {
			quoted(why, v);
			buf_printf(why, ": '%.*s' is not a %s name (letters, digits, '_', '.', "
			    "'-')", (int)n, p, what);
			return -1;
		}
		p += n;
		p += strspn(p, " \t");
	}
	return 0;
}

static int
check_jobs(const char *v, struct buf *why)
{
	return check_names(v, NAME_CHARS, "job", why);
}

static int
check_pipelines(const char *v, struct buf *why)
{
	return check_names(v, NAME_CHARS, "pipeline", why);
}

static int
check_vars(const char *v, struct buf *why)
{
	return check_names(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_", "variable", why);
}

static int
check_run(const char *v, struct buf *why)
{
	if (v[strspn(v, " \t")])
		return 0;
	buf_puts(why, "an empty command");
	return -1;
}

static int
check_timeout(const char *v, struct buf *why)
{
	if (config_duration(v) > 0)
		return 0;
	quoted(why, v);
	buf_puts(why, " is not a duration: use a number and s, m, h or d (10m)");
	return -1;
}

/* env = NAME=VALUE */
static int
check_env(const char *v, struct buf *why)
{
	size_t n = strcspn(v, "=");

	if (v[n] == '=' && n && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_") == n && !(v[0] >= '0' && v[0] <= '9')) {
		if (strncmp(v, "SLIPWAY_", 8))
			return 0;
		buf_printf(why, "'%.*s': the SLIPWAY_ variables are slipway's to set", (int)n, v);
		return -1;
	}
	quoted(why, v);
	buf_puts(why, " is not NAME=VALUE");
	return -1;
}

/* inputs = PATH ...: paths in the commit's tree, relative, no '..'. */
static int
check_inputs(const char *v, struct buf *why)
{
	const char *p = v + strspn(v, " \t");

	if (!*p) {
		buf_puts(why, "no path given");
		return -1;
	}
	while (*p) {
		size_t n = strcspn(p, " \t");

		if (memchr(p, '*', n) || memchr(p, '?', n) || memchr(p, '[', n)) {
			buf_printf(why, "'%.*s': inputs are paths (a file or a folder), not patterns",
			    (int)n, p);
			return -1;
		}
		if (*p == '/' || (n >= 2 && !strncmp(p, "..", 2) && (n == 2 || p[2] == '/')) ||
		    memmem(p, n, "/../", 4) || (n >= 3 && !strncmp(p + n - 3, "/..", 3))) {
			buf_printf(why, "'%.*s' is not a path inside the repository", (int)n, p);
			return -1;
		}
		p += n;
		p += strspn(p, " \t");
	}
	return 0;
}

static int
check_if(const char *v, struct buf *why)
{
	static const char *const ok[] = { "success", "failure", "always", NULL };

	return schema_one_of(v, ok, why);
}

static int
check_matrix(const char *v, struct buf *why)
{
	if (!strcmp(v, "compat"))
		return 0;
	quoted(why, v);
	buf_puts(why, " is not a known matrix: the only one is 'compat'");
	return -1;
}

/* pipeline.on: branch roles. */
static int
check_roles(const char *v, struct buf *why)
{
	static const char *const roles[] = { "feature", "staging", "production", "hotfix",
	    "cdfix", NULL };
	const char *p = v + strspn(v, " \t");
	size_t i;

	if (!*p) {
		buf_puts(why, "no branch role given");
		return -1;
	}
	while (*p) {
		size_t n = strcspn(p, " \t");

		for (i = 0; roles[i]; i++)
			if (strlen(roles[i]) == n && !strncmp(roles[i], p, n))
				break;
		if (!roles[i]) {
			buf_printf(why, "'%.*s' is not a branch role: use feature, staging, "
			    "production, hotfix or cdfix", (int)n, p);
			return -1;
		}
		p += n;
		p += strspn(p, " \t");
	}
	return 0;
}

const struct config_key schema_job_keys[] = {
	{ "run", CONFIG_MULTI, check_run },
	{ "needs", CONFIG_MULTI, check_jobs },
	{ "pipelines", CONFIG_MULTI, check_pipelines },
	{ "timeout", 0, check_timeout },
	{ "env", CONFIG_MULTI, check_env },
	{ "pass-env", CONFIG_MULTI, check_vars },
	{ "inputs", CONFIG_MULTI, check_inputs },
	{ "if", 0, check_if },
	{ "matrix", 0, check_matrix },
	{ NULL, 0, NULL },
};

const struct config_key schema_pipeline_keys[] = {
	{ "on", CONFIG_MULTI, check_roles },
	{ NULL, 0, NULL },
};

const struct config_key schema_run_keys[] = {
	{ "pass-env", CONFIG_MULTI, check_vars },
	{ NULL, 0, NULL },
};
