/* records.h - workflow records in git: JSON in commits, one ref chain per subject. */
#ifndef SLIPWAY_RECORDS_H
#define SLIPWAY_RECORDS_H

#include <jansson.h>

#include "git/repo.h"

/*
 * A record is a JSON object in the file record.json of a commit; the
 * records about one subject (a commit's pipeline results, a branch's review
 * request, ...) form a chain of commits under refs/slipway/KIND/ID, where
 * ID is the SHA-1 of the subject's name, so that names never collide as
 * files and folders do ("a" and "a/b"). `git log -p REF` reads them.
 */

/* Appends the ref name of (kind, subject) to out. kind is [a-z0-9-]+. */
int records_ref(const char *kind, const char *subject, struct buf *out);

/*
 * Appends rec to the chain of (kind, subject): a new commit whose parent is
 * the chain's head, moved in with a compare-and-swap on the ref; when
 * another writer moved it meanwhile, re-reads and retries, so no record is
 * lost. summary is the commit's subject line. rec is borrowed. *out gets
 * the new commit (may be NULL). When git is set up for ssh signing
 * (gpg.format = ssh, user.signingkey), the record is signed with that key
 * and the signature kept beside it (record.json.sig).
 */
int records_append(struct repo *r, const char *kind, const char *subject, json_t *rec,
    const char *summary, git_oid *out);

/* One record as read back; everything borrowed for the callback's call. */
struct record {
	const char *ref;	/* the chain's ref, for messages */
	const git_oid *commit;	/* the commit holding it */
	json_t *json;		/* the parsed object */
	const char *raw;	/* the exact bytes of record.json (what was signed) */
	size_t len;
	const char *sig;	/* the armored ssh signature, or NULL when unsigned */
};

/* Calls fn for each record of the chain, newest first (every parent, so a
 * merged chain is seen whole); fn's non-zero return stops the walk and is
 * returned. -E_NOTFOUND: no chain; -E_INVALID naming the ref and commit for
 * a ref that is not a commit or a record that is not a JSON object. */
int records_walk(struct repo *r, const char *kind, const char *subject,
    int (*fn)(const struct record *rec, void *data), void *data);
/* The same for the chain whose head is tip (ref names it in messages). */
int records_walk_tip(struct repo *r, const char *ref, const git_oid *tip,
    int (*fn)(const struct record *rec, void *data), void *data);

#endif
