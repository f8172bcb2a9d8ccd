/* checkout.c - a commit checked out into a folder of its own, in process. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "git/checkout.h"
#include "lib/err.h"
#include "lib/util.h"

/* A checkout in progress: where it is in the tree, the index it builds. */
struct co {
	git_repository *git;
	git_odb *odb;
	const volatile int *stop;
	struct buf path;	/* the entry's path in the tree */
	struct buf *index;	/* the index file as it grows (format version 2) */
	uint32_t entries;
	int filtered;		/* a .gitattributes: git must do it */
};

int
checkout_filters(struct repo *r)
{
	static const char *const keys[] = { "core.autocrlf", "core.eol", "core.attributesfile" };
	git_config *cfg = NULL;
	struct buf path = BUF_INIT;
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	int yes = 0, b;
	size_t i;

	if (git_repository_config_snapshot(&cfg, r->git) == 0) {
		for (i = 0; i < ARRAY_SIZE(keys) && !yes; i++) {
			git_config_entry *e = NULL;

			if (git_config_get_entry(&e, cfg, keys[i]) == 0)
				yes = strcmp(e->value, "false") != 0 && strcmp(e->value, "lf") != 0;
			git_config_entry_free(e);
		}
		if (git_config_get_bool(&b, cfg, "core.symlinks") == 0 && !b)
			yes = 1;
		if (git_config_get_bool(&b, cfg, "core.sparsecheckout") == 0 && b)
			yes = 1;
		git_config_free(cfg);
	}
	git_error_clear();
	buf_printf(&path, "%sinfo/attributes", git_repository_commondir(r->git));
	yes |= access(path.ptr, F_OK) == 0;
	if (!getenv("GIT_ATTR_NOSYSTEM"))	/* git's own, as Debian builds it */
		yes |= access("/etc/gitattributes", F_OK) == 0;
	buf_reset(&path);
	if (xdg && *xdg)
		buf_printf(&path, "%s/git/attributes", xdg);
	else if (home)
		buf_printf(&path, "%s/.config/git/attributes", home);
	yes |= path.len && access(path.ptr, F_OK) == 0;
	buf_release(&path);
	return yes;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes data to the new file name in the folder at (mode 0666 before the
 * umask, or 0777 for exec). */
static int
new_file(int at, const char *name, const void *data, size_t len, int exec, struct stat *st)
{
	int fd, rc = 0;

	fd = openat(at, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    exec ? 0777 : 0666);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0 || (st && fstat(fd, st) < 0))
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

static void
put_be32(struct buf *b, uint32_t v)
{
	unsigned char c[4] = { v >> 24, v >> 16, v >> 8, v };

	buf_add(b, c, 4);
}

/* Appends the entry at c->path to the index (see gitformat-index(5)):
 * stat data (none for a submodule), mode, id, flags, the path padded
 * with 1-8 NULs to a multiple of 8. The tree's order is the index's. */
static void
index_add(struct co *c, const struct stat *st, uint32_t mode, const git_oid *id)
{
	struct stat none;
	size_t start = c->index->len, len = c->path.len;
	unsigned char flags[2] = { (len < 0xfff ? len : 0xfff) >> 8, len < 0xfff ? len & 0xff : 0xff };

	if (!st) {
		memset(&none, 0, sizeof(none));
		st = &none;
	}
	put_be32(c->index, (uint32_t)st->st_ctim.tv_sec);
	put_be32(c->index, (uint32_t)st->st_ctim.tv_nsec);
	put_be32(c->index, (uint32_t)st->st_mtim.tv_sec);
	put_be32(c->index, (uint32_t)st->st_mtim.tv_nsec);
	put_be32(c->index, (uint32_t)st->st_dev);
	put_be32(c->index, (uint32_t)st->st_ino);
	put_be32(c->index, mode);
	put_be32(c->index, st->st_uid);
	put_be32(c->index, st->st_gid);
	put_be32(c->index, (uint32_t)st->st_size);
	buf_add(c->index, id->id, GIT_OID_RAWSZ);
	buf_add(c->index, flags, 2);
	buf_add(c->index, c->path.ptr, len);
	do
		buf_putc(c->index, '\0');
	while ((c->index->len - start) % 8);
	c->entries++;
}

/* The index's entry count into its header, its checksum at its end, and
 * the file into the git directory gitfd. */
static int
index_write(struct co *c, int gitfd)
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int sumlen = 0;

	c->index->ptr[8] = (char)(c->entries >> 24);
	c->index->ptr[9] = (char)(c->entries >> 16);
	c->index->ptr[10] = (char)(c->entries >> 8);
	c->index->ptr[11] = (char)c->entries;
	if (!EVP_Digest(c->index->ptr, c->index->len, sum, &sumlen, EVP_sha1(), NULL))
		return err_set(-E_GENERIC, "cannot compute the index's checksum");
	buf_add(c->index, sum, sumlen);
	if (new_file(gitfd, "index", c->index->ptr, c->index->len, 0, NULL) < 0)
		return err_set(-E_IO, "cannot write the index: %s", strerror(errno));
	return 0;
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

/* A blob as a file (or a symbolic link) named name in the folder at. */
static int
put_blob(struct co *c, int at, const char *name, const git_tree_entry *te)
{
	git_filemode_t mode = git_tree_entry_filemode(te);
	git_odb_object *obj = NULL;
	const char *data;
	struct stat st;
	size_t len;
	int rc = 0;

	if (git_odb_read(&obj, c->odb, git_tree_entry_id(te)) < 0)
		return repo_error(-E_GENERIC, "reading '%s'", c->path.ptr);
	data = git_odb_object_data(obj);
	len = git_odb_object_size(obj);
	if (mode == GIT_FILEMODE_LINK) {
		char *to = xmalloc(len + 1);

		memcpy(to, data, len);
		to[len] = '\0';
		if (strlen(to) != len)
			rc = err_set(-E_INVALID, "the link '%s' has a NUL in its target", c->path.ptr);
		else if (symlinkat(to, at, name) < 0 || fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = err_set(-E_IO, "cannot make the link '%s': %s", c->path.ptr,
			    strerror(errno));
		free(to);
	} else if (new_file(at, name, data, len, mode == GIT_FILEMODE_BLOB_EXECUTABLE, &st) < 0) {
		rc = err_set(-E_IO, "cannot write '%s': %s", c->path.ptr, strerror(errno));
	}
	git_odb_object_free(obj);
	if (rc == 0)
		index_add(c, &st, mode, git_tree_entry_id(te));
	return rc;
}

/* Writes tree's entries into the open folder at, depth first. */
static int
put_tree(struct co *c, int at, const git_tree *tree)
{
	size_t i, n = git_tree_entrycount(tree), end = c->path.len;
	int rc = 0;

	for (i = 0; i < n && rc == 0 && !c->filtered; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(te);
		git_filemode_t mode = git_tree_entry_filemode(te);
		git_tree *sub = NULL;
		int fd;

		if (*c->stop)
			return err_set(-E_INTERRUPTED, "the checkout was stopped");
		buf_setlen(&c->path, end);
		buf_puts(&c->path, name);
		if (unsafe_name(name, mode))
			return err_set(-E_INVALID, "the tree holds an unsafe path '%s'", c->path.ptr);
		if (!strcmp(name, ".gitattributes")) {
			c->filtered = 1;
		} else if (mode == GIT_FILEMODE_TREE) {
			if (mkdirat(at, name, 0777) < 0 ||
			    (fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
				return err_set(-E_IO, "cannot create '%s': %s", c->path.ptr,
				    strerror(errno));
			if (git_tree_lookup(&sub, c->git, git_tree_entry_id(te)) < 0)
				rc = repo_error(-E_GENERIC, "reading '%s'", c->path.ptr);
			buf_putc(&c->path, '/');
			if (rc == 0)
				rc = put_tree(c, fd, sub);
			git_tree_free(sub);
			close(fd);
		} else if (mode == GIT_FILEMODE_COMMIT) {	/* a submodule: an empty folder */
			if (mkdirat(at, name, 0777) < 0)
				return err_set(-E_IO, "cannot create '%s': %s", c->path.ptr,
				    strerror(errno));
			index_add(c, NULL, mode, git_tree_entry_id(te));
		} else {
			rc = put_blob(c, at, name, te);
		}
	}
	buf_setlen(&c->path, end);
	return rc;
}

/* The files of commit into the folder dirfd, the index into gitfd. */
static int
put_commit(struct repo *r, int dirfd, int gitfd, const git_oid *commit,
    const volatile int *stop, struct buf *index, int *filtered)
{
	struct co c = { r->git, NULL, stop, BUF_INIT, index, 0, 0 };
	git_commit *cm = NULL;
	git_tree *tree = NULL;
	int rc = 0;

	buf_reset(index);
	buf_add(index, "DIRC\0\0\0\2\0\0\0\0", 12);
	if (git_repository_odb(&c.odb, r->git) < 0 || git_commit_lookup(&cm, r->git, commit) < 0 ||
	    git_commit_tree(&tree, cm) < 0)
		rc = repo_error(-E_GENERIC, "reading commit %s", repo_short(commit));
	if (rc == 0)
		rc = put_tree(&c, dirfd, tree);
	if (rc == 0 && !c.filtered)
		rc = index_write(&c, gitfd);
	*filtered = c.filtered;
	git_tree_free(tree);
	git_commit_free(cm);
	git_odb_free(c.odb);
	buf_release(&c.path);
	if (rc < 0 || c.filtered)
		buf_reset(index);
	return rc;
}

/* `git reset --hard` in dir: git writes the files and the index, its
 * filters applied. Killed when *stop becomes nonzero. */
static int
reset_hard(const char *dir, const volatile int *stop)
{
	struct run cmd = RUN_INIT;
	struct run_child c;
	struct buf out = BUF_INIT;
	char tmp[4096];
	int rc, status = 0;

	strvec_pushl(&cmd.argv, "git", "reset", "--hard", "--quiet", "--no-recurse-submodules",
	    NULL);
	strvec_pushl(&cmd.env, "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
	    "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR", NULL);
	cmd.dir = dir;
	if ((rc = run_start(&cmd, &c)) < 0)
		goto out;
	while (c.fd >= 0) {
		struct pollfd p = { c.fd, POLLIN, 0 };
		ssize_t n;

		if (*stop)
			run_kill(c.pid, SIGKILL);
		if (poll(&p, 1, 100) > 0 && (n = run_read(&c, tmp, sizeof(tmp))) > 0)
			buf_add(&out, tmp, (size_t)n);
	}
	run_wait(&c, 1, &status);
	buf_rtrim(&out);
	if (*stop)
		rc = err_set(-E_INTERRUPTED, "the checkout was stopped");
	else if (status != 0)
		rc = err_set(-E_GENERIC, "git reset --hard failed: %s", out.ptr);
out:
	run_child_close(&c);
	buf_release(&out);
	run_release(&cmd);
	return rc;
}

/* dir/.git: HEAD at commit, commondir naming r's git directory. */
static int
make_gitdir(struct repo *r, const char *dir, const git_oid *commit, int *gitfd)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct buf head = BUF_INIT, common = BUF_INIT;

	if (fd < 0 || mkdirat(fd, ".git", 0777) < 0 ||
	    (*gitfd = openat(fd, ".git", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (fd >= 0)
			close(fd);
		return err_set(-E_IO, "cannot create '%s/.git': %s", dir, strerror(errno));
	}
	close(fd);
	buf_printf(&head, "%s\n", git_oid_tostr_s(commit));
	buf_printf(&common, "%s\n", git_repository_commondir(r->git));
	fd = new_file(*gitfd, "HEAD", head.ptr, head.len, 0, NULL) < 0 ||
	    new_file(*gitfd, "commondir", common.ptr, common.len, 0, NULL) < 0;
	buf_release(&head);
	buf_release(&common);
	if (fd)
		return err_set(-E_IO, "cannot write '%s/.git': %s", dir, strerror(errno));
	return 0;
}

int
checkout_make(struct repo *r, struct checkout *co, const char *dir, const git_oid *commit,
    int use_git, const volatile int *stop)
{
	int dirfd = -1, gitfd = -1, rc, filtered = use_git;

	free(co->dir);
	co->dir = NULL;
	buf_reset(&co->index);
	if (mkdir(dir, 0777) < 0)
		return err_set(-E_IO, "cannot create '%s': %s", dir, strerror(errno));
	if ((rc = make_gitdir(r, dir, commit, &gitfd)) == 0 && !use_git) {
		if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			rc = err_set(-E_IO, "cannot open '%s': %s", dir, strerror(errno));
		else
			rc = put_commit(r, dirfd, gitfd, commit, stop, &co->index, &filtered);
	}
	if (dirfd >= 0)
		close(dirfd);
	if (gitfd >= 0)
		close(gitfd);
	if (rc == 0 && filtered) {	/* git's filters apply: git writes the files */
		rc = checkout_remove(dir);
		if (rc == 0 && mkdir(dir, 0777) < 0)
			rc = err_set(-E_IO, "cannot create '%s': %s", dir, strerror(errno));
		if (rc == 0 && (rc = make_gitdir(r, dir, commit, &gitfd)) == 0)
			close(gitfd);
		if (rc == 0)
			rc = reset_hard(dir, stop);
	}
	if (rc < 0)
		checkout_remove(dir);
	else
		co->dir = xstrdup(dir);
	return rc;
}

void
checkout_release(struct checkout *co)
{
	free(co->dir);
	co->dir = NULL;
	buf_release(&co->index);
}

/* rm -rf of the entry name (a DT_ type, or DT_UNKNOWN) in the folder at;
 * never follows a symbolic link, and opens up read-only folders. */
static int
remove_at(int at, const char *name, unsigned char type)
{
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (type != DT_DIR && (unlinkat(at, name, 0) == 0 || errno == ENOENT))
		return 0;
	if (type != DT_DIR && errno != EISDIR)
		return -1;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && fchmodat(at, name, 0700, 0) == 0)	/* chmod 0 */
		fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (remove_at(dirfd(d), de->d_name, de->d_type) < 0 && (errno == EACCES ||
		    errno == EPERM) && fchmod(dirfd(d), 0700) == 0)	/* a read-only folder */
			remove_at(dirfd(d), de->d_name, de->d_type);
	}
	closedir(d);
	if (unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

int
checkout_remove(const char *dir)
{
	if (remove_at(AT_FDCWD, dir, DT_UNKNOWN) < 0)
		return err_set(-E_IO, "cannot remove the checkout '%s': %s", dir, strerror(errno));
	return 0;
}
