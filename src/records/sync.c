/* sync.c - records travel with ordinary fetch and push: merge chains, push with leases. */
#include "records/sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "git/remote.h"
#include "lib/err.h"
#include "lib/util.h"

#define SYNC_TRIES 5
#define PREFIX "refs/slipway/"

/* The merge of two chains: parents local and theirs, local's tree. */
static int
merge_chains(struct repo *r, const char *ref, const git_oid *local, const git_oid *theirs,
    git_oid *out)
{
	git_signature *author = NULL, *committer = NULL;
	git_commit *a = NULL, *b = NULL;
	git_tree *tree = NULL;
	struct buf msg = BUF_INIT;
	int rc;

	if ((rc = repo_signature(r, "AUTHOR", &author)) < 0 ||
	    (rc = repo_signature(r, "COMMITTER", &committer)) < 0)
		goto out;
	buf_printf(&msg, "merge records of %s\n", ref);
	if (git_commit_lookup(&a, r->git, local) < 0 || git_commit_lookup(&b, r->git, theirs) < 0 ||
	    git_commit_tree(&tree, a) < 0 ||
	    git_commit_create_v(out, r->git, NULL, author, committer, NULL, msg.ptr, tree, 2,
	    a, b) < 0)
		rc = repo_error(-E_GENERIC, "merging the chains of '%s'", ref);
out:
	git_tree_free(tree);
	git_commit_free(a);
	git_commit_free(b);
	git_signature_free(author);
	git_signature_free(committer);
	buf_release(&msg);
	return rc;
}

/* Moves local ref from old (zero: absent) to new with a compare-and-swap. */
static int
move_local(struct repo *r, const char *ref, const git_oid *old, const git_oid *new)
{
	git_reference *out = NULL;
	/* a zero old value: "must not exist", checked under the lock */
	int e = git_reference_create_matching(&out, r->git, ref, new, 1, old, "slipway: sync");

	git_reference_free(out);
	if (e == GIT_EMODIFIED || e == GIT_EEXISTS)
		return err_set(-E_STALE, "'%s' changed during the sync", ref);
	return e < 0 ? repo_error(-E_GENERIC, "updating '%s'", ref) : 0;
}

/* Appends a push update for ref: new, with the remote's value as lease. */
static void
add_update(struct push_update **u, size_t *n, const char *ref, const git_oid *new,
    const git_oid *remote)
{
	*u = xrealloc(*u, (*n + 1) * sizeof(**u));
	memset(&(*u)[*n], 0, sizeof(**u));
	git_oid_cpy(&(*u)[*n].new_oid, new);
	if (remote)
		git_oid_cpy(&(*u)[*n].expect, remote);
	(*u)[*n].dst = ref;
	(*n)++;
}

/* Brings one remote chain into the local one; queues a push when the
 * remote lacks local records. */
static int
join_chain(struct repo *r, const struct remote_ref *rr, struct push_update **u, size_t *n,
    struct sync_stats *st)
{
	git_oid local, zero, merged;
	int have = git_reference_name_to_id(&local, r->git, rr->name) == 0;

	memset(&zero, 0, sizeof(zero));
	if (!have) {
		st->fetched++;
		return move_local(r, rr->name, &zero, &rr->oid);
	}
	if (git_oid_equal(&local, &rr->oid))
		return 0;
	if (git_graph_descendant_of(r->git, &rr->oid, &local) == 1) {
		st->fetched++;
		return move_local(r, rr->name, &local, &rr->oid);
	}
	if (git_graph_descendant_of(r->git, &local, &rr->oid) != 1) {
		int rc = merge_chains(r, rr->name, &local, &rr->oid, &merged);

		if (rc < 0 || (rc = move_local(r, rr->name, &local, &merged)) < 0)
			return rc;
		st->merged++;
		local = merged;
	}
	add_update(u, n, rr->name, &local, &rr->oid);
	st->pushed++;
	return 0;
}

/* Queues every local chain the remote does not have. */
static int
add_new_chains(struct repo *r, const struct remote_refs *refs, struct push_update **u,
    size_t *n, struct strvec *names, struct sync_stats *st)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int rc = 0;

	if (git_reference_iterator_glob_new(&it, r->git, PREFIX "*") < 0)
		return repo_error(-E_GENERIC, "listing " PREFIX);
	while (git_reference_next(&ref, it) == 0) {
		const char *name = git_reference_name(ref);

		if (!remote_refs_get(refs, name) && git_reference_target(ref)) {
			strvec_push(names, name);
			add_update(u, n, names->v[names->nr - 1], git_reference_target(ref), NULL);
			st->pushed++;
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	return rc;
}

/* Writes the time of this sync where readers of records can find it. */
static void
note_sync(struct repo *r, const char *remote)
{
	struct buf path = BUF_INIT, line = BUF_INIT;

	buf_printf(&path, "%sslipway", git_repository_commondir(r->git));
	if (mkdir(path.ptr, 0777) == 0 || errno == EEXIST) {
		buf_puts(&path, "/last-sync");
		buf_printf(&line, "%lld %s\n", (long long)time(NULL), remote);
		write_file_atomic(path.ptr, line.ptr, line.len);
	}
	err_clear();
	buf_release(&path);
	buf_release(&line);
}

void
records_last_sync(struct repo *r, long long *when, struct buf *remote)
{
	struct buf path = BUF_INIT, line = BUF_INIT;
	char *end;

	*when = 0;
	buf_printf(&path, "%sslipway/last-sync", git_repository_commondir(r->git));
	if (buf_read_file(&line, path.ptr) == 0) {
		*when = strtoll(line.ptr, &end, 10);
		if (*end == ' ') {
			buf_puts(remote, end + 1);
			buf_rtrim(remote);
		}
	}
	err_clear();
	buf_release(&path);
	buf_release(&line);
}

/* One attempt: list, fetch, join, push. */
static int
sync_once(struct repo *r, const char *remote, struct sync_stats *st)
{
	struct remote_refs refs = REMOTE_REFS_INIT;
	struct strvec want = STRVEC_INIT, names = STRVEC_INIT;
	struct push_update *u = NULL;
	size_t i, n = 0;
	int rc;

	if ((rc = remote_list(r, remote, &refs)) < 0)
		goto out;
	for (i = 0; i < refs.nr; i++) {
		git_commit *c;

		if (!starts_with(refs.v[i].name, PREFIX))
			continue;
		if (git_commit_lookup(&c, r->git, &refs.v[i].oid) == 0)
			git_commit_free(c);
		else
			strvec_push(&want, refs.v[i].name);
	}
	if (want.nr && (rc = remote_fetch_objects(r, remote, &want)) < 0)
		goto out;
	for (i = 0; i < refs.nr && rc == 0; i++)
		if (starts_with(refs.v[i].name, PREFIX))
			rc = join_chain(r, &refs.v[i], &u, &n, st);
	if (rc == 0)
		rc = add_new_chains(r, &refs, &u, &n, &names, st);
	if (rc == 0 && n)
		rc = remote_push_atomic(r, NULL, remote, u, n);
out:
	free(u);
	strvec_clear(&want);
	strvec_clear(&names);
	remote_refs_release(&refs);
	return rc;
}

int
records_sync(struct repo *r, const char *remote, struct sync_stats *st)
{
	int rc;

	if ((rc = remote_check(r, remote)) < 0)
		return rc;
	st->tries = 0;
	do {
		st->fetched = st->pushed = st->merged = 0;
		st->tries++;
		rc = sync_once(r, remote, st);
	} while (rc == -E_STALE && st->tries < SYNC_TRIES);
	if (rc == 0)
		note_sync(r, remote);
	return rc;
}
