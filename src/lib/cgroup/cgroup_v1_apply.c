/* The cgroup v1 resource writers, one per controller, called in runc's
 * order by sk_cg_v1_apply (cgroup_v1_resources.c, which also documents
 * the "unset" conventions).  Each writes into the hierarchy that carries
 * its controller; validation already made sure it is mounted.
 *
 * Files this kernel may lack or ignore are answered here, each with what
 * runc would do or a warning naming the file:
 *   memory.kmem.limit_in_bytes  accepted but ignored since Linux 6.1
 *                               (reads back unlimited): a warning;
 *   memory.use_hierarchy        only 1 is accepted since 6.x: false is a
 *                               warning;
 *   blkio.weight                absent without CFQ (gone since 5.0):
 *                               blkio.bfq.weight is used (BFQ's, same
 *                               range); neither = an error naming both;
 *   blkio.leaf_weight           gone with CFQ: a warning.  */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/container.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"

static struct sk_cgroup *
hier (struct sk_cgroup *cg, const char *name, sk_error_t *err)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, name);
  if (h == NULL)
    sk_error_set (err, 0, "cgroup controller `%s` is not mounted on this host", name);
  return h;
}

static int
write_num (struct sk_cgroup *h, const char *file, int64_t v, sk_error_t *err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRId64, v);
  return sk_cg_write (h, file, buf, err);
}

static int
write_unum (struct sk_cgroup *h, const char *file, uint64_t v, sk_error_t *err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRIu64, v);
  return sk_cg_write (h, file, buf, err);
}

/* ---- cpuset, cpu ------------------------------------------------------ */

int
sk_cg_v1_apply_cpuset (struct sk_cgroup *cg, const struct sk_cpu *c, sk_error_t *err)
{
  bool cpus = c->cpus && c->cpus[0], mems = c->mems && c->mems[0];
  struct sk_cgroup *h;
  if (!cpus && !mems)
    return 0;
  if ((h = hier (cg, "cpuset", err)) == NULL)
    return -1;
  if (cpus && sk_cg_write (h, "cpuset.cpus", c->cpus, err) < 0)
    return -1;
  if (mems && sk_cg_write (h, "cpuset.mems", c->mems, err) < 0)
    return -1;
  return 0;
}

/* The kernel checks a new period against the current quota (and the
 * realtime period against the runtime): when it refuses the first write
 * with EINVAL and the other value is being set too, write that one first
 * and retry, as runc does.  */
static int
write_pair (struct sk_cgroup *h, const char *pfile, uint64_t period, const char *qfile,
            int64_t quota, sk_error_t *err)
{
  bool retry = false;
  if (period)
    {
      sk_error_t e = NULL;
      if (write_unum (h, pfile, period, &e) < 0)
        {
          if (e->errnum != EINVAL || quota == 0)
            {
              *err = e;
              return -1;
            }
          sk_error_free (&e);
          retry = true;
        }
    }
  if (quota && write_num (h, qfile, quota, err) < 0)
    return -1;
  if (retry && write_unum (h, pfile, period, err) < 0)
    return -1;
  return 0;
}

int
sk_cg_v1_apply_cpu (struct sk_cgroup *cg, const struct sk_cpu *c, sk_error_t *err)
{
  uint64_t period = c->has_period ? c->period : 0, rt_period
    = c->has_realtime_period ? c->realtime_period : 0;
  int64_t quota = c->has_quota ? c->quota : 0, rt = c->has_realtime_runtime ? c->realtime_runtime : 0;
  if (!(c->has_shares && c->shares) && !period && !quota && !rt_period && !rt && !c->has_burst
      && !c->has_idle)
    return 0;
  struct sk_cgroup *h = hier (cg, "cpu", err);
  if (h == NULL)
    return -1;
  if (c->has_shares && c->shares)
    {
      _cleanup_free_ char *back = NULL;
      if (write_unum (h, "cpu.shares", c->shares, err) < 0 || sk_cg_read (h, "cpu.shares", &back,
                                                                         err) < 0)
        return -1;
      /* The kernel clamps to 2..262144 silently; say so as runc does.  */
      uint64_t got = strtoull (back, NULL, 10);
      if (got != c->shares)
        return sk_error_set (err, 0, "linux.resources.cpu.shares: `%" PRIu64 "` is out of the "
                             "kernel's range (it set %" PRIu64 ")", c->shares, got);
    }
  if (write_pair (h, "cpu.cfs_period_us", period, "cpu.cfs_quota_us", quota, err) < 0)
    return -1;
  if (c->has_burst && write_unum (h, "cpu.cfs_burst_us", c->burst, err) < 0)
    return -1;
  if (write_pair (h, "cpu.rt_period_us", rt_period, "cpu.rt_runtime_us", rt, err) < 0)
    return -1;
  if (c->has_idle && write_num (h, "cpu.idle", c->idle, err) < 0)
    return -1;
  return 0;
}

/* ---- memory ----------------------------------------------------------- */

static int
set_limit (struct sk_cgroup *h, const char *file, int64_t v, sk_error_t *err)
{
  if (v == 0)
    return 0;
  if (write_num (h, file, v, err) == 0)
    return 0;
  if ((*err)->errnum == EBUSY)
    {
      _cleanup_free_ char *use = NULL;
      sk_error_t e = NULL;
      sk_cg_read (h, "memory.usage_in_bytes", &use, &e);
      sk_error_free (&e);
      sk_error_free (err);
      return sk_error_set (err, EBUSY, "set `%s/%s` to %" PRId64 ": the cgroup uses more "
                           "(%" PRIu64 " bytes)", h->full, file, v,
                           use ? (uint64_t) strtoull (use, NULL, 10) : 0);
    }
  return -1;
}

/* memory.limit_in_bytes must stay <= memory.memsw.limit_in_bytes at every
 * step: raise memsw first when it grows (or becomes unlimited), else the
 * limit first -- runc's setMemoryAndSwap.  An unlimited limit with no
 * swap given makes swap unlimited too.  */
static int
memory_and_swap (struct sk_cgroup *h, const struct sk_memory *m, sk_error_t *err)
{
  int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
  bool memsw = sk_cg_has_file (h, "memory.memsw.limit_in_bytes");
  if (swap != 0 && swap != -1 && !memsw)
    return sk_error_set (err, 0, "linux.resources.memory.swap: `%s/memory.memsw.limit_in_bytes` "
                         "does not exist: the kernel does not account swap (swapaccount=0?)",
                         h->full);
  if (limit == -1 && swap == 0 && memsw)
    swap = -1;
  if (!memsw)
    swap = 0;
  if (limit != 0 && swap != 0)
    {
      _cleanup_free_ char *cur = NULL;
      if (sk_cg_read (h, "memory.limit_in_bytes", &cur, err) < 0)
        return -1;
      if (swap == -1 || strtoull (cur, NULL, 10) < (uint64_t) swap)
        return set_limit (h, "memory.memsw.limit_in_bytes", swap, err) < 0
                 ? -1 : set_limit (h, "memory.limit_in_bytes", limit, err);
    }
  if (set_limit (h, "memory.limit_in_bytes", limit, err) < 0)
    return -1;
  return set_limit (h, "memory.memsw.limit_in_bytes", swap, err);
}

/* Kernel memory limits: since Linux 6.1 memory.kmem.limit_in_bytes
 * accepts writes and ignores them.  Read back to tell.  */
static int
kernel_limit (struct sk_cgroup *h, const char *file, const char *field, int64_t v,
              sk_error_t *err)
{
  _cleanup_free_ char *back = NULL;
  if (v == 0)
    return 0;
  if (!sk_cg_has_file (h, file))
    {
      sk_log_warn ("linux.resources.memory.%s: ignored: this kernel has no `%s`", field, file);
      return 0;
    }
  if (set_limit (h, file, v, err) < 0 || sk_cg_read (h, file, &back, err) < 0)
    return -1;
  if (v > 0 && strtoll (back, NULL, 10) != v)
    sk_log_warn ("linux.resources.memory.%s: ignored: this kernel accepts `%s` but does not "
                 "enforce it (it reads back %.*s)", field, file, (int) strcspn (back, "\n"), back);
  return 0;
}

int
sk_cg_v1_apply_memory (struct sk_cgroup *cg, const struct sk_memory *m, sk_error_t *err)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "memory");
  if (h == NULL)
    return 0;   /* validation refused anything that needs it */
  if (memory_and_swap (h, m, err) < 0)
    return -1;
  if (m->has_reservation && set_limit (h, "memory.soft_limit_in_bytes", m->reservation, err) < 0)
    return -1;
  if ((m->has_kernel && kernel_limit (h, "memory.kmem.limit_in_bytes", "kernel", m->kernel,
                                      err) < 0)
      || (m->has_kernel_tcp && kernel_limit (h, "memory.kmem.tcp.limit_in_bytes", "kernelTCP",
                                             m->kernel_tcp, err) < 0))
    return -1;
  if (m->has_swappiness && write_unum (h, "memory.swappiness", m->swappiness, err) < 0)
    return -1;
  if (m->has_disable_oom_killer && m->disable_oom_killer
      && sk_cg_write (h, "memory.oom_control", "1", err) < 0)
    return -1;
  if (m->has_use_hierarchy)
    {
      sk_error_t e = NULL;
      if (sk_cg_write (h, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", &e) < 0)
        {
          if (e->errnum != EINVAL)
            {
              *err = e;
              return -1;
            }
          sk_log_warn ("linux.resources.memory.useHierarchy: ignored: this kernel's memory "
                       "accounting is always hierarchical");
          sk_error_free (&e);
        }
    }
  return 0;
}

/* ---- blkio ------------------------------------------------------------ */

static int
throttle (struct sk_cgroup *h, const char *file, const struct sk_throttle_device *v, size_t n,
          sk_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      char buf[96];
      snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %" PRIu64, v[i].major, v[i].minor,
                v[i].rate);
      if (sk_cg_write (h, file, buf, err) < 0)
        return -1;
    }
  return 0;
}

int
sk_cg_v1_apply_blkio (struct sk_cgroup *cg, const struct sk_block_io *b, sk_error_t *err)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "blkio");
  if (h == NULL)
    return 0;
  /* CFQ's blkio.weight, else BFQ's blkio.bfq.weight (same 10..1000
   * range), as runc picks.  */
  bool cfq = sk_cg_has_file (h, "blkio.weight"), bfq = sk_cg_has_file (h, "blkio.bfq.weight");
  const char *wfile = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const char *dfile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  bool any_weight = (b->has_weight && b->weight) || b->n_weight_device;
  if (any_weight && !cfq && !bfq)
    return sk_error_set (err, 0, "linux.resources.blockIO.weight: `%s` has neither "
                         "blkio.weight nor blkio.bfq.weight (no CFQ or BFQ scheduler)", h->full);
  if (b->has_weight && b->weight && write_unum (h, wfile, b->weight, err) < 0)
    return -1;
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct sk_weight_device *d = &b->weight_device[i];
      char buf[96];
      if (d->has_leaf_weight && d->leaf_weight)
        sk_log_warn ("linux.resources.blockIO.weightDevice[%zu].leafWeight: ignored: this "
                     "kernel has no blkio.leaf_weight_device (CFQ left Linux in 5.0)", i);
      if (!d->has_weight)
        continue;
      snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight);
      if (sk_cg_write (h, dfile, buf, err) < 0)
        return -1;
    }
  if (b->has_leaf_weight && b->leaf_weight)
    {
      if (sk_cg_has_file (h, "blkio.leaf_weight"))
        {
          if (write_unum (h, "blkio.leaf_weight", b->leaf_weight, err) < 0)
            return -1;
        }
      else
        sk_log_warn ("linux.resources.blockIO.leafWeight: ignored: this kernel has no "
                     "blkio.leaf_weight (CFQ left Linux in 5.0)");
    }
  if (throttle (h, "blkio.throttle.read_bps_device", b->throttle_read_bps,
                b->n_throttle_read_bps, err) < 0
      || throttle (h, "blkio.throttle.write_bps_device", b->throttle_write_bps,
                   b->n_throttle_write_bps, err) < 0
      || throttle (h, "blkio.throttle.read_iops_device", b->throttle_read_iops,
                   b->n_throttle_read_iops, err) < 0
      || throttle (h, "blkio.throttle.write_iops_device", b->throttle_write_iops,
                   b->n_throttle_write_iops, err) < 0)
    return -1;
  return 0;
}

/* ---- pids, hugetlb, net_cls, net_prio, rdma --------------------------- */

int
sk_cg_v1_apply_pids (struct sk_cgroup *cg, int64_t limit, sk_error_t *err)
{
  struct sk_cgroup *h = hier (cg, "pids", err);
  if (h == NULL)
    return -1;
  /* 0 or negative: unlimited (see cgroup_v1_resources.c).  */
  if (limit <= 0)
    return sk_cg_write (h, "pids.max", "max", err);
  return write_num (h, "pids.max", limit, err);
}

/* hugetlb in a v1 hierarchy (hugetlb.<size>.limit_in_bytes), or on a
 * hybrid host that mounts it only in the unified hierarchy, there
 * (hugetlb.<size>.max).  The reservation file, where the kernel has it,
 * gets the same limit so that mmap fails cleanly instead of a SIGBUS.  */
static int
apply_hugetlb (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  if (r->n_hugepage_limits == 0)
    return 0;
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "hugetlb");
  bool v2 = false;
  for (size_t i = 0; h == NULL && i < cg->n_hier; i++)
    if (cg->hier[i]->controllers[0] == '\0' && cg->hier[i]->dirfd >= 0)
      h = cg->hier[i], v2 = true;
  if (h == NULL)
    return sk_error_set (err, 0, "cgroup controller `hugetlb` is not mounted on this host");
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const struct sk_hugepage_limit *l = &r->hugepage_limits[i];
      char file[96], rsvd[96];
      snprintf (file, sizeof file, "hugetlb.%s.%s", l->page_size, v2 ? "max" : "limit_in_bytes");
      snprintf (rsvd, sizeof rsvd, "hugetlb.%s.rsvd.%s", l->page_size,
                v2 ? "max" : "limit_in_bytes");
      if (!sk_cg_has_file (h, file))
        return sk_error_set (err, 0, "linux.resources.hugepageLimits[%zu]: `%s/%s` does not exist",
                             i, h->full, file);
      if (write_unum (h, file, l->limit, err) < 0)
        return -1;
      if (sk_cg_has_file (h, rsvd) && write_unum (h, rsvd, l->limit, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_rdma (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  struct sk_cgroup *h = r->n_rdma ? hier (cg, "rdma", err) : NULL;
  if (r->n_rdma && h == NULL)
    return -1;
  return h ? sk_cg_write_rdma (h, r, err) : 0;
}

int
sk_cg_v1_apply_misc (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  struct sk_cgroup *h;
  if (apply_hugetlb (cg, r, err) < 0)
    return -1;
  if (r->has_net_class_id && r->net_class_id)
    {
      if ((h = hier (cg, "net_cls", err)) == NULL
          || write_unum (h, "net_cls.classid", r->net_class_id, err) < 0)
        return -1;
    }
  for (size_t i = 0; i < r->n_net_priorities; i++)
    {
      char buf[128];
      if ((h = hier (cg, "net_prio", err)) == NULL)
        return -1;
      snprintf (buf, sizeof buf, "%s %" PRIu32, r->net_priorities[i].name,
                r->net_priorities[i].priority);
      if (sk_cg_write (h, "net_prio.ifpriomap", buf, err) < 0)
        return -1;
    }
  return apply_rdma (cg, r, err);
}
