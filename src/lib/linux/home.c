/* HOME for a process whose process.env has none.
 *
 * Not in the spec; runc sets it from the container's /etc/passwd for the
 * process's uid, "/" when the uid is not listed, for `run`/`create` and for
 * `exec`.  Images and programs written against runc rely on it: shells,
 * git, pip, ssh and many daemons fail or write to odd places without HOME.
 * Read in the container's root (after pivot_root, or setns for exec).  */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linux/linux.h"
#include "util/cleanup.h"

static char *
home_for (uid_t uid)
{
  _cleanup_fclose_ FILE *f = fopen ("/etc/passwd", "re");
  char line[4096];
  while (f && fgets (line, sizeof line, f))
    {
      char *fields[7] = { 0 };
      char *s = line, *end = NULL;
      int n = 0;
      line[strcspn (line, "\n")] = '\0';
      for (char *t = strsep (&s, ":"); t && n < 7; t = strsep (&s, ":"))
        fields[n++] = t;
      if (n < 6 || fields[2][0] == '\0' || fields[5][0] == '\0')
        continue;
      errno = 0;
      unsigned long u = strtoul (fields[2], &end, 10);
      if (errno == 0 && *end == '\0' && u == (unsigned long) uid)
        return strdup (fields[5]);
    }
  return strdup ("/");
}

char **
sk_env_with_home (char *const *env, uid_t uid, sk_error_t *err)
{
  size_t n = 0;
  bool has_home = false;
  for (; env && env[n]; n++)
    has_home |= strncmp (env[n], "HOME=", 5) == 0;
  char **out = calloc (n + 2, sizeof *out);
  if (out == NULL)
    {
      sk_error_set (err, ENOMEM, "environment");
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    out[i] = env[i];
  if (has_home)
    return out;
  _cleanup_free_ char *home = home_for (uid);
  if (home == NULL || asprintf (&out[n], "HOME=%s", home) < 0)
    {
      free (out);
      sk_error_set (err, ENOMEM, "environment");
      return NULL;
    }
  return out;
}
