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

/* git worktree add: a checkout of exactly the commit, nothing else shared. */
static int
checkout(struct exec *x, struct job *j)
{
	struct run cmd = RUN_INIT;
	struct buf dir = BUF_INIT;
	int rc;

	buf_printf(&dir, "%s/", x->opts->workdir);
	file_name(&dir, j->name);
	repo_git_cmd(x->repo, &cmd);
	strvec_pushl(&cmd.argv, "worktree", "add", "--detach", "--force", "--quiet", dir.ptr,
	    git_oid_tostr_s(&x->plan->commit), NULL);
	cmd.capture_out = cmd.capture_err = 1;
	if ((rc = run_exec(&cmd)) == 0 && cmd.status != 0) {
		buf_rtrim(&cmd.err);
		rc = err_set(-E_GENERIC, "cannot check out %s for job '%s': %s",
		    repo_short(&x->plan->commit), j->name, cmd.err.ptr);
	}
	if (rc == 0)	/* only a checkout that exists is removed later */
		j->dir = buf_detach(&dir, NULL);
	buf_release(&dir);
	run_release(&cmd);
	return rc;
}

int
job_start(struct exec *x, struct job *j)
{
	struct jrun *jr = xcalloc(1, sizeof(*jr));
	struct buf log = BUF_INIT;
	int rc;

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
	buf_printf(&log, "%s/", x->opts->logdir);
	file_name(&log, j->name);
	buf_puts(&log, ".log");
	j->log = buf_detach(&log, NULL);
	if ((jr->log_fd = open(j->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return err_set(-E_IO, "cannot write '%s': %s", j->log, strerror(errno));
	jr->deadline = j->start_ms + (long long)j->timeout * 1000;
	if ((rc = checkout(x, j)) < 0)
		return rc;
	return job_next_line(x, j);
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

int
job_output(struct job *j, const char *bytes, size_t len)
{
	struct jrun *jr = j->proc;
	size_t off = 0;

	keep_tail(j, bytes, len);
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
	char path[64], data[65536];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, data, sizeof(data));
	close(fd);
	return n > 0 && memmem(data, (size_t)n, marker, mlen) != NULL;
}

/* Signals what the job left behind: its process groups, and any process
 * that carries its SLIPWAY_RUN_ID (a daemon that left the group with
 * setsid). Returns how many processes were found. */
static int
signal_leftovers(struct exec *x, struct job *j, int sig)
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
	if ((d = opendir("/proc"))) {
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

void
job_kill_all(struct exec *x, struct job *j)
{
	long long until = monotonic_ms() + 2000;

	if (!signal_leftovers(x, j, SIGTERM))
		return;
	while (monotonic_ms() < until) {
		struct timespec ts = { 0, 20 * 1000000 };

		nanosleep(&ts, NULL);
		if (!signal_leftovers(x, j, 0))
			return;
	}
	signal_leftovers(x, j, SIGKILL);
	signal_leftovers(x, j, 0);
}

int
job_remove_checkout(struct exec *x, struct job *j)
{
	struct run cmd = RUN_INIT;
	int rc;

	if (!j->dir || x->opts->keep)
		return 0;
	repo_git_cmd(x->repo, &cmd);
	strvec_pushl(&cmd.argv, "worktree", "remove", "--force", "--force", j->dir, NULL);
	cmd.capture_out = cmd.capture_err = 1;
	if ((rc = run_exec(&cmd)) == 0 && cmd.status != 0) {
		buf_rtrim(&cmd.err);
		rc = err_set(-E_IO, "cannot remove the checkout '%s': %s", j->dir, cmd.err.ptr);
	}
	run_release(&cmd);
	return rc;
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
