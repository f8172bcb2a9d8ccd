/* compat.c - `slipway compat`: the compat version, its source, and what the next release needs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "compat/compat.h"
#include "lib/err.h"
#include "project/project.h"
#include "semver/semver.h"

static const char usage[] = "slipway compat [--commit REV] [--remote NAME]";

/* The commit to report on: rev, else staging as this clone knows it
 * (REMOTE's when fetched), else HEAD. label gets its name. */
static int
pick_commit(struct repo *r, const struct project *p, const char *remote, const char *rev,
    git_oid *out, struct buf *label)
{
	git_object *obj = NULL, *peeled = NULL;
	int rc = 0;

	if (!rev && repo_branch_head(r, remote, p->staging, out, label) == 0)
		return 0;
	err_clear();
	if (!rev)
		rev = "HEAD";
	if (git_revparse_single(&obj, r->git, rev) < 0 ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = err_set(-E_INVALID, "'%s' does not name a commit", rev);
	} else {
		git_oid_cpy(out, git_object_id(peeled));
		buf_puts(label, rev);
	}
	git_object_free(peeled);
	git_object_free(obj);
	return rc;
}

/* Prints the report; returns -E_REFUSED when every next release would be
 * refused until the compat version is raised. */
static int
print_report(const struct compat_report *rep, const struct config *cfg)
{
	struct strvec files = STRVEC_INIT;
	char *major;
	size_t i;

	config_get_all(cfg, "release.version-file", &files);
	printf("version         %s%s%s%s\n", rep->version ? rep->version : "none",
	    rep->version ? " (" : "", rep->version ? files.v[0] : "", rep->version ? ")" : "");
	strvec_clear(&files);
	printf("compat version  %s%s%s%s\n", rep->compat.version ? rep->compat.version : "none",
	    rep->compat.from ? " (" : "", rep->compat.from ? rep->compat.from : "",
	    rep->compat.from ? ")" : "");
	printf("last release    %s%s%s%s\n", rep->last ? rep->last : "none",
	    rep->last_tag ? " (tag " : "", rep->last_tag ? rep->last_tag : "",
	    rep->last_tag ? ")" : "");
	if (!rep->breaks.nr)
		printf("breaking changes since the last release: none\n");
	else
		printf("breaking changes since the last release: %zu\n", rep->breaks.nr);
	for (i = 0; i < rep->breaks.nr; i++)
		printf("    %s %s\n", repo_short(&rep->breaks.v[i].id), rep->breaks.v[i].subject);
	switch (rep->verdict) {
	case COMPAT_UNSET:
		printf("next release    no compat version is configured (compat.version or "
		    "compat.auto in %s)\n", PROJECT_CONF);
		return 0;
	case COMPAT_FIRST:
		printf("next release    the first: any compat version up to it will do\n");
		return 0;
	case COMPAT_KEEP:
		printf("next release    the compat version can stay %s\n", rep->compat.version);
		return 0;
	case COMPAT_RAISED:
		printf("next release    the compat version is raised already (%s, above %s)\n",
		    rep->compat.version, rep->last);
		return 0;
	case COMPAT_NEEDS_MAJOR:
		major = compat_next_major(rep->last);
		printf("next release    must be a major one (%s or later): compat.auto = major "
		    "then raises the compat version\n", major);
		free(major);
		return 0;
	case COMPAT_NEEDS_RAISE:
		break;
	}
	printf("next release    needs a new compat version, above %s\n", rep->last);
	err_set(-E_REFUSED, "%zu breaking change%s since %s, and the compat version is still %s",
	    rep->breaks.nr, rep->breaks.nr == 1 ? "" : "s", rep->last, rep->compat.version);
	err_hint("raise %s on staging to the version the next release will have, then push it;"
	    " 'slipway release' refuses until then", rep->compat.from);
	return -E_REFUSED;
}

int
cmd_compat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "commit", required_argument, NULL, 'c' },
		{ "remote", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compat_report rep = COMPAT_REPORT_INIT;
	struct project proj = PROJECT_INIT;
	struct repo repo = REPO_INIT;
	struct config at_cfg = CONFIG_INIT;
	struct buf label = BUF_INIT;
	const char *rev = NULL, *remote = NULL;
	git_oid commit, production;
	int opt, rc, found = 0, have_prod;

	while ((opt = getopt_long(argc, argv, ":c:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': rev = optarg; break;
		case 'r': remote = optarg; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (optind != argc)
		return cmd_too_many(argv, argv[optind], usage);
	if ((rc = repo_open(&repo)) < 0 || (rc = project_load(&repo, &proj)) < 0)
		goto out;
	if (!remote)
		remote = proj.remote;
	if ((rc = pick_commit(&repo, &proj, remote, rev, &commit, &label)) < 0 ||
	    (rc = project_load_commit(&repo, &commit, label.ptr, &at_cfg, &found)) < 0)
		goto out;
	have_prod = repo_branch_head(&repo, remote, proj.production, &production, NULL) == 0;
	err_clear();
	if ((rc = compat_report(&repo, found ? &at_cfg : &proj.cfg, &commit,
	    have_prod ? &production : NULL, &rep)) < 0)
		goto out;
	printf("commit          %s (%s)\n", label.ptr, repo_short(&commit));
	rc = print_report(&rep, found ? &at_cfg : &proj.cfg);
out:
	compat_report_release(&rep);
	config_release(&at_cfg);
	buf_release(&label);
	project_release(&proj);
	repo_release(&repo);
	return rc;
}
