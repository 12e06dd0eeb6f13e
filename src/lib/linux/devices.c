/* Device nodes in the container (config-linux.md "Devices", "Default
 * Devices"): the default set, /dev/pts, /dev/ptmx, the /dev/fd family of
 * symlinks, and linux.devices.
 *
 * Nodes are made with mknodat on a single name under a parent directory
 * resolved inside the rootfs, after an lstat of that name: a symlink the
 * image planted at /dev/null (or anywhere else) is never followed, and an
 * existing file that is not the requested device is an error (config-linux.md:
 * "the runtime MUST generate an error").  Inside a user namespace mknod is
 * EPERM for devices, so the host's node is bind-mounted onto an empty
 * file instead.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "linux/linux.h"
#include "linux/rootfs_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct dev
{
  const char *path;
  char type;                 /* 'c', 'b', 'u', 'p' */
  dev_t rdev;
  mode_t perm;
  uid_t uid;
  gid_t gid;
};

static mode_t
dev_ifmt (char type)
{
  return type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
}

static bool
matches (const struct stat *st, const struct dev *d)
{
  mode_t ifmt = dev_ifmt (d->type);
  return (st->st_mode & S_IFMT) == ifmt && (ifmt == S_IFIFO || st->st_rdev == d->rdev);
}

/* Inside a user namespace: an empty file with the host's node bound on it.
 * The host node is opened and checked first, so a host path that is not
 * the requested device is refused rather than exposed.  */
static int
bind_host_node (int parent, const char *name, const struct dev *d, sk_error_t *err)
{
  _cleanup_close_ int host = open (d->path, O_PATH | O_CLOEXEC);
  _cleanup_close_ int target = -1;
  struct stat st;
  int fd;

  if (host < 0 || fstat (host, &st) < 0)
    return sk_error_set (err, errno, "device `%s`: mknod is not allowed in a user namespace "
                         "and the host has no such node to bind", d->path);
  if (!matches (&st, d))
    return sk_error_set (err, EINVAL, "device `%s`: the host's node is not %u:%u", d->path,
                         major (d->rdev), minor (d->rdev));
  fd = openat (parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
  if (fd < 0)
    return sk_error_set (err, errno, "device `%s`: create the bind target", d->path);
  close (fd);
  target = openat (parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return sk_error_set (err, errno, "device `%s`", d->path);
  return sk_bind_fd_onto (host, false, target, d->path, err);
}

static int
make_node (int parent, const char *name, const struct dev *d, bool userns, sk_error_t *err)
{
  mode_t ifmt = dev_ifmt (d->type);

  if (!userns || ifmt == S_IFIFO)
    {
      /* umask would otherwise cut fileMode down.  */
      mode_t old = umask (0);
      int r = mknodat (parent, name, ifmt | (d->perm & 07777), d->rdev);
      int e = errno;
      umask (old);
      if (r == 0)
        {
          if (fchownat (parent, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
            return sk_error_set (err, errno, "chown device `%s`", d->path);
          return 0;
        }
      if (e != EPERM || ifmt == S_IFIFO)
        return sk_error_set (err, e, "mknod `%s`", d->path);
    }
  return bind_host_node (parent, name, d, err);
}

static int
create_device (int rootfd, const struct dev *d, bool userns, sk_error_t *err)
{
  _cleanup_free_ char *name = NULL;
  _cleanup_close_ int parent = sk_open_parent_in_root (rootfd, d->path, 0755, &name, err);
  struct stat st;

  if (parent < 0)
    return -1;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (!matches (&st, d))
        return sk_error_set (err, EEXIST, "device `%s`: a file that is not the requested "
                             "device already exists there", d->path);
      /* The image already has it (no tmpfs on /dev): keep it, with the
       * requested mode and owner when we may set them.  */
      if (fchmodat (parent, name, d->perm & 07777, 0) < 0 && errno != EPERM && errno != EROFS)
        return sk_error_set (err, errno, "chmod device `%s`", d->path);
      if (fchownat (parent, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM
          && errno != EROFS && errno != EINVAL)
        return sk_error_set (err, errno, "chown device `%s`", d->path);
      return 0;
    }
  if (errno != ENOENT)
    return sk_error_set (err, errno, "device `%s`", d->path);
  return make_node (parent, name, d, userns, err);
}

static bool
in_config_devices (const struct sk_spec *spec, const char *path)
{
  for (size_t i = 0; spec->linux_ && i < spec->linux_->n_devices; i++)
    if (spec->linux_->devices[i].path && strcmp (spec->linux_->devices[i].path, path) == 0)
      return true;
  return false;
}

static const struct dev default_devices[] = {
  { "/dev/null", 'c', 0, 0666, 0, 0 },
  { "/dev/zero", 'c', 0, 0666, 0, 0 },
  { "/dev/full", 'c', 0, 0666, 0, 0 },
  { "/dev/random", 'c', 0, 0666, 0, 0 },
  { "/dev/urandom", 'c', 0, 0666, 0, 0 },
  { "/dev/tty", 'c', 0, 0666, 0, 0 },
};
static const unsigned default_numbers[][2] = {
  { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, { 5, 0 },
};

static int
create_devices (const struct sk_spec *spec, int rootfd, sk_error_t *err)
{
  bool userns = sk_spec_in_userns (spec);

  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
    {
      struct dev d = default_devices[i];
      d.rdev = makedev (default_numbers[i][0], default_numbers[i][1]);
      if (!in_config_devices (spec, d.path) && create_device (rootfd, &d, userns, err) < 0)
        return -1;
    }
  for (size_t i = 0; spec->linux_ && i < spec->linux_->n_devices; i++)
    {
      const struct sk_device *c = &spec->linux_->devices[i];
      struct dev d = {
        .path = c->path, .type = c->type,
        .rdev = c->type == 'p' ? 0 : makedev ((unsigned) c->major, (unsigned) c->minor),
        /* runc's default when fileMode is absent.  */
        .perm = c->has_file_mode ? c->file_mode : 0666,
        .uid = c->has_uid ? c->uid : 0,
        .gid = c->has_gid ? c->gid : 0,
      };
      if (d.path == NULL || strchr ("cbup", d.type) == NULL)
        return sk_error_set (err, EINVAL, "config.json: linux.devices[%zu]: invalid device", i);
      if (create_device (rootfd, &d, userns, err) < 0)
        return -1;
    }
  return 0;
}

/* A devpts of our own (newinstance is implicit since Linux 4.7): ptys of
 * the container are not the host's.  gid=5 (tty) only when the user
 * namespace maps it.  */
static int
mount_devpts (int rootfd, sk_error_t *err)
{
  _cleanup_close_ int fd = sk_mkdir_p_in_root (rootfd, "/dev/pts", 0755, err);
  char p[32];

  if (fd < 0)
    return -1;
  sk_fd_path (fd, p);
  if (mount ("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC,
             "newinstance,ptmxmode=0666,mode=0620,gid=5") == 0)
    return 0;
  if (errno == EINVAL
      && mount ("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") == 0)
    return 0;
  return sk_error_set (err, errno, "mount `devpts` on `/dev/pts`");
}

/* /dev/ptmx -> pts/ptmx, replacing what the image had (a host-style ptmx
 * node would hand out ptys of the wrong devpts instance).  */
static int
setup_ptmx (int rootfd, sk_error_t *err)
{
  _cleanup_close_ int dev = sk_mkdir_p_in_root (rootfd, "/dev", 0755, err);
  if (dev < 0)
    return -1;
  if (unlinkat (dev, "ptmx", 0) < 0 && errno != ENOENT)
    return sk_error_set (err, errno, "remove `/dev/ptmx`");
  if (symlinkat ("pts/ptmx", dev, "ptmx") < 0)
    return sk_error_set (err, errno, "symlink `/dev/ptmx`");
  return 0;
}

static int
setup_symlinks (int rootfd, sk_error_t *err)
{
  static const char *const links[][2] = {
    { "/proc/self/fd", "fd" },
    { "/proc/self/fd/0", "stdin" },
    { "/proc/self/fd/1", "stdout" },
    { "/proc/self/fd/2", "stderr" },
    { "/proc/kcore", "core" },
  };
  _cleanup_close_ int dev = sk_mkdir_p_in_root (rootfd, "/dev", 0755, err);

  if (dev < 0)
    return -1;
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    {
      /* /dev/core only where the kernel has /proc/kcore (as runc).  */
      if (strcmp (links[i][1], "core") == 0 && access ("/proc/kcore", F_OK) < 0)
        continue;
      if (symlinkat (links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
        return sk_error_set (err, errno, "symlink `/dev/%s`", links[i][1]);
    }
  return 0;
}

int
sk_devices_setup (struct sk_init_ctx *ctx, int rootfd, sk_error_t *err)
{
  const struct sk_spec *spec = ctx->spec;

  if (create_devices (spec, rootfd, err) < 0)
    return -1;
  if (!sk_mounts_has_dest (spec, "/dev/pts") && mount_devpts (rootfd, err) < 0)
    return -1;
  if (!in_config_devices (spec, "/dev/ptmx") && setup_ptmx (rootfd, err) < 0)
    return -1;
  return setup_symlinks (rootfd, err);
}
