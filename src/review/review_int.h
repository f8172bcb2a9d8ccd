/* review_int.h - what review.c shares with each.c, and nobody else. */
#ifndef SLIPWAY_REVIEW_INT_H
#define SLIPWAY_REVIEW_INT_H

#include "review/review.h"

#define REVIEW_KIND "review"

/* Loads and folds the chain whose head is tip (ref names it in messages). */
int review_load_tip(struct repo *r, const char *ref, const git_oid *tip, struct review *out);

/* codec.c: rv as one line for the digest cache ("o {...}" when open, just
 * "c" when closed or merged; caller frees; NULL on failure), and back
 * (-E_INVALID for "c": fold the chain). */
char *review_encode(const struct review *rv);
int review_decode(const char *line, const char *ref, struct review *out);

#endif
