/* Unit tests of the reliability fixes (issue 11): JSON depth cap, inputs
 * that must be regular files, the seccomp size bound and cache eviction,
 * create's intent record, the atomic claim, and the replay of every input
 * kept by the fuzzers (spec-fixtures/fuzz/<target>/).  */
#include <config.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <skiff/spec.h>
#include "intent.h"
#include "state.h"
#include "linux/linux.h"
#include "linux/seccomp_int.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "targets.h"

static char *
nested (size_t depth, const char *prefix, const char *suffix)
{
  size_t pl = strlen (prefix), sl = strlen (suffix);
  char *s = malloc (pl + 2 * depth + sl + 1);
  ck_assert_ptr_nonnull (s);
  memcpy (s, prefix, pl);
  memset (s + pl, '[', depth);
  memset (s + pl + depth, ']', depth);
  memcpy (s + pl + 2 * depth, suffix, sl + 1);
  return s;
}

/* Defect 1: 300,000 levels (600 KB) overflowed the stack in yajl's
 * recursive free (SIGSEGV); now one error line naming the document.  */
START_TEST (test_deep_nesting_refused)
{
  _cleanup_free_ char *doc = nested (300000, "{\"annotations\": ", "}");
  sk_error_t err = NULL;
  ck_assert_ptr_null (sk_spec_parse (doc, strlen (doc), &err));
  ck_assert_str_eq (err->msg, "config.json: parse error: nested deeper than 10000 levels");
  sk_error_free (&err);
  ck_assert_ptr_null (sk_process_parse (doc, strlen (doc), &err));
  ck_assert_str_eq (err->msg, "process.json: parse error: nested deeper than 10000 levels");
  sk_error_free (&err);
  ck_assert_ptr_null (sk_resources_parse (doc, strlen (doc), &err));
  ck_assert_str_eq (err->msg, "resources.json: parse error: nested deeper than 10000 levels");
  sk_error_free (&err);
}
END_TEST

/* yajl_tree_parse allows comments and decodes \u0000 to a NUL byte that
 * would cut a path short; JSON and runc's Go decoder refuse both.  */
START_TEST (test_not_json_refused)
{
  static const struct { const char *doc, *msg; } cases[] = {
    { "{\"ociVersion\": \"1.3.0\" /* c */}", "config.json: parse error: comments are not JSON" },
    { "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"r\\u0000/../etc\"}}",
      "config.json: parse error: a string holds \\u0000 (a NUL character)" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      sk_error_t err = NULL;
      ck_assert_ptr_null (sk_spec_parse (cases[i].doc, strlen (cases[i].doc), &err));
      ck_assert_str_eq (err->msg, cases[i].msg);
      sk_error_free (&err);
    }
  /* An escaped backslash before u0000 is an ordinary string; `/` inside a
   * string is no comment.  */
  const char *ok = "{\"ociVersion\": \"1.3.0\", \"hostname\": \"a\\\\u0000//x\", "
                   "\"root\": {\"path\": \"/*r*/\"}}";
  sk_error_t err = NULL;
  struct sk_spec *spec = sk_spec_parse (ok, strlen (ok), &err);
  ck_assert_msg (spec != NULL, "%s", err ? err->msg : "");
  ck_assert_str_eq (spec->hostname, "a\\u0000//x");
  sk_spec_free (spec);
}
END_TEST

START_TEST (test_depth_limit_exact)
{
  _cleanup_free_ char *ok = nested (SK_JSON_MAX_DEPTH, "", "");
  _cleanup_free_ char *bad = nested (SK_JSON_MAX_DEPTH + 1, "", "");
  sk_error_t err = NULL;
  sk_json *j = sk_json_parse (ok, strlen (ok), "t.json", &err);
  ck_assert_msg (j != NULL, "%s", err ? err->msg : "?");
  sk_json_free (j);
  ck_assert_ptr_null (sk_json_parse (bad, strlen (bad), "t.json", &err));
  sk_error_free (&err);
  /* Brackets inside strings (escaped quotes too) are text, not depth.  */
  _cleanup_free_ char *str = malloc (40010);
  strcpy (str, "{\"a\": \"\\\"");
  memset (str + strlen (str), '[', 20000);
  strcpy (str + 9 + 20000, "\"}");
  j = sk_json_parse (str, strlen (str), "t.json", &err);
  ck_assert_msg (j != NULL, "%s", err ? err->msg : "?");
  sk_json_free (j);
}
END_TEST

/* Defect 2: a FIFO (or a device) where a file is expected blocked the
 * open forever; now refused at once (Check's timeout fails a hang).  */
START_TEST (test_fifo_refused)
{
  char dir[] = "/tmp/skiff-reliab-XXXXXX", fifo[64], cfg[64];
  ck_assert_ptr_nonnull (mkdtemp (dir));
  snprintf (fifo, sizeof fifo, "%s/config.json", dir);
  ck_assert_int_eq (mkfifo (fifo, 0600), 0);
  char *buf = NULL;
  size_t len = 0;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_read_regular_file (fifo, 1024, &buf, &len, &err), -1);
  ck_assert_ptr_nonnull (strstr (err->msg, "not a regular file"));
  sk_error_free (&err);
  ck_assert_ptr_null (sk_spec_load (fifo, &err));
  ck_assert_ptr_nonnull (strstr (err->msg, "config.json`: not a regular file"));
  sk_error_free (&err);
  ck_assert_int_eq (sk_read_regular_file ("/dev/zero", 1024, &buf, &len, &err), -1);
  sk_error_free (&err);
  /* A regular file larger than the bound.  */
  snprintf (cfg, sizeof cfg, "%s/big", dir);
  int fd = open (cfg, O_WRONLY | O_CREAT, 0600);
  ck_assert_int_eq (ftruncate (fd, 2048), 0);
  close (fd);
  ck_assert_int_eq (sk_read_regular_file (cfg, 1024, &buf, &len, &err), -1);
  ck_assert_ptr_nonnull (strstr (err->msg, "larger than 1024 bytes"));
  sk_error_free (&err);
  unlink (cfg);
  unlink (fifo);
  rmdir (dir);
}
END_TEST

/* Defect 5: 20,000 argument rules took 72 s in libseccomp before E2BIG.  */
START_TEST (test_seccomp_bound)
{
  enum { N = 20000 };
  struct sk_seccomp s = { .default_action = (char *) "SCMP_ACT_ALLOW" };
  struct sk_syscall *sc = calloc (N, sizeof *sc);
  struct sk_seccomp_arg *args = calloc (N, sizeof *args);
  char *name[] = { (char *) "personality", NULL };
  for (int i = 0; i < N; i++)
    {
      args[i] = (struct sk_seccomp_arg) { .index = 0, .value = (uint64_t) i,
                                          .op = SK_SECCOMP_OP_EQ };
      sc[i] = (struct sk_syscall) { .names = { name, 1 }, .action = (char *) "SCMP_ACT_ERRNO",
                                    .args = &args[i], .n_args = 1 };
    }
  s.syscalls = sc;
  s.n_syscalls = N;
  sk_seccomp_cache_disabled = true;
  sk_error_t err = NULL;
  ck_assert_ptr_null (sk_seccomp_compile (&s, &err));
  ck_assert_ptr_nonnull (strstr (err->msg, "profile too large"));
  sk_error_free (&err);
  /* A profile of Docker's size (~350 names) stays well inside.  */
  s.n_syscalls = 350;
  for (int i = 0; i < 350; i++)
    sc[i].n_args = i < 10;
  ck_assert_int_eq (sk_seccomp_check_size (&s, &err), 0);
  free (sc);
  free (args);
}
END_TEST

static void
touch_at (const char *dir, const char *name, time_t mtime, size_t size)
{
  char path[256];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (ftruncate (fd, (off_t) size), 0);
  struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
  ck_assert_int_eq (futimens (fd, ts), 0);
  close (fd);
}

static bool
exists_in (const char *dir, const char *name)
{
  char path[256];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  return access (path, F_OK) == 0;
}

/* Defect 7: the compile cache grew one file per profile forever.  */
START_TEST (test_cache_lru)
{
  char dir[] = "/tmp/skiff-cache-XXXXXX", name[32];
  ck_assert_ptr_nonnull (mkdtemp (dir));
  for (int i = 0; i < 10; i++)
    {
      snprintf (name, sizeof name, "f%d", i);
      touch_at (dir, name, 1000000 + i, 100);
    }
  pid_t dead = fork ();
  if (dead == 0)
    _exit (0);
  waitpid (dead, NULL, 0);
  snprintf (name, sizeof name, ".f0.%d", (int) dead);
  touch_at (dir, name, 1, 1);
  sk_seccomp_cache_evict (dir, 4, 1 << 20);
  for (int i = 0; i < 10; i++)
    {
      snprintf (name, sizeof name, "f%d", i);
      ck_assert_msg (exists_in (dir, name) == (i >= 6), "%s", name);
    }
  snprintf (name, sizeof name, ".f0.%d", (int) dead);
  ck_assert (!exists_in (dir, name));
  /* The byte bound: 4 files of 100 bytes, at most 250 -> 2 newest.  */
  sk_seccomp_cache_evict (dir, 64, 250);
  ck_assert (!exists_in (dir, "f7") && exists_in (dir, "f8") && exists_in (dir, "f9"));
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq (system (cmd), 0);
}
END_TEST

/* Defect 3: the intent record round-trips and refuses paths outside the
 * cgroup mounts (delete removes what it names).  */
START_TEST (test_intent_roundtrip)
{
  char dir[] = "/tmp/skiff-intent-XXXXXX";
  ck_assert_ptr_nonnull (mkdtemp (dir));
  int dfd = open (dir, O_PATH | O_DIRECTORY);
  struct sk_create_intent in;
  memset (&in, 0, sizeof in);
  struct sk_cgroup_place places[2] = {
    { .controllers = (char *) "pids", .mountpoint = (char *) "/sys/fs/cgroup/pids",
      .path = (char *) "/a/b", .created = true, .created_depth = 2 },
    { .controllers = (char *) "", .mountpoint = (char *) "/sys/fs/cgroup/unified",
      .path = (char *) "/a/b", .created = true, .created_depth = 1 },
  };
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_intent_set_cgroup (&in, "v1-hybrid", places, 2, &err), 0);
  in.st.pid = 4242;
  in.st.pid_start = 99;
  ck_assert_int_eq (sk_intent_write (dfd, &in, &err), 0);
  sk_intent_clear (&in);
  struct sk_state *st = calloc (1, sizeof *st);
  ck_assert_int_eq (sk_intent_load (dir, st, &err), 1);
  ck_assert_str_eq (st->cgroup_manager, "v1-hybrid");
  ck_assert_uint_eq (st->n_cgroup_places, 2);
  ck_assert_str_eq (st->cgroup_places[0].controllers, "pids");
  ck_assert_str_eq (st->cgroup_places[1].mountpoint, "/sys/fs/cgroup/unified");
  ck_assert_int_eq (st->cgroup_places[0].created_depth, 2);
  ck_assert_str_eq (st->cgroup_mountpoint, "/sys/fs/cgroup/pids");
  ck_assert_str_eq (st->cgroup_path, "/a/b");
  ck_assert (st->cgroup_created && st->from_intent);
  ck_assert_int_eq (st->pid, 4242);
  ck_assert_uint_eq (st->pid_start, 99);
  sk_state_free (st);
  const char *evil = "{\"cgroupManager\": \"v2\", \"cgroupPlaces\": [{\"mountpoint\": "
                     "\"/etc\", \"path\": \"/x\"}]}";
  st = calloc (1, sizeof *st);
  ck_assert_int_eq (sk_intent_parse (evil, strlen (evil), st, &err), -1);
  ck_assert_ptr_nonnull (strstr (err->msg, "invalid cgroup"));
  sk_error_free (&err);
  sk_state_free (st);
  close (dfd);
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq (system (cmd), 0);
}
END_TEST

/* Defect 4: claim and lock are one step; the loser of two claims gets
 * "already exists"; a claim left by a dead creator is swept.  */
START_TEST (test_claim_atomic)
{
  char root[] = "/tmp/skiff-claim-XXXXXX", path[512];
  ck_assert_ptr_nonnull (mkdtemp (root));
  sk_error_t err = NULL;
  int fd = sk_state_claim (root, "c1", &err);
  ck_assert_msg (fd >= 0, "%s", err ? err->msg : "?");
  /* Visible only with its lock held.  */
  snprintf (path, sizeof path, "%s/c1/lock", root);
  int other = open (path, O_RDONLY);
  ck_assert_int_ge (other, 0);
  ck_assert_int_eq (flock (other, LOCK_EX | LOCK_NB), -1);
  close (other);
  ck_assert_int_eq (sk_state_claim (root, "c1", &err), -1);
  ck_assert_str_eq (err->msg, "container `c1` already exists");
  sk_error_free (&err);
  /* A stale claim (creator gone, no lock holder) disappears at the next
   * claim; one of a live creator that has not locked yet stays (the
   * window between creating the lock file and flock).  */
  pid_t dead = fork ();
  if (dead == 0)
    _exit (0);
  waitpid (dead, NULL, 0);
  char stale[128], live[128];
  snprintf (stale, sizeof stale, "%s/#claim.%d.7", root, (int) dead);
  snprintf (live, sizeof live, "%s/#claim.%d.8", root, (int) getpid ());
  ck_assert_int_eq (mkdir (stale, 0700), 0);
  ck_assert_int_eq (mkdir (live, 0700), 0);
  snprintf (path, sizeof path, "%s/lock", stale);
  close (open (path, O_WRONLY | O_CREAT, 0600));
  snprintf (path, sizeof path, "%s/lock", live);
  close (open (path, O_WRONLY | O_CREAT, 0600));
  int fd2 = sk_state_claim (root, "c2", &err);
  ck_assert_int_ge (fd2, 0);
  ck_assert (access (stale, F_OK) < 0);
  ck_assert (access (live, F_OK) == 0);
  close (fd);
  close (fd2);
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf %s", root);
  ck_assert_int_eq (system (cmd), 0);
}
END_TEST

/* Every input the fuzzers ever kept (crashes, and the seeds that found
 * them) goes through its target again: under the ASan build this proves
 * each fix stays fixed.  */
START_TEST (test_fuzz_replays)
{
  size_t total = 0;
  for (const struct sk_fuzz_target *t = sk_fuzz_targets; t->name; t++)
    {
      char dir[4096];
      snprintf (dir, sizeof dir, "%s/%s", FUZZ_FIXTURES, t->name);
      _cleanup_closedir_ DIR *d = opendir (dir);
      if (d == NULL)
        continue;
      struct dirent *de;
      while ((de = readdir (d)) != NULL)
        {
          if (de->d_name[0] == '.')
            continue;
          char path[8192];
          snprintf (path, sizeof path, "%s/%s", dir, de->d_name);
          char *buf = NULL;
          size_t len = 0;
          sk_error_t err = NULL;
          ck_assert_msg (sk_read_regular_file (path, 64 << 20, &buf, &len, &err) == 0, "%s",
                         path);
          t->fn ((const uint8_t *) buf, len);
          free (buf);
          total++;
        }
    }
  ck_assert_uint_ge (total, 1);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("reliab");
  TCase *tc = tcase_create ("reliab");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_deep_nesting_refused);
  tcase_add_test (tc, test_not_json_refused);
  tcase_add_test (tc, test_depth_limit_exact);
  tcase_add_test (tc, test_fifo_refused);
  tcase_add_test (tc, test_seccomp_bound);
  tcase_add_test (tc, test_cache_lru);
  tcase_add_test (tc, test_intent_roundtrip);
  tcase_add_test (tc, test_claim_atomic);
  tcase_add_test (tc, test_fuzz_replays);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
