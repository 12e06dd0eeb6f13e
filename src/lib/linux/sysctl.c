/* linux.sysctl (config-linux.md "Sysctl"): validation against the
 * namespaces that own each parameter, and the writes through the
 * container's /proc/sys.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include "linux/linux.h"
#include "linux/attrs.h"
#include "util/cleanup.h"
#include "util/fd.h"

/* NULL: the real /proc/sys, which must be on procfs.  */
static const char *sysctl_root;

void
sk_sysctl_set_root (const char *path)
{
  sysctl_root = path;
}

/* The sysctls the kernel namespaces, by owner (ipc_sysctl.c,
 * mq_sysctl.c, utsname_sysctl.c, and the per-netns net.* tree).  Anything
 * else is global: writing it from a container would change the host.  */
int
sk_sysctl_owner (const char *name)
{
  static const struct
  {
    const char *prefix;
    bool exact;
    enum sk_ns_type ns;
  } owners[] = {
    { "net.", false, SK_NS_NETWORK },
    { "kernel.shm", false, SK_NS_IPC },   /* shmmax shmall shmmni shm_rmid_forced shm_next_id */
    { "kernel.msg", false, SK_NS_IPC },   /* msgmax msgmni msgmnb msg_next_id */
    { "kernel.sem", false, SK_NS_IPC },   /* sem sem_next_id */
    { "fs.mqueue.", false, SK_NS_IPC },
    { "kernel.hostname", true, SK_NS_UTS },
    { "kernel.domainname", true, SK_NS_UTS },
  };
  for (size_t i = 0; i < sizeof owners / sizeof owners[0]; i++)
    {
      size_t n = strlen (owners[i].prefix);
      if (owners[i].exact ? strcmp (name, owners[i].prefix) == 0
                          : strncmp (name, owners[i].prefix, n) == 0)
        return owners[i].ns;
    }
  return -1;
}

/* Dotted names only: a `/` would let `net/../../sysrq-trigger`-style keys
 * walk the tree, and empty components make no sense.  */
static bool
valid_name (const char *name)
{
  if (*name == '\0' || *name == '.' || name[strlen (name) - 1] == '.')
    return false;
  if (strchr (name, '/') != NULL || strstr (name, "..") != NULL)
    return false;
  return true;
}

static const char *
ns_proc_name (enum sk_ns_type t)
{
  switch (t)
    {
    case SK_NS_NETWORK: return "net";
    case SK_NS_IPC: return "ipc";
    case SK_NS_UTS: return "uts";
    default: return NULL;
    }
}

static const char *
ns_label (enum sk_ns_type t)
{
  return t == SK_NS_NETWORK ? "network" : t == SK_NS_IPC ? "ipc" : "uts";
}

/* A joined namespace that is the runtime's own is no better than none.  */
static bool
is_host_ns (enum sk_ns_type t, const char *path)
{
  char self[64];
  struct stat a, b;
  snprintf (self, sizeof self, "/proc/self/ns/%s", ns_proc_name (t));
  if (stat (path, &a) < 0 || stat (self, &b) < 0)
    return false;   /* a bad path is reported by sk_ns_validate_paths */
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int
check_one (const struct sk_spec *spec, const char *name, sk_error_t *err)
{
  if (!valid_name (name))
    return sk_error_set (err, 0, "config.json: linux.sysctl: `%s`: invalid sysctl name", name);
  int owner = sk_sysctl_owner (name);
  if (owner < 0)
    return sk_error_set (err, 0,
                         "config.json: linux.sysctl: `%s`: not namespaced by the kernel "
                         "(setting it would change the host)", name);
  const char *path = NULL;
  switch (sk_attrs_ns_mode (spec, owner, &path))
    {
    case SK_NS_NEW:
      return 0;
    case SK_NS_JOINED:
      if (!is_host_ns (owner, path))
        return 0;
      return sk_error_set (err, 0,
                           "config.json: linux.sysctl: `%s`: the joined %s namespace `%s` "
                           "is the host's", name, ns_label (owner), path);
    default:
      return sk_error_set (err, 0,
                           "config.json: linux.sysctl: `%s`: requires a new or joined "
                           "%s namespace", name, ns_label (owner));
    }
}

int
sk_sysctl_validate (const struct sk_spec *spec, sk_error_t *err)
{
  if (spec->linux_ == NULL)
    return 0;
  const struct sk_kvs *s = &spec->linux_->sysctl;
  for (size_t i = 0; i < s->n; i++)
    {
      if (check_one (spec, s->v[i].key, err) < 0)
        return -1;
      if (s->v[i].value == NULL)
        return sk_error_set (err, 0, "config.json: linux.sysctl: `%s`: expected string",
                             s->v[i].key);
    }
  return 0;
}

/* Without openat2 (kernel < 5.6): walk the components without following
 * any symlink.  Names are validated, so there is no `..` to handle.  */
static int
open_beneath_fallback (int dirfd, const char *rel)
{
  _cleanup_free_ char *copy = strdup (rel);
  if (copy == NULL)
    return -1;
  _cleanup_close_ int cur = -1;
  char *save = NULL, *next = NULL;
  char *comp = strtok_r (copy, "/", &save);
  while (comp != NULL)
    {
      int at = cur >= 0 ? cur : dirfd;
      next = strtok_r (NULL, "/", &save);
      int fd = next != NULL
        ? openat (at, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        : openat (at, comp, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
      if (fd < 0)
        return -1;
      if (next == NULL)
        return fd;
      sk_closep (&cur);
      cur = fd;
      comp = next;
    }
  errno = ENOENT;
  return -1;
}

/* RESOLVE_NO_XDEV as well as NO_SYMLINKS: a bind mount planted over a
 * file below /proc/sys (say, /proc/sysrq-trigger on top of
 * net/ipv4/ip_forward) would otherwise receive our write.  The final fd is
 * checked to be procfs too.  CVE-2025-52881 class.  */
static int
open_param (int rootfd, const char *rel)
{
  struct open_how how = {
    .flags = O_WRONLY | O_NOCTTY | O_CLOEXEC,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS
               | RESOLVE_NO_XDEV,
  };
  int fd = syscall (SYS_openat2, rootfd, rel, &how, sizeof how);
  if (fd < 0 && errno == ENOSYS)
    fd = open_beneath_fallback (rootfd, rel);
  return fd;
}

static bool
on_procfs (int fd)
{
  struct statfs sfs;
  if (sysctl_root != NULL)
    return true;   /* unit tests use a plain directory tree */
  return fstatfs (fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static int
open_root (sk_error_t *err)
{
  const char *root = sysctl_root != NULL ? sysctl_root : "/proc/sys";
  struct open_how how = {
    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  int fd = syscall (SYS_openat2, AT_FDCWD, root, &how, sizeof how);
  if (fd < 0 && errno == ENOSYS)
    fd = open (root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "linux.sysctl: open `%s`", root);
  if (!on_procfs (fd))
    {
      close (fd);
      return sk_error_set (err, 0, "linux.sysctl: `%s` is not on procfs: refusing to write "
                           "sysctls through it", root);
    }
  return fd;
}

static int
write_param (int rootfd, const char *name, const char *value, sk_error_t *err)
{
  _cleanup_free_ char *rel = strdup (name);
  if (rel == NULL)
    return sk_error_set (err, ENOMEM, "linux.sysctl: `%s`", name);
  for (char *p = rel; *p; p++)
    if (*p == '.')
      *p = '/';
  _cleanup_close_ int fd = open_param (rootfd, rel);
  if (fd < 0 && errno == ENOENT)
    return sk_error_set (err, errno, "linux.sysctl: `%s`: no such kernel parameter "
                         "(/proc/sys/%s)", name, rel);
  if (fd < 0 && errno == EROFS)
    return sk_error_set (err, errno, "linux.sysctl: `%s`: /proc/sys is read-only here", name);
  if (fd < 0)
    return sk_error_set (err, errno, "linux.sysctl: open `/proc/sys/%s`", rel);
  if (!on_procfs (fd))
    return sk_error_set (err, 0, "linux.sysctl: `/proc/sys/%s` is not on procfs", rel);
  if (sk_write_all (fd, value, strlen (value)) < 0)
    return sk_error_set (err, errno, "linux.sysctl: write `%s` to `%s`", value, name);
  return 0;
}

/* After pivot_root, so /proc is the container's proc (its net, ipc and
 * uts namespaces), and before linux.readonlyPaths turns /proc/sys
 * read-only.  */
int
sk_sysctl_apply (const struct sk_spec *spec, sk_error_t *err)
{
  if (spec->linux_ == NULL || spec->linux_->sysctl.n == 0)
    return 0;
  _cleanup_close_ int rootfd = open_root (err);
  if (rootfd < 0)
    return -1;
  const struct sk_kvs *s = &spec->linux_->sysctl;
  for (size_t i = 0; i < s->n; i++)
    if (write_param (rootfd, s->v[i].key, s->v[i].value, err) < 0)
      return -1;
  return 0;
}
