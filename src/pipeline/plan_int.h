/* plan_int.h - what the pipeline module's files share (internal). */
#ifndef SLIPWAY_PLAN_INT_H
#define SLIPWAY_PLAN_INT_H

#include "pipeline/pipeline.h"

void job_init(struct job *j, const char *name, int line);
void job_free(struct job *j);
/* The definition named name among defs, or NULL. */
struct job *job_def_find(const struct job *defs, size_t n, const char *name);

/*
 * From the definitions (defs, which keep their own) to p->jobs: the jobs
 * of the chosen pipelines and everything they need (or only o->only and
 * what it needs), the matrix expanded, ordered so that needs come first.
 */
int plan_expand(struct plan *p, const struct plan_opts *o, const struct job *defs,
    size_t ndefs);

/* Marks the pipelines a passing result for the commit or its tree makes
 * unnecessary (unless force). */
int plan_reuse(struct repo *r, struct plan *p, int force);
/* Computes the cache keys of jobs with inputs and marks those a passing
 * run with the same key makes unnecessary (unless force). */
int plan_lookup(struct repo *r, struct plan *p, int force);

#endif
