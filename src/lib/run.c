/* run.c - child processes: argv, environment, captured output, timeouts. */
#include "lib/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"

extern char **environ;

/* Builds the child's environment into out (borrowed pointers into r/env). */
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

/* The terminating signal that arrived while a child ran, or 0. The child
 * runs in its own process group, so the terminal's Ctrl-C reaches only us:
 * we pass it on to the child's whole group, then die of it ourselves. */
static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Installs (on = 1) or restores (on = 0) the forwarding handlers. */
static void
forward_signals(int on, struct sigaction *saved)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		if (!on) {
			sigaction(forwarded[i], &saved[i], NULL);
			continue;
		}
		sigaction(forwarded[i], NULL, &saved[i]);
		if (saved[i].sa_handler != SIG_IGN)	/* ignored stays ignored */
			sigaction(forwarded[i], &sa, NULL);
	}
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: wire descriptors, close the rest, exec. Never returns. */
static void
child(struct run *r, char **envp, int in_fd, int out_fd, int err_fd, int errpipe)
{
	int e;

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, 0) < 0 ||
	    (out_fd >= 0 && dup2(out_fd, 1) < 0) ||
	    (err_fd >= 0 && dup2(err_fd, 2) < 0))
		goto fail;
	if (errpipe != 3 && dup2(errpipe, 3) < 0)
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

static int
set_nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Moves data between the child's pipes until they close or time runs out;
 * closes every descriptor it was given before returning. */
static int
pump(struct run *r, int in_w, int out_r, int err_r, long long deadline)
{
	size_t in_off = 0;
	char tmp[65536];

	while (in_w >= 0 || out_r >= 0 || err_r >= 0) {
		struct pollfd p[3];
		int n = 0, timeout = -1, i;

		if (in_w >= 0)
			p[n++] = (struct pollfd){ in_w, POLLOUT, 0 };
		if (out_r >= 0)
			p[n++] = (struct pollfd){ out_r, POLLIN, 0 };
		if (err_r >= 0)
			p[n++] = (struct pollfd){ err_r, POLLIN, 0 };
		if (deadline) {
			long long left = deadline - now_ms();

			if (left <= 0) {
				for (i = 0; i < n; i++)
					close(p[i].fd);
				return -E_TIMEOUT;
			}
			timeout = (int)left;
		}
		if (caught) {
			for (i = 0; i < n; i++)
				close(p[i].fd);
			return -E_CANCELLED;
		}
		if (poll(p, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			for (i = 0; i < n; i++)
				close(p[i].fd);
			return -E_IO;
		}
		for (i = 0; i < n; i++) {
			ssize_t got;

			if (!p[i].revents)
				continue;
			if (p[i].fd == in_w) {
				got = write(in_w, r->in + in_off, r->in_len - in_off);
				if (got > 0)
					in_off += (size_t)got;
				if (got < 0 && errno == EAGAIN)
					continue;
				if (got < 0 || in_off == r->in_len) {
					close(in_w);
					in_w = -1;
				}
				continue;
			}
			got = read(p[i].fd, tmp, sizeof(tmp));
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got <= 0) {
				close(p[i].fd);
				if (p[i].fd == out_r)
					out_r = -1;
				else
					err_r = -1;
				continue;
			}
			/* A full capped buffer keeps draining but stops growing. */
			buf_add(p[i].fd == out_r ? &r->out : &r->err, tmp, (size_t)got);
		}
	}
	return 0;
}

int
run_exec(struct run *r)
{
	struct strvec envp = STRVEC_INIT;
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int ep[2] = { -1, -1 }, devnull = -1, rc = 0, wstatus, e = 0;
	long long deadline = 0;
	struct sigaction saved[4];
	pid_t pid;

	if (!r->argv.nr)
		return err_set(-E_GENERIC, "run: empty command");
	build_env(r, &envp);
	if (pipe2(ep, O_CLOEXEC) < 0 ||
	    (r->in && pipe2(inp, O_CLOEXEC) < 0) ||
	    (r->capture_out && pipe2(outp, O_CLOEXEC) < 0) ||
	    (r->capture_err && pipe2(errp, O_CLOEXEC) < 0) ||
	    (!r->in && (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)) {
		rc = err_set(-E_IO, "cannot start '%s': %s", r->argv.v[0], strerror(errno));
		goto out;
	}
	caught = 0;
	forward_signals(1, saved);
	pid = fork();
	if (pid < 0) {
		forward_signals(0, saved);
		rc = err_set(-E_IO, "cannot start '%s': %s", r->argv.v[0], strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(r, envp.v, r->in ? inp[0] : devnull,
		    r->capture_out ? outp[1] : -1, r->capture_err ? errp[1] : -1, ep[1]);
	setpgid(pid, pid);
	close(ep[1]);
	ep[1] = -1;
	if (r->in) {
		close(inp[0]);
		inp[0] = -1;
		set_nonblock(inp[1]);
	}
	if (r->capture_out) {
		close(outp[1]);
		outp[1] = -1;
	}
	if (r->capture_err) {
		close(errp[1]);
		errp[1] = -1;
	}
	if (r->timeout_ms)
		deadline = now_ms() + r->timeout_ms;
	rc = pump(r, r->in ? inp[1] : -1, outp[0], errp[0], deadline);
	inp[1] = outp[0] = errp[0] = -1;	/* pump closed them, or we do below */
	if (rc == -E_TIMEOUT)
		kill(-pid, SIGKILL);
	if (rc == -E_CANCELLED)
		kill(-pid, caught);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		if (caught)
			kill(-pid, caught);
	if (caught) {
		int sig = caught;

		forward_signals(0, saved);
		kill(-pid, SIGKILL);	/* whatever of the group outlived the signal */
		raise(sig);
	}
	forward_signals(0, saved);
	if (read(ep[0], &e, sizeof(e)) == sizeof(e)) {
		rc = err_set(e == ENOENT ? -E_NOTFOUND : -E_IO, "cannot run '%s': %s",
		    r->argv.v[0], strerror(e));
		goto out;
	}
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	if (rc == -E_TIMEOUT)
		rc = err_set(-E_TIMEOUT, "'%s' timed out after %u ms", r->argv.v[0],
		    r->timeout_ms);
	else if (rc < 0)
		rc = err_set(rc, "running '%s': %s", r->argv.v[0], strerror(errno));
out:
	for (int *fd = (int[]){ inp[0], inp[1], outp[0], outp[1], errp[0], errp[1],
	    ep[0], ep[1], devnull, -2 }; *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
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
