/* Unit tests of the systemd cgroup driver's pure parts (no bus needed):
 *   - cgroupsPath `slice:prefix:name` as runc reads it, slice expansion,
 *     malformed paths refused with the expected form in the message;
 *   - the resource -> unit property mapping (names, values, conversions);
 *   - `org.systemd.property.*` annotations (GVariant text subset, Sec ->
 *     USec, overriding the resources' values, bad ones refused).
 * The D-Bus half runs in the systemd VM layer (tests/vm/systemd/).  */
#include <config.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup/systemd.h"
#include "util/cleanup.h"

static void
path_ok (const char *in, const char *id, bool rootless, const char *slice, const char *unit,
         const char *cgroup)
{
  sk_error_t err = NULL;
  struct sk_sd_path p;
  int r = sk_sd_parse_path (in, id, rootless, &p, &err);
  ck_assert_msg (r == 0, "%s: %s", in ? in : "(null)", err ? err->msg : "");
  ck_assert_str_eq (p.slice, slice);
  ck_assert_str_eq (p.unit, unit);
  ck_assert_str_eq (p.cgroup, cgroup);
  sk_sd_path_clear (&p);
}

static void
path_bad (const char *in, const char *needle)
{
  sk_error_t err = NULL;
  struct sk_sd_path p;
  ck_assert_int_eq (sk_sd_parse_path (in, "id", false, &p, &err), -1);
  ck_assert_ptr_nonnull (err);
  ck_assert_msg (strstr (err->msg, needle), "`%s`: message `%s` lacks `%s`", in, err->msg, needle);
  ck_assert_msg (strstr (err->msg, in), "`%s`: message `%s` does not name the path", in, err->msg);
  sk_error_free (&err);
}

START_TEST (test_path)
{
  path_ok ("system.slice:docker:abc", "x", false, "system.slice", "docker-abc.scope",
           "/system.slice/docker-abc.scope");
  path_ok (":docker:abc", "x", false, "system.slice", "docker-abc.scope",
           "/system.slice/docker-abc.scope");
  path_ok (":docker:abc", "x", true, "user.slice", "docker-abc.scope",
           "/user.slice/docker-abc.scope");
  path_ok (NULL, "c1", false, "system.slice", "skiff-c1.scope", "/system.slice/skiff-c1.scope");
  path_ok ("", "c1", false, "system.slice", "skiff-c1.scope", "/system.slice/skiff-c1.scope");
  path_ok ("machine-a-b.slice:libpod:123", "x", false, "machine-a-b.slice", "libpod-123.scope",
           "/machine.slice/machine-a.slice/machine-a-b.slice/libpod-123.scope");
  path_ok ("-.slice:p:n", "x", false, "-.slice", "p-n.scope", "/p-n.scope");
  /* runc composes <prefix>-<name>.scope even with an empty prefix.  */
  path_ok ("system.slice::n", "x", false, "system.slice", "-n.scope", "/system.slice/-n.scope");
  /* A name ending in .slice makes a slice; the prefix is ignored.  */
  path_ok ("system.slice:p:system-pods.slice", "x", false, "system.slice", "system-pods.slice",
           "/system.slice/system-pods.slice");
  path_ok ("-.slice:p:pods.slice", "x", false, "-.slice", "pods.slice", "/pods.slice");
}
END_TEST

START_TEST (test_path_bad)
{
  path_bad ("/sys/fs/cgroup/foo", "expected `slice:prefix:name`");
  path_bad ("foo", "expected `slice:prefix:name`");
  path_bad ("a:b", "expected `slice:prefix:name`");
  path_bad ("a:b:c:d", "expected `slice:prefix:name`");
  path_bad ("system.slice:docker:", "empty name");
  path_bad ("system:docker:abc", "not a slice unit name");
  path_bad ("a/b.slice:docker:abc", "not a slice unit name");
  path_bad ("a--b.slice:docker:abc", "empty component");
  path_bad ("-a.slice:docker:abc", "empty component");
  path_bad ("system.slice:dock/er:abc", "not a valid systemd unit name");
  path_bad ("system.slice:p:other-pods.slice", "is not a child of");
}
END_TEST

START_TEST (test_expand_slice)
{
  sk_error_t err = NULL;
  _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  ck_assert_int_eq (sk_sd_expand_slice ("a-b-c.slice", &a, &err), 0);
  ck_assert_str_eq (a, "/a.slice/a-b.slice/a-b-c.slice");
  ck_assert_int_eq (sk_sd_expand_slice ("-.slice", &b, &err), 0);
  ck_assert_str_eq (b, "");
  ck_assert_int_eq (sk_sd_expand_slice ("system.slice", &c, &err), 0);
  ck_assert_str_eq (c, "/system.slice");
  ck_assert_int_eq (sk_sd_expand_slice ("a-.slice", &d, &err), -1);
  ck_assert_ptr_null (d);
  sk_error_free (&err);
}
END_TEST

static uint64_t
u64 (const struct sk_sd_props *p, const char *name)
{
  const struct sk_sd_prop *e = sk_sd_props_find (p, name);
  ck_assert_msg (e != NULL, "property %s missing", name);
  return e->u;
}

START_TEST (test_resources_v2)
{
  struct sk_memory mem = { .has_limit = true, .limit = 256 << 20, .has_reservation = true,
                           .reservation = 128 << 20, .has_swap = true, .swap = 384 << 20,
                           .has_swappiness = true, .swappiness = 10 };
  struct sk_cpu cpu = { .has_shares = true, .shares = 1024, .has_quota = true, .quota = 50001,
                        .has_period = true, .period = 100000, .cpus = (char *) "0-1,4",
                        .mems = (char *) "0" };
  struct sk_block_io bio = { .has_weight = true, .weight = 500 };
  struct sk_resources r = { .memory = &mem, .cpu = &cpu, .has_pids_limit = true,
                            .pids_limit = 42, .block_io = &bio };
  struct sk_sd_props p = { 0 };
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_sd_resource_props (&r, true, &p, &err), 0);
  ck_assert_uint_eq (u64 (&p, "MemoryMax"), 256 << 20);
  ck_assert_uint_eq (u64 (&p, "MemoryLow"), 128 << 20);
  ck_assert_uint_eq (u64 (&p, "MemorySwapMax"), 128 << 20);   /* swap - limit */
  ck_assert_uint_eq (u64 (&p, "CPUWeight"), 39);   /* 1 + (1024-2)*9999/262142 */
  ck_assert_uint_eq (u64 (&p, "CPUQuotaPerSecUSec"), 510000);   /* 500010 rounded up */
  ck_assert_uint_eq (u64 (&p, "CPUQuotaPeriodUSec"), 100000);
  ck_assert_uint_eq (u64 (&p, "TasksMax"), 42);
  ck_assert_uint_eq (u64 (&p, "IOWeight"), 1 + (490 * 9999) / 990);
  const struct sk_sd_prop *cpus = sk_sd_props_find (&p, "AllowedCPUs");
  ck_assert_ptr_nonnull (cpus);
  ck_assert_uint_eq (cpus->n_bytes, 1);
  ck_assert_uint_eq (cpus->bytes[0], 0x13);
  ck_assert_ptr_nonnull (sk_sd_props_find (&p, "AllowedMemoryNodes"));
  /* No property for swappiness: a file only.  */
  ck_assert_uint_eq (p.n, 10);
  sk_sd_props_clear (&p);

  /* -1: unlimited; pids 0 is a file only (systemd refuses TasksMax=0).  */
  struct sk_memory m2 = { .has_limit = true, .limit = -1, .has_swap = true, .swap = -1 };
  struct sk_cpu c2 = { .has_quota = true, .quota = -1 };
  struct sk_resources r2 = { .memory = &m2, .cpu = &c2, .has_pids_limit = true, .pids_limit = 0 };
  ck_assert_int_eq (sk_sd_resource_props (&r2, true, &p, &err), 0);
  ck_assert_uint_eq (u64 (&p, "MemoryMax"), SK_SD_INFINITY);
  ck_assert_uint_eq (u64 (&p, "MemorySwapMax"), SK_SD_INFINITY);
  ck_assert_uint_eq (u64 (&p, "CPUQuotaPerSecUSec"), SK_SD_INFINITY);
  ck_assert_ptr_null (sk_sd_props_find (&p, "TasksMax"));
  ck_assert_ptr_null (sk_sd_props_find (&p, "CPUQuotaPeriodUSec"));
  sk_sd_props_clear (&p);

  /* v1 (hybrid) names.  */
  ck_assert_int_eq (sk_sd_resource_props (&r, false, &p, &err), 0);
  ck_assert_uint_eq (u64 (&p, "MemoryLimit"), 256 << 20);
  ck_assert_uint_eq (u64 (&p, "CPUShares"), 1024);
  ck_assert_uint_eq (u64 (&p, "BlockIOWeight"), 500);
  ck_assert_ptr_null (sk_sd_props_find (&p, "MemoryMax"));
  /* systemd's cpuset is v2-only: v1 gets the files alone.  */
  ck_assert_ptr_null (sk_sd_props_find (&p, "AllowedCPUs"));
  ck_assert_ptr_null (sk_sd_props_find (&p, "AllowedMemoryNodes"));
  sk_sd_props_clear (&p);
}
END_TEST

static bool
has_pair (const struct sk_sd_prop *e, const char *node, const char *acc)
{
  for (size_t i = 0; e->strv[i] && e->strv[i + 1]; i += 2)
    if (strcmp (e->strv[i], node) == 0 && strcmp (e->strv[i + 1], acc) == 0)
      return true;
  return false;
}

START_TEST (test_devices_v1)
{
  struct sk_device_rule rules[] = {
    { .allow = false, .access = (char *) "rwm" },
    { .allow = true, .type = 'b', .has_major = true, .major = 7, .has_minor = true, .minor = 0,
      .access = (char *) "r" },
    { .allow = true, .type = 'c', .has_major = true, .major = 10, .has_minor = true,
      .minor = 200, .access = (char *) "rwm" },
    { .allow = false, .type = 'c', .has_major = true, .major = 10, .has_minor = true,
      .minor = 200, .access = (char *) "w" },
  };
  struct sk_sd_props p = { 0 };
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_sd_device_props (rules, 4, &p, &err), 0);
  const struct sk_sd_prop *pol = sk_sd_props_find (&p, "DevicePolicy");
  ck_assert_ptr_nonnull (pol);
  ck_assert_str_eq (pol->s, "strict");
  const struct sk_sd_prop *e = sk_sd_props_find (&p, "DeviceAllow");
  ck_assert_ptr_nonnull (e);
  ck_assert_int_eq (e->type, SK_SD_PAIRS);
  ck_assert (has_pair (e, "/dev/block/7:0", "r"));
  /* A later deny overlaps it: left out, never wider than the rules.  */
  for (size_t i = 0; e->strv[i]; i++)
    ck_assert_str_ne (e->strv[i], "/dev/char/10:200");
  /* The defaults: mknod of anything, the standard nodes.  */
  ck_assert (has_pair (e, "char-*", "m"));
  ck_assert (has_pair (e, "block-*", "m"));
  ck_assert (has_pair (e, "/dev/char/1:3", "rwm"));
  ck_assert (has_pair (e, "/dev/char/5:2", "rwm"));
  sk_sd_props_clear (&p);

  /* No deny-all rule: everything is allowed, systemd's own default.  */
  ck_assert_int_eq (sk_sd_device_props (rules + 1, 1, &p, &err), 0);
  ck_assert_uint_eq (p.n, 0);
  sk_sd_props_clear (&p);
}
END_TEST

START_TEST (test_unified)
{
  struct sk_kv kv[] = { { (char *) "memory.high", (char *) "1048576" },
                        { (char *) "pids.max", (char *) "max" },
                        { (char *) "cpu.max", (char *) "20000 50000" },
                        { (char *) "memory.oom.group", (char *) "1" } };
  struct sk_resources r = { .unified = { kv, 4 } };
  struct sk_sd_props p = { 0 };
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_sd_resource_props (&r, true, &p, &err), 0);
  ck_assert_uint_eq (u64 (&p, "MemoryHigh"), 1048576);
  ck_assert_uint_eq (u64 (&p, "TasksMax"), SK_SD_INFINITY);
  ck_assert_uint_eq (u64 (&p, "CPUQuotaPerSecUSec"), 400000);
  ck_assert_uint_eq (u64 (&p, "CPUQuotaPeriodUSec"), 50000);
  ck_assert_uint_eq (p.n, 4);   /* memory.oom.group: a file only */
  sk_sd_props_clear (&p);
  struct sk_kv bad[] = { { (char *) "memory.max", (char *) "lots" } };
  struct sk_resources rb = { .unified = { bad, 1 } };
  ck_assert_int_eq (sk_sd_resource_props (&rb, true, &p, &err), -1);
  ck_assert_ptr_nonnull (strstr (err->msg, "memory.max"));
  sk_error_free (&err);
  sk_sd_props_clear (&p);
}
END_TEST

START_TEST (test_annotations)
{
  struct sk_kv kv[] = {
    { (char *) "org.systemd.property.TimeoutStopSec", (char *) "uint64 5" },
    { (char *) "org.systemd.property.CollectMode", (char *) "'inactive-or-failed'" },
    { (char *) "org.systemd.property.Delegate", (char *) "false" },
    { (char *) "org.systemd.property.After", (char *) "['a.service', \"b.service\"]" },
    { (char *) "org.systemd.property.Nice", (char *) "-5" },
    { (char *) "org.systemd.property.TasksMax", (char *) "uint64 7" },
    { (char *) "io.kubernetes.pod", (char *) "ignored" },
  };
  struct sk_kvs a = { kv, sizeof kv / sizeof kv[0] };
  struct sk_sd_props p = { 0 };
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_sd_props_add_u64 (&p, "TasksMax", 42, &err), 0);
  ck_assert_int_eq (sk_sd_annotation_props (&a, &p, &err), 0);
  const struct sk_sd_prop *e = sk_sd_props_find (&p, "TimeoutStopUSec");
  ck_assert_ptr_nonnull (e);
  ck_assert_int_eq (e->type, SK_SD_U64);
  ck_assert_uint_eq (e->u, 5000000);
  e = sk_sd_props_find (&p, "CollectMode");
  ck_assert_int_eq (e->type, SK_SD_STR);
  ck_assert_str_eq (e->s, "inactive-or-failed");
  e = sk_sd_props_find (&p, "Delegate");
  ck_assert_int_eq (e->type, SK_SD_BOOL);
  ck_assert_uint_eq (e->u, 0);
  e = sk_sd_props_find (&p, "After");
  ck_assert_int_eq (e->type, SK_SD_STRV);
  ck_assert_str_eq (e->strv[0], "a.service");
  ck_assert_str_eq (e->strv[1], "b.service");
  ck_assert_ptr_null (e->strv[2]);
  e = sk_sd_props_find (&p, "Nice");
  ck_assert_int_eq (e->type, SK_SD_I32);
  ck_assert_int_eq ((int32_t) e->u, -5);
  ck_assert_uint_eq (u64 (&p, "TasksMax"), 7);   /* the annotation overrides */
  ck_assert_uint_eq (p.n, 6);
  sk_sd_props_clear (&p);

  static const char *const bad[][3] = {
    { "org.systemd.property.lower", "true", "not a systemd property name" },
    { "org.systemd.property.Foo", "uint64 x", "cannot parse" },
    { "org.systemd.property.Foo", "'unterminated", "cannot parse" },
    { "org.systemd.property.Foo", "['a', 3]", "list of strings" },
    { "org.systemd.property.Foo", "int32 99999999999", "cannot parse" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct sk_kv one = { (char *) bad[i][0], (char *) bad[i][1] };
      struct sk_kvs b = { &one, 1 };
      ck_assert_int_eq (sk_sd_annotation_props (&b, &p, &err), -1);
      ck_assert_msg (strstr (err->msg, bad[i][2]) && strstr (err->msg, bad[i][0]),
                     "%s=%s: `%s`", bad[i][0], bad[i][1], err->msg);
      sk_error_free (&err);
      sk_sd_props_clear (&p);
    }
}
END_TEST

START_TEST (test_cpuset_mask)
{
  sk_error_t err = NULL;
  uint8_t *m = NULL;
  size_t n = 0;
  ck_assert_int_eq (sk_sd_cpuset_mask ("0,9-10", "x", &m, &n, &err), 0);
  ck_assert_uint_eq (n, 2);
  ck_assert_uint_eq (m[0], 0x01);
  ck_assert_uint_eq (m[1], 0x06);
  free (m);
  ck_assert_int_eq (sk_sd_cpuset_mask ("3-1", "cpu.cpus", &m, &n, &err), -1);
  ck_assert_ptr_nonnull (strstr (err->msg, "cpu.cpus: `3-1`"));
  sk_error_free (&err);
  ck_assert_int_eq (sk_sd_cpuset_mask ("", "x", &m, &n, &err), -1);
  sk_error_free (&err);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("systemd");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_path);
  tcase_add_test (tc, test_path_bad);
  tcase_add_test (tc, test_expand_slice);
  tcase_add_test (tc, test_resources_v2);
  tcase_add_test (tc, test_devices_v1);
  tcase_add_test (tc, test_unified);
  tcase_add_test (tc, test_annotations);
  tcase_add_test (tc, test_cpuset_mask);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
