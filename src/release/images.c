/* images.c - the release and the images: the release tag is new for every
 * image, and (release.promote-images) staging's tested images become it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/ops.h"
#include "lib/err.h"
#include "lib/util.h"
#include "release/release.h"

#define CONTINUE_FILE "slipway/release-continue"

/* release.promote-images: the images to promote must be there before the
 * push that cannot be undone. */
static int
staging_images_there(struct image_ops *o, const git_oid *staging)
{
	struct buf which = BUF_INIT;
	char tag[GIT_OID_HEXSZ + 1];
	size_t i, missing;
	int rc;

	git_oid_tostr(tag, 9, staging);
	if ((rc = image_exists(o, tag, &missing)) < 0 || !missing)
		return rc;
	for (i = 0; i < o->n; i++)
		if (!o->jobs[i].unchanged)
			buf_printf(&which, "%s%s:%s", which.len ? ", " : "", o->jobs[i].repo.ptr, tag);
	rc = err_set(-E_REFUSED, "release.promote-images: staging's images are not all pushed: "
	    "%s is missing", which.ptr);
	err_hint("staging's CD pushes them (slipway image push %s); or release without promoting "
	    "(release.promote-images = false)", tag);
	buf_release(&which);
	return rc;
}

int
release_check_images(struct repo *r, struct release_plan *plan)
{
	struct image_ops o = IMAGE_OPS_INIT;
	struct buf which = BUF_INIT;
	size_t i, missing;
	int rc;

	if (!config_get(plan->cfg, "images.registry", NULL))
		return 0;	/* no images in this project */
	if ((rc = image_ops_open(&o, plan->cfg, r->workdir, NULL)) < 0 ||
	    (rc = image_exists(&o, plan->version, &missing)) < 0)
		goto out;
	for (i = 0; i < o.n; i++)
		if (o.jobs[i].unchanged)
			buf_printf(&which, "%s%s", which.len ? ", " : "", o.jobs[i].repo.ptr);
	if (which.len) {
		rc = err_set(-E_REFUSED, "version %s already exists as an image tag: %s:%s",
		    plan->version, which.ptr, plan->version);
		err_hint("a release tag is pushed once; choose the next version");
	} else if (config_bool(config_get(plan->cfg, "release.promote-images", "false")) == 1) {
		rc = staging_images_there(&o, &plan->staging);
	}
out:
	image_ops_close(&o);
	buf_release(&which);
	return rc;
}

int
release_promote_images(struct repo *r, const struct config *cfg, const char *version,
    const git_oid *staging, struct strvec *done, struct strvec *left)
{
	struct image_ops o = IMAGE_OPS_INIT;
	char from[GIT_OID_HEXSZ + 1];
	size_t i;
	int rc;

	git_oid_tostr(from, 9, staging);	/* the protocol's commit tag: 8 hex */
	if ((rc = image_ops_open(&o, cfg, r->workdir, NULL)) == 0)
		rc = image_promote(&o, from, version);
	for (i = 0; i < o.n; i++)
		strvec_pushf(o.jobs[i].tagged ? done : left, "%s:%s", o.jobs[i].repo.ptr, version);
	if (rc < 0 && !o.n)
		strvec_push(left, "every image");
	image_ops_close(&o);
	return rc;
}

int
release_continue_save(struct repo *r, const char *version, const git_oid *staging)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc;

	buf_printf(&path, "%s%s", r->gitdir, CONTINUE_FILE);
	buf_printf(&text, "%s %s\n", version, git_oid_tostr_s(staging));
	rc = write_file_atomic(path.ptr, text.ptr, text.len);
	buf_release(&path);
	buf_release(&text);
	return rc;
}

int
release_continue_load(struct repo *r, char **version, git_oid *staging)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	char *sp;
	int rc = 0;

	*version = NULL;
	buf_printf(&path, "%s%s", r->gitdir, CONTINUE_FILE);
	if (buf_read_file(&text, path.ptr) < 0) {
		rc = err_set(-E_NOTFOUND, "no release waits to be finished here");
	} else if (!(sp = strchr(text.ptr, ' ')) || git_oid_fromstrn(staging, sp + 1,
	    GIT_OID_HEXSZ) < 0) {
		rc = err_set(-E_INVALID, "'%s' is damaged; remove it", path.ptr);
	} else {
		*version = xstrndup(text.ptr, (size_t)(sp - text.ptr));
	}
	buf_release(&path);
	buf_release(&text);
	return rc;
}

void
release_continue_done(struct repo *r)
{
	struct buf path = BUF_INIT;

	buf_printf(&path, "%s%s", r->gitdir, CONTINUE_FILE);
	unlink(path.ptr);
	buf_release(&path);
}
