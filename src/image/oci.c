/* oci.c - index.json and manifests as the layout and archive stores read them. */
#include "image/oci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/util.h"

int
oci_ref_is_digest(const char *ref)
{
	if (!ref || !starts_with(ref, "sha256:"))
		return 0;
	if (!digest_valid(ref))
		return err_set(-E_INVALID, "invalid digest '%s'", ref);
	return 1;
}

int
oci_tag_valid(const char *tag)
{
	size_t i, n = strlen(tag);

	if (n == 0 || n > 128 || tag[0] == '.' || tag[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = tag[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

/* What is wrong with one entry of manifests[], or NULL. */
static const char *
entry_problem(json_t *e)
{
	const char *mt = json_string_value(json_object_get(e, "mediaType"));
	json_t *size = json_object_get(e, "size"), *a = json_object_get(e, "annotations"), *v;
	const char *k;

	if (!json_is_object(e))
		return "not an object";
	if (!mt || !*mt || strlen(mt) >= sizeof(((struct desc *)0)->media_type))
		return "no valid mediaType";
	if (!digest_valid(json_string_value(json_object_get(e, "digest"))))
		return "no valid sha256 digest";
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return "no valid size";
	if (a && !json_is_object(a))
		return "annotations is not an object";
	json_object_foreach(a, k, v)
		if (!json_is_string(v))
			return "an annotation is not a string";
	return NULL;
}

int
oci_index_parse(const char *bytes, size_t len, const char *file, json_t **out)
{
	json_t *root, *ms, *e, *sv;
	const char *why = NULL;
	json_error_t je;
	size_t i;

	*out = NULL;
	if (!(root = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, &je)))
		return err_set(-E_INVALID, "'%s' is not valid JSON: %s (line %d)",
		    file, je.text, je.line);
	sv = json_object_get(root, "schemaVersion");
	ms = json_object_get(root, "manifests");
	if (!json_is_object(root))
		why = "not an object";
	else if (!json_is_integer(sv) || json_integer_value(sv) != 2)
		why = "schemaVersion is not 2";
	else if (!json_is_array(ms))
		why = "no manifests array";
	json_array_foreach(ms, i, e)
		if (!why && (why = entry_problem(e)))
			break;
	if (why) {
		int rc = json_is_array(ms) && i < json_array_size(ms) ?
		    err_set(-E_INVALID, "'%s' is not a valid image index: manifests[%zu]: %s",
		    file, i, why) :
		    err_set(-E_INVALID, "'%s' is not a valid image index: %s", file, why);

		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

json_t *
oci_index_new(void)
{
	json_t *j = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2,
	    "mediaType", MT_OCI_INDEX, "manifests");

	if (!j)
		die_oom();
	return j;
}

const char *
oci_entry_tag(json_t *entry)
{
	return json_string_value(json_object_get(json_object_get(entry, "annotations"),
	    ANNOT_REF_NAME));
}

void
oci_entry_desc(json_t *entry, struct desc *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->media_type, sizeof(d->media_type), "%s",
	    json_string_value(json_object_get(entry, "mediaType")));
	snprintf(d->digest, sizeof(d->digest), "%s",
	    json_string_value(json_object_get(entry, "digest")));
	d->size = json_integer_value(json_object_get(entry, "size"));
}

json_t *
oci_desc_json(const struct desc *d)
{
	json_t *j = json_pack("{s:s, s:s, s:I}", "mediaType", d->media_type,
	    "digest", d->digest, "size", (json_int_t)d->size);

	if (!j)
		die_oom();
	return j;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
oci_sort_unique(struct strvec *sv, size_t from)
{
	size_t i, n;

	if (sv->nr <= from + 1)
		return;
	qsort(sv->v + from, sv->nr - from, sizeof(*sv->v), cmp_str);
	for (i = n = from + 1; i < sv->nr; i++) {
		if (!strcmp(sv->v[i], sv->v[n - 1]))
			free(sv->v[i]);
		else
			sv->v[n++] = sv->v[i];
	}
	sv->nr = n;
	sv->v[n] = NULL;
}

void
oci_index_tags(json_t *index, struct strvec *out)
{
	size_t i, from = out->nr;
	const char *tag;
	json_t *e;

	json_array_foreach(json_object_get(index, "manifests"), i, e)
		if ((tag = oci_entry_tag(e)))
			strvec_push(out, tag);
	oci_sort_unique(out, from);
}

static const char *
entry_digest(json_t *e)
{
	return json_string_value(json_object_get(e, "digest"));
}

/* The only image of the index (entries sharing one digest are one image). */
static int
find_only(json_t *index, const char *where, json_t **entry)
{
	json_t *ms = json_object_get(index, "manifests"), *e;
	struct strvec digests = STRVEC_INIT, tags = STRVEC_INIT;
	struct buf list = BUF_INIT;
	size_t i;
	int rc = 0;

	json_array_foreach(ms, i, e)
		strvec_push(&digests, entry_digest(e));
	oci_sort_unique(&digests, 0);
	if (digests.nr == 0) {
		rc = err_set(-E_NOTFOUND, "'%s' holds no image", where);
	} else if (digests.nr > 1) {
		oci_index_tags(index, &tags);
		for (i = 0; i < tags.nr; i++)
			buf_printf(&list, "%s%s", i ? ", " : "", tags.v[i]);
		rc = err_set(-E_INVALID, "'%s' holds %zu images; which tag?", where, digests.nr);
		if (tags.nr)
			err_hint("its tags: %s", list.ptr);
	} else {
		*entry = json_array_get(ms, 0);
	}
	strvec_clear(&digests);
	strvec_clear(&tags);
	buf_release(&list);
	return rc;
}

/* Whether the entry is named ref: its ref.name or its full image name. */
static int
entry_named(json_t *e, const char *ref)
{
	json_t *a = json_object_get(e, "annotations");
	const char *tag = json_string_value(json_object_get(a, ANNOT_REF_NAME));
	const char *name = json_string_value(json_object_get(a, ANNOT_IMAGE_NAME));

	return (tag && !strcmp(tag, ref)) || (name && !strcmp(name, ref));
}

int
oci_index_find(json_t *index, const char *ref, const char *where, json_t **entry)
{
	json_t *e;
	size_t i;
	int dig;

	*entry = NULL;
	if ((dig = oci_ref_is_digest(ref)) < 0)
		return dig;
	if (!ref || !*ref)
		return find_only(index, where, entry);
	json_array_foreach(json_object_get(index, "manifests"), i, e) {
		if (dig ? !strcmp(entry_digest(e), ref) : entry_named(e, ref)) {
			*entry = e;
			return 0;
		}
	}
	if (dig)
		return 0;
	return err_set(-E_NOTFOUND, "'%s' has no tag '%s'", where, ref);
}

/* Whether mt is one of the manifest or index media types. */
static int
manifest_type(const char *mt)
{
	return !strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_OCI_INDEX) ||
	    !strcmp(mt, MT_DOCKER_MANIFEST) || !strcmp(mt, MT_DOCKER_LIST);
}

int
oci_manifest_sniff(const char *bytes, size_t len, char mt[128])
{
	json_t *root = json_loadb(bytes, len, 0, NULL);
	const char *own = json_string_value(json_object_get(root, "mediaType"));
	json_t *sv = json_object_get(root, "schemaVersion");
	int ok = 0;

	if (!json_is_object(root) || json_integer_value(sv) != 2) {
		ok = 0;
	} else if (own) {
		ok = manifest_type(own);
		if (ok)
			snprintf(mt, 128, "%s", own);
	} else if (json_is_array(json_object_get(root, "manifests"))) {
		ok = 1;
		snprintf(mt, 128, "%s", MT_OCI_INDEX);
	} else if (json_is_object(json_object_get(root, "config")) &&
	    json_is_array(json_object_get(root, "layers"))) {
		ok = 1;
		snprintf(mt, 128, "%s", MT_OCI_MANIFEST);
	}
	json_decref(root);
	return ok;
}

/* -E_INVALID when a manifest's own mediaType is not its descriptor's. */
static int
check_own_type(const struct buf *bytes, const struct desc *d, const char *where)
{
	json_t *root = json_loadb(bytes->ptr, bytes->len, 0, NULL);
	const char *own = json_string_value(json_object_get(root, "mediaType"));
	int rc = 0;

	if (own && strcmp(own, d->media_type))
		rc = err_set(-E_INVALID, "manifest %s in %s says its type is '%s', "
		    "but its index entry says '%s'", d->digest, where, own, d->media_type);
	json_decref(root);
	return rc;
}

int
oci_manifest_resolve(json_t *index, const char *ref, const char *where,
    oci_read_fn rd, void *ctx, struct buf *bytes, struct desc *d)
{
	struct desc want = { "", "", -1 };
	char got[DIGEST_MAX];
	json_t *e;
	int rc;

	if ((rc = oci_index_find(index, ref, where, &e)) < 0)
		return rc;
	if (e)
		oci_entry_desc(e, &want);
	else
		snprintf(want.digest, sizeof(want.digest), "%s", ref);
	buf_reset(bytes);
	if ((rc = rd(ctx, want.digest, bytes)) < 0) {
		if (rc == -E_NOTFOUND && !e)
			err_set(rc, "'%s' has no manifest %s", where, want.digest);
		return rc;
	}
	digest_bytes(bytes->ptr, bytes->len, got);
	if (strcmp(got, want.digest) || (want.size >= 0 && (size_t)want.size != bytes->len))
		return err_set(-E_INVALID, "blob %s in %s does not match its digest",
		    want.digest, where);
	if (!e && !oci_manifest_sniff(bytes->ptr, bytes->len, want.media_type))
		return err_set(-E_NOTFOUND, "'%s' has no manifest %s", where, want.digest);
	if (e && (rc = check_own_type(bytes, &want, where)) < 0)
		return rc;
	want.size = (long long)bytes->len;
	*d = want;
	return 0;
}
