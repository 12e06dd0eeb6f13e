/* Unit tests for sk_hooks_run (src/lib/hooks.c) with small /bin/sh hooks.
 * No root needed.  config.md "POSIX-platform Hooks": path, args, env,
 * timeout; state on stdin.  */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "linux/linux.h"
#include "util/cleanup.h"

static char tmpdir[] = "/tmp/skiff-test-hooks-XXXXXX";

static void
setup (void)
{
  ck_assert_ptr_nonnull (mkdtemp (tmpdir));
}

static void
teardown (void)
{
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  (void) !system (cmd);
  strcpy (tmpdir, "/tmp/skiff-test-hooks-XXXXXX");
}

/* A hook running `sh -c SCRIPT hook`; out is a file in tmpdir the script
 * may write to ($1).  */
struct test_hook
{
  struct sk_hook h;
  char *argv[6];
  char *envv[4];
  char out[256];
};

static void
make_hook (struct test_hook *t, const char *script, int timeout, const char *const *env)
{
  memset (t, 0, sizeof *t);
  snprintf (t->out, sizeof t->out, "%s/out", tmpdir);
  t->argv[0] = (char *) "sh";
  t->argv[1] = (char *) "-c";
  t->argv[2] = (char *) script;
  t->argv[3] = (char *) "hook";
  t->argv[4] = t->out;
  t->h.path = (char *) "/bin/sh";
  t->h.args.v = t->argv;
  t->h.args.n = 5;
  size_t n = 0;
  for (; env && env[n]; n++)
    t->envv[n] = (char *) env[n];
  t->h.env.v = n ? t->envv : NULL;
  t->h.env.n = n;
  t->h.has_timeout = timeout > 0;
  t->h.timeout = timeout;
}

static char *
slurp (const char *path)
{
  FILE *f = fopen (path, "r");
  if (f == NULL)
    return strdup ("");
  char *buf = calloc (1, 1 << 20);
  size_t n = fread (buf, 1, (1 << 20) - 1, f);
  buf[n] = '\0';
  fclose (f);
  return buf;
}

static int
run (struct test_hook *t, const char *kind, const char *input, sk_error_t *err)
{
  struct sk_hook_list l = { &t->h, 1 };
  return sk_hooks_run (&l, kind, input, err);
}

START_TEST (test_stdin_and_args)
{
  struct test_hook t;
  sk_error_t err = NULL;
  make_hook (&t, "cat > \"$1\"; echo \"$0\" >> \"$1\"", 0, NULL);
  ck_assert_int_eq (run (&t, "createRuntime", "{\"id\":\"x\"}", &err), 0);
  _cleanup_free_ char *s = slurp (t.out);
  ck_assert_str_eq (s, "{\"id\":\"x\"}hook\n");
}
END_TEST

START_TEST (test_env_exactly)
{
  struct test_hook t;
  sk_error_t err = NULL;
  const char *env[] = { "A=1", "B=two words", NULL };
  /* /proc/PID/environ is exactly what execve got (shells add defaults
   * such as PATH to their variables, not to it).  */
  make_hook (&t, "/usr/bin/tr '\\0' '\\n' < /proc/$$/environ > \"$1\"", 0, env);
  ck_assert_int_eq (run (&t, "prestart", "{}", &err), 0);
  _cleanup_free_ char *s = slurp (t.out);
  ck_assert_str_eq (s, "A=1\nB=two words\n");
}
END_TEST

START_TEST (test_empty_env)
{
  struct test_hook t;
  sk_error_t err = NULL;
  setenv ("SKIFF_TEST_LEAK", "yes", 1);
  make_hook (&t, "echo \"${SKIFF_TEST_LEAK-unset}\" > \"$1\"", 0, NULL);
  ck_assert_int_eq (run (&t, "poststart", "{}", &err), 0);
  _cleanup_free_ char *s = slurp (t.out);
  ck_assert_str_eq (s, "unset\n");
}
END_TEST

START_TEST (test_failure_status)
{
  struct test_hook t;
  sk_error_t err = NULL;
  make_hook (&t, "exit 3", 0, NULL);
  ck_assert_int_eq (run (&t, "createContainer", "{}", &err), -1);
  ck_assert_ptr_nonnull (err);
  ck_assert_str_eq (err->msg, "hook `createContainer[0]` (`/bin/sh`): exited with status 3");
  sk_error_free (&err);
}
END_TEST

START_TEST (test_failure_signal)
{
  struct test_hook t;
  sk_error_t err = NULL;
  make_hook (&t, "kill -TERM $$", 0, NULL);
  ck_assert_int_eq (run (&t, "startContainer", "{}", &err), -1);
  ck_assert_ptr_nonnull (strstr (err->msg, "hook `startContainer[0]` (`/bin/sh`): killed by signal 15"));
  sk_error_free (&err);
}
END_TEST

START_TEST (test_timeout)
{
  struct test_hook t;
  sk_error_t err = NULL;
  /* The hook records its pid so we can check it was killed, not left.  */
  make_hook (&t, "echo $$ > \"$1\"; exec sleep 100", 1, NULL);
  ck_assert_int_eq (run (&t, "createRuntime", "{}", &err), -1);
  ck_assert_str_eq (err->msg, "hook `createRuntime[0]` (`/bin/sh`): timed out after 1s");
  sk_error_free (&err);
  _cleanup_free_ char *s = slurp (t.out);
  pid_t pid = atoi (s);
  ck_assert_int_gt (pid, 0);
  ck_assert_int_eq (kill (pid, 0), -1);
  ck_assert_int_eq (errno, ESRCH);
}
END_TEST

/* A hook that exits at once without reading a stdin larger than the pipe
 * buffer: skiff must neither die of SIGPIPE nor block.  */
START_TEST (test_early_exit_big_stdin)
{
  struct test_hook t;
  sk_error_t err = NULL;
  size_t big = 4 << 20;
  _cleanup_free_ char *input = malloc (big + 1);
  memset (input, 'x', big);
  input[big] = '\0';
  make_hook (&t, "exit 0", 5, NULL);
  ck_assert_int_eq (run (&t, "poststop", input, &err), 0);
  /* And one that reads a little, then exits.  */
  make_hook (&t, "head -c 10 > /dev/null", 5, NULL);
  ck_assert_int_eq (run (&t, "poststop", input, &err), 0);
  /* The signal state of the caller is untouched.  */
  sigset_t cur;
  sigprocmask (SIG_SETMASK, NULL, &cur);
  ck_assert (!sigismember (&cur, SIGPIPE));
  sigpending (&cur);
  ck_assert (!sigismember (&cur, SIGPIPE));
}
END_TEST

/* A big stdin fully read by the hook arrives intact.  */
START_TEST (test_big_stdin_read)
{
  struct test_hook t;
  sk_error_t err = NULL;
  size_t big = 300000;
  _cleanup_free_ char *input = malloc (big + 1);
  memset (input, 'y', big);
  input[big] = '\0';
  make_hook (&t, "wc -c > \"$1\"", 5, NULL);
  ck_assert_int_eq (run (&t, "createRuntime", input, &err), 0);
  _cleanup_free_ char *s = slurp (t.out);
  ck_assert_int_eq (atol (s), (long) big);
}
END_TEST

START_TEST (test_missing_path)
{
  sk_error_t err = NULL;
  struct sk_hook h = { .path = (char *) "/nonexistent/hook" };
  struct sk_hook_list l = { &h, 1 };
  ck_assert_int_eq (sk_hooks_run (&l, "prestart", "{}", &err), -1);
  ck_assert_str_eq (err->msg, "hook `prestart[0]` (`/nonexistent/hook`): exec");
  ck_assert_int_eq (err->errnum, ENOENT);
  sk_error_free (&err);
}
END_TEST

/* Hooks run in order and the first failure stops the list.  */
START_TEST (test_order_and_stop)
{
  sk_error_t err = NULL;
  struct test_hook t[3];
  make_hook (&t[0], "echo one >> \"$1\"", 0, NULL);
  make_hook (&t[1], "echo two >> \"$1\"; exit 1", 0, NULL);
  make_hook (&t[2], "echo three >> \"$1\"", 0, NULL);
  struct sk_hook hs[3] = { t[0].h, t[1].h, t[2].h };
  for (int i = 0; i < 3; i++)
    hs[i].args.v = t[i].argv;
  struct sk_hook_list l = { hs, 3 };
  ck_assert_int_eq (sk_hooks_run (&l, "poststart", "{}", &err), -1);
  ck_assert_str_eq (err->msg, "hook `poststart[1]` (`/bin/sh`): exited with status 1");
  sk_error_free (&err);
  _cleanup_free_ char *s = slurp (t[0].out);
  ck_assert_str_eq (s, "one\ntwo\n");
}
END_TEST

/* sk_hooks_run_warn (poststop): a failure does not stop the others.  */
START_TEST (test_warn_runs_all)
{
  struct test_hook t[3];
  make_hook (&t[0], "echo one >> \"$1\"; exit 1", 0, NULL);
  make_hook (&t[1], "echo two >> \"$1\"; exit 2", 0, NULL);
  make_hook (&t[2], "echo three >> \"$1\"", 0, NULL);
  struct sk_hook hs[3] = { t[0].h, t[1].h, t[2].h };
  struct sk_hook_list l = { hs, 3 };
  sk_hooks_run_warn (&l, "poststop", "{}");
  _cleanup_free_ char *s = slurp (t[0].out);
  ck_assert_str_eq (s, "one\ntwo\nthree\n");
}
END_TEST

/* A timeout kills the hook's children too (its process group).  */
START_TEST (test_timeout_kills_children)
{
  struct test_hook t;
  sk_error_t err = NULL;
  make_hook (&t, "sleep 100 & echo $! > \"$1\"; wait", 1, NULL);
  ck_assert_int_eq (run (&t, "createRuntime", "{}", &err), -1);
  sk_error_free (&err);
  _cleanup_free_ char *s = slurp (t.out);
  pid_t pid = atoi (s);
  ck_assert_int_gt (pid, 0);
  /* the sleep was reparented to init (or a subreaper) and is dying: give
   * the reaper a moment; a zombie is gone for our purpose.  */
  for (int i = 0; i < 100 && kill (pid, 0) == 0; i++)
    {
      char path[64], st[256] = "";
      snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
      FILE *f = fopen (path, "r");
      if (f && fgets (st, sizeof st, f) && strstr (st, ") Z "))
        {
          fclose (f);
          break;
        }
      if (f)
        fclose (f);
      usleep (10000);
    }
  char path[64], st[256] = "";
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  FILE *f = fopen (path, "r");
  if (f)
    {
      ck_assert (fgets (st, sizeof st, f) != NULL);
      fclose (f);
      ck_assert_msg (strstr (st, ") Z ") != NULL, "child still alive: %s", st);
    }
}
END_TEST

/* No args: argv[0] is the path (as execv callers expect).  */
START_TEST (test_no_args)
{
  sk_error_t err = NULL;
  char path[256], out[256], script[600];
  snprintf (path, sizeof path, "%s/h.sh", tmpdir);
  snprintf (out, sizeof out, "%s/out", tmpdir);
  snprintf (script, sizeof script, "#!/bin/sh\necho \"$0\" > %s\n", out);
  FILE *f = fopen (path, "w");
  fputs (script, f);
  fclose (f);
  chmod (path, 0755);
  struct sk_hook h = { .path = path };
  struct sk_hook_list l = { &h, 1 };
  ck_assert_int_eq (sk_hooks_run (&l, "prestart", "{}", &err), 0);
  _cleanup_free_ char *s = slurp (out);
  ck_assert_int_eq (strncmp (s, path, strlen (path)), 0);
}
END_TEST

static Suite *
hooks_suite (void)
{
  Suite *s = suite_create ("hooks");
  TCase *tc = tcase_create ("run");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_stdin_and_args);
  tcase_add_test (tc, test_env_exactly);
  tcase_add_test (tc, test_empty_env);
  tcase_add_test (tc, test_failure_status);
  tcase_add_test (tc, test_failure_signal);
  tcase_add_test (tc, test_timeout);
  tcase_add_test (tc, test_early_exit_big_stdin);
  tcase_add_test (tc, test_big_stdin_read);
  tcase_add_test (tc, test_missing_path);
  tcase_add_test (tc, test_order_and_stop);
  tcase_add_test (tc, test_no_args);
  tcase_add_test (tc, test_warn_runs_all);
  tcase_add_test (tc, test_timeout_kills_children);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (hooks_suite ());
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
