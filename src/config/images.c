/* images.c - the slipway.conf keys of [images]. */
#include <stdlib.h>
#include <string.h>

#include "config/schema.h"

static int
check_words(const char *v, const char *what, struct buf *why)
{
	if (v[strspn(v, " \t")])
		return 0;
	buf_printf(why, "no %s given", what);
	return -1;
}

/* images.registry: HOST[:PORT][/NAMESPACE] or oci:PATH */
static int
check_registry(const char *v, struct buf *why)
{
	if (!strncmp(v, "oci:", 4)) {
		if (v[4])
			return 0;
		buf_puts(why, "oci: needs a directory (oci:PATH)");
		return -1;
	}
	if (*v && !strstr(v, "://") && !strpbrk(v, " \t") && *v != '/')
		return 0;
	buf_printf(why, "'%s' is not HOST[:PORT][/NAMESPACE] (no scheme) or oci:PATH", v);
	return -1;
}

static int
check_images(const char *v, struct buf *why)
{
	const char *p;

	if (check_words(v, "image", why) < 0)
		return -1;
	for (p = v; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-/ \t", *p)) {
			buf_printf(why, "image names are lower-case letters, digits, '.', '_', '-' "
			    "and '/', not '%c'", *p);
			return -1;
		}
	return 0;
}

static int
check_name(const char *v, struct buf *why)
{
	if (strstr(v, "{image}"))
		return 0;
	buf_printf(why, "'%s' does not contain {image}", v);
	return -1;
}

static int
check_source(const char *v, struct buf *why)
{
	if (!strncmp(v, "oci:", 4) || !strncmp(v, "docker-archive:", 15))
		return 0;
	buf_printf(why, "'%s' is neither oci:DIR[:TAG] nor docker-archive:FILE", v);
	return -1;
}

static int
check_hosts(const char *v, struct buf *why)
{
	return check_words(v, "host", why);
}

static int
check_patterns(const char *v, struct buf *why)
{
	return check_words(v, "tag pattern", why);
}

/* images.chunk-size: a size, with k or M: larger blobs go up in chunks. */
static int
check_size(const char *v, struct buf *why)
{
	size_t n = strspn(v, "0123456789");
	long long b = n && n <= 10 ? atoll(v) : 0;

	b <<= v[n] == 'M' ? 20 : v[n] == 'k' ? 10 : 0;
	if (n && (!v[n] || ((v[n] == 'k' || v[n] == 'M') && !v[n + 1])) && b >= 1024 &&
	    b <= (4LL << 30))
		return 0;
	buf_printf(why, "'%s' is not a size from 1k to 4096M (65536, 64k, 32M)", v);
	return -1;
}

const struct config_key schema_images_keys[] = {
	{ "chunk-size", 0, check_size },
	{ "registry", 0, check_registry },
	{ "name", 0, check_name },
	{ "images", CONFIG_MULTI, check_images },
	{ "source", 0, check_source },
	{ "insecure", CONFIG_MULTI, check_hosts },
	{ "ca-file", 0, NULL },
	{ "mutable", CONFIG_MULTI, check_patterns },
	{ NULL, 0, NULL },
};
