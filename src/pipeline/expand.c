/* expand.c - the jobs of a plan: needs closed over, matrix expanded, ordered; reuse and cache. */
#include <stdlib.h>
#include <string.h>

#include "gate/gate.h"
#include "lib/err.h"
#include "lib/util.h"
#include "pipeline/plan_int.h"
#include "records/records.h"

/* Marks d and everything it needs. */
static void
want(const struct job *defs, size_t n, const struct job *d, char *wanted)
{
	size_t i;

	if (wanted[d - defs])
		return;
	wanted[d - defs] = 1;
	for (i = 0; i < d->needs.nr; i++)
		want(defs, n, job_def_find(defs, n, d->needs.v[i]), wanted);
}

static void
copy_strvec(struct strvec *to, const struct strvec *from)
{
	size_t i;

	for (i = 0; i < from->nr; i++)
		strvec_push(to, from->v[i]);
}

/* Appends an instance of d to p->jobs: name, and the version it targets. */
static void
add_instance(struct plan *p, const struct job *d, const char *side, const char *target)
{
	struct job *j;

	p->jobs = xrealloc(p->jobs, (p->njobs + 1) * sizeof(*p->jobs));
	j = &p->jobs[p->njobs++];
	job_init(j, d->name, d->line);
	if (side) {
		struct buf name = BUF_INIT;

		buf_printf(&name, "%s[%s]", d->name, side);
		free(j->name);
		j->name = buf_detach(&name, NULL);
		j->target = xstrdup(target);
	}
	copy_strvec(&j->run, &d->run);
	copy_strvec(&j->needs, &d->needs);
	copy_strvec(&j->pipelines, &d->pipelines);
	copy_strvec(&j->env, &d->env);
	copy_strvec(&j->pass_env, &d->pass_env);
	copy_strvec(&j->inputs, &d->inputs);
	j->timeout = d->timeout;
	j->when = d->when;
}

/* Each job's deps: the indexes of every instance of what it needs. */
static void
link_deps(struct plan *p)
{
	size_t i, k, m;

	for (i = 0; i < p->njobs; i++) {
		struct job *j = &p->jobs[i];

		free(j->deps);
		j->deps = xcalloc(p->njobs ? p->njobs : 1, sizeof(*j->deps));
		j->ndeps = 0;
		for (k = 0; k < j->needs.nr; k++)
			for (m = 0; m < p->njobs; m++)
				if (!strcmp(p->jobs[m].def, j->needs.v[k]))
					j->deps[j->ndeps++] = m;
	}
}

/* Each job's deps and level. */
static void
link_jobs(struct plan *p)
{
	size_t i, k;
	int changed = 1;

	link_deps(p);
	while (changed) {	/* levels: longest way down; the graph has no cycle */
		changed = 0;
		for (i = 0; i < p->njobs; i++)
			for (k = 0; k < p->jobs[i].ndeps; k++)
				if (p->jobs[i].level <= p->jobs[p->jobs[i].deps[k]].level) {
					p->jobs[i].level = p->jobs[p->jobs[i].deps[k]].level + 1;
					changed = 1;
				}
	}
}

static int
by_level(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Sorts by level (needs first), keeping file order within a level. */
static void
order_jobs(struct plan *p)
{
	if (p->njobs > 1)
		qsort(p->jobs, p->njobs, sizeof(*p->jobs), by_level);
	link_deps(p);	/* the indexes changed */
}

static int
expand_matrix(struct plan *p, const struct job *d)
{
	if (!d->target) {
		add_instance(p, d, NULL, NULL);
		return 0;
	}
	if (!p->version || !p->compat)
		return err_set(-E_CONFIG, "%s:%d: job '%s' has matrix = compat, but %s",
		    p->cfg.name, d->line, d->name, !p->version ? "no project version is set "
		    "(release.version-file)" : "no compat version is set (compat.version)");
	add_instance(p, d, "current", p->version);
	add_instance(p, d, "compat", p->compat);
	return 0;
}

int
plan_expand(struct plan *p, const struct plan_opts *o, const struct job *defs, size_t ndefs)
{
	char *wanted = xcalloc(ndefs ? ndefs : 1, 1);
	size_t i, k;
	int rc = 0;

	if (o->only) {
		const struct job *d = job_def_find(defs, ndefs, o->only);

		if (!d)
			rc = err_set(-E_INVALID, "unknown job '%s' in %s", o->only, p->cfg.name);
		else
			want(defs, ndefs, d, wanted);
	} else {
		for (i = 0; i < ndefs; i++)
			for (k = 0; k < p->npipelines; k++)
				if (!p->pipelines[k].reused && job_in_pipeline(&defs[i],
				    p->pipelines[k].name))
					want(defs, ndefs, &defs[i], wanted);
	}
	for (i = 0; i < ndefs && rc == 0; i++)
		if (wanted[i])
			rc = expand_matrix(p, &defs[i]);
	free(wanted);
	if (rc == 0) {
		link_jobs(p);
		order_jobs(p);
	}
	return rc;
}

/* path without "." components and extra slashes: "./lib/" is "lib", "." is "". */
static void
clean_path(const char *path, struct buf *out)
{
	const char *p = path;

	while (*p) {
		size_t n = strcspn(p, "/");

		if (n && !(n == 1 && *p == '.'))
			buf_printf(out, "%s%.*s", out->len ? "/" : "", (int)n, p);
		p += n;
		p += *p == '/';
	}
	if (!out->ptr)
		buf_puts(out, "");
}

/* The key of a job's cache: its definition and the tree ids of its inputs. */
static int
cache_key(struct repo *r, struct plan *p, struct job *j)
{
	git_tree *tree = NULL;
	struct buf text = BUF_INIT;
	git_oid key;
	size_t i;
	int rc = 0, missing = 0;

	if (git_tree_lookup(&tree, r->git, &p->tree) < 0)
		return repo_error(-E_GENERIC, "reading the tree of %s", repo_short(&p->commit));
	/* every field length-prefixed: values may hold newlines */
	buf_printf(&text, "slipway job cache 2\njob %zu:%s\ntarget %zu:%s\n", strlen(j->def),
	    j->def, j->target ? strlen(j->target) : 0, j->target ? j->target : "");
	for (i = 0; i < j->run.nr; i++)
		buf_printf(&text, "run %zu:%s\n", strlen(j->run.v[i]), j->run.v[i]);
	for (i = 0; i < j->env.nr; i++)
		buf_printf(&text, "env %zu:%s\n", strlen(j->env.v[i]), j->env.v[i]);
	for (i = 0; i < j->pass_env.nr; i++)
		buf_printf(&text, "pass-env %zu:%s\n", strlen(j->pass_env.v[i]), j->pass_env.v[i]);
	for (i = 0; i < j->inputs.nr; i++) {
		git_tree_entry *e = NULL;
		struct buf clean = BUF_INIT;

		clean_path(j->inputs.v[i], &clean);
		if (!clean.len) {	/* "." : the whole tree */
			buf_printf(&text, "input 1:. %s\n", git_oid_tostr_s(&p->tree));
		} else if (git_tree_entry_bypath(&e, tree, clean.ptr) == 0) {
			buf_printf(&text, "input %zu:%s %s\n", clean.len, clean.ptr,
			    git_oid_tostr_s(git_tree_entry_id(e)));
		} else {	/* nothing to key it by: the job runs, uncached */
			strvec_pushf(&p->notes, "job '%s': its input '%s' is not in %s, so it is "
			    "not cached", j->name, j->inputs.v[i], repo_short(&p->commit));
			missing = 1;
		}
		git_tree_entry_free(e);
		buf_release(&clean);
	}
	if (missing)
		j->key[0] = '\0';
	else if (git_odb_hash(&key, text.ptr, text.len, GIT_OBJECT_BLOB) < 0)
		rc = repo_error(-E_GENERIC, "hashing the cache key of '%s'", j->name);
	else
		git_oid_tostr(j->key, sizeof(j->key), &key);
	git_tree_free(tree);
	buf_release(&text);
	return rc;
}

/* records_walk callback: the newest cache entry's commit. */
static int
cache_commit(const struct record *rec, void *data)
{
	const char *c = json_string_value(json_object_get(rec->json, "commit"));

	*(char **)data = xstrdup(c ? c : "?");
	return 1;
}

int
plan_lookup(struct repo *r, struct plan *p, int force)
{
	size_t i;
	int rc;

	for (i = 0; i < p->njobs; i++) {
		struct job *j = &p->jobs[i];

		if (!j->inputs.nr)
			continue;
		if ((rc = cache_key(r, p, j)) < 0)
			return rc;
		if (force || !j->key[0])
			continue;
		rc = records_walk(r, "jobcache", j->key, cache_commit, &j->cached_by);
		if (rc == -E_NOTFOUND) {
			err_clear();
			continue;
		}
		if (rc < 0)
			return rc;
		j->state = JOB_CACHED;
		j->why = "its inputs passed before";
	}
	return 0;
}

int
plan_reuse(struct repo *r, struct plan *p, int force)
{
	struct buf why = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < p->npipelines && !force && rc >= 0; i++) {
		buf_reset(&why);
		rc = gate_pipeline_status(r, p->pipelines[i].name, &p->commit, &why);
		if (rc == 1)
			p->pipelines[i].reused = xstrdup(why.ptr);
		if (rc == -E_NOTFOUND || rc >= 0) {
			err_clear();
			rc = 0;
		}
	}
	buf_release(&why);
	return rc;
}
