/* `events --stats` on cgroup v1: the same runc stats event as the v2
 * manager prints (cgroup_stats.c), filled from the v1 files runc's fs
 * manager reads (cpuacct.usage, cpuacct.stat, cpu.stat, memory.*,
 * memory.memsw.*, memory.kmem.*, pids.*, blkio.*_recursive, hugetlb.*),
 * field names as runc's events types spell them.  A controller the host
 * does not mount leaves its fields 0.  */
#include <config.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/json.h"

static char *
text (struct sk_cgroup *h, const char *name)
{
  char *s = NULL;
  sk_error_t e = NULL;
  if (h == NULL || sk_cg_read_opt (h, name, &s, &e) < 0)
    sk_error_free (&e);
  return s;
}

/* A single number; "max" or absent reads `dflt`.  */
static uint64_t
num (struct sk_cgroup *h, const char *name, uint64_t dflt)
{
  _cleanup_free_ char *s = text (h, name);
  if (s == NULL || strncmp (s, "max", 3) == 0)
    return dflt;
  return strtoull (s, NULL, 10);
}

static uint64_t
kv (const char *t, const char *key)
{
  uint64_t v = 0;
  if (t)
    sk_cg_kv_get (t, key, &v);
  return v;
}

static void
gen_cpu (sk_jgen *g, struct sk_cgroup *cg)
{
  struct sk_cgroup *acct = sk_cg_v1_hier (cg, "cpuacct"), *cpu = sk_cg_v1_hier (cg, "cpu");
  _cleanup_free_ char *percpu = text (acct, "cpuacct.usage_percpu");
  _cleanup_free_ char *st = text (acct, "cpuacct.stat"), *thr = text (cpu, "cpu.stat");
  /* cpuacct.stat counts USER_HZ ticks.  */
  long hz = sysconf (_SC_CLK_TCK);
  uint64_t tick = hz > 0 ? 1000000000ull / (uint64_t) hz : 10000000ull;
  sk_jgen_key (g, "cpu");
  sk_jgen_map_open (g);
  sk_jgen_key (g, "usage");
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "total", num (acct, "cpuacct.usage", 0));
  sk_jgen_key (g, "percpu");
  sk_jgen_array_open (g);
  for (char *p = percpu, *end; p && *p; p = end)
    {
      uint64_t v = strtoull (p, &end, 10);
      if (end == p)
        break;
      sk_jgen_uint (g, v);
    }
  sk_jgen_array_close (g);
  sk_jgen_kv_uint (g, "kernel", kv (st, "system") * tick);
  sk_jgen_kv_uint (g, "user", kv (st, "user") * tick);
  sk_jgen_map_close (g);
  sk_jgen_key (g, "throttling");
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "periods", kv (thr, "nr_periods"));
  sk_jgen_kv_uint (g, "throttledPeriods", kv (thr, "nr_throttled"));
  sk_jgen_kv_uint (g, "throttledTime", kv (thr, "throttled_time"));
  sk_jgen_map_close (g);
  sk_jgen_map_close (g);
}

/* "0-3,8" -> [0,1,2,3,8] */
static void
gen_list (sk_jgen *g, const char *key, const char *list)
{
  sk_jgen_key (g, key);
  sk_jgen_array_open (g);
  for (const char *p = list; p && *p && *p != '\n';)
    {
      char *end;
      unsigned long a = strtoul (p, &end, 10), b = a;
      if (end == p)
        break;
      if (*end == '-')
        b = strtoul (end + 1, &end, 10);
      for (unsigned long i = a; i <= b && i - a < 65536; i++)
        sk_jgen_uint (g, i);
      p = end + (*end == ',');
    }
  sk_jgen_array_close (g);
}

static void
gen_cpuset (sk_jgen *g, struct sk_cgroup *cg)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "cpuset");
  _cleanup_free_ char *cpus = text (h, "cpuset.cpus"), *mems = text (h, "cpuset.mems");
  sk_jgen_key (g, "cpuset");
  sk_jgen_map_open (g);
  if (h)
    {
      gen_list (g, "cpus", cpus);
      gen_list (g, "mems", mems);
      sk_jgen_kv_uint (g, "cpu_exclusive", num (h, "cpuset.cpu_exclusive", 0));
      sk_jgen_kv_uint (g, "mem_exclusive", num (h, "cpuset.mem_exclusive", 0));
    }
  sk_jgen_map_close (g);
}

/* One MemoryEntry from memory.<prefix>{limit_in_bytes,usage_in_bytes,
 * max_usage_in_bytes,failcnt}.  */
static void
gen_entry (sk_jgen *g, struct sk_cgroup *h, const char *key, const char *prefix)
{
  char f[96];
  sk_jgen_key (g, key);
  sk_jgen_map_open (g);
  snprintf (f, sizeof f, "memory.%slimit_in_bytes", prefix);
  sk_jgen_kv_uint (g, "limit", num (h, f, 0));
  snprintf (f, sizeof f, "memory.%susage_in_bytes", prefix);
  sk_jgen_kv_uint (g, "usage", num (h, f, 0));
  snprintf (f, sizeof f, "memory.%smax_usage_in_bytes", prefix);
  sk_jgen_kv_uint (g, "max", num (h, f, 0));
  snprintf (f, sizeof f, "memory.%sfailcnt", prefix);
  sk_jgen_kv_uint (g, "failcnt", num (h, f, 0));
  sk_jgen_map_close (g);
}

static void
gen_memory (sk_jgen *g, struct sk_cgroup *cg)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "memory");
  _cleanup_free_ char *st = text (h, "memory.stat");
  sk_jgen_key (g, "memory");
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "cache", kv (st, "cache"));
  gen_entry (g, h, "usage", "");
  gen_entry (g, h, "swap", "memsw.");
  gen_entry (g, h, "kernel", "kmem.");
  gen_entry (g, h, "kernelTCP", "kmem.tcp.");
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
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "pids");
  sk_jgen_key (g, "pids");
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "current", num (h, "pids.current", 0));
  sk_jgen_kv_uint (g, "limit", num (h, "pids.max", 0));   /* max reads 0, as runc */
  sk_jgen_map_close (g);
}

/* blkio "*_recursive" files: "MAJ:MIN Op VALUE" lines, then "Total N".  */
static void
gen_blkio_list (sk_jgen *g, const char *key, const char *t)
{
  sk_jgen_key (g, key);
  sk_jgen_array_open (g);
  for (const char *p = t; p && *p;)
    {
      unsigned maj, min;
      char op[16];
      unsigned long long v;
      if (sscanf (p, "%u:%u %15s %llu", &maj, &min, op, &v) == 4)
        {
          sk_jgen_map_open (g);
          sk_jgen_kv_uint (g, "major", maj);
          sk_jgen_kv_uint (g, "minor", min);
          sk_jgen_kv_string (g, "op", op);
          sk_jgen_kv_uint (g, "value", v);
          sk_jgen_map_close (g);
        }
      p = strchr (p, '\n');
      p = p ? p + 1 : NULL;
    }
  sk_jgen_array_close (g);
}

static void
gen_blkio (sk_jgen *g, struct sk_cgroup *cg)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "blkio");
  /* BFQ's counters when the kernel has them (runc: CFQ, then BFQ, then
   * the throttle layer's, which count every device).  */
  const char *pre = h && sk_cg_has_file (h, "blkio.bfq.io_service_bytes_recursive")
                      ? "blkio.bfq." : "blkio.throttle.";
  char f1[96], f2[96];
  snprintf (f1, sizeof f1, "%sio_service_bytes_recursive", pre);
  snprintf (f2, sizeof f2, "%sio_serviced_recursive", pre);
  _cleanup_free_ char *bytes = text (h, f1), *ios = text (h, f2);
  sk_jgen_key (g, "blkio");
  sk_jgen_map_open (g);
  gen_blkio_list (g, "ioServiceBytesRecursive", bytes);
  gen_blkio_list (g, "ioServicedRecursive", ios);
  sk_jgen_map_close (g);
}

static void
gen_hugetlb (sk_jgen *g, struct sk_cgroup *cg)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "hugetlb");
  sk_jgen_key (g, "hugetlb");
  sk_jgen_map_open (g);
  _cleanup_closedir_ DIR *d = opendir ("/sys/kernel/mm/hugepages");
  struct dirent *de;
  while (h && d && (de = readdir (d)))
    {
      uint64_t kb;
      char size[32], f[96];
      if (sscanf (de->d_name, "hugepages-%" SCNu64 "kB", &kb) != 1)
        continue;
      if (kb >= 1024 * 1024)
        snprintf (size, sizeof size, "%" PRIu64 "GB", kb / (1024 * 1024));
      else if (kb >= 1024)
        snprintf (size, sizeof size, "%" PRIu64 "MB", kb / 1024);
      else
        snprintf (size, sizeof size, "%" PRIu64 "KB", kb);
      sk_jgen_key (g, size);
      sk_jgen_map_open (g);
      snprintf (f, sizeof f, "hugetlb.%s.usage_in_bytes", size);
      sk_jgen_kv_uint (g, "usage", num (h, f, 0));
      snprintf (f, sizeof f, "hugetlb.%s.max_usage_in_bytes", size);
      sk_jgen_kv_uint (g, "max", num (h, f, 0));
      snprintf (f, sizeof f, "hugetlb.%s.failcnt", size);
      sk_jgen_kv_uint (g, "failcnt", num (h, f, 0));
      sk_jgen_map_close (g);
    }
  sk_jgen_map_close (g);
}

char *
sk_cg_v1_stats_json (struct sk_cgroup *cg, const char *id, sk_error_t *err)
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
  gen_cpuset (g, cg);
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
