/* Bind mount sources opened on the container's behalf.
 *
 * With a new user namespace, init resolves bind sources as the mapped root,
 * which has no rights over the host's files: a source below a 0700
 * directory fails with EACCES although the bundle's owner (host root) may
 * read it.  runc opens such sources before the process enters its user
 * namespace; callers (podman/CRI-O volumes under /var/lib/containers, whose
 * storage dirs are 0700) rely on it.
 *
 * The parent opens every bind source with its own credentials, but inside
 * the child's mount namespace (setns, then back): open_tree(OPEN_TREE_CLONE)
 * only clones a mount of the caller's own mount namespace, and a tree cloned
 * there keeps the locks the kernel put on the namespace's copy of the host
 * mounts (a container cannot unmount what covers a volume's submounts or
 * make a read-only host mount writable).  The O_PATH fds travel as
 * MOUNT_FD frames (sync.h) between USERNS and MAPPED; init binds from the
 * fd, never looking up the path itself.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "linux/linux.h"
#include "linux/rootfs_int.h"
#include "sync.h"
#include "util/cleanup.h"

/* Mount i's source path when init should get it as an fd, else NULL (and
 * no error).  Idmapped binds are made whole beforehand (mounts.c).  */
static char *
wanted_source (const struct sk_spec *spec, const char *bundle, size_t i, sk_error_t *err)
{
  const struct sk_mount *m = &spec->mounts[i];
  struct sk_mount_opts o;
  if (sk_mount_opts_parse (&m->options, &o, err) < 0)
    return NULL;
  bool want = (o.flags & MS_BIND) && !(o.flags & MS_REMOUNT) && !o.idmap && !o.ridmap
              && m->source != NULL;
  sk_mount_opts_free (&o);
  return want ? sk_mount_bind_source (bundle, m->source) : NULL;
}

static int
open_sources (const struct sk_spec *spec, const char *bundle, int *fds, sk_error_t *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      _cleanup_free_ char *src = wanted_source (spec, bundle, i, err);
      if (src == NULL && *err)
        return -1;
      if (src == NULL)
        continue;
      fds[i] = open (src, O_PATH | O_CLOEXEC);
      if (fds[i] < 0)
        return sk_error_set (err, errno, "bind mount source `%s`", src);
    }
  return 0;
}

/* Enter pid's mount namespace, open, come back (and to our cwd: setns
 * moves it to the namespace's root).  */
static int
open_in_child_ns (const struct sk_spec *spec, const char *bundle, pid_t pid, int *fds,
                  sk_error_t *err)
{
  char p[64];
  snprintf (p, sizeof p, "/proc/%d/ns/mnt", (int) pid);
  _cleanup_close_ int own = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_close_ int child = open (p, O_RDONLY | O_CLOEXEC);
  if (own < 0 || child < 0)
    return sk_error_set (err, errno, "open the mount namespace of the container");
  if (setns (child, CLONE_NEWNS) < 0)
    return sk_error_set (err, errno, "enter the mount namespace of the container");
  int r = open_sources (spec, bundle, fds, err);
  if (setns (own, CLONE_NEWNS) < 0)
    {
      /* Cannot happen short of a kernel bug; going on in the container's
       * namespace would be worse than stopping.  */
      sk_error_free (err);
      return sk_error_set (err, errno, "return to the runtime's mount namespace");
    }
  if (cwd >= 0 && fchdir (cwd) < 0)
    return sk_error_set (err, errno, "return to the working directory");
  return r;
}

int
sk_mount_sources_send (const struct sk_spec *spec, const char *bundle, pid_t pid, int sock,
                       sk_error_t *err)
{
  if (spec->n_mounts == 0)
    return 0;
  _cleanup_free_ int *fds = malloc (spec->n_mounts * sizeof *fds);
  if (fds == NULL)
    return sk_error_set (err, ENOMEM, "bind mount sources");
  for (size_t i = 0; i < spec->n_mounts; i++)
    fds[i] = -1;
  int r = open_in_child_ns (spec, bundle, pid, fds, err);
  for (size_t i = 0; r == 0 && i < spec->n_mounts; i++)
    if (fds[i] >= 0)
      r = sk_sync_send (sock, SK_SYNC_MOUNT_FD, (int64_t) i, NULL, fds[i], err);
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  return r;
}

int
sk_mount_sources_receive (struct sk_init_ctx *ctx, sk_error_t *err)
{
  const struct sk_spec *spec = ctx->spec;
  if (spec->n_mounts == 0)
    return 0;
  ctx->mount_src_fds = malloc (spec->n_mounts * sizeof *ctx->mount_src_fds);
  if (ctx->mount_src_fds == NULL)
    return sk_error_set (err, ENOMEM, "bind mount sources");
  for (size_t i = 0; i < spec->n_mounts; i++)
    ctx->mount_src_fds[i] = -1;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      /* The same rule as the parent's: both sides know which frames come.  */
      _cleanup_free_ char *src = wanted_source (spec, ctx->bundle, i, err);
      if (src == NULL && *err)
        return -1;
      if (src == NULL)
        continue;
      struct sk_sync_msg m;
      if (sk_sync_expect (ctx->sync_fd, SK_SYNC_MOUNT_FD, &m, err) < 0)
        return -1;
      if (m.value != (int64_t) i || m.fd < 0)
        {
          sk_sync_msg_clear (&m);
          return sk_error_set (err, EPROTO, "sync: MOUNT_FD for mount %lld, expected %zu",
                               (long long) m.value, i);
        }
      ctx->mount_src_fds[i] = m.fd;
      m.fd = -1;
      sk_sync_msg_clear (&m);
    }
  return 0;
}
