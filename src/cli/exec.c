/* skiff exec [options] ID [COMMAND [ARG...]]
 * As runc: containerd's shim sends `exec --process F --detach --pid-file P
 * [--console-socket S] ID`, conmon `exec --pid-file F --process F --detach
 * [--tty --console-socket S] ID`.  */
#include <config.h>
#include <stdlib.h>
#include "commands.h"

int
cmd_exec (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "exec", "exec [options] ID [COMMAND [ARG...]]",
    "Run a new process inside a running container: the process described by\n"
    "--process FILE, or COMMAND with the container's own process settings and the\n"
    "overrides below.  In the foreground skiff relays signals (and the terminal with\n"
    "--tty) and exits with the process's exit code (128+N when killed by signal N,\n"
    "127 when COMMAND is not found, 126 when it cannot be executed)."
  };
  struct sk_exec_opts o = { 0 };
  const struct sk_opt opts[] = {
    { "console-socket", 0, SK_OPT_STRING, &o.console_socket, "PATH",
      "unix socket that receives the pty master" },
    { "pid-file", 0, SK_OPT_STRING, &o.pid_file, "FILE", "write the process's pid to FILE" },
    { "process", 'p', SK_OPT_STRING, &o.process_path, "FILE",
      "the process as a runtime-spec `process` JSON object" },
    { "detach", 'd', SK_OPT_BOOL, &o.detach, NULL, "return once the process is running" },
    { "cwd", 0, SK_OPT_STRING, &o.cwd, "DIR", "working directory in the container" },
    { "env", 'e', SK_OPT_LIST, &o.env, "KEY=VALUE", "set an environment variable (repeatable)" },
    { "tty", 't', SK_OPT_BOOL, &o.tty, NULL, "allocate a pseudo-terminal" },
    { "user", 'u', SK_OPT_STRING, &o.user, "UID[:GID]", "user (and group) to run as" },
    { "additional-gids", 'g', SK_OPT_LIST, &o.additional_gids, "GID",
      "an additional group (repeatable)" },
    { "process-label", 0, SK_OPT_STRING, &o.process_label, "LABEL", "SELinux label" },
    { "apparmor", 0, SK_OPT_STRING, &o.apparmor, "PROFILE", "AppArmor profile" },
    { "no-new-privs", 0, SK_OPT_BOOL, &o.no_new_privs, NULL, "set no_new_privileges" },
    { "cap", 'c', SK_OPT_LIST, &o.caps, "CAP", "add a capability (repeatable)" },
    { "preserve-fds", 0, SK_OPT_INT, &o.preserve_fds, "N", "pass fds 3..3+N-1 to the process" },
    { "cgroup", 0, SK_OPT_LIST, &o.cgroups, "[CONTROLLERS:]PATH",
      "run in this existing sub-cgroup of the container's cgroup (repeatable: one "
      "per cgroup v1 hierarchy)" },
    { "ignore-paused", 0, SK_OPT_BOOL, &o.ignore_paused, NULL, "exec even if the container is paused" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first, code = 0, r;
  r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r == 0)
    r = sk_opts_want_args (&h, argc, argv, first, 1, -1, err);
  if (r == 0 && o.process_path == NULL && first + 1 >= argc)
    r = sk_error_set (err, 0, "exec: missing COMMAND: usage: skiff %s", h.usage);
  if (r == 0)
    {
      o.args = argv + first + 1;
      r = sk_container_exec (g, argv[first], &o, &code, err);
      /* A command that cannot be run exits like a shell's would, with the
       * message, so `docker exec`-style callers see 126/127.  */
      if (r < 0 && code > 0 && !o.detach)
        {
          char *msg = sk_error_string (*err);
          sk_log_error (msg);
          free (msg);
          sk_error_free (err);
          r = 0;
        }
    }
  sk_opts_free_list (&o.env);
  sk_opts_free_list (&o.additional_gids);
  sk_opts_free_list (&o.caps);
  sk_opts_free_list (&o.cgroups);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return code;
}
