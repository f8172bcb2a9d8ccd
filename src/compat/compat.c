/* compat.c - the compat version from slipway.conf, a file or the project version; breaking changes. */
#include "compat/compat.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "git/refs.h"
#include "lib/err.h"
#include "lib/util.h"
#include "semver/semver.h"
#include "vfile/vfile.h"

int
compat_project_version(struct repo *r, const struct config *cfg, const git_oid *commit,
    char **version)
{
	struct vfile_spec spec = { VFILE_PLAIN, NULL, NULL };
	struct strvec files = STRVEC_INIT;
	struct buf data = BUF_INIT;
	size_t off, len;
	int rc = 0;

	*version = NULL;
	config_get_all(cfg, "release.version-file", &files);
	if (!files.nr)
		goto out;
	if ((rc = vfile_spec_parse(&spec, files.v[0])) < 0)
		goto out;
	if ((rc = repo_read_at(r, commit, spec.path, &data)) == -E_NOTFOUND) {
		err_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	if ((rc = vfile_find(&spec, data.ptr, data.len, &off, &len)) < 0) {
		rc = err_wrap(-E_INVALID, "the version file '%s' at %s", files.v[0],
		    repo_short(commit));
		goto out;
	}
	*version = xstrndup(data.ptr + off, len);
out:
	vfile_spec_release(&spec);
	strvec_clear(&files);
	buf_release(&data);
	return rc;
}

/* The top-level string field name of the JSON document data (path names
 * it in messages); an owned string in *text. */
static int
json_field(const char *spec, const char *path, const char *name, const struct buf *data,
    const git_oid *commit, char **text)
{
	json_error_t jerr;
	json_t *doc = json_loadb(data->ptr, data->len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *v = json_object_get(doc, name);
	int rc = 0;

	if (!json_is_object(doc))
		rc = err_set(-E_CONFIG, "compat.version '%s': '%s' at %s is not a JSON object%s%s",
		    spec, path, repo_short(commit), doc ? "" : ": ", doc ? "" : jerr.text);
	else if (!v)
		rc = err_set(-E_CONFIG, "compat.version '%s': '%s' at %s has no top-level "
		    "field '%s'", spec, path, repo_short(commit), name);
	else if (!json_is_string(v))
		rc = err_set(-E_CONFIG, "compat.version '%s': field '%s' of '%s' at %s is not "
		    "a string", spec, name, path, repo_short(commit));
	else
		*text = xstrdup(json_string_value(v));
	json_decref(doc);
	return rc;
}

/* The value of the Makefile variable of spec ("PATH:VAR") in data. */
static int
make_var(const char *spec, const struct buf *data, const git_oid *commit, char **text)
{
	struct vfile_spec vs = { VFILE_PLAIN, NULL, NULL };
	size_t off, len;
	int rc;

	if ((rc = vfile_spec_parse(&vs, spec)) < 0)
		return rc;
	if ((rc = vfile_find(&vs, data->ptr, data->len, &off, &len)) < 0)
		rc = err_wrap(-E_CONFIG, "compat.version '%s' at %s", spec, repo_short(commit));
	else
		*text = xstrndup(data->ptr + off, len);
	vfile_spec_release(&vs);
	return rc;
}

/* compat.version = PATH:NAME: the text it holds at commit. */
static int
read_var(struct repo *r, const char *spec, const git_oid *commit, char **text)
{
	const char *colon = strrchr(spec, ':');
	char *path = xstrndup(spec, (size_t)(colon - spec));
	size_t n = strlen(path);
	struct buf data = BUF_INIT;
	int rc;

	if ((rc = repo_read_at(r, commit, path, &data)) == -E_NOTFOUND) {
		rc = err_set(-E_CONFIG, "compat.version names '%s', but commit %s has no '%s'",
		    spec, repo_short(commit), path);
		err_hint("add '%s', or point compat.version at the file that holds the "
		    "compat version", path);
	} else if (rc == 0 && n > 5 && !strcmp(path + n - 5, ".json")) {
		rc = json_field(spec, path, colon + 1, &data, commit, text);
	} else if (rc == 0) {
		rc = make_var(spec, &data, commit, text);
	}
	free(path);
	buf_release(&data);
	return rc;
}

int
compat_auto_major(const char *version, struct buf *out)
{
	struct semver v = SEMVER_INIT;
	int rc;

	if ((rc = semver_parse(&v, version)) < 0)
		return rc;
	if (v.pre && !v.minor && !v.patch)
		buf_puts(out, version);	/* 2.0.0-rc.1: 2.0.0 is not out yet */
	else
		buf_printf(out, "%llu.0.0", v.major);
	semver_release(&v);
	return 0;
}

/* compat.auto = major: a.0.0 of the project version at commit. */
static int
read_auto(struct repo *r, const struct config *cfg, const git_oid *commit,
    struct compat *out)
{
	struct buf b = BUF_INIT;
	char *project = NULL;
	int rc;

	if ((rc = compat_project_version(r, cfg, commit, &project)) < 0)
		return rc;
	if (!project) {
		rc = err_set(-E_CONFIG, "compat.auto = major needs the project's version, but "
		    "commit %s has none", repo_short(commit));
		err_hint("set release.version-file in %s to the file that holds it", cfg->name);
		return rc;
	}
	if ((rc = compat_auto_major(project, &b)) < 0) {
		rc = err_set(-E_CONFIG, "compat.auto = major: the project version at %s, '%s', "
		    "is not a semantic version", repo_short(commit), project);
	} else {
		out->version = buf_detach(&b, NULL);
		buf_printf(&b, "compat.auto = major (from %s)", project);
		out->from = buf_detach(&b, NULL);
	}
	free(project);
	buf_release(&b);
	return rc;
}

int
compat_read(struct repo *r, const struct config *cfg, const git_oid *commit,
    struct compat *out)
{
	const char *spec = config_get(cfg, "compat.version", NULL);
	const char *mode = config_get(cfg, "compat.auto", NULL);
	struct semver v = SEMVER_INIT;
	char *text = NULL;
	int rc;

	out->version = out->from = NULL;
	if (spec && mode) {
		rc = err_set(-E_CONFIG, "%s:%d: compat.auto and compat.version (line %d) are both "
		    "set", cfg->name, config_line(cfg, "compat.auto"),
		    config_line(cfg, "compat.version"));
		err_hint("keep one: compat.version where the compat version is kept, or "
		    "compat.auto = major to derive it from the project version");
		return rc;
	}
	if (mode)
		return read_auto(r, cfg, commit, out);
	if (!spec)
		return 0;
	if (!strchr(spec, ':'))
		text = xstrdup(spec);
	else if ((rc = read_var(r, spec, commit, &text)) < 0)
		return rc;
	if (semver_parse(&v, text) < 0) {
		rc = err_set(-E_CONFIG, "compat version '%s' (%s at %s) is not a semantic version",
		    text, strchr(spec, ':') ? spec : "compat.version", repo_short(commit));
		err_hint("the compat version is a release version such as 1.2.0");
		free(text);
		return rc;
	}
	semver_release(&v);
	out->version = text;
	out->from = xstrdup(strchr(spec, ':') ? spec : "compat.version");
	return 0;
}

void
compat_release(struct compat *c)
{
	free(c->version);
	free(c->from);
	c->version = c->from = NULL;
}

/* Whether s starts a Conventional Commits subject with '!': type!: or
 * type(scope)!:. */
static int
breaking_subject(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-");

	if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	s += n;
	if (*s == '(') {
		n = strcspn(s, ")\n");
		if (s[n] != ')')
			return 0;
		s += n + 1;
	}
	return s[0] == '!' && s[1] == ':';
}

int
compat_is_breaking(const char *message)
{
	const char *line;

	if (breaking_subject(message))
		return 1;
	for (line = strchr(message, '\n'); line; line = strchr(line, '\n')) {
		line++;
		if (starts_with(line, "BREAKING CHANGE:") || starts_with(line, "BREAKING-CHANGE:"))
			return 1;
	}
	return 0;
}

/* Appends one commit to b. */
static void
breaks_add(struct compat_breaks *b, const git_commit *c)
{
	const char *summary = git_commit_summary((git_commit *)c);

	if (b->nr == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 8;
		b->v = xrealloc(b->v, b->alloc * sizeof(*b->v));
	}
	git_oid_cpy(&b->v[b->nr].id, git_commit_id(c));
	b->v[b->nr].subject = xstrdup(summary ? summary : "");
	b->nr++;
}

int
compat_breaking(struct repo *r, const git_oid *head, const git_oid *hide, size_t nhide,
    struct compat_breaks *out)
{
	git_revwalk *walk = NULL;
	git_commit *c;
	git_oid id;
	size_t i;
	int rc = 0, e;

	if (git_revwalk_new(&walk, r->git) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
	    git_revwalk_push(walk, head) < 0) {
		rc = repo_error(-E_GENERIC, "walking the history of %s", repo_short(head));
		goto out;
	}
	for (i = 0; i < nhide; i++)
		if (git_revwalk_hide(walk, &hide[i]) < 0) {
			rc = repo_error(-E_GENERIC, "walking the history of %s", repo_short(head));
			goto out;
		}
	while ((e = git_revwalk_next(&id, walk)) == 0) {
		if (git_commit_lookup(&c, r->git, &id) < 0) {
			rc = repo_error(-E_GENERIC, "reading commit %s", repo_short(&id));
			goto out;
		}
		if (compat_is_breaking(git_commit_message(c)))
			breaks_add(out, c);
		git_commit_free(c);
	}
	if (e != GIT_ITEROVER)
		rc = repo_error(-E_GENERIC, "walking the history of %s", repo_short(head));
out:
	git_revwalk_free(walk);
	return rc;
}

void
compat_breaks_release(struct compat_breaks *b)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		free(b->v[i].subject);
	free(b->v);
	b->v = NULL;
	b->nr = b->alloc = 0;
}

/* The release tags of this clone: the highest version, and every tagged
 * commit (what a walk "since the last release" hides). */
struct release_tags {
	struct repo *r;
	const char *pre, *post;		/* release.tag around {version} */
	size_t npre, npost;
	git_oid *hide;
	size_t nhide, alloc;
	struct semver best;
	char *best_text, *best_tag;
};

static void
hide_add(struct release_tags *t, const git_oid *oid)
{
	if (t->nhide == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 16;
		t->hide = xrealloc(t->hide, t->alloc * sizeof(*t->hide));
	}
	git_oid_cpy(&t->hide[t->nhide++], oid);
}

/* refs_list callback: keeps a tag that release.tag makes from a version. */
static int
each_tag(const char *name, const git_oid *oid, void *data)
{
	struct release_tags *t = data;
	const char *s = name + strlen("refs/tags/");
	git_object *obj = NULL, *peeled = NULL;
	size_t n = strlen(s);
	struct semver v;
	char *mid;

	if (n <= t->npre + t->npost || strncmp(s, t->pre, t->npre) ||
	    strcmp(s + n - t->npost, t->post))
		return 0;
	mid = xstrndup(s + t->npre, n - t->npre - t->npost);
	if (semver_parse(&v, mid) < 0) {
		err_clear();
		free(mid);
		return 0;
	}
	if (git_object_lookup(&obj, t->r->git, oid, GIT_OBJECT_ANY) == 0 &&
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0)
		hide_add(t, git_object_id(peeled));
	git_object_free(peeled);
	git_object_free(obj);
	if (!t->best_text || semver_cmp(&v, &t->best) > 0) {
		semver_release(&t->best);
		t->best = v;
		free(t->best_text);
		free(t->best_tag);
		t->best_text = mid;
		t->best_tag = xstrdup(s);
	} else {
		semver_release(&v);
		free(mid);
	}
	return 0;
}

/* The verdict for a filled report; automatic: compat.auto is set. */
static enum compat_verdict
verdict(const struct compat_report *rep, int automatic)
{
	struct semver c = SEMVER_INIT, last = SEMVER_INIT;
	enum compat_verdict v;

	if (!rep->compat.version)
		return COMPAT_UNSET;
	if (!rep->last)
		return COMPAT_FIRST;
	if (!rep->breaks.nr)
		return COMPAT_KEEP;
	semver_parse(&c, rep->compat.version);
	semver_parse(&last, rep->last);
	v = semver_cmp(&c, &last) > 0 ? COMPAT_RAISED :
	    automatic ? COMPAT_NEEDS_MAJOR : COMPAT_NEEDS_RAISE;
	semver_release(&c);
	semver_release(&last);
	return v;
}

/* The last release when no release tag gives it: production's version. */
static void
last_from_production(struct repo *r, const struct config *cfg, const git_oid *production,
    struct compat_report *out)
{
	struct semver v = SEMVER_INIT;
	int rc;

	if (!production)
		return;
	rc = compat_project_version(r, cfg, production, &out->last);
	if (rc == 0 && out->last && semver_parse(&v, out->last) < 0)
		rc = -E_INVALID;
	if (rc < 0) {	/* none known: the report says it is the first release */
		free(out->last);
		out->last = NULL;
	}
	semver_release(&v);
	err_clear();
}

int
compat_report(struct repo *r, const struct config *cfg, const git_oid *commit,
    const git_oid *production, struct compat_report *out)
{
	const char *tmpl = config_get(cfg, "release.tag", "v{version}");
	const char *mark = strstr(tmpl, "{version}");
	struct release_tags t = { r, tmpl, mark + 9, (size_t)(mark - tmpl), strlen(mark + 9),
	    NULL, 0, 0, SEMVER_INIT, NULL, NULL };
	int rc;

	if ((rc = compat_project_version(r, cfg, commit, &out->version)) < 0 ||
	    (rc = compat_read(r, cfg, commit, &out->compat)) < 0 ||
	    (rc = refs_list(r, "refs/tags/", each_tag, &t)) < 0)
		goto out;
	if (production)
		hide_add(&t, production);
	if ((rc = compat_breaking(r, commit, t.hide, t.nhide, &out->breaks)) < 0)
		goto out;
	out->last = t.best_text;
	out->last_tag = t.best_tag;
	t.best_text = t.best_tag = NULL;
	if (!out->last)
		last_from_production(r, cfg, production, out);
	out->verdict = verdict(out, config_get(cfg, "compat.auto", NULL) != NULL);
out:
	semver_release(&t.best);
	free(t.best_text);
	free(t.best_tag);
	free(t.hide);
	return rc;
}

void
compat_report_release(struct compat_report *rep)
{
	free(rep->version);
	compat_release(&rep->compat);
	free(rep->last);
	free(rep->last_tag);
	compat_breaks_release(&rep->breaks);
	rep->version = rep->last = rep->last_tag = NULL;
}

char *
compat_next_major(const char *version)
{
	struct semver v = SEMVER_INIT, next = SEMVER_INIT;
	struct buf b = BUF_INIT;

	if (semver_parse(&v, version) == 0) {
		semver_bump(&v, SEMVER_MAJOR, &next);
		semver_format(&next, &b);
	}
	semver_release(&v);
	semver_release(&next);
	return buf_detach(&b, NULL);
}
