/* run.c - child processes: argv, environment, captured output, timeouts, signals. */
#include "lib/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"

extern char **environ;

/* The pipes between us and one child; -1 where there is none. */
struct pipes {
	int in[2], out[2], err[2];
	int exec_err[2];	/* the child writes errno here when exec fails */
	int devnull;
};

/* Signal state while a child runs: what we changed, and what arrived. */
struct sigstate {
	struct sigaction saved[4], pipe;
	sigset_t blocked, orig;
};

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

/* Builds the child's environment into out. */
static void
build_env(const struct run *r, struct strvec *out)
{
	size_t i, j, klen;
	char **e;

	if (!r->env_clear) {
		for (e = environ; e && *e; e++) {
			int overridden = 0;

			klen = strcspn(*e, "=");
			for (j = 0; j < r->env.nr; j++) {
				size_t ol = strcspn(r->env.v[j], "=");

				if (ol == klen && !strncmp(*e, r->env.v[j], klen))
					overridden = 1;
			}
			if (!overridden)
				strvec_push(out, *e);
		}
	}
	for (i = 0; i < r->env.nr; i++)
		if (strchr(r->env.v[i], '='))
			strvec_push(out, r->env.v[i]);
}

/*
 * Terminating signals are caught (unless ignored) and blocked outside
 * ppoll, so one can't slip in unnoticed; for a foreground child SIGINT and
 * SIGQUIT are ignored instead, since the terminal delivers them to it too.
 * SIGPIPE is ignored, so a child that stops reading its stdin can't kill us.
 */
static void
signals_take(const struct run *r, struct sigstate *st)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sigemptyset(&st->blocked);
	caught = 0;
	for (i = 0; i < ARRAY_SIZE(forwarded); i++) {
		sigaction(forwarded[i], NULL, &st->saved[i]);
		if (st->saved[i].sa_handler == SIG_IGN)
			continue;	/* ignored stays ignored */
		if (r->foreground && (forwarded[i] == SIGINT || forwarded[i] == SIGQUIT)) {
			sa.sa_handler = SIG_IGN;	/* the terminal sends it to the child too */
		} else {
			sa.sa_handler = on_signal;
			sigaddset(&st->blocked, forwarded[i]);
		}
		sigaction(forwarded[i], &sa, NULL);
	}
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &st->pipe);
	sigprocmask(SIG_BLOCK, &st->blocked, &st->orig);
}

static void
signals_restore(struct sigstate *st)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &st->saved[i], NULL);
	sigaction(SIGPIPE, &st->pipe, NULL);
	sigprocmask(SIG_SETMASK, &st->orig, NULL);
}

/* In the child: restore signals, wire descriptors, close the rest, exec. */
static void
child(struct run *r, char **envp, struct pipes *p, struct sigstate *st)
{
	int e, in = r->in ? p->in[0] : p->devnull;

	signals_restore(st);
	if (!r->foreground)
		setpgid(0, 0);
	if (dup2(in, 0) < 0 || (r->capture_out && dup2(p->out[1], 1) < 0) ||
	    (r->capture_err && dup2(p->err[1], 2) < 0))
		goto fail;
	if (p->exec_err[1] != 3 && dup2(p->exec_err[1], 3) < 0)
		goto fail;
	fcntl(3, F_SETFD, FD_CLOEXEC);
	syscall(SYS_close_range, 4, ~0U, 0);
	if (r->dir && chdir(r->dir) < 0)
		goto fail;
	execvpe(r->argv.v[0], r->argv.v, envp);
fail:
	e = errno;
	(void)!write(3, &e, sizeof(e));
	_exit(127);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
pipes_close(struct pipes *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		close_fd(&p->in[i]);
		close_fd(&p->out[i]);
		close_fd(&p->err[i]);
		close_fd(&p->exec_err[i]);
	}
	close_fd(&p->devnull);
}

static int
pipes_open(const struct run *r, struct pipes *p)
{
	if (pipe2(p->exec_err, O_CLOEXEC) < 0 ||
	    (r->in && pipe2(p->in, O_CLOEXEC) < 0) ||
	    (r->capture_out && pipe2(p->out, O_CLOEXEC) < 0) ||
	    (r->capture_err && pipe2(p->err, O_CLOEXEC) < 0) ||
	    (!r->in && (p->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0))
		return err_set(-E_IO, "cannot start '%s': %s", r->argv.v[0], strerror(errno));
	if (r->in)
		fcntl(p->in[1], F_SETFL, fcntl(p->in[1], F_GETFL) | O_NONBLOCK);
	return 0;
}

/* Feeds stdin and drains stdout/stderr until they close, the deadline
 * passes (-E_TIMEOUT) or a forwarded signal arrives (-E_CANCELLED). */
static int
pump(struct run *r, struct pipes *p, long long deadline, const sigset_t *waitmask)
{
	size_t in_off = 0;
	char tmp[65536];

	while (p->in[1] >= 0 || p->out[0] >= 0 || p->err[0] >= 0) {
		struct pollfd fds[3];
		struct timespec ts, *tsp = NULL;
		int n = 0, i;

		if (caught)
			return -E_CANCELLED;
		if (p->in[1] >= 0)
			fds[n++] = (struct pollfd){ p->in[1], POLLOUT, 0 };
		if (p->out[0] >= 0)
			fds[n++] = (struct pollfd){ p->out[0], POLLIN, 0 };
		if (p->err[0] >= 0)
			fds[n++] = (struct pollfd){ p->err[0], POLLIN, 0 };
		if (deadline) {
			long long left = deadline - monotonic_ms();

			if (left <= 0)
				return -E_TIMEOUT;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tsp = &ts;
		}
		if (ppoll(fds, (nfds_t)n, tsp, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return err_set(-E_IO, "waiting for '%s': %s", r->argv.v[0], strerror(errno));
		}
		for (i = 0; i < n; i++) {
			ssize_t got;

			if (!fds[i].revents)
				continue;
			if (fds[i].fd == p->in[1]) {
				got = write(p->in[1], r->in + in_off, r->in_len - in_off);
				if (got > 0)
					in_off += (size_t)got;
				/* EPIPE: the child closed its stdin; that is its business */
				if ((got < 0 && errno != EAGAIN && errno != EINTR) ||
				    in_off == r->in_len)
					close_fd(&p->in[1]);
				continue;
			}
			got = read(fds[i].fd, tmp, sizeof(tmp));
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got <= 0) {
				close_fd(fds[i].fd == p->out[0] ? &p->out[0] : &p->err[0]);
				continue;
			}
			/* a capped buffer keeps draining the pipe but stops growing */
			buf_add(fds[i].fd == p->out[0] ? &r->out : &r->err, tmp, (size_t)got);
		}
	}
	return 0;
}

/* Waits for pid; after grace_ms (0: forever) kills target with SIGKILL. */
static void
wait_child(pid_t pid, pid_t target, int *wstatus, long long grace_ms)
{
	long long until = grace_ms ? monotonic_ms() + grace_ms : 0;
	pid_t got;

	for (;;) {
		got = waitpid(pid, wstatus, until ? WNOHANG : 0);
		if (got == pid || (got < 0 && errno != EINTR))
			return;
		if (until && monotonic_ms() >= until) {
			kill(target, SIGKILL);
			until = 0;
		} else if (until) {
			usleep(10000);
		}
	}
}

/* Waits for the child after pump(); kills it (its group, unless it is in
 * the foreground) when pump gave up. A signal sent to slipway is passed on,
 * then slipway dies of it too. */
static int
reap(struct run *r, pid_t pid, int rc, struct sigstate *st)
{
	pid_t target = r->foreground ? pid : -pid;
	int wstatus = 0;

	if (rc == -E_TIMEOUT)
		kill(target, SIGKILL);
	else if (rc == -E_CANCELLED)
		kill(target, caught);
	wait_child(pid, target, &wstatus, rc == -E_CANCELLED ? 5000 : 0);
	if (caught) {
		int sig = caught;

		if (!r->foreground)
			kill(-pid, SIGKILL);	/* whatever of the group outlived it */
		signals_restore(st);
		raise(sig);
	}
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	if (rc == -E_TIMEOUT)
		return err_set(-E_TIMEOUT, "'%s' timed out after %u ms", r->argv.v[0],
		    r->timeout_ms);
	return rc;
}

int
run_exec(struct run *r)
{
	struct pipes p = { { -1, -1 }, { -1, -1 }, { -1, -1 }, { -1, -1 }, -1 };
	struct strvec envp = STRVEC_INIT;
	struct sigstate st;
	int rc, e = 0;
	pid_t pid;

	if (!r->argv.nr)
		return err_set(-E_GENERIC, "run: empty command");
	if (r->foreground && r->timeout_ms)
		return err_set(-E_GENERIC, "run: a foreground child has no timeout");
	build_env(r, &envp);
	if ((rc = pipes_open(r, &p)) < 0)
		goto out;
	signals_take(r, &st);
	pid = fork();
	if (pid < 0) {
		rc = err_set(-E_IO, "cannot start '%s': %s", r->argv.v[0], strerror(errno));
		signals_restore(&st);
		goto out;
	}
	if (pid == 0)
		child(r, envp.v, &p, &st);
	if (!r->foreground)
		setpgid(pid, pid);
	close_fd(&p.exec_err[1]);
	close_fd(&p.in[0]);
	close_fd(&p.out[1]);
	close_fd(&p.err[1]);
	rc = pump(r, &p, r->timeout_ms ? monotonic_ms() + r->timeout_ms : 0, &st.orig);
	close_fd(&p.in[1]);
	close_fd(&p.out[0]);
	close_fd(&p.err[0]);
	rc = reap(r, pid, rc, &st);
	signals_restore(&st);
	if (read(p.exec_err[0], &e, sizeof(e)) == sizeof(e))
		rc = err_set(e == ENOENT ? -E_NOTFOUND : -E_IO, "cannot run '%s': %s",
		    r->argv.v[0], strerror(e));
out:
	pipes_close(&p);
	strvec_clear(&envp);
	return rc;
}

void
run_release(struct run *r)
{
	strvec_clear(&r->argv);
	strvec_clear(&r->env);
	buf_release(&r->out);
	buf_release(&r->err);
}

/* The spawn attributes of run_start: its own process group, nothing
 * blocked, default dispositions for what we catch or ignore. */
static void
spawn_attr(posix_spawnattr_t *a)
{
	sigset_t set;
	size_t i;

	posix_spawnattr_init(a);
	posix_spawnattr_setflags(a, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(a, 0);
	sigemptyset(&set);
	posix_spawnattr_setsigmask(a, &set);
	for (i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGCHLD);
	posix_spawnattr_setsigdefault(a, &set);
}

int
run_start(struct run *r, struct run_child *c)
{
	struct strvec envp = STRVEC_INIT;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int out[2] = { -1, -1 }, rc = 0, e;
	pid_t pid;

	c->pid = -1;
	c->fd = -1;
	if (!r->argv.nr)
		return err_set(-E_GENERIC, "run: empty command");
	if (r->out_fd >= 0)	/* the caller's pipe: one for all a job's lines */
		out[1] = r->out_fd;
	else if (pipe2(out, O_CLOEXEC) < 0)
		return err_set(-E_IO, "cannot start '%s': %s", r->argv.v[0], strerror(errno));
	build_env(r, &envp);
	spawn_attr(&attr);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (r->dir)
		posix_spawn_file_actions_addchdir_np(&fa, r->dir);
	/* vfork-like: no copy of our memory, and exec errors come back here */
	if ((e = posix_spawnp(&pid, r->argv.v[0], &fa, &attr, r->argv.v, envp.v)) != 0) {
		rc = err_set(e == ENOENT ? -E_NOTFOUND : -E_IO, "cannot run '%s'%s%s: %s",
		    r->argv.v[0], r->dir ? " in " : "", r->dir ? r->dir : "", strerror(e));
	} else {
		setpgid(pid, pid);	/* harmless if the child did it already */
		c->pid = pid;
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (out[0] >= 0) {
		close(out[1]);
		if (rc == 0) {
			fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
			c->fd = out[0];
		} else {
			close(out[0]);
		}
	}
	strvec_clear(&envp);
	return rc;
}

ssize_t
run_read(struct run_child *c, char *buf, size_t len)
{
	ssize_t got;

	if (c->fd < 0)
		return 0;
	got = read(c->fd, buf, len);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	if (got <= 0)
		close_fd(&c->fd);
	return got < 0 ? 0 : got;
}

int
run_wait(struct run_child *c, int block, int *status)
{
	int wstatus;
	pid_t got;

	if (c->pid < 0)
		return 1;
	while ((got = waitpid(c->pid, &wstatus, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
		;
	if (got == 0)
		return 0;
	if (got < 0)
		wstatus = 127 << 8;
	*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	c->pid = -1;
	return 1;
}

void
run_kill(pid_t group, int sig)
{
	if (group > 0)
		kill(-group, sig);
}

void
run_child_close(struct run_child *c)
{
	close_fd(&c->fd);
}
