/* test_lib.c - the buffer, the string vector and the child-process module. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/run.h"
#include "lib/strvec.h"

static void
test_buf_basics(void **state)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *s;

	(void)state;
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	buf_puts(&b, "hello");
	buf_printf(&b, ", %s %d", "world", 42);
	assert_string_equal(b.ptr, "hello, world 42");
	assert_int_equal(b.len, 15);
	buf_splice(&b, 0, 5, "bye", 3);
	assert_string_equal(b.ptr, "bye, world 42");
	buf_splice(&b, b.len, 0, "!", 1);
	assert_string_equal(b.ptr, "bye, world 42!");
	assert_int_equal(buf_splice(&b, 100, 1, "", 0), -E_GENERIC);
	s = buf_detach(&b, &len);
	assert_string_equal(s, "bye, world 42!");
	assert_int_equal(len, 14);
	assert_string_equal(b.ptr, "");
	free(s);
	s = buf_detach(&b, NULL);	/* an empty buffer still hands over a string */
	assert_string_equal(s, "");
	free(s);
	err_clear();
}

static void
test_buf_trim_and_binary(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_puts(&b, " \t a b \r\n");
	buf_trim(&b);
	assert_string_equal(b.ptr, "a b");
	buf_reset(&b);
	buf_add(&b, "x\0y", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.ptr, "x\0y", 4);
	buf_release(&b);
	buf_release(&b);	/* releasing twice is harmless */
}

static void
test_buf_cap(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	b.cap = 8;
	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_equal(buf_puts(&b, "9"), -E_TOOBIG);
	assert_string_equal(b.ptr, "12345678");
	assert_int_equal(buf_printf(&b, "%d", 1), -E_TOOBIG);
	assert_non_null(strstr(err_msg(), "limit of 8 bytes"));
	buf_release(&b);
	err_clear();
}

static void
test_strvec(void **state)
{
	struct strvec v = STRVEC_INIT;

	(void)state;
	assert_null(v.v[0]);
	strvec_pushl(&v, "a", "b", NULL);
	strvec_pushf(&v, "%s=%d", "c", 3);
	assert_int_equal(v.nr, 3);
	assert_string_equal(v.v[2], "c=3");
	assert_null(v.v[3]);
	assert_int_equal(strvec_find(&v, "b"), 1);
	assert_int_equal(strvec_find(&v, "z"), -1);
	strvec_clear(&v);
	assert_int_equal(v.nr, 0);
	assert_null(v.v[0]);
}

static void
test_run_capture_and_stdin(void **state)
{
	struct run r = RUN_INIT;

	(void)state;
	strvec_pushl(&r.argv, "sh", "-c", "cat; echo err >&2; exit 3", NULL);
	r.in = "from stdin";
	r.in_len = strlen(r.in);
	r.capture_out = r.capture_err = 1;
	assert_int_equal(run_exec(&r), 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.out.ptr, "from stdin");
	assert_string_equal(r.err.ptr, "err\n");
	run_release(&r);
}

static void
test_run_env_and_dir(void **state)
{
	struct run r = RUN_INIT;

	(void)state;
	setenv("SLIPWAY_TEST_KEEP", "kept", 1);
	setenv("SLIPWAY_TEST_DROP", "dropped", 1);
	strvec_pushl(&r.argv, "sh", "-c",
	    "printf '%s|%s|%s|' \"$SLIPWAY_TEST_KEEP\" \"${SLIPWAY_TEST_DROP-unset}\" \"$X\"; pwd",
	    NULL);
	strvec_pushl(&r.env, "X=1", "SLIPWAY_TEST_DROP", NULL);
	r.dir = "/";
	r.capture_out = 1;
	assert_int_equal(run_exec(&r), 0);
	assert_string_equal(r.out.ptr, "kept|unset|1|/\n");
	run_release(&r);

	struct run c = RUN_INIT;

	strvec_pushl(&c.argv, "/usr/bin/env", NULL);
	strvec_push(&c.env, "ONLY=this");
	c.env_clear = 1;
	c.capture_out = 1;
	assert_int_equal(run_exec(&c), 0);
	assert_string_equal(c.out.ptr, "ONLY=this\n");
	run_release(&c);
}

static void
test_run_stdin_is_devnull_and_fds_closed(void **state)
{
	struct run r = RUN_INIT;

	(void)state;
	strvec_pushl(&r.argv, "sh", "-c", "cat; ls /proc/self/fd | wc -l", NULL);
	r.capture_out = 1;
	assert_int_equal(run_exec(&r), 0);
	/* 0, 1, 2 and the descriptor ls uses for the listing */
	assert_string_equal(r.out.ptr, "4\n");
	run_release(&r);
}

static void
test_run_missing_program(void **state)
{
	struct run r = RUN_INIT;

	(void)state;
	strvec_push(&r.argv, "/nonexistent/slipway-no-such-program");
	assert_int_equal(run_exec(&r), -E_NOTFOUND);
	assert_non_null(strstr(err_msg(), "slipway-no-such-program"));
	run_release(&r);
	err_clear();
}

/* Alive means running or stopped: a zombie waiting for a reaper is dead
 * (PID 1 in a container may never reap it). */
static int
process_alive(pid_t pid)
{
	struct buf path = BUF_INIT, stat = BUF_INIT;
	const char *p;
	int alive = 0;

	buf_printf(&path, "/proc/%ld/stat", (long)pid);
	if (buf_read_file(&stat, path.ptr) == 0 && (p = strrchr(stat.ptr, ')')))
		alive = p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	buf_release(&path);
	buf_release(&stat);
	err_clear();
	return alive;
}

static void
test_run_timeout_kills_group(void **state)
{
	struct run r = RUN_INIT;
	char pidfile[] = "/tmp/slipway-run-XXXXXX";
	struct buf pid = BUF_INIT;
	struct timespec t0, t1;
	int fd = mkstemp(pidfile);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	/* a grandchild that would outlive a kill of the child alone */
	strvec_pushl(&r.argv, "sh", "-c", "sleep 30 & echo $! >\"$1\"; wait", "sh", pidfile,
	    NULL);
	r.timeout_ms = 300;
	r.capture_out = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run_exec(&r), -E_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	assert_non_null(strstr(err_msg(), "timed out"));
	assert_int_equal(buf_read_file(&pid, pidfile), 0);
	usleep(100000);
	assert_false(process_alive((pid_t)atoi(pid.ptr)));
	unlink(pidfile);
	buf_release(&pid);
	run_release(&r);
	err_clear();
}

static void
test_run_child_ignoring_stdin(void **state)
{
	struct run r = RUN_INIT;
	size_t n = 1 << 20;
	char *big = calloc(n, 1);

	(void)state;
	/* without SIGPIPE handled, writing the rest would kill the test */
	strvec_pushl(&r.argv, "true", NULL);
	r.in = big;
	r.in_len = n;
	assert_int_equal(run_exec(&r), 0);
	assert_int_equal(r.status, 0);
	run_release(&r);
	free(big);
}

static void
test_run_process_groups(void **state)
{
	struct run own = RUN_INIT, fg = RUN_INIT;
	char ours[32];

	(void)state;
	snprintf(ours, sizeof(ours), "%ld\n", (long)getpgrp());
	strvec_pushl(&own.argv, "sh", "-c", "ps -o pgid= -p $$ | tr -d \" \"", NULL);
	own.capture_out = 1;
	assert_int_equal(run_exec(&own), 0);
	assert_string_not_equal(own.out.ptr, ours);
	strvec_pushl(&fg.argv, "sh", "-c", "ps -o pgid= -p $$ | tr -d \" \"", NULL);
	fg.capture_out = 1;
	fg.foreground = 1;
	assert_int_equal(run_exec(&fg), 0);
	assert_string_equal(fg.out.ptr, ours);
	run_release(&own);
	run_release(&fg);
	fg.foreground = 1;
	fg.timeout_ms = 10;
	strvec_push(&fg.argv, "true");
	assert_int_equal(run_exec(&fg), -E_GENERIC);	/* no timeout in the foreground */
	run_release(&fg);
	err_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_basics),
		cmocka_unit_test(test_buf_trim_and_binary),
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_strvec),
		cmocka_unit_test(test_run_capture_and_stdin),
		cmocka_unit_test(test_run_env_and_dir),
		cmocka_unit_test(test_run_stdin_is_devnull_and_fds_closed),
		cmocka_unit_test(test_run_missing_program),
		cmocka_unit_test(test_run_timeout_kills_group),
		cmocka_unit_test(test_run_child_ignoring_stdin),
		cmocka_unit_test(test_run_process_groups),
	};

	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
