/* records.c - the record store: commits of record.json under refs/slipway/. */
#include "records/records.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"

#define RECORD_FILE "record.json"
#define CAS_TRIES 50

/* Waits a short, random, growing time before another compare-and-swap, so
 * that two writers in step drift apart (at most ~25 ms a try). */
static void
backoff(int tries)
{
	static unsigned seed;
	int cap = tries < 25 ? tries + 1 : 25;

	if (!seed)
		seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	usleep((useconds_t)(rand_r(&seed) % cap + 1) * 1000);
}

int
records_ref(const char *kind, const char *subject, struct buf *out)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;

	if (!*kind || strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(kind))
		return err_set(-E_INVALID, "invalid record kind '%s'", kind);
	if (git_odb_hash(&id, subject, strlen(subject), GIT_OBJECT_BLOB) < 0)
		return repo_error(-E_GENERIC, "hashing '%s'", subject);
	git_oid_tostr(hex, sizeof(hex), &id);
	return buf_printf(out, "refs/slipway/%s/%s", kind, hex);
}

/* Writes the commit holding rec on top of parent (NULL: a new chain). */
static int
write_commit(struct repo *r, const git_signature *const who[2], const git_commit *parent,
    json_t *rec, const char *summary, const char *subject, git_oid *out)
{
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	struct buf msg = BUF_INIT;
	struct buf json = BUF_INIT;
	git_oid blob, tree_id;
	char *text;
	int rc = 0;

	if (!(text = json_dumps(rec, JSON_SORT_KEYS | JSON_INDENT(2))))
		return err_set(-E_INVALID, "record for '%s' cannot be written as JSON", subject);
	buf_printf(&json, "%s\n", text);
	buf_printf(&msg, "%s\n\nsubject: %s\n", summary, subject);
	if (git_blob_create_from_buffer(&blob, r->git, json.ptr, json.len) < 0 ||
	    git_treebuilder_new(&tb, r->git, NULL) < 0 ||
	    git_treebuilder_insert(NULL, tb, RECORD_FILE, &blob, GIT_FILEMODE_BLOB) < 0 ||
	    git_treebuilder_write(&tree_id, tb) < 0 ||
	    git_tree_lookup(&tree, r->git, &tree_id) < 0 ||
	    git_commit_create(out, r->git, NULL, who[0], who[1], NULL, msg.ptr, tree,
	    parent ? 1 : 0, parent ? &parent : NULL) < 0)
		rc = repo_error(-E_GENERIC, "writing a record for '%s'", subject);
	free(text);
	buf_release(&json);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	buf_release(&msg);
	return rc;
}

int
records_append(struct repo *r, const char *kind, const char *subject, json_t *rec,
    const char *summary, git_oid *out)
{
	git_signature *who[2] = { NULL, NULL };	/* author, committer: once for all tries */
	struct buf ref = BUF_INIT;
	git_reference *moved = NULL;
	git_commit *parent = NULL;
	git_oid head, commit;
	int rc, tries, e = 0;

	if ((rc = records_ref(kind, subject, &ref)) < 0 ||
	    (rc = repo_signature(r, "AUTHOR", &who[0])) < 0 ||
	    (rc = repo_signature(r, "COMMITTER", &who[1])) < 0)
		goto out;
	for (tries = 0; tries < CAS_TRIES; tries++) {
		int have = git_reference_name_to_id(&head, r->git, ref.ptr) == 0;

		git_commit_free(parent);
		parent = NULL;
		if (have && git_commit_lookup(&parent, r->git, &head) < 0) {
			rc = repo_error(-E_GENERIC, "reading '%s'", ref.ptr);
			goto out;
		}
		if ((rc = write_commit(r, (const git_signature *const *)who, parent, rec, summary,
		    subject, &commit)) < 0)
			goto out;
		/* compare-and-swap under the ref's lock: a zero old value means
		 * "must not exist" (plain create is not atomic in libgit2 1.5) */
		if (!have)
			memset(&head, 0, sizeof(head));
		e = git_reference_create_matching(&moved, r->git, ref.ptr, &commit, 1, &head,
		    summary);
		git_reference_free(moved);
		moved = NULL;
		if (e == 0)
			break;
		if (e != GIT_EMODIFIED && e != GIT_EEXISTS && e != GIT_ELOCKED) {
			rc = repo_error(-E_GENERIC, "updating '%s'", ref.ptr);
			goto out;
		}
		backoff(tries);
	}
	if (e != 0) {
		rc = err_set(-E_STALE, "'%s' kept changing; the record was not written", ref.ptr);
		goto out;
	}
	if (out)
		git_oid_cpy(out, &commit);
out:
	git_signature_free(who[0]);
	git_signature_free(who[1]);
	git_commit_free(parent);
	buf_release(&ref);
	return rc;
}

/* Parses the record.json of commit c; caller owns *out. */
static int
read_record(struct repo *r, const git_commit *c, json_t **out)
{
	struct buf data = BUF_INIT;
	json_error_t jerr;
	int rc;

	if ((rc = repo_read_in_tree(r, git_commit_tree_id(c), RECORD_FILE, &data)) < 0)
		goto out;
	if (!(*out = json_loadb(data.ptr, data.len, JSON_REJECT_DUPLICATES, &jerr)) ||
	    !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = err_set(-E_INVALID, "record %s is not a JSON object: %s",
		    repo_short(git_commit_id(c)), jerr.text);
	}
out:
	buf_release(&data);
	return rc;
}

int
records_walk(struct repo *r, const char *kind, const char *subject,
    int (*fn)(const git_oid *commit, json_t *rec, void *data), void *data)
{
	struct buf ref = BUF_INIT;
	git_revwalk *walk = NULL;
	git_oid id;
	int rc;

	if ((rc = records_ref(kind, subject, &ref)) < 0)
		goto out;
	if (git_reference_name_to_id(&id, r->git, ref.ptr) < 0) {
		rc = err_set(-E_NOTFOUND, "no %s record for '%s'", kind, subject);
		goto out;
	}
	if (git_revwalk_new(&walk, r->git) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TIME | GIT_SORT_TOPOLOGICAL) < 0 ||
	    git_revwalk_push(walk, &id) < 0) {
		rc = repo_error(-E_GENERIC, "walking '%s'", ref.ptr);
		goto out;
	}
	while (rc == 0 && git_revwalk_next(&id, walk) == 0) {
		git_commit *c = NULL;
		json_t *rec = NULL;

		if (git_commit_lookup(&c, r->git, &id) < 0) {
			rc = repo_error(-E_GENERIC, "reading record %s", repo_short(&id));
			break;
		}
		/* a merge of two chains holds no record of its own */
		if (git_commit_parentcount(c) < 2 && (rc = read_record(r, c, &rec)) == 0)
			rc = fn(&id, rec, data);
		json_decref(rec);
		git_commit_free(c);
	}
out:
	git_revwalk_free(walk);
	buf_release(&ref);
	return rc;
}

/* records_walk callback keeping the first record. */
static int
keep_first(const git_oid *commit, json_t *rec, void *data)
{
	(void)commit;
	*(json_t **)data = json_incref(rec);
	return 1;
}

int
records_latest(struct repo *r, const char *kind, const char *subject, json_t **out)
{
	int rc;

	*out = NULL;
	rc = records_walk(r, kind, subject, keep_first, out);
	return rc == 1 ? 0 : rc < 0 ? rc : err_set(-E_NOTFOUND, "no %s record for '%s'",
	    kind, subject);
}
