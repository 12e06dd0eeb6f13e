/* Unit tests for seccomp.c / seccomp_notify.c / caps.c helpers and
 * features.c.  No root needed: each filter is loaded in a forked child
 * with no_new_privs (config-linux.md "Seccomp").  */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/seccomp.h>
#include <skiff/container.h>
#include "linux/linux.h"
#include "linux/security.h"
#include "util/cleanup.h"
#include "util/fd.h"
#include "util/json.h"

/* A one-rule profile: names (NULL-terminated) get `action`.  */
struct profile
{
  struct sk_seccomp s;
  struct sk_syscall sc[2];
  struct sk_seccomp_arg args[2];
};

static void
profile_init (struct profile *p, const char *def, char **names, size_t n,
              const char *action)
{
  memset (p, 0, sizeof *p);
  p->s.default_action = (char *) def;
  p->s.syscalls = p->sc;
  p->s.n_syscalls = 1;
  p->sc[0].names.v = names;
  p->sc[0].names.n = n;
  p->sc[0].action = (char *) action;
}

/* Fork, load the filter (with NNP), run `fn`, exit with its value.
 * Returns the raw wait status.  */
static int
run_filtered (struct sk_seccomp_prog *prog, int (*fn) (void))
{
  pid_t pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      sk_error_t err = NULL;
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      if (sk_seccomp_load (prog, &err) == -1)
        syscall (SYS_exit_group, 200);
      /* The raw syscall, not _exit: under --enable-asan, ASan intercepts
       * _exit to run LeakSanitizer, whose own syscalls (clone, ptrace,
       * /proc reads) then hit the test's filter (default ERRNO) and make it
       * die with exit code 1, failing log_and_allow_... under ASan only.  */
      syscall (SYS_exit_group, fn ());
    }
  int st;
  ck_assert_int_eq (waitpid (pid, &st, 0), pid);
  return st;
}

static int
call_getcwd (void)
{
  char buf[256];
  return syscall (SYS_getcwd, buf, sizeof buf) < 0 ? errno : 0;
}

START_TEST (errno_default_eperm_and_errnoret)
{
  char *names[] = { "getcwd", NULL };
  struct profile p;
  sk_error_t err = NULL;
  profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_ERRNO");
  struct sk_seccomp_prog *prog = sk_seccomp_compile (&p.s, &err);
  ck_assert_msg (prog != NULL, "%s", err ? err->msg : "");
  int st = run_filtered (prog, call_getcwd);
  ck_assert (WIFEXITED (st));
  ck_assert_int_eq (WEXITSTATUS (st), EPERM);
  sk_seccomp_prog_free (prog);

  p.sc[0].has_errno_ret = true;
  p.sc[0].errno_ret = 42;
  prog = sk_seccomp_compile (&p.s, &err);
  ck_assert_ptr_nonnull (prog);
  st = run_filtered (prog, call_getcwd);
  ck_assert_int_eq (WEXITSTATUS (st), 42);
  sk_seccomp_prog_free (prog);
}
END_TEST

START_TEST (kill_and_trap_actions)
{
  static const struct { const char *action; int sig; } cases[] = {
    { "SCMP_ACT_KILL_PROCESS", SIGSYS },
    { "SCMP_ACT_KILL_THREAD", SIGSYS },
    { "SCMP_ACT_KILL", SIGSYS },
    { "SCMP_ACT_TRAP", SIGSYS },
  };
  char *names[] = { "getcwd", NULL };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      struct profile p;
      sk_error_t err = NULL;
      profile_init (&p, "SCMP_ACT_ALLOW", names, 1, cases[i].action);
      struct sk_seccomp_prog *prog = sk_seccomp_compile (&p.s, &err);
      ck_assert_ptr_nonnull (prog);
      int st = run_filtered (prog, call_getcwd);
      ck_assert_msg (WIFSIGNALED (st) && WTERMSIG (st) == cases[i].sig,
                     "%s: status %#x", cases[i].action, st);
      sk_seccomp_prog_free (prog);
    }
}
END_TEST

static int
call_getppid (void)
{
  return syscall (SYS_getppid) < 0 ? errno : 0;
}

/* Default ERRNO; getcwd and exit_group (for _exit) let through by LOG or
 * ALLOW, anything else still denied.  */
START_TEST (log_and_allow_let_the_call_through)
{
  char *names[] = { "getcwd", "exit_group", NULL };
  const char *actions[] = { "SCMP_ACT_LOG", "SCMP_ACT_ALLOW" };
  for (size_t i = 0; i < 2; i++)
    {
      struct profile p;
      sk_error_t err = NULL;
      profile_init (&p, "SCMP_ACT_ERRNO", names, 2, actions[i]);
      struct sk_seccomp_prog *prog = sk_seccomp_compile (&p.s, &err);
      ck_assert_msg (prog != NULL, "%s", err ? err->msg : "");
      int st = run_filtered (prog, call_getcwd);
      ck_assert_msg (WIFEXITED (st) && WEXITSTATUS (st) == 0, "%s: %#x", actions[i], st);
      st = run_filtered (prog, call_getppid);
      ck_assert_msg (WIFEXITED (st) && WEXITSTATUS (st) == EPERM, "%s: %#x", actions[i], st);
      sk_seccomp_prog_free (prog);
    }
}
END_TEST

START_TEST (multiple_names_and_unknown_skipped)
{
  char *names[] = { "getppid", "no_such_syscall_xyz", "getcwd", NULL };
  struct profile p;
  sk_error_t err = NULL;
  profile_init (&p, "SCMP_ACT_ALLOW", names, 3, "SCMP_ACT_ERRNO");
  p.sc[0].has_errno_ret = true;
  p.sc[0].errno_ret = 7;
  struct sk_seccomp_prog *prog = sk_seccomp_compile (&p.s, &err);
  ck_assert_msg (prog != NULL, "%s", err ? err->msg : "");
  ck_assert_int_eq (WEXITSTATUS (run_filtered (prog, call_getcwd)), 7);
  ck_assert_int_eq (WEXITSTATUS (run_filtered (prog, call_getppid)), 7);
  sk_seccomp_prog_free (prog);
}
END_TEST

static int
call_personality_query (void)
{
  /* personality(0xffffffff) only queries.  */
  int a = syscall (SYS_personality, 0xffffffffUL) < 0 ? errno : 0;
  int b = syscall (SYS_personality, 0xfffffffeUL) < 0 ? errno : 0;
  return a * 16 + b;
}

START_TEST (argument_operators)
{
  static const struct { enum sk_seccomp_op op; uint64_t v, v2; int expect; } cases[] = {
    /* expect: a*16+b, a and b the errno (9 when the rule matched, else
     * 0) of personality(0xffffffff) and personality(0xfffffffe).  */
    { SK_SECCOMP_OP_EQ, 0xffffffffUL, 0, 9 * 16 },
    { SK_SECCOMP_OP_NE, 0xffffffffUL, 0, 9 },
    { SK_SECCOMP_OP_GT, 0xfffffffeUL, 0, 9 * 16 },
    { SK_SECCOMP_OP_GE, 0xfffffffeUL, 0, 9 * 16 + 9 },
    { SK_SECCOMP_OP_LT, 0xffffffffUL, 0, 9 },
    { SK_SECCOMP_OP_LE, 0xfffffffeUL, 0, 9 },
    { SK_SECCOMP_OP_MASKED_EQ, 0x1, 0x0, 9 },
  };
  char *names[] = { "personality", NULL };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      struct profile p;
      sk_error_t err = NULL;
      profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_ERRNO");
      p.sc[0].has_errno_ret = true;
      p.sc[0].errno_ret = 9;
      p.args[0] = (struct sk_seccomp_arg) { .index = 0, .value = cases[i].v,
                                            .value_two = cases[i].v2, .op = cases[i].op };
      p.sc[0].args = p.args;
      p.sc[0].n_args = 1;
      struct sk_seccomp_prog *prog = sk_seccomp_compile (&p.s, &err);
      ck_assert_msg (prog != NULL, "%s", err ? err->msg : "");
      int st = run_filtered (prog, call_personality_query);
      ck_assert_msg (WIFEXITED (st) && WEXITSTATUS (st) == cases[i].expect,
                     "case %zu: status %#x", i, st);
      sk_seccomp_prog_free (prog);
    }
}
END_TEST

START_TEST (bad_profiles_are_errors)
{
  char *names[] = { "getcwd", NULL };
  struct profile p;
  sk_error_t err = NULL;

  profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_NOPE");
  ck_assert_ptr_null (sk_seccomp_compile (&p.s, &err));
  ck_assert_ptr_nonnull (strstr (err->msg, "unknown seccomp action `SCMP_ACT_NOPE`"));
  ck_assert_ptr_nonnull (strstr (err->msg, "linux.seccomp.syscalls[0]"));
  sk_error_free (&err);

  /* errnoRet with an action that has no errno (config-linux.md: MUST fail) */
  profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_KILL");
  p.sc[0].has_errno_ret = true;
  ck_assert_ptr_null (sk_seccomp_compile (&p.s, &err));
  ck_assert_ptr_nonnull (strstr (err->msg, "errnoRet is not supported"));
  sk_error_free (&err);

  profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_NOTIFY");
  ck_assert_ptr_null (sk_seccomp_compile (&p.s, &err));
  ck_assert_ptr_nonnull (strstr (err->msg, "listenerPath"));
  sk_error_free (&err);

  char *archs[] = { "SCMP_ARCH_NOPE", NULL };
  profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_ERRNO");
  p.s.architectures.v = archs;
  p.s.architectures.n = 1;
  ck_assert_ptr_null (sk_seccomp_compile (&p.s, &err));
  ck_assert_ptr_nonnull (strstr (err->msg, "SCMP_ARCH_NOPE"));
  sk_error_free (&err);

  char *flags[] = { "SECCOMP_FILTER_FLAG_NOPE", NULL };
  profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_ERRNO");
  p.s.flags.v = flags;
  p.s.flags.n = 1;
  ck_assert_ptr_null (sk_seccomp_compile (&p.s, &err));
  ck_assert_ptr_nonnull (strstr (err->msg, "unknown seccomp flag"));
  sk_error_free (&err);
}
END_TEST

START_TEST (archs_and_flags_accepted)
{
  char *names[] = { "getcwd", NULL };
  char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
  char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                    "SECCOMP_FILTER_FLAG_TSYNC", NULL };
  struct profile p;
  sk_error_t err = NULL;
  profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_ERRNO");
  p.s.architectures.v = archs;
  p.s.architectures.n = 3;
  p.s.flags.v = flags;
  p.s.flags.n = 3;
  struct sk_seccomp_prog *prog = sk_seccomp_compile (&p.s, &err);
  ck_assert_msg (prog != NULL, "%s", err ? err->msg : "");
  ck_assert_int_eq (WEXITSTATUS (run_filtered (prog, call_getcwd)), EPERM);
  sk_seccomp_prog_free (prog);
}
END_TEST

/* The notified child sends its listener fd to us, then calls getcwd; we
 * answer with errno 33 through SECCOMP_IOCTL_NOTIF_SEND.  */
START_TEST (notify_answered)
{
  char *names[] = { "getcwd", NULL };
  struct profile p;
  sk_error_t err = NULL;
  profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_NOTIFY");
  p.s.listener_path = (char *) "/unused";
  struct sk_seccomp_prog *prog = sk_seccomp_compile (&p.s, &err);
  ck_assert_msg (prog != NULL, "%s", err ? err->msg : "");
  ck_assert (sk_seccomp_uses_notify (prog));
  int sv[2];
  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  pid_t pid = fork ();
  if (pid == 0)
    {
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      int fd = sk_seccomp_load (prog, &err);
      if (fd < 0 || sk_send_fd (sv[1], fd, "seccompFd", &err) < 0)
        _exit (200);
      close (fd);
      _exit (call_getcwd ());
    }
  int lfd = sk_recv_fd (sv[0], &err);
  ck_assert_int_ge (lfd, 0);
  struct seccomp_notif req;
  memset (&req, 0, sizeof req);
  ck_assert_int_eq (ioctl (lfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
  ck_assert_int_eq (req.pid, pid);
  ck_assert_int_eq (req.data.nr, SYS_getcwd);
  struct seccomp_notif_resp resp = { .id = req.id, .error = -33 };
  ck_assert_int_eq (ioctl (lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
  int st;
  ck_assert_int_eq (waitpid (pid, &st, 0), pid);
  ck_assert (WIFEXITED (st));
  ck_assert_int_eq (WEXITSTATUS (st), 33);
  /* The second load in the same process is a no-op (init loads a notify
   * filter before READY and calls load again before execve).  */
  close (lfd);
  sk_seccomp_prog_free (prog);
}
END_TEST

START_TEST (process_state_json)
{
  struct sk_seccomp s = { .listener_metadata = (char *) "meta" };
  sk_error_t err = NULL;
  const char *state = "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"creating\","
                      "\"pid\":1234,\"bundle\":\"/b\",\"annotations\":{\"a\":\"b\"}}";
  _cleanup_free_ char *out = sk_seccomp_process_state (&s, state, &err);
  ck_assert_msg (out != NULL, "%s", err ? err->msg : "");
  _cleanup_json_ sk_json *j = sk_json_parse (out, strlen (out), "out", &err);
  ck_assert_ptr_nonnull (j);
  const char *str;
  int64_t pid;
  ck_assert_int_eq (sk_json_string (sk_json_get (j, "ociVersion"), "", &str, &err), 0);
  ck_assert_str_eq (str, "1.3.0");
  ck_assert_int_eq (sk_json_int64 (sk_json_get (j, "pid"), "", &pid, &err), 0);
  ck_assert_int_eq (pid, 1234);
  ck_assert_int_eq (sk_json_string (sk_json_get (j, "metadata"), "", &str, &err), 0);
  ck_assert_str_eq (str, "meta");
  const sk_json *fds = sk_json_get (j, "fds");
  ck_assert_int_eq (sk_json_array_len (fds), 1);
  ck_assert_int_eq (sk_json_string (sk_json_array_get (fds, 0), "", &str, &err), 0);
  ck_assert_str_eq (str, "seccompFd");
  const sk_json *st = sk_json_get (j, "state");
  ck_assert_int_eq (sk_json_string (sk_json_get (st, "id"), "", &str, &err), 0);
  ck_assert_str_eq (str, "c1");
  ck_assert_int_eq (sk_json_string (sk_json_get (sk_json_get (st, "annotations"), "a"),
                                    "", &str, &err), 0);
  ck_assert_str_eq (str, "b");
}
END_TEST

/* A damaged cache entry is a miss, never a wrong filter.  */
START_TEST (cache_damage_is_a_miss)
{
  char *names[] = { "getcwd", NULL };
  struct profile p;
  sk_error_t err = NULL;
  profile_init (&p, "SCMP_ACT_ALLOW", names, 1, "SCMP_ACT_ERRNO");
  p.sc[0].has_errno_ret = true;
  p.sc[0].errno_ret = 61;
  struct sk_seccomp_prog *prog = sk_seccomp_compile (&p.s, &err);
  ck_assert_ptr_nonnull (prog);
  sk_seccomp_prog_free (prog);
  if (geteuid () == 0)
    /* every entry cut short (other tests' entries just miss later) */
    ck_assert_int_eq (system ("for f in /run/skiff-cache/seccomp/*; do "
                              "truncate -s 40 \"$f\"; done"), 0);
  prog = sk_seccomp_compile (&p.s, &err);
  ck_assert_ptr_nonnull (prog);
  int st = run_filtered (prog, call_getcwd);
  ck_assert_int_eq (WEXITSTATUS (st), 61);
  sk_seccomp_prog_free (prog);
  /* and the same profile again, now from a fresh entry */
  prog = sk_seccomp_compile (&p.s, &err);
  ck_assert_int_eq (WEXITSTATUS (run_filtered (prog, call_getcwd)), 61);
  sk_seccomp_prog_free (prog);
}
END_TEST

/* CVE-2025-52881: a procfs file bound over another must not be written
 * through (sk_procfs_open refuses to cross the mount).  Root only: runs
 * in a private mount namespace of a forked child.  */
START_TEST (procfs_open_refuses_overmount)
{
  sk_error_t err = NULL;
  int fd = sk_procfs_open ("self/attr/exec", O_WRONLY, &err);
  ck_assert_msg (fd >= 0, "%s", err ? err->msg : "");
  close (fd);
  if (geteuid () != 0)
    return;
  pid_t pid = fork ();
  if (pid == 0)
    {
      if (unshare (CLONE_NEWNS) < 0
          || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
          || mount ("/proc/sys/kernel/core_pattern", "/proc/sys/kernel/domainname", NULL,
                    MS_BIND, NULL) < 0)
        _exit (3);
      sk_error_t e = NULL;
      int f = sk_procfs_open ("sys/kernel/domainname", O_WRONLY, &e);
      _exit (f < 0 && e->errnum == EXDEV ? 0 : 1);
    }
  int st;
  ck_assert_int_eq (waitpid (pid, &st, 0), pid);
  ck_assert_msg (WIFEXITED (st) && WEXITSTATUS (st) == 0, "status %#x", st);
}
END_TEST

START_TEST (caps_names_known)
{
  _cleanup_strv_ char **v = sk_caps_known_names ();
  ck_assert_ptr_nonnull (v);
  size_t n = 0;
  for (; v[n]; n++)
    ck_assert_msg (strncmp (v[n], "CAP_", 4) == 0, "%s", v[n]);
  ck_assert_int_eq (n, (size_t) sk_caps_last_cap () + 1);
  ck_assert_str_eq (v[0], "CAP_CHOWN");
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("seccomp");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, errno_default_eperm_and_errnoret);
  tcase_add_test (tc, kill_and_trap_actions);
  tcase_add_test (tc, log_and_allow_let_the_call_through);
  tcase_add_test (tc, multiple_names_and_unknown_skipped);
  tcase_add_test (tc, argument_operators);
  tcase_add_test (tc, bad_profiles_are_errors);
  tcase_add_test (tc, archs_and_flags_accepted);
  tcase_add_test (tc, notify_answered);
  tcase_add_test (tc, process_state_json);
  tcase_add_test (tc, caps_names_known);
  tcase_add_test (tc, cache_damage_is_a_miss);
  tcase_add_test (tc, procfs_open_refuses_overmount);
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
