/* skiff create [--bundle DIR] [--pid-file F] [--console-socket S]
 *              [--preserve-fds N] [--no-pivot] [--no-new-keyring] ID  */
#include <config.h>
#include "commands.h"

int
cmd_create (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "create", "create [options] ID",
    "Create a container from the bundle: set up its namespaces, root filesystem and\n"
    "cgroup, and leave its process waiting until `skiff start ID`."
  };
  struct sk_create_opts o = { 0 };
  const struct sk_opt opts[] = {
    { "bundle", 'b', SK_OPT_STRING, &o.bundle, "DIR", "bundle directory (default: current directory)" },
    { "pid-file", 0, SK_OPT_STRING, &o.pid_file, "FILE", "write the container's pid to FILE" },
    { "console-socket", 0, SK_OPT_STRING, &o.console_socket, "PATH",
      "unix socket that receives the pty master (process.terminal)" },
    { "preserve-fds", 0, SK_OPT_INT, &o.preserve_fds, "N", "pass fds 3..3+N-1 to the container" },
    { "no-pivot", 0, SK_OPT_BOOL, &o.no_pivot, NULL, "use MS_MOVE + chroot instead of pivot_root" },
    { "no-new-keyring", 0, SK_OPT_BOOL, &o.no_new_keyring, NULL, "do not create a session keyring" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 1, err) < 0)
    return -1;
  if (sk_container_create (g, argv[first], &o, err) < 0)
    return -1;
  return 0;
}
