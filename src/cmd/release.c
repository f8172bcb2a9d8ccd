/* release.c - `slipway release`: the release protocol, one command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "lib/err.h"
#include "lib/util.h"
#include "project/project.h"
#include "records/sync.h"
#include "release/release.h"

static const char usage[] =
    "slipway release [VERSION] [--yes] [--dry-run] [--remote NAME] [--skip-cd-check] "
    "[--no-sync]\n"
    "   or: slipway release --continue   (finish promoting a pushed release's images)";

/* What the command line asked for. */
struct release_opts {
	const char *remote, *version;
	int yes, dry, skip_cd, no_sync;
};

/* Asks for the version on the terminal; returns an owned string or NULL. */
static char *
ask_version(const struct release_plan *plan)
{
	struct strvec next = STRVEC_INIT;
	char *line;

	release_suggest(plan, &next);
	fprintf(stderr, "current version: %s%s%s%s\n",
	    plan->has_current ? plan->current_text : "none",
	    plan->has_current ? " (" : "", plan->has_current ? plan->current_from : "",
	    plan->has_current ? ")" : "");
	fprintf(stderr, "  patch  %s\n  minor  %s\n  major  %s\n", next.v[0], next.v[1],
	    next.v[2]);
	line = prompt_line("version (or patch, minor, major) [%s]: ", next.v[0]);
	if (line && (!*line || !strcmp(line, "patch"))) {
		free(line);
		line = xstrdup(next.v[0]);
	} else if (line && !strcmp(line, "minor")) {
		free(line);
		line = xstrdup(next.v[1]);
	} else if (line && !strcmp(line, "major")) {
		free(line);
		line = xstrdup(next.v[2]);
	}
	strvec_clear(&next);
	return line;
}

/* Prints what the release will do (or did). */
static void
print_plan(const struct release_plan *plan)
{
	char master[9], staging[9], commit[9], tag[9];
	size_t i;

	git_oid_tostr(master, sizeof(master), &plan->master);
	git_oid_tostr(staging, sizeof(staging), &plan->staging);
	git_oid_tostr(commit, sizeof(commit), &plan->commit);
	git_oid_tostr(tag, sizeof(tag), &plan->tag_object);
	printf("release %s: merge %s (%s) into %s (%s), %zu commit%s\n", plan->version,
	    plan->staging_label, staging, plan->production_label, master, plan->ahead,
	    plan->ahead == 1 ? "" : "s");
	printf("  commit   %s \"%s\" (parents %s %s)\n", commit, plan->message, master, staging);
	for (i = 0; i < plan->nfiles; i++)
		printf("  version  %s: %s -> %s\n", plan->files[i].spec.path,
		    plan->files[i].old_version, plan->version);
	printf("  tag      %s (annotated, %s) -> %s\n", plan->tag, tag, commit);
	printf("  cd       %s: %s\n", plan->cd, plan->cd_result.ptr);
	if (plan->compat_after)
		printf("  compat   %s (%s)%s\n", plan->compat_after,
		    starts_with(plan->compat.from, "compat.auto") ? "compat.auto = major" :
		    plan->compat.from, plan->breaking ? ", raised for breaking changes" : "");
	printf("  push     %s %s -> %s\n", plan->production_ref, master, commit);
	printf("  push     %s %s -> %s\n", plan->staging_ref, staging, commit);
	printf("  push     refs/tags/%s (new)\n", plan->tag);
}

/* Takes the version from the argument or the terminal, and validates it. */
static int
take_version(struct repo *r, struct release_plan *plan, const char *arg)
{
	char *asked = NULL;
	int rc;

	if (!arg) {
		if (!isatty(0)) {
			err_set(-E_USAGE, "no version given, and no terminal to ask on");
			err_hint("give the version: %s", usage);
			return -E_USAGE;
		}
		if (!(asked = ask_version(plan)))
			return err_set(-E_CANCELLED, "no version given; nothing was changed");
		arg = asked;
	}
	rc = release_set_version(r, plan, arg);
	free(asked);
	return rc;
}

/* After a successful push: records the release and shares the record;
 * a failure here leaves the release done and says what to do. */
static void
record_release(struct repo *r, struct release_plan *plan, int no_sync)
{
	if (release_record(r, plan) < 0) {
		strvec_pushf(&plan->notes, "the release is done, but recording it failed: %s",
		    err_msg());
		err_clear();
		return;
	}
	if (no_sync) {
		strvec_pushf(&plan->notes, "the release record is kept here (--no-sync); "
		    "'slipway sync' shares it");
	} else if (share_records(r, plan->remote, 0) < 0) {
		strvec_pushf(&plan->notes, "the release is done, but sharing its record failed: "
		    "%s; 'slipway sync' shares it later", err_msg());
		err_clear();
	}
}

/* release.promote-images: staging's tested images get the release tag.
 * After the git push nothing is undone: a failure says what is done and
 * leaves what `slipway release --continue` finishes. */
static int
promote(struct repo *r, const struct config *cfg, const char *version, const git_oid *staging)
{
	struct strvec done = STRVEC_INIT, left = STRVEC_INIT;
	int rc;
	size_t i;

	if ((rc = release_promote_images(r, cfg, version, staging, &done, &left)) == 0) {
		for (i = 0; i < done.nr; i++)
			printf("promoted %.8s -> %s\n", git_oid_tostr_s(staging), done.v[i]);
		release_continue_done(r);
	} else {
		int saved = release_continue_save(r, version, staging);

		err_wrap(rc, "release %s is pushed, but promoting its images failed", version);
		for (i = 0; i < done.nr; i++)
			err_hint("done: %s", done.v[i]);
		for (i = 0; i < left.nr; i++)
			err_hint("not done: %s", left.v[i]);
		if (saved == 0)
			err_hint("fix it, then 'slipway release --continue' promotes what is left");
		else
			err_hint("fix it, then promote by hand: slipway image promote %.8s %s",
			    git_oid_tostr_s(staging), version);
	}
	strvec_clear(&done);
	strvec_clear(&left);
	return rc;
}

/* --continue: the promotion a release left unfinished. */
static int
continue_release(struct repo *r)
{
	struct config cfg = CONFIG_INIT;
	char *version = NULL;
	git_oid staging;
	int rc, found = 0;

	if ((rc = release_continue_load(r, &version, &staging)) == 0 &&
	    (rc = project_load_commit(r, &staging, repo_short(&staging), &cfg, &found)) == 0) {
		if (!found)
			rc = err_set(-E_CONFIG, "%s has no slipway.conf", repo_short(&staging));
		else
			rc = promote(r, &cfg, version, &staging);
	}
	config_release(&cfg);
	free(version);
	return rc;
}

/* Reads, checks, builds, confirms, publishes and records the release. */
static int
do_release(struct repo *r, struct project *p, const struct release_opts *o)
{
	struct release_plan plan = RELEASE_PLAN_INIT;
	const char *remote = o->remote ? o->remote : p->remote;
	int synced = !o->dry && !o->no_sync && !o->skip_cd, rc;
	struct sync_stats st;
	size_t shown = 0;

	/* staging's CD may have been recorded on another machine */
	if (synced && (rc = records_sync(r, remote, &st)) < 0) {
		if (rc == -E_REMOTE || rc == -E_STALE)
			err_hint("syncing the records failed; to release with this clone's "
			    "records as they are: --no-sync");
		goto out;
	}
	rc = release_read(r, p, remote, &plan);
	shown = print_notes(&plan.notes, shown);
	if (rc < 0 || (rc = release_check_ahead(&plan)) < 0)
		goto out;
	if ((rc = release_check_cd(r, &plan, o->skip_cd)) < 0) {
		if (rc == -E_REFUSED && !synced)
			err_hint("this clone's records were not synced (%s): 'slipway sync' "
			    "brings the results recorded elsewhere", o->dry ? "a dry run" :
			    "--no-sync");
		goto out;
	}
	if ((rc = take_version(r, &plan, o->version)) < 0 ||
	    (rc = release_check_compat(r, &plan)) < 0 ||
	    (rc = release_check_images(r, &plan)) < 0 ||
	    (rc = release_build(r, &plan)) < 0)
		goto out;
	shown = print_notes(&plan.notes, shown);
	print_plan(&plan);
	if (o->dry) {
		printf("dry run: nothing was pushed, no ref or file was changed\n");
		goto out;
	}
	if (!o->yes && (rc = confirm("push release %s to '%s'?", plan.version,
	    plan.remote)) < 0)
		goto out;
	if ((rc = release_publish(r, &plan)) < 0)
		goto out;
	record_release(r, &plan, o->no_sync);
	print_notes(&plan.notes, shown);
	printf("released %s: %s and %s are at %s, tagged %s\n", plan.version,
	    plan.production_label, plan.staging_label, repo_short(&plan.commit), plan.tag);
	if (config_bool(config_get(plan.cfg, "release.promote-images", "false")) == 1)
		rc = promote(r, plan.cfg, plan.version, &plan.staging);
out:
	release_plan_release(&plan);
	return rc;
}

int
cmd_release(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "remote", required_argument, NULL, 'r' },
		{ "skip-cd-check", no_argument, NULL, 'C' },
		{ "no-sync", no_argument, NULL, 's' },
		{ "continue", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct release_opts o = { NULL, NULL, 0, 0, 0, 0 };
	struct project proj = PROJECT_INIT;
	struct repo repo = REPO_INIT;
	int opt, rc, cont = 0;

	while ((opt = getopt_long(argc, argv, ":ynr:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'y': o.yes = 1; break;
		case 'n': o.dry = 1; break;
		case 'r': o.remote = optarg; break;
		case 'C': o.skip_cd = 1; break;
		case 's': o.no_sync = 1; break;
		case 'c': cont = 1; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (argc - optind > 1)
		return cmd_too_many(argv, argv[optind + 1], usage);
	if (optind < argc)
		o.version = argv[optind];
	if (o.version && (rc = release_check_syntax(o.version)) < 0)
		return rc;
	if (cont && (optind < argc || o.dry))
		return cmd_usage(usage);
	if ((rc = repo_open(&repo)) == 0 && (rc = project_load(&repo, &proj)) == 0)
		rc = cont ? continue_release(&repo) : do_release(&repo, &proj, &o);
	project_release(&proj);
	repo_release(&repo);
	return rc;
}
