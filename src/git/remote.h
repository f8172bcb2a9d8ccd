/* remote.h - talking to a remote through the git CLI: list, fetch, atomic push. */
#ifndef SLIPWAY_REMOTE_H
#define SLIPWAY_REMOTE_H

#include "git/quarantine.h"
#include "git/repo.h"

/* One advertised ref; name owned. */
struct remote_ref {
	char *name;
	git_oid oid;
};

struct remote_refs {
	struct remote_ref *v;
	size_t nr, alloc;
};

#define REMOTE_REFS_INIT { NULL, 0, 0 }

/* Checks that name is a configured remote: 0, or -E_CONFIG with a hint
 * listing the remotes there are. */
int remote_check(struct repo *r, const char *name);

/* git ls-remote NAME: every ref the remote advertises ("^{}" lines
 * skipped). -E_REMOTE with git's message when it cannot be reached. */
int remote_list(struct repo *r, const char *name, struct remote_refs *out);
/* The same for only branches and/or tags (kinds: REMOTE_HEADS,
 * REMOTE_TAGS; 0 for all) and, when refnames is not NULL, only those names
 * (ls-remote matches them as patterns: check with remote_refs_get). A
 * remote with many other refs (refs/slipway/) then sends only these. */
#define REMOTE_HEADS 1u
#define REMOTE_TAGS 2u
int remote_list_refs(struct repo *r, const char *name, unsigned kinds,
    const struct strvec *refnames, struct remote_refs *out);

/* Appends a ref (its name's first len bytes) to refs. */
void remote_refs_add(struct remote_refs *refs, const char *name, size_t len,
    const git_oid *oid);

/*
 * remote_list_refs for a remote whose URL is a path on this machine (or
 * file://): the repository there is opened and its branches and tags read
 * in process (~1 ms, where git ls-remote starts two processes). Returns 0
 * with out filled, or 1 when git must do it (not local, unreadable here, a
 * glob among refnames, all refs asked for, the remote hides refs).
 */
int remote_list_local(struct repo *r, const char *name, unsigned kinds,
    const struct strvec *refnames, struct remote_refs *out);
/* The advertised OID of refname, or NULL. */
const git_oid *remote_refs_get(const struct remote_refs *refs, const char *refname);
void remote_refs_release(struct remote_refs *refs);

/* Fetches the objects of the given full ref names without writing any
 * ref or FETCH_HEAD. */
int remote_fetch_objects(struct repo *r, const char *name, const struct strvec *refnames);

/* One ref update of an atomic push. expect is the value the remote must
 * still have (a zero OID: the ref must not exist). */
struct push_update {
	git_oid new_oid;
	git_oid expect;
	const char *dst;	/* full ref name on the remote */
};

/*
 * Pushes all updates (objects from the quarantine q) in one atomic push, each with a lease on its expected
 * old value (tags the user's push.followTags would add are not pushed).
 * Returns 0 when every ref moved; -E_STALE when a lease failed or the
 * remote moved (nothing moved); -E_REMOTE when the remote refused it (the
 * message carries the remote's own lines); -E_UNSURE when git failed
 * without a verdict (connection lost, interrupted): the caller must look
 * at the remote to learn what happened.
 */
int remote_push_atomic(struct repo *r, const struct quarantine *q, const char *name,
    const struct push_update *u, size_t n);

/* The remote-tracking ref for a remote branch per remote.NAME.fetch, or
 * -E_NOTFOUND when no refspec maps it. out gets the full name. */
int remote_tracking_ref(struct repo *r, const char *name, const char *refname, struct buf *out);

#endif
