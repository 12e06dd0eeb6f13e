/* skiff run [create's options] [--detach] [--keep] ID  */
#include <config.h>
#include "commands.h"

int
cmd_run (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "run", "run [options] ID",
    "Create and start a container.  In the foreground skiff waits for it, relays\n"
    "signals and exits with its exit code (128+N when killed by signal N)."
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
    { "detach", 'd', SK_OPT_BOOL, &o.detach, NULL, "return once the container is running" },
    { "keep", 0, SK_OPT_BOOL, &o.keep, NULL, "do not delete the container after it exits" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 1, err) < 0)
    return -1;
  int code = 0;
  if (sk_container_run (g, argv[first], &o, &code, err) < 0)
    return -1;
  return code;
}
