/* buf.c - growable NUL-terminated string buffer. */
#include "lib/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"

char buf_empty[1];

void
buf_init(struct buf *b, size_t hint)
{
	b->ptr = buf_empty;
	b->len = b->alloc = b->cap = 0;
	if (hint)
		buf_grow(b, hint);
}

void
buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->ptr);
	b->ptr = buf_empty;
	b->len = b->alloc = 0;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *s;

	if (!b->alloc)
		buf_grow(b, 0);
	s = b->ptr;
	if (len)
		*len = b->len;
	b->ptr = buf_empty;
	b->len = b->alloc = 0;
	return s;
}

/* Makes room for extra more bytes plus the NUL; aborts on overflow or OOM. */
void
buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > SIZE_MAX - b->len - 1)
		die_oom();
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return;
	if (want < b->alloc * 2)
		want = b->alloc * 2;
	if (want < 32)
		want = 32;
	if (b->alloc) {
		b->ptr = xrealloc(b->ptr, want);
	} else {
		b->ptr = xmalloc(want);
		b->ptr[0] = '\0';
	}
	b->alloc = want;
}

void
buf_reset(struct buf *b)
{
	buf_setlen(b, 0);
}

void
buf_setlen(struct buf *b, size_t len)
{
	if (!b->alloc)
		return;
	if (len > b->len)
		len = b->len;
	b->len = len;
	b->ptr[len] = '\0';
}

void
buf_wrote(struct buf *b, size_t n)
{
	if (!b->alloc || n > b->alloc - b->len - 1)
		abort();	/* wrote past the room it had */
	b->len += n;
	b->ptr[b->len] = '\0';
}

static int
check_cap(struct buf *b, size_t extra)
{
	if (b->cap && (extra > b->cap || b->len > b->cap - extra))
		return err_set(-E_TOOBIG, "data exceeds the limit of %zu bytes", b->cap);
	return 0;
}

int
buf_add(struct buf *b, const void *data, size_t len)
{
	int rc;

	if ((rc = check_cap(b, len)) < 0)
		return rc;
	buf_grow(b, len);
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return err_set(-E_GENERIC, "bad format string");
	if ((n = check_cap(b, (size_t)n)) < 0)
		return n;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	buf_grow(b, (size_t)n);
	n = vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void
buf_rtrim(struct buf *b)
{
	size_t n = b->len;

	while (n && (b->ptr[n - 1] == ' ' || b->ptr[n - 1] == '\t' ||
	    b->ptr[n - 1] == '\n' || b->ptr[n - 1] == '\r'))
		n--;
	buf_setlen(b, n);
}

void
buf_trim(struct buf *b)
{
	size_t i = 0;

	buf_rtrim(b);
	while (i < b->len && (b->ptr[i] == ' ' || b->ptr[i] == '\t' ||
	    b->ptr[i] == '\n' || b->ptr[i] == '\r'))
		i++;
	if (i) {
		memmove(b->ptr, b->ptr + i, b->len - i + 1);
		b->len -= i;
	}
}

int
buf_splice(struct buf *b, size_t pos, size_t len, const void *data, size_t dlen)
{
	int rc;

	if (pos > b->len || len > b->len - pos)
		return err_set(-E_GENERIC, "splice out of range");
	if (dlen > len && (rc = check_cap(b, dlen - len)) < 0)
		return rc;
	if (dlen > len)
		buf_grow(b, dlen - len);
	if (!b->alloc)
		buf_grow(b, 0);
	memmove(b->ptr + pos + dlen, b->ptr + pos + len, b->len - pos - len + 1);
	if (dlen)
		memcpy(b->ptr + pos, data, dlen);
	b->len = b->len - len + dlen;
	return 0;
}

int
buf_read_file(struct buf *b, const char *path)
{
	char tmp[65536];
	ssize_t n;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return err_set(-E_NOTFOUND, "'%s' does not exist", path);
		return err_set(-E_IO, "cannot open '%s': %s", path, strerror(errno));
	}
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(-E_IO, "cannot read '%s': %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if ((rc = buf_add(b, tmp, (size_t)n)) < 0)
			break;
	}
	close(fd);
	return rc;
}
