/* The one error type: see include/skiff/error.h.  */
#include <config.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skiff/error.h>

static void
oom (void)
{
  /* Nothing sensible can be reported without memory.  */
  static const char msg[] = "skiff: out of memory\n";
  (void) !write (2, msg, sizeof msg - 1);
  abort ();
}

int
sk_error_setv (sk_error_t *err, int errnum, const char *fmt, va_list ap)
{
  if (err == NULL)
    return -1;
  if (*err != NULL)
    {
      /* Set exactly once: keep the first (innermost) error.  */
      return -1;
    }
  struct sk_error *e = calloc (1, sizeof *e);
  if (e == NULL || vasprintf (&e->msg, fmt, ap) < 0)
    oom ();
  e->errnum = errnum;
  *err = e;
  return -1;
}

int
sk_error_set (sk_error_t *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  sk_error_setv (err, errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int
sk_error_prefix (sk_error_t *err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  char *prefix = NULL, *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    oom ();
  va_end (ap);
  if (asprintf (&msg, "%s: %s", prefix, (*err)->msg) < 0)
    oom ();
  free (prefix);
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

char *
sk_error_string (const sk_error_t err)
{
  char *s = NULL;
  int r;
  if (err == NULL)
    r = asprintf (&s, "unknown error");
  else if (err->errnum)
    r = asprintf (&s, "%s: %s", err->msg, strerror (err->errnum));
  else
    r = asprintf (&s, "%s", err->msg);
  if (r < 0)
    oom ();
  return s;
}

void
sk_error_free (sk_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

int
sk_error_from_wire (sk_error_t *err, int errnum, const char *msg)
{
  return sk_error_set (err, errnum, "%s", msg);
}
