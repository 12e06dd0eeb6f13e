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
 *       host.  Exits with CMD's exit code.
 *
 * A measurement tool, not a runtime: errors print one line and exit 2.  */
#define _GNU_SOURCE
#include <errno.h>
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

static pid_t
spawn (char **argv)
{
  pid_t pid = fork ();
  if (pid < 0)
    {
      perror ("vmtime: fork");
      exit (2);
    }
  if (pid == 0)
    {
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
  pid_t main_pid = spawn (argv);
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
  pid_t pid = spawn (argv);
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
