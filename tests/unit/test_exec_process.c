/* Unit tests for sk_exec_build_process (src/lib/exec_process.c): the
 * process `skiff exec` runs, from the container's config.json process and
 * the command-line overrides, with runc's rules.  No root needed.  */
#include <config.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/container.h>

int sk_exec_build_process (const struct sk_exec_opts *o, struct sk_spec *spec,
                           struct sk_process **proc_out, sk_error_t *err);

static const char config[] =
  "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"},"
  " \"process\": {\"terminal\": true, \"cwd\": \"/\", \"args\": [\"sh\"],"
  "   \"env\": [\"PATH=/bin\", \"A=1\"], \"user\": {\"uid\": 0, \"gid\": 0},"
  "   \"noNewPrivileges\": false,"
  "   \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"],"
  "                      \"permitted\": [\"CAP_KILL\"]}}}";

static struct sk_spec *
load (void)
{
  sk_error_t err = NULL;
  struct sk_spec *s = sk_spec_parse (config, strlen (config), &err);
  ck_assert_msg (s != NULL, "%s", err ? err->msg : "");
  return s;
}

static bool
has (const struct sk_strv *l, const char *v)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp (l->v[i], v) == 0)
      return true;
  return false;
}

START_TEST (test_flags)
{
  struct sk_spec *spec = load ();
  char *args[] = { "/probe", "ids", NULL };
  char *env[] = { "A=2", "B=3", NULL };
  char *caps[] = { "net_admin", NULL };
  char *gids[] = { "29", "5", NULL };
  struct sk_exec_opts o = {
    .args = args, .cwd = "/tmp", .user = "1000:100", .no_new_privs = true,
    .env = { env, 2 }, .caps = { caps, 1 }, .additional_gids = { gids, 2 },
  };
  struct sk_process *p = NULL;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_exec_build_process (&o, spec, &p, &err), 0);
  ck_assert_ptr_nonnull (p);
  ck_assert_str_eq (p->args.v[0], "/probe");
  ck_assert_int_eq (p->args.n, 2);
  ck_assert_ptr_null (p->args.v[2]);
  ck_assert_str_eq (p->cwd, "/tmp");
  /* env: A replaced in place, B appended, PATH kept */
  ck_assert_int_eq (p->env.n, 3);
  ck_assert_str_eq (p->env.v[0], "PATH=/bin");
  ck_assert_str_eq (p->env.v[1], "A=2");
  ck_assert_str_eq (p->env.v[2], "B=3");
  ck_assert_int_eq (p->user.uid, 1000);
  ck_assert_int_eq (p->user.gid, 100);
  ck_assert_int_eq (p->user.n_additional_gids, 2);
  ck_assert_int_eq (p->user.additional_gids[0], 29);
  ck_assert (p->no_new_privileges);
  /* runc: the terminal comes from --tty only */
  ck_assert (!p->terminal);
  ck_assert (has (&p->capabilities->bounding, "CAP_NET_ADMIN"));
  ck_assert (has (&p->capabilities->effective, "CAP_NET_ADMIN"));
  ck_assert (has (&p->capabilities->permitted, "CAP_NET_ADMIN"));
  ck_assert (has (&p->capabilities->bounding, "CAP_KILL"));
  /* no inheritable in the config: no ambient either */
  ck_assert_int_eq (p->capabilities->ambient.n, 0);
  sk_process_free (p);
  sk_spec_free (spec);
}
END_TEST

START_TEST (test_bad_user)
{
  const char *bad[] = { "root", "1000:", ":5", "-1", "4294967296", "1:x" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct sk_spec *spec = load ();
      char *args[] = { "sh", NULL };
      struct sk_exec_opts o = { .args = args, .user = bad[i] };
      struct sk_process *p = NULL;
      sk_error_t err = NULL;
      ck_assert_int_eq (sk_exec_build_process (&o, spec, &p, &err), -1);
      ck_assert_msg (strstr (err->msg, "invalid --user") != NULL, "%s", err->msg);
      sk_error_free (&err);
      sk_process_free (p);
      sk_spec_free (spec);
    }
}
END_TEST

START_TEST (test_bad_gid)
{
  struct sk_spec *spec = load ();
  char *args[] = { "sh", NULL };
  char *gids[] = { "audio", NULL };
  struct sk_exec_opts o = { .args = args, .additional_gids = { gids, 1 } };
  struct sk_process *p = NULL;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_exec_build_process (&o, spec, &p, &err), -1);
  ck_assert_str_eq (err->msg, "invalid --additional-gids `audio`: expected a number");
  sk_error_free (&err);
  sk_process_free (p);
  sk_spec_free (spec);
}
END_TEST

START_TEST (test_process_file_missing)
{
  struct sk_spec *spec = load ();
  struct sk_exec_opts o = { .process_path = "/nonexistent/process.json" };
  struct sk_process *p = NULL;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_exec_build_process (&o, spec, &p, &err), -1);
  ck_assert_msg (strstr (err->msg, "/nonexistent/process.json") != NULL, "%s", err->msg);
  sk_error_free (&err);
  sk_spec_free (spec);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("exec_process");
  TCase *tc = tcase_create ("build");
  tcase_add_test (tc, test_flags);
  tcase_add_test (tc, test_bad_user);
  tcase_add_test (tc, test_bad_gid);
  tcase_add_test (tc, test_process_file_missing);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
