/* skiff exec in the foreground: forward signals to the process, relay its
 * pty with our stdio, return its exit status.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "exec.h"
#include "util/cleanup.h"
#include "util/fd.h"

#ifndef SYS_pidfd_send_signal
# define SYS_pidfd_send_signal 424
#endif

/* Everything a user or a supervisor may send, except what the kernel
 * raises synchronously for our own faults (blocking those would turn a
 * crash into a hang) and SIGCHLD (the pidfd tells us about the exit).
 * SIGPIPE is blocked but not forwarded: a closed stdout of ours gives
 * EPIPE in the relay instead of killing us.  */
void
sk_exec_forward_set (sigset_t *set)
{
  sigemptyset (set);
  for (int s = 1; s < SIGRTMIN; s++)
    switch (s)
      {
      case SIGKILL: case SIGSTOP: case SIGCHLD:
      case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
      case SIGABRT: case SIGTTIN: case SIGTTOU:
        break;
      default:
        sigaddset (set, s);
      }
}

struct relay
{
  pid_t pid;
  int pidfd;
  int sigfd;
  int master;          /* -1 without a pty */
  bool stdin_open;
  bool master_open;
  bool raw;
  struct termios saved;
};

static void
copy_winsize (struct relay *r)
{
  struct winsize ws;
  if (r->master >= 0 && ioctl (0, TIOCGWINSZ, &ws) == 0)
    ioctl (r->master, TIOCSWINSZ, &ws);
}

/* Raw mode on our terminal: keys (^C included) go to the process's pty,
 * whose line discipline turns them into signals there.  */
static void
set_raw (struct relay *r)
{
  if (r->master < 0 || !isatty (0) || tcgetattr (0, &r->saved) < 0)
    return;
  struct termios t = r->saved;
  cfmakeraw (&t);
  t.c_oflag = r->saved.c_oflag;   /* keep output processing (\n -> \r\n) */
  if (tcsetattr (0, TCSANOW, &t) == 0)
    r->raw = true;
}

static void
on_signal (struct relay *r)
{
  struct signalfd_siginfo si;
  while (read (r->sigfd, &si, sizeof si) == (ssize_t) sizeof si)
    {
      int s = (int) si.ssi_signo;
      if (s == SIGPIPE)
        continue;
      if (s == SIGWINCH && r->master >= 0)
        {
          copy_winsize (r);   /* the pty signals its foreground group itself */
          continue;
        }
      /* Through the pidfd: the pid cannot have been reused meanwhile.  */
      if (syscall (SYS_pidfd_send_signal, r->pidfd, s, NULL, 0) < 0 && errno == ENOSYS)
        kill (r->pid, s);
    }
}

/* Copy what is available from one fd to another; false on EOF/error of
 * the source.  A failed write (our stdout closed) drops the data.  */
static bool
pump (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    return false;
  (void) sk_write_all (to, buf, n);
  return true;
}

static int
relay_loop (struct relay *r, sk_error_t *err)
{
  for (;;)
    {
      struct pollfd fds[4];
      nfds_t n = 0;
      fds[n++] = (struct pollfd) { .fd = r->pidfd, .events = POLLIN };
      fds[n++] = (struct pollfd) { .fd = r->sigfd, .events = POLLIN };
      int i_master = -1, i_stdin = -1;
      if (r->master_open)
        i_master = n, fds[n++] = (struct pollfd) { .fd = r->master, .events = POLLIN };
      if (r->stdin_open)
        i_stdin = n, fds[n++] = (struct pollfd) { .fd = 0, .events = POLLIN };
      if (poll (fds, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return sk_error_set (err, errno, "poll");
        }
      if (fds[1].revents)
        on_signal (r);
      if (i_master >= 0 && fds[i_master].revents)
        r->master_open = pump (r->master, 1);
      if (i_stdin >= 0 && fds[i_stdin].revents)
        r->stdin_open = pump (0, r->master);
      if (fds[0].revents)
        return 0;
    }
}

/* The process is gone: whatever it wrote last is still in the pty.  */
static void
drain_master (struct relay *r)
{
  if (!r->master_open)
    return;
  fcntl (r->master, F_SETFL, fcntl (r->master, F_GETFL) | O_NONBLOCK);
  while (pump (r->master, 1))
    {
      struct pollfd p = { .fd = r->master, .events = POLLIN };
      if (poll (&p, 1, 0) <= 0)
        break;
    }
}

int
sk_exec_wait (pid_t pid, int pidfd, int master_fd, int *exit_code, sk_error_t *err)
{
  sigset_t set;
  sk_exec_forward_set (&set);
  sigaddset (&set, SIGWINCH);
  _cleanup_close_ int sigfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0)
    return sk_error_set (err, errno, "signalfd");
  struct relay r = {
    .pid = pid, .pidfd = pidfd, .sigfd = sigfd, .master = master_fd,
    .stdin_open = master_fd >= 0, .master_open = master_fd >= 0,
  };
  set_raw (&r);
  copy_winsize (&r);
  int ret = relay_loop (&r, err);
  drain_master (&r);
  if (r.raw)
    tcsetattr (0, TCSANOW, &r.saved);
  if (ret < 0)
    return -1;

  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return sk_error_set (err, errno, "wait for the exec process");
  *exit_code = WIFEXITED (status) ? WEXITSTATUS (status)
    : WIFSIGNALED (status) ? 128 + WTERMSIG (status) : 255;
  return 0;
}
