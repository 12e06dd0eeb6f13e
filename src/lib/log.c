/* Logging for --log / --log-format / --debug.
 *
 * containerd's shim decodes every line of the log file as a JSON object
 * {level,msg,time} and reports the LAST one with level "error", so in JSON
 * mode each message is exactly one line.  Without --log, messages go to
 * stderr as plain text.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skiff/container.h>
#include "util/json.h"

static int log_fd = -1;          /* -1: stderr only */
static enum sk_log_format log_format = SK_LOG_TEXT;
static bool log_debug;

int
sk_log_init (const char *path, enum sk_log_format f, bool debug, sk_error_t *err)
{
  log_format = f;
  log_debug = debug;
  if (path == NULL || *path == '\0')
    return 0;
  /* O_NONBLOCK: a FIFO without a reader must fail (ENXIO), not block the
   * open forever; a pipe someone reads is fine, and writes block again.  */
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
  if (fd < 0)
    return sk_error_set (err, errno, "open log file `%s`", path);
  int fl = fcntl (fd, F_GETFL);
  if (fl >= 0)
    fcntl (fd, F_SETFL, fl & ~O_NONBLOCK);
  log_fd = fd;
  return 0;
}

static void
rfc3339_now (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  size_t n = strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

static void
emit (const char *level, const char *msg)
{
  if (log_fd >= 0 && log_format == SK_LOG_JSON)
    {
      char now[64];
      rfc3339_now (now, sizeof now);
      sk_jgen *g = sk_jgen_new (false);
      sk_jgen_map_open (g);
      sk_jgen_kv_string (g, "level", level);
      sk_jgen_kv_string (g, "msg", msg);
      sk_jgen_kv_string (g, "time", now);
      sk_jgen_map_close (g);
      size_t len = 0;
      char *line = sk_jgen_finish (g, &len);
      sk_jgen_free (g);
      if (line)
        {
          char *out = NULL;
          if (asprintf (&out, "%s\n", line) >= 0)
            {
              (void) !write (log_fd, out, strlen (out));
              free (out);
            }
          free (line);
        }
    }
  else if (log_fd >= 0)
    {
      char now[64];
      rfc3339_now (now, sizeof now);
      dprintf (log_fd, "time=\"%s\" level=%s msg=\"%s\"\n", now, level, msg);
    }
  /* Errors and warnings always reach stderr as one plain line too: conmon
   * shows create's stderr, and a person at a shell needs to see it.  */
  if (strcmp (level, "error") == 0)
    dprintf (2, "skiff: %s\n", msg);
  else if (strcmp (level, "warning") == 0)
    dprintf (2, "skiff: warning: %s\n", msg);
  else if (log_fd < 0)
    dprintf (2, "skiff: %s: %s\n", level, msg);
}

void
sk_log_error (const char *msg)
{
  emit ("error", msg);
}

static void
emitv (const char *level, const char *fmt, va_list ap)
{
  char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    return;
  emit (level, msg);
  free (msg);
}

void
sk_log_warn (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  emitv ("warning", fmt, ap);
  va_end (ap);
}

void
sk_log_debug (const char *fmt, ...)
{
  if (!log_debug)
    return;
  va_list ap;
  va_start (ap, fmt);
  emitv ("debug", fmt, ap);
  va_end (ap);
}

double
sk_log_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

bool
sk_log_debug_enabled (void)
{
  return log_debug;
}
