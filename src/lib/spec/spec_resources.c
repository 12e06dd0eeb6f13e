/* linux.resources (config-linux.md "Control groups"): also the root of
 * `update --resources` documents.  */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "spec/spec_internal.h"

/* config-linux.md "Allowed Device List": allow REQUIRED, type a/c/b
 * (absent = all), access a subset of rwm.  */
static int
parse_device_rule (const sk_json *v, const char *key, const char *path, void *out,
                   sk_error_t *err)
{
  static const char *const types[] = { "a", "c", "b", NULL };
  struct sk_device_rule *d = out;
  int idx = 0;
  if (SP_REQUIRE (v, path, err, "allow") < 0
      || sp_bool (v, path, "allow", &d->allow, NULL, err) < 0
      || sp_enum (v, path, "type", types, NULL, &idx, err) < 0
      /* -1 is the wildcard `*`, as runc reads it.  */
      || sp_range (v, path, "major", -1, SP_MAJOR_MAX, &d->major, &d->has_major, err) < 0
      || sp_range (v, path, "minor", -1, SP_MINOR_MAX, &d->minor, &d->has_minor, err) < 0
      || sp_str (v, path, "access", &d->access, err) < 0
      || sp_check_chars (d->access, path, "access", "rwm", err) < 0)
    return -1;
  d->type = types[idx][0];
  return 0;
}

static int
parse_memory (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_memory *m = out;
  /* Byte counts, -1 meaning unlimited; memory.swappiness is 0..100.  */
  if (sp_range (v, path, "limit", -1, INT64_MAX, &m->limit, &m->has_limit, err) < 0
      || sp_range (v, path, "reservation", -1, INT64_MAX, &m->reservation, &m->has_reservation,
                   err) < 0
      || sp_range (v, path, "swap", -1, INT64_MAX, &m->swap, &m->has_swap, err) < 0
      || sp_range (v, path, "kernel", -1, INT64_MAX, &m->kernel, &m->has_kernel, err) < 0
      || sp_range (v, path, "kernelTCP", -1, INT64_MAX, &m->kernel_tcp, &m->has_kernel_tcp,
                   err) < 0
      || sp_u64_max (v, path, "swappiness", 100, &m->swappiness, &m->has_swappiness, err) < 0
      || sp_bool (v, path, "disableOOMKiller", &m->disable_oom_killer,
                  &m->has_disable_oom_killer, err) < 0
      || sp_bool (v, path, "useHierarchy", &m->use_hierarchy, &m->has_use_hierarchy, err) < 0
      || sp_bool (v, path, "checkBeforeUpdate", &m->check_before_update,
                  &m->has_check_before_update, err) < 0)
    return -1;
  return 0;
}

static int
parse_cpu (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_cpu *c = out;
  /* The kernel's cpu.shares is 2..262144 (0: unset), a CFS period at most
   * 1 s in microseconds, cpu.idle 0 or 1, quota and RT runtime -1 for
   * unlimited.  Beyond those the shares->weight arithmetic of cgroup v2
   * would overflow, so refuse here with the field's path.  */
  if (sp_u64_max (v, path, "shares", 262144, &c->shares, &c->has_shares, err) < 0
      || sp_range (v, path, "quota", -1, INT64_MAX, &c->quota, &c->has_quota, err) < 0
      || sp_u64 (v, path, "burst", &c->burst, &c->has_burst, err) < 0
      || sp_u64_max (v, path, "period", 1000000, &c->period, &c->has_period, err) < 0
      || sp_range (v, path, "realtimeRuntime", -1, INT64_MAX, &c->realtime_runtime,
                   &c->has_realtime_runtime, err) < 0
      || sp_u64 (v, path, "realtimePeriod", &c->realtime_period, &c->has_realtime_period,
                 err) < 0
      || sp_str (v, path, "cpus", &c->cpus, err) < 0
      || sp_str (v, path, "mems", &c->mems, err) < 0
      || sp_range (v, path, "idle", 0, 1, &c->idle, &c->has_idle, err) < 0)
    return -1;
  return 0;
}

static int
parse_weight_device (const sk_json *v, const char *key, const char *path, void *out,
                     sk_error_t *err)
{
  struct sk_weight_device *w = out;
  if (SP_REQUIRE (v, path, err, "major", "minor") < 0
      || sp_range (v, path, "major", 0, SP_MAJOR_MAX, &w->major, NULL, err) < 0
      || sp_range (v, path, "minor", 0, SP_MINOR_MAX, &w->minor, NULL, err) < 0
      || sp_u16 (v, path, "weight", &w->weight, &w->has_weight, err) < 0
      || sp_u16 (v, path, "leafWeight", &w->leaf_weight, &w->has_leaf_weight, err) < 0)
    return -1;
  /* config-linux.md "Block IO": "You MUST specify at least one of weight
   * or leafWeight in a given entry".  */
  if (!w->has_weight && !w->has_leaf_weight)
    return sk_error_set (err, 0, "%s: needs `weight` or `leafWeight`", path);
  return 0;
}

static int
parse_throttle_device (const sk_json *v, const char *key, const char *path, void *out,
                       sk_error_t *err)
{
  struct sk_throttle_device *t = out;
  if (SP_REQUIRE (v, path, err, "major", "minor", "rate") < 0
      || sp_range (v, path, "major", 0, SP_MAJOR_MAX, &t->major, NULL, err) < 0
      || sp_range (v, path, "minor", 0, SP_MINOR_MAX, &t->minor, NULL, err) < 0
      || sp_u64 (v, path, "rate", &t->rate, NULL, err) < 0)
    return -1;
  return 0;
}

static int
parse_block_io (const sk_json *v, const char *key, const char *path, void *out,
                sk_error_t *err)
{
  struct sk_block_io *b = out;
  const size_t tsize = sizeof (struct sk_throttle_device);
  if (sp_u16 (v, path, "weight", &b->weight, &b->has_weight, err) < 0
      || sp_u16 (v, path, "leafWeight", &b->leaf_weight, &b->has_leaf_weight, err) < 0
      || sp_array (v, path, "weightDevice", sizeof *b->weight_device, parse_weight_device,
                   &b->weight_device, &b->n_weight_device, err) < 0
      || sp_array (v, path, "throttleReadBpsDevice", tsize, parse_throttle_device,
                   &b->throttle_read_bps, &b->n_throttle_read_bps, err) < 0
      || sp_array (v, path, "throttleWriteBpsDevice", tsize, parse_throttle_device,
                   &b->throttle_write_bps, &b->n_throttle_write_bps, err) < 0
      || sp_array (v, path, "throttleReadIOPSDevice", tsize, parse_throttle_device,
                   &b->throttle_read_iops, &b->n_throttle_read_iops, err) < 0
      || sp_array (v, path, "throttleWriteIOPSDevice", tsize, parse_throttle_device,
                   &b->throttle_write_iops, &b->n_throttle_write_iops, err) < 0)
    return -1;
  return 0;
}

/* schema: pageSize "^[1-9][0-9]*[KMG]B$" (so "64kB" is refused).  */
static int
check_page_size (const char *s, const char *path, sk_error_t *err)
{
  size_t digits = strspn (s, "0123456789");
  if (digits > 0 && s[0] != '0' && s[digits] != '\0' && strchr ("KMG", s[digits])
      && strcmp (s + digits + 1, "B") == 0)
    return 0;
  return sk_error_set (err, 0, "%s.pageSize: invalid page size `%s` (expected e.g. `2MB`)",
                       path, s);
}

static int
parse_hugepage (const sk_json *v, const char *key, const char *path, void *out,
                sk_error_t *err)
{
  struct sk_hugepage_limit *h = out;
  if (SP_REQUIRE (v, path, err, "pageSize", "limit") < 0
      || sp_str (v, path, "pageSize", &h->page_size, err) < 0
      || check_page_size (h->page_size, path, err) < 0
      || sp_u64 (v, path, "limit", &h->limit, NULL, err) < 0)
    return -1;
  return 0;
}

static int
parse_net_priority (const sk_json *v, const char *key, const char *path, void *out,
                    sk_error_t *err)
{
  struct sk_net_priority *n = out;
  if (SP_REQUIRE (v, path, err, "name", "priority") < 0
      || sp_str (v, path, "name", &n->name, err) < 0
      || sp_u32 (v, path, "priority", &n->priority, NULL, err) < 0)
    return -1;
  return 0;
}

static int
parse_rdma (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_rdma_limit *r = out;
  r->device = strdup (key);
  if (r->device == NULL)
    abort ();
  /* The rdma controller parses the limits as int.  */
  if (sp_u32_in (v, path, "hcaHandles", 0, INT32_MAX, &r->hca_handles, &r->has_hca_handles,
                 err) < 0
      || sp_u32_in (v, path, "hcaObjects", 0, INT32_MAX, &r->hca_objects, &r->has_hca_objects,
                    err) < 0)
    return -1;
  /* config-linux.md "RDMA": "You MUST specify at least one of the
   * hcaHandles or hcaObjects in a given entry".  */
  if (!r->has_hca_handles && !r->has_hca_objects)
    return sk_error_set (err, 0, "%s: needs `hcaHandles` or `hcaObjects`", path);
  return 0;
}

/* `pids` and `network` are thin wrappers whose fields live directly in
 * struct sk_resources.  */
/* The schema requires pids.limit, config-linux.md calls it OPTIONAL: an
 * empty `pids` object is accepted and means no limit is set.  */
static int
parse_pids (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_resources *r = out;
  /* -1 (and 0, as runc reads it) mean no limit.  */
  return sp_range (v, path, "limit", -1, INT64_MAX, &r->pids_limit, &r->has_pids_limit, err);
}

static int
parse_network (const sk_json *v, const char *key, const char *path, void *out,
               sk_error_t *err)
{
  struct sk_resources *r = out;
  if (sp_u32 (v, path, "classID", &r->net_class_id, &r->has_net_class_id, err) < 0
      || sp_array (v, path, "priorities", sizeof *r->net_priorities, parse_net_priority,
                   &r->net_priorities, &r->n_net_priorities, err) < 0)
    return -1;
  return 0;
}

int
sp_resources (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_resources *r = out;
  if (sp_array (v, path, "devices", sizeof *r->devices, parse_device_rule, &r->devices,
                &r->n_devices, err) < 0
      || sp_object (v, path, "memory", sizeof *r->memory, parse_memory, &r->memory, err) < 0
      || sp_object (v, path, "cpu", sizeof *r->cpu, parse_cpu, &r->cpu, err) < 0
      || sp_inline (v, path, "pids", parse_pids, r, err) < 0
      || sp_object (v, path, "blockIO", sizeof *r->block_io, parse_block_io, &r->block_io,
                    err) < 0
      || sp_array (v, path, "hugepageLimits", sizeof *r->hugepage_limits, parse_hugepage,
                   &r->hugepage_limits, &r->n_hugepage_limits, err) < 0
      || sp_inline (v, path, "network", parse_network, r, err) < 0
      || sp_map (v, path, "rdma", sizeof *r->rdma, parse_rdma, &r->rdma, &r->n_rdma, err) < 0
      || sp_kvs (v, path, "unified", &r->unified, err) < 0)
    return -1;
  return 0;
}
