/* vfile_int.h - what the version-file editors share inside src/vfile/. */
#ifndef SLIPWAY_VFILE_INT_H
#define SLIPWAY_VFILE_INT_H

#include <stddef.h>
#include <string.h>

/* Length of a UTF-8 byte order mark at the start of d, or 0. */
static inline size_t
bom_len(const char *d, size_t len)
{
	return len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

static inline int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Validates the JSON document d and locates its top-level "version" string
 * (see vfile_find in vfile.h for the contract and the errors). */
int json_find(const char *path, const char *d, size_t len, size_t *off, size_t *vlen);

#endif
