/* init.h - what `slipway init` finds in a repository, and the file it writes. */
#ifndef SLIPWAY_PROJECT_INIT_H
#define SLIPWAY_PROJECT_INIT_H

#include "git/repo.h"
#include "lib/buf.h"
#include "lib/strvec.h"

/* What detection found; all owned, NULL when not found. */
struct init_facts {
	char *name;		/* the project's name: the folder's */
	char *version_file;	/* release.version-file to set */
	char *version;		/* the version it holds */
	struct strvec others;	/* other package.json files with a version */
	char *compat;		/* "Makefile:backwards_compatible_version" */
	char *compat_value;
	char *staging, *production;
	int staging_found, production_found;
};

#define INIT_FACTS_INIT { .others = STRVEC_INIT }

/* Looks at the working tree and the branches. -E_INVALID for a bare
 * repository (init needs a working tree). */
int init_detect(struct repo *r, struct init_facts *f);
/* Appends the commented slipway.conf for f to out. */
void init_render(const struct init_facts *f, struct buf *out);
/* Writes content to slipway.conf at the top of the working tree; refuses
 * (-E_REFUSED) when one exists and force is 0. */
int init_write(struct repo *r, const struct buf *content, int force);
void init_facts_release(struct init_facts *f);

#endif
