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

#include "git/checkout.h"
#include "git/checkout_int.h"
#include "lib/err.h"
#include "lib/util.h"

/* See checkout.h; the attributes files git reads, as Debian builds it. */
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

/* `git reset --hard` in dir: git writes the files and the index, its
 * filters applied. Killed when *stop becomes nonzero. */
static int
reset_hard(const char *dir, const atomic_int *stop)
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

		if (atomic_load_explicit(stop, memory_order_relaxed))
			run_kill(c.pid, SIGKILL);
		if (poll(&p, 1, 100) > 0 && (n = run_read(&c, tmp, sizeof(tmp))) > 0)
			buf_add(&out, tmp, (size_t)n);
	}
	run_wait(&c, 1, &status);
	buf_rtrim(&out);
	if (atomic_load_explicit(stop, memory_order_relaxed))
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
	fd = checkout_new_file(*gitfd, "HEAD", head.ptr, head.len, 0, NULL) < 0 ||
	    checkout_new_file(*gitfd, "commondir", common.ptr, common.len, 0, NULL) < 0;
	buf_release(&head);
	buf_release(&common);
	if (fd)
		return err_set(-E_IO, "cannot write '%s/.git': %s", dir, strerror(errno));
	return 0;
}

int
checkout_make(struct repo *r, struct checkout *co, const char *dir, const git_oid *commit,
    int use_git, const atomic_int *stop)
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
			rc = checkout_files(r, dirfd, gitfd, commit, stop, &co->index, &filtered);
	}
	if (dirfd >= 0)
		close(dirfd);
	if (gitfd >= 0)
		close(gitfd);
	if (rc == 0 && filtered) {	/* git's filters apply: git writes the files */
		rc = checkout_remove(dir);
		if (rc == 0 && mkdir(dir, 0777) < 0)
			rc = err_set(-E_IO, "cannot create '%s': %s", dir, strerror(errno));
		gitfd = -1;
		if (rc == 0)
			rc = make_gitdir(r, dir, commit, &gitfd);
		if (gitfd >= 0)
			close(gitfd);
		if (rc == 0)
			rc = reset_hard(dir, stop);
	}
	if (rc < 0) {
		char *msg = xstrdup(err_msg());	/* the first failure's */

		checkout_remove(dir);
		rc = err_set(rc, "%s", msg);
		free(msg);
		return rc;
	}
	co->dir = xstrdup(dir);
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		struct stat st;

		if (fstat(dirfd, &st) == 0) {
			co->uid = st.st_uid;
			co->gid = st.st_gid;
		}
		close(dirfd);
	}
	return 0;
}

void
checkout_begin(struct checkout *co)
{
	struct buf index = BUF_INIT;
	struct stat st;

	co->used.tv_sec = co->used.tv_nsec = 0;	/* unknown: every file is compared */
	buf_printf(&index, "%s/.git/index", co->dir);
	if (utimensat(AT_FDCWD, index.ptr, NULL, AT_SYMLINK_NOFOLLOW) == 0 &&
	    lstat(index.ptr, &st) == 0)
		co->used = st.st_ctim;
	buf_release(&index);
}

void
checkout_release(struct checkout *co)
{
	free(co->dir);
	co->dir = NULL;
	buf_release(&co->index);
}
