/* remote.c - ls-remote, object-only fetch and atomic leased push via git. */
#include "git/remote.h"

#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/util.h"

int
remote_check(struct repo *r, const char *name)
{
	git_strarray names = { 0 };
	git_remote *rem = NULL;
	struct buf list = BUF_INIT;
	size_t i;

	int e = git_remote_lookup(&rem, r->git, name);

	git_remote_free(rem);
	if (e == 0)
		return 0;
	if (e != GIT_ENOTFOUND)
		return repo_error(-E_CONFIG, "reading remote '%s'", name);
	err_set(-E_CONFIG, "remote '%s' does not exist", name);
	if (git_remote_list(&names, r->git) == 0 && names.count) {
		for (i = 0; i < names.count; i++)
			buf_printf(&list, "%s'%s'", i ? ", " : "", names.strings[i]);
		err_hint("the remotes here: %s; choose one with --remote NAME", list.ptr);
	} else {
		err_hint("add one with 'git remote add origin URL'");
	}
	git_strarray_dispose(&names);
	buf_release(&list);
	return -E_CONFIG;
}

/* Whether git died of Ctrl-C (SIGINT) or SIGQUIT. */
static int
interrupted(const struct run *cmd)
{
	return cmd->status == 128 + 2 || cmd->status == 128 + 3;
}

/* Keeps only the lines that carry the remote's own words, for messages. */
static void
remote_lines(const char *err, struct buf *out)
{
	while (*err) {
		size_t n = strcspn(err, "\n");

		size_t len = n;

		while (len && (err[len - 1] == ' ' || err[len - 1] == '\r'))
			len--;
		if (starts_with(err, "remote:") || starts_with(err, "fatal:") ||
		    starts_with(err, "error:"))
			buf_printf(out, "\n    %.*s", (int)len, err);
		err += n + (err[n] == '\n');
	}
}

int
remote_list(struct repo *r, const char *name, struct remote_refs *out)
{
	return remote_list_refs(r, name, 0, NULL, out);
}

int
remote_list_refs(struct repo *r, const char *name, unsigned kinds,
    const struct strvec *refnames, struct remote_refs *out)
{
	struct run cmd = RUN_INIT;
	const char *p;
	size_t i;
	int rc;

	if (remote_list_local(r, name, kinds, refnames, out) == 0)
		return 0;
	repo_git_cmd(r, &cmd);
	strvec_push(&cmd.argv, "ls-remote");
	/* these become protocol v2 ref prefixes: the server sends only those */
	if (kinds & REMOTE_HEADS)
		strvec_push(&cmd.argv, "--heads");
	if (kinds & REMOTE_TAGS)
		strvec_push(&cmd.argv, "--tags");
	strvec_pushl(&cmd.argv, "--", name, NULL);
	for (i = 0; refnames && i < refnames->nr; i++)
		strvec_push(&cmd.argv, refnames->v[i]);
	cmd.foreground = 1;
	cmd.capture_out = cmd.capture_err = 1;
	if ((rc = run_exec(&cmd)) < 0)
		goto out;
	if (cmd.status) {
		struct buf lines = BUF_INIT;

		remote_lines(cmd.err.ptr, &lines);
		rc = err_set(interrupted(&cmd) ? -E_INTERRUPTED : -E_REMOTE,
		    "cannot read remote '%s'%s", name, lines.ptr);
		buf_release(&lines);
		goto out;
	}
	for (p = cmd.out.ptr; *p;) {
		size_t n = strcspn(p, "\n");
		const char *tab = memchr(p, '\t', n);

		if (tab && tab - p == GIT_OID_HEXSZ && (p + n)[-1] != '}') {
			git_oid oid;

			git_oid_fromstrn(&oid, p, GIT_OID_HEXSZ);
			remote_refs_add(out, tab + 1, (size_t)(p + n - tab - 1), &oid);
		}
		p += n + (p[n] == '\n');
	}
out:
	run_release(&cmd);
	return rc;
}

void
remote_refs_add(struct remote_refs *refs, const char *name, size_t len, const git_oid *oid)
{
	if (refs->nr == refs->alloc) {
		refs->alloc = refs->alloc ? refs->alloc * 2 : 64;
		refs->v = xrealloc(refs->v, refs->alloc * sizeof(*refs->v));
	}
	refs->v[refs->nr].oid = *oid;
	refs->v[refs->nr++].name = xstrndup(name, len);
}

const git_oid *
remote_refs_get(const struct remote_refs *refs, const char *refname)
{
	size_t i;

	for (i = 0; i < refs->nr; i++)
		if (!strcmp(refs->v[i].name, refname))
			return &refs->v[i].oid;
	return NULL;
}

void
remote_refs_release(struct remote_refs *refs)
{
	size_t i;

	for (i = 0; i < refs->nr; i++)
		free(refs->v[i].name);
	free(refs->v);
	refs->v = NULL;
	refs->nr = refs->alloc = 0;
}

int
remote_fetch_objects(struct repo *r, const char *name, const struct strvec *refnames)
{
	struct run cmd = RUN_INIT;
	size_t i;
	int rc;

	repo_git_cmd(r, &cmd);
	strvec_pushl(&cmd.argv, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
	    "--refmap=", "--no-recurse-submodules", "--no-auto-maintenance", "--", name, NULL);
	for (i = 0; i < refnames->nr; i++)
		strvec_push(&cmd.argv, refnames->v[i]);
	cmd.foreground = 1;
	cmd.capture_out = cmd.capture_err = 1;
	if ((rc = run_exec(&cmd)) == 0 && cmd.status) {
		struct buf lines = BUF_INIT;

		remote_lines(cmd.err.ptr, &lines);
		rc = err_set(interrupted(&cmd) ? -E_INTERRUPTED : -E_REMOTE,
		    "cannot fetch from '%s'%s", name, lines.ptr);
		buf_release(&lines);
	}
	run_release(&cmd);
	return rc;
}

/* Whether needle occurs in [s, end). */
static int
line_has(const char *s, const char *end, const char *needle)
{
	return memmem(s, (size_t)(end - s), needle, strlen(needle)) != NULL;
}

/* Reads git push --porcelain output: the verdict for the whole push. */
static int
push_verdict(const char *name, const struct run *cmd)
{
	struct buf why = BUF_INIT, lines = BUF_INIT;
	const char *p;
	int stale = 0, rc;

	for (p = cmd->out.ptr; *p;) {
		size_t n = strcspn(p, "\n");
		const char *ref = memchr(p, ':', n), *sum;

		sum = ref ? memchr(ref, '\t', (size_t)(p + n - ref)) : NULL;
		if (*p == '!' && sum && !line_has(sum, p + n, "atomic push fail")) {
			if (line_has(sum, p + n, "stale info") || line_has(sum, p + n, "fetch first") ||
			    line_has(sum, p + n, "non-fast-forward"))
				stale = 1;
			buf_printf(&why, "%s%.*s: %.*s", why.len ? "; " : "",
			    (int)(sum - ref - 1), ref + 1, (int)(p + n - sum - 1), sum + 1);
		}
		p += n + (p[n] == '\n');
	}
	/* with --atomic, git stops before sending when a lease or a
	 * fast-forward check fails locally: "atomic push failed for ref R.
	 * status: N" (2 non-fast-forward, 5 fetch first, 6 needs force, 7 stale) */
	if ((p = strstr(cmd->err.ptr, "atomic push failed for ref "))) {
		const char *st = strstr(p, "status: ");
		int code = st ? atoi(st + 8) : 0;

		if ((code == 2 || code == 5 || code == 6 || code == 7) && !why.len) {
			const char *ref = p + strlen("atomic push failed for ref ");
			const char *end = st ? st : ref + strcspn(ref, "\n");

			if (end > ref + 2 && !strncmp(end - 2, ". ", 2))
				end -= 2;
			stale = 1;
			buf_printf(&why, "%.*s moved", (int)(end - ref), ref);
		}
	}
	/* the remote found a ref moved under its lock (another push won the
	 * race after git's own lease check): "cannot lock ref 'R': is at X but
	 * expected Y" */
	if (why.len && strstr(cmd->err.ptr, "cannot lock ref") &&
	    strstr(cmd->err.ptr, "but expected"))
		stale = 1;
	remote_lines(cmd->err.ptr, &lines);
	if (stale)
		rc = err_set(-E_STALE, "'%s' changed since it was fetched (%s); nothing was pushed",
		    name, why.ptr);
	else if (why.len)
		rc = err_set(-E_REMOTE, "'%s' refused the push (%s); nothing was pushed%s",
		    name, why.ptr, lines.ptr);
	else if (interrupted(cmd))
		rc = err_set(-E_UNSURE, "the push to '%s' was interrupted", name);
	else
		rc = err_set(-E_UNSURE, "the push to '%s' failed (git exited %d)%s", name,
		    cmd->status, lines.ptr);
	buf_release(&why);
	buf_release(&lines);
	return rc;
}

int
remote_push_atomic(struct repo *r, const struct quarantine *q, const char *name,
    const struct push_update *u, size_t n)
{
	struct run cmd = RUN_INIT;
	char hex[GIT_OID_HEXSZ + 1], old[GIT_OID_HEXSZ + 1];
	size_t i;
	int rc;

	repo_git_cmd(r, &cmd);
	strvec_pushl(&cmd.argv, "push", "--porcelain", "--atomic", "--no-recurse-submodules",
	    "--no-follow-tags", NULL);
	for (i = 0; i < n; i++) {
		git_oid_tostr(old, sizeof(old), &u[i].expect);
		strvec_pushf(&cmd.argv, "--force-with-lease=%s:%s", u[i].dst,
		    git_oid_is_zero(&u[i].expect) ? "" : old);
	}
	strvec_pushl(&cmd.argv, "--", name, NULL);
	for (i = 0; i < n; i++) {
		git_oid_tostr(hex, sizeof(hex), &u[i].new_oid);
		strvec_pushf(&cmd.argv, "%s:%s", hex, u[i].dst);
	}
	quarantine_env_read(q, &cmd);
	cmd.foreground = 1;
	cmd.capture_out = cmd.capture_err = 1;
	if ((rc = run_exec(&cmd)) == 0 && cmd.status)
		rc = push_verdict(name, &cmd);
	run_release(&cmd);
	return rc;
}

int
remote_tracking_ref(struct repo *r, const char *name, const char *refname, struct buf *out)
{
	git_remote *rem = NULL;
	git_buf dst = { 0 };
	size_t i, n;
	int rc = -E_NOTFOUND;

	if (git_remote_lookup(&rem, r->git, name) < 0)
		return err_set(-E_NOTFOUND, "remote '%s' does not exist", name);
	n = git_remote_refspec_count(rem);
	for (i = 0; i < n; i++) {
		const git_refspec *rs = git_remote_get_refspec(rem, i);

		if (git_refspec_direction(rs) != GIT_DIRECTION_FETCH ||
		    !git_refspec_src_matches(rs, refname))
			continue;
		if (git_refspec_transform(&dst, rs, refname) == 0) {
			buf_puts(out, dst.ptr);
			rc = 0;
			break;
		}
	}
	git_buf_dispose(&dst);
	git_remote_free(rem);
	if (rc)
		err_set(rc, "no fetch refspec of '%s' maps '%s'", name, refname);
	return rc;
}
