/* The kernel's floor for `run` of a trivial container: what skiff does for
 * the default `skiff spec` config, with no runtime logic around it (no
 * config parsing, state, sync protocol, validation, security setup).
 *
 *   floor BUNDLE_ROOTFS CGROUP_NAME
 *
 * Parent: create the container's cgroup in every v1 hierarchy mounted under
 * /sys/fs/cgroup (and the unified one when cgroup2 is mounted there or at
 * /sys/fs/cgroup), clone with new pid, mount, uts, ipc, net and cgroup
 * namespaces, put the child in the cgroups, let it go, wait, remove the
 * cgroups.  Child: private propagation, bind the rootfs, mount /proc,
 * /dev (tmpfs), /dev/pts, /dev/shm, /dev/mqueue, /sys (ro), pivot_root,
 * detach the old root, exec /bin/true.  Errors exit 1 with a message: it is
 * a benchmark baseline, not a runtime.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char *rootfs;
static int go[2];
static char dirs[32][256];
static int ndirs;
static const char *cgname;

static void die (const char *what) __attribute__ ((noreturn));

/* Remove the cgroups made so far (also when a step fails).  */
static void
remove_cgroups (void)
{
  char path[512];
  for (int i = 0; i < ndirs; i++)
    if (snprintf (path, sizeof path, "%s/%s", dirs[i], cgname) < (int) sizeof path)
      rmdir (path);
}

/* A new cpuset cgroup starts with empty cpus and mems: the kernel refuses
 * tasks until they are filled (from the parent, as runtimes do).  */
static void
fill_cpuset (const char *dir, const char *cg)
{
  static const char *files[] = { "cpuset.cpus", "cpuset.mems" };
  char path[512], val[256];
  for (int i = 0; i < 2; i++)
    {
      snprintf (path, sizeof path, "%s/%s", dir, files[i]);
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return;     /* not a cpuset hierarchy */
      ssize_t n = read (fd, val, sizeof val - 1);
      close (fd);
      if (n <= 0)
        return;
      snprintf (path, sizeof path, "%s/%s/%s", dir, cg, files[i]);
      fd = open (path, O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write (fd, val, (size_t) n) < 0)
        die (path);
      close (fd);
    }
}

static void
die (const char *what)
{
  fprintf (stderr, "floor: %s: %s\n", what, strerror (errno));
  exit (1);
}

static void
mnt (const char *src, const char *dst, const char *type, unsigned long fl, const char *data)
{
  if (mount (src, dst, type, fl, data) < 0)
    die (dst);
}

static int
child (void *arg)
{
  (void) arg;
  char c;
  close (go[1]);
  if (read (go[0], &c, 1) != 1)
    _exit (1);
  mnt (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  mnt (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
  if (chdir (rootfs) < 0)
    die ("chdir");
  mkdir ("proc", 0555); mkdir ("dev", 0755); mkdir ("sys", 0555);
  mnt ("proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  mnt ("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  mkdir ("dev/pts", 0755); mkdir ("dev/shm", 01777); mkdir ("dev/mqueue", 0755);
  mnt ("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
  mnt ("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
  mnt ("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  mnt ("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    die ("pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    die ("umount old root");
  if (chdir ("/") < 0)
    die ("chdir /");
  char *argv[] = { "/bin/true", NULL };
  execv (argv[0], argv);
  die ("exec /bin/true");
  return 1;
}

/* Every cgroup hierarchy's mount point: v1 controllers and named
 * hierarchies under /sys/fs/cgroup, plus cgroup2 (unified or pure).  */
static int
hierarchies (int max)
{
  int n = 0;
  FILE *f = fopen ("/proc/self/mounts", "re");
  char src[256], dst[256], type[64];
  if (f == NULL)
    die ("/proc/self/mounts");
  while (n < max && fscanf (f, "%255s %255s %63s %*s %*d %*d", src, dst, type) == 3)
    if (strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0)
      snprintf (dirs[n++], 256, "%s", dst);
  fclose (f);
  return n;
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: floor ROOTFS CGROUP_NAME\n");
      return 2;
    }
  rootfs = argv[1];
  cgname = argv[2];
  if (strlen (cgname) > 64 || strchr (cgname, '/'))
    {
      fprintf (stderr, "floor: bad cgroup name\n");
      return 2;
    }
  char path[512];
  int n = hierarchies (32);
  atexit (remove_cgroups);
  for (int i = 0; i < n; i++)
    {
      snprintf (path, sizeof path, "%s/%s", dirs[i], cgname);
      if (mkdir (path, 0755) < 0)
        die (path);
      ndirs = i + 1;
      fill_cpuset (dirs[i], cgname);
    }
  if (pipe2 (go, O_CLOEXEC) < 0)
    die ("pipe");
  static char stack[64 * 1024] __attribute__ ((aligned (16)));
  pid_t pid = clone (child, stack + sizeof stack,
                     CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET
                     | CLONE_NEWCGROUP | SIGCHLD, NULL);
  if (pid < 0)
    die ("clone");
  close (go[0]);
  for (int i = 0; i < n; i++)
    {
      snprintf (path, sizeof path, "%s/%s/cgroup.procs", dirs[i], cgname);
      int fd = open (path, O_WRONLY | O_CLOEXEC);
      if (fd < 0 || dprintf (fd, "%d", pid) < 0)
        die (path);
      close (fd);
    }
  if (write (go[1], "x", 1) != 1)
    die ("release the child");
  int st;
  if (waitpid (pid, &st, 0) < 0)
    die ("waitpid");
  return WIFEXITED (st) ? WEXITSTATUS (st) : 1;
}
