/* test_config.c - unit tests for slipway.conf parsing and its schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "config/schema.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/strvec.h"
#include "lib/util.h"

/* A schema with permissive keys, to test the syntax on its own, and a
 * section written with a subsection like [job "build"]. */
static const struct config_key core_keys[] = {
	{ "name", 0, NULL },
	{ "list", CONFIG_MULTI, NULL },
	{ "flag", CONFIG_BARE, NULL },
	{ "other", 0, NULL },
	{ NULL, 0, NULL },
};

static const struct config_key job_keys[] = {
	{ "run", CONFIG_MULTI, NULL },
	{ "needs", 0, NULL },
	{ NULL, 0, NULL },
};

static const struct config_section test_schema[] = {
	{ "core", 0, core_keys },
	{ "job", 1, job_keys },
	{ NULL, 0, NULL },
};

/* Parses text as "slipway.conf" with slipway's schema. */
static int
parse(struct config *cfg, const char *text)
{
	return config_parse(cfg, "slipway.conf", text, strlen(text));
}

/* Parses text as "test.conf" with test_schema. */
static int
parse_test(struct config *cfg, const char *text)
{
	return config_parse_schema(cfg, "test.conf", text, strlen(text), test_schema);
}

/* Fails the test unless s contains want. */
static void
check_has(const char *what, const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("%s '%s' does not contain '%s'", what, s, want);
}

/* Checks the error parse() or parse_test() left: the message contains
 * want, the hints contain hint (or are empty when hint is NULL), and cfg
 * is empty. Clears the error. */
static void
check_error(int rc, struct config *cfg, const char *want, const char *hint)
{
	assert_int_equal(rc, -E_CONFIG);
	check_has("message", err_msg(), want);
	if (hint)
		check_has("hints", err_hints(), hint);
	else
		assert_string_equal(err_hints(), "");
	assert_int_equal(cfg->nr, 0);
	assert_null(cfg->entries);
	assert_null(cfg->name);
	config_release(cfg);
	err_clear();
}

/* Expects text to fail with slipway's schema as check_error() says. */
static void
expect_fail(const char *text, const char *want, const char *hint)
{
	struct config cfg = CONFIG_INIT;

	check_error(parse(&cfg, text), &cfg, want, hint);
}

/* Expects text to fail with test_schema as check_error() says. */
static void
expect_fail_test(const char *text, const char *want, const char *hint)
{
	struct config cfg = CONFIG_INIT;

	check_error(parse_test(&cfg, text), &cfg, want, hint);
}

/* Parses "[core]\n\tname = <value>" with test_schema; checks the value. */
static void
expect_core_name(const char *line, const char *want)
{
	struct config cfg = CONFIG_INIT;
	char text[256];
	size_t n = strlen(line);

	assert_true(n + 8 < sizeof(text));
	memcpy(text, "[core]\n\t", 8);
	memcpy(text + 8, line, n + 1);
	if (parse_test(&cfg, text) < 0)
		fail_msg("'%s': %s", line, err_msg());
	assert_string_equal(config_get(&cfg, "core.name", NULL), want);
	config_release(&cfg);
}

/* Runs around every test so hints never pile up from one to the next. */
static int
reset(void **state)
{
	(void)state;
	err_clear();
	return 0;
}

static void
test_design_example(void **state)
{
	static const char text[] =
		"[project]\n"
		"\tname = indra\n"
		"\tremote = origin\n"
		"[branches]\n"
		"\tstaging = staging\n"
		"\tproduction = master\n"
		"[release]\n"
		"\ttag = indra-{version}\n"
		"\tversion-file = package.json\n"
		"\tversion-file = modules/node/package.json\n"
		"\tmessage = Deploy indra-{version}\n"
		"[compat]\n"
		"\tversion = Makefile:backwards_compatible_version\n";
	struct config cfg = CONFIG_INIT;
	struct strvec files = STRVEC_INIT;

	(void)state;
	assert_int_equal(parse(&cfg, text), 0);
	assert_string_equal(cfg.name, "slipway.conf");
	assert_int_equal(cfg.nr, 9);
	assert_string_equal(config_get(&cfg, "project.name", NULL), "indra");
	assert_string_equal(config_get(&cfg, "project.remote", NULL), "origin");
	assert_string_equal(config_get(&cfg, "branches.staging", NULL), "staging");
	assert_string_equal(config_get(&cfg, "branches.production", NULL), "master");
	assert_string_equal(config_get(&cfg, "release.tag", NULL), "indra-{version}");
	assert_string_equal(config_get(&cfg, "release.message", NULL),
	    "Deploy indra-{version}");
	assert_string_equal(config_get(&cfg, "compat.version", NULL),
	    "Makefile:backwards_compatible_version");
	config_get_all(&cfg, "release.version-file", &files);
	assert_int_equal(files.nr, 2);
	assert_string_equal(files.v[0], "package.json");
	assert_string_equal(files.v[1], "modules/node/package.json");
	assert_int_equal(config_line(&cfg, "release.tag"), 8);
	assert_int_equal(config_line(&cfg, "compat.version"), 13);
	strvec_clear(&files);
	config_release(&cfg);
	assert_null(cfg.name);
	assert_int_equal(cfg.nr, 0);
}

static void
test_lookups(void **state)
{
	struct config cfg = CONFIG_INIT;
	struct strvec all = STRVEC_INIT;

	(void)state;
	assert_int_equal(parse_test(&cfg,
	    "[core]\n\tlist = a\n\tname = x\n\tlist = b\n[job \"j\"]\n\tneeds = n\n"), 0);
	assert_string_equal(config_get(&cfg, "core.list", NULL), "b");
	assert_int_equal(config_line(&cfg, "core.list"), 4);
	assert_string_equal(config_get(&cfg, "core.other", "def"), "def");
	assert_null(config_get(&cfg, "core.other", NULL));
	assert_int_equal(config_line(&cfg, "core.other"), 0);
	assert_null(config_get(&cfg, "nodot", NULL));
	assert_null(config_get(&cfg, "core.", NULL));
	assert_null(config_get(&cfg, "core.name.x", NULL));
	/* config_get() never sees keys that live in a subsection */
	assert_null(config_get(&cfg, "job.needs", NULL));
	config_get_all(&cfg, "core.other", &all);
	assert_int_equal(all.nr, 0);
	config_get_all(&cfg, "core.list", &all);
	assert_int_equal(all.nr, 2);
	assert_string_equal(all.v[0], "a");
	assert_string_equal(all.v[1], "b");
	strvec_clear(&all);
	config_release(&cfg);
}

static void
test_case_insensitive_names(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse(&cfg,
	    "[ReLeAsE]\n\tTAG = V{version}\n\tVersion-File = VERSION\n"), 0);
	assert_string_equal(cfg.entries[0].section, "release");
	assert_string_equal(cfg.entries[0].key, "tag");
	assert_string_equal(cfg.entries[1].key, "version-file");
	/* values keep their case; lookups ignore the names' case */
	assert_string_equal(config_get(&cfg, "release.tag", NULL), "V{version}");
	assert_string_equal(config_get(&cfg, "Release.Tag", NULL), "V{version}");
	assert_int_equal(config_line(&cfg, "RELEASE.VERSION-FILE"), 3);
	config_release(&cfg);
}

static void
test_subsection(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse_test(&cfg,
	    "[job \"Build \\\"x\\\" \\\\ y\"]\n\trun = a\n"
	    "[job\t\"a\\qb ; #\"]\n\trun = b\n"
	    "[job \"build\"]\n\tneeds = c\n"
	    "[job \"Build\"]\n\tneeds = d\n"), 0);
	assert_int_equal(cfg.nr, 4);
	assert_string_equal(cfg.entries[0].section, "job");
	assert_string_equal(cfg.entries[0].subsection, "Build \"x\" \\ y");
	/* as in git, a backslash before another character is dropped */
	assert_string_equal(cfg.entries[1].subsection, "aqb ; #");
	/* subsections are case-sensitive: "build" and "Build" are two jobs */
	assert_string_equal(cfg.entries[2].subsection, "build");
	assert_string_equal(cfg.entries[3].subsection, "Build");
	assert_int_equal(cfg.entries[3].line, 8);
	config_release(&cfg);
}

static void
test_legacy_subsection(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse_test(&cfg, "[Job.Build]\n\trun = a\n[job.x.y]\nrun = b\n"), 0);
	assert_string_equal(cfg.entries[0].section, "job");
	assert_string_equal(cfg.entries[0].subsection, "build");
	assert_string_equal(cfg.entries[1].subsection, "x.y");
	config_release(&cfg);
}

static void
test_subsection_against_schema(void **state)
{
	(void)state;
	expect_fail("[release \"x\"]\n\ttag = v{version}\n",
	    "slipway.conf:1: unexpected subsection for section 'release'", "[release]");
	expect_fail("\n[release.x]\n", "slipway.conf:2: unexpected subsection for "
	    "section 'release'", "write it as [release]");
	expect_fail_test("[core \"a\"]\n", "test.conf:1: unexpected subsection for "
	    "section 'core'", "write it as [core]");
	expect_fail_test("[core]\nname = x\n[job]\n\trun = x\n",
	    "test.conf:3: missing subsection for section 'job'",
	    "write it as [job \"NAME\"]");
	expect_fail_test("[job \"\"]\n", "test.conf:1: missing subsection for section 'job'",
	    "[job \"NAME\"]");
}

static void
test_bare_key(void **state)
{
	struct config cfg = CONFIG_INIT;
	struct strvec all = STRVEC_INIT;

	(void)state;
	assert_int_equal(parse_test(&cfg, "[core]\n\tflag\n\tlist = x\n"), 0);
	assert_null(cfg.entries[0].value);
	assert_string_equal(config_get(&cfg, "core.flag", NULL), "true");
	config_get_all(&cfg, "core.flag", &all);
	assert_int_equal(all.nr, 1);
	assert_string_equal(all.v[0], "true");
	strvec_clear(&all);
	config_release(&cfg);
	assert_int_equal(parse_test(&cfg, "[core]\n\tflag ; set\n\tflag2 # x\n"), -E_CONFIG);
	check_has("message", err_msg(), "test.conf:3: unknown key 'core.flag2'");
	check_has("hints", err_hints(), "did you mean 'core.flag'?");
	err_clear();
	assert_int_equal(parse_test(&cfg, "[core] flag"), 0);
	assert_null(cfg.entries[0].value);
	config_release(&cfg);
}

static void
test_needs_value(void **state)
{
	(void)state;
	expect_fail("[release]\n\ttag\n", "slipway.conf:2: 'release.tag' needs a value", NULL);
	expect_fail("[project]\n\n\tname # none\n",
	    "slipway.conf:3: 'project.name' needs a value", NULL);
	expect_fail_test("[core]\n\tname\n", "test.conf:2: 'core.name' needs a value", NULL);
	expect_fail_test("[job \"b\"]\n\tneeds\n", "test.conf:2: 'job.b.needs' needs a value",
	    NULL);
}

static void
test_value_whitespace(void **state)
{
	(void)state;
	expect_core_name("name =   a  b \t ", "a  b");
	expect_core_name("name=a", "a");
	expect_core_name("name\t=\tx", "x");
	expect_core_name("name =", "");
	expect_core_name("name =   ", "");
	expect_core_name("name = \"  a  \"  ", "  a  ");
	expect_core_name("name = x \"  y  \" z", "x   y   z");
	expect_core_name("name = a\"b c\"d", "ab cd");
	expect_core_name("name = \"\"", "");
	expect_core_name("name = a = b", "a = b");
	expect_core_name("name = [x]", "[x]");
}

static void
test_escapes(void **state)
{
	(void)state;
	expect_core_name("name = a\\nb\\tc\\bd\\\"e\\\\f", "a\nb\tc\bd\"e\\f");
	expect_core_name("name = \"\\\"q\\\"\"", "\"q\"");
	/* whitespace from escapes is kept even at the ends */
	expect_core_name("name = \\t x \\t", "\t x \t");
	expect_fail_test("[core]\n\tname = a\\qb\n",
	    "test.conf:2: unknown escape sequence '\\q'", NULL);
	expect_fail_test("[core]\nname = \"a\\x\"\n",
	    "test.conf:2: unknown escape sequence '\\x'", NULL);
	expect_fail_test("[core]\nname = a\\\x01\n",
	    "test.conf:2: unknown escape sequence: '\\' before byte 0x01", NULL);
}

static void
test_continuation(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse_test(&cfg,
	    "[core]\n"
	    "\tname = one \\\n"
	    "\t  two\\\n"
	    "three\n"
	    "\tother = \"in \\\n"
	    "quotes\"\n"
	    "\tlist = end\\"), 0);
	assert_string_equal(config_get(&cfg, "core.name", NULL), "one \t  twothree");
	assert_int_equal(config_line(&cfg, "core.name"), 2);
	assert_string_equal(config_get(&cfg, "core.other", NULL), "in quotes");
	assert_int_equal(config_line(&cfg, "core.other"), 5);
	assert_string_equal(config_get(&cfg, "core.list", NULL), "end");
	assert_int_equal(config_line(&cfg, "core.list"), 7);
	config_release(&cfg);
}

static void
test_comments(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse_test(&cfg,
	    "# leading comment\n"
	    "; another [core]\n"
	    "[core] # after a header\n"
	    "\t  # indented comment\n"
	    "\tname = a # b\n"
	    "\tother = \"x # y ; z\" ; real comment\n"
	    "\tlist = a;b\n"
	    "\tlist = \"#\"#\n"
	    "\tlist = c # comment \\\n"
	    "\tlist = d\n"), 0);
	assert_int_equal(cfg.nr, 6);
	assert_string_equal(config_get(&cfg, "core.name", NULL), "a");
	assert_string_equal(config_get(&cfg, "core.other", NULL), "x # y ; z");
	assert_string_equal(cfg.entries[2].value, "a");
	assert_string_equal(cfg.entries[3].value, "#");
	/* a backslash inside a comment does not continue the line */
	assert_string_equal(cfg.entries[4].value, "c");
	assert_int_equal(cfg.entries[4].line, 9);
	assert_int_equal(cfg.entries[5].line, 10);
	assert_string_equal(config_get(&cfg, "core.list", NULL), "d");
	config_release(&cfg);
}

static void
test_key_after_header(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	/* as in git, a header may share its line with a key or another header */
	assert_int_equal(parse_test(&cfg, "[core]name=a\n[job \"x\"] [core] other = b\n"), 0);
	assert_int_equal(cfg.nr, 2);
	assert_string_equal(config_get(&cfg, "core.name", NULL), "a");
	assert_null(cfg.entries[1].subsection);
	assert_string_equal(config_get(&cfg, "core.other", NULL), "b");
	assert_int_equal(config_line(&cfg, "core.other"), 2);
	config_release(&cfg);
}

static void
test_blank_and_empty(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse(&cfg, ""), 0);
	assert_int_equal(cfg.nr, 0);
	assert_string_equal(cfg.name, "slipway.conf");
	config_release(&cfg);
	assert_int_equal(config_parse(&cfg, "x", NULL, 0), 0);
	config_release(&cfg);
	assert_int_equal(parse(&cfg, "\n\n   \n\t\n[project]\n\n\n[release]\n"), 0);
	assert_int_equal(cfg.nr, 0);
	config_release(&cfg);
	/* no newline at the end of the file */
	assert_int_equal(parse(&cfg, "[project]\nname = p"), 0);
	assert_string_equal(config_get(&cfg, "project.name", NULL), "p");
	config_release(&cfg);
}

static void
test_crlf(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse(&cfg,
	    "[project]\r\n"
	    "\tname = a b \r\n"
	    "\r\n"
	    "[release]\r\n"
	    "\ttag = v{version}\r\n"
	    "\tmessage = Deploy \\\r\n"
	    "\t{version}\r\n"
	    "[compat]\r\n"
	    "\tversion = 1.2.3\r\n"), 0);
	assert_string_equal(config_get(&cfg, "project.name", NULL), "a b");
	assert_string_equal(config_get(&cfg, "release.tag", NULL), "v{version}");
	assert_string_equal(config_get(&cfg, "release.message", NULL), "Deploy \t{version}");
	assert_int_equal(config_line(&cfg, "release.message"), 6);
	assert_int_equal(config_line(&cfg, "compat.version"), 9);
	config_release(&cfg);
	expect_fail("[project]\r\n\r\n\tname = \"x\r\n", "slipway.conf:3: unterminated", NULL);
}

static void
test_bom(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse(&cfg, "\xef\xbb\xbf[project]\n\tname = x\n"), 0);
	assert_string_equal(config_get(&cfg, "project.name", NULL), "x");
	assert_int_equal(config_line(&cfg, "project.name"), 2);
	config_release(&cfg);
	/* only at the start of the file */
	expect_fail("[project]\n\xef\xbb\xbfname = x\n", "slipway.conf:2: invalid key name "
	    "'\xef\xbb\xbfname'", "did you mean 'project.name'?");
}

static void
test_nul_byte(void **state)
{
	static const char text[] = "[project]\n\tname = a\n\tremote = o\0rigin\n";
	struct config cfg = CONFIG_INIT;

	(void)state;
	check_error(config_parse(&cfg, "slipway.conf", text, sizeof(text) - 1), &cfg,
	    "slipway.conf:3: unexpected NUL byte", NULL);
	check_error(config_parse(&cfg, "slipway.conf", "\0", 1), &cfg,
	    "slipway.conf:1: unexpected NUL byte", NULL);
}

static void
test_unterminated_quote(void **state)
{
	(void)state;
	expect_fail("[project]\n\tname = x\n\n\tremote = \"origin\n",
	    "slipway.conf:4: unterminated quoted string", NULL);
	expect_fail("[project]\n\tname = \"x", "slipway.conf:2: unterminated quoted string",
	    NULL);
	expect_fail("[project]\n\tname = \"x\\\n", "slipway.conf:2: unterminated quoted string",
	    NULL);
}

static void
test_invalid_header(void **state)
{
	static const char *const bad[] = {
		"[", "[]", "[project", "[project\n]", "[pro ject]", "[pro$ject]",
		"[project \"x\" ]", "[project \"x\"", "[project \"x\n\"]",
		"[project x]", "[.x]", "[x.]", "[a.b \"c\"]", "[job \"a\\",
		"[ project]",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct buf text = BUF_INIT;

		buf_printf(&text, "[project]\n\tname = x\n%s\n", bad[i]);
		expect_fail(text.ptr, "slipway.conf:3: invalid section header", NULL);
		buf_release(&text);
	}
}

static void
test_key_outside_section(void **state)
{
	(void)state;
	expect_fail("# slipway.conf\n\n\n\n\n\n\tname = x\n[project]\n",
	    "slipway.conf:7: key outside any section", NULL);
	expect_fail("name", "slipway.conf:1: key outside any section", NULL);
}

static void
test_invalid_key(void **state)
{
	(void)state;
	expect_fail_test("[core]\n\t1name = x\n", "test.conf:2: invalid key name '1name'",
	    "did you mean 'core.name'?");
	expect_fail_test("[core]\n\tna$me = x\n", "test.conf:2: invalid key name 'na$me'",
	    "did you mean 'core.name'?");
	expect_fail_test("[core]\n\tname.x = x\n", "test.conf:2: invalid key name 'name.x'",
	    "did you mean 'core.name'?");
	expect_fail_test("[core]\n\t= x\n", "test.conf:2: invalid key name ''", NULL);
	expect_fail_test("[core]\n\t-name = x\n", "test.conf:2: invalid key name '-name'",
	    "did you mean 'core.name'?");
	expect_fail_test("[core]\n\tn\x01me = x\n", "test.conf:2: invalid key name 'n\\x01me'",
	    "did you mean 'core.name'?");
	expect_fail_test("[core]\n\tname value\n", "test.conf:2: missing '=' after key 'name'",
	    NULL);
}

static void
test_unknown_section(void **state)
{
	(void)state;
	expect_fail("[project]\n\tname = x\n[relase]\n\ttag = v{version}\n",
	    "slipway.conf:3: unknown section 'relase'", "did you mean 'release'?");
	expect_fail("[relaese]\n", "slipway.conf:1: unknown section 'relaese'",
	    "did you mean 'release'?");
	/* a transposition counts as one edit: two of them are close enough */
	expect_fail("[erlaese]\n", "slipway.conf:1: unknown section 'erlaese'",
	    "did you mean 'release'?");
	expect_fail("[Brnches]\n", "unknown section 'brnches'", "did you mean 'branches'?");
	expect_fail("[jobs \"build\"]\n", "slipway.conf:1: unknown section 'jobs'",
	    "did you mean 'job'?");
	expect_fail("[zzzzzzzzzz]\n", "unknown section 'zzzzzzzzzz'", NULL);
	/* exactly one hint, even after several failures in this test */
	expect_fail("[projct]\n", "unknown section 'projct'", "did you mean 'project'?");
}

/* [job "NAME"], [pipeline "NAME"], [run]: the runner's keys (src/config/jobs.c). */
static void
test_job_values(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse(&cfg, "[job \"build\"]\n\trun = make\n\trun = \"a; b\"\n"
	    "\tneeds = x y\n\ttimeout = 90s\n\tenv = A_1=x=y\n\tpass-env = HOME\n"
	    "\tinputs = src lib/\n\tif = always\n\tmatrix = compat\n"
	    "[pipeline \"cd\"]\n\ton = feature staging\n[run]\n\tpass-env = PATH\n"), 0);
	config_release(&cfg);
	expect_fail("[job]\n", "slipway.conf:1: missing subsection for section 'job'",
	    "write it as [job \"NAME\"]");
	expect_fail("[job \"a\"]\n\tmatrix = os\n", "'os' is not a known matrix", NULL);
	expect_fail("[job \"a\"]\n\tif = maybe\n", "not one of success, failure, always",
	    NULL);
	expect_fail("[job \"a\"]\n\ttimeout = soon\n", "'soon' is not a duration", NULL);
	expect_fail("[job \"a\"]\n\ttimeout = 5m\n\ttimeout = 6m\n", "is set twice", NULL);
	expect_fail("[job \"a\"]\n\tenv = 1A=x\n", "is not NAME=VALUE", NULL);
	expect_fail("[job \"a\"]\n\tneeds = b c/d\n", "'c/d' is not a job name", NULL);
	expect_fail("[job \"a\"]\n\tinputs = ../etc\n", "not a path inside the repository",
	    NULL);
	expect_fail("[job \"a\"]\n\trun =  \n", "an empty command", NULL);
	expect_fail("[pipeline \"ci\"]\n\ton = nightly\n", "'nightly' is not a branch role",
	    NULL);
	expect_fail("[run]\n\tpass-env = A-B\n", "'A-B' is not a variable name", NULL);
	expect_fail("[job \"a\"]\n\trunn = x\n", "unknown key 'job.a.runn'",
	    "did you mean 'job.a.run'?");
}

static void
test_unknown_key(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	assert_int_equal(parse(&cfg, "[release]\n\ttag = v{version}\n\ttags = x\n"), -E_CONFIG);
	assert_string_equal(err_msg(), "slipway.conf:3: unknown key 'release.tags'");
	assert_string_equal(err_hints(), "did you mean 'release.tag'?\n");
	err_clear();
	expect_fail("[release]\n\tversion-fil = x\n",
	    "slipway.conf:2: unknown key 'release.version-fil'",
	    "did you mean 'release.version-file'?");
	/* not even a key name, but a known key is close */
	expect_fail("[release]\n\tVersion_File = x\n",
	    "slipway.conf:2: invalid key name 'Version_File'",
	    "did you mean 'release.version-file'?");
	expect_fail("[branches]\n\tstagign = s\n", "unknown key 'branches.stagign'",
	    "did you mean 'branches.staging'?");
	/* no suggestion when nothing is close */
	expect_fail("[project]\n\tmessage = m\n", "unknown key 'project.message'", NULL);
	expect_fail("[compat]\n\tname = x\n", "unknown key 'compat.name'", NULL);
	expect_fail("[release]\n\tcolour = blue\n", "unknown key 'release.colour'", NULL);
	expect_fail("[branches]\n\tdevelop = dev\n", "unknown key 'branches.develop'",
	    NULL);
	expect_fail_test("[job \"build\"]\n\truns = x\n", "test.conf:2: unknown key "
	    "'job.build.runs'", "did you mean 'job.build.run'?");
	/* the closest key may be in another section */
	expect_fail_test("[core]\n\tneeds = x\n", "unknown key 'core.needs'",
	    "did you mean 'job.NAME.needs'?");
	expect_fail_test("[core]\n\tnme = x\n", "unknown key 'core.nme'",
	    "did you mean 'core.name'?");
	expect_fail_test("[core]\n\tjob.run = x\n", "invalid key name 'job.run'",
	    NULL);
	expect_fail_test("[job \"a\x01\"]\n\trunn = x\n", "unknown key 'job.a\\x01.runn'",
	    "did you mean 'job.a\\x01.run'?");
}

static void
test_set_twice(void **state)
{
	struct config cfg = CONFIG_INIT;

	(void)state;
	expect_fail("[release]\n\ttag = v{version}\n\tmessage = m\n\ttag = w{version}\n",
	    "slipway.conf:4: 'release.tag' is set twice (first on line 2)", NULL);
	expect_fail("[release]\n\ttag = v{version}\n[project]\n[Release]\n\tTag = v{version}\n",
	    "slipway.conf:5: 'release.tag' is set twice (first on line 2)", NULL);
	expect_fail_test("[job \"a\"]\n\tneeds = x\n[job \"a\"]\n\tneeds = y\n",
	    "test.conf:4: 'job.a.needs' is set twice (first on line 2)", NULL);
	/* the same key of two subsections is two keys */
	assert_int_equal(parse_test(&cfg, "[job \"a\"]\n\tneeds = x\n[job \"A\"]\n\tneeds = y\n"),
	    0);
	config_release(&cfg);
}

static void
test_multi_valued(void **state)
{
	struct config cfg = CONFIG_INIT;
	struct strvec all = STRVEC_INIT;

	(void)state;
	assert_int_equal(parse(&cfg,
	    "[release]\n"
	    "\tversion-file = package.json\n"
	    "\tversion-file = package.json\n"
	    "[project]\n"
	    "[release]\n"
	    "\tversion-file = Makefile:VERSION\n"), 0);
	config_get_all(&cfg, "release.version-file", &all);
	assert_int_equal(all.nr, 3);
	assert_string_equal(all.v[0], "package.json");
	assert_string_equal(all.v[1], "package.json");
	assert_string_equal(all.v[2], "Makefile:VERSION");
	assert_string_equal(config_get(&cfg, "release.version-file", NULL), "Makefile:VERSION");
	assert_int_equal(config_line(&cfg, "release.version-file"), 6);
	strvec_clear(&all);
	config_release(&cfg);
}

/* Expects "[section]\n\tkey = value" to be rejected on line 2 with why in
 * the message, and cfg left empty. */
static void
expect_bad_value(const char *section, const char *key, const char *value,
    const char *why)
{
	struct buf text = BUF_INIT, want = BUF_INIT;
	struct config cfg = CONFIG_INIT;

	buf_printf(&text, "[%s]\n\t%s = %s\n", section, key, value);
	buf_printf(&want, "slipway.conf:2: bad value for '%s.%s': ", section, key);
	assert_int_equal(parse(&cfg, text.ptr), -E_CONFIG);
	check_has("message", err_msg(), want.ptr);
	check_has("message", err_msg(), why);
	assert_int_equal(cfg.nr, 0);
	assert_null(cfg.name);
	config_release(&cfg);
	err_clear();
	buf_release(&text);
	buf_release(&want);
}

/* Expects "[section]\n\tkey = value" to parse, value kept as written. */
static void
expect_good_value(const char *section, const char *key, const char *value)
{
	struct buf text = BUF_INIT, name = BUF_INIT;
	struct config cfg = CONFIG_INIT;

	buf_printf(&text, "[%s]\n\t%s = %s\n", section, key, value);
	buf_printf(&name, "%s.%s", section, key);
	if (parse(&cfg, text.ptr) < 0)
		fail_msg("'%s' rejected: %s", value, err_msg());
	assert_string_equal(config_get(&cfg, name.ptr, NULL), value);
	config_release(&cfg);
	buf_release(&text);
	buf_release(&name);
}

static void
test_project_values(void **state)
{
	(void)state;
	expect_good_value("project", "name", "indra");
	expect_good_value("project", "name", "My Project (ü)");
	expect_bad_value("project", "name", "", "it is empty");
	expect_bad_value("project", "name", "a\\nb", "it contains a control character");
	expect_good_value("project", "remote", "origin");
	expect_good_value("project", "remote", "my_remote-1.x");
	expect_bad_value("project", "remote", "", "it is empty");
	expect_bad_value("project", "remote", "-x", "'-x' is not a valid remote name: "
	    "it starts with '-'");
	expect_bad_value("project", "remote", ".x", "it starts with '.'");
	expect_bad_value("project", "remote", "up stream", "only letters, digits");
	expect_bad_value("project", "remote", "a/b", "only letters, digits");
	expect_bad_value("project", "remote", "a..b", "it contains '..'");
	expect_bad_value("project", "remote", "x.lock", "ends with '.lock'");
	expect_bad_value("project", "remote", "x.", "it ends with '.'");
}

static void
test_branch_values(void **state)
{
	static const char *const good[] = {
		"staging", "master", "feature/x", "release-1.0", "a@b", "hotfix/1.2.3",
		"a.b", "x/y/z", "ü",
	};
	static const struct { const char *value, *why; } bad[] = {
		{ "a..b", "it contains '..'" },
		{ "a b", "it contains a space" },
		{ "\"a\\tb\"", "it contains a control character" },
		{ "a~1", "it contains '~'" },
		{ "a^", "it contains '^'" },
		{ "a:b", "it contains ':'" },
		{ "a?", "it contains '?'" },
		{ "a*", "it contains '*'" },
		{ "a[b", "it contains '['" },
		{ "a\\\\b", "it contains '\\'" },
		{ ".a", "a component starts with '.'" },
		{ "a/.b", "a component starts with '.'" },
		{ "a.lock", "a component ends with '.lock'" },
		{ "a/b.lock/c", "a component ends with '.lock'" },
		{ "a/", "it ends with '/'" },
		{ "a.", "it ends with '.'" },
		{ "a@{b", "it contains '@{'" },
		{ "@", "it is '@'" },
		{ "a//b", "it contains '//'" },
		{ "/a", "it starts with '/'" },
		{ "-a", "it starts with '-'" },
		{ "HEAD", "it is 'HEAD'" },
		{ "", "it is empty" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		expect_good_value("branches", "staging", good[i]);
		expect_good_value("branches", "production", good[i]);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		expect_bad_value("branches", "staging", bad[i].value, bad[i].why);
		expect_bad_value("branches", "production", bad[i].value, bad[i].why);
	}
	expect_bad_value("branches", "staging", "a..b",
	    "'a..b' is not a valid branch name: it contains '..'");
}

static void
test_release_values(void **state)
{
	(void)state;
	expect_good_value("release", "tag", "v{version}");
	expect_good_value("release", "tag", "indra-{version}");
	expect_good_value("release", "tag", "{version}");
	expect_good_value("release", "tag", "rel/{version}/{version}");
	expect_bad_value("release", "tag", "", "it does not contain '{version}'");
	expect_bad_value("release", "tag", "v1", "it does not contain '{version}'");
	expect_bad_value("release", "tag", "v{ver}", "unknown placeholder '{ver}'");
	expect_bad_value("release", "tag", "{Version}", "unknown placeholder '{Version}'");
	expect_bad_value("release", "tag", "{version}{", "'{' without a matching '}'");
	expect_bad_value("release", "tag", "v{version}~",
	    "'v{version}~' does not give a valid tag name: it contains '~'");
	expect_bad_value("release", "tag", "{version}.lock", "ends with '.lock'");
	expect_bad_value("release", "tag", "-{version}", "it starts with '-'");
	expect_bad_value("release", "tag", "a b{version}", "it contains a space");
	expect_bad_value("release", "tag", "{version}/", "it ends with '/'");
	expect_good_value("release", "message", "Deploy indra-{version}");
	expect_good_value("release", "message", "Release");
	expect_good_value("release", "message", "Release: v{version} ~ ^ :");
	expect_bad_value("release", "message", "", "it is empty");
	expect_bad_value("release", "message", "\"\"", "it is empty");
	expect_bad_value("release", "message", "x {tag}", "unknown placeholder '{tag}'");
	expect_good_value("release", "version-file", "package.json");
	expect_good_value("release", "version-file", "Makefile:VERSION");
	expect_good_value("release", "version-file", "VERSION");
	expect_bad_value("release", "version-file", "/etc/passwd", "/etc/passwd");
	expect_bad_value("release", "version-file", "a/../b", "a/../b");
	expect_bad_value("release", "version-file", "Makefile:", "Makefile:");
}

static void
test_placeholder_hint(void **state)
{
	(void)state;
	expect_fail("[release]\n\ttag = v{vers}\n", "unknown placeholder '{vers}'",
	    "the only placeholder is {version}");
}

static void
test_gate_values(void **state)
{
	(void)state;
	expect_good_value("gate", "rule", "ci && (cd || review || cdfix)");
	expect_good_value("gate", "rule", "!cdfix && ci");
	expect_bad_value("gate", "rule", "ci && (cd || reveiw)", "column 14: unknown fact 'reveiw'");
	expect_bad_value("gate", "rule", "ci & cd", "column 4: '&' is not an operator");
	expect_good_value("gate", "approvals", "1");
	expect_good_value("gate", "approvals", "99");
	expect_bad_value("gate", "approvals", "0", "a number from 1 to 99");
	expect_bad_value("gate", "approvals", "100", "a number from 1 to 99");
	expect_bad_value("gate", "approvals", "two", "a number from 1 to 99");
	expect_good_value("gate", "require-signed", "true");
	expect_good_value("gate", "require-signed", "off");
	expect_bad_value("gate", "require-signed", "sure", "'sure' is not a boolean");
	expect_good_value("gate", "review-first", "block");
	expect_bad_value("gate", "review-first", "always", "'always' is not one of off, warn, block");
	expect_good_value("review", "remind-after", "24h");
	expect_good_value("review", "remind-after", "90");
	expect_bad_value("review", "remind-after", "1 day", "'1 day' is not a duration");
	expect_bad_value("review", "remind-after", "0h", "'0h' is not a duration");
	expect_good_value("branches", "cdfix", "cd-fix/*");
	expect_good_value("branches", "hotfix", "hotfix/*");
	expect_bad_value("branches", "hotfix", "hot fix/*", "not a valid branch name");
	assert_int_equal(config_glob_match("cd-fix/*", "cd-fix/a/b"), 1);
	assert_int_equal(config_glob_match("cd-fix/*", "cd-fix"), 0);
	assert_int_equal(config_glob_match("*-fix", "cd-fix"), 1);
	assert_int_equal(config_duration("2d"), 172800);
	assert_int_equal(config_duration("5x"), -1);
	assert_int_equal(config_bool("Yes"), 1);
}

static void
test_compat_values(void **state)
{
	(void)state;
	expect_good_value("compat", "version", "1.2.3");
	expect_good_value("compat", "version", "0.0.0-rc.1+build.5");
	expect_good_value("compat", "version", "Makefile:backwards_compatible_version");
	expect_good_value("compat", "version", "package.json:compat.version");
	expect_good_value("compat", "version", "build/vars.mk:COMPAT-1");
	expect_bad_value("compat", "version", "01.2.3", "'01.2.3' is not a semantic version");
	expect_bad_value("compat", "version", "1.2", "'1.2' is not a semantic version");
	expect_bad_value("compat", "version", "", "empty version");
	expect_bad_value("compat", "version", ":x", "':x': empty path");
	expect_bad_value("compat", "version", "Makefile:", "'Makefile:': no name after ':'");
	expect_bad_value("compat", "version", "/etc/x:y", "must be relative");
	expect_bad_value("compat", "version", "a/../b:y", "has a '.' or '..' component");
	expect_bad_value("compat", "version", "../b:y", "has a '.' or '..' component");
	expect_bad_value("compat", "version", "a//b:y", "has an empty component");
	expect_bad_value("compat", "version", "a/:y", "has an empty component");
	expect_bad_value("compat", "version", "./a:y", "has a '.' or '..' component");
	expect_bad_value("compat", "version", "a\\\\b:y", "contains a backslash");
	expect_bad_value("compat", "version", "Makefile:a b", "the name has characters");
	expect_fail("[compat]\n\tversion = 1.2\n", "bad value for 'compat.version'",
	    "compat.version is a version (1.0.0) or PATH:NAME");
}

static void
test_first_error_wins(void **state)
{
	(void)state;
	/* the schema is checked line by line: a bad value before a syntax
	 * error is what is reported */
	expect_fail("[release]\n\ttag = nope\n\tmessage = \"x\n", "slipway.conf:2: bad value",
	    NULL);
	expect_fail("[release]\n\tmessage = \"x\n\ttag = nope\n",
	    "slipway.conf:2: unterminated quoted string", NULL);
}

static void
test_other_name(void **state)
{
	struct config cfg = CONFIG_INIT;
	static const char text[] = "[relase]\n";

	(void)state;
	assert_int_equal(config_parse(&cfg, "origin/staging:slipway.conf", text,
	    strlen(text)), -E_CONFIG);
	assert_string_equal(err_msg(), "origin/staging:slipway.conf:1: unknown section 'relase'");
	assert_null(cfg.name);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, reset, reset)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_design_example),
		T(test_lookups),
		T(test_case_insensitive_names),
		T(test_subsection),
		T(test_legacy_subsection),
		T(test_subsection_against_schema),
		T(test_bare_key),
		T(test_needs_value),
		T(test_value_whitespace),
		T(test_escapes),
		T(test_continuation),
		T(test_comments),
		T(test_key_after_header),
		T(test_blank_and_empty),
		T(test_crlf),
		T(test_bom),
		T(test_nul_byte),
		T(test_unterminated_quote),
		T(test_invalid_header),
		T(test_key_outside_section),
		T(test_invalid_key),
		T(test_unknown_section),
		T(test_unknown_key),
		T(test_job_values),
		T(test_set_twice),
		T(test_multi_valued),
		T(test_project_values),
		T(test_branch_values),
		T(test_release_values),
		T(test_placeholder_hint),
		T(test_compat_values),
		T(test_gate_values),
		T(test_first_error_wins),
		T(test_other_name),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
