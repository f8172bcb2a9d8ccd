/* common.h - small printing and prompting helpers shared by commands. */
#ifndef SLIPWAY_CMD_COMMON_H
#define SLIPWAY_CMD_COMMON_H

#include <stddef.h>

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

#endif
