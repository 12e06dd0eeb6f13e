/* linux.intelRdt (config-linux.md "IntelRdt"): put the container in a
 * resctrl CLOS group (created for it, or pre-configured and shared),
 * write its schemata, and optionally give it a monitoring group.
 *
 * Parent side: apply once the container process exists, destroy on
 * delete.  The resctrl mountpoint is looked up in /proc/self/mountinfo;
 * unit tests inject a plain directory instead, and then the files that
 * kernfs would create in a new group are created by hand (fake_populate).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linux/linux.h"
#include "linux/attrs.h"
#include "util/cleanup.h"
#include "util/fd.h"

static const char *rdt_root_override;

void
sk_intelrdt_set_root (const char *path)
{
  rdt_root_override = path;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo.  */
static void
unescape_octal (char *s)
{
  char *w = s;
  for (char *r = s; *r; r++)
    {
      if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7'
          && r[3] >= '0' && r[3] <= '7')
        {
          *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
          r += 3;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

/* The first resctrl mountpoint, malloc'd; NULL when none.  */
static char *
find_root (void)
{
  if (rdt_root_override != NULL)
    return strdup (rdt_root_override);
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return NULL;
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) > 0)
    {
      char *sep = strstr (line, " - ");
      if (sep == NULL || strncmp (sep + 3, "resctrl ", 8) != 0)
        continue;
      /* id parent maj:min root mountpoint ... */
      char *save = NULL, *tok = strtok_r (line, " ", &save);
      for (int i = 0; tok != NULL && i < 4; i++)
        tok = strtok_r (NULL, " ", &save);
      if (tok == NULL)
        continue;
      unescape_octal (tok);
      return strdup (tok);
    }
  return NULL;
}

static bool
has_schema (const struct sk_intel_rdt *r)
{
  return r->l3_cache_schema != NULL || r->mem_bw_schema != NULL || r->schemata.n > 0;
}

static int
check_line (const char *field, const char *v, sk_error_t *err)
{
  if (strchr (v, '\n') != NULL)
    return sk_error_set (err, 0, "config.json: linux.intelRdt.%s: must not contain a newline",
                         field);
  return 0;
}

int
sk_intelrdt_validate (const struct sk_spec *spec, sk_error_t *err)
{
  const struct sk_intel_rdt *r = spec->linux_->intel_rdt;
  if (r->clos_id != NULL && strcmp (r->clos_id, "/") != 0
      && (*r->clos_id == '\0' || strchr (r->clos_id, '/') != NULL
          || strcmp (r->clos_id, ".") == 0 || strcmp (r->clos_id, "..") == 0
          || strchr (r->clos_id, '\n') != NULL))
    return sk_error_set (err, 0, "config.json: linux.intelRdt.closID: `%s`: invalid group "
                         "name", r->clos_id);
  if (r->l3_cache_schema != NULL && check_line ("l3CacheSchema", r->l3_cache_schema, err) < 0)
    return -1;
  if (r->mem_bw_schema != NULL
      && (check_line ("memBwSchema", r->mem_bw_schema, err) < 0))
    return -1;
  if (r->mem_bw_schema != NULL && strncmp (r->mem_bw_schema, "MB:", 3) != 0)
    return sk_error_set (err, 0, "config.json: linux.intelRdt.memBwSchema: `%s`: must start "
                         "with `MB:`", r->mem_bw_schema);
  for (size_t i = 0; i < r->schemata.n; i++)
    if (check_line ("schemata", r->schemata.v[i], err) < 0)
      return -1;
  _cleanup_free_ char *root = find_root ();
  if (root == NULL)
    return sk_error_set (err, 0, "linux.intelRdt: no resctrl filesystem is mounted");
  return 0;
}

/* ---- schemata ------------------------------------------------------------- */

/* The value of domain `dom` in one schemata line's "0=7f0;1=1f" part
 * (up to the end of the line); false when the domain is not there.  */
static bool
domain_value (const char *doms, long dom, int base, unsigned long *val)
{
  const char *eol = strchrnul (doms, '\n');
  for (const char *d = doms; d < eol;)
    {
      char *end;
      long n = strtol (d, &end, 10);
      if (*end != '=')
        return false;
      unsigned long v = strtoul (end + 1, &end, base);
      if (n == dom)
        {
          *val = v;
          return true;
        }
      d = strchr (end, ';') && strchr (end, ';') < eol ? strchr (end, ';') + 1 : eol;
    }
  return false;
}

/* Does `want` ("L3:0=7f0;1=1f") agree with the group's schemata file?
 * The kernel pads resource names and prints cache masks in hex without
 * leading zeros and bandwidth in decimal, so compare per domain, by
 * value.  Domains `want` does not name are not compared.  */
static bool
schema_matches (const char *file, const char *want)
{
  const char *colon = strchr (want, ':');
  if (colon == NULL)
    return false;
  size_t rlen = colon - want + 1;   /* "L3:" */
  int base = strncmp (want, "MB:", 3) == 0 ? 10 : 16;
  const char *line = file;
  while (*line == ' ' || *line == '\t' || *line == '\n')
    line++;
  while (*line && strncmp (line, want, rlen) != 0)
    {
      line = strchrnul (line, '\n');
      while (*line == ' ' || *line == '\t' || *line == '\n')
        line++;
    }
  if (*line == '\0')
    return false;
  for (const char *d = colon + 1; *d;)
    {
      char *end;
      long dom = strtol (d, &end, 10);
      if (*end != '=')
        return false;
      unsigned long v = strtoul (end + 1, &end, base), have;
      if (!domain_value (line + rlen, dom, base, &have) || have != v)
        return false;
      d = *end == ';' ? end + 1 : end;
    }
  return true;
}

static int
last_status (const char *root, char *buf, size_t len)
{
  _cleanup_free_ char *p = NULL;
  if (asprintf (&p, "%s/info/last_cmd_status", root) < 0)
    return -1;
  _cleanup_close_ int fd = open (p, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? sk_read_all (fd, buf, len - 1) : -1;
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  return 0;
}

static int
write_in (const char *dir, const char *file, const char *data, sk_error_t *err)
{
  _cleanup_free_ char *p = NULL;
  if (asprintf (&p, "%s/%s", dir, file) < 0)
    return sk_error_set (err, ENOMEM, "linux.intelRdt");
  int flags = O_WRONLY | O_CLOEXEC | (rdt_root_override ? O_APPEND | O_CREAT : 0);
  _cleanup_close_ int fd = open (p, flags, 0644);
  if (fd >= 0 && sk_write_all (fd, data, strlen (data)) == 0)
    return 0;
  return sk_error_set (err, errno, "linux.intelRdt: write `%.*s` to `%s`",
                       (int) strcspn (data, "\n"), data, p);
}

/* l3CacheSchema first, memBwSchema next, `schemata` last (config-linux.md),
 * one line per write so the kernel's status names the line it refused.  */
static int
write_schemata (const char *root, const char *dir, const struct sk_intel_rdt *r,
                sk_error_t *err)
{
  const char *fixed[2] = { r->l3_cache_schema, r->mem_bw_schema };
  for (size_t i = 0; i < 2 + r->schemata.n; i++)
    {
      const char *v = i < 2 ? fixed[i] : r->schemata.v[i - 2];
      if (v == NULL)
        continue;
      _cleanup_free_ char *line = NULL;
      if (asprintf (&line, "%s\n", v) < 0)
        return sk_error_set (err, ENOMEM, "linux.intelRdt");
      if (write_in (dir, "schemata", line, err) < 0)
        {
          char st[256];
          if (last_status (root, st, sizeof st) == 0)
            sk_error_prefix (err, "%s", st);
          return -1;
        }
    }
  return 0;
}

static int
compare_schemata (const char *dir, const struct sk_intel_rdt *r, sk_error_t *err)
{
  _cleanup_free_ char *p = NULL, *file = NULL;
  if (asprintf (&p, "%s/schemata", dir) < 0)
    return sk_error_set (err, ENOMEM, "linux.intelRdt");
  _cleanup_close_ int fd = open (p, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    return sk_error_set (err, errno, "linux.intelRdt: read `%s`", p);
  size_t cap = 65536;
  file = calloc (1, cap);
  ssize_t n = file ? sk_read_all (fd, file, cap - 1) : -1;
  if (n < 0)
    return sk_error_set (err, errno, "linux.intelRdt: read `%s`", p);
  const char *fixed[2] = { r->l3_cache_schema, r->mem_bw_schema };
  for (size_t i = 0; i < 2 + r->schemata.n; i++)
    {
      const char *v = i < 2 ? fixed[i] : r->schemata.v[i - 2];
      if (v != NULL && !schema_matches (file, v))
        return sk_error_set (err, 0, "linux.intelRdt: the existing CLOS group `%s` has a "
                             "different schema than `%s`", r->clos_id, v);
    }
  return 0;
}

/* ---- groups --------------------------------------------------------------- */

/* Only with an injected root: what kernfs would create in a new group.  */
static void
fake_populate (const char *dir)
{
  char p[4096];
  const char *files[] = { "tasks", "schemata" };
  for (int i = 0; i < 2; i++)
    {
      snprintf (p, sizeof p, "%s/%s", dir, files[i]);
      close (open (p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    }
  snprintf (p, sizeof p, "%s/mon_groups", dir);
  mkdir (p, 0755);
}

/* Only with an injected root: kernfs rmdir ignores the group's files.  */
static void
fake_depopulate (const char *dir)
{
  char p[4096];
  const char *files[] = { "tasks", "schemata" };
  for (int i = 0; i < 2; i++)
    {
      snprintf (p, sizeof p, "%s/%s", dir, files[i]);
      unlink (p);
    }
  snprintf (p, sizeof p, "%s/mon_groups", dir);
  rmdir (p);
}

static int
make_group (const char *dir, const char *what, sk_error_t *err)
{
  if (mkdir (dir, 0755) < 0)
    {
      if (errno == ENOSPC)
        return sk_error_set (err, errno, "linux.intelRdt: create %s `%s` (the hardware has "
                             "no free one left)", what, dir);
      return sk_error_set (err, errno, "linux.intelRdt: create %s `%s`", what, dir);
    }
  if (rdt_root_override != NULL)
    fake_populate (dir);
  return 0;
}

static void
remove_group (const char *dir)
{
  if (rdt_root_override != NULL)
    fake_depopulate (dir);
  rmdir (dir);
}

static char *
clos_dir (const char *root, const struct sk_intel_rdt *r, const char *id)
{
  char *p = NULL;
  const char *name = r->clos_id != NULL ? r->clos_id : id;
  if (strcmp (name, "/") == 0)
    return strdup (root);
  if (asprintf (&p, "%s/%s", root, name) < 0)
    return NULL;
  return p;
}

/* Existing, created-here, or pre-configured: config-linux.md's rules.
 * *created tells the caller what to undo on a later failure.  */
static int
setup_clos (const char *root, const char *dir, const struct sk_intel_rdt *r,
            bool *created, sk_error_t *err)
{
  struct stat st;
  bool exists = stat (dir, &st) == 0 && S_ISDIR (st.st_mode);
  *created = false;
  if (r->clos_id != NULL && !has_schema (r))
    {
      if (!exists)
        return sk_error_set (err, ENOENT, "linux.intelRdt.closID: `%s`: no such "
                             "pre-configured group in `%s`", r->clos_id, root);
      return 0;
    }
  if (r->clos_id != NULL && exists)
    return compare_schemata (dir, r, err);
  if (make_group (dir, "CLOS group", err) < 0)
    return -1;
  *created = true;
  if (write_schemata (root, dir, r, err) < 0)
    {
      remove_group (dir);
      *created = false;
      return -1;
    }
  return 0;
}

int
sk_intelrdt_apply (const struct sk_spec *spec, const char *id, pid_t pid, sk_error_t *err)
{
  const struct sk_intel_rdt *r = spec->linux_ ? spec->linux_->intel_rdt : NULL;
  if (r == NULL)
    return 0;
  _cleanup_free_ char *root = find_root ();
  if (root == NULL)
    return sk_error_set (err, 0, "linux.intelRdt: no resctrl filesystem is mounted");
  _cleanup_free_ char *dir = clos_dir (root, r, id), *mon = NULL;
  if (dir == NULL || asprintf (&mon, "%s/mon_groups/%s", dir, id) < 0)
    return sk_error_set (err, ENOMEM, "linux.intelRdt");
  bool created;
  if (setup_clos (root, dir, r, &created, err) < 0)
    return -1;
  char pidbuf[32];
  snprintf (pidbuf, sizeof pidbuf, "%d\n", (int) pid);
  if (write_in (dir, "tasks", pidbuf, err) < 0)
    goto fail;
  if (r->enable_monitoring)
    {
      if (make_group (mon, "monitoring group", err) < 0)
        goto fail;
      /* A task may only join a MON group of its own CTRL_MON group: the
       * write to the CLOS group's tasks above comes first.  */
      if (write_in (mon, "tasks", pidbuf, err) < 0)
        {
          remove_group (mon);
          goto fail;
        }
    }
  return 0;
fail:
  if (created)
    remove_group (dir);
  return -1;
}

/* Remove what apply created: the MON group always, the CLOS group only
 * when it was named after the container (closID absent).  Missing groups
 * are fine: delete must work on a half-created container.  */
int
sk_intelrdt_destroy (const struct sk_spec *spec, const char *id, sk_error_t *err)
{
  const struct sk_intel_rdt *r = spec->linux_ ? spec->linux_->intel_rdt : NULL;
  if (r == NULL)
    return 0;
  _cleanup_free_ char *root = find_root ();
  if (root == NULL)
    return 0;
  _cleanup_free_ char *dir = clos_dir (root, r, id), *mon = NULL;
  if (dir == NULL || asprintf (&mon, "%s/mon_groups/%s", dir, id) < 0)
    return sk_error_set (err, ENOMEM, "linux.intelRdt");
  if (r->enable_monitoring)
    {
      if (rdt_root_override != NULL)
        fake_depopulate (mon);
      if (rmdir (mon) < 0 && errno != ENOENT)
        return sk_error_set (err, errno, "linux.intelRdt: remove `%s`", mon);
    }
  if (r->clos_id == NULL)
    {
      if (rdt_root_override != NULL)
        fake_depopulate (dir);
      if (rmdir (dir) < 0 && errno != ENOENT)
        return sk_error_set (err, errno, "linux.intelRdt: remove `%s`", dir);
    }
  return 0;
}
