/* Unit tests of the config.json parser (src/lib/spec/).
 *
 * every spec-fixtures/valid/ JSON file must parse; spec-fixtures/invalid/NAME.json
 * must fail with an error containing the text of NAME.err.  The fixtures
 * directory comes from SPEC_FIXTURES (compile time) or $SPEC_FIXTURES.  */
#include <config.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <skiff/spec.h>
#include "util/cleanup.h"

static const char *
fixtures (void)
{
  const char *d = getenv ("SPEC_FIXTURES");
  return d ? d : SPEC_FIXTURES;
}

static char *
slurp (const char *path)
{
  FILE *f = fopen (path, "re");
  ck_assert_msg (f != NULL, "open %s", path);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream (&buf, &len);
  char chunk[4096];
  size_t n;
  while ((n = fread (chunk, 1, sizeof chunk, f)) > 0)
    fwrite (chunk, 1, n, m);
  fclose (f);
  fclose (m);
  return buf;
}

static struct sk_spec *
load_valid (const char *name)
{
  char path[4096];
  sk_error_t err = NULL;
  snprintf (path, sizeof path, "%s/valid/%s", fixtures (), name);
  struct sk_spec *s = sk_spec_load (path, &err);
  ck_assert_msg (s != NULL, "%s: %s", name, err ? err->msg : "?");
  return s;
}

/* Every JSON file in dir, sorted; returns the count.  */
static size_t
list_json (const char *dir, char ***out)
{
  struct dirent **ents = NULL;
  int n = scandir (dir, &ents, NULL, alphasort);
  ck_assert_msg (n >= 0, "scandir %s", dir);
  char **names = calloc ((size_t) n + 1, sizeof *names);
  size_t k = 0;
  for (int i = 0; i < n; i++)
    {
      size_t l = strlen (ents[i]->d_name);
      if (l > 5 && strcmp (ents[i]->d_name + l - 5, ".json") == 0)
        names[k++] = strdup (ents[i]->d_name);
      free (ents[i]);
    }
  free (ents);
  *out = names;
  return k;
}

START_TEST (test_valid_fixtures)
{
  char dir[4096];
  _cleanup_strv_ char **names = NULL;
  snprintf (dir, sizeof dir, "%s/valid", fixtures ());
  size_t n = list_json (dir, &names);
  ck_assert_uint_ge (n, 5);
  for (size_t i = 0; i < n; i++)
    sk_spec_free (load_valid (names[i]));
}
END_TEST

START_TEST (test_invalid_fixtures)
{
  char dir[4096], path[4096 + 256];
  _cleanup_strv_ char **names = NULL;
  snprintf (dir, sizeof dir, "%s/invalid", fixtures ());
  size_t n = list_json (dir, &names);
  ck_assert_uint_ge (n, 50);
  for (size_t i = 0; i < n; i++)
    {
      sk_error_t err = NULL;
      snprintf (path, sizeof path, "%s/%s", dir, names[i]);
      struct sk_spec *s = sk_spec_load (path, &err);
      ck_assert_msg (s == NULL, "%s: parsed but should have failed", names[i]);
      strcpy (path + strlen (path) - 5, ".err");
      _cleanup_free_ char *want = slurp (path);
      want[strcspn (want, "\n")] = '\0';
      ck_assert_msg (strstr (err->msg, want) != NULL, "%s: got `%s`, want `%s`", names[i],
                     err->msg, want);
      ck_assert_msg (strchr (err->msg, '\n') == NULL, "%s: multi-line error", names[i]);
      sk_error_free (&err);
    }
}
END_TEST

/* config.md "Process" / "POSIX process" / "Linux Process".  */
START_TEST (test_full_process)
{
  _cleanup_spec_ struct sk_spec *s = load_valid ("full.json");
  struct sk_process *p = s->process;
  ck_assert_str_eq (s->oci_version, "1.3.0");
  ck_assert (p->terminal && p->has_console_size);
  ck_assert_uint_eq (p->console_height, 25);
  ck_assert_uint_eq (p->console_width, 80);
  ck_assert_str_eq (p->cwd, "/work");
  ck_assert_uint_eq (p->args.n, 3);
  ck_assert_str_eq (p->args.v[2], "echo hi");
  ck_assert_ptr_null (p->args.v[3]);
  ck_assert_str_eq (p->env.v[2], "UNICODE=\xc3\xa9\xe2\x82\xac");
  ck_assert_uint_eq (p->user.uid, 1000);
  ck_assert_uint_eq (p->user.gid, 1001);
  ck_assert (p->user.has_umask);
  ck_assert_uint_eq (p->user.umask, 18);
  ck_assert_uint_eq (p->user.n_additional_gids, 2);
  ck_assert_uint_eq (p->user.additional_gids[1], 4294967294u);
  ck_assert_uint_eq (p->capabilities->inheritable.n, 0);
  ck_assert_str_eq (p->capabilities->ambient.v[0], "CAP_NET_BIND_SERVICE");
  ck_assert_uint_eq (p->n_rlimits, 3);
  ck_assert_int_eq (p->rlimits[0].resource, RLIMIT_NOFILE);
  ck_assert_uint_eq (p->rlimits[0].soft, 512);
  ck_assert_int_eq (p->rlimits[1].resource, RLIMIT_CORE);
  ck_assert_uint_eq (p->rlimits[1].hard, UINT64_MAX);
  ck_assert_int_eq (p->rlimits[2].resource, RLIMIT_RTTIME);
  ck_assert (p->no_new_privileges);
  ck_assert (p->has_oom_score_adj);
  ck_assert_int_eq (p->oom_score_adj, -1000);
  ck_assert_str_eq (p->scheduler->policy, "SCHED_DEADLINE");
  ck_assert (p->scheduler->has_nice && p->scheduler->has_priority);
  ck_assert_int_eq (p->scheduler->nice, -5);
  ck_assert_uint_eq (p->scheduler->period, 30000000);
  ck_assert_str_eq (p->scheduler->flags.v[1], "SCHED_FLAG_UTIL_CLAMP_MAX");
  ck_assert_str_eq (p->io_priority->class, "IOPRIO_CLASS_BE");
  ck_assert_int_eq (p->io_priority->priority, 7);
  ck_assert_str_eq (p->exec_cpu_affinity->initial, "0-3, 7");
  ck_assert_str_eq (p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
}
END_TEST

/* config.md "Root", "Mounts", "Hooks", "Annotations".  */
START_TEST (test_full_toplevel)
{
  _cleanup_spec_ struct sk_spec *s = load_valid ("full.json");
  ck_assert_str_eq (s->root->path, "rootfs");
  ck_assert (s->root->readonly);
  ck_assert_str_eq (s->hostname, "full");
  ck_assert_str_eq (s->domainname, "example.org");
  ck_assert_uint_eq (s->n_mounts, 3);
  ck_assert_str_eq (s->mounts[1].source, "/srv/data");
  ck_assert_str_eq (s->mounts[1].options.v[2], "idmap");
  ck_assert_uint_eq (s->mounts[1].gid_mappings.v[0].host_id, 200000);
  ck_assert_ptr_null (s->mounts[2].type);
  ck_assert_str_eq (s->mounts[2].destination, "relative/dest");
  ck_assert_uint_eq (s->hooks.prestart.n, 1);
  ck_assert_str_eq (s->hooks.prestart.v[0].args.v[1], "arg1");
  ck_assert (!s->hooks.prestart.v[0].has_timeout);
  ck_assert (s->hooks.create_runtime.v[0].has_timeout);
  ck_assert_int_eq (s->hooks.create_runtime.v[0].timeout, 1);
  ck_assert_uint_eq (s->hooks.create_container.n, 2);
  ck_assert_str_eq (s->hooks.start_container.v[0].path, "/usr/bin/refresh-ldcache");
  ck_assert_int_eq (s->hooks.poststart.v[0].timeout, 5);
  ck_assert_str_eq (s->hooks.poststop.v[0].args.v[1], "-f");
  ck_assert_uint_eq (s->annotations.n, 2);
  ck_assert_str_eq (s->annotations.v[1].key, "com.example.key2");
  ck_assert_str_eq (s->annotations.v[1].value, "value2");
}
END_TEST

/* config-linux.md, all but resources and seccomp.  */
START_TEST (test_full_linux)
{
  _cleanup_spec_ struct sk_spec *s = load_valid ("full.json");
  struct sk_linux *l = s->linux_;
  ck_assert_uint_eq (l->n_namespaces, 8);
  ck_assert_int_eq (l->namespaces[7].type, SK_NS_TIME);
  ck_assert_str_eq (sk_spec_namespace (s, SK_NS_NETWORK)->path, "/var/run/netns/x");
  ck_assert_ptr_null (sk_spec_namespace (s, SK_NS_PID)->path);
  ck_assert_uint_eq (l->gid_mappings.n, 2);
  ck_assert_uint_eq (l->gid_mappings.v[1].host_id, 4294967294u);
  ck_assert (l->time_monotonic.set && l->time_boottime.set);
  ck_assert (l->time_monotonic.secs == -86400);
  ck_assert_uint_eq (l->time_monotonic.nanosecs, 500);
  ck_assert_uint_eq (l->n_devices, 4);
  ck_assert_int_eq (l->devices[0].type, 'c');
  ck_assert (l->devices[0].has_file_mode && l->devices[0].has_uid);
  ck_assert_uint_eq (l->devices[0].file_mode, 438);
  ck_assert_int_eq (l->devices[0].minor, 229);
  ck_assert_int_eq (l->devices[2].type, 'p');
  ck_assert (!l->devices[1].has_file_mode);
  ck_assert_uint_eq (l->n_net_devices, 2);
  ck_assert_str_eq (l->net_devices[0].host_name, "eth0");
  ck_assert_str_eq (l->net_devices[0].name, "ctr0");
  ck_assert_ptr_null (l->net_devices[1].name);
  ck_assert_str_eq (l->cgroups_path, "/myRuntime/myContainer");
  ck_assert_str_eq (l->rootfs_propagation, "slave");
  ck_assert_str_eq (l->sysctl.v[0].key, "net.ipv4.ip_forward");
  ck_assert_str_eq (l->masked_paths.v[1], "/proc/keys");
  ck_assert_str_eq (l->readonly_paths.v[0], "/proc/sys");
  ck_assert_str_eq (l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
  ck_assert_str_eq (l->intel_rdt->mem_bw_schema, "MB:0=20;1=70");
  ck_assert_uint_eq (l->intel_rdt->schemata.n, 2);
  ck_assert (l->intel_rdt->enable_monitoring);
  ck_assert_str_eq (l->memory_policy->mode, "MPOL_INTERLEAVE");
  ck_assert_str_eq (l->memory_policy->flags.v[0], "MPOL_F_STATIC_NODES");
  ck_assert_str_eq (l->personality->domain, "LINUX32");
}
END_TEST

/* config-linux.md "Control groups".  */
START_TEST (test_full_resources)
{
  _cleanup_spec_ struct sk_spec *s = load_valid ("full.json");
  struct sk_resources *r = s->linux_->resources;
  ck_assert_uint_eq (r->n_devices, 3);
  ck_assert (!r->devices[0].allow);
  ck_assert_int_eq (r->devices[0].type, 'a');
  ck_assert (!r->devices[0].has_major);
  ck_assert (r->devices[1].has_minor);
  ck_assert_str_eq (r->devices[1].access, "rw");
  ck_assert_ptr_null (r->devices[2].access);
  ck_assert (r->memory->has_limit && r->memory->limit == 536870912);
  ck_assert (r->memory->has_swap && r->memory->swap == -1);
  ck_assert (r->memory->has_swappiness && r->memory->swappiness == 0);
  ck_assert (r->memory->has_disable_oom_killer && !r->memory->disable_oom_killer);
  ck_assert (r->memory->has_check_before_update && r->memory->check_before_update);
  ck_assert (r->cpu->has_quota && r->cpu->quota == 1000000);
  ck_assert (r->cpu->has_burst && r->cpu->has_idle);
  ck_assert_str_eq (r->cpu->cpus, "2-3");
  /* pids.limit 0 is a real limit, distinct from absence */
  ck_assert (r->has_pids_limit && r->pids_limit == 0);
  ck_assert (r->block_io->has_weight && r->block_io->weight == 10);
  ck_assert (!r->block_io->weight_device[1].has_leaf_weight);
  ck_assert_uint_eq (r->block_io->weight_device[0].leaf_weight, 300);
  ck_assert_uint_eq (r->block_io->throttle_write_bps[0].rate, UINT64_MAX);
  ck_assert_uint_eq (r->block_io->throttle_write_iops[0].rate, 301);
  ck_assert_uint_eq (r->n_hugepage_limits, 3);
  ck_assert_str_eq (r->hugepage_limits[1].page_size, "1GB");
  ck_assert (r->has_net_class_id && r->net_class_id == 1048577);
  ck_assert_str_eq (r->net_priorities[1].name, "eth1");
  ck_assert_uint_eq (r->n_rdma, 2);
  ck_assert_str_eq (r->rdma[1].device, "mlx4_0");
  ck_assert (!r->rdma[1].has_hca_handles && r->rdma[1].has_hca_objects);
  ck_assert_str_eq (r->unified.v[1].value, "max");
}
END_TEST

/* config-linux.md "Seccomp".  */
START_TEST (test_full_seccomp)
{
  _cleanup_spec_ struct sk_spec *s = load_valid ("full.json");
  struct sk_seccomp *sc = s->linux_->seccomp;
  ck_assert_str_eq (sc->default_action, "SCMP_ACT_ERRNO");
  ck_assert (sc->has_default_errno_ret && sc->default_errno_ret == 1);
  ck_assert_uint_eq (sc->architectures.n, 3);
  ck_assert_str_eq (sc->flags.v[1], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  ck_assert_str_eq (sc->listener_path, "/run/seccomp-agent.socket");
  ck_assert_str_eq (sc->listener_metadata, "metadata");
  ck_assert_uint_eq (sc->n_syscalls, 3);
  ck_assert (sc->syscalls[0].has_errno_ret && sc->syscalls[0].errno_ret == 38);
  ck_assert_uint_eq (sc->syscalls[1].n_args, 2);
  ck_assert_int_eq (sc->syscalls[1].args[0].op, SK_SECCOMP_OP_EQ);
  ck_assert_uint_eq (sc->syscalls[1].args[1].index, 5);
  ck_assert_uint_eq (sc->syscalls[1].args[1].value, UINT64_MAX);
  ck_assert_uint_eq (sc->syscalls[1].args[1].value_two, 4);
  ck_assert_int_eq (sc->syscalls[1].args[1].op, SK_SECCOMP_OP_MASKED_EQ);
  ck_assert_str_eq (sc->syscalls[2].action, "SCMP_ACT_NOTIFY");
}
END_TEST

/* Absent optional fields stay absent; explicit nulls count as absent.  */
START_TEST (test_minimal_and_nulls)
{
  _cleanup_spec_ struct sk_spec *m = load_valid ("minimal.json");
  ck_assert_ptr_null (m->process);
  ck_assert_ptr_null (m->linux_);
  ck_assert_ptr_null (m->hostname);
  ck_assert (!m->root->readonly);
  ck_assert_ptr_null (sk_spec_namespace (m, SK_NS_PID));
  _cleanup_spec_ struct sk_spec *n = load_valid ("nulls.json");
  ck_assert_ptr_null (n->process->capabilities);
  ck_assert_uint_eq (n->process->env.n, 0);
  ck_assert_ptr_null (n->linux_->resources->memory);
  ck_assert (!n->linux_->resources->has_pids_limit);
  ck_assert (!n->process->has_oom_score_adj);
}
END_TEST

static struct sk_spec *
parse_default (bool rootless)
{
  sk_error_t err = NULL;
  _cleanup_free_ char *json = sk_spec_default_json (rootless, &err);
  ck_assert_msg (json != NULL, "%s", err ? err->msg : "?");
  struct sk_spec *s = sk_spec_parse (json, strlen (json), &err);
  ck_assert_msg (s != NULL, "%s", err ? err->msg : "?");
  return s;
}

START_TEST (test_default_spec)
{
  _cleanup_spec_ struct sk_spec *s = parse_default (false);
  ck_assert_str_eq (s->oci_version, "1.3.0");
  ck_assert (!s->process->terminal);
  ck_assert_str_eq (s->process->args.v[0], "sh");
  ck_assert_str_eq (s->process->cwd, "/");
  ck_assert (s->process->no_new_privileges);
  ck_assert_uint_eq (s->process->capabilities->bounding.n, 3);
  ck_assert_int_eq (s->process->rlimits[0].resource, RLIMIT_NOFILE);
  ck_assert_uint_eq (s->process->rlimits[0].hard, 1024);
  ck_assert_str_eq (s->root->path, "rootfs");
  ck_assert (s->root->readonly);
  ck_assert_str_eq (s->hostname, "skiff");
  ck_assert_uint_eq (s->n_mounts, 7);
  ck_assert_ptr_nonnull (sk_spec_namespace (s, SK_NS_NETWORK));
  ck_assert_ptr_nonnull (sk_spec_namespace (s, SK_NS_CGROUP));
  ck_assert_ptr_null (sk_spec_namespace (s, SK_NS_USER));
  ck_assert_uint_ge (s->linux_->masked_paths.n, 10);
  ck_assert_uint_eq (s->linux_->readonly_paths.n, 5);
  ck_assert (!s->linux_->resources->devices[0].allow);

  _cleanup_spec_ struct sk_spec *r = parse_default (true);
  ck_assert_ptr_nonnull (sk_spec_namespace (r, SK_NS_USER));
  ck_assert_ptr_null (sk_spec_namespace (r, SK_NS_NETWORK));
  ck_assert_uint_eq (r->linux_->uid_mappings.n, 1);
  ck_assert_uint_eq (r->linux_->uid_mappings.v[0].host_id, geteuid ());
  ck_assert_uint_eq (r->linux_->gid_mappings.v[0].host_id, getegid ());
  ck_assert_uint_eq (r->linux_->uid_mappings.v[0].size, 1);
  for (size_t i = 0; i < r->n_mounts; i++)
    for (size_t j = 0; j < r->mounts[i].options.n; j++)
      ck_assert_str_ne (r->mounts[i].options.v[j], "gid=5");
}
END_TEST

/* exec --process: the same rules as config.json's process.  */
START_TEST (test_process_parse)
{
  sk_error_t err = NULL;
  const char *ok = "{\"cwd\": \"/tmp\", \"args\": [\"ls\"], \"env\": [\"A=1\"], "
                   "\"user\": {\"uid\": 5, \"gid\": 6}, \"terminal\": true}";
  struct sk_process *p = sk_process_parse (ok, strlen (ok), &err);
  ck_assert_msg (p != NULL, "%s", err ? err->msg : "?");
  ck_assert_str_eq (p->cwd, "/tmp");
  ck_assert_uint_eq (p->user.gid, 6);
  ck_assert (p->terminal);
  sk_process_free (p);

  const char *bad = "{\"cwd\": \"/\", \"args\": []}";
  ck_assert_ptr_null (sk_process_parse (bad, strlen (bad), &err));
  ck_assert_str_eq (err->msg, "process.json: args: must contain at least one entry");
  sk_error_free (&err);
  const char *bad2 = "{\"args\": [\"x\"]}";
  ck_assert_ptr_null (sk_process_parse (bad2, strlen (bad2), &err));
  ck_assert_str_eq (err->msg, "process.json: cwd: missing required property");
  sk_error_free (&err);
}
END_TEST

/* update --resources: a LinuxResources object.  */
START_TEST (test_resources_parse)
{
  sk_error_t err = NULL;
  const char *ok = "{\"memory\": {\"limit\": 1048576}, \"pids\": {\"limit\": -1}, "
                   "\"cpu\": {\"cpus\": \"0\"}}";
  struct sk_resources *r = sk_resources_parse (ok, strlen (ok), &err);
  ck_assert_msg (r != NULL, "%s", err ? err->msg : "?");
  ck_assert (r->memory->has_limit && r->memory->limit == 1048576);
  ck_assert (r->has_pids_limit && r->pids_limit == -1);
  ck_assert_str_eq (r->cpu->cpus, "0");
  ck_assert_ptr_null (r->block_io);
  sk_resources_free (r);

  const char *bad = "{\"memory\": {\"limit\": \"lots\"}}";
  ck_assert_ptr_null (sk_resources_parse (bad, strlen (bad), &err));
  ck_assert_str_eq (err->msg, "resources.json: memory.limit: expected integer in -1..9223372036854775807");
  sk_error_free (&err);
}
END_TEST

START_TEST (test_ns_names)
{
  static const char *const want[SK_NS__COUNT] = {
    "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"
  };
  for (int t = 0; t < SK_NS__COUNT; t++)
    ck_assert_str_eq (sk_ns_type_name ((enum sk_ns_type) t), want[t]);
  ck_assert_str_eq (sk_ns_type_name (SK_NS__COUNT), "?");
}
END_TEST

START_TEST (test_load_errors)
{
  sk_error_t err = NULL;
  ck_assert_ptr_null (sk_spec_load ("/nonexistent/config.json", &err));
  ck_assert_str_eq (err->msg, "open `/nonexistent/config.json`");
  ck_assert_int_eq (err->errnum, ENOENT);
  sk_error_free (&err);
  ck_assert_ptr_null (sk_spec_load ("/", &err));
  ck_assert_ptr_nonnull (err);
  sk_error_free (&err);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("spec");
  TCase *tc = tcase_create ("spec");
  tcase_add_test (tc, test_valid_fixtures);
  tcase_add_test (tc, test_invalid_fixtures);
  tcase_add_test (tc, test_full_process);
  tcase_add_test (tc, test_full_toplevel);
  tcase_add_test (tc, test_full_linux);
  tcase_add_test (tc, test_full_resources);
  tcase_add_test (tc, test_full_seccomp);
  tcase_add_test (tc, test_minimal_and_nulls);
  tcase_add_test (tc, test_default_spec);
  tcase_add_test (tc, test_process_parse);
  tcase_add_test (tc, test_resources_parse);
  tcase_add_test (tc, test_ns_names);
  tcase_add_test (tc, test_load_errors);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
