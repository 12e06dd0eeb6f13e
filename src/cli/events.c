/* skiff events [--stats] [--interval D] ID
 *
 * One JSON object per line: with --stats a single stats event, else a
 * stats event every interval (default 5s) and an `oom` event for each OOM
 * kill, until the container stops.  */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"

static void
emit (const char *line)
{
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* A Go duration as runc takes it ("5s", "100ms", "1m30s"), or plain
 * seconds.  */
static int
parse_duration (const char *s, unsigned *ms, sk_error_t *err)
{
  static const struct { const char *unit; double ms; } units[] = {
    { "ns", 1e-6 }, { "us", 1e-3 }, { "µs", 1e-3 }, { "ms", 1 }, { "s", 1000 },
    { "m", 60000 }, { "h", 3600000 },
  };
  double total = 0;
  const char *p = s;
  if (*p == '\0')
    goto bad;
  while (*p)
    {
      char *end;
      errno = 0;
      double v = strtod (p, &end);
      if (errno || end == p || v < 0)
        goto bad;
      p = end;
      size_t best = 0, best_len = 0;
      for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        {
          size_t l = strlen (units[i].unit);
          if (strncmp (p, units[i].unit, l) == 0 && l > best_len)
            best = i, best_len = l;
        }
      if (best_len == 0 && *p == '\0' && p != s && total == 0)
        best = 4;   /* bare number: seconds */
      else if (best_len == 0)
        goto bad;
      total += v * units[best].ms;
      p += best_len;
    }
  if (total < 1 || total > 86400000)
    goto bad;
  *ms = (unsigned) total;
  return 0;
bad:
  return sk_error_set (err, 0, "events: invalid interval `%s`: expected a duration such as 5s "
                       "or 500ms (at least 1ms)", s);
}

int
cmd_events (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "events", "events [options] ID",
    "Print the container's events as JSON lines: statistics every interval and OOM\n"
    "kills, until it stops; with --stats, one statistics event."
  };
  bool stats = false;
  const char *interval = "5s";
  const struct sk_opt opts[] = {
    { "stats", 0, SK_OPT_BOOL, &stats, NULL, "print the statistics once and exit" },
    { "interval", 0, SK_OPT_STRING, &interval, "D", "statistics interval (default 5s)" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  unsigned ms = 0;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 1, err) < 0)
    return -1;
  if (parse_duration (interval, &ms, err) < 0)
    return -1;
  return sk_container_events (g, argv[first], stats, ms, emit, err) < 0 ? -1 : 0;
}
