/* hook.c - `slipway hook`: install the server's pre-receive hook, and be it. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "gate/hook.h"
#include "lib/err.h"

static const char usage[] =
    "slipway hook install [--force]\n"
    "   or: slipway hook pre-receive   (run by git receive-pack)";

static int
install(struct repo *r, int force)
{
	char exe[PATH_MAX];
	struct buf path = BUF_INIT;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int rc;

	if (n < 0)
		return err_set(-E_IO, "cannot tell where slipway is installed: %m");
	exe[n] = '\0';
	if ((rc = hook_install(r, exe, force, &path)) == 0) {
		printf("installed %s\n", path.ptr);
		if (hook_write_commit_graph(r) < 0)
			fprintf(stderr, "note: %s; the hook works without it, slower on merges\n",
			    err_msg());
		if (r->workdir)
			fprintf(stderr, "note: this repository has a working tree; the hook guards "
			    "pushes to it, which is usually meant for a bare one\n");
	}
	buf_release(&path);
	return rc;
}

/* Reads what receive-pack says it will update and decides. */
static int
pre_receive(struct repo *r)
{
	struct config cfg = CONFIG_INIT;
	struct buf in = BUF_INIT, why = BUF_INIT;
	struct ref_update *u = NULL;
	size_t n = 0;
	int rc;

	if ((rc = buf_read_file(&in, "/dev/stdin")) < 0 ||
	    (rc = hook_parse_updates(in.ptr, &u, &n)) < 0 ||
	    (rc = hook_load_config(r, &cfg)) < 0)
		goto out;
	if ((rc = enforce_check(r, NULL, &cfg, u, n, &why)) == -E_REFUSED) {
		const char *p = why.ptr;

		fprintf(stderr, "slipway: refused: %s\n", err_msg());
		while (*p) {
			size_t len = strcspn(p, "\n");

			fprintf(stderr, "  %.*s\n", (int)len, p);
			p += len + (p[len] == '\n');
		}
		err_clear();
		rc = 1;
		fprintf(stderr, "hint: feature branches reach staging through 'slipway merge "
		    "BRANCH', master through 'slipway release'; 'slipway gate BRANCH' explains "
		    "a branch\n");
	}
out:
	hook_updates_free(u, n);
	config_release(&cfg);
	buf_release(&in);
	buf_release(&why);
	return rc;
}

int
cmd_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo repo = REPO_INIT;
	int opt, rc, force = 0;

	while ((opt = getopt_long(argc, argv, ":fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': force = 1; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return cmd_bad_args(opt, argv, usage);
		}
	}
	if (optind == argc) {
		fprintf(stderr, "slipway: hook: install or pre-receive?\n");
		return cmd_usage(usage);
	}
	if (argc - optind > 1)
		return cmd_too_many(argv, argv[optind + 1], usage);
	if (strcmp(argv[optind], "install") && strcmp(argv[optind], "pre-receive")) {
		fprintf(stderr, "slipway: hook: unknown subcommand '%s'\n", argv[optind]);
		return cmd_usage(usage);
	}
	if (force && strcmp(argv[optind], "install"))
		return cmd_usage(usage);
	if ((rc = repo_open(&repo)) < 0)
		goto out;
	rc = !strcmp(argv[optind], "install") ? install(&repo, force) : pre_receive(&repo);
out:
	repo_release(&repo);
	return rc;
}
