/* pack.h - objects read straight from a repository's pack files. */
#ifndef SLIPWAY_PACK_H
#define SLIPWAY_PACK_H

#include <git2.h>

#include "lib/buf.h"

/*
 * For the few big trees the hook reads: libgit2 1.5 keeps every step of a
 * delta chain in its 16 MB delta-base cache (a 180 KB tree 25 deltas deep
 * costs 4.5 MB of fresh pages), where this applies the chain with two
 * buffers it reuses, and starts from an object read before (see
 * packs_set_source) when the chain passes through one. Loose objects, alternates and packs made after
 * packs_open are not seen here: a caller asks libgit2 for what this does
 * not find.
 */
struct packs;

/* The packs of the object directory objdir (each .idx with its .pack),
 * mapped when first searched. Returns 0 (no packs is not an error). */
int packs_open(struct packs **out, const char *objdir);
void packs_free(struct packs *p);

/*
 * Where a later read may take an object read before, whole, when a delta
 * chain passes through it: fn returns its bytes if the caller still holds
 * them (NULL if not). Without it every chain is applied from its base.
 */
void packs_set_source(struct packs *p, const char *(*fn)(void *ctx, const git_oid *id,
    size_t *len), void *ctx);

/*
 * Object id's type and content (into out, replacing what it held).
 * Returns 0; -E_NOTFOUND (no message) when no pack holds it; -E_INVALID
 * naming the pack when an entry, a delta or the zlib stream is broken.
 */
int packs_read(struct packs *p, const git_oid *id, git_object_t *type, struct buf *out);

/*
 * Object id as a loose file of the object directory objdir (read whole,
 * inflated by libdeflate). Returns 0; -E_NOTFOUND (no message) when there
 * is no such file; -E_INVALID naming it when it is not a loose object.
 */
int loose_read(const char *objdir, const git_oid *id, git_object_t *type, struct buf *out);

#endif
