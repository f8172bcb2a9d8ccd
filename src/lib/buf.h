/* buf.h - the one growable string buffer type (strbuf invariants). */
#ifndef SLIPWAY_BUF_H
#define SLIPWAY_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Invariants: ptr is never NULL and always NUL-terminated; len excludes the
 * NUL. A buffer made with BUF_INIT owns nothing until something is added.
 * cap, when non-zero, bounds len: an append that would pass it fails with
 * -E_TOOBIG and leaves the buffer as it was (for bodies read from outside).
 * buf_detach() is the only hand-over of ownership; buf_release() frees.
 */
struct buf {
	char *ptr;
	size_t len;
	size_t alloc;
	size_t cap;
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0, 0 }

void buf_init(struct buf *b, size_t hint);
void buf_release(struct buf *b);
/* Returns the string (caller frees) and leaves b empty; never NULL. */
char *buf_detach(struct buf *b, size_t *len);
void buf_grow(struct buf *b, size_t extra);
void buf_reset(struct buf *b);
void buf_setlen(struct buf *b, size_t len);
/* The caller wrote n bytes at ptr + len, into room buf_grow made: they
 * become part of the buffer. */
void buf_wrote(struct buf *b, size_t n);

int buf_add(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_rtrim(struct buf *b);
void buf_trim(struct buf *b);
/* Replaces len bytes at pos with data; the rest of the buffer keeps its bytes. */
int buf_splice(struct buf *b, size_t pos, size_t len, const void *data, size_t dlen);
/* Reads a whole file; returns 0, or -E_NOTFOUND / -E_IO with a message. */
int buf_read_file(struct buf *b, const char *path);

#endif
