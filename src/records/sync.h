/* sync.h - sharing records with a remote: fetch, merge diverged chains, push. */
#ifndef SLIPWAY_SYNC_H
#define SLIPWAY_SYNC_H

#include "git/repo.h"

/* What a sync did, for the report. */
struct sync_stats {
	size_t fetched;		/* chains that came from the remote or moved forward */
	size_t pushed;		/* chains the remote got or moved forward */
	size_t merged;		/* chains both sides had written to */
	int tries;		/* attempts (a race with another sync retries) */
};

/*
 * Fetches every ref under refs/slipway/ from remote, brings each chain up to date locally
 * (a new chain, a fast-forward, or a merge commit uniting two chains that
 * both grew), then pushes what the remote lacks in one atomic push with a
 * lease on every ref; when the remote moved meanwhile, starts over (a few
 * times). Records the time of the sync in GIT_DIR/slipway/last-sync.
 * -E_CONFIG for an unknown remote, -E_REMOTE, -E_STALE after the retries.
 */
int records_sync(struct repo *r, const char *remote, struct sync_stats *st);

/* When the last sync ran (seconds since the epoch) and with which remote;
 * *when = 0 when this clone never synced. */
void records_last_sync(struct repo *r, long long *when, struct buf *remote);

#endif
