/* tar.c - reads a tar file's headers in place: where each member's data is, nothing more. */
#include "image/tar.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"

#define BLOCK 512
#define LONG_MAX_BYTES (1 << 20)	/* a GNU long name or a pax header */
#define MAX_HOPS 16

/* Names carried over from GNU 'L'/'K' and pax 'x' headers to the next member. */
struct pending {
	char *name, *link;
	long long size;		/* -1: none */
};

static int
bad(const struct tar *t)
{
	return err_set(-E_INVALID, "'%s' is truncated or not a tar archive", t->file);
}

/* Reads exactly n bytes at off; 0, bad() at the end of file, -E_IO. */
static int
read_at(const struct tar *t, void *p, size_t n, long long off)
{
	ssize_t got;

	while (n > 0) {
		got = pread(t->fd, p, n, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return err_set(-E_IO, "cannot read '%s': %s", t->file, strerror(errno));
		if (got == 0)
			return bad(t);
		p = (char *)p + got;
		n -= (size_t)got;
		off += got;
	}
	return 0;
}

/* A numeric header field: octal (space or NUL padded) or GNU base-256. */
static int
parse_num(const unsigned char *p, size_t n, long long *out)
{
	unsigned long long v = 0;
	size_t i = 0;

	if (p[0] & 0x80) {
		if (p[0] & 0x40)
			return -1;	/* negative */
		v = p[0] & 0x3f;
		for (i = 1; i < n; i++) {
			if (v >> 55)
				return -1;
			v = v << 8 | p[i];
		}
		*out = (long long)v;
		return 0;
	}
	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return -1;
	*out = (long long)v;
	return 0;
}

/* Whether the header's checksum is right (unsigned or, as old tars wrote it, signed). */
static int
checksum_ok(const unsigned char *h)
{
	long long want, us = 0, s = 0;
	int i;

	if (parse_num(h + 148, 8, &want) < 0)
		return 0;
	for (i = 0; i < BLOCK; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];

		us += c;
		s += (signed char)c;
	}
	return want == us || want == s;
}

/* Normalises a member name in place: drops "./" and "/" at the start and "/" at the end. */
static char *
clean_name(char *s)
{
	size_t n;

	for (;;) {
		if (s[0] == '/')
			memmove(s, s + 1, strlen(s));
		else if (s[0] == '.' && s[1] == '/')
			memmove(s, s + 2, strlen(s) - 1);
		else
			break;
	}
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* The header's own name: prefix "/" name for POSIX ustar. */
static char *
header_name(const unsigned char *h)
{
	struct buf b = BUF_INIT;

	if (!memcmp(h + 257, "ustar\0", 6) && h[345])
		buf_printf(&b, "%.155s/", (const char *)h + 345);
	buf_printf(&b, "%.100s", (const char *)h);
	return buf_detach(&b, NULL);
}

/* Appends size bytes at off to out. */
static int
read_into(const struct tar *t, long long off, long long size, struct buf *out)
{
	char *p = xmalloc((size_t)size);
	int rc;

	if ((rc = read_at(t, p, (size_t)size, off)) == 0)
		rc = buf_add(out, p, (size_t)size);
	free(p);
	return rc;
}

/* Reads a long-name or pax payload of size bytes at off into a new string. */
static int
read_payload(const struct tar *t, long long off, long long size, struct buf *out)
{
	if (size > LONG_MAX_BYTES)
		return bad(t);
	buf_reset(out);
	return read_into(t, off, size, out);
}

/* Applies the path, linkpath and size records of a pax header. */
static int
parse_pax(const struct tar *t, const struct buf *pax, struct pending *p)
{
	const char *s = pax->ptr, *end = pax->ptr + pax->len, *eq;
	long long n;
	char *stop;

	while (s < end) {
		n = strtoll(s, &stop, 10);
		if (n <= 0 || n > end - s || *stop != ' ' || s[n - 1] != '\n')
			return bad(t);
		eq = memchr(stop + 1, '=', (size_t)(s + n - stop - 1));
		if (!eq)
			return bad(t);
		if (eq - stop - 1 == 4 && !memcmp(stop + 1, "path", 4)) {
			free(p->name);
			p->name = xstrndup(eq + 1, (size_t)(s + n - 1 - eq - 1));
		} else if (eq - stop - 1 == 8 && !memcmp(stop + 1, "linkpath", 8)) {
			free(p->link);
			p->link = xstrndup(eq + 1, (size_t)(s + n - 1 - eq - 1));
		} else if (eq - stop - 1 == 4 && !memcmp(stop + 1, "size", 4)) {
			p->size = strtoll(eq + 1, NULL, 10);
		}
		s += n;
	}
	return 0;
}

static void
add_member(struct tar *t, const unsigned char *h, struct pending *p, long long off, long long size)
{
	struct tar_member *m;

	if (t->nr == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 64;
		t->m = xrealloc(t->m, t->alloc * sizeof(*t->m));
	}
	m = &t->m[t->nr++];
	m->name = clean_name(p->name ? p->name : header_name(h));
	m->type = h[156] == '1' || h[156] == '2' ? (char)h[156] : '0';
	m->link = NULL;
	if (m->type != '0')
		m->link = p->link ? p->link :
		    xstrndup((const char *)h + 157, strnlen((const char *)h + 157, 100));
	else
		free(p->link);
	m->off = off;
	m->size = m->type == '0' ? size : 0;
	p->name = p->link = NULL;
	p->size = -1;
}

/* One header at *off: records it and moves *off past its data; 1 at the end. */
static int
scan_one(struct tar *t, long long fsize, long long *off, struct pending *p, struct buf *tmp)
{
	unsigned char h[BLOCK];
	static const unsigned char zero[BLOCK];
	long long size, data = *off + BLOCK;
	char type, **slot;
	int rc;

	if (data > fsize)
		return bad(t);
	if ((rc = read_at(t, h, BLOCK, *off)) < 0)
		return rc;
	if (!memcmp(h, zero, BLOCK))
		return 1;
	if (!checksum_ok(h) || parse_num(h + 124, 12, &size) < 0)
		return bad(t);
	type = (char)h[156];
	if (p->size >= 0 && (type == '0' || type == '\0' || type == '7'))
		size = p->size;
	if (size < 0 || size > fsize - data)
		return bad(t);
	*off = data + (size + BLOCK - 1) / BLOCK * BLOCK;
	if (type == 'L' || type == 'K' || type == 'x') {
		if ((rc = read_payload(t, data, size, tmp)) < 0)
			return rc;
		if (type == 'x')
			return parse_pax(t, tmp, p);
		slot = type == 'L' ? &p->name : &p->link;
		free(*slot);
		*slot = xstrndup(tmp->ptr, strnlen(tmp->ptr, tmp->len));
	} else if (strchr("0127", type) || type == '\0') {
		add_member(t, h, p, data, size);
	} else if (type != 'g') {
		free(p->name);	/* a directory, a device: not needed */
		free(p->link);
		p->name = p->link = NULL;
		p->size = -1;
	}
	return 0;
}

int
tar_scan(struct tar *t, int fd, const char *file)
{
	struct pending p = { NULL, NULL, -1 };
	struct buf tmp = BUF_INIT;
	long long off = 0, fsize;
	int rc;

	memset(t, 0, sizeof(*t));
	t->file = file;
	t->fd = fd;
	if ((fsize = lseek(fd, 0, SEEK_END)) < 0)
		return err_set(-E_IO, "cannot read '%s': %s", file, strerror(errno));
	while ((rc = scan_one(t, fsize, &off, &p, &tmp)) == 0)
		;
	free(p.name);
	free(p.link);
	buf_release(&tmp);
	return rc < 0 ? rc : 0;
}

void
tar_release(struct tar *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		free(t->m[i].name);
		free(t->m[i].link);
	}
	free(t->m);
	t->m = NULL;
	t->nr = t->alloc = 0;
}

/* The last member called name, or -1. */
static long
find_name(const struct tar *t, const char *name)
{
	size_t i;

	for (i = t->nr; i-- > 0;)
		if (!strcmp(t->m[i].name, name))
			return (long)i;
	return -1;
}

/* Joins a symlink's target to its directory, resolving "." and "..";
 * 0, or -1 when it climbs out of the archive. */
static int
resolve_link(const char *from, const char *target, struct buf *out)
{
	struct buf path = BUF_INIT;
	const char *slash = strrchr(from, '/'), *s, *e;
	int rc = 0;

	if (target[0] != '/' && slash)
		buf_add(&path, from, (size_t)(slash - from + 1));
	buf_puts(&path, target);
	buf_reset(out);
	for (s = path.ptr; *s; s = *e ? e + 1 : e) {
		e = strchrnul(s, '/');
		if (e == s || (e - s == 1 && s[0] == '.'))
			continue;
		if (e - s == 2 && s[0] == '.' && s[1] == '.') {
			char *up = strrchr(out->ptr, '/');

			if (!out->len) {
				rc = -1;
				break;
			}
			buf_setlen(out, up ? (size_t)(up - out->ptr) : 0);
			continue;
		}
		if (out->len)
			buf_putc(out, '/');
		buf_add(out, s, (size_t)(e - s));
	}
	buf_release(&path);
	return rc;
}

long
tar_find(const struct tar *t, const char *name)
{
	struct buf cur = BUF_INIT, next = BUF_INIT;
	long i = -1;
	int hops;

	buf_puts(&cur, name);
	clean_name(cur.ptr);
	buf_setlen(&cur, strlen(cur.ptr));
	for (hops = 0; hops < MAX_HOPS; hops++) {
		if ((i = find_name(t, cur.ptr)) < 0 || t->m[i].type == '0')
			break;
		if (t->m[i].type == '1') {
			buf_reset(&next);
			buf_puts(&next, t->m[i].link);
			clean_name(next.ptr);
			buf_setlen(&next, strlen(next.ptr));
		} else if (resolve_link(t->m[i].name, t->m[i].link, &next) < 0) {
			i = -1;
			break;
		}
		buf_reset(&cur);
		buf_add(&cur, next.ptr, next.len);
		i = -1;
	}
	buf_release(&cur);
	buf_release(&next);
	return i;
}

int
tar_read(const struct tar *t, long i, size_t cap, struct buf *out)
{
	const struct tar_member *m = &t->m[i];

	if ((unsigned long long)m->size > cap)
		return err_set(-E_TOOBIG, "'%s' in '%s' is larger than %zu bytes",
		    m->name, t->file, cap);
	return read_into(t, m->off, m->size, out);
}
