/* Unit tests of the mount option table (src/lib/linux/mounts.c):
 * config.md "Linux mount options".  */
#include <config.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include "linux/rootfs_int.h"

static int
parse (const char **names, struct sk_mount_opts *o)
{
  struct sk_strv v = { (char **) names, 0 };
  sk_error_t err = NULL;
  while (names[v.n])
    v.n++;
  int r = sk_mount_opts_parse (&v, o, &err);
  sk_error_free (&err);
  return r;
}

START_TEST (test_flags)
{
  const char *n[] = { "ro", "nosuid", "nodev", "noexec", "rbind", "strictatime", "rw", NULL };
  struct sk_mount_opts o;
  ck_assert_int_eq (parse (n, &o), 0);
  /* Later options win: `rw` after `ro`.  */
  ck_assert_uint_eq (o.flags, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_BIND | MS_REC | MS_STRICTATIME);
  ck_assert (o.cleared & MS_RDONLY);
  ck_assert_ptr_null (o.data);
  sk_mount_opts_free (&o);
}
END_TEST

START_TEST (test_recursive_and_propagation)
{
  const char *n[] = { "rro", "rnosuid", "rnoatime", "rrelatime", "rshared", "private", NULL };
  struct sk_mount_opts o;
  ck_assert_int_eq (parse (n, &o), 0);
  ck_assert_uint_eq (o.rattr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_RELATIME);
  ck_assert (o.rattr_clr & MOUNT_ATTR__ATIME);
  ck_assert_uint_eq (o.n_propagation, 2);
  ck_assert_uint_eq (o.propagation[0], MS_SHARED | MS_REC);
  ck_assert_uint_eq (o.propagation[1], MS_PRIVATE);
  ck_assert_uint_eq (o.flags, 0);
  sk_mount_opts_free (&o);
}
END_TEST

START_TEST (test_special_and_data)
{
  const char *n[] = { "idmap", "tmpcopyup", "size=1m", "mode=755", "bogus", "defaults", NULL };
  struct sk_mount_opts o;
  ck_assert_int_eq (parse (n, &o), 0);
  ck_assert (o.idmap && !o.ridmap && o.tmpcopyup);
  /* Unknown options reach mount(2) as data, in order (config.md).  */
  ck_assert_str_eq (o.data, "size=1m,mode=755,bogus");
  sk_mount_opts_free (&o);
}
END_TEST

START_TEST (test_names_exported)
{
  size_t n = 0;
  for (; sk_mount_option_names[n]; n++)
    {
      const char *one[] = { sk_mount_option_names[n], NULL };
      struct sk_mount_opts o;
      ck_assert_int_eq (parse (one, &o), 0);
      /* Every advertised name is understood, never passed on as data.  */
      ck_assert_msg (o.data == NULL, "`%s` falls through to data", one[0]);
      sk_mount_opts_free (&o);
    }
  ck_assert_uint_ge (n, 60);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("mount_opts");
  TCase *tc = tcase_create ("parse");
  tcase_add_test (tc, test_flags);
  tcase_add_test (tc, test_recursive_and_propagation);
  tcase_add_test (tc, test_special_and_data);
  tcase_add_test (tc, test_names_exported);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
