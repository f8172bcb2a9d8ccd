/* test_vfile.c - unit tests for finding and replacing versions in version files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/util.h"
#include "vfile/vfile.h"

/* Literal with its length, embedded NUL bytes included. */
#define LIT(s) (s), (sizeof(s) - 1)

/* Asserts that the current error message contains want. */
static void
assert_msg_has(const char *want)
{
	if (!strstr(err_msg(), want))
		fail_msg("message \"%s\" does not contain \"%s\"", err_msg(), want);
}

/* A copy of data in a heap block of exactly len bytes, so that ASan
 * reports any read past the end; caller frees. */
static char *
exact_copy(const char *data, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, data, len);
	return p;
}

/* Asserts that vfile_find on data, for the spec text spec, locates want. */
static void
assert_finds(const char *spec, const char *data, size_t len, const char *want)
{
	struct vfile_spec vs;
	size_t off = (size_t)-1, vlen = (size_t)-1;
	char *d = exact_copy(data, len);

	assert_int_equal(vfile_spec_parse(&vs, spec), 0);
	if (vfile_find(&vs, d, len, &off, &vlen) != 0)
		fail_msg("vfile_find('%s'): %s", spec, err_msg());
	assert_true(off <= len && vlen <= len - off);
	assert_int_equal(vlen, strlen(want));
	assert_memory_equal(d + off, want, vlen);
	vfile_spec_release(&vs);
	free(d);
}

/* Asserts that vfile_find fails with code and a message containing msg. */
static void
assert_fails(const char *spec, const char *data, size_t len, int code, const char *msg)
{
	struct vfile_spec vs;
	size_t off, vlen;
	char *d = exact_copy(data, len);

	assert_int_equal(vfile_spec_parse(&vs, spec), 0);
	err_clear();
	assert_int_equal(vfile_find(&vs, d, len, &off, &vlen), code);
	assert_msg_has(msg);
	vfile_spec_release(&vs);
	free(d);
}

/* Asserts that vfile_set(version) writes exactly the bytes want. */
static void
assert_sets(const char *spec, const char *data, size_t len, const char *version,
    const char *want, size_t wantlen)
{
	struct vfile_spec vs;
	struct buf out = BUF_INIT;
	char *d = exact_copy(data, len);

	assert_int_equal(vfile_spec_parse(&vs, spec), 0);
	if (vfile_set(&vs, d, len, version, &out) != 0)
		fail_msg("vfile_set('%s'): %s", spec, err_msg());
	if (out.len != wantlen || memcmp(out.ptr, want, wantlen) != 0)
		fail_msg("vfile_set wrote \"%s\", want \"%s\"", out.ptr, want);
	assert_int_equal(out.ptr[out.len], '\0');
	buf_release(&out);
	vfile_spec_release(&vs);
	free(d);
}

#define FINDS(spec, data, want) assert_finds(spec, LIT(data), want)
#define FAILS(spec, data, code, msg) assert_fails(spec, LIT(data), code, msg)
#define SETS(spec, data, v, want) assert_sets(spec, LIT(data), v, LIT(want))

/* ---- JSON ---- */

static void
json_simple(void **state)
{
	(void)state;
	FINDS("package.json", "{\"name\":\"x\",\"version\":\"1.2.3\"}", "1.2.3");
	FINDS("package.json", "{\"version\":\"v1.2.3\"}", "v1.2.3");
	FINDS("package.json", "{\"version\":\"1.2.3-rc.1+b.5\",\"private\":true}",
	    "1.2.3-rc.1+b.5");
}

static void
json_nested_version_first(void **state)
{
	static const char doc[] =
	    "{\n"
	    "  \"dependencies\": {\"version\": \"0.0.1\", \"x\": {\"version\": \"9\"}},\n"
	    "  \"engines\": {\"node\": \">=18\", \"version\": \"x\"},\n"
	    "  \"items\": [{\"version\": \"bad\"}, \"version\"],\n"
	    "  \"version\": \"2.0.0\"\n"
	    "}\n";
	static const char want[] =
	    "{\n"
	    "  \"dependencies\": {\"version\": \"0.0.1\", \"x\": {\"version\": \"9\"}},\n"
	    "  \"engines\": {\"node\": \">=18\", \"version\": \"x\"},\n"
	    "  \"items\": [{\"version\": \"bad\"}, \"version\"],\n"
	    "  \"version\": \"2.1.0\"\n"
	    "}\n";

	(void)state;
	FINDS("package.json", doc, "2.0.0");
	SETS("package.json", doc, "2.1.0", want);
	/* only nested ones: not found */
	FAILS("package.json", "{\"deps\":{\"version\":\"1.0.0\"},\"a\":[{\"version\":\"2\"}]}",
	    -E_NOTFOUND, "'package.json' has no top-level \"version\"");
}

static void
json_crlf_tabs(void **state)
{
	(void)state;
	SETS("package.json",
	    "{\r\n\t\"name\":\t\"x\",\r\n\t\"version\" :\t\"1.0.0\" \r\n}\r\n", "1.0.1",
	    "{\r\n\t\"name\":\t\"x\",\r\n\t\"version\" :\t\"1.0.1\" \r\n}\r\n");
	/* a bare CR is JSON whitespace too */
	FINDS("package.json", "{\r\"version\"\r:\r\"3.0.0\"\r}\r", "3.0.0");
}

static void
json_key_order(void **state)
{
	(void)state;
	FINDS("package.json", "{\"version\":\"1.0.0\",\"name\":\"a\",\"b\":[1,2]}", "1.0.0");
	FINDS("package.json", "{\"name\":\"a\",\"version\":\"1.0.0\",\"b\":{}}", "1.0.0");
	FINDS("package.json", "{\"name\":\"a\",\"b\":{\"c\":[]},\"version\":\"1.0.0\"}", "1.0.0");
	/* keys are case-sensitive */
	FAILS("package.json", "{\"Version\":\"1.0.0\",\"VERSION\":\"1.0.0\"}", -E_NOTFOUND,
	    "no top-level \"version\"");
}

static void
json_unicode(void **state)
{
	static const char doc[] =
	    "{\"n\xc3\xa4me\": \"J\xc3\xbcrgen \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80\","
	    " \"\xf0\x9f\x98\x80\": [\"\xe2\x82\xac\"], \"version\": \"1.0.0\","
	    " \"z\": \"\xef\xbf\xbf\"}";
	static const char want[] =
	    "{\"n\xc3\xa4me\": \"J\xc3\xbcrgen \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80\","
	    " \"\xf0\x9f\x98\x80\": [\"\xe2\x82\xac\"], \"version\": \"1.1.0\","
	    " \"z\": \"\xef\xbf\xbf\"}";

	(void)state;
	FINDS("package.json", doc, "1.0.0");
	SETS("package.json", doc, "1.1.0", want);
}

static void
json_escapes_elsewhere(void **state)
{
	static const char doc[] =
	    "{\"desc\": \"say \\\"hi\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\u20AC\","
	    " \"emoji\": \"\\ud83d\\ude00\", \"lone\": \"\\ud800 \\udc00\","
	    " \"k\\\"ey\": \"\\\"version\\\"\", \"version\": \"0.1.0\"}";

	(void)state;
	FINDS("package.json", doc, "0.1.0");
}

static void
json_escaped_key(void **state)
{
	(void)state;
	FINDS("package.json", "{\"vers\\u0069on\":\"1.2.3\"}", "1.2.3");
	FINDS("package.json", "{\"\\u0076ersio\\u006E\":\"1.2.3\"}", "1.2.3");
	FINDS("package.json", "{\"\\/\":1,\"versio\\u006e\":\"4.5.6\"}", "4.5.6");
	/* decoded keys that only look alike are other keys */
	FAILS("package.json", "{\"version\\u0000\":\"1\",\"\\u0000version\":\"2\"}",
	    -E_NOTFOUND, "no top-level \"version\"");
	FAILS("package.json", "{\"versio\\u00f1\":\"1\"}", -E_NOTFOUND,
	    "no top-level \"version\"");
	/* an escaped key counts for duplicates too */
	FAILS("package.json", "{\"version\":\"1\",\n\"v\\u0065rsion\":\"2\"}", -E_INVALID,
	    "is set on lines 1 and 2");
}

struct bad_json {
	const char *doc;
	const char *msg;
};

static void
json_malformed(void **state)
{
	static const struct bad_json bad[] = {
		{ "{\"version\": \"1.2.3}", "line 1: unterminated string" },
		{ "{\"version\": \"1.2.3\n\"}", "line 1: unterminated string" },
		{ "{\"a\":\"x\\", "unterminated string" },
		{ "{\n \"a\": 1\n \"version\": \"1\"}", "line 3: expected ',' or '}'" },
		{ "{\"a\": [1 2], \"version\":\"1\"}", "line 1: expected ',' or ']'" },
		{ "{\"version\" \"1\"}", "expected ':'" },
		{ "{\"version\":\"1\",}", "expected a string key" },
		{ "{\"a\":1,,\"version\":\"1\"}", "expected a string key" },
		{ "{'version': '1'}", "expected a string key" },
		{ "{version: \"1\"}", "expected a string key" },
		{ "{\f\"version\":\"1\"}", "expected a string key" },
		{ "{\"version\":\"1\"} x", "trailing data after the top-level value" },
		{ "{\"version\":\"1\"}{}", "trailing data after the top-level value" },
		{ "{\"version\":\"1\"}\n// c\n", "line 2: trailing data" },
		{ "{\"version\":\"1\", /* c */ \"a\":1}", "expected a string key" },
		{ "{\"a\": 01, \"version\":\"1\"}", "invalid number" },
		{ "{\"a\": 1., \"version\":\"1\"}", "invalid number" },
		{ "{\"a\": -, \"version\":\"1\"}", "invalid number" },
		{ "{\"a\": 1e, \"version\":\"1\"}", "invalid number" },
		{ "{\"a\": 1.2.3, \"version\":\"1\"}", "invalid number" },
		{ "{\"a\": +1, \"version\":\"1\"}", "expected a value" },
		{ "{\"a\": .5, \"version\":\"1\"}", "expected a value" },
		{ "{\"a\": tru, \"version\":\"1\"}", "expected a value" },
		{ "{\"a\": True, \"version\":\"1\"}", "expected a value" },
		{ "{\"a\": NaN, \"version\":\"1\"}", "expected a value" },
		{ "{\"a\": nul}", "expected a value" },
		{ "{\"a\": [1,]}", "expected a value" },
		{ "{\"a\": \"\\x\", \"version\":\"1\"}", "invalid escape in string" },
		{ "{\"a\": \"\\U0041\", \"version\":\"1\"}", "invalid escape in string" },
		{ "{\"a\": \"\\u12G4\", \"version\":\"1\"}", "invalid \\u escape" },
		{ "{\"a\": \"\\u12\"}", "invalid \\u escape" },
		{ "{\"a\": \"tab\there\", \"version\":\"1\"}", "control character in string" },
		{ "{\"a\": \"\xff\", \"version\":\"1\"}", "invalid UTF-8 in string" },
		{ "{\"a\": \"\xc0\xaf\", \"version\":\"1\"}", "invalid UTF-8 in string" },
		{ "{\"a\": \"\xe0\x80\xaf\", \"version\":\"1\"}", "invalid UTF-8 in string" },
		{ "{\"a\": \"\xed\xa0\x80\", \"version\":\"1\"}", "invalid UTF-8 in string" },
		{ "{\"a\": \"\xf4\x90\x80\x80\", \"version\":\"1\"}", "invalid UTF-8 in string" },
		{ "{\"a\": \"\xe2\x82\", \"version\":\"1\"}", "invalid UTF-8 in string" },
		{ "{\"a\": \"\x80\", \"version\":\"1\"}", "invalid UTF-8 in string" },
		{ "{\"a\": \"\xf5\x80\x80\x80\", \"version\":\"1\"}", "invalid UTF-8" },
		{ "{\"a\": \"\xf8\x88\x80\x80\x80\", \"version\":\"1\"}", "invalid UTF-8" },
		{ "{\"a\": \"\xc1\xbf\", \"version\":\"1\"}", "invalid UTF-8 in string" },
		{ "{\"a\": \"\xe2\x82", "invalid UTF-8 in string" },
		{ "{\"a\": \"\xf0\x9f\x98", "invalid UTF-8 in string" },
		{ "{\"a\": \"\\u00", "invalid \\u escape" },
		{ "{\"a\": \"\\ud83d\\ude0", "invalid \\u escape" },
		{ "{\"a\": \"\\ud83d", "unterminated string" },
		{ "{\"a\": \"\\ud83d\\", "unterminated string" },
		{ "{\"a\": tr", "expected a value" },
		{ "{\"a\": -", "invalid number" },
		{ "{\"a\": 1e+", "invalid number" },
		{ "{\"version\": \xc3\xa9}", "expected a value" },
		{ "", "line 1: expected a value before the end of the data" },
		{ "  \n\t\r\n ", "line 3: expected a value before the end of the data" },
		{ "{\"version\":\"1\"", "expected ',' or '}' before the end of the data" },
		{ "{\"a\":[", "expected a value before the end of the data" },
		{ "{\"a\":", "expected a value before the end of the data" },
		{ "{", "expected a string key before the end of the data" },
		{ "}", "expected a value" },
		{ "\xef\xbb\xbf", "expected a value before the end of the data" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_fails("package.json", bad[i].doc, strlen(bad[i].doc), -E_INVALID,
		    bad[i].msg);
	/* the message starts with the path */
	FAILS("web/package.json", "{\"version\":\"1\"", -E_INVALID,
	    "'web/package.json': invalid JSON at line 1: expected ',' or '}'");
}

static void
json_error_line_crlf(void **state)
{
	(void)state;
	FAILS("package.json", "{\r\n  \"name\": \"x\",\r\n  \"version\": 1.0.0\r\n}\r\n",
	    -E_INVALID, "'package.json': invalid JSON at line 3: invalid number");
}

/* Builds {"version":"1.0.0","a":[[...]]} with n brackets; caller frees. */
static char *
nested(size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_puts(&b, "{\"version\":\"1.0.0\",\"a\":");
	for (i = 0; i < n; i++)
		buf_putc(&b, '[');
	for (i = 0; i < n; i++)
		buf_putc(&b, ']');
	buf_putc(&b, '}');
	return buf_detach(&b, NULL);
}

static void
json_depth(void **state)
{
	struct buf b = BUF_INIT;
	char *s;
	size_t i;

	(void)state;
	s = nested(511);	/* with the top-level object: 512 levels */
	assert_finds("package.json", s, strlen(s), "1.0.0");
	free(s);
	s = nested(512);
	assert_fails("package.json", s, strlen(s), -E_INVALID,
	    "nesting deeper than 512 levels");
	free(s);
	/* very deep input stops at the cap instead of exhausting the stack */
	for (i = 0; i < 200000; i++)
		buf_puts(&b, "{\"a\":");
	assert_fails("package.json", b.ptr, b.len, -E_INVALID, "nesting deeper");
	buf_release(&b);
}

static void
json_not_object(void **state)
{
	(void)state;
	FAILS("package.json", "[{\"version\":\"1.0.0\"}]", -E_INVALID,
	    "'package.json': the top-level JSON value is not an object");
	FAILS("package.json", "\"1.0.0\"", -E_INVALID, "not an object");
	FAILS("package.json", " 12 ", -E_INVALID, "not an object");
	FAILS("package.json", "null", -E_INVALID, "not an object");
	/* a malformed document is reported as such first */
	FAILS("package.json", "[1,", -E_INVALID, "invalid JSON");
}

static void
json_missing(void **state)
{
	(void)state;
	FAILS("package.json", "{}", -E_NOTFOUND, "'package.json' has no top-level \"version\"");
	FAILS("package.json", "{\"name\":\"version\"}", -E_NOTFOUND, "has no top-level");
	FAILS("package.json", "{\"version\":\"\"}", -E_NOTFOUND,
	    "'package.json':1: top-level \"version\" is empty");
}

static void
json_version_not_string(void **state)
{
	(void)state;
	FAILS("package.json", "{\n\"version\": 1}", -E_INVALID,
	    "'package.json':2: top-level \"version\" is not a string");
	FAILS("package.json", "{\"version\": null}", -E_INVALID, "is not a string");
	FAILS("package.json", "{\"version\": [\"1.0.0\"]}", -E_INVALID, "is not a string");
	FAILS("package.json", "{\"version\": {\"v\":\"1.0.0\"}}", -E_INVALID,
	    "is not a string");
}

static void
json_duplicate(void **state)
{
	(void)state;
	FAILS("package.json",
	    "{\n\"version\": \"1.0.0\",\n\"a\": {\"version\": \"2\"},\n\"version\": \"1.0.1\"\n}",
	    -E_INVALID, "'package.json': top-level \"version\" is set on lines 2 and 4");
	/* also when the second one is not a string */
	FAILS("package.json", "{\"version\":\"1.0.0\",\n\n\"version\":1}", -E_INVALID,
	    "lines 1 and 3");
}

static void
json_version_escaped(void **state)
{
	(void)state;
	FAILS("package.json", "{\"a\":1,\n\"version\":\"1.2.\\u0033\"}", -E_INVALID,
	    "'package.json':2: top-level \"version\" contains a backslash escape");
	FAILS("package.json", "{\"version\":\"1.2.3\\/\"}", -E_INVALID, "backslash escape");
}

static void
json_bom(void **state)
{
	(void)state;
	SETS("package.json", "\xef\xbb\xbf{\"version\":\"1.0.0\"}\n", "2.0.0",
	    "\xef\xbb\xbf{\"version\":\"2.0.0\"}\n");
}

static void
json_set_full(void **state)
{
	static const char doc[] =
	    "{\n"
	    "  \"name\": \"@acme/indra\",\n"
	    "  \"version\": \"1.2.3\",\n"
	    "  \"scripts\": {\"test\": \"node t.js --version=\\\"1.2.3\\\"\"},\n"
	    "  \"n\": [-0.5e+10, 0, 1E-3, true, false, null]\n"
	    "}";
	static const char want[] =
	    "{\n"
	    "  \"name\": \"@acme/indra\",\n"
	    "  \"version\": \"10.20.30-rc.1+build.5\",\n"
	    "  \"scripts\": {\"test\": \"node t.js --version=\\\"1.2.3\\\"\"},\n"
	    "  \"n\": [-0.5e+10, 0, 1E-3, true, false, null]\n"
	    "}";

	(void)state;
	SETS("package.json", doc, "10.20.30-rc.1+build.5", want);
}

/* ---- Makefile ---- */

static void
make_operators(void **state)
{
	(void)state;
	FINDS("Makefile:VERSION", "VERSION = 1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION=1.2.3", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION := 1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION:=1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION ::= 1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION :::= 1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION ?= 1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION?=1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION \t:=\t 1.2.3 \t\n", "1.2.3");
	FINDS("Makefile:VERSION", "  VERSION = 1.2.3\n", "1.2.3");
	FINDS("mk/vars.mk:PKG.VER-1_x", "PKG.VER-1_x = 0.0.1\n", "0.0.1");
}

static void
make_export_override(void **state)
{
	(void)state;
	FINDS("Makefile:VERSION", "export VERSION = 1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "export\tVERSION:=1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "override VERSION ?= 1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "override export VERSION = 1.2.3\n", "1.2.3");
	/* "export VERSION" alone declares, it does not set */
	FINDS("Makefile:VERSION", "export VERSION\nVERSION = 1.2.3\n", "1.2.3");
	/* a variable that is itself named export */
	FINDS("Makefile:export", "export = 1.2.3\n", "1.2.3");
}

static void
make_comment(void **state)
{
	(void)state;
	FINDS("Makefile:VERSION", "VERSION = 1.2.3 # the release\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION = 1.2.3# c\n", "1.2.3");
	/* "\#" is a literal '#' in make, not a comment */
	FINDS("Makefile:VERSION", "VERSION = 1.2.3\\#x # c\n", "1.2.3\\#x");
	FINDS("Makefile:VERSION", "# VERSION = 9.9.9\n  # VERSION = 8\nVERSION = 1.2.3\n",
	    "1.2.3");
	/* a comment continued by a backslash swallows the next line */
	FINDS("Makefile:VERSION", "# note \\\nVERSION = 9\nVERSION = 1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION = 1.2.3 # c \\\n more comment\n", "1.2.3");
	SETS("Makefile:VERSION", "VERSION = 1.2.3\t# keep me\nall:\n", "1.3.0",
	    "VERSION = 1.3.0\t# keep me\nall:\n");
}

static void
make_crlf(void **state)
{
	(void)state;
	SETS("Makefile:VERSION", "CC = cc\r\nVERSION := 1.2.3\r\nall:\r\n\techo $(VERSION)\r\n",
	    "2.0.0", "CC = cc\r\nVERSION := 2.0.0\r\nall:\r\n\techo $(VERSION)\r\n");
	SETS("Makefile:VERSION", "VERSION = 1.2.3\r\n", "1.2.4", "VERSION = 1.2.4\r\n");
	SETS("Makefile:VERSION", "VERSION = 1.2.3 # c\r\n", "1.2.4", "VERSION = 1.2.4 # c\r\n");
}

static void
make_recipe_ignored(void **state)
{
	(void)state;
	FINDS("Makefile:VERSION", "all:\n\tVERSION = 9.9.9 ./build\nVERSION = 1.2.3\n",
	    "1.2.3");
	FAILS("Makefile:VERSION", "all:\n\tVERSION=1.2.3\n", -E_NOTFOUND,
	    "'Makefile' does not set 'VERSION'");
}

static void
make_similar_names(void **state)
{
	(void)state;
	FINDS("Makefile:VERSION",
	    "VERSION_X = 9\nMYVERSION = 8\nVERSION.old = 7\nVERSIONS := 6\nVERSION = 1.2.3\n",
	    "1.2.3");
	FAILS("Makefile:VERSION", "VERSION_X = 9\nMYVERSION = 8\nversion = 7\n", -E_NOTFOUND,
	    "'Makefile' does not set 'VERSION'");
	/* rules and target-specific assignments are not global definitions */
	FINDS("Makefile:VERSION",
	    "VERSION: dep\n\techo\nx: VERSION = 2\n%.o: VERSION := 3\nVERSION = 1.2.3\n",
	    "1.2.3");
}

static void
make_append_ignored(void **state)
{
	(void)state;
	FINDS("Makefile:VERSION", "VERSION = 1.2.3\nVERSION += extra\n", "1.2.3");
	FAILS("Makefile:VERSION", "VERSION += 1.2.3\n", -E_NOTFOUND, "does not set");
}

static void
make_defined_twice(void **state)
{
	(void)state;
	FAILS("Makefile:VERSION", "VERSION = 1\nA = 2\nVERSION := 3\n", -E_INVALID,
	    "'Makefile': 'VERSION' is set on lines 1 and 3");
	FAILS("Makefile:VERSION",
	    "ifdef X\nVERSION = 1\nelse\n\nVERSION = 2\nendif\nVERSION = 3\n", -E_INVALID,
	    "is set on lines 2 and 5");
	/* "!=" sets it too */
	FAILS("Makefile:VERSION", "VERSION = 1\nVERSION != cat V\n", -E_INVALID,
	    "is set on lines 1 and 2");
	/* line numbers count the physical lines of continued ones */
	FAILS("Makefile:VERSION", "SRCS = a.c \\\n  b.c\nVERSION = 1\r\nVERSION = 2\n",
	    -E_INVALID, "is set on lines 3 and 4");
}

static void
make_continuation(void **state)
{
	(void)state;
	FAILS("Makefile:VERSION", "VERSION = 1.2.3 \\\n  4\n", -E_INVALID,
	    "'Makefile':1: value of 'VERSION' spans several lines");
	FAILS("Makefile:VERSION", "A = 1\n\nVERSION = \\\r\n 1.2.3\n", -E_INVALID,
	    "'Makefile':3: value of 'VERSION' spans several lines");
	FAILS("Makefile:VERSION", "VERSION \\\n = 1.2.3\n", -E_INVALID, "spans several lines");
	FAILS("Makefile:VERSION", "export \\\r\n VERSION = 1.2.3\n", -E_INVALID,
	    "'Makefile':1: value of 'VERSION' spans several lines");
	/* a continued line of another variable is not a definition */
	FINDS("Makefile:VERSION", "SRCS = a.c \\\n VERSION = 9 \\\n b.c\nVERSION = 1.2.3\n",
	    "1.2.3");
	/* an even number of backslashes is no continuation */
	FINDS("Makefile:VERSION", "A = x\\\\\nVERSION = 1.2.3\n", "1.2.3");
	/* a backslash at the very end of the data continues nothing */
	FINDS("Makefile:VERSION", "VERSION = 1.2.3\nA = b\\", "1.2.3");
}

static void
make_define_block(void **state)
{
	(void)state;
	FINDS("Makefile:VERSION", "define HELP\nVERSION = 9\nendef\nVERSION = 1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION",
	    "define A\ndefine B\nendef\nVERSION = 9\nendef\nVERSION = 1.2.3\n", "1.2.3");
	FAILS("Makefile:VERSION", "X = 1\ndefine VERSION\n1.2.3\nendef\n", -E_INVALID,
	    "'Makefile':2: value of 'VERSION' spans several lines");
	FAILS("Makefile:VERSION", "export define VERSION :=\n1.2.3\nendef\n", -E_INVALID,
	    "spans several lines");
	/* a variable named define */
	FINDS("Makefile:define", "define = 1.0.0\n", "1.0.0");
}

static void
make_missing_empty(void **state)
{
	(void)state;
	FAILS("Makefile:VERSION", "", -E_NOTFOUND, "'Makefile' does not set 'VERSION'");
	FAILS("build/rules.mk:VER", "all:\n\ttrue\n", -E_NOTFOUND,
	    "'build/rules.mk' does not set 'VER'");
	FAILS("Makefile:VERSION", "A = 1\nVERSION =\n", -E_NOTFOUND,
	    "'Makefile':2: 'VERSION' is empty");
	FAILS("Makefile:VERSION", "VERSION := \t # none\n", -E_NOTFOUND, "'VERSION' is empty");
}

static void
make_v_prefix(void **state)
{
	(void)state;
	FINDS("Makefile:VERSION", "VERSION = v1.2.3\n", "1.2.3");
	FINDS("Makefile:VERSION", "VERSION = vx\n", "vx");
	FINDS("Makefile:VERSION", "VERSION = v\n", "v");
	FINDS("Makefile:VERSION", "VERSION = V1.2.3\n", "V1.2.3");
	SETS("Makefile:VERSION", "VERSION ?= v1.2.3 # tag\n", "1.2.4",
	    "VERSION ?= v1.2.4 # tag\n");
}

static void
make_set_full(void **state)
{
	static const char mk[] =
	    "# Makefile for indra\n"
	    "CFLAGS ?= -O2\n"
	    "export VERSION := 0.9.0   # bumped by slipway\n"
	    "SRCS = a.c \\\n"
	    "\tb.c\n"
	    "\n"
	    "all: $(SRCS)\n"
	    "\t$(CC) -DVERSION=\\\"$(VERSION)\\\" -o indra $^\n";
	static const char want[] =
	    "# Makefile for indra\n"
	    "CFLAGS ?= -O2\n"
	    "export VERSION := 1.0.0-rc.1   # bumped by slipway\n"
	    "SRCS = a.c \\\n"
	    "\tb.c\n"
	    "\n"
	    "all: $(SRCS)\n"
	    "\t$(CC) -DVERSION=\\\"$(VERSION)\\\" -o indra $^\n";

	(void)state;
	SETS("Makefile:VERSION", mk, "1.0.0-rc.1", want);
}

/* ---- plain ---- */

static void
plain_find_forms(void **state)
{
	(void)state;
	FINDS("VERSION", "1.2.3", "1.2.3");
	FINDS("VERSION", "1.2.3\n", "1.2.3");
	FINDS("VERSION", "1.2.3\r\n", "1.2.3");
	FINDS("VERSION", "  1.2.3 \t\n\n", "1.2.3");
	FINDS("VERSION", "\n\r\n1.2.3\n\n", "1.2.3");
	FINDS("VERSION", "\xef\xbb\xbf" "1.2.3\n", "1.2.3");
	FINDS("VERSION", "v1.2.3\n", "1.2.3");
	FINDS("VERSION", "version\n", "version");	/* located, not validated */
}

static void
plain_set(void **state)
{
	(void)state;
	SETS("VERSION", "1.2.3", "1.2.4", "1.2.4");
	SETS("VERSION", "1.2.3\n", "1.2.4", "1.2.4\n");
	SETS("VERSION", "v1.2.3\r\n", "2.0.0", "v2.0.0\r\n");
	SETS("sub/VERSION.txt", "  1.2.3  \n\n", "1.3.0-beta.2", "  1.3.0-beta.2  \n\n");
}

static void
plain_empty(void **state)
{
	(void)state;
	FAILS("VERSION", "", -E_NOTFOUND, "'VERSION' is empty");
	FAILS("VERSION", "\n", -E_NOTFOUND, "'VERSION' is empty");
	FAILS("VERSION", "  \r\n\t\n", -E_NOTFOUND, "'VERSION' is empty");
}

static void
plain_several_lines(void **state)
{
	(void)state;
	FAILS("VERSION", "1.2.3\n4.5.6\n", -E_INVALID, "'VERSION':2: more than one line");
	FAILS("VERSION", "1.2.3\n\n# note\n", -E_INVALID, "'VERSION':3: more than one line");
}

static void
nul_byte(void **state)
{
	(void)state;
	FAILS("VERSION", "1.2.3\0", -E_INVALID, "'VERSION':1: NUL byte");
	FAILS("Makefile:VERSION", "VERSION = 1.2.3\n\0\n", -E_INVALID,
	    "'Makefile':2: NUL byte");
	FAILS("package.json", "{\"version\":\"1.0.0\",\n\"a\":\"\0\"}", -E_INVALID,
	    "'package.json':2: NUL byte");
	FAILS("package.json", "\0", -E_INVALID, "NUL byte");
}

/* ---- vfile_set ---- */

static void
set_appends_and_keeps_out_on_error(void **state)
{
	struct vfile_spec vs;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(vfile_spec_parse(&vs, "VERSION"), 0);
	buf_puts(&out, "head:");
	assert_int_equal(vfile_set(&vs, LIT("1.0.0\n"), "1.0.1", &out), 0);
	assert_int_equal(out.len, 11);
	assert_memory_equal(out.ptr, "head:1.0.1\n", 12);
	/* a failing find leaves out as it was */
	assert_int_equal(vfile_set(&vs, LIT("1\n2\n"), "1.0.1", &out), -E_INVALID);
	assert_string_equal(out.ptr, "head:1.0.1\n");
	/* so does a write past the buffer's cap */
	out.cap = 16;
	assert_int_equal(vfile_set(&vs, LIT("1.0.0\n"), "1.0.1", &out), -E_TOOBIG);
	assert_string_equal(out.ptr, "head:1.0.1\n");
	buf_release(&out);
	vfile_spec_release(&vs);
}

static void
set_rejects_bad_versions(void **state)
{
	static const char *const bad[] = {
		"", "v1.0.0", "1.0 0", "1.0\"", "1.0#x", "1.0\n", "1.0\\", "$(V)", "-1", ".1",
	};
	struct vfile_spec vs;
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(vfile_spec_parse(&vs, "package.json"), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err_clear();
		assert_int_equal(vfile_set(&vs, LIT("{\"version\":\"1.0.0\"}"), bad[i], &out),
		    -E_INVALID);
		assert_msg_has("to 'package.json': not a version");
		assert_int_equal(out.len, 0);
	}
	buf_release(&out);
	vfile_spec_release(&vs);
}

static void
set_round_trip(void **state)
{
	static const char *const specs[] = { "package.json", "Makefile:V", "VERSION" };
	static const char *const docs[] = {
		"{\"version\" : \"0.0.0\"}", "V ?= v0.0.0 # x\r\n", " v0.0.0 \r\n",
	};
	struct vfile_spec vs;
	struct buf out = BUF_INIT;
	size_t i, off, vlen;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		assert_int_equal(vfile_spec_parse(&vs, specs[i]), 0);
		assert_int_equal(vfile_set(&vs, docs[i], strlen(docs[i]), "1.2.3-x.7+b", &out), 0);
		assert_int_equal(vfile_find(&vs, out.ptr, out.len, &off, &vlen), 0);
		assert_int_equal(vlen, 11);
		assert_memory_equal(out.ptr + off, "1.2.3-x.7+b", 11);
		buf_reset(&out);
		vfile_spec_release(&vs);
	}
	buf_release(&out);
}

/* ---- vfile_spec_parse ---- */

static void
spec_good(void **state)
{
	static const struct {
		const char *value, *path, *var;
		enum vfile_kind kind;
	} good[] = {
		{ "VERSION", "VERSION", NULL, VFILE_PLAIN },
		{ "package.json", "package.json", NULL, VFILE_JSON },
		{ "web/app/package.json", "web/app/package.json", NULL, VFILE_JSON },
		{ ".json", ".json", NULL, VFILE_JSON },
		{ "Makefile:VERSION", "Makefile", "VERSION", VFILE_MAKE },
		{ "build/config.mk:PKG.VER-1_x", "build/config.mk", "PKG.VER-1_x", VFILE_MAKE },
		{ "package.json:VERSION", "package.json", "VERSION", VFILE_MAKE },
		{ "pkg.JSON", "pkg.JSON", NULL, VFILE_PLAIN },
		{ "a.json.bak", "a.json.bak", NULL, VFILE_PLAIN },
		{ ".version/...", ".version/...", NULL, VFILE_PLAIN },
		{ "dir:x/Makefile:V", "dir:x/Makefile", "V", VFILE_MAKE },
	};
	struct vfile_spec vs;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (vfile_spec_parse(&vs, good[i].value) != 0)
			fail_msg("'%s': %s", good[i].value, err_msg());
		assert_int_equal(vs.kind, good[i].kind);
		assert_string_equal(vs.path, good[i].path);
		if (good[i].var)
			assert_string_equal(vs.var, good[i].var);
		else
			assert_null(vs.var);
		vfile_spec_release(&vs);
		assert_null(vs.path);
		assert_null(vs.var);
	}
}

static void
spec_bad(void **state)
{
	static const struct {
		const char *value, *why;
	} bad[] = {
		{ "", "empty path" },
		{ ":VERSION", "empty path" },
		{ "/etc/VERSION", "the path must be relative" },
		{ "./VERSION", "'.' or '..' component" },
		{ "a/./VERSION", "'.' or '..' component" },
		{ "a/../VERSION", "'.' or '..' component" },
		{ "..", "'.' or '..' component" },
		{ "a/..", "'.' or '..' component" },
		{ "a//VERSION", "empty component" },
		{ "a/", "empty component" },
		{ "a\\VERSION", "backslash" },
		{ "a\tb", "control character" },
		{ "Makefile:", "empty variable name" },
		{ "Makefile:MY VAR", "may hold only" },
		{ "Makefile:$(V)", "may hold only" },
		{ "Makefile:V=1", "may hold only" },
		{ "../Makefile:V", "'.' or '..' component" },
	};
	struct vfile_spec vs;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err_clear();
		assert_int_equal(vfile_spec_parse(&vs, bad[i].value), -E_CONFIG);
		assert_msg_has("invalid version file '");
		assert_msg_has(bad[i].why);
		assert_null(vs.path);
		assert_null(vs.var);
		vfile_spec_release(&vs);
	}
	vfile_spec_parse(&vs, "/abs");
	assert_string_equal(err_msg(),
	    "invalid version file '/abs': the path must be relative to the repository");
}

static int
teardown(void **state)
{
	(void)state;
	err_clear();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_simple),
		cmocka_unit_test(json_nested_version_first),
		cmocka_unit_test(json_crlf_tabs),
		cmocka_unit_test(json_key_order),
		cmocka_unit_test(json_unicode),
		cmocka_unit_test(json_escapes_elsewhere),
		cmocka_unit_test(json_escaped_key),
		cmocka_unit_test(json_malformed),
		cmocka_unit_test(json_error_line_crlf),
		cmocka_unit_test(json_depth),
		cmocka_unit_test(json_not_object),
		cmocka_unit_test(json_missing),
		cmocka_unit_test(json_version_not_string),
		cmocka_unit_test(json_duplicate),
		cmocka_unit_test(json_version_escaped),
		cmocka_unit_test(json_bom),
		cmocka_unit_test(json_set_full),
		cmocka_unit_test(make_operators),
		cmocka_unit_test(make_export_override),
		cmocka_unit_test(make_comment),
		cmocka_unit_test(make_crlf),
		cmocka_unit_test(make_recipe_ignored),
		cmocka_unit_test(make_similar_names),
		cmocka_unit_test(make_append_ignored),
		cmocka_unit_test(make_defined_twice),
		cmocka_unit_test(make_continuation),
		cmocka_unit_test(make_define_block),
		cmocka_unit_test(make_missing_empty),
		cmocka_unit_test(make_v_prefix),
		cmocka_unit_test(make_set_full),
		cmocka_unit_test(plain_find_forms),
		cmocka_unit_test(plain_set),
		cmocka_unit_test(plain_empty),
		cmocka_unit_test(plain_several_lines),
		cmocka_unit_test(nul_byte),
		cmocka_unit_test(set_appends_and_keeps_out_on_error),
		cmocka_unit_test(set_rejects_bad_versions),
		cmocka_unit_test(set_round_trip),
		cmocka_unit_test(spec_good),
		cmocka_unit_test(spec_bad),
	};

	return cmocka_run_group_tests_name("vfile", tests, NULL, teardown);
}
