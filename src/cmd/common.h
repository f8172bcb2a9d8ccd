/* common.h - small printing and prompting helpers shared by commands. */
#ifndef SLIPWAY_CMD_COMMON_H
#define SLIPWAY_CMD_COMMON_H

#include <stddef.h>

#include <git2.h>

#include "git/repo.h"
#include "lib/strvec.h"

/* Prints notes[from..] as "note: ..." lines on stderr; returns how many
 * notes there are now, the next call's from. */
size_t print_notes(const struct strvec *notes, size_t from);
/* Prints the prompt on stderr and reads one line from stdin (trimmed).
 * Returns an owned string, or NULL at end of input. */
char *prompt_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Asks a yes/no question on the terminal. 0 for yes; -E_CANCELLED for no;
 * -E_USAGE when there is no terminal (hint: --yes). */
int confirm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct repo;
/* Prints how old this clone's records are: "records synced 5 minutes ago
 * with 'origin'", or that they were never synced. */
void print_sync_age(struct repo *r);
/* Shares the records just written (slipway sync with remote) unless
 * no_sync; a failure keeps them here and says so. Returns the sync's code. */
int share_records(struct repo *r, const char *remote, int no_sync);

struct gate_report;
struct gate_subject;
struct project;
struct buf;
/* gate.c: prints a gate report (rule, facts with evidence, verdict). */
void print_gate_report(const struct gate_report *rep);
/* gate.c: the gate's subject from this clone's refs (REMOTE's branch when
 * fetched, else the local one); staging holds staging's head when known. */
int gate_subject_local(struct repo *r, struct project *p, const char *branch,
    struct gate_subject *s, git_oid *staging, struct buf *label);

struct plan_opts;
struct run_opts;
/*
 * Plans and runs pipelines (cmd/run.c), showing them as `slipway run` does
 * (a live board on a terminal unless plain), and records the results.
 * -E_REFUSED when a pipeline did not pass.
 */
int run_and_show(struct repo *r, const struct plan_opts *po, struct run_opts *ro, int plain);

#endif
