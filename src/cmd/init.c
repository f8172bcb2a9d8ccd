/* init.c - `slipway init`: write a commented slipway.conf for this repository. */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "lib/err.h"
#include "project/init.h"
#include "project/project.h"

static const char usage[] = "slipway init [--force] [--print]";

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "print", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct init_facts facts = INIT_FACTS_INIT;
	struct repo repo = REPO_INIT;
	struct buf out = BUF_INIT;
	int force = 0, print = 0, opt, rc;

	while ((opt = getopt_long(argc, argv, ":fph", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': force = 1; break;
		case 'p': print = 1; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (optind != argc)
		return cmd_too_many(argv, argv[optind], usage);
	if ((rc = repo_open(&repo)) < 0 || (rc = init_detect(&repo, &facts)) < 0)
		goto out;
	init_render(&facts, &out);
	if (print) {
		fputs(out.ptr, stdout);
		goto out;
	}
	if ((rc = init_write(&repo, &out, force)) < 0)
		goto out;
	printf("wrote %s\n", PROJECT_CONF);
	if (facts.version_file)
		printf("  version file  %s (%s)\n", facts.version_file, facts.version);
	if (facts.compat)
		printf("  compat        %s (%s)\n", facts.compat, facts.compat_value);
	printf("  branches      %s -> %s\n", facts.staging, facts.production);
	printf("review it, then commit it to %s\n", facts.staging);
out:
	init_facts_release(&facts);
	buf_release(&out);
	repo_release(&repo);
	return rc;
}
