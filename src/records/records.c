/* records.c - the record store: commits of record.json under refs/slipway/. */
#include "records/records.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "git/refs.h"
#include "lib/err.h"
#include "lib/util.h"
#include "records/sign.h"

#define RECORD_FILE "record.json"
#define SIG_FILE "record.json.sig"
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

/* Writes the commit holding the record's bytes (and its signature, when
 * sig is not empty) on top of parent (NULL: a new chain). */
static int
write_commit(struct repo *r, const git_signature *const who[2], const git_commit *parent,
    const struct buf *json, const struct buf *sig, const char *summary, const char *subject,
    git_oid *out)
{
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	struct buf msg = BUF_INIT;
	git_oid blob, sblob, tree_id;
	int rc = 0;

	buf_printf(&msg, "%s\n\nsubject: %s\n", summary, subject);
	if (git_blob_create_from_buffer(&blob, r->git, json->ptr, json->len) < 0 ||
	    git_treebuilder_new(&tb, r->git, NULL) < 0 ||
	    git_treebuilder_insert(NULL, tb, RECORD_FILE, &blob, GIT_FILEMODE_BLOB) < 0 ||
	    (sig->len && (git_blob_create_from_buffer(&sblob, r->git, sig->ptr, sig->len) < 0 ||
	    git_treebuilder_insert(NULL, tb, SIG_FILE, &sblob, GIT_FILEMODE_BLOB) < 0)) ||
	    git_treebuilder_write(&tree_id, tb) < 0 ||
	    git_tree_lookup(&tree, r->git, &tree_id) < 0 ||
	    git_commit_create(out, r->git, NULL, who[0], who[1], NULL, msg.ptr, tree,
	    parent ? 1 : 0, parent ? &parent : NULL) < 0)
		rc = repo_error(-E_GENERIC, "writing a record for '%s'", subject);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	buf_release(&msg);
	return rc;
}

/* The record's bytes as stored, and their signature when git signs. */
static int
encode(struct repo *r, json_t *rec, const char *subject, struct buf *json, struct buf *sig)
{
	char *text;
	int rc;

	if (!(text = json_dumps(rec, JSON_SORT_KEYS | JSON_INDENT(2))))
		return err_set(-E_INVALID, "record for '%s' cannot be written as JSON", subject);
	buf_printf(json, "%s\n", text);
	free(text);
	if ((rc = sign_configured(r)) <= 0)
		return rc;
	return sign_data(r, json->ptr, json->len, sig);
}

/* The commit at the head of the chain ref; -E_INVALID when it is another
 * kind of object (a damaged record store, named). */
static int
chain_head(struct repo *r, const char *ref, const git_oid *head, git_commit **out)
{
	git_object *obj = NULL;
	int rc = 0;

	if (git_object_lookup(&obj, r->git, head, GIT_OBJECT_ANY) < 0)
		return repo_error(-E_INVALID, "%s: reading %s", ref, repo_short(head));
	if (git_object_type(obj) != GIT_OBJECT_COMMIT)
		rc = err_set(-E_INVALID, "%s points at a %s, not a commit", ref,
		    git_object_type2string(git_object_type(obj)));
	else if (git_commit_lookup(out, r->git, head) < 0)
		rc = repo_error(-E_INVALID, "%s: reading %s", ref, repo_short(head));
	git_object_free(obj);
	return rc;
}

int
records_append(struct repo *r, const char *kind, const char *subject, json_t *rec,
    const char *summary, git_oid *out)
{
	git_signature *who[2] = { NULL, NULL };	/* author, committer: once for all tries */
	struct buf ref = BUF_INIT, json = BUF_INIT, sig = BUF_INIT;
	git_reference *moved = NULL;
	git_commit *parent = NULL;
	git_oid head, commit;
	int rc, tries, e = 0;

	if ((rc = records_ref(kind, subject, &ref)) < 0 ||
	    (rc = repo_signature(r, "AUTHOR", &who[0])) < 0 ||
	    (rc = repo_signature(r, "COMMITTER", &who[1])) < 0 ||
	    (rc = encode(r, rec, subject, &json, &sig)) < 0)
		goto out;
	for (tries = 0; tries < CAS_TRIES; tries++) {
		int have = git_reference_name_to_id(&head, r->git, ref.ptr) == 0;

		git_commit_free(parent);
		parent = NULL;
		if (have && (rc = chain_head(r, ref.ptr, &head, &parent)) < 0)
			goto out;
		if ((rc = write_commit(r, (const git_signature *const *)who, parent, &json, &sig,
		    summary, subject, &commit)) < 0)
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
	buf_release(&json);
	buf_release(&sig);
	return rc;
}

/* Reads the record of commit c (on the chain ref) and calls fn with it. */
static int
read_record(struct repo *r, const char *ref, const git_commit *c,
    int (*fn)(const struct record *rec, void *data), void *data)
{
	struct buf raw = BUF_INIT, sig = BUF_INIT;
	struct record rec = { ref, git_commit_id(c), NULL, NULL, 0, NULL };
	json_error_t jerr;
	int rc;

	if ((rc = repo_read_in_tree(r, git_commit_tree_id(c), RECORD_FILE, &raw)) < 0) {
		rc = err_set(-E_INVALID, "%s: commit %s holds no %s", ref,
		    repo_short(git_commit_id(c)), RECORD_FILE);
		goto out;
	}
	rec.json = json_loadb(raw.ptr, raw.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(rec.json)) {
		rc = err_set(-E_INVALID, "%s: record %s is not a JSON object%s%s", ref,
		    repo_short(git_commit_id(c)), rec.json ? "" : ": ", rec.json ? "" : jerr.text);
		goto out;
	}
	if (repo_read_in_tree(r, git_commit_tree_id(c), SIG_FILE, &sig) == 0)
		rec.sig = sig.ptr;
	err_clear();
	rec.raw = raw.ptr;
	rec.len = raw.len;
	rc = fn(&rec, data);
out:
	json_decref(rec.json);
	buf_release(&raw);
	buf_release(&sig);
	return rc;
}

int
records_walk_tip(struct repo *r, const char *ref, const git_oid *tip,
    int (*fn)(const struct record *rec, void *data), void *data)
{
	git_revwalk *walk = NULL;
	git_object *obj = NULL;
	git_oid id;
	int rc = 0;

	if (git_object_lookup(&obj, r->git, tip, GIT_OBJECT_ANY) < 0) {
		rc = repo_error(-E_INVALID, "%s: reading %s", ref, repo_short(tip));
		goto out;
	}
	if (git_object_type(obj) != GIT_OBJECT_COMMIT) {
		rc = err_set(-E_INVALID, "%s points at a %s, not a commit", ref,
		    git_object_type2string(git_object_type(obj)));
		goto out;
	}
	if (git_revwalk_new(&walk, r->git) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TIME | GIT_SORT_TOPOLOGICAL) < 0 ||
	    git_revwalk_push(walk, tip) < 0) {
		rc = repo_error(-E_GENERIC, "walking '%s'", ref);
		goto out;
	}
	while (rc == 0 && git_revwalk_next(&id, walk) == 0) {
		git_commit *c = NULL;

		if (git_commit_lookup(&c, r->git, &id) < 0) {
			rc = repo_error(-E_INVALID, "%s: reading record %s", ref, repo_short(&id));
			break;
		}
		/* a merge of two chains holds no record of its own */
		if (git_commit_parentcount(c) < 2)
			rc = read_record(r, ref, c, fn, data);
		git_commit_free(c);
	}
out:
	git_object_free(obj);
	git_revwalk_free(walk);
	return rc;
}

int
records_walk(struct repo *r, const char *kind, const char *subject,
    int (*fn)(const struct record *rec, void *data), void *data)
{
	struct buf ref = BUF_INIT;
	git_oid id;
	int rc;

	if ((rc = records_ref(kind, subject, &ref)) < 0)
		goto out;
	if (refs_resolve(r, ref.ptr, &id) < 0)
		rc = err_set(-E_NOTFOUND, "no %s record for '%s'", kind, subject);
	else
		rc = records_walk_tip(r, ref.ptr, &id, fn, data);
out:
	buf_release(&ref);
	return rc;
}
