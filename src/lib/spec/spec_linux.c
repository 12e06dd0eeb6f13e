/* config.json `linux` (config-linux.md), except resources
 * (spec_resources.c) and seccomp (spec_seccomp.c).  */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "spec/spec_internal.h"

/* Indexed by enum sk_ns_type; the spelling of config-linux.md
 * "Namespaces".  */
static const char *const ns_names[SK_NS__COUNT + 1] = {
  [SK_NS_PID] = "pid",     [SK_NS_NETWORK] = "network", [SK_NS_MOUNT] = "mount",
  [SK_NS_IPC] = "ipc",     [SK_NS_UTS] = "uts",         [SK_NS_USER] = "user",
  [SK_NS_CGROUP] = "cgroup", [SK_NS_TIME] = "time",     [SK_NS__COUNT] = NULL,
};

/* The schema lists private, shared, slave, unbindable; the recursive
 * spellings are what Docker and others write in practice and mean the
 * same for a root mount, so they are accepted too.  */
static const char *const propagations[] = {
  "private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable",
  NULL
};

static const char *const mpol_modes[] = {
  "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
  "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL", NULL
};

static const char *const mpol_flags[] = {
  "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES", NULL
};

static const char *const personality_domains[] = { "LINUX", "LINUX32", NULL };

const char *
sk_ns_type_name (enum sk_ns_type t)
{
  return (unsigned) t < SK_NS__COUNT ? ns_names[t] : "?";
}

/* config-linux.md "Namespaces": type REQUIRED, path absolute.  */
static int
parse_namespace (const sk_json *v, const char *key, const char *path, void *out,
                 sk_error_t *err)
{
  struct sk_namespace *ns = out;
  int idx = 0;
  if (SP_REQUIRE (v, path, err, "type") < 0
      || sp_enum (v, path, "type", ns_names, NULL, &idx, err) < 0)
    return -1;
  ns->type = (enum sk_ns_type) idx;
  if (sp_str (v, path, "path", &ns->path, err) < 0
      || sp_check_absolute (ns->path, path, "path", err) < 0)
    return -1;
  return 0;
}

/* "If a namespaces field contains duplicated namespaces with same type,
 * the runtime MUST generate an error."  */
static int
parse_namespaces (const sk_json *v, const char *path, struct sk_linux *l, sk_error_t *err)
{
  char p[SP_PATH_LEN], ip[SP_PATH_LEN];
  if (sp_array (v, path, "namespaces", sizeof *l->namespaces, parse_namespace, &l->namespaces,
                &l->n_namespaces, err) < 0)
    return -1;
  sp_key (p, path, "namespaces");
  for (size_t i = 0; i < l->n_namespaces; i++)
    for (size_t j = 0; j < i; j++)
      if (l->namespaces[i].type == l->namespaces[j].type)
        {
          sp_index (ip, p, i);
          return sk_error_set (err, 0, "%s.type: duplicate namespace `%s`", ip,
                               sk_ns_type_name (l->namespaces[i].type));
        }
  return 0;
}

static int
parse_time_offset (const sk_json *v, const char *key, const char *path, void *out,
                   sk_error_t *err)
{
  struct sk_time_offset *t = out;
  if (sp_i64 (v, path, "secs", &t->secs, NULL, err) < 0
      || sp_u32_in (v, path, "nanosecs", 0, 999999999, &t->nanosecs, NULL, err) < 0)
    return -1;
  t->set = true;
  return 0;
}

/* timeOffsets is an object keyed by clock name; only the two clocks a
 * time namespace offers are known, others are ignored like any unknown
 * property.  */
static int
parse_time_offsets (const sk_json *v, const char *key, const char *path, void *out,
                    sk_error_t *err)
{
  struct sk_linux *l = out;
  if (sp_inline (v, path, "monotonic", parse_time_offset, &l->time_monotonic, err) < 0
      || sp_inline (v, path, "boottime", parse_time_offset, &l->time_boottime, err) < 0)
    return -1;
  return 0;
}

/* config-linux.md "Devices": type and path REQUIRED, major/minor REQUIRED
 * unless type is `p`.  */
static int
parse_device (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  static const char *const types[] = { "c", "b", "u", "p", NULL };
  struct sk_device *d = out;
  int idx = 0;
  if (SP_REQUIRE (v, path, err, "type", "path") < 0
      || sp_enum (v, path, "type", types, NULL, &idx, err) < 0)
    return -1;
  d->type = types[idx][0];
  if (d->type != 'p' && SP_REQUIRE (v, path, err, "major", "minor") < 0)
    return -1;
  if (sp_str (v, path, "path", &d->path, err) < 0
      || sp_check_absolute (d->path, path, "path", err) < 0
      || sp_range (v, path, "major", 0, SP_MAJOR_MAX, &d->major, NULL, err) < 0
      || sp_range (v, path, "minor", 0, SP_MINOR_MAX, &d->minor, NULL, err) < 0
      /* config-linux.md says uint32, the schema 0..511: take the
       * permission bits with setuid/setgid/sticky (tools copy st_mode's),
       * and refuse more rather than mask it (the type comes from `type`).  */
      || sp_u32_in (v, path, "fileMode", 0, 07777, &d->file_mode, &d->has_file_mode, err) < 0
      || sp_u32_in (v, path, "uid", 0, SP_ID_MAX, &d->uid, &d->has_uid, err) < 0
      || sp_u32_in (v, path, "gid", 0, SP_ID_MAX, &d->gid, &d->has_gid, err) < 0)
    return -1;
  return 0;
}

static int
parse_net_device (const sk_json *v, const char *key, const char *path, void *out,
                  sk_error_t *err)
{
  struct sk_net_device *d = out;
  d->host_name = strdup (key);
  if (d->host_name == NULL)
    abort ();
  if (key[0] == '\0')
    return sk_error_set (err, 0, "%s: empty network device name", path);
  return sp_str (v, path, "name", &d->name, err);
}

/* schema: memBwSchema "^MB:[^\n]*$"; schemata lines MUST NOT contain
 * newlines (each is one line of the resctrl schemata file).  */
static int
parse_intel_rdt (const sk_json *v, const char *key, const char *path, void *out,
                 sk_error_t *err)
{
  struct sk_intel_rdt *r = out;
  if (sp_str (v, path, "closID", &r->clos_id, err) < 0
      || sp_str (v, path, "l3CacheSchema", &r->l3_cache_schema, err) < 0
      || sp_str (v, path, "memBwSchema", &r->mem_bw_schema, err) < 0
      || sp_strv (v, path, "schemata", NULL, &r->schemata, err) < 0
      || sp_bool (v, path, "enableMonitoring", &r->enable_monitoring, NULL, err) < 0)
    return -1;
  char p[SP_PATH_LEN];
  if (r->mem_bw_schema
      && (strncmp (r->mem_bw_schema, "MB:", 3) != 0 || strchr (r->mem_bw_schema, '\n')))
    {
      sp_key (p, path, "memBwSchema");
      return sk_error_set (err, 0, "%s: must start with `MB:` and be one line", p);
    }
  for (size_t i = 0; i < r->schemata.n; i++)
    if (strchr (r->schemata.v[i], '\n'))
      {
        sp_key (p, path, "schemata");
        return sk_error_set (err, 0, "%s[%zu]: must not contain a newline", p, i);
      }
  return 0;
}

static int
parse_memory_policy (const sk_json *v, const char *key, const char *path, void *out,
                     sk_error_t *err)
{
  struct sk_memory_policy *m = out;
  if (SP_REQUIRE (v, path, err, "mode") < 0
      || sp_enum (v, path, "mode", mpol_modes, &m->mode, NULL, err) < 0
      || sp_str (v, path, "nodes", &m->nodes, err) < 0
      || sp_check_chars (m->nodes, path, "nodes", "0123456789,-", err) < 0
      || sp_strv (v, path, "flags", mpol_flags, &m->flags, err) < 0)
    return -1;
  return 0;
}

static int
parse_personality (const sk_json *v, const char *key, const char *path, void *out,
                   sk_error_t *err)
{
  struct sk_personality *p = out;
  if (SP_REQUIRE (v, path, err, "domain") < 0
      || sp_enum (v, path, "domain", personality_domains, &p->domain, NULL, err) < 0
      || sp_strv (v, path, "flags", NULL, &p->flags, err) < 0)
    return -1;
  return 0;
}

int
sp_linux (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_linux *l = out;
  if (parse_namespaces (v, path, l, err) < 0
      || sp_id_mappings (v, path, "uidMappings", &l->uid_mappings, err) < 0
      || sp_id_mappings (v, path, "gidMappings", &l->gid_mappings, err) < 0
      || sp_inline (v, path, "timeOffsets", parse_time_offsets, l, err) < 0
      || sp_array (v, path, "devices", sizeof *l->devices, parse_device, &l->devices,
                   &l->n_devices, err) < 0
      || sp_map (v, path, "netDevices", sizeof *l->net_devices, parse_net_device,
                 &l->net_devices, &l->n_net_devices, err) < 0
      || sp_str (v, path, "cgroupsPath", &l->cgroups_path, err) < 0
      || sp_object (v, path, "resources", sizeof *l->resources, sp_resources, &l->resources,
                    err) < 0
      || sp_enum (v, path, "rootfsPropagation", propagations, &l->rootfs_propagation, NULL,
                  err) < 0
      || sp_object (v, path, "seccomp", sizeof *l->seccomp, sp_seccomp, &l->seccomp, err) < 0
      || sp_kvs (v, path, "sysctl", &l->sysctl, err) < 0
      || sp_strv (v, path, "maskedPaths", NULL, &l->masked_paths, err) < 0
      || sp_strv (v, path, "readonlyPaths", NULL, &l->readonly_paths, err) < 0
      || sp_str (v, path, "mountLabel", &l->mount_label, err) < 0
      || sp_object (v, path, "intelRdt", sizeof *l->intel_rdt, parse_intel_rdt, &l->intel_rdt,
                    err) < 0
      || sp_object (v, path, "memoryPolicy", sizeof *l->memory_policy, parse_memory_policy,
                    &l->memory_policy, err) < 0
      || sp_object (v, path, "personality", sizeof *l->personality, parse_personality,
                    &l->personality, err) < 0)
    return -1;
  return 0;
}
