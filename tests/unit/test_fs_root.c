/* Unit tests of src/lib/util/fs_root.c: resolution inside a root never
 * escapes it (CVE-2021-30465 class).  Each case runs twice: through
 * openat2(RESOLVE_IN_ROOT) and through the fallback walk.  Runs in a fresh
 * temp dir; needs no privileges.  */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/fs.h"

static char tmpl[64];
static int rootfd = -1;

static void
mk (const char *kind, const char *path, const char *target)
{
  char p[512];
  snprintf (p, sizeof p, "%s/%s", tmpl, path);
  if (strcmp (kind, "dir") == 0)
    ck_assert_int_eq (mkdir (p, 0755), 0);
  else if (strcmp (kind, "file") == 0)
    {
      int fd = open (p, O_CREAT | O_WRONLY, 0644);
      ck_assert_int_ge (fd, 0);
      close (fd);
    }
  else
    ck_assert_int_eq (symlink (target, p), 0);
}

static void
setup (void)
{
  strcpy (tmpl, "/tmp/skiff-fsroot-XXXXXX");
  ck_assert_ptr_nonnull (mkdtemp (tmpl));
  mk ("dir", "etc", NULL);
  mk ("file", "etc/passwd", NULL);
  mk ("dir", "dir", NULL);
  mk ("dir", "dir/sub", NULL);
  mk ("link", "abs", "/");
  mk ("link", "abs_etc", "/etc");
  mk ("link", "up", "../../../../../..");
  mk ("link", "dir/rel", "../etc");
  mk ("link", "loop1", "loop2");
  mk ("link", "loop2", "loop1");
  mk ("link", "dangling", "/created_by_test");
  mk ("link", "proc_magic", "/proc/self/root");
  rootfd = open (tmpl, O_PATH | O_DIRECTORY);
  ck_assert_int_ge (rootfd, 0);
}

static void
teardown (void)
{
  char cmd[128];
  close (rootfd);
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpl);
  ck_assert_int_eq (system (cmd), 0);
}

/* The inode of PATH under the temp root, as seen from the host.  */
static ino_t
ino_in (const char *path)
{
  char p[512];
  struct stat st;
  snprintf (p, sizeof p, "%s/%s", tmpl, path);
  ck_assert_int_eq (lstat (p, &st), 0);
  return st.st_ino;
}

static ino_t
ino_of_resolved (const char *path, int flags)
{
  struct stat st;
  int fd = sk_open_in_root_errno (rootfd, path, flags, 0644);
  ck_assert_msg (fd >= 0, "open `%s`: %s", path, strerror (errno));
  ck_assert_int_eq (fstat (fd, &st), 0);
  close (fd);
  return st.st_ino;
}

static void
check_escapes (void)
{
  ino_t passwd = ino_in ("etc/passwd");

  /* Absolute symlink to `/` stays at the root.  */
  ck_assert_uint_eq (ino_of_resolved ("abs/etc/passwd", O_RDONLY), passwd);
  ck_assert_uint_eq (ino_of_resolved ("/abs/abs/etc/passwd", O_PATH), passwd);
  ck_assert_uint_eq (ino_of_resolved ("abs", O_PATH), ino_in ("."));
  ck_assert_uint_eq (ino_of_resolved ("abs_etc/passwd", O_RDONLY), passwd);
  /* `..` chains, literal and through symlinks, stop at the root.  */
  ck_assert_uint_eq (ino_of_resolved ("../../../etc/passwd", O_RDONLY), passwd);
  ck_assert_uint_eq (ino_of_resolved ("up/etc/passwd", O_RDONLY), passwd);
  ck_assert_uint_eq (ino_of_resolved ("dir/sub/../../../../etc/passwd", O_RDONLY), passwd);
  ck_assert_uint_eq (ino_of_resolved ("dir/rel/passwd", O_RDONLY), passwd);
  ck_assert_uint_eq (ino_of_resolved ("dir/rel/../dir/sub", O_PATH), ino_in ("dir/sub"));
}

static void
check_errors (void)
{
  errno = 0;
  ck_assert_int_eq (sk_open_in_root_errno (rootfd, "loop1", O_RDONLY, 0), -1);
  ck_assert_int_eq (errno, ELOOP);
  ck_assert_int_eq (sk_open_in_root_errno (rootfd, "loop1/x", O_PATH, 0), -1);
  ck_assert_int_eq (errno, ELOOP);
  ck_assert_int_eq (sk_open_in_root_errno (rootfd, "etc/passwd/x", O_PATH, 0), -1);
  ck_assert_int_eq (errno, ENOTDIR);
  ck_assert_int_eq (sk_open_in_root_errno (rootfd, "nonexistent", O_PATH, 0), -1);
  ck_assert_int_eq (errno, ENOENT);
  /* A magic link must not be followed to wherever the kernel points it.  */
  int fd = sk_open_in_root_errno (rootfd, "proc_magic/etc/passwd", O_RDONLY, 0);
  if (fd >= 0)
    {
      /* The walk reads the link text and resolves it inside the root:
       * acceptable only if it did not reach the host file.  */
      struct stat st, host;
      ck_assert_int_eq (fstat (fd, &st), 0);
      ck_assert_int_eq (stat ("/etc/passwd", &host), 0);
      ck_assert (st.st_ino != host.st_ino || st.st_dev != host.st_dev);
      close (fd);
    }
}

static void
check_create (void)
{
  struct stat st;
  char p[512];
  int fd;

  /* O_CREAT through a dangling absolute symlink creates inside the root.  */
  fd = sk_open_in_root_errno (rootfd, "dangling", O_CREAT | O_WRONLY, 0600);
  ck_assert_int_ge (fd, 0);
  close (fd);
  snprintf (p, sizeof p, "%s/created_by_test", tmpl);
  ck_assert_int_eq (stat (p, &st), 0);
  ck_assert_int_ne (access ("/created_by_test", F_OK), 0);
  unlink (p);
}

static void
check_mkdir (void)
{
  sk_error_t err = NULL;
  struct stat st;
  char p[512];
  char *name = NULL;
  int fd;

  fd = sk_mkdir_p_in_root (rootfd, "/abs/skiff-test-escape/a/b", 0755, &err);
  ck_assert_msg (fd >= 0, "mkdir: %s", err ? err->msg : "");
  close (fd);
  snprintf (p, sizeof p, "%s/skiff-test-escape/a/b", tmpl);
  ck_assert_int_eq (stat (p, &st), 0);
  ck_assert (S_ISDIR (st.st_mode));
  ck_assert_int_ne (access ("/skiff-test-escape", F_OK), 0);

  fd = sk_mkdir_p_in_root (rootfd, "up/../../upmade", 0755, &err);
  ck_assert_int_ge (fd, 0);
  close (fd);
  ck_assert_uint_eq (ino_of_resolved ("upmade", O_PATH), ino_in ("upmade"));

  fd = sk_mkdir_p_in_root (rootfd, "loop1/x", 0755, &err);
  ck_assert_int_eq (fd, -1);
  ck_assert_int_eq (err->errnum, ELOOP);
  sk_error_free (&err);

  fd = sk_mkdir_p_in_root (rootfd, "etc/passwd/x", 0755, &err);
  ck_assert_int_eq (fd, -1);
  sk_error_free (&err);

  fd = sk_open_parent_in_root (rootfd, "/abs/dev/null", 0755, &name, &err);
  ck_assert_int_ge (fd, 0);
  ck_assert_str_eq (name, "null");
  ck_assert_uint_eq (ino_of_resolved ("dev", O_PATH), ino_in ("dev"));
  free (name);
  close (fd);

  fd = sk_open_parent_in_root (rootfd, "/dev/..", 0755, &name, &err);
  ck_assert_int_eq (fd, -1);
  ck_assert_int_eq (err->errnum, EINVAL);
  sk_error_free (&err);
}

START_TEST (test_openat2_escapes) { sk_fs_root_force_walk = false; check_escapes (); }
END_TEST
START_TEST (test_walk_escapes) { sk_fs_root_force_walk = true; check_escapes (); }
END_TEST
START_TEST (test_openat2_errors) { sk_fs_root_force_walk = false; check_errors (); }
END_TEST
START_TEST (test_walk_errors) { sk_fs_root_force_walk = true; check_errors (); }
END_TEST
START_TEST (test_openat2_create) { sk_fs_root_force_walk = false; check_create (); }
END_TEST
START_TEST (test_walk_create) { sk_fs_root_force_walk = true; check_create (); }
END_TEST
START_TEST (test_openat2_mkdir) { sk_fs_root_force_walk = false; check_mkdir (); }
END_TEST
START_TEST (test_walk_mkdir) { sk_fs_root_force_walk = true; check_mkdir (); }
END_TEST

START_TEST (test_walk_direct)
{
  /* The walk on its own, whatever the global says.  */
  int fd = sk_open_in_root_walk (rootfd, "/up/abs/dir/rel/passwd", O_RDONLY, 0);
  struct stat st;
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (fstat (fd, &st), 0);
  ck_assert_uint_eq (st.st_ino, ino_in ("etc/passwd"));
  close (fd);
  ck_assert_int_eq (sk_open_in_root_walk (rootfd, "loop2", O_PATH, 0), -1);
  ck_assert_int_eq (errno, ELOOP);
  /* O_NOFOLLOW on a symlink as last component returns the link itself
   * (O_PATH) instead of following it.  */
  fd = sk_open_in_root_walk (rootfd, "abs", O_PATH | O_NOFOLLOW, 0);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (fstat (fd, &st), 0);
  ck_assert (S_ISLNK (st.st_mode));
  close (fd);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("fs_root");
  TCase *tc = tcase_create ("resolve");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_openat2_escapes);
  tcase_add_test (tc, test_walk_escapes);
  tcase_add_test (tc, test_openat2_errors);
  tcase_add_test (tc, test_walk_errors);
  tcase_add_test (tc, test_openat2_create);
  tcase_add_test (tc, test_walk_create);
  tcase_add_test (tc, test_openat2_mkdir);
  tcase_add_test (tc, test_walk_mkdir);
  tcase_add_test (tc, test_walk_direct);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (suite ());
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
