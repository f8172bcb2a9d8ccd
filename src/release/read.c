/* read.c - release steps 1, 3 and 4: read the remote, merge in memory, take the version. */
#include "release/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/merge.h"
#include "lib/err.h"
#include "lib/util.h"
#include "records/digest.h"

#define DEFAULT_TAG "v{version}"
#define DEFAULT_MESSAGE "Release {version}"

/* Replaces each "{version}" in tmpl with version; returns an owned string. */
static char *
expand(const char *tmpl, const char *version)
{
	struct buf b = BUF_INIT;
	const char *p;

	while ((p = strstr(tmpl, "{version}"))) {
		buf_add(&b, tmpl, (size_t)(p - tmpl));
		buf_puts(&b, version);
		tmpl = p + strlen("{version}");
	}
	buf_puts(&b, tmpl);
	return buf_detach(&b, NULL);
}

/* Notes when the local branch is not where the remote's is. */
static void
note_local(struct repo *r, struct release_plan *plan, const char *ref, const char *label,
    const git_oid *remote)
{
	git_oid local;
	size_t ahead = 0, behind = 0;

	if (git_reference_name_to_id(&local, r->git, ref) < 0 || git_oid_equal(&local, remote))
		return;
	git_graph_ahead_behind(&ahead, &behind, r->git, &local, remote);
	strvec_pushf(&plan->notes, "your local '%s' differs from '%s' (%zu ahead, %zu behind); "
	    "releasing '%s' as it is on the remote", ref + strlen("refs/heads/"), label,
	    ahead, behind, label);
}

static int
commit_exists(struct repo *r, const git_oid *oid)
{
	git_commit *c;

	if (git_commit_lookup(&c, r->git, oid) < 0)
		return 0;
	git_commit_free(c);
	return 1;
}

/* Reads the remote's heads and fetches their objects. */
static int
read_remote(struct repo *r, struct release_plan *plan)
{
	struct strvec want = STRVEC_INIT;
	const git_oid *m, *s;
	int rc;

	if ((rc = remote_check(r, plan->remote)) < 0 ||
	    (rc = remote_list_refs(r, plan->remote, REMOTE_HEADS | REMOTE_TAGS, NULL,
	    &plan->refs)) < 0)
		return rc;
	m = remote_refs_get(&plan->refs, plan->production_ref);
	s = remote_refs_get(&plan->refs, plan->staging_ref);
	if (!m || !s) {
		const char *missing = !m ? plan->production_ref : plan->staging_ref;

		err_set(-E_CONFIG, "branch '%s' does not exist on '%s'",
		    missing + strlen("refs/heads/"), plan->remote);
		err_hint("set branches.%s in slipway.conf if it has another name",
		    !m ? "production" : "staging");
		return -E_CONFIG;
	}
	git_oid_cpy(&plan->master, m);
	git_oid_cpy(&plan->staging, s);
	if (commit_exists(r, m) && commit_exists(r, s))
		return 0;	/* already here: no second trip to the remote */
	strvec_pushl(&want, plan->production_ref, plan->staging_ref, NULL);
	rc = remote_fetch_objects(r, plan->remote, &want);
	strvec_clear(&want);
	if (rc == 0 && (!commit_exists(r, m) || !commit_exists(r, s)))
		rc = err_set(-E_STALE, "'%s' moved while it was being read", plan->remote);
	return rc;
}

/* Loads slipway.conf as the staging head has it, else keeps the local one. */
static int
read_config(struct repo *r, const struct project *p, struct release_plan *plan)
{
	int found, rc;

	rc = project_load_commit(r, &plan->staging, plan->staging_label, &plan->staging_cfg,
	    &found);
	if (rc < 0)
		return rc;
	plan->cfg = found ? &plan->staging_cfg : &p->cfg;
	if (!found && p->found)
		strvec_pushf(&plan->notes, "'%s' has no %s; using the working tree's",
		    plan->staging_label, PROJECT_CONF);
	return 0;
}

/* Parses release.version-file entries into plan->files. */
static int
read_version_files(struct release_plan *plan)
{
	struct strvec vals = STRVEC_INIT;
	size_t i;
	int rc = 0;

	config_get_all(plan->cfg, "release.version-file", &vals);
	plan->files = xcalloc(vals.nr, sizeof(*plan->files));
	for (i = 0; i < vals.nr; i++) {
		if (strvec_find(&vals, vals.v[i]) != (int)i) {
			rc = err_set(-E_CONFIG, "%s: release.version-file '%s' is listed twice",
			    PROJECT_CONF, vals.v[i]);
			break;
		}
		if ((rc = vfile_spec_parse(&plan->files[i].spec, vals.v[i])) < 0)
			break;
		plan->nfiles++;
	}
	strvec_clear(&vals);
	return rc;
}

/* Reads and parses the version in one version file of a tree. */
static int
version_in_tree(struct repo *r, const git_oid *tree, const struct vfile_spec *spec,
    const char *where, char **text)
{
	struct buf data = BUF_INIT;
	size_t off, len;
	int rc;

	if ((rc = repo_read_in_tree(r, tree, spec->path, &data)) < 0) {
		if (rc == -E_NOTFOUND)
			err_set(rc, "version file '%s' does not exist on '%s'", spec->path, where);
		goto out;
	}
	if ((rc = vfile_find(spec, data.ptr, data.len, &off, &len)) < 0)
		goto out;
	*text = xstrndup(data.ptr + off, len);
out:
	buf_release(&data);
	return rc;
}

/* The highest release tag the remote has, when no version file is set. */
static void
version_from_tags(struct release_plan *plan)
{
	const char *tmpl = config_get(plan->cfg, "release.tag", DEFAULT_TAG);
	const char *mark = strstr(tmpl, "{version}");
	size_t pre = (size_t)(mark - tmpl), post = strlen(mark + 9), i;

	for (i = 0; i < plan->refs.nr; i++) {
		const char *name = plan->refs.v[i].name, *t;
		struct semver v;
		char *mid;
		size_t n;

		if (!starts_with(name, "refs/tags/"))
			continue;
		t = name + strlen("refs/tags/");
		n = strlen(t);
		if (n <= pre + post || strncmp(t, tmpl, pre) || strcmp(t + n - post, mark + 9))
			continue;
		mid = xstrndup(t + pre, n - pre - post);
		if (semver_parse(&v, mid) == 0 &&
		    (!plan->has_current || semver_cmp(&v, &plan->current) > 0)) {
			semver_release(&plan->current);
			plan->current = v;
			plan->has_current = 1;
			free(plan->current_text);
			plan->current_text = xstrdup(mid);
			free(plan->current_from);
			plan->current_from = xstrdup(t);
		} else {
			semver_release(&v);
		}
		free(mid);
	}
	err_clear();
}

/* Master's current version, from the first version file (or the tags). */
static int
read_current(struct repo *r, struct release_plan *plan)
{
	const struct vfile_spec *spec;
	git_commit *c = NULL;
	char *text = NULL;
	int rc;

	if (!plan->nfiles) {
		version_from_tags(plan);
		return 0;
	}
	spec = &plan->files[0].spec;
	if (git_commit_lookup(&c, r->git, &plan->master) < 0)
		return repo_error(-E_GENERIC, "reading '%s'", plan->production_label);
	rc = version_in_tree(r, git_commit_tree_id(c), spec, plan->production_label, &text);
	git_commit_free(c);
	if (rc == -E_NOTFOUND) {
		err_clear();
		version_from_tags(plan);
		if (plan->has_current)
			strvec_pushf(&plan->notes, "'%s' has no version in '%s' yet; the newest "
			    "release tag, '%s', gives the current version", plan->production_label,
			    spec->path, plan->current_from);
		else
			strvec_pushf(&plan->notes, "'%s' has no version in '%s' and there is no "
			    "release tag yet; any version will do", plan->production_label,
			    spec->path);
		return 0;
	}
	if (rc < 0)
		return err_wrap(rc, "reading the current version on '%s'", plan->production_label);
	if ((rc = semver_parse(&plan->current, text)) < 0) {
		err_set(rc, "'%s' on '%s' holds '%s', which is not a semantic version",
		    spec->path, plan->production_label, text);
		free(text);
		return rc;
	}
	plan->has_current = 1;
	plan->current_text = text;
	plan->current_from = xstrdup(spec->path);
	return 0;
}

/* Checks that every version file exists and holds a version after the merge. */
static int
read_merged_versions(struct repo *r, struct release_plan *plan)
{
	size_t i;
	int rc;

	for (i = 0; i < plan->nfiles; i++) {
		rc = version_in_tree(r, &plan->merged_tree, &plan->files[i].spec,
		    plan->staging_label, &plan->files[i].old_version);
		if (rc == -E_NOTFOUND) {
			err_hint("fix release.version-file in %s, or the file on '%s'",
			    PROJECT_CONF, plan->staging_label);
			return -E_INVALID;	/* the configuration names what is not there */
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The merge when master is already in staging: staging's own tree (a
 * three-way merge whose one side is the base gives the other side), with
 * no merge-tree process to start. */
static int
staging_tree(struct repo *r, struct release_plan *plan)
{
	git_commit *c = NULL;

	if (git_commit_lookup(&c, r->git, &plan->staging) < 0)
		return repo_error(-E_GENERIC, "reading '%s'", plan->staging_label);
	git_oid_cpy(&plan->merged_tree, git_commit_tree_id(c));
	git_commit_free(c);
	return 0;
}

/*
 * How far staging is ahead of master, and behind it. Without a
 * commit-graph that is a walk of every commit between them (1,600 commits:
 * 15-20 ms, git's or libgit2's), so the answer is kept for the pair of
 * heads (a digest): status run again on the same heads reads it.
 */
static int
count_ahead(struct repo *r, struct release_plan *plan, size_t *behind)
{
	unsigned long a, b;
	const char *d;
	char text[64];
	git_oid key;
	int rc;

	digest_pair_key(&plan->staging, &plan->master, &key);
	if ((d = digest_get(r, DIGEST_AHEAD, &key)) && sscanf(d, "%lu %lu", &a, &b) == 2) {
		plan->ahead = a;
		*behind = b;
		return 0;
	}
	if ((rc = repo_count_ahead(r, &plan->staging, &plan->master, &plan->ahead, behind)) < 0)
		return rc;
	snprintf(text, sizeof(text), "%zu %zu", plan->ahead, *behind);
	digest_put(r, DIGEST_AHEAD, &key, text);
	return 0;
}

int
release_read(struct repo *r, const struct project *p, const char *remote,
    struct release_plan *plan)
{
	struct buf b = BUF_INIT;
	size_t behind = 0;
	int rc;

	plan->remote = xstrdup(remote);
	buf_printf(&b, "refs/heads/%s", p->production);
	plan->production_ref = buf_detach(&b, NULL);
	buf_printf(&b, "refs/heads/%s", p->staging);
	plan->staging_ref = buf_detach(&b, NULL);
	buf_printf(&b, "%s/%s", remote, p->production);
	plan->production_label = buf_detach(&b, NULL);
	buf_printf(&b, "%s/%s", remote, p->staging);
	plan->staging_label = buf_detach(&b, NULL);

	if ((rc = read_remote(r, plan)) < 0 || (rc = read_config(r, p, plan)) < 0 ||
	    (rc = read_version_files(plan)) < 0)
		return rc;
	note_local(r, plan, plan->production_ref, plan->production_label, &plan->master);
	note_local(r, plan, plan->staging_ref, plan->staging_label, &plan->staging);
	if ((rc = count_ahead(r, plan, &behind)) < 0)
		return rc;
	if ((rc = read_current(r, plan)) < 0)
		return rc;
	if ((rc = quarantine_open(r, &plan->quarantine)) < 0)
		return rc;
	if (!behind)	/* master is in staging: the merge is staging's tree */
		rc = staging_tree(r, plan);
	else
		rc = merge_commits(r, &plan->quarantine, &plan->master, &plan->staging,
		    &plan->merged_tree, &plan->conflicts);
	if (rc == -E_CONFLICT) {
		struct buf list = BUF_INIT;
		size_t i;

		for (i = 0; i < plan->conflicts.nr; i++)
			buf_printf(&list, "\n    %s", plan->conflicts.v[i]);
		err_set(rc, "'%s' conflicts with '%s' in %zu file%s:%s", plan->staging_label,
		    plan->production_label, plan->conflicts.nr, plan->conflicts.nr == 1 ? "" : "s",
		    list.ptr);
		buf_release(&list);
		err_hint("merge '%s' into '%s', resolve the conflicts, push '%s', then rerun:",
		    plan->production_label, p->staging, p->staging);
		err_hint("  git switch %s && git pull && git merge %s", p->staging,
		    plan->production_label);
		err_hint("  (fix the files) && git commit && git push %s %s", remote, p->staging);
		return rc;
	}
	if (rc < 0)
		return rc;
	return read_merged_versions(r, plan);
}

int
release_check_syntax(const char *version)
{
	struct semver v;
	int rc;

	if (version[0] == 'v' && version[1] >= '0' && version[1] <= '9')
		version++;
	if ((rc = semver_parse(&v, version)) == 0)
		semver_release(&v);
	return rc;
}

int
release_set_version(struct repo *r, struct release_plan *plan, const char *version)
{
	struct semver v = SEMVER_INIT;
	struct buf ref = BUF_INIT;
	const char *tmpl;
	int rc, valid = 0;

	if (version[0] == 'v' && version[1] >= '0' && version[1] <= '9') {
		strvec_pushf(&plan->notes, "dropped the leading 'v': the version is '%s'",
		    version + 1);
		version++;
	}
	if ((rc = semver_parse(&v, version)) < 0)
		return rc;
	if (plan->has_current && semver_cmp(&v, &plan->current) <= 0) {
		rc = err_set(-E_REFUSED, "version '%s' is not greater than the current '%s' "
		    "(%s on '%s')", version, plan->current_text, plan->current_from,
		    plan->production_label);
		goto out;
	}
	tmpl = config_get(plan->cfg, "release.tag", DEFAULT_TAG);
	plan->tag = expand(tmpl, version);
	buf_printf(&ref, "refs/tags/%s", plan->tag);
	if (git_reference_name_is_valid(&valid, ref.ptr) < 0 || !valid) {
		rc = err_set(-E_INVALID, "tag name '%s' is not a valid git ref name", plan->tag);
		goto out;
	}
	if (remote_refs_get(&plan->refs, ref.ptr)) {
		rc = err_set(-E_REFUSED, "tag '%s' already exists on '%s'", plan->tag, plan->remote);
		err_hint("choose another version; 'git ls-remote --tags %s' lists the tags there",
		    plan->remote);
		goto out;
	}
	if (repo_ref_exists(r, ref.ptr)) {
		rc = err_set(-E_REFUSED, "tag '%s' already exists in this repository", plan->tag);
		err_hint("choose another version, or delete the local tag: git tag -d %s",
		    plan->tag);
		goto out;
	}
	plan->version = xstrdup(version);
	plan->message = expand(config_get(plan->cfg, "release.message", DEFAULT_MESSAGE),
	    version);
out:
	semver_release(&v);
	buf_release(&ref);
	return rc;
}

void
release_suggest(const struct release_plan *plan, struct strvec *out)
{
	static const enum semver_part parts[] = { SEMVER_PATCH, SEMVER_MINOR, SEMVER_MAJOR };
	struct semver zero = SEMVER_INIT, next;
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < 3; i++) {
		semver_bump(plan->has_current ? &plan->current : &zero, parts[i], &next);
		semver_format(&next, &b);
		strvec_push_nodup(out, buf_detach(&b, NULL));
		semver_release(&next);
	}
}

int
release_check_ahead(const struct release_plan *plan)
{
	if (plan->ahead)
		return 0;
	err_set(-E_REFUSED, "nothing to release: '%s' has no commit that '%s' lacks",
	    plan->staging_label, plan->production_label);
	err_hint("merge features into staging first (slipway status shows where things are)");
	return -E_REFUSED;
}
