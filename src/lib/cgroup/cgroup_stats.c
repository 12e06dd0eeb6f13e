/* `events --stats`: the container's cgroup v2 counters in runc's stats
 * event format ({"type":"stats","id":ID,"data":{cpu, cpuset, memory, pids,
 * blkio, hugetlb, intel_rdt, network_interfaces}}), field names as runc's
 * events types spell them so existing consumers parse it.
 *
 * Files a controller provides are absent when the controller is not
 * enabled (a hybrid host's unified hierarchy has few): those fields read 0.
 * Units follow the format: CPU times in nanoseconds (v2 gives usec).  */
#include <config.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/json.h"

/* A file's single number; "max" (or absent) reads as `dflt`.  */
static uint64_t
read_num (struct sk_cgroup *cg, const char *name, uint64_t dflt)
{
  _cleanup_free_ char *s = NULL;
  sk_error_t e = NULL;
  if (sk_cg_read_opt (cg, name, &s, &e) < 0 || s == NULL || strncmp (s, "max", 3) == 0)
    {
      sk_error_free (&e);
      return dflt;
    }
  return strtoull (s, NULL, 10);
}

static char *
read_text (struct sk_cgroup *cg, const char *name)
{
  char *s = NULL;
  sk_error_t e = NULL;
  if (sk_cg_read_opt (cg, name, &s, &e) < 0)
    sk_error_free (&e);
  return s;
}

static uint64_t
kv (const char *text, const char *key)
{
  uint64_t v = 0;
  if (text)
    sk_cg_kv_get (text, key, &v);
  return v;
}

static void
gen_cpu (sk_jgen *g, struct sk_cgroup *cg)
{
  _cleanup_free_ char *st = read_text (cg, "cpu.stat");
  sk_jgen_key (g, "cpu");
  sk_jgen_map_open (g);
  sk_jgen_key (g, "usage");
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "total", kv (st, "usage_usec") * 1000);
  sk_jgen_kv_uint (g, "kernel", kv (st, "system_usec") * 1000);
  sk_jgen_kv_uint (g, "user", kv (st, "user_usec") * 1000);
  sk_jgen_map_close (g);
  sk_jgen_key (g, "throttling");
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "periods", kv (st, "nr_periods"));
  sk_jgen_kv_uint (g, "throttledPeriods", kv (st, "nr_throttled"));
  sk_jgen_kv_uint (g, "throttledTime", kv (st, "throttled_usec") * 1000);
  sk_jgen_map_close (g);
  sk_jgen_map_close (g);
}

static void
gen_entry (sk_jgen *g, const char *key, uint64_t limit, uint64_t usage, uint64_t max,
           uint64_t failcnt)
{
  sk_jgen_key (g, key);
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "limit", limit);
  sk_jgen_kv_uint (g, "usage", usage);
  sk_jgen_kv_uint (g, "max", max);
  sk_jgen_kv_uint (g, "failcnt", failcnt);
  sk_jgen_map_close (g);
}

static void
gen_memory (sk_jgen *g, struct sk_cgroup *cg)
{
  _cleanup_free_ char *st = read_text (cg, "memory.stat");
  _cleanup_free_ char *ev = read_text (cg, "memory.events");
  uint64_t limit = read_num (cg, "memory.max", UINT64_MAX);
  uint64_t usage = read_num (cg, "memory.current", 0);
  uint64_t swap_limit = read_num (cg, "memory.swap.max", UINT64_MAX);
  uint64_t swap_usage = read_num (cg, "memory.swap.current", 0);

  sk_jgen_key (g, "memory");
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "cache", kv (st, "file"));
  /* failcnt: how often usage hit memory.max (memory.events `max`).  */
  gen_entry (g, "usage", limit, usage, read_num (cg, "memory.peak", 0), kv (ev, "max"));
  /* v1's memsw semantics, which consumers of this format expect: swap
   * reports memory+swap.  */
  gen_entry (g, "swap",
             limit == UINT64_MAX || swap_limit == UINT64_MAX ? UINT64_MAX : limit + swap_limit,
             usage + swap_usage, 0, kv (ev, "max"));
  gen_entry (g, "kernel", 0, kv (st, "kernel"), 0, 0);
  gen_entry (g, "kernelTCP", 0, kv (st, "sock"), 0, 0);
  sk_jgen_key (g, "raw");
  sk_jgen_map_open (g);
  for (char *p = st; p && *p;)
    {
      char *nl = strchr (p, '\n'), *sp = strchr (p, ' ');
      if (sp && (!nl || sp < nl))
        {
          *sp = '\0';
          sk_jgen_kv_uint (g, p, strtoull (sp + 1, NULL, 10));
        }
      p = nl ? nl + 1 : NULL;
    }
  sk_jgen_map_close (g);
  sk_jgen_map_close (g);
}

static void
gen_pids (sk_jgen *g, struct sk_cgroup *cg)
{
  sk_jgen_key (g, "pids");
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "current", read_num (cg, "pids.current", 0));
  /* "max" reads 0, as runc reports no limit.  */
  sk_jgen_kv_uint (g, "limit", read_num (cg, "pids.max", 0));
  sk_jgen_map_close (g);
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N".  */
static void
gen_blkio_list (sk_jgen *g, const char *io, const char *key, const char *rkey, const char *wkey)
{
  sk_jgen_key (g, key);
  sk_jgen_array_open (g);
  for (const char *p = io; p && *p;)
    {
      unsigned maj, min;
      const char *nl = strchr (p, '\n');
      _cleanup_free_ char *line = strndup (p, nl ? (size_t) (nl - p) : strlen (p));
      p = nl ? nl + 1 : NULL;
      if (line == NULL || sscanf (line, "%u:%u", &maj, &min) != 2)
        continue;
      const char *ops[2][2] = { { "Read", rkey }, { "Write", wkey } };
      for (int i = 0; i < 2; i++)
        {
          char pat[32];
          snprintf (pat, sizeof pat, " %s=", ops[i][1]);
          const char *f = strstr (line, pat);
          sk_jgen_map_open (g);
          sk_jgen_kv_uint (g, "major", maj);
          sk_jgen_kv_uint (g, "minor", min);
          sk_jgen_kv_string (g, "op", ops[i][0]);
          sk_jgen_kv_uint (g, "value", f ? strtoull (f + strlen (pat), NULL, 10) : 0);
          sk_jgen_map_close (g);
        }
    }
  sk_jgen_array_close (g);
}

static void
gen_blkio (sk_jgen *g, struct sk_cgroup *cg)
{
  _cleanup_free_ char *io = read_text (cg, "io.stat");
  sk_jgen_key (g, "blkio");
  sk_jgen_map_open (g);
  gen_blkio_list (g, io, "ioServiceBytesRecursive", "rbytes", "wbytes");
  gen_blkio_list (g, io, "ioServicedRecursive", "rios", "wios");
  sk_jgen_map_close (g);
}

/* Every huge page size the kernel has, named as hugetlb files name them.  */
static void
gen_hugetlb (sk_jgen *g, struct sk_cgroup *cg)
{
  sk_jgen_key (g, "hugetlb");
  sk_jgen_map_open (g);
  _cleanup_closedir_ DIR *d = opendir ("/sys/kernel/mm/hugepages");
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      uint64_t kb;
      char size[32], file[96];
      if (sscanf (de->d_name, "hugepages-%" SCNu64 "kB", &kb) != 1)
        continue;
      if (kb >= 1024 * 1024)
        snprintf (size, sizeof size, "%" PRIu64 "GB", kb / (1024 * 1024));
      else if (kb >= 1024)
        snprintf (size, sizeof size, "%" PRIu64 "MB", kb / 1024);
      else
        snprintf (size, sizeof size, "%" PRIu64 "KB", kb);
      snprintf (file, sizeof file, "hugetlb.%s.events", size);
      _cleanup_free_ char *ev = read_text (cg, file);
      sk_jgen_key (g, size);
      sk_jgen_map_open (g);
      snprintf (file, sizeof file, "hugetlb.%s.current", size);
      sk_jgen_kv_uint (g, "usage", read_num (cg, file, 0));
      snprintf (file, sizeof file, "hugetlb.%s.max", size);
      sk_jgen_kv_uint (g, "max", read_num (cg, file, 0));
      sk_jgen_kv_uint (g, "failcnt", kv (ev, "max"));
      sk_jgen_map_close (g);
    }
  sk_jgen_map_close (g);
}

char *
sk_cg_v2_stats_json (struct sk_cgroup *cg, const char *id, sk_error_t *err)
{
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (false);
  if (g == NULL)
    {
      sk_error_set (err, ENOMEM, "stats");
      return NULL;
    }
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "type", "stats");
  sk_jgen_kv_string (g, "id", id);
  sk_jgen_key (g, "data");
  sk_jgen_map_open (g);
  gen_cpu (g, cg);
  sk_jgen_key (g, "cpuset");
  sk_jgen_map_open (g);
  sk_jgen_map_close (g);
  gen_memory (g, cg);
  gen_pids (g, cg);
  gen_blkio (g, cg);
  gen_hugetlb (g, cg);
  sk_jgen_key (g, "intel_rdt");
  sk_jgen_map_open (g);
  sk_jgen_map_close (g);
  sk_jgen_key (g, "network_interfaces");
  sk_jgen_null (g);
  sk_jgen_map_close (g);
  sk_jgen_map_close (g);
  char *out = sk_jgen_finish (g, NULL);
  if (out == NULL)
    sk_error_set (err, ENOMEM, "stats");
  return out;
}
