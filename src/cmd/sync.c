/* sync.c - `slipway sync`: share the workflow records with the remote. */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "lib/err.h"
#include "project/project.h"
#include "records/sync.h"

static const char usage[] = "slipway sync [--remote NAME]";

int
cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "remote", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct project proj = PROJECT_INIT;
	struct repo repo = REPO_INIT;
	struct sync_stats st;
	const char *remote = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":r:h", opts, NULL)) != -1) {
		switch (opt) {
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
	if ((rc = records_sync(&repo, remote, &st)) < 0)
		goto out;
	printf("synced records with '%s': %zu in, %zu out, %zu merged", remote, st.fetched,
	    st.pushed, st.merged);
	if (st.tries > 1)
		printf(" (%d tries: the remote moved meanwhile)", st.tries);
	printf("\n");
out:
	project_release(&proj);
	repo_release(&repo);
	return rc;
}
