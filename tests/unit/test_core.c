/* Unit tests of the lifecycle core that need no root: container id
 * validation, signal parsing, and the state file (state.json) round trip,
 * the spec's state JSON and the computed status.  */
#include <config.h>
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/container.h>
#include "state.h"
#include "util/json.h"

/* The message of a failed call, or NULL if it succeeded.  */
static char *
take_msg (int rc, sk_error_t *err)
{
  if (rc == 0)
    {
      ck_assert_ptr_null (*err);
      return NULL;
    }
  ck_assert_int_eq (rc, -1);
  ck_assert_ptr_nonnull (*err);
  ck_assert_ptr_nonnull ((*err)->msg);
  ck_assert_msg ((*err)->msg[0] != '\0', "empty error message");
  char *m = strdup ((*err)->msg);
  sk_error_free (err);
  ck_assert_ptr_null (*err);
  return m;
}

/* ------------------------------------------------------------ ids */

static char *
id_error (const char *id)
{
  sk_error_t err = NULL;
  return take_msg (sk_validate_id (id, &err), &err);
}

START_TEST (test_id_valid)
{
  static const char *const ok[] = { "a", "abc", "ABC-def_1.2+3", "0", "a..b", ".a", "a.",
                                    "x-y-z", "c0ffee", NULL };
  for (size_t i = 0; ok[i]; i++)
    {
      char *m = id_error (ok[i]);
      ck_assert_msg (m == NULL, "id `%s` refused: %s", ok[i], m);
    }
}
END_TEST

/* runtime.md "Container ID": unique, no path separators; `.` and `..`
 * would make <root>/<id> the root itself or its parent.  */
START_TEST (test_id_invalid)
{
  static const char *const bad[] = { "", ".", "..", "a/b", "/abs", "../x", "x/..", "a b",
                                     "a\tb", "a\nb", "a:b", "a*b", "a\\b", "é", NULL };
  for (size_t i = 0; bad[i]; i++)
    {
      char *m = id_error (bad[i]);
      ck_assert_msg (m != NULL, "id `%s` accepted", bad[i]);
      free (m);
    }
}
END_TEST

START_TEST (test_id_message_names_id)
{
  char *m = id_error ("a/b");
  ck_assert_ptr_nonnull (m);
  ck_assert_msg (strstr (m, "a/b") != NULL, "message `%s` does not name the id", m);
  free (m);
}
END_TEST

START_TEST (test_id_length)
{
  char id[1026];
  memset (id, 'a', sizeof id);
  id[1024] = '\0';          /* 1024 bytes: the maximum */
  char *m = id_error (id);
  ck_assert_msg (m == NULL, "1024-byte id refused: %s", m);
  id[1024] = 'a';
  id[1025] = '\0';          /* 1025 bytes */
  m = id_error (id);
  ck_assert_ptr_nonnull (m);
  free (m);
}
END_TEST

/* ------------------------------------------------------------ signals */

static int
signal_of (const char *s)
{
  sk_error_t err = NULL;
  int signo = -1;
  char *m = take_msg (sk_parse_signal (s, &signo, &err), &err);
  ck_assert_msg (m == NULL, "signal `%s` refused: %s", s, m);
  return signo;
}

START_TEST (test_signal_valid)
{
  static const struct { const char *s; int signo; } cases[] = {
    { "9", SIGKILL }, { "15", SIGTERM }, { "1", SIGHUP }, { "KILL", SIGKILL },
    { "SIGKILL", SIGKILL }, { "kill", SIGKILL }, { "sigterm", SIGTERM }, { "SigTerm", SIGTERM },
    { "TERM", SIGTERM }, { "HUP", SIGHUP }, { "INT", SIGINT }, { "USR1", SIGUSR1 },
    { "SIGUSR2", SIGUSR2 }, { "WINCH", SIGWINCH }, { "CHLD", SIGCHLD }, { "STOP", SIGSTOP },
    { "CONT", SIGCONT }, { "QUIT", SIGQUIT }, { "0", 0 },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    ck_assert_msg (signal_of (cases[i].s) == cases[i].signo, "`%s`: got %d, want %d",
                   cases[i].s, signal_of (cases[i].s), cases[i].signo);
}
END_TEST

START_TEST (test_signal_realtime)
{
  ck_assert_int_eq (signal_of ("RTMIN"), SIGRTMIN);
  ck_assert_int_eq (signal_of ("RTMIN+3"), SIGRTMIN + 3);
  ck_assert_int_eq (signal_of ("SIGRTMIN+1"), SIGRTMIN + 1);
  ck_assert_int_eq (signal_of ("RTMAX"), SIGRTMAX);
  ck_assert_int_eq (signal_of ("RTMAX-2"), SIGRTMAX - 2);
  char num[16];
  snprintf (num, sizeof num, "%d", SIGRTMAX);
  ck_assert_int_eq (signal_of (num), SIGRTMAX);
}
END_TEST

START_TEST (test_signal_invalid)
{
  char toobig[16];
  snprintf (toobig, sizeof toobig, "%d", SIGRTMAX + 1);
  const char *const bad[] = { "", "-1", "-9", toobig, "99999999999", "FOO", "SIGFOO",
                              "9x", "x9", "SIG", "RTMIN+100", "RTMAX+1", "RTMIN-1", " 9",
                              "KILL ", "1.5", NULL };
  for (size_t i = 0; bad[i]; i++)
    {
      sk_error_t err = NULL;
      int signo = -1;
      char *m = take_msg (sk_parse_signal (bad[i], &signo, &err), &err);
      ck_assert_msg (m != NULL, "signal `%s` accepted as %d", bad[i], signo);
      ck_assert_msg (strstr (m, "signal") != NULL, "message `%s` does not say signal", m);
      free (m);
    }
}
END_TEST

START_TEST (test_signal_message_names_value)
{
  sk_error_t err = NULL;
  int signo;
  char *m = take_msg (sk_parse_signal ("FOO", &signo, &err), &err);
  ck_assert_ptr_nonnull (m);
  ck_assert_msg (strstr (m, "`FOO`") != NULL, "message `%s` does not name `FOO`", m);
  free (m);
}
END_TEST

/* ------------------------------------------------------------ state */

static struct sk_kv test_annotations[] = {
  { (char *) "org.example.key", (char *) "value" },
  { (char *) "quote\"and\\slash", (char *) "line\nbreak \xc3\xa9" },
};

/* A state with every field set to something distinctive.  Strings are
 * borrowed (never freed: the struct lives on the stack).  */
static struct sk_state
sample_state (void)
{
  struct sk_state st = { 0 };
  st.oci_version = (char *) "1.3.0";
  st.id = (char *) "round-trip_1";
  st.pid = 4242;
  st.pid_start = 123456789012345ULL;
  st.bundle = (char *) "/var/lib/bundles/with space";
  st.rootfs = (char *) "/var/lib/bundles/with space/rootfs";
  st.created = (char *) "2024-05-06T07:08:09.123456789Z";
  st.owner = (char *) "";
  st.annotations.v = test_annotations;
  st.annotations.n = 2;
  st.cgroup_mountpoint = (char *) "/sys/fs/cgroup";
  st.cgroup_path = (char *) "/skiff/round-trip_1";
  st.cgroup_created = true;
  st.systemd_cgroup = false;
  st.has_poststop = true;
  st.rdt_created = false;
  st.status = SK_STATUS_CREATED;
  return st;
}

static void
assert_str_eq_or_null (const char *what, const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    ck_assert_msg (a == b, "%s: `%s` != `%s`", what, a ? a : "(null)", b ? b : "(null)");
  else
    ck_assert_msg (strcmp (a, b) == 0, "%s: `%s` != `%s`", what, a, b);
}

START_TEST (test_state_round_trip)
{
  struct sk_state st = sample_state ();
  sk_error_t err = NULL;
  char *text = sk_state_serialize (&st, &err);
  ck_assert_msg (text != NULL, "serialize: %s", err ? err->msg : "?");
  struct sk_state *back = sk_state_parse (text, strlen (text), &err);
  ck_assert_msg (back != NULL, "parse `%s`: %s", text, err ? err->msg : "?");

  assert_str_eq_or_null ("ociVersion", back->oci_version, st.oci_version);
  assert_str_eq_or_null ("id", back->id, st.id);
  ck_assert_int_eq (back->pid, st.pid);
  ck_assert_uint_eq (back->pid_start, st.pid_start);
  assert_str_eq_or_null ("bundle", back->bundle, st.bundle);
  assert_str_eq_or_null ("rootfs", back->rootfs, st.rootfs);
  assert_str_eq_or_null ("created", back->created, st.created);
  assert_str_eq_or_null ("owner", back->owner, st.owner);
  ck_assert_uint_eq (back->annotations.n, st.annotations.n);
  for (size_t i = 0; i < st.annotations.n; i++)
    {
      assert_str_eq_or_null ("annotation key", back->annotations.v[i].key,
                             st.annotations.v[i].key);
      assert_str_eq_or_null ("annotation value", back->annotations.v[i].value,
                             st.annotations.v[i].value);
    }
  assert_str_eq_or_null ("cgroup mountpoint", back->cgroup_mountpoint, st.cgroup_mountpoint);
  assert_str_eq_or_null ("cgroup path", back->cgroup_path, st.cgroup_path);
  ck_assert (back->cgroup_created == st.cgroup_created);
  ck_assert (back->systemd_cgroup == st.systemd_cgroup);
  ck_assert (back->has_poststop == st.has_poststop);
  ck_assert (back->rdt_created == st.rdt_created);

  /* Serializing what was parsed gives the same text again.  */
  char *again = sk_state_serialize (back, &err);
  ck_assert_ptr_nonnull (again);
  ck_assert_str_eq (again, text);
  free (again);
  free (text);
  sk_state_free (back);
}
END_TEST

/* A state without a cgroup (NULL paths) and with no annotations.  */
START_TEST (test_state_round_trip_minimal)
{
  struct sk_state st = sample_state ();
  st.cgroup_mountpoint = NULL;
  st.cgroup_path = NULL;
  st.cgroup_created = false;
  st.annotations.v = NULL;
  st.annotations.n = 0;
  st.pid_start = 0;
  sk_error_t err = NULL;
  char *text = sk_state_serialize (&st, &err);
  ck_assert_ptr_nonnull (text);
  struct sk_state *back = sk_state_parse (text, strlen (text), &err);
  ck_assert_msg (back != NULL, "parse: %s", err ? err->msg : "?");
  ck_assert_ptr_null (back->cgroup_path);
  ck_assert_ptr_null (back->cgroup_mountpoint);
  ck_assert_uint_eq (back->annotations.n, 0);
  ck_assert_uint_eq (back->pid_start, 0);
  free (text);
  sk_state_free (back);
}
END_TEST

START_TEST (test_state_parse_garbage)
{
  static const char *const bad[] = { "", "{", "[]", "null", "{\"id\": 3}", "not json", NULL };
  for (size_t i = 0; bad[i]; i++)
    {
      sk_error_t err = NULL;
      struct sk_state *st = sk_state_parse (bad[i], strlen (bad[i]), &err);
      ck_assert_msg (st == NULL, "`%s` parsed as a state", bad[i]);
      ck_assert_ptr_nonnull (err);
      sk_error_free (&err);
    }
}
END_TEST

/* runtime.md "State": ociVersion, id, status, pid, bundle, annotations;
 * plus rootfs, created and owner as go-runc reads them.  */
START_TEST (test_state_to_json)
{
  struct sk_state st = sample_state ();
  sk_error_t err = NULL;
  for (int pretty = 0; pretty <= 1; pretty++)
    {
      char *text = sk_state_to_json (&st, pretty, &err);
      ck_assert_msg (text != NULL, "to_json: %s", err ? err->msg : "?");
      _cleanup_json_ sk_json *j = sk_json_parse (text, strlen (text), "state", &err);
      ck_assert_msg (j != NULL, "state JSON `%s` does not parse", text);
      const char *s;
      int64_t n;
      ck_assert_int_eq (sk_json_string (sk_json_get (j, "ociVersion"), "ociVersion", &s, &err), 0);
      ck_assert_str_eq (s, "1.3.0");
      ck_assert_int_eq (sk_json_string (sk_json_get (j, "id"), "id", &s, &err), 0);
      ck_assert_str_eq (s, st.id);
      ck_assert_int_eq (sk_json_string (sk_json_get (j, "status"), "status", &s, &err), 0);
      ck_assert_str_eq (s, "created");
      ck_assert_int_eq (sk_json_int64 (sk_json_get (j, "pid"), "pid", &n, &err), 0);
      ck_assert_int_eq (n, 4242);
      ck_assert_int_eq (sk_json_string (sk_json_get (j, "bundle"), "bundle", &s, &err), 0);
      ck_assert_str_eq (s, st.bundle);
      ck_assert_int_eq (sk_json_string (sk_json_get (j, "rootfs"), "rootfs", &s, &err), 0);
      ck_assert_str_eq (s, st.rootfs);
      ck_assert_int_eq (sk_json_string (sk_json_get (j, "created"), "created", &s, &err), 0);
      ck_assert_str_eq (s, st.created);
      ck_assert_int_eq (sk_json_string (sk_json_get (j, "owner"), "owner", &s, &err), 0);
      ck_assert_str_eq (s, "");
      const sk_json *a = sk_json_get (j, "annotations");
      ck_assert_ptr_nonnull (a);
      ck_assert_int_eq (sk_json_type_of (a), SK_JSON_OBJECT);
      ck_assert_int_eq (sk_json_string (sk_json_get (a, "org.example.key"), "a", &s, &err), 0);
      ck_assert_str_eq (s, "value");
      ck_assert_int_eq (sk_json_string (sk_json_get (a, "quote\"and\\slash"), "a", &s, &err), 0);
      ck_assert_str_eq (s, "line\nbreak \xc3\xa9");
      /* The private fields stay private.  */
      ck_assert_ptr_null (sk_json_get (j, "pid_start"));
      ck_assert_ptr_null (strstr (text, "/skiff/round-trip_1"));
      free (text);
    }
}
END_TEST

START_TEST (test_status_names)
{
  ck_assert_str_eq (sk_status_name (SK_STATUS_CREATING), "creating");
  ck_assert_str_eq (sk_status_name (SK_STATUS_CREATED), "created");
  ck_assert_str_eq (sk_status_name (SK_STATUS_RUNNING), "running");
  ck_assert_str_eq (sk_status_name (SK_STATUS_PAUSED), "paused");
  ck_assert_str_eq (sk_status_name (SK_STATUS_STOPPED), "stopped");
}
END_TEST

/* ------------------------------------------------------------ state dir */

static char state_root[64];

static void
root_setup (void)
{
  strcpy (state_root, "/tmp/skiff-test-core.XXXXXX");
  ck_assert_ptr_nonnull (mkdtemp (state_root));
}

static void
root_teardown (void)
{
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", state_root);
  ck_assert_int_eq (system (cmd), 0);
}

static struct sk_state *
write_and_load (struct sk_state *st, bool fifo)
{
  sk_error_t err = NULL;
  /* claim returns the lock fd (claim and lock are one step).  */
  int lock = sk_state_claim (state_root, st->id, &err);
  ck_assert_msg (lock >= 0, "claim: %s", err ? err->msg : "?");
  close (lock);
  ck_assert_msg (sk_state_write (state_root, st, &err) == 0, "write: %s", err ? err->msg : "?");
  if (fifo)
    {
      char path[256];
      snprintf (path, sizeof path, "%s/%s/exec.fifo", state_root, st->id);
      ck_assert_int_eq (mkfifo (path, 0600), 0);
    }
  struct sk_state *back = sk_state_load (state_root, st->id, &err);
  ck_assert_msg (back != NULL, "load: %s", err ? err->msg : "?");
  return back;
}

START_TEST (test_state_dir_path)
{
  char *d = sk_state_dir ("/run/skiff", "abc");
  ck_assert_str_eq (d, "/run/skiff/abc");
  free (d);
}
END_TEST

START_TEST (test_state_claim_twice)
{
  sk_error_t err = NULL;
  int lock = sk_state_claim (state_root, "dup", &err);
  ck_assert_int_ge (lock, 0);
  close (lock);
  char *m = take_msg (sk_state_claim (state_root, "dup", &err), &err);
  ck_assert_ptr_nonnull (m);
  ck_assert_msg (strstr (m, "already exists") != NULL, "message `%s`", m);
  free (m);
}
END_TEST

START_TEST (test_state_load_missing)
{
  sk_error_t err = NULL;
  struct sk_state *st = sk_state_load (state_root, "nosuch", &err);
  ck_assert_ptr_null (st);
  char *m = take_msg (-1, &err);
  ck_assert_msg (strstr (m, "does not exist") != NULL, "message `%s`", m);
  ck_assert_msg (strstr (m, "nosuch") != NULL, "message `%s` does not name the id", m);
  free (m);
}
END_TEST

/* Status is computed, never trusted from disk: our own pid with its real
 * start time is alive -> running, or created while exec.fifo exists.  */
START_TEST (test_state_status_alive)
{
  struct sk_state st = sample_state ();
  st.id = (char *) "alive";
  st.cgroup_mountpoint = st.cgroup_path = NULL;
  st.cgroup_created = false;
  st.pid = getpid ();
  st.pid_start = sk_proc_start_time (getpid ());
  ck_assert_uint_ne (st.pid_start, 0);
  st.status = SK_STATUS_STOPPED;   /* what is on disk must not matter */
  struct sk_state *back = write_and_load (&st, false);
  ck_assert_str_eq (sk_status_name (back->status), "running");
  sk_state_free (back);
}
END_TEST

START_TEST (test_state_status_created)
{
  struct sk_state st = sample_state ();
  st.id = (char *) "fifo";
  st.cgroup_mountpoint = st.cgroup_path = NULL;
  st.cgroup_created = false;
  st.pid = getpid ();
  st.pid_start = sk_proc_start_time (getpid ());
  st.status = SK_STATUS_RUNNING;
  struct sk_state *back = write_and_load (&st, true);
  ck_assert_str_eq (sk_status_name (back->status), "created");
  sk_state_free (back);
}
END_TEST

/* A reused pid (same number, other start time) is not the container.  */
START_TEST (test_state_status_reused_pid)
{
  struct sk_state st = sample_state ();
  st.id = (char *) "reused";
  st.cgroup_mountpoint = st.cgroup_path = NULL;
  st.cgroup_created = false;
  st.pid = getpid ();
  st.pid_start = sk_proc_start_time (getpid ()) + 1;
  st.status = SK_STATUS_RUNNING;
  struct sk_state *back = write_and_load (&st, false);
  ck_assert_str_eq (sk_status_name (back->status), "stopped");
  sk_state_free (back);
}
END_TEST

START_TEST (test_state_remove)
{
  struct sk_state st = sample_state ();
  st.id = (char *) "gone";
  st.cgroup_mountpoint = st.cgroup_path = NULL;
  st.cgroup_created = false;
  struct sk_state *back = write_and_load (&st, false);
  sk_state_free (back);
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_state_remove (state_root, "gone", &err), 0);
  char path[256];
  snprintf (path, sizeof path, "%s/gone", state_root);
  ck_assert_int_eq (access (path, F_OK), -1);
  ck_assert_ptr_null (sk_state_load (state_root, "gone", &err));
  sk_error_free (&err);
}
END_TEST

static Suite *
core_suite (void)
{
  Suite *s = suite_create ("core");
  TCase *t = tcase_create ("ids");
  tcase_add_test (t, test_id_valid);
  tcase_add_test (t, test_id_invalid);
  tcase_add_test (t, test_id_message_names_id);
  tcase_add_test (t, test_id_length);
  suite_add_tcase (s, t);

  t = tcase_create ("signals");
  tcase_add_test (t, test_signal_valid);
  tcase_add_test (t, test_signal_realtime);
  tcase_add_test (t, test_signal_invalid);
  tcase_add_test (t, test_signal_message_names_value);
  suite_add_tcase (s, t);

  t = tcase_create ("state");
  tcase_add_test (t, test_state_round_trip);
  tcase_add_test (t, test_state_round_trip_minimal);
  tcase_add_test (t, test_state_parse_garbage);
  tcase_add_test (t, test_state_to_json);
  tcase_add_test (t, test_status_names);
  suite_add_tcase (s, t);

  t = tcase_create ("state-dir");
  tcase_add_checked_fixture (t, root_setup, root_teardown);
  tcase_add_test (t, test_state_dir_path);
  tcase_add_test (t, test_state_claim_twice);
  tcase_add_test (t, test_state_load_missing);
  tcase_add_test (t, test_state_status_alive);
  tcase_add_test (t, test_state_status_created);
  tcase_add_test (t, test_state_status_reused_pid);
  tcase_add_test (t, test_state_remove);
  suite_add_tcase (s, t);
  return s;
}

int
main (void)
{
  SRunner *r = srunner_create (core_suite ());
  srunner_run_all (r, CK_NORMAL);
  int failed = srunner_ntests_failed (r);
  srunner_free (r);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
