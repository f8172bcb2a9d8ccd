/* record.c - `slipway record`: record a pipeline result another CI produced. */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "lib/err.h"
#include "records/result.h"

static const char usage[] =
    "slipway record PIPELINE --status pass|fail|timeout|cancelled [--commit REV] [--url URL]";

int
cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "commit", required_argument, NULL, 'c' },
		{ "url", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct result res = { NULL, NULL, "HEAD", NULL, "slipway record" };
	struct repo repo = REPO_INIT;
	git_oid commit;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":s:c:u:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': res.status = optarg; break;
		case 'c': res.rev = optarg; break;
		case 'u': res.url = optarg; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (optind == argc) {
		fprintf(stderr, "slipway: record: which pipeline? (e.g. ci, cd)\n");
		return cmd_usage(usage);
	}
	if (argc - optind > 1)
		return cmd_too_many(argv, argv[optind + 1], usage);
	if (!res.status) {
		fprintf(stderr, "slipway: record: --status is required\n");
		return cmd_usage(usage);
	}
	res.pipeline = argv[optind];
	if ((rc = repo_open(&repo)) < 0 || (rc = result_record(&repo, &res, &commit)) < 0)
		goto out;
	printf("recorded %s %s for %s\n", res.pipeline, res.status, repo_short(&commit));
out:
	repo_release(&repo);
	return rc;
}
