/* checkout_renew.c - a used checkout checked against what was written, and
 * made fresh again when nothing was changed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "git/checkout.h"
#include "lib/err.h"
#include "lib/util.h"

#define CHANGED 1

/* A walk of the tree, the folder and the index together. */
struct rn {
	git_repository *git;
	git_odb *odb;
	const struct checkout *co;
	const atomic_int *stop;
	struct buf path;	/* the entry's path in the tree */
	size_t at;		/* the next index entry's offset */
};

/* One index entry as checkout.c wrote it. */
struct ientry {
	uint32_t ctime_s, ctime_ns, mtime_s, mtime_ns, dev, ino, mode, uid, gid, size;
	const char *path;
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The next entry of the index; 0 at its end. */
static int
next_entry(struct rn *n, struct ientry *e)
{
	const unsigned char *p = (const unsigned char *)n->co->index.ptr + n->at;
	size_t end = n->co->index.len - GIT_OID_RAWSZ, len;
	uint32_t *f = &e->ctime_s;
	int i;

	if (n->at + 62 >= end)
		return 0;
	for (i = 0; i < 10; i++)
		f[i] = be32(p + 4 * i);
	e->path = (const char *)p + 62;
	len = strnlen(e->path, end - n->at - 62);
	n->at += (62 + len + 8) & ~(size_t)7;
	return 1;
}

/* Whether st is what the entry recorded, permissions as created. */
static int
same_stat(const struct rn *n, const struct ientry *e, const struct stat *st)
{
	mode_t perm = (e->mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0777 : 0666) & ~n->co->umask;

	if (e->mode == GIT_FILEMODE_LINK ? !S_ISLNK(st->st_mode) :
	    !S_ISREG(st->st_mode) || (st->st_mode & 07777) != perm)
		return 0;
	return st->st_nlink == 1 && e->ctime_s == (uint32_t)st->st_ctim.tv_sec &&
	    e->ctime_ns == (uint32_t)st->st_ctim.tv_nsec &&
	    e->mtime_s == (uint32_t)st->st_mtim.tv_sec &&
	    e->mtime_ns == (uint32_t)st->st_mtim.tv_nsec && e->dev == (uint32_t)st->st_dev &&
	    e->ino == (uint32_t)st->st_ino && e->uid == st->st_uid && e->gid == st->st_gid &&
	    e->size == (uint32_t)st->st_size && (uint64_t)st->st_size == e->size;
}

/* Whether a change could hide behind an unchanged ctime: the file's ctime
 * is not before the clock tick in which the job began. */
static int
racy(const struct rn *n, const struct stat *st)
{
	const struct timespec *u = &n->co->used;

	return st->st_ctim.tv_sec > u->tv_sec ||
	    (st->st_ctim.tv_sec == u->tv_sec && st->st_ctim.tv_nsec >= u->tv_nsec);
}

/* Whether the open fd carries extended attributes (an ACL among them)
 * other than security.* ones, the label a system gives every file. */
static int
odd_xattrs(int fd)
{
	char names[4096], *p;
	ssize_t n = flistxattr(fd, names, sizeof(names));

	if (n < 0)
		return errno != ENOTSUP;	/* ERANGE: many */
	for (p = names; p < names + n; p += strlen(p) + 1)
		if (strncmp(p, "security.", 9))
			return 1;
	return 0;
}

/* Opens name in the folder at for reading when it is a plain file with one
 * link, permissions perm and our owner, without blocking (a FIFO) or
 * following a link; -1 otherwise. */
static int
open_plain(int at, const char *name, mode_t perm, int flags)
{
	struct stat st;
	int fd = openat(at, name, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    (st.st_mode & 07777) != perm || st.st_uid != geteuid() || odd_xattrs(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Whether the open file fd holds exactly want (len bytes), from where it
 * is read; 1 yes, 0 no (or unreadable). */
static int
holds(int fd, const char *want, size_t len)
{
	char *got = xmalloc(len + 1);
	size_t off = 0;
	ssize_t r = 0;
	int same;

	while (off <= len && (r = read(fd, got + off, len + 1 - off)) > 0)
		off += (size_t)r;
	same = r >= 0 && off == len && !memcmp(got, want, len);
	free(got);
	return same;
}

/* Whether name in the folder at holds exactly the blob id (a link: points
 * at it). */
static int
same_content(struct rn *n, int at, const char *name, const git_oid *id, int link,
    const struct stat *st)
{
	git_odb_object *obj = NULL;
	const char *want;
	size_t len;
	int fd, same = 0;

	if (git_odb_read(&obj, n->odb, id) < 0)
		return repo_error(-E_GENERIC, "reading '%s'", n->path.ptr);
	want = git_odb_object_data(obj);
	len = git_odb_object_size(obj);
	if (link) {
		char *got = xmalloc(len + 1);

		same = readlinkat(at, name, got, len + 1) == (ssize_t)len &&
		    !memcmp(got, want, len);
		free(got);
	} else if ((fd = open_plain(at, name, st->st_mode & 07777, O_RDONLY)) >= 0) {
		same = holds(fd, want, len);
		close(fd);
	}
	git_odb_object_free(obj);
	return same;
}

/* How many entries the open folder fd has (".git" not counted at the top);
 * -1 when it carries odd extended attributes. */
static long
count_entries(int fd, int top)
{
	struct dirent *de;
	long n = 0;
	int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;

	if (!d || odd_xattrs(dup_fd)) {
		if (d)
			closedir(d);
		else if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    !(top && !strcmp(de->d_name, ".git")))
			n++;
	closedir(d);
	return n;
}

/* Whether the folder at/name is a folder with the permissions and owner
 * it was made with. */
static int
same_dir(const struct checkout *co, int at, const char *name, struct stat *st)
{
	return fstatat(at, name, st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st->st_mode) &&
	    (st->st_mode & 07777) == (0777 & ~co->umask) && st->st_uid == co->uid &&
	    st->st_gid == co->gid;
}

static int renew_tree(struct rn *n, int at, const git_tree *tree, int top);

/* One entry of the tree against the folder at and the index. */
static int
renew_entry(struct rn *n, int at, const git_tree_entry *te)
{
	const char *name = git_tree_entry_name(te);
	git_filemode_t mode = git_tree_entry_filemode(te);
	struct ientry e;
	struct stat st;
	git_tree *sub = NULL;
	int fd, rc = 0;

	if (mode == GIT_FILEMODE_TREE) {
		if (!same_dir(n->co, at, name, &st) ||
		    (fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return CHANGED;
		if (git_tree_lookup(&sub, n->git, git_tree_entry_id(te)) < 0)
			rc = repo_error(-E_GENERIC, "reading '%s'", n->path.ptr);
		buf_putc(&n->path, '/');
		if (rc == 0)
			rc = renew_tree(n, fd, sub, 0);
		git_tree_free(sub);
		close(fd);
		return rc;
	}
	if (!next_entry(n, &e) || strcmp(e.path, n->path.ptr) || e.mode != mode)
		return CHANGED;
	if (mode == GIT_FILEMODE_COMMIT) {
		if (!same_dir(n->co, at, name, &st) ||
		    (fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return CHANGED;
		rc = count_entries(fd, 0) == 0 ? 0 : CHANGED;
		close(fd);
		return rc;
	}
	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !same_stat(n, &e, &st))
		return CHANGED;
	if (racy(n, &st)) {
		rc = same_content(n, at, name, git_tree_entry_id(te), mode == GIT_FILEMODE_LINK,
		    &st);
		return rc < 0 ? rc : rc ? 0 : CHANGED;
	}
	return 0;
}

/* The folder at against tree: the same names, each entry as made. */
static int
renew_tree(struct rn *n, int at, const git_tree *tree, int top)
{
	size_t i, count = git_tree_entrycount(tree), end = n->path.len;
	int rc = 0;

	if (count_entries(at, top) != (long)count)
		return CHANGED;
	for (i = 0; i < count && rc == 0; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);

		if (atomic_load_explicit(n->stop, memory_order_relaxed))
			return err_set(-E_INTERRUPTED, "the checkout was stopped");
		buf_setlen(&n->path, end);
		buf_puts(&n->path, git_tree_entry_name(te));
		rc = renew_entry(n, at, te);
	}
	buf_setlen(&n->path, end);
	return rc;
}

/* Whether the file name in the folder at is as made and holds exactly want. */
static int
file_is(const struct checkout *co, int at, const char *name, const char *want)
{
	int fd = open_plain(at, name, 0666 & ~co->umask, O_RDONLY), same = 0;

	if (fd >= 0) {
		same = holds(fd, want, strlen(want));
		close(fd);
	}
	return same;
}

/* The index as first written back into dir/.git, unless it still is: in
 * place (truncating a file to nothing and writing it again makes ext4
 * flush it on close). */
static int
put_index(const struct checkout *co, int dirfd)
{
	const struct buf *ix = &co->index;
	ssize_t n = -1;
	int fd = open_plain(dirfd, ".git/index", 0666 & ~co->umask, O_RDWR), rc = 0;

	if (fd >= 0) {
		if (!holds(fd, ix->ptr, ix->len))
			n = pwrite(fd, ix->ptr, ix->len, 0) == (ssize_t)ix->len &&
			    ftruncate(fd, (off_t)ix->len) == 0 ? 0 : -1;
		else
			n = 0;
		if (close(fd) < 0)
			n = -1;
	}
	if (fd < 0 || n < 0)
		rc = err_set(-E_IO, "cannot write '%s/.git/index': %s", co->dir, strerror(errno));
	return rc;
}

/* dir/.git as made (HEAD, commondir, index, nothing else); the index gets
 * its first content back. */
static int
renew_gitdir(struct repo *r, const struct checkout *co, int dirfd, const git_oid *commit)
{
	struct buf want = BUF_INIT;
	struct stat st;
	int fd, rc = CHANGED;

	if (!same_dir(co, dirfd, ".git", &st) ||
	    (fd = openat(dirfd, ".git", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return CHANGED;
	buf_printf(&want, "%s\n", git_oid_tostr_s(commit));
	if (count_entries(fd, 0) != 3 || !file_is(co, fd, "HEAD", want.ptr))
		goto out;
	buf_reset(&want);
	buf_printf(&want, "%s\n", git_repository_commondir(r->git));
	if (!file_is(co, fd, "commondir", want.ptr) || fstatat(fd, "index", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_nlink != 1)	/* a link elsewhere: never write through */
		goto out;
	close(fd);
	fd = -1;
	rc = put_index(co, dirfd);
out:
	if (fd >= 0)
		close(fd);
	buf_release(&want);
	return rc;
}

int
checkout_renew(struct repo *r, struct checkout *co, const git_oid *commit,
    const atomic_int *stop)
{
	struct rn n = { r->git, NULL, co, stop, BUF_INIT, 12 };
	git_commit *cm = NULL;
	git_tree *tree = NULL;
	struct stat st;
	int dirfd, rc = 0;

	if (!co->dir || co->index.len < 12 + GIT_OID_RAWSZ)
		return CHANGED;	/* git wrote it: not ours to judge */
	if ((dirfd = open(co->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return CHANGED;
	if (fstat(dirfd, &st) < 0 || (st.st_mode & 07777) != (0777 & ~co->umask) ||
	    st.st_uid != co->uid || st.st_gid != co->gid)
		rc = CHANGED;
	else if (git_repository_odb(&n.odb, r->git) < 0 ||
	    git_commit_lookup(&cm, r->git, commit) < 0 || git_commit_tree(&tree, cm) < 0)
		rc = repo_error(-E_GENERIC, "reading commit %s", repo_short(commit));
	if (rc == 0)
		rc = renew_tree(&n, dirfd, tree, 1);
	if (rc == 0 && n.at + GIT_OID_RAWSZ != co->index.len)
		rc = CHANGED;	/* entries the tree no longer has: never, but say so */
	if (rc == 0)
		rc = renew_gitdir(r, co, dirfd, commit);
	close(dirfd);
	git_tree_free(tree);
	git_commit_free(cm);
	git_odb_free(n.odb);
	buf_release(&n.path);
	return rc;
}
