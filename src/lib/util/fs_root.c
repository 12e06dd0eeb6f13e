/* Path resolution inside a root directory (the container rootfs).
 *
 * Every path that comes from config.json or from the image is resolved
 * here so that neither an absolute symlink, nor `..`, nor a symlink swapped
 * in by a racing process can make the runtime touch a host path
 * (CVE-2021-30465 and its relatives).  The kernel does it for us with
 * openat2(RESOLVE_IN_ROOT); older kernels get a component-by-component walk
 * that opens every component with O_NOFOLLOW and expands symlinks by hand,
 * treating their targets as paths inside the root.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_LINUX_OPENAT2_H
# include <linux/openat2.h>
#endif
#include "util/cleanup.h"
#include "util/fs.h"

/* Same limit as the kernel's MAXSYMLINKS.  */
#define SK_MAX_SYMLINKS 40

#ifndef RESOLVE_IN_ROOT
# define RESOLVE_NO_MAGICLINKS 0x02
# define RESOLVE_IN_ROOT 0x10
struct open_how
{
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};
#endif
#ifndef SYS_openat2
# define SYS_openat2 437
#endif

/* Set once openat2 is known to be missing (ENOSYS), so the walk is used
 * directly afterwards.  Tests set it to exercise the fallback.  */
bool sk_fs_root_force_walk = false;

static int
openat2_in_root (int rootfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
    /* Magic links (/proc/self/fd/N, /proc/self/root) jump anywhere: the
     * image has no business pointing at them.  */
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  for (int tries = 0; tries < 32; tries++)
    {
      int fd = (int) syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      /* EAGAIN: a concurrent rename made the kernel give up on `..`
       * checking; retrying is what the man page asks for.  */
      if (fd >= 0 || errno != EAGAIN)
        return fd;
    }
  return -1;
}

/* ---- the fallback walk ------------------------------------------------ */

struct walk
{
  int *dirs;        /* dirs[0] is the root, dirs[depth] the current dir */
  size_t depth;
  size_t cap;
};

static void
walk_free (struct walk *w)
{
  for (size_t i = 0; w->dirs && i <= w->depth; i++)
    if (w->dirs[i] >= 0)
      close (w->dirs[i]);
  free (w->dirs);
  w->dirs = NULL;
}

static int
walk_push (struct walk *w, int fd)
{
  if (w->depth + 1 >= w->cap)
    {
      size_t cap = w->cap ? w->cap * 2 : 16;
      int *d = realloc (w->dirs, cap * sizeof *d);
      if (d == NULL)
        {
          close (fd);
          errno = ENOMEM;
          return -1;
        }
      w->dirs = d;
      w->cap = cap;
    }
  w->dirs[++w->depth] = fd;
  return 0;
}

static void
walk_to_root (struct walk *w)
{
  while (w->depth > 0)
    close (w->dirs[w->depth--]);
}

/* Replace *rest by TARGET + "/" + REMAINING (the unconsumed part).  */
static int
splice_link (char **rest, const char *target, const char *remaining)
{
  char *n = NULL;
  if (asprintf (&n, "%s/%s", target, remaining) < 0)
    {
      errno = ENOMEM;
      return -1;
    }
  free (*rest);
  *rest = n;
  return 0;
}

/* Expand the symlink NAME in the current dir: push its target in front of
 * what is left to resolve.  An absolute target restarts at the root, not
 * at the host's `/`.  */
static int
walk_follow (struct walk *w, const char *name, char **rest, const char *remaining,
             int *links)
{
  char target[PATH_MAX];
  ssize_t n;

  if (++*links > SK_MAX_SYMLINKS)
    {
      errno = ELOOP;
      return -1;
    }
  n = readlinkat (w->dirs[w->depth], name, target, sizeof target - 1);
  if (n < 0)
    return -1;
  target[n] = '\0';
  if (target[0] == '/')
    walk_to_root (w);
  return splice_link (rest, target, remaining);
}

int
sk_open_in_root_walk (int rootfd, const char *path, int flags, mode_t mode)
{
  struct walk w = { 0 };
  _cleanup_free_ char *rest = strdup (path);
  int links = 0, ret = -1;

  w.cap = 16;
  w.dirs = malloc (w.cap * sizeof *w.dirs);
  if (rest == NULL || w.dirs == NULL)
    {
      errno = ENOMEM;
      goto out;
    }
  w.dirs[0] = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (w.dirs[0] < 0)
    goto out;

  for (;;)
    {
      char *comp = rest, *end, *remaining;
      bool last;
      struct stat st;

      while (*comp == '/')
        comp++;
      if (*comp == '\0')
        {
          ret = openat (w.dirs[w.depth], ".", flags | O_CLOEXEC, mode);
          goto out;
        }
      end = strchrnul (comp, '/');
      remaining = end;
      while (*remaining == '/')
        remaining++;
      last = *remaining == '\0';
      if (*end)
        *end = '\0';

      if (strcmp (comp, ".") == 0 || strcmp (comp, "..") == 0)
        {
          /* `..` at the root stays at the root, as chroot does.  */
          if (comp[1] == '.' && w.depth > 0)
            close (w.dirs[w.depth--]);
        }
      else if (fstatat (w.dirs[w.depth], comp, &st, AT_SYMLINK_NOFOLLOW) == 0
               && S_ISLNK (st.st_mode)
               && !(last && (flags & (O_NOFOLLOW | O_EXCL))))
        {
          if (walk_follow (&w, comp, &rest, remaining, &links) < 0)
            goto out;
          continue;
        }
      else if (last)
        {
          /* O_NOFOLLOW: if the name became a symlink since fstatat, fail
           * (ELOOP) rather than follow it out of the root.  */
          ret = openat (w.dirs[w.depth], comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
          goto out;
        }
      else
        {
          int fd = openat (w.dirs[w.depth], comp,
                           O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd < 0 || walk_push (&w, fd) < 0)
            goto out;
        }
      memmove (rest, remaining, strlen (remaining) + 1);
    }
out:
  walk_free (&w);
  return ret;
}

/* ---- public entry points ---------------------------------------------- */

int
sk_open_in_root_errno (int rootfd, const char *path, int flags, mode_t mode)
{
  if (!sk_fs_root_force_walk)
    {
      int fd = openat2_in_root (rootfd, path, flags, mode);
      if (fd >= 0 || (errno != ENOSYS && errno != E2BIG))
        return fd;
      sk_fs_root_force_walk = true;
    }
  return sk_open_in_root_walk (rootfd, path, flags, mode);
}

int
sk_open_in_root (int rootfd, const char *path, int flags, mode_t mode, sk_error_t *err)
{
  int fd = sk_open_in_root_errno (rootfd, path, flags, mode);
  if (fd < 0)
    return sk_error_set (err, errno, "open `%s` inside the rootfs", path);
  return fd;
}

/* Resolve (and create when missing) each prefix of PATH in turn.  Every
 * prefix is resolved from the root again, so a symlinked component sends
 * the next mkdir to the directory it points to inside the root, never
 * outside.  */
int
sk_mkdir_p_in_root (int rootfd, const char *path, mode_t mode, sk_error_t *err)
{
  _cleanup_free_ char *prefix = calloc (1, strlen (path) + 2);
  _cleanup_close_ int cur = -1;
  const char *p = path;
  size_t plen = 0;

  if (prefix == NULL)
    return sk_error_set (err, ENOMEM, "mkdir `%s` inside the rootfs", path);
  cur = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return sk_error_set (err, errno, "open the rootfs");

  for (;;)
    {
      const char *comp, *end;
      int fd;

      while (*p == '/')
        p++;
      if (*p == '\0')
        return steal_fd (&cur);
      comp = p;
      end = strchrnul (comp, '/');
      p = end;
      prefix[plen++] = '/';
      memcpy (prefix + plen, comp, end - comp);
      plen += end - comp;
      prefix[plen] = '\0';

      fd = sk_open_in_root_errno (rootfd, prefix, O_PATH | O_DIRECTORY, 0);
      if (fd < 0 && errno == ENOENT)
        {
          _cleanup_free_ char *name = strndup (comp, end - comp);
          if (name == NULL)
            return sk_error_set (err, ENOMEM, "mkdir `%s` inside the rootfs", path);
          /* CUR is the resolved parent: the new directory lands inside the
           * root even when the prefix went through symlinks.  */
          if (mkdirat (cur, name, mode) < 0 && errno != EEXIST)
            return sk_error_set (err, errno, "mkdir `%s` inside the rootfs", prefix);
          fd = sk_open_in_root_errno (rootfd, prefix, O_PATH | O_DIRECTORY, 0);
        }
      if (fd < 0)
        return sk_error_set (err, errno, "mkdir `%s` inside the rootfs", prefix);
      close (cur);
      cur = fd;
    }
}

int
sk_open_parent_in_root (int rootfd, const char *path, mode_t mode, char **name,
                        sk_error_t *err)
{
  _cleanup_free_ char *dir = strdup (path);
  char *slash, *base;
  size_t len;

  if (dir == NULL)
    return sk_error_set (err, ENOMEM, "resolve `%s`", path);
  len = strlen (dir);
  while (len > 1 && dir[len - 1] == '/')
    dir[--len] = '\0';
  slash = strrchr (dir, '/');
  base = slash ? slash + 1 : dir;
  if (*base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    return sk_error_set (err, EINVAL, "path `%s` does not name a file", path);
  *name = strdup (base);
  if (*name == NULL)
    return sk_error_set (err, ENOMEM, "resolve `%s`", path);
  if (slash)
    *slash = '\0';
  else
    dir[0] = '\0';
  int fd = sk_mkdir_p_in_root (rootfd, dir, mode, err);
  if (fd < 0)
    {
      free (*name);
      *name = NULL;
    }
  return fd;
}

int
sk_fd_is_mount_root (int fd)
{
  struct statx stx;
  if (statx (fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
    return -1;
  if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
    return -1;
  return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
}

static int
copy_file (int srcdir, int dstdir, const char *name, const struct stat *st, sk_error_t *err)
{
  _cleanup_close_ int in = openat (srcdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  _cleanup_close_ int out = -1;
  char buf[65536];
  ssize_t n;

  if (in < 0)
    return sk_error_set (err, errno, "open `%s`", name);
  out = openat (dstdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                st->st_mode & 07777);
  if (out < 0)
    return sk_error_set (err, errno, "create `%s`", name);
  while ((n = read (in, buf, sizeof buf)) > 0)
    if (write (out, buf, n) != n)
      return sk_error_set (err, errno, "write `%s`", name);
  if (n < 0)
    return sk_error_set (err, errno, "read `%s`", name);
  return 0;
}

static int
copy_dir (int srcdir, int dstdir, const char *name, const struct stat *st, sk_error_t *err)
{
  _cleanup_close_ int in = -1, out = -1;
  if (mkdirat (dstdir, name, st->st_mode & 07777) < 0 && errno != EEXIST)
    return sk_error_set (err, errno, "mkdir `%s`", name);
  in = openat (srcdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  out = openat (dstdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0 || out < 0)
    return sk_error_set (err, errno, "open directory `%s`", name);
  return sk_copy_tree (in, out, err);
}

static int
copy_entry (int srcdir, int dstdir, const char *name, sk_error_t *err)
{
  struct stat st;
  char target[PATH_MAX];
  ssize_t n;
  int r = 0;

  if (fstatat (srcdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return sk_error_set (err, errno, "stat `%s`", name);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFDIR:
      r = copy_dir (srcdir, dstdir, name, &st, err);
      break;
    case S_IFREG:
      r = copy_file (srcdir, dstdir, name, &st, err);
      break;
    case S_IFLNK:
      n = readlinkat (srcdir, name, target, sizeof target - 1);
      if (n < 0)
        return sk_error_set (err, errno, "readlink `%s`", name);
      target[n] = '\0';
      if (symlinkat (target, dstdir, name) < 0)
        return sk_error_set (err, errno, "symlink `%s`", name);
      break;
    default:
      if (mknodat (dstdir, name, st.st_mode, st.st_rdev) < 0)
        return sk_error_set (err, errno, "mknod `%s`", name);
    }
  if (r < 0)
    return -1;
  /* Owner and mode as in the image; mode again after chown, which drops
   * setuid bits.  */
  if (fchownat (dstdir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM
      && errno != EINVAL)
    return sk_error_set (err, errno, "chown `%s`", name);
  if (!S_ISLNK (st.st_mode) && fchmodat (dstdir, name, st.st_mode & 07777, 0) < 0)
    return sk_error_set (err, errno, "chmod `%s`", name);
  return 0;
}

int
sk_copy_tree (int srcfd, int dstfd, sk_error_t *err)
{
  int dupfd = openat (srcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_closedir_ DIR *d = dupfd >= 0 ? fdopendir (dupfd) : NULL;
  struct dirent *de;

  if (d == NULL)
    {
      if (dupfd >= 0)
        close (dupfd);
      return sk_error_set (err, errno, "read directory");
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (srcfd, dstfd, de->d_name, err) < 0)
        return -1;
    }
  if (errno != 0)
    return sk_error_set (err, errno, "read directory");
  return 0;
}
