/* checkouts.c - the runner's checkout workers: threads that make and remove
 * the jobs' worktrees while the event loop goes on. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "git/checkout.h"
#include "lib/err.h"
#include "lib/util.h"
#include "pipeline/exec_int.h"

/* Takes the next task, or NULL when told to quit. */
static struct co_task *
next_task(struct checkouts *w)
{
	struct co_task *t;

	pthread_mutex_lock(&w->lock);
	while (!w->todo && !w->quit)
		pthread_cond_wait(&w->more, &w->lock);
	if ((t = w->todo) && !(w->todo = t->next))
		w->todo_tail = &w->todo;
	pthread_mutex_unlock(&w->lock);
	return t;
}

/* Hands the finished t to the loop, and wakes it. */
static void
finish_task(struct checkouts *w, struct co_task *t)
{
	char byte = 1;

	pthread_mutex_lock(&w->lock);
	t->next = w->done;
	w->done = t;
	pthread_mutex_unlock(&w->lock);
	while (write(w->wake[1], &byte, 1) < 0 && errno == EINTR)
		;	/* EAGAIN: the pipe is full, so the loop wakes anyway */
}

/* A kept checkout, if there is one (the caller owns it). */
static struct co_task *
take_idle(struct checkouts *w)
{
	struct co_task *u;

	pthread_mutex_lock(&w->lock);
	if ((u = w->idle))
		w->idle = u->next;
	pthread_mutex_unlock(&w->lock);
	return u;
}

/* A checkout for t's job: a kept one renewed, else a new one. */
static int
check_out(struct checkouts *w, struct repo *r, struct co_task *t, int use_git)
{
	struct co_task *u = take_idle(w);
	int rc;

	t->co.umask = w->umask;
	if (u) {
		checkout_release(&t->co);
		t->co = u->co;
		u->co.dir = NULL;
		u->co.index = (struct buf)BUF_INIT;
		co_task_free(u);
		if ((rc = checkout_renew(r, &t->co, &t->commit, &t->stop)) == 0)
			return 0;
		if (rc != -E_INTERRUPTED)
			err_clear();	/* changed, or unreadable: it goes */
		if (checkout_remove(t->co.dir) < 0 && rc != -E_INTERRUPTED)
			t->note = xstrdup(err_msg());	/* a new one all the same */
		err_clear();
		checkout_release(&t->co);
		if (rc == -E_INTERRUPTED)
			return err_set(rc, "the checkout was stopped");
	}
	return checkout_make(r, &t->co, t->want, &t->commit, use_git, &t->stop);
}

/* A checkout worker: tasks until told to quit, with a repository handle
 * of its own (opened at the first checkout). */
static void *
worker(void *arg)
{
	struct checkouts *w = arg;
	struct repo r = REPO_INIT;
	struct co_task *t;
	sigset_t all;
	int use_git = -1;	/* not known yet */

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);	/* signals are the loop's */
	while ((t = next_task(w))) {
		if (t->remove)
			t->rc = checkout_remove(t->co.dir);
		else if (!r.git && git_repository_open_ext(&r.git, w->gitdir,
		    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
			t->rc = repo_error(-E_GENERIC, "opening '%s'", w->gitdir);
		else
			t->rc = check_out(w, &r, t, use_git < 0 ? (use_git =
			    checkout_filters(&r)) : use_git);
		if (t->rc < 0)
			t->msg = xstrdup(err_msg());
		err_clear();
		finish_task(w, t);
	}
	repo_release(&r);
	return NULL;
}

int
checkouts_start(struct checkouts *w, const char *gitdir, size_t n)
{
	int fds[2];

	memset(w, 0, sizeof(*w));
	w->wake[0] = w->wake[1] = -1;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_set(-E_IO, "cannot make a pipe: %s", strerror(errno));
	w->wake[0] = fds[0];
	w->wake[1] = fds[1];
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->more, NULL);
	w->todo_tail = &w->todo;
	w->gitdir = gitdir;
	w->umask = umask(0);	/* read it: no threads yet */
	umask(w->umask);
	w->threads = xcalloc(n, sizeof(*w->threads));
	for (w->nthreads = 0; w->nthreads < n; w->nthreads++)
		if (pthread_create(&w->threads[w->nthreads], NULL, worker, w) != 0)
			break;
	if (!w->nthreads) {
		checkouts_stop(w);
		return err_set(-E_GENERIC, "cannot start a checkout thread");
	}
	return 0;
}

void
checkouts_add(struct checkouts *w, struct co_task *t)
{
	t->next = NULL;
	pthread_mutex_lock(&w->lock);
	*w->todo_tail = t;
	w->todo_tail = &t->next;
	w->pending++;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

void
checkouts_idle(struct checkouts *w, struct co_task *t)
{
	pthread_mutex_lock(&w->lock);
	t->next = w->idle;
	w->idle = t;
	pthread_mutex_unlock(&w->lock);
}

size_t
checkouts_retire(struct checkouts *w)
{
	struct co_task *t;
	size_t n = 0;

	while ((t = take_idle(w))) {
		t->remove = 1;
		checkouts_add(w, t);
		n++;
	}
	return n;
}

struct co_task *
checkouts_done(struct checkouts *w)
{
	struct co_task *t, *rev = NULL;
	char tmp[64];

	while (read(w->wake[0], tmp, sizeof(tmp)) > 0)
		;
	pthread_mutex_lock(&w->lock);
	t = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->lock);
	while (t) {	/* oldest first */
		struct co_task *next = t->next;

		t->next = rev;
		rev = t;
		t = next;
		w->pending--;
	}
	return rev;
}

void
checkouts_stop(struct checkouts *w)
{
	size_t i;

	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	free(w->threads);
	w->threads = NULL;
	w->nthreads = 0;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->more);
	if (w->wake[0] >= 0)
		close(w->wake[0]);
	if (w->wake[1] >= 0)
		close(w->wake[1]);
	w->wake[0] = w->wake[1] = -1;
}

struct co_task *
co_task_new(struct job *j, const char *want, const git_oid *commit)
{
	struct co_task *t = xcalloc(1, sizeof(*t));

	t->job = j;
	t->want = xstrdup(want);
	t->co = (struct checkout)CHECKOUT_INIT;
	t->commit = *commit;
	return t;
}

void
co_task_free(struct co_task *t)
{
	if (!t)
		return;
	free(t->want);
	free(t->msg);
	free(t->note);
	checkout_release(&t->co);
	free(t);
}
