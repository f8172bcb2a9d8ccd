/* commit_graph.h - reading git's commit-graph files: parents, generation and
 * date of a commit without parsing it. */
#ifndef SLIPWAY_COMMIT_GRAPH_H
#define SLIPWAY_COMMIT_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

struct commit_graph;

#define GRAPH_NONE UINT32_MAX	/* no position: the commit is not in the graph */

/*
 * Maps the commit-graph of the object directory objdir: the layers
 * info/commit-graphs/commit-graph-chain names, or else the single file
 * info/commit-graph (git's order). Returns 0; -E_NOTFOUND when there is
 * none; -E_INVALID naming the file when its header or chunk table is
 * malformed, or it is not a SHA-1 graph. The checksum is not verified (git
 * does not either when it reads one): a commit's entry is checked when read.
 */
int commit_graph_open(struct commit_graph **out, const char *objdir);
void commit_graph_free(struct commit_graph *g);

/* Whether objdir has a commit-graph file or chain (not read: a cheap test). */
int commit_graph_exists(const char *objdir);

/* The position of id in the graph, or GRAPH_NONE. */
uint32_t commit_graph_find(const struct commit_graph *g, const git_oid *id);

struct graph_commit {
	uint32_t generation;	/* topological level: 1 + the largest parent's */
	int64_t date;		/* committer time */
	size_t nparents;
	uint32_t parents[8];	/* positions; an octopus of more: nparents says so */
};

/* The commit at pos (a position the graph gave); its first
 * min(nparents, 8) parents in c->parents. -E_INVALID when the entry names
 * a parent the graph does not hold. */
int commit_graph_commit(const struct commit_graph *g, uint32_t pos, struct graph_commit *c);

/* The id of the commit at pos. */
void commit_graph_oid(const struct commit_graph *g, uint32_t pos, git_oid *id);

#endif
