/* main.c - global options, the command table, and error to exit status. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "cmd/cmd.h"
#include "lib/err.h"

#define SLIPWAY_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "init", cmd_init, "write a commented slipway.conf for this repository" },
	{ "status", cmd_status, "versions, staging and master heads, release readiness" },
	{ "release", cmd_release, "merge staging into master, bump the version, tag, push" },
	{ "compat", cmd_compat, "the compat version, where it comes from, and breaking changes" },
	{ "run", cmd_run, "run pipelines on a commit in fresh checkouts, and record them" },
	{ "logs", cmd_logs, "what a recorded run did, and its jobs' logs" },
	{ "record", cmd_record, "record a pipeline result produced by another CI" },
	{ "sync", cmd_sync, "fetch and push the workflow records (refs/slipway/)" },
	{ "review", cmd_review, "request a review, approve, reject, list, close" },
	{ "queue", cmd_queue, "the review queue: others' pending requests first, oldest first" },
	{ "gate", cmd_gate, "evaluate the merge rule for a branch and explain each fact" },
	{ "merge", cmd_merge, "gated merge of a branch into staging, pushed atomically" },
	{ "image", cmd_image, "images: push, pull, promote, tags, exists (commit/release tags never move)" },
	{ "hook", cmd_hook, "install / be the server's pre-receive hook (enforces the protocol)" },
};

/* Exit statuses: documented in docs/exit-codes.md; never reuse one. */
static int
exit_code_for(int rc)
{
	switch (-rc) {
	case 0:
		return 0;
	case E_USAGE:
	case E_CONFIG:
	case E_INVALID:
		return 2;
	case E_CONFLICT:
		return 3;
	case E_REMOTE:
	case E_UNSURE:
		return 4;
	case E_STALE:
		return 5;
	case E_CANCELLED:
		return 6;
	case E_INTERRUPTED:
		return 130;
	default:
		return 1;
	}
}

static void
print_help(FILE *f)
{
	size_t i;

	fprintf(f, "usage: slipway [-C DIR] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "   %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'slipway COMMAND -h' shows a command's options.\n");
}

/* Prints the error message and hints the failed command left behind. */
static void
report(const char *cmd, int rc)
{
	const char *msg = err_msg(), *h = err_hints();

	if (*msg)
		fprintf(stderr, "slipway: %s: %s\n", cmd, msg);
	else if (rc != -E_USAGE && rc != -E_CANCELLED)
		fprintf(stderr, "slipway: %s: failed\n", cmd);
	while (*h) {
		size_t n = strcspn(h, "\n");

		fprintf(stderr, "hint: %.*s\n", (int)n, h);
		h += n + (h[n] == '\n');
	}
}

int
main(int argc, char **argv)
{
	const struct command *c = NULL;
	size_t i;
	int rc, opt;

	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	while ((opt = getopt_long(argc, argv, "+C:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'C':
			if (chdir(optarg) < 0) {
				fprintf(stderr, "slipway: cannot change to '%s': %m\n", optarg);
				return 2;
			}
			break;
		case 'h':
			print_help(stdout);
			return 0;
		case 'V':
			printf("slipway %s\n", SLIPWAY_VERSION);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, argv[optind]))
			c = &commands[i];
	if (!c) {
		fprintf(stderr, "slipway: '%s' is not a slipway command; see 'slipway --help'\n",
		    argv[optind]);
		return 2;
	}
	git_libgit2_init();
	/* as git reads objects: by id, without hashing each one again (a
	 * quarter of the hook's time on a 5,000-entry tree) */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	argc -= optind;
	argv += optind;
	optind = 0;	/* glibc: full reinitialisation for the command's getopt */
	opterr = 0;	/* commands name a bad option themselves */
	rc = c->fn(argc, argv);
	if (rc < 0)
		report(c->name, rc);
	fflush(stdout);
	err_clear();
	git_libgit2_shutdown();
	return exit_code_for(rc);
}
