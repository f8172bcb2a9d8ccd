/* hook.c - installing `slipway hook pre-receive` and parsing its input. */
#include "gate/hook.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "git/refs.h"
#include "lib/err.h"
#include "lib/util.h"
#include "project/project.h"

#define MARK "Installed by 'slipway hook install'"

/* Quotes s for sh in single quotes. */
static void
sh_quote(struct buf *out, const char *s)
{
	buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_puts(out, "'\\''");
		else
			buf_putc(out, *s);
	}
	buf_putc(out, '\'');
}

int
hook_install(struct repo *r, const char *exe, int force, struct buf *path)
{
	struct buf old = BUF_INIT, text = BUF_INIT;
	int rc = 0;

	buf_printf(path, "%shooks", r->gitdir);
	if (mkdir(path->ptr, 0777) < 0 && errno != EEXIST) {
		rc = err_set(-E_IO, "cannot create '%s': %s", path->ptr, strerror(errno));
		goto out;
	}
	buf_puts(path, "/pre-receive");
	if (buf_read_file(&old, path->ptr) == 0 && !strstr(old.ptr, MARK) && !force) {
		rc = err_set(-E_REFUSED, "'%s' exists and is not slipway's", path->ptr);
		err_hint("keep it and call 'slipway hook pre-receive' from it, or replace it "
		    "with --force");
		goto out;
	}
	err_clear();
	buf_puts(&text, "#!/bin/sh\n# " MARK ": pushes to staging and master\n"
	    "# must keep to the release protocol (docs/hook.md).\nexec ");
	sh_quote(&text, exe);
	buf_puts(&text, " hook pre-receive\n");
	if ((rc = write_file_atomic(path->ptr, text.ptr, text.len)) == 0 &&
	    chmod(path->ptr, 0755) < 0)
		rc = err_set(-E_IO, "cannot make '%s' executable: %s", path->ptr, strerror(errno));
out:
	buf_release(&old);
	buf_release(&text);
	return rc;
}

int
hook_write_commit_graph(struct repo *r)
{
	struct run cmd = RUN_INIT;
	int rc;

	repo_git_cmd(r, &cmd);
	strvec_pushl(&cmd.argv, "commit-graph", "write", "--reachable", "--split",
	    "--no-progress", NULL);
	cmd.capture_out = cmd.capture_err = 1;
	if ((rc = run_exec(&cmd)) == 0 && cmd.status != 0) {
		buf_rtrim(&cmd.err);
		rc = err_set(-E_GENERIC, "cannot write a commit-graph: %s", cmd.err.ptr);
	}
	run_release(&cmd);
	return rc;
}

int
hook_parse_updates(const char *text, struct ref_update **u, size_t *n)
{
	size_t alloc = 0;
	const char *p;

	*u = NULL;
	*n = 0;
	for (p = text; *p;) {
		size_t len = strcspn(p, "\n");
		struct ref_update *e;

		if (len < 2 * GIT_OID_HEXSZ + 3 || p[GIT_OID_HEXSZ] != ' ' ||
		    p[2 * GIT_OID_HEXSZ + 1] != ' ') {
			hook_updates_free(*u, *n);
			*u = NULL;
			*n = 0;
			return err_set(-E_INVALID, "malformed update line '%.*s'", (int)len, p);
		}
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			*u = xrealloc(*u, alloc * sizeof(**u));
		}
		e = &(*u)[(*n)++];
		e->ref = xstrndup(p + 2 * GIT_OID_HEXSZ + 2, len - 2 * GIT_OID_HEXSZ - 2);
		if (git_oid_fromstrn(&e->old_oid, p, GIT_OID_HEXSZ) < 0 ||
		    git_oid_fromstrn(&e->new_oid, p + GIT_OID_HEXSZ + 1, GIT_OID_HEXSZ) < 0) {
			hook_updates_free(*u, *n);
			*u = NULL;
			*n = 0;
			return err_set(-E_INVALID, "malformed update line '%.*s'", (int)len, p);
		}
		p += len + (p[len] == '\n');
	}
	return 0;
}

void
hook_updates_free(struct ref_update *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(u[i].ref);
	free(u);
}

int
hook_load_config(struct repo *r, struct config *cfg)
{
	struct project p = PROJECT_INIT;
	struct buf ref = BUF_INIT;
	git_oid staging;
	int rc, found = 0;

	if ((rc = project_load(r, &p)) < 0)
		goto out;
	buf_printf(&ref, "refs/heads/%s", p.staging);
	if (refs_resolve(r, ref.ptr, &staging) == 0)
		rc = project_load_commit(r, &staging, p.staging, cfg, &found);
	else
		err_clear();
	if (rc == 0 && !found) {
		*cfg = p.cfg;
		memset(&p.cfg, 0, sizeof(p.cfg));
	}
	if (rc == 0)
		err_clear();
out:
	project_release(&p);
	buf_release(&ref);
	return rc;
}
