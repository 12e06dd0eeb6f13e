/* The container's root: propagation, the rootfs bind, pivot_root, and the
 * after-pivot steps (readonlyPaths, maskedPaths, root.readonly).
 * config.md "Root"; config-linux.md "Rootfs Mount Propagation", "Masked
 * Paths", "Readonly Paths".  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "linux/linux.h"
#include "linux/rootfs_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* linux.rootfsPropagation -> MS_* (0 when absent).  The spec lists shared,
 * slave, private and unbindable; the r* forms are accepted as runc does.  */
static int
rootfs_propagation (const struct sk_spec *spec, unsigned long *flag, sk_error_t *err)
{
  static const struct { const char *name; unsigned long flag; } table[] = {
    { "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
    { "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
    { "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
  };
  const char *p = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;

  *flag = 0;
  if (p == NULL || *p == '\0')
    return 0;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp (table[i].name, p) == 0)
      {
        *flag = table[i].flag;
        return 0;
      }
  return sk_error_set (err, EINVAL, "config.json: linux.rootfsPropagation: unknown value `%s`", p);
}

int
sk_rootfs_prepare (struct sk_init_ctx *ctx, sk_error_t *err)
{
  _cleanup_close_ int rootfd = -1;
  unsigned long prop;

  if (rootfs_propagation (ctx->spec, &prop, err) < 0)
    return -1;
  /* Nothing done below may reach the host's mount table: slave by default
   * (host mounts still show up, ours never go back), private when asked.
   * `shared` is also slave here: the spec wants a new peer group, not one
   * shared with the host, and that is made after pivot_root.  */
  unsigned long base = (prop & (MS_PRIVATE | MS_UNBINDABLE)) ? MS_PRIVATE : MS_SLAVE;
  if (mount (NULL, "/", NULL, MS_REC | base, NULL) < 0)
    return sk_error_set (err, errno, "make `/` %s", base == MS_PRIVATE ? "rprivate" : "rslave");
  /* pivot_root needs the new root to be a mount point.  */
  if (mount (ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return sk_error_set (err, errno, "bind mount rootfs `%s`", ctx->rootfs);
  rootfd = open (ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return sk_error_set (err, errno, "open rootfs `%s`", ctx->rootfs);
  if (sk_mounts_apply (ctx, rootfd, err) < 0)
    return -1;
  return sk_devices_setup (ctx, rootfd, err);
}

/* ---- pivot ------------------------------------------------------------ */

static bool
path_within (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  if (n == 1 && dir[0] == '/')
    return true;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* --no-pivot keeps the old root's mounts in the namespace, under the
 * chroot.  Detach those that are neither above nor below the rootfs so a
 * chroot escape finds as little of the host as possible; failures are
 * harmless (the mount stays hidden under the chroot).  */
static void
detach_host_mounts (const char *rootfs)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  char line[4096], mp[4096];
  char **v = NULL;
  size_t n = 0;

  while (f && fgets (line, sizeof line, f))
    {
      if (sscanf (line, "%*s %*s %*s %*s %4095s", mp) != 1)
        continue;
      if (path_within (rootfs, mp) || path_within (mp, rootfs))
        continue;
      char **nv = realloc (v, (n + 1) * sizeof *v);
      if (nv == NULL)
        break;
      v = nv;
      v[n] = strdup (mp);
      if (v[n])
        n++;
    }
  /* Deepest last in mountinfo order: detach in reverse.  */
  while (n > 0)
    {
      umount2 (v[--n], MNT_DETACH);
      free (v[n]);
    }
  free (v);
}

static int
move_root (struct sk_init_ctx *ctx, int newroot, sk_error_t *err)
{
  if (fchdir (newroot) < 0)
    return sk_error_set (err, errno, "chdir to rootfs `%s`", ctx->rootfs);
  detach_host_mounts (ctx->rootfs);
  if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
    return sk_error_set (err, errno, "move rootfs `%s` to `/`", ctx->rootfs);
  if (chroot (".") < 0)
    return sk_error_set (err, errno, "chroot to rootfs `%s`", ctx->rootfs);
  if (chdir ("/") < 0)
    return sk_error_set (err, errno, "chdir `/`");
  return 0;
}

int
sk_rootfs_pivot (struct sk_init_ctx *ctx, sk_error_t *err)
{
  _cleanup_close_ int newroot = open (ctx->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int oldroot = -1;

  if (newroot < 0)
    return sk_error_set (err, errno, "open rootfs `%s`", ctx->rootfs);
  if (ctx->no_pivot)
    return move_root (ctx, newroot, err);
  oldroot = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0)
    return sk_error_set (err, errno, "open `/`");
  /* pivot_root(".", "."): the old root is stacked on top of the new one
   * and detached right after, so no directory for it is needed inside the
   * image.  */
  if (fchdir (newroot) < 0)
    return sk_error_set (err, errno, "chdir to rootfs `%s`", ctx->rootfs);
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    {
      if (errno == EINVAL)
        return sk_error_set (err, errno, "pivot_root into `%s` (on a ramfs or initramfs "
                             "root, use --no-pivot)", ctx->rootfs);
      return sk_error_set (err, errno, "pivot_root into `%s`", ctx->rootfs);
    }
  if (fchdir (oldroot) < 0)
    return sk_error_set (err, errno, "chdir to the old root");
  /* rslave first: the detach must not propagate to the host's mounts.  */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return sk_error_set (err, errno, "make the old root rslave");
  if (umount2 (".", MNT_DETACH) < 0)
    return sk_error_set (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return sk_error_set (err, errno, "chdir `/`");
  return 0;
}

/* ---- after pivot ------------------------------------------------------ */

static int
readonly_paths (int rootfd, const struct sk_strv *paths, sk_error_t *err)
{
  for (size_t i = 0; i < paths->n; i++)
    {
      const char *path = paths->v[i];
      _cleanup_close_ int fd = sk_open_in_root_errno (rootfd, path, O_PATH, 0);
      _cleanup_close_ int tree = -1;
      struct mount_attr a = {
        .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
      };

      if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
        continue;
      if (fd < 0)
        return sk_error_set (err, errno, "readonlyPaths: open `%s`", path);
      /* Bind onto itself, recursively read-only: set on the detached copy,
       * so the flags a user namespace locks are kept instead of EPERM.  */
      tree = open_tree (fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
      if (tree < 0)
        return sk_error_set (err, errno, "readonlyPaths: bind `%s`", path);
      if (mount_setattr (tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
        return sk_error_set (err, errno, "readonlyPaths: make `%s` read-only", path);
      if (sk_move_mount_onto (tree, fd, path, err) < 0)
        return -1;
    }
  return 0;
}

/* The node masked files are covered with.  It is the container's
 * /dev/null, opened once without following a symlink and checked to be the
 * character device 1:3: an image (or a container sharing /dev) that puts a
 * symlink or a file there must not make us bind something else over
 * /proc/... (CVE-2025-31133).  The mounts use this fd, never the path.  */
static int
open_dev_null (int rootfd, sk_error_t *err)
{
  _cleanup_close_ int fd = sk_open_in_root_errno (rootfd, "/dev/null", O_PATH | O_NOFOLLOW, 0);
  struct stat st;

  if (fd < 0)
    return sk_error_set (err, errno, "maskedPaths: open `/dev/null`");
  if (fstat (fd, &st) < 0)
    return sk_error_set (err, errno, "maskedPaths: stat `/dev/null`");
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    return sk_error_set (err, EPERM, "maskedPaths: `/dev/null` in the container is not the "
                         "null device (1:3), refusing to mask with it");
  return steal_fd (&fd);
}

/* A read-only empty tmpfs over a masked directory.  */
static int
mask_dir (int fd, const char *path, sk_error_t *err)
{
  _cleanup_close_ int fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  _cleanup_close_ int mnt = -1;

  if (fs < 0 || fsconfig (fs, FSCONFIG_SET_STRING, "size", "0", 0) < 0
      || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return sk_error_set (err, errno, "maskedPaths: tmpfs for `%s`", path);
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                 | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    return sk_error_set (err, errno, "maskedPaths: tmpfs for `%s`", path);
  return sk_move_mount_onto (mnt, fd, path, err);
}

static int
masked_paths (int rootfd, const struct sk_strv *paths, sk_error_t *err)
{
  _cleanup_close_ int null = -1;

  for (size_t i = 0; i < paths->n; i++)
    {
      const char *path = paths->v[i];
      _cleanup_close_ int fd = sk_open_in_root_errno (rootfd, path, O_PATH, 0);
      struct stat st;

      /* Masking what does not exist is a no-op (runc, crun).  */
      if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
        continue;
      if (fd < 0 || fstat (fd, &st) < 0)
        return sk_error_set (err, errno, "maskedPaths: open `%s`", path);
      if (S_ISDIR (st.st_mode))
        {
          if (mask_dir (fd, path, err) < 0)
            return -1;
          continue;
        }
      if (null < 0 && (null = open_dev_null (rootfd, err)) < 0)
        return -1;
      if (sk_bind_fd_onto (null, false, fd, path, err) < 0)
        return sk_error_prefix (err, "maskedPaths");
    }
  return 0;
}

int
sk_rootfs_finalize (struct sk_init_ctx *ctx, sk_error_t *err)
{
  const struct sk_linux *l = ctx->spec->linux_;
  _cleanup_close_ int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  unsigned long prop;

  if (rootfd < 0)
    return sk_error_set (err, errno, "open `/`");
  if (rootfs_propagation (ctx->spec, &prop, err) < 0)
    return -1;
  /* readonlyPaths before maskedPaths, as runc: a mask inside a read-only
   * tree (/proc/sys/...) is still applied.  */
  if (l && readonly_paths (rootfd, &l->readonly_paths, err) < 0)
    return -1;
  if (l && masked_paths (rootfd, &l->masked_paths, err) < 0)
    return -1;
  if (ctx->spec->root && ctx->spec->root->readonly)
    {
      /* Not recursive: /proc, /dev, volumes keep their own flags.  */
      struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (rootfd, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
        return sk_error_set (err, errno, "make the root filesystem read-only");
    }
  if (prop && mount (NULL, "/", NULL, prop, NULL) < 0)
    return sk_error_set (err, errno, "set rootfsPropagation on `/`");
  return 0;
}

int
sk_rootfs_dev_readonly (struct sk_init_ctx *ctx, sk_error_t *err)
{
  if (!ctx->dev_readonly)
    return 0;
  _cleanup_close_ int fd = open ("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  /* Not recursive: /dev/pts, /dev/shm, /dev/mqueue keep their own flags
   * (a read-only devpts would make every pty unusable).  */
  struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
  if (fd < 0)
    return sk_error_set (err, errno, "open `/dev`");
  if (mount_setattr (fd, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
    return sk_error_set (err, errno, "remount `/dev` read-only");
  return 0;
}
