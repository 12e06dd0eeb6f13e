/* OCI hooks (config.md "POSIX-platform Hooks"): run each hook of a list in
 * order, the state JSON on its stdin, its own args and env, its stdout and
 * stderr on skiff's stderr, killed when its timeout expires.
 *
 * Where and when each kind runs is decided by the callers (container.c for
 * prestart/createRuntime/poststart/poststop, init.c for createContainer and
 * startContainer); this file only knows how to run one list.  It runs in
 * the container's init too (createContainer, startContainer), so it must
 * not change process-wide state that would survive into the user process:
 * SIGPIPE is never ignored; the stdin pipe is non-blocking, EPIPE ends the
 * input, and SIGPIPE is blocked only around the write (a pending one we
 * raised is consumed before the mask is restored).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <skiff/container.h>
#include "linux/linux.h"
#include "util/cleanup.h"

#ifndef SYS_pidfd_open
# define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
# define SYS_close_range 436
#endif

/* What one hook run is about, for error messages:
 * "hook `createRuntime[0]` (`/path`)".  */
struct hook_run
{
  const struct sk_hook *hook;
  const char *kind;
  size_t index;
  const char *input;         /* state JSON */
  size_t input_len;
  size_t written;
  pid_t pid;
  int pidfd;                 /* -1: polling fallback */
  int in_fd;                 /* write end of the hook's stdin, -1 once done */
  int exec_err_fd;           /* read end: the child writes errno if execve fails */
};

static int
hook_error (const struct hook_run *r, sk_error_t *err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));

static int
hook_error (const struct hook_run *r, sk_error_t *err, int errnum, const char *fmt, ...)
{
  char what[256];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (what, sizeof what, fmt, ap);
  va_end (ap);
  return sk_error_set (err, errnum, "hook `%s[%zu]` (`%s`): %s", r->kind, r->index,
                       r->hook->path, what);
}

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the forked child: become the hook.  Only async-signal-safe calls
 * (we may have been forked from a multi-threaded caller).  */
static void __attribute__ ((noreturn))
child_exec (const struct sk_hook *h, int in_rd, int err_wr)
{
  static char *const empty_env[] = { NULL };
  char *default_argv[] = { h->path, NULL };
  char *const *argv = h->args.n > 0 ? h->args.v : default_argv;
  char *const *envp = h->env.n > 0 ? h->env.v : empty_env;
  sigset_t none;
  int e;

  /* A hook starts with a clean signal state: skiff may block or ignore
   * signals it forwards, and those must not leak into the hook.  */
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      sigaction (s, &dfl, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  /* Its own process group, so that a timeout kills what it started too
   * (a shell script's `sleep` would otherwise outlive it).  */
  setpgid (0, 0);

  /* dup2 onto itself keeps O_CLOEXEC: happens when skiff's fd 0 was closed.  */
  if (in_rd == 0 ? fcntl (0, F_SETFD, 0) < 0 : dup2 (in_rd, 0) < 0)
    goto fail;
  (void) dup2 (2, 1);   /* stdout joins stderr; no stderr at all is fine */
  /* Nothing of skiff's (sync socket, console, state dir fds) reaches the
   * hook except the exec-error pipe, which is close-on-exec.  */
  if (syscall (SYS_close_range, 3, ~0U, 0x4 /* CLOSE_RANGE_CLOEXEC */) < 0)
    for (int fd = 3; fd < 1024; fd++)
      if (fd != err_wr)
        close (fd);
  execve (h->path, argv, envp);
 fail:
  e = errno;
  (void) !write (err_wr, &e, sizeof e);
  _exit (127);
}

static int
hook_spawn (struct hook_run *r, sk_error_t *err)
{
  _cleanup_close_ int in_rd = -1, in_wr = -1, err_rd = -1, err_wr = -1;
  int p[2];

  if (pipe2 (p, O_CLOEXEC) < 0)
    return hook_error (r, err, errno, "pipe");
  in_rd = p[0], in_wr = p[1];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return hook_error (r, err, errno, "pipe");
  err_rd = p[0], err_wr = p[1];

  pid_t pid = fork ();
  if (pid < 0)
    return hook_error (r, err, errno, "fork");
  if (pid == 0)
    child_exec (r->hook, in_rd, err_wr);

  r->pid = pid;
  setpgid (pid, pid);   /* also here: no window where the group is not there yet */
  r->pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (r->pidfd >= 0)
    fcntl (r->pidfd, F_SETFD, FD_CLOEXEC);
  /* Non-blocking: a hook that never reads must not block us past its
   * timeout, and one that exits early gives EPIPE we can handle.  */
  fcntl (in_wr, F_SETFL, fcntl (in_wr, F_GETFL) | O_NONBLOCK);
  r->in_fd = steal_fd (&in_wr);
  r->exec_err_fd = steal_fd (&err_rd);
  return 0;
}

/* Write what the pipe takes now.  EPIPE (the hook exited or closed its
 * stdin without reading everything) just ends the input: the hook's exit
 * status decides.  SIGPIPE is blocked in this thread around the write and a
 * SIGPIPE we raised is consumed, so neither skiff nor (when this runs in the
 * container's init) the container process is affected.  */
static void
feed_input (struct hook_run *r)
{
  sigset_t pipe_set, old;
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old);

  ssize_t n;
  do
    n = write (r->in_fd, r->input + r->written, r->input_len - r->written);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    r->written += n;
  bool done = r->written == r->input_len || (n < 0 && errno != EAGAIN);

  if (n < 0 && errno == EPIPE && !sigismember (&old, SIGPIPE))
    {
      struct timespec zero = { 0, 0 };
      while (sigtimedwait (&pipe_set, NULL, &zero) == SIGPIPE)
        ;
    }
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  if (done)
    sk_closep (&r->in_fd);
}

/* Wait (at most timeout_ms, -1 = forever) until the hook exits, feeding
 * its stdin meanwhile.  Returns 1 when it exited (*status set), 0 on
 * timeout, -1 on error.  */
static int
hook_wait (struct hook_run *r, int timeout_ms, int *status, sk_error_t *err)
{
  int64_t deadline = timeout_ms < 0 ? -1 : now_ms () + timeout_ms;
  for (;;)
    {
      pid_t w = waitpid (r->pid, status, WNOHANG);
      if (w == r->pid)
        return 1;
      if (w < 0 && errno != EINTR)
        return hook_error (r, err, errno, "waitpid");

      int left = -1;
      if (deadline >= 0)
        {
          int64_t d = deadline - now_ms ();
          if (d <= 0)
            return 0;
          left = d > INT32_MAX ? INT32_MAX : (int) d;
        }
      struct pollfd fds[2];
      nfds_t n = 0;
      if (r->pidfd >= 0)
        fds[n++] = (struct pollfd) { .fd = r->pidfd, .events = POLLIN };
      else if (left < 0 || left > 10)
        left = 10;   /* no pidfd (old kernel): poll waitpid every 10ms */
      if (r->in_fd >= 0)
        fds[n++] = (struct pollfd) { .fd = r->in_fd, .events = POLLOUT };
      if (poll (fds, n, left) < 0 && errno != EINTR)
        return hook_error (r, err, errno, "poll");
      if (r->in_fd >= 0)
        feed_input (r);
    }
}

static void
hook_cleanup (struct hook_run *r)
{
  sk_closep (&r->in_fd);
  sk_closep (&r->pidfd);
  sk_closep (&r->exec_err_fd);
}

static int
hook_result (struct hook_run *r, int status, sk_error_t *err)
{
  int e = 0;
  /* The exec-error pipe is close-on-exec: EOF means execve succeeded.  */
  if (read (r->exec_err_fd, &e, sizeof e) == (ssize_t) sizeof e)
    return hook_error (r, err, e, "exec");
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFEXITED (status))
    return hook_error (r, err, 0, "exited with status %d", WEXITSTATUS (status));
  if (WIFSIGNALED (status))
    return hook_error (r, err, 0, "killed by signal %d (%s)", WTERMSIG (status),
                       strsignal (WTERMSIG (status)));
  return hook_error (r, err, 0, "ended with wait status %#x", status);
}

static int
run_one (const struct sk_hook *h, const char *kind, size_t index, const char *state_json,
         sk_error_t *err)
{
  struct hook_run r = {
    .hook = h, .kind = kind, .index = index,
    .input = state_json ? state_json : "", .input_len = state_json ? strlen (state_json) : 0,
    .pid = -1, .pidfd = -1, .in_fd = -1, .exec_err_fd = -1,
  };
  int status = 0, ret;

  if (hook_spawn (&r, err) < 0)
    return -1;
  int timeout_ms = h->has_timeout && h->timeout > 0 ? h->timeout * 1000 : -1;
  if (h->has_timeout && h->timeout > INT32_MAX / 1000)
    timeout_ms = -1;
  ret = hook_wait (&r, timeout_ms, &status, err);
  if (ret <= 0)
    {
      /* Timed out (or wait failed): neither the hook nor what it started
       * may outlive the operation.  */
      if (kill (-r.pid, SIGKILL) < 0)
        kill (r.pid, SIGKILL);
      while (waitpid (r.pid, &status, 0) < 0 && errno == EINTR)
        ;
      if (ret == 0)
        hook_error (&r, err, 0, "timed out after %ds", h->timeout);
      hook_cleanup (&r);
      return -1;
    }
  ret = hook_result (&r, status, err);
  hook_cleanup (&r);
  return ret;
}

int
sk_hooks_run (const struct sk_hook_list *hooks, const char *kind, const char *state_json,
              sk_error_t *err)
{
  if (hooks == NULL)
    return 0;
  for (size_t i = 0; i < hooks->n; i++)
    {
      double t0 = sk_log_ms ();
      if (run_one (&hooks->v[i], kind, i, state_json, err) < 0)
        return -1;
      sk_log_debug ("hook %s[%zu] `%s`: ok in %.1f ms", kind, i, hooks->v[i].path,
                    sk_log_ms () - t0);
    }
  return 0;
}

/* runtime.md lifecycle step 13: a failing poststop hook is a warning and
 * "the remaining hooks and lifecycle continue as if the hook had
 * succeeded", so every hook runs whatever the previous one did.  */
void
sk_hooks_run_warn (const struct sk_hook_list *hooks, const char *kind, const char *state_json)
{
  if (hooks == NULL)
    return;
  for (size_t i = 0; i < hooks->n; i++)
    {
      sk_error_t e = NULL;
      if (run_one (&hooks->v[i], kind, i, state_json, &e) < 0)
        {
          char *msg = sk_error_string (e);
          sk_log_warn ("%s", msg);
          free (msg);
          sk_error_free (&e);
        }
    }
}
