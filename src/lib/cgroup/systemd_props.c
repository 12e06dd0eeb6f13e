/* Unit properties for the systemd driver: the resources systemd owns, and
 * the config's `org.systemd.property.*` annotations.  Pure data: systemd.c
 * marshals the list onto the bus.
 *
 * Why properties at all when the files are written too: systemd re-applies
 * a unit's own properties to its cgroup (daemon-reload, a sibling's
 * change), resetting any file it owns to what the unit says.  So every
 * resource systemd has a property for is set both ways, with the same value
 * the cgroupfs manager writes (same conversions), and the rest only as files.
 *
 * Mapping (cgroup v2 names; v1 names where a v1/hybrid systemd differs):
 *   memory.limit        MemoryMax (v1: MemoryLimit)       runc, crun
 *   memory.reservation  MemoryLow (v2 only)               runc, crun
 *   memory.swap         MemorySwapMax = swap - limit      runc, crun
 *                       (v1: file only, memsw.limit)      runc
 *   cpu.shares          CPUWeight = 1+(s-2)*9999/262142   runc (v1: CPUShares)
 *   cpu.quota/period    CPUQuotaPerSecUSec, rounded up to 10 ms;
 *                       CPUQuotaPeriodUSec (v1 too)       runc
 *   cpu.cpus / mems     AllowedCPUs / AllowedMemoryNodes  runc, crun
 *                       (v1: files only; runc sends them, systemd ignores
 *                       them there)
 *   pids.limit          TasksMax (0: file only; v1 too)   runc, crun
 *   blockIO.weight      IOWeight = 1+(w-10)*9999/990 (v1: BlockIOWeight)
 *   accounting          IOAccounting (v1: BlockIOAccounting)  runc
 *   unified.{memory.high,memory.low,memory.min,memory.max,memory.swap.max,
 *     pids.max,cpu.weight,cpu.max,cpuset.cpus,cpuset.mems}
 *                       MemoryHigh ... AllowedMemoryNodes runc
 * Everything else (devices, hugetlb, rdma, burst, idle, rt, swappiness,
 * weightDevice, throttle*, other unified keys) is written as files.  */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup/systemd.h"
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"

#define ANNOTATION_PREFIX "org.systemd.property."
#define DEFAULT_PERIOD_US 100000

/* ---- the list --------------------------------------------------------- */

static struct sk_sd_prop *
push (struct sk_sd_props *p, const char *name, enum sk_sd_type type, sk_error_t *err)
{
  /* A later value for the same name replaces the earlier one: annotations
   * override what the resources said, as runc appends them last.  */
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->v[i].name, name) == 0)
      {
        struct sk_sd_prop *old = &p->v[i];
        free (old->s);
        free (old->bytes);
        free (old->pids);
        sk_strv_freep (&old->strv);
        char *keep = old->name;
        memset (old, 0, sizeof *old);
        old->name = keep;
        old->type = type;
        return old;
      }
  struct sk_sd_prop *nv = realloc (p->v, (p->n + 1) * sizeof *nv);
  if (nv == NULL)
    {
      sk_error_set (err, ENOMEM, "unit property `%s`", name);
      return NULL;
    }
  p->v = nv;
  struct sk_sd_prop *e = &p->v[p->n];
  memset (e, 0, sizeof *e);
  e->name = strdup (name);
  if (e->name == NULL)
    {
      sk_error_set (err, ENOMEM, "unit property `%s`", name);
      return NULL;
    }
  e->type = type;
  p->n++;
  return e;
}

static int
add_num (struct sk_sd_props *p, const char *name, enum sk_sd_type t, uint64_t v, sk_error_t *err)
{
  struct sk_sd_prop *e = push (p, name, t, err);
  if (e == NULL)
    return -1;
  e->u = v;
  return 0;
}

int
sk_sd_props_add_u64 (struct sk_sd_props *p, const char *name, uint64_t v, sk_error_t *err)
{
  return add_num (p, name, SK_SD_U64, v, err);
}

int
sk_sd_props_add_bool (struct sk_sd_props *p, const char *name, bool v, sk_error_t *err)
{
  return add_num (p, name, SK_SD_BOOL, v, err);
}

int
sk_sd_props_add_str (struct sk_sd_props *p, const char *name, const char *v, sk_error_t *err)
{
  struct sk_sd_prop *e = push (p, name, SK_SD_STR, err);
  if (e == NULL)
    return -1;
  e->s = strdup (v);
  return e->s ? 0 : sk_error_set (err, ENOMEM, "unit property `%s`", name);
}

int
sk_sd_props_add_pid (struct sk_sd_props *p, const char *name, pid_t pid, sk_error_t *err)
{
  struct sk_sd_prop *e = push (p, name, SK_SD_PIDS, err);
  if (e == NULL)
    return -1;
  e->pids = malloc (sizeof *e->pids);
  if (e->pids == NULL)
    return sk_error_set (err, ENOMEM, "unit property `%s`", name);
  e->pids[0] = (uint32_t) pid;
  e->n_pids = 1;
  return 0;
}

static int
add_mask (struct sk_sd_props *p, const char *name, const char *list, const char *what,
          sk_error_t *err)
{
  uint8_t *mask = NULL;
  size_t n = 0;
  if (sk_sd_cpuset_mask (list, what, &mask, &n, err) < 0)
    return -1;
  struct sk_sd_prop *e = push (p, name, SK_SD_BYTES, err);
  if (e == NULL)
    {
      free (mask);
      return -1;
    }
  e->bytes = mask;
  e->n_bytes = n;
  return 0;
}

void
sk_sd_props_clear (struct sk_sd_props *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      free (p->v[i].name);
      free (p->v[i].s);
      free (p->v[i].bytes);
      free (p->v[i].pids);
      sk_strv_freep (&p->v[i].strv);
    }
  free (p->v);
  p->v = NULL;
  p->n = 0;
}

const struct sk_sd_prop *
sk_sd_props_find (const struct sk_sd_props *p, const char *name)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->v[i].name, name) == 0)
      return &p->v[i];
  return NULL;
}

/* ---- cpuset lists ----------------------------------------------------- */

#define CPUSET_MAX 8192

int
sk_sd_cpuset_mask (const char *list, const char *what, uint8_t **mask, size_t *n,
                   sk_error_t *err)
{
  *mask = NULL;
  *n = 0;
  _cleanup_free_ uint8_t *m = calloc (CPUSET_MAX / 8, 1);
  if (m == NULL)
    return sk_error_set (err, ENOMEM, "%s", what);
  size_t top = 0;
  const char *p = list;
  while (*p)
    {
      char *end;
      errno = 0;
      unsigned long a = strtoul (p, &end, 10), b;
      if (end == p || errno || a >= CPUSET_MAX)
        goto bad;
      b = a;
      if (*end == '-')
        {
          p = end + 1;
          b = strtoul (p, &end, 10);
          if (end == p || errno || b >= CPUSET_MAX || b < a)
            goto bad;
        }
      for (unsigned long i = a; i <= b; i++)
        m[i / 8] |= (uint8_t) (1u << (i % 8));
      if (b / 8 + 1 > top)
        top = b / 8 + 1;
      p = end;
      if (*p == ',')
        p++;
      else if (*p && *p != '\n')
        goto bad;
      else if (*p == '\n')
        break;
    }
  if (top == 0)
    goto bad;
  *mask = steal_ptr (&m);
  *n = top;
  return 0;
bad:
  return sk_error_set (err, 0, "%s: `%s` is not a list like `0-3,8`", what, list);
}

/* ---- resources -------------------------------------------------------- */

static uint64_t
limit_value (int64_t v)
{
  return v < 0 ? SK_SD_INFINITY : (uint64_t) v;
}

static int
cpu_quota (struct sk_sd_props *p, bool has_quota, int64_t quota, uint64_t period,
           sk_error_t *err)
{
  if (period && sk_sd_props_add_u64 (p, "CPUQuotaPeriodUSec", period, err) < 0)
    return -1;
  if (!has_quota)
    return 0;
  uint64_t per_sec = SK_SD_INFINITY;
  if (quota > 0)
    {
      /* systemd keeps the quota as a percentage of a CPU: round up to
       * the next 10 ms per second, so the scope's cpu.max is never below
       * what the files (written right after) ask (runc does the same).  */
      per_sec = (uint64_t) quota * 1000000 / (period ? period : DEFAULT_PERIOD_US);
      if (per_sec % 10000)
        per_sec = (per_sec / 10000 + 1) * 10000;
    }
  return sk_sd_props_add_u64 (p, "CPUQuotaPerSecUSec", per_sec, err);
}

static int
memory_props (const struct sk_memory *m, bool v2, struct sk_sd_props *p, sk_error_t *err)
{
  if (m->has_limit && m->limit
      && sk_sd_props_add_u64 (p, v2 ? "MemoryMax" : "MemoryLimit", limit_value (m->limit), err) < 0)
    return -1;
  if (!v2)
    return 0;
  if (m->has_reservation && m->reservation
      && sk_sd_props_add_u64 (p, "MemoryLow", limit_value (m->reservation), err) < 0)
    return -1;
  if (m->has_swap)
    {
      bool skip;
      int64_t swap;
      if (sk_cg_swap_to_v2 (m->swap, m->has_limit ? m->limit : 0, &skip, &swap, err) < 0)
        return -1;
      if (!skip && sk_sd_props_add_u64 (p, "MemorySwapMax", limit_value (swap), err) < 0)
        return -1;
    }
  return 0;
}

static int
cpu_props (const struct sk_cpu *c, bool v2, struct sk_sd_props *p, sk_error_t *err)
{
  if (c->has_shares && c->shares
      && (v2 ? sk_sd_props_add_u64 (p, "CPUWeight", sk_cg_shares_to_weight (c->shares), err)
             : sk_sd_props_add_u64 (p, "CPUShares", c->shares, err)) < 0)
    return -1;
  if (((c->has_quota && c->quota) || (c->has_period && c->period))
      && cpu_quota (p, c->has_quota && c->quota, c->quota, c->has_period ? c->period : 0,
                    err) < 0)
    return -1;
  /* systemd's cpuset support is cgroup v2 only: on v1 it would keep
   * AllowedCPUs without applying it; the cpuset files are skiff's.  */
  if (!v2)
    return 0;
  if (c->cpus && c->cpus[0]
      && add_mask (p, "AllowedCPUs", c->cpus, "linux.resources.cpu.cpus", err) < 0)
    return -1;
  if (c->mems && c->mems[0]
      && add_mask (p, "AllowedMemoryNodes", c->mems, "linux.resources.cpu.mems", err) < 0)
    return -1;
  return 0;
}

static int
parse_limit (const char *key, const char *v, uint64_t *out, sk_error_t *err)
{
  char *end;
  if (strcmp (v, "max") == 0 || strcmp (v, "max\n") == 0)
    {
      *out = SK_SD_INFINITY;
      return 0;
    }
  errno = 0;
  *out = strtoull (v, &end, 10);
  if (end == v || errno || (*end && strcmp (end, "\n") != 0) || v[0] == '-')
    return sk_error_set (err, 0, "linux.resources.unified.%s: `%s` is not a number or `max`",
                         key, v);
  return 0;
}

/* The unified keys systemd has a property for (runc's list).  */
static int
unified_props (const struct sk_kvs *u, struct sk_sd_props *p, sk_error_t *err)
{
  static const struct { const char *key, *prop; } plain[] = {
    { "memory.high", "MemoryHigh" }, { "memory.low", "MemoryLow" },
    { "memory.min", "MemoryMin" }, { "memory.max", "MemoryMax" },
    { "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
    { "cpu.weight", "CPUWeight" },
  };
  for (size_t i = 0; i < u->n; i++)
    {
      const char *k = u->v[i].key, *v = u->v[i].value;
      uint64_t n;
      for (size_t j = 0; j < sizeof plain / sizeof plain[0]; j++)
        if (strcmp (k, plain[j].key) == 0
            && (parse_limit (k, v, &n, err) < 0 || sk_sd_props_add_u64 (p, plain[j].prop, n, err) < 0))
          return -1;
      if (strcmp (k, "cpuset.cpus") == 0
          && add_mask (p, "AllowedCPUs", v, "linux.resources.unified.cpuset.cpus", err) < 0)
        return -1;
      if (strcmp (k, "cpuset.mems") == 0
          && add_mask (p, "AllowedMemoryNodes", v, "linux.resources.unified.cpuset.mems", err) < 0)
        return -1;
      if (strcmp (k, "cpu.max") == 0)
        {
          char q[32] = "";
          uint64_t period = 0;
          if (sscanf (v, "%31s %" SCNu64, q, &period) < 1)
            return sk_error_set (err, 0, "linux.resources.unified.cpu.max: `%s` is not "
                                 "`QUOTA [PERIOD]`", v);
          bool max = strcmp (q, "max") == 0;
          int64_t quota = max ? -1 : strtoll (q, NULL, 10);
          if (!max && quota <= 0)
            return sk_error_set (err, 0, "linux.resources.unified.cpu.max: `%s` is not "
                                 "`QUOTA [PERIOD]`", v);
          if (cpu_quota (p, true, quota, period, err) < 0)
            return -1;
        }
    }
  return 0;
}

int
sk_sd_resource_props (const struct sk_resources *r, bool v2, struct sk_sd_props *p,
                      sk_error_t *err)
{
  if (r == NULL)
    return 0;
  if (r->memory && memory_props (r->memory, v2, p, err) < 0)
    return -1;
  if (r->cpu && cpu_props (r->cpu, v2, p, err) < 0)
    return -1;
  /* systemd refuses TasksMax=0 (out of range): the file still gets 0.  */
  if (r->has_pids_limit && r->pids_limit
      && sk_sd_props_add_u64 (p, "TasksMax", limit_value (r->pids_limit), err) < 0)
    return -1;
  if (r->block_io && r->block_io->has_weight && r->block_io->weight
      && (v2 ? sk_sd_props_add_u64 (p, "IOWeight",
                                    sk_cg_blkio_to_io_weight (r->block_io->weight), err)
             : sk_sd_props_add_u64 (p, "BlockIOWeight", r->block_io->weight, err)) < 0)
    return -1;
  if (v2 && unified_props (&r->unified, p, err) < 0)
    return -1;
  return 0;
}

/* ---- devices (v1) ----------------------------------------------------- */

static bool
rule_all (const struct sk_device_rule *d)
{
  return (d->type == 'a' || d->type == 0) && !d->has_major && !d->has_minor;
}

/* Could rules a and b match a common device?  */
static bool
rules_overlap (const struct sk_device_rule *a, const struct sk_device_rule *b)
{
  char ta = a->type ? a->type : 'a', tb = b->type ? b->type : 'a';
  if (ta != 'a' && tb != 'a' && ta != tb)
    return false;
  if (a->has_major && b->has_major && a->major != b->major)
    return false;
  return !(a->has_minor && b->has_minor && a->minor != b->minor);
}

/* A major's group name in /proc/devices ("136" -> "pts"), for char-NAME.  */
static bool
major_name (char type, int64_t major, char *name, size_t len)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/devices", "re");
  char line[256];
  bool in = false;
  while (f && fgets (line, sizeof line, f))
    {
      if (strncmp (line, "Character devices:", 18) == 0 || strncmp (line, "Block devices:", 14) == 0)
        {
          in = (line[0] == 'C') == (type == 'c');
          continue;
        }
      long m;
      char n[128];
      if (in && sscanf (line, "%ld %127s", &m, n) == 2 && m == major)
        {
          snprintf (name, len, "%s", n);
          return true;
        }
    }
  return false;
}

static int
push_pair (char ***sv, size_t *n, const char *node, const char *acc)
{
  char **v = realloc (*sv, (*n + 3) * sizeof *v);
  if (v == NULL)
    return -1;
  *sv = v;
  v[*n] = strdup (node);
  v[*n + 1] = strdup (acc);
  v[*n + 2] = NULL;
  *n += 2;
  return v[*n - 2] && v[*n - 1] ? 0 : -1;
}

/* One allow rule as DeviceAllow entries: /dev/char/M:m (systemd parses
 * that form without a node existing), char-NAME for a major's every
 * minor, char-* / block-* (globbed over /proc/devices) for a type.  */
static int
device_entries (const struct sk_device_rule *d, char ***sv, size_t *n)
{
  const char *acc = d->access && d->access[0] ? d->access : "rwm";
  char t = d->type ? d->type : 'a', node[192], name[128];
  if (!d->has_major)
    {
      if ((t == 'a' || t == 'c') && push_pair (sv, n, "char-*", acc) < 0)
        return -1;
      if ((t == 'a' || t == 'b') && push_pair (sv, n, "block-*", acc) < 0)
        return -1;
      return 0;
    }
  if (t == 'a')
    return 0;   /* a major without a type: no systemd form; left out */
  if (d->has_minor)
    snprintf (node, sizeof node, "/dev/%s/%" PRId64 ":%" PRId64, t == 'c' ? "char" : "block",
              d->major, d->minor);
  else if (major_name (t, d->major, name, sizeof name))
    snprintf (node, sizeof node, "%s-%s", t == 'c' ? "char" : "block", name);
  else
    return 0;   /* no group name for that major: left out (narrower) */
  return push_pair (sv, n, node, acc);
}

int
sk_sd_device_props (const struct sk_device_rule *rules, size_t n, struct sk_sd_props *out,
                    sk_error_t *err)
{
  size_t nd, total, last_deny_all = SIZE_MAX;
  const struct sk_device_rule *defaults = sk_cg_devices_defaults (&nd);
  total = n + nd;
#define RULE(i) ((i) < n ? &rules[(i)] : &defaults[(i) - n])
  for (size_t i = 0; i < total; i++)
    if (!RULE (i)->allow && rule_all (RULE (i)))
      last_deny_all = i;
  /* No deny-all: the rules start from "everything allowed", which is
   * systemd's own default; nothing narrower can be said.  */
  if (last_deny_all == SIZE_MAX)
    return 0;
  char **sv = calloc (1, sizeof *sv);
  size_t k = 0;
  if (sv == NULL)
    return sk_error_set (err, ENOMEM, "DeviceAllow");
  for (size_t i = last_deny_all + 1; i < total; i++)
    {
      const struct sk_device_rule *d = RULE (i);
      bool denied_later = false;
      if (!d->allow)
        continue;
      for (size_t j = i + 1; j < total && !denied_later; j++)
        denied_later = !RULE (j)->allow && rules_overlap (d, RULE (j));
      if (!denied_later && device_entries (d, &sv, &k) < 0)
        {
          sk_strv_freep (&sv);
          return sk_error_set (err, ENOMEM, "DeviceAllow");
        }
    }
#undef RULE
  struct sk_sd_prop *e;
  if (sk_sd_props_add_str (out, "DevicePolicy", "strict", err) < 0
      || (e = push (out, "DeviceAllow", SK_SD_PAIRS, err)) == NULL)
    {
      sk_strv_freep (&sv);
      return -1;
    }
  e->strv = sv;
  return 0;
}

/* ---- annotations ------------------------------------------------------ */

static bool
prop_name_valid (const char *n)
{
  if (!(n[0] >= 'A' && n[0] <= 'Z'))
    return false;
  for (; *n; n++)
    if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9')))
      return false;
  return true;
}

/* ['a', "b"] -> strv.  */
static int
parse_strv (const char *v, char ***out)
{
  size_t n = 0;
  char **sv = calloc (strlen (v) + 1, sizeof *sv);
  if (sv == NULL)
    return -1;
  const char *p = v + 1;
  for (;;)
    {
      p += strspn (p, " ");
      if (*p == ']' && n == 0 && p[1 + strspn (p + 1, " ")] == '\0')
        break;
      if (*p != '\'' && *p != '"')
        goto bad;
      const char *end = strchr (p + 1, *p);
      if (end == NULL || (sv[n++] = strndup (p + 1, end - p - 1)) == NULL)
        goto bad;
      p = end + 1 + strspn (end + 1, " ");
      if (*p == ',')
        {
          p++;
          continue;
        }
      if (*p == ']' && p[1 + strspn (p + 1, " ")] == '\0')
        break;
      goto bad;
    }
  *out = sv;
  return 0;
bad:
  sk_strv_freep (&sv);
  return -1;
}

static int
parse_number (const char *v, enum sk_sd_type *t, uint64_t *u)
{
  static const struct { const char *prefix; enum sk_sd_type t; } types[] = {
    { "uint64 ", SK_SD_U64 }, { "int64 ", SK_SD_I64 }, { "uint32 ", SK_SD_U32 },
    { "int32 ", SK_SD_I32 }, { "@t ", SK_SD_U64 }, { "@x ", SK_SD_I64 }, { "@u ", SK_SD_U32 },
    { "@i ", SK_SD_I32 },
  };
  /* A bare number is an int32 in GVariant text, as godbus reads it for runc.  */
  *t = SK_SD_I32;
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strncmp (v, types[i].prefix, strlen (types[i].prefix)) == 0)
      {
        *t = types[i].t;
        v += strlen (types[i].prefix);
        break;
      }
  char *end;
  errno = 0;
  if (*t == SK_SD_U64 || *t == SK_SD_U32)
    *u = v[0] == '-' ? (errno = ERANGE, 0) : strtoull (v, &end, 10);
  else
    *u = (uint64_t) strtoll (v, &end, 10);
  if (errno || end == v || *end)
    return -1;
  if (*t == SK_SD_U32 && *u > UINT32_MAX)
    return -1;
  if (*t == SK_SD_I32 && ((int64_t) *u > INT32_MAX || (int64_t) *u < INT32_MIN))
    return -1;
  return 0;
}

static int
annotation_prop (const char *key, const char *value, struct sk_sd_props *p, sk_error_t *err)
{
  const char *name = key + strlen (ANNOTATION_PREFIX);
  if (!prop_name_valid (name))
    return sk_error_set (err, 0, "annotation `%s`: `%s` is not a systemd property name "
                         "(letters and digits, starting with a capital)", key, name);
  _cleanup_free_ char *uname = NULL;
  uint64_t factor = 1;
  size_t nl = strlen (name);
  /* TimeoutStopSec -> TimeoutStopUSec in microseconds, as runc converts.  */
  if (nl > 3 && strcmp (name + nl - 3, "Sec") == 0 && !(nl > 4 && name[nl - 4] == 'U'))
    {
      if (asprintf (&uname, "%.*sUSec", (int) (nl - 3), name) < 0)
        return sk_error_set (err, ENOMEM, "annotation `%s`", key);
      name = uname;
      factor = 1000000;
    }
  const char *v = value + strspn (value, " ");
  size_t vl = strlen (v);
  if (strcmp (v, "true") == 0 || strcmp (v, "false") == 0)
    return sk_sd_props_add_bool (p, name, v[0] == 't', err);
  if ((v[0] == '\'' || v[0] == '"') && vl >= 2 && v[vl - 1] == v[0]
      && memchr (v + 1, v[0], vl - 2) == NULL)
    {
      _cleanup_free_ char *s = strndup (v + 1, vl - 2);
      return s ? sk_sd_props_add_str (p, name, s, err) : sk_error_set (err, ENOMEM, "%s", key);
    }
  if (v[0] == '[')
    {
      char **sv = NULL;
      if (parse_strv (v, &sv) < 0)
        return sk_error_set (err, 0, "annotation `%s`: `%s` is not a list of strings like "
                             "['a', 'b']", key, value);
      struct sk_sd_prop *e = push (p, name, SK_SD_STRV, err);
      if (e == NULL)
        {
          sk_strv_freep (&sv);
          return -1;
        }
      e->strv = sv;
      return 0;
    }
  enum sk_sd_type t;
  uint64_t u;
  if (parse_number (v, &t, &u) < 0)
    return sk_error_set (err, 0, "annotation `%s`: cannot parse `%s` as a GVariant value "
                         "(true, false, 'string', ['a', 'b'], uint64 N, int64 N, uint32 N, "
                         "int32 N or N)", key, value);
  if (factor != 1 && u != SK_SD_INFINITY)
    u *= factor;
  return add_num (p, name, t, u, err);
}

int
sk_sd_annotation_props (const struct sk_kvs *annotations, struct sk_sd_props *p, sk_error_t *err)
{
  for (size_t i = 0; annotations && i < annotations->n; i++)
    {
      const char *k = annotations->v[i].key;
      if (strncmp (k, ANNOTATION_PREFIX, strlen (ANNOTATION_PREFIX)) == 0
          && annotation_prop (k, annotations->v[i].value, p, err) < 0)
        return sk_error_prefix (err, "config.json");
    }
  return 0;
}
