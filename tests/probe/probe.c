/* probe: a small static program that runs INSIDE test containers and
 * reports what it sees as simple `key=value` lines (or the raw file for
 * `mounts`, `cgroup`, `env`, `cat`).
 *
 *   probe SUBCOMMAND [ARGS...] [SUBCOMMAND [ARGS...]]...
 *
 * Several subcommands may follow each other (`probe ids cwd`); each consumes
 * its fixed number of arguments.  It is linked statically and uses nothing
 * from libskiff, so it runs in a rootfs that holds only busybox.  Errors
 * print `errno=N` (and the probe exits 1) so tests can assert on them.
 *
 * Adding a subcommand: write `static int cmd_x (char **argv)` and add a row
 * to `commands[]` at the bottom.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

/* Print `errno=N` for the current errno and fail.  */
static int
fail (void)
{
  int e = errno;
  printf ("errno=%d\n", e);
  return 1;
}

static int
print_file (const char *path)
{
  FILE *f = fopen (path, "re");
  if (f == NULL)
    return fail ();
  char buf[4096];
  size_t n;
  while ((n = fread (buf, 1, sizeof buf, f)) > 0)
    fwrite (buf, 1, n, stdout);
  fclose (f);
  return 0;
}

/* Print the lines of /proc/self/status whose key is in keys[], as KEY=VALUE.  */
static int
print_status (const char *const keys[])
{
  FILE *f = fopen ("/proc/self/status", "re");
  if (f == NULL)
    return fail ();
  char line[512];
  while (fgets (line, sizeof line, f))
    {
      char *colon = strchr (line, ':');
      if (colon == NULL)
        continue;
      *colon = '\0';
      for (size_t i = 0; keys[i]; i++)
        if (strcmp (line, keys[i]) == 0)
          {
            char *v = colon + 1;
            v += strspn (v, " \t");
            printf ("%s=%s", line, v);
          }
    }
  fclose (f);
  return 0;
}

static int
cmd_ids (char **argv)
{
  uid_t r, e, s;
  gid_t rg, eg, sg;
  getresuid (&r, &e, &s);
  getresgid (&rg, &eg, &sg);
  printf ("uid=%u\ngid=%u\neuid=%u\negid=%u\nsuid=%u\nsgid=%u\ngroups=", r, rg, e, eg, s, sg);
  gid_t groups[NGROUPS_MAX];
  int n = getgroups (NGROUPS_MAX, groups);
  for (int i = 0; i < n; i++)
    printf ("%s%u", i ? "," : "", groups[i]);
  printf ("\n");
  return 0;
}

static int
cmd_caps (char **argv)
{
  static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL };
  return print_status (keys);
}

static int
cmd_nnp (char **argv)
{
  static const char *const keys[] = { "NoNewPrivs", NULL };
  return print_status (keys);
}

static int
cmd_seccomp (char **argv)
{
  static const char *const keys[] = { "Seccomp", "Seccomp_filters", NULL };
  return print_status (keys);
}

static int
cmd_fds (char **argv)
{
  DIR *d = opendir ("/proc/self/fd");
  if (d == NULL)
    return fail ();
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] == '.' || atoi (de->d_name) == dirfd (d))
        continue;
      char target[PATH_MAX];
      ssize_t n = readlinkat (dirfd (d), de->d_name, target, sizeof target - 1);
      target[n < 0 ? 0 : n] = '\0';
      printf ("%s=%s\n", de->d_name, target);
    }
  closedir (d);
  return 0;
}

static int
cmd_rlimits (char **argv)
{
  static const struct { const char *name; int res; } limits[] = {
    { "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_CPU", RLIMIT_CPU },
    { "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
    { "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
    { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
    { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC },
    { "RLIMIT_RSS", RLIMIT_RSS }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
    { "RLIMIT_RTTIME", RLIMIT_RTTIME }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
    { "RLIMIT_STACK", RLIMIT_STACK },
  };
  for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
    {
      struct rlimit rl;
      if (getrlimit (limits[i].res, &rl) < 0)
        return fail ();
      printf ("%s=", limits[i].name);
      if (rl.rlim_cur == RLIM_INFINITY)
        printf ("unlimited ");
      else
        printf ("%llu ", (unsigned long long) rl.rlim_cur);
      if (rl.rlim_max == RLIM_INFINITY)
        printf ("unlimited\n");
      else
        printf ("%llu\n", (unsigned long long) rl.rlim_max);
    }
  return 0;
}

static int
cmd_ns (char **argv)
{
  DIR *d = opendir ("/proc/self/ns");
  if (d == NULL)
    return fail ();
  struct dirent *de;
  while ((de = readdir (d)))
    {
      struct stat st;
      if (de->d_name[0] == '.' || fstatat (dirfd (d), de->d_name, &st, 0) < 0)
        continue;
      printf ("%s=%llu\n", de->d_name, (unsigned long long) st.st_ino);
    }
  closedir (d);
  return 0;
}

static int
cmd_cwd (char **argv)
{
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf) == NULL)
    return fail ();
  printf ("cwd=%s\n", buf);
  return 0;
}

static int
cmd_env (char **argv)
{
  for (char **e = environ; *e; e++)
    printf ("%s\n", *e);
  return 0;
}

static int
cmd_hostname (char **argv)
{
  struct utsname u;
  uname (&u);
  printf ("hostname=%s\n", u.nodename);
  return 0;
}

static int
cmd_domainname (char **argv)
{
  struct utsname u;
  uname (&u);
  printf ("domainname=%s\n", u.domainname);
  return 0;
}

static int
cmd_umask (char **argv)
{
  mode_t m = umask (0);
  umask (m);
  printf ("umask=%04o\n", (unsigned) m);
  return 0;
}

static int
cmd_mounts (char **argv)
{
  return print_file ("/proc/self/mountinfo");
}

static int
cmd_cgroup (char **argv)
{
  return print_file ("/proc/self/cgroup");
}

/* glibc 2.36 has no wrapper for sched_getattr: the layout of the v1 struct.  */
struct probe_sched_attr
{
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
  uint32_t util_min, util_max;
};

static int
cmd_sched (char **argv)
{
  struct probe_sched_attr a = { 0 };
  if (syscall (SYS_sched_getattr, 0, &a, sizeof a, 0) < 0)
    return fail ();
  printf ("policy=%u\npriority=%u\nnice=%d\nflags=%llu\nruntime=%llu\ndeadline=%llu\n"
          "period=%llu\n", a.policy & ~(uint32_t) SCHED_RESET_ON_FORK, a.priority, a.nice,
          (unsigned long long) a.flags, (unsigned long long) a.runtime,
          (unsigned long long) a.deadline, (unsigned long long) a.period);
  printf ("reset_on_fork=%d\n", (sched_getscheduler (0) & SCHED_RESET_ON_FORK) ? 1 : 0);
  return 0;
}

static int
cmd_ioprio (char **argv)
{
  /* IOPRIO_WHO_PROCESS = 1; the class is in the top 3 bits of 16.  */
  long v = syscall (SYS_ioprio_get, 1, 0);
  if (v < 0)
    return fail ();
  printf ("class=%ld\nlevel=%ld\n", (v >> 13) & 0x7, v & 0x1fff);
  return 0;
}

static int
cmd_personality (char **argv)
{
  int p = personality (0xffffffff);
  printf ("personality=0x%x\n", (unsigned) p);
  return 0;
}

static int
cmd_oom (char **argv)
{
  printf ("oom_score_adj=");
  fflush (stdout);
  return print_file ("/proc/self/oom_score_adj");
}

/* The session keyring's description: "keyring;uid;gid;perm;NAME".  */
static int
cmd_keyring (char **argv)
{
  char buf[512];
  long id = syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
  if (id < 0)
    return fail ();
  long n = syscall (SYS_keyctl, 6 /* KEYCTL_DESCRIBE */, id, buf, sizeof buf);
  if (n < 0)
    return fail ();
  buf[sizeof buf - 1] = '\0';
  printf ("keyring=%s\n", buf);
  return 0;
}

static int
cmd_dumpable (char **argv)
{
  printf ("dumpable=%d\n", prctl (PR_GET_DUMPABLE, 0, 0, 0, 0));
  return 0;
}

static int
cmd_pid (char **argv)
{
  printf ("pid=%d\nppid=%d\nsid=%d\npgid=%d\n", getpid (), getppid (), getsid (0), getpgid (0));
  return 0;
}

/* syscall NAME: try one call and print errno=N (0 on success); used to
 * check what seccomp, capabilities and read-only paths allow.  */
static long
try_syscall (const char *name)
{
  char buf[PATH_MAX];
  if (strcmp (name, "getcwd") == 0)
    return getcwd (buf, sizeof buf) ? 0 : -1;
  if (strcmp (name, "mkdir") == 0)
    return mkdir ("/tmp/.probe-mkdir", 0700) == 0 ? rmdir ("/tmp/.probe-mkdir") : -1;
  if (strcmp (name, "chmod") == 0)
    return chmod ("/", 0755);
  if (strcmp (name, "unshare") == 0)
    return unshare (CLONE_NEWUTS);
  if (strcmp (name, "personality") == 0)
    return personality (0xffffffff) < 0 ? -1 : 0;
  if (strcmp (name, "mount") == 0)
    return mount ("none", "/tmp", "tmpfs", 0, NULL) == 0 ? umount ("/tmp") : -1;
  if (strcmp (name, "sethostname") == 0)
    return sethostname ("probe", 5);
  if (strcmp (name, "chroot") == 0)
    return chroot ("/");
  if (strcmp (name, "setuid") == 0)
    return setuid (0);
  if (strcmp (name, "kill") == 0)
    return kill (1, 0);
  if (strcmp (name, "getpid") == 0)
    return getpid () > 0 ? 0 : -1;
  if (strcmp (name, "ptrace") == 0)
    return syscall (SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
  if (strcmp (name, "keyctl") == 0)
    return syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
  /* clone3 without arguments: EINVAL from a kernel that has it; ENOSYS
   * from a seccomp profile older than clone3 (glibc then uses clone).  */
  if (strcmp (name, "clone3") == 0)
    return syscall (435 /* SYS_clone3 on every arch */, NULL, 0);
  if (strcmp (name, "mknod") == 0)
    return mknod ("/dev/.probe-null", S_IFCHR | 0600, makedev (1, 3)) == 0
             ? unlink ("/dev/.probe-null") : -1;
  errno = ENOSYS;
  return -2;
}

static int
cmd_syscall (char **argv)
{
  errno = 0;
  long r = try_syscall (argv[0]);
  if (r == -2)
    {
      fprintf (stderr, "probe: unknown syscall name `%s`\n", argv[0]);
      return 2;
    }
  printf ("errno=%d\n", r < 0 ? errno : 0);
  return 0;
}

static int
cmd_sleep (char **argv)
{
  unsigned n = (unsigned) strtoul (argv[0], NULL, 10);
  while (n > 0)
    n = sleep (n);
  return 0;
}

static int
cmd_exit (char **argv)
{
  fflush (stdout);
  _exit (atoi (argv[0]));
}

static int
cmd_write (char **argv)
{
  int fd = open (argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail ();
  size_t len = strlen (argv[1]);
  if (write (fd, argv[1], len) != (ssize_t) len)
    {
      close (fd);
      return fail ();
    }
  close (fd);
  printf ("errno=0\n");
  return 0;
}

static int
cmd_cat (char **argv)
{
  return print_file (argv[0]);
}

static int
cmd_stat (char **argv)
{
  struct stat st;
  if (stat (argv[0], &st) < 0)
    return fail ();
  const char *type = S_ISREG (st.st_mode) ? "reg" : S_ISDIR (st.st_mode) ? "dir"
                     : S_ISCHR (st.st_mode) ? "chr" : S_ISBLK (st.st_mode) ? "blk"
                     : S_ISFIFO (st.st_mode) ? "fifo" : S_ISSOCK (st.st_mode) ? "sock" : "lnk";
  printf ("type=%s major=%u minor=%u mode=%04o uid=%u gid=%u\n", type, major (st.st_rdev),
          minor (st.st_rdev), (unsigned) (st.st_mode & 07777), st.st_uid, st.st_gid);
  return 0;
}

static int
cmd_tty (char **argv)
{
  for (int fd = 0; fd <= 2; fd++)
    {
      printf ("isatty%d=%d\n", fd, isatty (fd));
      char *name = isatty (fd) ? ttyname (fd) : NULL;
      if (name)
        printf ("ttyname%d=%s\n", fd, name);
    }
  struct winsize ws;
  if (ioctl (0, TIOCGWINSZ, &ws) == 0)
    printf ("winsize=%u %u\n", ws.ws_row, ws.ws_col);
  pid_t fg = tcgetpgrp (0);
  if (fg > 0)
    printf ("foreground=%d\n", fg == getpgrp ());
  return 0;
}

/* signals [READYFILE]: block every signal, create READYFILE if given (a
 * test polls for it, so no signal is sent before it can be caught), print
 * `ready`, wait for one signal, print its number and exit 0.  Blocking
 * first closes the race where a signal arrives before a handler exists; it
 * also makes pid 1 of a pid namespace receive signals it would otherwise
 * ignore.  */
static int
cmd_signals (char **argv)
{
  sigset_t all;
  sigfillset (&all);
  sigprocmask (SIG_BLOCK, &all, NULL);
  if (argv[0] && argv[0][0] == '/')
    {
      int fd = open (argv[0], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0)
        return fail ();
      close (fd);
    }
  printf ("ready\n");
  fflush (stdout);
  int sig = sigwaitinfo (&all, NULL);
  if (sig < 0)
    return fail ();
  printf ("signal=%d\n", sig);
  return 0;
}

/* nargs value: one optional argument, taken when it is an absolute path.  */
#define OPT_PATH (-1)

static const struct
{
  const char *name;
  int nargs;
  int (*fn) (char **argv);
  const char *usage;
} commands[] = {
  { "ids", 0, cmd_ids, "real/effective/saved uid and gid, supplementary groups" },
  { "caps", 0, cmd_caps, "CapInh CapPrm CapEff CapBnd CapAmb (hex)" },
  { "nnp", 0, cmd_nnp, "NoNewPrivs" },
  { "seccomp", 0, cmd_seccomp, "Seccomp mode" },
  { "fds", 0, cmd_fds, "open fds: N=readlink target" },
  { "rlimits", 0, cmd_rlimits, "RLIMIT_X=soft hard" },
  { "ns", 0, cmd_ns, "namespace inode numbers" },
  { "cwd", 0, cmd_cwd, "working directory" },
  { "env", 0, cmd_env, "environment, one per line" },
  { "hostname", 0, cmd_hostname, "hostname" },
  { "domainname", 0, cmd_domainname, "NIS domain name" },
  { "umask", 0, cmd_umask, "umask (octal)" },
  { "mounts", 0, cmd_mounts, "/proc/self/mountinfo" },
  { "sched", 0, cmd_sched, "sched_getattr policy, priority, nice..." },
  { "ioprio", 0, cmd_ioprio, "io priority class and level" },
  { "personality", 0, cmd_personality, "execution domain (hex)" },
  { "oom", 0, cmd_oom, "oom_score_adj" },
  { "cgroup", 0, cmd_cgroup, "/proc/self/cgroup" },
  { "keyring", 0, cmd_keyring, "session keyring description (type;uid;gid;perm;name)" },
  { "dumpable", 0, cmd_dumpable, "PR_GET_DUMPABLE" },
  { "pid", 0, cmd_pid, "pid, ppid, sid, pgid" },
  { "syscall", 1, cmd_syscall, "NAME: errno=N of one call (getcwd mkdir chmod unshare "
                               "personality mount sethostname chroot setuid kill getpid "
                               "ptrace keyctl mknod clone3)" },
  { "sleep", 1, cmd_sleep, "N: sleep N seconds" },
  { "exit", 1, cmd_exit, "N: exit with status N" },
  { "write", 2, cmd_write, "PATH TEXT: write TEXT to PATH" },
  { "cat", 1, cmd_cat, "PATH: print a file" },
  { "stat", 1, cmd_stat, "PATH: type major minor mode uid gid" },
  { "tty", 0, cmd_tty, "isatty and ttyname of fds 0-2, window size" },
  { "signals", OPT_PATH, cmd_signals, "[/READYFILE]: wait for one signal, print signal=N" },
};

static void
usage (FILE *out)
{
  fprintf (out, "usage: probe SUBCOMMAND [ARGS] [SUBCOMMAND [ARGS]]...\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, commands[i].usage);
}

int
main (int argc, char **argv)
{
  int rc = 0;
  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  for (int i = 1; i < argc;)
    {
      size_t c;
      for (c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp (argv[i], commands[c].name) == 0)
          break;
      if (c == sizeof commands / sizeof commands[0])
        {
          if (strcmp (argv[i], "help") == 0 || strcmp (argv[i], "--help") == 0)
            {
              usage (stdout);
              return 0;
            }
          fprintf (stderr, "probe: unknown subcommand `%s`\n", argv[i]);
          usage (stderr);
          return 2;
        }
      int nargs = commands[c].nargs;
      if (nargs == OPT_PATH)
        nargs = i + 1 < argc && argv[i + 1][0] == '/' ? 1 : 0;
      if (nargs > argc - i - 1)
        {
          fprintf (stderr, "probe: `%s` needs %d argument(s)\n", argv[i], nargs);
          return 2;
        }
      int r = commands[c].fn (argv + i + 1);
      fflush (stdout);
      if (r != 0)
        rc = r;
      i += 1 + nargs;
    }
  return rc;
}
