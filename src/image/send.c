/* send.c - sending an image's blobs (in parallel, each once) and tagging it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/image.h"
#include "image/registry.h"
#include "lib/err.h"
#include "lib/util.h"

#define UPLOADERS 4
#define SETTLE_MIN_MS 20	/* an immutable tag must stay ours this long after the PUT, */
#define SETTLE_RTTS 3		/* or this many round trips of the check before it */

/* One blob to bring into one repository. */
struct task {
	struct image_job *job;
	const struct desc *d;
	struct task *first;	/* the task sending the same blob elsewhere, or NULL */
	int done;		/* 1 there, 2 sent, 3 mounted */
	char *err, *hints;
	int rc;
};

struct pool {
	struct store *dst;
	struct task *tasks;
	size_t n, next;
	int failed;		/* one upload failed: the others start no new one */
	pthread_mutex_t lock;
};

/* Brings t's blob into dst unless it is there; after a task that sent it
 * elsewhere, a mount is tried first. */
static int
send_one(struct store *dst, struct task *t)
{
	struct image_job *j = t->job;
	struct blob_region r = BLOB_REGION_INIT;
	int rc;

	if ((rc = dst->ops->blob_exists(dst, j->repo.ptr, t->d)) != 0) {
		t->done = 1;
		return rc < 0 ? rc : 0;
	}
	if (t->first && dst->ops->blob_mount &&
	    (rc = dst->ops->blob_mount(dst, j->repo.ptr, t->d, t->first->job->repo.ptr)) != 0) {
		t->done = 3;
		return rc < 0 ? rc : 0;
	}
	if ((rc = j->src.ops->blob_open(&j->src, j->src_repo, t->d, &r)) == -E_NOTFOUND)
		rc = -E_INVALID;	/* the source lacks a blob its manifest lists */
	else if (rc == 0 && (rc = dst->ops->blob_put(dst, j->repo.ptr, t->d, &r)) == 0)
		t->done = 2;
	blob_region_close(&r);
	if (rc < 0)
		err_wrap(rc, "%s", j->image);
	return rc;
}

static void *
uploader(void *arg)
{
	struct pool *p = arg;
	struct store conn = { NULL, NULL, NULL };
	size_t i;

	if (registry_store_clone(&conn, p->dst) < 0 && conn.ops) {
		conn.ops->close(&conn);
		conn.ops = NULL;
	}
	for (;;) {
		struct task *t;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->n && !p->failed ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			break;
		t = &p->tasks[i];
		if (!conn.ops) {
			t->rc = -E_GENERIC;
			t->err = xstrdup(err_msg() ? err_msg() : "cannot open a connection");
		} else if ((t->rc = send_one(&conn, t)) < 0) {
			t->err = xstrdup(err_msg() ? err_msg() : "upload failed");
			t->hints = xstrdup(err_hints() ? err_hints() : "");
		}
		if (t->rc < 0) {
			pthread_mutex_lock(&p->lock);
			p->failed = 1;
			pthread_mutex_unlock(&p->lock);
		}
	}
	if (conn.ops) {
		pthread_mutex_lock(&p->lock);
		registry_stats_add(p->dst, &conn);
		pthread_mutex_unlock(&p->lock);
		conn.ops->close(&conn);
	}
	err_clear();
	return NULL;
}

/* Runs tasks[from, to): in threads for a registry, else here. */
static int
run_tasks(struct store *dst, struct task *tasks, size_t from, size_t to)
{
	struct pool p = { dst, tasks + from, to - from, 0, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t th[UPLOADERS];
	size_t i, nth = 0;

	if (!registry_store_is(dst)) {
		for (i = from; i < to; i++)
			if ((tasks[i].rc = send_one(dst, &tasks[i])) < 0)
				return tasks[i].rc;
		return 0;
	}
	for (i = 0; i < UPLOADERS && i < p.n; i++)
		if (pthread_create(&th[nth], NULL, uploader, &p) == 0)
			nth++;
	if (!nth && p.n)
		return err_set(-E_GENERIC, "cannot start an upload thread");
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	for (i = from; i < to; i++)
		if (tasks[i].rc < 0) {
			const char *h = tasks[i].hints ? tasks[i].hints : "";

			err_set(tasks[i].rc, "%s", tasks[i].err);
			while (*h) {	/* the thread's hints, line by line */
				size_t len = strcspn(h, "\n");

				err_hint("%.*s", (int)len, h);
				h += len + (h[len] == '\n');
			}
			return tasks[i].rc;
		}
	return 0;
}

static struct task *
find_first(struct task *t, size_t n, const char *digest)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].d->digest, digest))
			return &t[i];
	return NULL;
}

/* The tasks: each blob's first repository first, then the other
 * repositories that need it (mounted from the first when they can). */
static struct task *
plan_tasks(struct image_job *jobs, size_t n, size_t *ntasks, size_t *nfirst)
{
	struct task *t, *f;
	size_t i, k, total = 0;

	for (i = 0; i < n; i++)
		total += jobs[i].nblobs;
	t = xcalloc(total ? total : 1, sizeof(*t));
	*ntasks = 0;
	for (i = 0; i < n; i++)
		for (k = 0; k < jobs[i].nblobs && !jobs[i].unchanged; k++)
			if (!find_first(t, *ntasks, jobs[i].blobs[k].digest)) {
				t[*ntasks].job = &jobs[i];
				t[(*ntasks)++].d = &jobs[i].blobs[k];
			}
	*nfirst = *ntasks;
	for (i = 0; i < n; i++)
		for (k = 0; k < jobs[i].nblobs && !jobs[i].unchanged; k++)
			if ((f = find_first(t, *nfirst, jobs[i].blobs[k].digest))->d !=
			    &jobs[i].blobs[k]) {
				t[*ntasks].job = &jobs[i];
				t[*ntasks].d = &jobs[i].blobs[k];
				t[(*ntasks)++].first = f;
			}
	return t;
}

int
image_send(struct store *dst, struct image_job *jobs, size_t n)
{
	size_t ntasks = 0, nfirst = 0, i, k;
	struct task *t = plan_tasks(jobs, n, &ntasks, &nfirst);
	int rc;

	if ((rc = run_tasks(dst, t, 0, nfirst)) == 0)
		rc = run_tasks(dst, t, nfirst, ntasks);
	for (i = 0; i < ntasks; i++) {
		t[i].job->present += t[i].done == 1;
		t[i].job->sent += t[i].done == 2;
		t[i].job->mounted += t[i].done == 3;
		t[i].job->bytes += t[i].done == 2 ? t[i].d->size : 0;
		free(t[i].err);
		free(t[i].hints);
	}
	free(t);
	for (i = 0; i < n && rc == 0; i++)	/* an index's manifests, by digest */
		for (k = 0; k < jobs[i].nchildren && rc == 0 && !jobs[i].unchanged; k++) {
			struct desc have;

			rc = dst->ops->manifest_head(dst, jobs[i].repo.ptr, jobs[i].children[k].digest,
			    &have);
			if (rc == -E_NOTFOUND) {
				err_clear();
				rc = dst->ops->manifest_put(dst, jobs[i].repo.ptr,
				    jobs[i].children[k].digest, jobs[i].child_bytes[k].ptr,
				    &jobs[i].children[k]);
			}
		}
	return rc;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
image_check_tag(struct store *dst, struct image_job *j, const char *tag, enum tag_kind k)
{
	struct desc have;
	int rc;

	long long t0 = monotonic_ms();

	j->unchanged = 0;
	rc = dst->ops->manifest_head(dst, j->repo.ptr, tag, &have);
	j->rtt_ms = monotonic_ms() - t0;
	if (rc == -E_NOTFOUND) {
		err_clear();
		return 0;
	}
	if (rc < 0)
		return rc;
	if (!strcmp(have.digest, j->top.digest)) {
		j->unchanged = 1;
		return 0;
	}
	if (k == TAG_COMMIT || k == TAG_RELEASE) {
		err_set(-E_REFUSED, "%s:%s is already %s; a %s tag never moves (this image is %s)",
		    j->repo.ptr, tag, have.digest, k == TAG_COMMIT ? "commit" : "release",
		    j->top.digest);
		err_hint("a new build gets a new commit tag; a release a new version");
		return -E_REFUSED;
	}
	return 0;
}

/* Reads tag back: it must name the image's manifest. */
static int
read_back(struct store *dst, struct image_job *j, const char *tag)
{
	struct desc have;
	int rc = dst->ops->manifest_head(dst, j->repo.ptr, tag, &have);

	if (rc < 0)
		return err_wrap(rc, "reading %s:%s back", j->repo.ptr, tag);
	if (strcmp(have.digest, j->top.digest))
		return err_set(-E_REFUSED, "%s:%s: lost a race: another push set it to %s at the "
		    "same time; that one stays (this image was %s)", j->repo.ptr, tag, have.digest,
		    j->top.digest);
	return 0;
}

int
image_tag(struct store *dst, struct image_job *j, const char *tag, enum tag_kind k)
{
	int rc;

	int once = (k == TAG_COMMIT || k == TAG_RELEASE) && dst->ops->manifest_put_once;

	j->tagged = 0;
	if ((rc = image_check_tag(dst, j, tag, k)) == 0 && !j->unchanged &&
	    (rc = (once ? dst->ops->manifest_put_once : dst->ops->manifest_put)(dst,
	    j->repo.ptr, tag, j->manifest.ptr, &j->top)) == 0)
		rc = read_back(dst, j, tag);
	if (rc == -E_REFUSED && once) {	/* the store's lock saw another push's tag */
		struct desc won;

		if (dst->ops->manifest_head(dst, j->repo.ptr, tag, &won) == 0)
			err_set(rc, "%s:%s: lost a race: another push set it to %s at the same time; "
			    "that one stays (this image was %s)", j->repo.ptr, tag, won.digest,
			    j->top.digest);
	}
	if (rc == -E_REFUSED && (k == TAG_LATEST || k == TAG_MUTABLE)) {
		err_clear();	/* latest is a build cache: another push moving it is fine */
		rc = 0;
		j->unchanged = 1;
	}
	j->tagged = rc == 0;
	return rc;
}

int
image_settle(struct store *dst, struct image_job *jobs, size_t n, const char *tag)
{
	long long wait = SETTLE_MIN_MS;
	size_t i;
	int rc = 0, any = 0;

	for (i = 0; i < n; i++) {
		any |= !jobs[i].unchanged;
		if (!jobs[i].unchanged && SETTLE_RTTS * jobs[i].rtt_ms > wait)
			wait = SETTLE_RTTS * jobs[i].rtt_ms;
	}
	if (!any)
		return 0;
	/* a racing push whose check came before our PUT writes within about a
	 * round trip of it; if it wrote last it won, and we must say so */
	sleep_ms((long)wait);
	for (i = 0; i < n && rc == 0; i++)
		if (!jobs[i].unchanged && (rc = read_back(dst, &jobs[i], tag)) < 0)
			jobs[i].tagged = 0;
	return rc;
}
