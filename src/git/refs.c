/* refs.c - refs under a prefix: the sorted packed-refs file, then loose files. */
#include "git/refs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"

struct ref { char *name; git_oid oid; };

struct reflist { struct ref *v; size_t n, alloc; };

static void
reflist_add(struct reflist *l, const char *name, size_t len, const git_oid *oid)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->n].name = xstrndup(name, len);
	git_oid_cpy(&l->v[l->n].oid, oid);
	l->n++;
}

static void
reflist_release(struct reflist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
}

static int
ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ref *)a)->name, ((const struct ref *)b)->name);
}

/* The start of the line holding p. */
static const char *
line_start(const char *base, const char *p)
{
	const char *nl = p > base ? memrchr(base, '\n', (size_t)(p - base)) : NULL;

	return nl ? nl + 1 : base;
}

/* A name of the mapped file (len bytes, no NUL after it) against the first
 * klen bytes of key, as strncmp would compare them were it NUL-ended. */
static int
name_cmp(const char *name, size_t len, const char *key, size_t klen)
{
	int c = memcmp(name, key, len < klen ? len : klen);

	return c || len >= klen ? c : -1;
}

/* The first ref line of the text [p, end) whose name is >= key: a binary
 * search when the file says it is sorted, else p. */
static const char *
packed_seek(const char *p, const char *end, const char *key, int sorted)
{
	size_t klen = strlen(key);
	const char *lo = p, *hi = end;

	while (sorted && lo < hi) {
		const char *mid = line_start(lo, lo + (hi - lo) / 2), *name, *nl;

		if (*mid == '^' || *mid == '#' || end - mid < GIT_OID_HEXSZ + 1) {
			/* a peeled or comment line: step back to its ref line */
			nl = memchr(mid, '\n', (size_t)(end - mid));
			if (mid == lo || !nl)
				break;
			hi = mid;
			continue;
		}
		name = mid + GIT_OID_HEXSZ + 1;
		nl = memchr(name, '\n', (size_t)(end - name));
		if (name_cmp(name, (size_t)((nl ? nl : end) - name), key, klen) < 0)
			lo = nl ? nl + 1 : end;
		else
			hi = mid;
	}
	return lo;
}

/* Adds the packed refs under prefix from the file's text [p, end). */
static void
packed_scan(const char *p, const char *end, const char *prefix, int sorted, struct reflist *l)
{
	size_t plen = strlen(prefix);

	for (p = packed_seek(p, end, prefix, sorted); p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *name;
		size_t len;
		git_oid oid;

		if (!nl)
			nl = end;
		name = p + GIT_OID_HEXSZ + 1;
		if (*p != '^' && *p != '#' && nl - p > GIT_OID_HEXSZ + 1 &&
		    git_oid_fromstrn(&oid, p, GIT_OID_HEXSZ) == 0) {
			len = (size_t)(nl - name);
			if (len >= plen && !memcmp(name, prefix, plen))
				reflist_add(l, name, len, &oid);
			else if (sorted && name_cmp(name, len, prefix, plen) > 0)
				break;
		}
		p = nl + 1;
	}
}

/* A mapped packed-refs file, and what it was when mapped. */
struct packed_refs {
	struct stat st;
	char *text;
	size_t len;
	const char *body;	/* after the header line */
	int sorted;
};

void
refs_packed_free(struct packed_refs *pk)
{
	if (pk && pk->text)
		munmap(pk->text, pk->len);
	free(pk);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* r's packed-refs, mapped again when the file changed since (a new file
 * replaces it whole); NULL in *out when there is none. */
static int
packed_get(struct repo *r, struct packed_refs **out)
{
	struct packed_refs *pk = r->packed;
	struct buf path = BUF_INIT;
	struct stat st;
	int fd = -1, rc = 0;

	*out = NULL;
	buf_printf(&path, "%spacked-refs", git_repository_commondir(r->git));
	if (stat(path.ptr, &st) < 0 || st.st_size == 0)
		goto out;	/* no packed refs */
	if (pk && pk->text && same_file(&pk->st, &st)) {
		*out = pk;
		goto out;
	}
	refs_packed_free(pk);
	r->packed = pk = xcalloc(1, sizeof(*pk));
	if ((fd = open(path.ptr, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &pk->st) < 0) {
		rc = errno == ENOENT ? 0 : err_set(-E_IO, "reading '%s': %s", path.ptr,
		    strerror(errno));
		goto out;
	}
	if (pk->st.st_size == 0)
		goto out;
	pk->len = (size_t)pk->st.st_size;
	pk->text = mmap(NULL, pk->len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (pk->text == MAP_FAILED) {
		pk->text = NULL;
		rc = err_set(-E_IO, "reading '%s': %s", path.ptr, strerror(errno));
		goto out;
	}
	pk->body = pk->text;
	if (*pk->body == '#') {
		const char *nl = memchr(pk->body, '\n', pk->len);

		pk->sorted = nl && memmem(pk->body, (size_t)(nl - pk->body), " sorted", 7) != NULL;
		pk->body = nl ? nl + 1 : pk->text + pk->len;
	}
	*out = pk;
out:
	if (fd >= 0)
		close(fd);
	buf_release(&path);
	return rc;
}

/* Adds the refs of GIT_COMMON_DIR/packed-refs under prefix. */
static int
packed_refs(struct repo *r, const char *prefix, struct reflist *l)
{
	struct packed_refs *pk;
	int rc = packed_get(r, &pk);

	if (rc == 0 && pk)
		packed_scan(pk->body, pk->text + pk->len, prefix, pk->sorted, l);
	return rc;
}

/* The packed ref named name; -E_NOTFOUND (no message) when there is none. */
static int
packed_find(struct repo *r, const char *name, git_oid *out)
{
	struct packed_refs *pk;
	const char *p, *end;
	size_t len = strlen(name);
	int rc;

	if ((rc = packed_get(r, &pk)) < 0)
		return rc;
	if (!pk)
		return -E_NOTFOUND;
	end = pk->text + pk->len;
	for (p = packed_seek(pk->body, end, name, pk->sorted); p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *n = p + GIT_OID_HEXSZ + 1;

		if (!nl)
			nl = end;
		if (*p != '^' && *p != '#' && nl - p > GIT_OID_HEXSZ + 1) {
			if ((size_t)(nl - n) == len && !memcmp(n, name, len))
				return git_oid_fromstrn(out, p, GIT_OID_HEXSZ) == 0 ? 0 :
				    err_set(-E_INVALID, "packed-refs: a bad line for '%s'", name);
			if (pk->sorted && name_cmp(n, (size_t)(nl - n), name, len) > 0)
				break;
		}
		p = nl + 1;
	}
	return -E_NOTFOUND;
}

/* Whether name is a ref this module reads itself: a valid name under
 * refs/ that is not one of a worktree's own (those are in its git dir). */
static int
plain_ref(const char *name)
{
	int valid = 0;

	return !strncmp(name, "refs/", 5) && strncmp(name, "refs/bisect/", 12) &&
	    strncmp(name, "refs/worktree/", 14) && strncmp(name, "refs/rewritten/", 15) &&
	    git_reference_name_is_valid(&valid, name) == 0 && valid;
}

int
refs_resolve(struct repo *r, const char *name, git_oid *out)
{
	char text[GIT_OID_HEXSZ + 2];
	struct buf path = BUF_INIT;
	ssize_t n = -1;
	int fd, e;

	if (plain_ref(name)) {
		buf_printf(&path, "%s%s", git_repository_commondir(r->git), name);
		if ((fd = open(path.ptr, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, text, sizeof(text));
			close(fd);
		}
		e = errno;
		buf_release(&path);
		if (fd < 0 && (e == ENOENT || e == ENOTDIR || e == EISDIR))
			return packed_find(r, name, out);
		if (n == GIT_OID_HEXSZ + 1 && text[GIT_OID_HEXSZ] == '\n' &&
		    git_oid_fromstrn(out, text, GIT_OID_HEXSZ) == 0)
			return 0;
	}
	/* a symbolic ref, HEAD, a file git would not write: as libgit2 reads it */
	e = git_reference_name_to_id(out, r->git, name);
	if (e == GIT_ENOTFOUND) {
		git_error_clear();
		return -E_NOTFOUND;
	}
	return e < 0 ? repo_error(-E_INVALID, "reading ref '%s'", name) : 0;
}

/* Adds the loose refs in the folder path (name = ref name so far). */
static void
loose_refs(struct buf *path, struct buf *name, struct reflist *l)
{
	size_t plen = path->len, nlen = name->len;
	struct dirent *de;
	DIR *d;

	if (!(d = opendir(path->ptr)))
		return;
	while ((de = readdir(d))) {
		char text[GIT_OID_HEXSZ + 2];
		struct stat st;
		git_oid oid;
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.' || (strlen(de->d_name) >= 5 && !strcmp(de->d_name + strlen(de->d_name) - 5, ".lock")))
			continue;
		buf_printf(path, "/%s", de->d_name);
		buf_puts(name, de->d_name);
		/* d_type saves a stat per ref; some file systems leave it unknown */
		if (de->d_type == DT_DIR || (de->d_type == DT_UNKNOWN &&
		    stat(path->ptr, &st) == 0 && S_ISDIR(st.st_mode))) {
			buf_putc(name, '/');
			loose_refs(path, name, l);
		} else if ((fd = open(path->ptr, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, text, sizeof(text));
			close(fd);
			/* a symref reads "ref: ..." and fails to parse */
			if (n >= GIT_OID_HEXSZ && git_oid_fromstrn(&oid, text, GIT_OID_HEXSZ) == 0)
				reflist_add(l, name->ptr, name->len, &oid);
		}
		buf_setlen(path, plen);
		buf_setlen(name, nlen);
	}
	closedir(d);
}

int
refs_list(struct repo *r, const char *prefix,
    int (*fn)(const char *name, const git_oid *oid, void *data), void *data)
{
	const char *common = git_repository_commondir(r->git);
	struct reflist packed = { 0 }, loose = { 0 };
	struct buf path = BUF_INIT, name = BUF_INIT;
	size_t i = 0, j = 0;
	const char *slash = strrchr(prefix, '/');
	int rc;

	if ((rc = packed_refs(r, prefix, &packed)) < 0)
		goto out;
	/* the loose refs of the folder holding the prefix, filtered */
	buf_printf(&path, "%s%.*s", common, (int)(slash - prefix), prefix);
	buf_add(&name, prefix, (size_t)(slash - prefix) + 1);
	loose_refs(&path, &name, &loose);
	if (loose.n)
		qsort(loose.v, loose.n, sizeof(*loose.v), ref_cmp);
	while (rc == 0 && (i < packed.n || j < loose.n)) {
		int c = i == packed.n ? 1 : j == loose.n ? -1 :
		    strcmp(packed.v[i].name, loose.v[j].name);
		const struct ref *e;

		if (c < 0) {
			e = &packed.v[i++];
		} else {
			e = &loose.v[j++];
			i += c == 0;	/* the loose one wins */
			if (!starts_with(e->name, prefix))
				continue;
		}
		rc = fn(e->name, &e->oid, data);
	}
out:
	reflist_release(&packed);
	reflist_release(&loose);
	buf_release(&path);
	buf_release(&name);
	return rc;
}
