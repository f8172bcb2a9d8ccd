/* checkout_int.h - what checkout.c and checkout_files.c share (internal). */
#ifndef SLIPWAY_CHECKOUT_INT_H
#define SLIPWAY_CHECKOUT_INT_H

#include <stdatomic.h>
#include <sys/stat.h>

#include "git/repo.h"

/* Writes len bytes to the new file name (relative to the folder at; never
 * through a link), mode 0666 or 0777 (exec) before the umask; *st (if not
 * NULL) gets its stat data. -1 with errno on failure. */
int checkout_new_file(int at, const char *name, const void *data, size_t len, int exec,
    struct stat *st);

/*
 * The files of commit into the empty folder dirfd, and their index (version
 * 2, with each file's stat data) into index and the file "index" in the
 * folder gitfd. Many files are written by several threads at once. With a
 * .gitattributes in the tree, *filtered is set and nothing is written but
 * what was made so far (the caller removes it).
 */
int checkout_files(struct repo *r, int dirfd, int gitfd, const git_oid *commit,
    const atomic_int *stop, struct buf *index, int *filtered);

#endif
