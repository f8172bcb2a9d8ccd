/* image.c - `slipway image`: push, pull, promote, tags, exists. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "image/ops.h"
#include "image/registry.h"
#include "lib/err.h"
#include "project/project.h"

static const char usage[] =
    "slipway image push TAG [IMAGE...] [--from oci:DIR[:TAG]|docker-archive:FILE]\n"
    "   or: slipway image pull TAG [IMAGE...] [--to oci:DIR]\n"
    "   or: slipway image promote FROM TO [IMAGE...]\n"
    "   or: slipway image tags [IMAGE...]\n"
    "   or: slipway image exists TAG [IMAGE...]";

static void
print_size(long long n)
{
	if (n >= 1 << 20)
		printf("%.1f MB", (double)n / (1 << 20));
	else
		printf("%.1f kB", (double)n / 1024);
}

static void
print_pushed(const struct image_ops *o, const char *tag)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		const struct image_job *j = &o->jobs[i];

		printf("%s: %s/%s:%s ", j->image, o->cfg.host ? o->cfg.host : o->cfg.registry,
		    j->repo.ptr, tag);
		if (j->unchanged) {
			printf("is %s already, nothing sent", j->top.digest);
		} else if (j->sent + j->present + j->mounted == 0) {
			printf("= %s", j->top.digest);	/* a promote: no blob to look at */
		} else {
			printf("= %s (%ld blob%s sent, ", j->top.digest, j->sent, j->sent == 1 ? "" : "s");
			print_size(j->bytes);
			printf("; %ld there, %ld mounted)", j->present, j->mounted);
		}
		if (j->latest_moved)
			printf("; latest moved");
		printf("\n");
	}
}

/* Loads slipway.conf and opens the registry for the images named. */
static int
open_ops(struct repo *r, struct project *p, struct image_ops *o, char **names)
{
	int rc;

	if ((rc = repo_open(r)) < 0 || (rc = project_load(r, p)) < 0)
		return rc;
	return image_ops_open(o, &p->cfg, r->workdir, (const char *const *)names);
}

static int
do_tags(struct image_ops *o)
{
	struct strvec tags = STRVEC_INIT;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < o->n && rc == 0; i++) {
		strvec_clear(&tags);
		if ((rc = o->dst.ops->tags(&o->dst, o->jobs[i].repo.ptr, &tags)) == -E_NOTFOUND) {
			err_clear();
			rc = 0;
		}
		if (rc < 0)
			break;
		printf("%s (%s):%s", o->jobs[i].image, o->jobs[i].repo.ptr, tags.nr ? "" : " no tags");
		for (k = 0; k < tags.nr; k++)
			printf(" %s", tags.v[k]);
		printf("\n");
	}
	strvec_clear(&tags);
	return rc;
}

static int
do_exists(struct image_ops *o, const char *tag)
{
	size_t i, missing;
	int rc;

	if ((rc = image_exists(o, tag, &missing)) < 0)
		return rc;
	for (i = 0; i < o->n; i++)
		printf("%s: %s:%s %s%s\n", o->jobs[i].image, o->jobs[i].repo.ptr, tag,
		    o->jobs[i].unchanged ? "exists, " : "does not exist",
		    o->jobs[i].unchanged ? o->jobs[i].top.digest : "");
	return missing ? 1 : 0;	/* exit 1, the listing says why */
}

int
cmd_image(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct image_ops o = IMAGE_OPS_INIT;
	struct project proj = PROJECT_INIT;
	struct repo repo = REPO_INIT;
	const char *from = NULL, *to = NULL, *sub;
	int opt, rc, need;

	while ((opt = getopt_long(argc, argv, ":f:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (optind == argc)
		return cmd_usage(usage);
	sub = argv[optind++];
	need = !strcmp(sub, "promote") ? 2 : !strcmp(sub, "tags") ? 0 : 1;
	if (strcmp(sub, "push") && strcmp(sub, "pull") && strcmp(sub, "promote") &&
	    strcmp(sub, "tags") && strcmp(sub, "exists")) {
		fprintf(stderr, "slipway: image: unknown subcommand '%s'\n", sub);
		return cmd_usage(usage);
	}
	if (argc - optind < need) {
		fprintf(stderr, "slipway: image %s: which tag%s?\n", sub, need > 1 ? "s" : "");
		return cmd_usage(usage);
	}
	if ((from && strcmp(sub, "push")) || (to && strcmp(sub, "pull")))
		return cmd_usage(usage);
	if ((rc = open_ops(&repo, &proj, &o, argv + optind + need)) < 0)
		goto out;
	if (!strcmp(sub, "push")) {
		rc = image_push(&o, argv[optind], from);
		if (rc == 0)
			print_pushed(&o, argv[optind]);
	} else if (!strcmp(sub, "promote")) {
		if ((rc = image_promote(&o, argv[optind], argv[optind + 1])) == 0)
			print_pushed(&o, argv[optind + 1]);
	} else if (!strcmp(sub, "pull")) {
		if ((rc = image_pull(&o, argv[optind], to)) == 0)
			for (size_t i = 0; i < o.n; i++)
				printf("%s: pulled %s:%s = %s\n", o.jobs[i].image, o.jobs[i].repo.ptr,
				    argv[optind], o.jobs[i].top.digest);
	} else if (!strcmp(sub, "tags")) {
		rc = do_tags(&o);
	} else {
		rc = do_exists(&o, argv[optind]);
	}
out:
	image_ops_close(&o);
	project_release(&proj);
	repo_release(&repo);
	return rc;
}
