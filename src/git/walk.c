/* walk.c - commit walks in generation order over the commit-graph, with
 * libgit2 parsing what the graph does not hold. */
#include "git/walk.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "git/commit_graph.h"
#include "lib/buf.h"
#include "lib/err.h"

#define GEN_UNKNOWN UINT32_MAX	/* not in the graph: walked before all that are */

enum {
	ONE = 1 << 0,		/* reached from the first commit */
	TWO = 1 << 1,		/* reached from the second */
	STALE = 1 << 2,		/* below a common ancestor already found */
	RESULT = 1 << 3,
	LOADED = 1 << 4,	/* its parents are known */
};

struct node {
	git_oid id;		/* of a commit outside the graph (pos GRAPH_NONE) */
	uint32_t pos;		/* in the graph, or GRAPH_NONE */
	uint32_t generation;
	int64_t date;
	unsigned flags;
	uint32_t parents;	/* the first of its parents in walk.parents */
	uint32_t nparents;
	uint32_t inheap;	/* its entries in the queue */
};

struct walk {
	git_repository *git;
	struct commit_graph *graph;
	struct node *nodes;
	size_t nr, alloc;
	uint32_t *slots;	/* open addressing: node index + 1, 0 free */
	size_t nslots;
	uint32_t *parents;	/* node indices */
	size_t nparents, parents_alloc;
	uint32_t *heap;		/* node indices, the highest generation on top */
	size_t heap_nr, heap_alloc;
	size_t nonstale;	/* entries in the heap whose node is not STALE */
	uint64_t seed;		/* of the hash of ids: pushed ids cannot be ground to collide */
};

static int
grow(void *pp, size_t *alloc, size_t want, size_t size)
{
	void **p = pp;
	size_t n = *alloc ? *alloc : 64;
	void *q;

	if (want <= *alloc)
		return 0;
	while (n < want)
		n *= 2;
	if (!(q = realloc(*p, n * size)))
		return err_set(-E_GENERIC, "out of memory");
	*p = q;
	*alloc = n;
	return 0;
}

int
walk_new(struct walk **out, struct repo *r)
{
	struct walk *w = calloc(1, sizeof(*w));
	struct buf objdir = BUF_INIT;

	if (!w)
		return err_set(-E_GENERIC, "out of memory");
	w->git = r->git;
	if (getrandom(&w->seed, sizeof(w->seed), GRND_NONBLOCK) != sizeof(w->seed))
		w->seed = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
	buf_printf(&objdir, "%sobjects", git_repository_commondir(r->git));
	/* no graph, or a broken one: every commit is parsed, as without one */
	if (commit_graph_open(&w->graph, objdir.ptr) < 0) {
		w->graph = NULL;
		err_clear();
	}
	buf_release(&objdir);
	*out = w;
	return 0;
}

void
walk_free(struct walk *w)
{
	if (!w)
		return;
	commit_graph_free(w->graph);
	free(w->nodes);
	free(w->slots);
	free(w->parents);
	free(w->heap);
	free(w);
}

int
walk_has_graph(const struct walk *w)
{
	return w->graph != NULL;
}

/* A node's key: its graph position, or (outside the graph) its id. */
static size_t
slot_of(const struct walk *w, uint32_t pos, const git_oid *id)
{
	uint64_t x;

	if (pos != GRAPH_NONE)
		return (pos * 2654435761u) & (w->nslots - 1);
	memcpy(&x, id->id, sizeof(x));
	return (size_t)(((x ^ w->seed) * 0x9e3779b97f4a7c15u) >> 32) & (w->nslots - 1);
}

static int
is_node(const struct node *n, uint32_t pos, const git_oid *id)
{
	return pos != GRAPH_NONE ? n->pos == pos : n->pos == GRAPH_NONE && git_oid_equal(&n->id, id);
}

static int
rehash(struct walk *w)
{
	size_t n = w->nslots ? w->nslots * 2 : 1024, i;
	uint32_t *old = w->slots;
	size_t nold = w->nslots;

	if (!(w->slots = calloc(n, sizeof(*w->slots)))) {
		w->slots = old;
		return err_set(-E_GENERIC, "out of memory");
	}
	w->nslots = n;
	for (i = 0; i < nold; i++) {
		const struct node *x;
		size_t s;

		if (!old[i])
			continue;
		x = &w->nodes[old[i] - 1];
		for (s = slot_of(w, x->pos, &x->id); w->slots[s]; s = (s + 1) & (n - 1))
			;
		w->slots[s] = old[i];
	}
	free(old);
	return 0;
}

/*
 * The node of the commit at graph position pos, or (pos GRAPH_NONE) of
 * id, made on first sight with its generation and date; its index in *ix.
 * A commit is keyed by its position when the graph holds it, so that a
 * walk in the graph never reads the ids of the commits it passes.
 */
static int
node_get(struct walk *w, const git_oid *id, uint32_t pos, uint32_t *ix)
{
	struct graph_commit gc;
	struct node *n;
	size_t s;
	int rc;

	if (pos == GRAPH_NONE && w->graph)
		pos = commit_graph_find(w->graph, id);
	if (2 * (w->nr + 1) > w->nslots && (rc = rehash(w)) < 0)
		return rc;
	for (s = slot_of(w, pos, id); w->slots[s]; s = (s + 1) & (w->nslots - 1))
		if (is_node(&w->nodes[w->slots[s] - 1], pos, id)) {
			*ix = w->slots[s] - 1;
			return 0;
		}
	if ((rc = grow(&w->nodes, &w->alloc, w->nr + 1, sizeof(*n))) < 0)
		return rc;
	n = memset(&w->nodes[w->nr], 0, sizeof(*n));
	n->pos = pos;
	n->generation = GEN_UNKNOWN;
	if (pos != GRAPH_NONE) {
		if ((rc = commit_graph_commit(w->graph, pos, &gc)) < 0)
			return rc;
		n->date = gc.date;
		if (gc.generation)	/* 0: written by a git that did not count */
			n->generation = gc.generation;
	} else {
		git_commit *c = NULL;

		if (git_commit_lookup(&c, w->git, id) < 0)
			return repo_error(-E_NOTFOUND, "reading commit %s", repo_short(id));
		git_oid_cpy(&n->id, id);
		n->date = (int64_t)git_commit_time(c);
		git_commit_free(c);
	}
	w->slots[s] = (uint32_t)w->nr + 1;
	*ix = (uint32_t)w->nr++;
	return 0;
}

/* The id of node ix (read from the graph for a commit it holds). */
static void
node_id(const struct walk *w, uint32_t ix, git_oid *id)
{
	if (w->nodes[ix].pos != GRAPH_NONE)
		commit_graph_oid(w->graph, w->nodes[ix].pos, id);
	else
		git_oid_cpy(id, &w->nodes[ix].id);
}

/* Adds the node of parent id (or graph position pos) to the parents list. */
static int
add_parent(struct walk *w, const git_oid *id, uint32_t pos)
{
	uint32_t p;
	int rc;

	if ((rc = node_get(w, id, pos, &p)) < 0 ||
	    (rc = grow(&w->parents, &w->parents_alloc, w->nparents + 1, sizeof(p))) < 0)
		return rc;
	w->parents[w->nparents++] = p;
	return 0;
}

/* Reads node ix's parents (from the graph when it holds the commit and
 * all its parents fit; parsed otherwise). */
static int
load(struct walk *w, uint32_t ix)
{
	struct graph_commit gc;
	git_commit *c = NULL;
	git_oid id;
	size_t i, n = 0;
	int rc = 0;

	if (w->nodes[ix].flags & LOADED)
		return 0;
	w->nodes[ix].parents = (uint32_t)w->nparents;
	if (w->nodes[ix].pos != GRAPH_NONE &&
	    (rc = commit_graph_commit(w->graph, w->nodes[ix].pos, &gc)) == 0 &&
	    gc.nparents <= sizeof(gc.parents) / sizeof(gc.parents[0])) {
		for (i = 0; i < gc.nparents && rc == 0; i++)
			rc = add_parent(w, NULL, gc.parents[i]);
		n = gc.nparents;
	} else if (rc == 0) {
		node_id(w, ix, &id);
		if (git_commit_lookup(&c, w->git, &id) < 0)
			return repo_error(-E_NOTFOUND, "reading commit %s", repo_short(&id));
		n = git_commit_parentcount(c);
		for (i = 0; i < n && rc == 0; i++)
			rc = add_parent(w, git_commit_parent_id(c, (unsigned)i), GRAPH_NONE);
		git_commit_free(c);
	}
	if (rc < 0)
		return rc;
	w->nodes[ix].nparents = (uint32_t)n;	/* nodes may have moved: index again */
	w->nodes[ix].flags |= LOADED;
	return 0;
}

/* Whether node a comes out of the queue before node b: the higher
 * generation first (commits outside the graph before all in it), then the
 * later date. */
static int
before(const struct walk *w, uint32_t a, uint32_t b)
{
	const struct node *x = &w->nodes[a], *y = &w->nodes[b];

	if (x->generation != y->generation)
		return x->generation > y->generation;
	return x->date > y->date;
}

static int
push(struct walk *w, uint32_t ix)
{
	size_t i;
	int rc;

	if ((rc = grow(&w->heap, &w->heap_alloc, w->heap_nr + 1, sizeof(ix))) < 0)
		return rc;
	for (i = w->heap_nr++; i > 0 && before(w, ix, w->heap[(i - 1) / 2]); i = (i - 1) / 2)
		w->heap[i] = w->heap[(i - 1) / 2];
	w->heap[i] = ix;
	w->nodes[ix].inheap++;
	w->nonstale += !(w->nodes[ix].flags & STALE);
	return 0;
}

static uint32_t
pop(struct walk *w)
{
	uint32_t top = w->heap[0], last = w->heap[--w->heap_nr];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < w->heap_nr) {
		if (c + 1 < w->heap_nr && before(w, w->heap[c + 1], w->heap[c]))
			c++;
		if (!before(w, w->heap[c], last))
			break;
		w->heap[i] = w->heap[c];
		i = c;
	}
	w->heap[i] = last;
	w->nodes[top].inheap--;
	w->nonstale -= !(w->nodes[top].flags & STALE);
	return top;
}

/* Sets flags f on node ix, keeping count of the queue's non-stale entries. */
static void
mark(struct walk *w, uint32_t ix, unsigned f)
{
	struct node *n = &w->nodes[ix];

	if ((f & STALE) && !(n->flags & STALE))
		w->nonstale -= n->inheap;
	n->flags |= f;
}

/* Paints from a (ONE) and b (TWO) down to their common ancestors, each
 * found marked RESULT; those below another found are STALE too. */
static int
paint_down(struct walk *w, uint32_t a, uint32_t b)
{
	int rc;

	mark(w, a, ONE);
	mark(w, b, TWO);
	if ((rc = push(w, a)) < 0 || (rc = push(w, b)) < 0)
		return rc;
	while (w->nonstale) {
		uint32_t ix = pop(w), i;
		unsigned f = w->nodes[ix].flags & (ONE | TWO | STALE);

		if (f == (ONE | TWO)) {
			mark(w, ix, RESULT);
			f |= STALE;
		}
		if ((rc = load(w, ix)) < 0)
			return rc;
		for (i = 0; i < w->nodes[ix].nparents; i++) {
			uint32_t p = w->parents[w->nodes[ix].parents + i];

			if ((w->nodes[p].flags & f) == f)
				continue;
			mark(w, p, f);
			if ((rc = push(w, p)) < 0)
				return rc;
		}
	}
	return 0;
}

int
walk_merge_bases(struct walk *w, const git_oid *a, const git_oid *b, git_oid *bases,
    size_t max, size_t *n)
{
	uint32_t x, y;
	size_t i;
	int rc;

	*n = 0;
	if ((rc = node_get(w, a, GRAPH_NONE, &x)) < 0 ||
	    (rc = node_get(w, b, GRAPH_NONE, &y)) < 0)
		return rc;
	if (x == y) {
		if (max)
			git_oid_cpy(&bases[0], a);
		*n = 1;
		return 0;
	}
	rc = paint_down(w, x, y);
	for (i = 0; i < w->nr && rc == 0; i++) {
		if ((w->nodes[i].flags & (RESULT | STALE)) != RESULT)
			continue;
		if (*n < max)
			node_id(w, (uint32_t)i, &bases[*n]);
		(*n)++;
	}
	/* the next walk starts clean, after an error too */
	w->heap_nr = 0;
	w->nonstale = 0;
	for (i = 0; i < w->nr; i++) {
		w->nodes[i].flags &= LOADED;
		w->nodes[i].inheap = 0;
	}
	if (rc < 0)
		*n = 0;
	return rc;
}
