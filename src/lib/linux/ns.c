/* Namespaces: validating and joining `linux.namespaces[].path`.
 * Creating new namespaces is spawn.c's business (clone3 flags or unshare).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include "linux/linux.h"
#include "util/cleanup.h"

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif
#ifndef NSFS_MAGIC
# define NSFS_MAGIC 0x6e736673
#endif

static const int ns_flags[SK_NS__COUNT] = {
  [SK_NS_PID] = CLONE_NEWPID,
  [SK_NS_NETWORK] = CLONE_NEWNET,
  [SK_NS_MOUNT] = CLONE_NEWNS,
  [SK_NS_IPC] = CLONE_NEWIPC,
  [SK_NS_UTS] = CLONE_NEWUTS,
  [SK_NS_USER] = CLONE_NEWUSER,
  [SK_NS_CGROUP] = CLONE_NEWCGROUP,
  [SK_NS_TIME] = CLONE_NEWTIME,
};

int
sk_ns_flag (enum sk_ns_type t)
{
  return ns_flags[t];
}

/* Open a namespace file and check that it is one, of the right type.
 * NS_GET_NSTYPE needs 4.11; the nsfs magic check catches a plain file or a
 * directory named like a namespace.  */
static int
open_ns (const struct sk_namespace *ns, size_t i, sk_error_t *err)
{
  _cleanup_close_ int fd = open (ns->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "config.json: linux.namespaces[%zu].path: open `%s`", i,
                         ns->path);
  struct statfs sfs;
  if (fstatfs (fd, &sfs) < 0 || (unsigned long) sfs.f_type != NSFS_MAGIC)
    return sk_error_set (err, 0,
                         "config.json: linux.namespaces[%zu].path: `%s` is not a namespace file",
                         i, ns->path);
  int type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0)
    return sk_error_set (err, errno, "config.json: linux.namespaces[%zu].path: `%s`", i,
                         ns->path);
  if (type != ns_flags[ns->type])
    return sk_error_set (err, 0,
                         "config.json: linux.namespaces[%zu].path: `%s` is not a %s namespace",
                         i, ns->path, sk_ns_type_name (ns->type));
  return steal_fd (&fd);
}

int
sk_ns_validate_paths (const struct sk_spec *spec, sk_error_t *err)
{
  if (spec->linux_ == NULL)
    return 0;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
    {
      const struct sk_namespace *ns = &spec->linux_->namespaces[i];
      if (ns->path == NULL)
        continue;
      int fd = open_ns (ns, i, err);
      if (fd < 0)
        return -1;
      close (fd);
    }
  return 0;
}

int
sk_ns_join_paths (const struct sk_spec *spec, sk_error_t *err)
{
  if (spec->linux_ == NULL)
    return 0;
  size_t n = spec->linux_->n_namespaces;
  int fds[SK_NS__COUNT];
  for (int t = 0; t < SK_NS__COUNT; t++)
    fds[t] = -1;
  int rc = -1;
  /* Open every file first: after joining a mount namespace the paths
   * would resolve in it, not in ours.  */
  for (size_t i = 0; i < n; i++)
    {
      const struct sk_namespace *ns = &spec->linux_->namespaces[i];
      if (ns->path == NULL)
        continue;
      if ((fds[ns->type] = open_ns (ns, i, err)) < 0)
        goto out;
    }
  /* The user namespace first: the others are normally owned by it, and
   * joining them needs CAP_SYS_ADMIN there.  Mount last: nothing after it
   * needs our old root.  */
  static const enum sk_ns_type order[] = {
    SK_NS_USER, SK_NS_PID, SK_NS_TIME, SK_NS_NETWORK, SK_NS_IPC, SK_NS_UTS, SK_NS_CGROUP,
    SK_NS_MOUNT,
  };
  for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
    {
      enum sk_ns_type t = order[k];
      if (fds[t] < 0)
        continue;
      if (setns (fds[t], ns_flags[t]) < 0)
        {
          sk_error_set (err, errno, "join %s namespace `%s`", sk_ns_type_name (t),
                        sk_spec_namespace (spec, t)->path);
          goto out;
        }
    }
  rc = 0;
out:
  for (int t = 0; t < SK_NS__COUNT; t++)
    if (fds[t] >= 0)
      close (fds[t]);
  return rc;
}
