/* walk.h - walks of commit history that read git's commit-graph in place,
 * parsing only the commits the graph does not hold. */
#ifndef SLIPWAY_WALK_H
#define SLIPWAY_WALK_H

#include "git/repo.h"

/*
 * libgit2 1.5 ignores the commit-graph in its merge-base search and checks
 * the whole file (a SHA-1 over all of it) before any revision walk: ~55 ms
 * for 300,000 commits. A walk here maps the graph (git/commit_graph.c) and
 * goes through commits in generation order, as git does.
 */
struct walk;

/* A walk over r's history; the commit-graph of r's object directory is
 * used when there is a valid one. Returns 0, or -E_GENERIC (memory). */
int walk_new(struct walk **out, struct repo *r);
void walk_free(struct walk *w);

/* Whether w found a commit-graph to read (for tests and benchmarks). */
int walk_has_graph(const struct walk *w);

/*
 * The common ancestors of a and b that no other one descends from (git
 * merge-base --all): *n of them, the first min(*n, max) in bases. Where
 * commits outside the graph have clocks that jump back, *n may count some
 * that another descends from (git removes those in a second walk); when
 * *n is 1, bases[0] is the one merge base. Returns 0, or an error reading
 * a commit (-E_NOTFOUND: missing; -E_INVALID: the graph contradicts
 * itself).
 */
int walk_merge_bases(struct walk *w, const git_oid *a, const git_oid *b, git_oid *bases,
    size_t max, size_t *n);

#endif
