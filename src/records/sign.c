/* sign.c - ssh signatures on records: ssh-keygen -Y sign, find-principals, verify. */
#include "records/sign.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/run.h"
#include "lib/util.h"

#define SIGN_TIMEOUT_MS 30000
#define SIGN_PROGRAM "ssh-keygen"
#define ARMOR_BEGIN "-----BEGIN SSH SIGNATURE-----"

/* The signing settings of the git configuration; all owned. */
struct sign_config {
	struct buf format;	/* gpg.format */
	struct buf key;		/* user.signingkey */
	struct buf program;	/* gpg.ssh.program, or SIGN_PROGRAM */
};

#define SIGN_CONFIG_INIT { BUF_INIT, BUF_INIT, BUF_INIT }

static void
config_release(struct sign_config *c)
{
	buf_release(&c->format);
	buf_release(&c->key);
	buf_release(&c->program);
}

/* Copies the string value of name into out when it is set. */
static void
config_get(git_config *cfg, const char *name, struct buf *out)
{
	git_buf v = { 0 };

	if (git_config_get_string_buf(&v, cfg, name) == 0)
		buf_puts(out, v.ptr);
	git_buf_dispose(&v);
}

/* Reads the signing settings of r into c (c starts empty). */
static int
config_read(struct repo *r, struct sign_config *c)
{
	git_config *cfg = NULL;

	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return repo_error(-E_CONFIG, "reading git config");
	config_get(cfg, "gpg.format", &c->format);
	config_get(cfg, "user.signingkey", &c->key);
	config_get(cfg, "gpg.ssh.program", &c->program);
	if (!c->program.len)
		buf_puts(&c->program, SIGN_PROGRAM);
	git_config_free(cfg);
	return 0;
}

int
sign_configured(struct repo *r)
{
	struct sign_config c = SIGN_CONFIG_INIT;
	int rc;

	if ((rc = config_read(r, &c)) == 0)
		rc = !strcmp(c.format.ptr, "ssh") && c.key.len;
	config_release(&c);
	return rc;
}

/*
 * Makes a file holding data under TMPDIR (or /tmp), named for what; its
 * name goes into path (reset first). On failure path is left empty, so a
 * caller removes the file with temp_remove() on every path.
 */
static int
temp_file(const char *what, const char *data, size_t len, struct buf *path)
{
	const char *dir = getenv("TMPDIR");
	size_t off = 0;
	int fd, i, e;

	if (!dir || !*dir)
		dir = "/tmp";
	buf_reset(path);
	buf_printf(path, "%s/slipway-%s-", dir, what);
	for (i = 0; i < 6; i++)
		buf_putc(path, 'X');	/* mkstemp's placeholder */
	if ((fd = mkstemp(path->ptr)) < 0) {
		buf_reset(path);
		return err_set(-E_IO, "cannot create a temporary file in '%s': %s", dir,
		    strerror(errno));
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		off += (size_t)n;
	}
	e = off < len ? errno : 0;
	if (close(fd) < 0 && !e)
		e = errno;
	if (e) {
		unlink(path->ptr);
		err_set(-E_IO, "cannot write temporary file '%s': %s", path->ptr, strerror(e));
		buf_reset(path);
		return -E_IO;
	}
	return 0;
}

static void
temp_remove(struct buf *path)
{
	if (path->len)
		unlink(path->ptr);
	buf_release(path);
}

/* Runs ssh-keygen as r says, data on stdin (NULL: /dev/null), both outputs
 * captured, with a timeout. Returns 0 when it ran (see r->status) or
 * run_exec's error. */
static int
keygen_run(struct run *r, const char *data, size_t len)
{
	r->in = data;
	r->in_len = data ? len : 0;
	r->capture_out = r->capture_err = 1;
	r->timeout_ms = SIGN_TIMEOUT_MS;
	return run_exec(r);
}

/*
 * ssh-keygen must not ask for a key's passphrase: without a terminal it
 * reads it from stdin, i.e. takes the data's first line as the passphrase
 * and signs the rest; with one, it stops (it is not in the terminal's
 * foreground group) until the timeout. Unless the user has an askpass
 * program ssh-keygen would use, give it one that fails at once.
 */
static void
no_prompt(struct run *r)
{
	const char *askpass = getenv("SSH_ASKPASS"), *req = getenv("SSH_ASKPASS_REQUIRE");
	const char *x11 = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");

	if (askpass && *askpass && ((x11 && *x11) || (wl && *wl) ||
	    (req && !strcasecmp(req, "force"))))
		return;
	strvec_pushl(&r->env, "SSH_ASKPASS_REQUIRE=force", "SSH_ASKPASS=false", NULL);
}

/* Appends to out the first line of text that says something (ssh-keygen
 * frames its warnings in lines of '@'), or "no message". */
static void
first_line(const struct buf *text, struct buf *out)
{
	const char *p = text->ptr;

	while (*p) {
		size_t n = strcspn(p, "\n");
		size_t lead = strspn(p, " \t\r");

		if (lead < n && p[lead] != '@') {
			while (n > lead && (p[n - 1] == '\r' || p[n - 1] == ' '))
				n--;
			buf_add(out, p + lead, n - lead);
			return;
		}
		p += n + (p[n] == '\n');
	}
	buf_puts(out, "no message");
}

/* The public key of a literal user.signingkey ("key::..." or "ssh-..."),
 * or NULL when the value names a file. As git's is_literal_ssh_key(). */
static const char *
literal_key(const char *key)
{
	if (starts_with(key, "key::"))
		return key + 5;
	if (starts_with(key, "ssh-"))
		return key;
	return NULL;
}

/* Puts the path of the key file named by user.signingkey into path, "~/"
 * expanded with HOME; -E_CONFIG naming the key when it is not a file. */
static int
key_path(const char *key, struct buf *path)
{
	const char *home = getenv("HOME");
	const char *problem = NULL;
	struct stat st;

	if (starts_with(key, "~/")) {
		if (!home || !*home)
			return err_set(-E_CONFIG, "ssh signing key '%s': HOME is not set", key);
		buf_printf(path, "%s/%s", home, key + 2);
	} else {
		buf_puts(path, key);
	}
	if (stat(path->ptr, &st) < 0)
		problem = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		problem = "not a file";
	if (problem) {
		err_set(-E_CONFIG, "ssh signing key '%s' (user.signingkey) cannot be read: %s",
		    path->ptr, problem);
		err_hint("set user.signingkey to your ssh key file, or to 'key::' and the "
		    "public key");
		return -E_CONFIG;
	}
	return 0;
}

int
sign_data(struct repo *r, const char *data, size_t len, struct buf *out)
{
	struct sign_config c = SIGN_CONFIG_INIT;
	struct buf keyfile = BUF_INIT, tmpkey = BUF_INIT, msg = BUF_INIT;
	struct run run = RUN_INIT;
	const char *literal = NULL;
	int rc;

	if ((rc = config_read(r, &c)) < 0)
		goto out;
	if (strcmp(c.format.ptr, "ssh") || !c.key.len) {
		rc = err_set(-E_CONFIG,
		    "ssh signing is not configured (gpg.format, user.signingkey)");
		err_hint("git config gpg.format ssh && "
		    "git config user.signingkey ~/.ssh/id_ed25519.pub");
		goto out;
	}
	if ((literal = literal_key(c.key.ptr)))
		rc = temp_file("key", literal, strlen(literal), &tmpkey);
	else
		rc = key_path(c.key.ptr, &keyfile);
	if (rc < 0)
		goto out;
	/* -q: no "Signing data on standard input" before the real message */
	strvec_pushl(&run.argv, c.program.ptr, "-q", "-Y", "sign", "-n", SIGN_NAMESPACE, "-f",
	    literal ? tmpkey.ptr : keyfile.ptr, NULL);
	if (literal)
		strvec_push(&run.argv, "-U");
	no_prompt(&run);
	if ((rc = keygen_run(&run, data, len)) < 0)
		goto out;
	if (run.status != 0 || !starts_with(run.out.ptr, ARMOR_BEGIN)) {
		first_line(&run.err, &msg);
		rc = err_set(-E_GENERIC, "signing with ssh key '%s' failed: %s", c.key.ptr,
		    msg.ptr);
		if (literal)
			err_hint("a 'key::' signing key must be in ssh-agent: add it with ssh-add");
		else if (strstr(run.err.ptr, "passphrase"))
			err_hint("a key with a passphrase must be in ssh-agent: ssh-add '%s'",
			    keyfile.ptr);
		goto out;
	}
	rc = buf_add(out, run.out.ptr, run.out.len);
out:
	temp_remove(&tmpkey);
	buf_release(&keyfile);
	buf_release(&msg);
	run_release(&run);
	config_release(&c);
	return rc;
}

/* Sets *why (when not NULL) to the reason, printf-style. */
static void __attribute__((format(printf, 2, 3)))
set_why(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return;
	buf_reset(why);
	va_start(ap, fmt);
	buf_vprintf(why, fmt, ap);
	va_end(ap);
}

/* The reason for a failed verify or check-novalidate, from its stderr. */
static void
bad_reason(const struct buf *err, struct buf *why)
{
	struct buf line = BUF_INIT;

	if (strstr(err->ptr, "incorrect signature")) {
		set_why(why, "signature does not match the record");
	} else {
		first_line(err, &line);
		set_why(why, "bad signature: %s", line.ptr);
	}
	buf_release(&line);
}

/* Appends the principals whose keys made the signature in sigfile, one a
 * line, to out; nothing when there are none (or it cannot be parsed). */
static int
find_principals(const char *sigfile, const char *allowed, struct buf *out)
{
	struct run run = RUN_INIT;
	int rc;

	strvec_pushl(&run.argv, SIGN_PROGRAM, "-Y", "find-principals", "-s", sigfile, "-f",
	    allowed, NULL);
	if ((rc = keygen_run(&run, NULL, 0)) == 0 && run.status == 0)
		buf_add(out, run.out.ptr, run.out.len);
	run_release(&run);
	return rc;
}

/*
 * No allowed signer made the signature in sigfile: SIGN_UNKNOWN_KEY when it
 * is at least a good signature of data by its own key (why names the key's
 * fingerprint), SIGN_BAD otherwise.
 */
static int
check_unknown(const char *sigfile, const char *data, size_t len, enum sign_verdict *verdict,
    struct buf *why)
{
	struct run run = RUN_INIT;
	const char *fp;
	int rc;

	strvec_pushl(&run.argv, SIGN_PROGRAM, "-Y", "check-novalidate", "-n", SIGN_NAMESPACE,
	    "-s", sigfile, NULL);
	if ((rc = keygen_run(&run, data, len)) < 0)
		goto out;
	if (run.status != 0) {
		*verdict = SIGN_BAD;
		bad_reason(&run.err, why);
		goto out;
	}
	*verdict = SIGN_UNKNOWN_KEY;
	/* "Good "slipway" signature with ED25519 key SHA256:..." */
	if ((fp = strstr(run.out.ptr, " key ")) && fp[5] && !strchr(" \n", fp[5]))
		set_why(why, "signed by a key not in .slipway/allowed_signers (%.*s)",
		    (int)strcspn(fp + 5, " \r\n"), fp + 5);
	else
		set_why(why, "signed by a key not in .slipway/allowed_signers");
out:
	run_release(&run);
	return rc;
}

/* Verifies the signature in sigfile over data as made by each principal
 * (lines of found) in turn: SIGN_GOOD with principal set at the first that
 * holds, SIGN_BAD with why when none does. */
static int
verify_as(const char *sigfile, const char *allowed, const char *found, const char *data,
    size_t len, enum sign_verdict *verdict, struct buf *principal, struct buf *why)
{
	struct buf err = BUF_INIT;
	int rc = 0;

	*verdict = SIGN_BAD;
	while (*found && *verdict != SIGN_GOOD && rc == 0) {
		size_t n = strcspn(found, "\n");
		struct run run = RUN_INIT;
		char *who = xstrndup(found, n);

		strvec_pushl(&run.argv, SIGN_PROGRAM, "-Y", "verify", "-f", allowed, "-I", who,
		    "-n", SIGN_NAMESPACE, "-s", sigfile, NULL);
		if (*who && (rc = keygen_run(&run, data, len)) == 0) {
			if (run.status == 0) {
				*verdict = SIGN_GOOD;
				if (principal)
					buf_puts(principal, who);
			}
			buf_reset(&err);
			buf_add(&err, run.err.ptr, run.err.len);
		}
		free(who);
		run_release(&run);
		found += n + (found[n] == '\n');
	}
	if (rc == 0 && *verdict == SIGN_BAD)
		bad_reason(&err, why);
	buf_release(&err);
	return rc;
}

int
sign_verify(const char *allowed_signers, const char *data, size_t len, const char *sig,
    enum sign_verdict *verdict, struct buf *principal, struct buf *why)
{
	struct buf sigfile = BUF_INIT, allowed = BUF_INIT, found = BUF_INIT;
	int rc;

	*verdict = SIGN_BAD;
	if (principal)
		buf_reset(principal);
	if (why)
		buf_reset(why);
	if (!sig || !*sig) {
		*verdict = SIGN_NONE;
		set_why(why, "unsigned");
		return 0;
	}
	if (!starts_with(sig, ARMOR_BEGIN)) {
		set_why(why, "bad signature: not an ssh signature");
		return 0;
	}
	if ((rc = temp_file("sig", sig, strlen(sig), &sigfile)) < 0 ||
	    (rc = temp_file("allowed", allowed_signers ? allowed_signers : "",
	    allowed_signers ? strlen(allowed_signers) : 0, &allowed)) < 0 ||
	    (rc = find_principals(sigfile.ptr, allowed.ptr, &found)) < 0)
		goto out;
	if (strspn(found.ptr, " \r\n") == found.len)
		rc = check_unknown(sigfile.ptr, data, len, verdict, why);
	else
		rc = verify_as(sigfile.ptr, allowed.ptr, found.ptr, data, len, verdict,
		    principal, why);
out:
	temp_remove(&sigfile);
	temp_remove(&allowed);
	buf_release(&found);
	return rc;
}
