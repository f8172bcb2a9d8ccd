/* job.c - one job's life: its checkout, environment, lines, log, and cleanup. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"
#include "pipeline/exec_int.h"

/* A job's name as a file name: "t[compat]" is "t@compat" (job names have
 * no '@', so two jobs never share a log or a checkout). */
static void
file_name(struct buf *b, const char *name)
{
	for (; *name; name++)
		if (*name != ']')
			buf_putc(b, *name == '[' ? '@' : *name);
}

/* DIR/NAME[SUFFIX] for job j: its checkout, or its log. Caller frees. */
static char *
job_path(const char *dir, const struct job *j, const char *suffix)
{
	struct buf path = BUF_INIT;

	buf_printf(&path, "%s/", dir);
	file_name(&path, j->name);
	buf_puts(&path, suffix);
	return buf_detach(&path, NULL);
}

static void
push_passed(struct strvec *env, const struct strvec *names)
{
	size_t i;

	for (i = 0; i < names->nr; i++) {
		const char *v = getenv(names->v[i]);

		if (v)
			strvec_pushf(env, "%s=%s", names->v[i], v);
	}
}

/* Exactly what the job sees: SLIPWAY_*, its env, what pass-env lets in. */
static void
job_env(const struct exec *x, const struct job *j, struct strvec *env)
{
	const struct plan *p = x->plan;
	struct buf pipes = BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;

	git_oid_tostr(hex, sizeof(hex), &p->commit);
	for (i = 0; i < p->npipelines; i++)
		if (!p->pipelines[i].reused && job_in_pipeline(j, p->pipelines[i].name))
			buf_printf(&pipes, "%s%s", pipes.len ? " " : "", p->pipelines[i].name);
	push_passed(env, &p->pass_env);
	push_passed(env, &j->pass_env);
	strvec_pushf(env, "SLIPWAY_COMMIT=%s", hex);
	strvec_pushf(env, "SLIPWAY_SHORT=%.8s", hex);
	strvec_pushf(env, "SLIPWAY_BRANCH=%s", p->branch);
	strvec_pushf(env, "SLIPWAY_VERSION=%s", p->version ? p->version : "");
	strvec_pushf(env, "SLIPWAY_COMPAT_VERSION=%s", p->compat ? p->compat : "");
	strvec_pushf(env, "SLIPWAY_PIPELINE=%s", pipes.len ? pipes.ptr : "");
	strvec_pushf(env, "SLIPWAY_JOB=%s", j->name);
	if (j->target)
		strvec_pushf(env, "SLIPWAY_TARGET_VERSION=%s", j->target);
	strvec_pushf(env, "SLIPWAY_RUN_ID=%s/%s", x->opts->run_id, j->name);
	for (i = 0; i < j->env.nr; i++)
		strvec_push(env, j->env.v[i]);
	buf_release(&pipes);
}

int
job_start(struct exec *x, struct job *j)
{
	struct jrun *jr = xcalloc(1, sizeof(*jr));
	char *path;
	int pfd[2];

	j->proc = jr;
	jr->log_fd = -1;
	jr->child.pid = jr->child.fd = -1;
	jr->out.pid = jr->out.fd = jr->out_w = -1;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_set(-E_IO, "cannot make a pipe for job '%s': %s", j->name, strerror(errno));
	fcntl(pfd[0], F_SETFL, fcntl(pfd[0], F_GETFL) | O_NONBLOCK);
	jr->out.fd = pfd[0];
	jr->out_w = pfd[1];
	j->start_ms = monotonic_ms();
	j->state = JOB_RUNNING;
	jr->deadline = j->start_ms + (long long)j->timeout * 1000;
	path = job_path(x->opts->workdir, j, "");
	jr->co = co_task_new(j, path, &x->plan->commit);
	free(path);
	checkouts_add(&x->workers, jr->co);
	return 0;
}

int
job_checked_out(struct exec *x, struct job *j, struct co_task *t)
{
	struct jrun *jr = j->proc;

	if (t->rc < 0) {
		int rc = err_set(t->rc, "cannot check out %s for job '%s': %s",
		    repo_short(&x->plan->commit), j->name, t->msg);

		co_task_free(t);
		jr->co = NULL;
		return rc;
	}
	jr->ready = 1;
	j->dir = xstrdup(t->co.dir);
	if (t->note) {	/* said, and the job goes on */
		struct buf b = BUF_INIT;

		buf_printf(&b, "slipway: note: %s\n", t->note);
		job_say(x, j, b.ptr, b.len);
		buf_release(&b);
	}
	/* from here on a change to a file shows in its ctime, or is in the
	 * same clock tick: checkout_renew compares those files' content */
	checkout_begin(&t->co);
	return jr->ending ? 0 : job_next_line(x, j);
}

int
job_next_line(struct exec *x, struct job *j)
{
	struct jrun *jr = j->proc;
	struct run cmd = RUN_INIT;
	int rc;

	strvec_pushl(&cmd.argv, "/bin/sh", "-e", "-c", j->run.v[jr->line], NULL);
	cmd.out_fd = jr->out_w;
	cmd.env_clear = 1;
	job_env(x, j, &cmd.env);
	cmd.dir = j->dir;
	if ((rc = run_start(&cmd, &jr->child)) == 0) {
		size_t i, n = 0;

		for (i = 0; i < jr->ngroups; i++)	/* an empty group's id may be reused */
			if (kill(-jr->groups[i], 0) == 0 || errno != ESRCH)
				jr->groups[n++] = jr->groups[i];
		jr->ngroups = n;
		jr->groups = xrealloc(jr->groups, (jr->ngroups + 1) * sizeof(*jr->groups));
		jr->groups[jr->ngroups++] = jr->child.pid;
	}
	run_release(&cmd);
	return rc;
}

/* Keeps the last JOB_TAIL_MAX bytes in j->tail, with memory bounded. */
static void
keep_tail(struct job *j, const char *bytes, size_t len)
{
	if (len >= JOB_TAIL_MAX) {
		buf_reset(&j->tail);
		buf_add(&j->tail, bytes + len - JOB_TAIL_MAX, JOB_TAIL_MAX);
		return;
	}
	buf_add(&j->tail, bytes, len);
	if (j->tail.len > 2 * JOB_TAIL_MAX)
		buf_splice(&j->tail, 0, j->tail.len - JOB_TAIL_MAX, NULL, 0);
}

void
job_say(struct exec *x, struct job *j, const char *bytes, size_t len)
{
	if (job_output(x, j, bytes, len) < 0)
		err_clear();	/* the tail has it */
	if (x->ev && x->ev->output)
		x->ev->output(x->plan, j, bytes, len, x->ev->data);
}

int
job_output(struct exec *x, struct job *j, const char *bytes, size_t len)
{
	struct jrun *jr = j->proc;
	size_t off = 0;

	keep_tail(j, bytes, len);
	if (!len || !jr)
		return 0;
	if (jr->log_fd < 0) {	/* the first output: a job that prints nothing has no file */
		free(j->log);
		j->log = job_path(x->opts->logdir, j, ".log");
		jr->log_fd = open(j->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (jr->log_fd < 0)
			return err_set(-E_IO, "cannot write '%s': %s", j->log, strerror(errno));
	}
	while (off < len) {
		ssize_t n = write(jr->log_fd, bytes + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(-E_IO, "cannot write '%s': %s", j->log, strerror(errno));
		off += (size_t)n;
	}
	return 0;
}

/* Whether /proc/PID/environ holds marker (NAME=VALUE\0). */
static int
has_marker(const char *pid, const char *marker, size_t mlen)
{
	char data[65536];
	struct buf path = BUF_INIT;
	ssize_t n;
	int fd;

	buf_printf(&path, "/proc/%s/environ", pid);
	fd = open(path.ptr, O_RDONLY | O_CLOEXEC);
	buf_release(&path);
	if (fd < 0)
		return 0;
	n = read(fd, data, sizeof(data));
	close(fd);
	return n > 0 && memmem(data, (size_t)n, marker, mlen) != NULL;
}

/* Whether pid (one of our children) is a zombie: then it is reaped. */
static int
reaped_zombie(pid_t pid)
{
	char stat[512], *paren;
	struct buf path = BUF_INIT;
	ssize_t n;
	int fd;

	buf_printf(&path, "/proc/%d/stat", (int)pid);
	fd = open(path.ptr, O_RDONLY | O_CLOEXEC);
	buf_release(&path);
	if (fd < 0)
		return 1;	/* gone */
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	stat[n > 0 ? n : 0] = '\0';
	if (!(paren = strrchr(stat, ')')) || paren[1] != ' ' || paren[2] != 'Z')
		return 0;
	waitpid(pid, NULL, WNOHANG);
	return 1;
}

/*
 * Whether anything may be left of ended jobs: slipway is their subreaper,
 * so a process of theirs still alive is our child or below one. Our
 * children are the running jobs' lines -- and such orphans. Zombies among
 * the others are reaped on the way.
 */
static int
orphans_live(struct exec *x)
{
	char list[4096], *s, *end;
	struct buf path = BUF_INIT;
	size_t i;
	ssize_t n;
	int fd, found = 0;

	buf_printf(&path, "/proc/self/task/%d/children", (int)getpid());
	fd = open(path.ptr, O_RDONLY | O_CLOEXEC);
	buf_release(&path);
	if (fd < 0)
		return 1;	/* no such file here: look everywhere */
	n = read(fd, list, sizeof(list) - 1);
	close(fd);
	if (n < 0 || n == sizeof(list) - 1)
		return 1;
	list[n] = '\0';
	for (s = list; !found && *s; s = end) {
		long pid = strtol(s, &end, 10);

		if (end == s)
			break;
		for (i = 0; i < x->plan->njobs; i++) {
			const struct jrun *jr = x->plan->jobs[i].proc;

			if (jr && jr->child.pid == pid)
				break;
		}
		found = i == x->plan->njobs && !reaped_zombie((pid_t)pid);
	}
	return found;
}

/* Signals what the job left behind: its process groups, and any process
 * that carries its SLIPWAY_RUN_ID (a daemon that left the group with
 * setsid). Returns how many processes were found; *orphans says, when
 * none were, whether an orphan lives (see orphans_live). */
static int
signal_leftovers(struct exec *x, struct job *j, int sig, int *orphans)
{
	struct jrun *jr = j->proc;
	struct buf marker = BUF_INIT;
	struct dirent *de;
	DIR *d;
	size_t i;
	int found = 0;

	for (i = 0; i < jr->ngroups; i++)
		if (kill(-jr->groups[i], sig) == 0)
			found++;
	buf_printf(&marker, "SLIPWAY_RUN_ID=%s/%s", x->opts->run_id, j->name);
	*orphans = !found && orphans_live(x);
	if ((found || *orphans) && (d = opendir("/proc"))) {
		while ((de = readdir(d))) {
			if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
			    !has_marker(de->d_name, marker.ptr, marker.len + 1))
				continue;
			if (kill(atoi(de->d_name), sig) == 0)
				found++;
			waitpid(atoi(de->d_name), NULL, WNOHANG);
		}
		closedir(d);
	}
	for (i = 0; i < jr->ngroups; i++)
		while (waitpid(-jr->groups[i], NULL, WNOHANG) > 0)
			;
	buf_release(&marker);
	return found;
}

int
job_kill_all(struct exec *x, struct job *j)
{
	long long until = monotonic_ms() + 2000;
	int orphans;

	/* nothing of the job's, and no orphan: whether it is another's or
	 * this one's unmarked daemon, it may still write into the checkout */
	if (!signal_leftovers(x, j, SIGTERM, &orphans))
		return !orphans;
	while (monotonic_ms() < until) {
		struct timespec ts = { 0, 20 * 1000000 };

		nanosleep(&ts, NULL);
		if (!signal_leftovers(x, j, 0, &orphans))
			return !orphans;
	}
	signal_leftovers(x, j, SIGKILL, &orphans);
	return !signal_leftovers(x, j, 0, &orphans) && !orphans;
}

void
job_drop_checkout(struct exec *x, struct job *j, int clean)
{
	struct co_task *t = j->proc->co;

	j->proc->co = NULL;
	if (!t || !j->proc->ready || x->opts->keep) {
		co_task_free(t);
	} else if (clean) {
		t->job = j;
		checkouts_idle(&x->workers, t);
	} else {
		t->job = j;
		t->remove = 1;
		checkouts_add(&x->workers, t);
	}
}

void
job_close(struct job *j)
{
	struct jrun *jr = j->proc;

	if (!jr)
		return;
	run_child_close(&jr->child);
	run_child_close(&jr->out);
	if (jr->out_w >= 0)
		close(jr->out_w);
	if (jr->log_fd >= 0)
		close(jr->log_fd);
	free(jr->groups);
	free(jr);
	j->proc = NULL;
}
