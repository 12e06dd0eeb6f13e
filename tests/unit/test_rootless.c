/* Unit tests of rootless mode that need no user: /etc/subuid parsing and
 * the --rootless flag.  */
#include <config.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <skiff/container.h>
#include "rootless.h"

static char path[] = "/tmp/skiff-subuid-XXXXXX";

static void
write_subuid (void)
{
  int fd = mkstemp (path);
  ck_assert_int_ge (fd, 0);
  FILE *f = fdopen (fd, "w");
  fputs ("alice:100000:65536\n"
         "# not a comment syntax, just garbage\n"
         "1234:500000:10\n"
         "bob:300000:65536\n", f);
  fclose (f);
}

START_TEST (subid_ranges)
{
  sk_error_t err = NULL;
  bool ok = false;
  write_subuid ();
  /* by name: inside, at both edges, and one past the end */
  ck_assert_int_eq (sk_subid_covers (path, "alice", 1000, 100000, 65536, &ok, &err), 0);
  ck_assert (ok);
  ck_assert_int_eq (sk_subid_covers (path, "alice", 1000, 165535, 1, &ok, &err), 0);
  ck_assert (ok);
  ck_assert_int_eq (sk_subid_covers (path, "alice", 1000, 165535, 2, &ok, &err), 0);
  ck_assert (!ok);
  /* another user's range is not ours */
  ck_assert_int_eq (sk_subid_covers (path, "alice", 1000, 300000, 10, &ok, &err), 0);
  ck_assert (!ok);
  /* by uid */
  ck_assert_int_eq (sk_subid_covers (path, "carol", 1234, 500000, 10, &ok, &err), 0);
  ck_assert (ok);
  ck_assert_int_eq (sk_subid_covers (path, NULL, 1234, 499999, 2, &ok, &err), 0);
  ck_assert (!ok);
  unlink (path);
  /* no file: nothing delegated, not an error */
  ck_assert_int_eq (sk_subid_covers (path, "alice", 1000, 100000, 1, &ok, &err), 0);
  ck_assert (!ok);
  ck_assert_ptr_null (err);
}
END_TEST

START_TEST (rootless_flag)
{
  sk_error_t err = NULL;
  bool r = false;
  ck_assert_int_eq (sk_rootless_resolve ("true", &r, &err), 0);
  ck_assert (r);
  ck_assert_int_eq (sk_rootless_resolve ("false", &r, &err), 0);
  ck_assert (!r);
  ck_assert_int_eq (sk_rootless_resolve ("auto", &r, &err), 0);
  ck_assert (r == sk_rootless_detect ());
  ck_assert_int_eq (sk_rootless_resolve ("yes", &r, &err), -1);
  ck_assert_ptr_nonnull (err);
  sk_error_free (&err);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("rootless");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, subid_ranges);
  tcase_add_test (tc, rootless_flag);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
