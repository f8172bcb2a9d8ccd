/* err.c - the last error message and its hints. */
#include "lib/err.h"

#include <stdarg.h>
#include <string.h>

#include "lib/buf.h"

static _Thread_local struct buf msg = BUF_INIT;	/* per thread: uploads run in threads */
static _Thread_local struct buf hints = BUF_INIT;

int
err_vset(int code, const char *fmt, va_list ap)
{
	buf_reset(&msg);
	buf_vprintf(&msg, fmt, ap);
	return code;
}

int
err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int
err_wrap(int code, const char *fmt, ...)
{
	struct buf pre = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&pre, fmt, ap);
	va_end(ap);
	buf_puts(&pre, ": ");
	buf_splice(&msg, 0, 0, pre.ptr, pre.len);
	buf_release(&pre);
	return code;
}

void
err_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&hints, fmt, ap);
	va_end(ap);
	buf_putc(&hints, '\n');
}

const char *
err_msg(void)
{
	return msg.ptr;
}

const char *
err_hints(void)
{
	return hints.ptr;
}

void
err_clear(void)
{
	buf_release(&msg);
	buf_release(&hints);
}
