/* Option parsing for the CLI: see opts.h.  */
#include <config.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "opts.h"

static const struct sk_opt *
find_long (const struct sk_opt *opts, const char *name, size_t len)
{
  for (const struct sk_opt *o = opts; o && o->name; o++)
    if (strlen (o->name) == len && strncmp (o->name, name, len) == 0)
      return o;
  return NULL;
}

static const struct sk_opt *
find_short (const struct sk_opt *opts, char c)
{
  for (const struct sk_opt *o = opts; o && o->name; o++)
    if (o->short_name == c)
      return o;
  return NULL;
}

static int
parse_bool (const char *v, bool *out)
{
  if (strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
    *out = true;
  else if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0)
    *out = false;
  else
    return -1;
  return 0;
}

static int
store (const struct sk_opt *o, const char *spelled, const char *value, sk_error_t *err)
{
  switch (o->kind)
    {
    case SK_OPT_BOOL:
      if (value == NULL)
        *(bool *) o->target = true;
      else if (parse_bool (value, (bool *) o->target) < 0)
        return sk_error_set (err, 0, "invalid value `%s` for flag `%s`: expected true or false",
                             value, spelled);
      return 0;
    case SK_OPT_STRING:
      *(const char **) o->target = value;
      return 0;
    case SK_OPT_INT:
      {
        char *end;
        errno = 0;
        long v = strtol (value, &end, 10);
        if (errno || *end || end == value || v < 0 || v > INT_MAX)
          return sk_error_set (err, 0, "invalid value `%s` for flag `%s`: expected a non-negative integer",
                               value, spelled);
        *(int *) o->target = (int) v;
        return 0;
      }
    case SK_OPT_LIST:
      {
        struct sk_strv *l = o->target;
        char **nv = realloc (l->v, (l->n + 2) * sizeof *nv);
        if (nv == NULL)
          return sk_error_set (err, errno, "flag `%s`", spelled);
        l->v = nv;
        l->v[l->n++] = strdup (value);
        l->v[l->n] = NULL;
        return 0;
      }
    }
  return 0;
}

int
sk_opts_parse (const struct sk_cmd_help *h, const struct sk_opt *opts,
               int argc, char **argv, int *first_arg, sk_error_t *err)
{
  int i = 1;
  while (i < argc)
    {
      const char *a = argv[i];
      if (strcmp (a, "--") == 0)
        {
          i++;
          break;
        }
      if (a[0] != '-' || a[1] == '\0')
        break;
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0 || strcmp (a, "-help") == 0)
        {
          sk_opts_print_help (h, opts);
          return 1;
        }
      const char *name = a + 1 + (a[1] == '-');
      const char *eq = strchr (name, '=');
      size_t nlen = eq ? (size_t) (eq - name) : strlen (name);
      const struct sk_opt *o = find_long (opts, name, nlen);
      if (o == NULL && a[1] != '-' && nlen == 1)
        o = find_short (opts, name[0]);
      if (o == NULL)
        return sk_error_set (err, 0, "%s: unknown flag `%.*s` (see `skiff %s --help`)",
                             h->name, (int) (nlen + (name - a)), a, h->name);
      const char *value = eq ? eq + 1 : NULL;
      if (value == NULL && o->kind != SK_OPT_BOOL)
        {
          if (i + 1 >= argc)
            return sk_error_set (err, 0, "%s: flag `%s` needs a value", h->name, a);
          value = argv[++i];
        }
      if (store (o, a, value, err) < 0)
        return sk_error_prefix (err, "%s", h->name);
      i++;
    }
  *first_arg = i;
  return 0;
}

void
sk_opts_print_help (const struct sk_cmd_help *h, const struct sk_opt *opts)
{
  printf ("Usage: skiff %s\n\n%s\n", h->usage, h->summary);
  if (opts && opts->name)
    printf ("\nOptions:\n");
  for (const struct sk_opt *o = opts; o && o->name; o++)
    {
      char left[64];
      if (o->short_name)
        snprintf (left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
                  o->arg ? " " : "", o->arg ? o->arg : "");
      else
        snprintf (left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
                  o->arg ? o->arg : "");
      printf ("  %-30s %s\n", left, o->help);
    }
}

void
sk_opts_free_list (struct sk_strv *l)
{
  for (size_t i = 0; i < l->n; i++)
    free (l->v[i]);
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

int
sk_opts_want_args (const struct sk_cmd_help *h, int argc, char **argv, int first_arg,
                   int min, int max, sk_error_t *err)
{
  int n = argc - first_arg;
  if (n < min)
    return sk_error_set (err, 0, "%s: missing argument: usage: skiff %s", h->name, h->usage);
  if (max >= 0 && n > max)
    return sk_error_set (err, 0, "%s: unexpected argument `%s`: usage: skiff %s", h->name,
                         argv[first_arg + max], h->usage);
  return 0;
}

int
sk_cmd_with_id (const struct sk_global *g, const struct sk_cmd_help *h, int argc,
                char **argv, int (*fn) (const struct sk_global *, const char *, sk_error_t *),
                sk_error_t *err)
{
  int first;
  int r = sk_opts_parse (h, NULL, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (h, argc, argv, first, 1, 1, err) < 0)
    return -1;
  return fn (g, argv[first], err) < 0 ? -1 : 0;
}

int
sk_opts_listen_fds (sk_error_t *err)
{
  const char *n = getenv ("LISTEN_FDS");
  const char *pid = getenv ("LISTEN_PID");
  if (n == NULL || *n == '\0')
    return 0;
  /* Meant for another process (an ancestor that did not consume them).  */
  if (pid && *pid && strtol (pid, NULL, 10) != (long) getpid ())
    return 0;
  char *end;
  errno = 0;
  long v = strtol (n, &end, 10);
  if (errno || *end || v < 0 || v > 4096)
    return sk_error_set (err, 0, "LISTEN_FDS: `%s` is not a number of file descriptors", n);
  return (int) v;
}
