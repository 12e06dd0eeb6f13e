/* linux.resources on cgroup v2 files.  Each mapping follows what runc and
 * crun write, so a container gets the same limits whichever runtime runs
 * it; the conversions are documented where they happen.
 *
 * Values that no cgroup v2 file can take are refused before anything is
 * created (sk_cg_resources_controllers), never silently dropped.  The only
 * fields ignored (with a warning) are those the spec marks NOT RECOMMENDED
 * or that no kernel since 5.0 implements (memory.kernel, kernelTCP,
 * blockIO leafWeight).  */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <skiff/container.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"

/* ---- conversions ------------------------------------------------------ */

/* cpu.shares (cgroup v1, 2..262144, default 1024) -> cpu.weight (1..10000,
 * default 100): the linear map runc and crun have used since cgroup v2
 * support, 2 -> 1 and 262144 -> 10000.  Out-of-range shares are clamped
 * as the v1 kernel clamps them.  */
uint64_t
sk_cg_shares_to_weight (uint64_t shares)
{
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

/* blkio.weight (10..1000) -> io.weight (1..10000), again linear: 10 -> 1,
 * 1000 -> 10000.  io.bfq.weight takes the v1 range unchanged.  */
uint64_t
sk_cg_blkio_to_io_weight (uint64_t w)
{
  return 1 + ((w - 10) * 9999) / 990;
}

/* memory.swap in the spec is the v1 memsw total (memory + swap); v2's
 * memory.swap.max is swap alone, hence swap - limit.  As runc does:
 * swap 0 means "not set", except with an unlimited memory limit where
 * both become unlimited; -1 is unlimited.  *out < 0 means "max", *skip
 * means leave the file alone.  */
int
sk_cg_swap_to_v2 (int64_t swap, int64_t limit, bool *skip, int64_t *out, sk_error_t *err)
{
  *skip = false;
  *out = -1;
  if (swap == 0)
    {
      *skip = limit != -1;
      return 0;
    }
  if (swap == -1)
    return 0;
  if (swap < -1)
    return sk_error_set (err, 0, "linux.resources.memory.swap: invalid value `%" PRId64 "`", swap);
  if (limit <= 0)
    return sk_error_set (err, 0, "linux.resources.memory.swap: a swap limit (`%" PRId64 "`) "
                         "needs a memory limit", swap);
  if (swap < limit)
    return sk_error_set (err, 0, "linux.resources.memory.swap: `%" PRId64 "` is lower than "
                         "memory.limit `%" PRId64 "` (swap is the memory+swap total)", swap, limit);
  *out = swap - limit;
  return 0;
}

/* -1 (or any negative) -> "max", else the number.  */
static void
num_or_max (int64_t v, char *buf, size_t len)
{
  if (v < 0)
    snprintf (buf, len, "max");
  else
    snprintf (buf, len, "%" PRId64, v);
}

/* ---- validation: the controllers needed, config errors ---------------- */

static int
check_memory (const struct sk_memory *m, unsigned *need, sk_error_t *err)
{
  if ((m->has_limit && m->limit != 0) || (m->has_reservation && m->reservation != 0)
      || (m->has_swap && m->swap != 0) || (m->has_check_before_update && m->check_before_update))
    *need |= SK_CG_BIT (SK_CG_MEMORY);
  if (m->has_limit && m->limit < -1)
    return sk_error_set (err, 0, "linux.resources.memory.limit: invalid value `%" PRId64 "`",
                         m->limit);
  if (m->has_reservation && m->reservation < -1)
    return sk_error_set (err, 0, "linux.resources.memory.reservation: invalid value `%" PRId64
                         "`", m->reservation);
  if (m->has_swap && m->has_limit)
    {
      bool skip;
      int64_t v;
      if (sk_cg_swap_to_v2 (m->swap, m->limit, &skip, &v, err) < 0)
        return -1;
    }
  if (m->has_swappiness)
    return sk_error_set (err, 0, "linux.resources.memory.swappiness: cgroup v2 has no "
                         "per-cgroup swappiness");
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    return sk_error_set (err, 0, "linux.resources.memory.disableOOMKiller: cgroup v2 cannot "
                         "disable the OOM killer");
  if (m->has_use_hierarchy && !m->use_hierarchy)
    return sk_error_set (err, 0, "linux.resources.memory.useHierarchy: cgroup v2 accounting "
                         "is always hierarchical");
  return 0;
}

static int
check_cpu (const struct sk_cpu *c, unsigned *need, sk_error_t *err)
{
  if ((c->has_shares && c->shares) || (c->has_quota && c->quota) || (c->has_period && c->period)
      || c->has_burst || c->has_idle)
    *need |= SK_CG_BIT (SK_CG_CPU);
  if ((c->cpus && c->cpus[0]) || (c->mems && c->mems[0]))
    *need |= SK_CG_BIT (SK_CG_CPUSET);
  if ((c->has_realtime_runtime && c->realtime_runtime) || (c->has_realtime_period && c->realtime_period))
    return sk_error_set (err, 0, "linux.resources.cpu.%s: cgroup v2 has no realtime CPU "
                         "bandwidth control",
                         c->has_realtime_runtime && c->realtime_runtime ? "realtimeRuntime"
                                                                       : "realtimePeriod");
  if (c->has_idle && c->idle != 0 && c->idle != 1)
    return sk_error_set (err, 0, "linux.resources.cpu.idle: `%" PRId64 "`: expected 0 or 1",
                         c->idle);
  return 0;
}

static int
check_io (const struct sk_block_io *b, unsigned *need, sk_error_t *err)
{
  if ((b->has_weight && b->weight) || b->n_throttle_read_bps || b->n_throttle_write_bps
      || b->n_throttle_read_iops || b->n_throttle_write_iops)
    *need |= SK_CG_BIT (SK_CG_IO);
  if (b->has_weight && b->weight && (b->weight < 10 || b->weight > 1000))
    return sk_error_set (err, 0, "linux.resources.blockIO.weight: `%u` is out of range 10..1000",
                         b->weight);
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct sk_weight_device *d = &b->weight_device[i];
      if (!d->has_weight)
        continue;
      *need |= SK_CG_BIT (SK_CG_IO);
      if (d->weight < 10 || d->weight > 1000)
        return sk_error_set (err, 0, "linux.resources.blockIO.weightDevice[%zu].weight: `%u` is "
                             "out of range 10..1000", i, d->weight);
    }
  return 0;
}

/* "2MB" -> 2048 (kB), 0 when malformed.  config-linux.md: <size><unit>B,
 * base 1024.  */
static uint64_t
page_size_kb (const char *s)
{
  char *end;
  errno = 0;
  uint64_t v = strtoull (s, &end, 10);
  if (errno || end == s || v == 0)
    return 0;
  if (strcmp (end, "KB") == 0)
    return v;
  if (strcmp (end, "MB") == 0)
    return v * 1024;
  if (strcmp (end, "GB") == 0)
    return v * 1024 * 1024;
  return 0;
}

static int
check_hugetlb (const struct sk_resources *r, unsigned *need, sk_error_t *err)
{
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const char *ps = r->hugepage_limits[i].page_size;
      uint64_t kb = ps ? page_size_kb (ps) : 0;
      char dir[128];
      *need |= SK_CG_BIT (SK_CG_HUGETLB);
      if (kb == 0)
        return sk_error_set (err, 0, "linux.resources.hugepageLimits[%zu].pageSize: `%s`: "
                             "expected <size>KB, MB or GB", i, ps ? ps : "");
      snprintf (dir, sizeof dir, "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB", kb);
      if (access (dir, F_OK) < 0)
        return sk_error_set (err, 0, "linux.resources.hugepageLimits[%zu].pageSize: `%s` is not "
                             "a huge page size of this kernel (see /sys/kernel/mm/hugepages)",
                             i, ps);
    }
  return 0;
}

/* A unified key names a file of the container's cgroup: one component, no
 * way up or sideways.  Files that move or kill processes are not
 * settings.  */
static int
check_unified (const struct sk_kvs *u, unsigned *need, sk_error_t *err)
{
  for (size_t i = 0; i < u->n; i++)
    {
      const char *k = u->v[i].key;
      if (k[0] == '\0' || strchr (k, '/') || strcmp (k, ".") == 0 || strcmp (k, "..") == 0)
        return sk_error_set (err, 0, "linux.resources.unified: invalid key `%s`: expected a "
                             "file name of the cgroup", k);
      if (strcmp (k, "cgroup.procs") == 0 || strcmp (k, "cgroup.threads") == 0
          || strcmp (k, "cgroup.kill") == 0)
        return sk_error_set (err, 0, "linux.resources.unified: `%s` is not a setting", k);
      const char *dot = strchr (k, '.');
      if (dot == NULL)
        return sk_error_set (err, 0, "linux.resources.unified: invalid key `%s`: expected "
                             "<controller>.<file>", k);
      size_t len = (size_t) (dot - k);
      /* PSI triggers (cpu.pressure ...) are core files, no controller.  */
      if ((len == 6 && strncmp (k, "cgroup", 6) == 0) || strstr (dot, ".pressure"))
        continue;
      int c = sk_cg_ctrl_from_name (k, len);
      if (c < 0)
        return sk_error_set (err, 0, "linux.resources.unified: `%s`: unknown cgroup controller "
                             "`%.*s`", k, (int) len, k);
      *need |= SK_CG_BIT (c);
    }
  return 0;
}

int
sk_cg_resources_controllers (const struct sk_resources *r, unsigned *mask, sk_error_t *err)
{
  unsigned need = 0;
  *mask = 0;
  if (r->memory && check_memory (r->memory, &need, err) < 0)
    return -1;
  if (r->cpu && check_cpu (r->cpu, &need, err) < 0)
    return -1;
  if (r->has_pids_limit)
    need |= SK_CG_BIT (SK_CG_PIDS);
  if (r->block_io && check_io (r->block_io, &need, err) < 0)
    return -1;
  if (check_hugetlb (r, &need, err) < 0)
    return -1;
  if (r->has_net_class_id || r->n_net_priorities)
    return sk_error_set (err, 0, "linux.resources.network: net_cls and net_prio are cgroup v1 "
                         "controllers, which cgroup v2 does not have");
  if (r->n_rdma)
    need |= SK_CG_BIT (SK_CG_RDMA);
  if (check_unified (&r->unified, &need, err) < 0)
    return -1;
  if (r->n_devices)
    {
      /* Compile once now so that a bad rule fails before anything exists.  */
      struct bpf_insn *insns = NULL;
      size_t n;
      if (sk_cg_devices_compile (r->devices, r->n_devices, &insns, &n, err) < 0)
        return -1;
      free (insns);
    }
  *mask = need;
  return 0;
}

/* ---- apply ------------------------------------------------------------ */

/* Current memory.max as a spec value (-1 for max), for update's swap.  */
static int
current_limit (struct sk_cgroup *cg, int64_t *limit, sk_error_t *err)
{
  _cleanup_free_ char *cur = NULL;
  if (sk_cg_read (cg, "memory.max", &cur, err) < 0)
    return -1;
  *limit = strncmp (cur, "max", 3) == 0 ? -1 : (int64_t) strtoll (cur, NULL, 10);
  return 0;
}

static int
apply_swap (struct sk_cgroup *cg, const struct sk_memory *m, bool update, sk_error_t *err)
{
  int64_t limit = m->has_limit ? m->limit : 0, v;
  bool skip;
  char buf[32];
  if (!m->has_limit && update && current_limit (cg, &limit, err) < 0)
    return -1;
  if (sk_cg_swap_to_v2 (m->swap, limit, &skip, &v, err) < 0 || skip)
    return skip ? 0 : -1;
  if (!sk_cg_has_file (cg, "memory.swap.max"))
    {
      if (v < 0)
        return 0;   /* unlimited is what no swap accounting gives anyway */
      return sk_error_set (err, 0, "linux.resources.memory.swap: `%s/memory.swap.max` does not "
                           "exist: the kernel does not account swap", cg->full);
    }
  num_or_max (v, buf, sizeof buf);
  return sk_cg_write (cg, "memory.swap.max", buf, err);
}

static int
apply_memory (struct sk_cgroup *cg, const struct sk_memory *m, bool update, sk_error_t *err)
{
  char buf[32];
  if (m->has_limit && m->limit > 0 && update && m->has_check_before_update
      && m->check_before_update)
    {
      _cleanup_free_ char *cur = NULL;
      if (sk_cg_read (cg, "memory.current", &cur, err) < 0)
        return -1;
      int64_t usage = strtoll (cur, NULL, 10);
      if (m->limit < usage)
        return sk_error_set (err, 0, "linux.resources.memory.limit: `%" PRId64 "` is below the "
                             "current usage `%" PRId64 "` (checkBeforeUpdate)", m->limit, usage);
    }
  if (m->has_swap && apply_swap (cg, m, update, err) < 0)
    return -1;
  /* 0 is what callers built from Go structs send for "unset".  */
  if (m->has_limit && m->limit != 0)
    {
      num_or_max (m->limit, buf, sizeof buf);
      if (sk_cg_write (cg, "memory.max", buf, err) < 0)
        return -1;
    }
  /* reservation is v1's soft limit; memory.low is v2's best-effort
   * protection, the closest meaning (runc and crun agree).  */
  if (m->has_reservation && m->reservation != 0)
    {
      num_or_max (m->reservation, buf, sizeof buf);
      if (sk_cg_write (cg, "memory.low", buf, err) < 0)
        return -1;
    }
  /* Kernel memory is charged to memory.max on v2; there is no separate
   * limit to set.  The spec marks both NOT RECOMMENDED.  */
  if ((m->has_kernel && m->kernel) || (m->has_kernel_tcp && m->kernel_tcp))
    sk_log_warn ("linux.resources.memory.%s: ignored: cgroup v2 charges kernel memory to "
                 "memory.max", m->has_kernel && m->kernel ? "kernel" : "kernelTCP");
  return 0;
}

/* cpu.max is "QUOTA PERIOD".  Writing only QUOTA keeps the period the
 * kernel has; for a period alone the quota is kept by reading it back
 * (update) or is "max" (create).  A negative quota (-1) is no limit;
 * 0 means unset, as in runc.  */
static int
apply_cpu_max (struct sk_cgroup *cg, const struct sk_cpu *c, bool update, sk_error_t *err)
{
  bool q = c->has_quota && c->quota != 0, p = c->has_period && c->period != 0;
  char quota[32] = "max", buf[64];
  if (!q && !p)
    return 0;
  if (q && c->quota > 0)
    snprintf (quota, sizeof quota, "%" PRId64, c->quota);
  else if (!q && update)
    {
      _cleanup_free_ char *cur = NULL;
      if (sk_cg_read (cg, "cpu.max", &cur, err) < 0)
        return -1;
      snprintf (quota, sizeof quota, "%.*s", (int) strcspn (cur, " \n"), cur);
    }
  if (p)
    snprintf (buf, sizeof buf, "%s %" PRIu64, quota, c->period);
  else
    snprintf (buf, sizeof buf, "%s", quota);
  return sk_cg_write (cg, "cpu.max", buf, err);
}

static int
apply_cpu (struct sk_cgroup *cg, const struct sk_cpu *c, bool update, sk_error_t *err)
{
  char buf[64];
  if (c->cpus && c->cpus[0] && sk_cg_write (cg, "cpuset.cpus", c->cpus, err) < 0)
    return -1;
  if (c->mems && c->mems[0] && sk_cg_write (cg, "cpuset.mems", c->mems, err) < 0)
    return -1;
  if (c->has_shares && c->shares)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, sk_cg_shares_to_weight (c->shares));
      if (sk_cg_write (cg, "cpu.weight", buf, err) < 0)
        return -1;
    }
  if (apply_cpu_max (cg, c, update, err) < 0)
    return -1;
  /* After cpu.max: the kernel checks burst against the quota.  */
  if (c->has_burst)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, c->burst);
      if (sk_cg_write (cg, "cpu.max.burst", buf, err) < 0)
        return -1;
    }
  if (c->has_idle)
    {
      snprintf (buf, sizeof buf, "%" PRId64, c->idle);
      if (sk_cg_write (cg, "cpu.idle", buf, err) < 0)
        return -1;
    }
  return 0;
}

static int
write_throttle (struct sk_cgroup *cg, const struct sk_throttle_device *v, size_t n,
                const char *key, sk_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      char buf[96];
      /* rate 0: no limit (v1 removed the rule for 0 too).  */
      if (v[i].rate == 0)
        snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=max", v[i].major, v[i].minor, key);
      else
        snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, v[i].major, v[i].minor,
                  key, v[i].rate);
      if (sk_cg_write (cg, "io.max", buf, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_io (struct sk_cgroup *cg, const struct sk_block_io *b, sk_error_t *err)
{
  /* BFQ, when it is the device's scheduler, has its own weight file in
   * the v1 range; otherwise io.weight (iocost) in the v2 range.  */
  bool bfq = sk_cg_has_file (cg, "io.bfq.weight");
  const char *file = bfq ? "io.bfq.weight" : "io.weight";
  char buf[96];
  if (b->has_weight && b->weight)
    {
      snprintf (buf, sizeof buf, "default %" PRIu64, bfq ? b->weight : sk_cg_blkio_to_io_weight (b->weight));
      if (sk_cg_write (cg, file, buf, err) < 0)
        return -1;
    }
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct sk_weight_device *d = &b->weight_device[i];
      if (d->has_leaf_weight)
        sk_log_warn ("linux.resources.blockIO.weightDevice[%zu].leafWeight: ignored: CFQ, the "
                     "only scheduler that had it, left the kernel in 5.0", i);
      if (!d->has_weight)
        continue;
      snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                bfq ? d->weight : sk_cg_blkio_to_io_weight (d->weight));
      if (sk_cg_write (cg, file, buf, err) < 0)
        return -1;
    }
  if (b->has_leaf_weight)
    sk_log_warn ("linux.resources.blockIO.leafWeight: ignored: CFQ, the only scheduler that "
                 "had it, left the kernel in 5.0");
  if (write_throttle (cg, b->throttle_read_bps, b->n_throttle_read_bps, "rbps", err) < 0
      || write_throttle (cg, b->throttle_write_bps, b->n_throttle_write_bps, "wbps", err) < 0
      || write_throttle (cg, b->throttle_read_iops, b->n_throttle_read_iops, "riops", err) < 0
      || write_throttle (cg, b->throttle_write_iops, b->n_throttle_write_iops, "wiops", err) < 0)
    return -1;
  return 0;
}

/* hugetlb.<size>.max limits faults; hugetlb.<size>.rsvd.max (5.7+) limits
 * reservations, which config-linux.md prefers when the kernel has them:
 * set both, so mmap fails cleanly instead of a later SIGBUS.  */
static int
apply_hugetlb (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const struct sk_hugepage_limit *h = &r->hugepage_limits[i];
      char file[96], rsvd[96], buf[32];
      snprintf (file, sizeof file, "hugetlb.%s.max", h->page_size);
      snprintf (rsvd, sizeof rsvd, "hugetlb.%s.rsvd.max", h->page_size);
      snprintf (buf, sizeof buf, "%" PRIu64, h->limit);
      if (!sk_cg_has_file (cg, file))
        return sk_error_set (err, 0, "linux.resources.hugepageLimits[%zu]: `%s/%s` does not exist",
                             i, cg->full, file);
      if (sk_cg_write (cg, file, buf, err) < 0)
        return -1;
      if (sk_cg_has_file (cg, rsvd) && sk_cg_write (cg, rsvd, buf, err) < 0)
        return -1;
    }
  return 0;
}

/* rdma.max has the same format in v1 and v2: one writer for both.  */
int
sk_cg_write_rdma (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  for (size_t i = 0; i < r->n_rdma; i++)
    {
      const struct sk_rdma_limit *l = &r->rdma[i];
      char buf[256];
      int n = snprintf (buf, sizeof buf, "%s", l->device);
      if (l->has_hca_handles)
        n += snprintf (buf + n, sizeof buf - n, " hca_handle=%" PRIu32, l->hca_handles);
      if (l->has_hca_objects)
        snprintf (buf + n, sizeof buf - n, " hca_object=%" PRIu32, l->hca_objects);
      if (sk_cg_write (cg, "rdma.max", buf, err) < 0)
        return -1;
    }
  return 0;
}

/* Unified values are written last so they override the typed fields (as
 * runc and crun do).  io.max and rdma.max parse one device per write, so
 * a multi-line value is written line by line.  */
static int
apply_unified (struct sk_cgroup *cg, const struct sk_kvs *u, sk_error_t *err)
{
  for (size_t i = 0; i < u->n; i++)
    {
      const char *k = u->v[i].key;
      if (!sk_cg_has_file (cg, k))
        return sk_error_set (err, 0, "linux.resources.unified: `%s` does not exist in `%s`", k,
                             cg->full);
      _cleanup_free_ char *val = strdup (u->v[i].value ? u->v[i].value : "");
      if (val == NULL)
        return sk_error_set (err, ENOMEM, "linux.resources.unified");
      if (strchr (val, '\n') == NULL)
        {
          if (sk_cg_write (cg, k, val, err) < 0)
            return -1;
          continue;
        }
      for (char *save = NULL, *line = strtok_r (val, "\n", &save); line;
           line = strtok_r (NULL, "\n", &save))
        if (sk_cg_write (cg, k, line, err) < 0)
          return -1;
    }
  return 0;
}

int
sk_cg_v2_apply (struct sk_cgroup *cg, const struct sk_resources *r, bool update, sk_error_t *err)
{
  char buf[32];
  if (r == NULL)
    return update ? 0 : sk_cg_devices_apply (cg, NULL, 0, err);
  if (r->cpu && apply_cpu (cg, r->cpu, update, err) < 0)
    return -1;
  if (r->memory && apply_memory (cg, r->memory, update, err) < 0)
    return -1;
  if (r->has_pids_limit)
    {
      /* 0 or negative: unlimited, as runc and crun write it (podman 4
       * sends 0 for "no limit"; a limit of no task at all could not even
       * start the container).  See cgroup_v1_resources.c.  */
      num_or_max (r->pids_limit > 0 ? r->pids_limit : -1, buf, sizeof buf);
      if (sk_cg_write (cg, "pids.max", buf, err) < 0)
        return -1;
    }
  if (r->block_io && apply_io (cg, r->block_io, err) < 0)
    return -1;
  if (apply_hugetlb (cg, r, err) < 0 || sk_cg_write_rdma (cg, r, err) < 0
      || apply_unified (cg, &r->unified, err) < 0)
    return -1;
  /* create: always a filter (default deny plus the default devices);
   * update: only when new rules were given.  */
  if (!update || r->n_devices)
    return sk_cg_devices_apply (cg, r->devices, r->n_devices, err);
  return 0;
}
