/* linux.resources on cgroup v1 files, following runc's fs manager file by
 * file (so a container gets the limits runc would give it), in runc's
 * subsystem order: cpuset, cpu, devices, memory, blkio, pids, hugetlb,
 * net_cls, net_prio, rdma.
 *
 * "Unset" conventions, checked field by field against runc and crun (both
 * treat the zero value of these Go/C fields as "not set", and callers
 * built on Go structs -- podman, containerd, CRI-O -- send zeros for
 * fields the user did not give):
 *   memory.limit/reservation/swap/kernel/kernelTCP 0  -> file left alone
 *   cpu.shares/quota/period/realtimeRuntime/realtimePeriod 0 -> left alone
 *   cpu.cpus/mems ""                                   -> left alone
 *   blockIO.weight/leafWeight 0                        -> left alone
 *   network.classID 0                                  -> left alone
 *   pids.limit 0 or negative -> "max" (runc writes max for <0 and skips 0,
 *     crun writes max for both; podman 4 sends 0 for "no limit", so 0 can
 *     only mean unlimited to a caller; the same in the v2 manager)
 *   memory.swappiness: any value given is written (0 is meaningful);
 *     above 100 is refused as runc does
 *   throttle rates 0: written (v1 removes the device's rule)
 *   hugepageLimits limit: always written (0 forbids huge pages).  */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skiff/container.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"

/* ---- what the resources need ----------------------------------------- */

static void
need_add (char *need, const char *c)
{
  if (sk_cg_controllers_has (need, c, strlen (c)))
    return;
  if (need[0])
    strcat (need, ",");
  strcat (need, c);
}

static int
check_cpu (const struct sk_cpu *c, char *need, sk_error_t *err)
{
  if ((c->has_shares && c->shares) || (c->has_quota && c->quota) || (c->has_period && c->period)
      || (c->has_realtime_runtime && c->realtime_runtime)
      || (c->has_realtime_period && c->realtime_period) || c->has_burst || c->has_idle)
    need_add (need, "cpu");
  if ((c->cpus && c->cpus[0]) || (c->mems && c->mems[0]))
    need_add (need, "cpuset");
  if (c->has_idle && c->idle != 0 && c->idle != 1)
    return sk_error_set (err, 0, "linux.resources.cpu.idle: `%" PRId64 "`: expected 0 or 1",
                         c->idle);
  return 0;
}

static int
check_memory (const struct sk_memory *m, char *need, sk_error_t *err)
{
  if ((m->has_limit && m->limit) || (m->has_reservation && m->reservation)
      || (m->has_swap && m->swap) || (m->has_kernel && m->kernel)
      || (m->has_kernel_tcp && m->kernel_tcp) || m->has_swappiness
      || (m->has_disable_oom_killer && m->disable_oom_killer) || m->has_use_hierarchy)
    need_add (need, "memory");
  static const char *const names[] = { "limit", "reservation", "swap", "kernel", "kernelTCP" };
  const int64_t vals[] = { m->limit, m->reservation, m->swap, m->kernel, m->kernel_tcp };
  const bool has[] = { m->has_limit, m->has_reservation, m->has_swap, m->has_kernel,
                       m->has_kernel_tcp };
  for (int i = 0; i < 5; i++)
    if (has[i] && vals[i] < -1)
      return sk_error_set (err, 0, "linux.resources.memory.%s: invalid value `%" PRId64 "`",
                           names[i], vals[i]);
  if (m->has_swappiness && m->swappiness > 100)
    return sk_error_set (err, 0, "linux.resources.memory.swappiness: `%" PRIu64 "` is out of "
                         "range 0..100", m->swappiness);
  if (m->has_swap && m->swap > 0 && m->has_limit && m->limit > 0 && m->swap < m->limit)
    return sk_error_set (err, 0, "linux.resources.memory.swap: `%" PRId64 "` is lower than "
                         "memory.limit `%" PRId64 "` (swap is the memory+swap total)", m->swap,
                         m->limit);
  return 0;
}

static int
check_blkio (const struct sk_block_io *b, char *need, sk_error_t *err)
{
  if ((b->has_weight && b->weight) || (b->has_leaf_weight && b->leaf_weight)
      || b->n_weight_device || b->n_throttle_read_bps || b->n_throttle_write_bps
      || b->n_throttle_read_iops || b->n_throttle_write_iops)
    need_add (need, "blkio");
  if (b->has_weight && b->weight && (b->weight < 10 || b->weight > 1000))
    return sk_error_set (err, 0, "linux.resources.blockIO.weight: `%u` is out of range 10..1000",
                         b->weight);
  for (size_t i = 0; i < b->n_weight_device; i++)
    if (b->weight_device[i].has_weight
        && (b->weight_device[i].weight < 10 || b->weight_device[i].weight > 1000))
      return sk_error_set (err, 0, "linux.resources.blockIO.weightDevice[%zu].weight: `%u` is "
                           "out of range 10..1000", i, b->weight_device[i].weight);
  return 0;
}

static int
check_hugetlb (const struct sk_resources *r, char *need, sk_error_t *err)
{
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const char *ps = r->hugepage_limits[i].page_size;
      need_add (need, "hugetlb");
      char *end;
      unsigned long long v = ps ? strtoull (ps, &end, 10) : 0;
      if (v == 0 || (strcmp (end, "KB") && strcmp (end, "MB") && strcmp (end, "GB")))
        return sk_error_set (err, 0, "linux.resources.hugepageLimits[%zu].pageSize: `%s`: "
                             "expected <size>KB, MB or GB", i, ps ? ps : "");
      unsigned long long kb = v * (end[0] == 'K' ? 1 : end[0] == 'M' ? 1024 : 1024 * 1024);
      char dir[128];
      snprintf (dir, sizeof dir, "/sys/kernel/mm/hugepages/hugepages-%llukB", kb);
      if (access (dir, F_OK) < 0)
        return sk_error_set (err, 0, "linux.resources.hugepageLimits[%zu].pageSize: `%s` is not "
                             "a huge page size of this kernel (see /sys/kernel/mm/hugepages)",
                             i, ps);
    }
  return 0;
}

int
sk_cg_v1_resources_check (const struct sk_resources *r, char **out, sk_error_t *err)
{
  _cleanup_free_ char *need = calloc (1, 256);
  *out = NULL;
  if (need == NULL)
    return sk_error_set (err, ENOMEM, "cgroup");
  /* The device allow-list is always written: no devices hierarchy would
   * leave the container every host device (runc refuses that too).  */
  need_add (need, "devices");
  if (r->cpu && check_cpu (r->cpu, need, err) < 0)
    return -1;
  if (r->memory && check_memory (r->memory, need, err) < 0)
    return -1;
  if (r->has_pids_limit)
    need_add (need, "pids");
  if (r->block_io && check_blkio (r->block_io, need, err) < 0)
    return -1;
  if (check_hugetlb (r, need, err) < 0)
    return -1;
  if (r->has_net_class_id && r->net_class_id)
    need_add (need, "net_cls");
  if (r->n_net_priorities)
    need_add (need, "net_prio");
  if (r->n_rdma)
    need_add (need, "rdma");
  /* runc's fs manager refuses these too (ErrV1NoUnified): the keys are
   * cgroup v2 file names, which the v1 hierarchies do not have.  */
  if (r->unified.n)
    return sk_error_set (err, 0, "linux.resources.unified: `%s` is a cgroup v2 setting, and "
                         "this host's controllers are cgroup v1", r->unified.v[0].key);
  if (r->n_devices)
    {
      /* The same rule checks as the eBPF compiler, before anything exists.  */
      struct bpf_insn *insns = NULL;
      size_t n;
      if (sk_cg_devices_compile (r->devices, r->n_devices, &insns, &n, err) < 0)
        return -1;
      free (insns);
    }
  *out = steal_ptr (&need);
  return 0;
}

/* Controllers of the unified hierarchy (its root's cgroup.controllers).  */
static char *
unified_controllers (const struct sk_cg_layout *l)
{
  char path[512], line[512] = "";
  if (l->kind != SK_CG_LAYOUT_HYBRID || l->unified == NULL)
    return NULL;
  snprintf (path, sizeof path, "%s/cgroup.controllers", l->unified);
  _cleanup_fclose_ FILE *f = fopen (path, "re");
  if (f == NULL || fgets (line, sizeof line, f) == NULL)
    return NULL;
  line[strcspn (line, "\n")] = '\0';
  for (char *p = line; *p; p++)
    if (*p == ' ')
      *p = ',';
  return strdup (line);
}

static bool
v1_has (const struct sk_cg_layout *l, const char *c, size_t len)
{
  for (size_t i = 0; i < l->n_v1; i++)
    if (sk_cg_controllers_has (l->v1[i].controllers, c, len))
      return true;
  return false;
}

char *
sk_cg_v1_unified_need (const char *need)
{
  sk_error_t e = NULL;
  const struct sk_cg_layout *l = sk_cg_layout (&e);
  sk_error_free (&e);
  _cleanup_free_ char *have = l ? unified_controllers (l) : NULL;
  char *out = calloc (1, 256);
  if (out == NULL || have == NULL || need == NULL)
    return out;
  for (const char *p = need; *p; p += strcspn (p, ","), p += *p == ',')
    {
      size_t len = strcspn (p, ",");
      if (!v1_has (l, p, len) && sk_cg_controllers_has (have, p, len) && strlen (out) + len < 250)
        {
          if (out[0])
            strcat (out, ",");
          strncat (out, p, len);
        }
    }
  return out;
}

int
sk_cg_v1_check_host (const struct sk_resources *r, sk_error_t *err)
{
  _cleanup_free_ char *need = NULL;
  const struct sk_cg_layout *l = sk_cg_layout (err);
  if (l == NULL || sk_cg_v1_resources_check (r, &need, err) < 0)
    return -1;
  _cleanup_free_ char *uni = unified_controllers (l);
  for (const char *p = need; *p; p += strcspn (p, ","), p += *p == ',')
    {
      size_t len = strcspn (p, ",");
      if (v1_has (l, p, len) || (uni && sk_cg_controllers_has (uni, p, len)))
        continue;
      char have[512] = "";
      for (size_t i = 0; i < l->n_v1; i++)
        if (strlen (have) + strlen (l->v1[i].controllers) + 3 < sizeof have)
          {
            if (have[0])
              strcat (have, ", ");
            strcat (have, l->v1[i].controllers);
          }
      return sk_error_set (err, 0, "cgroup controller `%.*s` is not mounted on this host (cgroup "
                           "v1 hierarchies: %s%s%s%s%s)", (int) len, p, have[0] ? have : "none",
                           uni ? "; the unified hierarchy `" : "", uni ? l->unified : "",
                           uni ? "` offers: " : "", uni ? (uni[0] ? uni : "none") : "");
    }
  return 0;
}

/* ---- apply ------------------------------------------------------------ */

/* The writers (memory, cpu, devices, blkio and the rest) are in
 * cgroup_v1_apply.c; this is their order.  */
int
sk_cg_v1_apply (struct sk_cgroup *cg, const struct sk_resources *r, bool update,
                sk_error_t *err)
{
  static const struct sk_resources none;
  if (r == NULL)
    {
      if (update)
        return 0;
      r = &none;
    }
  if (r->cpu && sk_cg_v1_apply_cpuset (cg, r->cpu, err) < 0)
    return -1;
  if (r->cpu && sk_cg_v1_apply_cpu (cg, r->cpu, err) < 0)
    return -1;
  /* create: always an allow-list (deny all plus the default devices);
   * update: only when new rules were given.  */
  if ((!update || r->n_devices) && sk_cg_v1_apply_devices (cg, r->devices, r->n_devices, update, err) < 0)
    return -1;
  if (r->memory && sk_cg_v1_apply_memory (cg, r->memory, err) < 0)
    return -1;
  if (r->block_io && sk_cg_v1_apply_blkio (cg, r->block_io, err) < 0)
    return -1;
  if (r->has_pids_limit && sk_cg_v1_apply_pids (cg, r->pids_limit, err) < 0)
    return -1;
  if (sk_cg_v1_apply_misc (cg, r, err) < 0)
    return -1;
  return 0;
}
