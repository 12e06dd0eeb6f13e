/* Timing helper of the VM bench (bench/run.sh --vm; bench/vm-guest.sh runs
 * it in the guest, which has busybox but no python).  Built static on the
 * host.  Two modes:
 *
 *   vmtime reap CMD [ARG...]
 *       become a child subreaper, run CMD, reap every orphan reparented to
 *       us (container inits once their runtime exited), exit with CMD's
 *       status.  The guest script runs under it, so a container's init is
 *       reaped the moment it exits and `delete` finds it stopped, for every
 *       runtime alike.
 *
 *   vmtime time SCENARIO RUNTIME CMD [ARG...]
 *       run CMD and print one line
 *         # bench SCENARIO RUNTIME WALL_US CPU_US EXIT
 *       wall from fork to wait4, CPU = user + system of CMD and the
 *       children it reaped (wait4's rusage), as bench.py measures on the
 *       host.  CMD's stdin and stdout are /dev/null; when it fails, the last
 *       line of its stderr follows as `# bench-error ...`.  Exits with
 *       CMD's exit code.
 *
 * A measurement tool, not a runtime: errors print one line and exit 2.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static long long
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

#define ERRFILE "/tmp/vmtime.err"

/* quiet: the command's stdin and stdout are /dev/null and its stderr goes
 * to ERRFILE (a container's init inherits them: a pipe would be held open
 * by it), so that only vmtime's own line reaches the console.  */
static pid_t
spawn (char **argv, bool quiet)
{
  pid_t pid = fork ();
  if (pid < 0)
    {
      perror ("vmtime: fork");
      exit (2);
    }
  if (pid == 0)
    {
      if (quiet)
        {
          int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
          int err = open (ERRFILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
          if (null < 0 || err < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0
              || dup2 (err, 2) < 0)
            _exit (126);
        }
      execvp (argv[0], argv);
      fprintf (stderr, "vmtime: exec %s: %s\n", argv[0], strerror (errno));
      _exit (127);
    }
  return pid;
}

static int
code (int status)
{
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static int
reap (char **argv)
{
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    {
      perror ("vmtime: PR_SET_CHILD_SUBREAPER");
      return 2;
    }
  pid_t main_pid = spawn (argv, false);
  int rc = 2;
  for (;;)
    {
      int status;
      pid_t p = wait (&status);
      if (p < 0)
        {
          if (errno == EINTR)
            continue;
          break;          /* ECHILD: the script and every orphan are gone */
        }
      if (p == main_pid)
        rc = code (status);
    }
  return rc;
}

static int
timed (const char *scenario, const char *runtime, char **argv)
{
  long long t0 = now_us ();
  pid_t pid = spawn (argv, true);
  int status;
  struct rusage ru;
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      {
        perror ("vmtime: wait4");
        return 2;
      }
  long long wall = now_us () - t0;
  long long cpu = ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec
                  + ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
  printf ("# bench %s %s %lld %lld %d\n", scenario, runtime, wall, cpu, code (status));
  if (code (status) != 0)
    {
      /* The last line of its stderr says why.  */
      char buf[4096], *last = buf;
      int fd = open (ERRFILE, O_RDONLY | O_CLOEXEC);
      ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
      if (fd >= 0)
        close (fd);
      buf[n > 0 ? n : 0] = '\0';
      while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
      if (strrchr (buf, '\n'))
        last = strrchr (buf, '\n') + 1;
      printf ("# bench-error %s %s: %s\n", scenario, runtime, last);
    }
  fflush (stdout);
  return code (status);
}

int
main (int argc, char **argv)
{
  if (argc >= 3 && strcmp (argv[1], "reap") == 0)
    return reap (argv + 2);
  if (argc >= 5 && strcmp (argv[1], "time") == 0)
    return timed (argv[2], argv[3], argv + 4);
  fprintf (stderr, "usage: vmtime reap CMD [ARG...] | vmtime time SCENARIO RUNTIME CMD [ARG...]\n");
  return 2;
}
