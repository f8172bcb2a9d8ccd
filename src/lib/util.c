/* util.c - allocation that aborts on exhaustion, and small helpers. */
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/err.h"

void
die_oom(void)
{
	static const char msg[] = "slipway: out of memory\n";

	(void)!write(2, msg, sizeof(msg) - 1);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
write_file_atomic(const char *path, const char *data, size_t len)
{
	struct buf tmp = BUF_INIT;
	size_t off = 0;
	ssize_t n;
	int fd, rc = 0;

	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = err_set(-E_IO, "cannot create '%s': %s", tmp.ptr, strerror(errno));
		goto out;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(-E_IO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 && !rc)
		rc = err_set(-E_IO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
	if (!rc && rename(tmp.ptr, path) < 0)
		rc = err_set(-E_IO, "cannot rename '%s': %s", tmp.ptr, strerror(errno));
	if (rc)
		unlink(tmp.ptr);
out:
	buf_release(&tmp);
	return rc;
}

/* Edit distance with adjacent transpositions (optimal string alignment);
 * SIZE_MAX when either string is longer than EDIT_DISTANCE_MAX. */
size_t
edit_distance(const char *a, const char *b)
{
	size_t rows[3][EDIT_DISTANCE_MAX + 1], *pp = rows[0], *p = rows[1], *c = rows[2];
	size_t la = strlen(a), lb = strlen(b), i, j, v, *t;

	if (la > EDIT_DISTANCE_MAX || lb > EDIT_DISTANCE_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		p[j] = j;
	for (i = 1; i <= la; i++) {
		c[0] = i;
		for (j = 1; j <= lb; j++) {
			v = p[j - 1] + (a[i - 1] != b[j - 1]);
			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[lb];
}

void
format_age(long long s, struct buf *out)
{
	static const struct { long long secs; const char *unit; } units[] = {
		{ 86400, "day" }, { 3600, "hour" }, { 60, "minute" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (s >= units[i].secs) {
			long long n = s / units[i].secs;

			buf_printf(out, "%lld %s%s", n, units[i].unit, n == 1 ? "" : "s");
			return;
		}
	}
	buf_puts(out, "under a minute");
}

long long
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
