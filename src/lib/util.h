/* util.h - allocation wrappers that never return NULL, and small helpers. */
#ifndef SLIPWAY_UTIL_H
#define SLIPWAY_UTIL_H

#include <stddef.h>

void die_oom(void) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns 1 when s starts with prefix. */
int starts_with(const char *s, const char *prefix);
/* Writes data to path atomically (temp file in the same folder, rename). */
int write_file_atomic(const char *path, const char *data, size_t len);

/* Edit distance with adjacent transpositions (for "did you mean"); SIZE_MAX
 * when either string is longer than EDIT_DISTANCE_MAX. */
#define EDIT_DISTANCE_MAX 64
size_t edit_distance(const char *a, const char *b);

/* Milliseconds on the monotonic clock, for durations and deadlines. */
long long monotonic_ms(void);

/* Appends a rough age: "under a minute", "5 minutes", "3 hours", "2 days". */
struct buf;
void format_age(long long seconds, struct buf *out);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The big-endian 32-bit number at p (git's file formats). */
static inline unsigned long
get_be32(const void *p)
{
	const unsigned char *b = p;

	return (unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 | (unsigned long)b[2] << 8 |
	    b[3];
}

#endif
