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
	while (p > base && p[-1] != '\n')
		p--;
	return p;
}

/* Adds the packed refs under prefix from the file's text [p, end): a
 * binary search for the first line whose name is >= prefix when the file
 * says it is sorted, else a scan from the top. */
static void
packed_scan(const char *p, const char *end, const char *prefix, int sorted, struct reflist *l)
{
	size_t plen = strlen(prefix);
	const char *lo = p, *hi = end;

	while (sorted && lo < hi) {
		const char *mid = line_start(lo, lo + (hi - lo) / 2), *name;

		if (*mid == '^' || *mid == '#' || end - mid < GIT_OID_HEXSZ + 1) {
			/* a peeled or comment line: step back to its ref line */
			const char *nl = memchr(mid, '\n', (size_t)(end - mid));

			if (mid == lo || !nl)
				break;
			hi = mid;
			continue;
		}
		name = mid + GIT_OID_HEXSZ + 1;
		if (strncmp(name, prefix, plen) < 0) {
			const char *nl = memchr(mid, '\n', (size_t)(end - mid));

			lo = nl ? nl + 1 : end;
		} else {
			hi = mid;
		}
	}
	for (p = lo; p < end;) {
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
			else if (sorted && strncmp(name, prefix, plen) > 0)
				break;
		}
		p = nl + 1;
	}
}

/* Adds the refs of GIT_COMMON_DIR/packed-refs under prefix. */
static int
packed_refs(const char *common, const char *prefix, struct reflist *l)
{
	struct buf path = BUF_INIT;
	struct stat st;
	const char *text, *p;
	int fd, sorted = 0, rc = 0;

	buf_printf(&path, "%spacked-refs", common);
	if ((fd = open(path.ptr, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0 ||
	    st.st_size == 0)
		goto out;	/* no packed refs */
	text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (text == MAP_FAILED) {
		rc = err_set(-E_IO, "reading '%s': %s", path.ptr, strerror(errno));
		goto out;
	}
	p = text;
	if (*p == '#') {
		const char *nl = memchr(p, '\n', (size_t)st.st_size);

		sorted = nl && memmem(p, (size_t)(nl - p), " sorted", 7) != NULL;
		p = nl ? nl + 1 : text + st.st_size;
	}
	packed_scan(p, text + st.st_size, prefix, sorted, l);
	munmap((void *)text, (size_t)st.st_size);
out:
	if (fd >= 0)
		close(fd);
	buf_release(&path);
	return rc;
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

	if ((rc = packed_refs(common, prefix, &packed)) < 0)
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
