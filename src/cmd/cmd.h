/* cmd.h - the command table's types, and how to add a command. */
#ifndef SLIPWAY_CMD_H
#define SLIPWAY_CMD_H

/*
 * Adding a command:
 *   1. write src/cmd/<name>.c with one function
 *        int cmd_<name>(int argc, char **argv);
 *      that parses its options (argv[0] is the command name), calls the
 *      domain, prints, and returns 0 or a negative E_* code (src/lib/err.h);
 *   2. declare it below and add one line to the table in src/main.c;
 *   3. write docs/<name>.md and an end-to-end test under tests/e2e/.
 * Only cmd/ and main.c print. main.c turns the code into the exit status
 * and prints the message and hints set by err_set()/err_hint().
 */

int cmd_compat(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_sync(int argc, char **argv);

/* Prints "usage: ..." to stderr and returns -E_USAGE (no message). */
int cmd_usage(const char *usage);
/* After getopt_long (optstring starting with ':') returned '?' or ':':
 * names the bad option, then prints the usage. */
int cmd_bad_args(int opt, char **argv, const char *usage);
/* Names the first argument too many, then the usage. */
int cmd_too_many(char **argv, const char *extra, const char *usage);

#endif
