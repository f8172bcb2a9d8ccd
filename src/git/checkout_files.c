/* checkout_files.c - a commit's files written out, several threads at once,
 * and the index that says so. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "git/checkout_int.h"
#include "lib/err.h"
#include "lib/util.h"

#define PER_THREAD 256	/* files a thread is worth starting for */
#define MAX_THREADS 8
#define CHUNK 32	/* files a thread takes at a time */

/* One blob, link or submodule of the tree, in the index's order. */
struct entry {
	size_t path;		/* offset in the paths buffer */
	git_oid id;
	uint32_t mode;
	struct stat st;		/* once written */
};

/* A checkout in progress: the tree read, the files being written. */
struct co {
	git_repository *git;
	int dirfd;
	const atomic_int *stop;
	struct buf path;	/* the entry's path, while the tree is read */
	struct buf paths;	/* every entry's path, NUL-terminated */
	struct entry *v;
	size_t nr, alloc;
	size_t nblobs;
	int filtered;		/* a .gitattributes: git must do it */

	/* while the files are written */
	pthread_mutex_t lock;
	size_t next;		/* the next entry to take */
	int failed;		/* a writer failed: the others stop */
	int rc;
	char *msg;
};

int
checkout_new_file(int at, const char *name, const void *data, size_t len, int exec,
    struct stat *st)
{
	const char *p = data;
	int fd, rc = 0;

	fd = openat(at, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    exec ? 0777 : 0666);
	if (fd < 0)
		return -1;
	while (len && rc == 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno != EINTR)
			rc = -1;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	if (rc == 0 && st && fstat(fd, st) < 0)
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* Tree entry names that must never reach the file system: ., .., .git, a
 * '/', and (as git refuses them) a symbolic link in place of a file git
 * reads from the working tree. */
static int
unsafe_name(const char *name, git_filemode_t mode)
{
	static const char *const read_by_git[] = { ".gitmodules", ".gitattributes",
	    ".gitignore", ".mailmap" };
	size_t i;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    !strcasecmp(name, ".git"))
		return 1;
	for (i = 0; mode == GIT_FILEMODE_LINK && i < ARRAY_SIZE(read_by_git); i++)
		if (!strcasecmp(name, read_by_git[i]))
			return 1;
	return 0;
}

static void
add_entry(struct co *c, const git_tree_entry *te)
{
	struct entry *e;

	if (c->nr == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		c->v = xrealloc(c->v, c->alloc * sizeof(*c->v));
	}
	e = &c->v[c->nr++];
	memset(e, 0, sizeof(*e));
	e->path = c->paths.len;
	buf_add(&c->paths, c->path.ptr, c->path.len + 1);
	e->id = *git_tree_entry_id(te);
	e->mode = git_tree_entry_filemode(te);
	c->nblobs += e->mode != GIT_FILEMODE_COMMIT;
}

/* Reads tree (at c->path) into the list and makes its folders, depth first. */
static int
read_tree(struct co *c, const git_tree *tree)
{
	size_t i, n = git_tree_entrycount(tree), end = c->path.len;
	int rc = 0;

	for (i = 0; i < n && rc == 0 && !c->filtered; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(te);
		git_filemode_t mode = git_tree_entry_filemode(te);
		git_tree *sub = NULL;

		if (atomic_load_explicit(c->stop, memory_order_relaxed))
			return err_set(-E_INTERRUPTED, "the checkout was stopped");
		buf_setlen(&c->path, end);
		buf_puts(&c->path, name);
		if (unsafe_name(name, mode))
			return err_set(-E_INVALID, "the tree holds an unsafe path '%s'", c->path.ptr);
		if (!strcmp(name, ".gitattributes")) {
			c->filtered = 1;
		} else if (mode == GIT_FILEMODE_TREE || mode == GIT_FILEMODE_COMMIT) {
			/* the folder's parents are folders made here: no link on the way */
			if (mkdirat(c->dirfd, c->path.ptr, 0777) < 0)
				return err_set(-E_IO, "cannot create '%s': %s", c->path.ptr,
				    strerror(errno));
			if (mode == GIT_FILEMODE_COMMIT) {	/* a submodule: an empty folder */
				add_entry(c, te);
				continue;
			}
			if (git_tree_lookup(&sub, c->git, git_tree_entry_id(te)) < 0)
				rc = repo_error(-E_GENERIC, "reading '%s'", c->path.ptr);
			buf_putc(&c->path, '/');
			if (rc == 0)
				rc = read_tree(c, sub);
			git_tree_free(sub);
		} else {
			add_entry(c, te);
		}
	}
	buf_setlen(&c->path, end);
	return rc;
}

/* Writes entry e (a blob: a file or a link) from the odb. */
static int
put_entry(struct co *c, git_odb *odb, struct entry *e)
{
	const char *path = c->paths.ptr + e->path;
	git_odb_object *obj = NULL;
	const char *data;
	size_t len;
	int rc = 0;

	if (git_odb_read(&obj, odb, &e->id) < 0)
		return repo_error(-E_GENERIC, "reading '%s'", path);
	data = git_odb_object_data(obj);
	len = git_odb_object_size(obj);
	if (e->mode == GIT_FILEMODE_LINK) {
		char *to = xmalloc(len + 1);

		memcpy(to, data, len);
		to[len] = '\0';
		if (strlen(to) != len)
			rc = err_set(-E_INVALID, "the link '%s' has a NUL in its target", path);
		else if (symlinkat(to, c->dirfd, path) < 0 ||
		    fstatat(c->dirfd, path, &e->st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = err_set(-E_IO, "cannot make the link '%s': %s", path, strerror(errno));
		free(to);
	} else if (checkout_new_file(c->dirfd, path, data, len,
	    e->mode == GIT_FILEMODE_BLOB_EXECUTABLE, &e->st) < 0) {
		rc = err_set(-E_IO, "cannot write '%s': %s", path, strerror(errno));
	}
	git_odb_object_free(obj);
	return rc;
}

/* Takes entries CHUNK at a time and writes them, until none are left or a
 * writer failed. */
static void
write_some(struct co *c, git_odb *odb)
{
	size_t i, from;
	int rc = 0;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		from = c->failed ? c->nr : c->next;
		c->next = from + CHUNK < c->nr ? from + CHUNK : c->nr;
		pthread_mutex_unlock(&c->lock);
		for (i = from; i < from + CHUNK && i < c->nr && rc == 0; i++) {
			if (atomic_load_explicit(c->stop, memory_order_relaxed))
				rc = err_set(-E_INTERRUPTED, "the checkout was stopped");
			else if (c->v[i].mode != GIT_FILEMODE_COMMIT)
				rc = put_entry(c, odb, &c->v[i]);
		}
		if (rc < 0 || from >= c->nr)
			break;
	}
	if (rc < 0) {
		pthread_mutex_lock(&c->lock);
		if (!c->failed) {
			c->failed = 1;
			c->rc = rc;
			c->msg = xstrdup(err_msg());
		}
		pthread_mutex_unlock(&c->lock);
		err_clear();
	}
}

/* A writer thread, with an object database of its own. */
static void *
writer(void *arg)
{
	struct co *c = arg;
	git_odb *odb = NULL;
	struct buf dir = BUF_INIT;

	buf_printf(&dir, "%sobjects", git_repository_commondir(c->git));
	if (git_odb_open(&odb, dir.ptr) == 0)
		write_some(c, odb);
	git_odb_free(odb);
	git_error_clear();
	buf_release(&dir);
	return NULL;
}

/* Writes every entry: this thread and, for many files, others with it. */
static int
write_all_entries(struct co *c)
{
	pthread_t t[MAX_THREADS];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, n = c->nblobs / PER_THREAD, started = 0;
	git_odb *odb = NULL;

	if (n > (size_t)(cores > 1 ? cores : 1))
		n = (size_t)(cores > 1 ? cores : 1);
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if (git_repository_odb(&odb, c->git) < 0)
		return repo_error(-E_GENERIC, "opening the object database");
	pthread_mutex_init(&c->lock, NULL);
	for (i = 1; i < n; i++)
		if (pthread_create(&t[started], NULL, writer, c) == 0)
			started++;
	write_some(c, odb);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&c->lock);
	git_odb_free(odb);
	if (c->failed)
		return err_set(c->rc, "%s", c->msg);
	return 0;
}

static void
put_be32(struct buf *b, uint32_t v)
{
	unsigned char x[4] = { v >> 24, v >> 16, v >> 8, v };

	buf_add(b, x, 4);
}

/* The index (see gitformat-index(5)): a header, then per entry its stat
 * data (none for a submodule), mode, id, flags and path, padded with 1-8
 * NULs to a multiple of 8 -- the tree's order is the index's -- then the
 * SHA-1 of it all. Written to the file "index" in gitfd. */
static int
put_index(struct co *c, struct buf *ix, int gitfd)
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int sumlen = 0;
	size_t i;

	buf_reset(ix);
	buf_add(ix, "DIRC", 4);
	put_be32(ix, 2);
	put_be32(ix, (uint32_t)c->nr);
	for (i = 0; i < c->nr; i++) {
		const struct entry *e = &c->v[i];
		const struct stat *st = &e->st;
		const char *path = c->paths.ptr + e->path;
		size_t start = ix->len, len = strlen(path);
		unsigned char flags[2] = { (len < 0xfff ? len : 0xfff) >> 8,
		    len < 0xfff ? len & 0xff : 0xff };

		put_be32(ix, (uint32_t)st->st_ctim.tv_sec);
		put_be32(ix, (uint32_t)st->st_ctim.tv_nsec);
		put_be32(ix, (uint32_t)st->st_mtim.tv_sec);
		put_be32(ix, (uint32_t)st->st_mtim.tv_nsec);
		put_be32(ix, (uint32_t)st->st_dev);
		put_be32(ix, (uint32_t)st->st_ino);
		put_be32(ix, e->mode);
		put_be32(ix, st->st_uid);
		put_be32(ix, st->st_gid);
		put_be32(ix, (uint32_t)st->st_size);
		buf_add(ix, e->id.id, GIT_OID_RAWSZ);
		buf_add(ix, flags, 2);
		buf_add(ix, path, len);
		do
			buf_putc(ix, '\0');
		while ((ix->len - start) % 8);
	}
	if (!EVP_Digest(ix->ptr, ix->len, sum, &sumlen, EVP_sha1(), NULL))
		return err_set(-E_GENERIC, "cannot compute the index's checksum");
	buf_add(ix, sum, sumlen);
	if (checkout_new_file(gitfd, "index", ix->ptr, ix->len, 0, NULL) < 0)
		return err_set(-E_IO, "cannot write the index: %s", strerror(errno));
	return 0;
}

int
checkout_files(struct repo *r, int dirfd, int gitfd, const git_oid *commit,
    const atomic_int *stop, struct buf *index, int *filtered)
{
	struct co c;
	git_commit *cm = NULL;
	git_tree *tree = NULL;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.git = r->git;
	c.dirfd = dirfd;
	c.stop = stop;
	c.path = (struct buf)BUF_INIT;
	c.paths = (struct buf)BUF_INIT;
	buf_reset(index);
	if (git_commit_lookup(&cm, r->git, commit) < 0 || git_commit_tree(&tree, cm) < 0)
		rc = repo_error(-E_GENERIC, "reading commit %s", repo_short(commit));
	if (rc == 0)
		rc = read_tree(&c, tree);
	if (rc == 0 && !c.filtered)
		rc = write_all_entries(&c);
	if (rc == 0 && !c.filtered)
		rc = put_index(&c, index, gitfd);
	*filtered = c.filtered;
	if (rc < 0 || c.filtered)
		buf_reset(index);
	git_tree_free(tree);
	git_commit_free(cm);
	free(c.v);
	free(c.msg);
	buf_release(&c.path);
	buf_release(&c.paths);
	return rc;
}
