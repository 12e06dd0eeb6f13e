/* The cgroup v1 device allow-list (devices.allow, devices.deny,
 * devices.list).
 *
 * create: the cgroup is new and empty, so the list is built from scratch
 * in runc's order: deny everything, the config's rules in order, then the
 * default devices every container has (config.md; appended after the
 * config's rules, so a leading deny-all cannot take /dev/null away).
 *
 * update: the container runs.  Starting again from `deny a` would take
 * every device away from its processes for as long as the rewrite lasts
 * (an open of /dev/null in that window fails with EPERM), and the kernel
 * refuses `a` outright once the cgroup has children (EINVAL).  So the
 * kernel's rule semantics are emulated here (devcgroup_update_access in
 * security/device_cgroup.c): the target list the new rules produce is
 * compared with the current one from devices.list, and only the
 * difference is written: first the accesses the target adds
 * (devices.allow), then those it drops (devices.deny removes access bits
 * from the exception with the same type, major and minor).  Nothing both
 * lists allow is denied at any moment.  devices.list is read back and
 * must equal the target; when it does not, or when either list is in the
 * default-allow mode (whose exceptions devices.list does not show), the
 * list is rebuilt from scratch as on create.  */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/container.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"

enum { ACC_R = 1, ACC_W = 2, ACC_M = 4 };

static unsigned
access_bits (const char *s)
{
  unsigned a = 0;
  for (; s && *s; s++)
    a |= *s == 'r' ? ACC_R : *s == 'w' ? ACC_W : *s == 'm' ? ACC_M : 0;
  return a;
}

static unsigned
rule_access (const struct sk_device_rule *d)
{
  return d->access ? access_bits (d->access) : ACC_R | ACC_W | ACC_M;
}

void
sk_cg_devlist_free (struct sk_cg_devlist *l)
{
  free (l->ex);
  l->ex = NULL;
  l->n = 0;
}

static struct sk_cg_devex *
find (const struct sk_cg_devlist *l, char type, int64_t major, int64_t minor)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->ex[i].type == type && l->ex[i].major == major && l->ex[i].minor == minor)
      return &l->ex[i];
  return NULL;
}

/* The kernel's dev_exception_add: merge into an identical entry.  */
static int
ex_add (struct sk_cg_devlist *l, char type, int64_t major, int64_t minor, unsigned access)
{
  struct sk_cg_devex *e = find (l, type, major, minor);
  if (e)
    {
      e->access |= access;
      return 0;
    }
  struct sk_cg_devex *ex = realloc (l->ex, (l->n + 1) * sizeof *ex);
  if (ex == NULL)
    return -1;
  l->ex = ex;
  l->ex[l->n++] = (struct sk_cg_devex) { type, major, minor, access };
  return 0;
}

/* dev_exception_rm: clear access bits of the identical entry only.  */
static void
ex_rm (struct sk_cg_devlist *l, char type, int64_t major, int64_t minor, unsigned access)
{
  struct sk_cg_devex *e = find (l, type, major, minor);
  if (e == NULL)
    return;
  e->access &= ~access;
  if (e->access == 0)
    *e = l->ex[--l->n];
}

static int
emulate_one (struct sk_cg_devlist *l, const struct sk_device_rule *d)
{
  char type = d->type ? d->type : 'a';
  if (type == 'a')
    {
      /* `a` switches the default and drops every exception, whatever
       * access it names.  */
      sk_cg_devlist_free (l);
      l->allow_all = d->allow;
      return 0;
    }
  int64_t major = d->has_major && d->major >= 0 ? d->major : -1;
  int64_t minor = d->has_minor && d->minor >= 0 ? d->minor : -1;
  unsigned acc = rule_access (d);
  if (acc == 0)
    return 0;
  /* An exception is an allowed device under default-deny and a denied
   * one under default-allow.  */
  if (d->allow != l->allow_all)
    return ex_add (l, type, major, minor, acc);
  ex_rm (l, type, major, minor, acc);
  return 0;
}

int
sk_cg_devlist_emulate (const struct sk_device_rule *rules, size_t n, struct sk_cg_devlist *out,
                       sk_error_t *err)
{
  size_t nd;
  const struct sk_device_rule *defaults = sk_cg_devices_defaults (&nd);
  *out = (struct sk_cg_devlist) { 0 };
  for (size_t i = 0; i < n + nd; i++)
    if (emulate_one (out, i < n ? &rules[i] : &defaults[i - n]) < 0)
      {
        sk_cg_devlist_free (out);
        return sk_error_set (err, ENOMEM, "device list");
      }
  return 0;
}

static int
parse_num (const char *s, int64_t *v)
{
  if (strcmp (s, "*") == 0)
    {
      *v = -1;
      return 0;
    }
  char *end;
  errno = 0;
  long long x = strtoll (s, &end, 10);
  if (errno || end == s || *end || x < 0)
    return -1;
  *v = x;
  return 0;
}

int
sk_cg_devlist_parse (const char *text, struct sk_cg_devlist *out)
{
  *out = (struct sk_cg_devlist) { 0 };
  const char *p = text ? text : "";
  while (*p)
    {
      const char *nl = strchr (p, '\n');
      size_t len = nl ? (size_t) (nl - p) : strlen (p);
      char line[96], type, mm[64], acc[8];
      if (len >= sizeof line)
        goto bad;
      memcpy (line, p, len);
      line[len] = '\0';
      p += len + (nl != NULL);
      if (len == 0)
        continue;
      if (sscanf (line, "%c %63s %7s", &type, mm, acc) != 3)
        goto bad;
      char *colon = strchr (mm, ':');
      int64_t major, minor;
      if (colon == NULL)
        goto bad;
      *colon = '\0';
      if (parse_num (mm, &major) < 0 || parse_num (colon + 1, &minor) < 0)
        goto bad;
      if (type == 'a')
        {
          /* The kernel shows default-allow as the single line `a *:* rwm`
           * and hides its exceptions.  */
          out->allow_all = true;
          continue;
        }
      if ((type != 'c' && type != 'b') || ex_add (out, type, major, minor, access_bits (acc)) < 0)
        goto bad;
    }
  return 0;
bad:
  sk_cg_devlist_free (out);
  return -1;
}

bool
sk_cg_devlist_equal (const struct sk_cg_devlist *a, const struct sk_cg_devlist *b)
{
  if (a->allow_all != b->allow_all || a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++)
    {
      const struct sk_cg_devex *e = find (b, a->ex[i].type, a->ex[i].major, a->ex[i].minor);
      if (e == NULL || e->access != a->ex[i].access)
        return false;
    }
  return true;
}

static void
ex_line (char *buf, size_t len, const struct sk_cg_devex *e, unsigned access)
{
  char maj[24] = "*", min[24] = "*";
  if (e->major >= 0)
    snprintf (maj, sizeof maj, "%" PRId64, e->major);
  if (e->minor >= 0)
    snprintf (min, sizeof min, "%" PRId64, e->minor);
  snprintf (buf, len, "%c %s:%s %s%s%s", e->type, maj, min, access & ACC_R ? "r" : "",
            access & ACC_W ? "w" : "", access & ACC_M ? "m" : "");
}

size_t
sk_cg_devlist_plan (const struct sk_cg_devlist *cur, const struct sk_cg_devlist *target,
                    struct sk_cg_devwrite *w, size_t max)
{
  if (cur->allow_all || target->allow_all)
    return (size_t) -1;
  size_t k = 0;
  for (int pass = 0; pass < 2; pass++)
    {
      /* pass 0: what the target adds; pass 1: what it takes away.  */
      const struct sk_cg_devlist *from = pass == 0 ? target : cur;
      const struct sk_cg_devlist *other = pass == 0 ? cur : target;
      for (size_t i = 0; i < from->n; i++)
        {
          const struct sk_cg_devex *o = find (other, from->ex[i].type, from->ex[i].major,
                                              from->ex[i].minor);
          unsigned diff = from->ex[i].access & ~(o ? o->access : 0);
          if (diff == 0)
            continue;
          if (k == max)
            return (size_t) -1;
          w[k].allow = pass == 0;
          ex_line (w[k].line, sizeof w[k].line, &from->ex[i], diff);
          k++;
        }
    }
  return k;
}

static int
device_line (const struct sk_device_rule *d, char *buf, size_t len)
{
  char maj[24] = "*", min[24] = "*";
  if (d->has_major && d->major >= 0)
    snprintf (maj, sizeof maj, "%" PRId64, d->major);
  if (d->has_minor && d->minor >= 0)
    snprintf (min, sizeof min, "%" PRId64, d->minor);
  char type = d->type ? d->type : 'a';
  /* "a" alone means every device; a typed entry names major:minor.  */
  if (type == 'a')
    return snprintf (buf, len, "a *:* %s", d->access ? d->access : "rwm");
  return snprintf (buf, len, "%c %s:%s %s", type, maj, min, d->access ? d->access : "rwm");
}

static int
rebuild (struct sk_cgroup *h, const struct sk_device_rule *rules, size_t n, sk_error_t *err)
{
  size_t nd;
  const struct sk_device_rule *defaults = sk_cg_devices_defaults (&nd);
  if (sk_cg_write (h, "devices.deny", "a", err) < 0)
    return -1;
  for (size_t i = 0; i < n + nd; i++)
    {
      const struct sk_device_rule *d = i < n ? &rules[i] : &defaults[i - n];
      char line[96];
      device_line (d, line, sizeof line);
      if (sk_cg_write (h, d->allow ? "devices.allow" : "devices.deny", line, err) < 0)
        return -1;
    }
  return 0;
}

static bool
list_is (struct sk_cgroup *h, const struct sk_cg_devlist *target)
{
  _cleanup_free_ char *text = NULL;
  sk_error_t e = NULL;
  struct sk_cg_devlist now;
  if (sk_cg_read (h, "devices.list", &text, &e) < 0 || sk_cg_devlist_parse (text, &now) < 0)
    {
      sk_error_free (&e);
      return false;
    }
  bool same = sk_cg_devlist_equal (&now, target);
  sk_cg_devlist_free (&now);
  return same;
}

/* The difference only; 1 when done, 0 when the list must be rebuilt.  */
static int
transition (struct sk_cgroup *h, const struct sk_device_rule *rules, size_t n, sk_error_t *err)
{
  _cleanup_free_ char *text = NULL;
  struct sk_cg_devlist cur, target;
  if (sk_cg_read (h, "devices.list", &text, err) < 0)
    return -1;
  if (sk_cg_devlist_parse (text, &cur) < 0)
    return 0;
  if (sk_cg_devlist_emulate (rules, n, &target, err) < 0)
    {
      sk_cg_devlist_free (&cur);
      return -1;
    }
  size_t max = cur.n + target.n, k;
  struct sk_cg_devwrite *w = calloc (max ? max : 1, sizeof *w);
  int ret = 0;
  if (w == NULL)
    ret = sk_error_set (err, ENOMEM, "device list");
  else if ((k = sk_cg_devlist_plan (&cur, &target, w, max)) != (size_t) -1)
    {
      size_t i;
      for (i = 0; i < k; i++)
        if (sk_cg_write (h, w[i].allow ? "devices.allow" : "devices.deny", w[i].line, err) < 0)
          break;
      if (i < k)
        ret = -1;
      else
        ret = list_is (h, &target) ? 1 : 0;
    }
  free (w);
  sk_cg_devlist_free (&cur);
  sk_cg_devlist_free (&target);
  return ret;
}

int
sk_cg_v1_apply_devices (struct sk_cgroup *cg, const struct sk_device_rule *rules, size_t n,
                        bool update, sk_error_t *err)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "devices");
  if (h == NULL)
    return sk_error_set (err, 0, "cgroup controller `devices` is not mounted on this host");
  if (update)
    {
      int r = transition (h, rules, n, err);
      if (r != 0)
        return r < 0 ? -1 : 0;
    }
  return rebuild (h, rules, n, err);
}
