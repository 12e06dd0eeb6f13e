/* cgroupsPath with --systemd-cgroup: `slice:prefix:name`, read as runc
 * reads it (docs/systemd.md there), so a caller that hands the same config
 * to either runtime gets the same unit in the same place:
 *   system.slice:docker:abc  -> docker-abc.scope in system.slice
 *   :docker:abc              -> the same (empty slice: system.slice, or
 *                               user.slice when rootless)
 *   a-b.slice:p:n            -> p-n.scope in /a.slice/a-b.slice
 *   system.slice:p:n.slice   -> the slice unit n.slice (prefix ignored)
 *   absent or ""             -> :skiff:<id>  */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup/systemd.h"
#include "util/cleanup.h"

#define EXPECTED "expected `slice:prefix:name` with --systemd-cgroup (e.g. `system.slice:docker:abc`)"
#define UNIT_NAME_MAX 255

static bool
ends_with (const char *s, const char *suffix)
{
  size_t ls = strlen (s), lx = strlen (suffix);
  return ls >= lx && strcmp (s + ls - lx, suffix) == 0;
}

/* systemd's unit_name_is_valid alphabet: [A-Za-z0-9:_.\-@], not empty,
 * at most 255 bytes, one dot before the type suffix.  */
bool
sk_sd_unit_name_valid (const char *name)
{
  size_t n = strlen (name);
  const char *dot = strrchr (name, '.');
  if (n == 0 || n > UNIT_NAME_MAX || dot == NULL || dot == name || dot[1] == '\0')
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || strchr (":_.-@\\", *p)))
      return false;
  return true;
}

int
sk_sd_expand_slice (const char *slice, char **out, sk_error_t *err)
{
  *out = NULL;
  if (!ends_with (slice, ".slice") || strchr (slice, '/') || !sk_sd_unit_name_valid (slice))
    return sk_error_set (err, 0, "slice `%s`: not a slice unit name (`name.slice`, without `/`)",
                         slice);
  size_t base = strlen (slice) - strlen (".slice");
  if (base == 1 && slice[0] == '-')
    return (*out = strdup ("")) ? 0 : sk_error_set (err, ENOMEM, "slice `%s`", slice);
  /* Each dash-separated prefix is a parent slice: a-b-c.slice lives in
   * a-b.slice, which lives in a.slice.  An empty component (a--b, -a, a-)
   * has no parent systemd would accept.  */
  size_t cap = 2 * strlen (slice) * strlen (slice) + 16;
  _cleanup_free_ char *buf = calloc (1, cap);
  if (buf == NULL)
    return sk_error_set (err, ENOMEM, "slice `%s`", slice);
  size_t used = 0;
  for (size_t i = 0; i <= base; i++)
    if (i == base || slice[i] == '-')
      {
        if (i == 0 || slice[i - 1] == '-')
          return sk_error_set (err, 0, "slice `%s`: empty component between dashes", slice);
        used += snprintf (buf + used, cap - used, "/%.*s.slice", (int) i, slice);
      }
  *out = steal_ptr (&buf);
  return 0;
}

void
sk_sd_path_clear (struct sk_sd_path *p)
{
  free (p->slice);
  free (p->unit);
  free (p->cgroup);
  memset (p, 0, sizeof *p);
}

static int
split3 (const char *path, char **slice, char **prefix, char **name, sk_error_t *err)
{
  const char *a = strchr (path, ':');
  const char *b = a ? strchr (a + 1, ':') : NULL;
  if (a == NULL || b == NULL || strchr (b + 1, ':'))
    return sk_error_set (err, 0, "linux.cgroupsPath: `%s`: " EXPECTED, path);
  *slice = strndup (path, a - path);
  *prefix = strndup (a + 1, b - a - 1);
  *name = strdup (b + 1);
  if (*slice == NULL || *prefix == NULL || *name == NULL)
    return sk_error_set (err, ENOMEM, "linux.cgroupsPath");
  if (**name == '\0')
    return sk_error_set (err, 0, "linux.cgroupsPath: `%s`: empty name; " EXPECTED, path);
  return 0;
}

static int
fill (struct sk_sd_path *out, const char *path, const char *slice, const char *prefix,
      const char *name, sk_error_t *err)
{
  _cleanup_free_ char *parent = NULL;
  out->slice = strdup (slice);
  if (ends_with (name, ".slice"))
    out->unit = strdup (name);
  else if (asprintf (&out->unit, "%s-%s.scope", prefix, name) < 0)
    out->unit = NULL;
  if (out->slice == NULL || out->unit == NULL)
    return sk_error_set (err, ENOMEM, "linux.cgroupsPath");
  if (!sk_sd_unit_name_valid (out->unit))
    return sk_error_set (err, 0, "linux.cgroupsPath: `%s`: `%s` is not a valid systemd unit name "
                         "(letters, digits and `:_.-@\\` only, at most %d bytes); " EXPECTED,
                         path, out->unit, UNIT_NAME_MAX);
  if (sk_sd_expand_slice (slice, &parent, err) < 0)
    return sk_error_prefix (err, "linux.cgroupsPath: `%s`", path);
  if (ends_with (out->unit, ".slice"))
    {
      /* systemd places a slice by its name, whatever the caller calls its
       * parent: refuse a parent that says otherwise rather than record a
       * cgroup path where the unit will not be.  */
      if (sk_sd_expand_slice (out->unit, &out->cgroup, err) < 0)
        return sk_error_prefix (err, "linux.cgroupsPath: `%s`", path);
      size_t pl = strlen (parent);
      if (strncmp (out->cgroup, parent, pl) != 0 || out->cgroup[pl] != '/'
          || strchr (out->cgroup + pl + 1, '/'))
        return sk_error_set (err, 0, "linux.cgroupsPath: `%s`: slice `%s` is not a child of "
                             "`%s` (systemd places a slice by its name: `%s`)", path,
                             out->unit, slice, out->cgroup);
      return 0;
    }
  if (asprintf (&out->cgroup, "%s/%s", parent, out->unit) < 0)
    {
      out->cgroup = NULL;
      return sk_error_set (err, ENOMEM, "linux.cgroupsPath");
    }
  return 0;
}

int
sk_sd_parse_path (const char *cgroups_path, const char *id, bool rootless,
                  struct sk_sd_path *out, sk_error_t *err)
{
  _cleanup_free_ char *slice = NULL, *prefix = NULL, *name = NULL, *deflt = NULL;
  memset (out, 0, sizeof *out);
  const char *path = cgroups_path;
  if (path == NULL || path[0] == '\0')
    {
      /* runc's default is `:runc:<id>`; ours names us.  */
      if (asprintf (&deflt, ":skiff:%s", id) < 0)
        return sk_error_set (err, ENOMEM, "linux.cgroupsPath");
      path = deflt;
    }
  if (split3 (path, &slice, &prefix, &name, err) < 0)
    return -1;
  const char *s = slice[0] ? slice : rootless ? "user.slice" : "system.slice";
  if (fill (out, path, s, prefix, name, err) < 0)
    {
      sk_sd_path_clear (out);
      return -1;
    }
  return 0;
}
