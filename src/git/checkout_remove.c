/* checkout_remove.c - rm -rf of a checkout, whatever a job made of it, with
 * two descriptors at most however deep it goes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "git/checkout.h"
#include "lib/err.h"
#include "lib/strvec.h"
#include "lib/util.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* Removes name in the folder at (a folder when dir): once, and once more
 * after opening up a read-only folder at. 0, or -1 with errno. */
static int
unlink_in(int at, const char *name, int dir)
{
	int flags = dir ? AT_REMOVEDIR : 0;

	if (unlinkat(at, name, flags) == 0 || errno == ENOENT)
		return 0;
	if ((errno == EACCES || errno == EPERM) && fchmod(at, 0700) == 0 &&
	    (unlinkat(at, name, flags) == 0 || errno == ENOENT))
		return 0;
	return -1;
}

/* Opens the folder name in at, opening up one made unreadable (chmod 0). */
static int
open_dir(int at, const char *name)
{
	int fd = openat(at, name, DIR_FLAGS);

	if (fd < 0 && errno == EACCES && fchmodat(at, name, 0700, AT_SYMLINK_NOFOLLOW) == 0)
		fd = openat(at, name, DIR_FLAGS);
	return fd;
}

/* Removes what the open folder fd holds but folders; *sub gets the name of
 * one folder it still holds (empty: none). 0, or -1 with errno. */
static int
clear_files(int fd, struct buf *sub)
{
	int again = dup(fd), rc = 0;
	DIR *d = again >= 0 ? fdopendir(again) : NULL;
	struct dirent *de;

	buf_reset(sub);
	if (!d) {
		if (again >= 0)
			close(again);
		return -1;
	}
	while (rc == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR) {
			if (!sub->len)
				buf_puts(sub, de->d_name);
		} else if (unlink_in(fd, de->d_name, 0) < 0) {
			if (errno != EISDIR)	/* DT_UNKNOWN: a folder after all */
				rc = -1;
			else if (!sub->len)
				buf_puts(sub, de->d_name);
		}
	}
	closedir(d);
	return rc;
}

int
checkout_remove(const char *dir)
{
	struct strvec down = STRVEC_INIT;	/* the folders walked into, in order */
	struct buf sub = BUF_INIT;
	int fd = open(dir, DIR_FLAGS), next, rc = 0, e = 0;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 && errno == ENOTDIR)
		rc = unlink(dir);
	else if (fd < 0)
		rc = -1;
	while (fd >= 0 && rc == 0) {
		if ((rc = clear_files(fd, &sub)) < 0)
			break;
		if (sub.len) {	/* down into it: only this folder's descriptor is kept */
			if ((next = open_dir(fd, sub.ptr)) < 0) {
				rc = -1;
				break;
			}
			close(fd);
			fd = next;
			strvec_push(&down, sub.ptr);
			continue;
		}
		if (!down.nr)	/* dir itself is empty now */
			break;
		next = openat(fd, "..", DIR_FLAGS);	/* back up, and the empty one goes */
		close(fd);
		fd = next;
		if (fd < 0 || unlink_in(fd, down.v[down.nr - 1], 1) < 0)
			rc = -1;
		strvec_pop(&down);
	}
	e = errno;
	if (fd >= 0)
		close(fd);
	if (rc == 0 && rmdir(dir) < 0 && errno != ENOENT) {
		rc = -1;
		e = errno;
	}
	strvec_clear(&down);
	buf_release(&sub);
	if (rc < 0)
		return err_set(-E_IO, "cannot remove the checkout '%s': %s", dir, strerror(e));
	return 0;
}
