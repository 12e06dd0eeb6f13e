/* run: create + start, then (in the foreground) relay signals and the
 * terminal, wait for the container and return its exit code.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "container_priv.h"
#include "util/cleanup.h"
#include "util/fd.h"

/* Signals forwarded to the container (everything a shell or a supervisor
 * sends), plus SIGCHLD for us.  */
void
sk_run_relay_sigset (sigset_t *set)
{
  sigemptyset (set);
  static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
                              SIGCONT, SIGALRM, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD };
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaddset (set, sigs[i]);
}

struct relay
{
  pid_t pid;
  int sfd;          /* signalfd */
  int master;       /* pty master or -1 */
  bool raw;
  struct termios saved;
  int status;
  bool exited;
};

static void
copy_winsize (int master)
{
  struct winsize ws;
  if (ioctl (0, TIOCGWINSZ, &ws) == 0)
    ioctl (master, TIOCSWINSZ, &ws);
}

static void
reap (struct relay *r)
{
  int status;
  pid_t p;
  while ((p = waitpid (-1, &status, WNOHANG)) > 0)
    if (p == r->pid)
      {
        r->status = status;
        r->exited = true;
      }
}

static bool
handle_signal (struct relay *r)
{
  struct signalfd_siginfo si;
  if (read (r->sfd, &si, sizeof si) != sizeof si)
    return true;
  if (si.ssi_signo == SIGCHLD)
    reap (r);
  else if (si.ssi_signo == SIGWINCH && r->master >= 0)
    copy_winsize (r->master);
  else
    kill (r->pid, (int) si.ssi_signo);
  return !r->exited;
}

static bool
pump (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n <= 0)
    return false;
  return sk_write_all (to, buf, n) == 0;
}

static void
relay_loop (struct relay *r)
{
  bool in_open = r->master >= 0;
  reap (r);
  while (!r->exited)
    {
      struct pollfd p[3] = { { .fd = r->sfd, .events = POLLIN },
                             { .fd = r->master, .events = POLLIN },
                             { .fd = in_open ? 0 : -1, .events = POLLIN } };
      int n = poll (p, r->master >= 0 ? 3 : 1, -1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      if (p[0].revents & POLLIN)
        handle_signal (r);
      if (r->master >= 0 && (p[1].revents & (POLLIN | POLLHUP)))
        {
          if (!pump (r->master, 1))
            {
              /* The slave side closed: the process is exiting.  */
              close (r->master);
              r->master = -1;
            }
        }
      if (in_open && (p[2].revents & (POLLIN | POLLHUP)) && r->master >= 0
          && !pump (0, r->master))
        in_open = false;
    }
}

static int
exit_code (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 1;
}

static void
set_raw (struct relay *r)
{
  if (!isatty (0) || tcgetattr (0, &r->saved) < 0)
    return;
  struct termios t = r->saved;
  cfmakeraw (&t);
  if (tcsetattr (0, TCSANOW, &t) == 0)
    r->raw = true;
}

int
sk_run_foreground (const struct sk_global *g, struct sk_create *cc, int console_peer,
                   int *code, sk_error_t *err)
{
  struct relay r = { .pid = cc->pid, .master = -1 };
  sigset_t set;
  sk_run_relay_sigset (&set);
  r.sfd = signalfd (-1, &set, SFD_CLOEXEC);
  if (r.sfd < 0)
    return sk_error_set (err, errno, "signalfd");
  if (console_peer >= 0)
    {
      r.master = sk_recv_fd (console_peer, err);
      if (r.master < 0)
        return -1;
      copy_winsize (r.master);
      set_raw (&r);
    }
  relay_loop (&r);
  if (r.master >= 0)
    {
      /* The exit (SIGCHLD) can overtake the last output still in the pty:
       * drain it before leaving.  */
      fcntl (r.master, F_SETFL, fcntl (r.master, F_GETFL) | O_NONBLOCK);
      while (pump (r.master, 1))
        ;
    }
  if (r.raw)
    tcsetattr (0, TCSANOW, &r.saved);
  if (r.master >= 0)
    close (r.master);
  close (r.sfd);
  *code = exit_code (r.status);
  return 0;
}

int
sk_container_run (const struct sk_global *g, const char *id, const struct sk_create_opts *o,
                  int *code, sk_error_t *err)
{
  struct sk_create cc;
  int relay[2] = { -1, -1 };
  sigset_t set, old;
  int r = -1;

  sk_create_init (&cc, g, id, o);
  /* A grandchild init (pid namespace joined) must be reaped by us.  */
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  /* Block before clone so no SIGCHLD or forwarded signal is lost; the
   * container resets its mask first thing.  */
  sk_run_relay_sigset (&set);
  if (!o->detach)
    sigprocmask (SIG_BLOCK, &set, &old);
  if (!o->detach && o->console_socket == NULL)
    {
      /* run in the foreground relays the terminal itself: hand init one
       * end of a private socket as its console socket.  */
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, relay) < 0)
        return sk_error_set (err, errno, "socketpair");
      cc.console_fd = relay[0];
    }
  if (sk_create_run (&cc, err) < 0)
    goto out;
  /* create's lock is still held: start under it, as one operation.  */
  struct sk_state *st = sk_state_load (g->root, id, err);
  if (st == NULL)
    goto out;
  /* The config create just validated: start need not parse its copy.  */
  r = sk_start_locked (g, st, cc.spec, err);
  sk_state_free (st);
  close (cc.lock_fd);
  cc.lock_fd = -1;
  if (r < 0)
    {
      sk_error_t e = NULL;
      /* (a failed startContainer/poststart hook already destroyed it) */
      if (sk_container_delete (g, id, true, &e) < 0 && !strstr (e->msg, "does not exist"))
        sk_log_warn ("%s", e->msg);
      sk_error_free (&e);
      goto out;
    }
  if (o->detach)
    goto out;
  bool tty = cc.spec->process && cc.spec->process->terminal && o->console_socket == NULL;
  r = sk_run_foreground (g, &cc, tty ? relay[1] : -1, code, err);
  if (r == 0 && !o->keep && sk_container_delete (g, id, false, err) < 0)
    r = -1;
out:
  if (relay[1] >= 0)
    close (relay[1]);
  if (!o->detach)
    sigprocmask (SIG_SETMASK, &old, NULL);
  /* relay[0] is cc.console_fd: sk_create_clear closes it.  */
  sk_create_clear (&cc);
  return r;
}
