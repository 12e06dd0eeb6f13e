/* Freeing the structs of spec.h.  Every function accepts partially filled
 * (zeroed) structs, since a parse error can stop anywhere.  */
#include <config.h>
#include <stdlib.h>
#include "spec/spec_internal.h"

void
sp_strv_clear (struct sk_strv *v)
{
  if (v->v)
    for (size_t i = 0; i < v->n; i++)
      free (v->v[i]);
  free (v->v);
  v->v = NULL;
  v->n = 0;
}

void
sp_kvs_clear (struct sk_kvs *kv)
{
  for (size_t i = 0; kv->v && i < kv->n; i++)
    {
      free (kv->v[i].key);
      free (kv->v[i].value);
    }
  free (kv->v);
  kv->v = NULL;
  kv->n = 0;
}

static void
capabilities_free (struct sk_capabilities *c)
{
  if (c == NULL)
    return;
  sp_strv_clear (&c->bounding);
  sp_strv_clear (&c->effective);
  sp_strv_clear (&c->inheritable);
  sp_strv_clear (&c->permitted);
  sp_strv_clear (&c->ambient);
  free (c);
}

void
sk_process_free (struct sk_process *p)
{
  if (p == NULL)
    return;
  free (p->cwd);
  sp_strv_clear (&p->env);
  sp_strv_clear (&p->args);
  free (p->command_line);
  free (p->user.additional_gids);
  free (p->user.username);
  for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
    free (p->rlimits[i].type);
  free (p->rlimits);
  capabilities_free (p->capabilities);
  free (p->apparmor_profile);
  free (p->selinux_label);
  if (p->scheduler)
    {
      free (p->scheduler->policy);
      sp_strv_clear (&p->scheduler->flags);
      free (p->scheduler);
    }
  if (p->io_priority)
    free (p->io_priority->class);
  free (p->io_priority);
  if (p->exec_cpu_affinity)
    {
      free (p->exec_cpu_affinity->initial);
      free (p->exec_cpu_affinity->final);
      free (p->exec_cpu_affinity);
    }
  free (p);
}

static void
block_io_free (struct sk_block_io *b)
{
  if (b == NULL)
    return;
  free (b->weight_device);
  free (b->throttle_read_bps);
  free (b->throttle_write_bps);
  free (b->throttle_read_iops);
  free (b->throttle_write_iops);
  free (b);
}

void
sk_resources_free (struct sk_resources *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; r->devices && i < r->n_devices; i++)
    free (r->devices[i].access);
  free (r->devices);
  free (r->memory);
  if (r->cpu)
    {
      free (r->cpu->cpus);
      free (r->cpu->mems);
      free (r->cpu);
    }
  block_io_free (r->block_io);
  for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
    free (r->hugepage_limits[i].page_size);
  free (r->hugepage_limits);
  for (size_t i = 0; r->net_priorities && i < r->n_net_priorities; i++)
    free (r->net_priorities[i].name);
  free (r->net_priorities);
  for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
    free (r->rdma[i].device);
  free (r->rdma);
  sp_kvs_clear (&r->unified);
  free (r);
}

void
sp_seccomp_free (struct sk_seccomp *s)
{
  if (s == NULL)
    return;
  free (s->default_action);
  sp_strv_clear (&s->architectures);
  sp_strv_clear (&s->flags);
  free (s->listener_path);
  free (s->listener_metadata);
  for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++)
    {
      sp_strv_clear (&s->syscalls[i].names);
      free (s->syscalls[i].action);
      free (s->syscalls[i].args);
    }
  free (s->syscalls);
  free (s);
}

static void
linux_objects_free (struct sk_linux *l)
{
  if (l->intel_rdt)
    {
      free (l->intel_rdt->clos_id);
      free (l->intel_rdt->l3_cache_schema);
      free (l->intel_rdt->mem_bw_schema);
      sp_strv_clear (&l->intel_rdt->schemata);
      free (l->intel_rdt);
    }
  if (l->memory_policy)
    {
      free (l->memory_policy->mode);
      free (l->memory_policy->nodes);
      sp_strv_clear (&l->memory_policy->flags);
      free (l->memory_policy);
    }
  if (l->personality)
    {
      free (l->personality->domain);
      sp_strv_clear (&l->personality->flags);
      free (l->personality);
    }
}

void
sp_linux_free (struct sk_linux *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
    free (l->namespaces[i].path);
  free (l->namespaces);
  free (l->uid_mappings.v);
  free (l->gid_mappings.v);
  for (size_t i = 0; l->devices && i < l->n_devices; i++)
    free (l->devices[i].path);
  free (l->devices);
  for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++)
    {
      free (l->net_devices[i].host_name);
      free (l->net_devices[i].name);
    }
  free (l->net_devices);
  free (l->cgroups_path);
  sk_resources_free (l->resources);
  free (l->rootfs_propagation);
  sp_seccomp_free (l->seccomp);
  sp_kvs_clear (&l->sysctl);
  sp_strv_clear (&l->masked_paths);
  sp_strv_clear (&l->readonly_paths);
  free (l->mount_label);
  linux_objects_free (l);
  free (l);
}

static void
hook_list_free (struct sk_hook_list *l)
{
  for (size_t i = 0; l->v && i < l->n; i++)
    {
      free (l->v[i].path);
      sp_strv_clear (&l->v[i].args);
      sp_strv_clear (&l->v[i].env);
    }
  free (l->v);
}

void
sk_spec_free (struct sk_spec *spec)
{
  if (spec == NULL)
    return;
  free (spec->oci_version);
  sk_process_free (spec->process);
  if (spec->root)
    free (spec->root->path);
  free (spec->root);
  free (spec->hostname);
  free (spec->domainname);
  for (size_t i = 0; spec->mounts && i < spec->n_mounts; i++)
    {
      struct sk_mount *m = &spec->mounts[i];
      free (m->destination);
      free (m->type);
      free (m->source);
      sp_strv_clear (&m->options);
      free (m->uid_mappings.v);
      free (m->gid_mappings.v);
    }
  free (spec->mounts);
  hook_list_free (&spec->hooks.prestart);
  hook_list_free (&spec->hooks.create_runtime);
  hook_list_free (&spec->hooks.create_container);
  hook_list_free (&spec->hooks.start_container);
  hook_list_free (&spec->hooks.poststart);
  hook_list_free (&spec->hooks.poststop);
  sp_kvs_clear (&spec->annotations);
  sp_linux_free (spec->linux_);
  free (spec);
}
