/* quarantine.c - a private object folder for objects not yet published. */
#include "git/quarantine.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>

#include "lib/err.h"
#include "lib/util.h"

#define QUARANTINE_PREFIX "slipway-quarantine-"
#define STALE_SECONDS (24 * 3600)

/* Removes path and everything below it, best effort. */
static void
remove_tree(const char *path)
{
	struct buf sub = BUF_INIT;
	struct dirent *de;
	DIR *d = opendir(path);

	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			buf_reset(&sub);
			buf_printf(&sub, "%s/%s", path, de->d_name);
			if (de->d_type == DT_DIR)
				remove_tree(sub.ptr);
			else
				unlink(sub.ptr);
		}
		closedir(d);
	}
	rmdir(path);
	buf_release(&sub);
}

/* Deletes quarantines a killed slipway left behind a day or more ago. */
static void
remove_stale(const char *objects)
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(objects);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!starts_with(de->d_name, QUARANTINE_PREFIX))
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", objects, de->d_name);
		if (stat(path.ptr, &st) == 0 && st.st_mtime < time(NULL) - STALE_SECONDS)
			remove_tree(path.ptr);
	}
	closedir(d);
	buf_release(&path);
}

int
quarantine_open(struct repo *r, struct quarantine *q)
{
	struct buf b = BUF_INIT;
	git_odb_backend *be = NULL;
	git_odb *odb = NULL;
	int rc = 0, i;

	buf_printf(&b, "%sobjects", git_repository_commondir(r->git));
	q->objects = buf_detach(&b, NULL);
	remove_stale(q->objects);
	buf_printf(&b, "%s/" QUARANTINE_PREFIX, q->objects);
	for (i = 0; i < 6; i++)
		buf_putc(&b, 'X');	/* the part mkdtemp(3) fills in */
	if (!mkdtemp(b.ptr)) {
		rc = err_set(-E_IO, "cannot create '%s': %s", b.ptr, strerror(errno));
		buf_release(&b);
		return rc;
	}
	q->dir = buf_detach(&b, NULL);
	if (git_repository_odb(&odb, r->git) < 0 ||
	    git_odb_backend_loose(&be, q->dir, -1, 0, 0, 0) < 0 ||
	    git_odb_add_backend(odb, be, 100) < 0) {
		if (be)
			be->free(be);
		rc = repo_error(-E_GENERIC, "opening the object quarantine");
		quarantine_close(q);
	}
	git_odb_free(odb);
	return rc;
}

void
quarantine_env_write(const struct quarantine *q, struct run *cmd)
{
	if (!q || !q->dir)
		return;
	strvec_pushf(&cmd->env, "GIT_OBJECT_DIRECTORY=%s", q->dir);
	strvec_pushf(&cmd->env, "GIT_ALTERNATE_OBJECT_DIRECTORIES=%s", q->objects);
}

void
quarantine_env_read(const struct quarantine *q, struct run *cmd)
{
	if (!q || !q->dir)
		return;
	strvec_pushf(&cmd->env, "GIT_ALTERNATE_OBJECT_DIRECTORIES=%s", q->dir);
}

/* Moves the objects of one fan-out folder (objects/xx) into place. */
static int
keep_fanout(struct quarantine *q, const char *fan)
{
	struct buf from = BUF_INIT, to = BUF_INIT;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	buf_printf(&from, "%s/%s", q->dir, fan);
	if (!(d = opendir(from.ptr)))
		goto out;
	buf_printf(&to, "%s/%s", q->objects, fan);
	if (mkdir(to.ptr, 0777) < 0 && errno != EEXIST) {
		rc = err_set(-E_IO, "cannot create '%s': %s", to.ptr, strerror(errno));
		goto done;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		buf_setlen(&from, strlen(q->dir) + 3);
		buf_setlen(&to, strlen(q->objects) + 3);
		buf_printf(&from, "/%s", de->d_name);
		buf_printf(&to, "/%s", de->d_name);
		/* an object that is already there is the same object */
		if (link(from.ptr, to.ptr) < 0 && errno != EEXIST &&
		    rename(from.ptr, to.ptr) < 0) {
			rc = err_set(-E_IO, "cannot move '%s' into the object database: %s",
			    from.ptr, strerror(errno));
			break;
		}
	}
done:
	closedir(d);
out:
	buf_release(&from);
	buf_release(&to);
	return rc;
}

int
quarantine_keep(struct quarantine *q)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (!q->dir || !(d = opendir(q->dir)))
		return 0;
	while (!rc && (de = readdir(d)))
		if (strlen(de->d_name) == 2 && de->d_name[0] != '.')
			rc = keep_fanout(q, de->d_name);
	closedir(d);
	return rc;
}

void
quarantine_close(struct quarantine *q)
{
	if (q->dir)
		remove_tree(q->dir);
	free(q->dir);
	free(q->objects);
	q->dir = q->objects = NULL;
}
