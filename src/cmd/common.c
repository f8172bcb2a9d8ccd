/* common.c - printing notes, asking questions on the terminal, the records' age. */
#include "cmd/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/util.h"
#include "records/sync.h"

int
cmd_usage(const char *usage)
{
	fprintf(stderr, "usage: %s\n", usage);
	return -E_USAGE;
}

int
cmd_bad_args(int opt, char **argv, const char *usage)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (opt == ':')
		fprintf(stderr, "slipway: %s: option '%s' needs a value\n", argv[0], arg);
	else if (optopt)
		fprintf(stderr, "slipway: %s: unknown option '-%c'\n", argv[0], optopt);
	else
		fprintf(stderr, "slipway: %s: unknown option '%s'\n", argv[0], arg);
	return cmd_usage(usage);
}

int
cmd_too_many(char **argv, const char *extra, const char *usage)
{
	fprintf(stderr, "slipway: %s: unexpected argument '%s'\n", argv[0], extra);
	return cmd_usage(usage);
}

size_t
print_notes(const struct strvec *notes, size_t from)
{
	size_t i;

	fflush(stdout);
	for (i = from; i < notes->nr; i++)
		fprintf(stderr, "note: %s\n", notes->v[i]);
	return notes->nr;
}

char *
prompt_line(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int c;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	while ((c = getchar()) != EOF && c != '\n')
		buf_putc(&b, (char)c);
	if (c == EOF && !b.len) {
		fputc('\n', stderr);
		buf_release(&b);
		return NULL;
	}
	buf_trim(&b);
	return buf_detach(&b, NULL);
}

int
confirm(const char *fmt, ...)
{
	struct buf q = BUF_INIT;
	va_list ap;
	char *ans;
	int rc;

	va_start(ap, fmt);
	buf_vprintf(&q, fmt, ap);
	va_end(ap);
	if (!isatty(0)) {
		rc = err_set(-E_USAGE, "not asking '%s' without a terminal", q.ptr);
		err_hint("pass --yes to go ahead without asking");
		buf_release(&q);
		return rc;
	}
	ans = prompt_line("%s [y/N] ", q.ptr);
	rc = ans && (!strcmp(ans, "y") || !strcmp(ans, "yes")) ? 0 :
	    err_set(-E_CANCELLED, "cancelled; nothing was pushed or changed");
	free(ans);
	buf_release(&q);
	return rc;
}

void
print_sync_age(struct repo *r)
{
	struct buf remote = BUF_INIT, age = BUF_INIT;
	long long when;

	records_last_sync(r, &when, &remote);
	if (!when) {
		printf("records: never synced here; 'slipway sync' fetches the others'\n");
	} else {
		format_age((long long)time(NULL) - when, &age);
		printf("records: synced %s ago with '%s'\n", age.ptr, remote.ptr);
	}
	buf_release(&remote);
	buf_release(&age);
}

int
share_records(struct repo *r, const char *remote, int no_sync)
{
	struct sync_stats st;
	int rc;

	if (no_sync)
		return 0;
	if ((rc = records_sync(r, remote, &st)) < 0)
		err_hint("the record is kept here; 'slipway sync' shares it later");
	return rc;
}
