/* digest.c - the tip-keyed caches of record chains: a hash table over an appended file. */
#include "records/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"

#define MAX_FILE (8 << 20)

/* the names carry the format's version: a new fold never reads an old one */
static const char *const file_names[DIGEST_NKINDS] = { "reviews-2", "pipelines-1", "ahead-1" };

/* One table: open addressing on the tip's first bytes. */
struct entry {
	git_oid tip;
	char *text;	/* NULL: empty slot */
	json_t *json;	/* text parsed, once asked for */
};

struct table {
	struct entry *v;
	size_t n, cap;	/* cap a power of two, n <= cap / 2 */
	int loaded;
};

struct caches {
	struct table t[DIGEST_NKINDS];
};

static size_t
slot(const struct table *t, const git_oid *tip)
{
	size_t h, i;

	memcpy(&h, tip->id, sizeof(h));
	for (i = h & (t->cap - 1); t->v[i].text && !git_oid_equal(&t->v[i].tip, tip);
	    i = (i + 1) & (t->cap - 1))
		;
	return i;
}

static void
table_set(struct table *t, const git_oid *tip, char *text)
{
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		struct table old = *t;

		t->cap = t->cap ? 2 * t->cap : 1024;
		t->v = xcalloc(t->cap, sizeof(*t->v));
		t->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.v[i].text) {
				table_set(t, &old.v[i].tip, old.v[i].text);
				t->v[slot(t, &old.v[i].tip)].json = old.v[i].json;
			}
		free(old.v);
	}
	i = slot(t, tip);
	if (t->v[i].text) {
		free(t->v[i].text);
		json_decref(t->v[i].json);
		t->v[i].json = NULL;
	} else {
		t->n++;
		git_oid_cpy(&t->v[i].tip, tip);
	}
	t->v[i].text = text;
}

static void
caches_free(void *p)
{
	struct caches *c = p;
	size_t k, i;

	for (k = 0; k < DIGEST_NKINDS; k++) {
		for (i = 0; i < c->t[k].cap; i++) {
			free(c->t[k].v[i].text);
			json_decref(c->t[k].v[i].json);
		}
		free(c->t[k].v);
	}
	free(c);
}

static void
file_path(struct repo *r, enum digest_kind kind, struct buf *path)
{
	buf_printf(path, "%sslipway/%s", git_repository_commondir(r->git), file_names[kind]);
}

/* Reads the file into the table (later lines win); drops an oversized one. */
static void
load(struct repo *r, enum digest_kind kind, struct table *t)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	const char *p, *end;
	git_oid tip;

	t->loaded = 1;
	file_path(r, kind, &path);
	if (buf_read_file(&text, path.ptr) == 0) {
		if (text.len > MAX_FILE)
			unlink(path.ptr);
		else
			for (p = text.ptr; (end = strchr(p, '\n')); p = end + 1)
				if (end - p > GIT_OID_HEXSZ && p[GIT_OID_HEXSZ] == ' ' &&
				    git_oid_fromstrn(&tip, p, GIT_OID_HEXSZ) == 0)
					table_set(t, &tip, xstrndup(p + GIT_OID_HEXSZ + 1,
					    (size_t)(end - p) - GIT_OID_HEXSZ - 1));
	}
	err_clear();
	buf_release(&path);
	buf_release(&text);
}

static struct table *
table_of(struct repo *r, enum digest_kind kind)
{
	struct caches *c;

	if (!r->caches) {
		r->caches = xcalloc(1, sizeof(struct caches));
		r->caches_free = caches_free;
	}
	c = r->caches;
	if (!c->t[kind].loaded)
		load(r, kind, &c->t[kind]);
	return &c->t[kind];
}

const char *
digest_get(struct repo *r, enum digest_kind kind, const git_oid *tip)
{
	struct table *t = table_of(r, kind);

	return t->cap ? t->v[slot(t, tip)].text : NULL;
}

json_t *
digest_get_json(struct repo *r, enum digest_kind kind, const git_oid *tip)
{
	struct table *t = table_of(r, kind);
	struct entry *e;

	if (!t->cap || !(e = &t->v[slot(t, tip)])->text)
		return NULL;
	if (!e->json)
		e->json = json_loads(e->text, 0, NULL);
	return e->json;
}

void
digest_put(struct repo *r, enum digest_kind kind, const git_oid *tip, const char *text)
{
	struct table *t = table_of(r, kind);
	struct buf path = BUF_INIT, line = BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	int fd;

	if (strchr(text, '\n'))
		return;
	table_set(t, tip, xstrdup(text));
	buf_printf(&path, "%sslipway", git_repository_commondir(r->git));
	if (mkdir(path.ptr, 0777) < 0 && errno != EEXIST)
		goto out;
	buf_reset(&path);
	file_path(r, kind, &path);
	/* one write of a whole line with O_APPEND: writers don't interleave */
	buf_printf(&line, "%s %s\n", git_oid_tostr(hex, sizeof(hex), tip), text);
	if ((fd = open(path.ptr, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666)) >= 0) {
		(void)!write(fd, line.ptr, line.len);
		close(fd);
	}
out:
	buf_release(&path);
	buf_release(&line);
}

void
digest_pair_key(const git_oid *a, const git_oid *b, git_oid *key)
{
	unsigned char both[2 * GIT_OID_RAWSZ];

	memcpy(both, a->id, GIT_OID_RAWSZ);
	memcpy(both + GIT_OID_RAWSZ, b->id, GIT_OID_RAWSZ);
	git_odb_hash(key, both, sizeof(both), GIT_OBJECT_BLOB);
}
