/* ops.c - push, promote, pull and exists over the configured images. */
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/ops.h"
#include "image/registry.h"
#include "lib/err.h"
#include "lib/util.h"

/* The images named (each must be configured), or all of them. */
static int
pick(struct image_ops *o, const char *const *names)
{
	size_t i, n = 0;

	for (i = 0; names && names[i]; i++)
		n++;
	o->jobs = xcalloc(n ? n : o->cfg.images.nr ? o->cfg.images.nr : 1, sizeof(*o->jobs));
	for (i = 0; i < (n ? n : o->cfg.images.nr); i++) {
		const char *name = n ? names[i] : o->cfg.images.v[i];

		if (strvec_find(&o->cfg.images, name) < 0) {
			struct buf all = BUF_INIT;
			size_t k;

			for (k = 0; k < o->cfg.images.nr; k++)
				buf_printf(&all, "%s%s", k ? " " : "", o->cfg.images.v[k]);
			err_set(-E_INVALID, "'%s' is not one of the images (images.images: %s)",
			    name, all.ptr);
			buf_release(&all);
			return -E_INVALID;
		}
		o->jobs[o->n].image = name;
		buf_init(&o->jobs[o->n].repo, 0);
		image_repo(&o->cfg, name, &o->jobs[o->n++].repo);
	}
	return 0;
}

int
image_ops_open(struct image_ops *o, const struct config *cfg, const char *root,
    const char *const *names)
{
	int rc;

	if ((rc = image_cfg_load(cfg, root, &o->cfg)) < 0 || (rc = pick(o, names)) < 0)
		return rc;
	return image_open_registry(&o->cfg, &o->dst);
}

void
image_ops_close(struct image_ops *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		image_job_release(&o->jobs[i]);
	free(o->jobs);
	if (o->dst.ops)
		o->dst.ops->close(&o->dst);
	image_cfg_release(&o->cfg);
	memset(o, 0, sizeof(*o));
}

/* Tags every job that changes, then settles immutable tags. */
static int
tag_all(struct image_ops *o, const char *tag, enum tag_kind k)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < o->n && rc == 0; i++) {
		if (o->jobs[i].unchanged)	/* checked just now: it names this image */
			o->jobs[i].tagged = 1;
		else
			rc = image_tag(&o->dst, &o->jobs[i], tag, k);
	}
	if (rc == 0 && (k == TAG_COMMIT || k == TAG_RELEASE))
		rc = image_settle(&o->dst, o->jobs, o->n, tag);
	return rc;
}

int
image_push(struct image_ops *o, const char *tag, const char *from)
{
	struct buf spec = BUF_INIT;
	size_t i;
	int rc = 0;

	if ((rc = tag_kind(tag, &o->cfg.mutable, &o->kind)) < 0)
		return rc;
	if (from && o->n != 1)
		return err_set(-E_USAGE, "--from names the source of one image; name that image");
	if (!from && !o->cfg.source)
		return err_set(-E_CONFIG, "images.source is not set: where are the images?");
	for (i = 0; i < o->n && rc == 0; i++) {	/* every source read before anything moves */
		struct image_job *j = &o->jobs[i];

		buf_reset(&spec);
		if (from)
			buf_puts(&spec, from);
		else
			image_expand(o->cfg.source, j->image, &spec);
		j->src_repo = "";
		if ((rc = image_open_source(spec.ptr, &j->src, &j->src_ref)) == 0 &&
		    (rc = image_read(j)) == 0)
			rc = image_check_tag(&o->dst, j, tag, o->kind);
		else if (rc == -E_NOTFOUND)
			rc = -E_INVALID;	/* a source that is not there is bad input */
	}
	buf_release(&spec);
	if (rc == 0)
		rc = image_send(&o->dst, o->jobs, o->n);
	if (rc == 0)
		rc = tag_all(o, tag, o->kind);
	for (i = 0; i < o->n && rc == 0 && o->kind != TAG_LATEST; i++) {
		int keep = o->jobs[i].unchanged;

		rc = image_tag(&o->dst, &o->jobs[i], "latest", TAG_LATEST);
		o->jobs[i].latest_moved = !o->jobs[i].unchanged;
		o->jobs[i].unchanged = keep;
	}
	return rc;
}

/* Opens each job's source: the registry itself, at ref. */
static int
from_registry(struct image_ops *o, const char *ref)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < o->n && rc == 0; i++) {
		struct image_job *j = &o->jobs[i];

		j->src_repo = j->repo.ptr;
		j->src_ref = xstrdup(ref);
		if (o->cfg.oci)
			rc = layout_store_open(&j->src, o->cfg.oci, 1, 0);
		else
			rc = registry_store_clone(&j->src, &o->dst);
		if (rc == 0 && (rc = image_read(j)) == -E_NOTFOUND)
			rc = -E_INVALID;	/* asked for a tag the registry does not have */
	}
	return rc;
}

int
image_promote(struct image_ops *o, const char *from, const char *to)
{
	size_t i;
	int rc;

	if ((rc = tag_kind(to, &o->cfg.mutable, &o->kind)) < 0 || (rc = from_registry(o, from)) < 0)
		return rc;
	for (i = 0; i < o->n && rc == 0; i++)
		rc = image_check_tag(&o->dst, &o->jobs[i], to, o->kind);
	if (rc == 0)
		rc = tag_all(o, to, o->kind);
	return rc;
}

int
image_pull(struct image_ops *o, const char *tag, const char *to)
{
	struct buf dir = BUF_INIT;
	size_t i;
	int rc;

	if (!to && (!o->cfg.source || strncmp(o->cfg.source, "oci:", 4)))
		return err_set(-E_USAGE, "where to? give --to oci:DIR (images.source is not oci:)");
	if (to && strncmp(to, "oci:", 4))
		return err_set(-E_USAGE, "--to takes oci:DIR, not '%s'", to);
	if ((rc = from_registry(o, tag)) < 0)
		return rc;
	for (i = 0; i < o->n && rc == 0; i++) {
		struct image_job *j = &o->jobs[i];
		struct store local = { NULL, NULL, NULL };
		const char *t = to ? to : o->cfg.source;
		char *colon;

		buf_reset(&dir);
		image_expand(t + 4, j->image, &dir);
		if ((colon = strchr(dir.ptr, ':')))
			buf_setlen(&dir, (size_t)(colon - dir.ptr));
		if ((rc = layout_store_open(&local, dir.ptr, 0, 1)) == 0 &&
		    (rc = image_send(&local, j, 1)) == 0)
			rc = local.ops->manifest_put(&local, "", tag, j->manifest.ptr, &j->top);
		if (local.ops)
			local.ops->close(&local);
	}
	buf_release(&dir);
	return rc;
}

int
image_exists(struct image_ops *o, const char *tag, size_t *missing)
{
	size_t i;
	int rc = 0;

	*missing = 0;
	for (i = 0; i < o->n && rc == 0; i++) {
		rc = o->dst.ops->manifest_head(&o->dst, o->jobs[i].repo.ptr, tag, &o->jobs[i].top);
		o->jobs[i].unchanged = rc == 0;	/* here: it exists */
		if (rc == -E_NOTFOUND) {
			(*missing)++;
			err_clear();
			rc = 0;
		}
	}
	return rc;
}
