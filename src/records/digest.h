/* digest.h - what readers computed from a record chain, remembered by the chain's tip. */
#ifndef SLIPWAY_DIGEST_H
#define SLIPWAY_DIGEST_H

#include <jansson.h>

#include "git/repo.h"

/*
 * Reading a chain means reading a commit, a tree and a blob per record,
 * scattered through the packs; the queue reads hundreds. A digest is one
 * line of text computed from a whole chain (a review folded, the latest
 * result of each pipeline), kept in GIT_DIR/slipway/NAME as "TIPHEX TEXT"
 * lines, appended. A chain that grows gets a new tip, so a digest is never
 * out of date; deleting the files only costs time. A file past 8 MB is
 * dropped and rebuilt.
 */

/* Which file: the folded reviews, the pipeline results, or how far apart
 * two commits are (keyed by digest_pair_key). */
enum digest_kind { DIGEST_REVIEWS, DIGEST_PIPELINES, DIGEST_AHEAD, DIGEST_NKINDS };

/* The digest of the chain at tip, or NULL (borrowed; valid until the repo
 * is released). The file is read on first use. */
const char *digest_get(struct repo *r, enum digest_kind kind, const git_oid *tip);
/* The digest of the chain at tip parsed as JSON, or NULL (none, or not
 * JSON); borrowed, parsed once: the queue asks for ci and cd in turn. */
json_t *digest_get_json(struct repo *r, enum digest_kind kind, const git_oid *tip);
/* Remembers text (one line: no '\n') for tip, in memory and in the file.
 * Failing to write the file is not an error: it is only a cache. */
void digest_put(struct repo *r, enum digest_kind kind, const git_oid *tip, const char *text);

/* One key for the ordered pair (a, b): a hash of both ids. */
void digest_pair_key(const git_oid *a, const git_oid *b, git_oid *key);

#endif
