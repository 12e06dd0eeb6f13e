/* libsystemd loaded on first use (src/lib/cgroup/sdbus_load.c):
 *   - the binary does not link it: a plain start maps no libsystemd;
 *   - sk_sdbus_load resolves every sd-bus function the driver calls, and
 *     a resolved function really runs libsystemd's code;
 *   - where libsystemd.so.0 cannot be found, the error is one line that
 *     names it and the Debian package (a child in a private mount
 *     namespace hides the library directories; root only).  */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util/cleanup.h"

#ifdef HAVE_SYSTEMD
#  include <systemd/sd-bus.h>
#  include "cgroup/sdbus_load.h"

static bool
maps_libsystemd (void)
{
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  bool found = false;
  FILE *f = fopen ("/proc/self/maps", "re");
  ck_assert_ptr_nonnull (f);
  while (!found && getline (&line, &cap, f) > 0)
    found = strstr (line, "/libsystemd.so") != NULL;
  fclose (f);
  return found;
}

START_TEST (test_not_linked)
{
  ck_assert_msg (!maps_libsystemd (), "libsystemd is mapped before any use");
}
END_TEST

START_TEST (test_load)
{
  sk_error_t err = NULL;
  ck_assert_msg (sk_sdbus_load (&err) == 0, "%s", err ? err->msg : "");
  ck_assert (maps_libsystemd ());
  ck_assert_int_eq (sk_sdbus_load (&err), 0);   /* once per process */
  /* Through the table into libsystemd: a set error has its name.  */
  sd_bus_error e = SD_BUS_ERROR_MAKE_CONST ("org.example.Err", "x");
  ck_assert_int_eq (sd_bus_error_has_name (&e, "org.example.Err"), 1);
  ck_assert_int_eq (sd_bus_error_has_name (&e, "org.example.Other"), 0);
}
END_TEST

static void
hide (const char *dir)
{
  struct stat st;
  if (lstat (dir, &st) == 0 && S_ISDIR (st.st_mode)
      && mount ("none", dir, "tmpfs", 0, NULL) < 0)
    _exit (3);
}

START_TEST (test_missing)
{
  if (geteuid () != 0)
    return;   /* needs a mount namespace; make check runs as root */
  int fds[2];
  ck_assert_int_eq (pipe (fds), 0);
  pid_t pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      close (fds[0]);
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        _exit (2);
      /* Everything this process needs is mapped already.  */
      hide ("/usr/lib");
      hide ("/lib");
      hide ("/usr/lib64");
      hide ("/lib64");
      hide ("/usr/local/lib");
      sk_error_t err = NULL;
      if (sk_sdbus_load (&err) == 0)
        _exit (4);
      (void) !write (fds[1], err->msg, strlen (err->msg));
      _exit (0);
    }
  close (fds[1]);
  char msg[1024] = "";
  ssize_t n = read (fds[0], msg, sizeof msg - 1);
  close (fds[0]);
  int st;
  ck_assert_int_eq (waitpid (pid, &st, 0), pid);
  ck_assert_msg (WIFEXITED (st) && WEXITSTATUS (st) == 0, "child status %d", st);
  ck_assert_int_gt (n, 0);
  msg[n] = '\0';
  ck_assert_msg (strstr (msg, "libsystemd.so.0") && strstr (msg, "`libsystemd0`")
                 && strstr (msg, "--systemd-cgroup") && !strchr (msg, '\n'),
                 "message `%s`", msg);
}
END_TEST
#endif

int
main (void)
{
  Suite *s = suite_create ("sdbus_load");
  TCase *tc = tcase_create ("core");
#ifdef HAVE_SYSTEMD
  /* Check forks a fresh child per test: test_not_linked sees a start
   * without any load, whatever ran before it.  */
  tcase_add_test (tc, test_not_linked);
  tcase_add_test (tc, test_missing);
  tcase_add_test (tc, test_load);
#endif
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
