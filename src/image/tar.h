/* tar.h - the members of a tar file, found by reading its headers in place (internal). */
#ifndef SLIPWAY_IMAGE_TAR_H
#define SLIPWAY_IMAGE_TAR_H

#include <stddef.h>

#include "lib/buf.h"

/* One member: a file ('0'), a hard link ('1') or a symbolic link ('2').
 * Names are normalised: no leading "./" or "/", no trailing "/". */
struct tar_member {
	char *name;
	char *link;		/* a link's target, else NULL */
	long long off, size;	/* where its data is in the tar file */
	char type;
};

/* The tar's members in archive order; fd is borrowed from the caller. */
struct tar {
	const char *file;	/* for messages; borrowed */
	int fd;
	struct tar_member *m;
	size_t nr, alloc;
};

/*
 * Reads every header of the tar file open on fd (pread: ustar, GNU long
 * names and links, pax path/linkpath/size, base-256 sizes). 0, or
 * -E_INVALID "'FILE' is truncated or not a tar archive" for a bad header
 * checksum, a member running past the end of the file, or a missing
 * end-of-archive block; -E_IO when fd cannot be read.
 */
int tar_scan(struct tar *t, int fd, const char *file);
void tar_release(struct tar *t);
/* The index of the file member called name, following links (a later
 * member of the same name wins), or -1. */
long tar_find(const struct tar *t, const char *name);
/* Appends member i's data to out; -E_TOOBIG when longer than cap. */
int tar_read(const struct tar *t, long i, size_t cap, struct buf *out);

#endif
