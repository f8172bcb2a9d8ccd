/* test_sign.c - ssh signatures on records, with real ssh-keygen and keys made here. */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/err.h"
#include "lib/run.h"
#include "lib/util.h"
#include "records/sign.h"

#define RECORD "{\n  \"n\": 1\n}\n"
#define LOCKED_DATA "secret\n" RECORD	/* starts with the passphrase */

static struct buf dir = BUF_INIT;	/* the scratch directory, also HOME */
static struct buf tmpdir = BUF_INIT;	/* TMPDIR: must be empty after every call */
static struct buf pub = BUF_INIT;	/* "ssh-ed25519 AAAA... test" of dir/k */
static struct buf allowed = BUF_INIT;	/* rec@example.com may sign with dir/k */
static pid_t agent_pid;

/* Runs argv (NULL-terminated), stdin from in (may be NULL); returns its exit
 * status, or -1 when it could not run. out (may be NULL) gets stdout. */
static int
cmd(const char *in, struct buf *out, const char *arg0, ...)
{
	struct run r = RUN_INIT;
	const char *a;
	va_list ap;
	int status;

	va_start(ap, arg0);
	for (a = arg0; a; a = va_arg(ap, const char *))
		strvec_push(&r.argv, a);
	va_end(ap);
	r.in = in;
	r.in_len = in ? strlen(in) : 0;
	r.capture_out = r.capture_err = 1;
	r.timeout_ms = 30000;
	status = run_exec(&r) < 0 ? -1 : r.status;
	if (out)
		buf_add(out, r.out.ptr, r.out.len);
	run_release(&r);
	return status;
}

/* Makes an ed25519 key pair without passphrase at dir/name. */
static int
make_key(const char *name)
{
	struct buf path = BUF_INIT;
	int rc;

	buf_printf(&path, "%s/%s", dir.ptr, name);
	rc = cmd(NULL, NULL, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f",
	    path.ptr, NULL);
	buf_release(&path);
	return rc;
}

/* A scratch directory as HOME and TMPDIR's parent, a repository in it as
 * the current directory, no configuration but the repository's, no agent,
 * and two keys: k (allowed as rec@example.com) and other (not allowed). */
static int
setup(void **state)
{
	struct buf path = BUF_INIT;
	git_repository *g = NULL;
	int i, lv;

	(void)state;
	buf_puts(&dir, "/tmp/slipway-sign-");
	for (i = 0; i < 6; i++)
		buf_putc(&dir, 'X');	/* mkdtemp's placeholder */
	if (!mkdtemp(dir.ptr))
		return -1;
	buf_printf(&tmpdir, "%s/tmp", dir.ptr);
	if (mkdir(tmpdir.ptr, 0700) < 0 || setenv("HOME", dir.ptr, 1) < 0 ||
	    setenv("TMPDIR", tmpdir.ptr, 1) < 0 || unsetenv("SSH_AUTH_SOCK") < 0 ||
	    unsetenv("XDG_CONFIG_HOME") < 0 || unsetenv("SSH_ASKPASS") < 0 ||
	    unsetenv("SSH_ASKPASS_REQUIRE") < 0 || unsetenv("DISPLAY") < 0 ||
	    unsetenv("WAYLAND_DISPLAY") < 0)
		return -1;
	git_libgit2_init();
	buf_printf(&path, "%s/noconfig", dir.ptr);
	for (lv = GIT_CONFIG_LEVEL_PROGRAMDATA; lv <= GIT_CONFIG_LEVEL_GLOBAL; lv++)
		if (git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, lv, path.ptr) < 0)
			return -1;
	buf_reset(&path);
	buf_printf(&path, "%s/repo", dir.ptr);
	if (git_repository_init(&g, path.ptr, 0) < 0 || chdir(path.ptr) < 0)
		return -1;
	git_repository_free(g);
	buf_reset(&path);
	buf_printf(&path, "%s/k.pub", dir.ptr);
	if (make_key("k") != 0 || make_key("other") != 0 || buf_read_file(&pub, path.ptr) < 0)
		return -1;
	buf_rtrim(&pub);
	buf_printf(&allowed, "rec@example.com %s\n", pub.ptr);
	buf_release(&path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (agent_pid > 0)
		kill(agent_pid, SIGTERM);
	if (chdir("/") == 0 && starts_with(dir.ptr, "/tmp/slipway-sign-"))
		cmd(NULL, NULL, "rm", "-rf", dir.ptr, NULL);
	buf_release(&dir);
	buf_release(&tmpdir);
	buf_release(&pub);
	buf_release(&allowed);
	git_libgit2_shutdown();
	return 0;
}

/* Sets (value not NULL) or removes a key in the repository's config. */
static void
set_config(struct repo *r, const char *key, const char *value)
{
	git_config *cfg = NULL;

	assert_int_equal(git_repository_config(&cfg, r->git), 0);
	if (value)
		assert_int_equal(git_config_set_string(cfg, key, value), 0);
	else
		git_config_delete_entry(cfg, key);
	git_config_free(cfg);
}

/* Opens the scratch repository with ssh signing set to key ("~/k": dir/k). */
static void
open_signing(struct repo *r, const char *key)
{
	assert_int_equal(repo_open(r), 0);
	set_config(r, "gpg.format", "ssh");
	set_config(r, "user.signingkey", key);
	set_config(r, "gpg.ssh.program", NULL);
}

/* No temporary file of ours outlived the call. */
static void
assert_tmp_empty(void)
{
	DIR *d = opendir(tmpdir.ptr);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	assert_int_equal(n, 0);
}

/* Checks sig over data against signers; returns the verdict, why into why. */
static enum sign_verdict
verdict_of(const char *signers, const char *data, const char *sig, struct buf *principal,
    struct buf *why)
{
	enum sign_verdict v = SIGN_GOOD;

	assert_int_equal(sign_verify(signers, data, strlen(data), sig, &v, principal, why), 0);
	assert_tmp_empty();
	return v;
}

static void
test_configured(void **state)
{
	struct repo r = REPO_INIT;

	(void)state;
	assert_int_equal(repo_open(&r), 0);
	set_config(&r, "gpg.format", NULL);
	set_config(&r, "user.signingkey", NULL);
	assert_int_equal(sign_configured(&r), 0);
	set_config(&r, "user.signingkey", "~/k");
	assert_int_equal(sign_configured(&r), 0);	/* gpg (openpgp) is the default */
	set_config(&r, "gpg.format", "openpgp");
	assert_int_equal(sign_configured(&r), 0);
	set_config(&r, "gpg.format", "ssh");
	assert_int_equal(sign_configured(&r), 1);
	set_config(&r, "user.signingkey", NULL);
	assert_int_equal(sign_configured(&r), 0);
	repo_release(&r);
	err_clear();
}

static void
test_sign_verify_good(void **state)
{
	struct repo r = REPO_INIT;
	struct buf sig = BUF_INIT, principal = BUF_INIT, why = BUF_INIT, path = BUF_INIT;

	(void)state;
	open_signing(&r, "~/k");
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), 0);
	assert_tmp_empty();
	assert_true(starts_with(sig.ptr, "-----BEGIN SSH SIGNATURE-----\n"));
	assert_non_null(strstr(sig.ptr, "\n-----END SSH SIGNATURE-----\n"));
	buf_puts(&why, "stale");
	assert_int_equal(verdict_of(allowed.ptr, RECORD, sig.ptr, &principal, &why), SIGN_GOOD);
	assert_string_equal(principal.ptr, "rec@example.com");
	assert_string_equal(why.ptr, "");
	assert_int_equal(verdict_of(allowed.ptr, RECORD, sig.ptr, NULL, NULL), SIGN_GOOD);

	/* ssh-keygen itself: made in the "slipway" namespace, not git's */
	buf_printf(&path, "%s/record.sig", dir.ptr);
	assert_int_equal(write_file_atomic(path.ptr, sig.ptr, sig.len), 0);
	assert_int_equal(cmd(RECORD, NULL, "ssh-keygen", "-Y", "check-novalidate", "-n", "slipway",
	    "-s", path.ptr, NULL), 0);
	assert_int_not_equal(cmd(RECORD, NULL, "ssh-keygen", "-Y", "check-novalidate", "-n", "git",
	    "-s", path.ptr, NULL), 0);

	/* a public key file works too: ssh-keygen finds the private half beside it */
	buf_reset(&sig);
	set_config(&r, "user.signingkey", "~/k.pub");
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), 0);
	assert_int_equal(verdict_of(allowed.ptr, RECORD, sig.ptr, &principal, &why), SIGN_GOOD);
	assert_string_equal(principal.ptr, "rec@example.com");
	buf_release(&sig);
	buf_release(&principal);
	buf_release(&why);
	buf_release(&path);
	repo_release(&r);
	err_clear();
}

/* The fingerprint ssh-keygen -l gives the public key at dir/name. */
static void
fingerprint(const char *name, struct buf *out)
{
	struct buf path = BUF_INIT, line = BUF_INIT;
	char *sp;

	buf_printf(&path, "%s/%s", dir.ptr, name);
	assert_int_equal(cmd(NULL, &line, "ssh-keygen", "-l", "-f", path.ptr, NULL), 0);
	sp = strchr(line.ptr, ' ');	/* "256 SHA256:... test (ED25519)" */
	assert_non_null(sp);
	buf_add(out, sp + 1, strcspn(sp + 1, " "));
	assert_true(starts_with(out->ptr, "SHA256:"));
	buf_release(&path);
	buf_release(&line);
}

static void
test_unknown_key(void **state)
{
	struct repo r = REPO_INIT;
	struct buf sig = BUF_INIT, principal = BUF_INIT, why = BUF_INIT, fp = BUF_INIT;
	struct buf other = BUF_INIT, expect = BUF_INIT, path = BUF_INIT;

	(void)state;
	open_signing(&r, "~/k");
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), 0);
	fingerprint("k.pub", &fp);
	buf_printf(&expect, "signed by a key not in .slipway/allowed_signers (%s)", fp.ptr);
	buf_puts(&principal, "stale");
	assert_int_equal(verdict_of("", RECORD, sig.ptr, &principal, &why), SIGN_UNKNOWN_KEY);
	assert_string_equal(why.ptr, expect.ptr);
	assert_string_equal(principal.ptr, "");
	assert_int_equal(verdict_of(NULL, RECORD, sig.ptr, NULL, &why), SIGN_UNKNOWN_KEY);

	/* allowed_signers names someone else's key only */
	buf_printf(&path, "%s/other.pub", dir.ptr);
	assert_int_equal(buf_read_file(&other, path.ptr), 0);
	buf_splice(&other, 0, 0, "someone@example.com ", 20);
	assert_int_equal(verdict_of(other.ptr, RECORD, sig.ptr, NULL, &why), SIGN_UNKNOWN_KEY);
	assert_string_equal(why.ptr, expect.ptr);
	buf_release(&sig);
	buf_release(&principal);
	buf_release(&why);
	buf_release(&fp);
	buf_release(&other);
	buf_release(&expect);
	buf_release(&path);
	repo_release(&r);
	err_clear();
}

static void
test_altered_data(void **state)
{
	struct repo r = REPO_INIT;
	struct buf sig = BUF_INIT, principal = BUF_INIT, why = BUF_INIT;

	(void)state;
	open_signing(&r, "~/k");
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), 0);
	buf_puts(&principal, "stale");
	assert_int_equal(verdict_of(allowed.ptr, "{\n  \"n\": 2\n}\n", sig.ptr, &principal, &why),
	    SIGN_BAD);
	assert_string_equal(why.ptr, "signature does not match the record");
	assert_string_equal(principal.ptr, "");
	/* unknown key and altered data: not even a good signature */
	assert_int_equal(verdict_of("", "{}\n", sig.ptr, NULL, &why), SIGN_BAD);
	assert_string_equal(why.ptr, "signature does not match the record");
	buf_release(&sig);
	buf_release(&principal);
	buf_release(&why);
	repo_release(&r);
	err_clear();
}

static void
test_garbage_signature(void **state)
{
	struct buf why = BUF_INIT, gitsig = BUF_INIT, path = BUF_INIT;
	static const char armored[] = "-----BEGIN SSH SIGNATURE-----\nAAAAB3NzaC1yc2E=\n"
	    "-----END SSH SIGNATURE-----\n";

	(void)state;
	assert_int_equal(verdict_of(allowed.ptr, RECORD, "garbage", NULL, &why), SIGN_BAD);
	assert_true(starts_with(why.ptr, "bad signature: "));
	assert_int_equal(verdict_of(allowed.ptr, RECORD, armored, NULL, &why), SIGN_BAD);
	assert_true(starts_with(why.ptr, "bad signature: "));
	assert_int_equal(verdict_of("", RECORD, armored, NULL, &why), SIGN_BAD);

	/* a good signature of the same bytes, but made for git (namespace "git") */
	buf_printf(&path, "%s/k", dir.ptr);
	assert_int_equal(cmd(RECORD, &gitsig, "ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f",
	    path.ptr, NULL), 0);
	assert_true(starts_with(gitsig.ptr, "-----BEGIN SSH SIGNATURE-----"));
	assert_int_equal(verdict_of(allowed.ptr, RECORD, gitsig.ptr, NULL, &why), SIGN_BAD);
	assert_non_null(strstr(why.ptr, "namespace"));
	buf_release(&why);
	buf_release(&gitsig);
	buf_release(&path);
	err_clear();
}

static void
test_unsigned(void **state)
{
	struct buf principal = BUF_INIT, why = BUF_INIT;

	(void)state;
	buf_puts(&principal, "stale");
	assert_int_equal(verdict_of(allowed.ptr, RECORD, NULL, &principal, &why), SIGN_NONE);
	assert_string_equal(why.ptr, "unsigned");
	assert_string_equal(principal.ptr, "");
	assert_int_equal(verdict_of(allowed.ptr, RECORD, "", NULL, &why), SIGN_NONE);
	assert_string_equal(why.ptr, "unsigned");
	buf_release(&principal);
	buf_release(&why);
	err_clear();
}

static void
test_config_errors(void **state)
{
	struct repo r = REPO_INIT;
	struct buf sig = BUF_INIT;

	(void)state;
	open_signing(&r, "~/nope");
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), -E_CONFIG);
	assert_non_null(strstr(err_msg(), "nope"));
	set_config(&r, "user.signingkey", dir.ptr);	/* a directory */
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), -E_CONFIG);
	set_config(&r, "user.signingkey", NULL);
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), -E_CONFIG);
	assert_non_null(strstr(err_msg(), "not configured"));
	set_config(&r, "user.signingkey", "~/k");
	set_config(&r, "gpg.format", "openpgp");
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), -E_CONFIG);
	/* gpg.ssh.program is the program run */
	set_config(&r, "gpg.format", "ssh");
	set_config(&r, "gpg.ssh.program", "/nonexistent/ssh-keygen");
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), -E_NOTFOUND);
	assert_int_equal(sig.len, 0);
	assert_tmp_empty();
	set_config(&r, "gpg.ssh.program", NULL);
	buf_release(&sig);
	repo_release(&r);
	err_clear();
}

static void
test_ssh_keygen_fails(void **state)
{
	struct repo r = REPO_INIT;
	struct buf sig = BUF_INIT, key = BUF_INIT, path = BUF_INIT;

	(void)state;
	/* a private key others can read: ssh-keygen refuses it, framed in '@' lines */
	buf_printf(&path, "%s/k", dir.ptr);
	assert_int_equal(buf_read_file(&key, path.ptr), 0);
	buf_reset(&path);
	buf_printf(&path, "%s/open-key", dir.ptr);
	assert_int_equal(write_file_atomic(path.ptr, key.ptr, key.len), 0);
	assert_int_equal(chmod(path.ptr, 0644), 0);
	open_signing(&r, path.ptr);
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), -E_GENERIC);
	assert_non_null(strstr(err_msg(), "too open"));
	assert_int_equal(sig.len, 0);
	assert_tmp_empty();
	buf_release(&sig);
	buf_release(&key);
	buf_release(&path);
	repo_release(&r);
	err_clear();
}

static void
test_passphrase_key(void **state)
{
	struct repo r = REPO_INIT;
	struct buf sig = BUF_INIT, path = BUF_INIT;

	(void)state;
	/* left to itself ssh-keygen would take the first line of the data as
	 * the passphrase (no terminal) and sign the rest, or stop on the
	 * terminal until the timeout: it must fail at once instead */
	buf_printf(&path, "%s/locked", dir.ptr);
	assert_int_equal(cmd(NULL, NULL, "ssh-keygen", "-q", "-t", "ed25519", "-N", "secret",
	    "-C", "test", "-f", path.ptr, NULL), 0);
	open_signing(&r, path.ptr);
	assert_int_equal(sign_data(&r, LOCKED_DATA, strlen(LOCKED_DATA), &sig), -E_GENERIC);
	assert_non_null(strstr(err_msg(), "passphrase"));
	assert_non_null(strstr(err_hints(), "ssh-add"));
	assert_int_equal(sig.len, 0);
	buf_release(&sig);
	buf_release(&path);
	repo_release(&r);
	err_clear();
}

/* Starts ssh-agent on dir/agent.sock and points SSH_AUTH_SOCK at it;
 * returns 0, or 1 when ssh-agent is not installed. */
static int
start_agent(void)
{
	struct buf sock = BUF_INIT, out = BUF_INIT;
	const char *p;
	int status;

	buf_printf(&sock, "%s/agent.sock", dir.ptr);
	status = cmd(NULL, &out, "ssh-agent", "-s", "-a", sock.ptr, NULL);
	if (status < 0 || status == 127) {
		buf_release(&sock);
		buf_release(&out);
		return 1;
	}
	assert_int_equal(status, 0);
	p = strstr(out.ptr, "SSH_AGENT_PID=");
	assert_non_null(p);
	agent_pid = (pid_t)atol(p + 14);
	assert_true(agent_pid > 0);
	assert_int_equal(setenv("SSH_AUTH_SOCK", sock.ptr, 1), 0);
	buf_release(&sock);
	buf_release(&out);
	return 0;
}

static void
test_agent_literal_key(void **state)
{
	struct repo r = REPO_INIT;
	struct buf sig = BUF_INIT, principal = BUF_INIT, literal = BUF_INIT, path = BUF_INIT;

	(void)state;
	if (start_agent())
		skip();
	buf_printf(&path, "%s/k", dir.ptr);
	assert_int_equal(cmd(NULL, NULL, "ssh-add", "-q", path.ptr, NULL), 0);
	buf_printf(&literal, "key::%s", pub.ptr);
	open_signing(&r, literal.ptr);
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), 0);
	assert_tmp_empty();
	assert_int_equal(verdict_of(allowed.ptr, RECORD, sig.ptr, &principal, NULL), SIGN_GOOD);
	assert_string_equal(principal.ptr, "rec@example.com");

	/* the older form: the public key itself */
	buf_reset(&sig);
	set_config(&r, "user.signingkey", pub.ptr);
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), 0);
	assert_int_equal(verdict_of(allowed.ptr, RECORD, sig.ptr, &principal, NULL), SIGN_GOOD);

	/* no agent: ssh-keygen's own message, and no key file left behind */
	kill(agent_pid, SIGTERM);
	agent_pid = 0;
	unsetenv("SSH_AUTH_SOCK");
	buf_reset(&sig);
	set_config(&r, "user.signingkey", literal.ptr);
	assert_int_equal(sign_data(&r, RECORD, strlen(RECORD), &sig), -E_GENERIC);
	assert_non_null(strstr(err_msg(), "agent"));
	assert_int_equal(sig.len, 0);
	assert_tmp_empty();
	buf_release(&sig);
	buf_release(&principal);
	buf_release(&literal);
	buf_release(&path);
	repo_release(&r);
	err_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_configured),
		cmocka_unit_test(test_sign_verify_good),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_altered_data),
		cmocka_unit_test(test_garbage_signature),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_ssh_keygen_fails),
		cmocka_unit_test(test_passphrase_key),
		cmocka_unit_test(test_agent_literal_key),
	};

	return cmocka_run_group_tests_name("sign", tests, setup, teardown);
}
