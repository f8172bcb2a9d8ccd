/* cfg.c - [images] of slipway.conf, and opening the stores it names. */
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/registry.h"
#include "lib/err.h"
#include "lib/util.h"

static void
push_words(struct strvec *out, const struct config *cfg, const char *key)
{
	struct strvec vals = STRVEC_INIT;
	size_t i;

	config_get_all(cfg, key, &vals);
	for (i = 0; i < vals.nr; i++) {
		const char *p = vals.v[i];

		for (p += strspn(p, " \t"); *p; p += strspn(p, " \t")) {
			size_t n = strcspn(p, " \t");
			char *w = xstrndup(p, n);

			if (strvec_find(out, w) < 0)
				strvec_push(out, w);
			free(w);
			p += n;
		}
	}
	strvec_clear(&vals);
}

/* path made absolute against root (when both are given and it is relative). */
static char *
rooted(const char *root, const char *path)
{
	struct buf b = BUF_INIT;

	if (!path)
		return NULL;
	if (root && *path != '/')
		buf_printf(&b, "%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/", path);
	else
		buf_puts(&b, path);
	return buf_detach(&b, NULL);
}

/* A source spec with its path rooted: "oci:DIR[:TAG]", "docker-archive:FILE". */
static char *
rooted_source(const char *root, const char *spec)
{
	const char *colon = spec ? strchr(spec, ':') : NULL;
	struct buf b = BUF_INIT;
	char *path;

	if (!colon)
		return spec ? xstrdup(spec) : NULL;
	path = rooted(root, colon + 1);
	buf_add(&b, spec, (size_t)(colon - spec) + 1);
	buf_puts(&b, path);
	free(path);
	return buf_detach(&b, NULL);
}

int
image_cfg_load(const struct config *cfg, const char *root, struct image_cfg *ic)
{
	const char *reg = config_get(cfg, "images.registry", NULL), *slash, *size;

	push_words(&ic->images, cfg, "images.images");
	push_words(&ic->insecure, cfg, "images.insecure");
	push_words(&ic->mutable, cfg, "images.mutable");
	ic->name = config_get(cfg, "images.name", "{image}");
	ic->source = rooted_source(root, config_get(cfg, "images.source", NULL));
	ic->ca_file = rooted(root, config_get(cfg, "images.ca-file", NULL));
	if ((size = config_get(cfg, "images.chunk-size", NULL))) {
		ic->chunk = atoll(size);
		ic->chunk <<= strchr(size, 'M') ? 20 : strchr(size, 'k') ? 10 : 0;
	}
	if (!reg || !ic->images.nr) {
		err_set(-E_CONFIG, "%s has no images: set images.registry and images.images",
		    cfg->name ? cfg->name : "slipway.conf");
		err_hint("[images]\n\tregistry = registry.example.net/team   (or oci:PATH)\n"
		    "\timages = api web\n\tsource = oci:build/images/{image}");
		return -E_CONFIG;
	}
	ic->registry = xstrdup(reg);
	if (!strncmp(reg, "oci:", 4)) {
		ic->oci = rooted(root, reg + 4);
		ic->ns = xstrdup("");
		return 0;
	}
	slash = strchr(reg, '/');
	ic->host = slash ? xstrndup(reg, (size_t)(slash - reg)) : xstrdup(reg);
	ic->ns = xstrdup(slash ? slash + 1 : "");
	return 0;
}

void
image_cfg_release(struct image_cfg *ic)
{
	free(ic->registry);
	free(ic->host);
	free(ic->ns);
	free(ic->oci);
	free(ic->source);
	free(ic->ca_file);
	strvec_clear(&ic->images);
	strvec_clear(&ic->insecure);
	strvec_clear(&ic->mutable);
	memset(ic, 0, sizeof(*ic));
}

void
image_expand(const char *tmpl, const char *image, struct buf *out)
{
	const char *p, *ph;

	for (p = tmpl; (ph = strstr(p, "{image}")); p = ph + 7) {
		buf_add(out, p, (size_t)(ph - p));
		buf_puts(out, image);
	}
	buf_puts(out, p);
}

void
image_repo(const struct image_cfg *ic, const char *image, struct buf *out)
{
	if (ic->ns && *ic->ns)
		buf_printf(out, "%s/", ic->ns);
	image_expand(ic->name, image, out);
}

int
image_open_registry(const struct image_cfg *ic, struct store *s)
{
	struct registry_opts o = { ic->ca_file, strvec_find(&ic->insecure, ic->host ?
	    ic->host : "") >= 0, NULL, NULL, 0 };
	char *user = NULL, *pass = NULL;
	int rc;

	if (ic->oci)
		return layout_store_open(s, ic->oci, 1, 1);
	if ((rc = registry_credentials(ic->host, &user, &pass)) < 0)
		return rc;
	o.chunk = ic->chunk;
	o.user = user;
	o.pass = pass;
	rc = registry_store_open(s, ic->host, &o);
	free(user);
	free(pass);
	return rc;
}

int
image_open_source(const char *spec, struct store *s, char **ref)
{
	const char *colon;
	char *dir;
	int rc;

	*ref = NULL;
	if (!strncmp(spec, "docker-archive:", 15)) {
		*ref = xstrdup("");
		return archive_store_open(s, spec + 15);
	}
	if (strncmp(spec, "oci:", 4))
		return err_set(-E_INVALID, "unknown image source '%s': use oci:DIR[:TAG] or "
		    "docker-archive:FILE", spec);
	colon = strchr(spec + 4, ':');
	dir = colon ? xstrndup(spec + 4, (size_t)(colon - spec - 4)) : xstrdup(spec + 4);
	*ref = xstrdup(colon ? colon + 1 : "");
	rc = layout_store_open(s, dir, 0, 0);
	free(dir);
	return rc;
}
