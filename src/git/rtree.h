/* rtree.h - trees read raw and parsed in place, each read once per reader. */
#ifndef SLIPWAY_RTREE_H
#define SLIPWAY_RTREE_H

#include "git/repo.h"

#define TREE_MODE 040000

/* A tree's entries, pointing into its raw bytes. */
struct rtree {
	git_oid id;
	const char *data;	/* the raw tree: in raw, or in obj */
	size_t len;
	struct buf raw;
	git_odb_object *obj;
	struct rentry {
		const char *name;
		size_t len;
		unsigned mode;
		const unsigned char *id;	/* GIT_OID_RAWSZ bytes */
	} *v;
	size_t n;
};

/* Reads trees from r's packs in place (git/pack.c), and what they do not
 * hold (loose objects, a push's quarantine) through libgit2. Every tree
 * read is kept until trees_free. Not for use from two threads at once. */
struct trees;

void trees_new(struct trees **out, struct repo *r);
void trees_free(struct trees *t);

/* Tree id, read on first use; NULL when it cannot be read, is not a tree,
 * or is malformed (no message: callers fall back to git). */
const struct rtree *trees_get(struct trees *t, const unsigned char *id);

/* Git's order of tree entries: names bytewise, a folder's as if it ended
 * in '/' (so a file and a folder of one name sort apart). */
int rtree_cmp(const struct rentry *a, const struct rentry *b);

/* Whether t holds something that is not a folder named name[0..len). */
int rtree_has_file(const struct rtree *t, const char *name, size_t len);

#endif
