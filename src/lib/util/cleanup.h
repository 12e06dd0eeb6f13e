/* Scope-bound cleanup helpers.  All are safe on NULL / -1 and safe twice.
 * Ownership leaves a scope only through steal_ptr() / steal_fd().  */
#ifndef SKIFF_UTIL_CLEANUP_H
#define SKIFF_UTIL_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <dirent.h>

static inline void
sk_freep (void *p)
{
  void **pp = (void **) p;
  free (*pp);
  *pp = NULL;
}

/* Keeps errno: a close in a cleanup path must not clobber the error that
 * made us leave the scope.  */
static inline void
sk_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
      *fd = -1;
    }
}

static inline void
sk_fclosep (FILE **f)
{
  if (*f)
    {
      int saved = errno;
      fclose (*f);
      errno = saved;
      *f = NULL;
    }
}

static inline void
sk_closedirp (DIR **d)
{
  if (*d)
    {
      int saved = errno;
      closedir (*d);
      errno = saved;
      *d = NULL;
    }
}

static inline void
sk_strv_freep (char ***v)
{
  if (*v)
    {
      for (char **p = *v; *p; p++)
        free (*p);
      free (*v);
      *v = NULL;
    }
}

#define _cleanup_free_ __attribute__ ((cleanup (sk_freep)))
#define _cleanup_close_ __attribute__ ((cleanup (sk_closep)))
#define _cleanup_fclose_ __attribute__ ((cleanup (sk_fclosep)))
#define _cleanup_closedir_ __attribute__ ((cleanup (sk_closedirp)))
#define _cleanup_strv_ __attribute__ ((cleanup (sk_strv_freep)))

static inline void *
sk_steal_ptr_impl (void *p)
{
  void **pp = (void **) p;
  void *r = *pp;
  *pp = NULL;
  return r;
}
#define steal_ptr(p) sk_steal_ptr_impl (p)

static inline int
steal_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

#endif
