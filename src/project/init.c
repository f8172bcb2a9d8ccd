/* init.c - detecting a repository's shape and writing its slipway.conf. */
#include "project/init.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/err.h"
#include "lib/util.h"
#include "project/project.h"
#include "vfile/vfile.h"

#define COMPAT_VAR "backwards_compatible_version"

/* The version in the file at workdir/spec, or NULL. */
static char *
version_of(const char *workdir, const char *spec_text)
{
	struct vfile_spec spec;
	struct buf path = BUF_INIT, data = BUF_INIT;
	char *v = NULL;
	size_t off, len;

	if (vfile_spec_parse(&spec, spec_text) < 0)
		return NULL;
	buf_printf(&path, "%s%s", workdir, spec.path);
	if (buf_read_file(&data, path.ptr) == 0 &&
	    vfile_find(&spec, data.ptr, data.len, &off, &len) == 0)
		v = xstrndup(data.ptr + off, len);
	vfile_spec_release(&spec);
	buf_release(&path);
	buf_release(&data);
	err_clear();
	return v;
}

/* Collects package.json files below dir (depth-limited, no node_modules). */
static void
find_packages(const char *workdir, const char *rel, int depth, struct strvec *out)
{
	struct buf path = BUF_INIT, sub = BUF_INIT;
	struct dirent *de;
	DIR *d;

	buf_printf(&path, "%s%s", workdir, rel);
	if (depth > 3 || !(d = opendir(path.ptr))) {
		buf_release(&path);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "node_modules"))
			continue;
		buf_reset(&sub);
		buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		buf_reset(&path);
		buf_printf(&path, "%s%s", workdir, sub.ptr);
		if (lstat(path.ptr, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			find_packages(workdir, sub.ptr, depth + 1, out);
		else if (*rel && !strcmp(de->d_name, "package.json"))
			strvec_push(out, sub.ptr);
	}
	closedir(d);
	buf_release(&path);
	buf_release(&sub);
}

/* The first of names that is a branch here or on origin, or NULL. */
static const char *
first_branch(struct repo *r, const char *const *names)
{
	struct buf ref = BUF_INIT;
	const char *found = NULL;

	for (; *names && !found; names++) {
		buf_reset(&ref);
		buf_printf(&ref, "refs/heads/%s", *names);
		if (repo_ref_exists(r, ref.ptr))
			found = *names;
		buf_reset(&ref);
		buf_printf(&ref, "refs/remotes/origin/%s", *names);
		if (!found && repo_ref_exists(r, ref.ptr))
			found = *names;
	}
	buf_release(&ref);
	return found;
}

/* Picks the version file: package.json, then a Makefile variable, then VERSION. */
static void
detect_version(const char *wd, struct init_facts *f)
{
	static const char *const candidates[] = {
		"package.json", "Makefile:VERSION", "Makefile:version", "VERSION",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(candidates) && !f->version_file; i++)
		if ((f->version = version_of(wd, candidates[i])))
			f->version_file = xstrdup(candidates[i]);
}

int
init_detect(struct repo *r, struct init_facts *f)
{
	static const char *const stagings[] = { "staging", "develop", "dev", NULL };
	static const char *const prods[] = { "master", "main", "production", NULL };
	struct strvec pkgs = STRVEC_INIT;
	const char *wd = r->workdir, *b, *slash;
	size_t i, n;
	char *v;

	if (!wd)
		return err_set(-E_INVALID, "init needs a working tree; this repository is bare");
	n = strlen(wd);
	while (n > 1 && wd[n - 1] == '/')
		n--;
	slash = memrchr(wd, '/', n - 1);
	f->name = xstrndup(slash ? slash + 1 : wd, n - (size_t)(slash ? slash + 1 - wd : 0));
	detect_version(wd, f);
	find_packages(wd, "", 0, &pkgs);
	for (i = 0; i < pkgs.nr; i++) {
		if ((v = version_of(wd, pkgs.v[i])))
			strvec_push(&f->others, pkgs.v[i]);
		free(v);
	}
	strvec_clear(&pkgs);
	if ((f->compat_value = version_of(wd, "Makefile:" COMPAT_VAR)))
		f->compat = xstrdup("Makefile:" COMPAT_VAR);
	b = first_branch(r, stagings);
	f->staging_found = b != NULL;
	f->staging = xstrdup(b ? b : "staging");
	b = first_branch(r, prods);
	f->production_found = b != NULL;
	f->production = xstrdup(b ? b : "master");
	return 0;
}

/* Appends s as a slipway.conf value: quoted and escaped when it holds
 * anything the parser would read otherwise; control characters dropped. */
static void
put_value(struct buf *o, const char *s)
{
	int quote = !*s || strpbrk(s, ";#\"\\") || *s == ' ' || s[strlen(s) - 1] == ' ';

	if (quote)
		buf_putc(o, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(o, '\\');
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			buf_putc(o, *s);
	}
	if (quote)
		buf_putc(o, '"');
}

void
init_render(const struct init_facts *f, struct buf *o)
{
	size_t i;

	buf_printf(o, "# slipway.conf - how slipway runs this repository's release workflow.\n"
	    "# git-config syntax; see docs/config.md. Commit this file: slipway reads it\n"
	    "# from the commit it works on (a release reads it from the staging head).\n\n");
	buf_puts(o, "[project]\n\tname = ");
	put_value(o, f->name);
	buf_puts(o, "\n\t# the remote slipway reads and pushes (--remote overrides)\n"
	    "\tremote = origin\n\n");
	buf_printf(o, "[branches]\n"
	    "\t# features merge into staging; a release merges staging into production\n"
	    "\tstaging = %s%s\n\tproduction = %s%s\n\n", f->staging,
	    f->staging_found ? "" : "\t; not found yet: create it or change this",
	    f->production,
	    f->production_found ? "" : "\t; not found yet: create it or change this");
	buf_printf(o, "[release]\n"
	    "\t# the tag each release gets; {version} is the new version\n"
	    "\ttag = v{version}\n"
	    "\t# the release commit's message (the merge of staging into production)\n"
	    "\tmessage = Release {version}\n"
	    "\t# files whose version a release bumps: a package.json, a Makefile\n"
	    "\t# variable (Makefile:NAME) or a plain VERSION file; the first one is the\n"
	    "\t# current version\n");
	if (f->version_file)
		buf_printf(o, "\tversion-file = %s\t; holds %s now\n", f->version_file, f->version);
	else
		buf_printf(o, "\t; version-file = package.json\t; none found: the tags give the"
		    " current version\n");
	for (i = 0; i < f->others.nr; i++)
		buf_printf(o, "\t; version-file = %s\n", f->others.v[i]);
	if (f->compat) {
		buf_printf(o, "\n[compat]\n"
		    "\t# the release this one must stay compatible with\n"
		    "\tversion = %s\t; %s now\n", f->compat, f->compat_value);
	}
}

int
init_write(struct repo *r, const struct buf *content, int force)
{
	struct buf path = BUF_INIT;
	struct stat st;
	int rc;

	buf_printf(&path, "%s%s", r->workdir, PROJECT_CONF);
	if (!force && lstat(path.ptr, &st) == 0) {
		rc = err_set(-E_REFUSED, "'%s' already exists", PROJECT_CONF);
		err_hint("use --force to replace it, or --print to see what would be written");
	} else {
		rc = write_file_atomic(path.ptr, content->ptr, content->len);
	}
	buf_release(&path);
	return rc;
}

void
init_facts_release(struct init_facts *f)
{
	free(f->name);
	free(f->version_file);
	free(f->version);
	strvec_clear(&f->others);
	free(f->compat);
	free(f->compat_value);
	free(f->staging);
	free(f->production);
}
