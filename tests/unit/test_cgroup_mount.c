/* Unit tests of the plan behind the `cgroup` mount type
 * (src/lib/cgroup/cgroup_mount.c): which hierarchies the container sees and
 * where its own cgroup is in each, from mountinfo and /proc/self/cgroup
 * texts of the three host layouts.  */
#include <config.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup/cgroup_mount.h"

/* A hybrid host as systemd lays it out, with co-mounted controllers, an
 * escaped mountpoint elsewhere, a second mount of one hierarchy, and the
 * runtime itself in a delegated memory cgroup (mount root not `/`).  */
static const char hybrid_mi[] =
  "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
  "30 22 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
  "31 30 0:28 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
  "32 30 0:29 / /sys/fs/cgroup/systemd rw shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
  "33 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
  "34 30 0:31 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
  "35 30 0:32 /deleg /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
  "36 30 0:33 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
  "37 1 0:33 / /mnt/pids\\040again rw - cgroup cgroup rw,pids\n"
  "38 30 0:33 / /sys/fs/cgroup/pids2 rw - cgroup cgroup rw,pids\n";

static const char hybrid_cg[] =
  "12:pids:/c1\n"
  "11:memory:/deleg/c1\n"
  "10:net_cls,net_prio:/c1\n"
  "9:cpu,cpuacct:/c1\n"
  "1:name=systemd:/system.slice/c1\n"
  "0::/system.slice/c1\n";

static struct sk_cgmount_hier *
find (struct sk_cgmount_plan *p, const char *name)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->h[i].name, name) == 0)
      return &p->h[i];
  return NULL;
}

START_TEST (test_hybrid)
{
  struct sk_cgmount_plan p;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_cgmount_plan_parse (hybrid_mi, hybrid_cg, true, &p, &err), 0);
  ck_assert (!p.unified);
  /* unified, systemd, cpu,cpuacct, net_cls,net_prio, memory, pids: the
   * second and third pids mounts are the same hierarchy.  */
  ck_assert_uint_eq (p.n, 6);
  struct sk_cgmount_hier *h = find (&p, "unified");
  ck_assert_ptr_nonnull (h);
  ck_assert_ptr_null (h->subsys);
  ck_assert_str_eq (h->source, "/sys/fs/cgroup/unified/system.slice/c1");
  h = find (&p, "systemd");
  ck_assert_str_eq (h->subsys, "name=systemd");
  ck_assert_str_eq (h->source, "/sys/fs/cgroup/systemd/system.slice/c1");
  h = find (&p, "cpu,cpuacct");
  ck_assert_str_eq (h->subsys, "cpu,cpuacct");
  ck_assert_str_eq (h->source, "/sys/fs/cgroup/cpu,cpuacct/c1");
  ck_assert_str_eq (find (&p, "net_cls,net_prio")->source, "/sys/fs/cgroup/net_cls,net_prio/c1");
  /* The mount's root is /deleg: the cgroup /deleg/c1 is at <mp>/c1.  */
  ck_assert_str_eq (find (&p, "memory")->source, "/sys/fs/cgroup/memory/c1");
  ck_assert_str_eq (find (&p, "pids")->source, "/sys/fs/cgroup/pids/c1");
  ck_assert_ptr_null (find (&p, "pids2"));
  sk_cgmount_plan_free (&p);
}
END_TEST

START_TEST (test_hybrid_cgroupns_needs_no_source)
{
  /* Inside a new cgroup namespace /proc/self/cgroup says `/` and the mount
   * roots point outside it: no source can be computed, none is needed.  */
  static const char cg[] = "11:memory:/\n9:cpu,cpuacct:/\n1:name=systemd:/\n0::/\n";
  static const char mi[] =
    "31 30 0:28 /.. /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
    "33 30 0:30 /../.. /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
  struct sk_cgmount_plan p;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_cgmount_plan_parse (mi, cg, false, &p, &err), 0);
  ck_assert_uint_eq (p.n, 2);
  ck_assert_ptr_null (p.h[1].source);
  sk_cgmount_plan_free (&p);
  /* Asked for sources, the same input is an error naming the hierarchy.  */
  ck_assert_int_eq (sk_cgmount_plan_parse (mi, cg, true, &p, &err), -1);
  ck_assert_ptr_nonnull (strstr (err->msg, "hierarchy `unified`"));
  ck_assert_ptr_nonnull (strstr (err->msg, "not below the root `/..`"));
  sk_error_free (&err);
}
END_TEST

START_TEST (test_pure_v2)
{
  static const char mi[] =
    "25 22 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
    "40 25 0:40 / /sys/fs/cgroup/misc rw - tmpfs tmpfs rw\n";
  static const char cg[] = "0::/machine.slice/skiff-x.scope\n";
  struct sk_cgmount_plan p;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_cgmount_plan_parse (mi, cg, true, &p, &err), 0);
  ck_assert (p.unified);
  ck_assert_uint_eq (p.n, 1);
  ck_assert_str_eq (p.h[0].source, "/sys/fs/cgroup/machine.slice/skiff-x.scope");
  sk_cgmount_plan_free (&p);
}
END_TEST

START_TEST (test_pure_v1_and_escapes)
{
  static const char mi[] =
    "30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
    "31 30 0:28 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
    "32 30 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n";
  static const char cg[] = "3:cpu:/a\\040b\n2:freezer:/x\n";
  struct sk_cgmount_plan p;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_cgmount_plan_parse (mi, cg, true, &p, &err), 0);
  ck_assert (!p.unified);
  ck_assert_uint_eq (p.n, 2);
  ck_assert_str_eq (find (&p, "freezer")->source, "/sys/fs/cgroup/freezer/x");
  /* /proc/self/cgroup does not escape: the name is taken as it is.  */
  ck_assert_str_eq (find (&p, "cpu")->source, "/sys/fs/cgroup/cpu/a\\040b");
  sk_cgmount_plan_free (&p);
}
END_TEST

START_TEST (test_nothing_mounted)
{
  static const char mi[] = "22 1 0:21 / /sys rw - sysfs sysfs rw\n";
  struct sk_cgmount_plan p;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_cgmount_plan_parse (mi, "0::/\n", true, &p, &err), -1);
  ck_assert_ptr_nonnull (strstr (err->msg, "no cgroup hierarchy"));
  sk_error_free (&err);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("cgroup_mount");
  TCase *tc = tcase_create ("plan");
  tcase_add_test (tc, test_hybrid);
  tcase_add_test (tc, test_hybrid_cgroupns_needs_no_source);
  tcase_add_test (tc, test_pure_v2);
  tcase_add_test (tc, test_pure_v1_and_escapes);
  tcase_add_test (tc, test_nothing_mounted);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
