/* plan.c - from slipway.conf at a commit to the jobs to run, in order. */
#include "pipeline/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "gate/gate.h"
#include "lib/err.h"
#include "lib/util.h"
#include "pipeline/plan_int.h"
#include "project/project.h"

/* Appends the space-separated words of v to out. */
static void
push_words(struct strvec *out, const char *v)
{
	const char *p = v;

	for (p += strspn(p, " \t"); *p; p += strspn(p, " \t")) {
		size_t n = strcspn(p, " \t");
		char *w = xstrndup(p, n);

		if (strvec_find(out, w) < 0)
			strvec_push_nodup(out, w);
		else
			free(w);
		p += n;
	}
}

struct job *
job_def_find(const struct job *defs, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(defs[i].name, name))
			return (struct job *)&defs[i];
	return NULL;
}

/* Fills job j's definition from one "job.NAME.KEY = VALUE" entry. */
static void
def_entry(struct job *j, const struct config_entry *e)
{
	if (!strcmp(e->key, "run"))
		strvec_push(&j->run, e->value);
	else if (!strcmp(e->key, "needs"))
		push_words(&j->needs, e->value);
	else if (!strcmp(e->key, "pipelines"))
		push_words(&j->pipelines, e->value);
	else if (!strcmp(e->key, "env"))
		strvec_push(&j->env, e->value);
	else if (!strcmp(e->key, "pass-env"))
		push_words(&j->pass_env, e->value);
	else if (!strcmp(e->key, "inputs"))
		push_words(&j->inputs, e->value);
	else if (!strcmp(e->key, "timeout"))
		j->timeout = config_duration(e->value);
	else if (!strcmp(e->key, "if"))
		j->when = !strcmp(e->value, "failure") ? WHEN_FAILURE :
		    !strcmp(e->value, "always") ? WHEN_ALWAYS : WHEN_SUCCESS;
	else if (!strcmp(e->key, "matrix"))
		j->target = xstrdup(e->value);	/* "compat"; expanded later */
}

/* The [job] definitions of cfg, in file order. */
static int
read_defs(const struct config *cfg, struct job **out, size_t *n)
{
	struct job *defs = NULL, *j;
	size_t i, k, alloc = 0;

	*n = 0;
	for (i = 0; i < cfg->nr; i++) {
		const struct config_entry *e = &cfg->entries[i];

		if (strcmp(e->section, "job"))
			continue;
		if (!(j = job_def_find(defs, *n, e->subsection))) {
			if (strspn(e->subsection, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
			    "VWXYZ0123456789_.-") != strlen(e->subsection) || !*e->subsection) {
				*out = defs;
				return err_set(-E_CONFIG, "%s:%d: '%s' is not a job name: use letters, "
				    "digits, '_', '.' and '-'", cfg->name, e->line, e->subsection);
			}
			if (*n == alloc) {
				alloc = alloc ? 2 * alloc : 8;
				defs = xrealloc(defs, alloc * sizeof(*defs));
			}
			j = &defs[(*n)++];
			job_init(j, e->subsection, e->line);
		}
		def_entry(j, e);
	}
	*out = defs;
	for (k = 0; k < *n; k++)
		if (!defs[k].run.nr)
			return err_set(-E_CONFIG, "%s:%d: job '%s' has no 'run' line", cfg->name,
			    defs[k].line, defs[k].name);
	return 0;
}

/* Depth-first search for a needs cycle from d; path holds the way down. */
static int
find_cycle(struct job *defs, size_t n, struct job *d, int *mark, struct strvec *path)
{
	size_t i, k = (size_t)(d - defs);
	int rc = 0;

	if (mark[k] == 2)
		return 0;
	strvec_push(path, d->name);
	if (mark[k] == 1)
		return 1;
	mark[k] = 1;
	for (i = 0; i < d->needs.nr && !rc; i++)
		rc = find_cycle(defs, n, job_def_find(defs, n, d->needs.v[i]), mark, path);
	if (rc)
		return rc;
	mark[k] = 2;
	free(path->v[--path->nr]);
	path->v[path->nr] = NULL;
	return 0;
}

/* Unknown jobs in needs and cycles, named. */
static int
check_needs(const struct config *cfg, struct job *defs, size_t n)
{
	struct strvec path = STRVEC_INIT;
	int *mark = xcalloc(n ? n : 1, sizeof(*mark));
	size_t i, k;
	int rc = 0;

	for (i = 0; i < n && !rc; i++)
		for (k = 0; k < defs[i].needs.nr && !rc; k++)
			if (!job_def_find(defs, n, defs[i].needs.v[k]))
				rc = err_set(-E_CONFIG, "%s:%d: job '%s' needs '%s', which is not a "
				    "job", cfg->name, defs[i].line, defs[i].name, defs[i].needs.v[k]);
	for (i = 0; i < n && !rc; i++) {
		if (find_cycle(defs, n, &defs[i], mark, &path)) {
			struct buf b = BUF_INIT;
			const char *last = path.v[path.nr - 1];

			for (k = 0; strcmp(path.v[k], last); k++)
				;
			for (; k < path.nr; k++)
				buf_printf(&b, "%s%s", b.len ? " -> " : "", path.v[k]);
			rc = err_set(-E_CONFIG, "%s: the jobs' needs go round in a cycle: %s",
			    cfg->name, b.ptr);
			buf_release(&b);
		}
	}
	strvec_clear(&path);
	free(mark);
	return rc;
}

/* The pipelines a [pipeline] section or a job's `pipelines` names. */
static void
known_pipelines(const struct config *cfg, const struct job *defs, size_t n, struct strvec *out)
{
	size_t i, k;

	for (i = 0; i < cfg->nr; i++)
		if (!strcmp(cfg->entries[i].section, "pipeline") &&
		    strvec_find(out, cfg->entries[i].subsection) < 0)
			strvec_push(out, cfg->entries[i].subsection);
	for (i = 0; i < n; i++)
		for (k = 0; k < defs[i].pipelines.nr; k++)
			if (strvec_find(out, defs[i].pipelines.v[k]) < 0)
				strvec_push(out, defs[i].pipelines.v[k]);
}

/* Whether [pipeline "name"] `on` lists role. */
static int
runs_on(const struct config *cfg, const char *name, const char *role)
{
	struct strvec roles = STRVEC_INIT;
	size_t i;
	int yes;

	for (i = 0; i < cfg->nr; i++) {
		const struct config_entry *e = &cfg->entries[i];

		if (!strcmp(e->section, "pipeline") && !strcmp(e->subsection, name) &&
		    !strcmp(e->key, "on"))
			push_words(&roles, e->value);
	}
	yes = strvec_find(&roles, role) >= 0;
	strvec_clear(&roles);
	return yes;
}

/* Which pipelines: those named, or those whose `on` lists the role. */
static int
select_pipelines(struct plan *p, const struct plan_opts *o, const struct job *defs, size_t n)
{
	struct strvec known = STRVEC_INIT, chosen = STRVEC_INIT;
	size_t i;
	int rc = 0;

	known_pipelines(&p->cfg, defs, n, &known);
	for (i = 0; o->pipelines && o->pipelines[i] && !rc; i++) {
		if (strvec_find(&known, o->pipelines[i]) < 0)
			rc = err_set(-E_INVALID, "unknown pipeline '%s' in %s", o->pipelines[i],
			    p->cfg.name);
		else if (strvec_find(&chosen, o->pipelines[i]) < 0)
			strvec_push(&chosen, o->pipelines[i]);
	}
	for (i = 0; !rc && !(o->pipelines && o->pipelines[0]) && i < known.nr; i++)
		if (runs_on(&p->cfg, known.v[i], p->role))
			strvec_push(&chosen, known.v[i]);
	if (rc == 0 && !chosen.nr && !o->only) {
		rc = err_set(-E_INVALID, "nothing to run: no pipeline in %s runs on a %s branch",
		    p->cfg.name, p->role);
		if (!known.nr)
			err_hint("define jobs with [job \"NAME\"] and when they run with [pipeline "
			    "\"NAME\"] on = ... (docs/run.md)");
		else
			err_hint("name one (slipway run %s) or list '%s' in a pipeline's 'on'",
			    known.v[0], p->role);
	}
	p->pipelines = xcalloc(chosen.nr ? chosen.nr : 1, sizeof(*p->pipelines));
	for (i = 0; i < chosen.nr; i++)
		p->pipelines[p->npipelines++].name = xstrdup(chosen.v[i]);
	strvec_clear(&known);
	strvec_clear(&chosen);
	return rc;
}

void
job_init(struct job *j, const char *name, int line)
{
	memset(j, 0, sizeof(*j));
	j->name = xstrdup(name);
	j->def = xstrdup(name);
	j->timeout = JOB_TIMEOUT_DEFAULT;
	j->line = line;
	buf_init(&j->tail, 0);
}

void
job_free(struct job *j)
{
	free(j->name);
	free(j->def);
	strvec_clear(&j->run);
	strvec_clear(&j->needs);
	strvec_clear(&j->pipelines);
	strvec_clear(&j->env);
	strvec_clear(&j->pass_env);
	strvec_clear(&j->inputs);
	free(j->target);
	free(j->deps);
	free(j->cached_by);
	free(j->dir);
	free(j->log);
	buf_release(&j->tail);
}

/* The commit, its tree, and the branch it is run for. */
static int
resolve(struct repo *r, const struct plan_opts *o, struct plan *p)
{
	const char *rev = o->rev ? o->rev : "HEAD";
	git_object *obj = NULL, *peeled = NULL;
	git_reference *ref = NULL;
	struct buf b = BUF_INIT;
	int rc = 0;

	if (o->branch) {
		buf_printf(&b, "refs/heads/%s", o->branch);
		if (!git_reference_is_valid_name(b.ptr)) {
			rc = err_set(-E_INVALID, "'%s' is not a valid branch name", o->branch);
			goto out;
		}
		buf_reset(&b);
	}
	if (git_revparse_ext(&obj, &ref, r->git, rev) < 0 ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = err_set(-E_INVALID, "'%s' does not name a commit", rev);
		goto out;
	}
	git_oid_cpy(&p->commit, git_object_id(peeled));
	git_oid_cpy(&p->tree, git_commit_tree_id((git_commit *)peeled));
	if (o->branch)
		buf_puts(&b, o->branch);
	else if (ref && git_reference_is_branch(ref))
		buf_puts(&b, git_reference_shorthand(ref));
	else if (ref && git_reference_is_remote(ref) && strchr(git_reference_shorthand(ref), '/'))
		buf_puts(&b, strchr(git_reference_shorthand(ref), '/') + 1);
	else
		repo_current_branch(r, &b);
	err_clear();
	p->branch = xstrdup(b.len ? b.ptr : "");
out:
	buf_release(&b);
	git_reference_free(ref);
	git_object_free(peeled);
	git_object_free(obj);
	return rc;
}

static const char *
branch_role(const struct config *cfg, const char *b)
{
	if (!strcmp(b, config_get(cfg, "branches.staging", "staging")))
		return "staging";
	if (!strcmp(b, config_get(cfg, "branches.production", "master")))
		return "production";
	if (config_glob_match(config_get(cfg, "branches.hotfix", "hotfix/*"), b))
		return "hotfix";
	if (config_glob_match(config_get(cfg, "branches.cdfix", "cd-fix/*"), b))
		return "cdfix";
	return "feature";
}

/* slipway.conf as the commit has it, the branch's role, versions. */
static int
load(struct repo *r, struct plan *p)
{
	struct strvec vals = STRVEC_INIT;
	struct compat c = COMPAT_INIT;
	size_t i;
	int rc, found = 0;

	if ((rc = project_load_commit(r, &p->commit, repo_short(&p->commit), &p->cfg,
	    &found)) < 0)
		return rc;
	if (!found)
		return err_set(-E_CONFIG, "commit %s has no %s: nothing says what to run",
		    repo_short(&p->commit), PROJECT_CONF);
	p->role = branch_role(&p->cfg, p->branch);
	config_get_all(&p->cfg, "run.pass-env", &vals);
	for (i = 0; i < vals.nr; i++)
		push_words(&p->pass_env, vals.v[i]);
	if (!vals.nr)
		strvec_pushl(&p->pass_env, "PATH", "HOME", NULL);
	strvec_clear(&vals);
	if ((rc = compat_project_version(r, &p->cfg, &p->commit, &p->version)) < 0 ||
	    (rc = compat_read(r, &p->cfg, &p->commit, &c)) < 0)
		goto out;
	p->compat = c.version;
	c.version = NULL;
out:
	compat_release(&c);
	return rc;
}

int
plan_make(struct repo *r, const struct plan_opts *o, struct plan *p)
{
	struct job *defs = NULL;
	size_t i, ndefs = 0;
	int rc;

	p->partial = o->only != NULL;
	if ((rc = resolve(r, o, p)) < 0 || (rc = load(r, p)) < 0)
		return rc;
	if ((rc = read_defs(&p->cfg, &defs, &ndefs)) == 0 &&
	    (rc = check_needs(&p->cfg, defs, ndefs)) == 0 &&
	    (rc = select_pipelines(p, o, defs, ndefs)) == 0 &&
	    (rc = plan_reuse(r, p, o->force || o->only)) == 0 &&
	    (rc = plan_expand(p, o, defs, ndefs)) == 0)
		rc = plan_lookup(r, p, o->force);
	for (i = 0; i < ndefs; i++)
		job_free(&defs[i]);
	free(defs);
	return rc;
}

void
plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->njobs; i++)
		job_free(&p->jobs[i]);
	free(p->jobs);
	for (i = 0; i < p->npipelines; i++) {
		free(p->pipelines[i].name);
		free(p->pipelines[i].reused);
	}
	free(p->pipelines);
	free(p->branch);
	free(p->version);
	free(p->compat);
	strvec_clear(&p->pass_env);
	strvec_clear(&p->notes);
	config_release(&p->cfg);
	memset(p, 0, sizeof(*p));
}

int
job_in_pipeline(const struct job *j, const char *name)
{
	return !j->pipelines.nr || strvec_find(&j->pipelines, name) >= 0;
}

const char *
job_state_name(enum job_state s)
{
	static const char *const names[] = { "pending", "running", "pass", "fail", "timeout",
	    "cancelled", "skipped", "cached" };

	return names[s];
}
