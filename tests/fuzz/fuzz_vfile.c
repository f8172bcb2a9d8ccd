/* fuzz_vfile.c - libFuzzer target: vfile_set changes the version bytes and nothing else. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/util.h"
#include "vfile/vfile.h"

#define NEWV "9.8.7"
#define NEWV_LEN (sizeof(NEWV) - 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

/* Parses d as a release.version-file value and checks what it accepts. */
static void
fuzz_spec(const char *d, size_t len)
{
	struct vfile_spec spec;
	char *value = xstrndup(d, len);

	if (vfile_spec_parse(&spec, value) == 0) {
		check(spec.path && *spec.path && spec.path[0] != '/');
		check(!strstr(spec.path, "//") && !strchr(spec.path, '\\'));
		check((spec.kind == VFILE_MAKE) == (spec.var != NULL));
		check(!spec.var || *spec.var);
	} else {
		check(spec.path == NULL && spec.var == NULL);
		check(strstr(err_msg(), "invalid version file '") == err_msg());
	}
	vfile_spec_release(&spec);
	free(value);
}

/* Finds, replaces with NEWV, and checks that only the span changed and that
 * the result finds NEWV at the same place. */
static void
fuzz_file(const struct vfile_spec *spec, const char *d, size_t len)
{
	struct buf out = BUF_INIT;
	size_t off, vlen, off2, vlen2;
	int rc;

	rc = vfile_find(spec, d, len, &off, &vlen);
	if (rc < 0) {
		check(rc == -E_INVALID || rc == -E_NOTFOUND);
		check(*err_msg() != '\0');
		check(vfile_set(spec, d, len, NEWV, &out) == rc && out.len == 0);
		buf_release(&out);
		return;
	}
	check(rc == 0 && off <= len && vlen > 0 && vlen <= len - off);
	check(vfile_set(spec, d, len, NEWV, &out) == 0);
	check(out.len == len - vlen + NEWV_LEN);
	check(memcmp(out.ptr, d, off) == 0);
	check(memcmp(out.ptr + off, NEWV, NEWV_LEN) == 0);
	check(memcmp(out.ptr + off + NEWV_LEN, d + off + vlen, len - off - vlen) == 0);
	check(vfile_find(spec, out.ptr, out.len, &off2, &vlen2) == 0);
	check(off2 == off && vlen2 == NEWV_LEN);
	check(memcmp(out.ptr + off2, NEWV, NEWV_LEN) == 0);
	buf_release(&out);
}

/* The first byte picks the kind (mod 4: JSON, Makefile, plain, spec value). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char json[] = "package.json", make[] = "Makefile", plain[] = "VERSION";
	static char var[] = "VERSION";
	struct vfile_spec spec = { VFILE_PLAIN, plain, NULL };
	const char *d = (const char *)data + 1;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		spec.kind = VFILE_JSON;
		spec.path = json;
		break;
	case 1:
		spec.kind = VFILE_MAKE;
		spec.path = make;
		spec.var = var;
		break;
	case 3:
		fuzz_spec(d, size - 1);
		err_clear();
		return 0;
	}
	fuzz_file(&spec, d, size - 1);
	err_clear();
	return 0;
}
