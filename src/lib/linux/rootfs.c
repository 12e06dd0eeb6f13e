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

/* The mount the rootfs lives on (the rootfs itself when it is a mount
 * point): its mount id differs from its parent directory's, or it is `/`.  */
static int
open_rootfs_mount (const char *rootfs, sk_error_t *err)
{
  _cleanup_close_ int fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "open rootfs `%s`", rootfs);
  for (;;)
    {
      struct statx self, up;
      if (statx (fd, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_INO, &self) < 0
          || statx (fd, "..", 0, STATX_MNT_ID | STATX_INO, &up) < 0)
        return sk_error_set (err, errno, "find the mount of rootfs `%s`", rootfs);
      bool is_root = self.stx_ino == up.stx_ino && self.stx_dev_major == up.stx_dev_major
        && self.stx_dev_minor == up.stx_dev_minor && self.stx_mnt_id == up.stx_mnt_id;
      if (is_root || self.stx_mnt_id != up.stx_mnt_id)
        return steal_fd (&fd);
      int parent = openat (fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (parent < 0)
        return sk_error_set (err, errno, "find the mount of rootfs `%s`", rootfs);
      close (fd);
      fd = parent;
    }
}

int
sk_rootfs_prepare (struct sk_init_ctx *ctx, sk_error_t *err)
{
  _cleanup_close_ int rootfd = -1;
  unsigned long prop;

  if (rootfs_propagation (ctx->spec, &prop, err) < 0)
    return -1;
  /* As runc (prepareRoot): the configured propagation goes on the whole
   * tree first, rslave when none is set.  With rshared the host's shared
   * mounts stay in the host's peer groups here, so a volume bound from
   * one joins that group and mounts flow both ways (CRI's Bidirectional
   * mount propagation: critest checks it).  Making `/` rslave first and
   * re-sharing later would leave such a volume `shared:N master:M`: a
   * slave of the host plus a new group, deaf towards the host.
   * unbindable waits until after pivot_root: the rootfs bind below must
   * not meet unbindable mounts.  */
  unsigned long base = prop ? prop : MS_SLAVE | MS_REC;
  if (prop & MS_UNBINDABLE)
    base = MS_PRIVATE | MS_REC;
  if (mount (NULL, "/", NULL, base, NULL) < 0)
    return sk_error_set (err, errno, "set the propagation of `/` (rootfsPropagation)");
  /* The mount holding the rootfs goes private (that one only), so the
   * rootfs bind below and everything mounted under it stays out of the
   * host's peer groups whatever the propagation (and pivot_root refuses
   * a shared parent).  The rootfs's own peer group, for `shared`, is made
   * after pivot_root (sk_rootfs_finalize): a new one, as the spec says.  */
  {
    _cleanup_close_ int mfd = open_rootfs_mount (ctx->rootfs, err);
    if (mfd < 0)
      return -1;
    char proc[64];
    snprintf (proc, sizeof proc, "/proc/self/fd/%d", mfd);
    if (mount (NULL, proc, NULL, MS_PRIVATE, NULL) < 0)
      return sk_error_set (err, errno, "make the mount of rootfs `%s` private", ctx->rootfs);
  }
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
      /* With rootfsPropagation shared the host's mounts are still peers
       * of ours: an unmount under a shared parent would propagate to the
       * host.  Every mount outside the rootfs becomes a slave first (not
       * recursively: the volumes under the rootfs keep theirs).  */
      if (!path_within (mp, rootfs) || strcmp (mp, rootfs) == 0)
        (void) mount (NULL, mp, NULL, MS_SLAVE, NULL);
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

/* Without a mount namespace of our own: enter the rootfs by chroot, which
 * changes nothing in the shared mount table.  */
int
sk_rootfs_chroot (struct sk_init_ctx *ctx, sk_error_t *err)
{
  _cleanup_close_ int newroot = open (ctx->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (newroot < 0)
    return sk_error_set (err, errno, "open rootfs `%s`", ctx->rootfs);
  if (fchdir (newroot) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return sk_error_set (err, errno, "chroot to rootfs `%s`", ctx->rootfs);
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
