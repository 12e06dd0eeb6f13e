/* Filesystem helpers: see fs.h.  */
#include <config.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include "util/cleanup.h"
#include "util/fd.h"
#include "util/fs.h"

int
sk_read_file_at (int dirfd, const char *name, char **out, size_t *len, sk_error_t *err)
{
  _cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "open `%s`", name);
  size_t cap = 4096, n = 0;
  _cleanup_free_ char *buf = malloc (cap);
  if (buf == NULL)
    return sk_error_set (err, errno, "read `%s`", name);
  for (;;)
    {
      if (n + 1 >= cap)
        {
          char *nb = realloc (buf, cap *= 2);
          if (nb == NULL)
            return sk_error_set (err, errno, "read `%s`", name);
          buf = nb;
        }
      ssize_t r = read (fd, buf + n, cap - n - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return sk_error_set (err, errno, "read `%s`", name);
      if (r == 0)
        break;
      n += r;
    }
  buf[n] = '\0';
  if (len)
    *len = n;
  *out = steal_ptr (&buf);
  return 0;
}

/* Open with O_NONBLOCK so that a FIFO (or a device) named where a file is
 * expected cannot block the open; fstat then refuses anything but a
 * regular file before a single read.  */
int
sk_read_regular_file (const char *path, size_t max, char **out, size_t *len,
                      sk_error_t *err)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "open `%s`", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return sk_error_set (err, errno, "stat `%s`", path);
  if (!S_ISREG (st.st_mode))
    return sk_error_set (err, 0, "read `%s`: not a regular file", path);
  if ((uint64_t) st.st_size > max)
    return sk_error_set (err, 0, "read `%s`: larger than %zu bytes", path, max);
  size_t size = (size_t) st.st_size, got = 0;
  _cleanup_free_ char *buf = malloc (size + 1);
  if (buf == NULL)
    return sk_error_set (err, errno, "read `%s`", path);
  /* The file may grow under us: read no more than fstat said.  */
  while (got < size)
    {
      ssize_t r = read (fd, buf + got, size - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return sk_error_set (err, errno, "read `%s`", path);
      if (r == 0)
        break;
      got += (size_t) r;
    }
  buf[got] = '\0';
  if (len)
    *len = got;
  *out = steal_ptr (&buf);
  return 0;
}

int
sk_read_file (const char *path, char **out, size_t *len, sk_error_t *err)
{
  return sk_read_file_at (AT_FDCWD, path, out, len, err);
}

int
sk_write_file_at (int dirfd, const char *name, const char *data, size_t len, sk_error_t *err)
{
  _cleanup_close_ int fd = openat (dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return sk_error_set (err, errno, "open `%s`", name);
  if (sk_write_all (fd, data, len) < 0)
    return sk_error_set (err, errno, "write `%s`", name);
  return 0;
}

static int
write_replace (int dirfd, const char *name, const char *data, size_t len, mode_t mode,
               bool durable, sk_error_t *err)
{
  _cleanup_free_ char *tmp = NULL;
  if (asprintf (&tmp, ".%s.tmp", name) < 0)
    return sk_error_set (err, errno, "write `%s`", name);
  _cleanup_close_ int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
                                                | O_NOFOLLOW, mode);
  if (fd < 0)
    return sk_error_set (err, errno, "create `%s`", tmp);
  if (sk_write_all (fd, data, len) < 0 || (durable && fsync (fd) < 0))
    {
      sk_error_set (err, errno, "write `%s`", tmp);
      unlinkat (dirfd, tmp, 0);
      return -1;
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      sk_error_set (err, errno, "rename `%s` to `%s`", tmp, name);
      unlinkat (dirfd, tmp, 0);
      return -1;
    }
  /* The rename is durable only once the directory is synced.  */
  if (durable && dirfd != AT_FDCWD)
    (void) fsync (dirfd);
  return 0;
}

int
sk_write_file_atomic (int dirfd, const char *name, const char *data, size_t len,
                      mode_t mode, sk_error_t *err)
{
  return write_replace (dirfd, name, data, len, mode, true, err);
}

int
sk_write_file_replace (int dirfd, const char *name, const char *data, size_t len,
                       mode_t mode, sk_error_t *err)
{
  return write_replace (dirfd, name, data, len, mode, false, err);
}

bool
sk_file_torn_by_crash (const char *path, size_t len)
{
  struct stat sb;
  struct timespec now, up;
  if (len != 0 || stat (path, &sb) < 0 || clock_gettime (CLOCK_REALTIME, &now) < 0
      || clock_gettime (CLOCK_BOOTTIME, &up) < 0)
    return false;
  /* A second of slack for the clocks' rounding.  */
  return sb.st_mtim.tv_sec + 1 < now.tv_sec - up.tv_sec;
}

static int
rm_rf_at (int parent, const char *name, sk_error_t *err)
{
  if (unlinkat (parent, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return sk_error_set (err, errno, "remove `%s`", name);
  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "open `%s`", name);
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return sk_error_set (err, errno, "opendir `%s`", name);
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (rm_rf_at (dirfd (d), de->d_name, err) < 0)
        return -1;
    }
  if (unlinkat (parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return sk_error_set (err, errno, "remove `%s`", name);
  return 0;
}

int
sk_rm_rf (const char *path, sk_error_t *err)
{
  return rm_rf_at (AT_FDCWD, path, err);
}

int
sk_mkdir_p (const char *path, mode_t mode, sk_error_t *err)
{
  _cleanup_free_ char *p = strdup (path);
  if (p == NULL)
    return sk_error_set (err, errno, "mkdir `%s`", path);
  for (char *s = p + 1; *s; s++)
    if (*s == '/')
      {
        *s = '\0';
        if (mkdir (p, mode) < 0 && errno != EEXIST)
          return sk_error_set (err, errno, "mkdir `%s`", p);
        *s = '/';
      }
  if (mkdir (p, mode) < 0 && errno != EEXIST)
    return sk_error_set (err, errno, "mkdir `%s`", p);
  return 0;
}
