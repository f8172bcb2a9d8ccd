/* exec.c - running a plan's jobs along the needs graph, in parallel. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"
#include "pipeline/exec_int.h"

#define TICK_MS 200
#define GRACE_MS 2000	/* between SIGTERM and SIGKILL */

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static volatile sig_atomic_t stop_sig;

static void
on_stop(int sig)
{
	stop_sig = sig;
}

static void
on_child(int sig)
{
	(void)sig;	/* only to wake ppoll */
}

static int
is_done(const struct job *j)
{
	return j->state != JOB_PENDING && j->state != JOB_RUNNING;
}

static int
passed(const struct job *j)
{
	return j->state == JOB_PASS || j->state == JOB_CACHED;
}

static void
ended(struct exec *x, struct job *j)
{
	if (x->ev && x->ev->ended)
		x->ev->ended(x->plan, j, x->ev->data);
}

/* Reads one piece of the job's output into its log, tail and the caller's
 * view; what run_read returned. */
static ssize_t
take_output(struct exec *x, struct job *j)
{
	char tmp[65536];
	ssize_t n = run_read(&j->proc->out, tmp, sizeof(tmp));

	if (n > 0)
		job_say(x, j, tmp, (size_t)n);
	return n;
}

/* Reads what the line's output pipe holds now (a background process may
 * keep it open: no waiting for its end). */
static void
drain(struct exec *x, struct job *j)
{
	while (take_output(x, j) > 0)
		;
}

/* The tail a record keeps: the last JOB_TAIL_MAX bytes. */
static void
trim_tail(struct job *j)
{
	if (j->tail.len > JOB_TAIL_MAX)
		buf_splice(&j->tail, 0, j->tail.len - JOB_TAIL_MAX, NULL, 0);
}

/* The job is over: its leftovers killed, its checkout kept or removed. */
static void
end_job(struct exec *x, struct job *j, enum job_state state, int status)
{
	if (j->proc) {
		int clean;

		drain(x, j);
		clean = job_kill_all(x, j) && !j->proc->ending;
		job_drop_checkout(x, j, clean);
	}
	j->state = state;
	j->exit = status;
	j->end_ms = monotonic_ms();
	trim_tail(j);
	job_close(j);
	ended(x, j);
}

/* A job that could not start fails with the reason in its log. */
static void
fail_start(struct exec *x, struct job *j)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "slipway: %s\n", err_msg());
	err_clear();
	job_say(x, j, b.ptr, b.len);
	buf_release(&b);
	end_job(x, j, JOB_FAIL, 127);
}

/* A need that failed, timed out, or was skipped because its own need did. */
static int
failed(const struct job *j)
{
	return j->state == JOB_FAIL || j->state == JOB_TIMEOUT || j->blocked;
}

/* Starts what can start; skips what its `if` rules out. Returns how many run. */
static size_t
start_ready(struct exec *x, size_t running, size_t max)
{
	struct plan *p = x->plan;
	size_t i, k;

	for (i = 0; i < p->njobs; i++) {
		struct job *j = &p->jobs[i];
		int ok = 1, bad = 0;

		if (j->state != JOB_PENDING)
			continue;
		for (k = 0; k < j->ndeps; k++) {
			if (!is_done(&p->jobs[j->deps[k]]))
				break;
			ok &= passed(&p->jobs[j->deps[k]]);
			bad |= failed(&p->jobs[j->deps[k]]);
		}
		if (k < j->ndeps)
			continue;	/* waits */
		if ((j->when == WHEN_SUCCESS && !ok) || (j->when == WHEN_FAILURE && !bad)) {
			j->blocked = j->when == WHEN_SUCCESS;
			j->why = j->blocked ? "a job it needs did not pass" :
			    "nothing it needs failed";
			j->state = JOB_SKIPPED;
			ended(x, j);
			i = (size_t)-1;	/* a skip can free others: look again */
			continue;
		}
		if (running >= max)
			continue;
		running++;
		if (x->ev && x->ev->started)
			x->ev->started(p, j, x->ev->data);
		if (job_start(x, j) < 0) {
			fail_start(x, j);
			running--;
			i = (size_t)-1;
		}
	}
	return running;
}

/* SIGTERM to the job's groups now, SIGKILL after the grace period; a
 * checkout being made stops. */
static void
begin_kill(struct job *j, enum job_state why, int sig)
{
	struct jrun *jr = j->proc;
	size_t i;

	if (!jr->ending || sig == SIGKILL)	/* SIGKILL again after as long */
		jr->kill_at = monotonic_ms() + GRACE_MS;
	if (!jr->ending)
		jr->ending = why;
	if (jr->co)
		atomic_store_explicit(&jr->co->stop, 1, memory_order_relaxed);
	for (i = 0; i < jr->ngroups; i++)
		run_kill(jr->groups[i], sig);
}

static void
cancel(struct exec *x)
{
	struct plan *p = x->plan;
	size_t i;

	for (i = 0; i < p->njobs; i++) {
		struct job *j = &p->jobs[i];

		if (j->state == JOB_RUNNING) {
			begin_kill(j, JOB_CANCELLED, SIGTERM);
		} else if (j->state == JOB_PENDING) {
			j->state = JOB_CANCELLED;
			j->why = "the run was cancelled";
			ended(x, j);
		}
	}
}

/* One line ended with status: the next line, or the job's end. */
static void
line_ended(struct exec *x, struct job *j, int status)
{
	struct jrun *jr = j->proc;

	drain(x, j);
	if (jr->ending) {
		end_job(x, j, jr->ending, status);
	} else if (status == 0 && ++jr->line < j->run.nr) {
		run_child_close(&jr->child);
		if (job_next_line(x, j) < 0)
			fail_start(x, j);
	} else {
		end_job(x, j, status == 0 ? JOB_PASS : JOB_FAIL, status);
	}
}

/* A checkout that could not be removed: its log and tail say so. */
static void
removed(struct co_task *t)
{
	struct job *j = t->job;
	struct buf b = BUF_INIT;
	int fd;

	if (t->rc < 0) {
		buf_printf(&b, "slipway: %s\n", t->msg);
		buf_add(&j->tail, b.ptr, b.len);
		trim_tail(j);
		if (j->log && (fd = open(j->log, O_WRONLY | O_APPEND | O_CLOEXEC)) >= 0) {
			ssize_t n = write(fd, b.ptr, b.len);

			(void)n;	/* if not, the tail has it */
			close(fd);
		}
	}
	buf_release(&b);
	co_task_free(t);
}

/* What the checkout workers finished: jobs start (or end), removals done. */
static void
collect(struct exec *x)
{
	struct co_task *t, *next;

	for (t = checkouts_done(&x->workers); t; t = next) {
		struct job *j = t->job;
		int rc;

		next = t->next;
		if (t->remove) {
			removed(t);
			continue;
		}
		rc = job_checked_out(x, j, t);
		if (j->proc->ending) {
			err_clear();
			end_job(x, j, j->proc->ending, 0);
		} else if (rc < 0) {
			fail_start(x, j);
		}
	}
}

/* Reads output, checks deadlines and exits of the running jobs. */
static void
step(struct exec *x, int timeout_ms, const sigset_t *mask)
{
	struct plan *p = x->plan;
	struct pollfd *fds = xcalloc(p->njobs + 1, sizeof(*fds));
	struct job **who = xcalloc(p->njobs, sizeof(*who));
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	size_t i, n = 0;
	long long now;

	for (i = 0; i < p->njobs; i++) {
		struct jrun *jr = p->jobs[i].proc;

		if (p->jobs[i].state == JOB_RUNNING && jr && jr->out.fd >= 0) {
			fds[n] = (struct pollfd){ jr->out.fd, POLLIN, 0 };
			who[n++] = &p->jobs[i];
		}
	}
	fds[n] = (struct pollfd){ x->workers.wake[0], POLLIN, 0 };
	if (ppoll(fds, (nfds_t)n + 1, &ts, mask) > 0) {
		for (i = 0; i < n; i++)
			if (fds[i].revents)
				take_output(x, who[i]);
		if (fds[n].revents)
			collect(x);
	}
	now = monotonic_ms();
	for (i = 0; i < p->njobs; i++) {
		struct job *j = &p->jobs[i];
		struct jrun *jr = j->proc;
		int status;

		if (j->state != JOB_RUNNING || !jr)
			continue;
		if (!jr->ending && now >= jr->deadline)
			begin_kill(j, JOB_TIMEOUT, SIGTERM);
		else if (jr->ending && jr->ready && now >= jr->kill_at)
			begin_kill(j, jr->ending, SIGKILL);
		if (jr->ready && run_wait(&jr->child, 0, &status))
			line_ended(x, j, status);
	}
	free(fds);
	free(who);
}

/* Milliseconds to the nearest deadline, at most a tick. */
static int
next_wait(const struct plan *p)
{
	long long now = monotonic_ms(), wait = TICK_MS;
	size_t i;

	for (i = 0; i < p->njobs; i++) {
		const struct jrun *jr = p->jobs[i].proc;
		long long at;

		if (p->jobs[i].state != JOB_RUNNING || !jr || (jr->ending && !jr->ready))
			continue;	/* a checkout being stopped: nothing to kill */
		at = jr->ending ? jr->kill_at : jr->deadline;
		if (at - now < wait)
			wait = at - now;
	}
	return wait < 0 ? 0 : (int)wait;
}

static size_t
count_running(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->njobs; i++)
		n += p->jobs[i].state == JOB_RUNNING;
	return n;
}

static void
loop(struct exec *x, size_t max, const sigset_t *mask)
{
	long long last_tick = 0;
	size_t running;
	int cancelling = 0;

	for (;;) {
		if (stop_sig && !cancelling) {
			cancelling = 1;
			cancel(x);
		}
		if (!cancelling)
			start_ready(x, count_running(x->plan), max);
		running = count_running(x->plan);
		if (!running && !x->workers.pending && !checkouts_retire(&x->workers))
			break;	/* nothing runs, so nothing pending can start */
		step(x, next_wait(x->plan), mask);
		if (x->ev && x->ev->tick && monotonic_ms() - last_tick >= TICK_MS) {
			last_tick = monotonic_ms();
			x->ev->tick(x->plan, x->ev->data);
		}
	}
}

/* mkdir -p for the run's folders. */
static int
make_dirs(const char *path)
{
	char *p = xstrdup(path), *s, c;
	int rc = 0;

	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s)
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			rc = err_set(-E_IO, "cannot create '%s': %s", p, strerror(errno));
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

int
plan_run(struct repo *r, struct plan *p, const struct run_opts *o,
    const struct run_events *ev)
{
	struct exec x = { r, p, o, ev };
	struct sigaction sa, saved[ARRAY_SIZE(stop_signals)], saved_chld, saved_pipe;
	sigset_t block, orig, mask;
	size_t i, max = o->jobs ? o->jobs : run_default_jobs();
	int rc;

	if ((rc = make_dirs(o->logdir)) < 0 || (rc = make_dirs(o->workdir)) < 0)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	stop_sig = 0;
	sa.sa_handler = on_stop;
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++) {
		sigaction(stop_signals[i], NULL, &saved[i]);
		if (saved[i].sa_handler == SIG_IGN)
			continue;	/* nohup: an ignored signal stays ignored */
		sigaction(stop_signals[i], &sa, NULL);
		sigaddset(&block, stop_signals[i]);
	}
	sa.sa_handler = SIG_IGN;	/* a closed stdout must not kill us with jobs running */
	sigaction(SIGPIPE, &sa, &saved_pipe);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, &saved_chld);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	mask = orig;
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigdelset(&mask, stop_signals[i]);
	sigdelset(&mask, SIGCHLD);
	prctl(PR_SET_CHILD_SUBREAPER, 1);	/* orphans come to us to be reaped */

	if ((rc = checkouts_start(&x.workers, r->gitdir, max)) == 0) {
		loop(&x, max, &mask);
		checkouts_stop(&x.workers);
	}

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &saved[i], NULL);
	sigaction(SIGCHLD, &saved_chld, NULL);
	sigaction(SIGPIPE, &saved_pipe, NULL);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	if (rc < 0)
		return rc;
	if (stop_sig)
		return err_set(-E_INTERRUPTED, "the run was cancelled (%s)", strsignal(stop_sig));
	return 0;
}

size_t
run_default_jobs(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return cores > 0 ? (size_t)cores : 1;
}

const char *
pipeline_status(const struct plan *p, const char *name)
{
	int fail = 0, timeout = 0, cancelled = 0;
	size_t i;

	for (i = 0; i < p->njobs; i++) {
		const struct job *j = &p->jobs[i];

		if (!job_in_pipeline(j, name))
			continue;
		fail |= j->state == JOB_FAIL || j->blocked || j->state == JOB_PENDING ||
		    j->state == JOB_RUNNING;	/* never ran: not a pass */
		timeout |= j->state == JOB_TIMEOUT;
		cancelled |= j->state == JOB_CANCELLED;
	}
	return cancelled ? "cancelled" : timeout ? "timeout" : fail ? "fail" : "pass";
}
